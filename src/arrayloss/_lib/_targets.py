"""Target handling shared by classification and segmentation (CONVENTIONS section 3).

* Integer target: class indices with the prediction's shape minus the class axis.
* Floating target with the prediction's shape: probabilities, one-hot or soft labels.
* Anything else: ``ValueError`` naming both shapes.

Integer targets come back *sanitized*: ignored and out-of-range labels are
replaced by class 0 so no gather reads out of bounds, and two boolean masks say
which positions count (``keep``) and which must become NaN (``invalid``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ._compat import Array, Namespace, device_of
from ._dtypes import cast, is_floating, is_integer
from ._validation import check_ignore_index, check_labels_in_range

__all__ = [
    "ClassTarget",
    "class_target",
    "class_weight_vector",
    "poison",
]


@dataclass(frozen=True)
class ClassTarget:
    """A validated class target.

    Attributes
    ----------
    is_index
        True for integer class indices, False for floating probabilities.
    values
        Sanitized indices (every entry in range) or probabilities in the compute dtype.
    keep
        Boolean mask of the positions that count (``None``: all of them).
    invalid
        Boolean mask of out-of-range, non-ignored labels (``None`` for probabilities).
    """

    is_index: bool
    values: Array
    keep: Array | None
    invalid: Array | None


def class_target(
    logits: Array,
    labels: Array,
    axis: int,
    *,
    ignore_index: object,
    xp: Namespace,
    logits_name: str = "logits",
    labels_name: str = "labels",
) -> ClassTarget:
    """Validate ``labels`` against ``logits`` whose class axis is ``axis`` (normalized)."""
    ignore = check_ignore_index(ignore_index)
    shape = tuple(logits.shape)
    index_shape = shape[:axis] + shape[axis + 1 :]
    num_classes = int(shape[axis])
    if is_integer(labels, xp):
        if tuple(labels.shape) != index_shape:
            raise _shape_error(shape, index_shape, labels, axis, logits_name, labels_name)
        checked = check_labels_in_range(labels, num_classes, ignore, labels_name, xp)
        keep = None if ignore is None else labels != ignore
        if checked:
            # every kept label was just verified in range: nothing can be invalid, so
            # skip the range test and the NaN poisoning (8 fewer eager ops in CE)
            invalid = None
            safe = labels
            if keep is not None:
                safe = xp.where(
                    keep, labels, xp.zeros((), dtype=labels.dtype, device=device_of(labels))
                )
        else:
            zero = xp.zeros((), dtype=labels.dtype, device=device_of(labels))
            in_range = (labels >= 0) & (labels < num_classes)
            invalid = ~in_range if keep is None else ~in_range & keep
            safe = xp.where(in_range, labels, zero)
        if safe.dtype not in (xp.int32, xp.int64):
            # torch's gather/index_select take only int32/int64 indices; every safe
            # value is in [0, num_classes), so int32 is exact for any label dtype
            safe = xp.astype(safe, xp.int32)
        return ClassTarget(True, safe, keep, invalid)
    if is_floating(labels, xp):
        if tuple(labels.shape) != shape:
            raise _shape_error(shape, index_shape, labels, axis, logits_name, labels_name)
        if ignore is not None:
            raise ValueError(
                f"ignore_index={ignore} needs integer class indices, got floating "
                f"{labels_name} (probabilities); mask positions with weights instead"
            )
        return ClassTarget(False, cast(labels, logits.dtype, xp), None, None)
    raise TypeError(
        f"{labels_name} must be integer class indices or floating probabilities, "
        f"got dtype {labels.dtype}"
    )


def _shape_error(
    shape: tuple[int, ...],
    index_shape: tuple[int, ...],
    labels: Array,
    axis: int,
    logits_name: str,
    labels_name: str,
) -> ValueError:
    # the commonest cause: channels-first (N, C, H, W) logits with the default axis=-1
    fits = [
        a
        for a in range(len(shape))
        if a != axis and shape[:a] + shape[a + 1 :] == tuple(labels.shape)
    ]
    hint = f"; if the classes are on axis {fits[0]}, pass axis={fits[0]}" if fits else ""
    return ValueError(
        f"{labels_name} with shape {tuple(labels.shape)} and dtype {labels.dtype} does "
        f"not match {logits_name} with shape {shape}: expected integer class indices "
        f"with shape {index_shape} ({logits_name} without class axis {axis}) or "
        f"floating probabilities with shape {shape}{hint}"
    )


def class_weight_vector(
    class_weights: Array | None,
    num_classes: int,
    like: Array,
    xp: Namespace,
    name: str = "class_weights",
) -> Array | None:
    """``class_weights`` as a ``(num_classes,)`` array in ``like``'s dtype and device.

    A string here is a mode the caller does not support (``"balanced"`` is computed
    from the labels by the cross-entropy family only): a ``ValueError`` naming it.
    """
    if class_weights is None:
        return None
    if isinstance(class_weights, str):
        raise ValueError(
            f"{name}={class_weights!r} is not supported by this loss; pass one weight per "
            f"class (a sequence or array of {num_classes} numbers), e.g. from "
            f"class_weights_from_counts(counts, method='balanced')"
        )
    if isinstance(class_weights, int | float):  # bool is an int
        raise TypeError(
            f"{name} must be a sequence or array of {num_classes} weights, one per class, "
            f"got {type(class_weights).__name__}"
        )
    if not hasattr(class_weights, "shape"):
        class_weights = xp.asarray(class_weights, dtype=like.dtype, device=device_of(like))
    if not (is_floating(class_weights, xp) or is_integer(class_weights, xp)):
        raise TypeError(
            f"{name} must be a real floating or integer array, got dtype {class_weights.dtype}"
        )
    if tuple(class_weights.shape) != (num_classes,):
        raise ValueError(
            f"{name} must have one weight per class, shape ({num_classes},); got shape "
            f"{tuple(class_weights.shape)}"
        )
    return cast(class_weights, like.dtype, xp)


def broadcast_class_vector(vector: Array, ndim: int, axis: int, xp: Namespace) -> Array:
    """Reshape a ``(C,)`` vector to broadcast along ``axis`` of a rank-``ndim`` array."""
    shape = [1] * ndim
    shape[axis] = int(vector.shape[0])
    return xp.reshape(vector, tuple(shape))


def poison(loss: Array, invalid: Array | None, xp: Namespace) -> Array:
    """NaN wherever ``invalid``: an out-of-range label must not pass silently."""
    if invalid is None:
        return loss
    nan = xp.full((), float("nan"), dtype=loss.dtype, device=device_of(loss))
    return xp.where(invalid, nan, loss)
