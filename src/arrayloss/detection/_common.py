"""Helpers shared by the box losses and utilities: box formats, corners, overlaps,
centre distances and aspect terms.
"""

from __future__ import annotations

import math

from .._lib._compat import (
    Array,
    Namespace,
    array_namespace,
    array_or_none,
    device_of,
    values_readable,
)
from .._lib._dtypes import cast, compute_dtype
from .._lib._hyper import Hyper, continuous
from .._lib._reduction import check_reduction, check_weights
from .._lib._special import stop_gradient
from .._lib._validation import check_choice, check_same_shape

BOX_FORMATS = ("xyxy", "xywh", "cxcywh")

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
    eps: object,
    **hyper: object,
) -> tuple[Corners, Corners, Namespace, str, Hyper]:
    """Validated corners of both box sets, the namespace, the reduction and ``eps``.

    ``hyper`` are the loss's other hyperparameters: the arrays among them join the
    namespace inference (a torch ``gamma`` with NumPy boxes is a mixed-library error).
    """
    xp = array_namespace(
        boxes=boxes,
        target_boxes=target_boxes,
        weights=weights,
        eps=array_or_none(eps),
        **{k: array_or_none(v) for k, v in hyper.items()},
        required=("boxes", "target_boxes"),
    )
    reduction = check_reduction(reduction)
    box_format = _check_format(box_format, "box_format")
    dtype = compute_dtype(boxes, "boxes", xp)
    eps = continuous(eps, "eps", cast(boxes, dtype, xp), xp, low=0.0, low_inclusive=False)
    compute_dtype(target_boxes, "target_boxes", xp)
    check_same_shape(boxes, target_boxes, "boxes", "target_boxes")
    _check_box_shape(boxes, "boxes")
    check_weights(weights, tuple(boxes.shape)[:-1], xp)
    pred = _corners(cast(boxes, dtype, xp), box_format)
    target = _corners(cast(target_boxes, dtype, xp), box_format)
    _check_ordered(pred, "boxes", box_format, xp)
    _check_ordered(target, "target_boxes", box_format, xp)
    return pred, target, xp, reduction, eps


def _overlap(pred: Corners, target: Corners, eps: Hyper, xp: Namespace) -> dict[str, Array]:
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
