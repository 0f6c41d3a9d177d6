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

import math

from ._lib._compat import Array, Namespace, array_namespace, device_of, values_readable
from ._lib._dtypes import cast, compute_dtype
from ._lib._primitives import stop_gradient
from ._lib._reduction import check_reduction, check_weights, reduce_loss
from ._lib._validation import check_choice, check_number, check_same_shape

__all__ = [
    "box_area",
    "box_convert",
    "box_iou",
    "ciou_loss",
    "diou_loss",
    "generalized_box_iou",
    "giou_loss",
    "iou_loss",
]

BOX_FORMATS = ("xyxy", "xywh", "cxcywh")
IOU_MODES = ("linear", "square", "log")

Corners = tuple[Array, Array, Array, Array]


# ---------------------------------------------------------------------------
# private helpers
# ---------------------------------------------------------------------------


def _check_box_shape(boxes: Array, name: str) -> None:
    shape = tuple(boxes.shape)
    if len(shape) == 0 or shape[-1] != 4:
        raise ValueError(
            f"{name} must have shape (..., 4) (4 box coordinates on the last axis), "
            f"got shape {shape}"
        )


def _check_format(value: object, name: str) -> str:
    check_choice(value, name, BOX_FORMATS)
    return str(value)


def _corners(boxes: Array, box_format: str) -> Corners:
    """``(x1, y1, x2, y2)``, each of shape ``boxes.shape[:-1]``."""
    a, b, c, d = boxes[..., 0], boxes[..., 1], boxes[..., 2], boxes[..., 3]
    if box_format == "xyxy":
        return a, b, c, d
    if box_format == "xywh":
        return a, b, a + c, b + d
    # cxcywh: corners are the centre -/+ half the size
    half_w, half_h = 0.5 * c, 0.5 * d
    return a - half_w, b - half_h, a + half_w, b + half_h


def _check_ordered(corners: Corners, name: str, box_format: str, xp: Namespace) -> None:
    """``ValueError`` for ``x2 < x1`` or ``y2 < y1``, where values are readable."""
    x1, y1, x2, y2 = corners
    if not values_readable(x1, xp):
        return
    any_bad = xp.any((x2 < x1) | (y2 < y1))
    if not values_readable(any_bad, xp):
        return  # concrete boxes closed over by jax.jit still give a traced result
    if bool(any_bad):
        what = "x2 < x1 or y2 < y1" if box_format == "xyxy" else "a negative width or height"
        raise ValueError(
            f"{name} contains malformed boxes ({what}) in box_format={box_format!r}; "
            "allowed: boxes with x2 >= x1 and y2 >= y1 (width and height >= 0)"
        )


def _zero(like: Array, xp: Namespace) -> Array:
    return xp.zeros((), dtype=like.dtype, device=device_of(like))


def _safe_div(num: Array, den: Array, xp: Namespace) -> Array:
    """``num / den`` where ``den != 0``, else 0; the unused branch divides by 1 (double where).

    ``!=``, not ``>``: a NaN denominator must still give NaN, never a silent 0.
    """
    ok = den != 0
    one = xp.ones((), dtype=den.dtype, device=device_of(den))
    return xp.where(ok, num / xp.where(ok, den, one), _zero(num, xp))


def _relu(x: Array, xp: Namespace) -> Array:
    return xp.maximum(x, _zero(x, xp))


def _loss_inputs(
    boxes: Array,
    target_boxes: Array,
    weights: Array | None,
    reduction: str,
    box_format: str,
    eps: float,
) -> tuple[Corners, Corners, Namespace, str, float]:
    xp = array_namespace(
        boxes=boxes,
        target_boxes=target_boxes,
        weights=weights,
        required=("boxes", "target_boxes"),
    )
    reduction = check_reduction(reduction)
    box_format = _check_format(box_format, "box_format")
    eps = check_number(eps, "eps", low=0.0, low_inclusive=False)
    dtype = compute_dtype(boxes, "boxes", xp)
    compute_dtype(target_boxes, "target_boxes", xp)
    check_same_shape(boxes, target_boxes, "boxes", "target_boxes")
    _check_box_shape(boxes, "boxes")
    check_weights(weights, tuple(boxes.shape)[:-1], xp)
    pred = _corners(cast(boxes, dtype, xp), box_format)
    target = _corners(cast(target_boxes, dtype, xp), box_format)
    _check_ordered(pred, "boxes", box_format, xp)
    _check_ordered(target, "target_boxes", box_format, xp)
    return pred, target, xp, reduction, eps


def _overlap(pred: Corners, target: Corners, eps: float, xp: Namespace) -> dict[str, Array]:
    """IoU, the enclosing box and the raw areas of two aligned sets of boxes."""
    x1, y1, x2, y2 = pred
    gx1, gy1, gx2, gy2 = target
    # intersection sides clipped at 0: disjoint boxes overlap by nothing
    inter_w = _relu(xp.minimum(x2, gx2) - xp.maximum(x1, gx1), xp)
    inter_h = _relu(xp.minimum(y2, gy2) - xp.maximum(y1, gy1), xp)
    inter = inter_w * inter_h
    union = (x2 - x1) * (y2 - y1) + (gx2 - gx1) * (gy2 - gy1) - inter
    # IoU = I / (U + eps), as torchvision; 0 when U + eps is 0
    iou = _safe_div(inter, union + eps, xp)
    enclose_w = xp.maximum(x2, gx2) - xp.minimum(x1, gx1)
    enclose_h = xp.maximum(y2, gy2) - xp.minimum(y1, gy1)
    return {"iou": iou, "union": union, "enclose_w": enclose_w, "enclose_h": enclose_h}


