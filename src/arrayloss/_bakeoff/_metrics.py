"""Metrics of one evaluation, all derived from arrayloss's :func:`confusion_matrix`."""

from __future__ import annotations

import numpy as np

__all__ = ["from_confusion"]


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.divide(num, den, out=np.zeros_like(num, dtype=np.float64), where=den > 0)
    return out


def from_confusion(matrix: np.ndarray) -> dict[str, object]:
    """Accuracy, balanced accuracy, macro-F1, mIoU and per-class recall/IoU/F1/Dice.

    Rows are true classes, columns predictions. A class absent from the test labels
    has recall 0 and is left out of the means over classes (balanced accuracy,
    macro-F1, mIoU).
    """
    m = np.asarray(matrix, dtype=np.float64)
    tp = np.diag(m)
    true, pred = m.sum(1), m.sum(0)
    present = true > 0
    recall = _ratio(tp, true)
    precision = _ratio(tp, pred)
    f1 = _ratio(2 * tp, true + pred)
    iou = _ratio(tp, true + pred - tp)
    return {
        "accuracy": float(tp.sum() / max(m.sum(), 1.0)),
        "balanced_accuracy": float(recall[present].mean()),
        "macro_f1": float(f1[present].mean()),
        "miou": float(iou[present].mean()),
        "recall": recall,
        "precision": precision,
        "f1": f1,
        "iou": iou,
        "dice": f1,
    }
