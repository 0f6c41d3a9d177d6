"""Catalogue entries for the issue-3 regression losses (pointwise, ``preds``/``targets``)."""

from __future__ import annotations

from ._catalogue import Case, LossInfo, _rng

__all__ = ["ENTRIES"]


def _mae_cases() -> list[Case]:
    rng = _rng(31)
    preds, targets = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    weights = rng.uniform(0.5, 2.0, size=(3,))
    return [
        Case("mean", (preds, targets)),
        Case("weights (3,), sum", (preds, targets), {"weights": weights, "reduction": "sum"}),
        Case("none", (preds, targets), {"reduction": "none"}),
    ]


def _smooth_l1_cases() -> list[Case]:
    rng = _rng(32)
    preds, targets = 2.0 * rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    return [
        Case("beta=1, mean", (preds, targets)),
        Case("beta=0.5, none", (preds, targets), {"beta": 0.5, "reduction": "none"}),
        Case("beta=0 (L1), sum", (preds, targets), {"beta": 0.0, "reduction": "sum"}),
    ]


def _log_cosh_cases() -> list[Case]:
    rng = _rng(33)
    preds, targets = 3.0 * rng.normal(size=(4, 4)), rng.normal(size=(4, 4))
    outliers = preds.copy()
    outliers[0, :2] = [500.0, -300.0]
    return [
        Case("mean", (preds, targets)),
        Case("outliers at |e| ~ 500, none", (outliers, targets), {"reduction": "none"}),
    ]


def _quantile_cases() -> list[Case]:
    rng = _rng(34)
    preds, targets = rng.normal(size=(6, 2)), rng.normal(size=(6, 2))
    weights = rng.uniform(0.5, 2.0, size=(6, 1))
    return [
        Case("median (0.5)", (preds, targets)),
        Case(
            "quantile=0.9, weights (6, 1)", (preds, targets), {"quantile": 0.9, "weights": weights}
        ),
        Case("quantile=0.1, none", (preds, targets), {"quantile": 0.1, "reduction": "none"}),
    ]


def _msle_cases() -> list[Case]:
    rng = _rng(35)
    preds, targets = rng.uniform(0.0, 10.0, size=(4, 3)), rng.uniform(0.0, 10.0, size=(4, 3))
    negative = preds.copy()
    negative[0, 0] = -0.5
    return [
        Case("mean", (preds, targets)),
        Case("a negative prediction (clipped), none", (negative, targets), {"reduction": "none"}),
    ]


def _mape_cases() -> list[Case]:
    rng = _rng(36)
    targets = rng.uniform(1.0, 10.0, size=(4, 3)) * rng.choice([-1.0, 1.0], size=(4, 3))
    preds = targets + rng.normal(size=(4, 3))
    zero = targets.copy()
    zero[1, 1] = 0.0
    return [
        Case("mean", (preds, targets)),
        Case("a zero target, eps=1e-3, none", (preds, zero), {"eps": 1e-3, "reduction": "none"}),
    ]


def _poisson_cases() -> list[Case]:
    rng = _rng(37)
    log_rate = rng.normal(size=(4, 3))
    counts = rng.poisson(2.0, size=(4, 3)).astype("int64")
    counts[0, :3] = [0, 1, 0]
    rate = rng.uniform(0.1, 4.0, size=(4, 3))
    return [
        Case("log_input, mean", (log_rate, counts)),
        Case("log_input, full, none", (log_rate, counts), {"full": True, "reduction": "none"}),
        Case(
            "rate, full, sum",
            (rate, counts),
            {"log_input": False, "full": True, "reduction": "sum"},
        ),
    ]


def _gaussian_cases() -> list[Case]:
    rng = _rng(38)
    preds, targets = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    var = rng.uniform(0.1, 2.0, size=(5, 3))
    row_var = rng.uniform(0.1, 2.0, size=(5,))
    return [
        Case("var per element", (preds, targets, var)),
        Case(
            "var per row (5,), full, none",
            (preds, targets, row_var),
            {"full": True, "reduction": "none"},
        ),
        Case("var (1, 3), eps=0.2", (preds, targets, var[:1]), {"eps": 0.2}),
    ]


ENTRIES: tuple[LossInfo, ...] = (
    LossInfo(
        "mae_loss",
        "regression",
        "Mean absolute error (L1)",
        "Laplace 1774; Stigler, Stat. Sci. 1986, doi:10.1214/ss/1177013620",
        _mae_cases,
    ),
    LossInfo(
        "smooth_l1_loss",
        "regression",
        "Quadratic below beta, L1 above (torch semantics)",
        "Girshick, Fast R-CNN, ICCV 2015, arXiv:1504.08083",
        _smooth_l1_cases,
    ),
    LossInfo(
        "log_cosh_loss",
        "regression",
        "log cosh of the error: smooth, robust, stable at large errors",
        "Chen et al., 2019, openreview.net/forum?id=rkglvsC9Ym",
        _log_cosh_cases,
    ),
    LossInfo(
        "quantile_loss",
        "regression",
        "Pinball loss for a given quantile",
        "Koenker & Bassett, Econometrica 1978, doi:10.2307/1913643",
        _quantile_cases,
    ),
    LossInfo(
        "msle_loss",
        "regression",
        "Mean squared logarithmic error (negatives clipped to 0)",
        "Keras mean_squared_logarithmic_error",
        _msle_cases,
    ),
    LossInfo(
        "mape_loss",
        "regression",
        "Mean absolute percentage error, as a fraction",
        "de Myttenaere et al., Neurocomputing 2016, doi:10.1016/j.neucom.2015.12.114",
        _mape_cases,
    ),
    LossInfo(
        "poisson_nll_loss",
        "regression",
        "Poisson negative log-likelihood of counts (torch semantics)",
        "McCullagh & Nelder, Generalized Linear Models 1989, doi:10.1201/9780203753736",
        _poisson_cases,
    ),
    LossInfo(
        "gaussian_nll_loss",
        "regression",
        "Gaussian negative log-likelihood with predicted variance (torch semantics)",
        "Nix & Weigend, ICNN 1994, doi:10.1109/ICNN.1994.374138",
        _gaussian_cases,
    ),
)
