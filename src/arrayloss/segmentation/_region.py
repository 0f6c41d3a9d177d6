"""Region-level segmentation losses beyond Dice: overlap indices built from soft counts.

Every loss here shares ``dice_loss``'s keywords with one meaning (``mode``, ``axis``,
``from_logits``, ``smooth``, ``include_background``, ``ignore_index``,
``class_weights``, ``batch_dice``, ``weights``, ``reduction``) through
``_segmentation._region_terms``, and computes from the soft counts
``tp = sum p g``, ``fp = sum p (1 - g)``, ``fn = sum (1 - p) g`` per sample and class.
"""

from __future__ import annotations

from typing import Any

from .._lib._collective import device_sum
from .._lib._compat import Array, Namespace, array_namespace, array_or_none, device_of
from .._lib._dtypes import cast, compute_dtype
from .._lib._hyper import Hyper, continuous
from .._lib._reduction import check_reduction
from .._lib._special import safe_power
from ._common import (
    RegionTerms,
    _batch_sums,
    _overlap_sums,
    _reduce_region,
    _region_terms,
    _safe_ratio,
)

__all__ = [
    "focal_tversky_loss",
    "jaccard_loss",
    "log_cosh_dice_loss",
    "mcc_loss",
    "sensitivity_specificity_loss",
    "tversky_loss",
]


def _prepare(
    logits: Array,
    labels: Array,
    *,
    weights: Array | None,
    class_weights: Array | None,
    reduction: str,
    smooth: float,
    mode: str,
    axis: int,
    from_logits: bool,
    include_background: bool,
    ignore_index: int | None,
    batch_dice: bool,
    axis_name: object = None,
    process_group: object = None,
    extra: dict[str, Array | None] | None = None,
    index_sums: bool = True,
) -> tuple[Namespace, RegionTerms, str, Hyper]:
    """Namespace (once per public call), validated options and the shared region terms."""
    xp = array_namespace(
        logits=logits,
        labels=labels,
        weights=weights,
        class_weights=array_or_none(class_weights),
        **(extra or {}),
        required=("logits", "labels"),
    )
    reduction = check_reduction(reduction)
    logits = cast(logits, compute_dtype(logits, "logits", xp), xp)
    smooth = continuous(smooth, "smooth", logits, xp, low=0.0)
    terms = _region_terms(
        logits,
        labels,
        mode=mode,
        axis=axis,
        from_logits=from_logits,
        include_background=include_background,
        ignore_index=ignore_index,
        class_weights=class_weights,
        batch_dice=batch_dice,
        xp=xp,
        sync=device_sum(axis_name, process_group, xp),
        index_sums=index_sums,
    )
    return xp, terms, reduction, smooth


def _tversky_complement(
    tp: Array, fp: Array, fn: Array, alpha: Hyper, beta: Hyper, smooth: Hyper, xp: Namespace
) -> Array:
    # 1 - (tp + s) / (tp + a fp + b fn + s) = (a fp + b fn) / (tp + a fp + b fn + s)
    errors = alpha * fp + beta * fn
    return _safe_ratio(errors, tp + errors + smooth, xp)


