"""Long-tail losses that adapt to the class imbalance: logit adjustment, LDAM (+ DRW),
seesaw and the automated focal loss."""

from __future__ import annotations

from typing import NamedTuple

from .._lib._compat import Array, Namespace, array_namespace, device_of
from .._lib._dtypes import cast, compute_dtype
from .._lib._hyper import continuous
from .._lib._special import one_hot, softmax, stop_gradient, take_along_axis
from .._lib._targets import broadcast_class_vector
from .._lib._validation import normalize_axis, require_static
from ._cross_entropy import cross_entropy
from ._focal import focal_loss
from ._imbalance import class_weights_from_counts
from ._statistics import ClassStatistics, class_statistics, update_class_statistics

__all__ = [
    "AutomatedFocalState",
    "automated_focal_loss",
    "init_automated_focal",
    "ldam_drw_class_weights",
    "ldam_loss",
    "logit_adjusted_cross_entropy",
    "seesaw_loss",
]


def _class_vector(value: object, name: str, logits: Array, ax: int, xp: Namespace) -> Array:
    """A ``(C,)`` array argument, checked and cast to ``logits``'s dtype and device."""
    num = int(logits.shape[ax])
    if tuple(getattr(value, "shape", ())) != (num,):
        raise ValueError(
            f"{name} must be an array of shape ({num},) (one entry per class), got "
            f"shape {tuple(getattr(value, 'shape', ()))}"
        )
    arr = xp.asarray(value)
    if not xp.isdtype(arr.dtype, ("real floating", "integral")):
        raise TypeError(f"{name} must be real numbers, got dtype {arr.dtype}")
    return xp.asarray(cast(arr, logits.dtype, xp), device=device_of(logits))


def _check_labels(logits: Array, labels: Array, ax: int, xp: Namespace) -> None:
    """Integer labels of ``logits``'s shape without the class axis ``ax``."""
    if not xp.isdtype(labels.dtype, "integral"):
        raise TypeError(f"labels must be integer class indices, got dtype {labels.dtype}")
    want = tuple(logits.shape[:ax]) + tuple(logits.shape[ax + 1 :])
    if tuple(labels.shape) != want:
        raise ValueError(
            f"labels must have logits's shape {tuple(logits.shape)} without the class axis "
            f"{ax}, i.e. {want}; got labels of shape {tuple(labels.shape)}"
        )


def _safe_labels(labels: Array, num: int, xp: Namespace) -> Array:
    """Labels with ignored/out-of-range entries replaced by 0 (the loss masks them)."""
    ok = (labels >= 0) & (labels < num)
    return xp.where(ok, labels, xp.zeros_like(labels))


