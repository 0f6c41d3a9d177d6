"""Evaluation metrics beside the losses: counts of hard decisions, not differentiable.

Every metric is built from one-hot comparisons and sums (no bincount, no
data-dependent shapes, no host sync), so it runs under ``jax.jit`` and
``torch.compile`` and on every backend. A ratio whose denominator is 0 (a class
absent from both prediction and target) follows the rule each docstring states;
none returns NaN for valid input. Every metric shares one signature (see
``docs/metrics.rst``) and reads a confusion matrix or a streaming
:class:`~arrayloss.metrics.ConfusionState`.
"""

from __future__ import annotations

import math
from typing import Any

from .._lib._compat import Array, Namespace, array_namespace, device_of, is_array
from .._lib._dtypes import cast, compute_dtype, is_floating, is_integer
from .._lib._hyper import continuous
from .._lib._special import one_hot, sigmoid
from .._lib._validation import (
    check_choice,
    check_ignore_index,
    check_labels_in_range,
    check_number,
    check_same_shape,
    normalize_axis,
    require_static,
)
from ._confusion_state import ConfusionState

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


AVERAGES = ("macro", "micro", "none", "weighted")
MODES = ("multiclass", "binary")


def _ratio(num: Array, den: Array, empty: float, xp: Namespace) -> Array:
    """``num / den`` with ``empty`` where ``den == 0`` (double where: no 0/0)."""
    one = xp.ones((), dtype=den.dtype, device=device_of(den))
    fill = xp.full((), empty, dtype=den.dtype, device=device_of(den))
    positive = den != 0  # NaN != 0: a NaN count stays NaN
    return xp.where(positive, num / xp.where(positive, den, one), fill)


def _float_dtype(x: Array, xp: Namespace) -> Any:
    if is_floating(x, xp):
        return compute_dtype(x, "preds", xp)
    return xp.asarray(0.0, device=device_of(x)).dtype  # the namespace's default float


def _check_num_classes(num_classes: object) -> int:
    require_static(num_classes, "num_classes")
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive int, got {num_classes!r}")
    return num_classes


def _in_range(
    x: Array, num_classes: int, ignore: int | None, name: str, given: bool, xp: Namespace
) -> None:
    try:
        check_labels_in_range(x, num_classes, ignore, name, xp)
    except ValueError as error:
        if not given:
            raise
        allowed = f"0 to {num_classes - 1}" + (
            f", or ignore_index={ignore}" if ignore is not None else ""
        )
        raise ValueError(
            f"{name} contains class indices outside num_classes={num_classes} "
            f"(min {int(xp.min(x))}, max {int(xp.max(x))}); allowed: {allowed}"
        ) from error


