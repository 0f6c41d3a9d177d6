#!/usr/bin/env bash
# The prepared GPU run: conformance on the GPU backends, then the GPU benchmarks.
#
#   bash benchmarks/gpu/run.sh OUT_DIR            # on a CUDA machine (under 8 min, H100)
#   bash benchmarks/gpu/run.sh OUT_DIR --smoke    # anywhere: CPU backends, tiny sizes
#
# The machine is expected to have torch, JAX, CuPy and optax, and no network: the
# other packages come from wheels in benchmarks/gpu/wheels/ (git-ignored), fetched
# beforehand on a machine with network by
#   pip download -d benchmarks/gpu/wheels array-api-compat array-api-strict \
#       hypothesis pytest pytest-xdist kornia monai scipy mpmath
# Writes OUT_DIR/log.txt (everything printed), OUT_DIR/conformance.txt,
# OUT_DIR/bench.csv (arrayloss bench rows) and OUT_DIR/bandwidth.csv (the
# bandwidth-bound sizes as fractions of the memory-bandwidth floor).
set -uo pipefail

out="${1:?usage: run.sh OUT_DIR [--smoke]}"
smoke="${2:-}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
mkdir -p "$out"
exec > >(tee "$out/log.txt") 2>&1
start=$SECONDS
step() { printf '\n=== %s (%ds) ===\n' "$1" "$((SECONDS - start))"; }

step "environment"
if [ "$smoke" != "--smoke" ] && [ -d "$here/wheels" ]; then
    pip install -q --no-index --find-links "$here/wheels" array-api-compat array-api-strict \
        hypothesis pytest pytest-xdist kornia monai scipy mpmath 2>&1 | tail -2 || true
fi
if [ "$smoke" != "--smoke" ]; then
    pip install -q --no-deps --no-build-isolation -e "$root" 2>&1 | tail -2 || true
fi
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
export PYTHONPATH="$root/src:${PYTHONPATH:-}"
cd "$root"

if [ "$smoke" = "--smoke" ]; then
    backends="numpy,torch,jax"
    gpu_note="smoke mode: CPU backends only"
else
    backends="cupy,torch-cuda,jax-gpu"
    gpu_note="GPU backends"
fi

step "conformance on $backends ($gpu_note)"
# every registered loss x case on each backend against its float64 reference, and the
# backend suite (namespace, dtype, device of each result; the CuPy distance path)
ARRAYLOSS_BACKENDS="$backends" timeout 300 python -m pytest -q -x -p no:cacheprovider \
    tests/test_conformance.py tests/test_backends.py ${smoke:+-k "mse_loss or dice_loss or cross_entropy"} \
    2>&1 | tail -25 | tee "$out/conformance.txt"

step "benchmarks"
if [ "$smoke" = "--smoke" ]; then
    arrayloss bench --backends numpy,torch --losses cross_entropy,dice_loss --size tiny \
        --budget 0.01 --no-memory --csv "$out/bench.csv"
    python "$here/bandwidth.py" --out "$out/bandwidth.csv" --smoke
else
    timeout 240 arrayloss bench --backends torch-cuda,jax --size gpu --budget 0.3 \
        --csv "$out/bench.csv" --wide
    timeout 120 python "$here/bandwidth.py" --out "$out/bandwidth.csv"
fi

step "done: $out"
