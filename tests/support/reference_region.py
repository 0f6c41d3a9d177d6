"""Independent float64 NumPy references for the region losses of ``arrayloss._region``.

Written from the papers' definitions with plain loops over samples and classes: the
positions of each (sample, class) are gathered as 1-D vectors of the kept positions
(boolean indexing is fine here) and each loss is its textbook formula on them, e.g.
the Jaccard union as ``sum p + sum g - tp`` and ``1 - ratio`` rather than the error
ratios ``arrayloss`` uses. A zero denominator gives the documented conventions
(loss 0; MCC 0; an absent class's GDL weight is the largest present weight).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .reference import sigmoid, softmax, weighted_reduce

__all__ = [
    "focal_tversky_loss",
    "generalized_dice_loss",
    "generalized_wasserstein_dice_loss",
    "jaccard_loss",
    "log_cosh_dice_loss",
    "mcc_loss",
    "sensitivity_specificity_loss",
    "tversky_loss",
]

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
    """Abhishek & Hamarneh: ``1 - (tp tn - fp fn) / (sqrt(...) + s)``; MCC 0 at 0/0."""

    def score(p: Vec, g: Vec) -> float:
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