def _counts(
    preds: Array,
    labels: Array,
    num_classes: int | None,
    given: bool,
    mode: str,
    axis: int,
    ignore_index: int | None,
    threshold: Any,
    from_logits: bool,
    per_image: bool,
    xp: Namespace,
) -> tuple[Array, Array]:
    """Confusion counts ``(C, C)`` (``(N, C, C)`` per image) and the NaN-score count.

    One masked sum per true class over one-hot predictions: static shapes, no
    ``bincount``, no sync. Positions whose score is NaN are counted in no cell but in
    ``invalid``, so the metrics can return NaN for them.
    """
    check_choice(mode, "mode", MODES)
    if not is_array(threshold):  # checked in every mode: no silently ignored typo
        check_number(threshold, "threshold", low=0.0, high=1.0)
    require_static(per_image, "per_image")
    require_static(from_logits, "from_logits")
    ignore = check_ignore_index(ignore_index)
    if labels.dtype == xp.bool:
        labels = cast(labels, xp.int64 if hasattr(xp, "int64") else xp.int32, xp)
    if not is_integer(labels, xp):
        raise TypeError(f"labels must be integer class indices, got dtype {labels.dtype}")
    dev = device_of(labels)
    int_dtype = xp.asarray(0, device=dev).dtype  # the namespace's default integer
    nan: Array | None = None
    if mode == "binary":
        if num_classes not in (None, 2):
            raise ValueError(f'mode="binary" has 2 classes, got num_classes={num_classes}')
        c = 2
        normalize_axis(axis, max(preds.ndim, 1))  # unused here, but checked: no silent typo
        if tuple(preds.shape) != tuple(labels.shape):
            raise ValueError(
                f'mode="binary": preds must have the shape of labels, got preds shape '
                f"{tuple(preds.shape)} and labels shape {tuple(labels.shape)}"
            )
        if is_floating(preds, xp):
            p = cast(preds, compute_dtype(preds, "preds", xp), xp)
            t = continuous(threshold, "threshold", p, xp, low=0.0, high=1.0)
            nan = xp.isnan(p)
            hard = (sigmoid(p, xp=xp) if from_logits else p) > t
        elif preds.dtype == xp.bool or is_integer(preds, xp):
            hard = preds != 0
        else:
            raise TypeError(f"preds must be integer, boolean or floating, got {preds.dtype}")
        hard = cast(hard, labels.dtype, xp)
        _in_range(labels, 2, ignore, "labels", given, xp)
    else:
        if is_floating(preds, xp):
            if preds.ndim != labels.ndim + 1:
                raise ValueError(
                    f"floating preds (scores) need a class axis: preds shape "
                    f"{tuple(preds.shape)}, labels shape {tuple(labels.shape)}"
                )
            ax = normalize_axis(axis, preds.ndim)
            rest = tuple(s for d, s in enumerate(preds.shape) if d != ax)
            if rest != tuple(labels.shape):
                raise ValueError(
                    f"preds (scores, class axis {axis}) and labels do not match: preds shape "
                    f"{tuple(preds.shape)}, labels shape {tuple(labels.shape)}; the scores "
                    f"without the class axis must have the labels' shape"
                )
            c = int(preds.shape[ax])
            if num_classes is not None and num_classes != c:
                raise ValueError(
                    f"preds has {c} classes along axis {axis}, num_classes={num_classes}"
                )
            nan = xp.any(xp.isnan(preds), axis=ax)
            hard = cast(xp.argmax(preds, axis=ax), labels.dtype, xp)
        elif is_integer(preds, xp):
            if num_classes is None:
                raise ValueError(
                    "num_classes is required with integer preds (class maps); got None"
                )
            c = num_classes
            check_same_shape(labels, preds, "labels", "preds")
            _in_range(preds, c, None, "preds", given, xp)
            hard = preds if preds.dtype == labels.dtype else cast(preds, labels.dtype, xp)
        else:
            raise TypeError(
                f"preds must be integer class predictions or floating scores, got {preds.dtype}"
            )
        _in_range(labels, c, ignore, "labels", given, xp)
    if per_image and labels.ndim == 0:
        raise ValueError("per_image=True needs labels with a batch axis, got a 0-d array")
    b = int(labels.shape[0]) if per_image else 1
    flat_p = xp.reshape(hard, (b, -1))
    flat_y = xp.reshape(labels, (b, -1))
    pred_hot = one_hot(flat_p, c, -1, dtype=int_dtype, xp=xp)  # (B, M, C)
    keep = None if ignore is None else flat_y != ignore
    invalid = xp.zeros((b,), dtype=int_dtype, device=dev)
    if nan is not None:
        bad = xp.reshape(nan, (b, -1))
        if keep is not None:
            bad = bad & keep
        invalid = xp.sum(cast(bad, int_dtype, xp), axis=1)
        keep = ~bad if keep is None else keep & ~bad
    if keep is not None:
        pred_hot = pred_hot * xp.expand_dims(cast(keep, int_dtype, xp), axis=-1)
    rows = [
        xp.sum(pred_hot * xp.expand_dims(cast(flat_y == i, int_dtype, xp), axis=-1), axis=1)
        for i in range(c)
    ]
    counts = xp.stack(rows, axis=1)  # (B, C, C)
    if per_image:
        return counts, invalid
    return counts[0, ...], invalid[0]


def _stats(m: Array, xp: Namespace) -> tuple[Array, Array, Array, Array]:
    """Per-class TP, FP, FN, TN of confusion matrices ``(..., C, C)``."""
    c = int(m.shape[-1])
    dev = device_of(m)
    eye = xp.reshape(xp.arange(c, device=dev), (c, 1)) == xp.arange(c, device=dev)
    tp = xp.sum(xp.where(eye, m, xp.zeros_like(m)), axis=-1)
    fp = xp.sum(m, axis=-2) - tp
    fn = xp.sum(m, axis=-1) - tp
    total = xp.sum(xp.sum(m, axis=-1), axis=-1)
    tn = xp.expand_dims(total, axis=-1) - tp - fp - fn
    return tp, fp, fn, tn


