"""Metrics on hard predictions: confusion matrix, IoU, Dice, precision, recall, F1, FAR/FRR,
and the streaming confusion state they all read."""

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
from ._state import ConfusionState, confusion_state, merge_confusion, update_confusion

__all__ = [
    "ConfusionState",
    "confusion_matrix",
    "confusion_state",
    "dice_score",
    "f1_score",
    "false_acceptance_rate",
    "false_rejection_rate",
    "iou_score",
    "mean_iou",
    "merge_confusion",
    "precision",
    "recall",
    "update_confusion",
]
