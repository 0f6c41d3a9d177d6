"""``benchmarks/gpu/run.sh`` runs in its CPU smoke mode: the GPU parts skip cleanly,
the rest writes its log and CSVs (the script is ready for the next GPU at hand)."""

from __future__ import annotations

import csv
import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_gpu_script_smoke_mode(tmp_path: Path) -> None:
    for module in ("torch", "jax"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"the smoke mode times {module}")
    if shutil.which("bash") is None:
        pytest.skip("needs bash")
    out = tmp_path / "gpu"
    proc = subprocess.run(
        ["bash", str(ROOT / "benchmarks" / "gpu" / "run.sh"), str(out), "--smoke"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    log = (out / "log.txt").read_text()
    assert "=== done" in log
    assert " passed" in (out / "conformance.txt").read_text()
    lines = (out / "bench.csv").read_text().splitlines()
    bench = list(csv.DictReader(ln for ln in lines if not ln.startswith("#")))
    assert {r["loss"] for r in bench} == {"cross_entropy", "dice_loss"}
    rows = list(csv.DictReader((out / "bandwidth.csv").open()))
    assert {r["who"] for r in rows} >= {"arrayloss", "F.cross_entropy", "optax"}
    assert all(float(r["fraction_of_floor"]) > 0 for r in rows)
