"""``arrayloss.torch``: one ``nn.Module`` per registered loss, equal to its function.

For every registered loss with a module (from the registry, no list here): the
module built from the first case's hyperparameters gives the function's value and
gradient; its tensors are buffers that survive a ``state_dict`` round trip; its class
axis defaults to 1. A representative set compiles with ``fullgraph=True``.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import numpy as np
import pytest

from arrayloss._adapters import class_name, hyperparameters, positional
from arrayloss._lib._case import Case, LossInfo
from support.registry import LOSSES, is_array, loss_of

torch = pytest.importorskip("torch")
alt = pytest.importorskip("arrayloss.torch")

WITH_MODULE = [i for i in LOSSES if i.name not in alt.NOT_APPLICABLE]
# per-call arrays; every other keyword is a constructor argument
PER_CALL = {"weights"}


def _case(info: LossInfo) -> Case:
    cases = info.cases()
    return next((c for c in cases if any(is_array(v) for v in c.kwargs.values())), cases[0])


def _split(info: LossInfo, case: Case) -> tuple[dict[str, Any], dict[str, Any]]:
    """(constructor hyperparameters, per-call keywords) of ``case``, as torch values."""

    def to(v: Any) -> Any:
        return torch.asarray(np.ascontiguousarray(v)) if is_array(v) else v

    per_call = PER_CALL | set(positional(info.function))
    ctor = {k: to(v) for k, v in case.kwargs.items() if k not in per_call}
    if "axis" in hyperparameters(info.function) and "axis" not in ctor:
        ctor["axis"] = -1  # the case is written for the function's default
    call = {k: to(v) for k, v in case.kwargs.items() if k in per_call}
    return ctor, call


def test_every_registered_loss_has_a_module_or_a_reason() -> None:
    for info in LOSSES:
        if info.name in alt.NOT_APPLICABLE:
            assert alt.NOT_APPLICABLE[info.name]
            assert info.family == "metrics" or "reduction" not in str(info.function.__doc__)[:0]
        else:
            assert class_name(info.name) in alt.MODULES, info.name
    assert sorted(alt.MODULES) == sorted(n for n in alt.__all__ if n in alt.MODULES)


@pytest.mark.parametrize("info", WITH_MODULE, ids=lambda i: i.name)
def test_module_equals_function_value_and_gradient(info: LossInfo) -> None:
    case = _case(info)
    ctor, call = _split(info, case)
    module = alt.MODULES[class_name(info.name)](**ctor)
    args = [torch.asarray(np.ascontiguousarray(a)) for a in case.args]
    if args[0].is_floating_point():
        args[0].requires_grad_(True)
    fn_kwargs = {**ctor, **call}
    want = loss_of(info.function(*args, **fn_kwargs))
    got = module(*args, **call)
    assert type(got) is type(want)
    assert got.dtype == want.dtype
    assert tuple(got.shape) == tuple(want.shape)
    np.testing.assert_array_equal(got.detach().numpy(), want.detach().numpy())
    if args[0].requires_grad and want.requires_grad:
        (g_want,) = torch.autograd.grad(want.sum(), args[0])
        (g_got,) = torch.autograd.grad(got.sum(), args[0])  # a second call moves the state
        np.testing.assert_array_equal(g_got.numpy(), g_want.numpy())


@pytest.mark.parametrize("info", WITH_MODULE, ids=lambda i: i.name)
def test_state_dict_round_trip(info: LossInfo) -> None:
    case = _case(info)
    ctor, call = _split(info, case)
    cls = alt.MODULES[class_name(info.name)]
    module = cls(**ctor)
    args = [torch.asarray(np.ascontiguousarray(a)) for a in case.args]
    first = module(*args, **call)
    state = module.state_dict()
    tensors = {k for k, v in ctor.items() if isinstance(v, torch.Tensor)}
    assert tensors <= set(state), "array hyperparameters must be buffers"
    fresh = cls(**ctor)
    if info.returns_state:
        fresh(*args, **call)  # the state buffers exist once a batch was seen
    fresh.load_state_dict(state)
    np.testing.assert_array_equal(
        fresh(*args, **call).detach().numpy(), module(*args, **call).detach().numpy()
    )
    assert first.dtype == fresh(*args, **call).dtype


def test_class_axis_defaults_to_one_channels_first() -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(2, 3, 4, 5))
    labels = rng.integers(0, 3, size=(2, 4, 5))
    x, y = torch.asarray(logits), torch.asarray(labels)
    import arrayloss as al

    want = al.dice_loss(x, y, axis=1)
    np.testing.assert_array_equal(alt.DiceLoss()(x, y).numpy(), want.numpy())
    assert "axis=1" in repr(alt.DiceLoss())


def test_stateful_module_keeps_its_state_in_a_buffer() -> None:
    import arrayloss as al

    boxes = torch.tensor([[0.0, 0.0, 2.0, 2.0], [1.0, 1.0, 3.0, 4.0]])
    target = torch.tensor([[0.5, 0.0, 2.0, 2.5], [1.0, 1.5, 3.5, 4.0]])
    module = alt.WiseIoULoss()
    state = al.init_wise_iou(boxes)
    for _ in range(3):
        want, state = al.wise_iou_loss(boxes, target, state)
        got = module(boxes, target)
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=0, atol=0)
        # a NamedTuple state: one buffer per field
        np.testing.assert_array_equal(module.state_iou_mean.numpy(), state.iou_mean.numpy())
    assert "state_iou_mean" in module.state_dict()
    # a non-default initial mean: the first forward takes the state, then keeps its own
    fresh = alt.WiseIoULoss()
    start = al.init_wise_iou(boxes, iou_mean=0.4)
    want, state = al.wise_iou_loss(boxes, target, start)
    np.testing.assert_array_equal(fresh(boxes, target, state=start).numpy(), want.numpy())
    np.testing.assert_array_equal(fresh.state_iou_mean.numpy(), state.iou_mean.numpy())


def test_learned_hyperparameter_is_a_parameter() -> None:
    gamma = torch.nn.Parameter(torch.tensor(2.0))
    module = alt.FocalLoss(gamma=gamma, axis=-1)
    assert any(p is gamma for p in module.parameters())
    logits = torch.tensor([[2.0, 0.5, -1.0], [0.0, 1.0, 0.0]])
    module(logits, torch.tensor([0, 1])).backward()
    assert gamma.grad is not None
    assert torch.isfinite(gamma.grad)


def test_unknown_hyperparameter_names_the_allowed_ones() -> None:
    with pytest.raises(
        TypeError, match=r"FocalLoss got unknown hyperparameter\(s\) gama; allowed: .*gamma"
    ):
        alt.FocalLoss(gama=2.0)


@pytest.mark.parametrize(
    "name", ["CrossEntropyLoss", "FocalLoss", "DiceLoss", "GIoULoss", "HuberLoss"]
)
def test_compiles_fullgraph(name: str) -> None:
    rng = np.random.default_rng(1)
    module = alt.MODULES[name]()
    if name == "GIoULoss":
        a = rng.uniform(0, 1, size=(4, 2))
        x = torch.asarray(np.concatenate([a, a + rng.uniform(0.5, 1, size=(4, 2))], axis=1))
        y = x + 0.1
    elif name == "HuberLoss":
        x, y = torch.asarray(rng.normal(size=(4, 3))), torch.asarray(rng.normal(size=(4, 3)))
    else:
        x = torch.asarray(rng.normal(size=(2, 3, 4, 4)))
        y = torch.asarray(rng.integers(0, 3, size=(2, 4, 4)))
    compiled = torch.compile(module, fullgraph=True, backend="aot_eager")
    np.testing.assert_allclose(compiled(x, y).numpy(), module(x, y).numpy(), rtol=1e-12)


def test_import_arrayloss_imports_no_framework() -> None:
    code = (
        "import sys, arrayloss, arrayloss._adapters; "
        "print(sorted(m for m in ('torch', 'jax', 'keras') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
