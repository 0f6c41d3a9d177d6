"""Metric-learning losses on distances: triplet (plain, batch-hard, batch-all),
contrastive (Hadsell) and cosine embedding losses."""

from __future__ import annotations

from typing import Any

from .._lib._compat import Array, Namespace, array_namespace, array_or_none, device_of
from .._lib._dtypes import cast, compute_dtype, is_floating, is_integer
from .._lib._hyper import continuous
from .._lib._reduction import check_reduction, check_weights, reduce_loss
from .._lib._special import euclidean_norm, safe_sqrt, softplus
from .._lib._validation import check_number, normalize_axis, require_static
from ._common import check_embeddings, check_labels, pairwise_distance

__all__ = [
    "batch_all_triplet_loss",
    "batch_hard_triplet_loss",
    "contrastive_loss",
    "cosine_embedding_loss",
    "triplet_margin_loss",
]


def _pair_inputs(
    x1: Array, x2: Array, pair_labels: Array, name: str, axis: int, xp: Namespace
) -> tuple[Any, int]:
    """Compute dtype and feature axis of a pair loss, checking the three shapes agree."""
    dtype = compute_dtype(x1, "x1", xp)
    compute_dtype(x2, "x2", xp)
    if tuple(x1.shape) != tuple(x2.shape):
        raise ValueError(f"x1 {tuple(x1.shape)} and x2 {tuple(x2.shape)} must have one shape")
    ax = normalize_axis(axis, x1.ndim)
    expected = tuple(s for i, s in enumerate(x1.shape) if i != ax)
    if tuple(pair_labels.shape) != expected:
        raise ValueError(
            f"{name} must have the shape of x1 without axis {ax}, {expected}, got "
            f"{tuple(pair_labels.shape)}"
        )
    return dtype, ax


def _hinge(x: Array, margin: object, soft: bool, *, xp: Namespace) -> Array:
    """``max(0, m + x)``, or the soft margin ``softplus(x)`` (Hermans et al.)."""
    if soft:
        return softplus(x, xp=xp)
    zero = xp.zeros((), dtype=x.dtype, device=device_of(x))
    return xp.maximum(x + margin, zero)


def _p_distance(diff: Array, p: float, axis: int, *, xp: Namespace) -> Array:
    """``||diff||_p`` along ``axis``, with a finite gradient at 0."""
    if p == 2:
        return euclidean_norm(diff, axis, xp=xp)
    a = xp.abs(diff)
    if p == 1:
        return xp.sum(a, axis=axis)
    total = xp.sum(a**p, axis=axis)
    zero = xp.zeros((), dtype=total.dtype, device=device_of(total))
    one = xp.ones((), dtype=total.dtype, device=device_of(total))
    pos = total > 0
    return xp.where(pos, xp.where(pos, total, one) ** (1.0 / p), zero)


