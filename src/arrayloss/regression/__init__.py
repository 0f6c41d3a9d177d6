"""Regression losses on ``(preds, targets)``: pointwise losses and robust losses."""

from __future__ import annotations

from ._adaptive_robust import adaptive_robust_loss
from ._pointwise import (
    gaussian_nll_loss,
    huber_loss,
    log_cosh_loss,
    mae_loss,
    mape_loss,
    mse_loss,
    msle_loss,
    poisson_nll_loss,
    quantile_loss,
    smooth_l1_loss,
)
from ._robust import (
    barron_loss,
    cauchy_loss,
    charbonnier_loss,
    geman_mcclure_loss,
    tukey_biweight_loss,
    welsch_loss,
    wing_loss,
)

__all__ = [
    "adaptive_robust_loss",
    "barron_loss",
    "cauchy_loss",
    "charbonnier_loss",
    "gaussian_nll_loss",
    "geman_mcclure_loss",
    "huber_loss",
    "log_cosh_loss",
    "mae_loss",
    "mape_loss",
    "mse_loss",
    "msle_loss",
    "poisson_nll_loss",
    "quantile_loss",
    "smooth_l1_loss",
    "tukey_biweight_loss",
    "welsch_loss",
    "wing_loss",
]
