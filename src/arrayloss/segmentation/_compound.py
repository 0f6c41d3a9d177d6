"""Compound segmentation losses: weighted sums of a region term and a pixel term.

One mechanism, :func:`combine`, builds every sum; the named combinations
(:func:`dice_ce_loss`, :func:`dice_focal_loss`) add their terms through the same
helper. The paper losses (combo, exp-log, unified focal) are in ``_compound_paper``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._lib._compat import Array, Namespace, array_namespace, array_or_none, device_of, is_array
from .._lib._dtypes import cast, compute_dtype, is_floating
from .._lib._hyper import Hyper, continuous
from .._lib._reduction import check_reduction, reduce_loss
from .._lib._special import log_sigmoid, log_softmax, safe_power, stop_gradient
from .._lib._targets import class_weight_vector, poison
from .._lib._validation import check_choice, check_number, normalize_axis
from ..classification import binary_cross_entropy, binary_focal_loss, cross_entropy, focal_loss
from ..classification._common import _log_odds_against
from ._combine import _weighted_sum
from ._common import MODES, _binary_mask_target, _drop_background, _region_inputs, _spatial_sum
from ._dice import dice_loss

__all__ = ["combo_loss", "dice_ce_loss", "dice_focal_loss", "exp_log_loss"]


_TWO_UNITS = (
    'reduction="none" is not defined for {name}: its terms have different natural '
    'shapes (per sample and class, and per position); use "mean" or "sum", or call the '
    "terms separately"
)


def _hyper(value: object, name: str, logits: Array, **bounds: Any) -> Hyper:
    """A continuous hyperparameter checked against ``logits`` (a float stays a float)."""
    if not is_array(value):
        return check_number(value, name, **bounds)
    xp = array_namespace(logits=logits, required=("logits",))
    like = cast(logits, compute_dtype(logits, "logits", xp), xp)
    return continuous(value, name, like, xp, **bounds)


def _lambda(value: object, name: str, logits: Array) -> Hyper:
    return _hyper(value, name, logits, low=0.0)


def _region_keywords(
    mode: str,
    axis: int,
    from_logits: bool,
    include_background: bool,
    ignore_index: int | None,
    class_weights: Array | None,
    batch_dice: bool,
) -> dict[str, Any]:
    return {
        "mode": mode,
        "axis": axis,
        "from_logits": from_logits,
        "include_background": include_background,
        "ignore_index": ignore_index,
        "class_weights": class_weights,
        "batch_dice": batch_dice,
    }


def _sigmoid_pixel_term(
    logits: Array,
    labels: Array,
    *,
    pixel_fn: Callable[..., Any],
    mode: str,
    axis: int,
    ignore_index: int | None,
    reduction: str,
    **kwargs: Any,
) -> Array:
    """A sigmoid pixel loss on ``_region_inputs``'s target, ignored positions masked."""
    xp = array_namespace(logits=logits, labels=labels)
    dtype = compute_dtype(logits, "logits", xp)
    logits = cast(logits, dtype, xp)
    ax = normalize_axis(axis, logits.ndim)
    target, keep, invalid = _binary_mask_target(logits, labels, ax, mode, ignore_index, xp)
    target = poison(target, invalid, xp)
    weights = None if keep is None else cast(keep, dtype, xp)
    return pixel_fn(logits, target, weights=weights, reduction=reduction, **kwargs)