def _score(which: str, tp: Array, fp: Array, fn: Array, tn: Array, xp: Namespace) -> Array:
    if which == "precision":
        return _ratio(tp, tp + fp, 0.0, xp)
    if which == "recall":
        return _ratio(tp, tp + fn, 0.0, xp)
    if which in ("f1", "dice"):
        return _ratio(2.0 * tp, 2.0 * tp + fp + fn, 0.0, xp)
    if which == "iou":
        return _ratio(tp, tp + fp + fn, 0.0, xp)
    if which == "far":
        return _ratio(fp, fp + tn, 0.0, xp)
    return _ratio(fn, fn + tp, 0.0, xp)  # frr


def _metric(
    which: str,
    preds: Array | None,
    labels: Array | None,
    num_classes: int | None,
    confusion: Any,
    mode: str,
    axis: int,
    average: str,
    ignore_index: int | None,
    per_image: bool,
    include_background: bool,
    threshold: Any,
    from_logits: bool,
) -> Array:
    check_choice(average, "average", AVERAGES)
    check_choice(mode, "mode", MODES)
    require_static(include_background, "include_background")
    if num_classes is not None:
        _check_num_classes(num_classes)
    if confusion is not None:
        if preds is not None or labels is not None:
            raise ValueError("pass either preds and labels, or confusion=, not both")
        if isinstance(confusion, ConfusionState):
            m, invalid = confusion.matrix, confusion.invalid
        else:
            m, invalid = confusion, None
        xp = array_namespace(confusion=m, required=("confusion",))
        want = m.ndim == 3 if per_image else m.ndim == 2
        if not want or int(m.shape[-1]) != int(m.shape[-2]):
            raise ValueError(
                f"confusion must be a square matrix of shape "
                f"{'(N, C, C)' if per_image else '(C, C)'}, got shape {tuple(m.shape)}"
            )
        if num_classes is not None and int(m.shape[-1]) != num_classes:
            raise ValueError(
                f"confusion has {int(m.shape[-1])} classes, num_classes={num_classes}"
            )
        fdtype = _float_dtype(m, xp)
    else:
        if preds is None or labels is None:
            raise ValueError(
                "preds and labels are required (or a confusion matrix or state as "
                "confusion=...); to pass a confusion matrix, write confusion=cm"
            )
        xp = array_namespace(preds=preds, labels=labels, required=("preds", "labels"))
        fdtype = _float_dtype(preds, xp)
        m, invalid = _counts(
            preds,
            labels,
            num_classes,
            num_classes is not None,
            mode,
            axis,
            ignore_index,
            threshold,
            from_logits,
            per_image,
            xp,
        )
    m = cast(m, fdtype, xp)
    tp, fp, fn, tn = _stats(m, xp)
    support = tp + fn
    if mode == "binary":
        if int(m.shape[-1]) != 2:
            raise ValueError(
                f'mode="binary" needs a 2-class confusion, got shape {tuple(m.shape)}'
            )
        tp, fp, fn, tn, support = (s[..., 1:] for s in (tp, fp, fn, tn, support))
    elif not include_background:
        tp, fp, fn, tn, support = (s[..., 1:] for s in (tp, fp, fn, tn, support))
    present = (tp + fp + fn) != 0  # a class in labels or preds (NaN counts are kept)
    if average == "micro":
        sums = [xp.sum(s, axis=-1) for s in (tp, fp, fn, tn)]
        score = _score(which, sums[0], sums[1], sums[2], sums[3], xp)
    else:
        per_class = _score(which, tp, fp, fn, tn, xp)
        if average == "none":
            score = per_class[..., 0] if mode == "binary" else per_class
        elif average == "weighted":
            score = _ratio(xp.sum(per_class * support, axis=-1), xp.sum(support, axis=-1), 0.0, xp)
        else:
            weight = cast(present, fdtype, xp)
            if per_image:  # the mean over the (image, class) pairs present
                per_class, weight = xp.reshape(per_class, (-1,)), xp.reshape(weight, (-1,))
            score = _ratio(xp.sum(per_class * weight, axis=-1), xp.sum(weight, axis=-1), 0.0, xp)
    if per_image and average in ("micro", "weighted"):
        score = xp.mean(score) if int(score.shape[0]) else xp.sum(score)
    if invalid is not None:
        # NaN scores in, NaN out: one NaN position makes the metric NaN
        flag = invalid != 0
        if per_image and average == "none":
            flag = xp.reshape(flag, (-1,) + (1,) * (score.ndim - 1))
        elif per_image and average in ("micro", "weighted", "macro"):
            flag = xp.any(flag)
        score = xp.where(flag, xp.full((), math.nan, dtype=fdtype, device=device_of(m)), score)
    return score


