"""Evaluation metrics beside the losses: counts of hard decisions, not differentiable.

Every metric is built from one-hot comparisons and sums (no bincount, no
data-dependent shapes, no host sync), so it runs under ``jax.jit`` and
``torch.compile`` and on every backend. A ratio whose denominator is 0 (a class
absent from both prediction and target) follows the rule each docstring states;
none returns NaN for valid input.
"""

from __future__ import annotations

from typing import Any

from .._lib._compat import Array, Namespace, array_namespace, device_of
from .._lib._dtypes import cast, compute_dtype, is_floating, is_integer
from .._lib._reduction import check_reduction, reduce_loss
from .._lib._special import one_hot, sigmoid
from .._lib._validation import (
    check_choice,
    check_ignore_index,
    check_labels_in_range,
    check_number,
    check_same_shape,
    normalize_axis,
)

__all__ = [
    "confusion_matrix",
    "dice_score",
    "f1_score",
    "false_acceptance_rate",
    "false_rejection_rate",
    "iou_score",
    "mean_iou",
    "precision",
    "recall",
]


AVERAGES = ("micro", "macro", "none")


def _ratio(num: Array, den: Array, empty: float, xp: Namespace) -> Array:
    """``num / den`` with ``empty`` where ``den == 0`` (double where: no 0/0)."""
    one = xp.ones((), dtype=den.dtype, device=device_of(den))
    fill = xp.full((), empty, dtype=den.dtype, device=device_of(den))
    positive = den != 0
    return xp.where(positive, num / xp.where(positive, den, one), fill)


def _float_dtype(x: Array, xp: Namespace) -> Any:
    if is_floating(x, xp):
        return compute_dtype(x, "preds", xp)
    return xp.asarray(0.0, device=device_of(x)).dtype  # the namespace's default float


def _class_predictions(
    preds: Array, labels: Array, num_classes: int, axis: int, xp: Namespace
) -> Array:
    """Integer predictions: ``preds`` itself, or the argmax of floating scores over ``axis``."""
    if is_floating(preds, xp):
        if preds.ndim != labels.ndim + 1:
            raise ValueError(
                f"floating preds (scores) need a class axis: preds shape "
                f"{tuple(preds.shape)}, labels shape {tuple(labels.shape)}"
            )
        ax = normalize_axis(axis, preds.ndim)
        if int(preds.shape[ax]) != num_classes:
            raise ValueError(
                f"preds has {int(preds.shape[ax])} classes along axis {axis}, "
                f"num_classes={num_classes}"
            )
        return xp.argmax(preds, axis=ax)
    if not is_integer(preds, xp):
        raise TypeError(
            f"preds must be integer class predictions or floating scores, got {preds.dtype}"
        )
    check_same_shape(labels, preds, "labels", "preds")
    check_labels_in_range(preds, num_classes, None, "preds", xp)
    return preds


