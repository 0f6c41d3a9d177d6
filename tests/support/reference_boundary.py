"""Independent float64 NumPy references for the distance maps and boundary losses.

Written from the definitions in the papers (Kervadec et al. 2019, Karimi &
Salcudean 2019, Valverde & Tohka 2023), as plainly as possible: the distance
transform is a brute-force minimum over every (voxel, background voxel) pair, the
erosion an explicit sum over the cross's neighbours with bounds checks. Nothing is
shared with ``arrayloss`` or SciPy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .reference import sigmoid, softmax, weighted_reduce

__all__ = [
    "boundary_loss",
    "brute_edt",
    "distance_map",
    "hausdorff_dt_loss",
    "hausdorff_er_loss",
    "one_hot_last",
    "region_wise_loss",
    "rrw_map",
    "signed_distance_map",
]


def brute_edt(mask: np.ndarray, spacing: Any = None) -> np.ndarray:
    """Distance of each nonzero voxel of ONE image to its nearest zero voxel.

    The minimum over every (voxel, zero voxel) pair of the spaced Euclidean
    distance; 0 at zero voxels, and 0 everywhere without zero voxels (our convention).
    """
    mask = np.asarray(mask) != 0
    step = np.ones(mask.ndim) if spacing is None else np.broadcast_to(spacing, (mask.ndim,))
    coords = np.indices(mask.shape).reshape(mask.ndim, -1).T * step  # (V, D) positions
    flat = mask.reshape(-1)
    if flat.all():
        return np.zeros(mask.shape)
    background = coords[~flat]
    pairwise = np.sqrt(((coords[:, None, :] - background[None, :, :]) ** 2).sum(axis=-1))
    return np.where(flat, pairwise.min(axis=1), 0.0).reshape(mask.shape)


def _per_slice(fn: Any, mask: np.ndarray, axes: tuple[int, ...], *args: Any) -> np.ndarray:
    """Apply ``fn`` to every slice of ``mask`` over ``axes``."""
    mask = np.asarray(mask)
    k = len(axes)
    moved = np.moveaxis(mask, axes, tuple(range(mask.ndim - k, mask.ndim)))
    out = np.zeros(moved.shape)
    for outer in np.ndindex(*moved.shape[: mask.ndim - k]):
        out[outer] = fn(moved[outer], *args)
    return np.moveaxis(out, tuple(range(mask.ndim - k, mask.ndim)), axes)


def _axes(ndim: int, axes: Any) -> tuple[int, ...]:
    if axes is None:
        return tuple(range(1, ndim))
    axes = (axes,) if isinstance(axes, int) else axes
    return tuple(sorted(a % ndim for a in axes))


def distance_map(mask: Any, spacing: Any = None, axes: Any = None) -> np.ndarray:
    mask = np.asarray(mask)
    return _per_slice(brute_edt, mask, _axes(mask.ndim, axes), spacing)


def _signed_one(m: np.ndarray, spacing: Any) -> np.ndarray:
    """Kervadec's map: outside distance to the object, inside -(depth - smallest step)."""
    m = m != 0
    if m.all() or not m.any():
        return np.zeros(m.shape)
    smallest = 1.0 if spacing is None else float(np.min(spacing))
    outside = brute_edt(~m, spacing)
    inside = brute_edt(m, spacing)
    return np.where(m, -(inside - smallest), outside)


def signed_distance_map(
    mask: Any, spacing: Any = None, axes: Any = None, normalize: bool = False
) -> np.ndarray:
    mask = np.asarray(mask)

    def one(m: np.ndarray, sp: Any) -> np.ndarray:
        phi = _signed_one(m, sp)
        if normalize:
            if phi.max() > 0:
                phi = np.where(phi > 0, phi / phi.max(), phi)
            if phi.min() < 0:
                phi = np.where(phi < 0, phi / -phi.min(), phi)
        return phi

    return _per_slice(one, mask, _axes(mask.ndim, axes), spacing)


def _rrw_one(m: np.ndarray, spacing: Any) -> np.ndarray:
    """Valverde & Tohka's rectified map: 1 outside, -depth / max depth inside."""
    m = m != 0
    if m.all():
        return -np.ones(m.shape)
    depth = brute_edt(m, spacing)
    return np.where(m, -depth / max(depth.max(), 1e-300), 1.0)


def rrw_map(mask: Any, spacing: Any = None, axes: Any = None) -> np.ndarray:
    mask = np.asarray(mask)
    return _per_slice(_rrw_one, mask, _axes(mask.ndim, axes), spacing)


def one_hot_last(logits: Any, labels: Any, mode: str, axis: int, ignore_index: Any) -> tuple:
    """``(x, g, keep)`` with the class axis last: logits, float targets, kept positions."""
    x = np.moveaxis(np.asarray(logits, dtype=np.float64), axis, -1)
    labels = np.asarray(labels)
    if mode == "multiclass" and not np.issubdtype(labels.dtype, np.floating):
        g = np.zeros(x.shape)
        keep = np.ones(x.shape)
        for idx in np.ndindex(*labels.shape):
            if ignore_index is not None and labels[idx] == ignore_index:
                keep[idx] = 0.0
            else:
                g[(*idx, labels[idx])] = 1.0
        return x, g, keep
    if mode == "binary" and labels.ndim == x.ndim - 1:
        labels = np.expand_dims(labels, axis)
    raw = np.moveaxis(labels.astype(np.float64), axis, -1)
    keep = np.ones(x.shape) if ignore_index is None else (raw != ignore_index) * 1.0
    return x, np.where(keep > 0, raw, 0.0), keep


