"""Robust regression losses: bounded or slowly growing penalties that resist outliers.

All of them are functions of the scaled residual ``z = (preds - targets) / scale``
(:func:`_scaled_residual`), and the named ones are special cases of Barron's general
loss :func:`barron_loss` in Barron's normalization (each docstring gives the exact
mapping; the tests check it).
"""

from __future__ import annotations

import math
from typing import Any

from .._lib._compat import Array, Namespace, array_or_none, values_readable
from .._lib._dtypes import cast, constant, is_floating, is_integer
from .._lib._hyper import Hyper, continuous, hyper_array
from .._lib._inputs import pointwise_inputs
from .._lib._reduction import check_weights, reduce_loss
from .._lib._validation import check_number

__all__ = [
    "barron_loss",
    "cauchy_loss",
    "charbonnier_loss",
    "geman_mcclure_loss",
    "tukey_biweight_loss",
    "welsch_loss",
    "wing_loss",
]


# |t| below which exprel(t) = expm1(t)/t uses its Taylor series: the series' truncation
# error t^8/9! is 3e-14 there, and the quotient's gradient (cancellation ~ 2 ulp / |t|)
# is accurate to 2e-6 in float32 above it.
_EXPREL_SERIES_BELOW = 0.1


def _param(
    value: object, name: str, like: Array, xp: Namespace, *, positive: bool
) -> float | Array:
    """A hyperparameter that may be a Python number or an array broadcasting to ``like``.

    Python numbers are checked (``positive``: > 0; otherwise any non-NaN real,
    infinities included). Arrays must be real floating or integer, broadcast to
    ``like``'s shape without growing it, and come back in ``like``'s dtype; their
    values are checked only where they can be read without a sync or a trace.
    """
    if array_or_none(value) is None:
        if positive:
            return check_number(value, name, low=0.0, low_inclusive=False)
        return check_number(value, name)
    arr: Array = value
    if not (is_floating(arr, xp) or is_integer(arr, xp)):
        raise TypeError(f"{name} must be a real floating or integer array, got dtype {arr.dtype}")
    check_weights(arr, tuple(like.shape), xp, name=name)
    arr = cast(arr, like.dtype, xp)
    if positive and values_readable(arr, xp):
        bad = xp.any(~(arr > 0))
        if values_readable(bad, xp) and bool(bad):
            raise ValueError(f"{name} must be positive everywhere, got min {float(xp.min(arr))}")
    return arr


def _scaled_residual(preds: Array, targets: Array, scale: float | Array) -> Array:
    """``z = (preds - targets) / scale``: the one residual every robust loss starts from."""
    diff = preds - targets
    if isinstance(scale, float) and scale == 1.0:
        return diff
    return diff / scale


def _exprel(t: Array, xp: Namespace) -> Array:
    """``expm1(t) / t`` with its limit 1 at ``t = 0``; finite value and gradient everywhere
    (for ``t`` below ``log`` of the dtype's maximum)."""
    small = xp.abs(t) < _EXPREL_SERIES_BELOW
    # double where: the series never sees a large t (overflow) and the quotient never
    # sees t = 0 (0/0), so the branch not taken has a finite value and zero gradient
    t_series = xp.where(small, t, xp.zeros_like(t))
    t_quotient = xp.where(small, xp.ones_like(t), t)
    # Taylor series sum_k t^k / (k+1)!, k = 0..7, in Horner form
    series = constant(1.0 / math.factorial(8), t, xp)
    for k in range(6, -1, -1):
        series = 1.0 / math.factorial(k + 1) + t_series * series
    return xp.where(small, series, xp.expm1(t_quotient) / t_quotient)


