"""Distance-based boundary losses: boundary, Hausdorff (DT and erosion) and region-wise.

They share the region losses' keywords (``mode``, ``axis``, ``from_logits``,
``include_background``, ``ignore_index``, ``class_weights``, ``weights``,
``reduction``) with :func:`dice_loss`'s meanings, and return one value per sample
and class for ``reduction="none"``. Distance maps come from :mod:`._distance` and
carry no gradient.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._lib._compat import Array, Namespace, array_namespace, array_or_none, device_of
from .._lib._distance_transform import check_spacing, edt
from .._lib._dtypes import cast, compute_dtype, is_floating
from .._lib._hyper import continuous
from .._lib._reduction import check_reduction, check_weights, reduce_loss
from .._lib._special import safe_power, sigmoid, softmax, stop_gradient
from .._lib._targets import class_weight_vector
from .._lib._validation import check_choice, normalize_axis, require_static
from .._lib._windows import cross_sum
from ._common import MODES, _drop_background, _region_inputs
from ._distance import _prepare

__all__ = [
    "boundary_loss",
    "hausdorff_dt_loss",
    "hausdorff_er_loss",
    "rectified_region_wise_map",
    "region_wise_loss",
]


Spacing = float | Sequence[float] | None


def _start(
    logits: Array,
    labels: Array,
    weights: Array | None,
    class_weights: object,
    reduction: str,
    labels_name: str = "labels",
) -> tuple[Namespace, str, Array]:
    xp = array_namespace(
        logits=logits,
        weights=weights,
        class_weights=array_or_none(class_weights),
        required=("logits", labels_name),
        **{labels_name: labels},
    )
    reduction = check_reduction(reduction)
    dtype = compute_dtype(logits, "logits", xp)
    return xp, reduction, cast(logits, dtype, xp)


def _finish(
    loss: Array,
    weights: Array | None,
    cw: Array | None,
    reduction: str,
    xp: Namespace,
) -> Array:
    """Class weights (a weighted mean over classes, as in dice_loss), weights, reduction."""
    check_weights(weights, tuple(loss.shape), xp)
    w = weights if cw is None else (cw if weights is None else cast(weights, loss.dtype, xp) * cw)
    return reduce_loss(loss, reduction, xp=xp, weights=w)


def _classes(
    logits: Array,
    probs: Array,
    target: Array,
    ax: int,
    mode: str,
    include_background: bool,
    class_weights: object,
    xp: Namespace,
) -> tuple[Array, Array, Array | None, tuple[int, ...]]:
    """Drop channel 0 if asked; return probs, target, class weights and spatial axes."""
    spatial = _spatial_of(logits, ax)
    cw = class_weight_vector(class_weights, int(logits.shape[ax]), logits, xp)
    if not include_background and mode != "binary":
        probs, target = _drop_background(probs, ax), _drop_background(target, ax)
        cw = None if cw is None else cw[1:]
    return probs, target, cw, spatial


def _spatial_of(logits: Array, ax: int) -> tuple[int, ...]:
    """Every axis but the sample axis 0 and the class axis; at least one."""
    spatial = tuple(d for d in range(logits.ndim) if d not in (0, ax))
    if not spatial:
        raise ValueError(
            f"logits must have at least one spatial axis besides the sample axis 0 and the "
            f"class axis, got shape {tuple(logits.shape)}"
        )
    return spatial


def _spatial_mean(x: Array, spatial: tuple[int, ...], xp: Namespace) -> Array:
    """Mean over the spatial axes, the class axis kept at its place after axis 0."""
    return xp.mean(x, axis=spatial)


def boundary_loss(
    logits: Array,
    signed_distance: Array,
    *,
    mode: str = "multiclass",
    axis: int = -1,
    from_logits: bool = True,
    include_background: bool = False,
    class_weights: Array | None = None,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Boundary loss: predicted probabilities weighted by the target's signed distance.

    .. math::

        \ell_{nc} = \frac{1}{|\Omega|} \sum_{s \in \Omega} p_{nsc}\, \phi_{nsc}

    with :math:`\phi` the signed distance map of class :math:`c`'s target mask
    (:func:`signed_distance_map`: negative inside, positive outside). Probability
    mass outside the object costs its distance to it, mass inside earns a reward,
    so the loss is an integral over the region between the predicted and the true
    boundary. For highly unbalanced segmentation (small lesions) where region
    losses give weak gradients; the paper combines it with a Dice loss.

    Parameters
    ----------
    logits : array, shape (N, ..., C, ...)
        Logits (probabilities when ``from_logits=False``); axis 0 is the sample
        axis, ``axis`` the class axis, the rest are spatial.
    signed_distance : array
        Precomputed signed distance maps of the target, ``logits``'s shape (in
        ``"binary"`` mode also without the class axis). Compute them once per
        target, e.g. ``signed_distance_map(one_hot, axes=(1, 2))``.
    mode : {"multiclass", "multilabel", "binary"}
        Softmax over ``axis``; independent sigmoid per channel; one sigmoid channel.
    axis : int, default -1
        The class axis (not 0).
    from_logits : bool, default True
        Whether ``logits`` are logits or probabilities.
    include_background : bool, default False
        False drops channel 0 (the paper and MONAI: the background's map is the
        foreground's negated, so it adds nothing). Ignored in ``"binary"`` mode.
    class_weights : array, shape (C,), optional
        Weight of each class in the (weighted) mean over classes.
    weights : array, optional
        Broadcasts against the ``"none"`` result.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns shape ``(N, C')`` (``C' = C - 1`` without background).

    Returns
    -------
    array
        Scalar, or ``(N, C')`` for ``reduction="none"``. Negative values are
        normal: a perfect prediction earns the (negative) sum of its inside distances.

    Notes
    -----
    Equals MONAI's ``BoundaryLoss`` (which computes the map itself from a one-hot
    target) given :func:`signed_distance_map` of that target: mean over space, then
    over samples and classes. No gradient flows into ``signed_distance``.

    References
    ----------
    .. [1] H. Kervadec, J. Bouchtiba, C. Desrosiers, E. Granger, J. Dolz, I. Ben
       Ayed, "Boundary loss for highly unbalanced segmentation", MIDL 2019.
       https://arxiv.org/abs/1812.07032

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> phi = al.signed_distance_map(np.array([[0.0, 0.0, 1.0, 1.0]]), axes=1)  # [[2, 1, 0, -1]]
    >>> probs = np.array([[[0.1], [0.2], [0.8], [0.9]]])  # (N=1, S=4, C=1)
    >>> al.boundary_loss(probs, phi, mode="binary", from_logits=False, reduction="none")
    array([[-0.125]])
    """
    xp, reduction, logits = _start(
        logits, signed_distance, weights, class_weights, reduction, "signed_distance"
    )
    check_choice(mode, "mode", MODES)
    if logits.ndim < 2:
        raise ValueError(
            f"logits must have a sample axis 0 and a class axis, got shape {tuple(logits.shape)}"
        )
    ax = normalize_axis(axis, logits.ndim)
    if ax == 0:
        raise ValueError("axis must not be 0: axis 0 is the sample axis of region losses")
    if mode == "binary" and int(logits.shape[ax]) != 1:
        raise ValueError(
            f'mode="binary" expects one channel along axis {axis}, got {logits.shape[ax]}; '
            'use mode="multilabel" or "multiclass" for several'
        )
    shape = tuple(logits.shape)
    if mode == "binary" and tuple(signed_distance.shape) == shape[:ax] + shape[ax + 1 :]:
        signed_distance = xp.expand_dims(signed_distance, axis=ax)
    if tuple(signed_distance.shape) != shape:
        raise ValueError(
            f"signed_distance must have logits's shape {shape}, got {tuple(signed_distance.shape)}"
        )
    if not is_floating(signed_distance, xp):
        raise TypeError(
            f"signed_distance must be a real floating array, got dtype {signed_distance.dtype}"
        )
    phi = stop_gradient(cast(signed_distance, logits.dtype, xp), xp=xp)
    if mode == "multiclass":
        probs = softmax(logits, ax, xp=xp) if from_logits else logits
    else:
        probs = sigmoid(logits, xp=xp) if from_logits else logits
    probs, phi, cw, spatial = _classes(
        logits, probs, phi, ax, mode, include_background, class_weights, xp
    )
    # the integral over the region between the boundaries, as a mean over space
    loss = _spatial_mean(probs * phi, spatial, xp)
    return _finish(loss, weights, cw, reduction, xp)