def confusion_matrix(
    preds: Array,
    labels: Array,
    num_classes: int,
    *,
    axis: int = -1,
    ignore_index: int | None = None,
    normalize: str | None = None,
) -> Array:
    r"""Confusion matrix :math:`M_{ij}` = number of positions of true class i predicted j.

    .. math::

        M_{ij} = \sum_x [y(x) = i]\,[\hat y(x) = j]

    The basis of per-class IoU (:func:`mean_iou`), precision, recall and F1: report it
    to see which classes are confused with which.

    Parameters
    ----------
    preds : array
        Integer class predictions with ``labels``'s shape, or floating scores
        (logits or probabilities) with an extra class axis ``axis``, reduced by argmax.
    labels : array of int
        True classes.
    num_classes : int
        Number of classes ``C`` (static: the result's shape).
    axis : int, default -1
        The class axis of floating ``preds``.
    ignore_index : int, optional
        Label whose positions are not counted.
    normalize : {None, "true", "pred", "all"}
        Divide by row sums, column sums or the total (scikit-learn's option); an
        all-zero row or column stays 0.

    Returns
    -------
    array, shape (C, C)
        Counts in the namespace's default integer dtype, or its default floating
        dtype (the scores' dtype for floating ``preds``) when normalized.

    Notes
    -----
    Computed as one masked sum per true class (``C`` passes over one-hot
    predictions), never ``bincount``: the shape is static and there is no sync.
    Rows are true classes and columns predictions (scikit-learn, torchmetrics).
    Out-of-range labels or predictions raise ``ValueError`` on eager CPU arrays;
    elsewhere they match no class and are not counted.

    References
    ----------
    .. [1] S. V. Stehman, "Selecting and interpreting measures of thematic classification
           accuracy", Remote Sensing of Environment 62(1), 1997.
           https://doi.org/10.1016/S0034-4257(97)00083-7

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> al.confusion_matrix(np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2]), 3)
    array([[1, 0, 0],
           [0, 1, 0],
           [0, 1, 1]])
    """
    xp = array_namespace(preds=preds, labels=labels, required=("preds", "labels"))
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive int, got {num_classes!r}")
    check_choice(normalize, "normalize", (None, "true", "pred", "all"))
    ignore = check_ignore_index(ignore_index)
    if not is_integer(labels, xp):
        raise TypeError(f"labels must be integer class indices, got dtype {labels.dtype}")
    check_labels_in_range(labels, num_classes, ignore, "labels", xp)
    fdtype = _float_dtype(preds, xp)
    hard = _class_predictions(preds, labels, num_classes, axis, xp)
    counts = _confusion(hard, labels, num_classes, ignore, xp)
    if normalize is None:
        return counts
    m = xp.astype(counts, fdtype)
    if normalize == "all":
        return _ratio(m, xp.sum(m), 0.0, xp)
    if normalize == "true":
        return _ratio(m, xp.sum(m, axis=1, keepdims=True), 0.0, xp)
    return _ratio(m, xp.sum(m, axis=0, keepdims=True), 0.0, xp)


def _confusion(
    hard: Array, labels: Array, num_classes: int, ignore: int | None, xp: Namespace
) -> Array:
    dev = device_of(labels)
    int_dtype = xp.asarray(0, device=dev).dtype  # the namespace's default integer
    flat_p = xp.reshape(hard, (-1,))
    flat_y = xp.reshape(labels, (-1,))
    if flat_p.dtype != flat_y.dtype:
        flat_p = xp.astype(flat_p, flat_y.dtype)
    pred_hot = one_hot(flat_p, num_classes, -1, dtype=int_dtype, xp=xp)  # (M, C)
    if ignore is not None:
        keep = xp.astype(flat_y != ignore, int_dtype)
        pred_hot = pred_hot * xp.expand_dims(keep, axis=-1)
    rows = [
        xp.sum(pred_hot * xp.expand_dims(xp.astype(flat_y == i, int_dtype), axis=-1), axis=0)
        for i in range(num_classes)
    ]
    return xp.stack(rows, axis=0)


def _stats(counts: Array, xp: Namespace) -> tuple[Array, Array, Array]:
    """Per-class true positives, false positives, false negatives of a confusion matrix."""
    c = int(counts.shape[0])
    eye = xp.reshape(xp.arange(c, device=device_of(counts)), (c, 1)) == xp.arange(
        c, device=device_of(counts)
    )
    tp = xp.sum(xp.where(eye, counts, xp.zeros_like(counts)), axis=1)
    return tp, xp.sum(counts, axis=0) - tp, xp.sum(counts, axis=1) - tp