def jaccard_loss(
    logits: Array,
    labels: Array,
    *,
    mode: str = "multiclass",
    axis: int = -1,
    from_logits: bool = True,
    smooth: float = 1e-5,
    include_background: bool = True,
    ignore_index: int | None = None,
    class_weights: Array | None = None,
    batch_dice: bool = False,
    weights: Array | None = None,
    reduction: str = "mean",
    axis_name: str | tuple[str, ...] | None = None,
    process_group: Any = None,
) -> Array:
    r"""Soft Jaccard (intersection-over-union) loss, per sample and class.

    .. math::

        \ell_{nc} = 1 - \frac{TP_{nc} + \lambda}{TP_{nc} + FP_{nc} + FN_{nc} + \lambda}
                  = \frac{FP_{nc} + FN_{nc}}{TP_{nc} + FP_{nc} + FN_{nc} + \lambda}

    with the soft counts :math:`TP = \sum_s p g`, :math:`FP = \sum_s p (1 - g)`,
    :math:`FN = \sum_s (1 - p) g` over the positions :math:`s` of sample :math:`n`.

    Use it like Dice, against class imbalance, when the reported metric is IoU
    (mean IoU on road scenes, VOC, COCO-stuff): it penalizes errors more than Dice at
    the same overlap, since :math:`J = D / (2 - D)`.

    Parameters
    ----------
    logits : array, shape (N, ..., C, ...)
        Logits (probabilities when ``from_logits=False``); axis 0 is the sample
        axis, ``axis`` the class axis.
    labels : array
        As for :func:`dice_loss`: integer indices or one-hot/probabilities
        (``"multiclass"``), binary masks (``"multilabel"``, ``"binary"``).
    mode : {"multiclass", "multilabel", "binary"}
        Softmax over ``axis``; independent sigmoid per channel; one sigmoid channel.
    axis : int, default -1
        The class axis (not 0).
    from_logits : bool, default True
        Whether ``logits`` are logits or probabilities.
    smooth : float >= 0, default 1e-5
        :math:`\lambda`, in numerator and denominator.
    include_background : bool, default True
        False drops channel 0 (ignored in ``"binary"`` mode).
    ignore_index : int, optional
        Integer label whose positions are left out of every sum.
    class_weights : array, shape (C,), optional
        Weights of the weighted mean over classes.
    batch_dice : bool, default False
        Pool the counts over the batch first (one value per class).
    weights : array, optional
        Broadcasts against the ``"none"`` result.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns shape ``(N, C)``, or ``(C,)`` with ``batch_dice``.
    axis_name : str or tuple of str, optional
        JAX ``shard_map``/``pmap``: the mapped batch axis. The sums over the batch
        (``batch_dice``) and the ``"mean"``/``"sum"`` over samples then cover every
        device's shard, so each device gets the value and gradient of one device on
        the whole batch (``"none"`` stays per shard). See :doc:`/devices`.
    process_group : True or torch.distributed.ProcessGroup, optional
        The same under PyTorch DDP (``True``: the default group), summed with the
        differentiable functional ``all_reduce`` of ``torch.distributed``.

    Returns
    -------
    array
        Scalar, or ``(N, C)`` / ``(C,)`` for ``reduction="none"``.

    Notes
    -----
    Computed as the error ratio above, not as ``1 - IoU``, so a near-perfect
    prediction keeps its relative precision. A class absent from target and
    prediction has loss 0 (as :func:`dice_loss`), also with ``smooth=0``. kornia and
    SMP call it "IoU"/"Jaccard" with the same soft counts.

    References
    ----------
    .. [1] M. A. Rahman, Y. Wang, "Optimizing Intersection-Over-Union in Deep Neural
       Networks for Image Segmentation", ISVC 2016.
       https://doi.org/10.1007/978-3-319-50835-1_22

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> probs = np.array([[[0.9, 0.1], [0.2, 0.8]]])  # (N=1, S=2, C=2)
    >>> labels = np.array([[0, 1]])
    >>> out = al.jaccard_loss(probs, labels, from_logits=False, smooth=0.0, reduction="none")
    >>> np.round(out, 6)
    array([[0.25    , 0.272727]])
    """
    xp, terms, reduction, smooth = _prepare(
        logits,
        labels,
        weights=weights,
        class_weights=class_weights,
        reduction=reduction,
        smooth=smooth,
        mode=mode,
        axis=axis,
        from_logits=from_logits,
        include_background=include_background,
        ignore_index=ignore_index,
        batch_dice=batch_dice,
        axis_name=axis_name,
        process_group=process_group,
    )
    tp, fp, fn = _overlap_sums(terms, xp)
    loss = _tversky_complement(tp, fp, fn, 1.0, 1.0, smooth, xp)
    return _reduce_region(loss, terms.class_weights, weights, reduction, xp, terms.sync)


