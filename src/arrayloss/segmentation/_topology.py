"""Topology- and boundary-aware losses: clDice, Boundary DoU and InverseForm.

Both need grey-scale morphology on the spatial axes (every axis but the sample axis 0
and the class axis): the window primitives of ``_lib._primitives``, one native pooling
per window on torch (1-3 spatial axes) and JAX, and slicing and concatenation along
one axis at a time elsewhere, in any number of spatial dimensions (the papers use 2-D
and 3-D).
"""

from __future__ import annotations

from .._lib._compat import Array, Namespace, array_namespace, array_or_none, device_of
from .._lib._hyper import continuous
from .._lib._reduction import check_reduction
from .._lib._windows import window_extreme
from ._common import (
    _ratio_or,
    _reduce_per_class,
    _soft_erode,
    _soft_mask_inputs,
)

__all__ = ["cldice_loss"]


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
    eroded = _soft_erode(img, axes, None, xp)
    skeleton = _relu(img - _dilate(eroded, axes, xp), xp)
    for _ in range(iterations):
        img = eroded
        eroded = _soft_erode(img, axes, None, xp)
        delta = _relu(img - _dilate(eroded, axes, xp), xp)
        skeleton = skeleton + _relu(delta - skeleton * delta, xp)
    return skeleton


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
    probs, target, cw, spatial, sum_axes = _soft_mask_inputs(
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
    smooth = continuous(smooth, "smooth", probs, xp, low=0.0)
    # one morphology pass over both (stacked on a new leading axis): half the graph,
    # which matters for XLA's compile time
    both = xp.stack([probs, target], axis=0)
    skeletons = _soft_skeleton(both, iterations, tuple(d + 1 for d in spatial), xp)
    skel_pred, skel_true = skeletons[0, ...], skeletons[1, ...]
    t_prec = _ratio_or(
        xp.sum(skel_pred * target, axis=sum_axes) + smooth,
        xp.sum(skel_pred, axis=sum_axes) + smooth,
        1.0,
        xp,
    )
    t_sens = _ratio_or(
        xp.sum(skel_true * probs, axis=sum_axes) + smooth,
        xp.sum(skel_true, axis=sum_axes) + smooth,
        1.0,
        xp,
    )
    cl_dice = _ratio_or(2.0 * t_prec * t_sens, t_prec + t_sens, 0.0, xp)
    return _reduce_per_class(1.0 - cl_dice, cw, weights, reduction, xp)
