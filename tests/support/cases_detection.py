"""Transformation-suite rows for the issue-6 box losses.

Boxes overlap partially, with every corner distinct from its partner, so each loss is
one smooth piece around the draw (no max/min ties) and finite differences apply. Some
rows use a disjoint pair to exercise GIoU/DIoU's enclosing-box terms.
"""

from __future__ import annotations

import numpy as np

import arrayloss as al

from .case import Case, Data


def _xyxy(rng: np.random.Generator, n: int = 5) -> np.ndarray:
    xy = rng.uniform(-2.0, 2.0, size=(n, 2))
    return np.concatenate([xy, xy + rng.uniform(1.0, 3.0, size=(n, 2))], axis=-1)


def _overlapping(rng: np.random.Generator) -> Data:
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
    pred, target, extra = _overlapping(rng)
    size = target[:, 2:] - target[:, :2]
    pred[:, 2:] = pred[:, :2] + size * rng.uniform(0.7, 1.3, size=(5, 1))
    pred[0] = target[0] + np.array([5.0, 4.0, 5.0, 4.0])  # one disjoint pair
    return pred, target, extra


def _cxcywh(rng: np.random.Generator) -> Data:
    pred, target, extra = _overlapping(rng)
    return (
        al.box_convert(pred, "xyxy", "cxcywh"),
        al.box_convert(target, "xyxy", "cxcywh"),
        extra,
    )


def _concentric(rng: np.random.Generator) -> Data:
    """Wise-IoU rows: each prediction shares its target's centre, sizes differ.

    Wise-IoU detaches the enclosing diagonal of R_WIoU; at coincident centres
    rho^2 = 0 and its gradient is 0 too, so the detached denominator does not change
    the gradient and finite differences apply (as CIoU's v = 0 rows above).
    """
    pred, target, extra = _overlapping(rng)
    centre = 0.5 * (target[:, :2] + target[:, 2:])
    half = 0.5 * (pred[:, 2:] - pred[:, :2])
    return np.concatenate([centre - half, centre + half], axis=-1), target, extra


def _wise_iou(boxes: object, target_boxes: object, **kwargs: object) -> object:
    """The loss of ``wise_iou_loss``'s ``(loss, new_iou_mean)``."""
    return al.wise_iou_loss(boxes, target_boxes, **kwargs)[0]  # type: ignore[arg-type]


CASES: list[Case] = [
    Case("iou", al.iou_loss, _overlapping, compile="aot_eager", eager_jit=True),
    Case("iou-log-weighted", al.iou_loss, _weighted, {"mode": "log"}),
    Case("iou-square-none", al.iou_loss, _overlapping, {"mode": "square", "reduction": "none"}),
    Case("giou", al.giou_loss, _disjoint, compile="aot_eager"),
    Case(
        "giou-cxcywh-weighted-sum",
        al.giou_loss,
        _cxcywh,
        {"box_format": "cxcywh", "reduction": "sum"},
    ),
    Case("diou", al.diou_loss, _disjoint, compile="aot_eager"),
    Case("diou-weighted-none", al.diou_loss, _weighted, {"reduction": "none"}),
    Case("ciou", al.ciou_loss, _same_aspect, compile="aot_eager", eager_jit=True),
    Case("ciou-weighted-none", al.ciou_loss, _same_aspect, {"reduction": "none"}),
    Case("eiou", al.eiou_loss, _disjoint, compile="aot_eager", eager_jit=True),
    Case("eiou-weighted-none", al.eiou_loss, _weighted, {"reduction": "none"}),
    Case("focal-eiou", al.focal_eiou_loss, _overlapping, compile="aot_eager"),
    Case(
        "focal-eiou-gamma1-sum", al.focal_eiou_loss, _weighted, {"gamma": 1.0, "reduction": "sum"}
    ),
    Case("siou", al.siou_loss, _overlapping, compile="aot_eager", eager_jit=True),
    Case("siou-cxcywh-theta2", al.siou_loss, _cxcywh, {"box_format": "cxcywh", "theta": 2.0}),
    Case("alpha-iou", al.alpha_iou_loss, _overlapping, compile="aot_eager"),
    Case(
        "alpha-iou-giou-none",
        al.alpha_iou_loss,
        _disjoint,
        {"penalty": "giou", "reduction": "none"},
    ),
    Case("alpha-iou-diou-half", al.alpha_iou_loss, _weighted, {"penalty": "diou", "alpha": 0.5}),
    Case("alpha-iou-ciou", al.alpha_iou_loss, _same_aspect, {"penalty": "ciou"}),
    Case("wise-iou-v1", _wise_iou, _concentric, {"version": 1}, compile="aot_eager"),
    Case("wise-iou-v1-weighted-none", _wise_iou, _concentric, {"version": 1, "reduction": "none"}),
]
