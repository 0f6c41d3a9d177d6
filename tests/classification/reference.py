"""Independent float64 NumPy references for the classification losses: cross-entropy, focal,
NLL, margin, divergence, noisy-label and polynomial losses, and class weights.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from support import reference as _shared
from support import reference as ref
from support.reference import weighted_reduce

# -- classification --------------------------------------------------------------------


def cross_entropy(
    logits: Any,
    labels: Any,
    *,
    axis: int = -1,
    class_weights: Any = None,
    ignore_index: int | None = None,
    label_smoothing: float = 0.0,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """Softmax cross-entropy with torch's documented semantics.

    Integer labels: ``l_i = (1-eps) w_{y_i} (-log p_{i,y_i}) + (eps/C) sum_c w_c (-log p_ic)``;
    ``"mean"`` divides by ``sum_i w_{y_i}`` over non-ignored positions.
    Probability targets: ``l_i = -sum_c w_c y'_ic log p_ic``, ``y' = (1-eps) y + eps/C``;
    ``"mean"`` divides by the number of positions.
    """
    x = _shared._class_last(logits, axis)
    C = x.shape[-1]
    cw = np.ones(C) if class_weights is None else _shared._f64(class_weights)
    eps = float(label_smoothing)
    logp = _shared.log_softmax(x)
    labels = np.asarray(labels)
    if np.issubdtype(labels.dtype, np.floating):
        y = (1 - eps) * _shared._class_last(labels, axis) + eps / C
        loss = -(cw * y * logp).sum(axis=-1)
        return _shared.weighted_reduce(loss, reduction, weights)
    flat_logp = logp.reshape(-1, C)
    flat_labels = labels.reshape(-1)
    loss = np.zeros(flat_labels.shape)
    denom = np.zeros(flat_labels.shape)
    for i, y in enumerate(flat_labels):
        if ignore_index is not None and y == ignore_index:
            continue
        nll = -flat_logp[i, y]
        smooth = sum(cw[c] * -flat_logp[i, c] for c in range(C))
        loss[i] = (1 - eps) * cw[y] * nll + eps / C * smooth
        denom[i] = cw[y]
    shape = labels.shape
    return _shared.weighted_reduce(loss.reshape(shape), reduction, weights, denom.reshape(shape))


def binary_cross_entropy(
    logits: Any,
    labels: Any,
    *,
    from_logits: bool = True,
    pos_weight: Any = None,
    label_smoothing: float = 0.0,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """``-[pw y' log p + (1 - y') log(1 - p)]``, ``y' = (1-eps) y + eps/2``.

    From logits ``p = sigma(x)``; from probabilities each log is clamped at -100.
    """
    x = _shared._f64(logits)
    y = (1 - label_smoothing) * _shared._f64(labels) + label_smoothing / 2
    if from_logits:
        log_p, log_1mp = _shared.log_sigmoid(x), _shared.log_sigmoid(-x)
    else:
        log_p, log_1mp = _shared.clamped_log(x), _shared.clamped_log(1.0 - x)
    pw = 1.0 if pos_weight is None else _shared._f64(pos_weight)
    loss = -(pw * y * log_p + (1 - y) * log_1mp)
    return _shared.weighted_reduce(loss, reduction, weights)


def focal_loss_basic(
    logits: Any,
    labels: Any,
    *,
    gamma: float = 2.0,
    alpha: Any = None,
    axis: int = -1,
    ignore_index: int | None = None,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """Lin et al. (2017), multi-class: ``-alpha_y (1 - p_y)^gamma log p_y``.

    Probability targets: ``-sum_c alpha_c y_c (1 - p_c)^gamma log p_c``. ``alpha`` is
    a per-class multiplier; ``"mean"`` divides by the count of non-ignored positions.
    """
    x = _shared._class_last(logits, axis)
    C = x.shape[-1]
    a = np.ones(C) if alpha is None else _shared._f64(alpha)
    p = _shared.softmax(x)
    logp = _shared.log_softmax(x)
    labels = np.asarray(labels)
    if np.issubdtype(labels.dtype, np.floating):
        y = _shared._class_last(labels, axis)
        loss = -(a * y * (1 - p) ** gamma * logp).sum(axis=-1)
        return _shared.weighted_reduce(loss, reduction, weights)
    flat_p, flat_logp = p.reshape(-1, C), logp.reshape(-1, C)
    flat_labels = labels.reshape(-1)
    loss = np.zeros(flat_labels.shape)
    keep = np.zeros(flat_labels.shape)
    for i, y in enumerate(flat_labels):
        if ignore_index is not None and y == ignore_index:
            continue
        loss[i] = -a[y] * (1 - flat_p[i, y]) ** gamma * flat_logp[i, y]
        keep[i] = 1.0
    shape = labels.shape
    return _shared.weighted_reduce(loss.reshape(shape), reduction, weights, keep.reshape(shape))


def binary_focal_loss(
    logits: Any,
    labels: Any,
    *,
    gamma: float = 2.0,
    alpha: float | None = 0.25,
    from_logits: bool = True,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """torchvision ``sigmoid_focal_loss``: ``alpha_t (1 - p_t)^gamma BCE``.

    ``p_t = p y + (1 - p)(1 - y)``, ``alpha_t = alpha y + (1 - alpha)(1 - y)``;
    ``alpha=None`` drops ``alpha_t``.
    """
    x, y = _shared._f64(logits), _shared._f64(labels)
    p = _shared.sigmoid(x) if from_logits else x
    bce = binary_cross_entropy(x, y, from_logits=from_logits, reduction="none")
    p_t = p * y + (1 - p) * (1 - y)
    loss = bce * (1 - p_t) ** gamma
    if alpha is not None:
        loss = (alpha * y + (1 - alpha) * (1 - y)) * loss
    return _shared.weighted_reduce(loss, reduction, weights)


def _f64(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def nll_loss(
    log_probs: Any,
    labels: Any,
    *,
    axis: int = -1,
    class_weights: Any = None,
    ignore_index: int | None = None,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """torch docs: ``l_i = -w_{y_i} x_{i, y_i}``, mean = ``sum l / sum w_{y_i}``.

    Floating labels (probabilities): ``l_i = -sum_c w_c y_ic x_ic`` (``0 * -inf = 0``),
    mean over positions.
    """
    x = np.moveaxis(_f64(log_probs), axis, -1)
    C = x.shape[-1]
    cw = np.ones(C) if class_weights is None else _f64(class_weights)
    labels = np.asarray(labels)
    if np.issubdtype(labels.dtype, np.floating):
        y = np.moveaxis(_f64(labels), axis, -1)
        terms = np.where(y == 0, 0.0, cw * y * np.where(y == 0, 0.0, x))
        return weighted_reduce(-terms.sum(axis=-1), reduction, weights)
    flat_x = x.reshape(-1, C)
    flat_y = labels.reshape(-1)
    loss = np.zeros(flat_y.shape)
    denom = np.zeros(flat_y.shape)
    for i, y in enumerate(flat_y):
        if ignore_index is not None and y == ignore_index:
            continue
        loss[i] = -cw[y] * flat_x[i, y]
        denom[i] = cw[y]
    return weighted_reduce(
        loss.reshape(labels.shape), reduction, weights, denom.reshape(labels.shape)
    )


def focal_loss(
    logits: Any,
    labels: Any,
    *,
    gamma: float = 2.0,
    alpha: Any = None,
    lam: float = 1.0,
    axis: int = -1,
    class_weights: Any = None,
    ignore_index: int | None = None,
    label_smoothing: float = 0.0,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """``l_i = -sum_c w_c alpha_c y'_ic (lam - p_ic)^gamma log p_ic``, ``y' = (1-eps) y + eps/C``.

    Integer labels: ``"mean"`` divides by ``sum_i w_{y_i}`` over non-ignored positions
    (the count when there are no class weights); probabilities: by the positions.
    """
    x = np.moveaxis(_f64(logits), axis, -1)
    C = x.shape[-1]
    a = np.ones(C) if alpha is None else _f64(alpha)
    cw = np.ones(C) if class_weights is None else _f64(class_weights)
    p = _softmax(x)
    per_class = (lam - p) ** gamma * -np.log(p)  # (..., C)
    eps = float(label_smoothing)
    labels = np.asarray(labels)
    if np.issubdtype(labels.dtype, np.floating):
        y = (1 - eps) * np.moveaxis(_f64(labels), axis, -1) + eps / C
        return weighted_reduce((cw * a * y * per_class).sum(axis=-1), reduction, weights)
    flat = per_class.reshape(-1, C)
    flat_y = labels.reshape(-1)
    loss = np.zeros(flat_y.shape)
    denom = np.zeros(flat_y.shape)
    for i, yi in enumerate(flat_y):
        if ignore_index is not None and yi == ignore_index:
            continue
        target = np.full(C, eps / C)
        target[yi] += 1 - eps
        loss[i] = np.sum(cw * a * target * flat[i])
        denom[i] = cw[yi] if class_weights is not None else 1.0
    return weighted_reduce(
        loss.reshape(labels.shape), reduction, weights, denom.reshape(labels.shape)
    )


def balanced_weights(labels: Any, num_classes: int, ignore_index: int | None = None) -> np.ndarray:
    """scikit-learn's ``"balanced"``: ``n_samples / (n_classes * np.bincount(y))``.

    Over the non-ignored labels; classes absent from ``labels`` get 0 (sklearn raises).
    """
    y = np.asarray(labels).reshape(-1)
    if ignore_index is not None:
        y = y[y != ignore_index]
    counts = np.bincount(y, minlength=num_classes).astype(np.float64)
    out = np.zeros(num_classes)
    present = counts > 0
    out[present] = y.size / (num_classes * counts[present])
    return out


def class_weights_from_counts(
    counts: Any, method: str = "inverse", beta: float = 0.999
) -> np.ndarray:
    """The four rules, absent (zero-count) classes weight 0."""
    n = _f64(counts)
    C = n.size
    present = n > 0
    out = np.zeros(C)
    if method == "inverse":
        out[present] = n.sum() / (C * n[present])
    elif method == "inverse_sqrt":
        out[present] = np.sqrt(n.sum() / (C * n[present]))
    elif method == "median_frequency":
        out[present] = np.median(n[present]) / n[present]
    elif method == "effective_number":
        # Cui et al. eq. (2)-(3): w_c ~ (1 - beta) / (1 - beta^n_c), sum_c w_c = C
        raw = (1 - beta) / (1 - beta ** n[present])
        out[present] = C * raw / raw.sum()
    else:
        raise ValueError(method)
    return out


def focal_saturated_mp(logits: Any, label: int, gamma: float, lam: float) -> float:
    """``(lam - p_y)^gamma * -log p_y`` for one row, in 60-digit mpmath."""
    import mpmath

    with mpmath.workdps(60):
        xs = [mpmath.mpf(float(v)) for v in np.asarray(logits).reshape(-1)]
        lse = mpmath.log(mpmath.fsum(mpmath.exp(v) for v in xs))
        log_p = xs[label] - lse
        one_m_p = -mpmath.expm1(log_p)
        return float((lam - 1 + one_m_p) ** gamma * -log_p)


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


def _softmax_margin_divergence(x: np.ndarray) -> np.ndarray:
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
    q = _softmax_margin_divergence(x) if from_logits else x
    log_m = np.vectorize(_log, otypes=[float])((t + q) / 2)
    loss = 0.5 * _kl_rows(t, log_m) + 0.5 * _kl_rows(q, log_m)
    return weighted_reduce(loss, reduction, weights)


def _softmax_last(x: Any, axis: int) -> np.ndarray:
    x = np.moveaxis(np.asarray(x, dtype=np.float64), axis, -1)
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _targets(
    labels: Any, C: int, axis: int, ignore_index: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """One-hot (or given probabilities, class axis last) and the keep mask."""
    labels = np.asarray(labels)
    if np.issubdtype(labels.dtype, np.floating):
        y = np.moveaxis(labels.astype(np.float64), axis, -1)
        return y, np.ones(y.shape[:-1])
    keep = np.ones(labels.shape) if ignore_index is None else (labels != ignore_index) * 1.0
    safe = np.where(keep > 0, labels, 0)
    return np.eye(C)[safe], keep


def _finish(loss: np.ndarray, keep: np.ndarray, weights: Any, reduction: str) -> np.ndarray:
    loss = np.where(keep > 0, loss, 0.0)
    return weighted_reduce(loss, reduction, weights, denominator=keep)


def poly1_cross_entropy(
    logits: Any,
    labels: Any,
    *,
    epsilon: float = 1.0,
    axis: int = -1,
    label_smoothing: float = 0.0,
    ignore_index: int | None = None,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """Listing 1 of the paper: ``CE(y', x) + epsilon * (1 - sum_c y'_c p_c)``."""
    p = _softmax_last(logits, axis)
    C = p.shape[-1]
    y, keep = _targets(labels, C, axis, ignore_index)
    y = y * (1 - label_smoothing) + label_smoothing / C
    ce = -(y * np.log(p)).sum(-1)
    pt = (y * p).sum(-1)
    return _finish(ce + epsilon * (1.0 - pt), keep, weights, reduction)


def poly1_focal_loss(
    logits: Any,
    labels: Any,
    *,
    epsilon: float = 1.0,
    gamma: float = 2.0,
    alpha: Any = None,
    axis: int = -1,
    ignore_index: int | None = None,
    label_smoothing: float = 0.0,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """``sum_c y_c [alpha_c (1 - p_c)^gamma (-log p_c) + epsilon (1 - p_c)^(gamma + 1)]``.

    ``label_smoothing`` replaces ``y`` by ``(1 - ls) y + ls / C``.
    """
    p = _softmax_last(logits, axis)
    C = p.shape[-1]
    y, keep = _targets(labels, C, axis, ignore_index)
    y = (1 - label_smoothing) * y + label_smoothing / C
    a = np.ones(C) if alpha is None else np.asarray(alpha, dtype=np.float64)
    fl = a * (1 - p) ** gamma * -np.log(p)
    loss = (y * (fl + epsilon * (1 - p) ** (gamma + 1))).sum(-1)
    return _finish(loss, keep, weights, reduction)


def binary_poly1_focal_loss(
    logits: Any,
    labels: Any,
    *,
    epsilon: float = 1.0,
    gamma: float = 2.0,
    alpha: float | None = 0.25,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """Listing 2 of the paper (sigmoid): ``FL(p_t) + epsilon (1 - p_t)^(gamma + 1)``."""
    x = np.asarray(logits, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    p = 1.0 / (1.0 + np.exp(-x))
    pt = y * p + (1 - y) * (1 - p)
    bce = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    fl = (1 - pt) ** gamma * bce
    if alpha is not None:
        fl = (alpha * y + (1 - alpha) * (1 - y)) * fl
    return weighted_reduce(fl + epsilon * (1 - pt) ** (gamma + 1), reduction, weights)


def generalized_cross_entropy(
    logits: Any,
    labels: Any,
    *,
    q: float = 0.7,
    axis: int = -1,
    ignore_index: int | None = None,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """``L_q = (1 - p_y^q) / q`` (eq. 6), the expectation over ``y`` for soft targets."""
    p = _softmax_last(logits, axis)
    y, keep = _targets(labels, p.shape[-1], axis, ignore_index)
    loss = (y * (1 - p**q) / q).sum(-1)
    return _finish(loss, keep, weights, reduction)


def symmetric_cross_entropy(
    logits: Any,
    labels: Any,
    *,
    alpha: float = 0.1,
    beta: float = 1.0,
    log_zero: float = -4.0,
    axis: int = -1,
    ignore_index: int | None = None,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """``alpha CE + beta RCE``, ``RCE = -sum_k p_k log q_k`` with ``log 0 := A``."""
    p = _softmax_last(logits, axis)
    y, keep = _targets(labels, p.shape[-1], axis, ignore_index)
    ce = -(y * np.log(p)).sum(-1)
    with np.errstate(divide="ignore"):
        log_y = np.where(y > 0, np.log(np.where(y > 0, y, 1.0)), -np.inf)
    rce = -(p * np.maximum(log_y, log_zero)).sum(-1)
    return _finish(alpha * ce + beta * rce, keep, weights, reduction)


# -- test helpers shared by test_polynomial.py and test_noisy_labels.py ---------------

# (logits shape, class axis)
LAYOUTS = {"nc": ((6, 4), -1), "nchw": ((2, 4, 3, 2), 1)}


def compare(
    backend: Any,
    fn: Any,
    ref_fn: Any,
    arrays: tuple[np.ndarray, ...],
    kwargs: dict[str, Any],
    unreduced: tuple[int, ...],
    dtype: str = "float64",
) -> None:
    """``fn`` on ``backend`` equals ``ref_fn`` for every reduction."""
    compute = "float64" if dtype == "float64" else "float32"
    args = tuple(ref.to_backend(backend, a, dtype) for a in arrays)
    kw = {k: ref.to_backend(backend, v, dtype) for k, v in kwargs.items()}
    outs = ref.call_all_reductions(backend, fn, *args, **kw)
    # the reference sees the inputs as rounded to ``dtype``
    ref_args = tuple(
        ref.round_to(a, dtype) if np.issubdtype(a.dtype, np.floating) else a for a in arrays
    )
    ref_kw = {
        k: ref.round_to(v, dtype)
        if isinstance(v, np.ndarray) and np.issubdtype(v.dtype, np.floating)
        else v
        for k, v in kwargs.items()
    }
    for reduction, out in outs.items():
        shape = unreduced if reduction == "none" else ()
        got = backend.check_result(out, dtype=backend.dtype(compute), shape=shape)
        want = ref_fn(*ref_args, **ref_kw, reduction=reduction)
        ref.assert_close(got, want, compute, err_msg=f"reduction={reduction}")


def softmax_case(
    layout: str, *, probs: bool = False, ignore: int | None = None, weights: bool = False
) -> tuple[np.ndarray, np.ndarray, dict[str, Any], tuple[int, ...]]:
    rng = np.random.default_rng(0)
    shape, axis = LAYOUTS[layout]
    ax = axis % len(shape)
    C, unreduced = shape[ax], shape[:ax] + shape[ax + 1 :]
    logits = rng.normal(0.0, 2.0, size=shape)
    if probs:
        q = rng.uniform(0.0, 1.0, size=shape)
        q.reshape(-1)[::5] = 0.0  # exact zeros in the targets
        labels = q / q.sum(axis=ax, keepdims=True)
    else:
        labels = rng.integers(0, C, size=unreduced)
        if ignore is not None:
            labels.reshape(-1)[::3] = ignore
    kwargs: dict[str, Any] = {"axis": axis}
    if ignore is not None:
        kwargs["ignore_index"] = ignore
    if weights:
        w = rng.uniform(0.0, 2.0, size=unreduced)
        w.reshape(-1)[1] = 0.0
        kwargs["weights"] = w
    return logits, labels, kwargs, unreduced


def value_grad_all(
    lib: str, calls: list[tuple[str, Any, np.ndarray, np.ndarray, dict[str, Any]]]
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per-position value and d(sum)/d(logits) of each call, float32 logits.

    On JAX everything runs in one ``jax.jit`` (eager JAX costs seconds per call).
    """
    if lib == "torch":
        torch = pytest.importorskip("torch")
        out_t = {}
        for name, fn, x, y, kw in calls:
            xt = torch.tensor(x, dtype=torch.float32, requires_grad=True)
            yt = torch.tensor(y) if y.dtype.kind == "i" else torch.tensor(y, dtype=torch.float32)
            out = fn(xt, yt, reduction="none", **kw)
            (g,) = torch.autograd.grad(out.sum(), xt)
            out_t[name] = (out.detach().numpy(), g.numpy())
        return out_t
    jax = pytest.importorskip("jax")
    jnp = jax.numpy

    def every(xs: dict[str, Any], ys: dict[str, Any]) -> dict[str, Any]:
        res = {}
        for name, fn, _, _, kw in calls:
            value = fn(xs[name], ys[name], reduction="none", **kw)
            g = jax.grad(lambda a, f=fn, n=name, k=kw: f(a, ys[n], reduction="sum", **k))(xs[name])
            res[name] = (value, g)
        return res

    xs = {n: jnp.asarray(x, dtype=jnp.float32) for n, _, x, _, _ in calls}
    ys = {
        n: jnp.asarray(y) if y.dtype.kind == "i" else jnp.asarray(y, dtype=jnp.float32)
        for n, _, _, y, _ in calls
    }
    out_j = jax.jit(every)(xs, ys)
    return {n: (np.asarray(v), np.asarray(g)) for n, (v, g) in out_j.items()}


