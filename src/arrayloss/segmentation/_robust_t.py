"""Robust T-loss: the Student-t negative log-likelihood for noisy segmentation labels."""

from __future__ import annotations

import math

from .._lib._compat import (
    Array,
    array_namespace,
    array_or_none,
    device_of,
    is_array,
)
from .._lib._dtypes import cast, compute_dtype, is_floating, is_integer
from .._lib._hyper import continuous
from .._lib._reduction import check_reduction, check_weights, reduce_loss
from .._lib._special import lgamma, sigmoid
from .._lib._targets import poison
from .._lib._validation import (
    check_ignore_index,
    check_labels_in_range,
    check_number,
    check_same_shape,
)

__all__ = ["robust_t_loss"]


# -- Student-t --------------------------------------------------------------------------


def robust_t_loss(
    logits: Array,
    labels: Array,
    *,
    nu: Array | float = 1.0,
    from_logits: bool = True,
    epsilon: float = 1e-8,
    ignore_index: int | None = None,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Negative log-likelihood of a Student-t distribution over each sample's mask.

    .. math::

        \ell_n = -\log\Gamma\!\Big(\frac{\nu + D}{2}\Big) + \log\Gamma\!\Big(\frac{\nu}{2}\Big)
        + \frac{D}{2}\log(\pi \nu) + \frac{\nu + D}{2}
        \log\!\Big(1 + \frac{\lVert y_n - p_n \rVert^2}{\nu}\Big)

    with :math:`p_n = \sigma(x_n)` the predicted mask of sample :math:`n`,
    :math:`y_n` the target mask, :math:`D` the number of (non-ignored) positions
    and :math:`\nu \leftarrow \nu + \epsilon`, the paper's T-loss with
    :math:`\Sigma = I`.

    Use it when the masks are noisy (annotator error, affine shifts, dilated or
    eroded outlines): the heavy-tailed likelihood bounds the pull of outlier
    pixels, and :math:`\nu` (pass an array and learn it) sets how robust it is.

    Parameters
    ----------
    logits : array, shape (N, ...)
        Logits of each position (probabilities when ``from_logits=False``).
    labels : array, same shape
        Binary or soft masks (integer 0/1 with ``ignore_index``, boolean or floating).
    nu : array or float > 0, default 1.0
        Degrees of freedom :math:`\nu`; an array (scalar shape) is differentiable.
    from_logits : bool, default True
        Whether ``logits`` are logits or probabilities.
    epsilon : float >= 0, default 1e-8
        The paper's :math:`\epsilon` keeping :math:`\nu` positive.
    ignore_index : int, optional
        Integer label whose positions are left out (and out of :math:`D`).
    weights : array, optional
        Per-sample weights, broadcasting against ``(N,)``.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per sample.

    Returns
    -------
    array
        Scalar, or shape ``(N,)`` for ``reduction="none"``.

    Notes
    -----
    The official code learns :math:`\tilde\nu` with :math:`\nu = e^{\tilde\nu} +
    \epsilon` and a diagonal :math:`\Sigma^{-1} = e^{\lambda + \epsilon}` with
    :math:`\lambda = 1` (not the paper's identity); pass ``nu=exp(param)`` for its
    parametrization. The value grows with :math:`D` (it is a log-density over the
    whole mask) and can be negative. :math:`\log(1 + u)` is computed with ``log1p``;
    ``log Gamma`` is the backend's (``torch.lgamma``, ``jax.scipy.special.gammaln``,
    ``scipy.special.gammaln``) or a Lanczos approximation elsewhere.

    References
    ----------
    .. [1] A. Gonzalez-Jimenez, S. Lionetti, P. Gottfrois, F. Groeger, M. Pouly,
       A. Navarini, "Robust T-Loss for Medical Image Segmentation", MICCAI 2023.
       https://arxiv.org/abs/2306.00753

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> probs = np.array([[0.5, 1.0]])  # D = 2, ||y - p||^2 = 0.25, nu = 1
    >>> labels = np.array([[1.0, 1.0]])
    >>> # -lgamma(1.5) + lgamma(0.5) + log(pi) + 1.5 log(1.25)
    >>> al.robust_t_loss(probs, labels, from_logits=False, epsilon=0.0, reduction="none")
    array([2.17259239])
    """
    xp = array_namespace(
        logits=logits,
        labels=labels,
        weights=weights,
        nu=array_or_none(nu),
        required=("logits", "labels"),
    )
    reduction = check_reduction(reduction)
    dtype = compute_dtype(logits, "logits", xp)
    logits = cast(logits, dtype, xp)
    epsilon = continuous(epsilon, "epsilon", logits, xp, low=0.0)
    dev = device_of(logits)
    if logits.ndim < 1:
        raise ValueError("logits must have a sample axis 0, got a scalar")
    check_same_shape(logits, labels, "logits", "labels")
    ignore = check_ignore_index(ignore_index)
    keep = None
    if is_integer(labels, xp):
        check_labels_in_range(labels, 2, ignore, "labels", xp)
        keep = None if ignore is None else labels != ignore
        bad = (labels < 0) | (labels > 1)
        invalid = bad if keep is None else bad & keep
        target = poison(cast(labels, dtype, xp), invalid, xp)
    elif labels.dtype == xp.bool or is_floating(labels, xp):
        if ignore is not None and labels.dtype != xp.bool:
            raise ValueError(
                f"ignore_index={ignore} needs integer labels, got floating labels; "
                "mask positions with weights instead"
            )
        target = cast(labels, dtype, xp)
    else:
        raise TypeError(
            f"labels must be an integer, boolean or floating array, got {labels.dtype}"
        )
    if not isinstance(nu, int | float) and is_array(nu):
        if not is_floating(nu, xp):
            raise TypeError(f"nu must be a floating array or a float, got dtype {nu.dtype}")
        if tuple(nu.shape) != ():
            raise ValueError(f"nu must be a scalar (shape ()), got shape {tuple(nu.shape)}")
        nu_e = cast(nu, dtype, xp) + epsilon
    else:
        nu_e = xp.asarray(
            check_number(nu, "nu", low=0.0, low_inclusive=False), dtype=dtype, device=dev
        )
        nu_e = nu_e + epsilon
    probs = sigmoid(logits, xp=xp) if from_logits else logits
    zero = xp.zeros((), dtype=dtype, device=dev)
    sq = (target - probs) ** 2
    if keep is not None:
        sq = xp.where(keep, sq, zero)
    n = int(logits.shape[0])
    width = math.prod([int(d) for d in logits.shape[1:]])  # not -1: N may be 0
    sq = xp.reshape(sq, (n, width))
    if keep is None:
        d = xp.full((n,), float(sq.shape[1]), dtype=dtype, device=dev)
    else:
        d = xp.sum(cast(xp.reshape(keep, (n, width)), dtype, xp), axis=1)
    delta = xp.sum(sq, axis=1)
    # the Student-t NLL with Sigma = I; log1p for a small Mahalanobis term
    loss = (
        -lgamma((nu_e + d) / 2.0, xp=xp)
        + lgamma(nu_e / 2.0, xp=xp)
        + (d / 2.0) * (math.log(math.pi) + xp.log(nu_e))
        + ((nu_e + d) / 2.0) * xp.log1p(delta / nu_e)
    )
    check_weights(weights, (n,), xp)
    return reduce_loss(loss, reduction, xp=xp, weights=weights)
