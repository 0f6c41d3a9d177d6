"""Fused native kernels: torch's cross-entropy, BCE-with-logits and pointwise losses,
chosen by namespace and tested equal to the portable code.
"""

from __future__ import annotations

from typing import Any

from ._compat import (
    Array,
    Namespace,
    is_torch_namespace,
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
    xp: Namespace,
) -> Array | None:
    """Per-sequence CTC negative log-likelihood from torch's native kernels, ``inf``
    where no alignment exists, or ``None`` off torch.

    ``log_probs`` is batch-first ``(N, T, C)`` (torch wants ``(T, N, C)``). The
    forward is ``aten._ctc_loss`` (``inf`` at an impossible alignment); the backward
    ``aten._ctc_loss_backward`` with ``zero_infinity`` (0 there, where the plain
    backward gives NaN even under a zero cotangent), corrected in one autograd node
    (:func:`_ctc_function`): torch's backward returns ``exp(log_probs) - posterior``
    on the valid frames, the gradient behind a ``log_softmax`` but not the derivative
    of the value when ``log_probs`` is itself the leaf; the node subtracts the
    ``exp`` term, leaving ``-posterior``, and gives 0 at ``-inf`` entries (torch's
    ``exp(-inf) - exp(-inf - -inf)`` is NaN there, the derivative 0).

    Under ``torch.compile`` it returns ``None`` (the portable forward is traced):
    dynamo cannot capture ``aten._ctc_loss``, whose output shape it treats as
    data-dependent, so the kernel would break the graph.
    """
    if not is_torch_namespace(xp):
        return None
    torch = torch_module()
    if torch.compiler.is_compiling():
        return None
    nll, _ = _ctc_function().apply(
        log_probs.transpose(0, 1),
        targets.to(torch.int64),
        input_lengths.to(torch.int64),
        target_lengths.to(torch.int64),
        blank,
    )
    return nll


_CTC_FUNCTION: Any = None


def _ctc_function() -> Any:
    """The ``torch.autograd.Function`` of :func:`fused_ctc_loss`, built on first use
    (importing this module must not import torch)."""
    global _CTC_FUNCTION
    if _CTC_FUNCTION is not None:
        return _CTC_FUNCTION
    torch = torch_module()
    aten = torch.ops.aten

    class NativeCTC(torch.autograd.Function):  # type: ignore[misc]
        generate_vmap_rule = True  # the forward and backward are plain torch ops

        @staticmethod
        def forward(lp: Any, targets: Any, il: Any, tl: Any, blank: int) -> Any:
            return aten._ctc_loss.Tensor(lp, targets, il, tl, blank, False)

        @staticmethod
        def setup_context(ctx: Any, inputs: Any, output: Any) -> None:
            lp, targets, il, tl, blank = inputs
            nll, alpha = output
            ctx.mark_non_differentiable(alpha)
            ctx.save_for_backward(lp, targets, il, tl, nll, alpha)
            ctx.blank = blank

        @staticmethod
        def backward(ctx: Any, grad_nll: Any, _grad_alpha: Any) -> Any:
            lp, targets, il, tl, nll, alpha = ctx.saved_tensors
            grad = aten._ctc_loss_backward.Tensor(
                grad_nll, lp, targets, il, tl, nll, alpha, ctx.blank, True
            )
            # torch's is (exp(lp) - posterior) g on the valid frames (t < T_n) of
            # possible sequences and 0 elsewhere: remove the exp(lp) g term, in place
            # on the fresh buffers (an exp that overflows leaves NaN, not a number)
            steps = torch.arange(lp.shape[0], device=lp.device)
            valid = (steps[:, None] < il[None, :]) & torch.isfinite(nll)[None, :]
            term = lp.exp().mul_(grad_nll[None, :, None]).masked_fill_(~valid[:, :, None], 0)
            grad.sub_(term).masked_fill_(torch.isneginf(lp), 0)
            return grad, None, None, None, None

    _CTC_FUNCTION = NativeCTC
    return NativeCTC
