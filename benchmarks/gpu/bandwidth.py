"""The bandwidth-bound sizes, each as a fraction of the memory-bandwidth floor.

A loss over a large input reads it at least once: the floor is ``bytes read /
bandwidth``, with the bandwidth measured here as a device-to-device copy (read +
write of a 1 GiB buffer). For each backend present it times arrayloss and the peer
(same inputs, interleaved with the order alternated) and writes
``loss, backend, dtype, shape, who, median_s, floor_s, fraction_of_floor``:

- ``cross_entropy`` on 8192 x 128256 bfloat16 logits (a language model's vocabulary)
  against ``torch.nn.functional.cross_entropy`` (torch CUDA) and optax (JAX GPU);
- ``dice_loss`` on 16 x 512 x 1024 x 19 float32 (a segmentation batch) against MONAI
  where installed;
- ``huber_loss`` on CuPy against the same formula fused with ``cupy.fuse``.

``--smoke`` runs the same code on the CPU at tiny sizes (what CI checks).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import statistics
import time
from collections.abc import Callable
from typing import Any

import arrayloss as al


def _times(
    a: Callable[[], Any], b: Callable[[], Any], sync: Callable[[], None], reps: int
) -> tuple[float, float]:
    for f in (a, b, a, b):
        f()
    sync()
    ta, tb = [], []
    for rep in range(reps):
        order = (a, b) if rep % 2 == 0 else (b, a)
        spans = []
        for f in order:
            t0 = time.perf_counter()
            f()
            sync()
            spans.append(time.perf_counter() - t0)
        ta.append(spans[0] if rep % 2 == 0 else spans[1])
        tb.append(spans[1] if rep % 2 == 0 else spans[0])
    return statistics.median(ta), statistics.median(tb)


def _torch_rows(smoke: bool, reps: int) -> list[dict[str, Any]]:
    import torch
    import torch.nn.functional as F  # noqa: N812

    cuda = torch.cuda.is_available() and not smoke
    if not cuda and not smoke:
        return []
    dev = "cuda" if cuda else "cpu"
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    big = torch.empty(1 << (30 if cuda else 22), dtype=torch.uint8, device=dev)
    copy = big.clone()
    t0 = time.perf_counter()
    for _ in range(5):
        copy.copy_(big)
    sync()
    bandwidth = 2 * 5 * big.numel() / (time.perf_counter() - t0)  # read + write
    rows = []
    n, c = (8192, 128256) if cuda else (64, 1000)
    logits = torch.randn(n, c, device=dev, dtype=torch.bfloat16)
    labels = torch.randint(0, c, (n,), device=dev)
    ours, peer = _times(
        lambda: al.cross_entropy(logits, labels),
        lambda: F.cross_entropy(logits, labels),
        sync,
        reps,
    )
    floor = logits.numel() * logits.element_size() / bandwidth
    for who, t in (("arrayloss", ours), ("F.cross_entropy", peer)):
        rows.append(_row("cross_entropy", f"torch-{dev}", "bfloat16", (n, c), who, t, floor))
    shape = (16, 19, 512, 1024) if cuda else (2, 4, 16, 16)
    x = torch.randn(*shape, device=dev)
    y = torch.randint(0, shape[1], (shape[0], *shape[2:]), device=dev)
    floor = x.numel() * x.element_size() / bandwidth
    timed = {"arrayloss": lambda: al.dice_loss(x, y, axis=1)}
    if importlib.util.find_spec("monai"):
        from monai.losses import DiceLoss

        monai = DiceLoss(to_onehot_y=True, softmax=True)
        timed["monai.DiceLoss"] = lambda: monai(x, y[:, None])
    names = list(timed)
    if len(names) == 2:
        ta, tb = _times(timed[names[0]], timed[names[1]], sync, reps)
        found = {names[0]: ta, names[1]: tb}
    else:
        found = {names[0]: _times(timed[names[0]], timed[names[0]], sync, reps)[0]}
    for who, t in found.items():
        rows.append(_row("dice_loss", f"torch-{dev}", "float32", shape, who, t, floor))
    return rows


def _cupy_rows(smoke: bool, reps: int) -> list[dict[str, Any]]:
    if smoke or importlib.util.find_spec("cupy") is None:
        return []
    import cupy as cp

    n = 1 << 28
    x = cp.random.standard_normal(n, dtype=cp.float32)
    y = cp.random.standard_normal(n, dtype=cp.float32)
    copy = cp.empty_like(x)
    t0 = time.perf_counter()
    for _ in range(5):
        copy[...] = x
    cp.cuda.Device().synchronize()
    bandwidth = 2 * 5 * x.nbytes / (time.perf_counter() - t0)

    @cp.fuse()
    def huber(a: Any, b: Any) -> Any:
        d = cp.abs(a - b)
        return cp.sum(cp.where(d < 1.0, 0.5 * d * d, d - 0.5)) / a.size

    sync = cp.cuda.Device().synchronize
    ours, peer = _times(lambda: al.huber_loss(x, y), lambda: huber(x, y), sync, reps)
    floor = 2 * x.nbytes / bandwidth
    return [
        _row("huber_loss", "cupy", "float32", (n,), who, t, floor)
        for who, t in (("arrayloss", ours), ("cupy.fuse", peer))
    ]


def _jax_rows(smoke: bool, reps: int) -> list[dict[str, Any]]:
    if importlib.util.find_spec("optax") is None:
        return []
    import jax
    import jax.numpy as jnp
    import optax

    gpu = jax.default_backend() == "gpu" and not smoke
    if not gpu and not smoke:
        return []
    n, c = (8192, 128256) if gpu else (64, 1000)
    key = jax.random.PRNGKey(0)
    logits = jax.random.normal(key, (n, c), dtype=jnp.bfloat16)
    labels = jax.random.randint(key, (n,), 0, c)
    a = jax.jit(lambda x, y: al.cross_entropy(x, y))
    b = jax.jit(lambda x, y: optax.softmax_cross_entropy_with_integer_labels(x, y).mean())
    big = jnp.zeros(1 << (28 if gpu else 20), dtype=jnp.float32)
    copy = jax.jit(lambda z: z + 0)
    copy(big).block_until_ready()
    t0 = time.perf_counter()
    for _ in range(5):
        copy(big).block_until_ready()
    bandwidth = 2 * 5 * big.nbytes / (time.perf_counter() - t0)
    ours, peer = _times(
        lambda: a(logits, labels).block_until_ready(),
        lambda: b(logits, labels).block_until_ready(),
        lambda: None,
        reps,
    )
    floor = logits.nbytes / bandwidth
    dev = "jax-gpu" if gpu else "jax-cpu"
    return [
        _row("cross_entropy", dev, "bfloat16", (n, c), who, t, floor)
        for who, t in (("arrayloss", ours), ("optax", peer))
    ]


def _row(
    loss: str, backend: str, dtype: str, shape: tuple[int, ...], who: str, t: float, floor: float
) -> dict[str, Any]:
    return {
        "loss": loss,
        "backend": backend,
        "dtype": dtype,
        "shape": "x".join(map(str, shape)),
        "who": who,
        "median_s": f"{t:.6g}",
        "floor_s": f"{floor:.6g}",
        "fraction_of_floor": f"{floor / t:.3g}",  # .3g: tiny CPU fractions stay non-zero
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="CSV to write")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes on the CPU")
    args = parser.parse_args()
    reps = 5 if args.smoke else 20
    rows: list[dict[str, Any]] = []
    for part in (_torch_rows, _jax_rows, _cupy_rows):
        name = part.__name__.strip("_").removesuffix("_rows")
        if importlib.util.find_spec(name) is None:
            print(f"{name}: not installed, skipped")
            continue
        got = part(args.smoke, reps)
        print(f"{name}: {len(got)} rows" if got else f"{name}: no GPU, skipped")
        rows += got
    with open(args.out, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(_row("", "", "", (1,), "", 1, 1)))
        writer.writeheader()
        writer.writerows(rows)
    for r in rows:
        print(
            f"{r['loss']:14s} {r['backend']:9s} {r['shape']:16s} {r['who']:16s} "
            f"{float(r['median_s']) * 1e3:9.3f} ms  {r['fraction_of_floor']} of floor"
        )
    if not rows:
        raise SystemExit("no backend ran")


if __name__ == "__main__":
    main()
