"""Independent float64 references for nll_loss, the offset/smoothed focal loss and the
class-imbalance helpers.

Plain formulas from torch's documentation (``nll_loss``), Lin et al. / Khan & Khan
(focal with the offset ``lam``), scikit-learn's ``compute_class_weight("balanced")``
(``n_samples / (n_classes * bincount)``) and Cui et al. 2019 (effective number). Loops
where they read more clearly; nothing shared with ``arrayloss``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .reference import weighted_reduce


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
