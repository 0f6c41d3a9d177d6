"""A scan primitive: ``jax.lax.scan`` under JAX (one traced step, compiled once), a
Python loop elsewhere. The one backend branch of the recurrences (CTC's forward
algorithm) lives here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._compat import Array, Namespace, is_jax_namespace
from ._special import jax_module

__all__ = ["scan"]


def scan(
    step: Callable[[Any, tuple[Array, ...]], Any],
    init: Any,
    xs: tuple[Array, ...],
    *,
    xp: Namespace,
) -> Any:
    """The final carry of ``carry = step(carry, tuple(x[t] for x in xs))`` for ``t`` in order.

    Every array of ``xs`` has the steps on its leading axis. Under JAX this is
    ``jax.lax.scan`` (so ``jax.jit`` traces ``step`` once, not ``T`` times); elsewhere
    an eager loop, which torch autograd, NumPy, Dask and array-api-strict follow.
    """
    if is_jax_namespace(xp):

        def body(carry: Any, x: tuple[Array, ...]) -> tuple[Any, None]:
            return step(carry, x), None

        carry, _ = jax_module().lax.scan(body, init, xs)
        return carry
    carry = init
    for t in range(int(xs[0].shape[0])):
        carry = step(carry, tuple(x[t, ...] for x in xs))
    return carry