def tversky_loss(
    logits: Array,
    labels: Array,
    *,
    alpha: float = 0.5,
    beta: float = 0.5,
    mode: str = "multiclass",
    axis: int = -1,
    from_logits: bool = True,
    smooth: float = 1e-5,
    include_background: bool = True,
    ignore_index: int | None = None,
    class_weights: Array | None = None,
    batch_dice: bool = False,
    weights: Array | None = None,
    reduction: str = "mean",
    axis_name: str | tuple[str, ...] | None = None,
    process_group: Any = None,
) -> Array:
    r"""Tversky loss: Dice with separate weights on false positives and false negatives.

    .. math::

        \ell_{nc} = 1 - \frac{TP + \lambda}{TP + \alpha\, FP + \beta\, FN + \lambda}
                  = \frac{\alpha\, FP + \beta\, FN}{TP + \alpha\, FP + \beta\, FN + \lambda}

    per sample and class, with the soft counts of :func:`jaccard_loss`.

    Use it for small structures (lesions, defects) where a missed pixel costs more
    than a false alarm: ``beta > alpha`` trades precision for recall. With
    ``alpha = beta = 0.5`` it is :func:`dice_loss` with the smoothing doubled
    (multiply numerator and denominator by 2: ``tversky_loss(alpha=0.5, beta=0.5,
    smooth=s)`` equals ``dice_loss(smooth=2 * s)``, and exactly ``dice_loss`` only
    at ``smooth=0``); with ``alpha = beta = 1`` it is :func:`jaccard_loss` (same
    ``smooth``).

    Parameters
    ----------
    logits : array, shape (N, ..., C, ...)
        Logits (probabilities when ``from_logits=False``).
    labels : array
        As for :func:`dice_loss`.
    alpha : float >= 0, default 0.5
        Weight of the false positives :math:`\alpha`.
    beta : float >= 0, default 0.5
        Weight of the false negatives :math:`\beta`.
    mode : {"multiclass", "multilabel", "binary"}
        Softmax over ``axis``; independent sigmoid per channel; one sigmoid channel.
    axis : int, default -1
        The class axis (not 0).
    from_logits : bool, default True
        Whether ``logits`` are logits or probabilities.
    smooth : float >= 0, default 1e-5
        :math:`\lambda`, in numerator and denominator (MONAI's default).
    include_background : bool, default True
        False drops channel 0 (ignored in ``"binary"`` mode).
    ignore_index : int, optional
        Integer label whose positions are left out of every sum.
    class_weights : array, shape (C,), optional
        Weights of the weighted mean over classes.
    batch_dice : bool, default False
        Pool the counts over the batch first.
    weights : array, optional
        Broadcasts against the ``"none"`` result.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns shape ``(N, C)``, or ``(C,)`` with ``batch_dice``.
    axis_name : str or tuple of str, optional
        JAX ``shard_map``/``pmap``: the mapped batch axis. The sums over the batch
        (``batch_dice``) and the ``"mean"``/``"sum"`` over samples then cover every
        device's shard, so each device gets the value and gradient of one device on
        the whole batch (``"none"`` stays per shard). See :doc:`/devices`.
    process_group : True or torch.distributed.ProcessGroup, optional
        The same under PyTorch DDP (``True``: the default group), summed with the
        differentiable functional ``all_reduce`` of ``torch.distributed``.

    Returns
    -------
    array
        Scalar, or ``(N, C)`` / ``(C,)`` for ``reduction="none"``.

    Notes
    -----
    ``alpha`` weights false positives and ``beta`` false negatives, as in the paper,
    MONAI, kornia, SMP and optax. Keras's ``Tversky`` from its addition (3.3.0)
    through 3.15.1, the latest release, swaps them (its ``alpha`` multiplies the
    false negatives): there ``keras.losses.Tversky(alpha=a, beta=b)`` equals
    ``tversky_loss(alpha=b, beta=a)`` up to smoothing and aggregation. The swap is
    fixed on Keras's master branch (keras-team/keras#23333, merged July 2026, version
    string 3.16.0), so releases after 3.15.1 should agree with the paper. Salehi et
    al. use ``alpha=0.3, beta=0.7`` for lesions; the default 0.5/0.5 is the Dice
    special case with doubled smoothing (MONAI's default). Empty classes give loss 0.

    References
    ----------
    .. [1] S. S. M. Salehi, D. Erdogmus, A. Gholipour, "Tversky loss function for image
       segmentation using 3D fully convolutional deep networks", MLMI 2017.
       https://arxiv.org/abs/1706.05721

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> probs = np.array([[[0.9, 0.1], [0.2, 0.8]]])  # (N=1, S=2, C=2)
    >>> labels = np.array([[0, 1]])
    >>> out = al.tversky_loss(
    ...     probs, labels, alpha=0.3, beta=0.7, from_logits=False, smooth=0.0, reduction="none"
    ... )
    >>> np.round(out, 6)
    array([[0.126214, 0.175258]])
    """
    xp, terms, reduction, smooth = _prepare(
        logits,
        labels,
        weights=weights,
        class_weights=class_weights,
        reduction=reduction,
        smooth=smooth,
        mode=mode,
        axis=axis,
        from_logits=from_logits,
        include_background=include_background,
        ignore_index=ignore_index,
        batch_dice=batch_dice,
        axis_name=axis_name,
        process_group=process_group,
    )
    alpha = continuous(alpha, "alpha", terms.probs, xp, low=0.0)
    beta = continuous(beta, "beta", terms.probs, xp, low=0.0)
    tp, fp, fn = _overlap_sums(terms, xp)
    loss = _tversky_complement(tp, fp, fn, alpha, beta, smooth, xp)
    return _reduce_region(loss, terms.class_weights, weights, reduction, xp, terms.sync)


