"""Independent float64 NumPy references for the segmentation losses, written from the
papers (and, where they differ, the authors' code as documented): loops over samples
and classes, brute-force distance maps.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from support import reference as _shared
from support.reference import _class_last, _f64, sigmoid, softmax, weighted_reduce

# -- segmentation ----------------------------------------------------------------------


def dice_loss(
    logits: Any,
    labels: Any,
    *,
    mode: str = "multiclass",
    axis: int = -1,
    from_logits: bool = True,
    smooth: float = 1e-5,
    include_background: bool = True,
    ignore_index: int | None = None,
    class_weights: Any = None,
    batch_dice: bool = False,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """Soft Dice (Milletari 2016), per sample and class, MONAI's smoothing.

    ``1 - (2 sum_s p g + smooth) / (sum_s p + sum_s g + smooth)`` over the kept
    positions ``s`` of each sample (of the whole batch with ``batch_dice``); a class
    with a zero denominator has loss 0. ``class_weights`` make the mean over
    classes a weighted mean. ``"none"`` gives ``(N, C)`` or ``(C,)``.
    """
    x = _shared._class_last(logits, axis)  # (N, ..., C)
    C = x.shape[-1]
    labels = np.asarray(labels)
    if mode == "multiclass":
        p = _shared.softmax(x) if from_logits else x
        if np.issubdtype(labels.dtype, np.floating):
            g = _shared._class_last(labels, axis)
            keep = np.ones(x.shape)
        else:
            g = np.zeros(x.shape)
            keep = np.ones(x.shape)
            for idx in np.ndindex(*labels.shape):
                lab = labels[idx]
                if ignore_index is not None and lab == ignore_index:
                    keep[idx] = 0.0
                else:
                    g[(*idx, lab)] = 1.0
    else:
        p = _shared.sigmoid(x) if from_logits else x
        if mode == "binary" and labels.ndim == x.ndim - 1:
            labels = np.expand_dims(labels, axis)
        raw = _shared._class_last(labels, axis)
        keep = np.ones(x.shape)
        if ignore_index is not None:
            keep = (raw != ignore_index).astype(np.float64)
        g = np.where(keep > 0, raw, 0.0)
    # sums over the spatial positions of each sample: (N, C)
    N = x.shape[0]
    pk, gk = (p * keep).reshape(N, -1, C), (g * keep).reshape(N, -1, C)
    inter = (pk * gk).sum(axis=1)
    psum, gsum = pk.sum(axis=1), gk.sum(axis=1)
    if batch_dice:
        inter, psum, gsum = inter.sum(axis=0), psum.sum(axis=0), gsum.sum(axis=0)
    loss = np.zeros(inter.shape)
    for idx in np.ndindex(*inter.shape):
        den = psum[idx] + gsum[idx] + smooth
        loss[idx] = 0.0 if den == 0 else 1.0 - (2 * inter[idx] + smooth) / den
    cw = np.ones(C) if class_weights is None else _shared._f64(class_weights)
    if not include_background and mode != "binary":
        loss, cw = loss[..., 1:], cw[1:]
    w = cw if weights is None else _shared._f64(weights) * cw
    return _shared.weighted_reduce(loss, reduction, w)


Vec = np.ndarray


def _inputs(
    logits: Any,
    labels: Any,
    mode: str,
    axis: int,
    from_logits: bool,
    ignore_index: int | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(p, g, keep)``, each ``(N, S, C)`` float64 with the class axis last."""
    x = np.moveaxis(np.asarray(logits, dtype=np.float64), axis, -1)
    N, C = x.shape[0], x.shape[-1]
    labels = np.asarray(labels)
    keep = np.ones(x.shape)
    if mode == "multiclass":
        p = softmax(x) if from_logits else x
        if np.issubdtype(labels.dtype, np.floating):
            g = np.moveaxis(labels.astype(np.float64), axis, -1)
        else:
            g = np.zeros(x.shape)
            for idx in np.ndindex(*labels.shape):
                if ignore_index is not None and labels[idx] == ignore_index:
                    keep[idx] = 0.0
                else:
                    g[(*idx, int(labels[idx]))] = 1.0
    else:
        p = sigmoid(x) if from_logits else x
        if mode == "binary" and labels.ndim == x.ndim - 1:
            labels = np.expand_dims(labels, axis)
        raw = np.moveaxis(labels, axis, -1).astype(np.float64)
        if ignore_index is not None:
            keep = (raw != ignore_index).astype(np.float64)
        g = np.where(keep > 0, raw, 0.0)
    return p.reshape(N, -1, C), g.reshape(N, -1, C), keep.reshape(N, -1, C)


