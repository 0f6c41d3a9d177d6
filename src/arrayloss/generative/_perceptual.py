"""Perceptual (feature-matching, LPIPS-style) and style (Gram-matrix) losses on the
feature maps of the user's own network.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._lib._compat import Array, Namespace, array_namespace, device_of, is_array
from .._lib._dtypes import cast, compute_dtype
from .._lib._hyper import Hyper, continuous
from .._lib._reduction import check_reduction, check_weights, reduce_loss
from .._lib._special import safe_sqrt
from .._lib._validation import check_choice, normalize_axis, require_static

__all__ = ["perceptual_loss", "style_loss"]


def _layers(
    features_pred: Array | Sequence[Array],
    features_target: Array | Sequence[Array],
    layer_weights: float | Array | Sequence[float | Array] | None,
    weights: Array | None,
    name: str,
) -> tuple[list[Array], list[Array], list[Hyper], Namespace, object]:
    one_pred = not isinstance(features_pred, list | tuple)
    if one_pred != (not isinstance(features_target, list | tuple)):
        raise TypeError(
            f"features_pred and features_target of {name} must both be feature arrays or "
            f"both sequences of them, got {type(features_pred).__name__} and "
            f"{type(features_target).__name__}"
        )
    if one_pred:  # one layer
        features_pred, features_target = [features_pred], [features_target]
    if len(features_pred) != len(features_target) or not features_pred:
        raise ValueError(
            f"{name} needs one target feature map per predicted one (at least one), got "
            f"{len(features_pred)} and {len(features_target)}"
        )
    arrays = {f"features_pred[{i}]": a for i, a in enumerate(features_pred)}
    arrays.update({f"features_target[{i}]": a for i, a in enumerate(features_target)})
    xp = array_namespace(weights=weights, **arrays)
    dtype = compute_dtype(features_pred[0], "features_pred[0]", xp)
    preds, targets = [], []
    batch: int = 0
    for i, (p, t) in enumerate(zip(features_pred, features_target, strict=True)):
        compute_dtype(p, f"features_pred[{i}]", xp)
        compute_dtype(t, f"features_target[{i}]", xp)
        if tuple(p.shape) != tuple(t.shape):
            raise ValueError(
                f"features_pred[{i}] and features_target[{i}] must have one shape, got "
                f"{tuple(p.shape)} and {tuple(t.shape)}"
            )
        if p.ndim < 2:
            raise ValueError(f"features_pred[{i}] must be (N, ..., C), got shape {tuple(p.shape)}")
        if i > 0 and p.shape[0] != batch:
            raise ValueError(
                f"every feature map must have one batch size, got {batch} and {p.shape[0]}"
            )
        batch = int(p.shape[0])
        preds.append(cast(p, dtype, xp))
        targets.append(cast(t, dtype, xp))
    lw = _layer_weights(layer_weights, len(preds), preds[0], xp)
    check_weights(weights, (batch,), xp)
    return preds, targets, lw, xp, dtype


def _layer_weights(
    layer_weights: float | Array | Sequence[float | Array] | None,
    count: int,
    like: Array,
    xp: Namespace,
) -> list[Hyper]:
    """One checked continuous weight per layer.

    ``None``: 1 each; a number or a scalar array: that weight for every layer; a
    sequence of numbers or scalar arrays, or a 1-D array: one per layer. Arrays may be
    traced (a schedule under ``jax.jit``) or learned (a torch tensor with a gradient).
    """
    if layer_weights is None:
        return [1.0] * count
    arr: Any = layer_weights
    if is_array(arr) and len(tuple(arr.shape)) == 1:
        given = int(arr.shape[0])
        items: list[object] = [arr[i] for i in range(given)]
    elif is_array(layer_weights) or not isinstance(layer_weights, list | tuple):
        return [continuous(layer_weights, "layer_weights", like, xp, low=0.0)] * count
    else:
        given, items = len(layer_weights), list(layer_weights)
    if given != count:
        raise ValueError(f"layer_weights must hold one weight per layer ({count}), got {given}")
    return [continuous(w, f"layer_weights[{i}]", like, xp, low=0.0) for i, w in enumerate(items)]


def _unit(f: Array, ax: int, xp: Namespace) -> Array:
    """``f / ||f||`` along the channel axis, 0 where the norm is 0, finite gradient."""
    norm = safe_sqrt(xp.sum(f * f, axis=ax, keepdims=True), xp=xp)
    positive = xp.logical_not(norm <= 0)  # a NaN feature stays NaN
    one = xp.ones((), dtype=f.dtype, device=device_of(f))
    # LPIPS's f / (sqrt(sum f^2) + eps) has a NaN gradient at f = 0 (d sqrt at 0)
    return xp.where(positive, f / xp.where(positive, norm, one), xp.zeros_like(f))


def perceptual_loss(
    features_pred: Array | Sequence[Array],
    features_target: Array | Sequence[Array],
    *,
    layer_weights: float | Array | Sequence[float | Array] | None = None,
    channel_weights: Sequence[Array] | None = None,
    normalize: bool = True,
    distance: str = "l2",
    axis: int = -1,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Perceptual loss: weighted distance between two images' deep feature maps, per layer.

    .. math::

        \ell_i = \sum_l \lambda_l \operatorname{mean}_{p}
            \sum_c w_{lc}\, d\bigl(\hat\phi_l(x_i)_{pc}, \hat\phi_l(y_i)_{pc}\bigr)

    with :math:`\hat\phi` the features unit-normalised over channels at each
    position (``normalize=True``), :math:`d` the squared (``"l2"``) or absolute
    (``"l1"``) difference, :math:`w_{lc}` the channel weights (1 if not given) and
    :math:`\lambda_l` the layer weights. LPIPS (Zhang et al. 2018) is this with
    ``normalize=True``, ``distance="l2"`` and its learned non-negative
    ``channel_weights``; Johnson et al.'s feature reconstruction loss is
    ``normalize=False`` (a mean over positions and channels is this divided by C).

    arrayloss ships no network weights and downloads nothing: pass the feature
    maps of your own (frozen) network. The unit normalisation's norm has a
    guarded gradient: an all-zero feature vector (common after a ReLU) gives 0,
    not the NaN gradient of LPIPS's ``f / (sqrt(sum f^2) + eps)``; identical
    features give a zero, finite gradient.

    Parameters
    ----------
    features_pred, features_target : array or sequence of arrays, each (N, ..., C, ...)
        One feature map per layer (an array alone is one layer), of one shape per
        layer; channel axis at ``axis``.
    layer_weights : float, scalar array, sequence of them, or 1-D array, optional
        :math:`\lambda_l`, one per layer (a single number weights every layer);
        default 1 each. Arrays may be traced or carry a gradient.
    channel_weights : sequence of arrays, optional
        One array of shape (C_l,) per layer (LPIPS's linear heads).
    normalize : bool, default True
        Unit-normalise the features over channels first.
    distance : {"l2", "l1"}
        Squared or absolute difference (static).
    axis : int, default -1
        The channel axis of every feature map (``axis=1`` for NCHW).
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
    .. [1] R. Zhang et al., "The Unreasonable Effectiveness of Deep Features as a
       Perceptual Metric", CVPR 2018. https://arxiv.org/abs/1801.03924
    .. [2] J. Johnson, A. Alahi, L. Fei-Fei, "Perceptual Losses for Real-Time Style
       Transfer and Super-Resolution", ECCV 2016. https://arxiv.org/abs/1603.08155

    Examples
    --------
    >>> import numpy as np
    >>> a = [np.array([[[3.0, 4.0]]])]  # one layer, (N=1, P=1, C=2)
    >>> b = [np.array([[[4.0, 3.0]]])]
    >>> round(float(perceptual_loss(a, b)), 4)  # |(.6, .8) - (.8, .6)|^2
    0.08
    """
    reduction = check_reduction(reduction)
    require_static(distance, "distance")
    check_choice(distance, "distance", ("l2", "l1"))
    require_static(normalize, "normalize")
    preds, targets, lw, xp, _ = _layers(
        features_pred, features_target, layer_weights, weights, "perceptual_loss"
    )
    if channel_weights is not None and len(channel_weights) != len(preds):
        raise ValueError(
            f"channel_weights must hold one array per layer ({len(preds)}), got "
            f"{len(channel_weights)}"
        )
    total = None
    for i, (p, t) in enumerate(zip(preds, targets, strict=True)):
        ax = normalize_axis(axis, p.ndim)
        if ax == 0:
            raise ValueError("axis of perceptual_loss is the channel axis and cannot be 0")
        if normalize:
            p, t = _unit(p, ax, xp), _unit(t, ax, xp)
        diff = p - t
        d = diff * diff if distance == "l2" else xp.abs(diff)
        if channel_weights is not None:
            w = channel_weights[i]
            if tuple(w.shape) != (p.shape[ax],):
                raise ValueError(
                    f"channel_weights[{i}] must have shape ({p.shape[ax]},), got {tuple(w.shape)}"
                )
            shape = [1] * p.ndim
            shape[ax] = p.shape[ax]
            d = d * xp.reshape(cast(w, p.dtype, xp), tuple(shape))
        per_pos = xp.sum(d, axis=ax)
        layer = (
            xp.mean(per_pos, axis=tuple(range(1, per_pos.ndim))) if per_pos.ndim > 1 else per_pos
        )
        term = lw[i] * layer
        total = term if total is None else total + term
    if total is None:  # checked non-empty above; kept for the type checker
        raise ValueError("features must not be empty")
    return reduce_loss(total, reduction, xp=xp, weights=weights)


