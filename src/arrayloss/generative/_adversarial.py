"""Adversarial (GAN) losses of the discriminator and the generator, from logits."""

from __future__ import annotations

from .._lib._compat import Array, Namespace, array_namespace
from .._lib._dtypes import cast, compute_dtype
from .._lib._reduction import check_reduction, check_weights, reduce_loss
from .._lib._special import softplus
from .._lib._validation import check_choice, require_static

__all__ = ["gan_discriminator_loss", "gan_generator_loss"]

GAN_KINDS = ("non_saturating", "least_squares", "hinge", "wasserstein", "relativistic_average")


def _kind(kind: object) -> str:
    require_static(kind, "kind")
    check_choice(kind, "kind", GAN_KINDS)
    return str(kind)


def _logits(x: Array, name: str, dtype: object, xp: Namespace) -> Array:
    if x.ndim == 0:
        raise ValueError(f"{name} must have a batch axis, got a 0-d array")
    return cast(x, dtype, xp)


def _relu(x: Array, xp: Namespace) -> Array:
    return xp.maximum(x, xp.zeros((), dtype=x.dtype, device=x.device))


def _term(values: Array, reduction: str, weights: Array | None, xp: Namespace) -> Array:
    return reduce_loss(values, reduction, xp=xp, weights=weights)


