"""Float64 NumPy references for the IoU family, written from the papers.

Rezatofighi et al. 2019 (GIoU, arXiv:1902.09630), Zheng et al. 2020 (DIoU/CIoU,
arXiv:1911.08287), UnitBox (arXiv:1608.01471). Plain formulas, box by box in Python
loops over corners; nothing shared with ``arrayloss``. ``eps`` sits where torchvision
puts it (union, enclosing area, squared diagonal, alpha's denominator).
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from support.reference import weighted_reduce


def to_xyxy(boxes: Any, fmt: str) -> np.ndarray:
    b = np.asarray(boxes, dtype=np.float64)
    out = np.empty_like(b)
    if fmt == "xyxy":
        out[...] = b
    elif fmt == "xywh":
        out[..., 0], out[..., 1] = b[..., 0], b[..., 1]
        out[..., 2], out[..., 3] = b[..., 0] + b[..., 2], b[..., 1] + b[..., 3]
    elif fmt == "cxcywh":
        out[..., 0] = b[..., 0] - b[..., 2] / 2
        out[..., 1] = b[..., 1] - b[..., 3] / 2
        out[..., 2] = b[..., 0] + b[..., 2] / 2
        out[..., 3] = b[..., 1] + b[..., 3] / 2
    else:
        raise ValueError(fmt)
    return out


def from_xyxy(boxes: Any, fmt: str) -> np.ndarray:
    b = np.asarray(boxes, dtype=np.float64)
    x1, y1, x2, y2 = b[..., 0], b[..., 1], b[..., 2], b[..., 3]
    if fmt == "xyxy":
        return b.copy()
    if fmt == "xywh":
        return np.stack([x1, y1, x2 - x1, y2 - y1], axis=-1)
    return np.stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], axis=-1)


def _one(p: np.ndarray, g: np.ndarray, eps: float) -> dict[str, float]:
    """All the paper quantities for one pair of xyxy boxes."""
    px1, py1, px2, py2 = (float(v) for v in p)
    gx1, gy1, gx2, gy2 = (float(v) for v in g)
    iw = max(0.0, min(px2, gx2) - max(px1, gx1))
    ih = max(0.0, min(py2, gy2) - max(py1, gy1))
    inter = iw * ih
    area_p = (px2 - px1) * (py2 - py1)
    area_g = (gx2 - gx1) * (gy2 - gy1)
    union = area_p + area_g - inter
    iou = inter / (union + eps) if union + eps > 0 else 0.0
    cw = max(px2, gx2) - min(px1, gx1)
    ch = max(py2, gy2) - min(py1, gy1)
    c_area = cw * ch
    c_diag2 = cw**2 + ch**2
    rho2 = ((px1 + px2) / 2 - (gx1 + gx2) / 2) ** 2 + ((py1 + py2) / 2 - (gy1 + gy2) / 2) ** 2
    wp, hp, wg, hg = px2 - px1, py2 - py1, gx2 - gx1, gy2 - gy1

    def angle(w: float, h: float) -> float:
        if h > 0:
            return math.atan(w / h)
        return math.pi / 2 if w > 0 else 0.0  # limit of atan(w/h) as h -> 0+; point box: 0

    v = 4 / math.pi**2 * (angle(wg, hg) - angle(wp, hp)) ** 2
    denom_alpha = (1 - iou) + v + eps
    alpha = v / denom_alpha if denom_alpha > 0 else 0.0
    return {
        "iou": iou,
        "giou_pen": (c_area - union) / (c_area + eps) if c_area + eps > 0 else 0.0,
        "diou_pen": rho2 / (c_diag2 + eps) if c_diag2 + eps > 0 else 0.0,
        "alpha_v": alpha * v,
    }


def _elementwise(boxes: Any, target_boxes: Any, fmt: str, eps: float, fn: Any) -> np.ndarray:
    p = to_xyxy(boxes, fmt)
    g = to_xyxy(target_boxes, fmt)
    lead = p.shape[:-1]
    flat_p, flat_g = p.reshape(-1, 4), g.reshape(-1, 4)
    out = np.array([fn(_one(a, b, eps)) for a, b in zip(flat_p, flat_g, strict=True)])
    return out.reshape(lead)


def iou_loss(
    boxes: Any,
    target_boxes: Any,
    *,
    box_format: str = "xyxy",
    mode: str = "linear",
    eps: float = 1e-7,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    def f(q: dict[str, float]) -> float:
        if mode == "linear":
            return 1 - q["iou"]
        if mode == "square":
            return 1 - q["iou"] ** 2
        return -math.log(max(q["iou"], eps))

    loss = _elementwise(boxes, target_boxes, box_format, eps, f)
    return weighted_reduce(loss, reduction, weights)


def giou_loss(
    boxes: Any,
    target_boxes: Any,
    *,
    box_format: str = "xyxy",
    eps: float = 1e-7,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    loss = _elementwise(
        boxes, target_boxes, box_format, eps, lambda q: 1 - q["iou"] + q["giou_pen"]
    )
    return weighted_reduce(loss, reduction, weights)


def diou_loss(
    boxes: Any,
    target_boxes: Any,
    *,
    box_format: str = "xyxy",
    eps: float = 1e-7,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    loss = _elementwise(
        boxes, target_boxes, box_format, eps, lambda q: 1 - q["iou"] + q["diou_pen"]
    )
    return weighted_reduce(loss, reduction, weights)


def ciou_loss(
    boxes: Any,
    target_boxes: Any,
    *,
    box_format: str = "xyxy",
    eps: float = 1e-7,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    loss = _elementwise(
        boxes,
        target_boxes,
        box_format,
        eps,
        lambda q: 1 - q["iou"] + q["diou_pen"] + q["alpha_v"],
    )
    return weighted_reduce(loss, reduction, weights)


def box_area(boxes: Any, box_format: str = "xyxy") -> np.ndarray:
    b = to_xyxy(boxes, box_format)
    return (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])


def box_iou(boxes1: Any, boxes2: Any) -> np.ndarray:
    """Pairwise IoU, no eps; 0 where the union is empty."""
    a, b = np.asarray(boxes1, np.float64), np.asarray(boxes2, np.float64)
    out = np.zeros((len(a), len(b)))
    for i, p in enumerate(a):
        for j, g in enumerate(b):
            out[i, j] = _one(p, g, 0.0)["iou"]
    return out


def generalized_box_iou(boxes1: Any, boxes2: Any) -> np.ndarray:
    a, b = np.asarray(boxes1, np.float64), np.asarray(boxes2, np.float64)
    out = np.zeros((len(a), len(b)))
    for i, p in enumerate(a):
        for j, g in enumerate(b):
            q = _one(p, g, 0.0)
            out[i, j] = q["iou"] - q["giou_pen"]
    return out


# -- EIoU / Focal-EIoU / SIoU / alpha-IoU / Wise-IoU (written from the papers) -----------


def _geometry(p: np.ndarray, g: np.ndarray) -> dict[str, float]:
    """Centres, sizes and enclosing box of one xyxy pair, as the papers name them."""
    px1, py1, px2, py2 = (float(v) for v in p)
    gx1, gy1, gx2, gy2 = (float(v) for v in g)
    return {
        "cx": (px1 + px2) / 2,
        "cy": (py1 + py2) / 2,
        "gcx": (gx1 + gx2) / 2,
        "gcy": (gy1 + gy2) / 2,
        "w": px2 - px1,
        "h": py2 - py1,
        "gw": gx2 - gx1,
        "gh": gy2 - gy1,
        "cw": max(px2, gx2) - min(px1, gx1),
        "ch": max(py2, gy2) - min(py1, gy1),
    }


def _div(a: float, b: float) -> float:
    return a / b if b != 0 else 0.0


def _eiou_one(p: np.ndarray, g: np.ndarray, eps: float) -> tuple[float, float]:
    q, s = _one(p, g, eps), _geometry(p, g)
    loss = (
        1
        - q["iou"]
        + q["diou_pen"]
        + _div((s["w"] - s["gw"]) ** 2, s["cw"] ** 2 + eps)
        + _div((s["h"] - s["gh"]) ** 2, s["ch"] ** 2 + eps)
    )
    return loss, q["iou"]


def eiou_loss(
    boxes: Any,
    target_boxes: Any,
    *,
    box_format: str = "xyxy",
    eps: float = 1e-7,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    loss = _pairs(boxes, target_boxes, box_format, lambda p, g: _eiou_one(p, g, eps)[0])
    return weighted_reduce(loss, reduction, weights)


def focal_eiou_loss(
    boxes: Any,
    target_boxes: Any,
    *,
    box_format: str = "xyxy",
    gamma: float = 0.5,
    eps: float = 1e-7,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    def f(p: np.ndarray, g: np.ndarray) -> float:
        loss, iou = _eiou_one(p, g, eps)
        return iou**gamma * loss

    return weighted_reduce(_pairs(boxes, target_boxes, box_format, f), reduction, weights)


def siou_loss(
    boxes: Any,
    target_boxes: Any,
    *,
    box_format: str = "xyxy",
    theta: float = 4.0,
    eps: float = 1e-7,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    def f(p: np.ndarray, g: np.ndarray) -> float:
        q, s = _one(p, g, eps), _geometry(p, g)
        c_w, c_h = s["gcx"] - s["cx"], s["gcy"] - s["cy"]
        sigma = math.hypot(c_w, c_h)
        # the paper's angle cost: 1 - 2 sin^2(arcsin(x) - pi/4), x = c_h / sigma
        x = abs(c_h) / sigma if sigma > 0 else 0.0
        lam = 1 - 2 * math.sin(math.asin(x) - math.pi / 4) ** 2 if sigma > 0 else 0.0
        gam = 2 - lam
        rho_x = _div(c_w**2, s["cw"] ** 2 + eps)
        rho_y = _div(c_h**2, s["ch"] ** 2 + eps)
        delta = (1 - math.exp(-gam * rho_x)) + (1 - math.exp(-gam * rho_y))
        om_w = _div(abs(s["w"] - s["gw"]), max(s["w"], s["gw"]))
        om_h = _div(abs(s["h"] - s["gh"]), max(s["h"], s["gh"]))
        omega = (1 - math.exp(-om_w)) ** theta + (1 - math.exp(-om_h)) ** theta
        return 1 - q["iou"] + (delta + omega) / 2

    return weighted_reduce(_pairs(boxes, target_boxes, box_format, f), reduction, weights)


def alpha_iou_loss(
    boxes: Any,
    target_boxes: Any,
    *,
    box_format: str = "xyxy",
    alpha: float = 3.0,
    penalty: str | None = None,
    eps: float = 1e-7,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    def f(p: np.ndarray, g: np.ndarray) -> float:
        q = _one(p, g, eps)
        loss = 1 - q["iou"] ** alpha
        if penalty == "giou":
            loss += q["giou_pen"] ** alpha
        elif penalty in ("diou", "ciou"):
            loss += q["diou_pen"] ** alpha
            if penalty == "ciou":
                loss += q["alpha_v"] ** alpha  # CIoU's beta * v, beta from the plain IoU
        return loss

    return weighted_reduce(_pairs(boxes, target_boxes, box_format, f), reduction, weights)


class WiseIoUState(NamedTuple):
    """The reference's state: the running mean of 1 - IoU (a float64 scalar)."""

    iou_mean: Any


