"""Regression losses: elementwise functions of ``preds - targets``."""

from __future__ import annotations

from ._lib._compat import Array, Namespace, array_namespace
from ._lib._dtypes import cast, compute_dtype
from ._lib._reduction import check_reduction, check_weights, reduce_loss
from ._lib._validation import check_number, check_same_shape, check_target_dtype

__all__ = ["huber_loss", "mse_loss"]


def _prepare(
    preds: Array, targets: Array, weights: Array | None, reduction: str
) -> tuple[Array, Array, Namespace, str]:
    """Validate a pointwise loss's arrays; return them in the compute dtype."""
    xp = array_namespace(
        preds=preds, targets=targets, weights=weights, required=("preds", "targets")
    )
    reduction = check_reduction(reduction)
    dtype = compute_dtype(preds, "preds", xp)
    check_target_dtype(targets, "targets", xp)
    check_same_shape(preds, targets, "preds", "targets")
    check_weights(weights, tuple(preds.shape), xp)
    return cast(preds, dtype, xp), cast(targets, dtype, xp), xp, reduction


def mse_loss(
    preds: Array,
    targets: Array,
    *,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Mean squared error.

    .. math::

        \ell_i = (\hat y_i - y_i)^2

    The maximum-likelihood loss under Gaussian noise; it grows quadratically, so a
    few outliers dominate it (prefer :func:`huber_loss` when they are present).

    Parameters
    ----------
    preds : array, shape (...)
        Predictions, real floating.
    targets : array, shape (...)
        Targets, same shape as ``preds``; floating, integer or boolean.
    weights : array, optional
        Broadcasts against the elementwise loss.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns the elementwise loss, shape of ``preds``.

    Returns
    -------
    array
        Scalar, or ``preds``'s shape for ``reduction="none"``; float32 for half
        inputs, otherwise ``preds``'s dtype.

    References
    ----------
    .. [1] C. F. Gauss, "Theoria motus corporum coelestium", 1809.

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> float(al.mse_loss(np.array([1.0, 2.0, 4.0]), np.array([1.0, 3.0, 2.0])))
    1.6666666666666667
    """
    preds, targets, xp, reduction = _prepare(preds, targets, weights, reduction)
    diff = preds - targets
    return reduce_loss(diff * diff, reduction, xp=xp, weights=weights)


def huber_loss(
    preds: Array,
    targets: Array,
    *,
    delta: float = 1.0,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Huber loss: quadratic for small errors, linear for large ones.

    .. math::

        \ell_i = \begin{cases}
            \tfrac12 d_i^2 & |d_i| \le \delta \\
            \delta\,(|d_i| - \tfrac12\delta) & \text{otherwise}
        \end{cases}, \qquad d_i = \hat y_i - y_i

    Robust to outliers: their gradient is capped at :math:`\delta`. Same definition
    and default as ``torch.nn.functional.huber_loss`` and ``optax.losses.huber_loss``.
    Computed branch-free as :math:`\tfrac12 q^2 + \delta(|d| - q)` with
    :math:`q = \min(|d|, \delta)`, which is exact at the kink and finite for any
    :math:`\delta > 0`, however small.

    Parameters
    ----------
    preds : array, shape (...)
        Predictions, real floating.
    targets : array, shape (...)
        Targets, same shape as ``preds``.
    delta : float, default 1.0
        Where the quadratic part turns linear; must be positive.
    weights : array, optional
        Broadcasts against the elementwise loss.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns the elementwise loss, shape of ``preds``.

    Returns
    -------
    array
        Scalar, or ``preds``'s shape for ``reduction="none"``.

    References
    ----------
    .. [1] P. J. Huber, "Robust Estimation of a Location Parameter", Annals of
       Mathematical Statistics 35(1), 1964. https://doi.org/10.1214/aoms/1177703732

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> al.huber_loss(np.array([0.0, 0.0]), np.array([0.5, 3.0]), reduction="none")
    array([0.125, 2.5  ])
    """
    delta = check_number(delta, "delta", low=0.0, low_inclusive=False)
    preds, targets, xp, reduction = _prepare(preds, targets, weights, reduction)
    abs_diff = xp.abs(preds - targets)
    # q = min(|d|, delta): 0.5 q^2 + delta (|d| - q) is both branches in one formula
    quadratic = xp.minimum(abs_diff, xp.full_like(abs_diff, delta))
    loss = 0.5 * quadratic * quadratic + delta * (abs_diff - quadratic)
    return reduce_loss(loss, reduction, xp=xp, weights=weights)
