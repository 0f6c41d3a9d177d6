"""Classification losses, computed from logits in log space."""

from __future__ import annotations

import math
from typing import Any

from .._lib._compat import Array, Namespace, array_or_none, device_of
from .._lib._dtypes import cast
from .._lib._fused import fused_binary_cross_entropy, fused_cross_entropy
from .._lib._hyper import continuous
from .._lib._reduction import check_weights, reduce_loss
from .._lib._special import (
    log_softmax,
    logsumexp,
    sigmoid_cross_entropy,
    take_along_axis,
)
from .._lib._targets import (
    broadcast_class_vector,
    poison,
)
from .._lib._validation import check_number
from ._common import (
    _binary_targets,
    _class_weights,
    _index_loss,
    _log_probs,
    _prepare_softmax,
    _times_log,
)

__all__ = ["binary_cross_entropy", "cross_entropy", "nll_loss"]


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
        {
            "class_weights": array_or_none(class_weights),
            "label_smoothing": array_or_none(label_smoothing),
        },
    )
    eps = continuous(label_smoothing, "label_smoothing", logits, xp, low=0.0, high=1.0)
    smoothing = not isinstance(eps, float) or eps > 0.0
    num_classes = int(logits.shape[ax])
    cw = _class_weights(class_weights, target, num_classes, logits, ax, xp)

    if not target.is_index:
        # probability targets: -sum_c w_c y'_c log p_c, mean over positions
        probs = target.values
        if smoothing:
            probs = (1.0 - eps) * probs + eps / num_classes
        if cw is not None:
            probs = probs * broadcast_class_vector(cw, logits.ndim, ax, xp)
        loss = -xp.sum(_times_log(probs, log_softmax(logits, ax, xp=xp), xp), axis=ax)
        return reduce_loss(loss, reduction, xp=xp, weights=weights)

    # nothing masked or weighted: the kernel's own mean/sum is the contract's
    plain = (
        cw is None
        and weights is None
        and target.keep is None
        and math.prod([int(n) for n in target.values.shape]) > 0  # torch: mean of none = NaN
    )
    fused = (
        fused_cross_entropy(
            logits,
            target.values,
            ax,
            class_weights=cw,
            label_smoothing=eps,
            xp=xp,
            reduction=reduction if plain else "none",
        )
        if isinstance(eps, float)  # the kernel takes a Python number
        else None
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
    if smoothing and cw is None:
        # mean_c -log p_c = lse - mean_c x_c: no log-softmax tensor needed
        smooth = lse - xp.sum(logits, axis=ax) / num_classes
    elif smoothing and cw is not None:
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
        logits,
        labels,
        weights,
        reduction,
        {"pos_weight": pw_array, "label_smoothing": array_or_none(label_smoothing)},
    )
    eps = continuous(label_smoothing, "label_smoothing", logits, xp, low=0.0, high=1.0)
    if not isinstance(eps, float) or eps > 0.0:
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
    if from_logits and pw is None:
        return reduce_loss(
            sigmoid_cross_entropy(logits, labels, xp=xp), reduction, xp=xp, weights=weights
        )
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
