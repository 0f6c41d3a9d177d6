"""Connectionist temporal classification: the log-space forward algorithm over a scan."""

from __future__ import annotations

from .._lib._compat import Array, Namespace, array_namespace, device_of, values_readable
from .._lib._dtypes import cast, compute_dtype, is_integer
from .._lib._fused import fused_ctc_loss
from .._lib._reduction import check_reduction, reduce_loss
from .._lib._scan import scan
from .._lib._special import stop_gradient, take_along_axis
from .._lib._validation import require_static

__all__ = ["ctc_loss"]


def _logsumexp_terms(terms: tuple[Array, ...], *, xp: Namespace) -> Array:
    """``log(sum_k exp(t_k))`` elementwise over a few arrays; ``-inf`` where all are.

    The shift is the detached maximum (exact: the sum is shift-invariant); a sum of
    0 takes a double ``where`` so that all-``-inf`` entries give ``-inf`` with a zero
    (not NaN) gradient.
    """
    m = terms[0]
    for t in terms[1:]:
        m = xp.maximum(m, t)
    zero = xp.zeros((), dtype=m.dtype, device=device_of(m))
    one = xp.ones((), dtype=m.dtype, device=device_of(m))
    shift = stop_gradient(xp.where(xp.isfinite(m), m, zero), xp=xp)
    total = xp.exp(terms[0] - shift)
    for t in terms[1:]:
        total = total + xp.exp(t - shift)
    alive = total != 0  # NaN stays NaN
    neg_inf = xp.full((), -float("inf"), dtype=m.dtype, device=device_of(m))
    return xp.where(alive, xp.log(xp.where(alive, total, one)) + shift, neg_inf)


def ctc_forward(
    log_probs: Array,
    targets: Array,
    input_lengths: Array,
    target_lengths: Array,
    *,
    blank: int,
    xp: Namespace,
) -> Array:
    """``-log p(targets | log_probs)`` per sequence, ``(N,)``, by the portable forward
    algorithm (``inf`` where no alignment exists)."""
    n, big_t, _ = (int(s) for s in log_probs.shape)
    s_max = int(targets.shape[1])
    length = 2 * s_max + 1
    dev = device_of(log_probs)
    dtype = log_probs.dtype
    itype = targets.dtype
    tl = xp.clip(cast(target_lengths, itype, xp), 0, s_max)
    il = cast(input_lengths, itype, xp)
    # extended label l' = (blank, y1, blank, y2, ..., blank); padding read as blank
    pos = xp.arange(s_max, dtype=itype, device=dev)
    y = xp.where(pos[None, :] < tl[:, None], targets, xp.full((), blank, dtype=itype, device=dev))
    blanks = xp.full((n, s_max), blank, dtype=itype, device=dev)
    ext = xp.reshape(xp.stack([blanks, y], axis=2), (n, 2 * s_max))
    ext = xp.concat([ext, xp.full((n, 1), blank, dtype=itype, device=dev)], axis=1)
    # a skip s-2 -> s is allowed into a label that differs from the label two back
    ext_back = xp.concat([xp.full((n, 2), blank, dtype=itype, device=dev), ext[:, :-2]], axis=1)
    s_idx = xp.arange(length, dtype=itype, device=dev)
    skip = (ext != blank) & (ext != ext_back) & (s_idx[None, :] >= 2)
    # emissions at the extended labels, time-major: (T, N, L)
    idx = xp.broadcast_to(ext[:, None, :], (n, big_t, length))
    emit = _gather_last(log_probs, idx, xp=xp)
    emit = xp.permute_dims(emit, (1, 0, 2))
    steps = xp.arange(big_t, dtype=itype, device=dev)
    neg_inf = xp.full((), -float("inf"), dtype=dtype, device=dev)
    pad1 = xp.full((n, 1), -float("inf"), dtype=dtype, device=dev)
    pad2 = xp.full((n, 2), -float("inf"), dtype=dtype, device=dev)
    # alpha_{-1} = log(1) at s = 0: the recurrence then starts at s in {0, 1} by itself
    init = xp.where(s_idx[None, :] == 0, xp.zeros((), dtype=dtype, device=dev), neg_inf)
    init = xp.broadcast_to(init, (n, length))

    def step(alpha: Array, x: tuple[Array, ...]) -> Array:
        e, t = x
        stay = alpha
        one_back = xp.concat([pad1, alpha[:, :-1]], axis=1)
        two_back = xp.where(skip, xp.concat([pad2, alpha[:, :-2]], axis=1), neg_inf)
        new = e + _logsumexp_terms((stay, one_back, two_back), xp=xp)
        # sequences shorter than T keep their alpha past their end
        return xp.where((t < il)[:, None], new, alpha)

    alpha = scan(step, init, (emit, steps), xp=xp)
    last = 2 * tl
    end_blank = take_along_axis(alpha, last, 1, xp=xp)
    prev = xp.maximum(last - 1, xp.zeros((), dtype=itype, device=dev))
    end_label = xp.where(tl > 0, take_along_axis(alpha, prev, 1, xp=xp), neg_inf)
    return -_logsumexp_terms((end_blank, end_label), xp=xp)


