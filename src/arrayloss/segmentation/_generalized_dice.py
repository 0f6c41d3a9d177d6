"""Generalized Dice losses: one ratio over all classes, weighted by volume or distance.

They share the dice family's keywords through ``_region._prepare`` but return one value
per sample (``"none"`` -> ``(N,)``), the classes being combined inside the ratio.
"""

from __future__ import annotations

import math
from typing import Any

from .._lib._compat import Array, Namespace, device_of
from .._lib._dtypes import cast, is_floating, is_integer
from .._lib._reduction import check_weights, reduce_loss
from .._lib._validation import check_choice
from ._common import _batch_sums, _overlap_sums, _safe_ratio
from ._region import _prepare

__all__ = ["generalized_dice_loss", "generalized_wasserstein_dice_loss"]


WEIGHT_TYPES = ("square", "simple", "uniform")
WEIGHTING_MODES = ("default", "GDL")


def generalized_dice_loss(
    logits: Array,
    labels: Array,
    *,
    weight_type: str = "square",
    mode: str = "multiclass",
    axis: int = -1,
    from_logits: bool = True,
    smooth: float = 1e-5,
    include_background: bool = True,
    ignore_index: int | None = None,
    class_weights: Array | None = None,
    batch_dice: bool = False,
    weights: Array | None = None,
    reduction: str = "mean",
    axis_name: str | tuple[str, ...] | None = None,
    process_group: Any = None,
) -> Array:
    r"""Generalized Dice loss: one Dice over all classes, each weighted by its volume.

    .. math::

        \ell_n = 1 - \frac{2 \sum_c w_{nc}\, TP_{nc} + \lambda}
                 {\sum_c w_{nc} (2\, TP_{nc} + FP_{nc} + FN_{nc}) + \lambda},
        \qquad w_{nc} = \Big(\sum_s g_{nsc}\Big)^{-2}

    per sample (``"square"``; ``"simple"`` uses the power :math:`-1`, ``"uniform"``
    :math:`w = 1`).

    Use it under severe class imbalance with many classes: the inverse-volume
    weights let a class of 0.1 % of the voxels count as much as a large one, in a
    single ratio that is more stable than the mean of per-class Dice losses.

    Parameters
    ----------
    logits : array, shape (N, ..., C, ...)
        Logits (probabilities when ``from_logits=False``).
    labels : array
        As for :func:`dice_loss`.
    weight_type : {"square", "simple", "uniform"}, default "square"
        The class weight :math:`w_c` from the target volume :math:`V_c`:
        :math:`1/V_c^2`, :math:`1/V_c` or 1.
    mode : {"multiclass", "multilabel", "binary"}
        Softmax over ``axis``; independent sigmoid per channel; one sigmoid channel.
    axis : int, default -1
        The class axis (not 0).
    from_logits : bool, default True
        Whether ``logits`` are logits or probabilities.
    smooth : float >= 0, default 1e-5
        :math:`\lambda`, in numerator and denominator (MONAI's default).
    include_background : bool, default True
        False drops channel 0 before the weights are computed.
    ignore_index : int, optional
        Integer label whose positions are left out of every sum and volume.
    class_weights : array, shape (C,), optional
        Extra factor on each class's volume weight :math:`w_c`.
    batch_dice : bool, default False
        Volumes, counts and the ratio over the whole batch (one value).
    weights : array, optional
        Broadcasts against the ``"none"`` result.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns shape ``(N,)`` (one value per sample: the classes are
        combined inside the ratio), or ``()`` with ``batch_dice``.
    axis_name : str or tuple of str, optional
        JAX ``shard_map``/``pmap``: the mapped batch axis. The sums over the batch
        (``batch_dice``) and the ``"mean"``/``"sum"`` over samples then cover every
        device's shard, so each device gets the value and gradient of one device on
        the whole batch (``"none"`` stays per shard). See :doc:`/devices`.
    process_group : True or torch.distributed.ProcessGroup, optional
        The same under PyTorch DDP (``True``: the default group), summed with the
        differentiable functional ``all_reduce`` of ``torch.distributed``.

    Returns
    -------
    array
        Scalar, or ``(N,)`` / ``()`` for ``reduction="none"``.

    Notes
    -----
    A class absent from the target (:math:`V_c = 0`) would get an infinite weight;
    as in MONAI it gets the largest weight of the present classes instead, and when
    no class is present every weight is 0 and the loss is 0. The weights depend on
    the target only (no gradient). The ratio is computed as
    :math:`\sum_c w_c (FP + FN) / (\dots)`, never by cancellation. MONAI returns
    ``"none"`` as ``(N, 1)``; its values equal ours.

    References
    ----------
    .. [1] C. H. Sudre, W. Li, T. Vercauteren, S. Ourselin, M. J. Cardoso, "Generalised
       Dice overlap as a deep learning loss function for highly unbalanced
       segmentations", DLMIA 2017. https://arxiv.org/abs/1707.03237

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> probs = np.array([[[0.9, 0.1], [0.2, 0.8]]])  # (N=1, S=2, C=2)
    >>> labels = np.array([[0, 1]])
    >>> out = al.generalized_dice_loss(
    ...     probs, labels, from_logits=False, smooth=0.0, reduction="none"
    ... )
    >>> np.round(out, 6)  # 1 - 2 (.9 + .8) / (2.1 + 1.9), both volumes 1
    array([0.15])
    """
    check_choice(weight_type, "weight_type", WEIGHT_TYPES)
    xp, terms, reduction, smooth = _prepare(
        logits,
        labels,
        weights=weights,
        class_weights=class_weights,
        reduction=reduction,
        smooth=smooth,
        mode=mode,
        axis=axis,
        from_logits=from_logits,
        include_background=include_background,
        ignore_index=ignore_index,
        batch_dice=batch_dice,
        axis_name=axis_name,
        process_group=process_group,
    )
    tp, fp, fn = _overlap_sums(terms, xp)
    if terms.index is not None:  # index labels: sum g = tp + fn, no one-hot to build
        volume = tp + fn
    else:
        (volume,) = _batch_sums(terms, xp, terms.target)
    w = _volume_weights(volume, weight_type, xp)
    if terms.class_weights is not None:
        w = w * terms.class_weights
    # 1 - (2 sum w tp + s) / (sum w (2 tp + fp + fn) + s) = sum w (fp + fn) / (...)
    errors = xp.sum(w * (fp + fn), axis=-1)
    loss = _safe_ratio(errors, xp.sum(w * (2.0 * tp + fp + fn), axis=-1) + smooth, xp)
    check_weights(weights, tuple(loss.shape), xp)
    # batch_dice: one global loss (already summed over devices); else one per sample
    sync = terms.sync if len(loss.shape) else None
    return reduce_loss(loss, reduction, xp=xp, weights=weights, sync=sync)


