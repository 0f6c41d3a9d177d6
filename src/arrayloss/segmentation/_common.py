"""Helpers shared by the segmentation losses: region inputs (probabilities and one-hot
targets per mode), per-class overlap sums, soft morphology, safe ratios.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .._lib._axis_reductions import axis_sum
from .._lib._class_sums import has_label_class_sums, label_class_sums
from .._lib._collective import Sync, synced
from .._lib._compat import Array, Namespace, device_of
from .._lib._dtypes import cast, compute_dtype, is_floating, is_integer
from .._lib._reduction import check_weights, reduce_loss
from .._lib._special import (
    one_hot,
    sigmoid,
    softmax,
)
from .._lib._targets import class_target, class_weight_vector, poison
from .._lib._validation import (
    check_choice,
    check_ignore_index,
    check_labels_in_range,
    normalize_axis,
)
from .._lib._windows import cross_extreme

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
    probs, g, ax, keep, _ = _region_inputs_any(
        logits,
        labels,
        mode=mode,
        axis=axis,
        from_logits=from_logits,
        ignore_index=ignore_index,
        xp=xp,
        dense=True,
    )
    assert g is not None  # dense=True always builds the target
    return probs, g, ax, keep


def _region_inputs_any(
    logits: Array,
    labels: Array,
    *,
    mode: str,
    axis: int,
    from_logits: bool,
    ignore_index: object,
    xp: Namespace,
    dense: bool,
) -> tuple[Array, Array | None, int, Array | None, IndexTarget | None]:
    """:func:`_region_inputs_keep`, and with ``dense=False`` integer multiclass labels
    kept as an :class:`IndexTarget` (the float target is then None)."""
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
            index = IndexTarget(target.values, target.keep, target.invalid, num_classes)
            keep = None if target.keep is None else xp.expand_dims(target.keep, axis=ax)
            if keep is not None:
                zero = xp.zeros((), dtype=logits.dtype, device=device_of(logits))
                probs = xp.where(keep, probs, zero)
            if not dense:
                return probs, None, ax, keep, index
            return probs, _one_hot_target(index, ax, logits.dtype, xp), ax, keep, None
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
    return probs, g, ax, keep, None


def _one_hot_target(index: IndexTarget, ax: int, dtype: Any, xp: Namespace) -> Array:
    """The float one-hot of index labels along ``ax``: 0 at ignored positions, NaN at
    invalid ones."""
    g = one_hot(index.labels, index.num_classes, ax, dtype=dtype, xp=xp)
    if index.keep is not None:
        zero = xp.zeros((), dtype=g.dtype, device=device_of(g))
        g = xp.where(xp.expand_dims(index.keep, axis=ax), g, zero)
    if index.invalid is not None:
        g = poison(g, xp.expand_dims(index.invalid, axis=ax), xp)
    return g


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


class IndexTarget(NamedTuple):
    """Integer labels of a multiclass region loss, kept as indices (no one-hot): the
    safe class index per position (ignored and invalid ones replaced), whether it is
    kept, whether it was invalid (out of range, found where values cannot be read)."""

    labels: Array
    keep: Array | None
    invalid: Array | None
    num_classes: int


class RegionTerms:
    """Everything a per-class region loss needs after the shared input handling.

    ``probs`` and ``target`` have the background dropped when asked and are 0 at
    ignored positions; ``kept`` is 1.0 at kept positions and 0.0 at ignored ones
    (``probs``'s shape), or None when nothing is ignored; ``sum_axes`` are the
    spatial axes, plus axis 0 with ``batch_dice``. Integer labels on a backend with
    native per-class sums (``_lib/_class_sums.py``) stay indices in ``index``: the
    overlap sums read them directly, and ``target`` builds the one-hot only for the
    losses that read it.
    """

    def __init__(
        self,
        probs: Array,
        target: Array | None,
        kept: Array | None,
        class_weights: Array | None,
        sum_axes: tuple[int, ...],
        ax: int,
        sync: Sync | None = None,
        *,
        index: IndexTarget | None = None,
        drop_background: bool = False,
        xp: Namespace | None = None,
    ) -> None:
        self.probs, self.kept, self.class_weights = probs, kept, class_weights
        self.sum_axes, self.ax, self.sync = sum_axes, ax, sync
        self.index, self.drop_background = index, drop_background
        self._target, self._xp = target, xp

    @property
    def target(self) -> Array:
        """The float target, ``probs``'s shape (the one-hot built on first use)."""
        if self._target is None:
            index, xp = self.index, self._xp
            if index is None or xp is None:
                raise ValueError("RegionTerms needs a target or index labels")
            g = _one_hot_target(index, self.ax, self.probs.dtype, xp)
            self._target = _drop_background(g, self.ax) if self.drop_background else g
        return self._target


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
    sync: Sync | None = None,
    index_sums: bool = True,
) -> RegionTerms:
    """The dice-family keywords, one meaning: modes, ignore, background, class weights.

    ``index_sums=False`` keeps integer labels as a one-hot from the start, for a loss
    that combines the overlap sums with sums over the one-hot target (MCC's true
    negatives), so both come from the same summation order.
    """
    dense = not (index_sums and mode == "multiclass" and has_label_class_sums(logits, xp))
    probs, target, ax, keep, index = _region_inputs_any(
        logits,
        labels,
        mode=mode,
        axis=axis,
        from_logits=from_logits,
        ignore_index=ignore_index,
        xp=xp,
        dense=dense,
    )
    cw = class_weight_vector(class_weights, int(logits.shape[ax]), logits, xp)
    kept = None
    if keep is not None:
        kept = xp.broadcast_to(cast(keep, logits.dtype, xp), tuple(probs.shape))
    drop = not include_background and mode != "binary"
    if drop:
        probs = _drop_background(probs, ax)
        target = None if target is None else _drop_background(target, ax)
        kept = None if kept is None else _drop_background(kept, ax)
        cw = None if cw is None else cw[1:]
    sum_axes = tuple(d for d in range(logits.ndim) if d not in (0, ax))
    if batch_dice:
        sum_axes = (0, *sum_axes)
    return RegionTerms(
        probs, target, kept, cw, sum_axes, ax, sync, index=index, drop_background=drop, xp=xp
    )


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

    With index labels (``terms.index``) ``tp`` and ``sum g`` come from per-class
    sums over the labelled positions (``_lib/_class_sums.py``), summed in another order
    than ``sum p``: ``fp`` and ``fn`` are clamped at 0 against that rounding.
    """
    if terms.index is not None:
        return _index_overlap_sums(terms, terms.index, xp)
    p, g = terms.probs, terms.target
    tp, sum_p, sum_g = _batch_sums(terms, xp, p * g, p, g)
    return tp, sum_p - tp, sum_g - tp


def _index_overlap_sums(
    terms: RegionTerms, index: IndexTarget, xp: Namespace
) -> tuple[Array, Array, Array]:
    """:func:`_overlap_sums` from index labels, without a one-hot."""
    probs = terms.probs
    full = probs
    if terms.drop_background:
        # the per-class sums index every class: a zero background column in front,
        # whose sums are dropped again below
        shape = list(probs.shape)
        shape[terms.ax] = 1
        zero = xp.zeros(tuple(shape), dtype=probs.dtype, device=device_of(probs))
        full = xp.concat([zero, probs], axis=terms.ax)
    weight = None if index.keep is None else cast(index.keep, probs.dtype, xp)
    tp, count = label_class_sums(full, index.labels, weight, terms.ax, xp=xp)
    if index.invalid is not None:
        # an invalid label poisons its sample's sums, as NaN in the one-hot does
        n = int(index.invalid.shape[0])
        bad = xp.expand_dims(xp.any(xp.reshape(index.invalid, (n, -1)), axis=1), axis=1)
        tp, count = poison(tp, bad, xp), poison(count, bad, xp)
    if terms.drop_background:
        tp, count = tp[:, 1:], count[:, 1:]
    spatial = tuple(d for d in terms.sum_axes if d != 0)
    sum_p = axis_sum(probs, spatial, xp=xp) if spatial else probs
    if 0 in terms.sum_axes:
        tp, count, sum_p = xp.sum(tp, axis=0), xp.sum(count, axis=0), xp.sum(sum_p, axis=0)
        if terms.sync is not None:
            tp, count, sum_p = synced(terms.sync, tp, count, sum_p, xp=xp)
    zero = xp.zeros((), dtype=tp.dtype, device=device_of(tp))
    return tp, xp.maximum(sum_p - tp, zero), xp.maximum(count - tp, zero)


def _batch_sums(terms: RegionTerms, xp: Namespace, *xs: Array) -> tuple[Array, ...]:
    """Each of ``xs`` summed over ``terms.sum_axes``: over every device's batch when
    the sums include the batch axis (``batch_dice``) and a cross-device sum is asked."""
    sums = tuple(axis_sum(x, terms.sum_axes, xp=xp) for x in xs)
    if terms.sync is None or 0 not in terms.sum_axes:
        return sums  # per-sample sums are whole on each device
    return synced(terms.sync, *sums, xp=xp)


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
    sync: Sync | None = None,
) -> Array:
    """Reduce a per-class ``(N, C)``/``(C,)`` loss: class weights act as weights.

    With ``sync``, a per-sample loss is reduced over every device's samples; a
    ``batch_dice`` loss ``(C,)`` is already global (the same on every device)."""
    check_weights(weights, tuple(loss.shape), xp)
    cw = class_weights
    w = weights if cw is None else (cw if weights is None else cast(weights, loss.dtype, xp) * cw)
    batch_level = len(loss.shape) <= 1
    return reduce_loss(loss, reduction, xp=xp, weights=w, sync=None if batch_level else sync)


# -- morphology on the spatial axes ----------------------------------------------------


def _soft_erode(x: Array, axes: tuple[int, ...], fill: float | None, xp: Namespace) -> Array:
    """Min over the cross-shaped neighbourhood (the centre and its 2*len(axes) neighbours).

    As clDice's soft_erode: the min of 3-wide min-pools along each axis separately.
    Past the edge a neighbour is ``fill``, or with ``fill=None`` it is left out.
    """
    return cross_extreme(x, axes, kind="min", fill=fill, xp=xp)


# -- shared input handling -------------------------------------------------------------


def _soft_mask_inputs(
    logits: Array,
    labels: Array,
    *,
    mode: str,
    axis: int,
    from_logits: bool,
    ignore_index: int | None,
    include_background: bool,
    class_weights: Array | None,
    batch_dice: bool,
    name: str,
    xp: Namespace,
) -> tuple[Array, Array, Array | None, tuple[int, ...], tuple[int, ...]]:
    """``(probs, target, class weights, spatial axes, sum axes)`` as dice_loss builds them."""
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
    spatial = tuple(d for d in range(logits.ndim) if d not in (0, ax))
    if not spatial:
        raise ValueError(
            f"{name} needs at least one spatial axis besides the sample axis 0 and the "
            f"class axis {axis}; got logits of shape {tuple(logits.shape)}"
        )
    cw = class_weight_vector(class_weights, int(logits.shape[ax]), logits, xp)
    if not include_background and mode != "binary":
        probs, target = _drop_background(probs, ax), _drop_background(target, ax)
        cw = None if cw is None else cw[1:]
    sum_axes = (0, *spatial) if batch_dice else spatial
    return probs, target, cw, spatial, sum_axes


def _reduce_per_class(
    loss: Array, cw: Array | None, weights: Array | None, reduction: str, xp: Namespace
) -> Array:
    check_weights(weights, tuple(loss.shape), xp)
    w = weights if cw is None else (cw if weights is None else cast(weights, loss.dtype, xp) * cw)
    return reduce_loss(loss, reduction, xp=xp, weights=w)


def _ratio_or(num: Array, den: Array, empty: float, xp: Namespace) -> Array:
    """``num / den``, and ``empty`` where ``den == 0`` (a NaN ``den`` stays NaN)."""
    nonzero = den != 0
    one = xp.ones((), dtype=den.dtype, device=device_of(den))
    # double where: 0/0 must not reach the backward pass
    ratio = num / xp.where(nonzero, den, one)
    return xp.where(nonzero, ratio, xp.full((), empty, dtype=den.dtype, device=device_of(den)))


def _spatial_sum(x: Array, ax: int, xp: Namespace) -> Array:
    return xp.sum(x, axis=tuple(d for d in range(x.ndim) if d not in (0, ax)))
