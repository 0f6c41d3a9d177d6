"""Barron's adaptive robust loss: the general loss as a negative log-likelihood."""

from __future__ import annotations

from typing import Any

from .._lib._compat import Array, Namespace, array_namespace, device_of, is_array
from .._lib._dtypes import cast, compute_dtype
from .._lib._reduction import check_reduction, check_weights, reduce_loss
from .._lib._validation import check_number
from ._log_partition_table import ALPHA_HI, ALPHA_LO, LOG_Z, SLOPE, STEP
from ._robust import _barron_rho

__all__ = ["adaptive_robust_loss"]


def _log_partition(alpha: Array, xp: Namespace) -> Array:
    """log Z(alpha) by cubic Hermite interpolation of the float64 table (C1 in alpha)."""
    dev = device_of(alpha)
    values = xp.asarray(LOG_Z, dtype=alpha.dtype, device=dev)
    slopes = xp.asarray(SLOPE, dtype=alpha.dtype, device=dev)
    u = (alpha - ALPHA_LO) / STEP
    last = len(LOG_Z) - 2
    k = xp.clip(xp.floor(u), 0.0, float(last))
    idx = xp.reshape(cast(k, xp.int64, xp), (-1,))
    shape = tuple(alpha.shape)
    y0 = xp.reshape(xp.take(values, idx, axis=0), shape)
    y1 = xp.reshape(xp.take(values, idx + 1, axis=0), shape)
    m0 = xp.reshape(xp.take(slopes, idx, axis=0), shape) * STEP
    m1 = xp.reshape(xp.take(slopes, idx + 1, axis=0), shape) * STEP
    t = u - k  # the gradient in alpha flows through t only
    t2 = t * t
    t3 = t2 * t
    smooth = (
        (2.0 * t3 - 3.0 * t2 + 1.0) * y0
        + (t3 - 2.0 * t2 + t) * m0
        + (3.0 * t2 - 2.0 * t3) * y1
        + (t3 - t2) * m1
    )
    # log Z = smooth + (d/4) log|d|, d = alpha - 2 (the table holds the smooth part);
    # |d| floored at eps: the slope log|d|/4 is -inf at alpha = 2, here about -9
    d = alpha - 2.0
    floor = xp.asarray(float(xp.finfo(alpha.dtype).eps), dtype=alpha.dtype, device=dev)
    return smooth + 0.25 * d * xp.log(xp.maximum(xp.abs(d), floor))


def _array_param(value: object, name: str, like: Array, xp: Namespace) -> Any:
    if is_array(value):
        arr: Any = value
        if not xp.isdtype(arr.dtype, ("real floating", "integral")):
            raise TypeError(f"{name} must be real, got an array of dtype {arr.dtype}")
        return cast(arr, like.dtype, xp)
    return xp.asarray(check_number(value, name), dtype=like.dtype, device=device_of(like))


