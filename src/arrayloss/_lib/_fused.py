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
    backward gives NaN even under a zero cotangent), then corrected
    (:func:`_derivative`): torch's backward returns ``exp(log_probs) - posterior`` on
    the valid frames, the gradient behind a ``log_softmax`` but not the derivative of
    the value when ``log_probs`` is itself the leaf.

    Eagerly the two kernels run in one ``torch.autograd.Function``. Under
    ``torch.compile`` they are the custom ops ``arrayloss::ctc_nll`` and
    ``arrayloss::ctc_grad``, whose fake kernels give the shapes dynamo cannot infer
    (``aten._ctc_loss``'s ``log_alpha`` is sized by the longest label sequence, a
    data-dependent shape; the op pads it to ``2S + 1``). The ops are registered by
    :func:`register_torch_ops` (on the first eager call, at ``import arrayloss`` when
    torch is already imported, and by ``arrayloss.torch``): a compiled call before
    any of those takes the portable forward, a loop over ``T`` that dynamo unrolls.
    """
    if not is_torch_namespace(xp):
        return None
    torch = torch_module()
    args = (
        targets.to(torch.int64),
        input_lengths.to(torch.int64),
        target_lengths.to(torch.int64),
        blank,
    )
    if torch.compiler.is_compiling():
        if _TORCH_OPS is None:
            return None
        nll, _ = _TORCH_OPS.ctc_nll(log_probs, *args)
        return nll
    ops = register_torch_ops()
    nll, _ = ops.eager.apply(log_probs, *args)
    return nll


class _TorchOps:
    """What :func:`register_torch_ops` builds: the eager Functions and the custom ops."""

    def __init__(self, eager: Any, ctc_nll: Any, label_log_odds: Any) -> None:
        self.eager = eager
        self.ctc_nll = ctc_nll
        self.label_log_odds = label_log_odds


_TORCH_OPS: _TorchOps | None = None


def register_torch_ops() -> _TorchOps:
    """Build the CTC autograd Function and register the ``arrayloss::`` custom ops,
    once per process (torch must already be imported)."""
    global _TORCH_OPS
    if _TORCH_OPS is not None:
        return _TORCH_OPS
    torch = torch_module()
    aten = torch.ops.aten

    def forward(lp: Any, targets: Any, il: Any, tl: Any, blank: int) -> Any:
        return aten._ctc_loss.Tensor(lp.transpose(0, 1), targets, il, tl, blank, False)

    def backward_kernel(grad_nll: Any, lp: Any, saved: tuple[Any, ...], blank: int) -> Any:
        targets, il, tl, nll, alpha = saved
        grad = aten._ctc_loss_backward.Tensor(
            grad_nll, lp.transpose(0, 1), targets, il, tl, nll, alpha, blank, True
        )
        return grad.transpose(0, 1)

    function: Any = torch.autograd.Function

    class NativeCTC(function):  # type: ignore[misc]
        generate_vmap_rule = True  # the forward and backward are plain torch ops

        @staticmethod
        def forward(lp: Any, targets: Any, il: Any, tl: Any, blank: int) -> Any:
            return forward(lp, targets, il, tl, blank)

        @staticmethod
        def setup_context(ctx: Any, inputs: Any, output: Any) -> None:
            ctx.mark_non_differentiable(output[1])
            ctx.save_for_backward(inputs[0], *inputs[1:4], *output)
            ctx.blank = inputs[4]

        @staticmethod
        def backward(ctx: Any, grad_nll: Any, _grad_alpha: Any) -> Any:
            lp, *saved = ctx.saved_tensors
            grad = backward_kernel(grad_nll, lp, tuple(saved), ctx.blank)
            return _derivative(grad, grad_nll, lp, saved[1], saved[3]), None, None, None, None

    def padded_forward(lp: Any, targets: Any, il: Any, tl: Any, blank: int) -> Any:
        nll, alpha = forward(lp, targets, il, tl, blank)
        full = alpha.new_zeros((lp.shape[0], lp.shape[1], 2 * targets.shape[1] + 1))
        full[:, :, : alpha.shape[2]] = alpha
        return nll, full

    def unpadded_backward(
        grad_nll: Any, lp: Any, targets: Any, il: Any, tl: Any, nll: Any, alpha: Any, blank: int
    ) -> Any:
        width = 2 * int(tl.max()) + 1 if tl.numel() else 1
        saved = (targets, il, tl, nll, alpha[:, :, :width].contiguous())
        return backward_kernel(grad_nll, lp, saved, blank).contiguous()

    lib = torch.library
    ctc_nll = lib.custom_op(
        "arrayloss::ctc_nll",
        padded_forward,
        mutates_args=(),
        schema="(Tensor lp, Tensor targets, Tensor il, Tensor tl, int blank) -> (Tensor, Tensor)",
    )
    ctc_grad = lib.custom_op(
        "arrayloss::ctc_grad",
        unpadded_backward,
        mutates_args=(),
        schema="(Tensor g, Tensor lp, Tensor targets, Tensor il, Tensor tl, Tensor nll, "
        "Tensor alpha, int blank) -> Tensor",
    )

    def fake_nll(lp: Any, targets: Any, il: Any, tl: Any, blank: int) -> Any:
        n, t = lp.shape[0], lp.shape[1]
        return lp.new_empty((n,)), lp.new_empty((n, t, 2 * targets.shape[1] + 1))

    def fake_grad(*args: Any) -> Any:
        return args[1].new_empty(args[1].shape)

    ctc_nll.register_fake(fake_nll)
    ctc_grad.register_fake(fake_grad)

    def op_backward(ctx: Any, grad_nll: Any, _grad_alpha: Any) -> Any:
        lp, targets, il, tl, nll, alpha = ctx.saved_tensors
        grad = ctc_grad(grad_nll, lp, targets, il, tl, nll, alpha, ctx.blank)
        return _derivative(grad, grad_nll, lp, il, nll), None, None, None, None

    def op_setup(ctx: Any, inputs: Any, output: Any) -> None:
        ctx.save_for_backward(*inputs[:4], *output)
        ctx.blank = inputs[4]

    ctc_nll.register_autograd(op_backward, setup_context=op_setup)
    _TORCH_OPS = _TorchOps(NativeCTC, ctc_nll, _label_log_odds_function(function))
    return _TORCH_OPS


def fused_label_log_odds(logits: Array, labels: Array, ax: int, *, xp: Namespace) -> Array | None:
    """``z = logsumexp_{c != y} x_c - x_y`` along ``ax`` from one torch autograd node,
    or ``None`` (off torch, and under ``torch.compile``, where Inductor fuses the
    portable form). ``labels`` must all be valid class indices.

    Its backward is the derivative written out: :math:`\\partial z / \\partial x_c =
    q_c` for :math:`c \ne y` (the softmax over the other classes) and :math:`-1` at
    :math:`y`, in four in-place passes over the logits, where autograd through the
    portable masked logsumexp and gather takes about ten (focal 8192x1000 on the CPU:
    ``docs/benchmarks.rst``, round 4). Tested equal to the portable form in value and
    gradient (``tests/lib/test_op_counts.py``).
    """
    if not is_torch_namespace(xp):
        return None
    torch = torch_module()
    if torch.compiler.is_compiling():
        return None
    z, _ = register_torch_ops().label_log_odds.apply(logits, labels.to(torch.int64), ax)
    return z


def _label_log_odds_function(function: Any) -> Any:
    torch = torch_module()

    class LabelLogOdds(function):  # type: ignore[misc]
        generate_vmap_rule = True  # plain torch ops

        @staticmethod
        def forward(x: Any, labels: Any, ax: int) -> Any:
            # the label's entry set to the lowest finite value, not -inf: a row whose
            # other logits are all -inf then gives that value, and a finite gradient
            idx = labels.unsqueeze(ax)
            masked = x.scatter(ax, idx, torch.finfo(x.dtype).min)
            # logsumexp = max(x) - max(log_softmax(x)): the fused log_softmax kernel and
            # two max passes, 3.6 ms against torch.logsumexp's 5.0 at 8192x1000 (CPU);
            # exact, as the log-softmax of the largest entry lies in [-log C, 0]
            top = masked.amax(dim=ax)
            rest = top - torch.log_softmax(masked, dim=ax).amax(dim=ax)
            return rest - torch.gather(x, ax, idx).squeeze(ax), rest

        @staticmethod
        def setup_context(ctx: Any, inputs: Any, output: Any) -> None:
            x, labels, ax = inputs
            ctx.mark_non_differentiable(output[1])
            ctx.save_for_backward(x, labels, output[1])
            ctx.ax = ax

        @staticmethod
        def backward(ctx: Any, grad: Any, _grad_rest: Any) -> Any:
            x, labels, rest = ctx.saved_tensors
            ax = ctx.ax
            idx = labels.unsqueeze(ax)
            # exp(x_c - rest) off the label (the other classes' softmax), -1 at it (which
            # overwrites the label's own exp, however large)
            q = (x - rest.unsqueeze(ax)).exp_().scatter_(ax, idx, -1.0)
            return q.mul_(grad.unsqueeze(ax)), None, None

    return LabelLogOdds


def _derivative(grad: Any, grad_nll: Any, lp: Any, il: Any, nll: Any) -> Any:
    """torch's CTC gradient ``(exp(lp) - posterior) g`` on the valid frames (``t <
    T_n``) of possible sequences, 0 elsewhere, made the derivative ``-posterior g``:
    the ``exp(lp) g`` term removed there (an ``exp`` that overflows leaves NaN, not a
    number), and 0 at ``-inf`` entries, where torch's ``exp(-inf) - exp(-inf - -inf)``
    is NaN. Batch-first ``(N, T, C)``."""
    torch = torch_module()
    steps = torch.arange(lp.shape[1], device=lp.device)
    valid = (steps[None, :] < il[:, None]) & torch.isfinite(nll)[:, None]
    # in place: grad and the exp are fresh buffers
    term = lp.exp().mul_(grad_nll[:, None, None]).masked_fill_(~valid[:, :, None], 0)
    return grad.sub_(term).masked_fill_(torch.isneginf(lp), 0)
