"""Helpers shared by the classification losses (and the segmentation losses built on them):
softmax inputs, class weights, binary targets and the log-space focal pieces.
"""

from __future__ import annotations

import math
from typing import Any

from .._lib._compat import Array, Namespace, array_namespace, device_of, values_readable
from .._lib._dtypes import cast, compute_dtype, is_floating, is_integer
from .._lib._fused import fused_label_log_odds
from .._lib._hyper import Hyper
from .._lib._reduction import check_reduction, check_weights, reduce_loss
from .._lib._special import (
    log_sigmoid,
    log_sigmoid_pair,
    logsumexp,
    one_hot,
    sigmoid,
    softplus,
    stop_gradient,
    take_along_axis,
)
from .._lib._targets import (
    ClassTarget,
    class_target,
    class_weight_vector,
    poison,
)
from .._lib._validation import check_same_shape, normalize_axis
from ._imbalance import class_weights_from_counts_xp

# torch.nn.functional.binary_cross_entropy clamps log-probabilities here, so that
# probabilities of exactly 0 and 1 give a finite loss; we keep its value.
_LOG_CLAMP = -100.0

REQUIRED = ("logits", "labels")


def _prepare_softmax(
    logits: Array,
    labels: Array,
    axis: int,
    ignore_index: object,
    weights: Array | None,
    reduction: str,
    extra: dict[str, Any] | None = None,
    name: str = "logits",
) -> tuple[Array, ClassTarget, int, Namespace, str]:
    """Common validation for softmax losses; returns ``logits`` (named ``name`` in
    errors) in the compute dtype."""
    xp = array_namespace(
        **{name: logits},
        labels=labels,
        weights=weights,
        **(extra or {}),
        required=(name, "labels"),
    )
    reduction = check_reduction(reduction)
    dtype = compute_dtype(logits, name, xp)
    ax = normalize_axis(axis, logits.ndim)
    logits = cast(logits, dtype, xp)
    target = class_target(logits, labels, ax, ignore_index=ignore_index, xp=xp, logits_name=name)
    unreduced = tuple(logits.shape[:ax]) + tuple(logits.shape[ax + 1 :])
    check_weights(weights, unreduced, xp)
    return logits, target, ax, xp, reduction


def _index_loss(
    loss_y: Array,
    target: ClassTarget,
    cw: Array | None,
    alpha: Array | None,
    smooth: Array | None,
    eps: Hyper,
    weights: Array | None,
    reduction: str,
    xp: Namespace,
    weighted: bool = False,
) -> Array:
    """Weight, smooth, poison and reduce a loss of integer labels, as torch does.

    ``loss_y`` is each position's term for its own label (``-log p_y`` or the focal
    term); ``cw`` the class weights, entering as ``w_y`` in the value *and* the
    ``"mean"`` denominator; ``alpha`` a per-class multiplier of the value only;
    ``smooth`` the label-smoothing term ``(1/C) sum_c m_c t_c`` (already class
    weighted), mixed in as ``(1 - eps) m_y t_y + eps * smooth``.
    """
    shape = tuple(loss_y.shape)
    loss = loss_y
    if alpha is not None or cw is not None:
        flat = xp.reshape(target.values, (-1,))
    if alpha is not None:
        loss = xp.reshape(xp.take(alpha, flat, axis=0), shape) * loss
    label_weight = None
    if cw is not None:
        label_weight = xp.reshape(xp.take(cw, flat, axis=0), shape)
        if not weighted:  # weighted: loss_y already carries w_y (a fused kernel's)
            loss = label_weight * loss
    if smooth is not None and (not isinstance(eps, float) or eps > 0.0):
        loss = (1.0 - eps) * loss + eps * smooth
    loss = poison(loss, target.invalid, xp)
    if label_weight is None:
        return reduce_loss(loss, reduction, xp=xp, weights=weights, mask=target.keep)
    if weights is not None:
        loss = loss * cast(weights, loss.dtype, xp)
        label_weight = label_weight * cast(weights, loss.dtype, xp)
    return reduce_loss(
        loss, reduction, xp=xp, weights=label_weight, mask=target.keep, prescaled=True
    )


def _class_weights(
    class_weights: object,
    target: ClassTarget,
    num_classes: int,
    logits: Array,
    ax: int,
    xp: Namespace,
) -> Array | None:
    """``class_weights`` as a ``(C,)`` vector: an array, a list, None or ``"balanced"``."""
    if isinstance(class_weights, str):
        if class_weights != "balanced":
            raise ValueError(
                "class_weights must be an array of shape "
                f"({num_classes},), None or 'balanced'; got {class_weights!r}"
            )
        return _balanced_weights(target, num_classes, ax, logits.dtype, xp)
    return class_weight_vector(class_weights, num_classes, logits, xp)


