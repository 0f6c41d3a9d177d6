"""Segmentation (region) losses: overlap between predicted and target masks."""

from __future__ import annotations

from typing import Any, NamedTuple

from ._lib._compat import Array, Namespace, array_namespace, array_or_none, device_of
from ._lib._dtypes import cast, compute_dtype, is_floating, is_integer
from ._lib._primitives import one_hot, sigmoid, softmax
from ._lib._reduction import check_reduction, check_weights, reduce_loss
from ._lib._targets import class_target, class_weight_vector, poison
from ._lib._validation import (
    check_choice,
    check_ignore_index,
    check_labels_in_range,
    check_number,
    normalize_axis,
)

__all__ = ["dice_loss"]

MODES = ("multiclass", "multilabel", "binary")


def _region_inputs(
    logits: Array,
    labels: Array,
    *,
    mode: str,
    axis: int,
    from_logits: bool,
    ignore_index: object,
    xp: Namespace,
) -> tuple[Array, Array, int]:
    """Probabilities and float targets of the same shape, masked and NaN-poisoned.

    Returns ``(probs, target, class_axis)``; ignored positions are 0 in both, an
    out-of-range label makes its whole position NaN in the target.
    """
    probs, target, ax, _ = _region_inputs_keep(
        logits,
        labels,
        mode=mode,
        axis=axis,
        from_logits=from_logits,
        ignore_index=ignore_index,
        xp=xp,
    )
    return probs, target, ax


def _region_inputs_keep(
    logits: Array,
    labels: Array,
    *,
    mode: str,
    axis: int,
    from_logits: bool,
    ignore_index: object,
    xp: Namespace,
) -> tuple[Array, Array, int, Array | None]:
    """:func:`_region_inputs` plus the boolean keep-mask (None when nothing is ignored),
    broadcastable to ``probs``: the losses that count true negatives need it."""
    check_choice(mode, "mode", MODES)
    if logits.ndim < 2:
        raise ValueError(
            f"logits must have a sample axis 0 and a class axis, got shape {tuple(logits.shape)}"
        )
    ax = normalize_axis(axis, logits.ndim)
    if ax == 0:
        raise ValueError("axis must not be 0: axis 0 is the sample axis of region losses")
    num_classes = int(logits.shape[ax])
    if mode == "binary" and num_classes != 1:
        raise ValueError(
            f'mode="binary" expects one channel along axis {axis}, got {num_classes}; '
            'use mode="multilabel" or "multiclass" for several'
        )
    if mode == "multiclass":
        probs = softmax(logits, ax, xp=xp) if from_logits else logits
        target = class_target(logits, labels, ax, ignore_index=ignore_index, xp=xp)
        if target.is_index:
            g = one_hot(target.values, num_classes, ax, dtype=logits.dtype, xp=xp)
            keep = None if target.keep is None else xp.expand_dims(target.keep, axis=ax)
            invalid = None if target.invalid is None else xp.expand_dims(target.invalid, axis=ax)
        else:
            g, keep, invalid = target.values, None, None
    else:
        probs = sigmoid(logits, xp=xp) if from_logits else logits
        g, keep, invalid = _binary_mask_target(logits, labels, ax, mode, ignore_index, xp)
    if keep is not None:
        zero = xp.zeros((), dtype=logits.dtype, device=device_of(logits))
        probs = xp.where(keep, probs, zero)
        g = xp.where(keep, g, zero)
    if invalid is not None:
        g = poison(g, invalid, xp)
    return probs, g, ax, keep


def _binary_mask_target(
    logits: Array, labels: Array, ax: int, mode: str, ignore_index: object, xp: Namespace
) -> tuple[Array, Array | None, Array | None]:
    """Target, keep-mask and invalid-mask for the sigmoid modes."""
    ignore = check_ignore_index(ignore_index)
    shape = tuple(logits.shape)
    if mode == "binary" and tuple(labels.shape) == shape[:ax] + shape[ax + 1 :]:
        labels = xp.expand_dims(labels, axis=ax)
    if tuple(labels.shape) != shape:
        allowed = f"{shape}"
        if mode == "binary":
            allowed += f" or {shape[:ax] + shape[ax + 1 :]}"
        raise ValueError(
            f'labels for mode="{mode}" must have shape {allowed} (logits shape '
            f"{shape}), got {tuple(labels.shape)}"
        )
    if is_integer(labels, xp) or labels.dtype == xp.bool:
        if labels.dtype == xp.bool:
            return cast(labels, logits.dtype, xp), None, None
        check_labels_in_range(labels, 2, ignore, "labels", xp)
        keep = None if ignore is None else labels != ignore
        bad = (labels < 0) | (labels > 1)
        invalid = bad if keep is None else bad & keep
        zero = xp.zeros((), dtype=labels.dtype, device=device_of(labels))
        safe = xp.where(bad, zero, labels)
        return cast(safe, logits.dtype, xp), keep, invalid
    if is_floating(labels, xp):
        if ignore is not None:
            raise ValueError(
                f"ignore_index={ignore} needs integer labels, got floating labels; "
                "mask positions with weights instead"
            )
        return cast(labels, logits.dtype, xp), None, None
    raise TypeError(f"labels must be an integer, boolean or floating array, got {labels.dtype}")


