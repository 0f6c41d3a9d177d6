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
]
