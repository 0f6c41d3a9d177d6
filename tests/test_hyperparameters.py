"""Continuous hyperparameters may be arrays; static ones may not (CONVENTIONS section 10).

For every registered loss, every keyword-only hyperparameter whose default (or
annotation) is a float is *continuous* unless the loss lists it in
``LossInfo.static``. Each continuous one must work as

* a traced JAX scalar: ``jax.jit`` with the hyperparameter as an argument gives the
  eager value with a Python float, and ``jax.grad`` with respect to it is finite;
* a torch scalar tensor that requires grad: the value equals the Python-float call
  and ``backward`` gives it a finite gradient.

A traced array reaching a static hyperparameter (``reduction``, ``axis``, ``mode``,
the ones in ``LossInfo.static``) is a ``TypeError`` that says it must be static.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pytest

from arrayloss._lib._case import Case, LossInfo
from support.registry import LOSSES, is_array, loss_of

# Static by their nature in every loss: strings, axes, integers that set shapes.
STATIC_NAMES = ("reduction", "axis", "mode", "box_format")
# The value tried for a continuous hyperparameter whose default is None.
PROBE = 0.5


def continuous_names(info: LossInfo) -> list[str]:
    out = []
    for p in inspect.signature(info.function).parameters.values():
        if p.kind is not p.KEYWORD_ONLY or p.name in info.static:
            continue
        annotation = str(p.annotation)
        default = p.default
        if type(default) is float or (
            (default is None or type(default) is int) and "float" in annotation
        ):
            out.append(p.name)
    return out


def _case(info: LossInfo) -> Case:
    cases = info.cases()
    smooth = [c for c in cases if c.grad]
    return (smooth or cases)[0]


def _value(info: LossInfo, case: Case, name: str) -> float:
    given = case.kwargs.get(name)
    if isinstance(given, float | int) and not isinstance(given, bool):
        return float(given)
    default = inspect.signature(info.function).parameters[name].default
    return float(default) if isinstance(default, float | int) else PROBE


PARAMS = [
    pytest.param(info, name, id=f"{info.name}-{name}")
    for info in LOSSES
    for name in continuous_names(info)
]


def _arrays(lib: Any, case: Case, name: str) -> tuple[tuple[Any, ...], dict[str, Any]]:
    args = tuple(lib(a) for a in case.args)
    kwargs = {k: lib(v) if is_array(v) else v for k, v in case.kwargs.items() if k != name}
    return args, kwargs


@pytest.mark.parametrize(("info", "name"), PARAMS)
def test_traced_jax_scalar(info: LossInfo, name: str) -> None:
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    case = _case(info)
    value = _value(info, case, name)
    args, kwargs = _arrays(jnp.asarray, case, name)
    loss = info.loss()
    want = np.asarray(loss_of(loss(*args, **kwargs, **{name: value})))

    def total(h: Any) -> Any:
        return jnp.sum(loss_of(loss(*args, **kwargs, **{name: h})))

    def value_and_total(h: Any) -> Any:
        return loss_of(loss(*args, **kwargs, **{name: h})), jax.grad(total)(h)

    got, grad = jax.jit(value_and_total)(jnp.asarray(value, dtype=jnp.float64))
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-10, atol=1e-12)
    assert np.isfinite(float(grad)), f"d loss / d {name} = {float(grad)}"


@pytest.mark.parametrize(("info", "name"), PARAMS)
def test_torch_tensor_with_gradient(info: LossInfo, name: str) -> None:
    torch = pytest.importorskip("torch")
    case = _case(info)
    value = _value(info, case, name)
    args, kwargs = _arrays(torch.asarray, case, name)
    loss = info.loss()
    want = loss_of(loss(*args, **kwargs, **{name: value})).detach().numpy()
    h = torch.tensor(value, dtype=torch.float64, requires_grad=True)
    out = loss_of(loss(*args, **kwargs, **{name: h}))
    np.testing.assert_allclose(out.detach().numpy(), want, rtol=1e-10, atol=1e-12)
    if not out.requires_grad:
        return  # the value does not depend on it here (eps of log_input, a detached term)
    out.sum().backward()
    assert h.grad is not None, f"{name} got no gradient"
    assert torch.isfinite(h.grad), f"d loss / d {name} = {h.grad}"


STATIC_PARAMS = [
    pytest.param(info, name, id=f"{info.name}-{name}")
    for info in LOSSES
    for name in (*STATIC_NAMES, *info.static)
    if name in inspect.signature(info.function).parameters
]


@pytest.mark.parametrize(("info", "name"), STATIC_PARAMS)
def test_tracer_reaching_a_static_hyperparameter_says_so(info: LossInfo, name: str) -> None:
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    case = info.cases()[0]
    args, kwargs = _arrays(jnp.asarray, case, name)
    loss = info.loss()

    def traced(h: Any) -> Any:
        return loss_of(loss(*args, **kwargs, **{name: h}))

    with pytest.raises(TypeError, match=rf"{name} must be static"):
        jax.jit(traced)(jnp.asarray(1))
