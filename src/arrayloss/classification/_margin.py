"""Margin (hinge) losses for binary and multi-class classification."""

from __future__ import annotations

from .._lib._compat import (
    Array,
    Namespace,
    array_namespace,
    array_or_none,
    device_of,
    values_readable,
)
from .._lib._dtypes import cast, compute_dtype, is_floating, is_integer
from .._lib._hyper import continuous, hyper_array
from .._lib._reduction import check_reduction, check_weights, reduce_loss
from .._lib._special import one_hot, take_along_axis
from .._lib._targets import class_target, class_weight_vector, poison
from .._lib._validation import check_choice, check_same_shape, normalize_axis

__all__ = ["hinge_loss", "multiclass_hinge_loss", "squared_hinge_loss"]


REQUIRED = ("logits", "labels")
KINDS = ("crammer_singer", "weston_watkins")


def _signed_labels(labels: Array, dtype: object, xp: Namespace) -> Array:
    """Binary labels as +1/-1 in ``dtype``: 1 -> +1; 0 and -1 -> -1; anything else NaN.

    Both conventions share the rule: a 0 can only be the {0, 1} negative and a -1 only
    the {-1, 1} negative, so no branch on the batch's values is needed. Any other value
    (a soft label, a 2) raises ``ValueError`` where values are readable and becomes NaN
    elsewhere, so it cannot pass silently.
    """
    y = cast(labels, dtype, xp)
    positive = y == 1
    negative = (y == 0) | (y == -1)
    if values_readable(labels, xp):
        bad = xp.any(~(positive | negative))
        if values_readable(bad, xp) and bool(bad):
            raise ValueError(
                "labels of a binary hinge loss must be in {0, 1} or {-1, 1} (1 is the "
                "positive class, 0 or -1 the negative one); got other values (min "
                f"{float(xp.min(y))}, max {float(xp.max(y))}); soft labels are not supported"
            )
    one = xp.ones((), dtype=dtype, device=device_of(y))
    nan = xp.full((), float("nan"), dtype=dtype, device=device_of(y))
    return xp.where(positive, one, xp.where(negative, -one, nan))


def _binary_margin(
    logits: Array,
    labels: Array,
    margin: object,
    weights: Array | None,
    reduction: str,
) -> tuple[Array, Namespace, str]:
    """``max(0, margin - y' x)`` elementwise, in the compute dtype."""
    xp = array_namespace(
        logits=logits,
        labels=labels,
        weights=weights,
        margin=array_or_none(margin),
        required=REQUIRED,
    )
    reduction = check_reduction(reduction)
    dtype = compute_dtype(logits, "logits", xp)
    margin = continuous(margin, "margin", cast(logits, dtype, xp), xp, low=0.0)
    if not (is_floating(labels, xp) or is_integer(labels, xp) or labels.dtype == xp.bool):
        raise TypeError(
            f"labels must be a floating, integer or boolean array, got dtype {labels.dtype}"
        )
    check_same_shape(logits, labels, "logits", "labels")
    check_weights(weights, tuple(logits.shape), xp)
    x = cast(logits, dtype, xp)
    y = _signed_labels(labels, dtype, xp)
    zero = xp.zeros((), dtype=dtype, device=device_of(x))
    return xp.maximum(margin - y * x, zero), xp, reduction


