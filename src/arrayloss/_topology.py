"""Topology- and boundary-aware losses: clDice, Boundary DoU and InverseForm.

Both need grey-scale morphology on the spatial axes (every axis but the sample axis 0
and the class axis): the window primitives of ``_lib._primitives``, one native pooling
per window on torch (1-3 spatial axes) and JAX, and slicing and concatenation along
one axis at a time elsewhere, in any number of spatial dimensions (the papers use 2-D
and 3-D).
"""

from __future__ import annotations

from ._lib._compat import Array, Namespace, array_namespace, array_or_none, device_of
from ._lib._dtypes import cast, compute_dtype
from ._lib._primitives import cross_extreme, window_extreme
from ._lib._reduction import check_reduction, check_weights, reduce_loss
from ._lib._targets import class_weight_vector
from ._lib._validation import check_number
from ._segmentation import _drop_background, _region_inputs

__all__ = ["boundary_dou_loss", "cldice_loss", "inverseform_loss"]


# -- morphology on the spatial axes ----------------------------------------------------


def _erode(x: Array, axes: tuple[int, ...], fill: float | None, xp: Namespace) -> Array:
    """Min over the cross-shaped neighbourhood (the centre and its 2*len(axes) neighbours).

    As clDice's soft_erode: the min of 3-wide min-pools along each axis separately.
    Past the edge a neighbour is ``fill``, or with ``fill=None`` it is left out.
    """
    return cross_extreme(x, axes, kind="min", fill=fill, xp=xp)


def _dilate(x: Array, axes: tuple[int, ...], xp: Namespace) -> Array:
    """Max over the 3x3(x3) box (-inf padding), as clDice's soft_dilate max-pool."""
    return window_extreme(x, axes, kind="max", xp=xp)


def _relu(x: Array, xp: Namespace) -> Array:
    # where, not maximum(x, 0): gradient 0 at x == 0, as torch's relu in the reference code
    zero = xp.zeros((), dtype=x.dtype, device=device_of(x))
    return xp.where(x > 0, x, zero)


def _soft_skeleton(img: Array, iterations: int, axes: tuple[int, ...], xp: Namespace) -> Array:
    """Shit et al.'s soft skeleton: what each erosion removes that opening does not restore."""
    # opening(e_k) = dilate(erode(e_k)) = dilate(e_{k+1}): each erosion is computed once
    eroded = _erode(img, axes, None, xp)
    skeleton = _relu(img - _dilate(eroded, axes, xp), xp)
    for _ in range(iterations):
        img = eroded
        eroded = _erode(img, axes, None, xp)
        delta = _relu(img - _dilate(eroded, axes, xp), xp)
        skeleton = skeleton + _relu(delta - skeleton * delta, xp)
    return skeleton


# -- shared input handling -------------------------------------------------------------


def _prepare(
    logits: Array,
    labels: Array,
    *,
    mode: str,
    axis: int,
    from_logits: bool,
    ignore_index: int | None,
    include_background: bool,
    class_weights: Array | None,
    batch_dice: bool,
    name: str,
    xp: Namespace,
) -> tuple[Array, Array, Array | None, tuple[int, ...], tuple[int, ...]]:
    """``(probs, target, class weights, spatial axes, sum axes)`` as dice_loss builds them."""
    dtype = compute_dtype(logits, "logits", xp)
    logits = cast(logits, dtype, xp)
    probs, target, ax = _region_inputs(
        logits,
        labels,
        mode=mode,
        axis=axis,
        from_logits=from_logits,
        ignore_index=ignore_index,
        xp=xp,
    )
    spatial = tuple(d for d in range(logits.ndim) if d not in (0, ax))
    if not spatial:
        raise ValueError(
            f"{name} needs at least one spatial axis besides the sample axis 0 and the "
            f"class axis {axis}; got logits of shape {tuple(logits.shape)}"
        )
    cw = class_weight_vector(class_weights, int(logits.shape[ax]), logits, xp)
    if not include_background and mode != "binary":
        probs, target = _drop_background(probs, ax), _drop_background(target, ax)
        cw = None if cw is None else cw[1:]
    sum_axes = (0, *spatial) if batch_dice else spatial
    return probs, target, cw, spatial, sum_axes


def _finish(
    loss: Array, cw: Array | None, weights: Array | None, reduction: str, xp: Namespace
) -> Array:
    check_weights(weights, tuple(loss.shape), xp)
    w = weights if cw is None else (cw if weights is None else cast(weights, loss.dtype, xp) * cw)
    return reduce_loss(loss, reduction, xp=xp, weights=w)


