"""Transformation-suite rows for nll_loss and focal_loss's lam / label smoothing /
class_weights="balanced" (issue 3)."""

from __future__ import annotations

import numpy as np

import arrayloss as al

from .case import Case, Data


def _log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def _nll_index(rng: np.random.Generator) -> Data:
    labels = rng.integers(0, 4, size=(2, 3))
    labels[0, 1] = -100
    cw = rng.uniform(0.5, 2.0, size=(4,))
    return _log_softmax(rng.normal(size=(2, 4, 3)), 1), labels, {"class_weights": cw}


def _nll_index_balanced(rng: np.random.Generator) -> Data:
    log_probs, labels, _ = _nll_index(rng)
    return log_probs, labels, {}


def _nll_probs(rng: np.random.Generator) -> Data:
    q = rng.uniform(0.05, 1.0, size=(4, 5))
    return _log_softmax(rng.normal(size=(4, 5)), 1), q / q.sum(axis=1, keepdims=True), {}


def _class_index(rng: np.random.Generator) -> Data:
    labels = rng.integers(0, 5, size=(6,))
    labels[[1, 4]] = -100
    return rng.normal(size=(6, 5)), labels, {"weights": rng.uniform(0.5, 2.0, size=(6,))}


def _class_index_alpha(rng: np.random.Generator) -> Data:
    logits, labels, _ = _class_index(rng)
    return logits, labels, {"alpha": rng.uniform(0.2, 1.0, size=(5,))}


def _class_probs(rng: np.random.Generator) -> Data:
    q = rng.uniform(0.05, 1.0, size=(4, 5))
    return rng.normal(size=(4, 5)), q / q.sum(axis=1, keepdims=True), {}


CASES: list[Case] = [
    Case(
        "nll-axis1-cw-ignore",
        al.nll_loss,
        _nll_index,
        {"axis": 1, "ignore_index": -100},
        eager_jit=True,
        compile="aot_eager",
    ),
    Case("nll-probs-none", al.nll_loss, _nll_probs, {"reduction": "none"}),
    Case(
        "nll-balanced-sum",
        al.nll_loss,
        _nll_index_balanced,
        {"axis": 1, "ignore_index": -100, "class_weights": "balanced", "reduction": "sum"},
    ),
    Case(
        "focal-lam-gamma-half",
        al.focal_loss,
        _class_index_alpha,
        {"lam": 1.5, "gamma": 0.5, "ignore_index": -100},
        eager_jit=True,
    ),
    Case(
        "focal-smoothing-balanced-lam",
        al.focal_loss,
        _class_index,
        {"label_smoothing": 0.1, "class_weights": "balanced", "lam": 2.0, "ignore_index": -100},
        eager_jit=True,
    ),
    Case(
        "focal-probs-smoothing-lam-none",
        al.focal_loss,
        _class_probs,
        {"label_smoothing": 0.2, "lam": 1.25, "gamma": 0.7, "reduction": "none"},
    ),
    Case(
        "ce-balanced-smoothing",
        al.cross_entropy,
        _class_index,
        {"class_weights": "balanced", "label_smoothing": 0.1, "ignore_index": -100},
    ),
]
