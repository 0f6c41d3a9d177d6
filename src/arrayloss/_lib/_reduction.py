"""Reduction, weights and masks: the one place they are implemented.

Every loss computes its value at its natural unit (elementwise for pointwise
losses, the class axis removed for classification, per sample and class for
region losses) and hands it to :func:`reduce_loss`, which applies:

``weights``
    broadcast against the unreduced loss; ``"mean"`` is the weighted mean
    ``sum(w * l) / sum(w)``. Class weights enter the same way, as the per-element
    weight ``w[label]``.
``mask``
    positions that contribute nothing: value and gradient exactly 0 and left
    out of the mean's denominator (``ignore_index``).
zero total weight
    when every position is masked or weighted 0, ``"mean"`` gives 0 with zero
    gradient, never ``0/0 = NaN``.
"""

from __future__ import annotations

import math

from ._collective import Sync, synced
from ._compat import Array, Namespace, device_of
from ._dtypes import cast, is_floating, is_integer
from ._validation import check_choice

__all__ = ["REDUCTIONS", "check_reduction", "check_weights", "reduce_loss"]

REDUCTIONS = ("mean", "sum", "none")


def check_reduction(reduction: object) -> str:
    """Raise ``ValueError`` unless ``reduction`` is ``"mean"``, ``"sum"`` or ``"none"``."""
    check_choice(reduction, "reduction", REDUCTIONS)
    return str(reduction)


def check_weights(
    weights: Array | None, shape: tuple[int, ...], xp: Namespace, name: str = "weights"
) -> None:
    """``weights`` must be numeric and broadcast to ``shape`` without growing it."""
    if weights is None:
        return
    if not (is_floating(weights, xp) or is_integer(weights, xp) or weights.dtype == xp.bool):
        raise TypeError(
            f"{name} must be a real floating, integer or boolean array, got dtype {weights.dtype}"
        )
    wshape = tuple(weights.shape)
    ok = len(wshape) <= len(shape) and all(
        w in (1, s) for w, s in zip(wshape[::-1], shape[::-1], strict=False)
    )
    if not ok:
        raise ValueError(
            f"{name} with shape {wshape} does not broadcast to the unreduced loss "
            f"shape {tuple(shape)}"
        )


def reduce_loss(
    loss: Array,
    reduction: str,
    *,
    xp: Namespace,
    weights: Array | None = None,
    mask: Array | None = None,
    prescaled: bool = False,
    sync: Sync | None = None,
) -> Array:
    """Reduce an unreduced ``loss`` with optional ``weights`` and boolean ``mask``.

    Parameters
    ----------
    loss
        The loss at its natural unit, in the compute dtype.
    reduction
        ``"mean"``, ``"sum"`` or ``"none"`` (already validated).
    weights
        Broadcastable to ``loss.shape`` (already validated); cast to ``loss.dtype``.
    mask
        Boolean, broadcastable to ``loss.shape``; ``False`` drops a position.
    prescaled
        ``loss`` already carries ``weights`` (a loss whose weighting is not a plain
        product, e.g. label smoothing with class weights). ``weights`` then serve
        only as the denominator of ``"mean"``.
    sync
        A cross-device sum (``_collective.device_sum``): ``"sum"`` and ``"mean"``
        then reduce over every device's batch (``"mean"`` as the ratio of the summed
        numerator and denominator); ``"none"`` stays local.
    """
    if weights is not None:
        weights = cast(weights, loss.dtype, xp)
    if weights is not None and not prescaled:
        if mask is not None:
            # mask before weighting too: d(l*w)/dw = l is 0 * inf = NaN at a masked inf
            loss = xp.where(mask, loss, xp.zeros((), dtype=loss.dtype, device=device_of(loss)))
        loss = loss * weights
    if mask is not None:
        zero = xp.zeros((), dtype=loss.dtype, device=device_of(loss))
        # where, not multiply: a NaN or inf at a masked position must not leak
        loss = xp.where(mask, loss, zero)
    if reduction == "none":
        return loss
    total = xp.sum(loss)
    if reduction == "sum":
        return total if sync is None else sync(total)
    if sync is not None:
        one = xp.ones((), dtype=loss.dtype, device=device_of(loss))
        denom = one if weights is None else weights
        if mask is not None:
            denom = xp.where(mask, denom, xp.zeros((), dtype=loss.dtype, device=device_of(loss)))
        count = xp.sum(xp.broadcast_to(denom, tuple(loss.shape)))
        total, count = synced(sync, total, count, xp=xp)
        return total / xp.where(count == 0, one, count)
    if weights is None and mask is None:
        # a list, not a generator: dynamo cannot trace a generator (graph break)
        count = math.prod([int(s) for s in loss.shape])
        return total / max(count, 1)
    shape = tuple(loss.shape)
    one = xp.ones((), dtype=loss.dtype, device=device_of(loss))
    denom = one if weights is None else weights
    if mask is not None:
        denom = xp.where(mask, denom, xp.zeros((), dtype=loss.dtype, device=device_of(loss)))
    denominator = xp.sum(xp.broadcast_to(denom, shape))
    # an all-masked (or all-zero-weight) batch: 0/1 instead of 0/0, zero gradient
    return total / xp.where(denominator == 0, one, denominator)