def adaptive_robust_loss(
    x: Array,
    *,
    alpha: float | Array,
    scale: float | Array,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Barron's adaptive robust loss: the general loss as a negative log-likelihood.

    .. math::

        \ell(x) = \rho(x / c, \alpha) + \log c + \log Z(\alpha),
        \qquad Z(\alpha) = \int_{-\infty}^{\infty} e^{-\rho(u, \alpha)}\, du

    with :math:`\rho` Barron's general loss (:func:`barron_loss`). Minimising
    :math:`\rho` alone over the shape :math:`\alpha` and scale :math:`c` collapses
    to the most forgiving loss; as a negative log-likelihood the :math:`\log c` and
    :math:`\log Z(\alpha)` terms penalise that, so :math:`\alpha` (robustness) and
    :math:`c` can be learned with the model, per output dimension if they are
    arrays. :math:`\alpha = 0` is the Cauchy (:math:`Z = \pi\sqrt2`),
    :math:`\alpha = 2` the normal (:math:`Z = \sqrt{2\pi}`) negative log-likelihood.

    :math:`Z` has no closed form. Because :math:`\rho` depends on
    :math:`|\alpha - 2|`, :math:`\log Z` has a term :math:`\tfrac14 d \log|d|`
    (:math:`d = \alpha - 2`, the Gaussian expectation of :math:`\rho`'s
    :math:`d \log|d|` term): its slope is infinite at :math:`\alpha = 2`. That term
    is added in closed form (its :math:`\log|d|` floored at the dtype's eps, so the
    :math:`\alpha`-gradient stays finite, about -9 in float64 at exactly 2); the rest
    is tabulated in float64 at :math:`\alpha = 0, 1/512, \dots, 4` by numerical
    integration (``scipy.integrate.quad``, relative tolerance 1e-13; slopes by finite
    differences of the same integrals; ``scripts/make_log_partition_table.py``) and
    interpolated by a cubic Hermite spline, continuously differentiable in
    :math:`\alpha`. Agreement with direct integration: exact (to 1e-13) at the
    nodes, within 1e-10 away from 2, within 1e-7 for :math:`|\alpha - 2| < 0.01`.

    Parameters
    ----------
    x : array
        Residuals, real floating.
    alpha : float or array in [0, 4]
        Shape :math:`\alpha`, broadcasting against ``x``; learnable. The range is
        that of the paper's experiments and of the authors' spline; a Python float
        outside it raises, an array is clamped to it (the gradient is 0 outside).
    scale : float or array > 0
        Scale :math:`c`, broadcasting against ``x``; learnable.
    weights : array, optional
        Per-element weights, broadcasting against ``x``.
    reduction : {"mean", "sum", "none"}

    Returns
    -------
    array
        Scalar, or the broadcast shape for ``reduction="none"``.

    Notes
    -----
    Barron's ``robust_loss_pytorch`` (``distribution.py``) fits a cubic Hermite
    spline to log Z over a curved transform of :math:`\alpha` and its
    ``AdaptiveLossFunction`` reparametrises :math:`\alpha` into a range
    (default (0.001, 1.999)) by a sigmoid and :math:`c` by a softplus; here
    :math:`\alpha` and :math:`c` are taken as they are and the user chooses the
    parametrisation. The paper restricts the distribution to
    :math:`\alpha \ge 0`, where :math:`Z` is finite.

    References
    ----------
    .. [1] J. T. Barron, "A General and Adaptive Robust Loss Function", CVPR 2019.
       https://arxiv.org/abs/1701.03077

    Examples
    --------
    >>> import math
    >>> import numpy as np
    >>> import arrayloss as al
    >>> float(al.adaptive_robust_loss(np.array([0.0]), alpha=2.0, scale=1.0)) - 0.5 * math.log(
    ...     2 * math.pi) < 1e-12
    True
    """
    xp = array_namespace(
        x=x,
        alpha=alpha if is_array(alpha) else None,
        scale=scale if is_array(scale) else None,
        weights=weights,
        required=("x",),
    )
    reduction = check_reduction(reduction)
    dtype = compute_dtype(x, "x", xp)
    x = cast(x, dtype, xp)
    if not is_array(alpha):
        check_number(alpha, "alpha", low=ALPHA_LO, high=ALPHA_HI)
    if not is_array(scale):
        check_number(scale, "scale", low=0.0, low_inclusive=False)
    a = xp.clip(_array_param(alpha, "alpha", x, xp), ALPHA_LO, ALPHA_HI)
    c = _array_param(scale, "scale", x, xp)
    shape = tuple(xp.broadcast_arrays(x, a, c)[0].shape)  # the standard has no broadcast_shapes
    check_weights(weights, shape, xp)
    z = x / c
    # a of x's broadcast shape: the array branch of rho, exact at 0 and 2
    rho = _barron_rho(z * z, xp.broadcast_to(a, shape), xp)
    loss = rho + xp.log(c) + _log_partition(a, xp)
    return reduce_loss(loss, reduction, xp=xp, weights=weights)
