"""Unified focal loss (Yeung et al.): focal and focal-Tversky terms, symmetric or asymmetric."""

from __future__ import annotations

from typing import Any

from .._lib._compat import Array, Namespace, array_namespace, device_of
from .._lib._dtypes import cast, compute_dtype, is_floating
from .._lib._hyper import continuous, hyper_array
from .._lib._reduction import check_reduction, reduce_loss
from .._lib._special import safe_power
from .._lib._validation import check_choice, normalize_axis
from ..classification import focal_loss
from ._common import _region_inputs, _spatial_sum
from ._compound import _TWO_UNITS

__all__ = ["unified_focal_loss"]


def _two_classes(
    logits: Array, labels: Array, ax: int, from_logits: bool, xp: Namespace
) -> tuple[Array, Array]:
    """One sigmoid channel as two softmax classes: logits ``[0, x]``, labels 0/1."""
    shape, got = tuple(logits.shape), tuple(labels.shape)
    squeezed = shape[:ax] + shape[ax + 1 :]
    if got not in (shape, squeezed):
        raise ValueError(
            f'labels for mode="binary" must have shape {shape} or {squeezed} (logits shape '
            f"{shape}), got {got}"
        )
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
    reduction = check_reduction(reduction)
    if reduction == "none":
        raise ValueError(_TWO_UNITS.format(name="unified_focal_loss"))
    check_choice(mode, "mode", ("multiclass", "binary"))
    xp = array_namespace(logits=logits, labels=labels)
    dtype = compute_dtype(logits, "logits", xp)
    logits = cast(logits, dtype, xp)
    weight = continuous(weight, "weight", logits, xp, low=0.0, high=1.0)
    delta = continuous(delta, "delta", logits, xp, low=0.0, high=1.0)
    gamma = continuous(gamma, "gamma", logits, xp, low=0.0, high=1.0, high_inclusive=False)
    smooth = continuous(smooth, "smooth", logits, xp, low=0.0)
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
    focal_kw: dict[str, Any] = {"axis": ax, "ignore_index": ignore_index, "reduction": reduction}
    # class weights (1 - delta, delta, ..., delta) built with where: delta may be an array
    is_first = xp.arange(num_classes, device=dev) == 0
    zero_c = xp.zeros((num_classes,), dtype=dtype, device=dev)
    d = hyper_array(delta, logits, xp)
    back = xp.where(is_first, 1.0 - d, zero_c)
    fore = xp.where(is_first, zero_c, d + zero_c)
    if symmetric:
        focal = focal_loss(logits, labels, gamma=gamma, alpha=back + fore, **focal_kw)
    else:
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
