"""Transformation-suite rows for the robust regression losses.

Residuals are ~N(0, 5) so every loss sees both its quadratic bowl and its robust tail
(Tukey's constant beyond ``c``, Wing's linear piece); none lands within 1e-6 of a kink
(Wing at 0 and at ``|x| = width``), so central finite differences see one smooth piece.
Barron's array ``alpha`` holds the special values (-inf, 0, 2) next to ordinary ones.
"""

from __future__ import annotations

import numpy as np

import arrayloss as al

from .case import Case, Data


def _residuals(rng: np.random.Generator) -> Data:
    return 2.0 * rng.normal(size=(3, 4)), 2.0 * rng.normal(size=(3, 4)), {}


def _residuals_weighted(rng: np.random.Generator) -> Data:
    preds, targets, _ = _residuals(rng)
    return preds, targets, {"weights": rng.uniform(0.5, 2.0, size=(3, 1))}


def _learnable(rng: np.random.Generator) -> Data:
    """Per-dimension alpha (special values included) and scale, as in adaptive training."""
    preds, targets, _ = _residuals(rng)
    alpha = np.array([-np.inf, 0.0, 2.0, rng.uniform(-3.0, 3.0)])
    scale = rng.uniform(0.5, 2.0, size=(4,))
    return preds, targets, {"alpha": alpha, "scale": scale}


def _learnable_near_special(rng: np.random.Generator) -> Data:
    preds, targets, _ = _residuals(rng)
    alpha = np.array([-1e-6, 1e-6, 2.0 - 1e-6, 2.0 + 1e-6])[rng.permutation(4)]
    return preds, targets, {"alpha": alpha, "scale": rng.uniform(0.5, 2.0, size=(3, 1))}


CASES: list[Case] = [
    Case("charbonnier", al.charbonnier_loss, _residuals, {"eps": 0.5}, compile="aot_eager"),
    Case(
        "charbonnier-default-eps-none",
        al.charbonnier_loss,
        _residuals_weighted,
        {"reduction": "none"},
    ),
    Case("cauchy", al.cauchy_loss, _residuals, {"scale": 1.5}, compile="aot_eager"),
    Case(
        "geman-mcclure-weighted",
        al.geman_mcclure_loss,
        _residuals_weighted,
        {"scale": 2.0},
        compile="aot_eager",
    ),
    Case("welsch-none", al.welsch_loss, _residuals, {"reduction": "none"}, compile="aot_eager"),
    Case(
        "tukey-beyond-c",
        al.tukey_biweight_loss,
        _residuals_weighted,
        {"c": 2.5},
        eager_jit=True,
        compile="aot_eager",
    ),
    Case("wing", al.wing_loss, _residuals, {"width": 2.0, "curvature": 0.5}, compile="aot_eager"),
    Case("wing-default-sum", al.wing_loss, _residuals, {"reduction": "sum"}),
    Case("barron-alpha-1", al.barron_loss, _residuals, {"alpha": 1.0, "scale": 0.7}),
    Case("barron-alpha-0", al.barron_loss, _residuals_weighted, {"alpha": 0.0}),
    Case("barron-alpha-neg-inf-none", al.barron_loss, _residuals, {"alpha": -np.inf}),
    Case("barron-alpha-3", al.barron_loss, _residuals, {"alpha": 3.0, "reduction": "none"}),
    Case(
        "barron-array-alpha-scale",
        al.barron_loss,
        _learnable,
        {},
        eager_jit=True,
        compile="aot_eager",
    ),
    Case(
        "barron-array-near-special",
        al.barron_loss,
        _learnable_near_special,
        {"reduction": "none"},
        eager_jit=True,
    ),
]
