"""Independent float64 NumPy references for clDice and Boundary DoU.

Written from the papers and their reference code, with plain NumPy: the morphology
pads with +-inf (clDice's pooling) or zeros (Boundary DoU's convolution) and takes the
min/max over explicit neighbourhood offsets (the full 3x3(x3) box for dilation, not
separable passes); the Boundary DoU boundary of a 0/1 target is counted as the paper's
code does (cross-kernel convolution, ``Y == 5`` is interior, ``count_nonzero``).
Nothing is shared with ``arrayloss``.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from .reference import _class_last, _f64, sigmoid, softmax, weighted_reduce


def _region(
    logits: Any,
    labels: Any,
    mode: str,
    axis: int,
    from_logits: bool,
    ignore_index: int | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Channel-last ``(p, g)``, both 0 at ignored positions."""
    x = _class_last(logits, axis)
    labels = np.asarray(labels)
    keep = np.ones(x.shape)
    if mode == "multiclass":
        p = softmax(x) if from_logits else x
        if np.issubdtype(labels.dtype, np.floating):
            g = _class_last(labels, axis)
        else:
            g = np.zeros(x.shape)
            for idx in np.ndindex(*labels.shape):
                if ignore_index is not None and labels[idx] == ignore_index:
                    keep[idx] = 0.0
                else:
                    g[(*idx, labels[idx])] = 1.0
    else:
        p = sigmoid(x) if from_logits else x
        if mode == "binary" and labels.ndim == x.ndim - 1:
            labels = np.expand_dims(labels, axis)
        raw = _f64(_class_last(labels, axis))
        if ignore_index is not None:
            keep = (raw != ignore_index).astype(np.float64)
        g = np.where(keep > 0, raw, 0.0)
    return p * keep, g * keep


def _offsets(ndim: int, box: bool) -> list[tuple[int, ...]]:
    """Neighbourhood offsets: the full 3^d box, or the cross (at most one nonzero)."""
    offs = list(itertools.product((-1, 0, 1), repeat=ndim))
    return offs if box else [o for o in offs if sum(abs(v) for v in o) <= 1]


def _filter(img: np.ndarray, box: bool, pad: float, reduce: Any) -> np.ndarray:
    """``reduce`` over the neighbourhood of every spatial position of ``img`` (N, *S, C)."""
    ndim = img.ndim - 2
    width = [(0, 0)] + [(1, 1)] * ndim + [(0, 0)]
    padded = np.pad(img, width, constant_values=pad)
    out = None
    for off in _offsets(ndim, box):
        window = [slice(1 + o, 1 + o + n) for o, n in zip(off, img.shape[1:-1], strict=True)]
        index = (slice(None), *window)
        shifted = padded[index]
        out = shifted if out is None else reduce(out, shifted)
    assert out is not None
    return out


def soft_erode(img: np.ndarray) -> np.ndarray:
    return _filter(img, box=False, pad=np.inf, reduce=np.minimum)


def soft_dilate(img: np.ndarray) -> np.ndarray:
    return _filter(img, box=True, pad=-np.inf, reduce=np.maximum)


def soft_skeleton(img: np.ndarray, iterations: int) -> np.ndarray:
    """The clDice reference code's soft_skel, step by step."""
    relu = lambda v: np.maximum(v, 0.0)  # noqa: E731
    skel = relu(img - soft_dilate(soft_erode(img)))
    for _ in range(iterations):
        img = soft_erode(img)
        delta = relu(img - soft_dilate(soft_erode(img)))
        skel = skel + relu(delta - skel * delta)
    return skel


def _ratio(num: float, den: float, empty: float) -> float:
    return empty if den == 0 else num / den


def _sums(x: np.ndarray, batch: bool) -> np.ndarray:
    """Sum over spatial positions: (N, C), or (C,) pooled over the batch."""
    s = x.reshape(x.shape[0], -1, x.shape[-1]).sum(axis=1)
    return s.sum(axis=0) if batch else s


def _reduce(
    loss: np.ndarray,
    mode: str,
    include_background: bool,
    class_weights: Any,
    weights: Any,
    reduction: str,
) -> np.ndarray:
    cw = np.ones(loss.shape[-1]) if class_weights is None else _f64(class_weights)
    if not include_background and mode != "binary":
        loss, cw = loss[..., 1:], cw[1:]
    w = cw if weights is None else _f64(weights) * cw
    return weighted_reduce(loss, reduction, w)


