"""Structural similarity (SSIM, MS-SSIM) of 2-D and 3-D images, its losses, and PSNR."""

from __future__ import annotations

import math

from .._lib._compat import Array, Namespace, array_namespace, device_of
from .._lib._dtypes import cast, compute_dtype
from .._lib._filters import gaussian_kernel, separable_filter
from .._lib._hyper import continuous
from .._lib._reduction import check_reduction, check_weights, reduce_loss
from .._lib._special import stop_gradient
from .._lib._validation import check_number, check_same_shape, require_static
from ._common import spatial_axes

__all__ = ["ms_ssim", "ms_ssim_loss", "psnr", "ssim", "ssim_loss"]

#: Wang, Simoncelli & Bovik's five scale weights (beta_j = gamma_j, alpha_M = beta_M).
MS_SSIM_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


def _prepare(
    preds: Array,
    targets: Array,
    axis: int | None,
    weights: Array | None,
    reduction: str,
    window_size: int,
    sigma: float,
    name: str,
) -> tuple[Array, Array, tuple[int, ...], Namespace, str]:
    xp = array_namespace(
        preds=preds, targets=targets, weights=weights, required=("preds", "targets")
    )
    reduction = check_reduction(reduction)
    dtype = compute_dtype(preds, "preds", xp)
    compute_dtype(targets, "targets", xp)
    check_same_shape(preds, targets, "preds", "targets")
    require_static(window_size, "window_size")
    check_number(window_size, "window_size", low=1)
    if int(window_size) != window_size or window_size % 2 == 0:
        raise ValueError(f"window_size must be an odd integer, got {window_size!r}")
    require_static(sigma, "sigma")
    check_number(sigma, "sigma", low=0.0, low_inclusive=False)
    axes, _ = spatial_axes(preds.ndim, axis, name)
    if len(axes) not in (2, 3):
        raise ValueError(
            f"{name} takes batches of 2-D or 3-D images, (N, H, W[, D]) plus a channel "
            f"axis; preds of shape {tuple(preds.shape)} with axis={axis} have "
            f"{len(axes)} spatial axes"
        )
    check_weights(weights, (preds.shape[0],), xp)
    return cast(preds, dtype, xp), cast(targets, dtype, xp), axes, xp, reduction


def _ssim_maps(
    x: Array,
    y: Array,
    axes: tuple[int, ...],
    data_range: float | Array,
    window_size: int,
    sigma: float,
    k1: float | Array,
    k2: float | Array,
    xp: Namespace,
) -> tuple[Array, Array]:
    """The SSIM map and the contrast-structure map, valid filtering."""
    for ax in axes:
        if x.shape[ax] < window_size:
            raise ValueError(
                f"every spatial side must be at least window_size={window_size} (valid "
                f"filtering), got shape {tuple(x.shape)}"
            )
    kernel = gaussian_kernel(window_size, sigma, x, xp)

    def blur(z: Array) -> Array:
        return separable_filter(z, kernel, axes, xp=xp, symmetric=True)

    c1 = (k1 * data_range) ** 2
    c2 = (k2 * data_range) ** 2
    # (co)variances are shift-invariant: take them about each image's mean m (held
    # constant), var = blur((x-m)^2) - (mu-m)^2, so E[x^2] - mu^2 does not cancel in
    # float32 at a large offset (a nearly flat image at 300 scored 2.8)
    m_x = stop_gradient(xp.mean(x, axis=axes, keepdims=True), xp=xp)
    m_y = stop_gradient(xp.mean(y, axis=axes, keepdims=True), xp=xp)
    xs, ys = x - m_x, y - m_y
    dx, dy = blur(xs), blur(ys)
    mu_x, mu_y = dx + m_x, dy + m_y
    # a variance may still round below 0: clamped (c2 > 0 keeps the denominator > 0)
    zero = xp.zeros((), dtype=x.dtype, device=device_of(x))
    var_x = xp.maximum(blur(xs * xs) - dx * dx, zero)
    var_y = xp.maximum(blur(ys * ys) - dy * dy, zero)
    cov = blur(xs * ys) - dx * dy
    cs = (2.0 * cov + c2) / (var_x + var_y + c2)
    luminance = (2.0 * mu_x * mu_y + c1) / (mu_x * mu_x + mu_y * mu_y + c1)
    return luminance * cs, cs


