"""Boundary Difference over Union loss."""

from __future__ import annotations

from .._lib._compat import Array, array_namespace, array_or_none
from .._lib._hyper import continuous, hyper_array
from .._lib._reduction import check_reduction
from ._common import (
    _ratio_or,
    _reduce_per_class,
    _soft_erode,
    _soft_mask_inputs,
)

__all__ = ["boundary_dou_loss"]


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
        name="boundary_dou_loss",
        xp=xp,
    )
    alpha_max = continuous(
        alpha_max, "alpha_max", probs, xp, low=-1.0, high=1.0, high_inclusive=False
    )
    smooth = continuous(smooth, "smooth", probs, xp, low=0.0)
    # boundary = target minus its erosion by the cross kernel, zero-padded like the
    # paper's convolution (an object touching the image edge has a boundary there)
    boundary = xp.sum(target * (1.0 - _soft_erode(target, spatial, 0.0, xp)), axis=sum_axes)
    area = xp.sum(target, axis=sum_axes)
    # an empty target (C = S = 0, smooth = 0) counts as all boundary: alpha = -1
    alpha = 1.0 - 2.0 * _ratio_or(boundary + smooth, area + smooth, 1.0, xp)
    alpha = xp.minimum(alpha, hyper_array(alpha_max, alpha, xp))
    intersection = xp.sum(probs * target, axis=sum_axes)
    squares = xp.sum(probs * probs, axis=sum_axes) + xp.sum(target * target, axis=sum_axes)
    loss = _ratio_or(
        squares - 2.0 * intersection + smooth,
        squares - (1.0 + alpha) * intersection + smooth,
        0.0,
        xp,
    )
    if ignore_index is not None:  # every position ignored: nothing to score, a loss of 0
        loss = xp.where(xp.any(labels != ignore_index), loss, xp.zeros_like(loss))
    return _reduce_per_class(loss, cw, weights, reduction, xp)
