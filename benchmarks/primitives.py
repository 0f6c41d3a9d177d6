"""Native vs portable primitives: is each native fast path actually faster?

Times forward (and forward+backward on torch and JAX) of every primitive with
``native=True`` and ``native=False`` on the same input, interleaved, and prints the
median ratio native/portable. For NumPy it also times SciPy's ``special``
counterparts, which arrayloss does *not* use, to justify that choice.

Run: ``python benchmarks/primitives.py [--size 2048x1000] [--repeat 30]``
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from arrayloss._lib import _primitives as prims
from arrayloss._lib._compat import array_namespace

AXIS_PRIMS = ("logsumexp", "log_softmax", "softmax")
ELEM_PRIMS = ("sigmoid", "log_sigmoid", "softplus")


def _interleaved(fns: dict[str, Callable[[], Any]], repeat: int) -> dict[str, float]:
    """Median seconds per call of each function, run A B A B ... after warm-up."""
    for fn in fns.values():
        fn()
        fn()
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(repeat):
        for k, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in times.items()}


def _row(name: str, a: str, ta: float, b: str, tb: float) -> None:
    """One line: both median times in ms and the ratio of the second to the first."""
    print(f"  {name:12s} {a} {ta * 1e3:8.3f} ms  {b} {tb * 1e3:8.3f} ms  ratio {tb / ta:.2f}")


def _prim(name: str, x: Any, xp: Any, native: bool) -> Any:
    fn = getattr(prims, name)
    if name in AXIS_PRIMS:
        return fn(x, -1, xp=xp, native=native)
    return fn(x, xp=xp, native=native)


def bench_numpy(shape: tuple[int, int], repeat: int) -> None:
    import scipy.special as sc

    x = np.random.default_rng(0).normal(size=shape).astype(np.float32)
    xp = array_namespace(x=x)
    scipy_fns = {
        "logsumexp": lambda: sc.logsumexp(x, axis=-1),
        "log_softmax": lambda: sc.log_softmax(x, axis=-1),
        "softmax": lambda: sc.softmax(x, axis=-1),
        "sigmoid": lambda: sc.expit(x),
        "log_sigmoid": lambda: sc.log_expit(x),
        "softplus": lambda: np.logaddexp(np.float32(0), x),
    }
    print(f"numpy float32 {shape}: portable vs scipy.special (ratio scipy/portable)")
    for name in AXIS_PRIMS + ELEM_PRIMS:
        t = _interleaved(
            {"portable": lambda n=name: _prim(n, x, xp, False), "scipy": scipy_fns[name]},
            repeat,
        )
        _row(name, "portable", t["portable"], "scipy", t["scipy"])


def bench_torch(shape: tuple[int, int], repeat: int) -> None:
    import torch

    torch.manual_seed(0)
    x = torch.randn(*shape, requires_grad=True)
    xp = array_namespace(x=x)

    def fwd_bwd(name: str, native: bool) -> None:
        out = _prim(name, x, xp, native)
        out.sum().backward()

    print(f"torch CPU float32 {shape}: forward+backward (ratio native/portable)")
    for name in AXIS_PRIMS + ELEM_PRIMS:
        t = _interleaved(
            {
                "native": lambda n=name: fwd_bwd(n, True),
                "portable": lambda n=name: fwd_bwd(n, False),
            },
            repeat,
        )
        _row(name, "portable", t["portable"], "native", t["native"])


def bench_jax(shape: tuple[int, int], repeat: int) -> None:
    import jax
    import jax.numpy as jnp

    x = jnp.asarray(np.random.default_rng(0).normal(size=shape).astype(np.float32))
    xp = array_namespace(x=x)
    print(f"jax CPU float32 {shape} under jit: forward+backward (ratio native/portable)")
    for name in AXIS_PRIMS + ELEM_PRIMS:
        fns = {}
        for native in (True, False):
            g = jax.jit(jax.grad(lambda v, n=name, nat=native: jnp.sum(_prim(n, v, xp, nat))))
            fns["native" if native else "portable"] = lambda g=g: g(x).block_until_ready()
        t = _interleaved(fns, repeat)
        _row(name, "portable", t["portable"], "native", t["native"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="2048x1000")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--backends", default="numpy,torch,jax")
    args = parser.parse_args()
    rows, cols = (int(s) for s in args.size.split("x"))
    for name in args.backends.split(","):
        {"numpy": bench_numpy, "torch": bench_torch, "jax": bench_jax}[name](
            (rows, cols), args.repeat
        )


if __name__ == "__main__":
    main()
