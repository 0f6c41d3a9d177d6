"""Independent float64 references for the robust regression losses.

Plain textbook formulas (the papers' definitions), evaluated in float64 NumPy, or at
high precision with mpmath where float64 itself would cancel (Barron's loss at
alpha within ~1e-6 of 0 or 2). They share nothing with ``arrayloss``.
"""

from __future__ import annotations

import math
from typing import Any

import mpmath
import numpy as np

from .reference import weighted_reduce

__all__ = [
    "barron",
    "barron_dalpha_mp",
    "barron_mp",
    "cauchy",
    "charbonnier",
    "geman_mcclure",
    "tukey_biweight",
    "welsch",
    "wing",
]


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