def _volume_weights(volume: Array, weight_type: str, xp: Namespace) -> Array:
    """Per-class ``1/V^2``, ``1/V`` or 1; absent classes get the largest present weight."""
    one = xp.ones((), dtype=volume.dtype, device=device_of(volume))
    zero = xp.zeros((), dtype=volume.dtype, device=device_of(volume))
    if weight_type == "uniform":
        return xp.ones_like(volume)
    present = volume > 0
    safe = xp.where(present, volume, one)
    raw = 1.0 / (safe * safe) if weight_type == "square" else 1.0 / safe
    # a tiny soft volume can overflow 1/V^2: treat it like an absent class (MONAI: isinf)
    valid = present & xp.isfinite(raw)
    w = xp.where(valid, raw, zero)
    largest = xp.max(w, axis=-1, keepdims=True)
    return xp.where(valid, w, largest)


def generalized_wasserstein_dice_loss(
    logits: Array,
    labels: Array,
    *,
    distance_matrix: Array,
    weighting_mode: str = "default",
    axis: int = -1,
    from_logits: bool = True,
    smooth: float = 1e-5,
    ignore_index: int | None = None,
    batch_dice: bool = False,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Generalized Wasserstein Dice loss: Dice with a distance between classes.

    .. math::

        W_s = \sum_c M_{y_s c}\, p_{sc}, \qquad
        TP_n = \sum_s \alpha_{y_s} (1 - W_s), \qquad
        \ell_n = 1 - \frac{2\, TP_n + \lambda}{2\, TP_n + \sum_s W_s + \lambda}

    per sample, with :math:`M` the class distance matrix (scaled to maximum 1) and
    :math:`\alpha_0 = 0` (background), :math:`\alpha_c = 1` otherwise.

    Use it for hierarchical labels (tumour sub-regions, organ parts): confusing two
    related classes costs less than confusing a structure with background, as
    :math:`M` says, while the Dice form keeps it robust to class imbalance.

    Parameters
    ----------
    logits : array, shape (N, ..., C, ...)
        Logits (probabilities when ``from_logits=False``); softmax over ``axis``.
    labels : integer array
        Class indices, ``logits``'s shape without ``axis``.
    distance_matrix : array, shape (C, C)
        :math:`M_{kc} \ge 0`, the cost of predicting class :math:`c` for a position
        of class :math:`k`, 0 on the diagonal. Divided by its maximum (as MONAI).
    weighting_mode : {"default", "GDL"}, default "default"
        ``"default"``: the paper's :math:`\alpha` above. ``"GDL"``: Tilborghs et
        al.'s :math:`\alpha_c = 1/(V_c + 1)` from the class volumes :math:`V_c` and
        the denominator :math:`\sum_s \alpha_{y_s} (2 - W_s)`.
    axis : int, default -1
        The class axis (not 0).
    from_logits : bool, default True
        Whether ``logits`` are logits or probabilities.
    smooth : float >= 0, default 1e-5
        :math:`\lambda`, in numerator and denominator (MONAI's default).
    ignore_index : int, optional
        Label whose positions are left out of every sum and volume.
    batch_dice : bool, default False
        Sums (and volumes) over the whole batch: one value.
    weights : array, optional
        Broadcasts against the ``"none"`` result.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns shape ``(N,)``, or ``()`` with ``batch_dice``.

    Returns
    -------
    array
        Scalar, or ``(N,)`` / ``()`` for ``reduction="none"``.

    Notes
    -----
    Multiclass only, integer labels only: :math:`W_s` is the Wasserstein distance
    between the prediction and a one-hot target; between two soft distributions it
    would need an optimal-transport solve. No ``include_background``/
    ``class_weights``: the matrix and :math:`\alpha` play that role. Computed as
    :math:`\sum_s W_s / (\dots)` (``"GDL"``: :math:`\sum_s \alpha_{y_s} W_s /
    (\dots)`), never by cancellation. Matches MONAI's
    ``GeneralizedWassersteinDiceLoss`` (channels-first, ``axis=1``); MONAI has no
    ``ignore_index`` or ``batch_dice``. An all-zero matrix is left unscaled.

    References
    ----------
    .. [1] L. Fidon, W. Li, L. C. Garcia-Peraza-Herrera, J. Ekanayake, N. Kitchen,
       S. Ourselin, T. Vercauteren, "Generalised Wasserstein Dice Score for
       Imbalanced Multi-class Segmentation using Holistic Convolutional Networks",
       BrainLes 2017. https://arxiv.org/abs/1707.00478
    .. [2] S. Tilborghs et al., "Comparative study of deep learning methods for the
       automatic segmentation of lung, lesion and lesion type in CT scans of
       COVID-19 patients", 2020. https://arxiv.org/abs/2007.15546

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> m = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.5], [1.0, 0.5, 0.0]])
    >>> probs = np.array([[[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]])  # (N=1, S=2, C=3)
    >>> labels = np.array([[1, 1]])  # the second position confuses 1 with 2
    >>> out = al.generalized_wasserstein_dice_loss(
    ...     probs, labels, distance_matrix=m, from_logits=False, smooth=0.0
    ... )
    >>> np.round(out, 6)  # W = (0, 0.5), TP = 1.5: 1 - 3 / 3.5
    np.float64(0.142857)
    """
    check_choice(weighting_mode, "weighting_mode", WEIGHTING_MODES)
    xp, terms, reduction, smooth = _prepare(
        logits,
        labels,
        weights=weights,
        class_weights=None,
        reduction=reduction,
        smooth=smooth,
        mode="multiclass",
        axis=axis,
        from_logits=from_logits,
        include_background=True,
        ignore_index=ignore_index,
        batch_dice=batch_dice,
        extra={"distance_matrix": distance_matrix},
    )
    if not is_integer(labels, xp):
        raise TypeError(
            "generalized_wasserstein_dice_loss needs integer class-index labels, got dtype "
            f"{labels.dtype}: the Wasserstein distance to a soft target needs transport"
        )
    p, g, ax = terms.probs, terms.target, terms.ax
    m = _distance_matrix(distance_matrix, int(p.shape[ax]), p, xp)
    n, c = int(p.shape[0]), int(p.shape[ax])
    # class axis last, positions flattened: (N, S, C)
    # permute_dims, not moveaxis: torch.func.vmap has no batching rule for moveaxis
    order = (*[d for d in range(p.ndim) if d != ax], ax)
    s = math.prod([int(p.shape[d]) for d in order[1:-1]])  # not -1: N may be 0
    p = xp.reshape(xp.permute_dims(p, order), (n, s, c))
    g = xp.reshape(xp.permute_dims(g, order), (n, s, c))
    # W_s = sum_c M[y_s, c] p_sc, with the one-hot g selecting the row M[y_s]; 0 if ignored
    dist = xp.sum(xp.matmul(g, m) * p, axis=-1)
    axes = (0, 1) if batch_dice else (1,)
    if weighting_mode == "GDL":
        volume = xp.sum(g, axis=axes, keepdims=True)
        alpha_y = xp.sum(g / (volume + 1.0), axis=-1)
    else:
        background = xp.asarray([0.0] + [1.0] * (c - 1), dtype=p.dtype, device=device_of(p))
        alpha_y = xp.sum(g * background, axis=-1)
    tp = xp.sum(alpha_y * (1.0 - dist), axis=axes)
    if weighting_mode == "GDL":
        # 1 - (2 tp + s) / (sum a (2 - W) + s) = sum a W / (sum a (2 - W) + s)
        numerator = xp.sum(alpha_y * dist, axis=axes)
        denominator = xp.sum(alpha_y * (2.0 - dist), axis=axes) + smooth
    else:
        # 1 - (2 tp + s) / (2 tp + sum W + s) = sum W / (2 tp + sum W + s)
        numerator = xp.sum(dist, axis=axes)
        denominator = 2.0 * tp + numerator + smooth
    loss = _safe_ratio(numerator, denominator, xp)
    check_weights(weights, tuple(loss.shape), xp)
    return reduce_loss(loss, reduction, xp=xp, weights=weights)


def _distance_matrix(matrix: Array, num_classes: int, like: Array, xp: Namespace) -> Array:
    """``distance_matrix`` validated, in ``like``'s dtype, divided by its maximum."""
    if not (is_floating(matrix, xp) or is_integer(matrix, xp)):
        raise TypeError(
            f"distance_matrix must be a real floating or integer array, got dtype {matrix.dtype}"
        )
    if tuple(matrix.shape) != (num_classes, num_classes):
        raise ValueError(
            f"distance_matrix must have shape ({num_classes}, {num_classes}) for "
            f"{num_classes} classes, got {tuple(matrix.shape)}"
        )
    m = cast(matrix, like.dtype, xp)
    largest = xp.max(m)
    one = xp.ones((), dtype=like.dtype, device=device_of(like))
    # an all-zero matrix (max 0) stays as it is instead of 0/0
    return m / xp.where(largest > 0, largest, one)