def _barron_below_one(sq: Array, alpha: Any, xp: Namespace) -> Array:
    """Barron's rho for alpha < 1 (alpha = 0 included), from ``sq = z^2``.

    rho = b/a expm1(a L / 2) = (b L / 2) exprel(a L / 2) with b = |a - 2|, L = log1p(z^2/b):
    no division by alpha, continuous (and smooth) through alpha = 0.
    """
    b = 2.0 - alpha
    log_term = xp.log1p(sq / b)
    return (0.5 * b) * log_term * _exprel((0.5 * alpha) * log_term, xp)


def _barron_from_one(sq: Array, alpha: Any, xp: Namespace, eps: float) -> Array:
    """Barron's rho for alpha >= 1 (alpha = 2 included), from ``sq = z^2``.

    With d = alpha - 2, b = max(|d|, eps) and L = log1p(z^2/b), the identity
    b/a ((1 + z^2/b)^(a/2) - 1) = (z^2 exp(dL/2) + b expm1(dL/2)) / a is exact at
    alpha = 2 (z^2/2) and needs no power of a number near 1.
    """
    d = alpha - 2.0
    if isinstance(d, float):
        b: Any = max(abs(d), eps)
    else:
        b = xp.maximum(xp.abs(d), constant(eps, d, xp))
    half_dl = (0.5 * d) * xp.log1p(sq / b)
    return (sq * xp.exp(half_dl) + b * xp.expm1(half_dl)) / alpha


def _barron_rho(sq: Array, alpha: float | Array, xp: Namespace) -> Array:
    """Barron's rho(x, alpha, c) from ``sq = (x/c)^2``, for a Python or an array alpha."""
    eps = float(xp.finfo(sq.dtype).eps)
    if isinstance(alpha, float):
        if alpha == 2.0:
            return 0.5 * sq
        if alpha == 0.0:
            return xp.log1p(0.5 * sq)
        if alpha == -math.inf:
            return -xp.expm1(-0.5 * sq)
        if alpha == math.inf:
            return xp.expm1(0.5 * sq)
        if alpha < 1.0:
            return _barron_below_one(sq, alpha, xp)
        return _barron_from_one(sq, alpha, xp, eps)
    # alpha is an array: every branch is computed, each on inputs that are safe for it
    # (double where), so the branches not taken give finite values and zero gradients.
    finite = xp.isfinite(alpha)
    from_one = alpha >= 1.0
    below = xp.where(from_one | ~finite, xp.zeros_like(alpha), alpha)
    above = xp.where(from_one & finite, alpha, xp.full_like(alpha, 2.0))
    pos_inf = alpha == math.inf
    sq_pos_inf = xp.where(pos_inf, sq, xp.zeros_like(sq))
    general = xp.where(
        from_one,
        _barron_from_one(sq, above, xp, eps),
        _barron_below_one(sq, below, xp),
    )
    return xp.where(
        alpha == -math.inf,
        -xp.expm1(-0.5 * sq),
        xp.where(pos_inf, xp.expm1(0.5 * sq_pos_inf), general),
    )