def _prf(
    which: str,
    preds: Array,
    labels: Array,
    num_classes: int,
    axis: int,
    ignore_index: int | None,
    average: str,
) -> Array:
    check_choice(average, "average", AVERAGES)
    xp = array_namespace(preds=preds, labels=labels, required=("preds", "labels"))
    counts = confusion_matrix(preds, labels, num_classes, axis=axis, ignore_index=ignore_index)
    fdtype = _float_dtype(preds, xp)
    tp, fp, fn = (xp.astype(s, fdtype) for s in _stats(counts, xp))
    if average == "micro":
        tp, fp, fn = xp.sum(tp), xp.sum(fp), xp.sum(fn)
    if which == "precision":
        score = _ratio(tp, tp + fp, 0.0, xp)
    elif which == "recall":
        score = _ratio(tp, tp + fn, 0.0, xp)
    else:
        score = _ratio(2.0 * tp, 2.0 * tp + fp + fn, 0.0, xp)
    if average != "macro":
        return score
    # classes in neither labels nor preds (tp + fp + fn = 0) are left out of the mean
    present = xp.astype(tp + fp + fn > 0, fdtype)
    return _ratio(xp.sum(score * present), xp.sum(present), 0.0, xp)


_PRF_DOC = r"""{title}

    .. math::

        {formula}

    per class from :func:`confusion_matrix` (one-vs-rest). {when}

    Parameters
    ----------
    preds, labels, num_classes, axis, ignore_index
        As for :func:`confusion_matrix`.
    average : {{"micro", "macro", "none"}}, default "macro"
        ``"micro"``: from the counts summed over classes; ``"macro"``: the mean over
        the classes present in ``labels`` or ``preds``; ``"none"``: one value per class.

    Returns
    -------
    array
        Scalar, or shape ``(C,)`` for ``average="none"``, floating.

    Notes
    -----
    A 0/0 ratio is 0 (torchmetrics' and scikit-learn's ``zero_division=0``); classes
    with no true positive, false positive or false negative are left out of the
    macro mean (scikit-learn's default label set, the union of labels and preds).

    References
    ----------
    .. [1] C. J. van Rijsbergen, "Information Retrieval", 2nd ed., Butterworths, 1979,
           chapter 7.

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> preds, labels = np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2])
    >>> al.{name}(preds, labels, 3, average="none")
    {example}
"""


def precision(
    preds: Array,
    labels: Array,
    num_classes: int,
    *,
    axis: int = -1,
    ignore_index: int | None = None,
    average: str = "macro",
) -> Array:
    return _prf("precision", preds, labels, num_classes, axis, ignore_index, average)


def recall(
    preds: Array,
    labels: Array,
    num_classes: int,
    *,
    axis: int = -1,
    ignore_index: int | None = None,
    average: str = "macro",
) -> Array:
    return _prf("recall", preds, labels, num_classes, axis, ignore_index, average)


def f1_score(
    preds: Array,
    labels: Array,
    num_classes: int,
    *,
    axis: int = -1,
    ignore_index: int | None = None,
    average: str = "macro",
) -> Array:
    return _prf("f1", preds, labels, num_classes, axis, ignore_index, average)


precision.__doc__ = _PRF_DOC.format(
    title="Precision: the fraction of predictions of a class that are right.",
    formula=r"P_c = \frac{TP_c}{TP_c + FP_c}",
    when="Report it when false alarms are costly.",
    name="precision",
    example="array([1. , 0.5, 1. ])",
)
recall.__doc__ = _PRF_DOC.format(
    title="Recall (sensitivity): the fraction of a class's positions that are found.",
    formula=r"R_c = \frac{TP_c}{TP_c + FN_c}",
    when="Report it when misses are costly (small lesions, defects).",
    name="recall",
    example="array([1. , 1. , 0.5])",
)
f1_score.__doc__ = _PRF_DOC.format(
    title="F1 score: the harmonic mean of precision and recall (the hard Dice).",
    formula=r"F_c = \frac{2\, TP_c}{2\, TP_c + FP_c + FN_c}",
    when="One number balancing misses and false alarms.",
    name="f1_score",
    example="array([1.        , 0.66666667, 0.66666667])",
)


