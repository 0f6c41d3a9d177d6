"""Boundary-level losses of the segmentation survey: active and conditional boundary losses."""

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
from .._lib._hyper import Hyper, continuous, hyper_array
from .._lib._reduction import check_reduction, check_weights, reduce_loss
from .._lib._special import log_softmax, logsumexp, one_hot, stop_gradient
from .._lib._targets import class_target, poison
from .._lib._validation import check_number, normalize_axis, require_static
from ._distance import distance_map

__all__ = ["active_boundary_loss"]


# (row, column) steps to the 8 neighbours in the order of the authors' code: the
# target direction is the first nearest one, so this order breaks ties as theirs does
_OFFSETS = ((1, 0), (-1, 0), (0, -1), (0, 1), (-1, 1), (1, 1), (-1, -1), (1, -1))
# the authors' adaptive threshold starts at 1e-5 and grows by this factor
_GROWTH = 1.2


def _pad(x: Array, xp: Namespace, fill: Array | None = None) -> Array:
    """Pad axes 1 and 2 of ``x`` by one: with ``fill``, or by repeating the edge."""
    if fill is None:
        x = xp.concat([x[:, :1, ...], x, x[:, -1:, ...]], axis=1)
        return xp.concat([x[:, :, :1, ...], x, x[:, :, -1:, ...]], axis=2)
    n, h, w = (int(s) for s in x.shape[:3])
    rows = xp.broadcast_to(fill, (n, 1, w, *x.shape[3:]))
    x = xp.concat([rows, x, rows], axis=1)
    cols = xp.broadcast_to(fill, (n, h + 2, 1, *x.shape[3:]))
    return xp.concat([cols, x, cols], axis=2)


def _step(padded: Array, dy: int, dx: int) -> Array:
    """The neighbour ``(dy, dx)`` of every pixel, from a map padded by :func:`_pad`."""
    h, w = int(padded.shape[1]) - 2, int(padded.shape[2]) - 2
    index: tuple[Any, ...] = (
        slice(None),
        slice(1 + dy, 1 + dy + h),
        slice(1 + dx, 1 + dx + w),
        Ellipsis,
    )
    return padded[index]


def _next_differs(x: Array, axis: int, xp: Namespace, flag: Array | None = None) -> Array:
    """Whether the next pixel along ``axis`` (1 or 2) differs, or is ``flag``ged;
    False on the last one."""
    n = int(x.shape[axis])
    if axis == 1:
        diff, last = x[:, 1:, ...] != x[:, : n - 1, ...], x[:, :1, ...] != x[:, :1, ...]
        if flag is not None:
            diff = diff | flag[:, 1:, ...]
    else:
        diff, last = x[:, :, 1:] != x[:, :, : n - 1], x[:, :, :1] != x[:, :, :1]
        if flag is not None:
            diff = diff | flag[:, :, 1:]
    return xp.concat([diff, last], axis=axis)


def _gt_boundary_distance(index: Array, ignored: Array | None, dtype: Any, xp: Namespace) -> Array:
    """:math:`M`: distance to the ground-truth boundary less one pixel, at least 0.

    As the authors' code: a boundary pixel's label differs from the one below or to
    its right, ignored pixels count as boundary, and the map is their signed distance
    map's outside part, the Euclidean distance minus one. Without a boundary in an
    image, 0 everywhere (weight 0: nothing to move toward).
    """
    # an ignored label differs from every kept one: its upper and left neighbours are
    # boundary too, as with the raw labels of the authors' code
    boundary = _next_differs(index, 1, xp, ignored) | _next_differs(index, 2, xp, ignored)
    if ignored is not None:
        boundary = boundary | ignored
    # a floating mask: the map comes back in its dtype (a boolean one gives float32)
    dist = distance_map(cast(xp.logical_not(boundary), dtype, xp), axes=(1, 2))
    zero = xp.zeros((), dtype=dtype, device=device_of(dist))
    return xp.maximum(dist - 1, zero)