def style_loss(
    features_pred: Array | Sequence[Array],
    features_target: Array | Sequence[Array],
    *,
    layer_weights: float | Array | Sequence[float | Array] | None = None,
    axis: int = -1,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Style loss: the squared distance between the Gram matrices of two images' feature maps.

    .. math::

        \ell_i = \sum_l \frac{\lambda_l}{4 N_l^2 M_l^2}
            \sum_{c, c'} \bigl(G^l_{cc'}(x_i) - G^l_{cc'}(y_i)\bigr)^2,
        \qquad G^l_{cc'} = \sum_p F^l_{pc} F^l_{pc'}

    with :math:`N_l` channels and :math:`M_l` positions in layer :math:`l`
    (Gatys et al.'s :math:`E_l`). Polynomial in the features: smooth everywhere.

    Parameters
    ----------
    features_pred, features_target : array or sequence of arrays, each (N, ..., C, ...)
        One feature map per layer (an array alone is one layer; the style image's
        features as the target).
    layer_weights : float, scalar array, sequence of them, or 1-D array, optional
        :math:`\lambda_l`, one per layer (a single number weights every layer);
        default 1 each (Gatys et al. use 1/5 on five layers). Arrays may be traced
        or carry a gradient.
    axis : int, default -1
        The channel axis.
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
    Many implementations (the PyTorch tutorial) normalise the Gram matrix by
    :math:`N_l M_l` and take an MSE over its :math:`N_l^2` entries: that is this
    loss times :math:`4 / N_l^2`.

    References
    ----------
    .. [1] L. A. Gatys, A. S. Ecker, M. Bethge, "Image Style Transfer Using
       Convolutional Neural Networks", CVPR 2016. https://doi.org/10.1109/CVPR.2016.265

    Examples
    --------
    >>> import numpy as np
    >>> a = [np.array([[[1.0, 0.0]]])]  # G = [[1, 0], [0, 0]]
    >>> b = [np.array([[[0.0, 1.0]]])]  # G = [[0, 0], [0, 1]]
    >>> float(style_loss(a, b))  # 2 / (4 * 2**2 * 1**2)
    0.125
    """
    reduction = check_reduction(reduction)
    preds, targets, lw, xp, _ = _layers(
        features_pred, features_target, layer_weights, weights, "style_loss"
    )
    total = None
    for i, (p, t) in enumerate(zip(preds, targets, strict=True)):
        ax = normalize_axis(axis, p.ndim)
        if ax == 0:
            raise ValueError("axis of style_loss is the channel axis and cannot be 0")
        channels = p.shape[ax]
        positions = 1
        for a in range(1, p.ndim):
            if a != ax:
                positions *= p.shape[a]
        # permute_dims, not moveaxis: torch.func.vmap has no batching rule for moveaxis
        order = (*(a for a in range(p.ndim) if a != ax), ax)
        fp = xp.reshape(xp.permute_dims(p, order), (p.shape[0], positions, channels))
        ft = xp.reshape(xp.permute_dims(t, order), (t.shape[0], positions, channels))
        gp = xp.matmul(xp.matrix_transpose(fp), fp)
        gt = xp.matmul(xp.matrix_transpose(ft), ft)
        scale = lw[i] / (4.0 * channels**2 * positions**2)
        term = scale * xp.sum((gp - gt) ** 2, axis=(1, 2))
        total = term if total is None else total + term
    if total is None:  # checked non-empty above; kept for the type checker
        raise ValueError("features must not be empty")
    return reduce_loss(total, reduction, xp=xp, weights=weights)