def hausdorff_dt_loss(
    logits: Array,
    labels: Array,
    *,
    alpha: float = 2.0,
    mode: str = "multiclass",
    axis: int = -1,
    from_logits: bool = True,
    include_background: bool = True,
    ignore_index: int | None = None,
    class_weights: Array | None = None,
    spacing: Spacing = None,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Hausdorff-distance loss from distance transforms (Karimi & Salcudean's HD-DT).

    .. math::

        \ell_{nc} = \frac{1}{|\Omega|} \sum_{s \in \Omega} (p_{nsc} - g_{nsc})^2
                    \bigl(d_p(s)^\alpha + d_g(s)^\alpha\bigr)

    where :math:`d_p` and :math:`d_g` are the distances to the boundary (on both
    sides) of the prediction thresholded at 0.5 and of the target, computed inside
    with :func:`distance_map` and carrying no gradient. Errors far from either
    boundary cost most, so training targets the largest segmentation errors, which
    the Hausdorff distance measures and overlap losses barely see.

    Parameters
    ----------
    logits : array, shape (N, ..., C, ...)
        Logits (probabilities when ``from_logits=False``); axis 0 samples,
        ``axis`` classes, the rest spatial.
    labels : array
        As for :func:`dice_loss`: integer classes, one-hot or binary masks.
    alpha : float >= 0, default 2.0
        :math:`\alpha`, the exponent of the distances (the paper's and MONAI's 2).
    mode, axis, from_logits, ignore_index, class_weights
        As for :func:`dice_loss`. Ignored positions count as background in the
        distance maps and add 0 to the mean.
    include_background : bool, default True
        False drops channel 0 (MONAI's default is False).
    spacing : float or sequence of float, optional
        Voxel size per spatial axis for the distances. Default 1. Static: the
        distance transform's steps, so a traced array raises ``TypeError``.
    weights : array, optional
        Broadcasts against the ``"none"`` result.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns shape ``(N, C')``.

    Returns
    -------
    array
        Scalar, or ``(N, C')`` for ``reduction="none"``.

    Notes
    -----
    Matches MONAI's ``HausdorffDTLoss`` (channels-first there: ``axis=1``), whose
    ``"none"`` result has shape ``(N, C, 1, ..., 1)``. A mask that is empty or full
    has no boundary: its distance map is 0, as in MONAI. The maps are computed by
    SciPy on NumPy and by an exact portable transform elsewhere
    (:func:`distance_map`), without leaving the device.

    References
    ----------
    .. [1] D. Karimi, S. E. Salcudean, "Reducing the Hausdorff Distance in Medical
       Image Segmentation with Convolutional Neural Networks", IEEE TMI 2019.
       https://arxiv.org/abs/1904.10030

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> probs = np.array([[[0.1], [0.6], [0.8], [0.3]]])  # (N=1, S=4, C=1)
    >>> labels = np.array([[0, 0, 1, 1]])
    >>> al.hausdorff_dt_loss(probs, labels, mode="binary", from_logits=False)
    np.float64(0.825)
    """
    xp, reduction, logits = _start(logits, labels, weights, class_weights, reduction)
    alpha = continuous(alpha, "alpha", logits, xp, low=0.0)
    probs, target, ax = _region_inputs(
        logits,
        labels,
        mode=mode,
        axis=axis,
        from_logits=from_logits,
        ignore_index=ignore_index,
        xp=xp,
    )
    probs, target, cw, spatial = _classes(
        logits, probs, target, ax, mode, include_background, class_weights, xp
    )
    require_static(spacing, "spacing")
    steps = check_spacing(spacing, len(spatial))
    half = xp.asarray(0.5, dtype=logits.dtype, device=device_of(logits))
    d_p = _distance_field(stop_gradient(probs, xp=xp) > half, spatial, steps, logits.dtype, xp)
    d_g = _distance_field(target > half, spatial, steps, logits.dtype, xp)
    # the maps carry no gradient (thresholded masks); alpha may (a learned exponent)
    d_p, d_g = stop_gradient(d_p, xp=xp), stop_gradient(d_g, xp=xp)
    distance = safe_power(d_p, alpha, xp=xp) + safe_power(d_g, alpha, xp=xp)
    loss = _spatial_mean((probs - target) ** 2 * distance, spatial, xp)
    return _finish(loss, weights, cw, reduction, xp)


def _distance_field(
    fg: Array, spatial: tuple[int, ...], steps: tuple[float, ...], dtype: Any, xp: Namespace
) -> Array:
    # foreground voxels: distance to the background; background: to the foreground
    return edt(fg, spatial, steps, dtype, xp) + edt(xp.logical_not(fg), spatial, steps, dtype, xp)


def hausdorff_er_loss(
    logits: Array,
    labels: Array,
    *,
    alpha: float = 2.0,
    erosions: int = 10,
    mode: str = "multiclass",
    axis: int = -1,
    from_logits: bool = True,
    include_background: bool = True,
    ignore_index: int | None = None,
    class_weights: Array | None = None,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Hausdorff-distance loss from morphological erosions (Karimi & Salcudean's HD-ER).

    .. math::

        \ell_{nc} = \frac{1}{|\Omega|} \sum_{s \in \Omega} \sum_{k=1}^{K} k^\alpha
                    \bigl(e^{(k)}\bigr)_{nsc}, \qquad
        e^{(k)} = \operatorname{norm}\bigl(\max(B \ast e^{(k-1)} - 0.5,\, 0)\bigr),
        \quad e^{(0)} = (p - g)^2

    with :math:`B` the cross-shaped structuring element (the voxel and its
    :math:`2D` face neighbours, weight :math:`1/(2D + 1)` each, zero padding) and
    :math:`\operatorname{norm}` the min-max normalization over each image and class.
    Error regions that survive many erosions are thick, i.e. far from the
    boundary, and weigh :math:`k^\alpha`: a differentiable proxy for the Hausdorff
    distance with no distance transform.

    Parameters
    ----------
    logits : array, shape (N, ..., C, ...)
        Logits (probabilities when ``from_logits=False``); 1, 2 or 3 (or more)
        spatial axes.
    labels : array
        As for :func:`dice_loss`.
    alpha : float >= 0, default 2.0
        :math:`\alpha`, the exponent of the erosion weight.
    erosions : int >= 1, default 10
        :math:`K`, the number of erosions (kornia's ``k``).
    mode, axis, from_logits, include_background, ignore_index, class_weights
        As for :func:`dice_loss`.
    weights : array, optional
        Broadcasts against the ``"none"`` result.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns shape ``(N, C')``.

    Returns
    -------
    array
        Scalar, or ``(N, C')`` for ``reduction="none"``.

    Notes
    -----
    Matches kornia's ``HausdorffERLoss`` (2-D) and ``HausdorffERLoss3D``, which take
    probabilities ``(N, C, ...)`` and an integer target ``(N, 1, ...)``: call ours
    with ``from_logits=False, axis=1`` and the target without its size-1 axis.
    kornia's ``"none"`` result is ``(C, N, 1, ...)`` per voxel; its mean equals ours.
    The normalization divides by :math:`\max - \min` only where it is nonzero
    (double ``where``), so constant maps stay finite in value and gradient.

    References
    ----------
    .. [1] D. Karimi, S. E. Salcudean, "Reducing the Hausdorff Distance in Medical
       Image Segmentation with Convolutional Neural Networks", IEEE TMI 2019.
       https://arxiv.org/abs/1904.10030

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> probs = np.array([[[0.9], [0.9], [0.1], [0.1]]])  # (N=1, S=4, C=1)
    >>> labels = np.array([[0, 0, 1, 1]])
    >>> al.hausdorff_er_loss(probs, labels, erosions=2, mode="binary", from_logits=False)
    np.float64(2.5)
    """
    xp, reduction, logits = _start(logits, labels, weights, class_weights, reduction)
    alpha = continuous(alpha, "alpha", logits, xp, low=0.0)
    if isinstance(erosions, bool) or not isinstance(erosions, int) or erosions < 1:
        raise ValueError(f"erosions must be an int >= 1, got {erosions!r}")
    probs, target, ax = _region_inputs(
        logits,
        labels,
        mode=mode,
        axis=axis,
        from_logits=from_logits,
        ignore_index=ignore_index,
        xp=xp,
    )
    probs, target, cw, spatial = _classes(
        logits, probs, target, ax, mode, include_background, class_weights, xp
    )
    dev = device_of(logits)
    zero = xp.zeros((), dtype=logits.dtype, device=dev)
    one = xp.ones((), dtype=logits.dtype, device=dev)
    share = 1.0 / (2 * len(spatial) + 1)
    bound = (probs - target) ** 2
    total = xp.zeros_like(bound)
    for k in range(1, erosions + 1):
        # the cross-shaped convolution (zero padding)
        dilation = cross_sum(bound, spatial, xp=xp) * share
        # soft threshold at 0.5; gradient 1 at exactly 0.5, as kornia's masked_fill
        erosion = xp.where(dilation < 0.5, zero, dilation - 0.5)
        low = xp.min(erosion, axis=spatial, keepdims=True)
        span = xp.max(erosion, axis=spatial, keepdims=True) - low
        spread = span != 0
        # double where: a constant map keeps its values and never divides by 0
        erosion = xp.where(spread, (erosion - low) / xp.where(spread, span, one), erosion)
        total = total + erosion * float(k) ** alpha
        bound = erosion
    loss = _spatial_mean(total, spatial, xp)
    return _finish(loss, weights, cw, reduction, xp)


def _rrw(
    fg: Array, spatial: tuple[int, ...], steps: tuple[float, ...], dtype: Any, xp: Namespace
) -> Array:
    dev = device_of(fg)
    one = xp.ones((), dtype=dtype, device=dev)
    depth = edt(fg, spatial, steps, dtype, xp)
    deepest = xp.max(depth, axis=spatial, keepdims=True)
    # inside: -depth / deepest in [-1, 0); a full mask (no background, depth 0): -1
    inside = -xp.where(deepest > 0, depth / xp.where(deepest > 0, deepest, one), one)
    return xp.where(fg, inside, one)


def rectified_region_wise_map(
    mask: Array, *, spacing: Spacing = None, axes: object = None
) -> Array:
    r"""Rectified region-wise (RRW) map of a binary mask, for :func:`region_wise_loss`.

    .. math::

        z(x) = \begin{cases} -\,d(x) / \max_y d(y) & m(x) \neq 0 \\
               1 & m(x) = 0 \end{cases}

    with :math:`d` the :func:`distance_map` of the mask (distance of a foreground
    voxel to the background), the maximum taken over each slice. Probability mass
    outside the class costs 1, mass inside earns up to 1, most at the object's
    centre: bounded values, which the paper shows keep the optimization stable
    where the boundary loss's unbounded distances do not.

    Parameters
    ----------
    mask : array
        Boolean, integer or floating; nonzero is foreground. One mask per class
        (one-hot), e.g. ``(N, H, W, C)`` with ``axes=(1, 2)``.
    spacing : float or sequence of float, optional
        Voxel size per spatial axis. Default 1. Static (the transform's steps).
    axes : int or sequence of int, optional
        The spatial axes. Default: every axis but axis 0. A 2-D mask needs
        ``axes`` (``(0, 1)`` for one image, ``1`` for a batch of 1-D masks): the
        default raises ``ValueError`` rather than transform an image row by row.

    Returns
    -------
    array
        ``mask``'s shape, dtype as for :func:`distance_map`; no gradient.

    Notes
    -----
    The reference code's ``-d / (max d + 1e-15)`` with zeros set to 1; a full mask
    (no background, where SciPy's distances are meaningless) gets -1 everywhere.

    References
    ----------
    .. [1] J. M. Valverde, J. Tohka, "Region-wise loss for biomedical image
       segmentation", Pattern Recognition 136, 2023. https://arxiv.org/abs/2108.01405

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> al.rectified_region_wise_map(np.array([[0, 1, 1, 1, 0]]), axes=1)
    array([[ 1. , -0.5, -1. , -0.5,  1. ]])
    """
    xp = array_namespace(mask=mask, required=("mask",))
    fg, ax, steps, dtype = _prepare(mask, axes, spacing, xp)
    return stop_gradient(_rrw(fg, ax, steps, dtype, xp), xp=xp)


def region_wise_loss(
    logits: Array,
    labels: Array,
    *,
    rrwmap: Array | None = None,
    mode: str = "multiclass",
    axis: int = -1,
    from_logits: bool = True,
    include_background: bool = True,
    ignore_index: int | None = None,
    class_weights: Array | None = None,
    spacing: Spacing = None,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Region-wise loss: probabilities weighted by a region-wise map (RRW by default).

    .. math::

        \ell_{nc} = \frac{1}{|\Omega|} \sum_{s \in \Omega} p_{nsc}\, z_{nsc}

    with :math:`z` the region-wise map, by default the rectified map of each
    class's target (:func:`rectified_region_wise_map`). One map can weigh classes
    (class imbalance) and pixels (importance) at once; the rectified map is a
    bounded boundary-distance map that trains stably on small structures.

    Parameters
    ----------
    logits : array, shape (N, ..., C, ...)
        Logits (probabilities when ``from_logits=False``).
    labels : array
        As for :func:`dice_loss`.
    rrwmap : array, optional
        A region-wise map of ``logits``'s shape (any map of the RW framework).
        Default: the RRW map of the target, computed here (no gradient).
    mode, axis, from_logits, ignore_index, class_weights
        As for :func:`dice_loss`; ignored positions add 0.
    include_background : bool, default True
        False drops channel 0. The paper keeps it: the background's map is what
        penalizes false positives.
    spacing : float or sequence of float, optional
        Voxel size per spatial axis for the default map.
    weights : array, optional
        Broadcasts against the ``"none"`` result.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns shape ``(N, C')``.

    Returns
    -------
    array
        Scalar, or ``(N, C')`` for ``reduction="none"``; in :math:`[-1, 1]` with
        the RRW map, lowest for a perfect prediction.

    Notes
    -----
    ``reduction="mean"`` is the reference code's ``mean(softmax * rrwmap)`` over
    every element.

    References
    ----------
    .. [1] J. M. Valverde, J. Tohka, "Region-wise loss for biomedical image
       segmentation", Pattern Recognition 136, 2023. https://arxiv.org/abs/2108.01405

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> p1 = np.array([0.1, 0.2, 0.8, 0.9])
    >>> probs = np.stack([1 - p1, p1], axis=-1)[None]  # (N=1, S=4, C=2)
    >>> labels = np.array([[0, 0, 1, 1]])
    >>> al.region_wise_loss(probs, labels, from_logits=False, reduction="none")
    array([[-0.25, -0.25]])
    """
    xp = array_namespace(
        logits=logits,
        labels=labels,
        rrwmap=rrwmap,
        weights=weights,
        class_weights=array_or_none(class_weights),
        required=("logits", "labels"),
    )
    reduction = check_reduction(reduction)
    logits = cast(logits, compute_dtype(logits, "logits", xp), xp)
    probs, target, ax = _region_inputs(
        logits,
        labels,
        mode=mode,
        axis=axis,
        from_logits=from_logits,
        ignore_index=ignore_index,
        xp=xp,
    )
    if rrwmap is None:
        spatial_all = _spatial_of(logits, ax)
        steps = check_spacing(spacing, len(spatial_all))
        half = xp.asarray(0.5, dtype=logits.dtype, device=device_of(logits))
        z = _rrw(target > half, spatial_all, steps, logits.dtype, xp)
    else:
        if tuple(rrwmap.shape) != tuple(logits.shape):
            raise ValueError(
                f"rrwmap must have logits's shape {tuple(logits.shape)}, got {tuple(rrwmap.shape)}"
            )
        if not is_floating(rrwmap, xp):
            raise TypeError(f"rrwmap must be a real floating array, got dtype {rrwmap.dtype}")
        z = cast(rrwmap, logits.dtype, xp)
    z = stop_gradient(z, xp=xp)
    probs, z, cw, spatial = _classes(
        logits, probs, z, ax, mode, include_background, class_weights, xp
    )
    # the target is needed only for the map and for NaN-poisoning invalid labels
    # target - target: 0, or NaN where an invalid label poisoned the target
    poison = target - target
    if not include_background and mode != "binary":
        poison = _drop_background(poison, ax)
    loss = _spatial_mean(probs * z + poison, spatial, xp)
    return _finish(loss, weights, cw, reduction, xp)
