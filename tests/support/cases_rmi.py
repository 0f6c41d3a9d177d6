"""Transformation-suite rows for the region mutual information loss.

Logits are normal draws and pooling is mostly ``"avg"`` (smooth); the max-pooled row's
windows hold continuous draws, so no ties. The RMI term's pivots sit well above the
``eps`` clamp for random maps, so the loss is one smooth piece around each draw.
"""

from __future__ import annotations

import numpy as np

import arrayloss as al

from .case import Case, Data


def _index(rng: np.random.Generator) -> Data:
    """(N=2, H=6, W=5, C=2) logits, integer labels with one ignored position."""
    labels = rng.integers(0, 2, size=(2, 6, 5))
    labels[1, 0, 1] = -1
    return rng.normal(size=(2, 6, 5, 2)), labels, {}


def _channels_first(rng: np.random.Generator) -> Data:
    """(N=2, C=2, H=6, W=6) multilabel logits, per-sample weights."""
    labels = rng.integers(0, 2, size=(2, 2, 6, 6)).astype(np.float64)
    return rng.normal(size=(2, 2, 6, 6)), labels, {"weights": rng.uniform(0.5, 2.0, size=(2,))}


CASES: list[Case] = [
    Case(
        "rmi-ignore-avg",
        al.region_mutual_information_loss,
        _index,
        {"ignore_index": -1, "stride": 2, "radius": 2},
        eager_jit=True,
        compile="aot_eager",
    ),
    Case(
        "rmi-multilabel-axis1-max",
        al.region_mutual_information_loss,
        _channels_first,
        {"mode": "multilabel", "axis": 1, "stride": 2, "radius": 2, "pool": "max"},
    ),
]