def _drop_background(x: Array, ax: int) -> Array:
    # the trailing Ellipsis is required: the standard does not pad a short index
    index: tuple[Any, ...] = (slice(None),) * ax + (slice(1, None), Ellipsis)
    return x[index]


class RegionTerms(NamedTuple):
    """Everything a per-class region loss needs after the shared input handling.

    ``probs`` and ``target`` have the background dropped when asked and are 0 at
    ignored positions; ``kept`` is 1.0 at kept positions and 0.0 at ignored ones
    (``probs``'s shape), or None when nothing is ignored; ``sum_axes`` are the
    spatial axes, plus axis 0 with ``batch_dice``.
    """

    probs: Array
    target: Array
    kept: Array | None
    class_weights: Array | None
    sum_axes: tuple[int, ...]
    ax: int


def _region_terms(
    logits: Array,
    labels: Array,
    *,
    mode: str,
    axis: int,
    from_logits: bool,
    include_background: bool,
    ignore_index: object,
    class_weights: Array | None,
    batch_dice: bool,
    xp: Namespace,
) -> RegionTerms:
    """The dice-family keywords, one meaning: modes, ignore, background, class weights."""
    probs, target, ax, keep = _region_inputs_keep(
        logits,
        labels,
        mode=mode,
        axis=axis,
        from_logits=from_logits,
        ignore_index=ignore_index,
        xp=xp,
    )
    cw = class_weight_vector(class_weights, int(logits.shape[ax]), logits, xp)
    kept = None
    if keep is not None:
        kept = xp.broadcast_to(cast(keep, logits.dtype, xp), tuple(probs.shape))
    if not include_background and mode != "binary":
        probs, target = _drop_background(probs, ax), _drop_background(target, ax)
        kept = None if kept is None else _drop_background(kept, ax)
        cw = None if cw is None else cw[1:]
    sum_axes = tuple(d for d in range(logits.ndim) if d not in (0, ax))
    if batch_dice:
        sum_axes = (0, *sum_axes)
    return RegionTerms(probs, target, kept, cw, sum_axes, ax)


def _overlap_sums(terms: RegionTerms, xp: Namespace) -> tuple[Array, Array, Array]:
    """Soft ``(tp, fp, fn)`` per sample and class, ``(N, C)`` (``(C,)`` with batch_dice).

    One product and three sums: ``fp = sum p - tp`` and ``fn = sum g - tp``, as MONAI,
    kornia and optax compute them (three full-size temporaries fewer than summing
    ``p (1 - g)`` and ``(1 - p) g``). Neither rounds below 0: every ``fl(p g)`` is at
    most ``p`` and at most ``g`` (rounding is monotone), and equal shapes are summed
    in the same order, so ``tp <= sum p`` and ``tp <= sum g`` hold in floating point.
    Near a perfect prediction the subtraction costs absolute accuracy of the order of
    eps in the loss, not relative accuracy of a loss that is itself near 0.
    Ignored positions are 0 in ``probs`` and ``target`` already.
    """
    p, g, axes = terms.probs, terms.target, terms.sum_axes
    tp = xp.sum(p * g, axis=axes)
    fp = xp.sum(p, axis=axes) - tp
    fn = xp.sum(g, axis=axes) - tp
    return tp, fp, fn


def _safe_ratio(numerator: Array, denominator: Array, xp: Namespace) -> Array:
    """``numerator / denominator``, and 0 (zero gradient) where the denominator is 0."""
    nonzero = denominator != 0  # not > 0: a NaN sum must give NaN, not 0
    one = xp.ones((), dtype=denominator.dtype, device=device_of(denominator))
    zero = xp.zeros((), dtype=denominator.dtype, device=device_of(denominator))
    # double where: 0/0 (an empty class with smooth=0) must not reach the backward pass
    return xp.where(nonzero, numerator / xp.where(nonzero, denominator, one), zero)


def _reduce_region(
    loss: Array,
    class_weights: Array | None,
    weights: Array | None,
    reduction: str,
    xp: Namespace,
) -> Array:
    """Reduce a per-class ``(N, C)``/``(C,)`` loss: class weights act as weights."""
    check_weights(weights, tuple(loss.shape), xp)
    cw = class_weights
    w = weights if cw is None else (cw if weights is None else cast(weights, loss.dtype, xp) * cw)
    return reduce_loss(loss, reduction, xp=xp, weights=w)


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
    smooth = check_number(smooth, "smooth", low=0.0)
    dtype = compute_dtype(logits, "logits", xp)
    logits = cast(logits, dtype, xp)
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
    )
    tp, fp, fn = _overlap_sums(terms, xp)
    mismatch = fp + fn
    # 1 - (2 tp + s) / (2 tp + fp + fn + s) = (fp + fn) / (2 tp + fp + fn + s)
    loss = _safe_ratio(mismatch, 2.0 * tp + mismatch + smooth, xp)
    return _reduce_region(loss, terms.class_weights, weights, reduction, xp)
