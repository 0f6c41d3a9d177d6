"""Transformation-suite rows for the active and conditional boundary losses.

The loss is smooth in the logits away from the boundary threshold: the labels are
coherent blobs (so the distance weights are nonzero) and the thresholds (a fixed
epsilon, or the adaptive one on its 1.2 ladder) sit away from the divergences the
inputs produce, so the boundary set does not change within a finite-difference
step. The target directions come from the labels (no gradient). The rows pass
``detach=False``: with the default detached neighbours the gradient is by design
not the derivative of the value, which the finite-difference checks compare. The
conditional boundary loss is smooth in the features (nonzero features, so the
cosines are smooth); its logits only pick the correctly classified neighbours.
"""

from __future__ import annotations

import numpy as np

import arrayloss as al

from .case import Case, Data


def _blobs(rng: np.random.Generator, shape: tuple[int, ...], classes: int) -> np.ndarray:
    noise = rng.normal(size=(*shape, classes))
    for ax in (1, 2):
        noise = noise + np.roll(noise, 1, axis=ax) + np.roll(noise, -1, axis=ax)
    return np.argmax(noise, axis=-1)


def _abl(rng: np.random.Generator) -> Data:
    labels = _blobs(rng, (2, 6, 7), 3)
    return rng.normal(0.0, 1.5, size=(2, 6, 7, 3)), labels, {}


def _abl_first_ignore(rng: np.random.Generator) -> Data:
    labels = _blobs(rng, (2, 6, 7), 3)
    labels[1, 2, 3] = -1
    extra = {"distance": rng.uniform(0.5, 4.0, size=(2, 6, 7))}
    extra["weights"] = rng.uniform(0.5, 2.0, size=(2, 6, 7))
    return rng.normal(0.0, 1.5, size=(2, 3, 6, 7)), labels, extra


def _cbl(rng: np.random.Generator) -> Data:
    labels = _blobs(rng, (2, 8, 9), 3)
    logits = 2.0 * (labels[..., None] == np.arange(3)) + rng.normal(size=(2, 8, 9, 3))
    extra = {
        "logits": logits,
        "classifier_weight": rng.normal(size=(3, 4)),
        "classifier_bias": rng.normal(size=3),
    }
    return rng.normal(size=(2, 8, 9, 4)), labels, extra


def _cbl_first_ignore(rng: np.random.Generator) -> Data:
    labels = _blobs(rng, (2, 8, 9), 3)
    labels[0, 3, 4] = -1
    logits = 2.0 * (labels[..., None] == np.arange(3)) + rng.normal(size=(2, 8, 9, 3))
    extra = {"logits": np.moveaxis(logits, -1, 1), "classifier_weight": rng.normal(size=(3, 5))}
    return rng.normal(size=(2, 5, 8, 9)), labels, extra


CASES: list[Case] = [
    Case(
        "active-boundary",
        al.active_boundary_loss,
        _abl,
        {"max_ratio": 0.3, "theta": 2.0, "detach": False},
        compile="aot_eager",
        eager_jit=True,
    ),
    Case(
        "active-boundary-axis1-ignore-distance",
        al.active_boundary_loss,
        _abl_first_ignore,
        {
            "axis": 1,
            "ignore_index": -1,
            "theta": 2.0,
            "max_ratio": None,
            "epsilon": 0.05,
            "detach": False,
        },
    ),
    Case(
        "conditional-boundary",
        al.conditional_boundary_loss,
        _cbl,
        {"detach": False},
        compile="aot_eager",
        eager_jit=True,
    ),
    Case(
        "conditional-boundary-axis1-ignore-k3",
        al.conditional_boundary_loss,
        _cbl_first_ignore,
        {"axis": 1, "ignore_index": -1, "kernel_size": 3, "detach": False},
    ),
]