def _threshold(kl: Array, epsilon: Hyper, max_ratio: float, xp: Namespace) -> Array:
    """Per image, the smallest ``epsilon * 1.2**k`` that leaves at most
    ``floor(max_ratio * H * W)`` pixels above it, shape ``(N, 1, 1)``.

    The authors grow the threshold in a host loop; here in closed form: at most ``m``
    values exceed ``t`` iff the ``(m+1)``-th largest ``v`` is ``<= t``, so
    ``k = ceil(log(v / epsilon) / log 1.2)`` (0 when ``v <= epsilon``).
    """
    n, h, w = (int(s) for s in kl.shape)
    m = math.floor(max_ratio * h * w)
    dev = device_of(kl)
    eps = hyper_array(epsilon, kl, xp)
    if m >= h * w:
        return xp.broadcast_to(eps, (n, 1, 1))
    ranked = xp.sort(xp.reshape(kl, (n, h * w)), axis=-1, descending=True)
    v = ranked[:, m : m + 1]
    above = v > eps
    # double-where: the log only sees values above epsilon
    ratio = xp.where(above, v, eps) / eps
    k = xp.where(above, xp.ceil(xp.log(ratio) / math.log(_GROWTH)), xp.zeros_like(v))
    t = eps * xp.asarray(_GROWTH, dtype=kl.dtype, device=dev) ** k
    # a rounding of the power just below v takes one more step
    t = xp.where(t < v, t * _GROWTH, t)
    return xp.reshape(t, (n, 1, 1))


def _predicted_boundary(
    logp: Array, epsilon: Hyper, max_ratio: float | None, xp: Namespace
) -> Array:
    """The predicted boundary of the authors' code, boolean ``(N, H, W)``.

    A seed pixel has ``KL(P_i || P_below) + KL(P_i || P_right) > epsilon`` (no term for
    a neighbour outside the image); the boundary is the seeds dilated by a 3x3 square.
    """
    p = xp.exp(logp)
    zero = xp.zeros((), dtype=logp.dtype, device=device_of(logp))
    h, w = int(logp.shape[1]), int(logp.shape[2])
    down = xp.sum(p[:, : h - 1, ...] * (logp[:, : h - 1, ...] - logp[:, 1:, ...]), axis=-1)
    right = xp.sum(p[:, :, : w - 1, :] * (logp[:, :, : w - 1, :] - logp[:, :, 1:, :]), axis=-1)
    n = int(logp.shape[0])
    down = xp.concat([down, xp.broadcast_to(zero, (n, 1, w))], axis=1)
    right = xp.concat([right, xp.broadcast_to(zero, (n, h, 1))], axis=2)
    kl = down + right
    if max_ratio is None:
        eps: Array = hyper_array(epsilon, logp, xp)
    else:
        eps = _threshold(kl, epsilon, max_ratio, xp)
    # not (kl <= eps) rather than kl > eps: a NaN divergence stays in the loss
    seed = _pad(xp.logical_not(kl <= eps), xp, xp.zeros((), dtype=xp.bool, device=device_of(kl)))
    out = _step(seed, 0, 0)
    for dy, dx in _OFFSETS:
        out = out | _step(seed, dy, dx)
    return out


