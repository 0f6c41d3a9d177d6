"""The paper compound losses: combo (Taghanaki 2019), exponential logarithmic
(Wong 2018) and unified focal (Yeung 2022).

Each adds a region term and a pixel term written from the paper's equations; the
generic mechanism (:func:`combine`) and the named MONAI-style sums live in
``_compound``.
"""

from __future__ import annotations

from typing import Any

from ._classification import _log_odds_against, cross_entropy, focal_loss
from ._compound import _TWO_UNITS, _lambda
from ._lib._compat import Array, Namespace, array_namespace, array_or_none, device_of
from ._lib._dtypes import cast, compute_dtype, is_floating
from ._lib._primitives import log_sigmoid, log_softmax, safe_power, stop_gradient
from ._lib._reduction import check_reduction, reduce_loss
from ._lib._targets import class_weight_vector
from ._lib._validation import check_choice, check_number, normalize_axis
from ._segmentation import _drop_background, _region_inputs

__all__ = ["combo_loss", "exp_log_loss", "unified_focal_loss"]


def _prepare(
    logits: Array,
    labels: Array,
    mode: str,
    axis: int,
    from_logits: bool,
    ignore_index: int | None,
    class_weights: Array | None,
) -> tuple[Namespace, Array, Array, Array, int, Array | None]:
    """Namespace, logits (compute dtype), probs, float target, class axis, class weights."""
    xp = array_namespace(
        logits=logits,
        labels=labels,
        class_weights=array_or_none(class_weights),
        required=("logits", "labels"),
    )
    dtype = compute_dtype(logits, "logits", xp)
    logits = cast(logits, dtype, xp)
    probs, target, ax = _region_inputs(
        logits,
        labels,
        mode=mode,
        axis=axis,
        from_logits=from_logits,
        ignore_index=ignore_index,
        xp=xp,
    )
    cw = class_weight_vector(class_weights, int(logits.shape[ax]), logits, xp)
    return xp, logits, probs, target, ax, cw


def _keep_mask(
    labels: Array, logits: Array, ax: int, ignore_index: int | None, xp: Namespace
) -> Array | None:
    """Boolean mask of the counted positions, broadcasting along the class axis."""
    if ignore_index is None or is_floating(labels, xp):
        return None
    if labels.ndim == logits.ndim:  # sigmoid modes: labels carry the class axis
        return labels != ignore_index
    return xp.expand_dims(labels != ignore_index, axis=ax)


def _log_probs(
    logits: Array, ax: int, mode: str, from_logits: bool, xp: Namespace
) -> tuple[Array, Array]:
    """``(log p, log(1 - p))`` per class, in log space from logits."""
    if not from_logits:
        zero = xp.zeros((), dtype=logits.dtype, device=device_of(logits))
        one = xp.ones((), dtype=logits.dtype, device=device_of(logits))
        floor = xp.full((), -100.0, dtype=logits.dtype, device=device_of(logits))
        q = 1.0 - logits
        # torch's BCE clamp at -100 keeps p = 0 or 1 finite; double where: log(0) and
        # its infinite gradient must not reach the backward pass
        log_p = xp.where(logits > zero, xp.log(xp.where(logits > zero, logits, one)), floor)
        log_q = xp.where(q > zero, xp.log(xp.where(q > zero, q, one)), floor)
        return xp.maximum(log_p, floor), xp.maximum(log_q, floor)
    if mode != "multiclass":
        return log_sigmoid(logits, xp=xp), log_sigmoid(-logits, xp=xp)
    # z_c = log((1 - p_c) / p_c), accurate for every class; log(1 - p_c) = z_c + log p_c
    log_p = log_softmax(logits, ax, xp=xp)
    return log_p, _log_odds_against(logits, ax, xp) + log_p


def _spatial_sum(x: Array, ax: int, xp: Namespace) -> Array:
    return xp.sum(x, axis=tuple(d for d in range(x.ndim) if d not in (0, ax)))


