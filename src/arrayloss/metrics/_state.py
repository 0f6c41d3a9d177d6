"""Streaming confusion-matrix state: update per batch, merge across workers, read out.

A :class:`ConfusionState` is a ``NamedTuple`` of two arrays, so it is a JAX pytree
(it passes through ``jax.jit``, ``lax.scan``, ``psum`` unchanged) and a plain tuple
of tensors or NumPy arrays elsewhere. Every metric accepts it through ``confusion=``.
"""

from __future__ import annotations

from typing import Any

from .._lib._compat import Array, array_namespace, device_of
from .._lib._dtypes import cast
from ._confusion import _check_num_classes, _counts
from ._confusion_state import ConfusionState

__all__ = ["ConfusionState", "confusion_state", "merge_confusion", "update_confusion"]


def confusion_state(
    num_classes: int, like: Array | None = None, *, dtype: Any = None
) -> ConfusionState:
    """An empty :class:`ConfusionState` for ``num_classes`` classes.

    Parameters
    ----------
    num_classes : int
        ``C`` (static: the shape).
    like : array, optional
        An array of the library (and device) to hold the counts; NumPy by default.
    dtype : dtype, optional
        Counts' dtype; the namespace's default integer by default (int64 on NumPy and
        torch, int32 on JAX without ``jax_enable_x64``, which holds at most
        ``2**31 - 1`` per cell: for larger data enable x64 or pass a float64 dtype).

    Returns
    -------
    ConfusionState
        Zero counts, shape ``(C, C)``, and ``invalid = 0``.

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> state = al.confusion_state(3)
    >>> state = al.update_confusion(state, np.array([0, 1, 1]), np.array([0, 1, 2]))
    >>> state = al.update_confusion(state, np.array([2, 2]), np.array([2, 0]))
    >>> al.mean_iou(confusion=state)
    array(0.5)
    """

    c = _check_num_classes(num_classes)
    if like is None:
        import numpy as np

        like = np.zeros(())
    xp = array_namespace(like=like, required=("like",))
    dev = device_of(like)
    if dtype is None:
        dtype = xp.asarray(0, device=dev).dtype
    return ConfusionState(
        xp.zeros((c, c), dtype=dtype, device=dev), xp.zeros((), dtype=dtype, device=dev)
    )


def update_confusion(
    state: ConfusionState,
    preds: Array,
    labels: Array,
    *,
    mode: str = "multiclass",
    axis: int = -1,
    ignore_index: int | None = None,
    threshold: Any = 0.5,
    from_logits: bool = True,
) -> ConfusionState:
    """``state`` plus the counts of one batch (pure: returns a new state).

    ``preds``, ``labels`` and the keywords are as for :func:`confusion_matrix`;
    ``num_classes`` is the state's. No host sync: it runs under ``jax.jit``.

    Returns
    -------
    ConfusionState
        The summed counts, in ``state``'s dtype.
    """

    if not isinstance(state, ConfusionState):
        raise TypeError(
            f"state must be a ConfusionState (from confusion_state), got {type(state).__name__}"
        )
    xp = array_namespace(preds=preds, labels=labels, required=("preds", "labels"))
    c = int(state.matrix.shape[-1])
    m, bad = _counts(
        preds, labels, c, True, mode, axis, ignore_index, threshold, from_logits, False, xp
    )
    return ConfusionState(
        state.matrix + cast(m, state.matrix.dtype, xp),
        state.invalid + cast(bad, state.invalid.dtype, xp),
    )


def merge_confusion(*states: ConfusionState | list[ConfusionState]) -> ConfusionState:
    """The sum of confusion states (from batches, workers, devices, Dask chunks).

    ``merge_confusion(a, b)``, ``merge_confusion(a, b, c)`` or
    ``merge_confusion([a, b, c])``. Addition of counts: associative and commutative,
    so the order of merging does not change the result.
    """
    flat: list[Any] = []
    for s in states:
        flat.extend(
            s if isinstance(s, list | tuple) and not isinstance(s, ConfusionState) else [s]
        )
    if not flat:
        raise ValueError("merge_confusion needs at least one state")
    for s in flat:
        if not isinstance(s, ConfusionState):
            raise TypeError(
                f"merge_confusion takes ConfusionState objects, got {type(s).__name__}"
            )
    matrix, invalid = flat[0].matrix, flat[0].invalid
    for s in flat[1:]:
        if tuple(s.matrix.shape) != tuple(matrix.shape):
            raise ValueError(
                f"cannot merge states of shapes {tuple(matrix.shape)} and {tuple(s.matrix.shape)}"
            )
        matrix, invalid = matrix + s.matrix, invalid + s.invalid
    return ConfusionState(matrix, invalid)