def focal_tversky_loss(
    logits: Array,
    labels: Array,
    *,
    alpha: float = 0.3,
    beta: float = 0.7,
    gamma: float = 0.75,
    mode: str = "multiclass",
    axis: int = -1,
    from_logits: bool = True,
    smooth: float = 1e-5,
    include_background: bool = True,
    ignore_index: int | None = None,
    class_weights: Array | None = None,
    batch_dice: bool = False,
    weights: Array | None = None,
    reduction: str = "mean",
    axis_name: str | tuple[str, ...] | None = None,
    process_group: Any = None,
) -> Array:
    r"""Focal Tversky loss: the Tversky loss of each class raised to ``gamma``.

    .. math::

        \ell_{nc} = \left(1 - TI_{nc}\right)^{\gamma}, \qquad
        TI_{nc} = \frac{TP + \lambda}{TP + \alpha\, FP + \beta\, FN + \lambda}

    per sample and class, the exponent applied to each class before any averaging.

    Use it for very small structures whose Tversky index stays low: ``gamma < 1``
    raises the loss (and its gradient) of the poorly segmented classes relative to
    the ones already well segmented.

    Parameters
    ----------
    logits : array, shape (N, ..., C, ...)
        Logits (probabilities when ``from_logits=False``).
    labels : array
        As for :func:`dice_loss`.
    alpha : float >= 0, default 0.3
        Weight of the false positives.
    beta : float >= 0, default 0.7
        Weight of the false negatives.
    gamma : float > 0, default 0.75
        The exponent (the paper's :math:`1/\gamma` with its :math:`\gamma = 4/3`).
    mode : {"multiclass", "multilabel", "binary"}
        Softmax over ``axis``; independent sigmoid per channel; one sigmoid channel.
    axis : int, default -1
        The class axis (not 0).
    from_logits : bool, default True
        Whether ``logits`` are logits or probabilities.
    smooth : float >= 0, default 1e-5
        :math:`\lambda`, in numerator and denominator.
    include_background : bool, default True
        False drops channel 0 (ignored in ``"binary"`` mode).
    ignore_index : int, optional
        Integer label whose positions are left out of every sum.
    class_weights : array, shape (C,), optional
        Weights of the weighted mean over classes.
    batch_dice : bool, default False
        Pool the counts over the batch first.
    weights : array, optional
        Broadcasts against the ``"none"`` result.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns shape ``(N, C)``, or ``(C,)`` with ``batch_dice``.
    axis_name : str or tuple of str, optional
        JAX ``shard_map``/``pmap``: the mapped batch axis. The sums over the batch
        (``batch_dice``) and the ``"mean"``/``"sum"`` over samples then cover every
        device's shard, so each device gets the value and gradient of one device on
        the whole batch (``"none"`` stays per shard). See :doc:`/devices`.
    process_group : True or torch.distributed.ProcessGroup, optional
        The same under PyTorch DDP (``True``: the default group), summed with the
        differentiable functional ``all_reduce`` of ``torch.distributed``.

    Returns
    -------
    array
        Scalar, or ``(N, C)`` / ``(C,)`` for ``reduction="none"``.

    Notes
    -----
    The paper writes :math:`\sum_c (1 - TI_c)^{1/\gamma}` and its code applies the
    power per class; SMP's ``TverskyLoss(gamma=...)`` raises the class *mean* to the
    power instead, a different loss. For ``gamma < 1`` the derivative
    :math:`\gamma (1 - TI)^{\gamma - 1}` is infinite at a perfect prediction; there
    the loss is at its minimum and the gradient is taken as 0 (a double ``where``),
    so value and gradient stay finite. ``1 - TI`` is computed as the error ratio
    ``(alpha FP + beta FN) / (...)``, never by cancellation, so the power is exact
    for near-perfect classes too.

    References
    ----------
    .. [1] N. Abraham, N. M. Khan, "A Novel Focal Tversky Loss Function with Improved
       Attention U-Net for Lesion Segmentation", ISBI 2019.
       https://arxiv.org/abs/1810.07842

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> probs = np.array([[[0.9, 0.1], [0.2, 0.8]]])  # (N=1, S=2, C=2)
    >>> labels = np.array([[0, 1]])
    >>> out = al.focal_tversky_loss(
    ...     probs, labels, gamma=0.5, from_logits=False, smooth=0.0, reduction="none"
    ... )
    >>> np.round(out, 6)
    array([[0.355266, 0.418638]])
    """
    xp, terms, reduction, smooth = _prepare(
        logits,
        labels,
        weights=weights,
        class_weights=class_weights,
        reduction=reduction,
        smooth=smooth,
        mode=mode,
        axis=axis,
        from_logits=from_logits,
        include_background=include_background,
        ignore_index=ignore_index,
        batch_dice=batch_dice,
        axis_name=axis_name,
        process_group=process_group,
    )
    alpha = continuous(alpha, "alpha", terms.probs, xp, low=0.0)
    beta = continuous(beta, "beta", terms.probs, xp, low=0.0)
    gamma = continuous(gamma, "gamma", terms.probs, xp, low=0.0, low_inclusive=False)
    tp, fp, fn = _overlap_sums(terms, xp)
    loss = safe_power(_tversky_complement(tp, fp, fn, alpha, beta, smooth, xp), gamma, xp=xp)
    return _reduce_region(loss, terms.class_weights, weights, reduction, xp, terms.sync)


