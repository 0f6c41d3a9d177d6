"""Detection, continued: EIoU, Focal-EIoU, SIoU, alpha-IoU and Wise-IoU box losses.

Same inputs, box formats, degenerate-box guarantees and malformed-box checks as the
losses of :mod:`arrayloss._detection`, whose private helpers (corner conversion, IoU
and enclosing box, centre offset, CIoU's aspect term, double-``where`` division) are
reused here. Powers of values that can be 0 (``IoU ** gamma``, penalties raised to
``alpha``) go through ``_safe_pow`` so that exponents below 1 keep a finite gradient.
"""

from __future__ import annotations

from typing import NamedTuple

from .._lib._compat import (
    Array,
    Namespace,
    array_namespace,
    device_of,
    is_array,
    values_readable,
)
from .._lib._dtypes import cast, compute_dtype
from .._lib._hyper import Hyper, continuous, hyper_log
from .._lib._reduction import reduce_loss
from .._lib._special import stop_gradient
from .._lib._validation import check_choice, check_number
from ._common import (
    Corners,
    _centre_offset,
    _ciou_aspect,
    _diou_penalty,
    _loss_inputs,
    _overlap,
    _safe_div,
    _zero,
)

__all__ = [
    "WiseIoUState",
    "alpha_iou_loss",
    "eiou_loss",
    "focal_eiou_loss",
    "init_wise_iou",
    "siou_loss",
    "wise_iou_loss",
]


ALPHA_PENALTIES = (None, "giou", "diou", "ciou")
WIOU_VERSIONS = (1, 2, 3)


def _safe_pow(x: Array, p: Hyper, xp: Namespace) -> Array:
    """``x ** p`` for ``x >= 0``; at ``x = 0`` value 0 and gradient 0 (double where).

    ``p < 1`` has an infinite derivative at 0, which times a zero upstream gradient
    is NaN; the unused branch raises 1 instead. ``!= 0`` keeps NaN propagating.
    """
    if isinstance(p, float) and p == 0.0:
        return xp.ones_like(x)
    ok = x != 0
    one = xp.ones((), dtype=x.dtype, device=device_of(x))
    at_zero = _zero(x, xp) if isinstance(p, float) else xp.where(p == 0, one, _zero(x, xp))
    return xp.where(ok, xp.where(ok, x, one) ** p, at_zero)


def _eiou(pred: Corners, target: Corners, eps: float, xp: Namespace) -> tuple[Array, Array]:
    """Per-box EIoU loss and IoU."""
    geo = _overlap(pred, target, eps, xp)
    x1, y1, x2, y2 = pred
    gx1, gy1, gx2, gy2 = target
    dw = (x2 - x1) - (gx2 - gx1)
    dh = (y2 - y1) - (gy2 - gy1)
    cw, ch = geo["enclose_w"], geo["enclose_h"]
    # width and height gaps, each over the enclosing box's side (Zhang et al. eq. 11)
    side = _safe_div(dw * dw, cw * cw + eps, xp) + _safe_div(dh * dh, ch * ch + eps, xp)
    loss = 1.0 - geo["iou"] + _diou_penalty(pred, target, geo, eps, xp) + side
    return loss, geo["iou"]


