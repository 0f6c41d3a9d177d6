"""Boundary-level losses of the segmentation survey that move predicted boundaries."""

from __future__ import annotations

from typing import Any

from ._distance import distance_map
from ._lib._compat import Array, Namespace, array_namespace, array_or_none, device_of
from ._lib._dtypes import cast, compute_dtype, is_floating
from ._lib._primitives import log_softmax, logsumexp, one_hot, stop_gradient
from ._lib._reduction import check_reduction, check_weights, reduce_loss
from ._lib._targets import class_target, poison
from ._lib._validation import check_number, normalize_axis

__all__ = ["active_boundary_loss"]

# the 8 neighbours of a pixel, in a fixed order: ties in the target direction go to the first
_OFFSETS = ((-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1))


def _window(x: Array, dy: int, dx: int) -> Array:
    """``x[:, 1 + dy : H - 1 + dy, 1 + dx : W - 1 + dx, ...]``: the interior moved by one step."""
    h, w = int(x.shape[1]), int(x.shape[2])
    index: tuple[Any, ...] = (
        slice(None),
        slice(1 + dy, h - 1 + dy),
        slice(1 + dx, w - 1 + dx),
        Ellipsis,
    )
    return x[index]


def _pad_interior(x: Array, fill: Array, xp: Namespace) -> Array:
    """Put an interior ``(N, H-2, W-2)`` map back into ``(N, H, W)``, ``fill`` on the rim."""
    n, h, w = int(x.shape[0]), int(x.shape[1]), int(x.shape[2])
    col = xp.broadcast_to(fill, (n, h, 1))
    x = xp.concat([col, x, col], axis=2)
    row = xp.broadcast_to(fill, (n, 1, w + 2))
    return xp.concat([row, x, row], axis=1)


def _gt_boundary_distance(index: Array, dtype: Any, xp: Namespace) -> Array:
    """Distance of every pixel to the nearest ground-truth boundary pixel, ``(N, H, W)``.

    A boundary pixel has a 4-neighbour with another label; with no boundary in an
    image (a single class) every distance is 0.
    """
    h, w = int(index.shape[1]), int(index.shape[2])
    false = xp.zeros((), dtype=xp.bool, device=device_of(index))
    vert = index[:, 1:, :] != index[:, : h - 1, :]
    horz = index[:, :, 1:] != index[:, :, : w - 1]
    rows = xp.broadcast_to(false, (int(index.shape[0]), 1, w))
    cols = xp.broadcast_to(false, (int(index.shape[0]), h, 1))
    boundary = (
        xp.concat([vert, rows], axis=1)
        | xp.concat([rows, vert], axis=1)
        | xp.concat([horz, cols], axis=2)
        | xp.concat([cols, horz], axis=2)
    )
    # a floating mask: the map comes back in its dtype (a boolean one gives float32)
    return distance_map(cast(xp.logical_not(boundary), dtype, xp), axes=(1, 2))