def _gather_last(x: Array, idx: Array, *, xp: Namespace) -> Array:
    """``x[n, t, idx[n, t, s]]``: one ``take`` on the flattened array (the index is wider
    than ``x``'s last axis, which ``take_along_axis`` of the standard does not allow)."""
    n, t, c = (int(s) for s in x.shape)
    length = int(idx.shape[2])
    dev = device_of(idx)
    base = xp.reshape(xp.arange(n * t, dtype=idx.dtype, device=dev) * c, (n, t, 1))
    flat = xp.reshape(idx + base, (n * t * length,))
    return xp.reshape(xp.take(xp.reshape(x, (n * t * c,)), flat, axis=0), (n, t, length))


def _check_values(
    log_probs: Array,
    targets: Array,
    input_lengths: Array,
    target_lengths: Array,
    blank: int,
    xp: Namespace,
) -> None:
    """Lengths within the padded shapes and labels within the classes, where values are
    readable (eager CPU arrays); elsewhere lengths are clipped to the shapes."""
    if not all(values_readable(a, xp) for a in (targets, input_lengths, target_lengths)):
        return
    _, t, c = (int(s) for s in log_probs.shape)
    s_max = int(targets.shape[1])
    pos = xp.arange(s_max, dtype=targets.dtype, device=device_of(targets))
    used = pos[None, :] < cast(target_lengths, targets.dtype, xp)[:, None]
    checks = (
        (
            xp.any((target_lengths > s_max) | (target_lengths < 0)),
            f"target_lengths must be in [0, S] for targets of shape {tuple(targets.shape)} "
            f"(log_probs {tuple(log_probs.shape)})",
        ),
        (
            xp.any((input_lengths > t) | (input_lengths < 0)),
            f"input_lengths must be in [0, T] for log_probs of shape {tuple(log_probs.shape)}",
        ),
        (
            xp.any(used & ((targets < 0) | (targets >= c) | (targets == blank))),
            f"targets must hold labels in [0, {c}) other than blank={blank} within "
            f"target_lengths (log_probs has C={c} classes)",
        ),
    )
    for bad, message in checks:
        # under jax.jit even closed-over arrays give traced comparisons: check only eagerly
        if values_readable(bad, xp) and bool(bad):
            raise ValueError(message)


