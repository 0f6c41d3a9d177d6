"""Learned weighting of several loss terms by homoscedastic uncertainty."""

from __future__ import annotations

from collections.abc import Sequence

from .._lib._compat import Array, array_namespace, device_of
from .._lib._dtypes import cast, compute_dtype

__all__ = ["uncertainty_weighted_sum"]


def uncertainty_weighted_sum(losses: Sequence[Array] | Array, log_variances: Array) -> Array:
    r"""Sum of loss terms weighted by learned homoscedastic uncertainty (Kendall et al. 2018).

    .. math::

        L = \sum_k \tfrac12\left(e^{-s_k} L_k + s_k\right), \qquad s_k = \log \sigma_k^2

    Each term :math:`L_k` (e.g. cross-entropy, Dice, a boundary loss) is divided by
    a learned variance :math:`\sigma_k^2` and the :math:`\log\sigma_k` penalty keeps
    the variances from growing without bound, so the balance between terms is
    learned instead of hand-tuned. ``log_variances`` are the user's own learnable
    parameters (a ``torch.nn.Parameter``, an entry of a JAX parameter pytree);
    nothing is kept here. To use it with :func:`combine`, compute each term and
    pass them here, or call ``combine`` for the fixed-weight part and pass its
    result as one term.

    Parameters
    ----------
    losses : sequence of scalar arrays, or array of shape (K,)
        The K loss terms :math:`L_k` (arrays of ``log_variances``'s library or NumPy
        scalars; plain Python numbers are rejected, as a list is everywhere else).
    log_variances : array, shape (K,)
        :math:`s_k = \log\sigma_k^2`, learnable; zeros weight every term by 1/2.

    Returns
    -------
    array
        Scalar.

    Notes
    -----
    This is the regression form of the paper (:math:`\frac{1}{2\sigma^2} L +
    \log\sigma`) used for every term, as most implementations do; the paper's
    classification form, :math:`\frac{1}{\sigma^2} L + \log\sigma`, differs by a
    factor 2 on that term's weight.

    References
    ----------
    .. [1] A. Kendall, Y. Gal, R. Cipolla, "Multi-Task Learning Using Uncertainty to
       Weigh Losses for Scene Geometry and Semantics", CVPR 2018.
       https://arxiv.org/abs/1705.07115

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> float(al.uncertainty_weighted_sum([np.array(2.0), np.array(4.0)], np.zeros(2)))
    3.0
    """
    if isinstance(losses, list | tuple):
        if len(losses) == 0:
            raise ValueError("losses must hold at least one loss term, got none")
        for k, term in enumerate(losses):
            # a NumPy scalar (np.float64, a float subclass) is allowed
            if isinstance(term, int | float) and not hasattr(term, "dtype"):
                raise TypeError(
                    f"losses must be arrays (the loss terms), got a Python "
                    f"{type(term).__name__} at position {k}"
                )
        xp = array_namespace(log_variances=log_variances, required=("log_variances",))
        dtype = compute_dtype(log_variances, "log_variances", xp)
        dev = device_of(log_variances)
        # each term may be an array of the same library or a Python/NumPy scalar
        terms = xp.stack([xp.reshape(xp.asarray(t, dtype=dtype, device=dev), ()) for t in losses])
    else:
        xp = array_namespace(
            losses=losses, log_variances=log_variances, required=("losses", "log_variances")
        )
        dtype = compute_dtype(log_variances, "log_variances", xp)
        terms = losses
    s = log_variances
    if terms.ndim != 1 or tuple(s.shape) != tuple(terms.shape):
        raise ValueError(
            f"log_variances must have shape ({int(terms.shape[0]) if terms.ndim else 1},) "
            f"(one per loss term), got {tuple(s.shape)}"
        )
    s = cast(s, dtype, xp)
    terms = cast(terms, dtype, xp)
    # 1/(2 sigma^2) L + log sigma = (exp(-s) L + s) / 2
    return xp.sum(0.5 * (xp.exp(-s) * terms + s))
