"""Independent float64 NumPy references for the metrics: brute-force confusion matrices,
precision/recall/F1 by the textbook definitions, IoU, Dice, FAR/FRR.
"""

from __future__ import annotations

from typing import Any

import numpy as np

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


def overlap(
    pred_mask: np.ndarray, true_mask: np.ndarray, kind: str, average: str, per_image: bool
) -> np.ndarray:
    """Hard Dice / IoU from (N, ..., C) 0/1 masks, by loops over (sample, class).

    A (sample, class) or class with empty prediction and target scores 0 and is left
    out of the macro mean; pooled (``per_image=False``) sums over the samples first.
    """
    N, C = pred_mask.shape[0], pred_mask.shape[-1]
    P_all, G_all = pred_mask > 0, true_mask > 0

    def one(P: np.ndarray, G: np.ndarray) -> tuple[float, bool]:
        inter, size = np.sum(P & G), np.sum(P) + np.sum(G)
        if size == 0:
            return 0.0, False
        return (2 * inter / size if kind == "dice" else inter / np.sum(P | G)), True

    if per_image:
        cells = [[one(P_all[n][..., c], G_all[n][..., c]) for c in range(C)] for n in range(N)]
    else:
        cells = [[one(P_all[..., c], G_all[..., c]) for c in range(C)]]
    values = np.array([[v for v, _ in row] for row in cells])
    present = np.array([[p for _, p in row] for row in cells])
    if average == "none":
        return values if per_image else values[0]
    return np.asarray(values[present].mean() if present.any() else 0.0)


def far_frr(decided: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    d, t = np.asarray(decided).ravel() != 0, np.asarray(truth).ravel() != 0
    fp, tn = np.sum(d & ~t), np.sum(~d & ~t)
    fn, tp = np.sum(~d & t), np.sum(d & t)
    far = fp / (fp + tn) if fp + tn > 0 else 0.0
    frr = fn / (fn + tp) if fn + tp > 0 else 0.0
    return float(far), float(frr)