def wise_iou_loss(
    boxes: Any,
    target_boxes: Any,
    state: Any = None,
    *,
    box_format: str = "xyxy",
    version: int = 3,
    momentum: float = 1.0 - 0.5 ** (1.0 / 7000.0),
    alpha: float = 1.9,
    delta: float = 3.0,
    gamma: float = 0.5,
    eps: float = 1e-7,
    weights: Any = None,
    reduction: str = "mean",
) -> tuple[np.ndarray, WiseIoUState]:
    """Tong et al. 2023 eqs. (4), (7)-(9); the mean is updated first, as the authors' code.

    ``state`` is anything with an ``iou_mean`` (None: the authors' initial 1.0).
    """
    iou_mean = 1.0 if state is None else float(np.asarray(state.iou_mean, dtype=np.float64))
    l_iou = _pairs(boxes, target_boxes, box_format, lambda p, g: 1 - _one(p, g, eps)["iou"])

    def r_wiou(p: np.ndarray, g: np.ndarray) -> float:
        s = _geometry(p, g)
        num = (s["cx"] - s["gcx"]) ** 2 + (s["cy"] - s["gcy"]) ** 2
        return math.exp(_div(num, s["cw"] ** 2 + s["ch"] ** 2 + eps))

    v1 = _pairs(boxes, target_boxes, box_format, r_wiou) * l_iou
    if weights is None:
        batch = float(np.mean(l_iou))
    else:
        w = np.broadcast_to(np.asarray(weights, np.float64), l_iou.shape)
        batch = float(np.sum(w * l_iou) / np.sum(w)) if np.sum(w) != 0 else 0.0
    new_mean = (1 - momentum) * iou_mean + momentum * batch
    beta = l_iou / new_mean
    if version == 1:
        loss = v1
    elif version == 2:
        loss = beta**gamma * v1
    else:
        loss = beta / (delta * alpha ** (beta - delta)) * v1
    return weighted_reduce(loss, reduction, weights), WiseIoUState(np.float64(new_mean))


