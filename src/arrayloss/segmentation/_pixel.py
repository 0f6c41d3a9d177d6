"""Pixel-level segmentation losses: hard-pixel mining, distance weighting, Student-t."""

from __future__ import annotations

import math
from typing import Any

from .._lib._compat import (
    Array,
    Namespace,
    array_namespace,
    array_or_none,
    device_of,
    is_dask_namespace,
)
from .._lib._dtypes import cast, compute_dtype, is_floating
from .._lib._hyper import Hyper, continuous, is_hyper_array
from .._lib._reduction import check_reduction, check_weights, reduce_loss
from .._lib._special import log_softmax, logsumexp, stop_gradient, take_along_axis
from .._lib._targets import broadcast_class_vector, class_target, poison
from .._lib._validation import (
    check_number,
    normalize_axis,
    require_static,
)
from ..classification._common import _class_weights, _index_loss, _prepare_softmax

__all__ = ["distance_weighted_cross_entropy", "topk_loss"]


def _no_dask(xp: Namespace, name: str) -> None:
    if is_dask_namespace(xp):
        raise NotImplementedError(
            f"{name} needs a sort along the pixels, which Dask arrays do not provide; "
            "compute the loss on NumPy, CuPy, PyTorch or JAX arrays"
        )


def _pixel_ce(
    logits: Array, target: Any, cw: Array | None, ax: int, eps: Hyper, xp: Namespace
) -> Array:
    """Label-smoothed cross-entropy per position (``logits``'s shape without ``ax``).

    Class weights enter only for probability targets, inside the sum over classes.
    """
    num_classes = int(logits.shape[ax])
    if not target.is_index:
        probs = target.values
        if is_hyper_array(eps) or eps > 0.0:
            probs = (1.0 - eps) * probs + eps / num_classes
        if cw is not None:
            probs = probs * broadcast_class_vector(cw, logits.ndim, ax, xp)
        return -xp.sum(probs * log_softmax(logits, ax, xp=xp), axis=ax)
    lse = logsumexp(logits, ax, xp=xp)
    nll = lse - take_along_axis(logits, target.values, ax, xp=xp)
    if is_hyper_array(eps) or eps > 0.0:
        # mean_c -log p_c = lse - mean_c x_c
        nll = (1.0 - eps) * nll + eps * (lse - xp.sum(logits, axis=ax) / num_classes)
    return nll