def logit_adjusted_cross_entropy(
    logits: Array,
    labels: Array,
    *,
    class_priors: Array,
    tau: float = 1.0,
    axis: int = -1,
    class_weights: Array | str | None = None,
    ignore_index: int | None = None,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Logit-adjusted softmax cross-entropy (Menon et al. 2021); ``tau=1`` is balanced softmax.

    .. math::

        \ell_i = -\log \frac{e^{x_{iy} + \tau \log \pi_y}}
        {\sum_c e^{x_{ic} + \tau \log \pi_c}}

    with :math:`\pi` the class priors. Training with it makes the *unadjusted*
    logits :math:`x` estimate the balanced (class-uniform) posterior, so predict with
    ``argmax(logits)``: rare classes are no longer out-voted by their small prior.
    ``tau=1`` with :math:`\pi_c = n_c / N` is exactly the balanced softmax of Ren
    et al. [2]. Only ratios of priors matter (a common factor cancels in the
    softmax), so class counts may be passed as they are.

    Parameters
    ----------
    logits : array, shape (..., C, ...)
        Unnormalized scores, class axis at ``axis``.
    labels : array of int
        Class indices, ``logits``'s shape without ``axis``.
    class_priors : array, shape (C,)
        Positive class priors or counts (e.g. ``ClassStatistics.counts``); a zero
        prior gives that class a logit of :math:`-\infty`. No gradient flows into it.
    tau : float >= 0, default 1.0
        Temperature :math:`\tau` of the adjustment (the paper's default).
    axis, class_weights, ignore_index, weights, reduction
        As in :func:`cross_entropy`.

    Returns
    -------
    array
        Scalar, or the per-position loss for ``reduction="none"``.

    Notes
    -----
    The authors' code (google-research/logit_adjustment) adds
    :math:`\tau \log \pi` to the logits in the loss, as here; their post-hoc variant
    subtracts it at prediction time instead.

    References
    ----------
    .. [1] A. K. Menon, S. Jayasumana, A. S. Rawat, H. Jain, A. Veit, S. Kumar,
       "Long-tail learning via logit adjustment", ICLR 2021.
       https://arxiv.org/abs/2007.07314
    .. [2] J. Ren et al., "Balanced Meta-Softmax for Long-Tailed Visual
       Recognition", NeurIPS 2020. https://arxiv.org/abs/2007.10740

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> logits = np.zeros((1, 2))
    >>> round(float(al.logit_adjusted_cross_entropy(
    ...     logits, np.array([1]), class_priors=np.array([0.9, 0.1]))), 6)
    2.302585
    """
    xp = array_namespace(
        logits=logits, labels=labels, class_priors=class_priors, weights=weights,
        required=("logits", "labels", "class_priors"),
    )  # fmt: skip
    logits = cast(logits, compute_dtype(logits, "logits", xp), xp)
    ax = normalize_axis(axis, logits.ndim)
    t = continuous(tau, "tau", logits, xp, low=0.0)
    priors = stop_gradient(_class_vector(class_priors, "class_priors", logits, ax, xp), xp=xp)
    # x + tau log(pi): the balanced-posterior adjustment, a per-class shift
    adjusted = logits + t * broadcast_class_vector(xp.log(priors), logits.ndim, ax, xp)
    return cross_entropy(
        adjusted,
        labels,
        axis=ax,
        class_weights=class_weights,
        ignore_index=ignore_index,
        weights=weights,
        reduction=reduction,
    )


def ldam_loss(
    logits: Array,
    labels: Array,
    *,
    class_counts: Array,
    max_margin: float = 0.5,
    scale: float = 30.0,
    axis: int = -1,
    class_weights: Array | str | None = None,
    ignore_index: int | None = None,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Label-distribution-aware margin loss (Cao et al. 2019), LDAM.

    .. math::

        \ell_i = -\log \frac{e^{s (x_{iy} - \Delta_y)}}
        {e^{s (x_{iy} - \Delta_y)} + \sum_{c \ne y} e^{s x_{ic}}},
        \qquad \Delta_c = \Delta_{\max} \frac{n_c^{-1/4}}{\max_k n_k^{-1/4}}

    A class-dependent margin, larger for rare classes (:math:`\propto n_c^{-1/4}`),
    enforced on the true-class logit: rare classes get a wider margin and so
    generalise better. Combine with the deferred re-weighting schedule
    :func:`ldam_drw_class_weights` (LDAM-DRW) through ``class_weights``.

    Parameters
    ----------
    logits : array, shape (..., C, ...)
        Scores, class axis at ``axis``. The paper uses cosine logits (normalised
        features and weights, in [-1, 1]); ``scale`` assumes them.
    labels : array of int
        Class indices, ``logits``'s shape without ``axis``.
    class_counts : array, shape (C,)
        Training-set class counts :math:`n_c` (or ``ClassStatistics.counts``);
        counts below 1 are treated as 1 (a class never seen gets the largest
        margin instead of an infinite one). No gradient flows into them.
    max_margin : float > 0, default 0.5
        :math:`\Delta_{\max}`, the margin of the rarest class (the authors' ``max_m``).
    scale : float > 0, default 30.0
        :math:`s`, the logit scale (the authors' ``s``).
    axis, class_weights, ignore_index, weights, reduction
        As in :func:`cross_entropy`.

    Returns
    -------
    array
        Scalar, or the per-position loss for ``reduction="none"``.

    Notes
    -----
    Follows the authors' code (kaidic/LDAM-DRW ``LDAMLoss``): margins
    ``max_m / n^(1/4)`` normalised so the largest is ``max_m``, subtracted from the
    true logit, *then* multiplied by ``s``. The paper writes the margin as
    :math:`C / n_j^{1/4}` with :math:`C` tuned; the code's normalisation fixes it
    through ``max_m``. The code requires every count positive; we clamp at 1.

    References
    ----------
    .. [1] K. Cao, C. Wei, A. Gaidon, N. Arechiga, T. Ma, "Learning Imbalanced
       Datasets with Label-Distribution-Aware Margin Loss", NeurIPS 2019.
       https://arxiv.org/abs/1906.07413

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> logits = np.array([[0.5, 0.0]])
    >>> round(float(al.ldam_loss(logits, np.array([1]), class_counts=np.array([100, 1]),
    ...                          scale=1.0)), 6)
    1.313262
    """
    xp = array_namespace(
        logits=logits, labels=labels, class_counts=class_counts, weights=weights,
        required=("logits", "labels", "class_counts"),
    )  # fmt: skip
    logits = cast(logits, compute_dtype(logits, "logits", xp), xp)
    ax = normalize_axis(axis, logits.ndim)
    num = int(logits.shape[ax])
    mm = continuous(max_margin, "max_margin", logits, xp, low=0.0, low_inclusive=False)
    s = continuous(scale, "scale", logits, xp, low=0.0, low_inclusive=False)
    counts = stop_gradient(_class_vector(class_counts, "class_counts", logits, ax, xp), xp=xp)
    # n^(-1/4) / max_k n_k^(-1/4) = (min_k n_k / n)^(1/4), with n clamped at 1
    counts = xp.maximum(counts, xp.ones_like(counts))
    margins = mm * (xp.min(counts) / counts) ** 0.25
    _check_labels(logits, labels, ax, xp)
    safe = _safe_labels(labels, num, xp)
    hot = one_hot(safe, num, ax, dtype=logits.dtype, xp=xp)
    shifted = logits - hot * broadcast_class_vector(margins, logits.ndim, ax, xp)
    return cross_entropy(
        s * shifted,
        labels,
        axis=ax,
        class_weights=class_weights,
        ignore_index=ignore_index,
        weights=weights,
        reduction=reduction,
    )


def ldam_drw_class_weights(
    class_counts: Array, epoch: int, *, defer_epoch: int = 160, beta: float = 0.9999
) -> Array:
    r"""Deferred re-weighting (DRW) of LDAM-DRW: class weights for ``epoch``.

    .. math::

        w_c = 1 \ (\text{epoch} < T), \qquad
        w_c = C\,\frac{E_c^{-1}}{\sum_k E_k^{-1}},\ E_c = \frac{1 - \beta^{n_c}}{1 - \beta}
        \ (\text{epoch} \ge T)

    Train with plain :func:`ldam_loss` first, then switch on the class-balanced
    weights of Cui et al. (:func:`class_weights_from_counts` with
    ``method="effective_number"``) at epoch :math:`T`: the representation is learned
    on the natural distribution and the re-weighting only adjusts the decision
    boundary. Pass the result as ``class_weights`` to :func:`ldam_loss`.

    Parameters
    ----------
    class_counts : array, shape (C,)
        Training-set class counts.
    epoch : int
        The current epoch (0-based), a Python int (it picks a branch).
    defer_epoch : int, default 160
        :math:`T`, the epoch re-weighting starts (the authors' CIFAR schedule of 200
        epochs).
    beta : float in [0, 1), default 0.9999
        The effective-number :math:`\beta` (the authors' value).

    Returns
    -------
    array, shape (C,)
        Ones before ``defer_epoch``, the effective-number weights (summing to C)
        from then on; floating, in ``class_counts``'s library.

    References
    ----------
    .. [1] K. Cao, C. Wei, A. Gaidon, N. Arechiga, T. Ma, "Learning Imbalanced
       Datasets with Label-Distribution-Aware Margin Loss", NeurIPS 2019.
       https://arxiv.org/abs/1906.07413

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> al.ldam_drw_class_weights(np.array([100.0, 1.0]), 0).tolist()
    [1.0, 1.0]
    >>> [round(w, 4) for w in al.ldam_drw_class_weights(np.array([100.0, 1.0]), 160).tolist()]
    [0.0198, 1.9802]
    """
    for value, name in ((epoch, "epoch"), (defer_epoch, "defer_epoch")):
        require_static(value, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be a non-negative int, got {value!r}")
    # the authors' code: beta = 0 before T, which gives weights of exactly 1
    return class_weights_from_counts(
        class_counts, method="effective_number", beta=beta if epoch >= defer_epoch else 0.0
    )


def seesaw_loss(
    logits: Array,
    labels: Array,
    state: ClassStatistics | None = None,
    *,
    p: float = 0.8,
    q: float = 2.0,
    axis: int = -1,
    ignore_index: int | None = None,
    weights: Array | None = None,
    reduction: str = "mean",
) -> tuple[Array, ClassStatistics]:
    r"""Seesaw loss (Wang et al. 2021); returns ``(loss, new_state)``.

    .. math::

        \ell_i = -\log \frac{e^{x_{iy}}}{e^{x_{iy}} + \sum_{c \ne y} S_{yc}\, e^{x_{ic}}},
        \qquad S_{yc} = M_{yc}\, C_{ic},

        M_{yc} = \min\!\Big(1, \frac{N_c}{N_y}\Big)^{p}, \qquad
        C_{ic} = \max\!\Big(1, \frac{\sigma_{ic}}{\sigma_{iy}}\Big)^{q}

    with :math:`N` the cumulative class counts (including this batch) kept in
    ``state`` and :math:`\sigma_i` the softmax of :math:`x_i`. The *mitigation*
    factor :math:`M` reduces the negative gradient a frequent class :math:`y` pushes
    onto a rarer class :math:`c`, in proportion to their count ratio; the
    *compensation* factor :math:`C` restores the penalty where class :math:`c` is
    wrongly scored above the true class. Both are held constant (stop-gradient).

    Parameters
    ----------
    logits : array, shape (..., C, ...)
        Scores, class axis at ``axis``.
    labels : array of int
        Class indices, ``logits``'s shape without ``axis``.
    state : ClassStatistics, optional
        The statistics so far (:func:`class_statistics`); None starts from zero
        counts (this batch only).
    p : float >= 0, default 0.8
        Mitigation exponent (the paper's default).
    q : float >= 0, default 2.0
        Compensation exponent (the paper's default).
    axis, ignore_index, weights, reduction
        As in :func:`cross_entropy`.

    Returns
    -------
    (array, ClassStatistics)
        The loss (scalar, or per position for ``reduction="none"``) and the updated
        statistics.

    Notes
    -----
    mmdetection's ``SeesawLoss`` (the authors' code) differs from the paper in three
    ways: it clamps counts at 1 (we do too: a class not yet seen counts as 1), it
    clamps the true-class probability at ``eps=1e-2`` in :math:`C` (we follow the
    paper: :math:`\sigma_c / \sigma_y = e^{x_c - x_y}` exactly, so
    :math:`\log C_{ic} = q \max(0, x_{ic} - x_{iy})`), and for detection it adds an
    objectness branch and a normalised linear head, which are not part of the loss
    here. Like mmdetection we update the counts with the batch *before* computing
    the loss.

    References
    ----------
    .. [1] J. Wang, W. Zhang, Y. Zang, Y. Cao, J. Pang, T. Gong, K. Chen, Z. Liu,
       C. C. Loy, D. Lin, "Seesaw Loss for Long-Tailed Instance Segmentation",
       CVPR 2021. https://arxiv.org/abs/2008.10032

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> logits = np.zeros((2, 2))
    >>> loss, state = al.seesaw_loss(logits, np.array([0, 0]))
    >>> state.counts.tolist(), round(float(loss), 6)
    ([2.0, 0.0], 0.453842)
    """
    xp = array_namespace(
        logits=logits, labels=labels, weights=weights, required=("logits", "labels")
    )
    logits = cast(logits, compute_dtype(logits, "logits", xp), xp)
    ax = normalize_axis(axis, logits.ndim)
    num = int(logits.shape[ax])
    pp = continuous(p, "p", logits, xp, low=0.0)
    qq = continuous(q, "q", logits, xp, low=0.0)
    if state is None:
        state = class_statistics(num, like=logits)
    if not isinstance(state, ClassStatistics) or tuple(state.counts.shape) != (num,):
        raise TypeError(
            f"state must be a ClassStatistics of {num} classes (from class_statistics), "
            f"got {type(state).__name__}"
        )
    _check_labels(logits, labels, ax, xp)
    new_state = update_class_statistics(
        state, labels, logits=logits, axis=ax, ignore_index=ignore_index
    )
    log_n = xp.log(
        xp.maximum(stop_gradient(new_state.counts, xp=xp), xp.ones_like(new_state.counts))
    )
    # log M[y, c] = p * min(0, log N_c - log N_y)
    log_m = pp * xp.minimum(log_n[None, :] - log_n[:, None], xp.zeros((), dtype=logits.dtype))
    safe = _safe_labels(labels, num, xp)
    rows = xp.take(log_m, xp.reshape(safe, (-1,)), axis=0)  # (positions, C)
    rows = xp.reshape(rows, (*tuple(safe.shape), num))
    if ax != logits.ndim - 1:  # permute_dims, not moveaxis: torch.func.vmap batches it
        order = list(range(logits.ndim - 1))
        order.insert(ax, logits.ndim - 1)
        rows = xp.permute_dims(rows, tuple(order))
    x = stop_gradient(logits, xp=xp)
    x_y = xp.expand_dims(take_along_axis(x, safe, ax, xp=xp), axis=ax)
    # log C[i, c] = q * max(0, x_c - x_y): sigma_c / sigma_y = exp(x_c - x_y)
    log_c = qq * xp.maximum(x - x_y, xp.zeros((), dtype=logits.dtype))
    hot = one_hot(safe, num, ax, dtype=logits.dtype, xp=xp)
    # S_yy = 1: only the other classes' logits move, by log S
    adjusted = logits + (1.0 - hot) * (rows + log_c)
    loss = cross_entropy(
        adjusted, labels, axis=ax, ignore_index=ignore_index, weights=weights, reduction=reduction
    )
    return loss, new_state


class AutomatedFocalState(NamedTuple):
    """State of :func:`automated_focal_loss`: the running mean true-class probability.

    Attributes
    ----------
    p_correct : array, shape ()
        :math:`\\hat p_{correct}`, the exponential average of the batch means.
    seen : array, shape ()
        0 before the first batch, 1 after (the first batch sets ``p_correct``).
    """

    p_correct: Array
    seen: Array


def init_automated_focal(like: Array) -> AutomatedFocalState:
    """The initial state of :func:`automated_focal_loss` in ``like``'s library and dtype.

    Parameters
    ----------
    like : array
        Any array of the library, floating dtype and device to use.

    Returns
    -------
    AutomatedFocalState
        ``p_correct = 0.5`` (replaced by the first batch's mean) and ``seen = 0``.

    References
    ----------
    .. [1] M. Weber, M. Fürst, J. M. Zöllner, "Automated Focal Loss for Image based
       Object Detection", IV 2020. https://arxiv.org/abs/1904.09048

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> al.init_automated_focal(np.zeros(1)).seen.tolist()
    0.0
    """
    xp = array_namespace(like=like, required=("like",))
    dtype = like.dtype if xp.isdtype(like.dtype, "real floating") else None
    dev = device_of(like)
    half = xp.asarray(0.5, dtype=dtype, device=dev)
    return AutomatedFocalState(half, xp.zeros((), dtype=half.dtype, device=dev))


def automated_focal_loss(
    logits: Array,
    labels: Array,
    state: AutomatedFocalState | None = None,
    *,
    momentum: float = 0.05,
    axis: int = -1,
    ignore_index: int | None = None,
    weights: Array | None = None,
    reduction: str = "mean",
) -> tuple[Array, AutomatedFocalState]:
    r"""Automated focal loss (Weber et al.): γ from the running mean true-class probability.

    .. math::

        \ell_i = -(1 - p_{iy})^{\gamma} \log p_{iy}, \qquad
        \gamma = -\log \hat p, \qquad
        \hat p \leftarrow (1 - m)\,\hat p + m\,\overline{p_{iy}}

    with :math:`\overline{p_{iy}}` the batch mean probability of the true class.
    Early in training (:math:`\hat p` small) γ is large and the loss focuses on the
    hard, rare examples; as the model becomes confident γ falls towards 0 and the
    loss towards cross-entropy, so γ needs no tuning. γ is held constant
    (stop-gradient) and computed from the state *after* this batch.

    Parameters
    ----------
    logits : array, shape (..., C, ...)
        Scores, class axis at ``axis``.
    labels : array of int
        Class indices, ``logits``'s shape without ``axis``.
    state : AutomatedFocalState, optional
        From :func:`init_automated_focal` or the previous call; None starts fresh
        (:math:`\hat p` is this batch's mean).
    momentum : float in (0, 1], default 0.05
        :math:`m`; the paper's :math:`\hat p = 0.95\,\hat p_{old} + 0.05\,\hat p_{batch}`.
    axis, ignore_index, weights, reduction
        As in :func:`cross_entropy`.

    Returns
    -------
    (array, AutomatedFocalState)
        The loss and the updated state.

    Notes
    -----
    No authors' code is published; this follows the paper's definition. The first
    batch sets :math:`\hat p` (the paper does not give an initial value).

    References
    ----------
    .. [1] M. Weber, M. Fürst, J. M. Zöllner, "Automated Focal Loss for Image based
       Object Detection", IV 2020. https://arxiv.org/abs/1904.09048

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> loss, state = al.automated_focal_loss(np.zeros((2, 2)), np.array([0, 1]))
    >>> round(float(state.p_correct), 6), round(float(loss), 6)
    (0.5, 0.428714)
    """
    xp = array_namespace(
        logits=logits, labels=labels, weights=weights, required=("logits", "labels")
    )
    logits = cast(logits, compute_dtype(logits, "logits", xp), xp)
    ax = normalize_axis(axis, logits.ndim)
    num = int(logits.shape[ax])
    m = continuous(momentum, "momentum", logits, xp, low=0.0, high=1.0, low_inclusive=False)
    if state is None:
        state = init_automated_focal(logits)
    if not isinstance(state, AutomatedFocalState):
        raise TypeError(
            "state must be an AutomatedFocalState (from init_automated_focal), got "
            f"{type(state).__name__}"
        )
    _check_labels(logits, labels, ax, xp)
    keep = (labels >= 0) & (labels < num)
    if ignore_index is not None:
        keep = keep & (labels != ignore_index)
    safe = _safe_labels(labels, num, xp)
    probs = softmax(stop_gradient(logits, xp=xp), ax, xp=xp)
    p_y = take_along_axis(probs, safe, ax, xp=xp)
    keepf = cast(keep, logits.dtype, xp)
    batch = xp.sum(p_y * keepf) / xp.maximum(xp.sum(keepf), xp.ones((), dtype=logits.dtype))
    old = stop_gradient(cast(state.p_correct, logits.dtype, xp), xp=xp)
    seen = stop_gradient(cast(state.seen, logits.dtype, xp), xp=xp)
    any_kept = xp.any(keep)
    mixed = xp.where(seen > 0, (1.0 - m) * old + m * batch, batch)
    p_hat = xp.where(any_kept, mixed, old)
    new_seen = xp.where(any_kept, xp.ones_like(seen), seen)
    # gamma = -log p_hat >= 0; p_hat is at least the tiny floor (no log 0)
    tiny = float(xp.finfo(logits.dtype).smallest_normal)
    gamma = -xp.log(xp.clip(p_hat, tiny, 1.0))
    # NaN logits give a NaN p_hat (kept in the state); the loss is NaN through its log p
    # term anyway, so gamma may be 0 there (focal_loss range-checks a readable gamma)
    gamma = xp.where(xp.isnan(gamma), xp.zeros_like(gamma), gamma)
    loss = focal_loss(
        logits,
        labels,
        gamma=gamma,
        axis=ax,
        ignore_index=ignore_index,
        weights=weights,
        reduction=reduction,
    )
    return loss, AutomatedFocalState(p_hat, new_seen)