def _balanced_weights(
    target: ClassTarget, num_classes: int, ax: int, dtype: Any, xp: Namespace
) -> Array:
    """sklearn's ``"balanced"`` weights ``N / (C n_c)`` from the batch's own labels.

    ``n_c`` is a one-hot sum (no bincount, no sync) over the non-ignored, in-range
    labels, or the summed probabilities of a soft target; absent classes get 0.
    """
    if target.is_index:
        hot = one_hot(target.values, num_classes, ax, dtype=dtype, xp=xp)
        valid = target.keep
        if target.invalid is not None:
            valid = ~target.invalid if valid is None else valid & ~target.invalid
        if valid is not None:
            zero = xp.zeros((), dtype=dtype, device=device_of(hot))
            hot = xp.where(xp.expand_dims(valid, axis=ax), hot, zero)
    else:
        hot = target.values
    others = tuple(i for i in range(hot.ndim) if i != ax)
    counts = xp.sum(hot, axis=others) if others else hot
    return class_weights_from_counts_xp(stop_gradient(counts, xp=xp), "inverse", 0.0, xp)


def _binary_targets(
    logits: Array,
    labels: Array,
    weights: Array | None,
    reduction: str,
    extra: dict[str, Any] | None = None,
) -> tuple[Array, Array, Namespace, str]:
    """Validate an elementwise binary loss's inputs; return them in the compute dtype."""
    xp = array_namespace(
        logits=logits, labels=labels, weights=weights, **(extra or {}), required=REQUIRED
    )
    reduction = check_reduction(reduction)
    dtype = compute_dtype(logits, "logits", xp)
    if not (is_floating(labels, xp) or is_integer(labels, xp) or labels.dtype == xp.bool):
        raise TypeError(
            f"labels must be a floating, integer or boolean array, got dtype {labels.dtype}"
        )
    check_same_shape(logits, labels, "logits", "labels")
    check_weights(weights, tuple(logits.shape), xp)
    target = cast(labels, dtype, xp)
    if is_integer(labels, xp):
        target = _binary_integer_labels(labels, target, xp)
    return cast(logits, dtype, xp), target, xp, reduction


def _binary_integer_labels(labels: Array, target: Array, xp: Namespace) -> Array:
    """Integer binary labels are 0 or 1: another value is a ``ValueError`` where the
    values can be read, and a NaN target (so a NaN loss) where they cannot."""
    invalid = (labels != 0) & (labels != 1)
    if values_readable(labels, xp):
        if math.prod([int(n) for n in labels.shape]) and bool(xp.any(invalid)):
            raise ValueError(
                f"labels of a binary loss must be 0 or 1 when they are integers (floating "
                f"labels may be probabilities in [0, 1]); got values from "
                f"{int(xp.min(labels))} to {int(xp.max(labels))}"
            )
        return target
    return poison(target, invalid, xp)


def _clamped_log(p: Array, xp: Namespace) -> Array:
    """``max(log p, -100)`` with a zero gradient where ``p == 0`` (never ``inf * 0``)."""
    one = xp.ones((), dtype=p.dtype, device=device_of(p))
    positive = ~(p <= 0)  # not p > 0: a NaN probability must give NaN, not the clamp
    safe = xp.where(positive, p, one)
    clamp = xp.full((), _LOG_CLAMP, dtype=p.dtype, device=device_of(p))
    return xp.where(positive, xp.maximum(xp.log(safe), clamp), clamp)


def _log_probs(logits: Array, from_logits: bool, xp: Namespace) -> tuple[Array, Array]:
    """``(log p, log(1 - p))`` from logits or from probabilities."""
    if from_logits:
        return log_sigmoid_pair(logits, xp=xp)
    return _clamped_log(logits, xp), _clamped_log(1.0 - logits, xp)


