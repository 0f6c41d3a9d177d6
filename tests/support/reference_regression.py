"""Independent float64 NumPy references for the issue-3 regression losses.

Written from the papers' and torch's / Keras' documented definitions, as plainly as
possible, with ``if``/loops where they read more clearly. They share nothing with
``arrayloss``: the textbook formulas, e.g. ``log(cosh(d))`` and an explicit
``if |d| < beta`` for smooth L1, which are exact enough in float64 for the moderate
inputs of the value tests. Reductions use :func:`support.reference.weighted_reduce`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .reference import weighted_reduce

__all__ = [
    "gaussian_nll",
    "log_cosh",
    "mae",
    "mape",
    "msle",
    "poisson_nll",
    "quantile",
    "smooth_l1",
    "smooth_l1_as_l1",
]


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
