"""Euclidean distance transforms of binary masks: preprocessing for the boundary losses.

Exact distances on every backend: SciPy's ``distance_transform_edt`` for NumPy when
SciPy is installed, ``cupyx.scipy.ndimage.distance_transform_edt`` for CuPy (the map
never leaves the GPU), and elsewhere (NumPy without SciPy, PyTorch, JAX, Dask,
array-api-strict, ...) a portable separable squared transform written with
broadcasting, on the input's device. The maps carry no gradient: they are functions
of a thresholded mask.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._lib._compat import (
    Array,
    Namespace,
    array_namespace,
    device_of,
)
from .._lib._distance_transform import check_spacing, edt
from .._lib._dtypes import compute_dtype, is_floating, is_integer
from .._lib._special import stop_gradient
from .._lib._validation import normalize_axis, require_static

__all__ = ["distance_map", "signed_distance_map"]


def _spatial_axes(ndim: int, axes: object, name: str = "axes") -> tuple[int, ...]:
    """``axes`` as sorted, distinct, non-negative axis indices (default: all but axis 0)."""
    if axes is None:
        if ndim < 2:
            raise ValueError(
                f"mask must have a batch axis 0 and at least one spatial axis when "
                f"{name}=None, got {ndim} dimension(s); pass {name} explicitly"
            )
        if ndim == 2:
            # (H, W) or (N, L)? A single 2-D mask would be transformed row by row
            raise ValueError(
                f"{name} is ambiguous for a 2-D mask: pass {name}=(0, 1) for one 2-D "
                f"image, or {name}=1 for a batch of 1-D masks (axis 0 is the batch)"
            )
        return tuple(range(1, ndim))
    items = (axes,) if isinstance(axes, int) else axes
    if not isinstance(items, Sequence) or isinstance(items, str) or not items:
        raise TypeError(
            f"{name} must be None, an int or a non-empty sequence of ints, got {axes!r}"
        )
    out = tuple(normalize_axis(a, ndim, name) for a in items)
    if len(set(out)) != len(out):
        raise ValueError(f"{name} must not repeat an axis, got {axes!r}")
    return tuple(sorted(out))


def _output_dtype(mask: Array, xp: Namespace) -> Any:
    if is_floating(mask, xp):
        return compute_dtype(mask, "mask", xp)
    if is_integer(mask, xp) or mask.dtype == xp.bool:
        # the namespace's default floating dtype (float64 for NumPy, float32 for torch)
        return xp.asarray(0.0, device=device_of(mask)).dtype
    raise TypeError(f"mask must be a boolean, integer or floating array, got dtype {mask.dtype}")


def _prepare(
    mask: Array, axes: object, spacing: object, xp: Namespace
) -> tuple[Array, tuple[int, ...], tuple[float, ...], Any]:
    require_static(spacing, "spacing")
    if isinstance(spacing, Sequence) and not isinstance(spacing, str):
        for step in spacing:
            require_static(step, "spacing")
    dtype = _output_dtype(mask, xp)
    ax = _spatial_axes(mask.ndim, axes)
    steps = check_spacing(spacing, len(ax))
    fg = mask if mask.dtype == xp.bool else mask != 0
    return fg, ax, steps, dtype


def distance_map(
    mask: Array, *, spacing: float | Sequence[float] | None = None, axes: object = None
) -> Array:
    r"""Euclidean distance of every foreground voxel to the nearest background voxel.

    .. math::

        d(x) = \begin{cases} \min_{y:\, m(y) = 0} \lVert (x - y) \odot s \rVert_2
               & m(x) \neq 0 \\ 0 & m(x) = 0 \end{cases}

    with :math:`s` the voxel ``spacing``: SciPy's ``distance_transform_edt``,
    computed separately for every slice over ``axes`` (every sample of a batch,
    every channel of a one-hot mask). A preprocessing step for the distance-based
    boundary losses (:func:`hausdorff_dt_loss`, :func:`region_wise_loss`).

    Parameters
    ----------
    mask : array
        Boolean, integer or floating; nonzero is foreground.
    spacing : float or sequence of float, optional
        Voxel size along each of ``axes`` (one number: the same for all). Default 1.
        Static: the transform runs on the host (SciPy) or as a fixed sequence of
        passes, so a traced array raises ``TypeError`` ("must be static").
    axes : int or sequence of int, optional
        The spatial axes. Default: every axis but axis 0 (the batch axis); a
        channels-last one-hot mask ``(N, H, W, C)`` needs ``axes=(1, 2)``.
        A 2-D mask needs ``axes``: ``(0, 1)`` for one image, ``1`` for a batch of
        1-D masks (the default would treat axis 0 as the batch and transform a
        single image row by row, so it raises ``ValueError`` instead).

    Returns
    -------
    array
        ``mask``'s shape. Floating masks keep their dtype (half precision gives
        float32); boolean and integer masks give the namespace's default floating
        dtype. No gradient flows through it.

    Notes
    -----
    A slice without background voxels gets distance 0 everywhere (SciPy measures
    to a phantom voxel outside the array instead), so the map is finite for every
    mask. NumPy uses SciPy when it is installed and CuPy uses ``cupyx.scipy.ndimage``
    (one call per slice); every other backend uses an exact portable form: the
    squared distance is separable, so one min-plus pass
    :math:`d^2(i) = \min_j d^2(j) + ((i - j) s)^2` per axis, by broadcasting, in
    chunks of bounded memory. It costs :math:`O(n)` per voxel and axis of length
    :math:`n`: meant for the image sizes of a training batch.

    References
    ----------
    .. [1] P. F. Felzenszwalb, D. P. Huttenlocher, "Distance Transforms of Sampled
       Functions", Theory of Computing 8, 2012. https://doi.org/10.4086/toc.2012.v008a019

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> mask = np.array([[0, 1, 1, 1, 0]])
    >>> al.distance_map(mask, axes=1)  # a batch of one 1-D mask
    array([[0., 1., 2., 1., 0.]])
    >>> al.distance_map(mask, spacing=0.5, axes=1)
    array([[0. , 0.5, 1. , 0.5, 0. ]])
    """
    xp = array_namespace(mask=mask, required=("mask",))
    fg, ax, steps, dtype = _prepare(mask, axes, spacing, xp)
    return stop_gradient(edt(fg, ax, steps, dtype, xp), xp=xp)


def signed_distance_map(
    mask: Array,
    *,
    spacing: float | Sequence[float] | None = None,
    axes: object = None,
    normalize: bool = False,
) -> Array:
    r"""Signed distance to the mask's boundary: negative inside, positive outside.

    .. math::

        \phi(x) = \begin{cases} d_{\bar m}(x) & m(x) = 0 \\
                  -\bigl(d_m(x) - s_{\min}\bigr) & m(x) \neq 0 \end{cases}

    where :math:`d_m` is :func:`distance_map` of the mask (distance of a foreground
    voxel to the nearest background voxel), :math:`d_{\bar m}` that of its
    complement (distance of a background voxel to the nearest foreground voxel) and
    :math:`s_{\min}` the smallest spacing. This is the map of the boundary loss's
    reference code [1]_: foreground voxels on the boundary get 0, deeper ones
    :math:`-1, -2, \dots`, background voxels their distance to the object. Precompute
    it from the target and pass it to :func:`boundary_loss`.

    Parameters
    ----------
    mask : array
        Boolean, integer or floating; nonzero is foreground.
    spacing : float or sequence of float, optional
        Voxel size along each of ``axes``. Default 1.
        Static: the transform runs on the host (SciPy) or as a fixed sequence of
        passes, so a traced array raises ``TypeError`` ("must be static").
    axes : int or sequence of int, optional
        The spatial axes. Default: every axis but axis 0; a channels-last one-hot
        mask ``(N, H, W, C)`` needs ``axes=(1, 2)``.
        A 2-D mask needs ``axes``: ``(0, 1)`` for one image, ``1`` for a batch of
        1-D masks (the default would treat axis 0 as the batch and transform a
        single image row by row, so it raises ``ValueError`` instead).
    normalize : bool, default False
        Divide the inside by its largest magnitude and the outside by its largest
        value, per slice, so the map lies in :math:`[-1, 1]`.

    Returns
    -------
    array
        ``mask``'s shape, dtype as for :func:`distance_map`; no gradient.

    Notes
    -----
    A slice that is all background or all foreground has no boundary: its map is 0
    everywhere (the reference code gives 0 for the empty mask and SciPy's phantom
    distances for the full one; MONAI's ``BoundaryLoss`` gives 0 for both). The
    reference subtracts 1 (one voxel) inside; we subtract the smallest spacing,
    which is the same for unit spacing and keeps the inside non-positive for
    voxels smaller than 1.

    References
    ----------
    .. [1] H. Kervadec, J. Bouchtiba, C. Desrosiers, E. Granger, J. Dolz, I. Ben
       Ayed, "Boundary loss for highly unbalanced segmentation", MIDL 2019.
       https://arxiv.org/abs/1812.07032

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> al.signed_distance_map(np.array([[0, 1, 1, 1, 1, 1, 0, 0]]), axes=1)
    array([[ 1.,  0., -1., -2., -1.,  0.,  1.,  2.]])
    """
    xp = array_namespace(mask=mask, required=("mask",))
    if not isinstance(normalize, bool):
        raise TypeError(f"normalize must be a bool, got {type(normalize).__name__}")
    fg, ax, steps, dtype = _prepare(mask, axes, spacing, xp)
    return stop_gradient(_signed(fg, ax, steps, dtype, normalize, xp), xp=xp)


def _signed(
    fg: Array,
    axes: tuple[int, ...],
    spacing: tuple[float, ...],
    dtype: Any,
    normalize: bool,
    xp: Namespace,
) -> Array:
    dev = device_of(fg)
    zero = xp.zeros((), dtype=dtype, device=dev)
    bg = xp.logical_not(fg)
    outside = edt(bg, axes, spacing, dtype, xp)
    inside = xp.where(fg, edt(fg, axes, spacing, dtype, xp) - min(spacing), zero)
    if normalize:
        one = xp.ones((), dtype=dtype, device=dev)
        top = xp.max(outside, axis=axes, keepdims=True)
        deep = xp.max(inside, axis=axes, keepdims=True)
        # a 0 maximum means that side is all 0 already: divide by 1 instead of 0
        outside = outside / xp.where(top > 0, top, one)
        inside = inside / xp.where(deep > 0, deep, one)
    phi = outside - inside
    # no boundary (all foreground or all background): 0 everywhere
    has_both = xp.any(fg, axis=axes, keepdims=True) & xp.any(bg, axis=axes, keepdims=True)
    return xp.where(has_both, phi, zero)
