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
    if np.asarray(preds).dtype.kind == "f":  # floating scores give floating counts (NaN-able)
        m = m.astype(np.float64)
    if normalize is None:
        return m
    m = m.astype(np.float64)
    total = {
        "all": m.sum(),
        "true": m.sum(axis=1, keepdims=True),
        "pred": m.sum(axis=0, keepdims=True),
    }[normalize]
    return np.where(total > 0, m / np.where(total > 0, total, 1.0), 0.0)


def _counts_reference(
    preds: Any,
    labels: Any,
    num_classes: int | None,
    mode: str,
    axis: int,
    ignore_index: int | None,
    threshold: float,
    from_logits: bool,
    per_image: bool,
) -> list[np.ndarray]:
    """One brute-force confusion matrix per image (``per_image``) or one for the batch."""
    p, y = np.asarray(preds), np.asarray(labels)
    if mode == "binary":
        decided = (
            (_sigmoid(p) if from_logits else p) > threshold if p.dtype.kind == "f" else p != 0
        )
        hard, c = decided.astype(np.int64), 2
    else:
        hard = _hard_predictions(p, axis)
        c = p.shape[axis] if p.dtype.kind == "f" else int(num_classes or 0)
    if not per_image:
        return [confusion(hard, y, c, ignore_index).astype(np.float64)]
    return [
        confusion(hard[n], y[n], c, ignore_index).astype(np.float64) for n in range(y.shape[0])
    ]


def _class_scores(m: np.ndarray, which: str) -> tuple[np.ndarray, ...]:
    """Per-class score, the counts (tp, fp, fn) and the support, by the textbook formulas."""
    C = m.shape[0]
    tp = np.array([m[c, c] for c in range(C)])
    fp = np.array([m[:, c].sum() - m[c, c] for c in range(C)])
    fn = np.array([m[c, :].sum() - m[c, c] for c in range(C)])
    num, den = {
        "precision": (tp, tp + fp),
        "recall": (tp, tp + fn),
        "f1": (2 * tp, 2 * tp + fp + fn),
        "iou": (tp, tp + fp + fn),
    }[which]
    score = np.array([a / b if b > 0 else 0.0 for a, b in zip(num, den, strict=True)])
    return score, tp, fp, fn


def _metric_reference(which: str) -> Any:
    """docs/metrics.rst's definitions: scores per class of each confusion matrix, then the
    average ("none", macro over present classes or present (image, class) pairs, micro of
    the summed counts, weighted by the support; per image micro/weighted: the image mean)."""

    def call(
        preds: Any = None,
        labels: Any = None,
        num_classes: int | None = None,
        *,
        confusion: Any = None,
        mode: str = "multiclass",
        axis: int = -1,
        average: str = "macro",
        ignore_index: int | None = None,
        per_image: bool = False,
        include_background: bool = True,
        threshold: float = 0.5,
        from_logits: bool = True,
    ) -> np.ndarray:
        if confusion is not None:
            mats = [np.asarray(confusion, dtype=np.float64)]
        else:
            mats = _counts_reference(
                preds,
                labels,
                num_classes,
                mode,
                axis,
                ignore_index,
                threshold,
                from_logits,
                per_image,
            )
        first = 1 if (mode == "binary" or not include_background) else 0
        rows = []
        for m in mats:
            score, tp, fp, fn = (v[first:] for v in _class_scores(m, which))
            if average == "micro":
                rows.append(
                    _class_scores(
                        np.diag([tp.sum(), 0.0]) + np.array([[0.0, fn.sum()], [fp.sum(), 0.0]]),
                        which,
                    )[0][0]
                )
            else:
                rows.append((score, tp + fp + fn > 0, tp + fn))
        if average == "micro":
            return np.asarray(np.mean(rows))
        if average == "none":
            out = np.array([r[0] for r in rows])
            out = out[..., 0] if mode == "binary" else out
            return out if per_image else out[0]
        if average == "weighted":
            vals = [(s * n).sum() / n.sum() if n.sum() > 0 else 0.0 for s, _, n in rows]
            return np.asarray(np.mean(vals))
        present = [v for s, keep, _ in rows for v, k in zip(s, keep, strict=True) if k]
        return np.asarray(np.mean(present) if present else 0.0)

    return call


def _sigmoid(x: Any) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


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
    "mean_iou": _metric_reference("iou"),
    "dice_score": _metric_reference("f1"),
    "iou_score": _metric_reference("iou"),
    "precision": _metric_reference("precision"),
    "recall": _metric_reference("recall"),
    "f1_score": _metric_reference("f1"),
    "false_acceptance_rate": _rate_reference(0),
    "false_rejection_rate": _rate_reference(1),
}