def _safe_ratio(num: Array, den: Array, empty: float, xp: Namespace) -> Array:
    """``num / den``, and ``empty`` where ``den == 0`` (a NaN ``den`` stays NaN)."""
    nonzero = den != 0
    one = xp.ones((), dtype=den.dtype, device=device_of(den))
    # double where: 0/0 must not reach the backward pass
    ratio = num / xp.where(nonzero, den, one)
    return xp.where(nonzero, ratio, xp.full((), empty, dtype=den.dtype, device=device_of(den)))


# -- losses ----------------------------------------------------------------------------


def cldice_loss(
    logits: Array,
    labels: Array,
    *,
    iterations: int = 3,
    smooth: float = 1.0,
    mode: str = "multiclass",
    axis: int = -1,
    from_logits: bool = True,
    include_background: bool = True,
    ignore_index: int | None = None,
    class_weights: Array | None = None,
    batch_dice: bool = False,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Soft clDice loss: the harmonic mean of topology precision and sensitivity.

    .. math::

        T_{prec} = \frac{\sum_s S(p)_s\, g_s + \lambda}{\sum_s S(p)_s + \lambda},\quad
        T_{sens} = \frac{\sum_s S(g)_s\, p_s + \lambda}{\sum_s S(g)_s + \lambda},\quad
        \ell_{nc} = 1 - \frac{2\, T_{prec}\, T_{sens}}{T_{prec} + T_{sens}}

    per sample :math:`n` and class :math:`c`, where :math:`S` is the soft skeleton of
    Shit et al.: ``iterations`` soft erosions (min over the cross-shaped 3x3 / 3x3x3
    neighbourhood) and openings (erosion, then max over the 3x3 / 3x3x3 box), the
    skeleton accumulating ``relu(e_k - open(e_k))``.

    Use it for thin tubular or curvilinear structures (vessels, neurons, roads), where
    a pixel-wise or Dice loss can score well while breaking the connectivity; usually
    combined with Dice (``(1 - alpha) * dice + alpha * cldice``).

    Parameters
    ----------
    logits : array, shape (N, ..., C, ...)
        Logits (probabilities when ``from_logits=False``) with at least one spatial
        axis; axis 0 is the sample axis, ``axis`` the class axis. 2-D and 3-D are the
        paper's cases; any number of spatial axes works.
    labels : array
        As for :func:`dice_loss`: integer class indices or one-hot/probabilities in
        ``"multiclass"`` mode; binary masks in ``"multilabel"``/``"binary"`` mode.
    iterations : int >= 0, default 3
        Erosion steps of the soft skeleton; should exceed the largest radius of the
        structures (the paper's ``iter_``, 3 in MONAI and the reference code).
    smooth : float >= 0, default 1.0
        :math:`\lambda`, the paper's code's smoothing (MONAI's ``smooth_nr`` and
        ``smooth_dr``).
    mode : {"multiclass", "multilabel", "binary"}
        Softmax over ``axis``; independent sigmoid per channel; one sigmoid channel.
    axis : int, default -1
        The class axis (not 0).
    from_logits : bool, default True
        Whether ``logits`` are logits or probabilities.
    include_background : bool, default True
        False drops channel 0 (ignored in ``"binary"`` mode).
    ignore_index : int, optional
        Integer label whose positions are left out of every sum (they are 0 in both
        the prediction and the target, so the morphology sees them as background).
    class_weights : array, shape (C,), optional
        Weight of each class in the mean over classes.
    batch_dice : bool, default False
        Pool the sums over the batch first (one value per class).
    weights : array, optional
        Broadcasts against the ``"none"`` result.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns shape ``(N, C)``, or ``(C,)`` with ``batch_dice``.

    Returns
    -------
    array
        Scalar, or ``(N, C)`` / ``(C,)`` for ``reduction="none"``.

    Notes
    -----
    The skeleton's morphology is min/max pooling, so its gradient is a subgradient
    that flows to one position of each window. At ties the backends differ (the
    values agree): torch (``F.max_pool``, as the reference code) and JAX
    (``lax.reduce_window``) give it to one tied element, the portable code of the
    other backends (``minimum``/``maximum``) splits it between them. A sum of 0 in a
    ratio's denominator (only possible with ``smooth=0``) makes that ratio 1, and
    :math:`T_{prec} + T_{sens} = 0` gives clDice 0: no NaN for empty masks.

    MONAI's ``SoftclDiceLoss`` sums over all channels of a sample (one value per
    sample) and adds ``smooth=1e-4`` to the harmonic mean's denominator; the paper's
    code sums over the whole batch and every non-background channel. Here the value
    is per sample and class, as for every region loss of the package (one channel with
    ``batch_dice=True`` reproduces the paper's code for a binary task).

    References
    ----------
    .. [1] S. Shit, J. C. Paetzold, A. Sekuboyina, et al., "clDice -- a Novel
       Topology-Preserving Loss Function for Tubular Structure Segmentation",
       CVPR 2021. https://arxiv.org/abs/2003.07311

    Examples
    --------
    A one-pixel-wide horizontal line is its own skeleton; predicting it exactly gives
    :math:`T_{prec} = T_{sens} = 1` (with ``smooth=0``), loss 0. Predicting only its
    left half gives :math:`T_{prec} = 1`, :math:`T_{sens} = 2/4`, loss
    :math:`1 - 2 \cdot 0.5 / 1.5 = 1/3`.

    >>> import numpy as np
    >>> import arrayloss as al
    >>> line = np.zeros((1, 5, 6, 1))
    >>> line[0, 2, 1:5, 0] = 1.0
    >>> half = line.copy()
    >>> half[0, 2, 3:5, 0] = 0.0
    >>> kw = {"mode": "binary", "from_logits": False, "smooth": 0.0, "reduction": "none"}
    >>> al.cldice_loss(line, line, **kw)
    array([[0.]])
    >>> al.cldice_loss(half, line, **kw)
    array([[0.33333333]])
    """
    xp = array_namespace(
        logits=logits,
        labels=labels,
        weights=weights,
        class_weights=array_or_none(class_weights),
        required=("logits", "labels"),
    )
    reduction = check_reduction(reduction)
    if isinstance(iterations, bool) or not isinstance(iterations, int) or iterations < 0:
        raise ValueError(f"iterations must be a non-negative int, got {iterations!r}")
    smooth = check_number(smooth, "smooth", low=0.0)
    probs, target, cw, spatial, sum_axes = _prepare(
        logits,
        labels,
        mode=mode,
        axis=axis,
        from_logits=from_logits,
        ignore_index=ignore_index,
        include_background=include_background,
        class_weights=class_weights,
        batch_dice=batch_dice,
        name="cldice_loss",
        xp=xp,
    )
    # one morphology pass over both (stacked on a new leading axis): half the graph,
    # which matters for XLA's compile time
    both = xp.stack([probs, target], axis=0)
    skeletons = _soft_skeleton(both, iterations, tuple(d + 1 for d in spatial), xp)
    skel_pred, skel_true = skeletons[0, ...], skeletons[1, ...]
    t_prec = _safe_ratio(
        xp.sum(skel_pred * target, axis=sum_axes) + smooth,
        xp.sum(skel_pred, axis=sum_axes) + smooth,
        1.0,
        xp,
    )
    t_sens = _safe_ratio(
        xp.sum(skel_true * probs, axis=sum_axes) + smooth,
        xp.sum(skel_true, axis=sum_axes) + smooth,
        1.0,
        xp,
    )
    cl_dice = _safe_ratio(2.0 * t_prec * t_sens, t_prec + t_sens, 0.0, xp)
    return _finish(1.0 - cl_dice, cw, weights, reduction, xp)


def boundary_dou_loss(
    logits: Array,
    labels: Array,
    *,
    alpha_max: float = 0.8,
    smooth: float = 1e-5,
    mode: str = "multiclass",
    axis: int = -1,
    from_logits: bool = True,
    include_background: bool = True,
    ignore_index: int | None = None,
    class_weights: Array | None = None,
    batch_dice: bool = False,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Boundary Difference over Union (Boundary DoU) loss.

    .. math::

        \ell_{nc} = \frac{\sum_s p_s^2 + \sum_s g_s^2 - 2 \sum_s p_s g_s + \lambda}
                         {\sum_s p_s^2 + \sum_s g_s^2 - (1 + \alpha) \sum_s p_s g_s
                          + \lambda},
        \qquad
        \alpha = \min\Big(1 - \frac{2 (C + \lambda)}{S + \lambda},\ \alpha_{max}\Big)

    per sample :math:`n` and class :math:`c`: the soft form of
    :math:`(G \cup P - G \cap P) / (G \cup P - \alpha\, G \cap P)`, where :math:`S`
    is the target's area and :math:`C` its boundary length, the target pixels with at
    least one background pixel (or the image edge) among their 4 (2-D) / 6 (3-D)
    neighbours.

    Use it when the boundary of small or thin objects matters: :math:`\alpha` grows
    with the object's area-to-boundary ratio, so large objects are scored mostly on
    their boundary band and small ones almost as with IoU; no distance map is needed.

    Parameters
    ----------
    logits : array, shape (N, ..., C, ...)
        Logits (probabilities when ``from_logits=False``) with at least one spatial
        axis; axis 0 is the sample axis, ``axis`` the class axis.
    labels : array
        As for :func:`dice_loss`.
    alpha_max : float in [-1, 1), default 0.8
        Upper clip of :math:`\alpha`, the paper's recommended truncation.
    smooth : float >= 0, default 1e-5
        :math:`\lambda`, as in the paper's code.
    mode, axis, from_logits, include_background, ignore_index, class_weights, batch_dice
        As for :func:`dice_loss`.
    weights : array, optional
        Broadcasts against the ``"none"`` result.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns shape ``(N, C)``, or ``(C,)`` with ``batch_dice``.

    Returns
    -------
    array
        Scalar, or ``(N, C)`` / ``(C,)`` for ``reduction="none"``.

    Notes
    -----
    :math:`C = \sum_s g_s (1 - \min_{\mathcal{N}(s)} g)` with the minimum over the
    cross-shaped neighbourhood, zero outside the image, and :math:`S = \sum_s g_s`:
    for 0/1 targets these are exactly the counts of the paper's code (a cross-kernel
    convolution, ``count_nonzero``); soft targets get the same formula. Ignored
    positions are background for this boundary. :math:`\alpha` depends on the target
    only. The denominator is at least :math:`(1 - \alpha_{max}) \sum_s p_s g_s +
    \lambda > 0` (since :math:`\sum p^2 + \sum g^2 \ge 2 \sum p g`); with
    ``smooth=0`` an empty class with an all-zero prediction gives 0, not NaN.

    The paper's code pools the sums over the batch (``batch_dice=True`` here) and
    averages every class, background included (``include_background=True``).

    References
    ----------
    .. [1] F. Sun, Z. Luo, S. Li, "Boundary Difference Over Union Loss for Medical
       Image Segmentation", MICCAI 2023. https://arxiv.org/abs/2308.00220

    Examples
    --------
    A 2x2 square in a 4x4 image: every pixel is on the boundary, :math:`C = S = 4`,
    :math:`\alpha = -1`. Predicting 0.5 everywhere inside it (0 outside) gives
    :math:`\sum p^2 = 1`, :math:`\sum g^2 = 4`, :math:`\sum pg = 2`, so with
    ``smooth=0`` the loss is :math:`(1 + 4 - 4) / (1 + 4 - 0) = 0.2`.

    >>> import numpy as np
    >>> import arrayloss as al
    >>> g = np.zeros((1, 4, 4, 1))
    >>> g[0, 1:3, 1:3, 0] = 1.0
    >>> kw = {"mode": "binary", "from_logits": False, "smooth": 0.0, "reduction": "none"}
    >>> al.boundary_dou_loss(0.5 * g, g, **kw)
    array([[0.2]])
    """
    xp = array_namespace(
        logits=logits,
        labels=labels,
        weights=weights,
        class_weights=array_or_none(class_weights),
        required=("logits", "labels"),
    )
    reduction = check_reduction(reduction)
    alpha_max = check_number(alpha_max, "alpha_max", low=-1.0, high=1.0, high_inclusive=False)
    smooth = check_number(smooth, "smooth", low=0.0)
    probs, target, cw, spatial, sum_axes = _prepare(
        logits,
        labels,
        mode=mode,
        axis=axis,
        from_logits=from_logits,
        ignore_index=ignore_index,
        include_background=include_background,
        class_weights=class_weights,
        batch_dice=batch_dice,
        name="boundary_dou_loss",
        xp=xp,
    )
    # boundary = target minus its erosion by the cross kernel, zero-padded like the
    # paper's convolution (an object touching the image edge has a boundary there)
    boundary = xp.sum(target * (1.0 - _erode(target, spatial, 0.0, xp)), axis=sum_axes)
    area = xp.sum(target, axis=sum_axes)
    # an empty target (C = S = 0, smooth = 0) counts as all boundary: alpha = -1
    alpha = 1.0 - 2.0 * _safe_ratio(boundary + smooth, area + smooth, 1.0, xp)
    alpha = xp.minimum(alpha, xp.full((), alpha_max, dtype=alpha.dtype, device=device_of(alpha)))
    intersection = xp.sum(probs * target, axis=sum_axes)
    squares = xp.sum(probs * probs, axis=sum_axes) + xp.sum(target * target, axis=sum_axes)
    loss = _safe_ratio(
        squares - 2.0 * intersection + smooth,
        squares - (1.0 + alpha) * intersection + smooth,
        0.0,
        xp,
    )
    return _finish(loss, cw, weights, reduction, xp)


def inverseform_loss(
    transform: Array,
    *,
    form: str = "matrix",
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""InverseForm distance: how far a predicted boundary transform is from the identity.

    .. math::

        \ell = \lVert \hat\theta - I_3 \rVert_F
        \quad (\texttt{form="matrix"}), \qquad
        \ell = \lVert \hat c \rVert_2 \quad (\texttt{form="offsets"})

    InverseForm (Borse et al.) feeds a predicted and a ground-truth boundary map to a
    separately pre-trained *inverse-transformation network* that regresses the
    spatial transform :math:`\hat\theta` between them; the loss is that transform's
    distance from the identity, so it penalizes boundaries that are shifted, scaled
    or rotated rather than merely misclassified pixel by pixel. Use it on top of a
    pixel loss when boundary alignment matters (thin structures, Cityscapes-style
    scene parsing).

    The network is the user's: this function takes its output, not the boundary
    maps, and the gradient reaches the segmentation model through that (frozen)
    network. Tiling of the maps into the network's input size is the user's too.

    Parameters
    ----------
    transform : array, shape (..., 3, 3) or (..., K)
        ``"matrix"``: the predicted 3x3 homography. ``"offsets"``: the network's raw
        coefficients already relative to the identity (the authors' released network
        regresses K = 4 of them), whose Euclidean norm is the distance.
    form : {"matrix", "offsets"}
        How to read ``transform``.
    weights : array, optional
        Broadcasts against the ``"none"`` result.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one distance per transform: shape ``transform.shape[:-2]``
        (``"matrix"``) or ``transform.shape[:-1]`` (``"offsets"``).

    Returns
    -------
    array
        Scalar, or the per-transform distances for ``reduction="none"``.

    Notes
    -----
    The norm's gradient is undefined at exactly the identity (zero offsets); there
    it is 0 (the subgradient of smallest norm) through a double ``where``, instead
    of the NaN that ``sqrt`` gives. The authors' code averages the norm over tiles
    and images, which is ``reduction="mean"`` over a ``(tiles, K)`` input.

    References
    ----------
    .. [1] S. Borse, Y. Wang, Y. Zhang, F. Porikli, "InverseForm: A Loss Function for
       Structured Boundary-Aware Segmentation", CVPR 2021.
       https://arxiv.org/abs/2104.02745

    Examples
    --------
    A pure translation by (3, 4) differs from the identity in two entries: distance 5.

    >>> import numpy as np
    >>> import arrayloss as al
    >>> theta = np.array([[1.0, 0.0, 3.0], [0.0, 1.0, 4.0], [0.0, 0.0, 1.0]])
    >>> al.inverseform_loss(np.stack([theta, np.eye(3)]), reduction="none")
    array([5., 0.])
    """
    xp = array_namespace(transform=transform, weights=weights, required=("transform",))
    reduction = check_reduction(reduction)
    if form not in ("matrix", "offsets"):
        raise ValueError(f"form must be one of 'matrix', 'offsets'; got {form!r}")
    dtype = compute_dtype(transform, "transform", xp)
    x = cast(transform, dtype, xp)
    if form == "matrix":
        if x.ndim < 2 or tuple(x.shape[-2:]) != (3, 3):
            raise ValueError(
                f'transform for form="matrix" must have shape (..., 3, 3), got {tuple(x.shape)}'
            )
        eye = xp.eye(3, dtype=dtype, device=device_of(x))
        squared = xp.sum((x - eye) ** 2, axis=(-2, -1))
    else:
        if x.ndim < 1:
            raise ValueError('transform for form="offsets" must have at least one axis, got ()')
        squared = xp.sum(x * x, axis=-1)
    at_identity = squared == 0  # not <= 0: a NaN must stay NaN
    one = xp.ones((), dtype=dtype, device=device_of(x))
    # double where: d sqrt(s) / ds is infinite at s = 0 (the identity)
    root = xp.sqrt(xp.where(at_identity, one, squared))
    distance = xp.where(at_identity, xp.zeros_like(root), root)
    check_weights(weights, tuple(distance.shape), xp)
    return reduce_loss(distance, reduction, xp=xp, weights=weights)