def dice_ce_loss(
    logits: Array,
    labels: Array,
    *,
    lambda_dice: float = 1.0,
    lambda_ce: float = 1.0,
    mode: str = "multiclass",
    axis: int = -1,
    smooth: float = 1e-5,
    include_background: bool = True,
    ignore_index: int | None = None,
    class_weights: Array | None = None,
    batch_dice: bool = False,
    reduction: str = "mean",
) -> Array:
    r"""Dice loss plus cross-entropy, MONAI's ``DiceCELoss``.

    .. math::

        \mathcal{L} = \lambda_\text{dice}\, \mathcal{L}_\text{Dice}
                    + \lambda_\text{ce}\, \mathcal{L}_\text{CE}

    with :func:`dice_loss` and :func:`cross_entropy` (``"multiclass"``) or
    :func:`binary_cross_entropy` (``"multilabel"``, ``"binary"``). The standard
    first choice under class imbalance: Dice balances the classes, CE keeps the
    gradient well-behaved early in training (nnU-Net's default).

    Parameters
    ----------
    logits, labels : array
        As for :func:`dice_loss` (logits only: both terms need them).
    lambda_dice, lambda_ce : float >= 0, default 1.0
        Weights of the two terms (MONAI's names and defaults).
    mode, axis, smooth, include_background, ignore_index, class_weights, batch_dice
        :func:`dice_loss`'s keywords. ``include_background`` and ``batch_dice`` act on
        the Dice term only; ``class_weights`` weights both (a weighted mean over
        classes in Dice, per-position weights ``w[label]`` in CE, as in torch); in the
        sigmoid modes it is Dice-only. ``ignore_index`` masks both.
    reduction : {"mean", "sum"}
        ``"none"`` raises ``ValueError``: the terms have different shapes (as MONAI).

    Returns
    -------
    array
        Scalar.

    Notes
    -----
    MONAI computes the same sum with ``DiceLoss(softmax=True, to_onehot_y=True)`` and
    ``nn.CrossEntropyLoss`` (``BCEWithLogitsLoss`` for one channel); MONAI's
    ``weight`` multiplies the Dice classes without normalising, ours is a weighted
    mean. Channels-first users pass ``axis=1``.

    References
    ----------
    .. [1] F. Isensee et al., "nnU-Net: a self-configuring method for deep
       learning-based biomedical image segmentation", Nature Methods 2021.
       https://doi.org/10.1038/s41592-020-01008-z

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> logits = np.log(np.array([[[0.9, 0.1], [0.2, 0.8]]]))  # (N=1, S=2, C=2)
    >>> round(float(al.dice_ce_loss(logits, np.array([[0, 1]]), smooth=0.0)), 6)
    0.314628
    """
    region = _region_keywords(
        mode, axis, True, include_background, ignore_index, class_weights, batch_dice
    )
    return _dice_plus(
        "dice_ce_loss",
        logits,
        labels,
        lambda_dice,
        lambda_ce,
        "lambda_ce",
        region,
        smooth,
        reduction,
        {},
    )


def dice_focal_loss(
    logits: Array,
    labels: Array,
    *,
    lambda_dice: float = 1.0,
    lambda_focal: float = 1.0,
    gamma: float = 2.0,
    mode: str = "multiclass",
    axis: int = -1,
    smooth: float = 1e-5,
    include_background: bool = True,
    ignore_index: int | None = None,
    class_weights: Array | None = None,
    batch_dice: bool = False,
    reduction: str = "mean",
) -> Array:
    r"""Dice loss plus focal loss, as MONAI's ``DiceFocalLoss``.

    .. math::

        \mathcal{L} = \lambda_\text{dice}\, \mathcal{L}_\text{Dice}
                    + \lambda_\text{focal}\, \mathcal{L}_\text{focal}(\gamma)

    with :func:`dice_loss` and :func:`focal_loss` (``"multiclass"``) or
    :func:`binary_focal_loss` with ``alpha=None`` (sigmoid modes). Use it instead of
    :func:`dice_ce_loss` when easy background pixels still dominate the pixel term.

    Parameters
    ----------
    logits, labels : array
        As for :func:`dice_loss`.
    lambda_dice, lambda_focal : float >= 0, default 1.0
        Weights of the two terms (MONAI's names and defaults).
    gamma : float >= 0, default 2.0
        Focusing parameter of the focal term.
    mode, axis, smooth, include_background, ignore_index, class_weights, batch_dice
        As :func:`dice_ce_loss`; ``class_weights`` is the focal term's per-class
        ``alpha`` (multiclass) and the Dice term's class weights.
    reduction : {"mean", "sum"}
        ``"none"`` raises ``ValueError`` (different term shapes).

    Returns
    -------
    array
        Scalar.

    Notes
    -----
    MONAI 1.6's ``DiceFocalLoss(softmax=True)`` pairs the softmax Dice with a
    *sigmoid* focal term on the one-hot channels (its ``FocalLoss`` is built without
    ``use_softmax``): that is our ``"multilabel"`` focal term, not a softmax one, and
    mixes two activations for exclusive classes. MONAI's ``FocalLoss(use_softmax=True)``
    averages the ``(N, C, ...)`` elementwise tensor over the class axis too, so it is
    our multiclass focal term divided by ``C``. With ``sigmoid=True`` MONAI agrees
    with our ``"multilabel"`` mode. MONAI's focal ``alpha`` is a scalar positive
    weight; ours (per class) is ``class_weights``.

    References
    ----------
    .. [1] T.-Y. Lin et al., "Focal Loss for Dense Object Detection", ICCV 2017.
       https://arxiv.org/abs/1708.02002
    .. [2] W. Zhu et al., "AnatomyNet", Medical Physics 2019 (Dice + focal).
       https://arxiv.org/abs/1808.05238

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> logits = np.log(np.array([[[0.9, 0.1], [0.2, 0.8]]]))
    >>> round(float(al.dice_focal_loss(logits, np.array([[0, 1]]), smooth=0.0)), 6)
    0.155366
    """
    gamma = _hyper(gamma, "gamma", logits, low=0.0)
    region = _region_keywords(
        mode, axis, True, include_background, ignore_index, class_weights, batch_dice
    )
    return _dice_plus(
        "dice_focal_loss",
        logits,
        labels,
        lambda_dice,
        lambda_focal,
        "lambda_focal",
        region,
        smooth,
        reduction,
        {"gamma": gamma},
    )


