"""Transformation-suite rows for the foundation losses (issue 2)."""

from __future__ import annotations

from typing import Any

import numpy as np

import arrayloss as al

from .case import Case


def _softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _regression(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    return rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), {}


def _regression_weighted(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, dict]:
    preds, targets, _ = _regression(rng)
    return preds, targets, {"weights": rng.uniform(0.5, 2.0, size=(4,))}


def _class_index(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, dict]:
    labels = rng.integers(0, 5, size=(6,))
    labels[[1, 4]] = -100  # ignored positions
    return rng.normal(size=(6, 5)), labels, {}


def _class_index_weighted(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, dict]:
    logits, labels, _ = _class_index(rng)
    return logits, labels, {"class_weights": rng.uniform(0.5, 2.0, size=(5,))}


def _class_index_channels_first(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, dict]:
    labels = rng.integers(0, 4, size=(2, 3))
    labels[0, 1] = 255
    weights = rng.uniform(0.5, 2.0, size=(2, 3))
    return rng.normal(size=(2, 4, 3)), labels, {"weights": weights}


def _class_probs(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, dict]:
    return rng.normal(size=(4, 5)), _softmax(rng.normal(size=(4, 5))), {}


def _binary(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, dict]:
    labels = rng.integers(0, 2, size=(3, 4)).astype(np.float64)
    return rng.normal(size=(3, 4)), labels, {}


def _binary_soft(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, dict]:
    return rng.normal(size=(3, 4)), rng.uniform(0.1, 0.9, size=(3, 4)), {}


def _binary_probs(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, dict]:
    labels = rng.integers(0, 2, size=(3, 4)).astype(np.float64)
    weights = rng.uniform(0.5, 2.0, size=(3, 1))
    return rng.uniform(0.05, 0.95, size=(3, 4)), labels, {"weights": weights}


def _dice_index(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, dict]:
    labels = rng.integers(0, 3, size=(2, 6))
    labels[1, 2] = -1
    return rng.normal(size=(2, 6, 3)), labels, {"class_weights": rng.uniform(0.5, 2.0, size=(3,))}


def _dice_onehot(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, dict]:
    labels = np.eye(3)[rng.integers(0, 3, size=(2, 6))]
    return rng.normal(size=(2, 6, 3)), labels, {}


def _dice_multilabel(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, dict]:
    labels = rng.integers(0, 2, size=(2, 3, 6))
    return rng.normal(size=(2, 3, 6)), labels, {}


def _dice_binary(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, dict]:
    labels = rng.integers(0, 2, size=(2, 5)).astype(np.float64)
    return rng.normal(size=(2, 5, 1)), labels, {"weights": rng.uniform(0.5, 2.0, size=(2, 1))}


CASES: list[Case] = [
    Case("mse", al.mse_loss, _regression),
    Case(
        "mse-weights-none",
        al.mse_loss,
        _regression_weighted,
        {"reduction": "none"},
        eager_jit=True,
        compile="aot_eager",
    ),
    Case("huber", al.huber_loss, _regression, {"delta": 0.5}, compile="aot_eager"),
    Case(
        "huber-weights-sum",
        al.huber_loss,
        _regression_weighted,
        {"reduction": "sum"},
        eager_jit=True,
    ),
    Case(
        "ce-ignore-smoothing",
        al.cross_entropy,
        _class_index,
        {"ignore_index": -100, "label_smoothing": 0.1},
    ),
    Case(
        "ce-class-weights-ignore-smoothing",
        al.cross_entropy,
        _class_index_weighted,
        {"ignore_index": -100, "label_smoothing": 0.2},
        eager_jit=True,
        compile="inductor",
    ),
    Case(
        "ce-axis1-weights-none",
        al.cross_entropy,
        _class_index_channels_first,
        {"axis": 1, "ignore_index": 255, "reduction": "none"},
        eager_jit=True,
    ),
    Case(
        "ce-probs-smoothing",
        al.cross_entropy,
        _class_probs,
        {"label_smoothing": 0.1},
        eager_jit=True,
    ),
    Case(
        "bce-pos-weight-smoothing",
        al.binary_cross_entropy,
        _binary,
        {"pos_weight": 2.0, "label_smoothing": 0.1},
        compile="aot_eager",
    ),
    Case(
        "bce-probs-weights",
        al.binary_cross_entropy,
        _binary_probs,
        {"from_logits": False},
        eager_jit=True,
    ),
    Case(
        "focal-ignore",
        al.focal_loss,
        _class_index,
        {"gamma": 2.0, "ignore_index": -100},
        eager_jit=True,
        compile="aot_eager",
    ),
    Case("focal-probs-gamma-half", al.focal_loss, _class_probs, {"gamma": 0.5}),
    Case(
        "binary-focal",
        al.binary_focal_loss,
        _binary,
        {"gamma": 2.0, "alpha": 0.25},
        compile="inductor",
    ),
    Case(
        "binary-focal-soft-gamma-half",
        al.binary_focal_loss,
        _binary_soft,
        {"gamma": 0.5, "alpha": None, "reduction": "none"},
        eager_jit=True,
    ),
    Case(
        "binary-focal-probs",
        al.binary_focal_loss,
        _binary_probs,
        {"from_logits": False, "gamma": 1.5},
    ),
    Case(
        "dice-multiclass-ignore-class-weights",
        al.dice_loss,
        _dice_index,
        {"ignore_index": -1, "include_background": False},
        eager_jit=True,
        compile="aot_eager",
    ),
    Case("dice-onehot-batch", al.dice_loss, _dice_onehot, {"batch_dice": True, "smooth": 1.0}),
    Case(
        "dice-multilabel-none",
        al.dice_loss,
        _dice_multilabel,
        {"mode": "multilabel", "axis": 1, "reduction": "none"},
        eager_jit=True,
    ),
    Case("dice-binary-weights", al.dice_loss, _dice_binary, {"mode": "binary"}),
]
