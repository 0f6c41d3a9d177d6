"""Region mutual information (RMI) loss: pixel BCE plus a bound on regional dependence."""

from __future__ import annotations

import itertools
from typing import Any

from .._lib._compat import Array, Namespace, array_namespace, device_of
from .._lib._dtypes import cast, compute_dtype
from .._lib._hyper import Hyper, continuous, hyper_array
from .._lib._reduction import check_reduction, check_weights, reduce_loss
from .._lib._special import sigmoid, softplus
from .._lib._validation import check_choice
from ._common import _region_inputs_keep

__all__ = ["region_mutual_information_loss"]


POOLS = ("avg", "max")


def _check_int(value: object, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int >= {low}, got {type(value).__name__}")
    if value < low:
        raise ValueError(f"{name} must be an int >= {low}; got {value}")
    return value


def _pool(x: Array, stride: int, pool: str, xp: Namespace) -> Array:
    """Pool every spatial axis (2..) with kernel = stride, padding stride // 2.

    The output size per axis is ``(n + 2 * pad - stride) // stride + 1`` as in
    ``torch.nn.functional.{avg,max}_pool2d``; average pooling counts the zero padding
    (``count_include_pad=True``, torch's default, used by the reference code).
    """
    pad = stride // 2
    fill = 0.0 if pool == "avg" else -float("inf")
    for a in range(2, x.ndim):
        n = int(x.shape[a])
        out = (n + 2 * pad - stride) // stride + 1
        shape = list(x.shape)
        shape[a] = pad
        side = xp.full(tuple(shape), fill, dtype=x.dtype, device=device_of(x))
        padded = xp.concat((side, x, side), axis=a) if pad else x
        index: tuple[Any, ...] = (slice(None),) * a + (slice(0, out * stride), Ellipsis)
        windows = padded[index]
        split = (*x.shape[:a], out, stride, *x.shape[a + 1 :])
        windows = xp.reshape(windows, tuple(int(s) for s in split))
        x = xp.sum(windows, axis=a + 1) / stride if pool == "avg" else xp.max(windows, axis=a + 1)
    return x


def _neighbourhoods(x: Array, radius: int, xp: Namespace) -> Array:
    """``(N, C, *S)`` -> ``(N, C, radius**k, M)``: every radius^k window as a vector.

    Column ``m`` holds the window whose first corner is position ``m`` of the valid
    (unpadded) grid, as the reference code's ``map_get_pairs``.
    """
    spatial = [int(s) for s in x.shape[2:]]
    valid = [s - radius + 1 for s in spatial]
    count = 1
    for v in valid:
        count *= v
    n, c = int(x.shape[0]), int(x.shape[1])
    vectors = []
    for offset in itertools.product(range(radius), repeat=len(spatial)):
        corner = tuple(slice(o, o + v) for o, v in zip(offset, valid, strict=True))
        index = (slice(None), slice(None), *corner)
        vectors.append(xp.reshape(x[index], (n, c, count)))
    return xp.stack(vectors, axis=2)


def _log_pivots(a: Array, eps: Hyper, xp: Namespace) -> Array:
    """``0.5 * log(pivot_j / eps)`` of the Cholesky factorization of ``a`` (..., n, n).

    ``a`` is a scatter matrix plus ``eps * I``, so every eigenvalue is >= eps, and
    the Cholesky pivots (the squared diagonal of L) of a symmetric positive definite
    matrix are >= its smallest eigenvalue: clamping them at eps only absorbs rounding,
    keeps sqrt/log finite (no NaN gradient) and makes the value exactly 0 there.
    Left-looking Cholesky unrolled over the static size n: portable and differentiable
    on every backend (no linalg extension needed), returns ``(..., n)``.
    """
    n = int(a.shape[-1])
    rows = xp.arange(n, device=device_of(a))
    zero = xp.zeros((), dtype=a.dtype, device=device_of(a))
    columns: list[Array] = []
    halves: list[Array] = []
    for j in range(n):
        v = a[..., :, j]
        if columns:
            lower = xp.stack(columns, axis=-1)  # (..., n, j): the columns of L so far
            # a_j - L_{:, <j} L_{j, <j}^T: the Schur complement's column j
            v = v - xp.sum(lower * xp.expand_dims(lower[..., j, :], axis=-2), axis=-1)
        pivot = xp.maximum(v[..., j], hyper_array(eps, a, xp))
        root = xp.sqrt(pivot)
        below = v / xp.expand_dims(root, axis=-1)
        root_col = xp.expand_dims(root, axis=-1)
        columns.append(xp.where(rows > j, below, xp.where(rows == j, root_col, zero)))
        halves.append(0.5 * xp.log(pivot / eps))
    return xp.stack(halves, axis=-1)


def _rmi_term(probs: Array, target: Array, radius: int, eps: Hyper, xp: Namespace) -> Array:
    """Per sample and class ``(N, C)``: ``0.5 log det(S_{Y|P} + eps I) / d`` minus its floor.

    The pairs ``(P, Y)`` of neighbourhood vectors are stacked into one 2d-dim vector;
    the Cholesky factor of its scatter matrix plus eps I has, in its last d pivots,
    the Cholesky factor of the Schur complement ``S_Y + eps I - S_YP (S_P + eps I)^-1
    S_PY`` = the reference code's ``appro_var + eps I``: one factorization gives the
    inverse and the log-determinant without forming either.
    """
    d = radius ** (probs.ndim - 2)
    vectors = xp.concat(
        (_neighbourhoods(probs, radius, xp), _neighbourhoods(target, radius, xp)), axis=2
    )
    vectors = vectors - xp.mean(vectors, axis=-1, keepdims=True)
    scatter = xp.matmul(vectors, xp.permute_dims(vectors, (0, 1, 3, 2)))
    eye = xp.eye(2 * d, dtype=probs.dtype, device=device_of(probs))
    halves = _log_pivots(scatter + eps * eye, eps, xp)
    return xp.sum(halves[..., d:], axis=-1) / d


def region_mutual_information_loss(
    logits: Array,
    labels: Array,
    *,
    mode: str = "multiclass",
    axis: int = -1,
    from_logits: bool = True,
    radius: int = 3,
    stride: int = 3,
    pool: str = "avg",
    lambda_: float = 0.5,
    eps: float = 5e-4,
    ignore_index: int | None = None,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Region mutual information loss: per-pixel BCE plus an RMI lower-bound term.

    .. math::

        \ell_n = \lambda\, \mathrm{BCE}_n + (1 - \lambda) \sum_c \frac{1}{2d}
            \log\det\!\Big(\frac{\Sigma_{Y|P} + \epsilon I}{\epsilon}\Big),
        \qquad
        \Sigma_{Y|P} = \Sigma_Y - \Sigma_{YP} (\Sigma_P + \epsilon I)^{-1} \Sigma_{YP}^\top

    where, for sample :math:`n` and class :math:`c`, :math:`Y` and :math:`P` are the
    :math:`d = r^k` dimensional vectors of the target and the sigmoid probabilities
    in every :math:`r \times r` (:math:`r^k` for :math:`k` spatial axes) window of
    the maps downsampled by ``stride``, :math:`\Sigma` are their centred scatter
    matrices over the windows, and :math:`\mathrm{BCE}_n` is the sigmoid binary
    cross-entropy summed over classes and averaged over the kept positions.
    :math:`\tfrac12 \log\det \Sigma_{Y|P}` is, up to a constant, minus the lower
    bound of the mutual information between the regions of :math:`Y` and :math:`P`.

    Cross-entropy scores each pixel on its own; RMI rewards predicting the *structure*
    of each neighbourhood (thin parts, edges, co-occurring classes), the pixel
    dependencies pixel losses ignore, at little cost: use it with (here: inside)
    a pixel loss when objects are small or thin and boundaries matter.

    Parameters
    ----------
    logits : array, shape (N, ..., C, ...)
        Logits (probabilities when ``from_logits=False``); axis 0 is the sample axis,
        ``axis`` the class axis, the others (1 to 3 of them) spatial.
    labels : array
        ``"multiclass"``: integer class indices (``logits``'s shape minus ``axis``)
        or one-hot floats (``logits``'s shape). ``"multilabel"``: binary masks of
        ``logits``'s shape. ``"binary"``: ``logits``'s shape, or without the size-1
        class axis.
    mode : {"multiclass", "multilabel", "binary"}
        Only the target differs: every mode uses an independent sigmoid per channel,
        as the paper's code (its multi-class training uses sigmoid, not softmax).
    axis : int, default -1
        The class axis (not 0).
    from_logits : bool, default True
        Whether ``logits`` are logits or per-channel probabilities.
    radius : int >= 1, default 3
        :math:`r`, the window side (the paper's R = 3, so d = 9 in 2-D).
    stride : int >= 1, default 3
        Downsampling factor (kernel = stride, padding = stride // 2) applied to
        probabilities and targets before the windows are taken; 1 disables it
        (3 is the ``RMILoss`` class default; the training script passes 2).
    pool : {"avg", "max"}, default "avg"
        Downsampling by average pooling (the training script's default) or max
        pooling (the ``RMILoss`` class default).
    lambda_ : float in [0, 1], default 0.5
        :math:`\lambda`, the weight of the BCE term (the paper's 0.5).
    eps : float > 0, default 5e-4
        :math:`\epsilon`, added to the diagonals (the code's ``_POS_ALPHA``).
    ignore_index : int, optional
        Integer label whose positions are left out of the BCE and set to 0 in both
        maps of the RMI term (as the reference code does); a sample with every
        position ignored gives 0 and is left out of the mean.
    weights : array, optional
        Broadcasts against the ``"none"`` result ``(N,)``.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns shape ``(N,)`` (classes summed, as the reference code).

    Returns
    -------
    array
        Scalar, or ``(N,)`` for ``reduction="none"``.

    Notes
    -----
    The log-determinant comes from one unrolled Cholesky factorization of the joint
    scatter matrix of ``(P, Y)`` plus :math:`\epsilon I` (its trailing pivots are
    those of :math:`\Sigma_{Y|P} + \epsilon I`), computed in the input's float dtype
    (float32 for half inputs); its pivots are clamped at :math:`\epsilon`, a bound
    they satisfy exactly, so value and gradient stay finite for constant maps,
    empty classes and all-ignored images. Each window needs ``radius`` positions
    per spatial axis after downsampling, else ``ValueError``. 3-D volumes use
    :math:`r^3` windows (d = 27), an extension of the 2-D paper.

    Differences from the reference code (ZJULearning/RMI, ``forward_sigmoid``):
    the RMI term is shifted by the constant :math:`-\tfrac12 \log \epsilon` per
    class so that it is >= 0 and exactly 0 when Y is linearly predicted by P (the
    gradient is unchanged); the code computes in float64, adds 1e-8 inside the log
    of the Cholesky diagonal and 1e-6 to the probabilities (cancelled by the
    centring), divides the batch's BCE sum by ``valid_pixels + 1`` where this
    function divides each sample's by its kept positions, and averages the RMI over
    the batch; with one sample and nothing ignored the two agree up to those
    constants. Scatter matrices are not divided by the number of windows, as in the
    code, so :math:`\epsilon` acts relative to sums.

    References
    ----------
    .. [1] S. Zhao, Y. Wang, Z. Yang, D. Cai, "Region Mutual Information Loss for
       Semantic Segmentation", NeurIPS 2019. https://arxiv.org/abs/1910.12037

    Examples
    --------
    A constant target and prediction carry no regional information: the RMI term
    is 0 and the loss is :math:`\lambda` times the BCE, here
    :math:`0.5 \cdot 2 \log 2`:

    >>> import numpy as np
    >>> import arrayloss as al
    >>> logits = np.zeros((1, 6, 6, 2))
    >>> labels = np.zeros((1, 6, 6), dtype=np.int64)
    >>> al.region_mutual_information_loss(logits, labels, stride=1, radius=2)
    np.float64(0.6931471805599453)
    """
    xp = array_namespace(
        logits=logits, labels=labels, weights=weights, required=("logits", "labels")
    )
    reduction = check_reduction(reduction)
    check_choice(pool, "pool", POOLS)
    radius = _check_int(radius, "radius", 1)
    stride = _check_int(stride, "stride", 1)
    dtype = compute_dtype(logits, "logits", xp)
    logits = cast(logits, dtype, xp)
    lambda_ = continuous(lambda_, "lambda_", logits, xp, low=0.0, high=1.0)
    eps = continuous(eps, "eps", logits, xp, low=0.0, low_inclusive=False)
    # from_logits=False: the shared helper must not softmax; the sigmoid comes below
    x, g, ax, keep = _region_inputs_keep(
        logits,
        labels,
        mode=mode,
        axis=axis,
        from_logits=False,
        ignore_index=ignore_index,
        xp=xp,
    )
    if logits.ndim < 3:
        raise ValueError(
            f"logits must have a sample axis, a class axis and 1 to 3 spatial axes, got "
            f"shape {tuple(logits.shape)}"
        )
    zero = xp.zeros((), dtype=dtype, device=device_of(logits))
    if from_logits:
        # -g log s(x) - (1 - g) log(1 - s(x)) = softplus(x) - g x
        bce = softplus(x, xp=xp) - g * x
        probs = sigmoid(x, xp=xp)
    else:
        tiny = xp.full((), xp.finfo(dtype).smallest_normal, dtype=dtype, device=device_of(logits))
        # log clamped at the smallest normal: finite (and zero-gradient) at p = 0 or 1
        bce = -(g * xp.log(xp.maximum(x, tiny)) + (1.0 - g) * xp.log(xp.maximum(1.0 - x, tiny)))
        probs = x
    shape = tuple(logits.shape)
    kept = xp.ones(shape, dtype=dtype, device=device_of(logits))
    if keep is not None:
        bce = xp.where(keep, bce, zero)
        probs = xp.where(keep, probs, zero)
        kept = xp.where(keep, kept, zero)
    spatial = tuple(d for d in range(logits.ndim) if d != 0)
    count = xp.sum(kept, axis=spatial)
    nonzero = count != 0
    one = xp.ones((), dtype=dtype, device=device_of(logits))
    # per-pixel BCE summed over classes: C * sum / (kept elements); 0/0 -> 0 (double where)
    bce_n = xp.where(
        nonzero, shape[ax] * xp.sum(bce, axis=spatial) / xp.where(nonzero, count, one), zero
    )
    order = (0, ax, *(d for d in range(1, logits.ndim) if d != ax))
    probs, g = xp.permute_dims(probs, order), xp.permute_dims(g, order)
    if stride > 1:
        probs, g = _pool(probs, stride, pool, xp), _pool(g, stride, pool, xp)
    small = [int(s) for s in probs.shape[2:]]
    if probs.ndim > 5 or min(small) < radius:
        raise ValueError(
            f"region_mutual_information_loss needs 1 to 3 spatial axes of at least "
            f"radius={radius} positions after downsampling by stride={stride}; logits "
            f"shape {shape} gives {tuple(small)}"
        )
    rmi = xp.sum(_rmi_term(probs, g, radius, eps, xp), axis=1)
    loss = lambda_ * bce_n + (1.0 - lambda_) * rmi
    check_weights(weights, tuple(loss.shape), xp)
    mask = None if keep is None else nonzero
    if mask is not None:
        loss = xp.where(mask, loss, zero)
    return reduce_loss(loss, reduction, xp=xp, weights=weights, mask=mask)