def _centre_offset(pred: Corners, target: Corners) -> tuple[Array, Array]:
    """Centre of ``pred`` minus centre of ``target``, along x and along y."""
    x1, y1, x2, y2 = pred
    gx1, gy1, gx2, gy2 = target
    # ((x1 + x2) - (gx1 + gx2)) / 2: one halving instead of two
    return 0.5 * ((x1 + x2) - (gx1 + gx2)), 0.5 * ((y1 + y2) - (gy1 + gy2))


def _diou_penalty(
    pred: Corners, target: Corners, geo: dict[str, Array], eps: float, xp: Namespace
) -> Array:
    """rho^2(b, b_gt) / (c^2 + eps): squared centre distance over squared enclosing diagonal."""
    dx, dy = _centre_offset(pred, target)
    diag2 = geo["enclose_w"] * geo["enclose_w"] + geo["enclose_h"] * geo["enclose_h"]
    return _safe_div(dx * dx + dy * dy, diag2 + eps, xp)


def _aspect_angle(w: Array, h: Array, xp: Namespace) -> Array:
    """arctan(w / h) for w, h >= 0, as atan2(w, h): finite for h = 0; 0 for a point box."""
    ok = (w != 0) | (h != 0)  # NaN != 0: NaN propagates
    one = xp.ones((), dtype=w.dtype, device=device_of(w))
    # double where: atan2's gradient h/(w^2+h^2) is 0/0 at w = h = 0
    angle = xp.atan2(xp.where(ok, w, one), xp.where(ok, h, one))
    return xp.where(ok, angle, _zero(w, xp))


def _ciou_aspect(
    pred: Corners, target: Corners, iou: Array, eps: float, xp: Namespace
) -> tuple[Array, Array]:
    """CIoU's aspect term: the constant weight alpha (no gradient) and v."""
    x1, y1, x2, y2 = pred
    gx1, gy1, gx2, gy2 = target
    angle = _aspect_angle(gx2 - gx1, gy2 - gy1, xp) - _aspect_angle(x2 - x1, y2 - y1, xp)
    v = (4.0 / math.pi**2) * angle * angle
    # alpha = v / ((1 - IoU) + v + eps), a constant weight (no gradient), as the paper
    alpha = stop_gradient(_safe_div(v, (1.0 - iou) + v + eps, xp), xp=xp)
    return alpha, v


# ---------------------------------------------------------------------------
# utilities
# ---------------------------------------------------------------------------


def box_convert(boxes: Array, in_fmt: str, out_fmt: str) -> Array:
    r"""Convert boxes between the ``"xyxy"``, ``"xywh"`` and ``"cxcywh"`` formats.

    .. math::

        (x_1, y_1, x_2, y_2) \;\leftrightarrow\; (x_1, y_1, w, h) \;\leftrightarrow\;
        (c_x, c_y, w, h), \qquad w = x_2 - x_1,\; c_x = \tfrac12 (x_1 + x_2)

    Same formats and names as ``torchvision.ops.box_convert``.

    Parameters
    ----------
    boxes : array, shape (..., 4)
        Real floating boxes.
    in_fmt, out_fmt : {"xyxy", "xywh", "cxcywh"}
        The format of ``boxes`` and the format to return.

    Returns
    -------
    array, shape (..., 4)
        The converted boxes, in ``boxes``'s dtype (no half-precision upcast: this is
        exact arithmetic on coordinates). No ordering check is made.

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> al.box_convert(np.array([1.0, 2.0, 5.0, 4.0]), "xyxy", "cxcywh")
    array([3., 3., 4., 2.])
    """
    xp = array_namespace(boxes=boxes, required=("boxes",))
    in_fmt = _check_format(in_fmt, "in_fmt")
    out_fmt = _check_format(out_fmt, "out_fmt")
    compute_dtype(boxes, "boxes", xp)
    _check_box_shape(boxes, "boxes")
    if in_fmt == out_fmt:
        return boxes
    x1, y1, x2, y2 = _corners(boxes, in_fmt)
    if out_fmt == "xyxy":
        parts = (x1, y1, x2, y2)
    elif out_fmt == "xywh":
        parts = (x1, y1, x2 - x1, y2 - y1)
    else:
        parts = (0.5 * (x1 + x2), 0.5 * (y1 + y2), x2 - x1, y2 - y1)
    return xp.stack(parts, axis=-1)


