"""Detection: box utilities and the IoU family of box-regression losses.

Boxes are arrays whose last axis holds 4 coordinates in one of three formats:
``"xyxy"`` (corners ``x1, y1, x2, y2``), ``"xywh"`` (corner ``x1, y1`` and size
``w, h``) and ``"cxcywh"`` (centre and size). Every loss converts to ``xyxy``
and works elementwise over the leading axes.

Degenerate boxes (zero width or height, identical, disjoint, nested) give finite
values and gradients: every division is a double-``where`` ``_safe_div`` (the unused
branch divides by 1) and the aspect-ratio angle of CIoU uses ``atan2`` guarded the
same way. Malformed boxes (``x2 < x1`` or ``y2 < y1`` once converted to ``xyxy``) are
a ``ValueError`` where the values are readable without a sync (NumPy,
array-api-strict, eager CPU torch and JAX); under ``jax.jit``, ``torch.compile``,
``torch.func``, on GPUs and on Dask they are not checked, and the result for such a
box is unspecified (finite, but meaningless).
"""

from __future__ import annotations

from .._lib._compat import Array
from .._lib._reduction import reduce_loss
from .._lib._validation import check_choice
from ._common import _ciou_aspect, _diou_penalty, _loss_inputs, _overlap, _safe_div

__all__ = ["ciou_loss", "diou_loss", "giou_loss", "iou_loss"]


IOU_MODES = ("linear", "square", "log")


# ---------------------------------------------------------------------------
# losses
# ---------------------------------------------------------------------------


