"""Classification losses, computed from logits in log space."""

from __future__ import annotations

import math
from typing import Any

from ._imbalance import class_weights_from_counts_xp
from ._lib._compat import Array, Namespace, array_namespace, array_or_none, device_of
from ._lib._dtypes import cast, compute_dtype, is_floating, is_integer
from ._lib._primitives import (
    fused_binary_cross_entropy,
    fused_cross_entropy,
    log_sigmoid,
    log_sigmoid_pair,
    log_softmax,
    logsumexp,
    one_hot,
    safe_power,
    sigmoid,
    softplus,
    stop_gradient,
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

__all__ = [
    "binary_cross_entropy",
    "binary_focal_loss",
    "cross_entropy",
    "focal_loss",
    "nll_loss",
]

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


def cross_entropy(
    logits: Array,
    labels: Array,
    *,
    axis: int = -1,
    class_weights: Array | str | None = None,
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
    class_weights : array, shape (C,), or "balanced", optional
        Per-class weight :math:`w_c` (see :func:`class_weights_from_counts`), or
        ``"balanced"``: the adaptive option, recomputed from each batch's own
        labels (see Notes).
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

    ``class_weights="balanced"`` uses scikit-learn's ``"balanced"`` rule on the
    batch: :math:`w_c = N / (C\, n_c)` with :math:`n_c` the number of non-ignored,
    in-range labels of class :math:`c` (for probability targets the summed
    probability of :math:`c`) and :math:`N = \sum_c n_c`; a class absent from the
    batch gets weight 0. The counts are a one-hot sum (no sync, works under
    ``jax.jit``), and no gradient flows through the weights.

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
    cw = _class_weights(class_weights, target, num_classes, logits, ax, xp)

    if not target.is_index:
        # probability targets: -sum_c w_c y'_c log p_c, mean over positions
        probs = target.values
        if eps > 0.0:
            probs = (1.0 - eps) * probs + eps / num_classes
        if cw is not None:
            probs = probs * broadcast_class_vector(cw, logits.ndim, ax, xp)
        loss = -xp.sum(probs * log_softmax(logits, ax, xp=xp), axis=ax)
        return reduce_loss(loss, reduction, xp=xp, weights=weights)

    # nothing masked or weighted: the kernel's own mean/sum is the contract's
    plain = (
        cw is None
        and weights is None
        and target.keep is None
        and math.prod([int(n) for n in target.values.shape]) > 0  # torch: mean of none = NaN
    )
    fused = fused_cross_entropy(
        logits,
        target.values,
        ax,
        class_weights=cw,
        label_smoothing=eps,
        xp=xp,
        reduction=reduction if plain else "none",
    )
    if fused is not None and plain:
        # labels that could not be read (torch.compile, GPUs) and may be out of range:
        # one NaN term makes the mean or sum NaN, so poisoning the reduced value is the
        # same contract at the cost of one any() over the labels, and the kernel keeps
        # its own reduction (faster compiled than "none" + poison + mean). With an
        # invalid label the gradient is 0 here, not the valid terms': the loss is NaN.
        if target.invalid is not None:
            invalid = target.invalid if reduction == "none" else xp.any(target.invalid)
            return poison(fused, invalid, xp)
        return fused
    if fused is not None:
        # the backend's fused kernel computes the same weighted, smoothed term
        return _index_loss(fused, target, cw, None, None, 0.0, weights, reduction, xp, True)
    lse = logsumexp(logits, ax, xp=xp)
    nll = lse - take_along_axis(logits, target.values, ax, xp=xp)
    smooth = None
    if eps > 0.0 and cw is None:
        # mean_c -log p_c = lse - mean_c x_c: no log-softmax tensor needed
        smooth = lse - xp.sum(logits, axis=ax) / num_classes
    elif eps > 0.0 and cw is not None:
        # torch weights the smoothing term by each class's own weight:
        # sum_c w_c (-log p_c) = lse * sum_c w_c - sum_c w_c x_c
        cwb = broadcast_class_vector(cw, logits.ndim, ax, xp)
        smooth = (lse * xp.sum(cw) - xp.sum(cwb * logits, axis=ax)) / num_classes
    return _index_loss(nll, target, cw, None, smooth, eps, weights, reduction, xp)


def nll_loss(
    log_probs: Array,
    labels: Array,
    *,
    axis: int = -1,
    class_weights: Array | str | None = None,
    ignore_index: int | None = None,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Negative log-likelihood of class indices (or probabilities) given log-probabilities.

    .. math::

        \ell_i = -w_{y_i}\, \log p_{i, y_i}, \qquad
        \text{mean} = \frac{\sum_i \ell_i}{\sum_i w_{y_i}}

    over the non-ignored positions, with :math:`\log p` the given
    ``log_probs`` and :math:`w_c` the class weights. Use it when the model already
    ends in a log-softmax (or another normalised log-density over classes);
    ``nll_loss(log_softmax(x), y)`` is :func:`cross_entropy` ``(x, y)``, which is
    faster and more accurate from logits.

    Semantics match ``torch.nn.functional.nll_loss`` (class weights, ``ignore_index``,
    the weighted mean), with two deliberate differences: a batch in which every
    label is ignored gives 0 with zero gradient, not NaN (pytorch #70348), and
    floating ``labels`` with ``log_probs``'s shape are accepted as probabilities,
    :math:`\ell_i = -\sum_c w_c\, y_{ic} \log p_{ic}`, averaged over positions as in
    :func:`cross_entropy`.

    Parameters
    ----------
    log_probs : array, shape (..., C, ...)
        Log-probabilities, class axis at ``axis``. Not checked for normalisation
        (torch does not check either); :math:`-\infty` is allowed and gives an
        infinite loss where it is the label's entry.
    labels : array
        Integer class indices with ``log_probs``'s shape minus ``axis``, or floating
        probabilities with ``log_probs``'s shape.
    axis : int, default -1
        The class axis; PyTorch layouts pass ``axis=1``.
    class_weights : array, shape (C,), or "balanced", optional
        Per-class weight :math:`w_c`, or ``"balanced"``: the adaptive option,
        sklearn's :math:`N / (C\, n_c)` from the batch's own labels, 0 for a class
        absent from the batch, no gradient (as in :func:`cross_entropy`).
    ignore_index : int, optional
        Integer label whose positions contribute nothing (value and gradient 0).
    weights : array, optional
        Per-position weights, broadcasting against the ``"none"`` result.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns ``log_probs``'s shape without the class axis.

    Returns
    -------
    array
        Scalar, or the per-position loss for ``reduction="none"``.

    Notes
    -----
    torch's default ``ignore_index`` is -100; ours is ``None`` (nothing ignored):
    pass ``ignore_index=-100`` for torch's behaviour. An out-of-range integer label
    raises ``ValueError`` on eager CPU arrays and gives NaN where values cannot be
    read (``jax.jit``, ``torch.compile``, GPUs, Dask).

    References
    ----------
    .. [1] C. M. Bishop, "Pattern Recognition and Machine Learning", Springer 2006,
       section 4.3.4 (multiclass logistic regression, the negative log-likelihood).
       https://doi.org/10.1007/978-0-387-45528-0

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> log_probs = np.log(np.array([[0.5, 0.25, 0.25], [0.1, 0.8, 0.1]]))
    >>> al.nll_loss(log_probs, np.array([0, 1]), reduction="none")
    array([0.69314718, 0.22314355])
    >>> w = np.array([3.0, 1.0, 1.0])
    >>> round(float(al.nll_loss(log_probs, np.array([0, 1]), class_weights=w)), 6)
    0.575646
    """
    log_probs, target, ax, xp, reduction = _prepare_softmax(
        log_probs,
        labels,
        axis,
        ignore_index,
        weights,
        reduction,
        {"class_weights": array_or_none(class_weights)},
        name="log_probs",
    )
    num_classes = int(log_probs.shape[ax])
    cw = _class_weights(class_weights, target, num_classes, log_probs, ax, xp)
    if not target.is_index:
        probs = target.values
        if cw is not None:
            probs = probs * broadcast_class_vector(cw, log_probs.ndim, ax, xp)
        # 0 * -inf = NaN: zero target mass contributes 0 (0 log 0 = 0); double where
        # so that neither the value nor a gradient sees -inf there
        zero = xp.zeros((), dtype=log_probs.dtype, device=device_of(log_probs))
        safe = xp.where(probs == 0, zero, log_probs)
        loss = -xp.sum(probs * safe, axis=ax)
        return reduce_loss(loss, reduction, xp=xp, weights=weights)
    nll = -take_along_axis(log_probs, target.values, ax, xp=xp)
    return _index_loss(nll, target, cw, None, None, 0.0, weights, reduction, xp)


def _index_loss(
    loss_y: Array,
    target: ClassTarget,
    cw: Array | None,
    alpha: Array | None,
    smooth: Array | None,
    eps: float,
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
    if eps > 0.0 and smooth is not None:
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
        return log_sigmoid_pair(logits, xp=xp)
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

    Notes
    -----
    On torch, from logits, the value and gradient come from
    ``F.binary_cross_entropy_with_logits`` (one fused kernel each way), whose
    ``log(1 + e^{-|x|})`` and ``sigmoid(x) - y`` round a per-element loss or
    gradient below the float epsilon to 0 (absolute error < eps/2); every other
    path keeps full relative accuracy there.

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
    pw = None if pos_weight is None else _pos_weight(pos_weight, logits, xp)
    if from_logits:
        # no weights and a non-empty input: the kernel's own mean/sum is the contract's
        plain = weights is None and math.prod([int(n) for n in logits.shape]) > 0
        fused = fused_binary_cross_entropy(
            logits, labels, pw, xp=xp, reduction=reduction if plain else "none"
        )
        if fused is not None:
            return fused if plain else reduce_loss(fused, reduction, xp=xp, weights=weights)
    log_p, log_1mp = _log_probs(logits, from_logits, xp)
    positive = labels * log_p
    if pw is not None:
        positive = positive * pw
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
    lam: float = 1.0,
    axis: int = -1,
    class_weights: Array | str | None = None,
    ignore_index: int | None = None,
    label_smoothing: float = 0.0,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Multi-class softmax focal loss, with Khan & Khan's offset form.

    .. math::

        \ell_i = -\sum_c w_c\, \alpha_c\, y'_{ic}\, (\lambda - p_{ic})^{\gamma}
        \log p_{ic},
        \qquad p_i = \operatorname{softmax}(x_i),
        \qquad y'_{ic} = (1 - \varepsilon)\, y_{ic} + \varepsilon / C

    The factor :math:`(1 - p)^\gamma` down-weights well-classified examples so the
    rare, hard ones dominate the gradient: the reason to use it under heavy class
    imbalance. ``gamma=0`` is :func:`cross_entropy` (with the same ``class_weights``
    and ``label_smoothing``).

    ``lam`` (:math:`\lambda \ge 1`) is the offset of [2]; ``lam=1`` is the standard
    focal loss. With :math:`\lambda > 1` easy examples (:math:`p_t \to 1`) keep
    the weight :math:`(\lambda - 1)^\gamma` instead of 0 and hard ones
    (:math:`p_t \to 0`) get :math:`\lambda^\gamma`, so the hard/easy ratio
    :math:`(\lambda / (\lambda - 1))^\gamma` is finite and shrinks as
    :math:`\lambda` grows (towards cross-entropy scaled by :math:`\lambda^\gamma`):
    less focusing, and well-classified examples keep contributing a gradient.

    Numerics: both factors come from the log-odds against the label,
    :math:`z = \log\frac{1 - p_y}{p_y} = \operatorname{logsumexp}_{c \ne y} x_c - x_y`,
    as :math:`-\log p_y = \operatorname{softplus}(z)` and
    :math:`(1 - p_y)^\gamma = \exp(\gamma \log\sigma(z))`. This is accurate when
    :math:`p_y` rounds to 1 (where :math:`x_y - \operatorname{logsumexp}(x)` cancels to
    0), and the gradient stays finite for :math:`\gamma < 1` at saturated logits
    (where the textbook form gives NaN: optax #1267, kornia #918).
    Probability targets get the same accuracy per class: for the most likely class
    from the logsumexp of the others, for every other class (:math:`p_c \le 1/2`)
    from :math:`\log(1 - p_c)` with ``log1p``. For :math:`\lambda > 1`,
    :math:`\lambda - p = (\lambda - 1) + \sigma(z)` is a sum of non-negative terms at
    least :math:`\lambda - 1 > 0`, so its power has a finite gradient for any
    :math:`\gamma`. With label smoothing every class's term is needed, so the
    per-class log-odds path of probability targets is used for integer labels too.

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
    lam : float >= 1, default 1.0
        Offset :math:`\lambda` of the modulating factor :math:`(\lambda - p)^\gamma`
        [2]. Values below 1 are rejected: :math:`\lambda - p` could be negative,
        and a non-integer power of it is not real.
    axis : int, default -1
        The class axis.
    class_weights : array, shape (C,), or "balanced", optional
        Per-class weights :math:`w_c` with :func:`cross_entropy`'s semantics: they
        *do* enter the ``"mean"`` denominator (:math:`\sum_i w_{y_i}`) for integer
        labels. ``"balanced"`` is the adaptive option: sklearn's
        :math:`N / (C\, n_c)` from the batch's own labels, 0 for absent classes,
        no gradient (see :func:`cross_entropy`).
    ignore_index : int, optional
        Integer label whose positions contribute nothing.
    label_smoothing : float in [0, 1], default 0
        :math:`\varepsilon`: the target becomes :math:`(1 - \varepsilon) y +
        \varepsilon / C`, the definition of :func:`cross_entropy`.
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
    .. [2] A. Khan, M. Khan (offset focal loss for semantic segmentation), "Loss
       Functions: Evaluating Their Performance and the Need for an Adaptive
       Approach".

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> logits = np.array([[2.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    >>> round(float(al.focal_loss(logits, np.array([0, 1]), gamma=2.0)), 6)
    0.054976
    >>> round(float(al.focal_loss(np.array([0.0, 0.0]), np.array(0), lam=1.5)), 6)
    0.693147
    """
    gamma = check_number(gamma, "gamma", low=0.0)
    lam = check_number(lam, "lam", low=1.0)
    eps = check_number(label_smoothing, "label_smoothing", low=0.0, high=1.0)
    logits, target, ax, xp, reduction = _prepare_softmax(
        logits,
        labels,
        axis,
        ignore_index,
        weights,
        reduction,
        {"alpha": array_or_none(alpha), "class_weights": array_or_none(class_weights)},
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
    cw = _class_weights(class_weights, target, num_classes, logits, ax, xp)

    if target.is_index and eps == 0.0:
        loss = _focal_term(_index_log_odds(logits, target.values, ax, xp), gamma, xp, lam)
        return _index_loss(loss, target, cw, alpha_vec, None, 0.0, weights, reduction, xp)

    # every class's term, each from its own accurate log-odds
    per_class = _focal_term(_log_odds_against(logits, ax, xp), gamma, xp, lam)
    mult = alpha_vec if cw is None else (cw if alpha_vec is None else cw * alpha_vec)
    weighted = per_class
    if mult is not None:
        weighted = per_class * broadcast_class_vector(mult, logits.ndim, ax, xp)
    if target.is_index:
        # (1 - eps) m_y t_y + (eps / C) sum_c m_c t_c, as cross_entropy
        loss_y = take_along_axis(per_class, target.values, ax, xp=xp)
        smooth = xp.sum(weighted, axis=ax) / num_classes
        return _index_loss(loss_y, target, cw, alpha_vec, smooth, eps, weights, reduction, xp)

    probs = target.values
    if eps > 0.0:
        probs = (1.0 - eps) * probs + eps / num_classes
    return reduce_loss(xp.sum(probs * weighted, axis=ax), reduction, xp=xp, weights=weights)


def _focal_term(z: Array, gamma: float, xp: Namespace, lam: float = 1.0) -> Array:
    """``(lam - p)^gamma * (-log p)`` from the log-odds against, ``z = log((1 - p) / p)``.

    ``-log p = softplus(z)`` and ``log(1 - p) = log_sigmoid(z)``: both accurate when
    ``p`` rounds to 1 (where ``x - logsumexp(x)`` cancels to 0) or to 0, with a finite
    gradient for any ``gamma`` (the textbook form is NaN for gamma < 1 there).
    """
    nll = softplus(z, xp=xp)
    if gamma == 0.0:
        return nll  # cross-entropy; also avoids exp(0 * -inf) = NaN
    if lam == 1.0:
        return xp.exp(gamma * log_sigmoid(z, xp=xp)) * nll
    # lam - p = (lam - 1) + sigmoid(z) >= lam - 1 > 0: log finite, gradient finite
    return xp.exp(gamma * xp.log((lam - 1.0) + sigmoid(z, xp=xp))) * nll


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


def binary_focal_loss(
    logits: Array,
    labels: Array,
    *,
    gamma: float = 2.0,
    alpha: float | None = 0.25,
    from_logits: bool = True,
    label_smoothing: float = 0.0,
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

    Numerics: from logits, :math:`1 - p_t = y\,\sigma(-x) + (1 - y)\,\sigma(x)`,
    a sum of two non-negative terms each computed from a log-sigmoid, so it keeps
    its relative accuracy for soft labels and saturated logits, and the loss is
    finite in value and gradient for :math:`\gamma < 1` there (the textbook
    ``(1 - sigmoid(x)) ** gamma`` gives NaN: optax #1267).

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
    label_smoothing : float in [0, 1], default 0
        Pulls targets towards 1/2, :math:`y' = (1 - \varepsilon) y + \varepsilon / 2`,
        as in :func:`binary_cross_entropy`; the smoothed target enters every factor
        (:math:`p_t`, :math:`\alpha_t` and the cross-entropy).
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
    eps = check_number(label_smoothing, "label_smoothing", low=0.0, high=1.0)
    if eps > 0.0:
        labels = (1.0 - eps) * labels + eps / 2
    # not torch's fused BCE kernel here: it computes log(1 + e^-|x|), not log1p, so a
    # loss below eps rounds to 0, and the modulating factor must multiply that term
    # exactly (gamma < 1 at saturated logits: tests/test_numerics.py)
    log_p, log_1mp = _log_probs(logits, from_logits, xp)
    one_m_y = 1.0 - labels
    bce = -(labels * log_p + one_m_y * log_1mp)
    if gamma == 0.0:
        loss = bce
    else:
        # 1 - p_t = y (1 - p) + (1 - y) p: a sum of two non-negative terms, each from an
        # accurate sigma(-x) / sigma(x) (the exp of the log-sigmoids above), so it keeps
        # full relative accuracy when it is tiny (saturated logits) and needs no log of
        # the labels; _power gives gamma < 1 a finite gradient where it underflows to 0
        if from_logits:
            p, one_m_p = xp.exp(log_p), xp.exp(log_1mp)
        else:
            p, one_m_p = logits, 1.0 - logits
        loss = safe_power(labels * one_m_p + one_m_y * p, gamma, xp=xp) * bce
    if alpha is not None:
        # alpha y + (1 - alpha)(1 - y), in two operations
        loss = ((1.0 - alpha) + (2.0 * alpha - 1.0) * labels) * loss
    return reduce_loss(loss, reduction, xp=xp, weights=weights)


def _log_or_neg_inf(x: Array, xp: Namespace) -> Array:
    """``log x`` for ``x > 0`` and ``-inf`` at 0, with no warning or NaN gradient."""
    positive = x > 0
    safe = xp.where(positive, x, xp.ones((), dtype=x.dtype, device=device_of(x)))
    neg_inf = xp.full((), -float("inf"), dtype=x.dtype, device=device_of(x))
    return xp.where(positive, xp.log(safe), neg_inf)
