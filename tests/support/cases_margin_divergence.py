"""Transformation-suite rows for the margin (hinge) losses and the divergences."""

from __future__ import annotations

import numpy as np

import arrayloss as al

from .case import Case, Data


def _binary01(rng: np.random.Generator) -> Data:
    labels = rng.integers(0, 2, size=(3, 4)).astype(np.float64)
    return rng.normal(size=(3, 4)), labels, {"weights": rng.uniform(0.5, 2.0, size=(4,))}


def _binary_pm1(rng: np.random.Generator) -> Data:
    labels = 2 * rng.integers(0, 2, size=(3, 4)) - 1  # int64 in {-1, 1}
    return 1.5 * rng.normal(size=(3, 4)), labels, {}


def _multiclass(rng: np.random.Generator) -> Data:
    labels = rng.integers(0, 5, size=(6,))
    labels[[1, 4]] = -100
    return rng.normal(size=(6, 5)), labels, {}


def _multiclass_axis1(rng: np.random.Generator) -> Data:
    labels = rng.integers(0, 4, size=(2, 3))
    extra = {"class_weights": rng.uniform(0.5, 2.0, size=(4,))}
    return rng.normal(size=(2, 4, 3)), labels, extra


def _distribution(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    t = rng.uniform(0.05, 1.0, size=shape)
    t.reshape(-1)[::3] = 0.0  # exact zeros: 0 log 0 = 0
    return t / t.sum(axis=-1, keepdims=True)


def _kl_logits(rng: np.random.Generator) -> Data:
    return 2.0 * rng.normal(size=(4, 5)), _distribution(rng, (4, 5)), {}


def _kl_probs(rng: np.random.Generator) -> Data:
    q = rng.uniform(0.05, 1.0, size=(3, 4))
    weights = rng.uniform(0.5, 2.0, size=(3,))
    return q / q.sum(axis=-1, keepdims=True), _distribution(rng, (3, 4)), {"weights": weights}


CASES: list[Case] = [
    Case("hinge-01-weights", al.hinge_loss, _binary01, compile="aot_eager"),
    Case(
        "hinge-pm1-margin-none",
        al.hinge_loss,
        _binary_pm1,
        {"margin": 0.5, "reduction": "none"},
        eager_jit=True,
    ),
    Case("squared-hinge-01-weights", al.squared_hinge_loss, _binary01, compile="aot_eager"),
    Case(
        "squared-hinge-pm1-sum",
        al.squared_hinge_loss,
        _binary_pm1,
        {"reduction": "sum"},
        eager_jit=True,
    ),
    Case(
        "mc-hinge-cs-ignore",
        al.multiclass_hinge_loss,
        _multiclass,
        {"ignore_index": -100},
        compile="aot_eager",
    ),
    Case(
        "mc-hinge-ww-ignore",
        al.multiclass_hinge_loss,
        _multiclass,
        {"ignore_index": -100, "kind": "weston_watkins", "margin": 0.5},
    ),
    Case(
        "mc-hinge-ww-axis1-cw-none",
        al.multiclass_hinge_loss,
        _multiclass_axis1,
        {"axis": 1, "kind": "weston_watkins", "reduction": "none"},
        eager_jit=True,
    ),
    Case("kl-logits-zero-targets", al.kl_divergence, _kl_logits, compile="aot_eager"),
    Case(
        "kl-probs-weights-none",
        al.kl_divergence,
        _kl_probs,
        {"from_logits": False, "reduction": "none"},
        eager_jit=True,
    ),
    Case("js-logits-zero-targets", al.js_divergence, _kl_logits, compile="aot_eager"),
    Case(
        "js-probs-weights-sum",
        al.js_divergence,
        _kl_probs,
        {"from_logits": False, "reduction": "sum"},
        eager_jit=True,
    ),
]