def _focal_term(z: Array, gamma: Hyper, xp: Namespace, lam: Hyper = 1.0) -> Array:
    """``(lam - p)^gamma * (-log p)`` from the log-odds against, ``z = log((1 - p) / p)``.

    ``-log p = softplus(z)`` and ``log(1 - p) = log_sigmoid(z)``: both accurate when
    ``p`` rounds to 1 (where ``x - logsumexp(x)`` cancels to 0) or to 0, with a finite
    gradient for any ``gamma`` (the textbook form is NaN for gamma < 1 there).
    """
    nll = softplus(z, xp=xp)
    if isinstance(gamma, float) and gamma == 0.0:
        return nll  # cross-entropy; also avoids exp(0 * -inf) = NaN
    if isinstance(lam, float) and lam == 1.0:
        return xp.exp(gamma * log_sigmoid(z, xp=xp)) * nll
    if isinstance(lam, float):
        # lam - p = (lam - 1) + sigmoid(z) >= lam - 1 > 0: log finite, gradient finite
        return xp.exp(gamma * xp.log((lam - 1.0) + sigmoid(z, xp=xp))) * nll
    # an array lam may be exactly 1: there log(1 - p) must stay log_sigmoid(z), whose
    # gradient is finite where sigmoid(z) underflows (double where, no log(0))
    above = lam > 1.0
    shifted = xp.where(above, (lam - 1.0) + sigmoid(z, xp=xp), xp.ones_like(z))
    log_modulator = xp.where(above, xp.log(shifted), log_sigmoid(z, xp=xp))
    return xp.exp(gamma * log_modulator) * nll


def _logsumexp_excluding(logits: Array, excluded: Array, ax: int, xp: Namespace) -> Array:
    """logsumexp along ``ax`` over the entries where the boolean ``excluded`` is False.

    Excluded entries become the dtype's lowest finite value, not -inf: their ``exp``
    is 0 next to any entry left, so the result is unchanged there, and a row with
    nothing left (every other logit -inf) gives that finite value instead of -inf
    (a log-odds so negative that ``p`` is 1 to working precision) and a zero, not
    NaN, gradient: logsumexp's backward over all -inf is ``exp(-inf - -inf)``. One
    ``where`` over the input, not the three a -inf fill plus an empty-row guard
    took (2x the eager time of the whole focal loss at 8192x1000 on torch).
    """
    lowest = xp.full((), xp.finfo(logits.dtype).min, dtype=logits.dtype, device=device_of(logits))
    return logsumexp(xp.where(excluded, lowest, logits), ax, xp=xp)


def _index_log_odds(logits: Array, labels: Array, ax: int, xp: Namespace) -> Array:
    """``z = log((1 - p_y) / p_y) = logsumexp_{c != y} x_c - x_y`` for integer labels."""
    fused = fused_label_log_odds(logits, labels, ax, xp=xp)
    if fused is not None:
        return fused
    hot = one_hot(labels, int(logits.shape[ax]), ax, dtype=xp.bool, xp=xp)
    rest = _logsumexp_excluding(logits, hot, ax, xp)
    return rest - take_along_axis(logits, labels, ax, xp=xp)


def _log_odds_against(logits: Array, ax: int, xp: Namespace) -> Array:
    """``log((1 - p_c) / p_c)`` for every class ``c`` of ``p = softmax(logits)``.

    For the row's argmax class, from the logsumexp of the other classes (exact even
    when ``p_c`` rounds to 1); for every other class ``p_c <= 1/2``, so
    ``log1p(-p_c)`` is accurate and ``logsumexp + log1p(-p_c) - x_c`` costs no extra
    pass over the classes.
    """
    top = xp.argmax(logits, axis=ax)
    is_top = one_hot(top, int(logits.shape[ax]), ax, dtype=xp.bool, xp=xp)
    lse = logsumexp(logits, ax, xp=xp, keepdims=True)
    lse_rest = xp.expand_dims(_logsumexp_excluding(logits, is_top, ax, xp), axis=ax)
    zero = xp.zeros((), dtype=logits.dtype, device=device_of(logits))
    # double where: p_c of the argmax can be exactly 1, and log1p(-1) = -inf
    p = xp.where(is_top, zero, xp.exp(logits - lse))
    return xp.where(is_top, lse_rest, lse + xp.log1p(-p)) - logits


def _log_or_neg_inf(x: Array, xp: Namespace) -> Array:
    """``log x`` for ``x > 0`` and ``-inf`` at 0, with no warning or NaN gradient."""
    positive = x > 0
    safe = xp.where(positive, x, xp.ones((), dtype=x.dtype, device=device_of(x)))
    neg_inf = xp.full((), -float("inf"), dtype=x.dtype, device=device_of(x))
    return xp.where(positive, xp.log(safe), neg_inf)


def _times_log(p: Array, log_q: Array, xp: Namespace) -> Array:
    """``p log q`` with ``0 log 0 = 0``: a target of 0 on a -inf (masked) logit is 0,
    not NaN, in value and gradient (double where; optax's safe softmax CE agrees)."""
    zero = xp.zeros((), dtype=p.dtype, device=device_of(p))
    present = p != 0
    return xp.where(present, p * xp.where(present, log_q, zero), zero)
