"""Float64 NumPy references for the compound losses and the metrics (issue 4).

Written from the papers' equations with plain loops over (sample, class, position);
they share nothing with ``arrayloss``. Inputs are channels-last after ``_last``;
``labels`` are integer classes (``ignore`` marks left-out positions).

- combo: Taghanaki et al. 2019, eq. 3 (arXiv 1805.02798), one-vs-rest per class.
- exp-log: Wong et al. 2018, eqs. 1-4 (arXiv 1809.00076), frequency weights on the batch.
- unified focal: Yeung et al. 2022, eqs. 12-17 (arXiv 2102.04525), class 0 background.
"""

from __future__ import annotations

from typing import Any

import numpy as np


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


def _reduce(values: list[float], weights: list[float], reduction: str) -> float:
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
    return alpha * _reduce(ce, ce_w, reduction) - (1 - alpha) * _reduce(dsc, dsc_w, reduction)


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
    return w_dice * _reduce(dice, [1.0] * len(dice), reduction) + w_ce * _reduce(
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
    return weight * _reduce(focal, ones, reduction) + (1 - weight) * _reduce(
        tversky, [1.0] * len(tversky), reduction
    )


# -- metrics ---------------------------------------------------------------------------


def confusion(preds: Any, labels: Any, C: int, ignore: int | None = None) -> np.ndarray:
    """Brute force: ``np.add.at`` over (true, predicted) pairs."""
    p, y = np.asarray(preds).ravel(), np.asarray(labels).ravel()
    keep = np.ones(y.shape, dtype=bool) if ignore is None else y != ignore
    m = np.zeros((C, C), dtype=np.int64)
    np.add.at(m, (y[keep], p[keep]), 1)
    return m


def prf(m: np.ndarray, which: str, average: str) -> np.ndarray:
    """scikit-learn's precision/recall/F1 with ``zero_division=0`` from a confusion matrix;
    macro over the classes in labels or preds."""
    C = m.shape[0]
    tp = np.array([m[c, c] for c in range(C)], dtype=np.float64)
    fp = np.array([m[:, c].sum() - m[c, c] for c in range(C)], dtype=np.float64)
    fn = np.array([m[c, :].sum() - m[c, c] for c in range(C)], dtype=np.float64)
    if average == "micro":
        tp, fp, fn = tp.sum(), fp.sum(), fn.sum()

    def div(a: Any, b: Any) -> Any:
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        return np.where(b > 0, a / np.where(b > 0, b, 1.0), 0.0)

    if which == "precision":
        s = div(tp, tp + fp)
    elif which == "recall":
        s = div(tp, tp + fn)
    else:
        s = div(2 * tp, 2 * tp + fp + fn)
    if average != "macro":
        return np.asarray(s)
    present = [c for c in range(C) if tp[c] + fp[c] + fn[c] > 0]
    return np.asarray(np.mean([s[c] for c in present]) if present else 0.0)


def iou_per_class(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """IoU per class (0 when the union is empty) and the presence mask."""
    m = np.asarray(m, dtype=np.float64)
    C = m.shape[0]
    iou, present = np.zeros(C), np.zeros(C, dtype=bool)
    for c in range(C):
        union = m[c, :].sum() + m[:, c].sum() - m[c, c]
        present[c] = union > 0
        iou[c] = m[c, c] / union if union > 0 else 0.0
    return iou, present


def overlap(pred_mask: np.ndarray, true_mask: np.ndarray, kind: str, reduction: str) -> np.ndarray:
    """Hard Dice / IoU per (sample, class) from (N, ..., C) 0/1 masks; empty-empty = 1."""
    N, C = pred_mask.shape[0], pred_mask.shape[-1]
    out = np.zeros((N, C))
    for n in range(N):
        for c in range(C):
            P, G = pred_mask[n][..., c] > 0, true_mask[n][..., c] > 0
            inter, size = np.sum(P & G), np.sum(P) + np.sum(G)
            if size == 0:
                out[n, c] = 1.0
            elif kind == "dice":
                out[n, c] = 2 * inter / size
            else:
                out[n, c] = inter / np.sum(P | G)
    if reduction == "none":
        return out
    return np.asarray(out.sum() if reduction == "sum" else out.mean())


def far_frr(decided: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    d, t = np.asarray(decided).ravel() != 0, np.asarray(truth).ravel() != 0
    fp, tn = np.sum(d & ~t), np.sum(~d & ~t)
    fn, tp = np.sum(~d & t), np.sum(d & t)
    far = fp / (fp + tn) if fp + tn > 0 else 0.0
    frr = fn / (fn + tp) if fn + tp > 0 else 0.0
    return float(far), float(frr)