def ctc_loss(
    log_probs: Array,
    targets: Array,
    input_lengths: Array,
    target_lengths: Array,
    *,
    blank: int = 0,
    zero_infinity: bool = False,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Connectionist temporal classification loss, the negative log-likelihood of a label
    sequence summed over all its alignments.

    .. math::

        \ell_n = -\log \sum_{\pi \in \mathcal{B}^{-1}(y_n)} \prod_{t=1}^{T_n}
        p_t(\pi_t), \qquad
        \alpha_t(s) = p_t(l'_s) \sum_{k \in K(s)} \alpha_{t-1}(k)

    with :math:`\mathcal{B}` removing repeats then blanks, :math:`l'` the label
    sequence with blanks around and between the labels, and :math:`K(s) =
    \{s, s-1\}` plus :math:`s-2` when :math:`l'_s` is not blank and differs from
    :math:`l'_{s-2}`. The recurrence runs in log space (a shifted three-term
    log-sum-exp) over a scan: ``jax.lax.scan`` under JAX, so ``jax.jit`` traces one
    step, not ``T``; an eager loop on the other portable backends; torch's native
    CTC kernels on torch, eager and under ``torch.compile`` (tested equal).

    Parameters
    ----------
    log_probs : array, shape (N, T, C)
        Log-probabilities over the ``C`` classes (blank included), batch first.
        Torch's ``F.ctc_loss`` takes ``(T, N, C)``: transpose its input.
    targets : integer array, shape (N, S)
        Padded label sequences; entries past ``target_lengths`` are ignored.
    input_lengths, target_lengths : integer arrays, shape (N,)
        The valid frames ``T_n <= T`` and labels ``S_n <= S`` per sequence.
    blank : int, default 0
        Index of the blank class (static: it selects the extended labels).
    zero_infinity : bool, default False
        Replace the ``inf`` of an impossible alignment (``T_n`` too short for the
        labels and their repeats) by 0; its gradient is 0 either way.
    weights : array, optional, shape (N,)
        Per-sequence weights.
    reduction : {"mean", "sum", "none"}
        ``"mean"`` divides each loss by its ``max(S_n, 1)`` and averages over the
        batch, as torch does.

    Returns
    -------
    array
        Scalar, or ``(N,)`` for ``reduction="none"`` (not length-normalised).

    Notes
    -----
    ``optax.ctc_loss(logits, logit_paddings, labels, label_paddings)`` returns the
    per-sequence loss without length normalisation (the usual optax mean is over
    sequences), applies ``log_softmax`` to its input, and stands in
    ``log_epsilon=-1e5`` for :math:`\log 0`, so an impossible alignment gives about
    ``1e5`` (``-log_epsilon`` plus the frames' own cost, ``100003.55`` for 5 frames of
    5 labels with a repeat) instead of ``inf``. torch's ``F.ctc_loss``
    backward returns ``exp(log_probs) - posterior`` rather than the derivative
    ``-posterior``: the two agree behind a ``log_softmax`` (its backward removes the
    ``exp`` term), which is how CTC is fed, but not when ``log_probs`` is itself the
    leaf; the native path here runs torch's kernels in one autograd node that removes
    the ``exp`` term, so its gradient is the derivative of its value on every input
    (and 0, not NaN, at ``-inf`` entries and impossible alignments). Under
    ``torch.compile`` the same kernels run as the custom ops ``arrayloss::ctc_nll``
    and ``arrayloss::ctc_grad`` (registered when ``arrayloss`` is imported after
    torch, or on the first eager call). The loss is clamped at 0: in
    float32 the forward sum may round a certain alignment slightly below 0.

    References
    ----------
    .. [1] A. Graves, S. Fernandez, F. Gomez, J. Schmidhuber, "Connectionist Temporal
       Classification: Labelling Unsegmented Sequence Data with Recurrent Neural
       Networks", ICML 2006. https://doi.org/10.1145/1143844.1143891

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> lp = np.log(np.full((1, 2, 2), 0.5))   # two frames, classes {blank, a}
    >>> float(al.ctc_loss(lp, np.array([[1]]), np.array([2]), np.array([1]),
    ...                   reduction="none")[0])   # paths aa, a-, -a: p = 3/4
    0.2876820724517809
    """
    xp = array_namespace(
        log_probs=log_probs,
        targets=targets,
        input_lengths=input_lengths,
        target_lengths=target_lengths,
        weights=weights,
        required=("log_probs", "targets", "input_lengths", "target_lengths"),
    )
    reduction = check_reduction(reduction)
    require_static(blank, "blank")
    require_static(zero_infinity, "zero_infinity")
    if isinstance(blank, bool) or not isinstance(blank, int):
        raise TypeError(f"blank must be an int, got {type(blank).__name__}")
    dtype = compute_dtype(log_probs, "log_probs", xp)
    if log_probs.ndim != 3:
        raise ValueError(
            f"log_probs must have shape (N, T, C), got shape {tuple(log_probs.shape)}"
        )
    n, big_t, c = (int(s) for s in log_probs.shape)
    if n == 0 or big_t == 0:
        raise ValueError(
            f"log_probs is empty (shape {tuple(log_probs.shape)}); CTC needs N >= 1 "
            "sequences of T >= 1 frames"
        )
    if not 0 <= blank < c:
        raise ValueError(f"blank must be in [0, {c}) for C={c} classes, got {blank}")
    for name, arr, shape in (
        ("targets", targets, None),
        ("input_lengths", input_lengths, (n,)),
        ("target_lengths", target_lengths, (n,)),
    ):
        if not is_integer(arr, xp):
            raise TypeError(f"{name} must be an integer array, got dtype {arr.dtype}")
        if shape is not None and tuple(arr.shape) != shape:
            raise ValueError(f"{name} must have shape {shape}, got {tuple(arr.shape)}")
    if targets.ndim != 2 or int(targets.shape[0]) != n:
        raise ValueError(
            f"targets must have shape (N, S) = ({n}, S) (padded), got {tuple(targets.shape)}"
        )
    _check_values(log_probs, targets, input_lengths, target_lengths, blank, xp)
    lp = log_probs if log_probs.dtype == dtype else cast(log_probs, dtype, xp)
    nll = fused_ctc_loss(lp, targets, input_lengths, target_lengths, blank=blank, xp=xp)
    if nll is None:
        nll = ctc_forward(lp, targets, input_lengths, target_lengths, blank=blank, xp=xp)
    zero = xp.zeros((), dtype=dtype, device=device_of(lp))
    # the forward sum may round a certain alignment below log(1) = 0 in float32
    nll = xp.maximum(nll, zero)
    if zero_infinity:
        nll = xp.where(xp.isinf(nll), zero, nll)
    if reduction == "mean":
        one = xp.ones((), dtype=dtype, device=device_of(lp))
        nll = nll / xp.maximum(cast(target_lengths, dtype, xp), one)
    return reduce_loss(nll, reduction, xp=xp, weights=weights)
