"""Contrastive losses over similarity logits: InfoNCE, NT-Xent, CLIP, SigLIP, SupCon."""

from __future__ import annotations

import math

from .._lib._compat import Array, Namespace, array_namespace, array_or_none, device_of
from .._lib._dtypes import cast
from .._lib._hyper import continuous, hyper_exp
from .._lib._reduction import check_reduction, check_weights, reduce_loss
from .._lib._special import log_sigmoid, take_along_axis
from ._common import (
    check_embeddings,
    check_labels,
    masked_log_softmax,
    masked_logsumexp,
    multi_positive_log_prob,
    unit,
)

__all__ = ["clip_loss", "info_nce", "nt_xent", "siglip_loss", "supcon_loss"]


def info_nce(
    queries: Array,
    keys: Array,
    *,
    temperature: float = 0.1,
    labels: Array | None = None,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""InfoNCE: cross-entropy of each query against its positive key among all keys.

    .. math::

        \ell_i = -\log \frac{\exp(\hat q_i \cdot \hat k_{y_i} / \tau)}
        {\sum_j \exp(\hat q_i \cdot \hat k_j / \tau)}

    with :math:`\hat q, \hat k` unit vectors and :math:`y_i = i` (the diagonal) unless
    ``labels`` gives the positive key of each query; every other key is a negative.

    Parameters
    ----------
    queries : array, shape (N, D)
    keys : array, shape (M, D)
        ``M = N`` when ``labels`` is ``None``.
    temperature : float > 0, default 0.1
        :math:`\tau`, as in the ``info-nce-pytorch`` package.
    labels : integer array, shape (N,), optional
        Index of each query's positive key.
    weights : array, shape (N,), optional
    reduction : {"mean", "sum", "none"}

    Returns
    -------
    array
        Scalar, or ``(N,)`` for ``reduction="none"``.

    Notes
    -----
    The log-softmax is max-shifted, so a small :math:`\tau` (``1/tau = 200``) stays
    finite in float32, where ``exp`` of the raw logit overflows.

    References
    ----------
    .. [1] A. van den Oord, Y. Li, O. Vinyals, "Representation Learning with Contrastive
       Predictive Coding", 2018. https://arxiv.org/abs/1807.03748

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> q = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> round(float(al.info_nce(q, q, temperature=1.0)), 6)   # log(1 + e^-1)
    0.313262
    """
    xp = array_namespace(
        queries=queries,
        keys=keys,
        labels=labels,
        weights=weights,
        temperature=array_or_none(temperature),
        required=("queries", "keys"),
    )
    reduction = check_reduction(reduction)
    dtype = check_embeddings(queries, "queries", xp)
    check_embeddings(keys, "keys", xp)
    n, m = int(queries.shape[0]), int(keys.shape[0])
    q = cast(queries, dtype, xp)
    tau = continuous(temperature, "temperature", q, xp, low=0.0, low_inclusive=False)
    if int(keys.shape[1]) != int(queries.shape[1]):
        raise ValueError(
            f"queries {tuple(queries.shape)} and keys {tuple(keys.shape)} must share D"
        )
    if labels is None:
        if m != n:
            raise ValueError(
                f"without labels the positives are the diagonal: keys must have N={n} "
                f"rows, got {m}"
            )
        labels = xp.arange(n, device=device_of(q))
    else:
        check_labels(labels, n, "labels", xp)
    check_weights(weights, (n,), xp)
    logits = unit(q, 1, xp=xp) @ xp.permute_dims(unit(cast(keys, dtype, xp), 1, xp=xp), (1, 0))
    logits = logits / tau
    keep = xp.ones(tuple(logits.shape), dtype=xp.bool, device=device_of(q))
    logp = masked_log_softmax(logits, keep, xp=xp)
    # an out-of-range label reads key 0 and poisons its loss with NaN
    valid = (labels >= 0) & (labels < m)
    idx = xp.where(valid, labels, xp.zeros_like(labels))
    nan = xp.full((), float("nan"), dtype=logp.dtype, device=device_of(logp))
    loss = xp.where(valid, -take_along_axis(logp, idx, 1, xp=xp), nan)
    return reduce_loss(loss, reduction, xp=xp, weights=weights)


def nt_xent(
    embeddings: Array,
    *,
    temperature: float = 0.5,
    labels: Array | None = None,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""NT-Xent, SimCLR's normalised temperature-scaled cross-entropy over 2N views.

    .. math::

        \ell_i = -\frac{1}{|P(i)|} \sum_{p \in P(i)} \log
        \frac{\exp(s_{ip} / \tau)}{\sum_{k \ne i} \exp(s_{ik} / \tau)}

    with :math:`s` the cosine similarity. Without ``labels`` the rows ``i`` and
    ``i + N`` of the ``(2N, D)`` input are the two views of one example
    (:math:`|P(i)| = 1`); with ``labels`` the positives are the other rows of the same
    label. Anchors with no positive are left out of the mean; if none has one the
    loss is 0 (with zero gradient).

    Parameters
    ----------
    embeddings : array, shape (2N, D) (any ``(B, D)`` with ``labels``)
    temperature : float > 0, default 0.5
        :math:`\tau` (SimCLR's CIFAR value; ``optax.losses.ntxent`` defaults to 0.07).
    labels : integer array, shape (B,), optional
    weights : array, shape (B,), optional
    reduction : {"mean", "sum", "none"}
        ``"none"`` gives 0 at anchors with no positive.

    Returns
    -------
    array
        Scalar, or ``(B,)`` for ``reduction="none"``.

    Notes
    -----
    ``optax.losses.ntxent(embeddings, labels)`` leaves the other positives out of each
    denominator and divides by the number of matching pairs, which is 0 when no two
    labels match: it returns NaN there. With one positive per anchor (SimCLR's
    pairs) the two agree.

    References
    ----------
    .. [1] T. Chen, S. Kornblith, M. Norouzi, G. Hinton, "A Simple Framework for
       Contrastive Learning of Visual Representations", ICML 2020.
       https://arxiv.org/abs/2002.05709

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> z = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    >>> round(float(al.nt_xent(z, temperature=1.0)), 6)   # log(1 + 2/e)
    0.551445
    """
    xp = array_namespace(
        embeddings=embeddings,
        labels=labels,
        weights=weights,
        temperature=array_or_none(temperature),
        required=("embeddings",),
    )
    reduction = check_reduction(reduction)
    dtype = check_embeddings(embeddings, "embeddings", xp)
    b = int(embeddings.shape[0])
    z = unit(cast(embeddings, dtype, xp), 1, xp=xp)
    tau = continuous(temperature, "temperature", z, xp, low=0.0, low_inclusive=False)
    dev = device_of(z)
    rows = xp.arange(b, device=dev)
    if labels is None and b % 2:
        raise ValueError(
            f"without labels embeddings must hold 2N rows (i and i+N are views of one "
            f"example), got {b} rows"
        )
    if labels is not None:
        check_labels(labels, b, "labels", xp)
    check_weights(weights, (b,), xp)
    other = rows[:, None] != rows[None, :]
    # tau divides the (B, D) embeddings rather than the (B, B) similarities
    logits = (z / tau) @ xp.permute_dims(z, (1, 0))
    if labels is None:
        # one positive per anchor, row i + N (mod 2N): -log p_i = lse_i - s_{i, i+N},
        # read at 2N entries, with no (2N, 2N) positive mask or log-probabilities
        partner = (rows + b // 2) % b
        loss = masked_logsumexp(logits, other, xp=xp) - take_along_axis(logits, partner, 1, xp=xp)
        return reduce_loss(loss, reduction, xp=xp, weights=weights)
    positive = (labels[:, None] == labels[None, :]) & other
    mean_logp, has = multi_positive_log_prob(logits, other, positive, xp=xp)
    return reduce_loss(-mean_logp, reduction, xp=xp, weights=weights, mask=has)


def clip_loss(
    image_embeddings: Array,
    text_embeddings: Array,
    *,
    logit_scale: float = math.log(1 / 0.07),
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""CLIP's symmetric contrastive loss between paired image and text embeddings.

    .. math::

        L_{ij} = e^{t}\, \hat u_i \cdot \hat v_j, \qquad
        \ell_i = \tfrac12 \big(-\log \operatorname{softmax}_j(L_{ij})_i
        - \log \operatorname{softmax}_j(L_{ji})_i\big)

    Parameters
    ----------
    image_embeddings, text_embeddings : array, shape (N, D)
        Pair ``i`` is the positive; unit-normalised here.
    logit_scale : float, default log(1/0.07)
        :math:`t`, the *log* of the inverse temperature (CLIP's learned parameter and
        its initial value); the logits are scaled by :math:`e^t`. open_clip's loss takes
        the already exponentiated scale.
    weights : array, shape (N,), optional
    reduction : {"mean", "sum", "none"}

    Returns
    -------
    array
        Scalar, or ``(N,)`` for ``reduction="none"``.

    References
    ----------
    .. [1] A. Radford et al., "Learning Transferable Visual Models From Natural Language
       Supervision", ICML 2021. https://arxiv.org/abs/2103.00020

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> u = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> round(float(al.clip_loss(u, u, logit_scale=0.0)), 6)
    0.313262
    """
    xp = array_namespace(
        image_embeddings=image_embeddings,
        text_embeddings=text_embeddings,
        weights=weights,
        logit_scale=array_or_none(logit_scale),
        required=("image_embeddings", "text_embeddings"),
    )
    reduction = check_reduction(reduction)
    u, v, n = _pair(image_embeddings, text_embeddings, xp)
    t = continuous(logit_scale, "logit_scale", u, xp)
    check_weights(weights, (n,), xp)
    logits = (u @ xp.permute_dims(v, (1, 0))) * hyper_exp(t, xp)
    keep = xp.ones((n, n), dtype=xp.bool, device=device_of(u))
    diag = xp.arange(n, device=device_of(u))
    a = take_along_axis(masked_log_softmax(logits, keep, xp=xp), diag, 1, xp=xp)
    logits_t = xp.permute_dims(logits, (1, 0))
    b = take_along_axis(masked_log_softmax(logits_t, keep, xp=xp), diag, 1, xp=xp)
    return reduce_loss(-(a + b) / 2, reduction, xp=xp, weights=weights)


def siglip_loss(
    image_embeddings: Array,
    text_embeddings: Array,
    *,
    logit_scale: float = math.log(10.0),
    logit_bias: float = -10.0,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""SigLIP's pairwise sigmoid loss: every image-text pair is a binary problem.

    .. math::

        \ell_i = -\sum_j \log \sigma\big(z_{ij} (e^{t}\, \hat u_i \cdot \hat v_j + b)\big),
        \qquad z_{ij} = \begin{cases} 1 & i = j \\ -1 & i \ne j \end{cases}

    and the mean over :math:`i` is the paper's :math:`\frac{1}{N}\sum_{i,j}`.

    Parameters
    ----------
    image_embeddings, text_embeddings : array, shape (N, D)
    logit_scale : float, default log(10)
        :math:`t`, the log temperature (the paper's initial :math:`t' = \log 10`).
    logit_bias : float, default -10
        :math:`b` (the paper's initial value).
    weights : array, shape (N,), optional
    reduction : {"mean", "sum", "none"}

    Returns
    -------
    array
        Scalar, or ``(N,)`` (each image's sum over texts) for ``reduction="none"``.

    References
    ----------
    .. [1] X. Zhai, B. Mustafa, A. Kolesnikov, L. Beyer, "Sigmoid Loss for Language Image
       Pre-Training", ICCV 2023. https://arxiv.org/abs/2303.15343

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> u = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> round(float(al.siglip_loss(u, u, logit_scale=0.0, logit_bias=0.0)), 6)
    1.006409
    """
    xp = array_namespace(
        image_embeddings=image_embeddings,
        text_embeddings=text_embeddings,
        weights=weights,
        logit_scale=array_or_none(logit_scale),
        logit_bias=array_or_none(logit_bias),
        required=("image_embeddings", "text_embeddings"),
    )
    reduction = check_reduction(reduction)
    u, v, n = _pair(image_embeddings, text_embeddings, xp)
    t = continuous(logit_scale, "logit_scale", u, xp)
    bias = continuous(logit_bias, "logit_bias", u, xp)
    check_weights(weights, (n,), xp)
    logits = (u @ xp.permute_dims(v, (1, 0))) * hyper_exp(t, xp) + bias
    rows = xp.arange(n, device=device_of(u))
    one = xp.ones((), dtype=u.dtype, device=device_of(u))
    sign = xp.where(rows[:, None] == rows[None, :], one, -one)
    loss = -xp.sum(log_sigmoid(sign * logits, xp=xp), axis=1)
    return reduce_loss(loss, reduction, xp=xp, weights=weights)


def _pair(a: Array, b: Array, xp: Namespace) -> tuple[Array, Array, int]:
    """Unit-normalised ``(N, D)`` image and text embeddings, checked to match."""
    dtype = check_embeddings(a, "image_embeddings", xp)
    check_embeddings(b, "text_embeddings", xp)
    if tuple(a.shape) != tuple(b.shape):
        raise ValueError(
            f"image_embeddings {tuple(a.shape)} and text_embeddings {tuple(b.shape)} must "
            "have the same shape (N, D): pair i is the positive"
        )
    u = unit(cast(a, dtype, xp), 1, xp=xp)
    v = unit(cast(b, dtype, xp), 1, xp=xp)
    return u, v, int(a.shape[0])


def supcon_loss(
    features: Array,
    labels: Array | None = None,
    *,
    temperature: float = 0.07,
    base_temperature: float = 0.07,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Supervised contrastive loss (SupCon, the "out" form) over multi-view features.

    .. math::

        \ell_a = -\frac{\tau}{\tau_b} \frac{1}{|P(a)|} \sum_{p \in P(a)}
        \log \frac{\exp(s_{ap}/\tau)}{\sum_{k \ne a} \exp(s_{ak}/\tau)}

    over all ``N V`` views as anchors, with :math:`P(a)` the other views of the same
    label (of the same example when ``labels`` is ``None``: SimCLR) and :math:`s`
    the cosine similarity. Anchors with no positive are left out of the mean, so a
    class seen once in a batch adds neither NaN (``0/0``) nor a 0 pulled into the
    average.

    Parameters
    ----------
    features : array, shape (N, V, D)
        ``V`` views of each of ``N`` examples; unit-normalised here.
    labels : integer array, shape (N,), optional
    temperature : float > 0, default 0.07
    base_temperature : float > 0, default 0.07
    weights : array, shape (N, V), optional
    reduction : {"mean", "sum", "none"}
        ``"none"`` gives 0 at anchors with no positive.

    Returns
    -------
    array
        Scalar, or ``(N, V)`` for ``reduction="none"``.

    Notes
    -----
    The authors' code divides by the positive count, which is NaN for an anchor with
    no positive (a single view of a singleton class); it also expects normalised
    features, where this loss normalises them itself (equal on unit vectors).

    References
    ----------
    .. [1] P. Khosla et al., "Supervised Contrastive Learning", NeurIPS 2020.
       https://arxiv.org/abs/2004.11362

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> f = np.array([[[1.0, 0.0]], [[1.0, 0.0]], [[0.0, 1.0]]])   # N=3, V=1
    >>> loss = al.supcon_loss(f, np.array([0, 0, 1]), temperature=1.0, base_temperature=1.0)
    >>> round(float(loss), 6)   # log(1 + 1/e); anchor 2 has no positive: left out
    0.313262
    """
    xp = array_namespace(
        features=features,
        labels=labels,
        weights=weights,
        temperature=array_or_none(temperature),
        base_temperature=array_or_none(base_temperature),
        required=("features",),
    )
    reduction = check_reduction(reduction)
    dtype = check_embeddings(features, "features", xp, ndim=3)
    n, views, d = (int(s) for s in features.shape)
    f = unit(cast(features, dtype, xp), 2, xp=xp)
    tau = continuous(temperature, "temperature", f, xp, low=0.0, low_inclusive=False)
    tau_b = continuous(base_temperature, "base_temperature", f, xp, low=0.0, low_inclusive=False)
    dev = device_of(f)
    if labels is None:
        labels = xp.arange(n, device=dev)
    else:
        check_labels(labels, n, "labels", xp)
    check_weights(weights, (n, views), xp)
    z = xp.reshape(f, (n * views, d))  # anchor a = n * V + v
    lab = xp.reshape(xp.broadcast_to(labels[:, None], (n, views)), (n * views,))
    rows = xp.arange(n * views, device=dev)
    other = rows[:, None] != rows[None, :]
    positive = (lab[:, None] == lab[None, :]) & other
    logits = (z / tau) @ xp.permute_dims(z, (1, 0))
    mean_logp, has = multi_positive_log_prob(logits, other, positive, xp=xp)
    loss = xp.reshape(-(tau / tau_b) * mean_logp, (n, views))
    return reduce_loss(loss, reduction, xp=xp, weights=weights, mask=xp.reshape(has, (n, views)))