def _probs(x: np.ndarray, mode: str, from_logits: bool) -> np.ndarray:
    if not from_logits:
        return x
    return softmax(x) if mode == "multiclass" else sigmoid(x)


def _finish(
    per_voxel: np.ndarray,
    mode: str,
    include_background: bool,
    class_weights: Any,
    weights: Any,
    reduction: str,
) -> np.ndarray:
    """(N, ..., C) -> mean over space -> (N, C), background, class weights, reduction."""
    n, c = per_voxel.shape[0], per_voxel.shape[-1]
    loss = per_voxel.reshape(n, -1, c).mean(axis=1)
    cw = np.ones(c) if class_weights is None else np.asarray(class_weights, dtype=np.float64)
    if not include_background and mode != "binary":
        loss, cw = loss[:, 1:], cw[1:]
    w = cw if weights is None else np.asarray(weights, dtype=np.float64) * cw
    return weighted_reduce(loss, reduction, w)


def boundary_loss(
    logits: Any,
    signed_distance: Any,
    *,
    mode: str = "multiclass",
    axis: int = -1,
    from_logits: bool = True,
    include_background: bool = False,
    class_weights: Any = None,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """Kervadec et al. 2019, eq. (5): the mean over space of ``p * phi`` per class."""
    x = np.moveaxis(np.asarray(logits, dtype=np.float64), axis, -1)
    phi = np.asarray(signed_distance, dtype=np.float64)
    if phi.ndim == x.ndim - 1:
        phi = np.expand_dims(phi, axis)
    phi = np.moveaxis(phi, axis, -1)
    p = _probs(x, mode, from_logits)
    return _finish(p * phi, mode, include_background, class_weights, weights, reduction)


def _field(m: np.ndarray, spacing: Any) -> np.ndarray:
    """Distance to the boundary on both sides; 0 for an empty or full mask (MONAI)."""
    if m.all() or not m.any():
        return np.zeros(m.shape)
    return brute_edt(m, spacing) + brute_edt(~m, spacing)


def hausdorff_dt_loss(
    logits: Any,
    labels: Any,
    *,
    alpha: float = 2.0,
    mode: str = "multiclass",
    axis: int = -1,
    from_logits: bool = True,
    include_background: bool = True,
    ignore_index: Any = None,
    class_weights: Any = None,
    spacing: Any = None,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """Karimi & Salcudean 2019, eq. (8): ``(p - g)^2 (d_p^a + d_g^a)`` averaged over space."""
    x, g, keep = one_hot_last(logits, labels, mode, axis, ignore_index)
    p = _probs(x, mode, from_logits) * keep
    d = np.zeros(x.shape)
    for n in range(x.shape[0]):
        for c in range(x.shape[-1]):
            dp = _field(p[n, ..., c] > 0.5, spacing)
            dg = _field(g[n, ..., c] > 0.5, spacing)
            d[n, ..., c] = dp**alpha + dg**alpha
    return _finish((p - g) ** 2 * d, mode, include_background, class_weights, weights, reduction)


def _erode(b: np.ndarray) -> np.ndarray:
    """One soft erosion of one image: cross mean, minus 0.5, floored at 0, min-max scaled."""
    padded = np.pad(b, 1)  # zeros outside the image
    centre = (slice(1, -1),) * b.ndim
    total = b.copy()
    for d in range(b.ndim):
        for s in (-1, 1):
            window = list(centre)
            window[d] = slice(1 + s, padded.shape[d] - 1 + s)
            total = total + padded[tuple(window)]
    out = np.maximum(total / (2 * b.ndim + 1) - 0.5, 0.0)
    lo, hi = out.min(), out.max()
    return out if hi == lo else (out - lo) / (hi - lo)


def hausdorff_er_loss(
    logits: Any,
    labels: Any,
    *,
    alpha: float = 2.0,
    erosions: int = 10,
    mode: str = "multiclass",
    axis: int = -1,
    from_logits: bool = True,
    include_background: bool = True,
    ignore_index: Any = None,
    class_weights: Any = None,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """Karimi & Salcudean 2019, eq. (10): erosions of ``(p - g)^2`` weighted ``k^alpha``."""
    x, g, keep = one_hot_last(logits, labels, mode, axis, ignore_index)
    p = _probs(x, mode, from_logits) * keep
    total = np.zeros(x.shape)
    for n in range(x.shape[0]):
        for c in range(x.shape[-1]):
            b = (p[n, ..., c] - g[n, ..., c]) ** 2
            for k in range(1, erosions + 1):
                b = _erode(b)
                total[n, ..., c] += k**alpha * b
    return _finish(total, mode, include_background, class_weights, weights, reduction)


def region_wise_loss(
    logits: Any,
    labels: Any,
    *,
    rrwmap: Any = None,
    mode: str = "multiclass",
    axis: int = -1,
    from_logits: bool = True,
    include_background: bool = True,
    ignore_index: Any = None,
    class_weights: Any = None,
    spacing: Any = None,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """Valverde & Tohka 2023: mean over space of ``p * z``, z the RRW map by default."""
    x, g, keep = one_hot_last(logits, labels, mode, axis, ignore_index)
    p = _probs(x, mode, from_logits) * keep
    if rrwmap is None:
        z = np.zeros(x.shape)
        for n in range(x.shape[0]):
            for c in range(x.shape[-1]):
                z[n, ..., c] = _rrw_one(g[n, ..., c] > 0.5, spacing)
    else:
        z = np.moveaxis(np.asarray(rrwmap, dtype=np.float64), axis, -1)
    return _finish(p * z, mode, include_background, class_weights, weights, reduction)
