"""Catalogue entry for the region mutual information loss."""

from __future__ import annotations

from ._catalogue import Case, LossInfo, _rng

__all__ = ["ENTRIES"]


def _rmi_cases() -> list[Case]:
    """Channels-last multiclass with an ignored strip, channels-first multilabel with max
    pooling and sample weights, and a 3-D binary volume."""
    import numpy as np

    rng = _rng(0)
    labels = rng.integers(0, 3, size=(2, 9, 9))
    labels[1, 0, :4] = 255
    return [
        Case(
            "multiclass, ignore_index, defaults",
            (rng.normal(size=(2, 9, 9, 3)), labels),
            {"ignore_index": 255},
        ),
        Case(
            "multilabel, axis=1, max pool, weights, none",
            (
                rng.normal(size=(2, 2, 8, 8)),
                rng.integers(0, 2, size=(2, 2, 8, 8)).astype(np.float64),
            ),
            {
                "mode": "multilabel",
                "axis": 1,
                "stride": 2,
                "radius": 2,
                "pool": "max",
                "weights": np.array([1.0, 0.5]),
                "reduction": "none",
            },
        ),
        Case(
            "binary 3-D volume, stride 1",
            (rng.normal(size=(1, 4, 4, 4, 1)), rng.integers(0, 2, size=(1, 4, 4, 4))),
            {"mode": "binary", "stride": 1, "radius": 2},
        ),
    ]


ENTRIES: tuple[LossInfo, ...] = (
    LossInfo(
        "region_mutual_information_loss",
        "segmentation",
        "Sigmoid BCE plus a lower bound on the mutual information of local regions",
        "Zhao et al. 2019, arXiv:1910.12037",
        _rmi_cases,
    ),
)