def mean_iou(confusion: Array, *, reduction: str = "mean") -> Array:
    r"""Intersection over union per class from a confusion matrix, and its mean.

    .. math::

        \text{IoU}_c = \frac{M_{cc}}{\sum_j M_{cj} + \sum_i M_{ic} - M_{cc}}

    The standard semantic-segmentation benchmark number (mIoU): accumulate
    :func:`confusion_matrix` over a dataset, then call this once.

    Parameters
    ----------
    confusion : array, shape (C, C)
        Counts (integer or floating), rows true classes.
    reduction : {"mean", "sum", "none"}
        ``"none"``: the per-class IoU; ``"mean"``/``"sum"`` over the classes present
        in the labels or the predictions.

    Returns
    -------
    array
        Floating scalar, or shape ``(C,)``.

    Notes
    -----
    A class absent from labels and predictions has IoU 0 in the ``"none"`` result
    (torchmetrics' ``zero_division=0``) and is left out of the mean, as mmseg's
    ``nanmean`` does, without producing NaN.

    References
    ----------
    .. [1] M. Everingham, L. Van Gool, C. K. I. Williams, J. Winn, A. Zisserman, "The
           PASCAL Visual Object Classes (VOC) Challenge", IJCV 88(2), 2010.
           https://doi.org/10.1007/s11263-009-0275-4

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> cm = np.array([[1, 0, 0], [0, 1, 0], [0, 1, 1]])
    >>> al.mean_iou(cm, reduction="none")
    array([1. , 0.5, 0.5])
    """
    xp = array_namespace(confusion=confusion, required=("confusion",))
    reduction = check_reduction(reduction)
    if confusion.ndim != 2 or int(confusion.shape[0]) != int(confusion.shape[1]):
        raise ValueError(f"confusion must be square (C, C), got shape {tuple(confusion.shape)}")
    fdtype = _float_dtype(confusion, xp)
    m = (
        xp.astype(confusion, fdtype)
        if not is_floating(confusion, xp)
        else cast(confusion, fdtype, xp)
    )
    tp, fp, fn = _stats(m, xp)
    union = tp + fp + fn
    iou = _ratio(tp, union, 0.0, xp)
    if reduction == "none":
        return iou
    return reduce_loss(iou, reduction, xp=xp, mask=union > 0)


def _hard_masks(
    logits: Array,
    labels: Array,
    mode: str,
    axis: int,
    from_logits: bool,
    threshold: float,
    ignore_index: int | None,
    include_background: bool,
) -> tuple[Array, Array, Array, Namespace]:
    """Hard prediction and target masks (N, ..., C) as floats, with the class axis."""
    from ..segmentation._common import _drop_background, _region_inputs

    xp = array_namespace(logits=logits, labels=labels, required=("logits", "labels"))
    dtype = compute_dtype(logits, "logits", xp)
    logits = cast(logits, dtype, xp)
    probs, target, ax = _region_inputs(
        logits,
        labels,
        mode=mode,
        axis=axis,
        from_logits=False,
        ignore_index=ignore_index,
        xp=xp,
    )
    if mode == "multiclass":
        hard = one_hot(xp.argmax(logits, axis=ax), int(logits.shape[ax]), ax, dtype=dtype, xp=xp)
    else:
        p = sigmoid(logits, xp=xp) if from_logits else logits
        hard = xp.astype(p > threshold, dtype)
    # _region_inputs zeroed ignored positions in probs; zero them in the hard mask too
    if ignore_index is not None and is_integer(labels, xp):
        keep = labels != ignore_index
        if labels.ndim < logits.ndim:
            keep = xp.expand_dims(keep, axis=ax)
        hard = xp.where(keep, hard, xp.zeros((), dtype=dtype, device=device_of(hard)))
    del probs
    if not include_background and mode != "binary":
        hard, target = _drop_background(hard, ax), _drop_background(target, ax)
    return hard, target, ax, xp


