"""The registry of the regression losses: each loss with its small deterministic cases.

``arrayloss list``/``check``, the cross-cutting test suites and ``arrayloss bench``
read ``LOSSES``. Each :class:`~arrayloss._lib._case.LossInfo` holds the loss, a function
that builds its float64 NumPy cases, and the transformation rows (:class:`Row`: inputs
drawn from a seeded generator, smooth around the draw, so finite differences apply).
NumPy is imported inside the functions that build arrays.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .._lib._case import Case, Data, LossInfo, Row, generator
from . import (
    adaptive_robust_loss,
    barron_loss,
    cauchy_loss,
    charbonnier_loss,
    gaussian_nll_loss,
    geman_mcclure_loss,
    huber_loss,
    log_cosh_loss,
    mae_loss,
    mape_loss,
    mse_loss,
    msle_loss,
    poisson_nll_loss,
    quantile_loss,
    smooth_l1_loss,
    tukey_biweight_loss,
    welsch_loss,
    wing_loss,
)

if TYPE_CHECKING:
    import numpy as np


def _mse_cases() -> list[Case]:
    rng = generator(1)
    preds, targets = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    weights = rng.uniform(0.5, 2.0, size=(4, 1))
    return [
        Case("mean", (preds, targets)),
        Case("sum, weights (4, 1)", (preds, targets), {"weights": weights, "reduction": "sum"}),
        Case("none", (preds, targets), {"reduction": "none"}),
    ]


def _huber_cases() -> list[Case]:
    rng = generator(2)
    preds, targets = 2.0 * rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    weights = rng.uniform(0.5, 2.0, size=(5, 4))
    return [
        Case("delta=1, mean", (preds, targets)),
        Case("delta=0.5, weighted mean", (preds, targets), {"delta": 0.5, "weights": weights}),
        Case("delta=2, none", (preds, targets), {"delta": 2.0, "reduction": "none"}),
    ]


def _mae_cases() -> list[Case]:
    rng = generator(31)
    preds, targets = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    weights = rng.uniform(0.5, 2.0, size=(3,))
    return [
        Case("mean", (preds, targets)),
        Case("weights (3,), sum", (preds, targets), {"weights": weights, "reduction": "sum"}),
        Case("none", (preds, targets), {"reduction": "none"}),
    ]


def _smooth_l1_cases() -> list[Case]:
    rng = generator(32)
    preds, targets = 2.0 * rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    return [
        Case("beta=1, mean", (preds, targets)),
        Case("beta=0.5, none", (preds, targets), {"beta": 0.5, "reduction": "none"}),
        Case("beta=0 (L1), sum", (preds, targets), {"beta": 0.0, "reduction": "sum"}),
    ]


def _log_cosh_cases() -> list[Case]:
    rng = generator(33)
    preds, targets = 3.0 * rng.normal(size=(4, 4)), rng.normal(size=(4, 4))
    outliers = preds.copy()
    outliers[0, :2] = [500.0, -300.0]
    return [
        Case("mean", (preds, targets)),
        Case("outliers at |e| ~ 500, none", (outliers, targets), {"reduction": "none"}),
    ]


def _quantile_cases() -> list[Case]:
    rng = generator(34)
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
    rng = generator(35)
    preds, targets = rng.uniform(0.0, 10.0, size=(4, 3)), rng.uniform(0.0, 10.0, size=(4, 3))
    negative = preds.copy()
    negative[0, 0] = -0.5
    return [
        Case("mean", (preds, targets)),
        Case("a negative prediction (clipped), none", (negative, targets), {"reduction": "none"}),
    ]


def _mape_cases() -> list[Case]:
    rng = generator(36)
    targets = rng.uniform(1.0, 10.0, size=(4, 3)) * rng.choice([-1.0, 1.0], size=(4, 3))
    preds = targets + rng.normal(size=(4, 3))
    zero = targets.copy()
    zero[1, 1] = 0.0
    return [
        Case("mean", (preds, targets)),
        Case("a zero target, eps=1e-3, none", (preds, zero), {"eps": 1e-3, "reduction": "none"}),
    ]


def _poisson_cases() -> list[Case]:
    rng = generator(37)
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
    rng = generator(38)
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


def _charbonnier_cases() -> list[Case]:
    rng = generator(31)
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
    rng = generator(seed)
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
    rng = generator(35)
    preds, targets = 4.0 * rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    return [
        Case("c=4.685 (some beyond c), mean", (preds, targets)),
        Case("c=1.5, none", (preds, targets), {"c": 1.5, "reduction": "none"}),
    ]


def _wing_cases() -> list[Case]:
    rng = generator(36)
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

    rng = generator(37)
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


def _regression(rng: np.random.Generator) -> Data:
    return rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), {}


def _regression_weighted(rng: np.random.Generator) -> Data:
    preds, targets, _ = _regression(rng)
    return preds, targets, {"weights": rng.uniform(0.5, 2.0, size=(4,))}


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
    import numpy as np

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


def _residuals(rng: np.random.Generator) -> Data:
    return 2.0 * rng.normal(size=(3, 4)), 2.0 * rng.normal(size=(3, 4)), {}


def _residuals_weighted(rng: np.random.Generator) -> Data:
    preds, targets, _ = _residuals(rng)
    return preds, targets, {"weights": rng.uniform(0.5, 2.0, size=(3, 1))}


def _learnable(rng: np.random.Generator) -> Data:
    """Per-dimension alpha (special values included) and scale, as in adaptive training."""
    import numpy as np

    preds, targets, _ = _residuals(rng)
    alpha = np.array([-np.inf, 0.0, 2.0, rng.uniform(-3.0, 3.0)])
    scale = rng.uniform(0.5, 2.0, size=(4,))
    return preds, targets, {"alpha": alpha, "scale": scale}


def _learnable_near_special(rng: np.random.Generator) -> Data:
    import numpy as np

    preds, targets, _ = _residuals(rng)
    alpha = np.array([-1e-6, 1e-6, 2.0 - 1e-6, 2.0 + 1e-6])[rng.permutation(4)]
    return preds, targets, {"alpha": alpha, "scale": rng.uniform(0.5, 2.0, size=(3, 1))}


# -- adaptive robust loss -----------------------------------------------------
# alpha on the table's nodes (multiples of 1/512): there the interpolated log Z is the
# quadrature itself, so the float64 reference (direct quadrature) holds to 1e-10; the
# interpolation between nodes is tested in tests/regression/test_adaptive_robust.py.


def _adaptive_robust_cases() -> list[Case]:
    import numpy as np

    rng = generator(60)
    x = 2.0 * rng.normal(size=(5, 4))
    return [
        Case("alpha=1, scale=1, mean", (x,), {"alpha": 1.0, "scale": 1.0}),
        Case(
            "alpha=0 (Cauchy), scale=0.5, none",
            (x,),
            {"alpha": 0.0, "scale": 0.5, "reduction": "none"},
        ),
        Case("alpha=2 (normal), sum", (x,), {"alpha": 2.0, "scale": 2.0, "reduction": "sum"}),
        Case(
            "array alpha (4,) and scale (4,), weights",
            (x,),
            {
                "alpha": np.array([0.0, 0.5, 2.0, 4.0]),
                "scale": np.array([0.5, 1.0, 1.5, 3.0]),
                "weights": rng.uniform(0.5, 2.0, size=(5, 1)),
            },
        ),
    ]


def _learnable_shape(rng: np.random.Generator) -> Data:
    import numpy as np

    x = 2.0 * rng.normal(size=(3, 4))
    return x, None, {"alpha": np.array([0.5, 1.0, 1.5, 3.0]), "scale": rng.uniform(0.5, 2.0, (4,))}


LOSSES: tuple[LossInfo, ...] = (
    LossInfo(
        mse_loss,
        _mse_cases,
        rows=(
            Row("mse", _regression),
            Row(
                "mse-weights-none",
                _regression_weighted,
                {"reduction": "none"},
                jit=True,
                compile="aot_eager",
            ),
        ),
    ),
    LossInfo(
        huber_loss,
        _huber_cases,
        rows=(
            Row("huber", _regression, {"delta": 0.5}, compile="aot_eager"),
            Row("huber-weights-sum", _regression_weighted, {"reduction": "sum"}, jit=True),
        ),
    ),
    LossInfo(
        mae_loss,
        _mae_cases,
        rows=(
            Row("mae", _normal, compile="aot_eager"),
            Row("mae-weighted-none", _normal_weighted, {"reduction": "none"}),
        ),
    ),
    LossInfo(
        smooth_l1_loss,
        _smooth_l1_cases,
        rows=(
            Row("smooth-l1", _normal, jit=True, compile="aot_eager"),
            Row("smooth-l1-beta0.3-weighted", _normal_weighted, {"beta": 0.3}),
            Row("smooth-l1-beta0-none", _normal, {"beta": 0.0, "reduction": "none"}),
        ),
    ),
    LossInfo(
        log_cosh_loss,
        _log_cosh_cases,
        rows=(
            Row("log-cosh", _normal, compile="aot_eager"),
            Row("log-cosh-outliers-none", _outliers, {"reduction": "none"}),
        ),
    ),
    LossInfo(
        quantile_loss,
        _quantile_cases,
        rows=(
            Row("quantile-0.9", _normal, {"quantile": 0.9}, compile="aot_eager"),
            Row(
                "quantile-0.2-weighted-sum",
                _normal_weighted,
                {"quantile": 0.2, "reduction": "sum"},
            ),
        ),
    ),
    LossInfo(
        msle_loss,
        _msle_cases,
        rows=(
            Row("msle", _positive, compile="aot_eager"),
            Row("msle-none", _positive, {"reduction": "none"}),
        ),
    ),
    LossInfo(
        mape_loss,
        _mape_cases,
        rows=(
            Row("mape", _mape, compile="aot_eager"),
            Row("mape-eps-none", _mape, {"eps": 1e-3, "reduction": "none"}),
        ),
    ),
    LossInfo(
        poisson_nll_loss,
        _poisson_cases,
        rows=(
            Row("poisson", _counts, compile="aot_eager"),
            Row("poisson-full-none", _counts, {"full": True, "reduction": "none"}, jit=True),
            Row("poisson-rate-full", _rates, {"log_input": False, "full": True}),
        ),
    ),
    LossInfo(
        gaussian_nll_loss,
        _gaussian_cases,
        rows=(
            Row("gaussian", _gaussian, jit=True, compile="aot_eager"),
            Row(
                "gaussian-row-var-full-none",
                _gaussian_rows,
                {"full": True, "eps": 0.3, "reduction": "none"},
            ),
        ),
    ),
    LossInfo(
        charbonnier_loss,
        _charbonnier_cases,
        rows=(
            Row("charbonnier", _residuals, {"eps": 0.5}, compile="aot_eager"),
            Row("charbonnier-default-eps-none", _residuals_weighted, {"reduction": "none"}),
        ),
    ),
    LossInfo(
        cauchy_loss,
        _cauchy_cases,
        rows=(Row("cauchy", _residuals, {"scale": 1.5}, compile="aot_eager"),),
    ),
    LossInfo(
        geman_mcclure_loss,
        _geman_mcclure_cases,
        rows=(
            Row(
                "geman-mcclure-weighted", _residuals_weighted, {"scale": 2.0}, compile="aot_eager"
            ),
        ),
    ),
    LossInfo(
        welsch_loss,
        _welsch_cases,
        rows=(Row("welsch-none", _residuals, {"reduction": "none"}, compile="aot_eager"),),
    ),
    LossInfo(
        tukey_biweight_loss,
        _tukey_cases,
        rows=(
            Row("tukey-beyond-c", _residuals_weighted, {"c": 2.5}, jit=True, compile="aot_eager"),
        ),
    ),
    LossInfo(
        wing_loss,
        _wing_cases,
        rows=(
            Row("wing", _residuals, {"width": 2.0, "curvature": 0.5}, compile="aot_eager"),
            Row("wing-default-sum", _residuals, {"reduction": "sum"}),
        ),
    ),
    LossInfo(
        barron_loss,
        _barron_cases,
        rows=(
            Row("barron-alpha-1", _residuals, {"alpha": 1.0, "scale": 0.7}),
            Row("barron-alpha-0", _residuals_weighted, {"alpha": 0.0}),
            Row("barron-alpha-neg-inf-none", _residuals, {"alpha": -math.inf}),
            Row("barron-alpha-3", _residuals, {"alpha": 3.0, "reduction": "none"}),
            Row("barron-array-alpha-scale", _learnable, {}, jit=True, compile="aot_eager"),
            Row(
                "barron-array-near-special",
                _learnable_near_special,
                {"reduction": "none"},
                jit=True,
            ),
        ),
    ),
    LossInfo(
        adaptive_robust_loss,
        _adaptive_robust_cases,
        rows=(
            Row("adaptive-robust-learnable", _learnable_shape, jit=True, compile="aot_eager"),
            Row("adaptive-robust-none", _learnable_shape, {"reduction": "none"}),
        ),
    ),
)
