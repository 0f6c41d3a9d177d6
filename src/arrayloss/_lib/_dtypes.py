"""Dtype rules shared by every loss (CONVENTIONS section 6).

Half-precision inputs (float16, bfloat16) are computed and returned in float32;
float32 stays float32 and float64 stays float64. Nothing is silently upcast to
float64: every constant the losses create is made in the compute dtype.
"""

from __future__ import annotations

from typing import Any

from ._compat import Array, Namespace, device_of

__all__ = ["cast", "compute_dtype", "constant", "is_floating", "is_integer"]


def is_floating(x: Array, xp: Namespace) -> bool:
    return bool(xp.isdtype(x.dtype, "real floating"))


def is_integer(x: Array, xp: Namespace) -> bool:
    return bool(xp.isdtype(x.dtype, "integral"))


def compute_dtype(x: Array, name: str, xp: Namespace) -> Any:
    """The dtype a loss computes and returns in, given its floating input ``x``.

    Raises
    ------
    TypeError
        If ``x`` is not real floating.
    """
    if not is_floating(x, xp):
        raise TypeError(
            f"{name} must be a real floating array (float16, bfloat16, float32 or "
            f"float64), got dtype {x.dtype}"
        )
    if xp.finfo(x.dtype).bits < 32:
        return xp.float32
    return x.dtype


def cast(x: Array, dtype: Any, xp: Namespace) -> Array:
    """``x`` in ``dtype``, without a copy when it already is."""
    if x.dtype == dtype:
        return x
    return xp.astype(x, dtype)


def constant(value: float, like: Array, xp: Namespace) -> Array:
    """A 0-d array holding ``value`` with ``like``'s dtype and device."""
    return xp.asarray(value, dtype=like.dtype, device=device_of(like))