def log_cosh_dice_loss(
    logits: Array,
    labels: Array,
    *,
    mode: str = "multiclass",
    axis: int = -1,
    from_logits: bool = True,
    smooth: float = 1e-5,
    include_background: bool = True,
    ignore_index: int | None = None,
    class_weights: Array | None = None,
    batch_dice: bool = False,
    weights: Array | None = None,
    reduction: str = "mean",
    axis_name: str | tuple[str, ...] | None = None,
    process_group: Any = None,
) -> Array:
    r"""Log-cosh Dice loss: :math:`\log\cosh` of the soft Dice loss of each class.

    .. math::

        \ell_{nc} = \log \cosh\left(1 - \frac{2\, TP + \lambda}{2\, TP + FP + FN
                    + \lambda}\right)

    per sample and class.

    Use it where Dice trains but its gradient is too uneven: :math:`\log\cosh x
    \approx x^2/2` near 0 smooths the loss landscape of nearly solved classes while
    keeping Dice's insensitivity to class frequency.

    Parameters
    ----------
    logits : array, shape (N, ..., C, ...)
        Logits (probabilities when ``from_logits=False``).
    labels : array
        As for :func:`dice_loss`.
    mode : {"multiclass", "multilabel", "binary"}
        Softmax over ``axis``; independent sigmoid per channel; one sigmoid channel.
    axis : int, default -1
        The class axis (not 0).
    from_logits : bool, default True
        Whether ``logits`` are logits or probabilities.
    smooth : float >= 0, default 1e-5
        :math:`\lambda`, in numerator and denominator.
    include_background : bool, default True
        False drops channel 0 (ignored in ``"binary"`` mode).
    ignore_index : int, optional
        Integer label whose positions are left out of every sum.
    class_weights : array, shape (C,), optional
        Weights of the weighted mean over classes.
    batch_dice : bool, default False
        Pool the counts over the batch first.
    weights : array, optional
        Broadcasts against the ``"none"`` result.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns shape ``(N, C)``, or ``(C,)`` with ``batch_dice``.
    axis_name : str or tuple of str, optional
        JAX ``shard_map``/``pmap``: the mapped batch axis. The sums over the batch
        (``batch_dice``) and the ``"mean"``/``"sum"`` over samples then cover every
        device's shard, so each device gets the value and gradient of one device on
        the whole batch (``"none"`` stays per shard). See :doc:`/devices`.
    process_group : True or torch.distributed.ProcessGroup, optional
        The same under PyTorch DDP (``True``: the default group), summed with the
        differentiable functional ``all_reduce`` of ``torch.distributed``.

    Returns
    -------
    array
        Scalar, or ``(N, C)`` / ``(C,)`` for ``reduction="none"``.

    Notes
    -----
    Jadon applies :math:`\log\cosh` to the Dice loss of the whole batch; here it is
    applied per sample and class, before averaging, so ``"none"`` keeps its shape
    (with ``batch_dice`` and one class the two agree). Computed as
    :math:`\log(1 + 2\sinh^2(x/2))`, exact for tiny :math:`x` where
    :math:`\log(\cosh x)` rounds to 0.

    References
    ----------
    .. [1] S. Jadon, "A survey of loss functions for semantic segmentation", CIBCB 2020.
       https://arxiv.org/abs/2006.14822

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> probs = np.array([[[0.9, 0.1], [0.2, 0.8]]])  # (N=1, S=2, C=2)
    >>> labels = np.array([[0, 1]])
    >>> out = al.log_cosh_dice_loss(probs, labels, from_logits=False, smooth=0.0)
    >>> np.round(out, 6)  # (log cosh(1 - 1.8/2.1) + log cosh(1 - 1.6/1.9)) / 2
    np.float64(0.011292)
    """
    xp, terms, reduction, smooth = _prepare(
        logits,
        labels,
        weights=weights,
        class_weights=class_weights,
        reduction=reduction,
        smooth=smooth,
        mode=mode,
        axis=axis,
        from_logits=from_logits,
        include_background=include_background,
        ignore_index=ignore_index,
        batch_dice=batch_dice,
        axis_name=axis_name,
        process_group=process_group,
    )
    tp, fp, fn = _overlap_sums(terms, xp)
    dice = _safe_ratio(fp + fn, 2.0 * tp + fp + fn + smooth, xp)
    half = xp.sinh(0.5 * dice)
    # log cosh x = log(1 + (cosh x - 1)) = log1p(2 sinh^2(x / 2)): no rounding to 0
    loss = xp.log1p(2.0 * half * half)
    return _reduce_region(loss, terms.class_weights, weights, reduction, xp, terms.sync)