def active_boundary_loss(
    logits: Array,
    labels: Array,
    *,
    distance: Array | None = None,
    axis: int = -1,
    from_logits: bool = True,
    epsilon: float = 1e-5,
    theta: float = 20.0,
    ignore_index: int | None = None,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Active boundary loss: push predicted boundaries toward the ground-truth ones.

    .. math::

        \ell = \frac{1}{|B|} \sum_{i \in B} \Lambda(M_i)\,
               \Big(\log \sum_{k=1}^{8} e^{\mathrm{KL}(P_i \| P_{i+k})}
                    - \mathrm{KL}(P_i \| P_{i+k^*_i})\Big),
        \qquad k^*_i = \arg\min_k M_{i+k},\quad
        \Lambda(x) = \frac{\min(x, \theta)}{\theta}

    with :math:`P_i` the predicted class distribution of pixel :math:`i`, :math:`i+k`
    its 8 neighbours, :math:`M` the distance to the nearest ground-truth boundary
    pixel and :math:`B` the predicted boundary: the pixels with
    :math:`\max_k \mathrm{KL}(P_i \| P_{i+k}) > \epsilon`. The softmax over the 8
    KL divergences is the predicted direction, and the cross-entropy makes the
    divergence largest toward the neighbour nearest the true boundary, so the
    predicted boundary moves there.

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
        :math:`M`, the distance of every pixel to the ground-truth boundary. Default:
        computed from ``labels`` with :func:`distance_map` (a boundary pixel has a
        4-neighbour of another class); a preprocessing step, no gradient.
    axis : int, default -1
        The class axis (not 0).
    from_logits : bool, default True
        Whether ``logits`` are logits or probabilities.
    epsilon : float >= 0, default 1e-5
        :math:`\epsilon`, the KL threshold that defines the predicted boundary.
    theta : float > 0, default 20.0
        :math:`\theta`, the distance at which the weight :math:`\Lambda` saturates.
    ignore_index : int, optional
        A pixel counts only if no label in its 3x3 window is ``ignore_index``.
    weights : array, optional
        Broadcasts against the ``"none"`` result, shape (N, H, W).
    reduction : {"mean", "sum", "none"}
        ``"mean"`` averages over the predicted boundary pixels of the whole batch, as
        the paper; ``"none"`` returns the per-pixel map ``(N, H, W)``, 0 off ``B``.

    Returns
    -------
    array
        Scalar, or ``(N, H, W)`` for ``reduction="none"``.

    Notes
    -----
    The paper chooses :math:`\epsilon` per image so that at most 1 % of the pixels are
    boundary pixels; that adapts a threshold to the data (a host loop), so here
    :math:`\epsilon` is a fixed hyperparameter. The reference code's label smoothing
    of the target direction is not in the paper's loss and is left out. Pixels on the
    image rim (fewer than 8 neighbours) are never boundary pixels. Ties in
    :math:`k^*` go to the first neighbour in row-major order. The KL divergences use
    log-probabilities (``log_softmax``); probabilities are floored at the dtype's
    smallest normal number before the log, so 0 stays finite. Gradients flow
    through both distributions of every divergence; none flows through the boundary
    set, the target direction or :math:`M`. A batch without boundary pixels gives 0
    with zero gradient. An out-of-range label makes the loss NaN.

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
    >>> p[0, 1, 2] = [0.8, 0.2]  # only the right neighbour of the centre differs
    >>> labels = np.array([[[0, 0, 1], [0, 0, 1], [0, 0, 1]]])
    >>> dist = np.full((1, 3, 3), 40.0)
    >>> dist[0, 1, 2] = 0.0
    >>> loss = al.active_boundary_loss(p, labels, distance=dist, from_logits=False)
    >>> round(float(loss), 6)  # KL = log 1.25 to the right, 0 elsewhere: log(8.25 / 1.25)
    1.88707
    """
    xp = array_namespace(
        logits=logits,
        labels=labels,
        distance=array_or_none(distance),
        weights=weights,
        required=("logits", "labels"),
    )
    reduction = check_reduction(reduction)
    epsilon = check_number(epsilon, "epsilon", low=0.0)
    theta = check_number(theta, "theta", low=0.0, low_inclusive=False)
    dtype = compute_dtype(logits, "logits", xp)
    logits = cast(logits, dtype, xp)
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
    if h < 3 or w < 3:
        raise ValueError(f"active_boundary_loss needs H, W >= 3, got spatial shape {(h, w)}")
    if from_logits:
        logp = log_softmax(x, -1, xp=xp)
    else:
        tiny = xp.asarray(xp.finfo(dtype).smallest_normal, dtype=dtype, device=device_of(x))
        logp = xp.log(xp.maximum(x, tiny))
    p = xp.exp(logp)
    if distance is None:
        dist = _gt_boundary_distance(index, dtype, xp)
    else:
        if not is_floating(distance, xp) or tuple(distance.shape) != (n, h, w):
            raise ValueError(
                f"distance must be a floating array of shape {(n, h, w)}, got "
                f"{distance.dtype} of shape {tuple(distance.shape)}"
            )
        dist = cast(distance, dtype, xp)
    dist = stop_gradient(dist, xp=xp)
    centre_p, centre_logp = _window(p, 0, 0), _window(logp, 0, 0)
    # KL(P_i || P_j) = sum_c p_ic (log p_ic - log p_jc): log-probabilities, no log(0)
    kl = xp.stack(
        [xp.sum(centre_p * (centre_logp - _window(logp, dy, dx)), axis=-1) for dy, dx in _OFFSETS],
        axis=-1,
    )
    near = xp.stack([_window(dist, dy, dx) for dy, dx in _OFFSETS], axis=-1)
    direction = one_hot(xp.argmin(near, axis=-1), 8, -1, dtype=dtype, xp=xp)
    # cross-entropy of softmax(kl) against the one-hot direction: logsumexp - picked logit
    ce = logsumexp(kl, axis=-1, xp=xp) - xp.sum(direction * kl, axis=-1)
    lam = xp.minimum(_window(dist, 0, 0), xp.asarray(theta, dtype=dtype, device=device_of(x)))
    loss = lam / theta * ce
    # not (max <= eps) rather than max > eps: a NaN divergence must stay in the mean
    on_boundary = xp.logical_not(xp.max(stop_gradient(kl, xp=xp), axis=-1) <= epsilon)
    if target.keep is not None:
        for dy, dx in ((0, 0), *_OFFSETS):
            on_boundary = on_boundary & _window(target.keep, dy, dx)
    zero = xp.zeros((), dtype=dtype, device=device_of(x))
    loss = _pad_interior(loss, zero, xp)
    mask = _pad_interior(on_boundary, xp.zeros((), dtype=xp.bool, device=device_of(x)), xp)
    if target.invalid is not None:
        loss = poison(loss, target.invalid, xp)
        mask = mask | target.invalid
    check_weights(weights, (n, h, w), xp)
    return reduce_loss(loss, reduction, xp=xp, weights=weights, mask=mask)
