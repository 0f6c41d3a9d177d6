"""Independent float64 NumPy references for the hinge losses and the divergences.

Written from the papers' definitions with plain loops; they share nothing with
``arrayloss``. Reductions use :func:`support.reference.weighted_reduce`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .reference import weighted_reduce

__all__ = [
    "hinge",
    "js_divergence",
    "kl_divergence",
    "multiclass_hinge",
    "squared_hinge",
]


def _sign(labels: Any) -> np.ndarray:
    """{0, 1} or {-1, 1} labels as -1/+1, element by element."""
    y = np.asarray(labels, dtype=np.float64)
    out = np.empty(y.shape)
    for idx in np.ndindex(*y.shape):
        v = y[idx]
        if v == 1:
            out[idx] = 1.0
        elif v in (0, -1):
            out[idx] = -1.0
        else:
            raise ValueError(v)
    return out


def hinge(
    logits: Any,
    labels: Any,
    *,
    margin: float = 1.0,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """Cortes & Vapnik: ``max(0, m - y x)``."""
    x = np.asarray(logits, dtype=np.float64)
    loss = np.maximum(0.0, margin - _sign(labels) * x)
    return weighted_reduce(loss, reduction, weights)


def squared_hinge(
    logits: Any,
    labels: Any,
    *,
    margin: float = 1.0,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """L2-SVM: ``max(0, m - y x)^2``."""
    x = np.asarray(logits, dtype=np.float64)
    loss = np.maximum(0.0, margin - _sign(labels) * x) ** 2
    return weighted_reduce(loss, reduction, weights)


def multiclass_hinge(
    logits: Any,
    labels: Any,
    *,
    margin: float = 1.0,
    kind: str = "crammer_singer",
    axis: int = -1,
    class_weights: Any = None,
    ignore_index: int | None = None,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """Crammer-Singer ``max(0, m + max_{c!=y} x_c - x_y)`` or Weston-Watkins
    ``sum_{c!=y} max(0, m + x_c - x_y)``; class weights ``w_y`` multiply the loss and
    enter the mean's denominator; ignored positions count nowhere."""
    x = np.moveaxis(np.asarray(logits, dtype=np.float64), axis, -1)
    C = x.shape[-1]
    cw = np.ones(C) if class_weights is None else np.asarray(class_weights, dtype=np.float64)
    labels = np.asarray(labels)
    flat_x = x.reshape(-1, C)
    flat_y = labels.reshape(-1)
    loss = np.zeros(flat_y.shape)
    denom = np.zeros(flat_y.shape)
    for i, y in enumerate(flat_y):
        if ignore_index is not None and y == ignore_index:
            continue
        others = [flat_x[i, c] for c in range(C) if c != y]
        if kind == "crammer_singer":
            value = max(0.0, margin + max(others) - flat_x[i, y]) if others else 0.0
        else:
            value = sum(max(0.0, margin + o - flat_x[i, y]) for o in others)
        loss[i] = cw[y] * value
        denom[i] = cw[y]
    shape = labels.shape
    return weighted_reduce(loss.reshape(shape), reduction, weights, denom.reshape(shape))


def _log_softmax(x: np.ndarray) -> np.ndarray:
    """``x_c - log sum_k exp(x_k)``, max-shifted (the tests reach |x| = 1e4)."""
    shift = x.max(axis=-1, keepdims=True)
    return x - shift - np.log(np.exp(x - shift).sum(axis=-1, keepdims=True))


def _softmax(x: np.ndarray) -> np.ndarray:
    return np.exp(_log_softmax(x))


def _log(p: float, clamp: bool = False) -> float:
    value = math.log(p) if p > 0 else -math.inf
    return max(value, -100.0) if clamp else value


def _kl_rows(t: np.ndarray, log_q: np.ndarray) -> np.ndarray:
    """``sum_c t_c (log t_c - log q_c)`` per row, with ``0 log 0 = 0``."""
    out = np.zeros(t.shape[:-1])
    for idx in np.ndindex(*t.shape[:-1]):
        total = 0.0
        for tc, lq in zip(t[idx], log_q[idx], strict=True):
            if tc == 0:
                continue
            total += tc * (math.log(tc) - lq)
        out[idx] = total
    return out


def kl_divergence(
    logits: Any,
    targets: Any,
    *,
    axis: int = -1,
    from_logits: bool = True,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """KL(t || q), ``q = softmax(logits)`` or the given probabilities (log clamped at -100)."""
    x = np.moveaxis(np.asarray(logits, dtype=np.float64), axis, -1)
    t = np.moveaxis(np.asarray(targets, dtype=np.float64), axis, -1)
    if from_logits:
        log_q = _log_softmax(x)
    else:
        log_q = np.vectorize(lambda p: _log(p, clamp=True), otypes=[float])(x)
    return weighted_reduce(_kl_rows(t, log_q), reduction, weights)


def js_divergence(
    logits: Any,
    targets: Any,
    *,
    axis: int = -1,
    from_logits: bool = True,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """``KL(t || m) / 2 + KL(q || m) / 2`` with ``m = (t + q) / 2``."""
    x = np.moveaxis(np.asarray(logits, dtype=np.float64), axis, -1)
    t = np.moveaxis(np.asarray(targets, dtype=np.float64), axis, -1)
    q = _softmax(x) if from_logits else x
    log_m = np.vectorize(_log, otypes=[float])((t + q) / 2)
    loss = 0.5 * _kl_rows(t, log_m) + 0.5 * _kl_rows(q, log_m)
    return weighted_reduce(loss, reduction, weights)
