"""Transformation-suite rows for the pixel-level and Lovasz segmentation losses.

Logits are drawn continuous, so the per-pixel errors are distinct (no ties in the
sorts of topk and Lovasz) and every loss is one smooth piece around the draw.
"""

from __future__ import annotations

import numpy as np

import arrayloss as al

from .case import Case, Data


def _nhwc(rng: np.random.Generator) -> Data:
    logits = rng.normal(0.0, 1.5, size=(2, 3, 4, 3))
    return logits, rng.integers(0, 3, size=(2, 3, 4)), {}


def _nchw_ignore(rng: np.random.Generator) -> Data:
    logits = rng.normal(0.0, 1.5, size=(2, 3, 3, 4))
    labels = rng.integers(0, 3, size=(2, 3, 4))
    labels[0, 0, :2] = -100
    return logits, labels, {}


def _weighted(rng: np.random.Generator) -> Data:
    logits, labels, _ = _nhwc(rng)
    return logits, labels, {"class_weights": rng.uniform(0.5, 2.0, size=(3,))}


def _distance(rng: np.random.Generator) -> Data:
    logits, labels, _ = _nhwc(rng)
    return logits, labels, {"distance_map": rng.uniform(0.0, 3.0, size=labels.shape)}


def _binary(rng: np.random.Generator) -> Data:
    logits = rng.normal(0.0, 1.5, size=(3, 4, 5))
    return logits, rng.integers(0, 2, size=(3, 4, 5)), {}


def _dw(logits: object, labels: object, *, distance_map: object, **kw: object) -> object:
    return al.distance_weighted_cross_entropy(logits, labels, distance_map, **kw)


CASES: list[Case] = [
    Case("topk", al.topk_loss, _nhwc, {"k": 0.3}, compile="aot_eager", eager_jit=True),
    Case(
        "topk-nchw-ignore-none",
        al.topk_loss,
        _nchw_ignore,
        {"k": 0.5, "axis": 1, "ignore_index": -100, "reduction": "none"},
    ),
    Case("topk-class-weights", al.topk_loss, _weighted, {"k": 0.4, "label_smoothing": 0.1}),
    Case("distance-ce", _dw, _distance, compile="aot_eager"),
    Case("distance-ce-none", _dw, _distance, {"reduction": "none", "label_smoothing": 0.1}),
    Case("robust-t", al.robust_t_loss, _binary, compile="aot_eager", eager_jit=True),
    Case("robust-t-nu4-none", al.robust_t_loss, _binary, {"nu": 4.0, "reduction": "none"}),
    Case("lovasz-softmax", al.lovasz_softmax_loss, _nhwc, compile="aot_eager", eager_jit=True),
    Case(
        "lovasz-softmax-nchw-ignore-per-image",
        al.lovasz_softmax_loss,
        _nchw_ignore,
        {"axis": 1, "ignore_index": -100, "per_image": True, "classes": "all"},
    ),
    Case("lovasz-hinge", al.lovasz_hinge_loss, _binary, compile="aot_eager"),
    Case("lovasz-hinge-pooled", al.lovasz_hinge_loss, _binary, {"per_image": False}),
]
