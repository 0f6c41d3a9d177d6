"""Transformation-suite rows for the active boundary loss.

The loss is smooth in the logits away from the boundary threshold: the labels are
coherent blobs (so the distance weights are nonzero) and epsilon sits far from every
divergence the inputs produce, so the boundary set does not change within a
finite-difference step. The target directions come from the labels (no gradient).
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


CASES: list[Case] = [
    Case(
        "active-boundary",
        al.active_boundary_loss,
        _abl,
        {"epsilon": 1e-9},
        compile="aot_eager",
        eager_jit=True,
    ),
    Case(
        "active-boundary-axis1-ignore-distance",
        al.active_boundary_loss,
        _abl_first_ignore,
        {"axis": 1, "ignore_index": -1, "theta": 2.0},
    ),
]
