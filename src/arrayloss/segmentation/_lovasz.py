"""Lovasz losses: the convex Lovasz extension of the Jaccard loss (Berman et al. 2018)."""

from __future__ import annotations

import math

from .._lib._compat import Array, Namespace, array_namespace, device_of, is_dask_namespace
from .._lib._dtypes import cast, compute_dtype, is_floating, is_integer
from .._lib._reduction import check_reduction, check_weights, reduce_loss
from .._lib._special import cumulative_sum, one_hot, softmax, stop_gradient
from .._lib._targets import class_target, poison
from .._lib._validation import (
    check_choice,
    check_ignore_index,
    check_labels_in_range,
    check_same_shape,
    normalize_axis,
)

__all__ = ["lovasz_hinge_loss", "lovasz_softmax_loss"]


def _no_dask(xp: Namespace, name: str) -> None:
    if is_dask_namespace(xp):
        raise NotImplementedError(
            f"{name} sorts the errors of every pixel, which Dask arrays do not provide; "
            "compute the loss on NumPy, CuPy, PyTorch or JAX arrays"
        )


def _lovasz_rows(
    errors: Array, target: Array, keep: Array | None, xp: Namespace
) -> tuple[Array, Array]:
    """Sorted errors and Lovasz gradient for each row of ``(R, P)`` errors.

    The errors are sorted descending; the gradient of the Jaccard loss at prefix
    ``i`` is ``J_i - J_{i-1}`` with ``J_i = 1 - (G - cumsum(g)_i) / (G + cumsum(1 - g)_i)``
    (Berman et al., Alg. 1). Ignored positions sort last with error 0 and target 0:
    the prefixes over the valid positions, and so the result, are those of the rows
    with the ignored positions dropped, and the trailing terms are ``0 * grad = 0``.
    """
    rows, p = int(errors.shape[0]), int(errors.shape[1])
    dtype, dev = errors.dtype, device_of(errors)
    zero = xp.zeros((), dtype=dtype, device=dev)
    key = stop_gradient(errors, xp=xp)
    if keep is not None:
        key = xp.where(keep, key, xp.full((), -float("inf"), dtype=dtype, device=dev))
        errors = xp.where(keep, errors, zero)
    order = xp.argsort(key, axis=1, descending=True, stable=True)
    # a flat take (standard everywhere, index_select in torch) in place of a gather
    flat = order + xp.reshape(xp.arange(rows, dtype=order.dtype, device=dev) * p, (rows, 1))
    flat = xp.reshape(flat, (-1,))
    e = xp.reshape(xp.take(xp.reshape(errors, (-1,)), flat, axis=0), (rows, p))
    g = xp.reshape(xp.take(xp.reshape(target, (-1,)), flat, axis=0), (rows, p))
    total = xp.sum(g, axis=1, keepdims=True)
    intersection = total - cumulative_sum(g, axis=1, xp=xp)
    # union >= 1 at every prefix (the first element adds 1 to G or to cumsum(1 - g))
    union = total + cumulative_sum(1.0 - g, axis=1, xp=xp)
    jaccard = 1.0 - intersection / union
    grad = xp.concat([jaccard[:, :1], jaccard[:, 1:] - jaccard[:, :-1]], axis=1)
    return e, grad


