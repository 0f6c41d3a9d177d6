"""Gradient penalties of a GAN's discriminator: WGAN-GP and R1."""

from __future__ import annotations

from collections.abc import Sequence

from .._lib._compat import Array, Namespace, array_namespace
from .._lib._dtypes import cast, compute_dtype
from .._lib._hyper import continuous
from .._lib._reduction import check_reduction, check_weights, reduce_loss
from .._lib._special import safe_sqrt
from .._lib._validation import require_static
from ._common import per_sample_sum

__all__ = ["gradient_penalty", "r1_penalty"]


def _squared_norms(grads: Array | Sequence[Array], name: str) -> tuple[Array, Namespace]:
    """Per-sample squared norm over every non-batch axis (of every array of ``grads``)."""
    arrays: list[Array] = list(grads) if isinstance(grads, list | tuple) else [grads]
    if not arrays:
        raise ValueError(f"{name} got an empty sequence of gradient arrays")
    named: dict[str, object] = {f"grads[{i}]": g for i, g in enumerate(arrays)}
    xp = array_namespace(required=(), **named)
    dtype = compute_dtype(arrays[0], "grads", xp)
    batch = None
    total: Array | None = None
    for i, g in enumerate(arrays):
        compute_dtype(g, f"grads[{i}]", xp)
        if g.ndim == 0:
            raise ValueError(f"grads of {name} must have a batch axis, got a 0-d array")
        if batch is not None and g.shape[0] != batch:
            raise ValueError(
                f"every array of grads must have one batch size, got {batch} and {g.shape[0]}"
            )
        batch = g.shape[0]
        s = per_sample_sum(cast(g, dtype, xp) ** 2, xp)
        total = s if total is None else total + s
    if total is None:  # checked non-empty above; kept for the type checker
        raise ValueError("grads must not be empty")
    return total, xp


def gradient_penalty(
    grads: Array | Sequence[Array],
    *,
    target: float | Array = 1.0,
    one_sided: bool = False,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""WGAN-GP gradient penalty: squared distance of each sample's gradient norm to ``target``.

    .. math::

        \ell_i = \bigl(\lVert g_i \rVert_2 - t\bigr)^2
        \quad\text{or, one-sided,}\quad \max(0, \lVert g_i \rVert_2 - t)^2

    :math:`g_i` is the gradient of the critic's output for sample :math:`i` with
    respect to its (interpolated) input, computed by the user's framework
    (arrayloss does no autodiff). The norm is per sample, over every axis but the
    first; a sequence of arrays (one per input) is one vector per sample. Multiply
    by Gulrajani et al.'s :math:`\lambda = 10`.

    The norm is a square root with a guarded gradient: at a zero gradient
    :math:`\sqrt{0}` has derivative :math:`\infty` and a plain ``sqrt(sum(g**2))``
    gives a NaN gradient (keras-io PR #2364); here it is finite (0).

    Parameters
    ----------
    grads : array or sequence of arrays, each of shape (N, ...)
        Gradients of the critic output with respect to its inputs, batch first.
    target : float or scalar array, default 1.0
        The target norm :math:`t` (1 for a 1-Lipschitz critic).
    one_sided : bool, default False
        Penalise only norms above ``target`` (Gulrajani et al.'s one-sided variant).
    weights : array, optional
        Per-sample weights, shape (N,).
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per sample, shape (N,).

    Returns
    -------
    array
        Scalar, or shape (N,) for ``reduction="none"``.

    Notes
    -----
    The common bug is one norm over the whole batch or over the wrong axes
    (caogang/wgan-gp #25, #27, #56; keras-contrib PR #232): with ``grads`` of shape
    (N, C, H, W) the norm here is over C, H, W for each sample.

    References
    ----------
    .. [1] I. Gulrajani et al., "Improved Training of Wasserstein GANs", NeurIPS 2017.
       https://arxiv.org/abs/1704.00028

    Examples
    --------
    >>> import numpy as np
    >>> grads = np.array([[[3.0, 4.0]], [[0.0, 0.0]]])  # norms 5 and 0
    >>> gradient_penalty(grads, reduction="none")
    array([16.,  1.])
    """
    s, xp = _squared_norms(grads, "gradient_penalty")
    reduction = check_reduction(reduction)
    require_static(one_sided, "one_sided")
    t = continuous(target, "target", s, xp, low=0.0)
    check_weights(weights, tuple(s.shape), xp)
    gap = safe_sqrt(s, xp=xp) - t
    if one_sided:
        gap = xp.maximum(gap, xp.zeros((), dtype=gap.dtype, device=gap.device))
    return reduce_loss(gap**2, reduction, xp=xp, weights=weights)


def r1_penalty(
    grads: Array | Sequence[Array],
    *,
    gamma: float | Array = 10.0,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""R1 regulariser: gamma/2 times each real sample's squared gradient norm.

    .. math::

        \ell_i = \frac{\gamma}{2} \lVert \nabla_x D(x_i) \rVert_2^2

    on real samples :math:`x_i`; ``grads`` are the discriminator's input
    gradients the user's framework computed, batch first; the squared norm is per
    sample over every other axis (no square root, so its gradient is smooth at 0).

    Parameters
    ----------
    grads : array or sequence of arrays, each of shape (N, ...)
        Gradients of the discriminator's logits on real samples.
    gamma : float or scalar array, default 10.0
        :math:`\gamma` (Mescheder et al. use 10 on CelebA-HQ; StyleGAN2's default).
    weights : array, optional
        Per-sample weights, shape (N,).
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per sample, shape (N,).

    Returns
    -------
    array
        Scalar, or shape (N,) for ``reduction="none"``.

    References
    ----------
    .. [1] L. Mescheder, A. Geiger, S. Nowozin, "Which Training Methods for GANs do
       actually Converge?", ICML 2018. https://arxiv.org/abs/1801.04406

    Examples
    --------
    >>> import numpy as np
    >>> grads = np.array([[3.0, 4.0], [1.0, 0.0]])
    >>> r1_penalty(grads, reduction="none")
    array([125.,   5.])
    """
    s, xp = _squared_norms(grads, "r1_penalty")
    reduction = check_reduction(reduction)
    g = continuous(gamma, "gamma", s, xp, low=0.0)
    check_weights(weights, tuple(s.shape), xp)
    return reduce_loss(0.5 * g * s, reduction, xp=xp, weights=weights)