def _per_class(
    score: Callable[[Vec, Vec], float],
    logits: Any,
    labels: Any,
    *,
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
    """``score(p, g)`` on the kept positions of each (sample, class), then reduced."""
    p, g, keep = _inputs(logits, labels, mode, axis, from_logits, ignore_index)
    N, _, C = p.shape
    if batch_dice:
        loss = np.zeros(C)
        for c in range(C):
            k = keep[:, :, c].reshape(-1) > 0
            loss[c] = score(p[:, :, c].reshape(-1)[k], g[:, :, c].reshape(-1)[k])
    else:
        loss = np.zeros((N, C))
        for n in range(N):
            for c in range(C):
                k = keep[n, :, c] > 0
                loss[n, c] = score(p[n, :, c][k], g[n, :, c][k])
    cw = np.ones(C) if class_weights is None else np.asarray(class_weights, dtype=np.float64)
    if not include_background and mode != "binary":
        loss, cw = loss[..., 1:], cw[1:]
    w = cw if weights is None else np.asarray(weights, dtype=np.float64) * cw
    return weighted_reduce(loss, reduction, w)


def _tversky(p: Vec, g: Vec, alpha: float, beta: float, smooth: float) -> float:
    tp = float(np.sum(p * g))
    fp = float(np.sum(p * (1 - g)))
    fn = float(np.sum((1 - p) * g))
    den = tp + alpha * fp + beta * fn + smooth
    return 0.0 if den == 0 else 1.0 - (tp + smooth) / den


def jaccard_loss(logits: Any, labels: Any, *, smooth: float = 1e-5, **kw: Any) -> np.ndarray:
    """``1 - (|P n G| + s) / (|P u G| + s)`` with ``|P u G| = sum p + sum g - sum p g``."""

    def score(p: Vec, g: Vec) -> float:
        inter = float(np.sum(p * g))
        union = float(np.sum(p) + np.sum(g)) - inter
        return 0.0 if union + smooth == 0 else 1.0 - (inter + smooth) / (union + smooth)

    return _per_class(score, logits, labels, **kw)


def tversky_loss(
    logits: Any,
    labels: Any,
    *,
    alpha: float = 0.5,
    beta: float = 0.5,
    smooth: float = 1e-5,
    **kw: Any,
) -> np.ndarray:
    """Salehi et al.: ``1 - (tp + s) / (tp + alpha fp + beta fn + s)``."""
    return _per_class(lambda p, g: _tversky(p, g, alpha, beta, smooth), logits, labels, **kw)


def focal_tversky_loss(
    logits: Any,
    labels: Any,
    *,
    alpha: float = 0.3,
    beta: float = 0.7,
    gamma: float = 0.75,
    smooth: float = 1e-5,
    **kw: Any,
) -> np.ndarray:
    """Abraham & Khan: ``(1 - TI_c) ** gamma`` per class, then averaged."""

    def score(p: Vec, g: Vec) -> float:
        return max(_tversky(p, g, alpha, beta, smooth), 0.0) ** gamma

    return _per_class(score, logits, labels, **kw)


def log_cosh_dice_loss(logits: Any, labels: Any, *, smooth: float = 1e-5, **kw: Any) -> np.ndarray:
    """Jadon: ``log(cosh(dice loss))`` per sample and class."""

    def score(p: Vec, g: Vec) -> float:
        den = float(np.sum(p) + np.sum(g)) + smooth
        dice = 0.0 if den == 0 else 1.0 - (2 * float(np.sum(p * g)) + smooth) / den
        return math.log(math.cosh(dice))

    return _per_class(score, logits, labels, **kw)


def sensitivity_specificity_loss(
    logits: Any, labels: Any, *, r: float = 0.05, smooth: float = 1e-5, **kw: Any
) -> np.ndarray:
    """Brosch et al.: ``r sum (g-p)^2 g / sum g + (1-r) sum (g-p)^2 (1-g) / sum (1-g)``."""

    def score(p: Vec, g: Vec) -> float:
        sq = (g - p) ** 2
        den1, den2 = float(np.sum(g)) + smooth, float(np.sum(1 - g)) + smooth
        sens = 0.0 if den1 == 0 else float(np.sum(sq * g)) / den1
        spec = 0.0 if den2 == 0 else float(np.sum(sq * (1 - g))) / den2
        return r * sens + (1 - r) * spec

    return _per_class(score, logits, labels, **kw)


def mcc_loss(logits: Any, labels: Any, *, smooth: float = 1e-5, **kw: Any) -> np.ndarray:
    """Abhishek & Hamarneh: ``1 - (tp tn - fp fn) / (sqrt(...) + s)``; MCC 0 at 0/0.
    No kept position: a loss of 0 (the library's rule for everything ignored)."""

    def score(p: Vec, g: Vec) -> float:
        if p.size == 0:
            return 0.0
        tp, tn = float(np.sum(p * g)), float(np.sum((1 - p) * (1 - g)))
        fp, fn = float(np.sum(p * (1 - g))), float(np.sum((1 - p) * g))
        den = math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)) + smooth
        return 1.0 - (0.0 if den == 0 else (tp * tn - fp * fn) / den)

    return _per_class(score, logits, labels, **kw)


