"""Regression losses: elementwise functions of ``preds - targets``."""

from __future__ import annotations

import math

from .._lib._compat import (
    Array,
    Namespace,
    array_or_none,
    device_of,
    values_readable,
)
from .._lib._dtypes import cast, is_floating, is_integer
from .._lib._fused import fused_pointwise
from .._lib._hyper import continuous, hyper_array
from .._lib._inputs import pointwise_inputs
from .._lib._reduction import reduce_loss
from .._lib._special import stop_gradient
from .._lib._targets import poison
from .._lib._validation import check_number

__all__ = [
    "gaussian_nll_loss",
    "huber_loss",
    "log_cosh_loss",
    "mae_loss",
    "mape_loss",
    "mse_loss",
    "msle_loss",
    "poisson_nll_loss",
    "quantile_loss",
    "smooth_l1_loss",
]


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
    preds, targets, xp, reduction = pointwise_inputs(preds, targets, weights, reduction)
    fused = fused_pointwise("squared", preds, targets, 0.0, xp=xp)
    if fused is not None:  # the backend's one-kernel form of the same expression
        return reduce_loss(fused, reduction, xp=xp, weights=weights)
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
    preds, targets, xp, reduction = pointwise_inputs(
        preds, targets, weights, reduction, delta=delta
    )
    delta = continuous(delta, "delta", preds, xp, low=0.0, low_inclusive=False)
    if isinstance(delta, float):  # the fused kernel takes a Python number
        fused = fused_pointwise("huber", preds, targets, delta, xp=xp)
        if fused is not None:  # the backend's one-kernel form of the same piecewise loss
            return reduce_loss(fused, reduction, xp=xp, weights=weights)
    abs_diff = xp.abs(preds - targets)
    # q = min(|d|, delta): 0.5 q^2 + delta (|d| - q) is both branches in one formula
    quadratic = xp.minimum(abs_diff, hyper_array(delta, abs_diff, xp))
    loss = 0.5 * quadratic * quadratic + delta * (abs_diff - quadratic)
    return reduce_loss(loss, reduction, xp=xp, weights=weights)


def _zero(like: Array, xp: Namespace) -> Array:
    """A 0-d zero with ``like``'s dtype and device."""
    return xp.zeros((), dtype=like.dtype, device=device_of(like))


