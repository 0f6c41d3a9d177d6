"""Classification losses, computed from logits in log space."""

from __future__ import annotations

from typing import Any

from ._lib._compat import Array, Namespace, array_namespace, array_or_none, device_of
from ._lib._dtypes import cast, compute_dtype, is_floating, is_integer
from ._lib._primitives import (
    log_sigmoid,
    log_softmax,
    logsumexp,
    one_hot,
    softplus,
    take_along_axis,
)
from ._lib._reduction import check_reduction, check_weights, reduce_loss
from ._lib._targets import (
    ClassTarget,
    broadcast_class_vector,
    class_target,
    class_weight_vector,
    poison,
)
from ._lib._validation import check_number, check_same_shape, normalize_axis

__all__ = ["binary_cross_entropy", "binary_focal_loss", "cross_entropy", "focal_loss"]

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
) -> tuple[Array, ClassTarget, int, Namespace, str]:
    """Common validation for softmax losses; returns logits in the compute dtype."""
    xp = array_namespace(
        logits=logits, labels=labels, weights=weights, **(extra or {}), required=REQUIRED
    )
    reduction = check_reduction(reduction)
    dtype = compute_dtype(logits, "logits", xp)
    ax = normalize_axis(axis, logits.ndim)
    logits = cast(logits, dtype, xp)
    target = class_target(logits, labels, ax, ignore_index=ignore_index, xp=xp)
    unreduced = tuple(logits.shape[:ax]) + tuple(logits.shape[ax + 1 :])
    check_weights(weights, unreduced, xp)
    return logits, target, ax, xp, reduction


