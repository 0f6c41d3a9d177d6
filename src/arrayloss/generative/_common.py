"""Helpers shared by the generative family: per-sample sums and the spatial axes of an
image batch.
"""

from __future__ import annotations

from .._lib._compat import Array, Namespace
from .._lib._validation import normalize_axis


def per_sample_sum(x: Array, xp: Namespace) -> Array:
    """Sum over every axis but the first (the batch axis)."""
    if x.ndim <= 1:
        return x
    return xp.sum(x, axis=tuple(range(1, x.ndim)))


def spatial_axes(ndim: int, axis: int | None, name: str) -> tuple[tuple[int, ...], int | None]:
    """The spatial axes of a ``(N, spatial..., C)`` batch and the normalised channel axis.

    ``axis=None``: no channel axis, every axis after the batch axis is spatial.
    """
    if axis is None:
        return tuple(range(1, ndim)), None
    ax = normalize_axis(axis, ndim)
    if ax == 0:
        raise ValueError(f"axis of {name} is the channel axis and cannot be 0 (the batch axis)")
    return tuple(a for a in range(1, ndim) if a != ax), ax


def broadcasts(small: tuple[int, ...], big: tuple[int, ...]) -> bool:
    """Whether an array of shape ``small`` broadcasts to ``big`` without changing it."""
    if len(small) > len(big):
        return False
    return all(s in (1, b) for s, b in zip(reversed(small), reversed(big), strict=False))
