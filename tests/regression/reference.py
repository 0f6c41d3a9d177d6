"""Independent float64 NumPy references for the regression losses (pointwise and robust),
written from each paper's definition with plain loops or textbook formulas.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import mpmath
import numpy as np

from support import reference as _shared
from support.reference import weighted_reduce

# -- regression ------------------------------------------------------------------------


def mse(preds: Any, targets: Any, *, weights: Any = None, reduction: str = "mean") -> np.ndarray:
    d = _shared._f64(preds) - _shared._f64(targets)
    return _shared.weighted_reduce(d**2, reduction, weights)


def huber(
    preds: Any,
    targets: Any,
    *,
    delta: float = 1.0,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """Huber (1964) with torch's scaling.

    ``0.5 d^2`` for ``|d| <= delta``, else ``delta (|d| - delta / 2)``.
    """
    d = np.abs(_shared._f64(preds) - _shared._f64(targets))
    loss = np.where(d <= delta, 0.5 * d**2, delta * (d - 0.5 * delta))
    return _shared.weighted_reduce(loss, reduction, weights)


def _f64(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _elementwise(fn: Any, *arrays: Any) -> np.ndarray:
    """``fn`` applied to each tuple of Python floats (a plain loop)."""
    arrs = np.broadcast_arrays(*(_f64(a) for a in arrays))
    out = np.empty(arrs[0].shape)
    for idx in np.ndindex(*out.shape):
        out[idx] = fn(*(float(a[idx]) for a in arrs))
    return out


def mae(preds: Any, targets: Any, *, weights: Any = None, reduction: str = "mean") -> np.ndarray:
    return weighted_reduce(np.abs(_f64(preds) - _f64(targets)), reduction, weights)


def smooth_l1_as_l1(preds: Any, targets: Any, *, beta: float, **kwargs: Any) -> np.ndarray:
    """Smooth L1 with ``beta = 0``: the L1 loss (torch docs), from :func:`mae`."""
    assert beta == 0.0
    return mae(preds, targets, **kwargs)


def smooth_l1(
    preds: Any, targets: Any, *, beta: float = 1.0, weights: Any = None, reduction: str = "mean"
) -> np.ndarray:
    """torch docs: ``0.5 d^2 / beta`` if ``|d| < beta`` else ``|d| - 0.5 beta``."""

    def one(p: float, t: float) -> float:
        d = abs(p - t)
        return 0.5 * d * d / beta if d < beta else d - 0.5 * beta

    return weighted_reduce(_elementwise(one, preds, targets), reduction, weights)


def log_cosh(
    preds: Any, targets: Any, *, weights: Any = None, reduction: str = "mean"
) -> np.ndarray:
    """``log(cosh(d))`` (math.cosh: exact to float64 for |d| < 700)."""
    loss = _elementwise(lambda p, t: math.log(math.cosh(p - t)), preds, targets)
    return weighted_reduce(loss, reduction, weights)


def quantile(
    preds: Any,
    targets: Any,
    *,
    quantile: float = 0.5,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """Koenker & Bassett: ``rho_tau(u) = u (tau - 1[u < 0])``, ``u = y - yhat``."""

    def one(p: float, t: float) -> float:
        u = t - p
        return u * (quantile - (1.0 if u < 0 else 0.0))

    return weighted_reduce(_elementwise(one, preds, targets), reduction, weights)


def msle(preds: Any, targets: Any, *, weights: Any = None, reduction: str = "mean") -> np.ndarray:
    """``(log(1 + p) - log(1 + t))^2`` with negative values clipped to 0 (our choice)."""

    def one(p: float, t: float) -> float:
        return (math.log(1.0 + max(p, 0.0)) - math.log(1.0 + max(t, 0.0))) ** 2

    return weighted_reduce(_elementwise(one, preds, targets), reduction, weights)


def mape(
    preds: Any, targets: Any, *, eps: float = 1e-7, weights: Any = None, reduction: str = "mean"
) -> np.ndarray:
    """``|p - t| / max(|t|, eps)``, a fraction."""
    loss = _elementwise(lambda p, t: abs(p - t) / max(abs(t), eps), preds, targets)
    return weighted_reduce(loss, reduction, weights)


def poisson_nll(
    preds: Any,
    targets: Any,
    *,
    log_input: bool = True,
    full: bool = False,
    eps: float = 1e-8,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """torch docs: ``exp(x) - y x`` or ``x - y log(x + eps)``; Stirling
    ``y log y - y + 0.5 log(2 pi y)`` added for ``y > 1`` when ``full``."""

    def one(x: float, y: float) -> float:
        loss = math.exp(x) - y * x if log_input else x - y * math.log(x + eps)
        if full and y > 1:
            loss += y * math.log(y) - y + 0.5 * math.log(2 * math.pi * y)
        return loss

    return weighted_reduce(_elementwise(one, preds, targets), reduction, weights)


def gaussian_nll(
    preds: Any,
    targets: Any,
    var: Any,
    *,
    full: bool = False,
    eps: float = 1e-6,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """torch docs: ``0.5 (log max(var, eps) + (x - y)^2 / max(var, eps))`` (+ 0.5 log 2 pi).

    ``var`` must already have a shape that broadcasts against ``preds`` (the caller
    does torch's one-fewer-dimension unsqueeze, to keep this reference plain).
    """

    def one(p: float, t: float, v: float) -> float:
        v = max(v, eps)
        loss = 0.5 * (math.log(v) + (p - t) ** 2 / v)
        return loss + 0.5 * math.log(2 * math.pi) if full else loss

    return weighted_reduce(_elementwise(one, preds, targets, var), reduction, weights)


def _d(preds: Any, targets: Any) -> np.ndarray:
    return np.asarray(preds, dtype=np.float64) - np.asarray(targets, dtype=np.float64)


def charbonnier(
    preds: Any, targets: Any, *, eps: float = 1e-3, weights: Any = None, reduction: str = "mean"
) -> np.ndarray:
    """``sqrt(x^2 + eps^2) - eps`` (Charbonnier 1994, offset so that rho(0) = 0)."""
    x = _d(preds, targets)
    return weighted_reduce(np.sqrt(x**2 + eps**2) - eps, reduction, weights)


def cauchy(
    preds: Any, targets: Any, *, scale: float = 1.0, weights: Any = None, reduction: str = "mean"
) -> np.ndarray:
    """Barron (2019) eq. for alpha = 0: ``log(0.5 (x/c)^2 + 1)``."""
    z = _d(preds, targets) / scale
    return weighted_reduce(np.log(0.5 * z**2 + 1.0), reduction, weights)


def geman_mcclure(
    preds: Any, targets: Any, *, scale: float = 1.0, weights: Any = None, reduction: str = "mean"
) -> np.ndarray:
    """Barron (2019) for alpha = -2: ``2 (x/c)^2 / ((x/c)^2 + 4)``."""
    z = _d(preds, targets) / scale
    return weighted_reduce(2.0 * z**2 / (z**2 + 4.0), reduction, weights)


def welsch(
    preds: Any, targets: Any, *, scale: float = 1.0, weights: Any = None, reduction: str = "mean"
) -> np.ndarray:
    """Barron (2019) for alpha = -inf: ``1 - exp(-0.5 (x/c)^2)``."""
    z = _d(preds, targets) / scale
    return weighted_reduce(1.0 - np.exp(-0.5 * z**2), reduction, weights)


def tukey_biweight(
    preds: Any, targets: Any, *, c: float = 4.685, weights: Any = None, reduction: str = "mean"
) -> np.ndarray:
    """Beaton & Tukey (1974): ``c^2/6 (1 - (1 - (x/c)^2)^3)`` for ``|x| <= c``, else ``c^2/6``."""
    x = _d(preds, targets)
    inside = c**2 / 6.0 * (1.0 - (1.0 - (x / c) ** 2) ** 3)
    return weighted_reduce(np.where(np.abs(x) <= c, inside, c**2 / 6.0), reduction, weights)


def wing(
    preds: Any,
    targets: Any,
    *,
    width: float = 5.0,
    curvature: float = 0.5,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """Feng et al. (2018), eq. (5): ``w ln(1 + |x|/eps)`` if ``|x| < w`` else ``|x| - C``."""
    a = np.abs(_d(preds, targets))
    big_c = width - width * math.log(1.0 + width / curvature)
    loss = np.where(a < width, width * np.log(1.0 + a / curvature), a - big_c)
    return weighted_reduce(loss, reduction, weights)


def _barron_textbook(z: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Barron (2019) eq. (1) and its limits, elementwise, float64."""
    out = np.empty(np.broadcast(z, alpha).shape)
    z, alpha = np.broadcast_to(z, out.shape), np.broadcast_to(alpha, out.shape)
    for idx in np.ndindex(*out.shape):
        x, a = float(z[idx]), float(alpha[idx])
        if a == 2.0:
            out[idx] = 0.5 * x * x
        elif a == 0.0:
            out[idx] = math.log(0.5 * x * x + 1.0)
        elif a == -math.inf:
            out[idx] = 1.0 - math.exp(-0.5 * x * x)
        elif a == math.inf:
            out[idx] = math.exp(0.5 * x * x) - 1.0
        else:
            b = abs(a - 2.0)
            out[idx] = b / a * ((x * x / b + 1.0) ** (a / 2.0) - 1.0)
    return out


def barron(
    preds: Any,
    targets: Any,
    *,
    alpha: Any,
    scale: Any = 1.0,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """Barron's general loss, textbook formula in float64 (alpha away from 0 and 2 by
    more than ~1e-4, or exactly at a special value)."""
    z = _d(preds, targets) / np.asarray(scale, dtype=np.float64)
    loss = _barron_textbook(z, np.asarray(alpha, dtype=np.float64))
    return weighted_reduce(loss, reduction, weights)


mpmath.mp.dps = 50


def _rho_mp(x: Any, a: Any) -> Any:
    if a == 0:
        return mpmath.log(x * x / 2 + 1)
    if a == 2:
        return x * x / 2
    b = abs(a - 2)
    return b / a * ((x * x / b + 1) ** (a / 2) - 1)


def barron_mp(x: float, alpha: float, scale: float = 1.0) -> float:
    """rho(x, alpha, c) at 50 digits (exact binary inputs), rounded to float64."""
    z = mpmath.mpf(x) / mpmath.mpf(scale)
    return float(_rho_mp(z, mpmath.mpf(alpha)))


def barron_dalpha_mp(x: float, alpha: float, scale: float = 1.0) -> float:
    """d rho / d alpha (alpha away from 2, where it is unbounded): a central difference
    with step 1e-30 at 120 digits, which never evaluates the special-case branches.

    Truncation error ~h^2 = 1e-60; rounding error ~1e-120 / h^2 = 1e-60 (the formula
    divides by alpha + h): far below the O(z^4) derivative even at z = 1e-4.
    """
    with mpmath.workdps(120):
        z, a, h = mpmath.mpf(x) / mpmath.mpf(scale), mpmath.mpf(alpha), mpmath.mpf("1e-30")
        return float((_rho_mp(z, a + h) - _rho_mp(z, a - h)) / (2 * h))


# -- the conformance suite's table (tests/test_conformance.py) ------------------------------------


def _barron_reference(
    preds: Any,
    targets: Any,
    *,
    alpha: Any,
    scale: Any = 1.0,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """Barron's loss element by element at 50 digits (:func:`barron_mp`): exact near
    ``alpha = 0`` and ``alpha = 2``, where the textbook formula cancels."""
    d = _d(preds, targets)
    a, c = np.broadcast_arrays(_f64(alpha), _f64(scale))

    def one(x: float, alpha_: float, scale_: float) -> float:
        if alpha_ == -math.inf:  # the limit: Welsch, 1 - exp(-z^2 / 2)
            return 1.0 - math.exp(-0.5 * (x / scale_) ** 2)
        return barron_mp(x, alpha_, scale_)

    loss = _elementwise(one, d, a, c)
    return weighted_reduce(loss, reduction, weights)


def _gaussian_nll_reference(preds: Any, targets: Any, var: Any, **kwargs: Any) -> np.ndarray:
    """torch's rule for ``var``: one dimension fewer than ``preds`` (one variance per
    row) gets a trailing axis; then :func:`gaussian_nll`."""
    v = _f64(var)
    if v.ndim == np.ndim(preds) - 1:
        v = v[..., None]
    return gaussian_nll(preds, targets, v, **kwargs)


REFERENCES: dict[str, Any] = {
    "mse_loss": mse,
    "huber_loss": huber,
    "mae_loss": mae,
    "smooth_l1_loss": smooth_l1,
    "log_cosh_loss": log_cosh,
    "quantile_loss": quantile,
    "msle_loss": msle,
    "mape_loss": mape,
    "poisson_nll_loss": poisson_nll,
    "gaussian_nll_loss": _gaussian_nll_reference,
    "charbonnier_loss": charbonnier,
    "cauchy_loss": cauchy,
    "geman_mcclure_loss": geman_mcclure,
    "welsch_loss": welsch,
    "tukey_biweight_loss": tukey_biweight,
    "wing_loss": wing,
    "barron_loss": _barron_reference,
}


# -- adaptive robust loss (issue 13) -----------------------------------------------------


def _barron_log_z(alpha: float) -> float:
    """log of Barron's partition function by direct quadrature (scipy, float64)."""
    from scipy import integrate

    def rho(x: float) -> float:
        if alpha == 0.0:
            return math.log1p(0.5 * x * x)
        if alpha == 2.0:
            return 0.5 * x * x
        b = abs(alpha - 2.0)
        return b / alpha * ((x * x / b + 1.0) ** (alpha / 2.0) - 1.0)

    value, _ = integrate.quad(lambda x: math.exp(-rho(x)), -math.inf, math.inf,
                              epsabs=0.0, epsrel=1e-13, limit=500)  # fmt: skip
    return math.log(value)


def adaptive_robust_loss(
    x: Any,
    *,
    alpha: Any,
    scale: Any,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """Barron eq. (16)-(17): rho(x/c, alpha) + log c + log Z(alpha), Z by quadrature."""
    z = _f64(x)
    a = np.broadcast_to(
        _f64(alpha), np.broadcast_shapes(z.shape, np.shape(alpha), np.shape(scale))
    )
    c = np.broadcast_to(_f64(scale), a.shape)
    z = np.broadcast_to(z, a.shape) / c
    log_z = {float(v): _barron_log_z(float(v)) for v in np.unique(a)}
    rho = _barron_textbook(z, a)
    loss = rho + np.log(c) + np.vectorize(lambda v: log_z[float(v)])(a)
    return weighted_reduce(loss, reduction, weights)


ADAPTIVE_REFERENCES: dict[str, Callable[..., Any]] = {
    "adaptive_robust_loss": adaptive_robust_loss,
}

# the adaptive losses join the conformance table
REFERENCES.update(ADAPTIVE_REFERENCES)
