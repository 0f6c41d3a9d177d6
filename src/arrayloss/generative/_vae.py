"""The KL divergence of a diagonal Gaussian posterior from its prior (the VAE's KL term)."""

from __future__ import annotations

from .._lib._compat import Array, array_namespace, device_of
from .._lib._dtypes import cast, compute_dtype
from .._lib._hyper import continuous
from .._lib._reduction import check_reduction, check_weights, reduce_loss
from .._lib._validation import check_same_shape, normalize_axis
from ._common import broadcasts

__all__ = ["gaussian_kl"]


def gaussian_kl(
    mean: Array,
    log_var: Array,
    *,
    prior_mean: float | Array = 0.0,
    prior_log_var: float | Array = 0.0,
    axis: int = -1,
    free_bits: float | Array = 0.0,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""KL divergence of a diagonal Gaussian posterior from its prior, summed over latents.

    .. math::

        \ell_i = \sum_d \max\Bigl(\lambda,\; \tfrac12\Bigl[
            e^{v_{id} - v_0} + \frac{(\mu_{id} - \mu_0)^2}{e^{v_0}} - 1 + v_0 - v_{id}
        \Bigr]\Bigr)

    with :math:`v = \log\sigma^2`, prior :math:`N(\mu_0, e^{v_0})` and the free-bits
    floor :math:`\lambda` per latent dimension (Kingma et al. 2016; 0 disables it).

    The variance ratio is computed as ``exp(log_var - prior_log_var)``, never as a
    ratio of two exponentials, so the value and the gradient are finite for
    ``log_var`` anywhere in [-80, 80] in float32.

    Parameters
    ----------
    mean, log_var : array, shape (..., D, ...)
        The encoder's posterior mean and log-variance; latent axis at ``axis``.
    prior_mean, prior_log_var : float or array, default 0
        The prior's mean and log-variance (numbers, or arrays broadcasting against
        ``mean``).
    axis : int, default -1
        The latent axis, summed over.
    free_bits : float or scalar array, default 0.0
        Floor :math:`\lambda` (nats) on each latent dimension's KL.
    weights : array, optional
        Per-sample weights, broadcasting against the ``"none"`` result.
    reduction : {"mean", "sum", "none"}
        ``"none"`` gives one KL per sample: ``mean``'s shape without ``axis``.

    Returns
    -------
    array
        Scalar, or ``mean``'s shape without ``axis`` for ``reduction="none"``.

    Notes
    -----
    Sum, not mean, over the latent axis: the ELBO's KL term is a sum over latent
    dimensions, and the reconstruction term must be a sum over pixels on the same
    scale. Averaging over latents (as many tutorials do, keras-io #270,
    pytorch/examples #290) silently divides the KL by D, i.e. it is a β-VAE with
    :math:`\beta = 1/D`. For a β-VAE (Higgins et al. 2017) multiply this loss by β
    (see the example). The mean over the batch (``reduction="mean"``) keeps the
    per-sample scale.

    References
    ----------
    .. [1] D. P. Kingma, M. Welling, "Auto-Encoding Variational Bayes", ICLR 2014.
       https://arxiv.org/abs/1312.6114
    .. [2] I. Higgins et al., "beta-VAE: Learning Basic Visual Concepts with a
       Constrained Variational Framework", ICLR 2017.
    .. [3] D. P. Kingma et al., "Improved Variational Inference with Inverse
       Autoregressive Flow", NeurIPS 2016. https://arxiv.org/abs/1606.04934

    Examples
    --------
    >>> import numpy as np
    >>> mean = np.array([[0.0, 1.0], [0.5, -0.5]])
    >>> log_var = np.array([[0.0, 0.0], [-1.0, 1.0]])
    >>> kl = gaussian_kl(mean, log_var, reduction="none")
    >>> np.round(kl, 4)
    array([0.5   , 0.7931])
    >>> beta = 4.0  # a beta-VAE: reconstruction + beta * KL
    >>> round(float(beta * gaussian_kl(mean, log_var)), 4)
    2.5862
    """
    xp = array_namespace(mean=mean, log_var=log_var, weights=weights, required=("mean", "log_var"))
    reduction = check_reduction(reduction)
    dtype = compute_dtype(mean, "mean", xp)
    check_same_shape(mean, log_var, "mean", "log_var")
    ax = normalize_axis(axis, mean.ndim)
    unreduced = tuple(mean.shape[:ax]) + tuple(mean.shape[ax + 1 :])
    check_weights(weights, unreduced, xp)
    mu = cast(mean, dtype, xp)
    lv = cast(log_var, dtype, xp)
    m0 = _prior(prior_mean, "prior_mean", mu, xp)
    v0 = _prior(prior_log_var, "prior_log_var", mu, xp)
    lam = continuous(free_bits, "free_bits", mu, xp, low=0.0)
    # exp(v - v0) and (mu - m0)^2 * exp(-v0): no exp(v) / exp(v0) overflow
    per_dim = 0.5 * (xp.exp(lv - v0) + (mu - m0) ** 2 * xp.exp(-v0) - 1.0 + v0 - lv)
    if not (isinstance(lam, float) and lam == 0.0):
        per_dim = xp.maximum(per_dim, xp.asarray(lam, dtype=dtype, device=device_of(mu)))
    loss = xp.sum(per_dim, axis=ax)
    return reduce_loss(loss, reduction, xp=xp, weights=weights)


def _prior(value: object, name: str, like: Array, xp: object) -> Array:
    """A prior parameter: a number, a scalar, or an array broadcasting against ``like``."""
    from .._lib._compat import is_array, library_name

    if is_array(value):
        arr: Array = value
        if library_name(arr) != library_name(like):
            raise TypeError(
                f"{name} must be a number or an array of the inputs' library "
                f"({library_name(like)}), got a {library_name(arr)} array"
            )
        if not broadcasts(tuple(arr.shape), tuple(like.shape)):
            raise ValueError(
                f"{name} of shape {tuple(arr.shape)} does not broadcast against mean's "
                f"shape {tuple(like.shape)}"
            )
        return cast(arr, like.dtype, xp)  # type: ignore[arg-type]
    number = continuous(value, name, like, xp)  # type: ignore[arg-type]
    return xp.asarray(number, dtype=like.dtype, device=device_of(like))  # type: ignore[attr-defined]