def _dice_plus(
    name: str,
    logits: Array,
    labels: Array,
    lambda_dice: object,
    lambda_pixel: object,
    pixel_name: str,
    region: dict[str, Any],
    smooth: object,
    reduction: str,
    focal: dict[str, Any],
) -> Array:
    """Dice + a pixel term (CE, or focal when ``focal`` holds ``gamma``), via combine's sum."""
    lambda_dice = _lambda(lambda_dice, "lambda_dice", logits)
    lambda_pixel = _lambda(lambda_pixel, pixel_name, logits)
    reduction = check_reduction(reduction)
    if reduction == "none":
        raise ValueError(_TWO_UNITS.format(name=name))
    mode = region["mode"]
    check_choice(mode, "mode", MODES)
    cw = region["class_weights"]
    pixel_kw: dict[str, Any] = {"axis": region["axis"], "reduction": reduction}
    pixel: Callable[..., Any]
    if mode == "multiclass":
        pixel_kw["ignore_index"] = region["ignore_index"]
        if focal:
            pixel, pixel_kw["alpha"], pixel_kw["gamma"] = focal_loss, cw, focal["gamma"]
        else:
            pixel, pixel_kw["class_weights"] = cross_entropy, cw
    else:
        pixel_kw.update(mode=mode, ignore_index=region["ignore_index"])
        pixel_kw["pixel_fn"] = binary_focal_loss if focal else binary_cross_entropy
        if focal:
            pixel_kw.update(gamma=focal["gamma"], alpha=None)
        pixel = _sigmoid_pixel_term
    terms = [
        (dice_loss, lambda_dice, {**region, "smooth": smooth, "reduction": reduction}),
        (pixel, lambda_pixel, pixel_kw),
    ]
    return _weighted_sum(terms, logits, labels, reduction, name)


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
    alpha = _hyper(alpha, "alpha", logits, low=0.0, high=1.0)
    beta = _hyper(beta, "beta", logits, low=0.0, high=1.0)
    smooth = _hyper(smooth, "smooth", logits, low=0.0, low_inclusive=False)
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
    out = alpha * ce - (1.0 - alpha) * _class_mean(dsc, cw, reduction, xp)
    # every position ignored: no Dice to reward, a loss of 0 (the empty Dice is 1 otherwise)
    return xp.where(xp.any(keep), out, xp.zeros_like(out))


def _soft_dice(probs: Array, target: Array, ax: int, smooth: Hyper, xp: Namespace) -> Array:
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
    w_dice = _lambda(w_dice, "w_dice", logits)
    w_ce = _lambda(w_ce, "w_ce", logits)
    gamma = _hyper(gamma, "gamma", logits, low=0.0, low_inclusive=False)
    smooth = _hyper(smooth, "smooth", logits, low=0.0, low_inclusive=False)
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
        safe = xp.where(
            positive, counts, xp.ones((), dtype=counts.dtype, device=device_of(counts))
        )
        cw = xp.where(positive, xp.sqrt(total / safe), zero)
    shape = [1] * target.ndim
    shape[ax] = int(cw.shape[0])
    w_pos = xp.sum(target * xp.reshape(cw, tuple(shape)), axis=ax)
    keep = None
    if ignore_index is not None and not is_floating(labels, xp):
        keep = labels != ignore_index
    ce_term = reduce_loss(w_pos * safe_power(nll, gamma, xp=xp), reduction, xp=xp, mask=keep)
    return w_dice * dice_term + w_ce * ce_term
