"""The registry of the detection losses: each loss with its small deterministic cases.

``arrayloss list``/``check``, the cross-cutting test suites and ``arrayloss bench``
read ``LOSSES``. Each :class:`~arrayloss._lib._case.LossInfo` holds the loss, a function
that builds its float64 NumPy cases, and the transformation rows (:class:`Row`: inputs
drawn from a seeded generator, smooth around the draw, so finite differences apply).
NumPy is imported inside the functions that build arrays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._lib._case import Case, Data, LossInfo, Row, generator
from . import (
    alpha_iou_loss,
    box_area,
    box_convert,
    box_iou,
    ciou_loss,
    diou_loss,
    eiou_loss,
    focal_eiou_loss,
    generalized_box_iou,
    giou_loss,
    iou_loss,
    siou_loss,
    wise_iou_loss,
)

if TYPE_CHECKING:
    import numpy as np


def _box_pair(seed: int, n: int = 6) -> tuple[Any, Any]:
    """Well-formed xyxy boxes: partial overlaps, one disjoint and one identical pair."""
    import numpy as np

    rng = generator(seed)
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
    weights = generator(seed + 1).uniform(0.5, 2.0, size=(6,))
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
    # fresh state only: a case's keyword arrays are converted to the backend, but a
    # WiseIoUState (a NamedTuple) is passed as it is, so a non-default initial mean
    # (init_wise_iou(..., iou_mean=...)) is tested in tests/detection/test_iou_variants.py
    pred, target = _box_pair(69)
    return [
        *_common_cases(69),
        *(
            Case(f"version={v}, momentum=0.3", (pred, target), {"version": v, "momentum": 0.3})
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


def _xyxy(rng: np.random.Generator, n: int = 5) -> Any:
    import numpy as np

    xy = rng.uniform(-2.0, 2.0, size=(n, 2))
    return np.concatenate([xy, xy + rng.uniform(1.0, 3.0, size=(n, 2))], axis=-1)


def _overlapping(rng: np.random.Generator) -> Data:
    import numpy as np

    target = _xyxy(rng)
    # shift by 0.1 to 0.4 of the box's size: partial overlap, corners never tie
    size = target[:, 2:] - target[:, :2]
    shift = rng.uniform(0.1, 0.4, size=(5, 2)) * rng.choice([-1.0, 1.0], size=(5, 2)) * size
    scale = rng.uniform(0.7, 1.3, size=(5, 2)) * size
    lo = target[:, :2] + shift
    return np.concatenate([lo, lo + scale], axis=-1), target, {}


def _weighted(rng: np.random.Generator) -> Data:
    pred, target, _ = _overlapping(rng)
    return pred, target, {"weights": rng.uniform(0.5, 2.0, size=(5,))}


def _disjoint(rng: np.random.Generator) -> Data:
    import numpy as np

    pred, target, _ = _overlapping(rng)
    pred[0] = target[0] + np.array([5.0, 4.0, 5.5, 4.2])  # far right and above
    return pred, target, {}


def _same_aspect(rng: np.random.Generator) -> Data:
    """CIoU rows: the prediction has its target's aspect ratio, so v = 0 there.

    CIoU's alpha is a stop-gradient constant, so its true gradient is not the finite
    difference of its value unless d(alpha) v = 0; at v = 0 (dv = 0 too, v being a
    square) the two agree and the row checks every other term. The aspect term's
    gradient is checked in test_detection.py::test_ciou_alpha_is_stop_gradient.
    """
    import numpy as np

    pred, target, extra = _overlapping(rng)
    size = target[:, 2:] - target[:, :2]
    pred[:, 2:] = pred[:, :2] + size * rng.uniform(0.7, 1.3, size=(5, 1))
    pred[0] = target[0] + np.array([5.0, 4.0, 5.0, 4.0])  # one disjoint pair
    return pred, target, extra


def _cxcywh_detection(rng: np.random.Generator) -> Data:
    pred, target, extra = _overlapping(rng)
    return (
        box_convert(pred, "xyxy", "cxcywh"),
        box_convert(target, "xyxy", "cxcywh"),
        extra,
    )


def _concentric(rng: np.random.Generator) -> Data:
    """Wise-IoU rows: each prediction shares its target's centre, sizes differ.

    Wise-IoU detaches the enclosing diagonal of R_WIoU; at coincident centres
    rho^2 = 0 and its gradient is 0 too, so the detached denominator does not change
    the gradient and finite differences apply (as CIoU's v = 0 rows above).
    """
    import numpy as np

    pred, target, extra = _overlapping(rng)
    centre = 0.5 * (target[:, :2] + target[:, 2:])
    half = 0.5 * (pred[:, 2:] - pred[:, :2])
    return np.concatenate([centre - half, centre + half], axis=-1), target, extra


LOSSES: tuple[LossInfo, ...] = (
    LossInfo(
        iou_loss,
        _iou_cases,
        rows=(
            Row("iou", _overlapping, jit=True, compile="aot_eager"),
            Row("iou-log-weighted", _weighted, {"mode": "log"}),
            Row("iou-square-none", _overlapping, {"mode": "square", "reduction": "none"}),
        ),
    ),
    LossInfo(
        giou_loss,
        _giou_cases,
        rows=(
            Row("giou", _disjoint, compile="aot_eager"),
            Row(
                "giou-cxcywh-weighted-sum",
                _cxcywh_detection,
                {"box_format": "cxcywh", "reduction": "sum"},
            ),
        ),
    ),
    LossInfo(
        diou_loss,
        _diou_cases,
        rows=(
            Row("diou", _disjoint, compile="aot_eager"),
            Row("diou-weighted-none", _weighted, {"reduction": "none"}),
        ),
    ),
    LossInfo(
        ciou_loss,
        _ciou_cases,
        rows=(
            Row("ciou", _same_aspect, jit=True, compile="aot_eager"),
            Row("ciou-weighted-none", _same_aspect, {"reduction": "none"}),
        ),
    ),
    LossInfo(
        eiou_loss,
        _eiou_cases,
        rows=(
            Row("eiou", _disjoint, jit=True, compile="aot_eager"),
            Row("eiou-weighted-none", _weighted, {"reduction": "none"}),
        ),
    ),
    LossInfo(
        focal_eiou_loss,
        _focal_eiou_cases,
        rows=(
            Row("focal-eiou", _overlapping, compile="aot_eager"),
            Row("focal-eiou-gamma1-sum", _weighted, {"gamma": 1.0, "reduction": "sum"}),
        ),
    ),
    LossInfo(
        siou_loss,
        _siou_cases,
        rows=(
            Row("siou", _overlapping, jit=True, compile="aot_eager"),
            Row("siou-cxcywh-theta2", _cxcywh_detection, {"box_format": "cxcywh", "theta": 2.0}),
        ),
    ),
    LossInfo(
        alpha_iou_loss,
        _alpha_iou_cases,
        rows=(
            Row("alpha-iou", _overlapping, compile="aot_eager"),
            Row("alpha-iou-giou-none", _disjoint, {"penalty": "giou", "reduction": "none"}),
            Row("alpha-iou-diou-half", _weighted, {"penalty": "diou", "alpha": 0.5}),
            Row("alpha-iou-ciou", _same_aspect, {"penalty": "ciou"}),
        ),
    ),
    LossInfo(
        wise_iou_loss,
        _wise_iou_cases,
        returns_state=True,
        state="state",
        rows=(
            Row("wise-iou-v1", _concentric, {"version": 1}, compile="aot_eager"),
            Row("wise-iou-v1-weighted-none", _concentric, {"version": 1, "reduction": "none"}),
        ),
    ),
    LossInfo(
        box_convert,
        _box_convert_cases,
    ),
    LossInfo(
        box_area,
        _box_area_cases,
    ),
    LossInfo(
        box_iou,
        _pairwise_cases,
    ),
    LossInfo(
        generalized_box_iou,
        _pairwise_cases,
    ),
)
