"""Exact Euclidean distance transform of boolean masks, on every backend.

SciPy's ``distance_transform_edt`` for NumPy when SciPy is installed,
``cupyx.scipy.ndimage`` for CuPy, and a portable separable min-plus transform elsewhere
(NumPy without SciPy, PyTorch, JAX, Dask, array-api-strict).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from ._compat import (
    Array,
    Namespace,
    device_of,
    is_cupy_namespace,
    is_numpy_namespace,
)

# largest number of elements one broadcast step of the portable transform holds
_CHUNK_ELEMENTS = 1 << 22


def check_spacing(spacing: object, count: int) -> tuple[float, ...]:
    """``spacing`` as one positive finite float per spatial axis (default 1)."""
    if spacing is None:
        return (1.0,) * count
    values = (spacing,) if isinstance(spacing, int | float) else spacing
    if not isinstance(values, Sequence) or isinstance(values, str):
        raise TypeError(
            f"spacing must be None, a number or a sequence of {count} numbers, got {spacing!r}"
        )
    if len(values) == 1:
        values = tuple(values) * count
    ok = len(values) == count and all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) and v > 0
        for v in values
    )
    if not ok:
        raise ValueError(
            f"spacing must be one positive finite number or {count} of them (one per "
            f"spatial axis), got {spacing!r}"
        )
    return tuple(float(v) for v in values)


def _min_plus(f: Array, axis: int, step: float, xp: Namespace) -> Array:
    """One separable pass: ``out[i] = min_j f[j] + ((i - j) * step)^2`` along ``axis``."""
    n = int(f.shape[axis])
    if n == 1:
        return f
    # permute_dims, not moveaxis: torch.func.vmap has no batching rule for moveaxis
    order = (*[d for d in range(f.ndim) if d != axis], axis)
    g = xp.permute_dims(f, order)
    pos = xp.arange(n, dtype=f.dtype, device=device_of(f)) * step
    numel = math.prod([int(s) for s in g.shape])
    chunk = max(1, min(n, _CHUNK_ELEMENTS // max(numel, 1)))
    lines = xp.expand_dims(g, axis=-2)  # (..., 1, n): candidates j along the last axis
    parts = []
    for start in range(0, n, chunk):
        here = xp.expand_dims(pos[start : min(n, start + chunk)], axis=-1)
        parts.append(xp.min(lines + (here - pos) ** 2, axis=-1))
    out = parts[0] if len(parts) == 1 else xp.concat(parts, axis=-1)
    inverse = tuple(order.index(d) for d in range(f.ndim))
    return xp.permute_dims(out, inverse)


def _portable_edt(
    fg: Array, axes: tuple[int, ...], spacing: tuple[float, ...], dtype: Any, xp: Namespace
) -> Array:
    dev = device_of(fg)
    inf = xp.asarray(math.inf, dtype=dtype, device=dev)
    zero = xp.zeros((), dtype=dtype, device=dev)
    # squared distance to the nearest background voxel: 0 there, unknown (inf) elsewhere;
    # the squared Euclidean distance is separable, so one exact 1-D pass per axis
    d2 = xp.where(fg, inf, zero)
    for ax, step in zip(axes, spacing, strict=True):
        d2 = _min_plus(d2, ax, step, xp)
    finite = d2 < inf  # inf only where the slice has no background at all
    return xp.where(finite, xp.sqrt(xp.where(finite, d2, zero)), zero)


def _native_edt(
    fg: Array,
    axes: tuple[int, ...],
    spacing: tuple[float, ...],
    dtype: Any,
    xp: Namespace,
    edt: Callable[..., Any],
) -> Array:
    """SciPy/cupyx transform of every slice over ``axes`` (a loop over the other axes)."""
    k = len(axes)
    last = tuple(range(fg.ndim - k, fg.ndim))
    moved = xp.moveaxis(fg, axes, last)
    spatial = tuple(int(s) for s in moved.shape[fg.ndim - k :])
    outer = tuple(int(s) for s in moved.shape[: fg.ndim - k])
    flat = xp.reshape(moved, (-1, *spatial))
    slices = [edt(flat[i, ...], sampling=spacing) for i in range(int(flat.shape[0]))]
    out = xp.reshape(xp.astype(xp.stack(slices), dtype), (*outer, *spatial))
    return xp.moveaxis(out, last, axes)


def _scipy_edt() -> Callable[..., Any] | None:
    """SciPy's exact transform when SciPy is installed; ``None`` selects the portable one.

    SciPy is optional (``pip install arrayloss[numpy]`` does not bring it): without it
    NumPy masks take the same exact separable transform as every other backend.
    """
    try:
        from scipy import ndimage
    except ImportError:
        return None
    edt: Callable[..., Any] = ndimage.distance_transform_edt
    return edt


def edt(
    fg: Array, axes: tuple[int, ...], spacing: tuple[float, ...], dtype: Any, xp: Namespace
) -> Array:
    """Distance of each ``fg`` voxel to the nearest background voxel of its slice.

    ``fg`` is boolean; a slice with no background gives 0 everywhere (SciPy would
    measure to a voxel outside the array, which is meaningless).
    """
    if math.prod([int(s) for s in fg.shape]) == 0:
        return xp.zeros(tuple(fg.shape), dtype=dtype, device=device_of(fg))
    scipy_edt = _scipy_edt() if is_numpy_namespace(xp) else None
    if scipy_edt is not None:
        d = _native_edt(fg, axes, spacing, dtype, xp, scipy_edt)
    elif is_cupy_namespace(xp):  # pragma: no cover - needs a GPU
        from cupyx.scipy import ndimage as cu_ndimage

        d = _native_edt(fg, axes, spacing, dtype, xp, cu_ndimage.distance_transform_edt)
    else:
        return _portable_edt(fg, axes, spacing, dtype, xp)
    has_background = xp.any(xp.logical_not(fg), axis=axes, keepdims=True)
    return xp.where(has_background, d, xp.zeros((), dtype=dtype, device=device_of(fg)))
