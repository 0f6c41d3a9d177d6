"""Every registered loss at the extremes of its inputs (CONVENTIONS section 7).

From each loss's registered cases, in float32 on torch and JAX (NumPy for values):

- logits saturated at ±1e4: the value and the gradient are finite;
- degenerate (zero-area) predicted boxes, and boxes equal to their targets: finite
  value and gradient;
- every target ignored (``ignore_index``): the mean is 0 with a zero gradient, never
  NaN (CONVENTIONS section 4);
- NaN in the prediction: NaN out, never a silent finite number.

A loss registered later is covered with no edit here. ``test_numerics.py`` pins the
values at the extremes for the losses where a closed form or an mpmath reference
exists; this suite proves finiteness and NaN propagation for all of them.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from arrayloss._lib._case import Case, LossInfo
from support.registry import LOSSES, is_array, loss_of

GRAD_LIBS = ("torch", "jax")
LIBS = ("numpy", *GRAD_LIBS)
FLOATING_FIRST = {"preds", "logits", "log_probs", "boxes", "boxes1", "features", "counts"}


def _first(info: LossInfo) -> str:
    return next(iter(inspect.signature(info.loss()).parameters))


def _params(select: Callable[[LossInfo, Case], bool], libs: tuple[str, ...]) -> list[Any]:
    """``(info, case, lib)`` for the first case of each loss that ``select`` accepts."""
    out = []
    for info in LOSSES:
        case = next((c for c in info.cases() if select(info, c)), None)
        if case is not None:
            out += [pytest.param(info, case, lib, id=f"{info.name}-{lib}") for lib in libs]
    return out


def _f32(a: Any) -> Any:
    a = np.asarray(a)
    return a.astype(np.float32) if a.dtype.kind == "f" else a


def _to(lib: str) -> Callable[[Any], Any]:
    if lib == "numpy":
        return lambda a: _f32(a)
    if lib == "torch":
        torch = pytest.importorskip("torch")
        return lambda a: torch.asarray(np.ascontiguousarray(_f32(a)))
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    return lambda a: jax.numpy.asarray(_f32(a))


def _value_and_grad(
    lib: str, info: LossInfo, first: np.ndarray, case: Case, **override: Any
) -> tuple[np.ndarray, np.ndarray | None]:
    """The loss (as float64 NumPy) and the gradient of its sum w.r.t. the first argument."""
    to = _to(lib)
    rest = tuple(to(a) if is_array(a) else a for a in case.args[1:])
    kwargs = {k: to(v) if is_array(v) else v for k, v in {**case.kwargs, **override}.items()}
    loss = info.loss()

    def call(x: Any) -> Any:
        return loss_of(loss(x, *rest, **kwargs))

    if lib == "numpy":
        return np.asarray(call(to(first)), dtype=np.float64), None
    if lib == "torch":
        import torch

        x = to(first).requires_grad_(True)
        out = call(x)
        (g,) = torch.autograd.grad(torch.sum(out), x, allow_unused=True)
        grad = np.zeros(first.shape) if g is None else g.detach().double().numpy()
        return out.detach().double().numpy(), grad
    import jax
    import jax.numpy as jnp

    x = to(first)
    out = call(x)
    grad = jax.grad(lambda z: jnp.sum(call(z)))(x)
    return np.asarray(out, dtype=np.float64), np.asarray(grad, dtype=np.float64)


def _assert_finite(value: np.ndarray, grad: np.ndarray | None) -> None:
    assert np.all(np.isfinite(value)), f"non-finite value {value}"
    if grad is not None:
        assert np.all(np.isfinite(grad)), f"non-finite gradient {grad}"


# --------------------------------------------------------------------- saturated logits


def _has_logits(info: LossInfo, case: Case) -> bool:
    # metrics take scores but are not differentiated (their hard decisions have no gradient)
    return (
        _first(info) == "logits"
        and info.family != "metrics"
        and case.kwargs.get("from_logits", True) is not False
    )


@pytest.mark.parametrize(("info", "case", "lib"), _params(_has_logits, GRAD_LIBS))
def test_saturated_logits_give_finite_value_and_gradient(
    info: LossInfo, case: Case, lib: str
) -> None:
    x = np.asarray(case.args[0], dtype=np.float64)
    scale = float(np.max(np.abs(x))) or 1.0
    for sign in (1.0, -1.0):
        value, grad = _value_and_grad(lib, info, sign * 1e4 * x / scale, case)
        _assert_finite(value, grad)


# --------------------------------------------------------------------- degenerate boxes


def _has_boxes(info: LossInfo, case: Case) -> bool:
    return _first(info) in {"boxes", "boxes1"}


def _zero_area(boxes: np.ndarray, box_format: str) -> np.ndarray:
    out = np.array(boxes, dtype=np.float64)
    if box_format == "xyxy":
        out[..., 2:] = out[..., :2]
    else:  # xywh, cxcywh: the last two are the width and height
        out[..., 2:] = 0.0
    return out


@pytest.mark.parametrize(("info", "case", "lib"), _params(_has_boxes, GRAD_LIBS))
def test_degenerate_and_exact_boxes_give_finite_value_and_gradient(
    info: LossInfo, case: Case, lib: str
) -> None:
    fmt = case.kwargs.get("box_format", case.kwargs.get("in_fmt", "xyxy"))
    boxes = np.asarray(case.args[0], dtype=np.float64)
    value, grad = _value_and_grad(lib, info, _zero_area(boxes, fmt), case)
    _assert_finite(value, grad)
    target = np.asarray(case.args[1] if len(case.args) > 1 else boxes, dtype=np.float64)
    if target.shape == boxes.shape:
        value, grad = _value_and_grad(lib, info, target.copy(), case)
        _assert_finite(value, grad)


# --------------------------------------------------------------------- everything ignored


def _ignores(info: LossInfo, case: Case) -> bool:
    return (
        isinstance(case.kwargs.get("ignore_index"), int)
        and len(case.args) > 1
        and np.asarray(case.args[1]).dtype.kind in "iu"
        and _first(info) in FLOATING_FIRST
        and not info.returns_state
        and info.family != "metrics"  # a metric of nothing is undefined, not a loss of 0
    )


@pytest.mark.parametrize(("info", "case", "lib"), _params(_ignores, LIBS))
def test_everything_ignored_gives_zero_with_zero_gradient(
    info: LossInfo, case: Case, lib: str
) -> None:
    ignore = case.kwargs["ignore_index"]
    labels = np.full_like(np.asarray(case.args[1]), ignore)
    case = Case(case.label, (case.args[0], labels, *case.args[2:]), case.kwargs)
    first = np.asarray(case.args[0], dtype=np.float64)
    value, grad = _value_and_grad(lib, info, first, case, reduction="mean")
    np.testing.assert_array_equal(value, 0.0)
    if grad is not None:
        np.testing.assert_array_equal(grad, 0.0)


# --------------------------------------------------------------------- NaN in, NaN out


# functions whose first floating argument is no prediction: the distance maps read
# a mask, where a NaN is nonzero and so foreground (documented: "nonzero is
# foreground"); random_projections reads only its shape and dtype
NOT_FROM_FIRST = {
    "distance_map",
    "signed_distance_map",
    "rectified_region_wise_map",
    "random_projections",
}


def _floating_first(info: LossInfo, case: Case) -> bool:
    # every loss whose first argument is floating data (predictions, embeddings,
    # images, boxes, features, ...), not only the prediction names of FLOATING_FIRST:
    # triplet_margin_loss and perceptual_loss once turned a NaN into 0 in a guarded sqrt
    return (
        bool(case.args)
        and np.asarray(case.args[0]).dtype.kind == "f"
        and not info.returns_state
        and info.name not in NOT_FROM_FIRST
    )


@pytest.mark.parametrize(("info", "case", "lib"), _params(_floating_first, LIBS))
def test_nan_in_gives_nan_out(info: LossInfo, case: Case, lib: str) -> None:
    first = np.full(np.shape(case.args[0]), np.nan)
    to = _to(lib)
    rest = tuple(to(a) if is_array(a) else a for a in case.args[1:])
    kwargs = {k: to(v) if is_array(v) else v for k, v in case.kwargs.items()}
    with np.errstate(all="ignore"):  # NumPy's own "invalid value" warning on NaN input
        out = loss_of(info.loss()(to(first), *rest, **kwargs))
    value = np.asarray(out.detach() if lib == "torch" else out, dtype=np.float64)
    assert np.any(np.isnan(value)), f"{info.name}: NaN input gave {value}"
