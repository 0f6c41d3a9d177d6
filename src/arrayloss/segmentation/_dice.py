"""Segmentation (region) losses: overlap between predicted and target masks."""

from __future__ import annotations

from typing import Any

from .._lib._collective import device_sum
from .._lib._compat import Array, array_namespace, array_or_none
from .._lib._dtypes import cast, compute_dtype
from .._lib._hyper import continuous
from .._lib._reduction import check_reduction
from ._common import _overlap_sums, _reduce_region, _region_terms, _safe_ratio

__all__ = ["dice_loss"]


def dice_loss(
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
    r"""Soft Dice loss, per sample and class.

    .. math::

        \ell_{nc} = 1 - \frac{2 \sum_s p_{nsc}\, g_{nsc} + \lambda}
                             {\sum_s p_{nsc} + \sum_s g_{nsc} + \lambda}

    over the spatial positions :math:`s` of sample :math:`n`, with :math:`p` the
    predicted probabilities, :math:`g` the target masks and :math:`\lambda` the
    ``smooth`` term (in numerator and denominator, as MONAI's ``smooth_nr`` and
    ``smooth_dr``). Linear denominators (not squares, MONAI's default).

    Region losses measure overlap rather than per-pixel error, so a class that
    covers 0.1 % of the image weighs as much as one that covers 90 %: the reason to
    use Dice under class imbalance, usually together with cross-entropy.

    A class absent from the target *and* the prediction (both sums 0) gives loss 0
    (MONAI's convention; Keras gives 1 and SMP drops the class), also with
    ``smooth=0``: no NaN. Note that a softmax prediction is never exactly 0, so a
    class absent from the target only tends to 0 as its predicted mass does.

    Parameters
    ----------
    logits : array, shape (N, ..., C, ...)
        Logits (probabilities when ``from_logits=False``); axis 0 is the sample
        axis, ``axis`` the class axis.
    labels : array
        ``"multiclass"``: integer class indices (``logits``'s shape minus ``axis``)
        or one-hot/probabilities (``logits``'s shape). ``"multilabel"``: binary
        masks of ``logits``'s shape. ``"binary"``: ``logits``'s shape, or without
        the size-1 class axis.
    mode : {"multiclass", "multilabel", "binary"}
        Softmax over ``axis``; independent sigmoid per channel; one sigmoid channel.
    axis : int, default -1
        The class axis (not 0).
    from_logits : bool, default True
        Whether ``logits`` are logits or probabilities.
    smooth : float >= 0, default 1e-5
        :math:`\lambda`, MONAI's default.
    include_background : bool, default True
        False drops channel 0 (ignored in ``"binary"`` mode).
    ignore_index : int, optional
        Integer label whose positions are left out of every sum.
    class_weights : array, shape (C,), optional
        Weight of each class in the mean over classes (a weighted mean, unlike
        MONAI's ``weight``, which multiplies without normalizing). With
        ``include_background=False`` its first entry is dropped with channel 0.
    batch_dice : bool, default False
        Pool the sums over the batch first (one Dice per class).
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

    References
    ----------
    .. [1] F. Milletari, N. Navab, S.-A. Ahmadi, "V-Net: Fully Convolutional Neural
       Networks for Volumetric Medical Image Segmentation", 3DV 2016.
       https://arxiv.org/abs/1606.04797

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> probs = np.array([[[0.9, 0.1], [0.2, 0.8]]])  # (N=1, S=2, C=2)
    >>> labels = np.array([[0, 1]])
    >>> al.dice_loss(probs, labels, from_logits=False, smooth=0.0, reduction="none")
    array([[0.142857, 0.157895]])
    """
    xp = array_namespace(
        logits=logits,
        labels=labels,
        weights=weights,
        class_weights=array_or_none(class_weights),
        required=("logits", "labels"),
    )
    reduction = check_reduction(reduction)
    dtype = compute_dtype(logits, "logits", xp)
    logits = cast(logits, dtype, xp)
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
    )
    tp, fp, fn = _overlap_sums(terms, xp)
    mismatch = fp + fn
    # 1 - (2 tp + s) / (2 tp + fp + fn + s) = (fp + fn) / (2 tp + fp + fn + s)
    loss = _safe_ratio(mismatch, 2.0 * tp + mismatch + smooth, xp)
    return _reduce_region(loss, terms.class_weights, weights, reduction, xp, terms.sync)
