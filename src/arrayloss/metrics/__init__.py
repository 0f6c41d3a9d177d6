"""Metrics on hard predictions: confusion matrix, IoU, Dice, precision, recall, F1, FAR/FRR."""

from __future__ import annotations

from ._confusion import (
    confusion_matrix,
    dice_score,
    f1_score,
    false_acceptance_rate,
    false_rejection_rate,
    iou_score,
    mean_iou,
    precision,
    recall,
)

__all__ = [
    "confusion_matrix",
    "dice_score",
    "f1_score",
    "false_acceptance_rate",
    "false_rejection_rate",
    "iou_score",
    "mean_iou",
    "precision",
    "recall",
]