def cross_entropy(
    logits: Array,
    labels: Array,
    *,
    axis: int = -1,
    class_weights: Array | None = None,
    ignore_index: int | None = None,
    label_smoothing: float = 0.0,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Softmax cross-entropy between logits and class indices or probabilities.

    .. math::

        \ell_i = -\sum_c w_c\, y'_{ic} \log \operatorname{softmax}(x_i)_c,
        \qquad y'_{ic} = (1 - \varepsilon)\, y_{ic} + \varepsilon / C

    with :math:`y_{ic}` the one-hot encoding of an integer label or the given
    probabilities, :math:`w_c` the class weights and :math:`\varepsilon` the label
    smoothing. Computed as :math:`\operatorname{logsumexp}(x_i) - x_{i,y_i}` for
    integer labels, never as ``log(softmax(x))``.

    Semantics match ``torch.nn.functional.cross_entropy``: with integer labels,
    ``"mean"`` is the weighted mean :math:`\sum_i \ell_i / \sum_i w_{y_i}` over
    non-ignored positions; with probability targets it divides by the number of
    positions. One deliberate difference: a batch in which every label is ignored
    gives 0 (with zero gradient), not NaN (pytorch #70348).

    Parameters
    ----------
    logits : array, shape (..., C, ...)
        Unnormalized scores, class axis at ``axis``.
    labels : array
        Integer class indices with ``logits``'s shape minus ``axis``, or floating
        probabilities with ``logits``'s shape.
    axis : int, default -1
        The class axis; PyTorch layouts pass ``axis=1``.
    class_weights : array, shape (C,), optional
        Per-class weight :math:`w_c`.
    ignore_index : int, optional
        Integer label whose positions contribute nothing (value and gradient 0).
    label_smoothing : float in [0, 1], default 0
        Mixes the target with the uniform distribution.
    weights : array, optional
        Per-position weights, broadcasting against the ``"none"`` result.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns ``logits``'s shape without the class axis.

    Returns
    -------
    array
        Scalar, or the per-position loss for ``reduction="none"``.

    Notes
    -----
    An out-of-range integer label raises ``ValueError`` on eager CPU arrays; under
    ``jax.jit``, ``torch.compile``, on GPUs and on Dask (where reading values would
    trace or sync) that position's loss is NaN instead.

    References
    ----------
    .. [1] C. Szegedy et al., "Rethinking the Inception Architecture for Computer
       Vision", CVPR 2016 (label smoothing). https://arxiv.org/abs/1512.00567

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> logits = np.array([[2.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    >>> round(float(al.cross_entropy(logits, np.array([0, 1]))), 6)
    0.395495
    """
    logits, target, ax, xp, reduction = _prepare_softmax(
        logits,
        labels,
        axis,
        ignore_index,
        weights,
        reduction,
        {"class_weights": array_or_none(class_weights)},
    )
    eps = check_number(label_smoothing, "label_smoothing", low=0.0, high=1.0)
    num_classes = int(logits.shape[ax])
    cw = class_weight_vector(class_weights, num_classes, logits, xp)

    if not target.is_index:
        # probability targets: -sum_c w_c y'_c log p_c, mean over positions
        probs = target.values
        if eps > 0.0:
            probs = (1.0 - eps) * probs + eps / num_classes
        if cw is not None:
            probs = probs * broadcast_class_vector(cw, logits.ndim, ax, xp)
        loss = -xp.sum(probs * log_softmax(logits, ax, xp=xp), axis=ax)
        return reduce_loss(loss, reduction, xp=xp, weights=weights)

    lse = logsumexp(logits, ax, xp=xp)
    nll = lse - take_along_axis(logits, target.values, ax, xp=xp)
    if cw is None:
        loss = nll
        if eps > 0.0:
            # sum_c -log p_c = C * lse - sum_c x_c: no log-softmax tensor needed
            uniform = lse - xp.sum(logits, axis=ax) / num_classes
            loss = (1.0 - eps) * nll + eps * uniform
        loss = poison(loss, target.invalid, xp)
        return reduce_loss(loss, reduction, xp=xp, weights=weights, mask=target.keep)

    label_weight = xp.take(cw, xp.reshape(target.values, (-1,)), axis=0)
    label_weight = xp.reshape(label_weight, tuple(nll.shape))
    loss = label_weight * nll
    if eps > 0.0:
        # torch weights the smoothing term by each class's own weight:
        # sum_c w_c (-log p_c) = lse * sum_c w_c - sum_c w_c x_c
        cwb = broadcast_class_vector(cw, logits.ndim, ax, xp)
        smooth = lse * xp.sum(cw) - xp.sum(cwb * logits, axis=ax)
        loss = (1.0 - eps) * loss + (eps / num_classes) * smooth
    loss = poison(loss, target.invalid, xp)
    if weights is not None:
        loss = loss * cast(weights, loss.dtype, xp)
        label_weight = label_weight * cast(weights, loss.dtype, xp)
    return reduce_loss(
        loss, reduction, xp=xp, weights=label_weight, mask=target.keep, prescaled=True
    )


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
    return cast(logits, dtype, xp), cast(labels, dtype, xp), xp, reduction


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
        return log_sigmoid(logits, xp=xp), log_sigmoid(-logits, xp=xp)
    return _clamped_log(logits, xp), _clamped_log(1.0 - logits, xp)


def binary_cross_entropy(
    logits: Array,
    labels: Array,
    *,
    from_logits: bool = True,
    pos_weight: Array | float | None = None,
    label_smoothing: float = 0.0,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Elementwise sigmoid (binary) cross-entropy, for binary and multi-label tasks.

    .. math::

        \ell_i = -\bigl[\, w_{+}\, y'_i \log \sigma(x_i)
                 + (1 - y'_i) \log(1 - \sigma(x_i)) \bigr],
        \qquad y'_i = (1 - \varepsilon)\, y_i + \varepsilon / 2

    with :math:`w_{+}` the ``pos_weight`` and :math:`\varepsilon` the label
    smoothing (the definition of :func:`cross_entropy` with two classes). From
    logits, :math:`\log\sigma(x) = -\operatorname{softplus}(-x)`: finite for any
    finite logit, like ``torch.nn.functional.binary_cross_entropy_with_logits``.
    With ``from_logits=False`` the input is a probability and each log is clamped
    at -100 as ``torch.nn.functional.binary_cross_entropy`` does, so exactly 0 and
    1 give finite values and gradients.

    Parameters
    ----------
    logits : array, shape (...)
        Logits, or probabilities when ``from_logits=False``.
    labels : array, shape (...)
        Targets in [0, 1], same shape; floating, integer or boolean.
    from_logits : bool, default True
        Whether ``logits`` are logits (True) or probabilities (False).
    pos_weight : float or array, optional
        Weight of the positive term, broadcasting against ``labels`` (one per
        class in multi-label use), as in torch.
    label_smoothing : float in [0, 1], default 0
        Pulls targets towards 1/2.
    weights : array, optional
        Broadcasts against the elementwise loss.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns the elementwise loss.

    Returns
    -------
    array
        Scalar, or ``logits``'s shape for ``reduction="none"``.

    References
    ----------
    .. [1] I. Goodfellow, Y. Bengio, A. Courville, "Deep Learning", MIT Press 2016,
       section 6.2.2.2 (sigmoid units for Bernoulli outputs).

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> al.binary_cross_entropy(np.array([0.0, 3.0]), np.array([1.0, 1.0]), reduction="none")
    array([0.69314718, 0.04858735])
    """
    pw_array = array_or_none(pos_weight)
    logits, labels, xp, reduction = _binary_targets(
        logits, labels, weights, reduction, {"pos_weight": pw_array}
    )
    eps = check_number(label_smoothing, "label_smoothing", low=0.0, high=1.0)
    if eps > 0.0:
        labels = (1.0 - eps) * labels + eps / 2
    log_p, log_1mp = _log_probs(logits, from_logits, xp)
    positive = labels * log_p
    if pos_weight is not None:
        positive = positive * _pos_weight(pos_weight, logits, xp)
    loss = -(positive + (1.0 - labels) * log_1mp)
    return reduce_loss(loss, reduction, xp=xp, weights=weights)


def _pos_weight(pos_weight: Any, logits: Array, xp: Namespace) -> Array | float:
    if hasattr(pos_weight, "shape"):
        check_weights(pos_weight, tuple(logits.shape), xp, name="pos_weight")
        return cast(pos_weight, logits.dtype, xp)
    return check_number(pos_weight, "pos_weight", low=0.0)


def focal_loss(
    logits: Array,
    labels: Array,
    *,
    gamma: float = 2.0,
    alpha: Array | None = None,
    axis: int = -1,
    ignore_index: int | None = None,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Multi-class softmax focal loss.

    .. math::

        \ell_i = -\sum_c \alpha_c\, y_{ic}\, (1 - p_{ic})^{\gamma} \log p_{ic},
        \qquad p_i = \operatorname{softmax}(x_i)

    The factor :math:`(1 - p)^\gamma` down-weights well-classified examples so the
    rare, hard ones dominate the gradient: the reason to use it under heavy class
    imbalance. ``gamma=0`` is :func:`cross_entropy`.

    Numerics: both factors come from the log-odds against the label,
    :math:`z = \log\frac{1 - p_y}{p_y} = \operatorname{logsumexp}_{c \ne y} x_c - x_y`,
    as :math:`-\log p_y = \operatorname{softplus}(z)` and
    :math:`(1 - p_y)^\gamma = \exp(\gamma \log\sigma(z))`. This is accurate when
    :math:`p_y` rounds to 1 (where :math:`x_y - \operatorname{logsumexp}(x)` cancels to
    0), and the gradient stays finite for :math:`\gamma < 1` at saturated logits
    (where the textbook form gives NaN: optax #1267, kornia #918).
    Probability targets get the same accuracy per class: for the most likely class
    from the logsumexp of the others, for every other class (:math:`p_c \le 1/2`)
    from :math:`\log(1 - p_c)` with ``log1p``.

    Parameters
    ----------
    logits : array, shape (..., C, ...)
        Unnormalized scores, class axis at ``axis``; C >= 2.
    labels : array
        Integer class indices (``logits``'s shape minus ``axis``) or floating
        probabilities (``logits``'s shape).
    gamma : float >= 0, default 2.0
        Focusing parameter (the paper's default).
    alpha : array, shape (C,), optional
        One weight per class, multiplying that class's term. It is *not* a scalar:
        the scalar positive/negative balance is :func:`binary_focal_loss`'s ``alpha``.
        Unlike ``class_weights`` of :func:`cross_entropy`, ``alpha`` does not enter
        the mean's denominator (the paper's definition; kornia and MONAI agree).
    axis : int, default -1
        The class axis.
    ignore_index : int, optional
        Integer label whose positions contribute nothing.
    weights : array, optional
        Per-position weights, broadcasting against the ``"none"`` result.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns ``logits``'s shape without the class axis.

    Returns
    -------
    array
        Scalar, or the per-position loss for ``reduction="none"``.

    References
    ----------
    .. [1] T.-Y. Lin, P. Goyal, R. Girshick, K. He, P. Dollar, "Focal Loss for
       Dense Object Detection", ICCV 2017. https://arxiv.org/abs/1708.02002

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> logits = np.array([[2.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    >>> round(float(al.focal_loss(logits, np.array([0, 1]), gamma=2.0)), 6)
    0.054976
    """
    gamma = check_number(gamma, "gamma", low=0.0)
    logits, target, ax, xp, reduction = _prepare_softmax(
        logits, labels, axis, ignore_index, weights, reduction, {"alpha": array_or_none(alpha)}
    )
    num_classes = int(logits.shape[ax])
    if num_classes < 2:
        raise ValueError(
            f"focal_loss needs at least 2 classes along axis {axis}, got {num_classes}; "
            "use binary_focal_loss for a single logit"
        )
    if alpha is not None and not hasattr(alpha, "shape") and not isinstance(alpha, list | tuple):
        raise TypeError(
            f"alpha must be None or one weight per class (shape ({num_classes},)), got "
            f"{type(alpha).__name__}; the scalar positive/negative alpha belongs to "
            "binary_focal_loss"
        )
    alpha_vec = class_weight_vector(alpha, num_classes, logits, xp, name="alpha")

    if target.is_index:
        hot = one_hot(target.values, num_classes, ax, dtype=xp.bool, xp=xp)
        # z = log((1 - p_y) / p_y) = logsumexp over the other classes - x_y
        z = _logsumexp_excluding(logits, hot, ax, xp) - take_along_axis(
            logits, target.values, ax, xp=xp
        )
        loss = _focal_term(z, gamma, xp)
        if alpha_vec is not None:
            alpha_y = xp.take(alpha_vec, xp.reshape(target.values, (-1,)), axis=0)
            loss = xp.reshape(alpha_y, tuple(loss.shape)) * loss
        loss = poison(loss, target.invalid, xp)
        return reduce_loss(loss, reduction, xp=xp, weights=weights, mask=target.keep)

    term = target.values * _focal_term(_log_odds_against(logits, ax, xp), gamma, xp)
    if alpha_vec is not None:
        term = term * broadcast_class_vector(alpha_vec, logits.ndim, ax, xp)
    return reduce_loss(xp.sum(term, axis=ax), reduction, xp=xp, weights=weights)


def _focal_term(z: Array, gamma: float, xp: Namespace) -> Array:
    """``(1 - p)^gamma * (-log p)`` from the log-odds against, ``z = log((1 - p) / p)``.

    ``-log p = softplus(z)`` and ``log(1 - p) = log_sigmoid(z)``: both accurate when
    ``p`` rounds to 1 (where ``x - logsumexp(x)`` cancels to 0) or to 0, with a finite
    gradient for any ``gamma`` (the textbook form is NaN for gamma < 1 there).
    """
    nll = softplus(z, xp=xp)
    if gamma == 0.0:
        return nll  # cross-entropy; also avoids exp(0 * -inf) = NaN
    return xp.exp(gamma * log_sigmoid(z, xp=xp)) * nll


def _logsumexp_excluding(logits: Array, excluded: Array, ax: int, xp: Namespace) -> Array:
    """logsumexp along ``ax`` over the entries where the boolean ``excluded`` is False.

    Rows with nothing left give -inf with a zero (not NaN) gradient: they get a dummy
    input, since logsumexp's backward over all -inf is exp(-inf - -inf) = NaN.
    """
    neg_inf = xp.full((), -float("inf"), dtype=logits.dtype, device=device_of(logits))
    rest = xp.where(excluded, neg_inf, logits)
    empty = xp.max(rest, axis=ax) == neg_inf
    dummy = xp.zeros((), dtype=logits.dtype, device=device_of(logits))
    rest = xp.where(xp.expand_dims(empty, axis=ax), dummy, rest)
    return xp.where(empty, neg_inf, logsumexp(rest, ax, xp=xp))


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


def binary_focal_loss(
    logits: Array,
    labels: Array,
    *,
    gamma: float = 2.0,
    alpha: float | None = 0.25,
    from_logits: bool = True,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Sigmoid (binary) focal loss, as in RetinaNet and ``torchvision.ops``.

    .. math::

        \ell_i = \alpha_t\, (1 - p_t)^{\gamma}\, \mathrm{BCE}(x_i, y_i), \quad
        p_t = p\,y + (1 - p)(1 - y), \quad
        \alpha_t = \alpha\, y + (1 - \alpha)(1 - y)

    with :math:`p = \sigma(x)`. Elementwise, so it serves binary, multi-label and
    dense (one logit per anchor and class) detection heads.

    Numerics: from logits, :math:`\log(1 - p_t) =
    \operatorname{logaddexp}(\log y + \log\sigma(-x),\ \log(1-y) + \log\sigma(x))`,
    exact for soft labels and finite in value and gradient for :math:`\gamma < 1`
    at saturated logits (the textbook ``(1 - p_t) ** gamma`` gives NaN there:
    optax #1267).

    Parameters
    ----------
    logits : array, shape (...)
        Logits, or probabilities when ``from_logits=False``.
    labels : array, shape (...)
        Targets in [0, 1]; floating, integer or boolean.
    gamma : float >= 0, default 2.0
        Focusing parameter.
    alpha : float in [0, 1] or None, default 0.25
        Weight of positives (negatives get ``1 - alpha``); ``None`` disables the
        balancing. 0.25 is the paper's and torchvision's default; optax defaults
        to ``None``.
    from_logits : bool, default True
        Whether ``logits`` are logits or probabilities.
    weights : array, optional
        Broadcasts against the elementwise loss.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns the elementwise loss.

    Returns
    -------
    array
        Scalar, or ``logits``'s shape for ``reduction="none"``.

    References
    ----------
    .. [1] T.-Y. Lin, P. Goyal, R. Girshick, K. He, P. Dollar, "Focal Loss for
       Dense Object Detection", ICCV 2017. https://arxiv.org/abs/1708.02002

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> al.binary_focal_loss(np.array([2.0, -1.0]), np.array([1.0, 1.0]), reduction="none")
    array([0.00045089, 0.17546708])
    """
    gamma = check_number(gamma, "gamma", low=0.0)
    if alpha is not None:
        alpha = check_number(alpha, "alpha", low=0.0, high=1.0)
    logits, labels, xp, reduction = _binary_targets(logits, labels, weights, reduction)
    log_p, log_1mp = _log_probs(logits, from_logits, xp)
    bce = -(labels * log_p + (1.0 - labels) * log_1mp)
    if gamma == 0.0:
        loss = bce
    elif from_logits:
        log_y = _log_or_neg_inf(labels, xp)
        log_1my = _log_or_neg_inf(1.0 - labels, xp)
        log_1m_pt = xp.logaddexp(log_y + log_1mp, log_1my + log_p)
        loss = xp.exp(gamma * log_1m_pt) * bce
    else:
        one_m_pt = labels * (1.0 - logits) + (1.0 - labels) * logits
        loss = _power(one_m_pt, gamma, xp) * bce
    if alpha is not None:
        loss = (alpha * labels + (1.0 - alpha) * (1.0 - labels)) * loss
    return reduce_loss(loss, reduction, xp=xp, weights=weights)


def _log_or_neg_inf(x: Array, xp: Namespace) -> Array:
    """``log x`` for ``x > 0`` and ``-inf`` at 0, with no warning or NaN gradient."""
    positive = x > 0
    safe = xp.where(positive, x, xp.ones((), dtype=x.dtype, device=device_of(x)))
    neg_inf = xp.full((), -float("inf"), dtype=x.dtype, device=device_of(x))
    return xp.where(positive, xp.log(safe), neg_inf)


def _power(base: Array, exponent: float, xp: Namespace) -> Array:
    """``base ** exponent`` for ``base >= 0``; gradient 0 (not inf * 0) at ``base == 0``."""
    positive = base > 0
    safe = xp.where(positive, base, xp.ones((), dtype=base.dtype, device=device_of(base)))
    at_zero = 1.0 if exponent == 0.0 else 0.0
    fill = xp.full((), at_zero, dtype=base.dtype, device=device_of(base))
    return xp.where(positive, xp.exp(exponent * xp.log(safe)), fill)
