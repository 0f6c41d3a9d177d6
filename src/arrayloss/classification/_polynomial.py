"""PolyLoss: cross-entropy and focal loss with a polynomial correction term."""

from __future__ import annotations

from .._lib._compat import Array, Namespace, array_or_none
from .._lib._hyper import Hyper, continuous
from .._lib._reduction import reduce_loss
from .._lib._special import log_sigmoid, log_softmax, logsumexp, one_hot
from .._lib._targets import broadcast_class_vector, class_weight_vector, poison
from ._common import (
    _binary_targets,
    _focal_term,
    _index_log_odds,
    _log_odds_against,
    _log_or_neg_inf,
    _prepare_softmax,
    _times_log,
)

__all__ = ["binary_poly1_focal_loss", "poly1_cross_entropy", "poly1_focal_loss"]


def _check_epsilon(epsilon: object, like: Array, xp: Namespace) -> Hyper:
    # epsilon < -1 makes the leading (1 - p_t) coefficient 1 + epsilon negative: the
    # loss would decrease as the prediction gets worse near p_t = 1
    return continuous(epsilon, "epsilon", like, xp, low=-1.0)


def _hyper_arrays(**values: object) -> dict[str, Array | None]:
    """The hyperparameters given as arrays, for namespace inference."""
    return {k: array_or_none(v) for k, v in values.items()}


def _power_of_one_minus_p(z: Array, power: Hyper, xp: Namespace) -> Array:
    """``(1 - p)^power`` from ``z = log((1 - p) / p)``: ``exp(power * log_sigmoid(z))``."""
    return xp.exp(power * log_sigmoid(z, xp=xp))