# -- the conformance suite's table (tests/test_conformance.py) ------------------------------------


def _balanced(fn: Any) -> Any:
    """``fn`` with ``class_weights="balanced"`` resolved by :func:`balanced_weights`
    (inverse class frequency of the labels, ignored positions left out)."""

    def call(logits: Any, labels: Any, **kwargs: Any) -> Any:
        if isinstance(kwargs.get("class_weights"), str):
            assert kwargs["class_weights"] == "balanced"
            num_classes = np.shape(logits)[kwargs.get("axis", -1)]
            kwargs["class_weights"] = balanced_weights(
                labels, num_classes, kwargs.get("ignore_index")
            )
        return fn(logits, labels, **kwargs)

    return call


REFERENCES: dict[str, Any] = {
    "cross_entropy": _balanced(cross_entropy),
    "binary_cross_entropy": binary_cross_entropy,
    "focal_loss": _balanced(focal_loss),
    "binary_focal_loss": binary_focal_loss,
    "nll_loss": _balanced(nll_loss),
    "class_weights_from_counts": class_weights_from_counts,
    "hinge_loss": hinge,
    "squared_hinge_loss": squared_hinge,
    "multiclass_hinge_loss": multiclass_hinge,
    "kl_divergence": kl_divergence,
    "js_divergence": js_divergence,
    "poly1_cross_entropy": poly1_cross_entropy,
    "poly1_focal_loss": poly1_focal_loss,
    "binary_poly1_focal_loss": binary_poly1_focal_loss,
    "generalized_cross_entropy": generalized_cross_entropy,
    "symmetric_cross_entropy": symmetric_cross_entropy,
}


