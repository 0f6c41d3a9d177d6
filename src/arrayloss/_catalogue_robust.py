"""Catalogue entries for the robust regression losses (``arrayloss list`` / ``check``)."""

from __future__ import annotations

from ._catalogue import Case, LossInfo, _rng

__all__ = ["ENTRIES"]


def _charbonnier_cases() -> list[Case]:
    rng = _rng(31)
    preds, targets = 2.0 * rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    weights = rng.uniform(0.5, 2.0, size=(4, 1))
    return [
        Case("eps=1e-3, mean", (preds, targets)),
        Case(
            "eps=1, weights (4, 1), none",
            (preds, targets),
            {"eps": 1.0, "weights": weights, "reduction": "none"},
        ),
    ]


def _scale_cases(seed: int) -> list[Case]:
    rng = _rng(seed)
    preds, targets = 3.0 * rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    weights = rng.uniform(0.5, 2.0, size=(5, 4))
    return [
        Case("scale=1, mean", (preds, targets)),
        Case(
            "scale=2, weighted sum",
            (preds, targets),
            {"scale": 2.0, "weights": weights, "reduction": "sum"},
        ),
        Case("scale=0.5, none", (preds, targets), {"scale": 0.5, "reduction": "none"}),
    ]


def _cauchy_cases() -> list[Case]:
    return _scale_cases(32)


def _geman_mcclure_cases() -> list[Case]:
    return _scale_cases(33)


def _welsch_cases() -> list[Case]:
    return _scale_cases(34)


def _tukey_cases() -> list[Case]:
    rng = _rng(35)
    preds, targets = 4.0 * rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    return [
        Case("c=4.685 (some beyond c), mean", (preds, targets)),
        Case("c=1.5, none", (preds, targets), {"c": 1.5, "reduction": "none"}),
    ]


def _wing_cases() -> list[Case]:
    rng = _rng(36)
    preds, targets = 4.0 * rng.normal(size=(6, 2)), rng.normal(size=(6, 2))
    weights = rng.uniform(0.5, 2.0, size=(2,))
    return [
        Case("width=5, curvature=0.5, mean", (preds, targets)),
        Case(
            "width=2, curvature=1, weights (2,), sum",
            (preds, targets),
            {"width": 2.0, "curvature": 1.0, "weights": weights, "reduction": "sum"},
        ),
    ]


def _barron_cases() -> list[Case]:
    import numpy as np

    rng = _rng(37)
    preds, targets = 3.0 * rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    alpha = np.array([-np.inf, 0.0, 1.0, 2.0])
    scale = rng.uniform(0.5, 2.0, size=(4,))
    return [
        Case("alpha=1 (pseudo-Huber), mean", (preds, targets), {"alpha": 1.0}),
        Case(
            "alpha=-2, scale=0.5, none",
            (preds, targets),
            {"alpha": -2.0, "scale": 0.5, "reduction": "none"},
        ),
        Case(
            "alpha=2+1e-6 (near L2), sum",
            (preds, targets),
            {"alpha": 2.0 + 1e-6, "reduction": "sum"},
        ),
        Case(
            "array alpha (-inf, 0, 1, 2) and scale (4,), mean",
            (preds, targets),
            {"alpha": alpha, "scale": scale},
        ),
    ]


ENTRIES: tuple[LossInfo, ...] = (
    LossInfo(
        "charbonnier_loss",
        "regression",
        "Smooth L1: sqrt(x^2 + eps^2) - eps, robust to outliers, smooth at 0",
        "Charbonnier et al., ICIP 1994, doi:10.1109/ICIP.1994.413553",
        _charbonnier_cases,
    ),
    LossInfo(
        "cauchy_loss",
        "regression",
        "Logarithmic growth: outliers get a vanishing gradient (Barron alpha=0)",
        "Black & Anandan, CVIU 1996, doi:10.1006/cviu.1996.0006",
        _cauchy_cases,
    ),
    LossInfo(
        "geman_mcclure_loss",
        "regression",
        "Bounded by 2: gross outliers are ignored (Barron alpha=-2)",
        "Geman & McClure, Proc. ASA 1985",
        _geman_mcclure_cases,
    ),
    LossInfo(
        "welsch_loss",
        "regression",
        "Bounded by 1, Gaussian influence: strongest outlier rejection (Barron alpha=-inf)",
        "Dennis & Welsch, Comm. Stat. 1978, doi:10.1080/03610917808812083",
        _welsch_cases,
    ),
    LossInfo(
        "tukey_biweight_loss",
        "regression",
        "Redescending: constant with zero gradient beyond c",
        "Beaton & Tukey, Technometrics 1974, doi:10.1080/00401706.1974.10489171",
        _tukey_cases,
    ),
    LossInfo(
        "wing_loss",
        "regression",
        "Log for small errors, L1 for large: landmark localization",
        "Feng et al., CVPR 2018, arXiv:1711.06753",
        _wing_cases,
    ),
    LossInfo(
        "barron_loss",
        "regression",
        "General robust loss; alpha (and scale) may be arrays learned with the model",
        "Barron, CVPR 2019, arXiv:1701.03077",
        _barron_cases,
    ),
)