def eiou_loss(
    boxes: Array,
    target_boxes: Array,
    *,
    box_format: str = "xyxy",
    eps: float = 1e-7,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Efficient-IoU loss (Zhang et al. 2022): DIoU plus separate width and height gaps.

    .. math::

        \ell = 1 - \mathrm{IoU} + \frac{\rho^2(\mathbf b, \mathbf b^{gt})}{c^2 + \varepsilon}
            + \frac{(w - w^{gt})^2}{C_w^2 + \varepsilon}
            + \frac{(h - h^{gt})^2}{C_h^2 + \varepsilon}

    with :math:`C_w, C_h` the width and height of the smallest enclosing box and
    :math:`c^2 = C_w^2 + C_h^2`. Use it where CIoU's aspect-ratio term stalls: CIoU
    cannot tell a box from a scaled copy of it (same :math:`v`), whereas EIoU pulls
    width and height to their targets directly.

    Parameters
    ----------
    boxes : array, shape (..., 4)
        Predicted boxes, real floating, in ``box_format``.
    target_boxes : array, shape (..., 4)
        Target boxes, same shape.
    box_format : {"xyxy", "xywh", "cxcywh"}, default "xyxy"
    eps : float, default 1e-7
        Added to the union and to every squared denominator; must be positive.
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
    The published width and height terms. mmdetection's ``EIoULoss`` is a different
    loss of the same name (a smooth-L1-like "Extended IoU" of another paper) and does
    not match these values. Degenerate boxes give finite values and gradients.

    References
    ----------
    .. [1] Y.-F. Zhang, W. Ren, Z. Zhang, Z. Jia, L. Wang and T. Tan, "Focal and
       Efficient IOU Loss for Accurate Bounding Box Regression", Neurocomputing 506,
       2022. https://arxiv.org/abs/2101.08158

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> b = np.array([[0.0, 0.0, 2.0, 2.0]])
    >>> t = np.array([[0.0, 0.0, 2.0, 1.0]])  # 1 - 1/2 + 0.25/8 + 0/4 + 1/4
    >>> round(float(al.eiou_loss(b, t)), 6)
    0.78125
    """
    pred, target, xp, reduction, eps = _loss_inputs(
        boxes, target_boxes, weights, reduction, box_format, eps
    )
    loss, _ = _eiou(pred, target, eps, xp)
    return reduce_loss(loss, reduction, xp=xp, weights=weights)


def focal_eiou_loss(
    boxes: Array,
    target_boxes: Array,
    *,
    box_format: str = "xyxy",
    gamma: float = 0.5,
    eps: float = 1e-7,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Focal-EIoU loss (Zhang et al. 2022): EIoU reweighted by :math:`\mathrm{IoU}^\gamma`.

    .. math::

        \ell = \mathrm{IoU}^{\gamma}\, \ell_{\mathrm{EIoU}}

    Use it when most boxes fed to the regression loss are poor anchors (low IoU) whose
    large losses would dominate the gradient: the factor turns their weight down and
    focuses training on high-quality boxes (the paper's "effective example mining").

    Parameters
    ----------
    boxes : array, shape (..., 4)
        Predicted boxes, real floating, in ``box_format``.
    target_boxes : array, shape (..., 4)
        Target boxes, same shape.
    box_format : {"xyxy", "xywh", "cxcywh"}, default "xyxy"
    gamma : float, default 0.5
        The focusing exponent, :math:`\gamma \ge 0` (the paper's best value, 0.5);
        ``gamma=0`` is :func:`eiou_loss`.
    eps : float, default 1e-7
        As in :func:`eiou_loss`.
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
    The paper's formula as written: :math:`\mathrm{IoU}^\gamma` is part of the loss
    and is differentiated (no stop-gradient), and the mean is the plain (weighted)
    mean over boxes, not a mean normalised by :math:`\sum \mathrm{IoU}^\gamma`. Some
    public ports detach the factor; to get that, multiply :func:`eiou_loss`
    (``reduction="none"``) by a detached ``box IoU ** gamma`` yourself. A disjoint box
    (IoU 0) has loss 0 and gradient 0, also for :math:`\gamma < 1`.

    References
    ----------
    .. [1] Y.-F. Zhang, W. Ren, Z. Zhang, Z. Jia, L. Wang and T. Tan, "Focal and
       Efficient IOU Loss for Accurate Bounding Box Regression", Neurocomputing 506,
       2022. https://arxiv.org/abs/2101.08158

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> b = np.array([[0.0, 0.0, 2.0, 2.0]])
    >>> t = np.array([[0.0, 0.0, 2.0, 1.0]])  # sqrt(1/2) * 0.78125
    >>> round(float(al.focal_eiou_loss(b, t)), 6)
    0.552427
    """
    pred, target, xp, reduction, eps = _loss_inputs(
        boxes, target_boxes, weights, reduction, box_format, eps, gamma=gamma
    )
    gamma = continuous(gamma, "gamma", pred[0], xp, low=0.0)
    loss, iou = _eiou(pred, target, eps, xp)
    return reduce_loss(_safe_pow(iou, gamma, xp) * loss, reduction, xp=xp, weights=weights)


def siou_loss(
    boxes: Array,
    target_boxes: Array,
    *,
    box_format: str = "xyxy",
    theta: float = 4.0,
    eps: float = 1e-7,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""SCYLLA-IoU loss (Gevorgyan 2022): IoU loss with angle, distance and shape costs.

    .. math::

        \ell = 1 - \mathrm{IoU} + \tfrac12(\Delta + \Omega), \quad
        \Lambda = 1 - 2\sin^2\!\big(\arcsin\tfrac{|d_y|}{\sigma} - \tfrac{\pi}{4}\big)
            = \frac{2|d_x||d_y|}{\sigma^2}, \\
        \Delta = \sum_{t \in \{x, y\}} \big(1 - e^{-(2 - \Lambda)\rho_t}\big), \;
        \rho_t = \Big(\frac{d_t}{C_t}\Big)^2, \quad
        \Omega = \sum_{t \in \{w, h\}} \big(1 - e^{-\omega_t}\big)^{\theta}, \;
        \omega_w = \frac{|w - w^{gt}|}{\max(w, w^{gt})}

    with :math:`(d_x, d_y)` the centre offset, :math:`\sigma` its length and
    :math:`C_x, C_y` the enclosing box's width and height. Use it to speed up early
    training: the angle cost first drives the centre onto the nearer axis through the
    target's centre, then the distance along it.

    Parameters
    ----------
    boxes : array, shape (..., 4)
        Predicted boxes, real floating, in ``box_format``.
    target_boxes : array, shape (..., 4)
        Target boxes, same shape.
    box_format : {"xyxy", "xywh", "cxcywh"}, default "xyxy"
    theta : float, default 4.0
        Weight of the shape cost, :math:`\theta > 0`; the paper recommends 2 to 6.
    eps : float, default 1e-7
        Added to the union and to :math:`C_x^2, C_y^2`; must be positive.
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
    Follows the paper. The angle cost is computed in its closed form
    :math:`\Lambda = \sin 2\alpha = 2|d_x||d_y|/\sigma^2` (equal to the paper's
    expression, and the same whether :math:`\alpha` or :math:`\beta = \pi/2 - \alpha`
    is used), with no ``arcsin``/``sqrt`` whose gradients are infinite at
    :math:`\sigma = 0`; coincident centres give :math:`\Lambda = 0`. YOLOv6's SIoU
    computes the same quantities through ``arcsin`` and adds ``eps`` to the centre
    offsets and enclosing sides, so it differs by :math:`O(\varepsilon)`.

    References
    ----------
    .. [1] Z. Gevorgyan, "SIoU Loss: More Powerful Learning for Bounding Box
       Regression", 2022. https://arxiv.org/abs/2205.12740

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> b = np.array([[0.0, 0.0, 2.0, 2.0]])
    >>> t = np.array([[0.0, 0.0, 2.0, 1.0]])  # Lambda 0: 1/2 + (1 - e^-1/8 + (1 - e^-1/2)^4)/2
    >>> round(float(al.siou_loss(b, t)), 6)
    0.570736
    """
    pred, target, xp, reduction, eps = _loss_inputs(
        boxes, target_boxes, weights, reduction, box_format, eps, theta=theta
    )
    theta = continuous(theta, "theta", pred[0], xp, low=0.0, low_inclusive=False)
    geo = _overlap(pred, target, eps, xp)
    dx, dy = _centre_offset(pred, target)
    # Lambda = 1 - 2 sin^2(arcsin(|dy|/sigma) - pi/4) = sin(2 alpha) = 2 |dx| |dy| / sigma^2
    angle = _safe_div(2.0 * xp.abs(dx) * xp.abs(dy), dx * dx + dy * dy, xp)
    gamma = 2.0 - angle
    cw, ch = geo["enclose_w"], geo["enclose_h"]
    rho_x = _safe_div(dx * dx, cw * cw + eps, xp)
    rho_y = _safe_div(dy * dy, ch * ch + eps, xp)
    # 1 - exp(-gamma rho) = -expm1(-gamma rho): exact for small rho
    distance = -xp.expm1(-gamma * rho_x) - xp.expm1(-gamma * rho_y)
    x1, y1, x2, y2 = pred
    gx1, gy1, gx2, gy2 = target
    w, h, gw, gh = x2 - x1, y2 - y1, gx2 - gx1, gy2 - gy1
    omega_w = _safe_div(xp.abs(w - gw), xp.maximum(w, gw), xp)
    omega_h = _safe_div(xp.abs(h - gh), xp.maximum(h, gh), xp)
    shape = _safe_pow(-xp.expm1(-omega_w), theta, xp) + _safe_pow(-xp.expm1(-omega_h), theta, xp)
    loss = 1.0 - geo["iou"] + 0.5 * (distance + shape)
    return reduce_loss(loss, reduction, xp=xp, weights=weights)


def alpha_iou_loss(
    boxes: Array,
    target_boxes: Array,
    *,
    box_format: str = "xyxy",
    alpha: float = 3.0,
    penalty: str | None = None,
    eps: float = 1e-7,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Alpha-IoU loss (He et al. 2021): IoU and its penalty term raised to :math:`\alpha`.

    .. math::

        \ell = 1 - \mathrm{IoU}^{\alpha} + \mathcal R^{\alpha}, \quad
        \mathcal R = \begin{cases}
            0 & \text{penalty=None} \\
            (|C| - |B \cup B^{gt}|) / |C| & \text{"giou"} \\
            \rho^2 / c^2 & \text{"diou"} \\
            \rho^2 / c^2 \text{ and } \beta v \text{, each to } \alpha & \text{"ciou"}
        \end{cases}

    so that ``"ciou"`` is :math:`1 - \mathrm{IoU}^\alpha + (\rho^2/c^2)^\alpha +
    (\beta v)^\alpha` with CIoU's :math:`\beta, v`. Use :math:`\alpha > 1` to
    up-weight the loss and gradient of high-IoU boxes, which improves precision at
    high IoU thresholds and robustness to small data sets and noisy boxes.

    Parameters
    ----------
    boxes : array, shape (..., 4)
        Predicted boxes, real floating, in ``box_format``.
    target_boxes : array, shape (..., 4)
        Target boxes, same shape.
    box_format : {"xyxy", "xywh", "cxcywh"}, default "xyxy"
    alpha : float, default 3.0
        The power, :math:`\alpha > 0`; 1 recovers the plain losses. The paper's default.
    penalty : {None, "giou", "diou", "ciou"}, default None
        Which IoU loss to generalise: None is :math:`1 - \mathrm{IoU}^\alpha`.
    eps : float, default 1e-7
        Placed as in :func:`giou_loss`, :func:`diou_loss`, :func:`ciou_loss`.
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
    The paper's formulas: eps only in the denominators, CIoU's :math:`\beta =
    v / ((1 - \mathrm{IoU}) + v)` from the plain IoU and held constant
    (stop-gradient) as in :func:`ciou_loss`. Implementations that compute
    :math:`\beta` from :math:`\mathrm{IoU}^\alpha` or add eps inside the powers give
    slightly different values. Powers go through a double ``where``, so
    :math:`\alpha < 1` keeps finite gradients at zero IoU or zero penalty.

    References
    ----------
    .. [1] J. He, S. Erfani, X. Ma, J. Bailey, Y. Chi and X.-S. Hua, "Alpha-IoU: A
       Family of Power Intersection over Union Losses for Bounding Box Regression",
       NeurIPS 2021. https://arxiv.org/abs/2110.13675

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> b = np.array([[0.0, 0.0, 2.0, 2.0]])
    >>> t = np.array([[1.0, 0.0, 3.0, 2.0]])  # IoU 1/3: 1 - 1/27
    >>> round(float(al.alpha_iou_loss(b, t)), 6)
    0.962963
    >>> round(float(al.alpha_iou_loss(b, t, penalty="diou")), 6)  # + (1/13)^3
    0.963418
    """
    check_choice(penalty, "penalty", ALPHA_PENALTIES)
    pred, target, xp, reduction, eps = _loss_inputs(
        boxes, target_boxes, weights, reduction, box_format, eps, alpha=alpha
    )
    alpha = continuous(alpha, "alpha", pred[0], xp, low=0.0, low_inclusive=False)
    geo = _overlap(pred, target, eps, xp)
    iou = geo["iou"]
    loss = 1.0 - _safe_pow(iou, alpha, xp)
    if penalty == "giou":
        enclose = geo["enclose_w"] * geo["enclose_h"]
        loss = loss + _safe_pow(_safe_div(enclose - geo["union"], enclose + eps, xp), alpha, xp)
    elif penalty is not None:
        loss = loss + _safe_pow(_diou_penalty(pred, target, geo, eps, xp), alpha, xp)
        if penalty == "ciou":
            beta, v = _ciou_aspect(pred, target, iou, eps, xp)
            loss = loss + _safe_pow(beta * v, alpha, xp)
    return reduce_loss(loss, reduction, xp=xp, weights=weights)


class WiseIoUState(NamedTuple):
    r"""State of :func:`wise_iou_loss`: the running mean of the IoU loss.

    Attributes
    ----------
    iou_mean : array, shape ()
        :math:`\overline{\mathcal L}_{IoU}`, the exponential running mean of the
        batch means of :math:`\mathcal L_{IoU} = 1 - \mathrm{IoU}` (no gradient), in
        the dtype the loss computes in.
    """

    iou_mean: Array


def init_wise_iou(like: Array, *, iou_mean: float = 1.0) -> WiseIoUState:
    r"""The initial state of :func:`wise_iou_loss` in ``like``'s library, device and dtype.

    Parameters
    ----------
    like : array
        Any array of the library and device to use, typically the boxes. Its dtype is
        the one :func:`wise_iou_loss` computes in for such boxes (float16 and bfloat16
        give float32); a non-floating ``like`` gives the library's default float.
    iou_mean : float, default 1.0
        The running mean :math:`\overline{\mathcal L}_{IoU}` before the first batch,
        positive; 1.0 is the authors' initial value.

    Returns
    -------
    WiseIoUState
        ``iou_mean`` as a 0-d array.

    References
    ----------
    .. [1] Z. Tong, Y. Chen, Z. Xu and R. Yu, "Wise-IoU: Bounding Box Regression Loss
       with Dynamic Focusing Mechanism", 2023. https://arxiv.org/abs/2301.10051

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> b = np.array([[0.0, 0.0, 2.0, 2.0]])
    >>> t = np.array([[1.0, 0.0, 3.0, 2.0]])  # L_IoU 2/3
    >>> state = al.init_wise_iou(b, iou_mean=0.5)
    >>> float(state.iou_mean)
    0.5
    >>> loss, state = al.wise_iou_loss(b, t, state, momentum=0.5)
    >>> round(float(state.iou_mean), 6)  # (0.5 + 2/3) / 2
    0.583333
    """
    xp = array_namespace(like=like, required=("like",))
    value = check_number(iou_mean, "iou_mean", low=0.0, low_inclusive=False)
    floating = xp.isdtype(like.dtype, "real floating")
    dtype = compute_dtype(like, "like", xp) if floating else None
    return WiseIoUState(xp.asarray(value, dtype=dtype, device=device_of(like)))


def _state_mean(state: object) -> Array | None:
    """The running mean of a given ``state`` (None: a fresh one), its type and shape checked."""
    if state is None:
        return None
    if not isinstance(state, WiseIoUState):
        raise TypeError(
            "state must be a WiseIoUState (from init_wise_iou or the previous call) or "
            f"None, got {type(state).__module__}.{type(state).__qualname__}"
        )
    mean = state.iou_mean
    if not is_array(mean):
        raise TypeError(
            "state.iou_mean must be a 0-d array (a WiseIoUState from init_wise_iou), got "
            f"{type(mean).__module__}.{type(mean).__qualname__}"
        )
    if tuple(mean.shape) != ():
        raise ValueError(
            f"state.iou_mean must be a scalar (shape ()), got shape {tuple(mean.shape)}"
        )
    return mean


def _old_mean(mean: Array | None, like: Array, xp: Namespace) -> Array:
    """The running mean before this batch, in ``like``'s dtype, detached; 1.0 when fresh."""
    if mean is None:
        return xp.ones((), dtype=like.dtype, device=device_of(like))  # init_wise_iou's 1.0
    if not xp.isdtype(mean.dtype, "real floating"):
        raise TypeError(
            "state.iou_mean must be a real floating array (a WiseIoUState from "
            f"init_wise_iou), got dtype {mean.dtype}"
        )
    # ``< 0``, not ``<= 0``: momentum 1 on exact boxes returns a mean of 0, which is a
    # valid state (beta = 0); NaN (from NaN boxes) passes and propagates
    negative = mean < 0
    if values_readable(negative, xp) and bool(negative):
        raise ValueError(
            f"state.iou_mean must be >= 0 (a running mean of 1 - IoU), got {float(mean)!r}"
        )
    return stop_gradient(cast(mean, like.dtype, xp), xp=xp)


def wise_iou_loss(
    boxes: Array,
    target_boxes: Array,
    state: WiseIoUState | None = None,
    *,
    box_format: str = "xyxy",
    version: int = 3,
    momentum: float = 1.0 - 0.5 ** (1.0 / 7000.0),
    alpha: float = 1.9,
    delta: float = 3.0,
    gamma: float = 0.5,
    eps: float = 1e-7,
    weights: Array | None = None,
    reduction: str = "mean",
) -> tuple[Array, WiseIoUState]:
    r"""Wise-IoU loss (Tong et al. 2023), v1, v2 or v3; returns ``(loss, new_state)``.

    .. math::

        \ell_{v1} = \exp\!\Big(\frac{\rho^2(\mathbf b, \mathbf b^{gt})}
            {(W_g^2 + H_g^2)^{*}}\Big)\, \mathcal L_{IoU}, \quad
        \ell_{v2} = \Big(\frac{\mathcal L_{IoU}^{*}}{\overline{\mathcal L}_{IoU}}\Big)^{\gamma}
            \ell_{v1}, \quad
        \ell_{v3} = \frac{\beta}{\delta\, \alpha^{\beta - \delta}}\, \ell_{v1}, \;
        \beta = \frac{\mathcal L_{IoU}^{*}}{\overline{\mathcal L}_{IoU}}

    with :math:`\mathcal L_{IoU} = 1 - \mathrm{IoU}`, :math:`W_g, H_g` the enclosing
    box's size, :math:`^{*}` a stop-gradient and :math:`\overline{\mathcal L}_{IoU}`
    the running mean of :math:`\mathcal L_{IoU}`. Use v3 when the training boxes
    include low-quality (mislabelled or ambiguous) targets: its non-monotonic focusing
    gives most gradient to ordinary-quality boxes and little to outliers and to boxes
    already fitted.

    Parameters
    ----------
    boxes : array, shape (..., 4)
        Predicted boxes, real floating, in ``box_format``.
    target_boxes : array, shape (..., 4)
        Target boxes, same shape.
    state : WiseIoUState, optional
        The running mean :math:`\overline{\mathcal L}_{IoU}` before this batch: from
        :func:`init_wise_iou` (which sets a different initial mean) or the previous
        call. None starts fresh at 1.0, the authors' initial value.
    box_format : {"xyxy", "xywh", "cxcywh"}, default "xyxy"
    version : {1, 2, 3}, default 3
        1: distance attention only; 2: monotonic focusing; 3: non-monotonic focusing.
    momentum : float, default ``1 - 0.5 ** (1 / 7000)``
        :math:`m` in ``new = (1 - m) * old + m * mean(L_IoU*)``, in (0, 1]. The default
        is the authors' experiment code (a half-life of 7000 steps); the paper sets
        :math:`m = 1 - 0.05^{1/(tn)}` for :math:`n` batches per epoch and :math:`t`
        epochs.
    alpha, delta : float, default 1.9, 3.0
        v3's focusing parameters (the paper's :math:`\alpha, \delta`), both positive.
    gamma : float, default 0.5
        v2's exponent, :math:`\gamma > 0`.
    eps : float, default 1e-7
        Added to the union and to :math:`W_g^2 + H_g^2`; must be positive.
    weights : array, optional
        Broadcasts against the per-box loss; also weights the batch mean of
        :math:`\mathcal L_{IoU}` that updates the running mean.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per box, shape ``boxes.shape[:-1]``.

    Returns
    -------
    loss : array
        Scalar, or shape ``boxes.shape[:-1]`` for ``reduction="none"``.
    new_state : WiseIoUState
        The updated running mean (``iou_mean``, shape ``()``, no gradient), same dtype
        as ``loss``.

    Notes
    -----
    The running mean is explicit state so the function stays pure: under ``jax.jit``
    the state is a pytree argument, updated under a stop-gradient with no host sync.
    As in the authors' code, it is updated with this batch first and the updated
    value normalises :math:`\beta`; it is updated for every version (v1 does not use
    it). A running mean of 0 gives :math:`\beta = 0`
    instead of a division by zero.

    References
    ----------
    .. [1] Z. Tong, Y. Chen, Z. Xu and R. Yu, "Wise-IoU: Bounding Box Regression Loss
       with Dynamic Focusing Mechanism", 2023. https://arxiv.org/abs/2301.10051

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> b = np.array([[0.0, 0.0, 2.0, 2.0]])
    >>> t = np.array([[1.0, 0.0, 3.0, 2.0]])  # L_IoU 2/3, R = exp(1/13)
    >>> loss, state = al.wise_iou_loss(b, t, version=1, momentum=0.5)
    >>> round(float(loss), 6), round(float(state.iou_mean), 6)  # new mean (1 + 2/3) / 2
    (0.719973, 0.833333)
    """
    check_choice(version, "version", WIOU_VERSIONS)
    given = _state_mean(state)
    pred, target, xp, reduction, eps = _loss_inputs(
        boxes,
        target_boxes,
        weights,
        reduction,
        box_format,
        eps,
        momentum=momentum,
        alpha=alpha,
        delta=delta,
        gamma=gamma,
        **{"state.iou_mean": given},
    )
    like = pred[0]
    momentum = continuous(momentum, "momentum", like, xp, low=0.0, high=1.0, low_inclusive=False)
    alpha = continuous(alpha, "alpha", like, xp, low=0.0, low_inclusive=False)
    delta = continuous(delta, "delta", like, xp, low=0.0, low_inclusive=False)
    gamma = continuous(gamma, "gamma", like, xp, low=0.0, low_inclusive=False)
    geo = _overlap(pred, target, eps, xp)
    l_iou = 1.0 - geo["iou"]
    old_mean = _old_mean(given, l_iou, xp)
    dx, dy = _centre_offset(pred, target)
    cw, ch = geo["enclose_w"], geo["enclose_h"]
    # R_WIoU = exp(rho^2 / (W_g^2 + H_g^2)*): the enclosing size is detached (eq. 4)
    diag2 = stop_gradient(cw * cw + ch * ch, xp=xp)
    loss = xp.exp(_safe_div(dx * dx + dy * dy, diag2 + eps, xp)) * l_iou
    fixed = stop_gradient(l_iou, xp=xp)
    batch_mean = reduce_loss(fixed, "mean", xp=xp, weights=weights)
    new_mean = stop_gradient((1.0 - momentum) * old_mean + momentum * batch_mean, xp=xp)
    beta = _safe_div(fixed, new_mean, xp)
    if version == 2:
        loss = _safe_pow(beta, gamma, xp) * loss
    elif version == 3:
        # r = beta / (delta alpha^(beta - delta)) = (beta / delta) exp(-(beta - delta) ln alpha)
        loss = (beta / delta) * xp.exp((delta - beta) * hyper_log(alpha, xp)) * loss
    if not is_array(new_mean):  # NumPy arithmetic on 0-d arrays gives a NumPy scalar
        new_mean = xp.asarray(new_mean)
    return reduce_loss(loss, reduction, xp=xp, weights=weights), WiseIoUState(new_mean)