def cldice_loss(
    logits: Any,
    labels: Any,
    *,
    iterations: int = 3,
    smooth: float = 1.0,
    mode: str = "multiclass",
    axis: int = -1,
    from_logits: bool = True,
    include_background: bool = True,
    ignore_index: int | None = None,
    class_weights: Any = None,
    batch_dice: bool = False,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """1 - 2 Tprec Tsens / (Tprec + Tsens) per sample and class (Shit et al. 2021)."""
    p, g = _region(logits, labels, mode, axis, from_logits, ignore_index)
    sp, sg = soft_skeleton(p, iterations), soft_skeleton(g, iterations)
    a, b = _sums(sp * g, batch_dice), _sums(sp, batch_dice)
    c, d = _sums(sg * p, batch_dice), _sums(sg, batch_dice)
    loss = np.zeros(a.shape)
    for idx in np.ndindex(*a.shape):
        tprec = _ratio(a[idx] + smooth, b[idx] + smooth, 1.0)
        tsens = _ratio(c[idx] + smooth, d[idx] + smooth, 1.0)
        loss[idx] = 1.0 - _ratio(2.0 * tprec * tsens, tprec + tsens, 0.0)
    return _reduce(loss, mode, include_background, class_weights, weights, reduction)


def boundary_counts(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(C, S) per sample and class of a channel-last target, as the paper's code counts.

    0/1 targets: cross-kernel convolution with zero padding, times the target; 5 (all
    neighbours inside) is interior; C counts the rest of the target's pixels. Soft
    targets: ``g * (1 - min over the zero-padded cross)``, the documented extension.
    """
    if np.all((g == 0) | (g == 1)):
        conv = _filter(g, box=False, pad=0.0, reduce=np.add)
        y = conv * g
        y[y == 2 * (g.ndim - 2) + 1] = 0
        return (y != 0).astype(np.float64), (g != 0).astype(np.float64)
    eroded = _filter(g, box=False, pad=0.0, reduce=np.minimum)
    return g * (1.0 - eroded), g


def boundary_dou_loss(
    logits: Any,
    labels: Any,
    *,
    alpha_max: float = 0.8,
    smooth: float = 1e-5,
    mode: str = "multiclass",
    axis: int = -1,
    from_logits: bool = True,
    include_background: bool = True,
    ignore_index: int | None = None,
    class_weights: Any = None,
    batch_dice: bool = False,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """(|G|+|P| - 2 I) / (|G|+|P| - (1 + alpha) I), squares (Sun et al. 2023's code)."""
    p, g = _region(logits, labels, mode, axis, from_logits, ignore_index)
    cmap, smap = boundary_counts(g)
    cc, ss = _sums(cmap, batch_dice), _sums(smap, batch_dice)
    inter, z, y = _sums(p * g, batch_dice), _sums(p * p, batch_dice), _sums(g * g, batch_dice)
    loss = np.zeros(inter.shape)
    for idx in np.ndindex(*inter.shape):
        alpha = 1.0 - 2.0 * _ratio(cc[idx] + smooth, ss[idx] + smooth, 1.0)
        alpha = min(alpha, alpha_max)
        num = z[idx] + y[idx] - 2.0 * inter[idx] + smooth
        den = z[idx] + y[idx] - (1.0 + alpha) * inter[idx] + smooth
        loss[idx] = _ratio(num, den, 0.0)
    return _reduce(loss, mode, include_background, class_weights, weights, reduction)


def inverseform_loss(
    transform: Any, *, form: str = "matrix", weights: Any = None, reduction: str = "mean"
) -> np.ndarray:
    """Frobenius distance of each 3x3 transform from I (or Euclidean norm of offsets)."""
    t = _f64(transform)
    if form == "matrix":
        flat = t.reshape(-1, 3, 3)
        dist = np.array([np.sqrt(np.sum((m - np.eye(3)) ** 2)) for m in flat])
        dist = dist.reshape(t.shape[:-2])
    else:
        flat = t.reshape(-1, t.shape[-1])
        dist = np.array([np.sqrt(np.sum(v * v)) for v in flat]).reshape(t.shape[:-1])
    return weighted_reduce(dist, reduction, weights)