def hinge_loss(
    logits: Array,
    labels: Array,
    *,
    margin: float = 1.0,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Binary hinge loss of a real-valued score, the soft-margin SVM loss.

    .. math::

        \ell_i = \max(0,\ m - y'_i x_i), \qquad
        y'_i = \begin{cases} +1 & y_i = 1 \\ -1 & y_i \in \{0, -1\} \end{cases}

    with :math:`m` the margin. Use it to train a maximum-margin linear or deep
    classifier: examples beyond the margin contribute nothing, so the model stops
    pushing on easy ones, and a mislabeled point costs linearly (not
    exponentially), but the loss gives no calibrated probabilities.

    Labels may use either convention, {0, 1} or {-1, 1}, without saying which:
    1 is positive, and 0 or -1 negative (a 0 can only be the {0, 1} negative and a
    -1 only the {-1, 1} one), so the rule needs no look at the whole batch.
    Soft labels are not supported: any other value raises ``ValueError`` on eager
    CPU arrays and gives NaN under ``jax.jit``, ``torch.compile``, on GPUs and on
    Dask.

    Parameters
    ----------
    logits : array, shape (...)
        Real-valued scores (the decision function), not probabilities.
    labels : array, shape (...)
        Binary labels in {0, 1} or {-1, 1}; floating, integer or boolean.
    margin : float >= 0, default 1.0
        The margin :math:`m`; 1 is the standard hinge.
    weights : array, optional
        Broadcasts against the elementwise loss.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns the elementwise loss.

    Returns
    -------
    array
        Scalar, or ``logits``'s shape for ``reduction="none"``.

    Notes
    -----
    ``optax.losses.hinge_loss(scores, targets)`` expects targets in {-1, 1} only:
    given a {0, 1} label 0 it returns 1 whatever the score (it multiplies by 0),
    where this loss reads 0 as the negative class. Keras ``hinge`` converts labels
    with ``2 y - 1`` only when *every* label of the batch is 0 or 1; a batch mixing
    0 and -1 keeps the 0 as is. The two agree with this loss on a pure {0, 1} or
    {-1, 1} batch. At :math:`y' x = m` the subgradient is the backend's choice
    for ``maximum`` (torch and JAX take half of each side).

    References
    ----------
    .. [1] C. Cortes, V. Vapnik, "Support-Vector Networks", Machine Learning 20,
       273-297 (1995). https://doi.org/10.1007/BF00994018

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> x = np.array([2.0, 0.5, -0.5, 0.3])
    >>> al.hinge_loss(x, np.array([1, 1, 0, 0]), reduction="none")
    array([0. , 0.5, 0.5, 1.3])
    >>> al.hinge_loss(x, np.array([1, 1, -1, -1]), reduction="none")
    array([0. , 0.5, 0.5, 1.3])
    """
    loss, xp, reduction = _binary_margin(logits, labels, margin, weights, reduction)
    return reduce_loss(loss, reduction, xp=xp, weights=weights)


def squared_hinge_loss(
    logits: Array,
    labels: Array,
    *,
    margin: float = 1.0,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Binary squared hinge loss (the L2-SVM loss).

    .. math::

        \ell_i = \max(0,\ m - y'_i x_i)^2, \qquad
        y'_i = \begin{cases} +1 & y_i = 1 \\ -1 & y_i \in \{0, -1\} \end{cases}

    Differentiable everywhere (unlike :func:`hinge_loss`, whose gradient jumps at
    the margin), which suits gradient training; it penalizes margin violations
    quadratically, so it is *more* sensitive to outliers and label noise than the
    plain hinge.

    Labels follow :func:`hinge_loss`'s rule: 1 is positive, 0 or -1 negative;
    soft labels are not supported (``ValueError`` on eager CPU arrays, NaN where
    values cannot be read).

    Parameters
    ----------
    logits : array, shape (...)
        Real-valued scores.
    labels : array, shape (...)
        Binary labels in {0, 1} or {-1, 1}; floating, integer or boolean.
    margin : float >= 0, default 1.0
        The margin :math:`m`.
    weights : array, optional
        Broadcasts against the elementwise loss.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns the elementwise loss.

    Returns
    -------
    array
        Scalar, or ``logits``'s shape for ``reduction="none"``.

    Notes
    -----
    Keras ``squared_hinge(y_true, y_pred)`` (note its argument order) averages over
    the last axis and converts {0, 1} labels with ``2 y - 1`` only when every label
    of the batch is 0 or 1; on a pure {0, 1} or {-1, 1} batch its ``"mean"``
    equals this loss's.

    References
    ----------
    .. [1] Y. Tang, "Deep Learning using Linear Support Vector Machines", ICML 2013
       Workshop on Representation Learning. https://arxiv.org/abs/1306.0239

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> x = np.array([2.0, 0.5, -0.5, 0.3])
    >>> al.squared_hinge_loss(x, np.array([1, 1, 0, 0]), reduction="none")
    array([0.  , 0.25, 0.25, 1.69])
    """
    loss, xp, reduction = _binary_margin(logits, labels, margin, weights, reduction)
    return reduce_loss(loss * loss, reduction, xp=xp, weights=weights)


def multiclass_hinge_loss(
    logits: Array,
    labels: Array,
    *,
    margin: float = 1.0,
    kind: str = "crammer_singer",
    axis: int = -1,
    class_weights: Array | None = None,
    ignore_index: int | None = None,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Multi-class hinge loss of class scores: Crammer-Singer or Weston-Watkins.

    .. math::

        \ell_i^{\mathrm{CS}} = \max\Bigl(0,\ m + \max_{c \ne y_i} x_{ic} - x_{iy_i}\Bigr),
        \qquad
        \ell_i^{\mathrm{WW}} = \sum_{c \ne y_i} \max(0,\ m + x_{ic} - x_{iy_i})

    ``kind="crammer_singer"`` (the default) penalizes only the strongest wrong
    class; ``kind="weston_watkins"`` sums over every wrong class inside the margin.
    Use it for a maximum-margin classifier: examples classified with margin
    :math:`m` cost nothing, and a wrong label costs linearly in its score gap.

    Both are computed as one pass over the classes from the differences
    :math:`x_{ic} - x_{iy_i} + m\,[c \ne y_i]`, whose label entry is exactly 0, so
    the clamp at 0 comes for free and large equal logits cancel exactly.

    Parameters
    ----------
    logits : array, shape (..., C, ...)
        Class scores, class axis at ``axis``.
    labels : array
        Integer class indices with ``logits``'s shape minus ``axis``.
    margin : float >= 0, default 1.0
        The margin :math:`m`.
    kind : {"crammer_singer", "weston_watkins"}
        Which multi-class extension of the hinge.
    axis : int, default -1
        The class axis; PyTorch layouts pass ``axis=1``.
    class_weights : array, shape (C,), optional
        Per-class weight :math:`w_{y_i}` multiplying each position's loss; with
        ``"mean"`` it also enters the denominator (as in :func:`cross_entropy`).
    ignore_index : int, optional
        Integer label whose positions contribute nothing.
    weights : array, optional
        Per-position weights, broadcasting against the ``"none"`` result.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns ``logits``'s shape without the class axis.

    Returns
    -------
    array
        Scalar, or the per-position loss for ``reduction="none"``.

    Notes
    -----
    ``optax.losses.multiclass_hinge_loss`` is Crammer-Singer with :math:`m = 1`.
    ``torch.nn.functional.multi_margin_loss`` (``p=1``) is Weston-Watkins divided by
    the number of classes :math:`C`: torch's value is ``weston_watkins / C``. With
    ``weight``, torch's ``"mean"`` divides the weighted sum by the number of
    positions, where this loss divides by the total weight; their ``"sum"`` agree
    (up to the 1/C). An out-of-range label raises ``ValueError`` on eager CPU
    arrays and gives NaN elsewhere.

    References
    ----------
    .. [1] K. Crammer, Y. Singer, "On the Algorithmic Implementation of Multiclass
       Kernel-based Vector Machines", JMLR 2, 265-292 (2001).
       https://www.jmlr.org/papers/v2/crammer01a.html
    .. [2] J. Weston, C. Watkins, "Support Vector Machines for Multi-Class Pattern
       Recognition", ESANN 1999.
       https://www.esann.org/sites/default/files/proceedings/legacy/es1999-461.pdf

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> x = np.array([[2.0, 1.5, 0.0], [0.0, 3.0, 2.5]])
    >>> al.multiclass_hinge_loss(x, np.array([0, 0]), reduction="none")
    array([0.5, 4. ])
    >>> al.multiclass_hinge_loss(x, np.array([0, 0]), kind="weston_watkins", reduction="none")
    array([0.5, 7.5])
    """
    check_choice(kind, "kind", KINDS)
    xp = array_namespace(
        logits=logits,
        labels=labels,
        class_weights=array_or_none(class_weights),
        weights=weights,
        margin=array_or_none(margin),
        required=REQUIRED,
    )
    reduction = check_reduction(reduction)
    dtype = compute_dtype(logits, "logits", xp)
    margin = continuous(margin, "margin", cast(logits, dtype, xp), xp, low=0.0)
    ax = normalize_axis(axis, logits.ndim)
    if not is_integer(labels, xp):
        raise TypeError(
            f"labels of multiclass_hinge_loss must be integer class indices, got dtype "
            f"{labels.dtype}"
        )
    x = cast(logits, dtype, xp)
    target = class_target(x, labels, ax, ignore_index=ignore_index, xp=xp)
    unreduced = tuple(x.shape[:ax]) + tuple(x.shape[ax + 1 :])
    check_weights(weights, unreduced, xp)
    num_classes = int(x.shape[ax])
    cw = class_weight_vector(class_weights, num_classes, x, xp)

    hot = one_hot(target.values, num_classes, ax, dtype=xp.bool, xp=xp)
    x_y = xp.expand_dims(take_along_axis(x, target.values, ax, xp=xp), axis=ax)
    zero = xp.zeros((), dtype=dtype, device=device_of(x))
    m = hyper_array(margin, x, xp)
    # x_c - x_y + m [c != y]: 0 exactly at the label, so max over c is max(0, ...)
    gap = (x - x_y) + xp.where(hot, zero, m)
    if kind == "crammer_singer":
        loss = xp.max(gap, axis=ax)
    else:
        loss = xp.sum(xp.maximum(gap, zero), axis=ax)
    loss = poison(loss, target.invalid, xp)
    if cw is None:
        return reduce_loss(loss, reduction, xp=xp, weights=weights, mask=target.keep)
    label_weight = xp.reshape(
        xp.take(cw, xp.reshape(target.values, (-1,)), axis=0), tuple(loss.shape)
    )
    if weights is not None:
        label_weight = label_weight * cast(weights, dtype, xp)
    return reduce_loss(loss, reduction, xp=xp, weights=label_weight, mask=target.keep)
