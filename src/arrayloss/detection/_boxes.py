"""Box utilities: format conversion, area, pairwise IoU and generalized IoU."""

from __future__ import annotations

from .._lib._compat import Array, Namespace, array_namespace
from .._lib._dtypes import cast, compute_dtype
from ._common import (
    Corners,
    _check_box_shape,
    _check_format,
    _check_ordered,
    _corners,
    _overlap,
    _safe_div,
)

__all__ = ["box_area", "box_convert", "box_iou", "generalized_box_iou"]


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

    References
    ----------
    .. [1] M. Everingham, L. Van Gool, C. K. I. Williams, J. Winn, A. Zisserman, "The
           PASCAL Visual Object Classes (VOC) Challenge", IJCV 88(2), 2010.
           https://doi.org/10.1007/s11263-009-0275-4

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

    References
    ----------
    .. [1] M. Everingham, L. Van Gool, C. K. I. Williams, J. Winn, A. Zisserman, "The
           PASCAL Visual Object Classes (VOC) Challenge", IJCV 88(2), 2010.
           https://doi.org/10.1007/s11263-009-0275-4

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

    References
    ----------
    .. [1] M. Everingham, L. Van Gool, C. K. I. Williams, J. Winn, A. Zisserman, "The
           PASCAL Visual Object Classes (VOC) Challenge", IJCV 88(2), 2010.
           https://doi.org/10.1007/s11263-009-0275-4

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
