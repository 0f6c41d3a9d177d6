"""Transformation-suite rows for PolyLoss and the noisy-label losses."""

from __future__ import annotations

import numpy as np

import arrayloss as al

from .case import Case


def _softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _index(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, dict]:
    labels = rng.integers(0, 5, size=(6,))
    labels[[1, 4]] = -100  # ignored positions
    return rng.normal(size=(6, 5)), labels, {}


def _index_channels_first(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, dict]:
    labels = rng.integers(0, 4, size=(2, 3))
    labels[0, 1] = 255
    weights = rng.uniform(0.5, 2.0, size=(2, 3))
    return rng.normal(size=(2, 4, 3)), labels, {"weights": weights}


def _index_alpha(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, dict]:
    logits, labels, _ = _index(rng)
    return logits, labels, {"alpha": rng.uniform(0.25, 1.0, size=(5,))}


def _probs(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, dict]:
    return rng.normal(size=(4, 5)), _softmax(rng.normal(size=(4, 5))), {}


def _onehot_weighted(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, dict]:
    labels = np.eye(5)[rng.integers(0, 5, size=(4,))]
    return rng.normal(size=(4, 5)), labels, {"weights": rng.uniform(0.5, 2.0, size=(4,))}


def _binary_soft(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, dict]:
    labels = rng.uniform(0.1, 0.9, size=(3, 4))
    return rng.normal(size=(3, 4)), labels, {"weights": rng.uniform(0.5, 2.0, size=(4,))}


CASES: list[Case] = [
    Case(
        "poly1-ce-ignore-smoothing",
        al.poly1_cross_entropy,
        _index,
        {"ignore_index": -100, "label_smoothing": 0.1, "epsilon": 2.0},
        eager_jit=True,
        compile="aot_eager",
    ),
    Case("poly1-ce-probs-eps-1", al.poly1_cross_entropy, _probs, {"epsilon": -1.0}),
    Case(
        "poly1-focal-alpha-ignore",
        al.poly1_focal_loss,
        _index_alpha,
        {"ignore_index": -100, "gamma": 1.5},
        compile="aot_eager",
    ),
    Case(
        "poly1-focal-axis1-none",
        al.poly1_focal_loss,
        _index_channels_first,
        {"axis": 1, "ignore_index": 255, "reduction": "none"},
    ),
    Case("poly1-focal-probs-gamma0.5", al.poly1_focal_loss, _probs, {"gamma": 0.5}),
    Case(
        "poly1-focal-smoothing-ignore",
        al.poly1_focal_loss,
        _index_alpha,
        {"ignore_index": -100, "gamma": 0.5, "label_smoothing": 0.1},
    ),
    Case(
        "binary-poly1-focal-soft",
        al.binary_poly1_focal_loss,
        _binary_soft,
        {"epsilon": -1.0, "gamma": 0.5},
        compile="aot_eager",
    ),
    Case(
        "gce-ignore",
        al.generalized_cross_entropy,
        _index,
        {"ignore_index": -100, "q": 0.7},
        eager_jit=True,
        compile="aot_eager",
    ),
    Case(
        "gce-axis1-small-q-sum",
        al.generalized_cross_entropy,
        _index_channels_first,
        {"axis": 1, "ignore_index": 255, "q": 0.01, "reduction": "sum"},
    ),
    Case("gce-probs", al.generalized_cross_entropy, _probs, {"q": 0.5}),
    Case(
        "sce-ignore",
        al.symmetric_cross_entropy,
        _index,
        {"ignore_index": -100, "alpha": 0.5, "beta": 1.0},
        compile="aot_eager",
    ),
    Case(
        "sce-onehot-weights",
        al.symmetric_cross_entropy,
        _onehot_weighted,
        {"log_zero": -4.0},
        eager_jit=True,
    ),
]
