"""Input preparation shared by the pointwise (regression and robust) losses."""

from __future__ import annotations

from ._compat import Array, Namespace, array_namespace, array_or_none
from ._dtypes import cast, compute_dtype
from ._reduction import check_reduction, check_weights
from ._validation import check_same_shape, check_target_dtype

__all__ = ["pointwise_inputs"]


def pointwise_inputs(
    preds: Array,
    targets: Array,
    weights: Array | None,
    reduction: str,
    **params: object,
) -> tuple[Array, Array, Namespace, str]:
    """Validate a pointwise loss's arrays; return them in the compute dtype.

    ``params`` are hyperparameters that may be arrays (Barron's ``alpha`` and
    ``scale``): the arrays among them join namespace inference, so a torch tensor
    ``alpha`` with NumPy ``preds`` is the usual mixed-library ``TypeError``.
    """
    arrays = {k: array_or_none(v) for k, v in params.items()}
    xp = array_namespace(
        preds=preds,
        targets=targets,
        weights=weights,
        **arrays,
        required=("preds", "targets"),
    )
    reduction = check_reduction(reduction)
    dtype = compute_dtype(preds, "preds", xp)
    check_target_dtype(targets, "targets", xp)
    check_same_shape(preds, targets, "preds", "targets")
    check_weights(weights, tuple(preds.shape), xp)
    return cast(preds, dtype, xp), cast(targets, dtype, xp), xp, reduction
