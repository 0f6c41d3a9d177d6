"""Conditional boundary loss: boundary pixels pulled towards same-class neighbours in
feature space.
"""

from __future__ import annotations

import math

from .._lib._compat import (
    Array,
    Namespace,
    array_namespace,
    array_or_none,
    device_of,
)
from .._lib._dtypes import cast, compute_dtype
from .._lib._hyper import continuous, is_hyper_array
from .._lib._reduction import check_reduction, check_weights, reduce_loss
from .._lib._special import logsumexp, one_hot, stop_gradient
from .._lib._targets import class_target, poison
from .._lib._validation import check_number, normalize_axis, require_static

__all__ = ["conditional_boundary_loss"]


def _shifts(x: Array, r: int, fill: Array, xp: Namespace) -> list[Array]:
    """Every neighbour ``(dy, dx)``, ``max(|dy|, |dx|) <= r`` but the pixel itself, of
    each pixel of ``x`` (axes 1 and 2), row-major; ``fill`` outside the image."""
    n, h, w = (int(s) for s in x.shape[:3])
    rest = tuple(int(s) for s in x.shape[3:])
    rows = xp.broadcast_to(fill, (n, r, w, *rest))
    x = xp.concat([rows, x, rows], axis=1)
    cols = xp.broadcast_to(fill, (n, h + 2 * r, r, *rest))
    x = xp.concat([cols, x, cols], axis=2)
    out = []
    for dy in range(-r, r + 1):
        for dx in range(-r, r + 1):
            if dy or dx:
                index = (
                    slice(None),
                    slice(r + dy, r + dy + h),
                    slice(r + dx, r + dx + w),
                    Ellipsis,
                )
                out.append(x[index])
    return out


def _shift(x: Array, sh: int, ax: int, fill: Array, xp: Namespace) -> Array:
    """``x`` moved by ``sh`` (either sign) along ``ax`` (1 or 2): ``out[i] = x[i + sh]``."""
    n = int(x.shape[ax])
    pad = xp.broadcast_to(
        fill, tuple(abs(sh) if a == ax else int(s) for a, s in enumerate(x.shape))
    )
    if ax == 1:
        moved = x[:, sh:, ...] if sh > 0 else x[:, : n + sh, ...]
    else:
        moved = x[:, :, sh:, ...] if sh > 0 else x[:, :, : n + sh, ...]
    return xp.concat([moved, pad] if sh > 0 else [pad, moved], axis=ax)


def _label_boundary(index: Array, keep: Array, ratio: float, xp: Namespace) -> Array:
    """The authors' ground-truth boundary (boundary-IoU's ``mask_to_boundary``).

    A kept pixel is boundary when a pixel within Chebyshev distance
    ``d = max(1, round(ratio * diagonal))`` has another label, is ignored or lies
    outside the image: each class mask minus its erosion by a 3x3 square ``d`` times.
    """
    h, w = int(index.shape[1]), int(index.shape[2])
    d = max(1, round(ratio * math.sqrt(h * h + w * w)))
    false = xp.zeros((), dtype=xp.bool, device=device_of(index))
    minus = xp.asarray(-1, dtype=index.dtype, device=device_of(index))
    # the erosion of the own class's mask by a (2d+1) square is separable: rows, columns
    inside = keep
    for ax in (1, 2):
        out = inside
        for sh in (*range(-d, 0), *range(1, d + 1)):
            same = _shift(index, sh, ax, minus, xp) == index
            out = out & same & _shift(inside, sh, ax, false, xp)
        inside = out
    return keep & xp.logical_not(inside)


def _cosine(a: Array, b: Array, xp: Namespace) -> Array:
    """Cosine similarity over the last axis, ``a.b / sqrt(max(|a|^2 |b|^2, 1e-16))``
    (torch's ``cosine_similarity`` with eps 1e-8): finite with a gradient at 0."""
    floor = xp.asarray(1e-16, dtype=a.dtype, device=device_of(a))
    norms = xp.sum(a * a, axis=-1) * xp.sum(b * b, axis=-1)
    return xp.sum(a * b, axis=-1) / xp.sqrt(xp.maximum(norms, floor))