def box_area(boxes: Array, *, box_format: str = "xyxy") -> Array:
    r"""Area of each box.

    .. math::

        A = (x_2 - x_1)(y_2 - y_1) = w\,h

    Parameters
    ----------
    boxes : array, shape (..., 4)
        Real floating boxes in ``box_format``.
    box_format : {"xyxy", "xywh", "cxcywh"}, default "xyxy"

    Returns
    -------
    array, shape (...)
        float32 for half inputs, otherwise ``boxes``'s dtype. Malformed boxes raise
        ``ValueError`` where values are readable (see the module notes).

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> al.box_area(np.array([[0.0, 0.0, 2.0, 3.0], [1.0, 1.0, 1.0, 4.0]]))
    array([6., 0.])
    """
    xp = array_namespace(boxes=boxes, required=("boxes",))
    box_format = _check_format(box_format, "box_format")
    dtype = compute_dtype(boxes, "boxes", xp)
    _check_box_shape(boxes, "boxes")
    x1, y1, x2, y2 = corners = _corners(cast(boxes, dtype, xp), box_format)
    _check_ordered(corners, "boxes", box_format, xp)
    return (x2 - x1) * (y2 - y1)


def _pairwise(boxes1: Array, boxes2: Array, box_format: str) -> tuple[Corners, Corners, Namespace]:
    xp = array_namespace(boxes1=boxes1, boxes2=boxes2, required=("boxes1", "boxes2"))
    box_format = _check_format(box_format, "box_format")
    dtype = compute_dtype(boxes1, "boxes1", xp)
    compute_dtype(boxes2, "boxes2", xp)
    for name, b in (("boxes1", boxes1), ("boxes2", boxes2)):
        if len(tuple(b.shape)) != 2 or tuple(b.shape)[-1] != 4:
            raise ValueError(f"{name} must have shape (N, 4), got shape {tuple(b.shape)}")
    c1 = _corners(cast(boxes1, dtype, xp)[:, None, :], box_format)
    c2 = _corners(cast(boxes2, dtype, xp)[None, :, :], box_format)
    _check_ordered(c1, "boxes1", box_format, xp)
    _check_ordered(c2, "boxes2", box_format, xp)
    return c1, c2, xp


def box_iou(boxes1: Array, boxes2: Array, *, box_format: str = "xyxy") -> Array:
    r"""Pairwise intersection over union of two sets of boxes.

    .. math::

        \mathrm{IoU}_{nm} = \frac{|B_n \cap B_m|}{|B_n \cup B_m|}

    The matching matrix of anchor assignment and of detection metrics. Same as
    ``torchvision.ops.box_iou`` except that a pair whose union is empty (two zero-area
    boxes) gives 0 here and NaN there.

    Parameters
    ----------
    boxes1 : array, shape (N, 4)
    boxes2 : array, shape (M, 4)
        Real floating boxes in ``box_format``.
    box_format : {"xyxy", "xywh", "cxcywh"}, default "xyxy"

    Returns
    -------
    array, shape (N, M)
        float32 for half inputs, otherwise ``boxes1``'s dtype.

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> a = np.array([[0.0, 0.0, 2.0, 2.0]])
    >>> b = np.array([[1.0, 1.0, 3.0, 3.0], [0.0, 0.0, 2.0, 2.0]])
    >>> al.box_iou(a, b)
    array([[0.14285714, 1.        ]])
    """
    c1, c2, xp = _pairwise(boxes1, boxes2, box_format)
    geo = _overlap(c1, c2, 0.0, xp)
    return geo["iou"]


def generalized_box_iou(boxes1: Array, boxes2: Array, *, box_format: str = "xyxy") -> Array:
    r"""Pairwise generalized IoU of two sets of boxes.

    .. math::

        \mathrm{GIoU}_{nm} = \mathrm{IoU}_{nm} - \frac{|C_{nm}| - |B_n \cup B_m|}{|C_{nm}|}

    with :math:`C_{nm}` the smallest box enclosing both. In :math:`[-1, 1]`; used as a
    matching cost (DETR). Same as ``torchvision.ops.generalized_box_iou`` except that
    terms with an empty denominator are 0 here (NaN there).

    Parameters
    ----------
    boxes1 : array, shape (N, 4)
    boxes2 : array, shape (M, 4)
        Real floating boxes in ``box_format``.
    box_format : {"xyxy", "xywh", "cxcywh"}, default "xyxy"

    Returns
    -------
    array, shape (N, M)
        float32 for half inputs, otherwise ``boxes1``'s dtype.

    References
    ----------
    .. [1] H. Rezatofighi et al., "Generalized Intersection over Union: A Metric and
       A Loss for Bounding Box Regression", CVPR 2019. https://arxiv.org/abs/1902.09630

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> a = np.array([[0.0, 0.0, 1.0, 1.0]])
    >>> b = np.array([[2.0, 0.0, 3.0, 1.0]])
    >>> al.generalized_box_iou(a, b)  # IoU 0, enclosing 3, union 2: 0 - 1/3
    array([[-0.33333333]])
    """
    c1, c2, xp = _pairwise(boxes1, boxes2, box_format)
    geo = _overlap(c1, c2, 0.0, xp)
    enclose = geo["enclose_w"] * geo["enclose_h"]
    return geo["iou"] - _safe_div(enclose - geo["union"], enclose, xp)


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