def confusion_matrix(
    preds: Array,
    labels: Array,
    num_classes: int | None = None,
    *,
    mode: str = "multiclass",
    axis: int = -1,
    ignore_index: int | None = None,
    per_image: bool = False,
    threshold: float = 0.5,
    from_logits: bool = True,
    normalize: str | None = None,
) -> Array:
    r"""Confusion matrix :math:`M_{ij}` = number of positions of true class i predicted j.

    .. math::

        M_{ij} = \sum_x [y(x) = i]\,[\hat y(x) = j]

    The basis of every metric here (each accepts it as ``confusion=``): report it to
    see which classes are confused with which. For streaming evaluation use
    :func:`confusion_state` and :func:`update_confusion`, which also count NaN scores.

    Parameters
    ----------
    preds, labels, num_classes, mode, axis, ignore_index, per_image, threshold, from_logits
        As for :func:`precision` (``per_image`` gives one matrix per sample).
    normalize : {None, "true", "pred", "all"}
        Divide by row sums, column sums or the total (scikit-learn's option); an
        all-zero row or column stays 0.

    Returns
    -------
    array, shape (C, C) (``(N, C, C)`` with ``per_image``)
        Counts: for integer ``preds`` in the namespace's default integer dtype (its
        default floating dtype when normalized); for floating scores in the scores'
        dtype, all NaN when a score (at a position not ignored) is NaN.

    Notes
    -----
    Computed as one masked sum per true class (``C`` passes over one-hot
    predictions), never ``bincount``: the shape is static and there is no sync.
    Rows are true classes and columns predictions (scikit-learn, torchmetrics).
    Out-of-range labels or predictions raise ``ValueError`` on eager CPU arrays;
    elsewhere they match no class and are not counted. Floating counts are exact up to
    :math:`2^{24}` per cell in float32 (:math:`2^{53}` in float64); past that, pass
    integer class maps or stream through :func:`confusion_state`, whose integer state
    counts NaN scores separately.

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
    if num_classes is not None:
        _check_num_classes(num_classes)
    check_choice(normalize, "normalize", (None, "true", "pred", "all"))
    fdtype = _float_dtype(preds, xp)
    counts, invalid = _counts(
        preds,
        labels,
        num_classes,
        num_classes is not None,
        mode,
        axis,
        ignore_index,
        threshold,
        from_logits,
        per_image,
        xp,
    )
    if not is_floating(preds, xp) and normalize is None:
        return counts
    m = cast(counts, fdtype, xp)
    if is_floating(preds, xp):
        # NaN scores in, NaN out: a matrix with a NaN score is NaN (integer counts could not be)
        flag = xp.reshape(invalid != 0, (*tuple(invalid.shape), 1, 1))
        m = xp.where(flag, xp.full((), math.nan, dtype=fdtype, device=device_of(m)), m)
    if normalize is None:
        return m
    if normalize == "all":
        total = xp.sum(xp.sum(m, axis=-1, keepdims=True), axis=-2, keepdims=True)
        return _ratio(m, total, 0.0, xp)
    if normalize == "true":
        return _ratio(m, xp.sum(m, axis=-1, keepdims=True), 0.0, xp)
    return _ratio(m, xp.sum(m, axis=-2, keepdims=True), 0.0, xp)


_DOC = r"""{title}

    .. math::

        {formula}

    per class :math:`c` (one-vs-rest) from the confusion matrix of hard predictions,
    then averaged over the classes as ``average`` says. {when}

    Parameters
    ----------
    preds : array, optional
        Integer class predictions with ``labels``'s shape, or floating scores:
        ``"multiclass"``: logits or probabilities with an extra class axis ``axis``,
        reduced by argmax; ``"binary"``: one score per position, positive where
        (``sigmoid`` of it, with ``from_logits``) exceeds ``threshold``.
    labels : array of int, optional
        True classes (``0``/``1`` in ``"binary"``).
    num_classes : int, optional
        ``C`` (static). Required with integer ``preds``; read from the class axis of
        scores or from ``confusion`` otherwise (and checked against it when given).
    confusion : array or ConfusionState, optional
        Instead of ``preds`` and ``labels``: a confusion matrix ``(C, C)`` (rows true
        classes; ``(N, C, C)`` with ``per_image``) or a :class:`ConfusionState` from
        :func:`update_confusion`/:func:`merge_confusion` (streaming evaluation).
    mode : {{"multiclass", "binary"}}, default {mode!r}
        ``"binary"`` reports the positive class (label 1), scikit-learn's
        ``average="binary"``; ``average`` then changes nothing.
    axis : int, default -1
        The class axis of multiclass scores.
    average : {{"macro", "micro", "none", "weighted"}}, default "macro"
        ``"macro"``: the mean over the classes present in ``labels`` or ``preds``;
        ``"micro"``: from the counts summed over classes; ``"weighted"``: the mean
        weighted by each class's support (its count in ``labels``); ``"none"``: one
        value per class.
    ignore_index : int, optional
        Label whose positions are not counted.
    per_image : bool, default False
        Score each sample (axis 0) on its own: ``"none"`` gives ``(N, C)``,
        ``"macro"`` the mean over the (sample, class) pairs present, ``"micro"`` and
        ``"weighted"`` the mean over samples of the per-sample value.
    include_background : bool, default True
        Whether class 0 takes part (``"multiclass"`` only).
    threshold : float in [0, 1] or scalar array, default 0.5
        Probability threshold of ``"binary"`` scores (continuous: may be traced).
    from_logits : bool, default True
        Whether ``"binary"`` scores are logits.

    Returns
    -------
    array
        Floating scalar; ``(C,)`` for ``average="none"`` (``(N, C)`` with
        ``per_image``).

    Notes
    -----
    A 0/0 ratio is 0 (scikit-learn's and torchmetrics' ``zero_division=0``); a class
    in neither labels nor predictions is left out of the macro mean (scikit-learn's
    label set, the union of both). A NaN score makes the result NaN; it is never
    argmaxed or thresholded into a class. See :doc:`/metrics` for the averages and
    where scikit-learn and torchmetrics differ.

    References
    ----------
    {refs}

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> preds, labels = np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2])
    >>> al.{name}(preds, labels, 3{extra}, average="none")
    {example}
    >>> cm = al.confusion_matrix(preds, labels, 3)
    >>> float(al.{name}(confusion=cm{extra})) == float(al.{name}(preds, labels, 3{extra}))
    True