def poly1_cross_entropy(
    logits: Array,
    labels: Array,
    *,
    epsilon: float = 1.0,
    axis: int = -1,
    label_smoothing: float = 0.0,
    ignore_index: int | None = None,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Poly-1 cross-entropy: softmax cross-entropy plus :math:`\epsilon (1 - p_t)`.

    .. math::

        \ell_i = -\sum_c y'_{ic} \log p_{ic} + \epsilon \sum_c y'_{ic} (1 - p_{ic}),
        \qquad p_i = \operatorname{softmax}(x_i)

    with :math:`y'` the one-hot label or the given probabilities, after label
    smoothing :math:`y' = (1 - \varepsilon_{ls}) y + \varepsilon_{ls} / C`. For a
    one-hot label the second term is :math:`\epsilon (1 - p_t)`, :math:`p_t` the
    probability of the true class. Cross-entropy's Taylor series in
    :math:`(1 - p_t)` has leading coefficient 1; PolyLoss changes it to
    :math:`1 + \epsilon`. Use it as a drop-in for :func:`cross_entropy`:
    :math:`\epsilon > 0` (the paper uses 1 and 2 on ImageNet) pushes harder on
    confident examples, :math:`\epsilon = -1` (the paper's choice for detection
    and segmentation) removes the leading term and de-emphasizes them.
    ``epsilon=0`` is :func:`cross_entropy`.

    Parameters
    ----------
    logits : array, shape (..., C, ...)
        Unnormalized scores, class axis at ``axis``.
    labels : array
        Integer class indices (``logits``'s shape minus ``axis``) or floating
        probabilities (``logits``'s shape).
    epsilon : float >= -1, default 1.0
        Perturbation of the first polynomial coefficient. Values below -1 make the
        loss non-monotonic in :math:`p_t` and are rejected (the paper's bound).
    axis : int, default -1
        The class axis; PyTorch layouts pass ``axis=1``.
    label_smoothing : float in [0, 1], default 0
        Mixes the target with the uniform distribution, as in :func:`cross_entropy`;
        it enters both terms (as in the paper's reference code).
    ignore_index : int, optional
        Integer label whose positions contribute nothing (value and gradient 0) and
        are left out of the mean's denominator.
    weights : array, optional
        Per-position weights, broadcasting against the ``"none"`` result.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns ``logits``'s shape without the class axis.

    Returns
    -------
    array
        Scalar, or the per-position loss (``logits``'s shape without ``axis``) for
        ``reduction="none"``.

    Notes
    -----
    The polynomial term is :math:`\sum_c y_c (1 - p_c)` as in
    ``optax.losses.poly_loss_cross_entropy``; the paper's code writes
    :math:`1 - \sum_c y_c p_c`, the same for targets that sum to 1. Each
    :math:`1 - p_c` is :math:`\sigma(z_c)` of the log-odds against the class,
    :math:`z_c = \operatorname{logsumexp}_{k \ne c} x_k - x_c`, so it keeps full
    relative precision when :math:`p_c` rounds to 1 (where ``1 - softmax`` is 0),
    and :math:`-\log p_t = \operatorname{softplus}(z_t)`. Value and gradient are
    finite for any finite logits.

    Differences from optax: optax's ``epsilon`` defaults to 2.0 (we use the
    paper's listing default 1.0), it takes probability targets only, and returns
    the per-example loss (our ``reduction="none"``).

    There is no ``class_weights``: pass per-position ``weights`` (for instance the
    class weight of each label) instead.

    An out-of-range integer label raises ``ValueError`` on eager CPU arrays and
    gives NaN where values cannot be read (traced, GPU, Dask).

    References
    ----------
    .. [1] Z. Leng, M. Tan, C. Liu, E. D. Cubuk, X. Shi, S. Cheng, D. Anguelov,
       "PolyLoss: A Polynomial Expansion Perspective of Classification Loss
       Functions", ICLR 2022. https://arxiv.org/abs/2204.12511

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> logits = np.array([[0.0, 0.0], [0.0, 0.0]])
    >>> al.poly1_cross_entropy(logits, np.array([0, 1]), reduction="none")
    array([1.19314718, 1.19314718])
    """
    logits, target, ax, xp, reduction = _prepare_softmax(
        logits,
        labels,
        axis,
        ignore_index,
        weights,
        reduction,
        _hyper_arrays(epsilon=epsilon, label_smoothing=label_smoothing),
    )
    eps = _check_epsilon(epsilon, logits, xp)
    smoothing = continuous(label_smoothing, "label_smoothing", logits, xp, low=0.0, high=1.0)
    smoothed = not isinstance(smoothing, float) or smoothing > 0.0
    num_classes = int(logits.shape[ax])

    if target.is_index:
        z = _index_log_odds(logits, target.values, ax, xp)
        # -log p_y = softplus(z) = -log_sigmoid(-z); 1 - p_y = sigmoid(z)
        nll = -log_sigmoid(-z, xp=xp)
        one_minus_pt = _power_of_one_minus_p(z, 1.0, xp)
        if smoothed:
            # sum_c -log p_c / C = lse - mean_c x_c; sum_c (1 - p_c) / C = (C - 1) / C
            lse = logsumexp(logits, ax, xp=xp)
            uniform = lse - xp.sum(logits, axis=ax) / num_classes
            nll = (1.0 - smoothing) * nll + smoothing * uniform
            one_minus_pt = (1.0 - smoothing) * one_minus_pt + smoothing * (
                (num_classes - 1) / num_classes
            )
        loss = poison(nll + eps * one_minus_pt, target.invalid, xp)
        return reduce_loss(loss, reduction, xp=xp, weights=weights, mask=target.keep)

    probs = target.values
    if smoothed:
        probs = (1.0 - smoothing) * probs + smoothing / num_classes
    ce = -xp.sum(_times_log(probs, log_softmax(logits, ax, xp=xp), xp), axis=ax)
    one_minus_p = _power_of_one_minus_p(_log_odds_against(logits, ax, xp), 1.0, xp)
    loss = ce + eps * xp.sum(probs * one_minus_p, axis=ax)
    return reduce_loss(loss, reduction, xp=xp, weights=weights)


def poly1_focal_loss(
    logits: Array,
    labels: Array,
    *,
    epsilon: float = 1.0,
    gamma: float = 2.0,
    alpha: Array | None = None,
    axis: int = -1,
    ignore_index: int | None = None,
    label_smoothing: float = 0.0,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Poly-1 softmax focal loss: focal loss plus :math:`\epsilon (1 - p_t)^{\gamma + 1}`.

    .. math::

        \ell_i = \sum_c y_{ic} \Bigl[ -\alpha_c (1 - p_{ic})^{\gamma} \log p_{ic}
                 + \epsilon (1 - p_{ic})^{\gamma + 1} \Bigr],
        \qquad p_i = \operatorname{softmax}(x_i)

    The multi-class (softmax) form of the paper's Poly-1 focal loss, built on
    :func:`focal_loss`; for one logit per class and anchor with a sigmoid (the
    paper's detection setting) use :func:`binary_poly1_focal_loss`. The focal
    loss's leading polynomial term is :math:`(1 - p_t)^{\gamma + 1}`; ``epsilon``
    perturbs its coefficient. Use it where focal loss fits (heavy class
    imbalance) and tuning that one coefficient helps; ``epsilon=0`` is
    :func:`focal_loss`.

    Parameters
    ----------
    logits : array, shape (..., C, ...)
        Unnormalized scores, class axis at ``axis``; C >= 2.
    labels : array
        Integer class indices (``logits``'s shape minus ``axis``) or floating
        probabilities (``logits``'s shape).
    epsilon : float >= -1, default 1.0
        Perturbation of the leading polynomial coefficient (the paper's bound).
    gamma : float >= 0, default 2.0
        Focusing parameter.
    alpha : array, shape (C,), optional
        One weight per class on the focal term, as in :func:`focal_loss`. As in the
        paper's reference code, it does not multiply the polynomial term.
    axis : int, default -1
        The class axis.
    ignore_index : int, optional
        Integer label whose positions contribute nothing.
    label_smoothing : float in [0, 1], default 0
        Mixes the target with the uniform distribution,
        :math:`y' = (1 - \varepsilon_{ls}) y + \varepsilon_{ls} / C`, the definition of
        :func:`cross_entropy` and :func:`focal_loss`.
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
    Both powers of :math:`1 - p_c` are :math:`\exp(k \log\sigma(z_c))` of the
    log-odds against the class, :math:`z_c = \log\frac{1 - p_c}{p_c}`, as in
    :func:`focal_loss`: accurate when :math:`p_c` rounds to 1, and finite in value
    and gradient at saturated logits for every :math:`\gamma \ge 0`.

    References
    ----------
    .. [1] Z. Leng et al., "PolyLoss: A Polynomial Expansion Perspective of
       Classification Loss Functions", ICLR 2022. https://arxiv.org/abs/2204.12511
    .. [2] T.-Y. Lin, P. Goyal, R. Girshick, K. He, P. Dollar, "Focal Loss for
       Dense Object Detection", ICCV 2017. https://arxiv.org/abs/1708.02002

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> logits = np.array([[0.0, 0.0]])
    >>> round(float(al.poly1_focal_loss(logits, np.array([0]), gamma=1.0)), 6)
    0.596574
    """
    logits, target, ax, xp, reduction = _prepare_softmax(
        logits,
        labels,
        axis,
        ignore_index,
        weights,
        reduction,
        {
            "alpha": array_or_none(alpha),
            **_hyper_arrays(epsilon=epsilon, gamma=gamma, label_smoothing=label_smoothing),
        },
    )
    eps = _check_epsilon(epsilon, logits, xp)
    gamma = continuous(gamma, "gamma", logits, xp, low=0.0)
    num_classes = int(logits.shape[ax])
    if num_classes < 2:
        raise ValueError(
            f"poly1_focal_loss needs at least 2 classes along axis {axis}, got "
            f"{num_classes}; use binary_poly1_focal_loss for a single logit"
        )
    if alpha is not None and not hasattr(alpha, "shape") and not isinstance(alpha, list | tuple):
        raise TypeError(
            f"alpha must be None or one weight per class (shape ({num_classes},)), got "
            f"{type(alpha).__name__}; the scalar positive/negative alpha belongs to "
            "binary_poly1_focal_loss"
        )
    alpha_vec = class_weight_vector(alpha, num_classes, logits, xp, name="alpha")

    smoothing = continuous(label_smoothing, "label_smoothing", logits, xp, low=0.0, high=1.0)
    smoothed = not isinstance(smoothing, float) or smoothing > 0.0
    if target.is_index and not smoothed:
        z = _index_log_odds(logits, target.values, ax, xp)
        focal = _focal_term(z, gamma, xp)
        if alpha_vec is not None:
            alpha_y = xp.take(alpha_vec, xp.reshape(target.values, (-1,)), axis=0)
            focal = xp.reshape(alpha_y, tuple(focal.shape)) * focal
        loss = focal + eps * _power_of_one_minus_p(z, gamma + 1.0, xp)
        loss = poison(loss, target.invalid, xp)
        return reduce_loss(loss, reduction, xp=xp, weights=weights, mask=target.keep)

    # every class's term is needed: probability targets, or smoothed integer labels
    probs = target.values
    if target.is_index:
        probs = one_hot(target.values, num_classes, ax, dtype=logits.dtype, xp=xp)
    if smoothed:
        probs = (1.0 - smoothing) * probs + smoothing / num_classes
    z = _log_odds_against(logits, ax, xp)
    focal = _focal_term(z, gamma, xp)
    if alpha_vec is not None:
        focal = focal * broadcast_class_vector(alpha_vec, logits.ndim, ax, xp)
    term = probs * (focal + eps * _power_of_one_minus_p(z, gamma + 1.0, xp))
    loss = poison(xp.sum(term, axis=ax), target.invalid, xp)
    return reduce_loss(loss, reduction, xp=xp, weights=weights, mask=target.keep)


def binary_poly1_focal_loss(
    logits: Array,
    labels: Array,
    *,
    epsilon: float = 1.0,
    gamma: float = 2.0,
    alpha: float | None = 0.25,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Poly-1 sigmoid focal loss, the paper's form for dense detection heads.

    .. math::

        \ell_i = \alpha_t (1 - p_t)^{\gamma}\, \mathrm{BCE}(x_i, y_i)
                 + \epsilon (1 - p_t)^{\gamma + 1},
        \quad p_t = p\,y + (1 - p)(1 - y),
        \quad \alpha_t = \alpha\, y + (1 - \alpha)(1 - y)

    with :math:`p = \sigma(x)`: :func:`binary_focal_loss` plus the perturbed
    leading polynomial term, exactly the paper's reference listing (``alpha`` is
    not applied to the polynomial term). Elementwise, so it serves binary,
    multi-label and per-anchor-and-class detection heads (the paper uses
    :math:`\epsilon = -1` for RetinaNet-style detection). ``epsilon=0`` is
    :func:`binary_focal_loss`.

    Parameters
    ----------
    logits : array, shape (...)
        Logits (this loss takes no probabilities).
    labels : array, shape (...)
        Targets in [0, 1]; floating, integer or boolean.
    epsilon : float >= -1, default 1.0
        Perturbation of the leading polynomial coefficient.
    gamma : float >= 0, default 2.0
        Focusing parameter.
    alpha : float in [0, 1] or None, default 0.25
        Weight of positives in the focal term (negatives get ``1 - alpha``);
        ``None`` disables it. The paper's and torchvision's default.
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
    :math:`\log(1 - p_t) = \operatorname{logaddexp}(\log y + \log\sigma(-x),\
    \log(1 - y) + \log\sigma(x))`, exact for soft labels and finite in value and
    gradient at saturated logits for any :math:`\gamma \ge 0`.

    References
    ----------
    .. [1] Z. Leng et al., "PolyLoss: A Polynomial Expansion Perspective of
       Classification Loss Functions", ICLR 2022. https://arxiv.org/abs/2204.12511

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> al.binary_poly1_focal_loss(np.array([0.0]), np.array([1.0]), reduction="none")
    array([0.16832169])
    """
    logits, labels, xp, reduction = _binary_targets(
        logits,
        labels,
        weights,
        reduction,
        _hyper_arrays(epsilon=epsilon, gamma=gamma, alpha=alpha),
    )
    eps = _check_epsilon(epsilon, logits, xp)
    gamma = continuous(gamma, "gamma", logits, xp, low=0.0)
    if alpha is not None:
        alpha = continuous(alpha, "alpha", logits, xp, low=0.0, high=1.0)
    log_p, log_1mp = log_sigmoid(logits, xp=xp), log_sigmoid(-logits, xp=xp)
    bce = -(labels * log_p + (1.0 - labels) * log_1mp)
    # log(1 - p_t) = log(y (1 - p) + (1 - y) p), each product in log space
    log_1m_pt = xp.logaddexp(
        _log_or_neg_inf(labels, xp) + log_1mp, _log_or_neg_inf(1.0 - labels, xp) + log_p
    )
    plain = isinstance(gamma, float) and gamma == 0.0
    focal = bce if plain else xp.exp(gamma * log_1m_pt) * bce
    if alpha is not None:
        focal = (alpha * labels + (1.0 - alpha) * (1.0 - labels)) * focal
    loss = focal + eps * xp.exp((gamma + 1.0) * log_1m_pt)
    return reduce_loss(loss, reduction, xp=xp, weights=weights)