def _overlap_score(
    kind: str,
    logits: Array,
    labels: Array,
    mode: str,
    axis: int,
    from_logits: bool,
    threshold: float,
    include_background: bool,
    ignore_index: int | None,
    reduction: str,
) -> Array:
    reduction = check_reduction(reduction)
    threshold = check_number(threshold, "threshold", low=0.0, high=1.0)
    hard, target, ax, xp = _hard_masks(
        logits, labels, mode, axis, from_logits, threshold, ignore_index, include_background
    )
    axes = tuple(d for d in range(hard.ndim) if d not in (0, ax))
    tp = xp.sum(hard * target, axis=axes)
    size = xp.sum(hard, axis=axes) + xp.sum(target, axis=axes)
    num, den = (2.0 * tp, size) if kind == "dice" else (tp, size - tp)
    score = _ratio(num, den, 1.0, xp)
    return reduce_loss(score, reduction, xp=xp)


_OVERLAP_DOC = r"""{title}

    .. math::

        {formula}

    per sample :math:`n` and class :math:`c`, from hard predictions (argmax over
    ``axis`` in ``"multiclass"``, :math:`p > \text{{threshold}}` in the sigmoid modes).
    The evaluation counterpart of :func:`{loss}`.

    Parameters
    ----------
    logits, labels, mode, axis, from_logits, include_background, ignore_index
        As for :func:`dice_loss`.
    threshold : float in [0, 1], default 0.5
        Probability threshold of the sigmoid modes.
    reduction : {{"mean", "sum", "none"}}
        ``"none"`` returns shape ``(N, C)``.

    Returns
    -------
    array
        Scalar, or ``(N, C)``.

    Notes
    -----
    A class absent from both the target and the prediction of a sample scores 1
    (MONAI's ``DiceMetric(ignore_empty=False)`` convention: nothing to find, nothing
    found), never NaN; the mean counts it.

    References
    ----------
    .. [1] L. R. Dice, "Measures of the Amount of Ecologic Association Between Species",
           Ecology 26(3), 1945. https://doi.org/10.2307/1932409
    .. [2] P. Jaccard, "The distribution of the flora in the alpine zone", New Phytologist
           11(2), 1912. https://doi.org/10.1111/j.1469-8137.1912.tb05611.x

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> logits = np.array([[[2.0, 0.0], [0.0, 2.0], [0.0, 2.0]]])  # predicts 0, 1, 1
    >>> al.{name}(logits, np.array([[0, 1, 0]]), reduction="none")
    {example}
"""


def dice_score(
    logits: Array,
    labels: Array,
    *,
    mode: str = "multiclass",
    axis: int = -1,
    from_logits: bool = True,
    threshold: float = 0.5,
    include_background: bool = True,
    ignore_index: int | None = None,
    reduction: str = "mean",
) -> Array:
    return _overlap_score(
        "dice",
        logits,
        labels,
        mode,
        axis,
        from_logits,
        threshold,
        include_background,
        ignore_index,
        reduction,
    )


def iou_score(
    logits: Array,
    labels: Array,
    *,
    mode: str = "multiclass",
    axis: int = -1,
    from_logits: bool = True,
    threshold: float = 0.5,
    include_background: bool = True,
    ignore_index: int | None = None,
    reduction: str = "mean",
) -> Array:
    return _overlap_score(
        "iou",
        logits,
        labels,
        mode,
        axis,
        from_logits,
        threshold,
        include_background,
        ignore_index,
        reduction,
    )


dice_score.__doc__ = _OVERLAP_DOC.format(
    title="Dice score (F1 of the masks) per sample and class, from hard predictions.",
    formula=r"D_{{nc}} = \frac{{2\, |P \cap G|}}{{|P| + |G|}}",
    loss="dice_loss",
    name="dice_score",
    example="array([[0.66666667, 0.66666667]])",
)
iou_score.__doc__ = _OVERLAP_DOC.format(
    title="IoU (Jaccard index) per sample and class, from hard predictions.",
    formula=r"J_{{nc}} = \frac{{|P \cap G|}}{{|P \cup G|}}",
    loss="dice_loss",
    name="iou_score",
    example="array([[0.5, 0.5]])",
)