def barron_loss(
    preds: Array,
    targets: Array,
    *,
    alpha: float | Array,
    scale: float | Array = 1.0,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Barron's general and adaptive robust loss.

    .. math::

        \rho(x, \alpha, c) = \frac{|\alpha - 2|}{\alpha} \left(
            \left(\frac{(x/c)^2}{|\alpha - 2|} + 1\right)^{\alpha/2} - 1 \right),
        \qquad x = \hat y - y

    with its limits :math:`\tfrac12 (x/c)^2` at :math:`\alpha = 2` (L2),
    :math:`\log(\tfrac12 (x/c)^2 + 1)` at :math:`\alpha = 0` (Cauchy),
    :math:`1 - e^{-(x/c)^2/2}` at :math:`\alpha = -\infty` (Welsch) and
    :math:`e^{(x/c)^2/2} - 1` at :math:`\alpha = +\infty`.

    One family that interpolates between L2 (:math:`\alpha = 2`), pseudo-Huber/
    Charbonnier (:math:`\alpha = 1`), Cauchy (0), Geman-McClure (-2) and Welsch
    (:math:`-\infty`): the lower :math:`\alpha`, the less outliers count. Pass
    ``alpha`` (and ``scale``) as arrays to learn them, per dimension, with the model.

    Parameters
    ----------
    preds : array, shape (...)
        Predictions, real floating.
    targets : array, shape (...)
        Targets, same shape as ``preds``; floating, integer or boolean.
    alpha : float or array
        Shape parameter :math:`\alpha`, any real number or :math:`\pm\infty`. An
        array (real floating or integer) broadcasts against ``preds`` without growing
        it, joins namespace inference and is differentiable.
    scale : float or array, default 1.0
        Scale :math:`c > 0` of the quadratic bowl near 0; a Python float must be
        positive (``ValueError`` otherwise); an array broadcasts like ``alpha`` and is
        checked only where its values can be read without a sync (eager host
        arrays).
    weights : array, optional
        Broadcasts against the elementwise loss.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns the elementwise loss, shape of ``preds``.

    Returns
    -------
    array
        Scalar, or ``preds``'s shape for ``reduction="none"``; float32 for half
        inputs, otherwise ``preds``'s dtype (array ``alpha``/``scale`` are cast to it).

    Notes
    -----
    The special cases are exact: :func:`cauchy_loss` is ``alpha=0``,
    :func:`geman_mcclure_loss` ``alpha=-2``, :func:`welsch_loss` ``alpha=-inf``, and
    ``charbonnier_loss(eps=e)`` is ``e * barron_loss(alpha=1, scale=e)``.

    Numerics: with :math:`b = |\alpha - 2|` and :math:`L = \log(1 + (x/c)^2 / b)`,
    :math:`\alpha < 1` is computed as :math:`\tfrac{b L}{2}\,
    \mathrm{exprel}(\alpha L / 2)` (``exprel(t) = expm1(t)/t``, a Taylor series near
    0), which is smooth through :math:`\alpha = 0` without dividing by it; and
    :math:`\alpha \ge 1` as :math:`((x/c)^2 e^{dL/2} + b\,\mathrm{expm1}(dL/2))/\alpha`
    with :math:`d = \alpha - 2`, which is exact at :math:`\alpha = 2`. The true
    derivative with respect to :math:`\alpha` is unbounded at :math:`\alpha = 2`
    (it grows like :math:`-\tfrac14 (x/c)^2 \log|\alpha - 2|`); as in Barron's code,
    :math:`|\alpha - 2|` is clamped below at the dtype's machine epsilon, which keeps
    that gradient finite and changes the value by less than one machine epsilon,
    relative.
    Value and gradients (with respect to ``preds``, ``alpha`` and ``scale``) are
    finite for every finite input and every :math:`\alpha \le 2`; for
    :math:`\alpha > 2` the loss grows like :math:`|x/c|^\alpha` (exponentially at
    :math:`+\infty`) and overflows to ``inf`` where the true value exceeds the dtype.
    Barron's reference code clamps :math:`|\alpha|` away from 0 instead of using the
    series; the values agree.

    References
    ----------
    .. [1] J. T. Barron, "A General and Adaptive Robust Loss Function", CVPR 2019.
       https://arxiv.org/abs/1701.03077

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> x = np.array([0.0, 1.0, 3.0])
    >>> al.barron_loss(x, np.zeros(3), alpha=2.0, reduction="none")
    array([0. , 0.5, 4.5])
    >>> al.barron_loss(x, np.zeros(3), alpha=1.0, reduction="none")  # sqrt(x^2 + 1) - 1
    array([0.        , 0.41421356, 2.16227766])
    """
    preds, targets, xp, reduction = pointwise_inputs(
        preds, targets, weights, reduction, alpha=alpha, scale=scale
    )
    alpha_v = _param(alpha, "alpha", preds, xp, positive=False)
    scale_v = _param(scale, "scale", preds, xp, positive=True)
    z = _scaled_residual(preds, targets, scale_v)
    loss = _barron_rho(z * z, alpha_v, xp)
    return reduce_loss(loss, reduction, xp=xp, weights=weights)


def charbonnier_loss(
    preds: Array,
    targets: Array,
    *,
    eps: float = 1e-3,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Charbonnier (pseudo-Huber, L1-L2) loss, zero at a perfect prediction.

    .. math::

        \ell_i = \sqrt{x_i^2 + \epsilon^2} - \epsilon, \qquad x_i = \hat y_i - y_i

    A smooth L1: quadratic within about :math:`\epsilon` of 0, linear (gradient
    bounded by 1) beyond, so outliers pull no harder than in L1 while the gradient
    stays continuous at 0. The usual choice for image restoration and super-resolution.

    Parameters
    ----------
    preds : array, shape (...)
        Predictions, real floating.
    targets : array, shape (...)
        Targets, same shape as ``preds``; floating, integer or boolean.
    eps : float, default 1e-3
        :math:`\epsilon > 0`, the width of the quadratic region.
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
    ``charbonnier_loss(eps=e) == e * barron_loss(alpha=1, scale=e)``. LapSRN [2]_ and
    most super-resolution code use :math:`\sqrt{x^2 + \epsilon^2}` without the
    :math:`-\epsilon`; the constant offset changes neither gradients nor the
    minimizer, and subtracting it makes the loss 0 at a perfect prediction. kornia's
    ``charbonnier_loss`` is ours with ``eps=1`` (Barron at :math:`\alpha = 1, c = 1`).
    Computed as :math:`x^2 / (\sqrt{x^2 + \epsilon^2} + \epsilon)`, which has no
    cancellation for small residuals; the radicand is floored at the dtype's smallest
    normal number, which only matters when :math:`\epsilon^2` underflows (then the
    gradient at 0 stays finite).

    References
    ----------
    .. [1] P. Charbonnier, L. Blanc-Feraud, G. Aubert, M. Barlaud, "Two deterministic
       half-quadratic regularization algorithms for computed imaging", ICIP 1994.
       https://doi.org/10.1109/ICIP.1994.413553
    .. [2] W.-S. Lai, J.-B. Huang, N. Ahuja, M.-H. Yang, "Deep Laplacian Pyramid
       Networks for Fast and Accurate Super-Resolution", CVPR 2017.
       https://arxiv.org/abs/1704.03915

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> x = np.array([0.0, 3.0])
    >>> al.charbonnier_loss(x, np.array([0.0, -1.0]), eps=3.0, reduction="none")
    array([0., 2.])
    """
    preds, targets, xp, reduction = pointwise_inputs(preds, targets, weights, reduction, eps=eps)
    eps = continuous(eps, "eps", preds, xp, low=0.0, low_inclusive=False)
    sq = _scaled_residual(preds, targets, 1.0) ** 2
    # sqrt(x^2 + e^2) - e = x^2 / (sqrt(x^2 + e^2) + e): no cancellation near x = 0; the
    # floor keeps sqrt's gradient finite at x = 0 when e^2 underflows (e < 1e-19 in float32)
    radicand = xp.maximum(sq + eps * eps, constant(xp.finfo(sq.dtype).smallest_normal, sq, xp))
    loss = sq / (xp.sqrt(radicand) + eps)
    return reduce_loss(loss, reduction, xp=xp, weights=weights)


def _check_scale(scale: object, preds: Array, xp: Namespace) -> Hyper:
    return continuous(scale, "scale", preds, xp, low=0.0, low_inclusive=False)


def cauchy_loss(
    preds: Array,
    targets: Array,
    *,
    scale: float = 1.0,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Cauchy (Lorentzian) loss, in Barron's normalization.

    .. math::

        \ell_i = \log\left(\tfrac12 (x_i / c)^2 + 1\right), \qquad x_i = \hat y_i - y_i

    Grows only logarithmically, so gross outliers have a vanishing (but nonzero)
    gradient: robust to heavy-tailed noise while still pulling every point a little.

    Parameters
    ----------
    preds : array, shape (...)
        Predictions, real floating.
    targets : array, shape (...)
        Targets, same shape as ``preds``; floating, integer or boolean.
    scale : float, default 1.0
        :math:`c > 0`, the residual size where the loss stops being quadratic.
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
    ``cauchy_loss(scale=c) == barron_loss(alpha=0, scale=c)``; kornia's
    ``cauchy_loss`` is ours with ``scale=1``. The classical form
    :math:`\tfrac{k^2}{2}\log(1 + (x/k)^2)` equals ``k**2 / 2 *
    cauchy_loss(scale=k / sqrt(2))``. Computed with ``log1p``.

    References
    ----------
    .. [1] M. J. Black, P. Anandan, "The robust estimation of multiple motions:
       Parametric and piecewise-smooth flow fields", CVIU 63(1), 1996.
       https://doi.org/10.1006/cviu.1996.0006
    .. [2] J. T. Barron, "A General and Adaptive Robust Loss Function", CVPR 2019.
       https://arxiv.org/abs/1701.03077

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> al.cauchy_loss(np.array([0.0, 2.0]), np.zeros(2), scale=1.0, reduction="none")
    array([0.        , 1.09861229])
    """
    preds, targets, xp, reduction = pointwise_inputs(
        preds, targets, weights, reduction, scale=scale
    )
    scale = _check_scale(scale, preds, xp)
    z = _scaled_residual(preds, targets, scale)
    loss = xp.log1p(0.5 * (z * z))
    return reduce_loss(loss, reduction, xp=xp, weights=weights)


def geman_mcclure_loss(
    preds: Array,
    targets: Array,
    *,
    scale: float = 1.0,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Geman-McClure loss, in Barron's normalization.

    .. math::

        \ell_i = \frac{2 (x_i/c)^2}{(x_i/c)^2 + 4}, \qquad x_i = \hat y_i - y_i

    Bounded (by 2): an outlier costs at most a constant and its gradient vanishes
    like :math:`1/x^3`, so gross outliers are effectively ignored. Non-convex; start
    from a reasonable fit (or anneal ``scale``).

    Parameters
    ----------
    preds : array, shape (...)
        Predictions, real floating.
    targets : array, shape (...)
        Targets, same shape as ``preds``; floating, integer or boolean.
    scale : float, default 1.0
        :math:`c > 0`, the residual size where the loss stops being quadratic.
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
    ``geman_mcclure_loss(scale=c) == barron_loss(alpha=-2, scale=c)``; kornia's
    ``geman_mcclure_loss`` is ours with ``scale=1``. Ours is
    :math:`2x^2/(x^2 + 4c^2)`, so the form :math:`x^2/(k^2 + x^2)` of Black & Anandan
    is ``geman_mcclure_loss(scale=k / 2) / 2``. Computed as :math:`2z^2/(z^2 + 4)`
    (no cancellation for small :math:`z`).

    References
    ----------
    .. [1] S. Geman, D. E. McClure, "Bayesian image analysis: An application to single
       photon emission tomography", Proc. American Statistical Association, 1985.
    .. [2] J. T. Barron, "A General and Adaptive Robust Loss Function", CVPR 2019.
       https://arxiv.org/abs/1701.03077

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> al.geman_mcclure_loss(np.array([0.0, 2.0, 6.0]), np.zeros(3), reduction="none")
    array([0. , 1. , 1.8])
    """
    preds, targets, xp, reduction = pointwise_inputs(
        preds, targets, weights, reduction, scale=scale
    )
    scale = _check_scale(scale, preds, xp)
    z = _scaled_residual(preds, targets, scale)
    sq = z * z
    loss = 2.0 * sq / (sq + 4.0)
    return reduce_loss(loss, reduction, xp=xp, weights=weights)


def welsch_loss(
    preds: Array,
    targets: Array,
    *,
    scale: float = 1.0,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Welsch (Leclerc, correntropy) loss, in Barron's normalization.

    .. math::

        \ell_i = 1 - \exp\left(-\tfrac12 (x_i/c)^2\right), \qquad x_i = \hat y_i - y_i

    Bounded (by 1) with a Gaussian-shaped influence: residuals beyond a few
    :math:`c` get essentially zero gradient. The most aggressive outlier rejection
    of the family; non-convex.

    Parameters
    ----------
    preds : array, shape (...)
        Predictions, real floating.
    targets : array, shape (...)
        Targets, same shape as ``preds``; floating, integer or boolean.
    scale : float, default 1.0
        :math:`c > 0`, the residual size where the loss stops being quadratic.
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
    ``welsch_loss(scale=c) == barron_loss(alpha=-inf, scale=c)``; kornia's
    ``welsch_loss`` is ours with ``scale=1``. The classical form
    :math:`\tfrac{k^2}{2}(1 - e^{-(x/k)^2})` is ``k**2 / 2 * welsch_loss(scale=k /
    sqrt(2))``. Computed as ``-expm1(-z^2 / 2)``, accurate for small residuals.

    References
    ----------
    .. [1] J. E. Dennis, R. E. Welsch, "Techniques for nonlinear least squares and
       robust regression", Communications in Statistics - Simulation and Computation
       7(4), 1978. https://doi.org/10.1080/03610917808812083
    .. [2] J. T. Barron, "A General and Adaptive Robust Loss Function", CVPR 2019.
       https://arxiv.org/abs/1701.03077

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> out = al.welsch_loss(np.array([0.0, 2.0]), np.zeros(2), scale=2.0, reduction="none")
    >>> out  # 1 - exp(-1/2) = 0.3934693...
    array([0.        , 0.39346934])
    """
    preds, targets, xp, reduction = pointwise_inputs(
        preds, targets, weights, reduction, scale=scale
    )
    scale = _check_scale(scale, preds, xp)
    z = _scaled_residual(preds, targets, scale)
    # 1 - exp(-z^2/2) = -expm1(-z^2/2): no cancellation for small z
    loss = -xp.expm1(-0.5 * (z * z))
    return reduce_loss(loss, reduction, xp=xp, weights=weights)


def tukey_biweight_loss(
    preds: Array,
    targets: Array,
    *,
    c: float = 4.685,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Tukey's biweight (bisquare) loss.

    .. math::

        \ell_i = \frac{c^2}{6} \begin{cases}
            1 - \left(1 - (x_i/c)^2\right)^3 & |x_i| \le c \\
            1 & |x_i| > c
        \end{cases}, \qquad x_i = \hat y_i - y_i

    Redescending: residuals beyond :math:`c` cost a constant and get exactly zero
    gradient, so gross outliers are rejected outright. Non-convex; the default
    :math:`c = 4.685` gives 95% efficiency under Gaussian noise of unit variance
    (scale the residuals, or ``c``, to your noise level).

    Parameters
    ----------
    preds : array, shape (...)
        Predictions, real floating.
    targets : array, shape (...)
        Targets, same shape as ``preds``; floating, integer or boolean.
    c : float, default 4.685
        Rejection threshold :math:`c > 0`.
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
    Normalized so that :math:`\ell \approx x^2/2` near 0, as ``statsmodels``'
    ``TukeyBiweight.rho``. Computed branch-free as :math:`\tfrac{c^2}{6} v (3 - 3v +
    v^2)` with :math:`v = \min((x/c)^2, 1)`: no cancellation for small residuals,
    and beyond :math:`c` the value is the constant :math:`c^2/6` with zero gradient.
    Not a special case of :func:`barron_loss`.

    References
    ----------
    .. [1] A. E. Beaton, J. W. Tukey, "The Fitting of Power Series, Meaning Polynomials,
       Illustrated on Band-Spectroscopic Data", Technometrics 16(2), 1974.
       https://doi.org/10.1080/00401706.1974.10489171

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> x = np.array([0.0, 1.0, 5.0])  # c = 2: (4/6) (1 - (3/4)^3) = 37/96; beyond: 4/6
    >>> al.tukey_biweight_loss(x, np.zeros(3), c=2.0, reduction="none")
    array([0.        , 0.38541667, 0.66666667])
    """
    preds, targets, xp, reduction = pointwise_inputs(preds, targets, weights, reduction, c=c)
    c = continuous(c, "c", preds, xp, low=0.0, low_inclusive=False)
    z = _scaled_residual(preds, targets, c)
    # 1 - (1 - v)^3 = v (3 - 3v + v^2); v clamped at 1 makes the tail constant
    v = xp.minimum(z * z, constant(1.0, z, xp))
    loss = (c * c / 6.0) * (v * (3.0 - 3.0 * v + v * v))
    return reduce_loss(loss, reduction, xp=xp, weights=weights)


def wing_loss(
    preds: Array,
    targets: Array,
    *,
    width: float = 5.0,
    curvature: float = 0.5,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Wing loss for landmark localization (Feng et al., CVPR 2018).

    .. math::

        \ell_i = \begin{cases}
            w \ln(1 + |x_i|/\epsilon) & |x_i| < w \\
            |x_i| - C & \text{otherwise}
        \end{cases}, \qquad C = w - w \ln(1 + w/\epsilon)

    with width :math:`w` and curvature :math:`\epsilon`; :math:`C` joins the two
    pieces continuously. Log-shaped for small and medium errors (it amplifies them
    relative to L1/L2, which regression of landmark coordinates needs) and L1 for
    large ones, so outliers are not over-weighted.

    Parameters
    ----------
    preds : array, shape (...)
        Predictions, real floating.
    targets : array, shape (...)
        Targets, same shape as ``preds``; floating, integer or boolean.
    width : float, default 5.0
        :math:`w > 0`, the half-width of the logarithmic region.
    curvature : float, default 0.5
        :math:`\epsilon > 0`; smaller makes the logarithmic region more curved.
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
    The paper tunes :math:`w` and :math:`\epsilon` per dataset and residual units; tune
    them to yours. Computed branch-free as
    :math:`w\,\mathrm{log1p}(\min(|x|, w)/\epsilon) + \max(|x| - w, 0)`, which equals
    both pieces and is continuous at :math:`|x| = w`. Like L1 it has a kink at
    :math:`x = 0` (gradient :math:`\pm w/\epsilon`; 0 exactly at 0).

    References
    ----------
    .. [1] Z.-H. Feng, J. Kittler, M. Awais, P. Huber, X.-J. Wu, "Wing Loss for Robust
       Facial Landmark Localisation with Convolutional Neural Networks", CVPR 2018.
       https://arxiv.org/abs/1711.06753

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> x = np.array([0.0, 0.5, 6.0])  # 5 ln 2 = 3.4657...; 6 - (5 - 5 ln 11)
    >>> al.wing_loss(x, np.zeros(3), reduction="none")
    array([ 0.        ,  3.4657359 , 12.98947636])
    """
    preds, targets, xp, reduction = pointwise_inputs(
        preds, targets, weights, reduction, width=width, curvature=curvature
    )
    width = continuous(width, "width", preds, xp, low=0.0, low_inclusive=False)
    curvature = continuous(curvature, "curvature", preds, xp, low=0.0, low_inclusive=False)
    a = xp.abs(_scaled_residual(preds, targets, 1.0))
    w = hyper_array(width, a, xp)
    # w log1p(min(a, w)/eps) + max(a - w, 0) is both pieces: a - w + w ln(1 + w/eps) = a - C
    loss = width * xp.log1p(xp.minimum(a, w) / curvature) + xp.maximum(a - w, xp.zeros_like(a))
    return reduce_loss(loss, reduction, xp=xp, weights=weights)