def gan_discriminator_loss(
    real_logits: Array,
    fake_logits: Array,
    *,
    kind: str = "non_saturating",
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""The discriminator's GAN loss from its logits on real and on generated samples.

    With :math:`r` the logits on real samples and :math:`f` on generated ones
    (:math:`\operatorname{sp} = \operatorname{softplus}`, :math:`\bar r, \bar f` the
    batch means):

    .. math::

        \begin{aligned}
        \text{non\_saturating:}\;& \operatorname{sp}(-r) + \operatorname{sp}(f)
            = -\log\sigma(r) - \log(1 - \sigma(f)) \\
        \text{least\_squares:}\;& \tfrac12 (r - 1)^2 + \tfrac12 f^2 \\
        \text{hinge:}\;& \max(0, 1 - r) + \max(0, 1 + f) \\
        \text{wasserstein:}\;& f - r \\
        \text{relativistic\_average:}\;& \operatorname{sp}(-(r - \bar f))
            + \operatorname{sp}(f - \bar r)
        \end{aligned}

    each term averaged over its own batch (``reduction="mean"``), so the real and the
    fake batches may differ in size. The log-sigmoids are softplus of the logit,
    never ``log(sigmoid(x))``: finite value and gradient at logits of +-1e4 in
    float32, where ``log(sigmoid(-1e4))`` is ``-inf``.

    Parameters
    ----------
    real_logits, fake_logits : array, shape (N,) or (N, ...)
        The discriminator's raw outputs (critic values for ``"wasserstein"``).
    kind : {"non_saturating", "least_squares", "hinge", "wasserstein", "relativistic_average"}
        The GAN objective (static).
    weights : array, optional
        Per-sample weights for both terms (the batches must then have one shape).
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns the real term plus the fake term elementwise (the two
        batches must have one shape).

    Returns
    -------
    array
        Scalar, or the logits' shape for ``reduction="none"``.

    Notes
    -----
    The least-squares targets are Mao et al.'s a = 0 (fake), b = c = 1 (real), with
    their factor 1/2. The Wasserstein critic needs a Lipschitz constraint (a
    :func:`gradient_penalty`), which this loss does not apply. The relativistic
    average loss is Jolicoeur-Martineau's RaSGAN; its generator loss needs the real
    logits too.

    References
    ----------
    .. [1] I. Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014.
       https://arxiv.org/abs/1406.2661
    .. [2] X. Mao et al., "Least Squares Generative Adversarial Networks", ICCV 2017.
       https://arxiv.org/abs/1611.04076
    .. [3] J. H. Lim, J. C. Ye, "Geometric GAN", 2017. https://arxiv.org/abs/1705.02894
    .. [4] T. Miyato et al., "Spectral Normalization for Generative Adversarial
       Networks", ICLR 2018. https://arxiv.org/abs/1802.05957
    .. [5] M. Arjovsky, S. Chintala, L. Bottou, "Wasserstein GAN", ICML 2017.
       https://arxiv.org/abs/1701.07875
    .. [6] A. Jolicoeur-Martineau, "The relativistic discriminator: a key element
       missing from standard GAN", ICLR 2019. https://arxiv.org/abs/1807.00734

    Examples
    --------
    >>> import numpy as np
    >>> real, fake = np.array([2.0, 0.5]), np.array([-1.0, 0.0])
    >>> round(float(gan_discriminator_loss(real, fake)), 4)
    0.8037
    >>> round(float(gan_discriminator_loss(real, fake, kind="hinge")), 4)
    0.75
    """
    xp = array_namespace(
        real_logits=real_logits,
        fake_logits=fake_logits,
        weights=weights,
        required=("real_logits", "fake_logits"),
    )
    k = _kind(kind)
    reduction = check_reduction(reduction)
    dtype = compute_dtype(real_logits, "real_logits", xp)
    compute_dtype(fake_logits, "fake_logits", xp)
    r = _logits(real_logits, "real_logits", dtype, xp)
    f = _logits(fake_logits, "fake_logits", dtype, xp)
    _check_pair(r, f, weights, reduction, xp)
    if k == "non_saturating":
        real_term, fake_term = softplus(-r, xp=xp), softplus(f, xp=xp)
    elif k == "least_squares":
        real_term, fake_term = 0.5 * (r - 1.0) ** 2, 0.5 * f**2
    elif k == "hinge":
        real_term, fake_term = _relu(1.0 - r, xp), _relu(1.0 + f, xp)
    elif k == "wasserstein":
        real_term, fake_term = -r, f
    else:
        real_term = softplus(-(r - xp.mean(f)), xp=xp)
        fake_term = softplus(f - xp.mean(r), xp=xp)
    if reduction == "none":
        return reduce_loss(real_term + fake_term, "none", xp=xp, weights=weights)
    return _term(real_term, reduction, weights, xp) + _term(fake_term, reduction, weights, xp)


def gan_generator_loss(
    fake_logits: Array,
    *,
    kind: str = "non_saturating",
    real_logits: Array | None = None,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""The generator's GAN loss from the discriminator's logits on generated samples.

    .. math::

        \begin{aligned}
        \text{non\_saturating:}\;& \operatorname{sp}(-f) = -\log\sigma(f) \\
        \text{least\_squares:}\;& \tfrac12 (f - 1)^2 \\
        \text{hinge, wasserstein:}\;& -f \\
        \text{relativistic\_average:}\;& \operatorname{sp}(-(f - \bar r))
            + \operatorname{sp}(r - \bar f)
        \end{aligned}

    The non-saturating loss is Goodfellow et al.'s :math:`-\log D(G(z))` (the
    minimax :math:`\log(1 - D(G(z)))` saturates when the discriminator wins), as
    softplus of the logit: finite value and gradient at any finite logit.

    Parameters
    ----------
    fake_logits : array, shape (N,) or (N, ...)
        The discriminator's logits on generated samples.
    kind : {"non_saturating", "least_squares", "hinge", "wasserstein", "relativistic_average"}
        The GAN objective (static).
    real_logits : array, optional
        The logits on real samples: required by ``"relativistic_average"`` (the
        real samples' term also depends on the generator), ignored otherwise.
    weights : array, optional
        Per-sample weights, broadcasting against ``fake_logits``.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per logit.

    Returns
    -------
    array
        Scalar, or ``fake_logits``'s shape for ``reduction="none"``.

    Notes
    -----
    The hinge generator loss is :math:`-f` (Miyato et al. 2018; Lim & Ye's own
    generator loss is the same), as in the Wasserstein GAN.

    References
    ----------
    .. [1] I. Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014.
       https://arxiv.org/abs/1406.2661
    .. [2] X. Mao et al., "Least Squares Generative Adversarial Networks", ICCV 2017.
       https://arxiv.org/abs/1611.04076
    .. [3] T. Miyato et al., "Spectral Normalization for Generative Adversarial
       Networks", ICLR 2018. https://arxiv.org/abs/1802.05957
    .. [4] A. Jolicoeur-Martineau, "The relativistic discriminator: a key element
       missing from standard GAN", ICLR 2019. https://arxiv.org/abs/1807.00734

    Examples
    --------
    >>> import numpy as np
    >>> fake = np.array([-1.0, 0.0])
    >>> round(float(gan_generator_loss(fake)), 4)
    1.0032
    >>> round(float(gan_generator_loss(fake, kind="least_squares")), 4)
    1.25
    """
    xp = array_namespace(
        fake_logits=fake_logits,
        real_logits=real_logits,
        weights=weights,
        required=("fake_logits",),
    )
    k = _kind(kind)
    reduction = check_reduction(reduction)
    dtype = compute_dtype(fake_logits, "fake_logits", xp)
    f = _logits(fake_logits, "fake_logits", dtype, xp)
    check_weights(weights, tuple(f.shape), xp)
    if k == "relativistic_average":
        if real_logits is None:
            raise ValueError(
                'gan_generator_loss(kind="relativistic_average") needs real_logits '
                "(the real samples' term depends on the generator too), got None"
            )
        compute_dtype(real_logits, "real_logits", xp)
        r = _logits(real_logits, "real_logits", dtype, xp)
        _check_pair(r, f, weights, reduction, xp)
        fake_term = softplus(-(f - xp.mean(r)), xp=xp)
        real_term = softplus(r - xp.mean(f), xp=xp)
        if reduction == "none":
            return reduce_loss(real_term + fake_term, "none", xp=xp, weights=weights)
        return _term(real_term, reduction, weights, xp) + _term(fake_term, reduction, weights, xp)
    if k == "non_saturating":
        loss = softplus(-f, xp=xp)
    elif k == "least_squares":
        loss = 0.5 * (f - 1.0) ** 2
    else:
        loss = -f
    return reduce_loss(loss, reduction, xp=xp, weights=weights)


def _check_pair(r: Array, f: Array, weights: Array | None, reduction: str, xp: Namespace) -> None:
    same = tuple(r.shape) == tuple(f.shape)
    if (reduction == "none" or weights is not None) and not same:
        raise ValueError(
            "real_logits and fake_logits must have one shape with reduction='none' or "
            f"weights, got {tuple(r.shape)} and {tuple(f.shape)}"
        )
    if weights is not None:
        check_weights(weights, tuple(r.shape), xp)