"""

_RIJSBERGEN = """.. [1] C. J. van Rijsbergen, "Information Retrieval", 2nd ed., Butterworths, 1979,
           chapter 7."""
_JACCARD = """.. [1] P. Jaccard, "The distribution of the flora in the alpine zone",
           New Phytologist 11(2), 1912. https://doi.org/10.1111/j.1469-8137.1912.tb05611.x
    .. [2] M. Everingham, L. Van Gool, C. K. I. Williams, J. Winn, A. Zisserman, "The
           PASCAL Visual Object Classes (VOC) Challenge", IJCV 88(2), 2010.
           https://doi.org/10.1007/s11263-009-0275-4"""
_DICE = """.. [1] L. R. Dice, "Measures of the Amount of Ecologic Association Between Species",
           Ecology 26(3), 1945. https://doi.org/10.2307/1932409"""
_JAIN = """.. [1] A. K. Jain, A. Ross, S. Prabhakar, "An introduction to biometric recognition",
           IEEE TCSVT 14(1), 2004. https://doi.org/10.1109/TCSVT.2003.818349"""


def _make(
    which: str, name: str, mode: str, title: str, formula: str, when: str, refs: str, example: str
) -> Any:
    def metric(
        preds: Array | None = None,
        labels: Array | None = None,
        num_classes: int | None = None,
        *,
        confusion: Any = None,
        mode: str = mode,
        axis: int = -1,
        average: str = "macro",
        ignore_index: int | None = None,
        per_image: bool = False,
        include_background: bool = True,
        threshold: float = 0.5,
        from_logits: bool = True,
    ) -> Array:
        return _metric(
            which,
            preds,
            labels,
            num_classes,
            confusion,
            mode,
            axis,
            average,
            ignore_index,
            per_image,
            include_background,
            threshold,
            from_logits,
        )

    metric.__name__ = metric.__qualname__ = name
    metric.__module__ = __name__
    metric.__doc__ = _DOC.format(
        title=title, formula=formula, when=when, refs=refs, name=name, example=example,
        mode=mode, extra=', mode="multiclass"' if mode == "binary" else "",
    )  # fmt: skip
    return metric


