"""Transformation-suite rows for the issue-3 regression losses.

Inputs stay away from each loss's kinks (|d| = 0, |d| = beta, the clip at 0 of MSLE)
so central finite differences see one smooth piece.
"""

from __future__ import annotations

import numpy as np

import arrayloss as al

from .case import Case, Data


def _normal(rng: np.random.Generator) -> Data:
    return 2.0 * rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), {}


def _normal_weighted(rng: np.random.Generator) -> Data:
    preds, targets, _ = _normal(rng)
    return preds, targets, {"weights": rng.uniform(0.5, 2.0, size=(4,))}


def _outliers(rng: np.random.Generator) -> Data:
    preds, targets, _ = _normal(rng)
    preds[0, :2] = [400.0, -250.0]  # log-cosh far in its linear regime
    return preds, targets, {}


def _positive(rng: np.random.Generator) -> Data:
    return rng.uniform(0.2, 5.0, size=(3, 4)), rng.uniform(0.0, 5.0, size=(3, 4)), {}


def _mape(rng: np.random.Generator) -> Data:
    targets = rng.uniform(1.0, 5.0, size=(3, 4)) * rng.choice([-1.0, 1.0], size=(3, 4))
    return targets + rng.normal(size=(3, 4)), targets, {}


def _counts(rng: np.random.Generator) -> Data:
    counts = rng.poisson(2.0, size=(3, 4)).astype(np.float64)
    counts[0, :2] = [0.0, 1.0]  # zero counts; the Stirling term only for y > 1
    return rng.normal(size=(3, 4)), counts, {}


def _rates(rng: np.random.Generator) -> Data:
    _, counts, _ = _counts(rng)
    return rng.uniform(0.2, 4.0, size=(3, 4)), counts, {}


def _gaussian(rng: np.random.Generator) -> Data:
    preds, targets, _ = _normal(rng)
    return preds, targets, {"var": rng.uniform(0.2, 2.0, size=(3, 4))}


def _gaussian_rows(rng: np.random.Generator) -> Data:
    preds, targets, _ = _normal(rng)
    weights = rng.uniform(0.5, 2.0, size=(3, 1))
    return preds, targets, {"var": rng.uniform(0.2, 2.0, size=(3,)), "weights": weights}


CASES: list[Case] = [
    Case("mae", al.mae_loss, _normal, compile="aot_eager"),
    Case("mae-weighted-none", al.mae_loss, _normal_weighted, {"reduction": "none"}),
    Case("smooth-l1", al.smooth_l1_loss, _normal, compile="aot_eager", eager_jit=True),
    Case("smooth-l1-beta0.3-weighted", al.smooth_l1_loss, _normal_weighted, {"beta": 0.3}),
    Case("smooth-l1-beta0-none", al.smooth_l1_loss, _normal, {"beta": 0.0, "reduction": "none"}),
    Case("log-cosh", al.log_cosh_loss, _normal, compile="aot_eager"),
    Case("log-cosh-outliers-none", al.log_cosh_loss, _outliers, {"reduction": "none"}),
    Case("quantile-0.9", al.quantile_loss, _normal, {"quantile": 0.9}, compile="aot_eager"),
    Case(
        "quantile-0.2-weighted-sum",
        al.quantile_loss,
        _normal_weighted,
        {"quantile": 0.2, "reduction": "sum"},
    ),
    Case("msle", al.msle_loss, _positive, compile="aot_eager"),
    Case("msle-none", al.msle_loss, _positive, {"reduction": "none"}),
    Case("mape", al.mape_loss, _mape, compile="aot_eager"),
    Case("mape-eps-none", al.mape_loss, _mape, {"eps": 1e-3, "reduction": "none"}),
    Case("poisson", al.poisson_nll_loss, _counts, compile="aot_eager"),
    Case(
        "poisson-full-none",
        al.poisson_nll_loss,
        _counts,
        {"full": True, "reduction": "none"},
        eager_jit=True,
    ),
    Case("poisson-rate-full", al.poisson_nll_loss, _rates, {"log_input": False, "full": True}),
    Case("gaussian", al.gaussian_nll_loss, _gaussian, compile="aot_eager", eager_jit=True),
    Case(
        "gaussian-row-var-full-none",
        al.gaussian_nll_loss,
        _gaussian_rows,
        {"full": True, "eps": 0.3, "reduction": "none"},
    ),
]
