"""Catalogue entries for the issue-6 box losses (``boxes``/``target_boxes``, shape (..., 4))."""

from __future__ import annotations

from typing import Any

from ._catalogue import Case, LossInfo, _rng

__all__ = ["ENTRIES"]


def _box_pair(seed: int, n: int = 6) -> tuple[Any, Any]:
    """Well-formed xyxy boxes: partial overlaps, one disjoint and one identical pair."""
    import numpy as np

    rng = _rng(seed)
    xy = rng.uniform(-2.0, 2.0, size=(n, 2))
    target = np.concatenate([xy, xy + rng.uniform(0.5, 3.0, size=(n, 2))], axis=-1)
    lo = target[:, :2] + rng.uniform(-0.5, 0.5, size=(n, 2))
    pred = np.concatenate([lo, lo + rng.uniform(0.5, 3.0, size=(n, 2))], axis=-1)
    pred[0] = target[0] + 6.0  # disjoint
    pred[1] = target[1]  # identical
    return pred, target


def _cxcywh(boxes: Any) -> Any:
    import numpy as np

    x1, y1, x2, y2 = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    return np.stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], axis=-1)


def _common_cases(seed: int) -> list[Case]:
    pred, target = _box_pair(seed)
    weights = _rng(seed + 1).uniform(0.5, 2.0, size=(6,))
    return [
        Case("xyxy, mean", (pred, target)),
        Case("weights (6,), sum", (pred, target), {"weights": weights, "reduction": "sum"}),
        Case(
            "cxcywh, none",
            (_cxcywh(pred), _cxcywh(target)),
            {"box_format": "cxcywh", "reduction": "none"},
        ),
    ]


def _iou_cases() -> list[Case]:
    pred, target = _box_pair(61)
    return [
        *_common_cases(61),
        Case("mode=square, none", (pred, target), {"mode": "square", "reduction": "none"}),
        Case("mode=log (disjoint at eps floor)", (pred, target), {"mode": "log"}),
    ]


def _giou_cases() -> list[Case]:
    return _common_cases(62)


def _diou_cases() -> list[Case]:
    return _common_cases(63)


def _ciou_cases() -> list[Case]:
    return _common_cases(64)


def _eiou_cases() -> list[Case]:
    return _common_cases(65)


def _focal_eiou_cases() -> list[Case]:
    pred, target = _box_pair(66)
    return [*_common_cases(66), Case("gamma=1, none", (pred, target), {"gamma": 1.0})]


def _siou_cases() -> list[Case]:
    pred, target = _box_pair(67)
    return [*_common_cases(67), Case("theta=2", (pred, target), {"theta": 2.0})]


def _alpha_iou_cases() -> list[Case]:
    pred, target = _box_pair(68)
    return [
        *_common_cases(68),
        *(
            Case(f"penalty={p!r}, none", (pred, target), {"penalty": p, "reduction": "none"})
            for p in ("giou", "diou", "ciou")
        ),
        Case("alpha=0.5", (pred, target), {"alpha": 0.5}),
    ]


def _wise_iou_cases() -> list[Case]:
    pred, target = _box_pair(69)
    return [
        *_common_cases(69),
        *(
            Case(f"version={v}, iou_mean=0.7", (pred, target), {"version": v, "iou_mean": 0.7})
            for v in (1, 2)
        ),
    ]


def _box_convert_cases() -> list[Case]:
    pred, _ = _box_pair(30)
    return [
        Case("xyxy -> cxcywh", (pred,), {"in_fmt": "xyxy", "out_fmt": "cxcywh"}),
        Case("xyxy -> xywh", (pred,), {"in_fmt": "xyxy", "out_fmt": "xywh"}),
    ]


def _box_area_cases() -> list[Case]:
    pred, _ = _box_pair(31)
    return [
        Case("xyxy", (pred,)),
        Case("cxcywh", (_cxcywh(pred),), {"box_format": "cxcywh"}),
    ]


def _pairwise_cases() -> list[Case]:
    pred, target = _box_pair(32)
    return [
        Case("(6, 4) x (5, 4)", (pred, target[:5])),
        Case("cxcywh", (_cxcywh(pred), _cxcywh(target)), {"box_format": "cxcywh"}),
    ]


ENTRIES: tuple[LossInfo, ...] = (
    LossInfo(
        "iou_loss",
        "detection",
        "1 - IoU of aligned boxes (linear, square or UnitBox log mode)",
        "Yu et al., ACM MM 2016, arXiv:1608.01471",
        _iou_cases,
    ),
    LossInfo(
        "giou_loss",
        "detection",
        "Generalized IoU loss: enclosing-box penalty, gradient for disjoint boxes",
        "Rezatofighi et al., CVPR 2019, arXiv:1902.09630",
        _giou_cases,
    ),
    LossInfo(
        "diou_loss",
        "detection",
        "Distance-IoU loss: IoU loss plus normalised centre distance",
        "Zheng et al., AAAI 2020, arXiv:1911.08287",
        _diou_cases,
    ),
    LossInfo(
        "ciou_loss",
        "detection",
        "Complete-IoU loss: DIoU plus aspect-ratio term (alpha stop-gradient)",
        "Zheng et al., AAAI 2020, arXiv:1911.08287",
        _ciou_cases,
    ),
    LossInfo(
        "eiou_loss",
        "detection",
        "Efficient-IoU loss: DIoU plus separate width and height gaps",
        "Zhang et al., Neurocomputing 2022, arXiv:2101.08158",
        _eiou_cases,
    ),
    LossInfo(
        "focal_eiou_loss",
        "detection",
        "Focal-EIoU loss: EIoU reweighted by IoU^gamma (high-quality boxes first)",
        "Zhang et al., Neurocomputing 2022, arXiv:2101.08158",
        _focal_eiou_cases,
    ),
    LossInfo(
        "siou_loss",
        "detection",
        "SCYLLA-IoU loss: IoU plus angle-aware distance cost and shape cost",
        "Gevorgyan 2022, arXiv:2205.12740",
        _siou_cases,
    ),
    LossInfo(
        "alpha_iou_loss",
        "detection",
        "Alpha-IoU loss: IoU and GIoU/DIoU/CIoU penalty raised to the power alpha",
        "He et al., NeurIPS 2021, arXiv:2110.13675",
        _alpha_iou_cases,
    ),
    LossInfo(
        "wise_iou_loss",
        "detection",
        "Wise-IoU v1/v2/v3: distance attention and dynamic focusing (explicit running mean)",
        "Tong et al. 2023, arXiv:2301.10051",
        _wise_iou_cases,
    ),
    LossInfo(
        "box_convert",
        "detection",
        "Utility: convert boxes between xyxy, xywh and cxcywh",
        "torchvision.ops.box_convert formats",
        _box_convert_cases,
    ),
    LossInfo(
        "box_area",
        "detection",
        "Utility: area of boxes",
        "torchvision.ops.box_area",
        _box_area_cases,
    ),
    LossInfo(
        "box_iou",
        "detection",
        "Utility: pairwise (N, M) IoU matrix for matching",
        "Yu et al., ACM MM 2016, arXiv:1608.01471",
        _pairwise_cases,
    ),
    LossInfo(
        "generalized_box_iou",
        "detection",
        "Utility: pairwise (N, M) GIoU matrix (DETR matching cost)",
        "Rezatofighi et al., CVPR 2019, arXiv:1902.09630",
        _pairwise_cases,
    ),
)