def active_boundary_loss(
    logits: Array,
    labels: Array,
    *,
    distance: Array | None = None,
    axis: int = -1,
    from_logits: bool = True,
    epsilon: float = 1e-5,
    max_ratio: float | None = 0.01,
    theta: float = 20.0,
    label_smoothing: float = 0.2,
    detach: bool = True,
    ignore_index: int | None = None,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Active boundary loss: move predicted boundaries toward the ground-truth ones.

    .. math::

        \ell = \frac{1}{|B|} \sum_{i \in B} \frac{\min(M_i, \theta)}{\theta}\,
               \mathrm{CE}\Big(\mathrm{softmax}_k\, \mathrm{KL}(P_{i+k} \,\|\, P_i),\;
               \tilde{\mathbf{1}}_{k^*_i}\Big),
        \qquad k^*_i = \arg\min_{k} M_{i+k}

    with :math:`P_i` the predicted class distribution of pixel :math:`i`, :math:`i+k`
    its 8 neighbours, :math:`M` the distance map of the ground-truth boundary,
    :math:`\tilde{\mathbf{1}}_{k^*}` the label-smoothed one-hot target direction and
    :math:`B` the predicted boundary (below). The softmax over the 8 divergences is
    the predicted direction; the cross-entropy makes the divergence largest toward
    the neighbour nearest the true boundary, so the predicted boundary moves there.

    Use it beside cross-entropy when region scores are good but boundaries are
    blurred or misplaced: it acts only on the predicted boundary pixels, far fewer
    than the interior ones that dominate a per-pixel loss.

    Parameters
    ----------
    logits : array, shape (N, H, W, C) for ``axis=-1`` (any class axis but 0)
        Logits (probabilities when ``from_logits=False``); 2-D images only.
    labels : array
        Integer class indices (``logits``'s shape without ``axis``) or one-hot /
        probabilities of ``logits``'s shape (their argmax defines the boundary).
    distance : array, shape (N, H, W), optional
        :math:`M`. Default: from ``labels`` as the authors' code computes it (Notes);
        a preprocessing step, no gradient.
    axis : int, default -1
        The class axis (not 0).
    from_logits : bool, default True
        Whether ``logits`` are logits or probabilities.
    epsilon : float >= 0, default 1e-5
        :math:`\epsilon`, the (starting) KL threshold of the predicted boundary.
    max_ratio : float in (0, 1] or None, default 0.01
        Raise :math:`\epsilon` per image by factors of 1.2 until at most this fraction
        of its pixels are boundary seeds, as the paper. ``None`` keeps
        :math:`\epsilon` fixed (and works on Dask, which cannot sort). Static: it
        sets a count (the rank read from the sorted divergences), so a traced array
        raises ``TypeError`` ("must be static").
    theta : float > 0, default 20.0
        :math:`\theta`, the distance at which the weight saturates.
    label_smoothing : float in [0, 1), default 0.2
        :math:`s`: the target direction gets :math:`1 - s` and every other one
        :math:`s / 8`, as the authors' code (its default 0.2; the paper does not
        mention smoothing). 0 gives the plain cross-entropy.
    detach : bool, default True
        Stop the gradient through the neighbour :math:`P_{i+k}` of every divergence,
        as the paper and the authors' code (``isdetach=True``), so only the centre
        pixel moves; the gradient is then not the derivative of the value. ``False``
        lets both sides move (and makes the gradient the value's derivative).
    ignore_index : int, optional
        A pixel counts only if no label in its 3x3 window is ``ignore_index``;
        ignored pixels count as ground-truth boundary in the default :math:`M`.
    weights : array, optional
        Broadcasts against the ``"none"`` result, shape (N, H, W).
    reduction : {"mean", "sum", "none"}
        ``"mean"`` averages over :math:`B` of the whole batch, as the authors' code;
        ``"none"`` returns the per-pixel map ``(N, H, W)``, 0 off :math:`B`.

    Returns
    -------
    array
        Scalar, or ``(N, H, W)`` for ``reduction="none"``.

    Notes
    -----
    Everything follows the authors' released code (``abl.py``) unless said here.
    Predicted boundary: the seeds are the pixels with
    :math:`\mathrm{KL}(P_i \| P_{\text{below}}) + \mathrm{KL}(P_i \| P_{\text{right}})
    > \epsilon`, dilated by a 3x3 square. The code raises :math:`\epsilon` until the
    seeds of the whole batch number at most 1 % of one image's pixels; here each
    image gets its own threshold (1 % of its pixels, as the paper says), computed in
    closed form with a sort, so ``max_ratio`` is unavailable on Dask
    (``NotImplementedError``). Ground-truth boundary: a pixel whose label differs
    from the one below or to its right; :math:`M` is its Euclidean distance map
    minus one pixel, clipped at 0 (the code's signed-distance helper); an image
    without a boundary gets :math:`M = 0`. Direction: :math:`k^*` is the first
    neighbour, in the code's order, with the smallest :math:`M` (neighbours outside
    the image never), and a pixel whose own :math:`M` is smaller than all its
    neighbours' is left out of :math:`B`. Outside the image the distributions
    repeat the edge pixel's. Only the centre distribution :math:`P_i` of each
    divergence receives a gradient by default (``detach``); none flows
    through :math:`B`, :math:`k^*` or :math:`M`. A batch without boundary pixels
    gives 0 with zero gradient (the code returns ``None``). The divergences use
    log-probabilities; with ``from_logits=False`` probabilities are floored at the
    dtype's smallest normal number before the log, so 0 stays finite. An
    out-of-range label makes the loss NaN.

    References
    ----------
    .. [1] C. Wang, Y. Zhang, M. Cui, P. Ren, Y. Yang, X. Xie, X.-S. Hua, H. Bao,
       W. Xu, "Active Boundary Loss for Semantic Segmentation", AAAI 2022.
       https://arxiv.org/abs/2102.02696
    .. [2] R. Azad et al., "Loss Functions in the Era of Semantic Segmentation: A
       Survey and Outlook", 2023. https://arxiv.org/abs/2312.05391

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> p = np.full((1, 3, 3, 2), 0.5)
    >>> p[0, 1, 2] = [0.8, 0.2]
    >>> dist = np.full((1, 3, 3), 40.0)
    >>> dist[0, 1, 2] = 0.0  # every pixel next to (1, 2) points there
    >>> loss = al.active_boundary_loss(
    ...     p, np.zeros((1, 3, 3), dtype=int), distance=dist, from_logits=False,
    ...     max_ratio=None, label_smoothing=0.0)
    >>> round(float(loss), 6)
    1.981755
    """
    xp = array_namespace(
        logits=logits,
        labels=labels,
        distance=array_or_none(distance),
        weights=weights,
        required=("logits", "labels"),
    )
    reduction = check_reduction(reduction)
    if max_ratio is not None:
        require_static(max_ratio, "max_ratio")
        max_ratio = check_number(max_ratio, "max_ratio", low=0.0, high=1.0, low_inclusive=False)
        if is_dask_namespace(xp):
            raise NotImplementedError(
                "active_boundary_loss with max_ratio sorts each image's divergences, which "
                "Dask arrays do not provide; pass max_ratio=None (a fixed epsilon) or use "
                "NumPy, CuPy, PyTorch or JAX arrays"
            )
    dtype = compute_dtype(logits, "logits", xp)
    logits = cast(logits, dtype, xp)
    epsilon = continuous(epsilon, "epsilon", logits, xp, low=0.0)
    theta = continuous(theta, "theta", logits, xp, low=0.0, low_inclusive=False)
    smooth = continuous(
        label_smoothing, "label_smoothing", logits, xp, low=0.0, high=1.0, high_inclusive=False
    )
    if logits.ndim != 4:
        raise ValueError(
            "active_boundary_loss needs 2-D images: logits of shape (N, H, W, C) with "
            f"the class axis anywhere but 0, got shape {tuple(logits.shape)}"
        )
    ax = normalize_axis(axis, logits.ndim)
    if ax == 0:
        raise ValueError("axis must not be 0: axis 0 is the sample axis")
    target = class_target(logits, labels, ax, ignore_index=ignore_index, xp=xp)
    order = (*tuple(d for d in range(4) if d != ax), ax)
    x = xp.permute_dims(logits, order)
    if target.is_index:
        index = target.values
    else:
        index = xp.argmax(xp.permute_dims(target.values, order), axis=-1)
    n, h, w = (int(s) for s in x.shape[:3])
    if h < 2 or w < 2:
        raise ValueError(f"active_boundary_loss needs H, W >= 2, got spatial shape {(h, w)}")
    dev = device_of(x)
    if from_logits:
        logp = log_softmax(x, -1, xp=xp)
    else:
        tiny = xp.asarray(xp.finfo(dtype).smallest_normal, dtype=dtype, device=dev)
        logp = xp.log(xp.maximum(x, tiny))
    ignored = None if target.keep is None else xp.logical_not(target.keep)
    if distance is None:
        dist = _gt_boundary_distance(index, ignored, dtype, xp)
    else:
        if not is_floating(distance, xp) or tuple(distance.shape) != (n, h, w):
            raise ValueError(
                f"distance must be a floating array of shape {(n, h, w)}, got "
                f"{distance.dtype} of shape {tuple(distance.shape)}"
            )
        dist = cast(distance, dtype, xp)
    dist = stop_gradient(dist, xp=xp)
    on_boundary = _predicted_boundary(stop_gradient(logp, xp=xp), epsilon, max_ratio, xp)
    # the direction: nearest neighbour to the boundary; outside the image never
    far = xp.asarray(xp.finfo(dtype).max, dtype=dtype, device=dev)
    dist_pad = _pad(dist, xp, far)
    near = xp.stack([*(_step(dist_pad, dy, dx) for dy, dx in _OFFSETS), dist], axis=-1)
    k = xp.argmin(near, axis=-1)
    moves = k != 8
    k = xp.where(moves, k, xp.zeros_like(k))
    # KL(P_j || P_i) = sum_c p_jc (log p_jc - log p_ic); the neighbour j detached or not
    nb = _pad(stop_gradient(logp, xp=xp) if detach else logp, xp)
    kl = xp.stack(
        [
            xp.sum(xp.exp(q) * (q - logp), axis=-1)
            for q in (_step(nb, dy, dx) for dy, dx in _OFFSETS)
        ],
        axis=-1,
    )
    hot = one_hot(k, 8, -1, dtype=dtype, xp=xp)
    t = hot * (1.0 - smooth) + (1.0 - hot) * (smooth / 8.0)
    # smoothed cross-entropy of softmax(kl): sum_k t_k (logsumexp(kl) - kl_k)
    ce = xp.sum(t * (logsumexp(kl, -1, xp=xp, keepdims=True) - kl), axis=-1)
    lam = xp.minimum(dist, hyper_array(theta, dist, xp)) / theta
    loss = lam * ce
    mask = on_boundary & moves
    if target.keep is not None:
        keep = _pad(target.keep, xp)
        for dy, dx in ((0, 0), *_OFFSETS):
            mask = mask & _step(keep, dy, dx)
    zero = xp.zeros((), dtype=dtype, device=dev)
    loss = xp.where(mask, loss, zero)
    if target.invalid is not None:
        loss = poison(loss, target.invalid, xp)
        mask = mask | target.invalid
    check_weights(weights, (n, h, w), xp)
    return reduce_loss(loss, reduction, xp=xp, weights=weights, mask=mask)
