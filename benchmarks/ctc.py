"""``arrayloss.ctc_loss`` against ``optax.ctc_loss`` under ``jax.jit``: compile and run time.

``python benchmarks/ctc.py`` (one process, CPU unless JAX sees an accelerator) builds
float32 log-probabilities of shape ``(N, T, C) = (8, 200, 30)`` with ``S = 50`` padded
labels and random lengths, then for each of value and value-and-gradient:

* compile: ``jax.jit(fresh_function).lower(...).compile()`` wall time, repeated with
  a new function each time (no cache hit), pair order alternating;
* run: the compiled call with ``block_until_ready``, median of repeats, pair order
  alternating.

Both losses sum the per-sequence losses (no length normalisation) so the values agree.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=8)
    parser.add_argument("--t", type=int, default=200)
    parser.add_argument("--c", type=int, default=30)
    parser.add_argument("--s", type=int, default=50)
    parser.add_argument("--compiles", type=int, default=3)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    import jax
    import jax.numpy as jnp
    import numpy as np
    import optax

    import arrayloss as al

    rng = np.random.default_rng(0)
    n, t, c, s = args.n, args.t, args.c, args.s
    logits = jnp.asarray(rng.normal(size=(n, t, c)), dtype=jnp.float32)
    lp = jax.nn.log_softmax(logits, axis=-1)
    labels = jnp.asarray(rng.integers(1, c, size=(n, s)))
    il = jnp.asarray(rng.integers(t // 2, t + 1, size=n))
    tl = jnp.asarray(rng.integers(s // 2, s + 1, size=n))
    logit_pad = (jnp.arange(t)[None] >= il[:, None]).astype(jnp.float32)
    label_pad = (jnp.arange(s)[None] >= tl[:, None]).astype(jnp.float32)

    def ours(x: Any) -> Any:
        return al.ctc_loss(x, labels, il, tl, reduction="sum")

    def theirs(x: Any) -> Any:
        return jnp.sum(optax.ctc_loss(x, logit_pad, labels, label_pad))

    v1, v2 = float(jax.jit(ours)(lp)), float(jax.jit(theirs)(lp))
    print(f"jax {jax.__version__} on {jax.devices()[0].platform}; N={n} T={t} C={c} S={s}")
    print(f"values: arrayloss {v1:.6f}  optax {v2:.6f}  (float32)")

    def fresh(fn: Callable[[Any], Any], grad: bool) -> Callable[[Any], Any]:
        def g(x: Any) -> Any:
            return fn(x)

        return jax.value_and_grad(g) if grad else g

    for grad in (False, True):
        kind = "value+grad" if grad else "value"
        compile_t: dict[str, list[float]] = {"arrayloss": [], "optax": []}
        run_t: dict[str, list[float]] = {"arrayloss": [], "optax": []}
        compiled: dict[str, Any] = {}
        pairs = [("arrayloss", ours), ("optax", theirs)]
        for i in range(args.compiles):
            for name, fn in pairs if i % 2 == 0 else pairs[::-1]:
                start = time.perf_counter()
                compiled[name] = jax.jit(fresh(fn, grad)).lower(lp).compile()
                compile_t[name].append(time.perf_counter() - start)
        for name in compiled:
            jax.block_until_ready(compiled[name](lp))  # warm
        for i in range(args.runs):
            for name, _ in pairs if i % 2 == 0 else pairs[::-1]:
                start = time.perf_counter()
                jax.block_until_ready(compiled[name](lp))
                run_t[name].append(time.perf_counter() - start)
        for name in ("arrayloss", "optax"):
            print(
                f"{kind:10s} {name:9s} compile {statistics.median(compile_t[name]):7.3f} s"
                f"   run {1e3 * statistics.median(run_t[name]):8.3f} ms"
            )


if __name__ == "__main__":
    main()
