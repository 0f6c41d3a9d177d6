"""Fused native kernels: torch's cross-entropy, BCE-with-logits and pointwise losses,
chosen by namespace and tested equal to the portable code.
"""

from __future__ import annotations

from ._compat import (
    Array,
    Namespace,
    is_torch_namespace,
    values_readable,
)
from ._special import torch_module


def fused_cross_entropy(
    logits: Array,
    labels: Array,
    axis: int,
    *,
    class_weights: Array | None,
    label_smoothing: float,
    xp: Namespace,
    reduction: str = "none",
) -> Array | None:
    r"""Per-position :math:`(1-\varepsilon) w_y (-\log p_y) + \varepsilon/C \sum_c w_c
    (-\log p_c)` from the backend's fused kernel, or ``None`` where there is none.

    ``labels`` must all be valid class indices (ignored and invalid positions
    already replaced); masking, poisoning and reduction stay with the caller. Only
    torch has one here: ``F.cross_entropy(reduction="none")``, whose forward and
    backward are single kernels (the portable logsumexp-minus-gather is 5 eager ops
    and an unfused logsumexp backward on the CPU). It wants the class axis at 1.

    ``reduction="mean"`` or ``"sum"`` reduce inside the kernel too; the caller asks
    for that only when nothing is masked, weighted or class weighted, where torch's
    mean (divided by the number of positions) is the contract's and no all-ignored
    ``0/0`` can occur. It saves two eager ops and the Python of the shared reduction
    on the small-batch overhead probe.
    """
    if not is_torch_namespace(xp) or logits.ndim < 2 or axis != 1:
        return None
    torch = torch_module()
    if labels.dtype != torch.int64:
        labels = labels.to(torch.int64)  # nll_loss takes only int64 targets
    return torch.nn.functional.cross_entropy(
        logits,
        labels,
        weight=class_weights,
        reduction=reduction,
        label_smoothing=label_smoothing,
    )


def fused_binary_cross_entropy(
    logits: Array,
    labels: Array,
    pos_weight: Array | float | None,
    *,
    xp: Namespace,
    reduction: str = "none",
) -> Array | None:
    r"""Elementwise :math:`-[w_+ y \log\sigma(x) + (1 - y)\log\sigma(-x)]` from the
    backend's fused kernel, or ``None`` where there is none.

    torch: ``F.binary_cross_entropy_with_logits`` (one kernel forward, one
    backward; the portable form is two log-sigmoids and five products, 10 eager
    ops). A float ``pos_weight`` becomes a 0-d tensor. A ``pos_weight`` tensor that
    requires a gradient keeps the portable path (the kernel has no ``pos_weight``
    derivative). ``reduction="mean"``/``"sum"`` reduce in the kernel; the caller
    asks for it only with no ``weights`` and a non-empty input (torch's mean of
    nothing is NaN, ours 0).
    """
    if not is_torch_namespace(xp):
        return None
    torch = torch_module()
    if pos_weight is not None:
        if isinstance(pos_weight, torch.Tensor):
            if pos_weight.requires_grad:
                return None
        else:
            pos_weight = torch.full((), pos_weight, dtype=logits.dtype, device=logits.device)
    return torch.nn.functional.binary_cross_entropy_with_logits(
        logits, labels, pos_weight=pos_weight, reduction=reduction
    )


def fused_pointwise(
    kind: str, preds: Array, targets: Array, param: float, *, xp: Namespace
) -> Array | None:
    """Elementwise ``"squared"``, ``"huber"`` (``param`` = delta) or ``"smooth_l1"``
    (``param`` = beta > 0) loss from the backend's fused kernel, or ``None``.

    torch's ``reduction="none"`` losses are one kernel forward and one backward;
    the portable ``min``-based forms are 8-10 eager ops with as many temporaries
    (5-8x slower forward+backward at 8192x1000 on the CPU).
    """
    if not is_torch_namespace(xp):
        return None
    F = torch_module().nn.functional
    if kind == "squared":
        return F.mse_loss(preds, targets, reduction="none")
    if kind == "huber":
        return F.huber_loss(preds, targets, reduction="none", delta=param)
    return F.smooth_l1_loss(preds, targets, reduction="none", beta=param)


def fused_ctc_loss(
    log_probs: Array,
    targets: Array,
    input_lengths: Array,
    target_lengths: Array,
    *,
    blank: int,
    too_short: Array,
    xp: Namespace,
) -> tuple[Array, Array] | None:
    """Per-sequence CTC negative log-likelihood from torch's native kernel and where no
    alignment exists, ``(nll, impossible)``, or ``None``.

    ``log_probs`` is batch-first ``(N, T, C)`` (torch wants ``(T, N, C)``). ``nll`` is
    ``(N,)`` with 0 at impossible alignments: torch's backward is NaN at an ``inf``
    loss even under a zero cotangent, so the kernel runs with ``zero_infinity=True``
    and the caller puts ``inf`` back where ``impossible``. That is ``too_short`` (the
    lengths rule it out), and, where the kernel returned an exact 0, whatever a
    ``zero_infinity=False`` forward without gradient finds infinite (``-inf``
    log-probabilities on every path): that second pass runs only when an exact 0 is
    seen, or always where the values cannot be read without a sync (GPU, vmap).

    torch's backward returns ``exp(log_probs) - posterior`` on the valid frames, the
    gradient behind a ``log_softmax`` but not the derivative of the value when
    ``log_probs`` is itself the leaf. ``S - detach(S)``, with ``S`` the sum of
    ``exp(log_probs)`` over the valid frames of the possible sequences (torch's
    gradient is 0 on the others), is exactly 0 and has gradient ``exp(log_probs)``:
    subtracting it leaves the value and makes the gradient ``-posterior``.

    Under ``torch.compile`` it returns ``None`` (the portable forward is traced):
    dynamo cannot capture ``aten._ctc_loss``, whose output shape it treats as
    data-dependent, so the kernel would break the graph.
    """
    if not is_torch_namespace(xp):
        return None
    torch = torch_module()
    if torch.compiler.is_compiling():
        return None
    # the kernel's backward is exp(-inf) - exp(-inf - -inf) = NaN at a -inf entry, whose
    # derivative is -posterior = 0: route those entries' gradient to a detached copy
    kernel_in = torch.where(torch.isneginf(log_probs), log_probs.detach(), log_probs)
    args = (
        kernel_in.transpose(0, 1),
        targets.to(torch.int64),
        input_lengths.to(torch.int64),
        target_lengths.to(torch.int64),
    )
    nll = torch.nn.functional.ctc_loss(*args, blank=blank, reduction="none", zero_infinity=True)
    impossible = too_short
    zero = nll == 0
    if not values_readable(nll, xp) or bool(torch.any(zero & ~too_short)):
        with torch.no_grad():
            raw = torch.nn.functional.ctc_loss(
                *(a.detach() for a in args), blank=blank, reduction="none", zero_infinity=False
            )
        impossible = impossible | (zero & torch.isinf(raw))
    steps = torch.arange(log_probs.shape[1], device=log_probs.device)
    frames = (steps[None, :] < input_lengths[:, None]) & ~impossible[:, None]
    mass = torch.where(frames[:, :, None], log_probs.exp(), 0).sum(dim=(1, 2))
    # a NaN or overflowing exp would turn the exact 0 into NaN: leave those as torch has them
    fix = torch.where(torch.isfinite(mass), mass - mass.detach(), 0)
    return nll - fix, impossible