precision = _make(
    "precision", "precision", "multiclass",
    "Precision: the fraction of predictions of a class that are right.",
    r"P_c = \frac{TP_c}{TP_c + FP_c}",
    "Report it when false alarms are costly.", _RIJSBERGEN, "array([1. , 0.5, 1. ])",
)  # fmt: skip
recall = _make(
    "recall", "recall", "multiclass",
    "Recall (sensitivity): the fraction of a class's positions that are found.",
    r"R_c = \frac{TP_c}{TP_c + FN_c}",
    "Report it when misses are costly (small lesions, defects).", _RIJSBERGEN,
    "array([1. , 1. , 0.5])",
)  # fmt: skip
f1_score = _make(
    "f1", "f1_score", "multiclass",
    "F1 score: the harmonic mean of precision and recall (the hard Dice).",
    r"F_c = \frac{2\, TP_c}{2\, TP_c + FP_c + FN_c}",
    "One number balancing misses and false alarms; equal to :func:`dice_score`.",
    _RIJSBERGEN, "array([1.        , 0.66666667, 0.66666667])",
)  # fmt: skip
dice_score = _make(
    "dice", "dice_score", "multiclass",
    "Dice score (F1 of the masks) per class, from hard predictions.",
    r"D_c = \frac{2\, |P_c \cap G_c|}{|P_c| + |G_c|} = \frac{2\, TP_c}{2\, TP_c + FP_c + FN_c}",
    "The evaluation counterpart of :func:`dice_loss`; pooled over the batch unless "
    "``per_image=True`` (MONAI's ``DiceMetric`` scores each image).",
    _DICE, "array([1.        , 0.66666667, 0.66666667])",
)  # fmt: skip
iou_score = _make(
    "iou", "iou_score", "multiclass",
    "IoU (Jaccard index) per class, from hard predictions.",
    r"J_c = \frac{|P_c \cap G_c|}{|P_c \cup G_c|} = \frac{TP_c}{TP_c + FP_c + FN_c}",
    "Pooled over the batch (the dataset-level number) unless ``per_image=True``.",
    _JACCARD, "array([1. , 0.5, 0.5])",
)  # fmt: skip
mean_iou = _make(
    "iou", "mean_iou", "multiclass",
    "Mean intersection over union (mIoU), the semantic-segmentation benchmark number.",
    r"\text{IoU}_c = \frac{M_{cc}}{\sum_j M_{cj} + \sum_i M_{ic} - M_{cc}}",
    "The same function as :func:`iou_score`; accumulate a :class:`ConfusionState` over "
    "a dataset and call ``mean_iou(confusion=state)`` once (mmseg's ``nanmean``).",
    _JACCARD, "array([1. , 0.5, 0.5])",
)  # fmt: skip
false_acceptance_rate = _make(
    "far", "false_acceptance_rate", "binary",
    "False acceptance rate: the fraction of negatives that are accepted as positive.",
    r"\text{FAR}_c = \frac{FP_c}{FP_c + TN_c}",
    "With ``mode=\"binary\"`` (the default) label 1 is the positive (\"accept\") class: "
    "with label 1 = \"passes inspection\", FAR is the rate of defective parts let "
    "through; report it beside :func:`false_rejection_rate`.",
    _JAIN, "array([0.        , 0.33333333, 0.        ])",
)  # fmt: skip
false_rejection_rate = _make(
    "frr", "false_rejection_rate", "binary",
    "False rejection rate: the fraction of positives that are rejected (1 - recall).",
    r"\text{FRR}_c = \frac{FN_c}{FN_c + TP_c}",
    "With ``mode=\"binary\"`` (the default) label 1 is the positive class: with label "
    "1 = \"passes\", the rate of good parts that are discarded.",
    _JAIN, "array([0. , 0. , 0.5])",
)  # fmt: skip