def triplet_margin_loss(
    anchor: Array,
    positive: Array,
    negative: Array,
    *,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    soft: bool = False,
    axis: int = -1,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Triplet margin loss: the positive closer to the anchor than the negative by a margin.

    .. math::

        \ell = \max\big(0,\ m + d(a, p) - d(a, n)\big), \qquad
        d(x, y) = \lVert x - y + \epsilon \rVert_p

    ``swap=True`` uses :math:`\min(d(a, n), d(p, n))` (Balntas et al.), ``soft=True``
    the soft margin :math:`\log(1 + e^{d(a,p) - d(a,n)})` (Hermans et al.).

    Parameters
    ----------
    anchor, positive, negative : array, shape (..., D, ...)
        Same shape; ``axis`` is the feature axis.
    margin : float >= 0, default 1.0
    p : float >= 1, default 2
        The norm (static: it selects the formula).
    eps : float, default 1e-6
        Added to the difference as ``torch.pairwise_distance`` does.
    swap, soft : bool
    axis : int, default -1
    weights : array, optional
        Broadcasts against the per-triplet loss.
    reduction : {"mean", "sum", "none"}

    Returns
    -------
    array
        Scalar, or the input shape without ``axis`` for ``reduction="none"``.

    Notes
    -----
    Equal to ``torch.nn.functional.triplet_margin_loss`` (same ``eps`` rule).
    ``optax.losses.triplet_margin_loss`` adds ``eps`` to :math:`\sum |x-y|^p`
    instead, a difference of about ``1e-6`` in the distances, and its
    ``jnp.power(x, p)`` of a negative difference is NaN for a fractional ``p``.

    References
    ----------
    .. [1] V. Balntas, E. Riba, D. Ponsa, K. Mikolajczyk, "Learning local feature
       descriptors with triplets and shallow convolutional neural networks", BMVC
       2016. https://doi.org/10.5244/C.30.119

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> a, pos, neg = np.zeros((1, 2)), np.array([[3.0, 4.0]]), np.array([[1.0, 0.0]])
    >>> round(float(al.triplet_margin_loss(a, pos, neg, eps=0.0)), 6)
    5.0
    """
    xp = array_namespace(
        anchor=anchor,
        positive=positive,
        negative=negative,
        weights=weights,
        margin=array_or_none(margin),
        eps=array_or_none(eps),
        required=("anchor", "positive", "negative"),
    )
    reduction = check_reduction(reduction)
    require_static(p, "p")
    require_static(swap, "swap")
    require_static(soft, "soft")
    p = check_number(p, "p", low=1.0)
    dtype = compute_dtype(anchor, "anchor", xp)
    for name, arr in (("positive", positive), ("negative", negative)):
        if tuple(arr.shape) != tuple(anchor.shape):
            raise ValueError(
                f"{name} must have anchor's shape {tuple(anchor.shape)}, got {tuple(arr.shape)}"
            )
        compute_dtype(arr, name, xp)
    ax = normalize_axis(axis, anchor.ndim)
    a, pos, neg = (cast(x, dtype, xp) for x in (anchor, positive, negative))
    m = continuous(margin, "margin", a, xp, low=0.0)
    eps = continuous(eps, "eps", a, xp, low=0.0)
    d_ap = _p_distance(a - pos + eps, p, ax, xp=xp)
    d_an = _p_distance(a - neg + eps, p, ax, xp=xp)
    if swap:
        d_an = xp.minimum(d_an, _p_distance(pos - neg + eps, p, ax, xp=xp))
    loss = _hinge(d_ap - d_an, m, bool(soft), xp=xp)
    check_weights(weights, tuple(loss.shape), xp)
    return reduce_loss(loss, reduction, xp=xp, weights=weights)


def _batch_inputs(
    embeddings: Array, labels: Array, margin: object, soft: object, xp: Namespace
) -> tuple[Array, Array, Array, object]:
    dtype = check_embeddings(embeddings, "embeddings", xp)
    n = int(embeddings.shape[0])
    check_labels(labels, n, "labels", xp)
    require_static(soft, "soft")
    x = cast(embeddings, dtype, xp)
    m = continuous(margin, "margin", x, xp, low=0.0)
    rows = xp.arange(n, device=device_of(x))
    same = labels[:, None] == labels[None, :]
    positive = same & (rows[:, None] != rows[None, :])
    return pairwise_distance(x, xp=xp), positive, ~same, m


def batch_hard_triplet_loss(
    embeddings: Array,
    labels: Array,
    *,
    margin: float = 0.2,
    soft: bool = False,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Batch-hard triplet loss: each anchor against its farthest positive and nearest
    negative in the batch.

    .. math::

        \ell_a = \max\Big(0,\ m + \max_{p: y_p = y_a,\, p \ne a} d_{ap}
        - \min_{n: y_n \ne y_a} d_{an}\Big)

    with Euclidean :math:`d`; ``soft=True`` replaces the hinge by
    :math:`\log(1 + e^{x})`. Written with masks only (no boolean indexing, no
    host sync); anchors with no positive or no negative are left out of the mean.

    Parameters
    ----------
    embeddings : array, shape (N, D)
    labels : integer array, shape (N,)
    margin : float >= 0, default 0.2
        FaceNet's value; pytorch-metric-learning's ``TripletMarginLoss`` defaults to 0.05.
    soft : bool, default False
    weights : array, shape (N,), optional
    reduction : {"mean", "sum", "none"}
        ``"none"`` gives 0 at anchors left out.

    Returns
    -------
    array
        Scalar, or ``(N,)`` for ``reduction="none"``.

    Notes
    -----
    The distance's gradient at 0 (two equal embeddings) is taken as 0: the naive
    :math:`\sqrt{\cdot}` gives :math:`1/(2\sqrt 0) \cdot 0 =` NaN, which reaches every
    weight through the mean.

    References
    ----------
    .. [1] A. Hermans, L. Beyer, B. Leibe, "In Defense of the Triplet Loss for Person
       Re-Identification", 2017. https://arxiv.org/abs/1703.07737

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> x = np.array([[0.0], [1.0], [1.5]])
    >>> float(al.batch_hard_triplet_loss(x, np.array([0, 0, 1]), margin=0.2,
    ...                                   reduction="none")[0])   # 0.2 + 1 - 1.5
    0.0
    """
    xp = array_namespace(
        embeddings=embeddings,
        labels=labels,
        weights=weights,
        margin=array_or_none(margin),
        required=("embeddings", "labels"),
    )
    reduction = check_reduction(reduction)
    dist, positive, negative, m = _batch_inputs(embeddings, labels, margin, soft, xp)
    check_weights(weights, (int(dist.shape[0]),), xp)
    zero = xp.zeros((), dtype=dist.dtype, device=device_of(dist))
    inf = xp.full((), float("inf"), dtype=dist.dtype, device=device_of(dist))
    hardest_pos = xp.max(xp.where(positive, dist, zero), axis=1)
    nearest_neg = xp.min(xp.where(negative, dist, inf), axis=1)
    valid = xp.any(positive, axis=1) & xp.any(negative, axis=1)
    # an anchor left out must not carry inf (no negative) into the hinge
    nearest_neg = xp.where(valid, nearest_neg, zero)
    loss = _hinge(hardest_pos - nearest_neg, m, bool(soft), xp=xp)
    return reduce_loss(loss, reduction, xp=xp, weights=weights, mask=valid)


def batch_all_triplet_loss(
    embeddings: Array,
    labels: Array,
    *,
    margin: float = 0.2,
    soft: bool = False,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Batch-all triplet loss: the mean over every valid triplet of the batch.

    .. math::

        \ell_{apn} = \max(0,\ m + d_{ap} - d_{an}), \qquad
        y_p = y_a,\ p \ne a,\ y_n \ne y_a

    averaged over the valid triplets, zeros included (Hermans et al.'s "BA"; some
    implementations average over the non-zero ones only). Masks only, no indexing.

    Parameters
    ----------
    embeddings : array, shape (N, D)
    labels : integer array, shape (N,)
    margin : float >= 0, default 0.2
    soft : bool, default False
    weights : array, broadcasting to (N, N, N), optional
    reduction : {"mean", "sum", "none"}

    Returns
    -------
    array
        Scalar, or ``(N, N, N)`` indexed ``[a, p, n]`` (0 at invalid triplets) for
        ``reduction="none"``.

    References
    ----------
    .. [1] A. Hermans, L. Beyer, B. Leibe, "In Defense of the Triplet Loss for Person
       Re-Identification", 2017. https://arxiv.org/abs/1703.07737

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> x = np.array([[0.0], [1.0], [1.5]])
    >>> round(float(al.batch_all_triplet_loss(x, np.array([0, 0, 1]), margin=1.0)), 6)
    1.0
    """
    xp = array_namespace(
        embeddings=embeddings,
        labels=labels,
        weights=weights,
        margin=array_or_none(margin),
        required=("embeddings", "labels"),
    )
    reduction = check_reduction(reduction)
    dist, positive, negative, m = _batch_inputs(embeddings, labels, margin, soft, xp)
    n = int(dist.shape[0])
    check_weights(weights, (n, n, n), xp)
    valid = positive[:, :, None] & negative[:, None, :]
    loss = _hinge(dist[:, :, None] - dist[:, None, :], m, bool(soft), xp=xp)
    return reduce_loss(loss, reduction, xp=xp, weights=weights, mask=valid)


def contrastive_loss(
    x1: Array,
    x2: Array,
    same: Array,
    *,
    margin: float = 1.0,
    axis: int = -1,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Contrastive (siamese) loss: pull similar pairs together, push dissimilar ones
    beyond a margin.

    .. math::

        \ell = s\, \tfrac12 d^2 + (1 - s)\, \tfrac12 \max(0,\ m - d)^2,
        \qquad d = \lVert x_1 - x_2 \rVert_2

    with :math:`s = 1` for a similar pair (the paper writes :math:`Y = 0` for similar).

    Parameters
    ----------
    x1, x2 : array, same shape (..., D, ...)
    same : array, the shape without ``axis``
        1 (or ``True``) for a similar pair, 0 for a dissimilar one.
    margin : float >= 0, default 1.0
    axis : int, default -1
    weights : array, optional
    reduction : {"mean", "sum", "none"}

    Returns
    -------
    array
        Scalar, or the shape without ``axis`` for ``reduction="none"``.

    Notes
    -----
    At :math:`d = 0` (a dissimilar pair collapsed onto one point) the naive
    :math:`\sqrt{\cdot}` makes the gradient NaN; here it is 0 (the subgradient).
    pytorch-metric-learning's ``ContrastiveLoss`` uses hinge terms without squares
    and :math:`\tfrac12` and a positive margin; Keras/TF Addons use
    :math:`s d^2 + (1-s)\max(0, m-d)^2` without :math:`\tfrac12`.

    References
    ----------
    .. [1] R. Hadsell, S. Chopra, Y. LeCun, "Dimensionality Reduction by Learning an
       Invariant Mapping", CVPR 2006. https://doi.org/10.1109/CVPR.2006.100

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> a, b = np.array([[0.0, 0.0], [0.0, 0.0]]), np.array([[0.3, 0.4], [0.3, 0.4]])
    >>> al.contrastive_loss(a, b, np.array([1, 0]), reduction="none")   # d = 0.5
    array([0.125, 0.125])
    """
    xp = array_namespace(
        x1=x1,
        x2=x2,
        same=same,
        weights=weights,
        margin=array_or_none(margin),
        required=("x1", "x2", "same"),
    )
    reduction = check_reduction(reduction)
    dtype, ax = _pair_inputs(x1, x2, same, "same", axis, xp)
    if not (is_floating(same, xp) or is_integer(same, xp) or same.dtype == xp.bool):
        raise TypeError(f"same must be a boolean, integer or floating array, got {same.dtype}")
    a = cast(x1, dtype, xp)
    m = continuous(margin, "margin", a, xp, low=0.0)
    diff = a - cast(x2, dtype, xp)
    sq = xp.sum(diff * diff, axis=ax)
    d = safe_sqrt(sq, xp=xp)
    s = cast(same, dtype, xp)
    zero = xp.zeros((), dtype=dtype, device=device_of(a))
    push = xp.maximum(m - d, zero)
    loss = 0.5 * (s * sq + (1 - s) * push * push)
    check_weights(weights, tuple(loss.shape), xp)
    return reduce_loss(loss, reduction, xp=xp, weights=weights)


def cosine_embedding_loss(
    x1: Array,
    x2: Array,
    y: Array,
    *,
    margin: float = 0.0,
    axis: int = -1,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Cosine embedding loss: cosine 1 for similar pairs, below a margin for others.

    .. math::

        \ell = \begin{cases} 1 - \cos(x_1, x_2) & y = 1 \\
        \max(0,\ \cos(x_1, x_2) - m) & y = -1 \end{cases}, \qquad
        \cos = \frac{x_1 \cdot x_2}{\sqrt{(\lVert x_1\rVert^2 + \epsilon)
        (\lVert x_2\rVert^2 + \epsilon)}},\ \epsilon = 10^{-12}

    Parameters
    ----------
    x1, x2 : array, same shape (..., D, ...)
    y : array, the shape without ``axis``
        1 or -1.
    margin : float in [-1, 1], default 0.0
    axis : int, default -1
    weights : array, optional
    reduction : {"mean", "sum", "none"}

    Returns
    -------
    array
        Scalar, or the shape without ``axis`` for ``reduction="none"``.

    Notes
    -----
    Equal to ``torch.nn.functional.cosine_embedding_loss`` (the same
    :math:`\epsilon` inside the square root). A ``y`` other than 1 is read as -1.

    References
    ----------
    .. [1] A. Paszke et al., "PyTorch: An Imperative Style, High-Performance Deep
       Learning Library", NeurIPS 2019 (``CosineEmbeddingLoss``).
       https://arxiv.org/abs/1912.01703

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> a, b = np.array([[1.0, 0.0], [1.0, 0.0]]), np.array([[1.0, 1.0], [1.0, 1.0]])
    >>> np.round(al.cosine_embedding_loss(a, b, np.array([1, -1]), reduction="none"), 6)
    array([0.292893, 0.707107])
    """
    xp = array_namespace(
        x1=x1,
        x2=x2,
        y=y,
        weights=weights,
        margin=array_or_none(margin),
        required=("x1", "x2", "y"),
    )
    reduction = check_reduction(reduction)
    dtype, ax = _pair_inputs(x1, x2, y, "y", axis, xp)
    if not (is_floating(y, xp) or is_integer(y, xp)):
        raise TypeError(f"y must be an integer or floating array of 1/-1, got {y.dtype}")
    a, b = cast(x1, dtype, xp), cast(x2, dtype, xp)
    m = continuous(margin, "margin", a, xp, low=-1.0, high=1.0)
    eps = 1e-12
    cos = xp.sum(a * b, axis=ax) / xp.sqrt(
        (xp.sum(a * a, axis=ax) + eps) * (xp.sum(b * b, axis=ax) + eps)
    )
    zero = xp.zeros((), dtype=dtype, device=device_of(a))
    loss = xp.where(y == 1, 1 - cos, xp.maximum(cos - m, zero))
    check_weights(weights, tuple(loss.shape), xp)
    return reduce_loss(loss, reduction, xp=xp, weights=weights)