def sensitivity_specificity_loss(
    logits: Array,
    labels: Array,
    *,
    r: float = 0.05,
    mode: str = "multiclass",
    axis: int = -1,
    from_logits: bool = True,
    smooth: float = 1e-5,
    include_background: bool = True,
    ignore_index: int | None = None,
    class_weights: Array | None = None,
    batch_dice: bool = False,
    weights: Array | None = None,
    reduction: str = "mean",
    axis_name: str | tuple[str, ...] | None = None,
    process_group: Any = None,
) -> Array:
    r"""Sensitivity-specificity loss: squared errors on the foreground and background.

    .. math::

        \ell_{nc} = r \frac{\sum_s (g - p)^2\, g}{\sum_s g + \lambda}
                  + (1 - r) \frac{\sum_s (g - p)^2 (1 - g)}{\sum_s (1 - g) + \lambda}

    per sample and class, over the kept positions :math:`s`.

    Use it for tiny lesions in large volumes: the two terms are normalized by the
    foreground and background sizes separately, so the rare foreground is not
    drowned out, and ``r`` sets the balance between missed and spurious voxels.

    Parameters
    ----------
    logits : array, shape (N, ..., C, ...)
        Logits (probabilities when ``from_logits=False``).
    labels : array
        As for :func:`dice_loss`.
    r : float in [0, 1], default 0.05
        Weight of the sensitivity (foreground) term; :math:`1 - r` weights the
        specificity (background) term. Brosch et al.'s value.
    mode : {"multiclass", "multilabel", "binary"}
        Softmax over ``axis``; independent sigmoid per channel; one sigmoid channel.
    axis : int, default -1
        The class axis (not 0).
    from_logits : bool, default True
        Whether ``logits`` are logits or probabilities.
    smooth : float >= 0, default 1e-5
        :math:`\lambda`, in both denominators only.
    include_background : bool, default True
        False drops channel 0 (ignored in ``"binary"`` mode).
    ignore_index : int, optional
        Integer label whose positions are left out of every sum (including the
        background count :math:`\sum_s (1 - g)`).
    class_weights : array, shape (C,), optional
        Weights of the weighted mean over classes.
    batch_dice : bool, default False
        Pool the sums over the batch first.
    weights : array, optional
        Broadcasts against the ``"none"`` result.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns shape ``(N, C)``, or ``(C,)`` with ``batch_dice``.
    axis_name : str or tuple of str, optional
        JAX ``shard_map``/``pmap``: the mapped batch axis. The sums over the batch
        (``batch_dice``) and the ``"mean"``/``"sum"`` over samples then cover every
        device's shard, so each device gets the value and gradient of one device on
        the whole batch (``"none"`` stays per shard). See :doc:`/devices`.
    process_group : True or torch.distributed.ProcessGroup, optional
        The same under PyTorch DDP (``True``: the default group), summed with the
        differentiable functional ``all_reduce`` of ``torch.distributed``.

    Returns
    -------
    array
        Scalar, or ``(N, C)`` / ``(C,)`` for ``reduction="none"``.

    Notes
    -----
    An empty foreground (or background) makes its numerator 0 as well; that term
    is then 0, also with ``smooth=0`` (double ``where``, finite gradient). The
    paper's text has no smoothing; common implementations (NiftyNet, SegLoss's
    ``SSLoss``) add a constant to the denominators, as ``smooth`` does. MONAI has
    no equivalent.

    References
    ----------
    .. [1] T. Brosch, Y. Yoo, L. Y. W. Tang, D. K. B. Li, A. Traboulsee, R. Tam, "Deep
       Convolutional Encoder Networks for Multiple Sclerosis Lesion Segmentation",
       MICCAI 2015. https://doi.org/10.1007/978-3-319-24574-4_1

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> probs = np.array([[[0.9, 0.1], [0.2, 0.8]]])  # (N=1, S=2, C=2)
    >>> labels = np.array([[0, 1]])
    >>> out = al.sensitivity_specificity_loss(
    ...     probs, labels, r=0.5, from_logits=False, smooth=0.0, reduction="none"
    ... )
    >>> np.round(out, 6)  # 0.5 * 0.1**2 + 0.5 * 0.2**2 for both classes
    array([[0.025, 0.025]])
    """
    xp, terms, reduction, smooth = _prepare(
        logits,
        labels,
        weights=weights,
        class_weights=class_weights,
        reduction=reduction,
        smooth=smooth,
        mode=mode,
        axis=axis,
        from_logits=from_logits,
        include_background=include_background,
        ignore_index=ignore_index,
        batch_dice=batch_dice,
        axis_name=axis_name,
        process_group=process_group,
    )
    r = continuous(r, "r", terms.probs, xp, low=0.0, high=1.0)
    p, g = terms.probs, terms.target
    sq = (g - p) ** 2  # 0 at ignored positions, where p = g = 0
    background = 1.0 - g if terms.kept is None else terms.kept * (1.0 - g)
    missed, positives, false_alarms, negatives = _batch_sums(
        terms, xp, sq * g, g, sq * background, background
    )
    sensitivity = _safe_ratio(missed, positives + smooth, xp)
    specificity = _safe_ratio(false_alarms, negatives + smooth, xp)
    loss = r * sensitivity + (1.0 - r) * specificity
    return _reduce_region(loss, terms.class_weights, weights, reduction, xp, terms.sync)


