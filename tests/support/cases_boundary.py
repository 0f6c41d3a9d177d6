"""Transformation-suite rows for the distance-based boundary losses.

The distance maps are piecewise constant in the logits (they depend on a mask
thresholded at 0.5), so the logits are drawn with every probability well away from
0.5: the maps do not change within a finite-difference step and the loss is smooth
there. Erosion counts are kept small: each erosion is a few dozen traced operations.
"""

from __future__ import annotations

import numpy as np

import arrayloss as al

from .case import Case, Data


def _logits(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    # |logit| in [1, 3]: sigmoid/softmax probabilities stay away from the 0.5 threshold
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(1.0, 3.0, size=shape)


def _boundary(rng: np.random.Generator) -> Data:
    labels = rng.integers(0, 3, size=(2, 5, 6))
    phi = al.signed_distance_map(np.eye(3)[labels], axes=(1, 2))
    return _logits(rng, (2, 5, 6, 3)), phi, {}


def _boundary_binary(rng: np.random.Generator) -> Data:
    mask = rng.integers(0, 2, size=(2, 5, 6))
    phi = al.signed_distance_map(mask, spacing=(0.5, 1.5))
    return _logits(rng, (2, 1, 5, 6)), phi, {"weights": rng.uniform(0.5, 2.0, size=(2, 1))}


def _multiclass(rng: np.random.Generator) -> Data:
    labels = rng.integers(0, 3, size=(2, 5, 6))
    return _softmax_safe(rng, (2, 5, 6, 3)), labels, {}


def _softmax_safe(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Multiclass logits (classes last): one class at 3 plus noise, the others in [-1, 0].

    Its softmax probability is above 0.85 and the others below 0.1: none near 0.5.
    """
    x = rng.uniform(-1.0, 0.0, size=shape)
    win = rng.integers(0, shape[-1], size=shape[:-1])
    return np.where(np.eye(shape[-1])[win] > 0, 3.0 + rng.uniform(0.0, 0.5, size=shape), x)


def _multiclass_ignore(rng: np.random.Generator) -> Data:
    logits, labels, _ = _multiclass(rng)
    labels[0, 1, ::2] = -1
    return logits, labels, {"class_weights": rng.uniform(0.5, 2.0, size=(3,))}


def _multilabel_first(rng: np.random.Generator) -> Data:
    labels = rng.integers(0, 2, size=(2, 2, 5, 4))
    return _logits(rng, (2, 2, 5, 4)), labels, {}


def _volume(rng: np.random.Generator) -> Data:
    labels = rng.integers(0, 2, size=(1, 3, 4, 3))
    return _softmax_safe(rng, (1, 3, 4, 3, 2)), labels, {}


def _rrwmap(rng: np.random.Generator) -> Data:
    logits, labels, _ = _multiclass(rng)
    return logits, labels, {"rrwmap": rng.uniform(-1.0, 1.0, size=logits.shape)}


CASES: list[Case] = [
    Case("boundary", al.boundary_loss, _boundary, compile="aot_eager", eager_jit=True),
    Case(
        "boundary-binary-axis1", al.boundary_loss, _boundary_binary, {"mode": "binary", "axis": 1}
    ),
    Case(
        "hausdorff-dt",
        al.hausdorff_dt_loss,
        _multiclass,
        {"include_background": False},
        compile="aot_eager",
        eager_jit=True,
    ),
    Case(
        "hausdorff-dt-multilabel-none",
        al.hausdorff_dt_loss,
        _multilabel_first,
        {"mode": "multilabel", "axis": 1, "alpha": 1.0, "reduction": "none"},
    ),
    Case(
        "hausdorff-dt-ignore-cw",
        al.hausdorff_dt_loss,
        _multiclass_ignore,
        {"ignore_index": -1, "spacing": (0.7, 1.2)},
    ),
    Case("hausdorff-er", al.hausdorff_er_loss, _multiclass, {"erosions": 3}, compile="aot_eager"),
    Case(
        "hausdorff-er-3d-none",
        al.hausdorff_er_loss,
        _volume,
        {"erosions": 2, "reduction": "none"},
        eager_jit=True,
    ),
    Case(
        "region-wise",
        al.region_wise_loss,
        _multiclass_ignore,
        {"ignore_index": -1},
        compile="aot_eager",
        eager_jit=True,
    ),
    Case("region-wise-rrwmap-sum", al.region_wise_loss, _rrwmap, {"reduction": "sum"}),
    Case("region-wise-3d", al.region_wise_loss, _volume, {"include_background": False}),
]
