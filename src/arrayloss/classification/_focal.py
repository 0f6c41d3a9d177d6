"""Focal losses: softmax focal loss and sigmoid (binary) focal loss."""

from __future__ import annotations

from .._lib._compat import Array, array_or_none, device_of
from .._lib._hyper import continuous
from .._lib._reduction import reduce_loss
from .._lib._special import (
    safe_power,
    take_along_axis,
)
from .._lib._targets import (
    broadcast_class_vector,
    class_weight_vector,
)
from ._common import (
    _binary_targets,
    _class_weights,
    _focal_term,
    _index_log_odds,
    _index_loss,
    _log_odds_against,
    _log_probs,
    _prepare_softmax,
)

__all__ = ["binary_focal_loss", "focal_loss"]


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
    logits, target, ax, xp, reduction = _prepare_softmax(
        logits,
        labels,
        axis,
        ignore_index,
        weights,
        reduction,
        {
            "alpha": array_or_none(alpha),
            "class_weights": array_or_none(class_weights),
            "gamma": array_or_none(gamma),
            "lam": array_or_none(lam),
            "label_smoothing": array_or_none(label_smoothing),
        },
    )
    gamma = continuous(gamma, "gamma", logits, xp, low=0.0)
    lam = continuous(lam, "lam", logits, xp, low=1.0)
    eps = continuous(label_smoothing, "label_smoothing", logits, xp, low=0.0, high=1.0)
    smoothing = not isinstance(eps, float) or eps > 0.0
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

    if target.is_index and not smoothing:
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
    if smoothing:
        probs = (1.0 - eps) * probs + eps / num_classes
    # a target of 0 on a -inf (masked) logit contributes 0, not 0 * inf = NaN
    zero = xp.zeros((), dtype=probs.dtype, device=device_of(probs))
    present = probs != 0
    terms = xp.where(present, probs * xp.where(present, weighted, zero), zero)
    return reduce_loss(xp.sum(terms, axis=ax), reduction, xp=xp, weights=weights)


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
    logits, labels, xp, reduction = _binary_targets(
        logits,
        labels,
        weights,
        reduction,
        {
            "gamma": array_or_none(gamma),
            "alpha": array_or_none(alpha),
            "label_smoothing": array_or_none(label_smoothing),
        },
    )
    gamma = continuous(gamma, "gamma", logits, xp, low=0.0)
    if alpha is not None:
        alpha = continuous(alpha, "alpha", logits, xp, low=0.0, high=1.0)
    eps = continuous(label_smoothing, "label_smoothing", logits, xp, low=0.0, high=1.0)
    if not isinstance(eps, float) or eps > 0.0:
        labels = (1.0 - eps) * labels + eps / 2
    # not torch's fused BCE kernel here: it computes log(1 + e^-|x|), not log1p, so a
    # loss below eps rounds to 0, and the modulating factor must multiply that term
    # exactly (gamma < 1 at saturated logits: tests/test_numerics.py)
    log_p, log_1mp = _log_probs(logits, from_logits, xp)
    one_m_y = 1.0 - labels
    bce = -(labels * log_p + one_m_y * log_1mp)
    if isinstance(gamma, float) and gamma == 0.0:
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