def _class_mean(
    loss: Array, cw: Array | None, reduction: str, xp: Namespace, batch: bool = False
) -> Array:
    """Reduce an ``(N, C)`` region term, ``cw`` making the mean over classes weighted."""
    if batch:
        loss = xp.sum(loss, axis=0)
    return reduce_loss(loss, reduction, xp=xp, weights=cw)


def combo_loss(
    logits: Array,
    labels: Array,
    *,
    alpha: float = 0.5,
    beta: float = 0.5,
    mode: str = "multiclass",
    axis: int = -1,
    from_logits: bool = True,
    smooth: float = 1.0,
    include_background: bool = True,
    ignore_index: int | None = None,
    class_weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Combo loss: a false-negative/false-positive weighted cross-entropy minus Dice.

    .. math::

        \mathcal{L} = \alpha\, \mathcal{L}_\text{mbce} - (1 - \alpha)\, \overline{\text{DSC}},
        \qquad
        \mathcal{L}_\text{mbce} = -\frac{1}{M} \sum_{i, c}
            \left[\beta\, g_{ic} \log p_{ic} + (1 - \beta)(1 - g_{ic}) \log(1 - p_{ic})\right]

    over the ``M`` counted (position, class) pairs, with
    :math:`\overline{\text{DSC}}` the mean soft Dice coefficient per sample and class
    (smoothing :math:`\lambda` in numerator and denominator). :math:`\beta > 0.5`
    penalises false negatives more than false positives: use it for small
    foreground structures whose misses matter more than spurious detections.

    Parameters
    ----------
    logits, labels : array
        As for :func:`dice_loss`.
    alpha : float in [0, 1], default 0.5
        Weight of the cross-entropy term against the Dice term.
    beta : float in [0, 1], default 0.5
        Weight of the positive (false-negative) side of the cross-entropy.
    mode, axis, from_logits, include_background, ignore_index, class_weights
        :func:`dice_loss`'s keywords (applied to both terms; ``class_weights``
        weights the classes of both means).
    smooth : float > 0, default 1.0
        Dice smoothing (the reference code's ``smooth = 1``).
    reduction : {"mean", "sum"}
        ``"none"`` raises ``ValueError`` (the terms have different shapes).

    Returns
    -------
    array
        Scalar; lies in :math:`[-(1 - \alpha), \infty)`, negative at a good fit.

    Notes
    -----
    This is the paper's equation. The authors' reference code writes
    ``-(ALPHA * ((t * log(p)) + ((1 - ALPHA) * (1 - t) * log(1 - p))))`` with
    ``ALPHA`` in the role of :math:`\beta`: the multiplication binds to both terms,
    so the negative side is weighted :math:`\beta(1 - \beta)` instead of
    :math:`1 - \beta` (``tests/test_compound.py`` shows the difference). The paper is
    binary; the sum over classes is its one-vs-rest extension (softmax channels in
    ``"multiclass"``). Logs come from logits in log space; probabilities are
    clamped at :math:`\log p \ge -100` as torch's BCE.

    References
    ----------
    .. [1] S. A. Taghanaki et al., "Combo loss: Handling input and output imbalance in
       multi-organ segmentation", CMIG 2019. https://arxiv.org/abs/1805.02798

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> probs = np.array([[[0.5, 0.5], [0.5, 0.5]]])
    >>> round(float(al.combo_loss(probs, np.array([[0, 1]]), from_logits=False)), 6)
    -0.160047
    """
    alpha = check_number(alpha, "alpha", low=0.0, high=1.0)
    beta = check_number(beta, "beta", low=0.0, high=1.0)
    smooth = check_number(smooth, "smooth", low=0.0, low_inclusive=False)
    reduction = check_reduction(reduction)
    if reduction == "none":
        raise ValueError(_TWO_UNITS.format(name="combo_loss"))
    xp, logits, probs, target, ax, cw = _prepare(
        logits, labels, mode, axis, from_logits, ignore_index, class_weights
    )
    log_p, log_q = _log_probs(logits, ax, mode, from_logits, xp)
    keep = _keep_mask(labels, logits, ax, ignore_index, xp)
    wbce = -(beta * target * log_p + (1.0 - beta) * (1.0 - target) * log_q)
    if keep is None:
        keep = xp.ones(wbce.shape, dtype=xp.bool, device=device_of(logits))
    keep = xp.broadcast_to(keep, wbce.shape)
    if not include_background and mode != "binary":
        wbce, keep = _drop_background(wbce, ax), _drop_background(keep, ax)
        probs, target = _drop_background(probs, ax), _drop_background(target, ax)
        cw = None if cw is None else cw[1:]
    cwb = None
    if cw is not None:
        shape = [1] * wbce.ndim
        shape[ax] = int(cw.shape[0])
        cwb = xp.reshape(cw, tuple(shape))
    ce = reduce_loss(wbce, reduction, xp=xp, weights=cwb, mask=keep)
    dsc = _soft_dice(probs, target, ax, smooth, xp)
    return alpha * ce - (1.0 - alpha) * _class_mean(dsc, cw, reduction, xp)


def _soft_dice(probs: Array, target: Array, ax: int, smooth: float, xp: Namespace) -> Array:
    """Soft Dice coefficient per sample and class, smoothing > 0 (no 0/0)."""
    inter = _spatial_sum(probs * target, ax, xp)
    den = _spatial_sum(probs, ax, xp) + _spatial_sum(target, ax, xp)
    return (2.0 * inter + smooth) / (den + smooth)


def exp_log_loss(
    logits: Array,
    labels: Array,
    *,
    w_dice: float = 0.8,
    w_ce: float = 0.2,
    gamma: float = 0.3,
    axis: int = -1,
    smooth: float = 1.0,
    include_background: bool = True,
    ignore_index: int | None = None,
    class_weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Exponential logarithmic loss: powers of the log-Dice and of the cross-entropy.

    .. math::

        \mathcal{L} = w_\text{dice}\, \mathbb{E}_{n,c}\!\left[(-\ln \text{Dice}_{nc})^\gamma\right]
                    + w_\text{ce}\, \mathbb{E}_{x}\!\left[w_{l}\, (-\ln p_{l}(x))^\gamma\right],
        \qquad w_l = \left(\frac{\sum_k f_k}{f_l}\right)^{1/2}

    with :math:`l` the label at position :math:`x`, :math:`f_k` the number of
    positions of class :math:`k` in the batch and :math:`\text{Dice}_{nc}` the soft
    Dice per sample and class with smoothing :math:`\epsilon`. :math:`\gamma < 1`
    emphasises the classes and pixels that are already fairly well segmented less
    than the poorly segmented ones: use it for very small structures among large
    ones (the paper's 20 brain structures).

    Parameters
    ----------
    logits, labels : array
        Softmax logits and class indices or one-hot/probabilities, as
        :func:`dice_loss`'s ``"multiclass"`` mode (the paper's setting).
    w_dice, w_ce : float >= 0, default 0.8 and 0.2
        The paper's term weights.
    gamma : float > 0, default 0.3
        :math:`\gamma_\text{Dice} = \gamma_\text{cross}` (the paper's value).
    axis : int, default -1
        The class axis.
    smooth : float > 0, default 1.0
        :math:`\epsilon` (the paper's pseudocount); keeps :math:`\ln\text{Dice}` finite.
    include_background : bool, default True
        False drops class 0 from the Dice term.
    ignore_index : int, optional
        Label whose positions are left out of both terms and of :math:`f_k`.
    class_weights : array, shape (C,), optional
        Replaces the frequency weights :math:`w_l`.
    reduction : {"mean", "sum"}
        ``"none"`` raises ``ValueError`` (the terms have different shapes).

    Returns
    -------
    array
        Scalar.

    Notes
    -----
    :math:`f_k` is counted on the batch (the paper uses the training set: pass those
    weights as ``class_weights``), without gradient; an absent class gets weight 0,
    which no position uses. :math:`x^\gamma` is computed with a double ``where`` so
    that a perfect Dice or a confident pixel (:math:`x = 0`) has gradient 0 instead of
    :math:`\gamma x^{\gamma - 1} = \infty`.

    References
    ----------
    .. [1] K. C. L. Wong, M. Moradi, H. Tang, T. Syeda-Mahmood, "3D Segmentation with
       Exponential Logarithmic Loss for Highly Unbalanced Object Sizes", MICCAI 2018.
       https://arxiv.org/abs/1809.00076

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> logits = np.zeros((1, 2, 2))  # p = 0.5 everywhere; labels 0 and 1
    >>> round(float(al.exp_log_loss(logits, np.array([[0, 1]]), smooth=1.0)), 6)
    0.863597
    """
    w_dice = _lambda(w_dice, "w_dice")
    w_ce = _lambda(w_ce, "w_ce")
    gamma = check_number(gamma, "gamma", low=0.0, low_inclusive=False)
    smooth = check_number(smooth, "smooth", low=0.0, low_inclusive=False)
    reduction = check_reduction(reduction)
    if reduction == "none":
        raise ValueError(_TWO_UNITS.format(name="exp_log_loss"))
    xp, logits, probs, target, ax, cw = _prepare(
        logits, labels, "multiclass", axis, True, ignore_index, class_weights
    )
    zero = xp.zeros((), dtype=logits.dtype, device=device_of(logits))
    # Dice term: -ln Dice = log(den + eps) - log(2 I + eps) >= 0 (clamped for rounding)
    dsc_p, dsc_t = probs, target
    if not include_background:
        dsc_p, dsc_t = _drop_background(probs, ax), _drop_background(target, ax)
    inter = _spatial_sum(dsc_p * dsc_t, ax, xp)
    den = _spatial_sum(dsc_p, ax, xp) + _spatial_sum(dsc_t, ax, xp)
    neg_log_dice = xp.maximum(xp.log(den + smooth) - xp.log(2.0 * inter + smooth), zero)
    dice_term = reduce_loss(safe_power(neg_log_dice, gamma, xp=xp), reduction, xp=xp)
    # CE term: w_l (-ln p_l)^gamma per position; -ln p_l from cross_entropy (log space)
    nll = xp.maximum(
        cross_entropy(logits, labels, axis=ax, ignore_index=ignore_index, reduction="none"), zero
    )
    if cw is None:
        counts = stop_gradient(
            xp.sum(target, axis=tuple(d for d in range(target.ndim) if d != ax)), xp=xp
        )
        positive = counts > zero
        total = xp.sum(counts)
        # double where: an absent class (f = 0) must not give inf, nor a NaN gradient
        cw = xp.where(positive, xp.sqrt(total / xp.where(positive, counts, total)), zero)
    shape = [1] * target.ndim
    shape[ax] = int(cw.shape[0])
    w_pos = xp.sum(target * xp.reshape(cw, tuple(shape)), axis=ax)
    keep = None
    if ignore_index is not None and not is_floating(labels, xp):
        keep = labels != ignore_index
    ce_term = reduce_loss(w_pos * safe_power(nll, gamma, xp=xp), reduction, xp=xp, mask=keep)
    return w_dice * dice_term + w_ce * ce_term


def _two_classes(
    logits: Array, labels: Array, ax: int, from_logits: bool, xp: Namespace
) -> tuple[Array, Array]:
    """One sigmoid channel as two softmax classes: logits ``[0, x]``, labels 0/1."""
    zeros = xp.zeros_like(logits)
    if from_logits:
        two = xp.concat([zeros, logits], axis=ax)
    else:
        two = xp.concat([1.0 - logits, logits], axis=ax)
    if is_floating(labels, xp):
        if labels.ndim == logits.ndim - 1:
            labels = xp.expand_dims(labels, axis=ax)
        return two, xp.concat([1.0 - labels, labels], axis=ax)
    if labels.ndim == logits.ndim:
        labels = xp.squeeze(labels, axis=ax)
    return two, labels


def unified_focal_loss(
    logits: Array,
    labels: Array,
    *,
    weight: float = 0.5,
    delta: float = 0.6,
    gamma: float = 0.5,
    symmetric: bool = False,
    mode: str = "multiclass",
    axis: int = -1,
    from_logits: bool = True,
    smooth: float = 1e-7,
    ignore_index: int | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Unified focal loss: a focal loss plus a focal Tversky loss, with one γ and δ.

    .. math::

        \mathcal{L} = \lambda\, \mathcal{L}_\text{F} + (1 - \lambda)\, \mathcal{L}_\text{FT}

    Asymmetric (default): background (class 0) is suppressed, the rare classes
    (:math:`c \ge 1`) are not,

    .. math::

        \mathcal{L}_\text{F} = \mathbb{E}_x\!\left[-(1 - \delta)(1 - p_{0})^{\gamma}
            g_{0} \ln p_{0} - \delta \sum_{c \ge 1} g_{c} \ln p_{c}\right],
        \qquad
        \mathcal{L}_\text{FT} = \operatorname{mean}_{n,c}
            \begin{cases} 1 - \text{mTI}_{n0} \\
                          (1 - \text{mTI}_{nc})^{1 - \gamma} & c \ge 1 \end{cases}

    with :math:`\text{mTI}_{nc} = \frac{TP + \epsilon}{TP + \delta FN + (1 - \delta) FP
    + \epsilon}` from soft counts per sample and class. ``symmetric=True`` applies the
    focal factors to every class (background weighted :math:`1 - \delta`, the others
    :math:`\delta`). Use it when both the pixel and the region view of imbalance
    matter and one pair of hyperparameters should control both.

    Parameters
    ----------
    logits, labels : array
        ``"multiclass"``: softmax logits, class 0 the background. ``"binary"``: one
        sigmoid channel, treated as the two classes ``[1 - p, p]`` (as MONAI).
    weight : float in [0, 1], default 0.5
        :math:`\lambda`, the focal term's weight.
    delta : float in [0, 1], default 0.6
        Weight of the rare classes' false negatives (and of their pixels).
    gamma : float in [0, 1), default 0.5
        Focal parameter; :math:`1 - \gamma` is the focal-Tversky exponent.
    symmetric : bool, default False
        The symmetric variant.
    mode : {"multiclass", "binary"}
        ``"multilabel"`` is not defined: the loss needs exclusive classes.
    axis, from_logits, ignore_index
        As for :func:`dice_loss`.
    smooth : float >= 0, default 1e-7
        :math:`\epsilon` (the reference code's and MONAI's value).
    reduction : {"mean", "sum"}
        ``"none"`` raises ``ValueError`` (the terms have different shapes).

    Returns
    -------
    array
        Scalar.

    Notes
    -----
    The paper's code and MONAI are binary; this is the paper's per-class form for
    any number of classes. Differences from MONAI's ``AsymmetricUnifiedFocalLoss``
    (which takes probabilities, not logits): MONAI averages the focal term over the
    two class channels as well as the positions, so its focal term is half the
    paper's (a sum over classes); MONAI's default ``delta`` is 0.7. The reference code
    returns ``weight * FT + (1 - weight) * F``, swapping :math:`\lambda` against the
    paper (and MONAI); we follow the paper. The focal term is computed in log space
    (see :func:`focal_loss`); with ``from_logits=False`` probabilities are clamped
    at 1e-7, as MONAI does, and :math:`x^{1-\gamma}` has gradient 0 at a perfect fit.

    References
    ----------
    .. [1] M. Yeung, E. Sala, C.-B. Schonlieb, L. Rundo, "Unified Focal loss:
       Generalising Dice and cross entropy-based losses to handle class imbalanced
       medical image segmentation", CMIG 2022. https://arxiv.org/abs/2102.04525

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> logits = np.zeros((1, 2, 2))  # p = 0.5 everywhere; labels 0 and 1
    >>> round(float(al.unified_focal_loss(logits, np.array([[0, 1]]))), 6)
    0.454762
    """
    weight = check_number(weight, "weight", low=0.0, high=1.0)
    delta = check_number(delta, "delta", low=0.0, high=1.0)
    gamma = check_number(gamma, "gamma", low=0.0, high=1.0, high_inclusive=False)
    smooth = check_number(smooth, "smooth", low=0.0)
    reduction = check_reduction(reduction)
    if reduction == "none":
        raise ValueError(_TWO_UNITS.format(name="unified_focal_loss"))
    check_choice(mode, "mode", ("multiclass", "binary"))
    xp = array_namespace(logits=logits, labels=labels)
    dtype = compute_dtype(logits, "logits", xp)
    logits = cast(logits, dtype, xp)
    ax = normalize_axis(axis, logits.ndim)
    if mode == "binary":
        if int(logits.shape[ax]) != 1:
            raise ValueError(
                f'mode="binary" expects one channel along axis {axis}, got {int(logits.shape[ax])}'
            )
        logits, labels = _two_classes(logits, labels, ax, from_logits, xp)
    if not from_logits:
        # MONAI's clamp: log of a probability of exactly 0 stays finite
        floor = xp.full((), 1e-7, dtype=dtype, device=device_of(logits))
        logits = xp.log(xp.maximum(logits, floor))
    num_classes = int(logits.shape[ax])
    dev = device_of(logits)
    rare = [0.0] + [delta] * (num_classes - 1)
    focal_kw: dict[str, Any] = {"axis": ax, "ignore_index": ignore_index, "reduction": reduction}
    if symmetric:
        alpha = xp.asarray([1.0 - delta, *rare[1:]], dtype=dtype, device=dev)
        focal = focal_loss(logits, labels, gamma=gamma, alpha=alpha, **focal_kw)
    else:
        back = xp.asarray([1.0 - delta] + [0.0] * (num_classes - 1), dtype=dtype, device=dev)
        fore = xp.asarray(rare, dtype=dtype, device=dev)
        focal = focal_loss(logits, labels, gamma=gamma, alpha=back, **focal_kw) + focal_loss(
            logits, labels, gamma=0.0, alpha=fore, **focal_kw
        )
    probs, target, ax = _region_inputs(
        logits,
        labels,
        mode="multiclass",
        axis=ax,
        from_logits=True,
        ignore_index=ignore_index,
        xp=xp,
    )
    tp = _spatial_sum(probs * target, ax, xp)
    fn = _spatial_sum((1.0 - probs) * target, ax, xp)
    fp = _spatial_sum(probs * (1.0 - target), ax, xp)
    den = tp + delta * fn + (1.0 - delta) * fp + smooth
    one = xp.ones((), dtype=dtype, device=dev)
    # double where: an empty class with smooth=0 is 0/0; its index is 1 (perfect)
    mti = xp.where(den > 0.0, (tp + smooth) / xp.where(den > 0.0, den, one), one)
    miss = xp.maximum(1.0 - mti, xp.zeros((), dtype=dtype, device=dev))
    focal_miss = safe_power(miss, 1.0 - gamma, xp=xp)
    if not symmetric:
        is_back = xp.reshape(xp.arange(num_classes, device=dev) == 0, (1, num_classes))
        focal_miss = xp.where(is_back, miss, focal_miss)
    tversky = reduce_loss(focal_miss, reduction, xp=xp)
    return weight * focal + (1.0 - weight) * tversky
