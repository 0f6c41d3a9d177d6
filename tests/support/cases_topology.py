"""Transformation-suite rows for clDice and Boundary DoU (issue 4).

The skeleton and the boundary are min/max morphology, piecewise smooth: continuous
random logits put no two distinct positions at the same value, so each row is one
smooth piece around the draw and finite differences apply. Ties only occur between a
value and itself (the edge of a window), which do not break differentiability.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import arrayloss as al

from .case import Case, Data


def _multiclass_2d(rng: np.random.Generator) -> Data:
    labels = rng.integers(0, 3, size=(2, 5, 6))
    labels[0, 1, 2] = -1  # ignored
    return rng.normal(size=(2, 3, 5, 6)), labels, {}


def _binary_3d(rng: np.random.Generator) -> Data:
    labels = rng.integers(0, 2, size=(2, 4, 3, 5, 1)).astype(np.float64)
    return rng.normal(size=(2, 4, 3, 5, 1)), labels, {"weights": rng.uniform(0.5, 2.0, (2, 1))}


def _multilabel_nhwc(rng: np.random.Generator) -> Data:
    labels = rng.integers(0, 2, size=(2, 5, 4, 2))
    return rng.normal(size=(2, 5, 4, 2)), labels, {"class_weights": rng.uniform(0.5, 2.0, (2,))}


def _transform(rng: np.random.Generator) -> Data:
    # InverseForm takes one array; the second positional slot carries nothing
    theta = np.eye(3) + 0.3 * rng.normal(size=(4, 3, 3))
    return theta, np.zeros(()), {"weights": rng.uniform(0.5, 2.0, size=(4,))}


def _inverseform(transform: Any, _unused: Any, **kwargs: Any) -> Any:
    return al.inverseform_loss(transform, **kwargs)


CASES: list[Case] = [
    Case(
        "cldice-multiclass-ignore",
        al.cldice_loss,
        _multiclass_2d,
        {"axis": 1, "ignore_index": -1, "iterations": 2},
        compile="aot_eager",
    ),
    Case(
        "cldice-binary-3d-none",
        al.cldice_loss,
        _binary_3d,
        {"mode": "binary", "iterations": 1, "reduction": "none"},
    ),
    Case(
        "cldice-multilabel-batch",
        al.cldice_loss,
        _multilabel_nhwc,
        {"mode": "multilabel", "batch_dice": True, "iterations": 1, "smooth": 0.5},
    ),
    Case(
        "bdou-multiclass-ignore",
        al.boundary_dou_loss,
        _multiclass_2d,
        {"axis": 1, "ignore_index": -1, "include_background": False},
        eager_jit=True,
        compile="aot_eager",
    ),
    Case("bdou-binary-3d", al.boundary_dou_loss, _binary_3d, {"mode": "binary"}),
    Case(
        "bdou-multilabel-batch-none",
        al.boundary_dou_loss,
        _multilabel_nhwc,
        {"mode": "multilabel", "batch_dice": True, "alpha_max": 0.5, "reduction": "none"},
        eager_jit=True,
    ),
    Case(
        "inverseform-matrix-weights",
        _inverseform,
        _transform,
        {},
        eager_jit=True,
        compile="aot_eager",
    ),
]