def generalized_dice_loss(
    logits: Any,
    labels: Any,
    *,
    weight_type: str = "square",
    mode: str = "multiclass",
    axis: int = -1,
    from_logits: bool = True,
    smooth: float = 1e-5,
    include_background: bool = True,
    ignore_index: int | None = None,
    class_weights: Any = None,
    batch_dice: bool = False,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """Sudre et al.: ``1 - (2 sum_c w_c tp_c + s) / (sum_c w_c (sum p + sum g) + s)``.

    ``w_c = V_c^-2`` (``"square"``), ``V_c^-1`` (``"simple"``), 1 (``"uniform"``),
    ``V_c = sum g``; an absent class takes the largest present weight (MONAI).
    """
    p, g, keep = _inputs(logits, labels, mode, axis, from_logits, ignore_index)
    C = p.shape[-1]
    cw = np.ones(C) if class_weights is None else np.asarray(class_weights, dtype=np.float64)
    first = 0 if include_background or mode == "binary" else 1
    groups = [(p, g, keep)] if batch_dice else [(p[n], g[n], keep[n]) for n in range(p.shape[0])]
    out = []
    for pp, gg, kk in groups:
        classes = range(first, C)
        tp, total, vol = {}, {}, {}
        for c in classes:
            k = kk[..., c].reshape(-1) > 0
            pc, gc = pp[..., c].reshape(-1)[k], gg[..., c].reshape(-1)[k]
            tp[c], total[c], vol[c] = np.sum(pc * gc), np.sum(pc) + np.sum(gc), np.sum(gc)
        power = {"square": 2, "simple": 1, "uniform": 0}[weight_type]
        w = {c: (1.0 / vol[c] ** power if vol[c] > 0 else None) for c in classes}
        if weight_type == "uniform":
            w = dict.fromkeys(classes, 1.0)
        present = [v for v in w.values() if v is not None]
        largest = max(present) if present else 0.0
        w = {c: (largest if v is None else v) * cw[c] for c, v in w.items()}
        num = 2 * sum(w[c] * tp[c] for c in classes) + smooth
        den = sum(w[c] * total[c] for c in classes) + smooth
        out.append(0.0 if den == 0 else 1.0 - num / den)
    loss = np.asarray(out[0]) if batch_dice else np.asarray(out)
    return weighted_reduce(loss, reduction, weights)


def generalized_wasserstein_dice_loss(
    logits: Any,
    labels: Any,
    *,
    distance_matrix: Any,
    weighting_mode: str = "default",
    axis: int = -1,
    from_logits: bool = True,
    smooth: float = 1e-5,
    ignore_index: int | None = None,
    batch_dice: bool = False,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """Fidon et al. (MONAI's two weighting modes), a loop over positions.

    ``W_s = sum_c M[y_s, c] p_sc`` (M / max M); ``"default"``: ``alpha = (0, 1, ..., 1)``,
    ``1 - 2 TP / (2 TP + sum W)``; ``"GDL"``: ``alpha_c = 1 / (V_c + 1)``,
    ``1 - 2 TP / sum alpha_y (2 - W)``, ``TP = sum alpha_y (1 - W)``.
    """
    x = np.moveaxis(np.asarray(logits, dtype=np.float64), axis, -1)
    N, C = x.shape[0], x.shape[-1]
    p = (softmax(x) if from_logits else x).reshape(N, -1, C)
    y = np.asarray(labels).reshape(N, -1)
    m = np.asarray(distance_matrix, dtype=np.float64)
    m = m / m.max() if m.max() > 0 else m
    groups = [list(range(N))] if batch_dice else [[n] for n in range(N)]
    out = []
    for samples in groups:
        pos = [(n, s) for n in samples for s in range(y.shape[1])]
        pos = [(n, s) for n, s in pos if ignore_index is None or y[n, s] != ignore_index]
        if weighting_mode == "GDL":
            vol = np.zeros(C)
            for n, s in pos:
                vol[y[n, s]] += 1
            alpha = 1.0 / (vol + 1.0)
        else:
            alpha = np.array([0.0] + [1.0] * (C - 1))
        tp = err = den = 0.0
        for n, s in pos:
            k = y[n, s]
            w = sum(m[k, c] * p[n, s, c] for c in range(C))
            tp += alpha[k] * (1 - w)
            err += w
            den += alpha[k] * (2 - w)
        den = den if weighting_mode == "GDL" else 2 * tp + err
        out.append(0.0 if den + smooth == 0 else 1.0 - (2 * tp + smooth) / (den + smooth))
    loss = np.asarray(out[0]) if batch_dice else np.asarray(out)
    return weighted_reduce(loss, reduction, weights)


def _pixel_ce(logits: np.ndarray, labels: np.ndarray, eps: float) -> np.ndarray:
    """Per-position smoothed CE; class axis last, integer labels already safe."""
    m = logits.max(axis=-1, keepdims=True)
    logp = logits - m - np.log(np.exp(logits - m).sum(axis=-1, keepdims=True))
    nll = -np.take_along_axis(logp, labels[..., None], axis=-1)[..., 0]
    return (1 - eps) * nll + eps * (-logp.mean(axis=-1))


def topk_loss(
    logits: Any,
    labels: Any,
    *,
    k: float = 0.1,
    axis: int = -1,
    ignore_index: int | None = None,
    class_weights: Any = None,
    label_smoothing: float = 0.0,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    x = _class_last(logits, axis)
    labels = np.asarray(labels)
    n = x.shape[0]
    c = x.shape[-1]
    cw = np.ones(c) if class_weights is None else np.asarray(class_weights, dtype=np.float64)
    out, has = np.zeros(n), np.zeros(n)
    for i in range(n):
        lab = labels[i].reshape(-1)
        xi = x[i].reshape(-1, c)
        valid = np.ones(lab.shape, bool) if ignore_index is None else lab != ignore_index
        count = max(1, int(k * lab.size))
        ce = _pixel_ce(xi[valid], lab[valid], label_smoothing)
        w = cw[lab[valid]]
        top = np.argsort(-ce, kind="stable")[:count]
        if top.size:
            out[i] = np.sum(w[top] * ce[top]) / np.sum(w[top])
            has[i] = 1.0
    return _masked(out, has, reduction, weights)


def _masked(out: np.ndarray, has: np.ndarray, reduction: str, weights: Any) -> np.ndarray:
    w = np.broadcast_to(1.0 if weights is None else np.asarray(weights, np.float64), out.shape)
    w = w * has
    if reduction == "none":
        return w * out
    if reduction == "sum":
        return np.asarray(np.sum(w * out))
    total = np.sum(w)
    return np.asarray(0.0 if total == 0 else np.sum(w * out) / total)


def distance_weighted_cross_entropy(
    logits: Any,
    labels: Any,
    distance_map: Any,
    *,
    axis: int = -1,
    class_weights: Any = None,
    ignore_index: int | None = None,
    label_smoothing: float = 0.0,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    x = _class_last(logits, axis)
    labels = np.asarray(labels)
    c = x.shape[-1]
    cw = np.ones(c) if class_weights is None else np.asarray(class_weights, dtype=np.float64)
    valid = np.ones(labels.shape, bool) if ignore_index is None else labels != ignore_index
    safe = np.where(valid, labels, 0)
    m = x.max(axis=-1, keepdims=True)
    logp = x - m - np.log(np.exp(x - m).sum(axis=-1, keepdims=True))
    nll = -np.take_along_axis(logp, safe[..., None], axis=-1)[..., 0]
    smooth = -(logp * cw).sum(axis=-1) / c
    wy = cw[safe]
    eps = label_smoothing
    loss = ((1 - eps) * wy * nll + eps * smooth) * (1.0 + np.asarray(distance_map, np.float64))
    loss = np.where(valid, loss, 0.0)
    return weighted_reduce(loss, reduction, weights, wy * valid)


def robust_t_loss(
    logits: Any,
    labels: Any,
    *,
    nu: float = 1.0,
    from_logits: bool = True,
    epsilon: float = 1e-8,
    ignore_index: int | None = None,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    x = np.asarray(logits, np.float64)
    p = 1 / (1 + np.exp(-x)) if from_logits else x
    y = np.asarray(labels)
    v = float(nu) + epsilon
    out = []
    for i in range(x.shape[0]):
        valid = np.ones(y[i].shape, bool) if ignore_index is None else y[i] != ignore_index
        d = float(valid.sum())
        delta = float(np.sum((y[i][valid].astype(np.float64) - p[i][valid]) ** 2))
        out.append(
            -math.lgamma((v + d) / 2)
            + math.lgamma(v / 2)
            + d / 2 * math.log(math.pi * v)
            + (v + d) / 2 * math.log(1 + delta / v)
        )
    return weighted_reduce(np.array(out), reduction, weights)


def _lovasz_flat(errors: np.ndarray, fg: np.ndarray) -> float:
    """Berman et al., Algorithm 1, on already-filtered pixels."""
    if errors.size == 0:
        return 0.0
    order = np.argsort(-errors, kind="stable")
    e, g = errors[order], fg[order]
    total = g.sum()
    jac = np.empty(e.size)
    for i in range(e.size):
        inter = total - g[: i + 1].sum()
        union = total + (1 - g[: i + 1]).sum()
        jac[i] = 1 - inter / union
    grad = np.concatenate([jac[:1], np.diff(jac)])
    return float(np.dot(e, grad))


def lovasz_softmax_loss(
    logits: Any,
    labels: Any,
    *,
    axis: int = -1,
    classes: str = "present",
    per_image: bool = False,
    ignore_index: int | None = None,
    from_logits: bool = True,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    x = _class_last(logits, axis)
    c = x.shape[-1]
    if from_logits:
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        x = e / e.sum(axis=-1, keepdims=True)
    y = np.asarray(labels)
    groups = [(x[i : i + 1], y[i : i + 1]) for i in range(x.shape[0])] if per_image else [(x, y)]
    losses = np.zeros((len(groups), c))
    counted = np.zeros((len(groups), c), bool)
    for gi, (p, lab) in enumerate(groups):
        p, lab = p.reshape(-1, c), lab.reshape(-1)
        if ignore_index is not None:
            keep = lab != ignore_index
            p, lab = p[keep], lab[keep]
        for cls in range(c):
            fg = (lab == cls).astype(np.float64)
            if classes == "present" and fg.sum() == 0:
                continue
            if lab.size == 0:
                continue
            counted[gi, cls] = True
            losses[gi, cls] = _lovasz_flat(np.abs(fg - p[:, cls]), fg)
    if not per_image:
        losses, counted = losses[0], counted[0]
    w = np.broadcast_to(1.0 if weights is None else np.asarray(weights, np.float64), losses.shape)
    if reduction == "none":
        return w * losses
    if reduction == "sum":
        return np.asarray(np.sum(w * losses))
    # mean over images of the per-image mean over counted classes (weighted)
    share = counted / np.maximum(counted.sum(axis=-1, keepdims=True), 1)
    total = np.sum(w * share)
    return np.asarray(0.0 if total == 0 else np.sum(w * share * losses) / total)


def lovasz_hinge_loss(
    logits: Any,
    labels: Any,
    *,
    per_image: bool = True,
    ignore_index: int | None = None,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    x = np.asarray(logits, np.float64)
    y = np.asarray(labels)
    groups = [(x[i], y[i]) for i in range(x.shape[0])] if per_image else [(x, y)]
    out, has = [], []
    for xi, yi in groups:
        xi, yi = xi.reshape(-1), yi.reshape(-1)
        if ignore_index is not None:
            keep = yi != ignore_index
            xi, yi = xi[keep], yi[keep]
        g = yi.astype(np.float64)
        err = 1 - xi * (2 * g - 1)
        order = np.argsort(-err, kind="stable")
        # the hinge takes relu of the sorted errors: same order, same Jaccard gradient
        val = 0.0
        if g.size:
            gs = g[order]
            total = gs.sum()
            jac = np.array(
                [
                    1 - (total - gs[: i + 1].sum()) / (total + (1 - gs[: i + 1]).sum())
                    for i in range(gs.size)
                ]
            )
            val = float(
                np.dot(np.maximum(err[order], 0.0), np.concatenate([jac[:1], np.diff(jac)]))
            )
        out.append(val)
        has.append(float(g.size > 0))
    loss = np.array(out) if per_image else np.asarray(out[0])
    mask = np.array(has) if per_image else np.asarray(has[0])
    return _masked(loss, mask, reduction, weights)


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


# (row, column) steps, the order of the authors' code; index 8 is the pixel itself
NEIGHBOURS = [(1, 0), (-1, 0), (0, -1), (0, 1), (-1, 1), (1, 1), (-1, -1), (1, -1)]


def gt_boundary_distance(labels: np.ndarray, ignore_index: int | None = None) -> np.ndarray:
    """max(distance to the nearest ground-truth boundary pixel - 1, 0); 0 without any."""
    n, h, w = labels.shape
    out = np.zeros((n, h, w))
    for b in range(n):
        edge = []
        for i in range(h):
            for j in range(w):
                lab = labels[b, i, j]
                below = i + 1 < h and labels[b, i + 1, j] != lab
                right = j + 1 < w and labels[b, i, j + 1] != lab
                if below or right or (ignore_index is not None and lab == ignore_index):
                    edge.append((i, j))
        for i in range(h):
            for j in range(w):
                if edge:
                    d = min(math.hypot(i - a, j - c) for a, c in edge)
                    out[b, i, j] = max(d - 1.0, 0.0)
    return out


def _kl(p: np.ndarray, q: np.ndarray) -> float:
    """KL(p || q) with 0 log 0 = 0."""
    return float(sum(a * math.log(a / c) for a, c in zip(p, q, strict=True) if a > 0))


def active_boundary_loss(
    logits: Any,
    labels: Any,
    *,
    distance: Any = None,
    axis: int = -1,
    from_logits: bool = True,
    epsilon: float = 1e-5,
    max_ratio: float | None = 0.01,
    theta: float = 20.0,
    label_smoothing: float = 0.2,
    ignore_index: int | None = None,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    x = np.moveaxis(np.asarray(logits, dtype=np.float64), axis, -1)
    lab = np.asarray(labels)
    if np.issubdtype(lab.dtype, np.floating):
        lab = np.argmax(np.moveaxis(lab, axis, -1), axis=-1)
    if from_logits:
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        p = e / e.sum(axis=-1, keepdims=True)
    else:
        p = x
    n, h, w, _ = p.shape
    if distance is None:
        dist = gt_boundary_distance(lab, ignore_index)
    else:
        dist = np.asarray(distance, np.float64)
    loss = np.zeros((n, h, w))
    member = np.zeros((n, h, w))
    for b in range(n):
        seed_kl = np.zeros((h, w))
        for i in range(h):
            for j in range(w):
                if i + 1 < h:
                    seed_kl[i, j] += _kl(p[b, i, j], p[b, i + 1, j])
                if j + 1 < w:
                    seed_kl[i, j] += _kl(p[b, i, j], p[b, i, j + 1])
        eps = epsilon
        if max_ratio is not None:
            while np.count_nonzero(seed_kl > eps) > math.floor(max_ratio * h * w):
                eps *= 1.2
        seeds = seed_kl > eps
        for i in range(h):
            for j in range(w):
                window = seeds[max(i - 1, 0) : i + 2, max(j - 1, 0) : j + 2]
                if not window.any():
                    continue
                if ignore_index is not None and np.any(
                    lab[b, max(i - 1, 0) : i + 2, max(j - 1, 0) : j + 2] == ignore_index
                ):
                    continue
                near = []
                kl = []
                for di, dj in NEIGHBOURS:
                    a, c = i + di, j + dj
                    inside = 0 <= a < h and 0 <= c < w
                    near.append(dist[b, a, c] if inside else math.inf)
                    # outside the image the distribution repeats the edge pixel's
                    q = p[b, min(max(a, 0), h - 1), min(max(c, 0), w - 1)]
                    kl.append(_kl(q, p[b, i, j]))
                near.append(dist[b, i, j])
                k = int(np.argmin(near))
                if k == 8:
                    continue
                member[b, i, j] = 1.0
                lse = math.log(sum(math.exp(v) for v in kl))
                target = [label_smoothing / 8] * 8
                target[k] = 1.0 - label_smoothing
                ce = sum(t * (lse - v) for t, v in zip(target, kl, strict=True))
                loss[b, i, j] = min(dist[b, i, j], theta) / theta * ce
    return weighted_reduce(loss * member, reduction, weights, member)


def cbl_boundary(labels: np.ndarray, ignore_index: int | None, ratio: float = 0.02) -> np.ndarray:
    """Kept pixels within Chebyshev distance d of another label, an ignored pixel or
    the image border; d = max(1, round(ratio * diagonal))."""
    n, h, w = labels.shape
    d = max(1, round(ratio * math.hypot(h, w)))
    out = np.zeros((n, h, w), dtype=bool)
    for b in range(n):
        for i in range(h):
            for j in range(w):
                lab = labels[b, i, j]
                if ignore_index is not None and lab == ignore_index:
                    continue
                for a in range(i - d, i + d + 1):
                    for c in range(j - d, j + d + 1):
                        if not (0 <= a < h and 0 <= c < w) or labels[b, a, c] != lab:
                            out[b, i, j] = True
    return out


def conditional_boundary_loss(
    features: Any,
    labels: Any,
    *,
    logits: Any,
    detach: bool = True,
    classifier_weight: Any = None,
    classifier_bias: Any = None,
    boundary: Any = None,
    axis: int = -1,
    kernel_size: int = 5,
    dilation_ratio: float = 0.02,
    context_weight: float = 1.0,
    nce_weight: float = 0.2,
    center_weight: float = 2.0,
    ignore_index: int | None = None,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    f = np.moveaxis(np.asarray(features, dtype=np.float64), axis, -1)
    pred = np.argmax(np.moveaxis(np.asarray(logits, dtype=np.float64), axis, -1), axis=-1)
    lab = np.asarray(labels)
    if np.issubdtype(lab.dtype, np.floating):
        lab = np.argmax(np.moveaxis(lab, axis, -1), axis=-1)
    n, h, w, _ = f.shape
    ncls = int(np.asarray(logits).shape[axis])
    edge = (
        cbl_boundary(lab, ignore_index, dilation_ratio)
        if boundary is None
        else np.asarray(boundary, dtype=bool)
    )
    r = kernel_size // 2

    def kept(b: int, a: int, c: int) -> bool:
        return ignore_index is None or lab[b, a, c] != ignore_index

    out = np.zeros(n)
    valid = np.zeros(n)
    for b in range(n):
        ctx_terms = []
        sums: dict[str, dict[int, list[float]]] = {"nce_a": {}, "nce_b": {}, "cn": {}}
        for i in range(h):
            for j in range(w):
                if not edge[b, i, j] or not kept(b, i, j):
                    continue
                y = lab[b, i, j]
                same, good = [], []
                for a in range(i - r, i + r + 1):
                    for c in range(j - r, j + r + 1):
                        if (a, c) == (i, j) or not (0 <= a < h and 0 <= c < w):
                            continue
                        if kept(b, a, c) and lab[b, a, c] == y:
                            same.append(f[b, a, c])
                            if pred[b, a, c] == y:
                                good.append(f[b, a, c])
                if r <= i < h - r and r <= j < w - r:
                    for a in range(i - r, i + r + 1):
                        for c in range(j - r, j + r + 1):
                            if (a, c) == (i, j):
                                continue
                            u, v = f[b, i, j], f[b, a, c]
                            cos = u @ v / math.sqrt(max((u @ u) * (v @ v), 1e-16))
                            s = float(kept(b, a, c) and lab[b, a, c] == y)
                            ctx_terms.append((cos - s) ** 2)

                def xent(centre: np.ndarray, y: int = y) -> float:
                    z = np.asarray(classifier_weight, np.float64) @ centre
                    if classifier_bias is not None:
                        z = z + np.asarray(classifier_bias, np.float64)
                    return float(math.log(np.sum(np.exp(z))) - z[y])

                if same and nce_weight > 0:
                    sums["nce_a"].setdefault(y, []).append(xent(np.mean(same, axis=0)))
                elif same:
                    sums["nce_a"].setdefault(y, []).append(0.0)
                if good and pred[b, i, j] == y:
                    centre = np.mean(good, axis=0)
                    sums["nce_b"].setdefault(y, []).append(xent(centre) if nce_weight > 0 else 0.0)
                    sums["cn"].setdefault(y, []).append(float(np.mean((f[b, i, j] - centre) ** 2)))
        classes = [c for c in range(ncls) if c in sums["nce_a"] and c in sums["nce_b"]]
        loss = 0.0
        if ctx_terms:
            loss += context_weight * float(np.mean(ctx_terms))
        if classes:
            nce = np.mean([np.mean(sums["nce_a"][c]) + np.mean(sums["nce_b"][c]) for c in classes])
            cn = np.mean([np.mean(sums["cn"][c]) for c in classes])
            loss += nce_weight * float(nce) + center_weight * float(cn)
        out[b] = loss
        valid[b] = float(bool(ctx_terms) or bool(classes))
    return weighted_reduce(out, reduction, weights, valid)


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


def _pool_map(x: np.ndarray, stride: int, pool: str) -> np.ndarray:
    """Pool one ``(*S)`` map, kernel = stride, padding stride // 2 (zeros count in avg)."""
    pad = stride // 2
    out = [(n + 2 * pad - stride) // stride + 1 for n in x.shape]
    fill = 0.0 if pool == "avg" else -np.inf
    padded = np.pad(x, [(pad, pad)] * x.ndim, constant_values=fill)
    result = np.empty(out)
    for idx in itertools.product(*(range(o) for o in out)):
        window = padded[tuple(slice(i * stride, i * stride + stride) for i in idx)]
        result[idx] = window.mean() if pool == "avg" else window.max()
    return result


def _vectors(x: np.ndarray, radius: int) -> np.ndarray:
    """``(d, M)``: the radius^k window of every valid corner, one column each."""
    valid = [n - radius + 1 for n in x.shape]
    columns = []
    for corner in itertools.product(*(range(v) for v in valid)):
        window = x[tuple(slice(c, c + radius) for c in corner)]
        columns.append(window.reshape(-1))
    return np.array(columns).T


def rmi_term(prob: np.ndarray, target: np.ndarray, radius: int, eps: float) -> float:
    """``0.5 log det(S_Y - S_YP (S_P + eps I)^-1 S_PY + eps I) / d - 0.5 log eps``."""
    y = _vectors(target, radius)
    p = _vectors(prob, radius)
    d = y.shape[0]
    y = y - y.mean(axis=1, keepdims=True)
    p = p - p.mean(axis=1, keepdims=True)
    s_y, s_p, s_yp = y @ y.T, p @ p.T, y @ p.T
    conditional = s_y - s_yp @ np.linalg.inv(s_p + eps * np.eye(d)) @ s_yp.T
    sign, logdet = np.linalg.slogdet(conditional + eps * np.eye(d))
    assert sign > 0
    return 0.5 * logdet / d - 0.5 * np.log(eps)


def rmi_reference(
    logits: np.ndarray,
    target: np.ndarray,
    *,
    radius: int = 3,
    stride: int = 3,
    pool: str = "avg",
    lambda_: float = 0.5,
    eps: float = 5e-4,
    keep: np.ndarray | None = None,
    from_logits: bool = True,
) -> np.ndarray:
    """Per-sample loss ``(N,)``; ``logits`` and float ``target`` are ``(N, C, *S)``.

    ``keep`` (bool, broadcastable to ``logits``) marks the kept elements; ignored
    ones are left out of the BCE and set to 0 in both maps of the RMI term.
    """
    logits = np.asarray(logits, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    n, c = logits.shape[:2]
    keep = np.ones(logits.shape, bool) if keep is None else np.broadcast_to(keep, logits.shape)
    out = np.zeros(n)
    for i in range(n):
        bce_sum, kept = 0.0, 0
        for idx in np.ndindex(*logits.shape[1:]):
            if not keep[(i, *idx)]:
                continue
            z, g = logits[(i, *idx)], target[(i, *idx)]
            p = 1.0 / (1.0 + np.exp(-z)) if from_logits else z
            bce_sum += -(g * np.log(p) + (1.0 - g) * np.log(1.0 - p))
            kept += 1
        if kept == 0:
            continue  # every position ignored: 0
        bce = c * bce_sum / kept
        rmi = 0.0
        for k in range(c):
            m = keep[i, k]
            prob = logits[i, k]
            prob = 1.0 / (1.0 + np.exp(-prob)) if from_logits else prob
            prob, g = np.where(m, prob, 0.0), np.where(m, target[i, k], 0.0)
            if stride > 1:
                prob, g = _pool_map(prob, stride, pool), _pool_map(g, stride, pool)
            rmi += rmi_term(prob, g, radius, eps)
        out[i] = lambda_ * bce + (1.0 - lambda_) * rmi
    return out


def _last(x: Any, axis: int) -> np.ndarray:
    return np.moveaxis(np.asarray(x, dtype=np.float64), axis, -1)


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _onehot(labels: np.ndarray, C: int, ignore: int | None) -> tuple[np.ndarray, np.ndarray]:
    """One-hot (..., C) and the keep mask (...)."""
    keep = np.ones(labels.shape, dtype=bool) if ignore is None else labels != ignore
    g = np.zeros((*labels.shape, C))
    for idx in np.ndindex(labels.shape):
        if keep[idx]:
            g[(*idx, int(labels[idx]))] = 1.0
    return g, keep


def _reduce_compound(values: list[float], weights: list[float], reduction: str) -> float:
    v, w = np.array(values), np.array(weights)
    if reduction == "sum":
        return float(np.sum(v * w))
    return 0.0 if np.sum(w) == 0 else float(np.sum(v * w) / np.sum(w))


def combo(
    logits: Any,
    labels: Any,
    *,
    alpha: float = 0.5,
    beta: float = 0.5,
    axis: int = -1,
    smooth: float = 1.0,
    ignore_index: int | None = None,
    include_background: bool = True,
    class_weights: Any = None,
    slip: bool = False,
    reduction: str = "mean",
) -> float:
    """``alpha * wBCE(beta) - (1 - alpha) * mean DSC``; ``slip`` = the reference code's
    ``-(beta * (t log p + (1 - beta)(1 - t) log(1 - p)))``."""
    p = _softmax(_last(logits, axis))
    C = p.shape[-1]
    g, keep = _onehot(np.asarray(labels), C, ignore_index)
    cw = np.ones(C) if class_weights is None else np.asarray(class_weights, dtype=np.float64)
    classes = range(C) if include_background else range(1, C)
    ce, ce_w, dsc, dsc_w = [], [], [], []
    for c in classes:
        for idx in np.ndindex(keep.shape):
            if not keep[idx]:
                continue
            t, q = g[(*idx, c)], p[(*idx, c)]
            if slip:
                v = -beta * (t * np.log(q) + (1 - beta) * (1 - t) * np.log(1 - q))
            else:
                v = -(beta * t * np.log(q) + (1 - beta) * (1 - t) * np.log(1 - q))
            ce.append(v)
            ce_w.append(cw[c])
        for n in range(p.shape[0]):
            k = keep[n]
            inter = np.sum(p[n][..., c] * g[n][..., c] * k)
            den = np.sum(p[n][..., c] * k) + np.sum(g[n][..., c])
            dsc.append((2 * inter + smooth) / (den + smooth))
            dsc_w.append(cw[c])
    return alpha * _reduce_compound(ce, ce_w, reduction) - (1 - alpha) * _reduce_compound(
        dsc, dsc_w, reduction
    )


def exp_log(
    logits: Any,
    labels: Any,
    *,
    w_dice: float = 0.8,
    w_ce: float = 0.2,
    gamma: float = 0.3,
    axis: int = -1,
    smooth: float = 1.0,
    ignore_index: int | None = None,
    include_background: bool = True,
    class_weights: Any = None,
    reduction: str = "mean",
) -> float:
    """``w_dice E[(-ln Dice_nc)^gamma] + w_ce E_x[w_l (-ln p_l)^gamma]``,
    ``w_l = (sum_k f_k / f_l)^0.5`` counted on the batch."""
    p = _softmax(_last(logits, axis))
    C = p.shape[-1]
    labels = np.asarray(labels)
    g, keep = _onehot(labels, C, ignore_index)
    f = np.array([np.sum((labels == k) & keep) for k in range(C)], dtype=np.float64)
    if class_weights is None:
        w = np.array([np.sqrt(f.sum() / fk) if fk > 0 else 0.0 for fk in f])
    else:
        w = np.asarray(class_weights, dtype=np.float64)
    dice = []
    for n in range(p.shape[0]):
        for c in range(0 if include_background else 1, C):
            k = keep[n]
            inter = np.sum(p[n][..., c] * g[n][..., c] * k)
            den = np.sum(p[n][..., c] * k) + np.sum(g[n][..., c])
            dice.append((-np.log((2 * inter + smooth) / (den + smooth))) ** gamma)
    ce = []
    for idx in np.ndindex(labels.shape):
        if keep[idx]:
            lab = int(labels[idx])
            ce.append(w[lab] * (-np.log(p[(*idx, lab)])) ** gamma)
    return w_dice * _reduce_compound(dice, [1.0] * len(dice), reduction) + w_ce * _reduce_compound(
        ce, [1.0] * len(ce), reduction
    )


def unified_focal(
    logits: Any,
    labels: Any,
    *,
    weight: float = 0.5,
    delta: float = 0.6,
    gamma: float = 0.5,
    symmetric: bool = False,
    binary: bool = False,
    axis: int = -1,
    smooth: float = 1e-7,
    ignore_index: int | None = None,
    reduction: str = "mean",
) -> float:
    """``weight * L_F + (1 - weight) * L_FT`` per the paper (class 0 background).

    Focal: per position ``-(1-d)(1-p_0)^g g_0 ln p_0 - d sum_{c>=1} [(1-p_c)^g] g_c ln p_c``
    (the bracket only when ``symmetric``); Tversky per (sample, class)
    ``mTI = (TP + e) / (TP + d FN + (1-d) FP + e)``, loss ``1 - mTI`` for the
    background (``(1 - mTI)^(1-g)`` when symmetric) and ``(1 - mTI)^(1-g)`` otherwise.
    ``binary``: one sigmoid channel, classes ``[1 - p, p]``.
    """
    x = _last(logits, axis)
    if binary:
        s = 1.0 / (1.0 + np.exp(-x[..., 0]))
        p = np.stack([1 - s, s], axis=-1)
    else:
        p = _softmax(x)
    C = p.shape[-1]
    g, keep = _onehot(np.asarray(labels), C, ignore_index)
    focal = []
    for idx in np.ndindex(keep.shape):
        if not keep[idx]:
            continue
        v = 0.0
        for c in range(C):
            if g[(*idx, c)] == 0:
                continue
            q = p[(*idx, c)]
            if c == 0:
                v += -(1 - delta) * (1 - q) ** gamma * np.log(q)
            else:
                v += -delta * ((1 - q) ** gamma if symmetric else 1.0) * np.log(q)
        focal.append(v)
    tversky = []
    for n in range(p.shape[0]):
        for c in range(C):
            k = keep[n]
            tp = np.sum(p[n][..., c] * g[n][..., c] * k)
            fn = np.sum((1 - p[n][..., c]) * g[n][..., c] * k)
            fp = np.sum(p[n][..., c] * (1 - g[n][..., c]) * k)
            mti = (tp + smooth) / (tp + delta * fn + (1 - delta) * fp + smooth)
            focal_ti = max(1 - mti, 0.0) ** (1 - gamma)
            tversky.append(focal_ti if (c > 0 or symmetric) else 1 - mti)
    ones = [1.0] * len(focal)
    return weight * _reduce_compound(focal, ones, reduction) + (1 - weight) * _reduce_compound(
        tversky, [1.0] * len(tversky), reduction
    )


# -- the conformance suite's table (tests/test_conformance.py) ------------------------------------
# Each entry takes the loss's own arguments. The wrappers below only adapt a signature
# (dropping keywords that do not change the value, building one-hot targets); the
# arithmetic is the references above and the classification references.


def _without(fn: Callable[..., Any], *names: str) -> Callable[..., Any]:
    """``fn`` ignoring keywords that change gradients only (``detach``), not values."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **{k: v for k, v in kwargs.items() if k not in names})

    return call


def _accepted(fn: Callable[..., Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    import inspect

    params = inspect.signature(fn).parameters
    return {k: v for k, v in kwargs.items() if k in params}


def _sigmoid_target(logits: Any, labels: Any, axis: int, ignore_index: Any) -> tuple:
    """Sigmoid modes: float targets and the kept-element mask, both of ``logits``' shape."""
    x = _f64(logits)
    y = np.asarray(labels)
    if y.ndim == x.ndim - 1:  # binary: labels without the channel axis
        y = np.expand_dims(y, axis)
    keep = np.ones(y.shape, bool) if ignore_index is None else y != ignore_index
    target = np.where(keep, y, 0).astype(np.float64)
    return np.broadcast_to(target, x.shape), np.broadcast_to(keep, x.shape)


def _combine_reference(logits: Any, labels: Any, **kwargs: Any) -> Any:
    """The registry's ``combine((dice_loss, 1.0), (focal_loss, 0.5))``: each reference gets
    the keywords it accepts (as ``combine`` routes them)."""
    from classification import reference as cref

    dice = dice_loss(logits, labels, **_accepted(dice_loss, kwargs))
    focal = cref.focal_loss(logits, labels, **_accepted(cref.focal_loss, kwargs))
    return np.asarray(1.0 * dice + 0.5 * focal)


def _dice_plus(kind: str) -> Callable[..., Any]:
    """Dice (:func:`dice_loss`) + lambda x CE or focal (softmax in ``"multiclass"``;
    BCE or focal with ``alpha=None`` over the kept elements in the sigmoid modes)."""
    from classification import reference as cref

    def call(
        logits: Any,
        labels: Any,
        *,
        lambda_dice: float = 1.0,
        lambda_ce: float = 1.0,
        lambda_focal: float = 1.0,
        gamma: float = 2.0,
        mode: str = "multiclass",
        axis: int = -1,
        smooth: float = 1e-5,
        include_background: bool = True,
        ignore_index: int | None = None,
        class_weights: Any = None,
        batch_dice: bool = False,
        reduction: str = "mean",
    ) -> np.ndarray:
        dice = dice_loss(
            logits,
            labels,
            mode=mode,
            axis=axis,
            smooth=smooth,
            include_background=include_background,
            ignore_index=ignore_index,
            class_weights=class_weights,
            batch_dice=batch_dice,
            reduction=reduction,
        )
        if mode == "multiclass":
            if kind == "ce":
                pixel = cref.cross_entropy(
                    logits,
                    labels,
                    axis=axis,
                    class_weights=class_weights,
                    ignore_index=ignore_index,
                    reduction=reduction,
                )
            else:
                pixel = cref.focal_loss_basic(
                    logits,
                    labels,
                    gamma=gamma,
                    alpha=class_weights,
                    axis=axis,
                    ignore_index=ignore_index,
                    reduction=reduction,
                )
        else:
            target, keep = _sigmoid_target(logits, labels, axis, ignore_index)
            w = keep.astype(np.float64)
            if kind == "ce":
                pixel = cref.binary_cross_entropy(logits, target, weights=w, reduction=reduction)
            else:
                pixel = cref.binary_focal_loss(
                    logits, target, gamma=gamma, alpha=None, weights=w, reduction=reduction
                )
        lam = lambda_ce if kind == "ce" else lambda_focal
        return np.asarray(lambda_dice * dice + lam * pixel)

    return call


def _combo_reference(
    logits: Any,
    labels: Any,
    *,
    mode: str = "multiclass",
    axis: int = -1,
    from_logits: bool = True,
    alpha: float = 0.5,
    beta: float = 0.5,
    smooth: float = 1.0,
    ignore_index: int | None = None,
    include_background: bool = True,
    class_weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """:func:`combo` in ``"multiclass"``; the paper's binary form per sigmoid channel
    (the same formula, ``p = sigmoid(x)``) in ``"binary"``/``"multilabel"``."""
    if mode == "multiclass":
        assert from_logits
        return np.asarray(
            combo(
                logits,
                labels,
                alpha=alpha,
                beta=beta,
                axis=axis,
                smooth=smooth,
                ignore_index=ignore_index,
                include_background=include_background,
                class_weights=class_weights,
                reduction=reduction,
            )
        )
    target, keep = _sigmoid_target(logits, labels, axis, ignore_index)
    p = sigmoid(logits) if from_logits else _f64(logits)
    p, t, k = (np.moveaxis(a, axis, -1) for a in (p, target, keep))
    C = p.shape[-1]
    cw = np.ones(C) if class_weights is None else _f64(class_weights)
    classes = range(C) if include_background or mode == "binary" else range(1, C)
    ce, ce_w, dsc, dsc_w = [], [], [], []
    for c in classes:
        for idx in np.ndindex(k.shape[:-1]):
            if k[(*idx, c)]:
                q, y = p[(*idx, c)], t[(*idx, c)]
                ce.append(-(beta * y * math.log(q) + (1 - beta) * (1 - y) * math.log(1 - q)))
                ce_w.append(cw[c])
        for n in range(p.shape[0]):
            q, y = p[n][..., c] * k[n][..., c], t[n][..., c] * k[n][..., c]
            dsc.append((2 * np.sum(q * y) + smooth) / (np.sum(q) + np.sum(y) + smooth))
            dsc_w.append(cw[c])
    ce_r = _reduce_compound(ce, ce_w, reduction)
    return np.asarray(alpha * ce_r - (1 - alpha) * _reduce_compound(dsc, dsc_w, reduction))


def _unified_focal_reference(
    logits: Any, labels: Any, *, mode: str = "multiclass", **kwargs: Any
) -> np.ndarray:
    """:func:`unified_focal`; ``"binary"`` is its ``binary=True`` (classes ``[1 - p, p]``)."""
    return np.asarray(unified_focal(logits, labels, binary=mode == "binary", **kwargs))


def _rmi_loss_reference(
    logits: Any,
    labels: Any,
    *,
    mode: str = "multiclass",
    axis: int = -1,
    from_logits: bool = True,
    ignore_index: int | None = None,
    weights: Any = None,
    reduction: str = "mean",
    **hyper: Any,
) -> np.ndarray:
    """:func:`rmi_reference` per sample on ``(N, C, *S)`` logits and float targets; samples
    with every position ignored are left out of the mean's denominator."""
    x = np.moveaxis(_f64(logits), axis, 1)
    C = x.shape[1]
    y = np.asarray(labels)
    if mode == "multiclass" and y.ndim == x.ndim - 1:
        keep_pos = np.ones(y.shape, bool) if ignore_index is None else y != ignore_index
        target = np.moveaxis(np.eye(C)[np.where(keep_pos, y, 0)], -1, 1)
        keep = np.expand_dims(keep_pos, 1)
    else:
        # binary labels come without the channel axis
        y = np.expand_dims(y, 1) if y.ndim == x.ndim - 1 else np.moveaxis(y, axis, 1)
        keep = np.ones(y.shape, bool) if ignore_index is None else y != ignore_index
        target = np.where(keep, y, 0).astype(np.float64)
    per_sample = rmi_reference(x, target, keep=keep, from_logits=from_logits, **hyper)
    kept = np.broadcast_to(keep, x.shape)
    present = np.any(kept, axis=tuple(range(1, x.ndim))).astype(np.float64)
    return weighted_reduce(per_sample, reduction, weights, denominator=present)


REFERENCES: dict[str, Any] = {
    "dice_loss": dice_loss,
    "distance_map": distance_map,
    "signed_distance_map": signed_distance_map,
    "rectified_region_wise_map": rrw_map,
    "boundary_loss": boundary_loss,
    "hausdorff_dt_loss": hausdorff_dt_loss,
    "hausdorff_er_loss": hausdorff_er_loss,
    "region_wise_loss": region_wise_loss,
    "active_boundary_loss": _without(active_boundary_loss, "detach"),
    "conditional_boundary_loss": conditional_boundary_loss,
    "combine": _combine_reference,
    "dice_ce_loss": _dice_plus("ce"),
    "dice_focal_loss": _dice_plus("focal"),
    "combo_loss": _combo_reference,
    "exp_log_loss": exp_log,
    "unified_focal_loss": _unified_focal_reference,
    "topk_loss": topk_loss,
    "distance_weighted_cross_entropy": distance_weighted_cross_entropy,
    "robust_t_loss": robust_t_loss,
    "lovasz_softmax_loss": lovasz_softmax_loss,
    "lovasz_hinge_loss": lovasz_hinge_loss,
    "jaccard_loss": jaccard_loss,
    "tversky_loss": tversky_loss,
    "focal_tversky_loss": focal_tversky_loss,
    "log_cosh_dice_loss": log_cosh_dice_loss,
    "generalized_dice_loss": generalized_dice_loss,
    "generalized_wasserstein_dice_loss": generalized_wasserstein_dice_loss,
    "sensitivity_specificity_loss": sensitivity_specificity_loss,
    "mcc_loss": mcc_loss,
    "region_mutual_information_loss": _rmi_loss_reference,
    "cldice_loss": cldice_loss,
    "boundary_dou_loss": boundary_dou_loss,
    "inverseform_loss": inverseform_loss,
}
