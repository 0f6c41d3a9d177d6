"""Transformation-suite rows for the issue-4 region losses (region level I).

Logits are normal draws, so softmax/sigmoid are smooth and every class has predicted
mass: each loss is one smooth piece around the draw (no 0/0 branch, no power at 0)
and finite differences apply.
"""

from __future__ import annotations

import numpy as np

import arrayloss as al

from .case import Case, Data

DISTANCE = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.4], [1.0, 0.4, 0.0]])


def _index(rng: np.random.Generator) -> Data:
    """(N=2, H=3, W=2, C=3) logits, integer labels with one ignored position."""
    labels = rng.integers(0, 3, size=(2, 3, 2))
    labels[1, 0, 1] = -1
    return rng.normal(size=(2, 3, 2, 3)), labels, {}


def _index_class_weights(rng: np.random.Generator) -> Data:
    logits, labels, _ = _index(rng)
    return logits, labels, {"class_weights": rng.uniform(0.5, 2.0, size=(3,))}


def _channels_first(rng: np.random.Generator) -> Data:
    """(N=2, C=3, S=5) logits, integer labels, per-sample weights."""
    labels = rng.integers(0, 3, size=(2, 5))
    return rng.normal(size=(2, 3, 5)), labels, {"weights": rng.uniform(0.5, 2.0, size=(2, 1))}


def _multilabel(rng: np.random.Generator) -> Data:
    return rng.normal(size=(2, 3, 6)), rng.integers(0, 2, size=(2, 3, 6)).astype(np.float64), {}


def _binary(rng: np.random.Generator) -> Data:
    return rng.normal(size=(2, 5, 1)), rng.integers(0, 2, size=(2, 5)).astype(np.float64), {}


def _onehot_volume(rng: np.random.Generator) -> Data:
    """(N=2, D=2, H=2, W=2, C=3) volume with one-hot float targets."""
    labels = np.eye(3)[rng.integers(0, 3, size=(2, 2, 2, 2))]
    return rng.normal(size=(2, 2, 2, 2, 3)), labels, {}


def _sample_weights(rng: np.random.Generator) -> Data:
    logits, labels, _ = _index(rng)
    return logits, labels, {"weights": rng.uniform(0.5, 2.0, size=(2,))}


def _gwdl(rng: np.random.Generator) -> Data:
    logits, labels, _ = _index(rng)
    return logits, labels, {"distance_matrix": DISTANCE}


def _gwdl_first(rng: np.random.Generator) -> Data:
    labels = rng.integers(0, 3, size=(2, 5))
    return rng.normal(size=(2, 3, 5)), labels, {"distance_matrix": 2.0 * DISTANCE}


CASES: list[Case] = [
    Case(
        "jaccard-ignore-class-weights",
        al.jaccard_loss,
        _index_class_weights,
        {"ignore_index": -1, "include_background": False},
        eager_jit=True,
        compile="aot_eager",
    ),
    Case("jaccard-multilabel-none", al.jaccard_loss, _multilabel, {"mode": "multilabel"}),
    Case(
        "tversky-axis1-weights",
        al.tversky_loss,
        _channels_first,
        {"alpha": 0.3, "beta": 0.7, "axis": 1},
        compile="aot_eager",
    ),
    Case("tversky-binary-batch", al.tversky_loss, _binary, {"mode": "binary", "batch_dice": True}),
    Case(
        "focal-tversky-ignore",
        al.focal_tversky_loss,
        _index,
        {"ignore_index": -1, "reduction": "none"},
        eager_jit=True,
        compile="aot_eager",
    ),
    Case("focal-tversky-volume", al.focal_tversky_loss, _onehot_volume, {"gamma": 0.5}),
    Case("log-cosh-dice", al.log_cosh_dice_loss, _onehot_volume, compile="aot_eager"),
    Case(
        "log-cosh-dice-multilabel-batch",
        al.log_cosh_dice_loss,
        _multilabel,
        {"mode": "multilabel", "axis": 1, "batch_dice": True},
    ),
    Case(
        "sensitivity-specificity-ignore",
        al.sensitivity_specificity_loss,
        _index,
        {"ignore_index": -1, "r": 0.2},
        compile="aot_eager",
    ),
    Case(
        "sensitivity-specificity-multilabel-none",
        al.sensitivity_specificity_loss,
        _multilabel,
        {"mode": "multilabel", "axis": 1, "reduction": "none"},
    ),
    Case(
        "mcc-ignore",
        al.mcc_loss,
        _index,
        {"ignore_index": -1},
        eager_jit=True,
        compile="aot_eager",
    ),
    Case("mcc-binary-none", al.mcc_loss, _binary, {"mode": "binary", "reduction": "none"}),
    Case(
        "generalized-dice-ignore-weights",
        al.generalized_dice_loss,
        _sample_weights,
        {"ignore_index": -1},
        compile="aot_eager",
    ),
    Case(
        "generalized-dice-simple-volume-batch",
        al.generalized_dice_loss,
        _onehot_volume,
        {"weight_type": "simple", "batch_dice": True},
    ),
    Case(
        "gwdl-ignore",
        al.generalized_wasserstein_dice_loss,
        _gwdl,
        {"ignore_index": -1, "reduction": "none"},
        eager_jit=True,
        compile="aot_eager",
    ),
    Case(
        "gwdl-gdl-axis1",
        al.generalized_wasserstein_dice_loss,
        _gwdl_first,
        {"weighting_mode": "GDL", "axis": 1},
    ),
]