def _sqrt0(x: Array, xp: Namespace) -> Array:
    """``sqrt(x)`` for ``x >= 0`` with gradient 0 (not inf) at exactly 0."""
    nonzero = x != 0
    one = xp.ones((), dtype=x.dtype, device=device_of(x))
    zero = xp.zeros((), dtype=x.dtype, device=device_of(x))
    return xp.where(nonzero, xp.sqrt(xp.where(nonzero, x, one)), zero)


def mcc_loss(
    logits: Array,
    labels: Array,
    *,
    mode: str = "multiclass",
    axis: int = -1,
    from_logits: bool = True,
    smooth: float = 1e-5,
    include_background: bool = True,
    ignore_index: int | None = None,
    class_weights: Array | None = None,
    batch_dice: bool = False,
    weights: Array | None = None,
    reduction: str = "mean",
    axis_name: str | tuple[str, ...] | None = None,
    process_group: Any = None,
) -> Array:
    r"""Matthews correlation coefficient loss, :math:`1 - \mathrm{MCC}` from soft counts.

    .. math::

        \ell_{nc} = 1 - \frac{TP\, TN - FP\, FN}
                    {\sqrt{(TP + FP)(TP + FN)(TN + FP)(TN + FN)} + \lambda}

    per sample and class, with :math:`TN = \sum_s (1 - p)(1 - g)` over the kept
    positions and the other counts as in :func:`jaccard_loss`.

    Use it for binary or per-class segmentation with strong foreground/background
    imbalance when true negatives should count too: unlike Dice and IoU, MCC
    rewards correctly predicted background and penalizes false positives on
    images with little foreground. Values lie in [0, 2].

    Parameters
    ----------
    logits : array, shape (N, ..., C, ...)
        Logits (probabilities when ``from_logits=False``).
    labels : array
        As for :func:`dice_loss`.
    mode : {"multiclass", "multilabel", "binary"}
        Softmax over ``axis``; independent sigmoid per channel; one sigmoid channel.
    axis : int, default -1
        The class axis (not 0).
    from_logits : bool, default True
        Whether ``logits`` are logits or probabilities.
    smooth : float >= 0, default 1e-5
        :math:`\lambda`, added to the denominator.
    include_background : bool, default True
        False drops channel 0 (ignored in ``"binary"`` mode).
    ignore_index : int, optional
        Integer label whose positions are left out of every count, TN included.
    class_weights : array, shape (C,), optional
        Weights of the weighted mean over classes.
    batch_dice : bool, default False
        Pool the counts over the batch first.
    weights : array, optional
        Broadcasts against the ``"none"`` result.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns shape ``(N, C)``, or ``(C,)`` with ``batch_dice``.
    axis_name : str or tuple of str, optional
        JAX ``shard_map``/``pmap``: the mapped batch axis. The sums over the batch
        (``batch_dice``) and the ``"mean"``/``"sum"`` over samples then cover every
        device's shard, so each device gets the value and gradient of one device on
        the whole batch (``"none"`` stays per shard). See :doc:`/devices`.
    process_group : True or torch.distributed.ProcessGroup, optional
        The same under PyTorch DDP (``True``: the default group), summed with the
        differentiable functional ``all_reduce`` of ``torch.distributed``.

    Returns
    -------
    array
        Scalar, or ``(N, C)`` / ``(C,)`` for ``reduction="none"``.

    Notes
    -----
    When a factor of the denominator is 0 (a class absent from the target, or
    covering every position) the numerator is 0 too and MCC is taken as 0 (loss 1,
    zero gradient; scikit-learn's convention), also with ``smooth=0``; the square
    root is differentiated only where its argument is positive. The authors' code
    adds 1 to the denominator; ``smooth=1.0`` reproduces it. The product is formed
    as two square roots of two factors each, so float32 overflows only beyond
    :math:`10^{19}` positions.

    References
    ----------
    .. [1] K. Abhishek, G. Hamarneh, "Matthews Correlation Coefficient Loss for Deep
       Convolutional Networks: Application to Skin Lesion Segmentation", ISBI 2021.
       https://arxiv.org/abs/2010.13454

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> probs = np.array([[[0.9, 0.1], [0.2, 0.8]]])  # (N=1, S=2, C=2)
    >>> labels = np.array([[0, 1]])
    >>> out = al.mcc_loss(probs, labels, from_logits=False, smooth=0.0, reduction="none")
    >>> np.round(out, 6)  # 1 - (.9 * .8 - .2 * .1) / sqrt(1.1 * 1 * 1 * .9)
    array([[0.296474, 0.296474]])
    """
    xp, terms, reduction, smooth = _prepare(
        logits,
        labels,
        weights=weights,
        class_weights=class_weights,
        reduction=reduction,
        smooth=smooth,
        mode=mode,
        axis=axis,
        from_logits=from_logits,
        include_background=include_background,
        ignore_index=ignore_index,
        batch_dice=batch_dice,
        axis_name=axis_name,
        process_group=process_group,
        index_sums=False,  # its true negatives come from the one-hot: one summation order
    )
    tp, fp, fn = _overlap_sums(terms, xp)
    negatives = (1.0 - terms.probs) * (1.0 - terms.target)
    if terms.kept is not None:
        negatives = terms.kept * negatives
    (tn,) = _batch_sums(terms, xp, negatives)
    # sqrt(a b c d) = sqrt(a b) sqrt(c d): the four-fold product overflows float32 sooner
    root = _sqrt0((tp + fp) * (tp + fn), xp) * _sqrt0((tn + fp) * (tn + fn), xp)
    mcc = _safe_ratio(tp * tn - fp * fn, root + smooth, xp)
    loss = 1.0 - mcc
    if terms.kept is not None:  # nothing kept: nothing to correlate, a loss of 0
        (count,) = _batch_sums(terms, xp, terms.kept)
        loss = xp.where(count > 0, loss, xp.zeros_like(loss))
    return _reduce_region(loss, terms.class_weights, weights, reduction, xp, terms.sync)