def iou_loss(
    boxes: Array,
    target_boxes: Array,
    *,
    box_format: str = "xyxy",
    mode: str = "linear",
    eps: float = 1e-7,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""IoU loss: one minus the overlap of predicted and target boxes.

    .. math::

        \ell = \begin{cases}
            1 - \mathrm{IoU} & \text{linear} \\
            1 - \mathrm{IoU}^2 & \text{square} \\
            -\ln \max(\mathrm{IoU}, \varepsilon) & \text{log (UnitBox)}
        \end{cases}, \qquad \mathrm{IoU} = \frac{|B \cap B^{gt}|}{|B \cup B^{gt}| + \varepsilon}

    Optimises the overlap a detector is scored on, invariant to box scale (unlike
    smooth-L1 on coordinates); but its gradient vanishes when the boxes do not
    overlap — use :func:`giou_loss` or :func:`diou_loss` when that happens often.

    Parameters
    ----------
    boxes : array, shape (..., 4)
        Predicted boxes, real floating, in ``box_format``.
    target_boxes : array, shape (..., 4)
        Target boxes, real floating, same shape.
    box_format : {"xyxy", "xywh", "cxcywh"}, default "xyxy"
    mode : {"linear", "square", "log"}, default "linear"
        The modes of mmdetection's ``IoULoss``; ``"log"`` is UnitBox's :math:`-\ln`.
    eps : float, default 1e-7
        Added to the union (as torchvision), and the floor of IoU in ``"log"`` mode
        (as mmdetection's clamp); must be positive.
    weights : array, optional
        Broadcasts against the per-box loss, shape ``boxes.shape[:-1]``.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per box, shape ``boxes.shape[:-1]``.

    Returns
    -------
    array
        Scalar, or shape ``boxes.shape[:-1]`` for ``reduction="none"``; float32 for
        half inputs, otherwise ``boxes``'s dtype.

    Notes
    -----
    Finite value and gradient for degenerate boxes: a zero-area pair has IoU 0 (not
    NaN). ``x2 < x1`` raises ``ValueError`` on eager host arrays and is unchecked under
    tracing, on GPUs and on Dask.

    References
    ----------
    .. [1] J. Yu, Y. Jiang, Z. Wang, Z. Cao and T. Huang, "UnitBox: An Advanced
       Object Detection Network", ACM MM 2016. https://arxiv.org/abs/1608.01471

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> b = np.array([[0.0, 0.0, 2.0, 2.0]])
    >>> t = np.array([[1.0, 0.0, 3.0, 2.0]])  # overlap 2, union 6
    >>> round(float(al.iou_loss(b, t)), 6)
    0.666667
    """
    check_choice(mode, "mode", IOU_MODES)
    pred, target, xp, reduction, eps = _loss_inputs(
        boxes, target_boxes, weights, reduction, box_format, eps
    )
    iou = _overlap(pred, target, eps, xp)["iou"]
    if mode == "linear":
        loss = 1.0 - iou
    elif mode == "square":
        loss = 1.0 - iou * iou
    else:
        floor = xp.full_like(iou, eps)
        loss = -xp.log(xp.maximum(iou, floor))
    return reduce_loss(loss, reduction, xp=xp, weights=weights)


def giou_loss(
    boxes: Array,
    target_boxes: Array,
    *,
    box_format: str = "xyxy",
    eps: float = 1e-7,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Generalized IoU loss (Rezatofighi et al. 2019).

    .. math::

        \ell = 1 - \mathrm{IoU} + \frac{|C| - |B \cup B^{gt}|}{|C| + \varepsilon}

    with :math:`C` the smallest box enclosing both. In :math:`[0, 2]`. Use it instead
    of :func:`iou_loss` when predictions often miss their target entirely: the
    enclosing-box term still pulls disjoint boxes together.

    Parameters
    ----------
    boxes : array, shape (..., 4)
        Predicted boxes, real floating, in ``box_format``.
    target_boxes : array, shape (..., 4)
        Target boxes, same shape.
    box_format : {"xyxy", "xywh", "cxcywh"}, default "xyxy"
    eps : float, default 1e-7
        Added to the union and to :math:`|C|`, as torchvision; must be positive.
    weights : array, optional
        Broadcasts against the per-box loss, shape ``boxes.shape[:-1]``.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per box, shape ``boxes.shape[:-1]``.

    Returns
    -------
    array
        Scalar, or shape ``boxes.shape[:-1]`` for ``reduction="none"``.

    Notes
    -----
    Matches ``torchvision.ops.generalized_box_iou_loss`` (same eps placement), without
    its boolean-mask write; MONAI's ``BoxGIoULoss`` has no eps. Degenerate boxes give
    finite values and gradients.

    References
    ----------
    .. [1] H. Rezatofighi, N. Tsoi, J. Gwak, A. Sadeghian, I. Reid and S. Savarese,
       "Generalized Intersection over Union: A Metric and A Loss for Bounding Box
       Regression", CVPR 2019. https://arxiv.org/abs/1902.09630

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> b = np.array([[0.0, 0.0, 1.0, 1.0]])
    >>> t = np.array([[2.0, 0.0, 3.0, 1.0]])  # disjoint: 1 - 0 + (3 - 2) / 3
    >>> round(float(al.giou_loss(b, t)), 6)
    1.333333
    """
    pred, target, xp, reduction, eps = _loss_inputs(
        boxes, target_boxes, weights, reduction, box_format, eps
    )
    geo = _overlap(pred, target, eps, xp)
    enclose = geo["enclose_w"] * geo["enclose_h"]
    loss = 1.0 - geo["iou"] + _safe_div(enclose - geo["union"], enclose + eps, xp)
    return reduce_loss(loss, reduction, xp=xp, weights=weights)


def diou_loss(
    boxes: Array,
    target_boxes: Array,
    *,
    box_format: str = "xyxy",
    eps: float = 1e-7,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Distance-IoU loss (Zheng et al. 2020).

    .. math::

        \ell = 1 - \mathrm{IoU} + \frac{\rho^2(\mathbf b, \mathbf b^{gt})}{c^2 + \varepsilon}

    with :math:`\rho` the distance between the box centres and :math:`c` the diagonal
    of the smallest enclosing box. Converges faster than :func:`giou_loss`: it pulls
    the centres together directly, also when one box contains the other (where GIoU's
    penalty is 0).

    Parameters
    ----------
    boxes : array, shape (..., 4)
        Predicted boxes, real floating, in ``box_format``.
    target_boxes : array, shape (..., 4)
        Target boxes, same shape.
    box_format : {"xyxy", "xywh", "cxcywh"}, default "xyxy"
    eps : float, default 1e-7
        Added to the union and to :math:`c^2`, as torchvision; must be positive.
    weights : array, optional
        Broadcasts against the per-box loss, shape ``boxes.shape[:-1]``.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per box, shape ``boxes.shape[:-1]``.

    Returns
    -------
    array
        Scalar, or shape ``boxes.shape[:-1]`` for ``reduction="none"``.

    Notes
    -----
    Matches ``torchvision.ops.distance_box_iou_loss`` (same eps placement).

    References
    ----------
    .. [1] Z. Zheng, P. Wang, W. Liu, J. Li, R. Ye and D. Ren, "Distance-IoU Loss:
       Faster and Better Learning for Bounding Box Regression", AAAI 2020.
       https://arxiv.org/abs/1911.08287

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> b = np.array([[0.0, 0.0, 1.0, 1.0]])
    >>> t = np.array([[2.0, 0.0, 3.0, 1.0]])  # 1 - 0 + 2^2 / (3^2 + 1^2)
    >>> round(float(al.diou_loss(b, t)), 6)
    1.4
    """
    pred, target, xp, reduction, eps = _loss_inputs(
        boxes, target_boxes, weights, reduction, box_format, eps
    )
    geo = _overlap(pred, target, eps, xp)
    loss = 1.0 - geo["iou"] + _diou_penalty(pred, target, geo, eps, xp)
    return reduce_loss(loss, reduction, xp=xp, weights=weights)


def ciou_loss(
    boxes: Array,
    target_boxes: Array,
    *,
    box_format: str = "xyxy",
    eps: float = 1e-7,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Complete-IoU loss (Zheng et al. 2020).

    .. math::

        \ell = 1 - \mathrm{IoU} + \frac{\rho^2(\mathbf b, \mathbf b^{gt})}{c^2 + \varepsilon}
            + \alpha v, \quad
        v = \frac{4}{\pi^2}\Big(\arctan\frac{w^{gt}}{h^{gt}} - \arctan\frac{w}{h}\Big)^2,
        \quad \alpha = \frac{v}{(1 - \mathrm{IoU}) + v + \varepsilon}

    :func:`diou_loss` plus an aspect-ratio term: the usual choice for anchor-based
    and anchor-free detectors once boxes roughly overlap.

    Parameters
    ----------
    boxes : array, shape (..., 4)
        Predicted boxes, real floating, in ``box_format``.
    target_boxes : array, shape (..., 4)
        Target boxes, same shape.
    box_format : {"xyxy", "xywh", "cxcywh"}, default "xyxy"
    eps : float, default 1e-7
        Added to the union, to :math:`c^2` and to the denominator of :math:`\alpha`, as
        torchvision; must be positive.
    weights : array, optional
        Broadcasts against the per-box loss, shape ``boxes.shape[:-1]``.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per box, shape ``boxes.shape[:-1]``.

    Returns
    -------
    array
        Scalar, or shape ``boxes.shape[:-1]`` for ``reduction="none"``.

    Notes
    -----
    The trade-off weight :math:`\alpha` is treated as a constant (stop-gradient), as
    the paper prescribes and ``torchvision.ops.complete_box_iou_loss`` does (under
    ``torch.no_grad``). The paper's further replacement of :math:`1/(w^2 + h^2)` by 1
    in the gradient of :math:`v` is not applied (torchvision doesn't either).
    :math:`\arctan(w/h)` is computed as ``atan2(w, h)``, finite for zero-height boxes;
    a point box (:math:`w = h = 0`) gets angle 0 and a zero gradient there.

    References
    ----------
    .. [1] Z. Zheng, P. Wang, W. Liu, J. Li, R. Ye and D. Ren, "Distance-IoU Loss:
       Faster and Better Learning for Bounding Box Regression", AAAI 2020.
       https://arxiv.org/abs/1911.08287

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> b = np.array([[0.0, 0.0, 2.0, 2.0]])
    >>> t = np.array([[0.0, 0.0, 2.0, 1.0]])  # IoU 1/2, rho^2/c^2 = 1/32, v ~ 0.04196
    >>> round(float(al.ciou_loss(b, t)), 6)
    0.534498
    """
    pred, target, xp, reduction, eps = _loss_inputs(
        boxes, target_boxes, weights, reduction, box_format, eps
    )
    geo = _overlap(pred, target, eps, xp)
    alpha, v = _ciou_aspect(pred, target, geo["iou"], eps, xp)
    loss = 1.0 - geo["iou"] + _diou_penalty(pred, target, geo, eps, xp) + alpha * v
    return reduce_loss(loss, reduction, xp=xp, weights=weights)
