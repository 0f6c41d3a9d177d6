"""InverseForm boundary loss on the output of the user's InverseForm network."""

from __future__ import annotations

from .._lib._compat import Array, array_namespace, device_of
from .._lib._dtypes import cast, compute_dtype
from .._lib._reduction import check_reduction, check_weights, reduce_loss

__all__ = ["inverseform_loss"]


def inverseform_loss(
    transform: Array,
    *,
    form: str = "matrix",
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""InverseForm distance: how far a predicted boundary transform is from the identity.

    .. math::

        \ell = \lVert \hat\theta - I_3 \rVert_F
        \quad (\texttt{form="matrix"}), \qquad
        \ell = \lVert \hat c \rVert_2 \quad (\texttt{form="offsets"})

    InverseForm (Borse et al.) feeds a predicted and a ground-truth boundary map to a
    separately pre-trained *inverse-transformation network* that regresses the
    spatial transform :math:`\hat\theta` between them; the loss is that transform's
    distance from the identity, so it penalizes boundaries that are shifted, scaled
    or rotated rather than merely misclassified pixel by pixel. Use it on top of a
    pixel loss when boundary alignment matters (thin structures, Cityscapes-style
    scene parsing).

    The network is the user's: this function takes its output, not the boundary
    maps, and the gradient reaches the segmentation model through that (frozen)
    network. Tiling of the maps into the network's input size is the user's too.

    Parameters
    ----------
    transform : array, shape (..., 3, 3) or (..., K)
        ``"matrix"``: the predicted 3x3 homography. ``"offsets"``: the network's raw
        coefficients already relative to the identity (the authors' released network
        regresses K = 4 of them), whose Euclidean norm is the distance.
    form : {"matrix", "offsets"}
        How to read ``transform``.
    weights : array, optional
        Broadcasts against the ``"none"`` result.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one distance per transform: shape ``transform.shape[:-2]``
        (``"matrix"``) or ``transform.shape[:-1]`` (``"offsets"``).

    Returns
    -------
    array
        Scalar, or the per-transform distances for ``reduction="none"``.

    Notes
    -----
    The norm's gradient is undefined at exactly the identity (zero offsets); there
    it is 0 (the subgradient of smallest norm) through a double ``where``, instead
    of the NaN that ``sqrt`` gives. The authors' code averages the norm over tiles
    and images, which is ``reduction="mean"`` over a ``(tiles, K)`` input.

    References
    ----------
    .. [1] S. Borse, Y. Wang, Y. Zhang, F. Porikli, "InverseForm: A Loss Function for
       Structured Boundary-Aware Segmentation", CVPR 2021.
       https://arxiv.org/abs/2104.02745

    Examples
    --------
    A pure translation by (3, 4) differs from the identity in two entries: distance 5.

    >>> import numpy as np
    >>> import arrayloss as al
    >>> theta = np.array([[1.0, 0.0, 3.0], [0.0, 1.0, 4.0], [0.0, 0.0, 1.0]])
    >>> al.inverseform_loss(np.stack([theta, np.eye(3)]), reduction="none")
    array([5., 0.])
    """
    xp = array_namespace(transform=transform, weights=weights, required=("transform",))
    reduction = check_reduction(reduction)
    if form not in ("matrix", "offsets"):
        raise ValueError(f"form must be one of 'matrix', 'offsets'; got {form!r}")
    dtype = compute_dtype(transform, "transform", xp)
    x = cast(transform, dtype, xp)
    if form == "matrix":
        if x.ndim < 2 or tuple(x.shape[-2:]) != (3, 3):
            raise ValueError(
                f'transform for form="matrix" must have shape (..., 3, 3), got {tuple(x.shape)}'
            )
        eye = xp.eye(3, dtype=dtype, device=device_of(x))
        squared = xp.sum((x - eye) ** 2, axis=(-2, -1))
    else:
        if x.ndim < 1:
            raise ValueError('transform for form="offsets" must have at least one axis, got ()')
        squared = xp.sum(x * x, axis=-1)
    at_identity = squared == 0  # not <= 0: a NaN must stay NaN
    one = xp.ones((), dtype=dtype, device=device_of(x))
    # double where: d sqrt(s) / ds is infinite at s = 0 (the identity)
    root = xp.sqrt(xp.where(at_identity, one, squared))
    distance = xp.where(at_identity, xp.zeros_like(root), root)
    check_weights(weights, tuple(distance.shape), xp)
    return reduce_loss(distance, reduction, xp=xp, weights=weights)