# -- adaptive to imbalance (issue 13): written from the papers, float64 loops -------------


def _positions(logits: Any, labels: Any, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """(positions, C) logits and (positions,) labels, class axis moved last."""
    x = _shared._class_last(logits, axis)
    return x.reshape(-1, x.shape[-1]), np.asarray(labels).reshape(-1)


def _softmax_nll(row: np.ndarray, y: int) -> float:
    m = row.max()
    return float(m + np.log(np.sum(np.exp(row - m))) - row[y])


def _ce_of_rows(
    rows: np.ndarray,
    labels: np.ndarray,
    shape: tuple[int, ...],
    *,
    class_weights: Any,
    ignore_index: int | None,
    weights: Any,
    reduction: str,
) -> np.ndarray:
    C = rows.shape[-1]
    cw = np.ones(C) if class_weights is None else _shared._f64(class_weights)
    loss = np.zeros(len(labels))
    denom = np.zeros(len(labels))
    for i, y in enumerate(labels):
        if ignore_index is not None and y == ignore_index:
            continue
        loss[i] = cw[y] * _softmax_nll(rows[i], int(y))
        denom[i] = cw[y]
    return weighted_reduce(loss.reshape(shape), reduction, weights, denom.reshape(shape))


def logit_adjusted_cross_entropy(
    logits: Any,
    labels: Any,
    *,
    class_priors: Any,
    tau: float = 1.0,
    axis: int = -1,
    class_weights: Any = None,
    ignore_index: int | None = None,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """Menon et al. eq. (10): -log softmax(x + tau log pi)_y, per position."""
    rows, flat = _positions(logits, labels, axis)
    pi = _shared._f64(class_priors)
    adjusted = rows + float(tau) * np.log(pi)
    return _ce_of_rows(
        adjusted,
        flat,
        np.asarray(labels).shape,
        class_weights=class_weights,
        ignore_index=ignore_index,
        weights=weights,
        reduction=reduction,
    )


def ldam_loss(
    logits: Any,
    labels: Any,
    *,
    class_counts: Any,
    max_margin: float = 0.5,
    scale: float = 30.0,
    axis: int = -1,
    class_weights: Any = None,
    ignore_index: int | None = None,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """Cao et al. eq. (13) with Delta_j = C / n_j^(1/4), C set so max Delta = max_margin."""
    rows, flat = _positions(logits, labels, axis)
    n = np.maximum(_shared._f64(class_counts), 1.0)
    delta = n**-0.25
    delta = max_margin * delta / delta.max()
    out = rows.copy()
    for i, y in enumerate(flat):
        if 0 <= y < rows.shape[1]:
            out[i, y] -= delta[y]
    return _ce_of_rows(
        float(scale) * out,
        flat,
        np.asarray(labels).shape,
        class_weights=class_weights,
        ignore_index=ignore_index,
        weights=weights,
        reduction=reduction,
    )


def seesaw_loss(
    logits: Any,
    labels: Any,
    state: Any = None,
    *,
    p: float = 0.8,
    q: float = 2.0,
    axis: int = -1,
    ignore_index: int | None = None,
    weights: Any = None,
    reduction: str = "mean",
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Wang et al. eqs. (2)-(5), counts N accumulated with this batch (mmdetection's order).

    Returns (loss, (counts, confidence)), the fields of ClassStatistics in order.
    """
    rows, flat = _positions(logits, labels, axis)
    C = rows.shape[1]
    counts = np.zeros(C) if state is None else _shared._f64(state[0]).copy()
    conf = np.zeros(C) if state is None else _shared._f64(state[1]).copy()
    keep = [(ignore_index is None or y != ignore_index) and 0 <= y < C for y in flat]
    probs = np.array([np.exp(r - r.max()) / np.exp(r - r.max()).sum() for r in rows])
    for c in range(C):
        sel = [i for i, y in enumerate(flat) if keep[i] and y == c]
        if sel:
            total = counts[c] + len(sel)
            conf[c] = (counts[c] * conf[c] + sum(probs[i, c] for i in sel)) / total
            counts[c] = total
    n = np.maximum(counts, 1.0)
    loss = np.zeros(len(flat))
    denom = np.zeros(len(flat))
    for i, y in enumerate(flat):
        if not keep[i]:
            continue
        s = probs[i]
        total = s[y]
        for c in range(C):
            if c == y:
                continue
            mitigation = (n[c] / n[y]) ** p if n[y] > n[c] else 1.0
            compensation = (s[c] / s[y]) ** q if s[c] > s[y] else 1.0
            total += mitigation * compensation * s[c]
        loss[i] = -np.log(s[y] / total)
        denom[i] = 1.0
    shape = np.asarray(labels).shape
    value = weighted_reduce(loss.reshape(shape), reduction, weights, denom.reshape(shape))
    return value, (counts, conf)


def automated_focal_loss(
    logits: Any,
    labels: Any,
    state: Any = None,
    *,
    momentum: float = 0.05,
    axis: int = -1,
    ignore_index: int | None = None,
    weights: Any = None,
    reduction: str = "mean",
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Weber et al.: p_hat = (1 - m) p_hat + m mean(p_y); gamma = -log p_hat; focal loss."""
    rows, flat = _positions(logits, labels, axis)
    C = rows.shape[1]
    keep = [(ignore_index is None or y != ignore_index) and 0 <= y < C for y in flat]
    probs = np.array([np.exp(r - r.max()) / np.exp(r - r.max()).sum() for r in rows])
    p_y = [probs[i, y] for i, y in enumerate(flat) if keep[i]]
    old, seen = (0.5, 0.0) if state is None else (float(state[0]), float(state[1]))
    if p_y:
        batch = float(np.mean(p_y))
        p_hat = (1 - momentum) * old + momentum * batch if seen > 0 else batch
        seen = 1.0
    else:
        p_hat = old
    gamma = -np.log(p_hat)
    loss = np.zeros(len(flat))
    denom = np.zeros(len(flat))
    for i, y in enumerate(flat):
        if keep[i]:
            pt = probs[i, y]
            loss[i] = -((1 - pt) ** gamma) * np.log(pt)
            denom[i] = 1.0
    shape = np.asarray(labels).shape
    value = weighted_reduce(loss.reshape(shape), reduction, weights, denom.reshape(shape))
    return value, (np.asarray(p_hat), np.asarray(seen))


def asymmetric_loss(
    logits: Any,
    labels: Any,
    *,
    gamma_pos: float = 0.0,
    gamma_neg: float = 4.0,
    clip: float = 0.05,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """Ridnik et al. eqs. (6)-(8), textbook probabilities in 60-digit mpmath."""
    import mpmath

    x = _shared._f64(logits)
    y = _shared._f64(labels)
    out = np.zeros(x.shape)
    with mpmath.workdps(60):  # 1 - p at |x| = 40 needs more than 17 digits
        for idx in np.ndindex(x.shape):
            p = 1 / (1 + mpmath.exp(-mpmath.mpf(float(x[idx]))))
            pos = -((1 - p) ** gamma_pos) * mpmath.log(p)
            pm = max(p - mpmath.mpf(clip), 0)
            neg = -(pm**gamma_neg) * mpmath.log(1 - pm) if pm > 0 else mpmath.mpf(0)
            out[idx] = float(y[idx] * pos + (1 - y[idx]) * neg)
    return weighted_reduce(out, reduction, weights)


def uncertainty_weighted_sum(losses: Any, log_variances: Any) -> np.ndarray:
    """Kendall et al. eq. (7), regression form: sum 1/(2 sigma^2) L + log sigma."""
    total = 0.0
    for L, s in zip(_shared._f64(losses), _shared._f64(log_variances), strict=True):
        sigma2 = np.exp(s)
        total += L / (2 * sigma2) + np.log(np.sqrt(sigma2))
    return np.asarray(total)


ADAPTIVE_REFERENCES: dict[str, Callable[..., Any]] = {
    "asymmetric_loss": asymmetric_loss,
    "automated_focal_loss": automated_focal_loss,
    "ldam_loss": ldam_loss,
    "logit_adjusted_cross_entropy": logit_adjusted_cross_entropy,
    "seesaw_loss": seesaw_loss,
    "uncertainty_weighted_sum": uncertainty_weighted_sum,
}

# the adaptive losses join the conformance table
REFERENCES.update(ADAPTIVE_REFERENCES)