def lovasz_softmax_loss(
    logits: Array,
    labels: Array,
    *,
    axis: int = -1,
    classes: str = "present",
    per_image: bool = False,
    ignore_index: int | None = None,
    from_logits: bool = True,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Lovasz-softmax loss: a convex surrogate of the per-class Jaccard (IoU) loss.

    .. math::

        \ell_c = \sum_{i=1}^{P} m_{c,\pi(i)}\,
        \big(\Delta J_c(\pi_{1..i}) - \Delta J_c(\pi_{1..i-1})\big),
        \qquad m_{ci} = |g_{ci} - p_{ci}|

    with :math:`\pi` the pixels sorted by decreasing error :math:`m_c`,
    :math:`\Delta J_c(A) = 1 - |G_c \setminus A| / |G_c \cup A|` the Jaccard loss of
    predicting the prefix :math:`A` (with :math:`G_c` the pixels of class :math:`c`)
    and :math:`p` the softmax probabilities: the Lovasz extension of
    :math:`\Delta J_c`, tight at one-hot predictions.

    Use it to optimise mean IoU directly (the metric of most segmentation
    benchmarks), typically fine-tuning after cross-entropy; like Dice it weighs a
    small class like a large one.

    Parameters
    ----------
    logits : array, shape (N, ..., C, ...)
        Logits (probabilities when ``from_logits=False``); axis 0 is the sample axis.
    labels : array
        Integer class indices (``logits``'s shape minus ``axis``) or one-hot /
        probabilities (``logits``'s shape).
    axis : int, default -1
        The class axis (not 0); PyTorch layouts pass ``axis=1``.
    classes : {"present", "all"}, default "present"
        Average over the classes present in the target (per image with
        ``per_image``) or over all classes.
    per_image : bool, default False
        One loss per image and class, instead of pooling the batch's pixels.
    ignore_index : int, optional
        Integer label whose pixels are left out.
    from_logits : bool, default True
        Whether ``logits`` are logits or probabilities.
    weights : array, optional
        Broadcasts against the ``"none"`` result.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns ``(N, C)`` with ``per_image``, else ``(C,)``; with
        ``classes="present"`` an absent class's entry is 0.

    Returns
    -------
    array
        Scalar, or ``(N, C)`` / ``(C,)`` for ``reduction="none"``.

    Notes
    -----
    ``"mean"`` follows Berman et al.'s reference code: with ``per_image`` the mean
    over images of each image's mean over its (present) classes, else the mean over
    the (present) classes; ``"sum"`` sums the ``"none"`` entries. Unlike the reference code,
    an image with no valid pixel (or, with ``"present"``, no present class) is left
    out of the mean instead of counting as 0. kornia's ``lovasz_softmax_loss`` is
    ``per_image=True, classes="all", axis=1``. Ignored pixels are handled without
    boolean indexing (error 0, sorted last; see the source), so the loss jits;
    not available on Dask (no sort): ``NotImplementedError``.

    References
    ----------
    .. [1] M. Berman, A. Rannen Triki, M. B. Blaschko, "The Lovasz-Softmax Loss: A
       Tractable Surrogate for the Optimization of the Intersection-over-Union
       Measure in Neural Networks", CVPR 2018. https://arxiv.org/abs/1705.08790

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> probs = np.array([[[0.8, 0.2], [0.4, 0.6]]])  # (N=1, P=2, C=2)
    >>> labels = np.array([[0, 0]])  # class 1 absent
    >>> # class 0: errors (0.6, 0.2); J = (1 - 1/2, 1 - 0/2) -> 0.6 * 0.5 + 0.2 * 0.5
    >>> al.lovasz_softmax_loss(probs, labels, from_logits=False, reduction="none")
    array([0.4, 0. ])
    """
    xp = array_namespace(
        logits=logits, labels=labels, weights=weights, required=("logits", "labels")
    )
    reduction = check_reduction(reduction)
    check_choice(classes, "classes", ("present", "all"))
    _no_dask(xp, "lovasz_softmax_loss")
    dtype = compute_dtype(logits, "logits", xp)
    logits = cast(logits, dtype, xp)
    if logits.ndim < 2:
        raise ValueError(
            f"logits must have a sample axis 0 and a class axis, got shape {tuple(logits.shape)}"
        )
    ax = normalize_axis(axis, logits.ndim)
    if ax == 0:
        raise ValueError("axis must not be 0: axis 0 is the sample axis of region losses")
    n, c = int(logits.shape[0]), int(logits.shape[ax])
    dev = device_of(logits)
    probs = softmax(logits, ax, xp=xp) if from_logits else logits
    target = class_target(logits, labels, ax, ignore_index=ignore_index, xp=xp)
    keep = None
    if target.is_index:
        g = one_hot(target.values, c, ax, dtype=dtype, xp=xp)
        if target.keep is not None:
            keep = xp.expand_dims(target.keep, axis=ax)
            # an ignored label was sanitized to class 0: it is background for every class
            g = xp.where(keep, g, xp.zeros((), dtype=dtype, device=dev))
        if target.invalid is not None:
            g = poison(g, xp.expand_dims(target.invalid, axis=ax), xp)
    else:
        g = target.values
    # (N, C, P): classes second, pixels flattened last
    perm = (0, ax, *[d for d in range(1, logits.ndim) if d != ax])
    # explicit sizes, not -1: an empty batch has no size to infer
    p = math.prod([int(logits.shape[d]) for d in perm[2:]])
    probs = xp.reshape(xp.permute_dims(probs, perm), (n, c, p))
    g = xp.reshape(xp.permute_dims(g, perm), (n, c, p))
    if keep is not None:
        keep = xp.reshape(xp.permute_dims(xp.broadcast_to(keep, logits.shape), perm), (n, c, p))
    if not per_image:
        # pool the batch: (C, N * P)
        probs = xp.reshape(xp.permute_dims(probs, (1, 0, 2)), (1, c, n * p))
        g = xp.reshape(xp.permute_dims(g, (1, 0, 2)), (1, c, n * p))
        if keep is not None:
            keep = xp.reshape(xp.permute_dims(keep, (1, 0, 2)), (1, c, n * p))
    rows, width = int(g.shape[0]) * c, int(g.shape[2])
    errors = xp.abs(g - probs)
    e, grad = _lovasz_rows(
        xp.reshape(errors, (rows, width)),
        xp.reshape(g, (rows, width)),
        None if keep is None else xp.reshape(keep, (rows, width)),
        xp,
    )
    loss = xp.reshape(xp.sum(e * grad, axis=1), (int(g.shape[0]), c))
    one = xp.ones((), dtype=dtype, device=dev)
    zero = xp.zeros((), dtype=dtype, device=dev)
    if classes == "present":
        present = xp.sum(g, axis=2)
        # a NaN (an unreadable label under tracing) counts: the loss must be NaN, not 0
        counted = (present > 0) | xp.isnan(present)
    else:
        counted = xp.ones(tuple(loss.shape), dtype=xp.bool, device=dev)
        if keep is not None:
            counted = counted & xp.any(keep, axis=2)
    # each image's classes share weight 1: the mean over images of per-image means
    share = xp.where(counted, one, zero)
    per_row = xp.sum(share, axis=1, keepdims=True)
    share = share / xp.where(per_row == 0, one, per_row)
    if not per_image:
        loss, share, counted = loss[0, ...], share[0, ...], counted[0, ...]
    loss = xp.where(counted, loss, zero)
    check_weights(weights, tuple(loss.shape), xp)
    if reduction != "mean":
        return reduce_loss(loss, reduction, xp=xp, weights=weights)
    w = share if weights is None else share * cast(weights, dtype, xp)
    return reduce_loss(loss, reduction, xp=xp, weights=w)


def lovasz_hinge_loss(
    logits: Array,
    labels: Array,
    *,
    per_image: bool = True,
    ignore_index: int | None = None,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Lovasz hinge loss: a convex surrogate of the binary Jaccard (IoU) loss.

    .. math::

        \ell = \sum_{i=1}^{P} \max(m_{\pi(i)}, 0)\,
        \big(\Delta J(\pi_{1..i}) - \Delta J(\pi_{1..i-1})\big),
        \qquad m_i = 1 - x_i\, (2 g_i - 1)

    with :math:`m` the hinge errors of the logits :math:`x` against the binary
    target :math:`g`, :math:`\pi` the pixels sorted by decreasing error and
    :math:`\Delta J` the Jaccard loss of the foreground, as in
    :func:`lovasz_softmax_loss`.

    Use it for binary segmentation (one foreground class) when the IoU of the
    foreground is the metric, e.g. fine-tuning after binary cross-entropy.

    Parameters
    ----------
    logits : array, shape (N, ...)
        Foreground logits; axis 0 is the sample axis.
    labels : array, same shape
        Binary masks: integer 0/1 (with ``ignore_index``), boolean or floating 0/1.
    per_image : bool, default True
        One loss per image (Berman's and kornia's default) instead of one for the
        pooled batch.
    ignore_index : int, optional
        Integer label whose pixels are left out.
    weights : array, optional
        Broadcasts against the ``"none"`` result.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns ``(N,)`` with ``per_image``, else a scalar.

    Returns
    -------
    array
        Scalar, or ``(N,)`` for ``reduction="none"`` with ``per_image``.

    Notes
    -----
    kornia's ``lovasz_hinge_loss(pred, target)`` takes ``pred`` of shape
    ``(B, 1, H, W)``; it equals ``lovasz_hinge_loss(pred[:, 0], target)`` here. With
    ``ignore_index`` an image whose pixels are all ignored is left out of the mean
    (the reference code counts it as 0). Not available on Dask (no sort):
    ``NotImplementedError``.

    References
    ----------
    .. [1] M. Berman, A. Rannen Triki, M. B. Blaschko, "The Lovasz-Softmax Loss: A
       Tractable Surrogate for the Optimization of the Intersection-over-Union
       Measure in Neural Networks", CVPR 2018. https://arxiv.org/abs/1705.08790

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> logits = np.array([[2.0, -0.5]])
    >>> labels = np.array([[1, 1]])  # errors (-1, 1.5) sorted (1.5, -1): J = (1/2, 1)
    >>> al.lovasz_hinge_loss(logits, labels, reduction="none")  # 1.5 * 0.5 + 0 * 0.5
    array([0.75])
    """
    xp = array_namespace(
        logits=logits, labels=labels, weights=weights, required=("logits", "labels")
    )
    reduction = check_reduction(reduction)
    _no_dask(xp, "lovasz_hinge_loss")
    dtype = compute_dtype(logits, "logits", xp)
    logits = cast(logits, dtype, xp)
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
        zero_i = xp.zeros((), dtype=labels.dtype, device=device_of(labels))
        g = poison(cast(xp.where(bad, zero_i, labels), dtype, xp), invalid, xp)
    elif labels.dtype == xp.bool or is_floating(labels, xp):
        if ignore is not None and labels.dtype != xp.bool:
            raise ValueError(
                f"ignore_index={ignore} needs integer labels, got floating labels; "
                "mask positions with weights instead"
            )
        g = cast(labels, dtype, xp)
    else:
        raise TypeError(
            f"labels must be an integer, boolean or floating array, got {labels.dtype}"
        )
    n = int(logits.shape[0])
    rows = n if per_image else 1
    # explicit sizes, not -1: an empty batch has no size to infer
    width = math.prod([int(d) for d in logits.shape[1:]]) * (1 if per_image else n)
    x = xp.reshape(logits, (rows, width))
    g = xp.reshape(g, (rows, width))
    k = None if keep is None else xp.reshape(keep, (rows, width))
    errors = 1.0 - x * (2.0 * g - 1.0)
    e, grad = _lovasz_rows(errors, g, k, xp)
    zero = xp.zeros((), dtype=dtype, device=device_of(logits))
    loss = xp.sum(xp.maximum(e, zero) * grad, axis=1)
    mask = None if k is None else xp.any(k, axis=1)
    if not per_image:
        loss = loss[0]
        mask = None if mask is None else mask[0]
    check_weights(weights, tuple(loss.shape), xp)
    return reduce_loss(loss, reduction, xp=xp, weights=weights, mask=mask)