def _binary_rate(
    kind: str, preds: Array, labels: Array, threshold: float, from_logits: bool
) -> Array:
    xp = array_namespace(preds=preds, labels=labels, required=("preds", "labels"))
    threshold = check_number(threshold, "threshold", low=0.0, high=1.0)
    check_same_shape(labels, preds, "labels", "preds")
    fdtype = _float_dtype(preds, xp)
    if is_floating(preds, xp):
        p = cast(preds, fdtype, xp)
        p = sigmoid(p, xp=xp) if from_logits else p
        decided = p > threshold
    else:
        decided = preds != 0
    truth = labels != 0
    if kind == "far":  # negatives (label 0) accepted as positive: FP / (FP + TN)
        num = xp.sum(xp.astype(decided & ~truth, fdtype))
        den = xp.sum(xp.astype(~truth, fdtype))
    else:  # positives rejected: FN / (FN + TP)
        num = xp.sum(xp.astype(~decided & truth, fdtype))
        den = xp.sum(xp.astype(truth, fdtype))
    return _ratio(num, den, 0.0, xp)


def false_acceptance_rate(
    preds: Array, labels: Array, *, threshold: float = 0.5, from_logits: bool = True
) -> Array:
    r"""False acceptance rate: the fraction of negatives that are accepted as positive.

    .. math::

        \text{FAR} = \frac{FP}{FP + TN}

    over every position, with label 1 the positive ("accept") class. In visual
    inspection, take label 1 = "passes inspection": FAR is then the rate of defective
    parts that are let through; report it beside :func:`false_rejection_rate`.

    Parameters
    ----------
    preds : array
        Hard decisions (integer or boolean, nonzero = positive) or floating scores:
        logits (``from_logits=True``) or probabilities, positive above ``threshold``.
    labels : array
        Binary truth (integer or boolean, nonzero = positive), ``preds``'s shape.
    threshold : float in [0, 1], default 0.5
        Probability threshold for floating ``preds``.
    from_logits : bool, default True
        Whether floating ``preds`` are logits.

    Returns
    -------
    array
        Floating scalar; 0 when there are no negatives.

    References
    ----------
    .. [1] A. K. Jain, A. Ross, S. Prabhakar, "An introduction to biometric recognition",
           IEEE TCSVT 14(1), 2004. https://doi.org/10.1109/TCSVT.2003.818349

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> al.false_acceptance_rate(np.array([1, 1, 0, 0]), np.array([1, 0, 0, 0]))
    array(0.33333333)
    """
    return _binary_rate("far", preds, labels, threshold, from_logits)


def false_rejection_rate(
    preds: Array, labels: Array, *, threshold: float = 0.5, from_logits: bool = True
) -> Array:
    r"""False rejection rate: the fraction of positives that are rejected.

    .. math::

        \text{FRR} = \frac{FN}{FN + TP}

    over every position, with label 1 the positive ("accept") class: in inspection
    with label 1 = "passes", the rate of good parts that are discarded (one minus
    recall). Parameters as :func:`false_acceptance_rate`.

    Parameters
    ----------
    preds, labels, threshold, from_logits
        As for :func:`false_acceptance_rate`.

    Returns
    -------
    array
        Floating scalar; 0 when there are no positives.

    References
    ----------
    .. [1] A. K. Jain, A. Ross, S. Prabhakar, "An introduction to biometric recognition",
           IEEE TCSVT 14(1), 2004. https://doi.org/10.1109/TCSVT.2003.818349

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> al.false_rejection_rate(np.array([1, 0, 0, 0]), np.array([1, 1, 0, 0]))
    array(0.5)
    """
    return _binary_rate("frr", preds, labels, threshold, from_logits)
