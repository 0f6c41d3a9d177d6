"""Bounding-box regression losses and box utilities on ``(..., 4)`` boxes."""

from __future__ import annotations

from ._boxes import (
    box_area,
    box_convert,
    box_iou,
    generalized_box_iou,
)
from ._iou import (
    ciou_loss,
    diou_loss,
    giou_loss,
    iou_loss,
)
from ._iou_variants import (
    WiseIoUState,
    alpha_iou_loss,
    eiou_loss,
    focal_eiou_loss,
    init_wise_iou,
    siou_loss,
    wise_iou_loss,
)

__all__ = [
    "WiseIoUState",
    "alpha_iou_loss",
    "box_area",
    "box_convert",
    "box_iou",
    "ciou_loss",
    "diou_loss",
    "eiou_loss",
    "focal_eiou_loss",
    "generalized_box_iou",
    "giou_loss",
    "init_wise_iou",
    "iou_loss",
    "siou_loss",
    "wise_iou_loss",
]
