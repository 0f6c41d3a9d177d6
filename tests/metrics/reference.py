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


# -- the conformance suite's table (tests/test_conformance.py) ------------------------------------
# One block, appended: each entry takes the metric's own arguments and calls the brute-force
# references above.


def _hard_predictions(preds: Any, axis: int) -> np.ndarray:
    """Integer predictions as they are; floating scores by argmax over the class ``axis``."""
    p = np.asarray(preds)
    return np.argmax(p, axis=axis) if p.dtype.kind == "f" else p


def _confusion_matrix_reference(
    preds: Any,
    labels: Any,
    num_classes: int,
    *,
    axis: int = -1,
    ignore_index: int | None = None,
    normalize: str | None = None,
) -> np.ndarray:
    m = confusion(_hard_predictions(preds, axis), labels, num_classes, ignore_index)
    if normalize is None:
        return m
    m = m.astype(np.float64)
    total = {
        "all": m.sum(),
        "true": m.sum(axis=1, keepdims=True),
        "pred": m.sum(axis=0, keepdims=True),
    }[normalize]
    return np.where(total > 0, m / np.where(total > 0, total, 1.0), 0.0)


def _mean_iou_reference(m: Any, *, reduction: str = "mean") -> np.ndarray:
    iou, present = iou_per_class(m)
    if reduction == "none":
        return iou
    if not present.any():
        return np.asarray(0.0)
    total = iou[present].sum()
    return np.asarray(total if reduction == "sum" else total / present.sum())


def _prf_reference(which: str) -> Any:
    def call(
        preds: Any,
        labels: Any,
        num_classes: int,
        *,
        axis: int = -1,
        ignore_index: int | None = None,
        average: str = "macro",
    ) -> np.ndarray:
        m = confusion(_hard_predictions(preds, axis), labels, num_classes, ignore_index)
        return prf(m, which, average)

    return call


def _sigmoid(x: Any) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


def _overlap_reference(kind: str) -> Any:
    def call(
        logits: Any,
        labels: Any,
        *,
        mode: str = "multiclass",
        axis: int = -1,
        from_logits: bool = True,
        threshold: float = 0.5,
        include_background: bool = True,
        ignore_index: int | None = None,
        reduction: str = "mean",
    ) -> np.ndarray:
        x = np.moveaxis(np.asarray(logits, dtype=np.float64), axis, -1)
        C = x.shape[-1]
        y = np.asarray(labels)
        if mode == "multiclass":
            keep = np.ones(y.shape, dtype=bool) if ignore_index is None else y != ignore_index
            pred = np.eye(C)[np.argmax(x, axis=-1)] * keep[..., None]
            true = np.eye(C)[np.where(keep, y, 0)] * keep[..., None]
        else:  # binary / multilabel: targets with the logits' shape, a threshold on p
            y = np.moveaxis(y, axis, -1) if y.ndim == x.ndim else y[..., None]
            keep = np.ones(y.shape, dtype=bool) if ignore_index is None else y != ignore_index
            p = _sigmoid(x) if from_logits else x
            pred = (p > threshold) * keep
            true = (y != 0) * keep
        if not include_background and mode != "binary":
            pred, true = pred[..., 1:], true[..., 1:]
        return overlap(pred, true, kind, reduction)

    return call


def _rate_reference(which: int) -> Any:
    def call(preds: Any, labels: Any, *, threshold: float = 0.5, from_logits: bool = True) -> Any:
        p = np.asarray(preds)
        if p.dtype.kind == "f":
            decided = (_sigmoid(p) if from_logits else p) > threshold
        else:
            decided = p != 0
        return np.asarray(far_frr(decided, labels)[which])

    return call


REFERENCES: dict[str, Any] = {
    "confusion_matrix": _confusion_matrix_reference,
    "mean_iou": _mean_iou_reference,
    "dice_score": _overlap_reference("dice"),
    "iou_score": _overlap_reference("iou"),
    "precision": _prf_reference("precision"),
    "recall": _prf_reference("recall"),
    "f1_score": _prf_reference("f1"),
    "false_acceptance_rate": _rate_reference(0),
    "false_rejection_rate": _rate_reference(1),
}