def _pairs(boxes: Any, target_boxes: Any, fmt: str, fn: Any) -> np.ndarray:
    p, g = to_xyxy(boxes, fmt), to_xyxy(target_boxes, fmt)
    flat = [fn(a, b) for a, b in zip(p.reshape(-1, 4), g.reshape(-1, 4), strict=True)]
    return np.array(flat, dtype=np.float64).reshape(p.shape[:-1])


# -- the conformance suite's table (tests/test_conformance.py) ------------------------------------


def _box_convert(boxes: Any, in_fmt: str, out_fmt: str) -> np.ndarray:
    return from_xyxy(to_xyxy(boxes, in_fmt), out_fmt)


def _pairwise(fn: Any) -> Any:
    """``fn(boxes1, boxes2)`` on xyxy boxes, taking ``box_format`` as the loss does."""

    def call(boxes1: Any, boxes2: Any, *, box_format: str = "xyxy") -> np.ndarray:
        return fn(to_xyxy(boxes1, box_format), to_xyxy(boxes2, box_format))

    return call


REFERENCES: dict[str, Any] = {
    "iou_loss": iou_loss,
    "giou_loss": giou_loss,
    "diou_loss": diou_loss,
    "ciou_loss": ciou_loss,
    "eiou_loss": eiou_loss,
    "focal_eiou_loss": focal_eiou_loss,
    "siou_loss": siou_loss,
    "alpha_iou_loss": alpha_iou_loss,
    "wise_iou_loss": wise_iou_loss,
    "box_convert": _box_convert,
    "box_area": box_area,
    "box_iou": _pairwise(box_iou),
    "generalized_box_iou": _pairwise(generalized_box_iou),
}