def conditional_boundary_loss(
    features: Array,
    labels: Array,
    *,
    logits: Array,
    classifier_weight: Array | None = None,
    classifier_bias: Array | None = None,
    boundary: Array | None = None,
    axis: int = -1,
    kernel_size: int = 5,
    dilation_ratio: float = 0.02,
    context_weight: float = 1.0,
    nce_weight: float = 0.2,
    center_weight: float = 2.0,
    detach: bool = True,
    ignore_index: int | None = None,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Conditional boundary loss: pull each boundary pixel to its local class centre.

    .. math::

        \ell = \lambda_{\mathrm{ctx}}\, \frac{1}{|B'|\,|\mathcal{N}|}
               \sum_{i \in B'} \sum_{j \in \mathcal{N}(i)}
               \big(\cos(f_i, f_j) - [y_i = y_j]\big)^2
             + \lambda_{\mathrm{nce}}\, \overline{\mathrm{CE}\big(W \bar f_i + b,\, y_i\big)}
             + \lambda_{\mathrm{cn}}\, \overline{\lVert f_i - \mathrm{sg}(\bar f^{+}_i)
               \rVert^2 / D}

    with :math:`f` the feature map, :math:`\mathcal{N}(i)` the ``kernel_size`` square
    around pixel :math:`i` (itself left out), :math:`\bar f_i` the mean feature of
    its same-class neighbours, :math:`\bar f^{+}_i` that of the same-class neighbours
    the network classifies correctly, :math:`W, b` the network's pixel classifier
    (no gradient) and :math:`B` the ground-truth boundary pixels (:math:`B'`: those
    a half window from the image rim). The first term makes a boundary pixel similar
    to its same-class neighbours and orthogonal to the others, the second makes its
    local class centre classify as its class, the third pulls a correctly classified
    boundary pixel to the centre of its correctly classified same-class neighbours:
    each boundary pixel gets its own goal, conditioned on its neighbourhood.

    Use it on a segmentation network's penultimate features when boundary pixels
    are the errors that remain: the loss acts only there, with goals that do not
    conflict with the per-pixel classification loss it is added to.

    Parameters
    ----------
    features : array, shape (N, H, W, D) for ``axis=-1``
        The feature map the classifier reads (the network's output: an input here).
    labels : array
        Integer class indices, shape (N, H, W), or one-hot/probabilities of
        ``logits``'s shape (their argmax).
    logits : array, shape (N, H, W, C) for ``axis=-1``
        The network's class scores at the same resolution; only their argmax (which
        neighbours are classified correctly) is used, no gradient.
    classifier_weight : array, shape (C, D), optional
        :math:`W`, the 1x1 classifier on ``features``; needed when ``nce_weight > 0``.
    classifier_bias : array, shape (C,), optional
        :math:`b`. Default 0.
    boundary : boolean array, shape (N, H, W), optional
        The ground-truth boundary :math:`B`. Default: from ``labels`` as the authors'
        code (Notes).
    axis : int, default -1
        The channel axis of ``features`` and ``logits`` (not 0).
    kernel_size : odd int >= 3, default 5
        The neighbourhood window, as the paper.
    dilation_ratio : float > 0, default 0.02
        Width of the default boundary: ``max(1, round(ratio * image diagonal))``.
        Static: it sets a dilation width (a loop count), so a traced array raises
        ``TypeError`` ("must be static").
    context_weight, nce_weight, center_weight : float >= 0, default 1.0, 0.2, 2.0
        :math:`\lambda_{\mathrm{ctx}}, \lambda_{\mathrm{nce}}, \lambda_{\mathrm{cn}}`,
        the authors' weights for their OCRNet head.
    detach : bool, default True
        Stop the gradient through the centre :math:`\bar f^{+}_i` of the pull term
        (:math:`\mathrm{sg}`), as the authors' code; the gradient is then not the
        derivative of the value. ``False`` lets it flow to the neighbours too.
    ignore_index : int, optional
        Ignored pixels are never boundary pixels nor same-class neighbours.
    weights : array, optional
        Broadcasts against the ``"none"`` result, shape (N,).
    reduction : {"mean", "sum", "none"}
        ``"none"``: one value per image, shape (N,); ``"mean"``: their mean over the
        images with at least one term active.

    Returns
    -------
    array
        Scalar, or shape (N,) for ``reduction="none"``.

    Notes
    -----
    The definition follows the authors' released code (``CBLocr_head.py``,
    ``New_ER5OCRHead``: ``context_loss`` and ``er_loss``); its classification term
    is named ``loss_NCE`` there but is a cross-entropy of the classifier on the
    local class centre, not an InfoNCE with a temperature. Every term of an image is
    averaged first over the boundary pixels of a class, then over the classes
    present (both parts of a class's term need at least one pixel: a boundary pixel
    with a same-class neighbour, and a correctly classified one with a correctly
    classified same-class neighbour). Deliberate differences from the code: all of
    it is per image (the code pools each class over the batch; equal for N = 1);
    class-0 boundary pixels count in the first term (the code drops them by
    multiplying the mask by the label); a centre is the exact mean of its
    neighbours (the code divides by the count plus 1e-5); an image whose boundary
    lies only on the rim contributes nothing (the code returns 0 for the batch).
    Default boundary: a kept pixel within Chebyshev distance
    :math:`d = \max(1, \mathrm{round}(0.02 \cdot \text{diagonal}))` of another label,
    an ignored pixel or the image border (boundary IoU's mask minus its erosion).
    The cosine uses torch's floor (1e-8 on the norm product), so zero features stay
    finite. All boundary pixels are used, through masks: no sampling, static shapes.

    References
    ----------
    .. [1] D. Wu, Z. Guo, A. Li, C. Yu, C. Gao, N. Sang, "Conditional Boundary Loss
       for Semantic Segmentation", IEEE Transactions on Image Processing 32,
       3717-3731, 2023. https://doi.org/10.1109/TIP.2023.3290519
    .. [2] R. Azad et al., "Loss Functions in the Era of Semantic Segmentation: A
       Survey and Outlook", 2023. https://arxiv.org/abs/2312.05391

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> labels = np.zeros((1, 5, 5), dtype=int)
    >>> labels[0, :, 3:] = 1
    >>> features = np.zeros((1, 5, 5, 2))
    >>> features[..., 0] = labels == 0
    >>> features[..., 1] = labels == 1
    >>> logits = 4.0 * features  # every pixel correct, features one-hot by class
    >>> float(al.conditional_boundary_loss(features, labels, logits=logits, nce_weight=0.0,
    ...                                    kernel_size=3))
    0.0
    """
    xp = array_namespace(
        features=features,
        labels=labels,
        logits=logits,
        classifier_weight=array_or_none(classifier_weight),
        classifier_bias=array_or_none(classifier_bias),
        boundary=array_or_none(boundary),
        weights=weights,
        required=("features", "labels", "logits"),
    )
    reduction = check_reduction(reduction)
    if isinstance(kernel_size, bool) or not isinstance(kernel_size, int):
        raise TypeError(f"kernel_size must be an int, got {type(kernel_size).__name__}")
    if kernel_size < 3 or kernel_size % 2 == 0:
        raise ValueError(f"kernel_size must be an odd int >= 3, got {kernel_size}")
    require_static(dilation_ratio, "dilation_ratio")
    ratio = check_number(dilation_ratio, "dilation_ratio", low=0.0, low_inclusive=False)
    if math.isinf(ratio):
        raise ValueError(f"dilation_ratio must be finite, got {dilation_ratio!r}")
    lam_ctx = continuous(context_weight, "context_weight", logits, xp, low=0.0)
    lam_nce = continuous(nce_weight, "nce_weight", logits, xp, low=0.0)
    lam_cn = continuous(center_weight, "center_weight", logits, xp, low=0.0)
    nce_on = is_hyper_array(lam_nce) or lam_nce > 0
    if nce_on and classifier_weight is None:
        raise ValueError(
            "conditional_boundary_loss needs classifier_weight (the network's (C, D) "
            "pixel classifier) for its classification term; pass it or nce_weight=0"
        )
    dtype = compute_dtype(features, "features", xp)
    compute_dtype(logits, "logits", xp)
    if features.ndim != 4 or logits.ndim != 4:
        raise ValueError(
            "conditional_boundary_loss needs 2-D images: features and logits of shape "
            f"(N, H, W, channels), got {tuple(features.shape)} and {tuple(logits.shape)}"
        )
    ax = normalize_axis(axis, 4)
    if ax == 0:
        raise ValueError("axis must not be 0: axis 0 is the sample axis")
    order = (*tuple(d for d in range(4) if d != ax), ax)
    f = xp.permute_dims(cast(features, dtype, xp), order)
    x = xp.permute_dims(logits, order)
    n, h, w, depth = (int(s) for s in f.shape)
    if tuple(x.shape[:3]) != (n, h, w):
        raise ValueError(
            f"features and logits must share (N, H, W) with the channel axis {axis}, got "
            f"{tuple(features.shape)} and {tuple(logits.shape)}"
        )
    num_classes = int(x.shape[3])
    target = class_target(logits, labels, ax, ignore_index=ignore_index, xp=xp)
    if target.is_index:
        index = target.values
    else:
        index = xp.argmax(xp.permute_dims(target.values, order), axis=-1)
    dev = device_of(f)
    true = xp.ones((), dtype=xp.bool, device=dev)
    keep = xp.broadcast_to(true, (n, h, w)) if target.keep is None else target.keep
    correct = (xp.argmax(x, axis=-1) == index) & keep
    if boundary is None:
        edge = _label_boundary(index, keep, ratio, xp)
    else:
        if boundary.dtype != xp.bool or tuple(boundary.shape) != (n, h, w):
            raise ValueError(
                f"boundary must be a boolean array of shape {(n, h, w)}, got "
                f"{boundary.dtype} of shape {tuple(boundary.shape)}"
            )
        edge = boundary & keep
    r = kernel_size // 2
    zero = xp.zeros((), dtype=dtype, device=dev)
    false = xp.zeros((), dtype=xp.bool, device=dev)
    minus = xp.asarray(-1, dtype=index.dtype, device=dev)
    s_all = s_cor = xp.zeros((n, h, w, depth), dtype=dtype, device=dev)
    n_all = n_cor = ctx = xp.zeros((n, h, w), dtype=dtype, device=dev)
    for fj, yj, kj, cj in zip(
        _shifts(f, r, zero, xp),
        _shifts(index, r, minus, xp),
        _shifts(keep, r, false, xp),
        _shifts(correct, r, false, xp),
        strict=True,
    ):
        same = (yj == index) & kj
        same_f, cor_f = cast(same, dtype, xp), cast(same & cj, dtype, xp)
        s_all = s_all + same_f[..., None] * fj
        s_cor = s_cor + cor_f[..., None] * fj
        n_all, n_cor = n_all + same_f, n_cor + cor_f
        ctx = ctx + (_cosine(f, fj, xp) - same_f) ** 2
    one = xp.ones((), dtype=dtype, device=dev)
    # term 1, per image: over the boundary pixels a half window from the rim
    rows = xp.arange(h, device=dev)[:, None]
    cols = xp.arange(w, device=dev)[None, :]
    interior = (rows >= r) & (rows < h - r) & (cols >= r) & (cols < w - r)
    sel = cast(edge & interior, dtype, xp)
    count = xp.sum(sel, axis=(1, 2))
    ctx_img = xp.sum(sel * ctx, axis=(1, 2)) / (xp.maximum(count, one) * (kernel_size**2 - 1))
    # terms 2 and 3: boundary pixels with a (correct) same-class neighbour
    a = cast(edge & (n_all > 0), dtype, xp)
    b = cast(edge & correct & (n_cor > 0), dtype, xp)
    centre = s_all / xp.maximum(n_all, one)[..., None]
    centre_ok = s_cor / xp.maximum(n_cor, one)[..., None]
    pull_to = stop_gradient(centre_ok, xp=xp) if detach else centre_ok
    cn = xp.mean((f - pull_to) ** 2, axis=-1)
    hot = one_hot(index, num_classes, -1, dtype=dtype, xp=xp)
    per_a = xp.sum(hot * a[..., None], axis=(1, 2))  # (N, C) pixels of each class
    per_b = xp.sum(hot * b[..., None], axis=(1, 2))
    counted = cast((per_a > 0) & (per_b > 0), dtype, xp)
    classes = xp.maximum(xp.sum(counted, axis=-1), one)

    def class_mean(v: Array, m: Array, per: Array) -> Array:
        # mean over a class's pixels, then over the counted classes of the image
        sums = xp.sum(hot * (m * v)[..., None], axis=(1, 2))
        return xp.sum(counted * sums / xp.maximum(per, one), axis=-1) / classes

    loss = lam_ctx * ctx_img + lam_cn * class_mean(cn, b, per_b)
    if nce_on and classifier_weight is not None:
        wc = stop_gradient(cast(classifier_weight, dtype, xp), xp=xp)
        if tuple(wc.shape) != (num_classes, depth):
            raise ValueError(
                f"classifier_weight must have shape (C, D) = {(num_classes, depth)}, got "
                f"{tuple(classifier_weight.shape)}"
            )
        bias = zero
        if classifier_bias is not None:
            if tuple(classifier_bias.shape) != (num_classes,):
                raise ValueError(
                    f"classifier_bias must have shape ({num_classes},), got "
                    f"{tuple(classifier_bias.shape)}"
                )
            bias = stop_gradient(cast(classifier_bias, dtype, xp), xp=xp)

        def ce(v: Array) -> Array:
            # cross-entropy of the classifier on a centre: logsumexp(z) - z_y
            z = xp.matmul(v, xp.permute_dims(wc, (1, 0))) + bias
            return logsumexp(z, -1, xp=xp) - xp.sum(hot * z, axis=-1)

        nce = class_mean(ce(centre), a, per_a) + class_mean(ce(centre_ok), b, per_b)
        loss = loss + lam_nce * nce
    valid = (count > 0) | (xp.sum(counted, axis=-1) > 0)
    if target.invalid is not None:
        bad = xp.any(target.invalid, axis=(1, 2))
        loss = poison(loss, bad, xp)
        valid = valid | bad
    check_weights(weights, (n,), xp)
    return reduce_loss(loss, reduction, xp=xp, weights=weights, mask=valid)