def _mean_per_sample(m: Array, xp: Namespace) -> Array:
    return xp.mean(m, axis=tuple(range(1, m.ndim)))


def ssim(
    preds: Array,
    targets: Array,
    *,
    data_range: float | Array = 1.0,
    window_size: int = 11,
    sigma: float = 1.5,
    k1: float | Array = 0.01,
    k2: float | Array = 0.03,
    axis: int | None = -1,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Structural similarity index (SSIM) of each image pair, averaged over the map and channels.

    .. math::

        \mathrm{SSIM}(x, y) = \operatorname{mean}_p
        \frac{(2\mu_x\mu_y + C_1)(2\sigma_{xy} + C_2)}
             {(\mu_x^2 + \mu_y^2 + C_1)(\sigma_x^2 + \sigma_y^2 + C_2)}

    with local statistics from a Gaussian window (``window_size`` 11, ``sigma``
    1.5), :math:`C_k = (K_k L)^2`, :math:`L` = ``data_range``, and the map taken
    where the window fits (valid filtering, as Wang et al.'s reference code). The
    blur is a separable filter on the backend's native convolution
    (``_lib/_filters.py``).

    Anti-correlated images give a negative SSIM (down to -1), finite with a finite
    gradient; constant images give exactly 1 when equal; negative inputs are
    allowed (the formula only needs ``data_range``). The local (co)variances are
    taken about each image's mean, so :math:`E[x^2] - \mu^2` does not cancel in
    float32 for images far from 0 (a nearly flat image at 300 against its noise-free
    copy scores 0.999 here, 2.8 from the textbook moments); a variance that still
    rounds below 0 is clamped at 0.

    Parameters
    ----------
    preds, targets : array, shape (N, H, W, C) or (N, H, W, D, C)
        Image batches; channel axis at ``axis``, every other non-batch axis spatial.
    data_range : float or scalar array, default 1.0
        The dynamic range :math:`L` of the images (1 for [0, 1], 255 for bytes).
    window_size : int, default 11
        Gaussian window length (odd, static).
    sigma : float, default 1.5
        Gaussian window width (static).
    k1, k2 : float or scalar array, default 0.01, 0.03
        Wang et al.'s stabilising constants.
    axis : int or None, default -1
        The channel axis (``axis=1`` for PyTorch's NCHW); ``None``: no channel axis.
    weights : array, optional
        Per-image weights, shape (N,).
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one SSIM per image, shape (N,).

    Returns
    -------
    array
        Scalar, or shape (N,) for ``reduction="none"``.

    Notes
    -----
    Defaults differ among peers: pytorch-msssim's function ``ssim`` has
    ``data_range=255``; kornia pads (reflect) instead of valid filtering, so its
    value differs at the borders; piq rejects negative inputs and average-pools
    images larger than 256 pixels first; dm-pix matches these defaults on NHWC.

    References
    ----------
    .. [1] Z. Wang, A. C. Bovik, H. R. Sheikh, E. P. Simoncelli, "Image quality
       assessment: from error visibility to structural similarity", IEEE TIP 13(4),
       600-612 (2004). https://doi.org/10.1109/TIP.2003.819861

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x = rng.uniform(size=(1, 16, 16, 1))
    >>> float(ssim(x, x))
    1.0
    >>> bool(ssim(x, 1.0 - x) < 0)  # anti-correlated: negative, finite
    True
    """
    x, y, axes, xp, reduction = _prepare(
        preds, targets, axis, weights, reduction, window_size, sigma, "ssim"
    )
    big_l = continuous(data_range, "data_range", x, xp, low=0.0, low_inclusive=False)
    c1 = continuous(k1, "k1", x, xp, low=0.0)
    c2 = continuous(k2, "k2", x, xp, low=0.0, low_inclusive=False)
    smap, _ = _ssim_maps(x, y, axes, big_l, window_size, sigma, c1, c2, xp)
    return reduce_loss(_mean_per_sample(smap, xp), reduction, xp=xp, weights=weights)


def ssim_loss(
    preds: Array,
    targets: Array,
    *,
    data_range: float | Array = 1.0,
    window_size: int = 11,
    sigma: float = 1.5,
    k1: float | Array = 0.01,
    k2: float | Array = 0.03,
    axis: int | None = -1,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""SSIM loss: one minus the structural similarity of each image pair.

    .. math::

        \ell_i = 1 - \mathrm{SSIM}(x_i, y_i) \in [0, 2]

    See :func:`ssim` for the parameters and the per-image SSIM.

    Parameters
    ----------
    preds, targets : array, shape (N, H, W, C) or (N, H, W, D, C)
        Image batches; channel axis at ``axis``.
    data_range : float or scalar array, default 1.0
        The dynamic range of the images.
    window_size : int, default 11
        Gaussian window length (odd, static).
    sigma : float, default 1.5
        Gaussian window width (static).
    k1, k2 : float or scalar array, default 0.01, 0.03
        Wang et al.'s constants.
    axis : int or None, default -1
        The channel axis; ``None``: no channel axis.
    weights : array, optional
        Per-image weights, shape (N,).
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per image, shape (N,).

    Returns
    -------
    array
        Scalar, or shape (N,) for ``reduction="none"``.

    Notes
    -----
    Scale: MONAI's ``SSIMLoss`` is :math:`1 - \mathrm{SSIM}` as here;
    ``kornia.losses.ssim_loss`` is :math:`(1 - \mathrm{SSIM})/2`, half of this (and
    it pads instead of valid filtering).

    References
    ----------
    .. [1] Z. Wang, A. C. Bovik, H. R. Sheikh, E. P. Simoncelli, "Image quality
       assessment: from error visibility to structural similarity", IEEE TIP 13(4),
       600-612 (2004). https://doi.org/10.1109/TIP.2003.819861

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).uniform(size=(2, 16, 16, 1))
    >>> ssim_loss(x, x, reduction="none")
    array([0., 0.])
    """
    value = ssim(
        preds,
        targets,
        data_range=data_range,
        window_size=window_size,
        sigma=sigma,
        k1=k1,
        k2=k2,
        axis=axis,
        reduction="none",
    )
    xp = array_namespace(value=value)
    return reduce_loss(1.0 - value, check_reduction(reduction), xp=xp, weights=weights)


def _downsample(x: Array, axes: tuple[int, ...], xp: Namespace) -> Array:
    """2x average pooling on ``axes``, an odd last row dropped (Wang's filter-and-subsample
    on even sides; pytorch-msssim zero-pads an odd side instead)."""
    for ax in axes:
        n = (x.shape[ax] // 2) * 2
        even = [slice(None)] * x.ndim
        odd = [slice(None)] * x.ndim
        even[ax], odd[ax] = slice(0, n, 2), slice(1, n, 2)
        x = 0.5 * (x[tuple(even)] + x[tuple(odd)])
    return x


def _safe_pow(x: Array, w: float, xp: Namespace) -> Array:
    """``max(x, 0) ** w`` with value and gradient 0 at and below 0 (0 < w < 1)."""
    positive = xp.logical_not(x <= 0)  # NaN counts as positive: NaN in, NaN out
    one = xp.ones((), dtype=x.dtype, device=device_of(x))
    zero = xp.zeros((), dtype=x.dtype, device=device_of(x))
    # w * log(x) on the positive side only: d x^w/dx = w x^(w-1) is inf at 0
    return xp.where(positive, xp.exp(w * xp.log(xp.where(positive, x, one))), zero)


def ms_ssim(
    preds: Array,
    targets: Array,
    *,
    data_range: float | Array = 1.0,
    window_size: int = 11,
    sigma: float = 1.5,
    k1: float | Array = 0.01,
    k2: float | Array = 0.03,
    scale_weights: tuple[float, ...] = MS_SSIM_WEIGHTS,
    axis: int | None = -1,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Multi-scale structural similarity (MS-SSIM) of each image pair.

    .. math::

        \mathrm{MS\text{-}SSIM}(x, y) = \operatorname{mean}_c\Bigl[
            [\mathrm{SSIM}_M]_+^{\beta_M} \prod_{j=1}^{M-1} [\mathrm{CS}_j]_+^{\beta_j}
        \Bigr]

    with :math:`\mathrm{CS}_j` the mean contrast-structure term at scale
    :math:`j` (images halved by 2x2 average pooling between scales),
    :math:`\mathrm{SSIM}_M` the full SSIM at the coarsest scale and Wang et al.'s
    weights :math:`\beta` = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333).

    A negative CS (anti-correlated images) to a fractional power is NaN; it is
    clamped at 0 (as pytorch-msssim's ReLU), and the power is taken in log space
    on the positive side only, so the gradient at 0 is 0, not the NaN of
    ``relu(cs) ** w``.

    Parameters
    ----------
    preds, targets : array, shape (N, H, W, C) or (N, H, W, D, C)
        Image batches; every spatial side at least ``window_size * 2**(M - 1)``
        (176 for the defaults).
    data_range : float or scalar array, default 1.0
        The dynamic range of the images.
    window_size : int, default 11
        Gaussian window length (odd, static).
    sigma : float, default 1.5
        Gaussian window width (static).
    k1, k2 : float or scalar array, default 0.01, 0.03
        Wang et al.'s constants.
    scale_weights : tuple of float, default MS_SSIM_WEIGHTS
        :math:`\beta_1..\beta_M` (static; their count is the number of scales).
    axis : int or None, default -1
        The channel axis; ``None``: no channel axis.
    weights : array, optional
        Per-image weights, shape (N,).
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per image, shape (N,).

    Returns
    -------
    array
        Scalar, or shape (N,) for ``reduction="none"``.

    Notes
    -----
    The product is per channel and then averaged over channels, as in
    pytorch-msssim. kornia's ``MS_SSIMLoss`` is Zhao et al.'s mix of MS-SSIM and
    L1, not this.

    References
    ----------
    .. [1] Z. Wang, E. P. Simoncelli, A. C. Bovik, "Multiscale structural similarity
       for image quality assessment", Asilomar 2003.
       https://doi.org/10.1109/ACSSC.2003.1292216

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).uniform(size=(1, 176, 176, 1))
    >>> float(ms_ssim(x, x))
    1.0
    """
    x, y, axes, xp, reduction = _prepare(
        preds, targets, axis, weights, reduction, window_size, sigma, "ms_ssim"
    )
    require_static(scale_weights, "scale_weights")
    betas = tuple(float(b) for b in scale_weights)
    if not betas:
        raise ValueError("scale_weights must hold at least one weight, got ()")
    need = window_size * 2 ** (len(betas) - 1)
    for ax in axes:
        if x.shape[ax] < need:
            raise ValueError(
                f"ms_ssim with {len(betas)} scales and window_size={window_size} needs "
                f"every spatial side >= {need}, got shape {tuple(x.shape)}"
            )
    big_l = continuous(data_range, "data_range", x, xp, low=0.0, low_inclusive=False)
    c1 = continuous(k1, "k1", x, xp, low=0.0)
    c2 = continuous(k2, "k2", x, xp, low=0.0, low_inclusive=False)
    keep = tuple(a for a in range(1, x.ndim) if a not in axes)  # the channel axis
    product = None
    for j, beta in enumerate(betas):
        smap, csmap = _ssim_maps(x, y, axes, big_l, window_size, sigma, c1, c2, xp)
        term = smap if j == len(betas) - 1 else csmap
        mean = xp.mean(term, axis=axes)  # (N, C) or (N,)
        factor = _safe_pow(mean, beta, xp)
        product = factor if product is None else product * factor
        if j < len(betas) - 1:
            x, y = _downsample(x, axes, xp), _downsample(y, axes, xp)
    if product is None:  # checked non-empty above; kept for the type checker
        raise ValueError("betas must not be empty")
    per_image = xp.mean(product, axis=tuple(range(1, product.ndim))) if keep else product
    return reduce_loss(per_image, reduction, xp=xp, weights=weights)


def ms_ssim_loss(
    preds: Array,
    targets: Array,
    *,
    data_range: float | Array = 1.0,
    window_size: int = 11,
    sigma: float = 1.5,
    k1: float | Array = 0.01,
    k2: float | Array = 0.03,
    scale_weights: tuple[float, ...] = MS_SSIM_WEIGHTS,
    axis: int | None = -1,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""MS-SSIM loss: one minus the multi-scale structural similarity of each image pair.

    .. math::

        \ell_i = 1 - \mathrm{MS\text{-}SSIM}(x_i, y_i) \in [0, 1]

    See :func:`ms_ssim`.

    Parameters
    ----------
    preds, targets : array, shape (N, H, W, C) or (N, H, W, D, C)
        Image batches (every spatial side at least 176 for the defaults).
    data_range : float or scalar array, default 1.0
        The dynamic range of the images.
    window_size : int, default 11
        Gaussian window length (odd, static).
    sigma : float, default 1.5
        Gaussian window width (static).
    k1, k2 : float or scalar array, default 0.01, 0.03
        Wang et al.'s constants.
    scale_weights : tuple of float, default MS_SSIM_WEIGHTS
        The scale weights (static).
    axis : int or None, default -1
        The channel axis; ``None``: no channel axis.
    weights : array, optional
        Per-image weights, shape (N,).
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per image, shape (N,).

    Returns
    -------
    array
        Scalar, or shape (N,) for ``reduction="none"``.

    References
    ----------
    .. [1] Z. Wang, E. P. Simoncelli, A. C. Bovik, "Multiscale structural similarity
       for image quality assessment", Asilomar 2003.
       https://doi.org/10.1109/ACSSC.2003.1292216

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).uniform(size=(1, 176, 176, 1))
    >>> float(ms_ssim_loss(x, x))
    0.0
    """
    value = ms_ssim(
        preds,
        targets,
        data_range=data_range,
        window_size=window_size,
        sigma=sigma,
        k1=k1,
        k2=k2,
        scale_weights=scale_weights,
        axis=axis,
        reduction="none",
    )
    xp = array_namespace(value=value)
    return reduce_loss(1.0 - value, check_reduction(reduction), xp=xp, weights=weights)


def psnr(
    preds: Array,
    targets: Array,
    *,
    data_range: float | Array = 1.0,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Peak signal-to-noise ratio of each image pair, in decibels (a metric, higher is better).

    .. math::

        \mathrm{PSNR}_i = 10 \log_{10} \frac{L^2}{\operatorname{mean}(x_i - y_i)^2}

    with :math:`L` = ``data_range`` and the mean over every non-batch axis.
    Identical images give :math:`+\infty` (the MSE is 0), as torchmetrics, kornia
    and dm-pix, with a gradient of 0 there (not the NaN of ``log(mse)``'s
    derivative times a zero difference). PSNR is a metric: to train, use a pixel
    loss (PSNR is :math:`-10\log_{10}` of the MSE up to a constant).

    Parameters
    ----------
    preds, targets : array, shape (N, ...)
        Image batches of one shape, batch first.
    data_range : float or scalar array, default 1.0
        The dynamic range :math:`L`.
    weights : array, optional
        Per-image weights, shape (N,).
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one PSNR per image, shape (N,); ``"mean"`` averages the
        per-image PSNRs (torchmetrics' default instead pools the MSE over the batch).

    Returns
    -------
    array
        Scalar, or shape (N,) for ``reduction="none"``.

    References
    ----------
    .. [1] Q. Huynh-Thu, M. Ghanbari, "Scope of validity of PSNR in image/video
       quality assessment", Electronics Letters 44(13), 800-801 (2008).
       https://doi.org/10.1049/el:20080522

    Examples
    --------
    >>> import numpy as np
    >>> x = np.zeros((1, 4, 4)); y = np.full((1, 4, 4), 0.1)
    >>> np.round(psnr(x, y, reduction="none"), 4)
    array([20.])
    """
    xp = array_namespace(
        preds=preds, targets=targets, weights=weights, required=("preds", "targets")
    )
    reduction = check_reduction(reduction)
    dtype = compute_dtype(preds, "preds", xp)
    compute_dtype(targets, "targets", xp)
    check_same_shape(preds, targets, "preds", "targets")
    if preds.ndim < 2:
        raise ValueError(f"preds of psnr must be a batch (N, ...), got shape {tuple(preds.shape)}")
    check_weights(weights, (preds.shape[0],), xp)
    x, y = cast(preds, dtype, xp), cast(targets, dtype, xp)
    big_l = continuous(data_range, "data_range", x, xp, low=0.0, low_inclusive=False)
    mse = xp.mean((x - y) ** 2, axis=tuple(range(1, x.ndim)))
    positive = xp.logical_not(mse <= 0)  # NaN counts as positive: NaN in, NaN out
    dev = device_of(x)
    one = xp.ones((), dtype=x.dtype, device=dev)
    inf = xp.full((), math.inf, dtype=x.dtype, device=dev)
    # identical images: +inf, with gradient 0 (d log(mse) = inf at mse = 0, times the
    # zero difference: NaN); the double where keeps log(0) out of the backward pass
    log_mse = xp.log(xp.where(positive, mse, one))
    scale = 10.0 / math.log(10.0)
    finite = scale * (2.0 * xp.log(xp.asarray(big_l, dtype=x.dtype, device=dev)) - log_mse)
    value = xp.where(positive, finite, inf)
    return reduce_loss(value, reduction, xp=xp, weights=weights)