def mae_loss(
    preds: Array,
    targets: Array,
    *,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Mean absolute error (L1 loss).

    .. math::

        \ell_i = |\hat y_i - y_i|

    The maximum-likelihood loss under Laplace noise: it grows linearly, so outliers
    pull on it far less than on :func:`mse_loss`, and its minimiser is the median.
    Same as ``torch.nn.functional.l1_loss``.

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

    Notes
    -----
    At :math:`\hat y_i = y_i` the gradient is the backend's subgradient of
    :math:`|x|` at 0 (0 in torch, 1 in JAX).

    References
    ----------
    .. [1] P. S. Laplace, "Memoir on the probability of the causes of events", 1774;
       see S. M. Stigler, Statistical Science 1(3), 1986.
       https://doi.org/10.1214/ss/1177013620

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> float(al.mae_loss(np.array([1.0, 2.0, 4.0]), np.array([1.0, 3.0, 2.0])))
    1.0
    """
    preds, targets, xp, reduction = pointwise_inputs(preds, targets, weights, reduction)
    return reduce_loss(xp.abs(preds - targets), reduction, xp=xp, weights=weights)


def smooth_l1_loss(
    preds: Array,
    targets: Array,
    *,
    beta: float = 1.0,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Smooth L1 loss: quadratic below ``beta``, L1 above (Fast R-CNN's box loss).

    .. math::

        \ell_i = \begin{cases}
            \tfrac12 d_i^2 / \beta & |d_i| < \beta \\
            |d_i| - \tfrac12\beta & \text{otherwise}
        \end{cases}, \qquad d_i = \hat y_i - y_i

    Robust to outliers like :func:`mae_loss` (gradient bounded by 1) but smooth at
    zero; the usual box-regression loss. It is :func:`huber_loss` divided by
    ``beta``.

    Parameters
    ----------
    preds : array, shape (...)
        Predictions, real floating.
    targets : array, shape (...)
        Targets, same shape as ``preds``.
    beta : float, default 1.0
        Where the quadratic part turns linear; ``beta >= 0``. ``beta = 0`` is exactly
        :func:`mae_loss`.
    weights : array, optional
        Broadcasts against the elementwise loss.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns the elementwise loss, shape of ``preds``.

    Returns
    -------
    array
        Scalar, or ``preds``'s shape for ``reduction="none"``.

    Notes
    -----
    Same definition and default as ``torch.nn.functional.smooth_l1_loss``.
    Computed branch-free as :math:`\tfrac12 q\,(q/\beta) + |d| - q` with
    :math:`q = \min(|d|, \beta)`: ``q / beta <= 1``, so neither the value nor the
    gradient can overflow however small ``beta`` is (torch divides by ``beta``
    first; pytorch #96813). ``beta = 0`` (and any ``beta`` below the compute
    dtype's smallest normal number, where the two differ by less than
    ``beta / 2``) takes the L1 path, with no division at all.

    References
    ----------
    .. [1] R. Girshick, "Fast R-CNN", ICCV 2015. https://arxiv.org/abs/1504.08083

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> al.smooth_l1_loss(np.array([0.0, 0.0]), np.array([0.5, 3.0]), reduction="none")
    array([0.125, 2.5  ])
    """
    preds, targets, xp, reduction = pointwise_inputs(preds, targets, weights, reduction, beta=beta)
    beta = continuous(beta, "beta", preds, xp, low=0.0)
    tiny = float(xp.finfo(preds.dtype).smallest_normal)
    if isinstance(beta, float):
        if beta >= tiny:
            # beta > 0 here: torch's own beta = 0 branch has a NaN gradient (pytorch #96813)
            fused = fused_pointwise("smooth_l1", preds, targets, beta, xp=xp)
            if fused is not None:  # the backend's one-kernel form of the same piecewise loss
                return reduce_loss(fused, reduction, xp=xp, weights=weights)
        else:
            return reduce_loss(xp.abs(preds - targets), reduction, xp=xp, weights=weights)
    abs_diff = xp.abs(preds - targets)
    # q = min(|d|, beta): 0.5 q (q / beta) + (|d| - q) is both branches; q / beta <= 1
    b = hyper_array(beta, abs_diff, xp)
    quadratic = xp.minimum(abs_diff, b)
    # beta = 0 (possible for an array beta) is the L1 loss: double where, no 0/0
    positive = b >= tiny
    safe = xp.where(positive, b, xp.ones_like(b))
    loss = xp.where(positive, 0.5 * quadratic * (quadratic / safe), 0.0 * quadratic)
    loss = loss + (abs_diff - quadratic)
    return reduce_loss(loss, reduction, xp=xp, weights=weights)


def log_cosh_loss(
    preds: Array,
    targets: Array,
    *,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Log-cosh loss: :math:`\tfrac12 d^2` near zero, :math:`|d| - \log 2` far away.

    .. math::

        \ell_i = \log\cosh(\hat y_i - y_i)

    A smooth (infinitely differentiable) robust loss: it behaves like
    :func:`mse_loss` on small errors and like :func:`mae_loss` on outliers, with
    gradient :math:`\tanh(d)` bounded by 1.

    Parameters
    ----------
    preds : array, shape (...)
        Predictions, real floating.
    targets : array, shape (...)
        Targets, same shape as ``preds``.
    weights : array, optional
        Broadcasts against the elementwise loss.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns the elementwise loss, shape of ``preds``.

    Returns
    -------
    array
        Scalar, or ``preds``'s shape for ``reduction="none"``.

    Notes
    -----
    ``cosh`` overflows float32 beyond :math:`|d| \approx 89`. For :math:`|d| \ge 1`
    the loss is computed as :math:`|d| + \log(1 + e^{-2|d|}) - \log 2` (finite for
    every finite ``d``, gradient :math:`\tanh d`); for :math:`|d| < 1` as
    :math:`\log(1 + 2\sinh^2(d/2))`, which keeps full relative accuracy near 0
    where the first form cancels. ``optax.losses.log_cosh`` and Keras
    ``log_cosh`` use the first form everywhere (less accurate for tiny errors);
    Keras also averages over the last axis only.

    References
    ----------
    .. [1] P. Chen, G. Chen, S. Zhang, "Log Hyperbolic Cosine Loss Improves
       Variational Auto-Encoder", 2019. https://openreview.net/forum?id=rkglvsC9Ym

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> al.log_cosh_loss(np.array([0.0, 0.0]), np.array([1.0, 20.0]), reduction="none")
    array([ 0.43378083, 19.30685282])
    """
    preds, targets, xp, reduction = pointwise_inputs(preds, targets, weights, reduction)
    abs_diff = xp.abs(preds - targets)
    one = xp.ones((), dtype=abs_diff.dtype, device=device_of(abs_diff))
    small = abs_diff < one
    # |d| >= 1: log cosh d = |d| + log(1 + exp(-2|d|)) - log 2 (exp(-2|d|) <= 1)
    large_loss = abs_diff + xp.log1p(xp.exp(-2.0 * abs_diff)) - math.log(2.0)
    # |d| < 1: cosh d - 1 = 2 sinh^2(d/2), so log cosh d = log1p(2 sinh^2(d/2));
    # double where: sinh only sees |d| < 1
    half_sinh = xp.sinh(0.5 * xp.where(small, abs_diff, _zero(abs_diff, xp)))
    small_loss = xp.log1p(2.0 * half_sinh * half_sinh)
    loss = xp.where(small, small_loss, large_loss)
    return reduce_loss(loss, reduction, xp=xp, weights=weights)


def quantile_loss(
    preds: Array,
    targets: Array,
    *,
    quantile: float = 0.5,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Quantile (pinball) loss: its minimiser is the ``quantile``-th quantile.

    .. math::

        \ell_i = \max\bigl(\tau\,(y_i - \hat y_i),\ (\tau - 1)(y_i - \hat y_i)\bigr)

    For predicting a quantile (prediction intervals, risk levels) instead of the
    mean; under-prediction costs :math:`\tau`, over-prediction :math:`1 - \tau` per
    unit. ``quantile=0.5`` is half the :func:`mae_loss` (the median).

    Parameters
    ----------
    preds : array, shape (...)
        Predictions, real floating.
    targets : array, shape (...)
        Targets, same shape as ``preds``.
    quantile : float, default 0.5
        :math:`\tau`, in the open interval (0, 1).
    weights : array, optional
        Broadcasts against the elementwise loss.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns the elementwise loss, shape of ``preds``.

    Returns
    -------
    array
        Scalar, or ``preds``'s shape for ``reduction="none"``.

    Notes
    -----
    The residual is ``targets - preds`` (Koenker and Bassett's :math:`y - \hat y`):
    with :math:`\tau = 0.9`, predicting too low costs 0.9 per unit, too high 0.1.
    At :math:`\hat y_i = y_i` the gradient is a subgradient (which one depends on
    the backend's ``maximum`` at ties).

    References
    ----------
    .. [1] R. Koenker, G. Bassett, "Regression Quantiles", Econometrica 46(1), 1978.
       https://doi.org/10.2307/1913643

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> al.quantile_loss(np.array([1.0, 3.0]), np.array([3.0, 1.0]), quantile=0.9,
    ...                  reduction="none")
    array([1.8, 0.2])
    """
    preds, targets, xp, reduction = pointwise_inputs(
        preds, targets, weights, reduction, quantile=quantile
    )
    tau = continuous(
        quantile,
        "quantile",
        preds,
        xp,
        low=0.0,
        high=1.0,
        low_inclusive=False,
        high_inclusive=False,
    )
    residual = targets - preds
    loss = xp.maximum(tau * residual, (tau - 1.0) * residual)
    return reduce_loss(loss, reduction, xp=xp, weights=weights)


def msle_loss(
    preds: Array,
    targets: Array,
    *,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Mean squared logarithmic error.

    .. math::

        \ell_i = \bigl(\log(1 + \max(\hat y_i, 0)) - \log(1 + \max(y_i, 0))\bigr)^2

    For non-negative targets spanning orders of magnitude (counts, prices,
    durations): it penalises relative rather than absolute error, and
    under-prediction more than over-prediction.

    Parameters
    ----------
    preds : array, shape (...)
        Predictions, real floating; meant to be non-negative.
    targets : array, shape (...)
        Targets, same shape as ``preds``; meant to be non-negative.
    weights : array, optional
        Broadcasts against the elementwise loss.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns the elementwise loss, shape of ``preds``.

    Returns
    -------
    array
        Scalar, or ``preds``'s shape for ``reduction="none"``.

    Notes
    -----
    :math:`\log(1 + x)` is undefined for :math:`x \le -1`. As in Keras, negative
    predictions and targets are clipped to 0 first, so every finite input gives a
    finite value and gradient; a negative prediction gets zero gradient, so use a
    non-negative output (``softplus``, ``exp``, ``relu``). Keras
    (``keras.losses.mean_squared_logarithmic_error``) clips at
    ``keras.backend.epsilon()`` = 1e-7 instead of 0: the two agree exactly for
    inputs at or above 1e-7 and differ by less than 1e-7 in log space below; Keras
    also averages over the last axis only (its ``reduction`` then averages the
    rest).

    References
    ----------
    .. [1] Keras, ``mean_squared_logarithmic_error``.
       https://keras.io/api/losses/regression_losses/

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> al.msle_loss(np.array([0.0, 3.0, -5.0]), np.array([np.e - 1.0, 3.0, 0.0]),
    ...              reduction="none")
    array([1., 0., 0.])
    """
    preds, targets, xp, reduction = pointwise_inputs(preds, targets, weights, reduction)
    zero = _zero(preds, xp)
    # clipped at 0: log1p only ever sees x >= 0
    diff = xp.log1p(xp.maximum(preds, zero)) - xp.log1p(xp.maximum(targets, zero))
    return reduce_loss(diff * diff, reduction, xp=xp, weights=weights)


def mape_loss(
    preds: Array,
    targets: Array,
    *,
    eps: float = 1e-7,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Mean absolute percentage error, as a fraction (not multiplied by 100).

    .. math::

        \ell_i = \frac{|\hat y_i - y_i|}{\max(|y_i|, \varepsilon)}

    A scale-free error for targets far from zero (demand, sales forecasts): each
    error counts relative to its target. It explodes for targets near 0 and
    penalises over-prediction more than under-prediction of positive targets.

    Parameters
    ----------
    preds : array, shape (...)
        Predictions, real floating.
    targets : array, shape (...)
        Targets, same shape as ``preds``.
    eps : float, default 1e-7
        Floor on the denominator :math:`|y_i|`; must be positive.
    weights : array, optional
        Broadcasts against the elementwise loss.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns the elementwise loss, shape of ``preds``.

    Returns
    -------
    array
        Scalar, or ``preds``'s shape for ``reduction="none"``.

    Notes
    -----
    A fraction, as scikit-learn's and torchmetrics' ``mean_absolute_percentage_error``
    (a 5 % error is 0.05). ``keras.losses.mean_absolute_percentage_error`` is 100
    times this with ``eps=keras.backend.epsilon()`` = 1e-7 (our default), averaged
    over the last axis. scikit-learn floors the denominator at float64's machine
    epsilon; torchmetrics at 1.17e-6.

    References
    ----------
    .. [1] A. de Myttenaere, B. Golden, B. Le Grand, F. Rossi, "Mean Absolute
       Percentage Error for regression models", Neurocomputing 192, 2016.
       https://doi.org/10.1016/j.neucom.2015.12.114

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> al.mape_loss(np.array([110.0, 0.5, 1.0]), np.array([100.0, -2.0, 0.0]),
    ...              reduction="none")
    array([1.0e-01, 1.25e+00, 1.0e+07])
    """
    preds, targets, xp, reduction = pointwise_inputs(preds, targets, weights, reduction, eps=eps)
    eps = continuous(eps, "eps", preds, xp, low=0.0, low_inclusive=False)
    denominator = xp.maximum(xp.abs(targets), hyper_array(eps, targets, xp))
    loss = xp.abs(preds - targets) / denominator
    return reduce_loss(loss, reduction, xp=xp, weights=weights)


def poisson_nll_loss(
    preds: Array,
    targets: Array,
    *,
    log_input: bool = True,
    full: bool = False,
    eps: float = 1e-8,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Poisson negative log-likelihood of counts ``targets`` given a predicted rate.

    .. math::

        \ell_i = \lambda_i - y_i \log\lambda_i
            \;\bigl[+\, y_i\log y_i - y_i + \tfrac12\log(2\pi y_i)\ \text{if full
            and } y_i > 1\bigr]

    with :math:`\lambda_i = e^{\hat y_i}` (``log_input=True``; computed as
    :math:`e^{\hat y_i} - y_i\hat y_i`) or :math:`\lambda_i = \hat y_i` (computed as
    :math:`\hat y_i - y_i\log(\hat y_i + \varepsilon)`). For count data (events,
    photons, clicks) whose variance grows with the mean.

    Parameters
    ----------
    preds : array, shape (...)
        The log-rate (``log_input=True``) or the rate (``log_input=False``,
        non-negative), real floating.
    targets : array, shape (...)
        Observed counts, same shape as ``preds``; floating or integer, non-negative.
    log_input : bool, default True
        Whether ``preds`` is the log of the rate.
    full : bool, default False
        Add the Stirling approximation of :math:`\log y!`, for :math:`y > 1` only
        (it is 0 at :math:`y \in \{0, 1\}` anyway).
    eps : float, default 1e-8
        Added to the rate inside the log when ``log_input=False``; positive.
    weights : array, optional
        Broadcasts against the elementwise loss.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns the elementwise loss, shape of ``preds``.

    Returns
    -------
    array
        Scalar, or ``preds``'s shape for ``reduction="none"``.

    Notes
    -----
    Same definition and defaults as ``torch.nn.functional.poisson_nll_loss``; zero
    counts are finite in value and gradient, with or without ``full`` (the
    Stirling term is evaluated only where :math:`y > 1`, double-``where``). With
    ``log_input=True``, :math:`e^{\hat y}` itself overflows for log-rates above
    ~88 (float32) or ~709 (float64), as in torch; with ``log_input=False`` a
    negative rate is outside the domain and gives NaN, as in torch. ``eps`` must be
    positive here (torch accepts 0).

    References
    ----------
    .. [1] P. McCullagh, J. A. Nelder, "Generalized Linear Models", 2nd ed.,
       Chapman & Hall, 1989, ch. 6. https://doi.org/10.1201/9780203753736

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> al.poisson_nll_loss(np.array([0.0, 0.0]), np.array([0.0, 2.0]), reduction="none")
    array([1., 1.])
    """
    if not isinstance(log_input, bool):
        raise TypeError(f"log_input must be a bool, got {type(log_input).__name__}")
    if not isinstance(full, bool):
        raise TypeError(f"full must be a bool, got {type(full).__name__}")
    preds, targets, xp, reduction = pointwise_inputs(preds, targets, weights, reduction, eps=eps)
    eps = continuous(eps, "eps", preds, xp, low=0.0, low_inclusive=False)
    # log_input: lambda = exp(x), so lambda - y log lambda = exp(x) - y x
    loss = xp.exp(preds) - targets * preds if log_input else preds - targets * xp.log(preds + eps)
    if full:
        one = xp.ones((), dtype=targets.dtype, device=device_of(targets))
        above = targets > one
        # double where: the logs only ever see y > 1
        y = xp.where(above, targets, one)
        stirling = y * xp.log(y) - y + 0.5 * xp.log(2.0 * math.pi * y)
        loss = loss + xp.where(above, stirling, _zero(loss, xp))
    return reduce_loss(loss, reduction, xp=xp, weights=weights)


def _gaussian_var(var: object, preds: Array, xp: Namespace) -> Array:
    """``var`` as an array in ``preds``'s dtype, shaped to broadcast as torch does."""
    v = array_or_none(var)
    if v is None:
        number = check_number(var, "var", low=0.0)
        return xp.full(tuple(preds.shape), number, dtype=preds.dtype, device=device_of(preds))
    if not (is_floating(v, xp) or is_integer(v, xp)):
        raise TypeError(f"var must be a real floating or integer array, got dtype {v.dtype}")
    shape, vshape = tuple(preds.shape), tuple(v.shape)
    if vshape != shape:
        # torch's rules: one variance per row (shape without the last dimension), or
        # the same rank with exactly one dimension of size 1
        mismatched = [v for s, v in zip(shape, vshape, strict=False) if s != v]
        if len(shape) >= 1 and vshape == shape[:-1]:
            v = xp.expand_dims(v, axis=-1)
        elif len(shape) == len(vshape) and mismatched == [1]:
            pass
        else:
            raise ValueError(
                f"var with shape {vshape} does not fit preds with shape {shape}; allowed: "
                f"preds's shape, preds's shape without its last dimension, or preds's "
                f"shape with exactly one dimension set to 1"
            )
    return cast(v, preds.dtype, xp)


def gaussian_nll_loss(
    preds: Array,
    targets: Array,
    var: Array | float,
    *,
    full: bool = False,
    eps: float = 1e-6,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Gaussian negative log-likelihood with a predicted variance.

    .. math::

        \ell_i = \tfrac12\Bigl(\log\max(\sigma^2_i, \varepsilon)
            + \frac{(\hat y_i - y_i)^2}{\max(\sigma^2_i, \varepsilon)}\Bigr)
            \;\bigl[+\, \tfrac12\log 2\pi \ \text{if full}\bigr]

    For heteroscedastic regression: the model predicts a mean ``preds`` and a
    variance ``var`` per element, and learns to report large variance where it is
    unsure, which down-weights those errors (aleatoric uncertainty).

    Parameters
    ----------
    preds : array, shape (..., D)
        Predicted means, real floating.
    targets : array, shape (..., D)
        Targets, same shape as ``preds``.
    var : array or float
        Predicted variances, non-negative (e.g. from ``softplus``). Positional or
        keyword, as in torch. Its shape, as in torch: ``preds``'s shape; ``preds``'s
        shape without the last dimension (one variance per row: ``(..., 1)`` is
        meant); or ``preds``'s shape with exactly one dimension of size 1 (shared
        along it). A Python number is one variance for every element.
    full : bool, default False
        Add the constant :math:`\tfrac12\log 2\pi`.
    eps : float, default 1e-6
        Floor on the variance; positive.
    weights : array, optional
        Broadcasts against the elementwise loss, shape of ``preds``.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns the elementwise loss, shape of ``preds``.

    Returns
    -------
    array
        Scalar, or ``preds``'s shape for ``reduction="none"``.

    Notes
    -----
    Same definition, defaults and ``var`` shapes as
    ``torch.nn.functional.gaussian_nll_loss``, including its clamp: the variance is
    raised to ``eps`` in value only, and the gradient with respect to ``var`` is
    the gradient at the clamped value passed straight through (torch clamps a copy
    in place under ``no_grad``), so it stays finite and non-zero below ``eps``. A
    negative variance is a ``ValueError`` where values can be read (eager CPU
    arrays, as torch); elsewhere (``jax.jit``, GPU, Dask) that element's loss is NaN.

    References
    ----------
    .. [1] D. A. Nix, A. S. Weigend, "Estimating the mean and variance of the target
       probability distribution", ICNN 1994. https://doi.org/10.1109/ICNN.1994.374138

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> al.gaussian_nll_loss(np.array([0.0, 0.0]), np.array([1.0, 2.0]),
    ...                      np.array([1.0, 4.0]), reduction="none")
    array([0.5       , 1.19314718])
    """
    if not isinstance(full, bool):
        raise TypeError(f"full must be a bool, got {type(full).__name__}")
    preds, targets, xp, reduction = pointwise_inputs(
        preds, targets, weights, reduction, var=var, eps=eps
    )
    eps = continuous(eps, "eps", preds, xp, low=0.0, low_inclusive=False)
    var = _gaussian_var(var, preds, xp)
    negative = var < _zero(var, xp)
    if values_readable(var, xp):
        any_negative = xp.any(negative)
        if values_readable(any_negative, xp) and bool(any_negative):
            raise ValueError(f"var must be non-negative, got a minimum of {float(xp.min(var))}")
    # max(var, eps) in value, identity in gradient: torch clamps a copy under no_grad
    clamped = var + stop_gradient(xp.maximum(var, hyper_array(eps, var, xp)) - var, xp=xp)
    diff = preds - targets
    loss = 0.5 * (xp.log(clamped) + diff * diff / clamped)
    if full:
        loss = loss + 0.5 * math.log(2.0 * math.pi)
    loss = poison(loss, negative, xp)
    return reduce_loss(loss, reduction, xp=xp, weights=weights)