def topk_loss(
    logits: Array,
    labels: Array,
    *,
    k: float = 0.1,
    axis: int = -1,
    ignore_index: int | None = None,
    class_weights: Array | None = None,
    label_smoothing: float = 0.0,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Cross-entropy of the hardest fraction ``k`` of the pixels of each sample.

    .. math::

        \ell_n = \frac{\sum_{i \in T_n} w_{y_i}\, \mathrm{CE}_i}{\sum_{i \in T_n} w_{y_i}},
        \qquad T_n = \text{the } K \text{ largest } \mathrm{CE}_i
        \text{ of sample } n,\; K = \max(1, \lfloor k S \rfloor)

    with :math:`S` the number of positions of a sample and :math:`\mathrm{CE}_i`
    the (label-smoothed, unweighted) softmax cross-entropy of position :math:`i`.

    Use it when easy background pixels dominate the plain cross-entropy: only the
    pixels the model gets most wrong (bootstrapping, Wu et al. 2016; nnU-Net's
    ``TopKLoss``) produce gradient, so small or thin structures are not drowned out.

    Parameters
    ----------
    logits : array, shape (N, ..., C, ...)
        Logits; axis 0 is the sample axis, ``axis`` the class axis.
    labels : array
        Integer class indices (``logits``'s shape minus ``axis``) or probabilities
        (``logits``'s shape).
    k : float in (0, 1], default 0.1
        Fraction of each sample's positions kept. :math:`K` depends only on the
        static shape (no data-dependent shapes), so ``k`` sets a count and must be a
        static Python number (a traced array raises ``TypeError``).
    axis : int, default -1
        The class axis (not 0); PyTorch layouts pass ``axis=1``.
    ignore_index : int, optional
        Label whose positions are never selected and contribute nothing.
    class_weights : array, shape (C,), optional
        :math:`w_c`; the selected pixels' loss is the weighted mean (torch's
        cross-entropy convention). The ranking uses the unweighted loss.
    label_smoothing : float in [0, 1], default 0
        Mixes the target with the uniform distribution.
    weights : array, optional
        Per-sample weights, broadcasting against the ``"none"`` result ``(N,)``.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per sample.

    Returns
    -------
    array
        Scalar, or shape ``(N,)`` for ``reduction="none"``.

    Notes
    -----
    Ignored positions get the key :math:`-\infty` and sort last. A sample with fewer
    than :math:`K` valid positions averages over all of its valid ones; a sample
    with none gives 0 (zero gradient) and is left out of the ``"mean"`` over
    samples. nnU-Net selects the top :math:`k` percent over the *whole batch*
    (``k=10`` meaning 10 %); here the selection is per sample and ``k`` a fraction.
    Ties at the :math:`K`-th value are broken by position (a stable sort). Not
    available on Dask (no sort): ``NotImplementedError``.

    References
    ----------
    .. [1] Z. Wu, C. Shen, A. van den Hengel, "Bridging Category-level and
       Instance-level Semantic Image Segmentation", 2016.
       https://arxiv.org/abs/1605.06885
    .. [2] F. Isensee et al., "nnU-Net: a self-configuring method for deep
       learning-based biomedical image segmentation", Nature Methods 2021.
       https://doi.org/10.1038/s41592-020-01008-z

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> logits = np.log(np.array([[[0.5, 0.5], [0.9, 0.1], [0.2, 0.8], [0.25, 0.75]]]))
    >>> labels = np.array([[0, 0, 0, 1]])  # CE: ln 2, -ln 0.9, ln 5, -ln 0.75
    >>> al.topk_loss(logits, labels, k=0.5, reduction="none")  # (ln 5 + ln 2) / 2
    array([1.15129255])
    """
    xp = array_namespace(
        logits=logits,
        labels=labels,
        weights=weights,
        class_weights=array_or_none(class_weights),
        required=("logits", "labels"),
    )
    reduction = check_reduction(reduction)
    dtype = compute_dtype(logits, "logits", xp)
    ax = normalize_axis(axis, logits.ndim)
    if ax == 0:
        raise ValueError("axis must not be 0: axis 0 is the sample axis of topk_loss")
    logits = cast(logits, dtype, xp)
    target = class_target(logits, labels, ax, ignore_index=ignore_index, xp=xp)
    _no_dask(xp, "topk_loss")
    require_static(k, "k")
    k = check_number(k, "k", low=0.0, high=1.0, low_inclusive=False)
    eps = continuous(label_smoothing, "label_smoothing", logits, xp, low=0.0, high=1.0)
    num_classes = int(logits.shape[ax])
    cw = _class_weights(class_weights, target, num_classes, logits, ax, xp)
    dev = device_of(logits)
    ce = _pixel_ce(logits, target, None if target.is_index else cw, ax, eps, xp)
    n = int(ce.shape[0])
    s = math.prod([int(d) for d in ce.shape[1:]])
    count = max(1, int(k * s))
    ce = poison(ce, target.invalid, xp)
    ce = xp.reshape(ce, (n, s))
    one = xp.ones((), dtype=dtype, device=dev)
    zero = xp.zeros((), dtype=dtype, device=dev)
    w = xp.ones((n, s), dtype=dtype, device=dev)
    if cw is not None and target.is_index:
        w = xp.reshape(xp.take(cw, xp.reshape(target.values, (-1,)), axis=0), (n, s))
    keep = None if target.keep is None else xp.reshape(target.keep, (n, s))
    if keep is not None:
        w = xp.where(keep, w, zero)
    # rank on a detached key; ignored positions get -inf and sort last
    key = stop_gradient(ce, xp=xp)
    if keep is not None:
        key = xp.where(keep, key, xp.full((), -math.inf, dtype=dtype, device=dev))
    order = xp.argsort(key, axis=1, descending=True, stable=True)[:, :count]
    flat = order + xp.reshape(xp.arange(n, dtype=order.dtype, device=dev) * s, (n, 1))
    flat = xp.reshape(flat, (-1,))
    top_w = xp.reshape(xp.take(xp.reshape(w, (-1,)), flat, axis=0), (n, count))
    top_ce = xp.reshape(xp.take(xp.reshape(ce, (-1,)), flat, axis=0), (n, count))
    if keep is not None:
        # where, not w * ce: an ignored position's CE is never read (no 0 * NaN)
        top_ce = xp.where(top_w != 0, top_ce, zero)
    total = xp.sum(top_w, axis=1)
    valid = total != 0
    # double where: a sample with nothing selected gives 0/1, not 0/0
    loss = xp.sum(top_w * top_ce, axis=1) / xp.where(valid, total, one)
    check_weights(weights, (n,), xp)
    return reduce_loss(
        loss, reduction, xp=xp, weights=weights, mask=None if keep is None else valid
    )


def distance_weighted_cross_entropy(
    logits: Array,
    labels: Array,
    distance_map: Array,
    *,
    axis: int = -1,
    class_weights: Array | None = None,
    ignore_index: int | None = None,
    label_smoothing: float = 0.0,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Cross-entropy with each position weighted by :math:`1 + \phi` of a distance map.

    .. math::

        \ell_i = (1 + \phi_i)\, w_{y_i}\, \mathrm{CE}_i, \qquad
        \text{mean} = \frac{\sum_i \ell_i}{\sum_i w_{y_i}}

    with :math:`\phi` the given ``distance_map`` and :math:`\mathrm{CE}_i` the
    softmax cross-entropy of :func:`cross_entropy` (same class weights, ignore and
    smoothing semantics). As in the paper the mean divides by the number (or class
    weight) of positions, not by :math:`\sum (1 + \phi)`.

    Use it when errors far from (or close to) the object boundary should cost more
    than others: Caliva et al. penalise mistakes by their distance to the target's
    boundary, which sharpens thin, ambiguous structures (cartilage, vessels).

    Parameters
    ----------
    logits : array, shape (..., C, ...)
        Logits, class axis at ``axis``.
    labels : array
        Integer class indices (``logits``'s shape minus ``axis``) or probabilities.
    distance_map : array, shape ``logits.shape`` without ``axis``
        :math:`\phi \ge 0`, a preprocessing result: typically the Euclidean distance
        of each pixel to the target's boundary, computed from the label map (e.g.
        with ``scipy.ndimage.distance_transform_edt``) and possibly normalised. It is
        treated as a constant: no gradient flows into it.
    axis : int, default -1
        The class axis; PyTorch layouts pass ``axis=1``.
    class_weights : array, shape (C,), optional
        Per-class weight :math:`w_c`.
    ignore_index : int, optional
        Integer label whose positions contribute nothing.
    label_smoothing : float in [0, 1], default 0
        Mixes the target with the uniform distribution.
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
    The paper's code builds :math:`\phi` from the ground truth's distance transform
    and multiplies it into an unreduced cross-entropy; the map's scale is up to the
    user (a large :math:`\phi` makes the loss scale with image size). Passing
    ``distance_map`` as ``weights`` to :func:`cross_entropy` would instead normalise
    by :math:`\sum (1 + \phi)`.

    References
    ----------
    .. [1] F. Caliva, C. Iriondo, A. M. Martinez, S. Majumdar, V. Pedoia, "Distance
       Map Loss Penalty Term for Semantic Segmentation", MIDL 2019.
       https://arxiv.org/abs/1908.03679

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> logits = np.log(np.array([[0.5, 0.5], [0.8, 0.2]]))
    >>> phi = np.array([1.0, 0.0])
    >>> al.distance_weighted_cross_entropy(logits, np.array([0, 0]), phi, reduction="none")
    array([1.38629436, 0.22314355])
    """
    logits, target, ax, xp, reduction = _prepare_softmax(
        logits,
        labels,
        axis,
        ignore_index,
        weights,
        reduction,
        {"class_weights": array_or_none(class_weights), "distance_map": distance_map},
    )
    unreduced = tuple(logits.shape[:ax]) + tuple(logits.shape[ax + 1 :])
    if not is_floating(distance_map, xp):
        raise TypeError(f"distance_map must be a floating array, got dtype {distance_map.dtype}")
    if tuple(distance_map.shape) != unreduced:
        raise ValueError(
            f"distance_map must have logits's shape without the class axis {axis}, "
            f"{unreduced}; got {tuple(distance_map.shape)}"
        )
    eps = continuous(label_smoothing, "label_smoothing", logits, xp, low=0.0, high=1.0)
    num_classes = int(logits.shape[ax])
    cw = _class_weights(class_weights, target, num_classes, logits, ax, xp)
    factor = 1.0 + stop_gradient(cast(distance_map, logits.dtype, xp), xp=xp)
    if not target.is_index:
        probs = target.values
        if is_hyper_array(eps) or eps > 0.0:
            probs = (1.0 - eps) * probs + eps / num_classes
        if cw is not None:
            probs = probs * broadcast_class_vector(cw, logits.ndim, ax, xp)
        loss = -xp.sum(probs * log_softmax(logits, ax, xp=xp), axis=ax) * factor
        return reduce_loss(loss, reduction, xp=xp, weights=weights)
    lse = logsumexp(logits, ax, xp=xp)
    nll = (lse - take_along_axis(logits, target.values, ax, xp=xp)) * factor
    smooth = None
    if is_hyper_array(eps) or eps > 0.0:
        if cw is None:
            smooth = lse - xp.sum(logits, axis=ax) / num_classes
        else:
            cwb = broadcast_class_vector(cw, logits.ndim, ax, xp)
            smooth = (lse * xp.sum(cw) - xp.sum(cwb * logits, axis=ax)) / num_classes
        smooth = smooth * factor
    return _index_loss(nll, target, cw, None, smooth, eps, weights, reduction, xp)
