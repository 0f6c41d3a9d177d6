"""Every registered loss gets the generic bad inputs (CONVENTIONS section 9).

For each loss of the registry, from its first case: an integer prediction, a Python
list, arrays of two libraries, a target of the wrong shape, labels outside the
classes (or outside {0, 1} for binary targets), a bad ``reduction``, a bad ``axis``,
``class_weights="balanced"`` where it is not supported, and an empty batch. Each must
raise exactly ``TypeError`` or ``ValueError`` whose message names the argument (or
give the documented result: an empty batch's mean is 0) on NumPy, torch and JAX
eager: never an ``IndexError``, an ``AttributeError`` or a backend's internal error.

A loss registered later is covered with no edit here. ``test_error_messages.py``
pins the exact wording for the most used losses.
"""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from arrayloss._lib._case import Case, LossInfo
from support.registry import LOSSES, is_array, loss_of

LIBS = ("numpy", "torch", "jax")

# first positional argument names that must be floating
FLOATING_FIRST = {"preds", "logits", "log_probs", "boxes", "boxes1", "features", "transform"}


def _to(lib: str) -> Callable[[Any], Any]:
    if lib == "numpy":
        return lambda a: np.asarray(a)
    if lib == "torch":
        torch = pytest.importorskip("torch")
        return lambda a: torch.asarray(np.ascontiguousarray(a))
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    return lambda a: jax.numpy.asarray(a)


def _positional(info: LossInfo) -> list[str]:
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [p.name for p in _signature(info).parameters.values() if p.kind in kinds]


def _signature(info: LossInfo) -> inspect.Signature:
    return inspect.signature(info.loss())


def _call(info: LossInfo, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return loss_of(info.loss()(*args, **kwargs))


def _convert(lib: str, case: Case) -> tuple[tuple[Any, ...], dict[str, Any]]:
    to = _to(lib)
    args = tuple(to(a) if is_array(a) else a for a in case.args)
    kwargs = {k: to(v) if is_array(v) else v for k, v in case.kwargs.items()}
    return args, kwargs


def _expect_error(
    fn: Callable[[], Any],
    names: tuple[str, ...],
    types: tuple[type, ...] = (TypeError, ValueError),
) -> str:
    """``fn`` raises exactly one of ``types`` and the message names one of ``names``."""
    with pytest.raises(Exception) as info:
        fn()
    kind = type(info.value)
    assert kind in types, (
        f"raised {kind.__module__}.{kind.__name__}: {info.value}; expected one of "
        f"{[t.__name__ for t in types]}"
    )
    message = str(info.value)
    assert any(re.search(rf"\b{re.escape(n)}\b", message) for n in names), (
        f"message does not name {names}: {message!r}"
    )
    return message


def _first(info: LossInfo) -> Case:
    return info.cases()[0]


def _params(applies: Callable[[LossInfo, Case], bool]) -> list[Any]:
    out = []
    for info in LOSSES:
        case = _first(info)
        if applies(info, case):
            out.extend(pytest.param(info, lib, id=f"{info.name}-{lib}") for lib in LIBS)
    return out


# -- wrong dtype of the prediction -------------------------------------------------------


def _floating_first(info: LossInfo, case: Case) -> bool:
    names = _positional(info)
    return bool(names) and names[0] in FLOATING_FIRST and info.family != "metrics"


@pytest.mark.parametrize(("info", "lib"), _params(_floating_first))
def test_integer_prediction_is_a_type_error(info: LossInfo, lib: str) -> None:
    case = _first(info)
    name = _positional(info)[0]
    args, kwargs = _convert(lib, case)
    as_int = _to(lib)(np.round(np.asarray(case.args[0])).astype(np.int64))
    _expect_error(lambda: _call(info, (as_int, *args[1:]), kwargs), (name,), (TypeError,))


# -- not arrays, arrays of two libraries -------------------------------------------------


def _array_first(info: LossInfo, case: Case) -> bool:
    return bool(case.args) and is_array(case.args[0]) and bool(_positional(info))


@pytest.mark.parametrize(("info", "lib"), _params(_array_first))
def test_python_list_is_a_type_error(info: LossInfo, lib: str) -> None:
    case = _first(info)
    name = _positional(info)[0]
    args, kwargs = _convert(lib, case)
    listed = np.asarray(case.args[0]).tolist()
    _expect_error(lambda: _call(info, (listed, *args[1:]), kwargs), (name,), (TypeError,))


def _two_arrays(info: LossInfo, case: Case) -> bool:
    return len(case.args) >= 2 and is_array(case.args[0]) and is_array(case.args[1])


@pytest.mark.parametrize(
    "info", [i for i in LOSSES if _two_arrays(i, _first(i))], ids=lambda i: i.name
)
def test_mixed_libraries_name_both(info: LossInfo) -> None:
    torch = pytest.importorskip("torch")
    case = _first(info)
    kwargs = dict(case.kwargs)  # NumPy arrays, as the first argument
    second = torch.asarray(case.args[1])
    message = _expect_error(
        lambda: _call(info, (case.args[0], second, *case.args[2:]), kwargs),
        ("numpy",),
        (TypeError,),
    )
    assert "torch" in message, message


# -- target shape ------------------------------------------------------------------------


def _shaped_target(info: LossInfo, case: Case) -> bool:
    names = _positional(info)
    return (
        _two_arrays(info, case)
        and len(names) >= 2
        and np.asarray(case.args[1]).ndim >= 1
        and np.asarray(case.args[1]).shape[-1] > 1
        and names[0] != "boxes1"  # pairwise: the shapes differ by design
        and names[0] not in ("real_logits", "u")  # two samples: their sizes may differ
    )


@pytest.mark.parametrize(("info", "lib"), _params(_shaped_target))
def test_target_of_the_wrong_shape_names_both(info: LossInfo, lib: str) -> None:
    case = _first(info)
    names = _positional(info)
    args, kwargs = _convert(lib, case)
    short = _to(lib)(np.asarray(case.args[1])[..., :-1])
    _expect_error(
        lambda: _call(info, (args[0], short, *args[2:]), kwargs),
        (names[0], names[1]),
        (ValueError,),
    )


# -- labels outside the classes ------------------------------------------------------------


def _class_labels(info: LossInfo, case: Case) -> bool:
    params = _signature(info).parameters
    return (
        _two_arrays(info, case)
        and np.asarray(case.args[1]).dtype.kind in "iu"
        and "axis" in params
        and info.family in ("classification", "segmentation", "metrics")
        and np.asarray(case.args[1]).ndim < np.asarray(case.args[0]).ndim
    )


@pytest.mark.parametrize(("info", "lib"), _params(_class_labels))
def test_label_outside_the_classes_is_a_value_error(info: LossInfo, lib: str) -> None:
    case = _first(info)
    names = _positional(info)
    axis = case.kwargs.get("axis", _signature(info).parameters["axis"].default)
    classes = np.asarray(case.args[0]).shape[axis]
    bad = np.array(case.args[1], copy=True)
    bad.reshape(-1)[0] = classes + 3
    args, kwargs = _convert(lib, case)
    _expect_error(
        lambda: _call(info, (args[0], _to(lib)(bad), *args[2:]), kwargs),
        (names[1], "num_classes"),
        (ValueError,),
    )


BINARY = (
    "binary_cross_entropy",
    "binary_focal_loss",
    "binary_poly1_focal_loss",
    "hinge_loss",
    "squared_hinge_loss",
    "lovasz_hinge_loss",
)


@pytest.mark.parametrize(
    ("info", "lib"),
    [
        pytest.param(i, lib, id=f"{i.name}-{lib}")
        for i in LOSSES
        if i.name in BINARY
        for lib in LIBS
    ],
)
def test_integer_binary_target_outside_0_1_is_a_value_error(info: LossInfo, lib: str) -> None:
    """Integer binary targets are 0 or 1 (hinge losses also take -1); 2 is a mistake."""
    case = _first(info)
    names = _positional(info)
    labels = np.round(np.asarray(case.args[1])).astype(np.int64)
    labels.reshape(-1)[0] = 2
    args, kwargs = _convert(lib, case)
    _expect_error(
        lambda: _call(info, (args[0], _to(lib)(labels), *args[2:]), kwargs),
        (names[1],),
        (ValueError,),
    )


# -- options --------------------------------------------------------------------------------


def _has(name: str) -> Callable[[LossInfo, Case], bool]:
    return lambda info, case: name in _signature(info).parameters


@pytest.mark.parametrize(("info", "lib"), _params(_has("reduction")))
def test_unknown_reduction_lists_the_valid_ones(info: LossInfo, lib: str) -> None:
    case = _first(info)
    args, kwargs = _convert(lib, case)
    message = _expect_error(
        lambda: _call(info, args, {**kwargs, "reduction": "avg"}), ("reduction",), (ValueError,)
    )
    assert "'mean'" in message
    assert "'avg'" in message


@pytest.mark.parametrize(("info", "lib"), _params(_has("axis")))
def test_axis_out_of_range_is_a_value_error(info: LossInfo, lib: str) -> None:
    case = _first(info)
    args, kwargs = _convert(lib, case)
    _expect_error(lambda: _call(info, args, {**kwargs, "axis": 11}), ("axis",), (ValueError,))


@pytest.mark.parametrize(("info", "lib"), _params(_has("class_weights")))
def test_balanced_class_weights_work_or_are_refused_clearly(info: LossInfo, lib: str) -> None:
    case = _first(info)
    args, kwargs = _convert(lib, case)
    kwargs = {**kwargs, "class_weights": "balanced"}
    try:
        out = _call(info, args, kwargs)
    except Exception:
        _expect_error(lambda: _call(info, args, kwargs), ("class_weights",))
    else:
        assert math.isfinite(float(np.sum(np.asarray(out))))


# -- empty batch --------------------------------------------------------------------------


def _batched(info: LossInfo, case: Case) -> bool:
    return bool(case.args) and is_array(case.args[0]) and np.asarray(case.args[0]).ndim >= 2


def _empty(case: Case) -> Case:
    n = np.asarray(case.args[0]).shape[0]

    def cut(a: Any) -> Any:
        return np.asarray(a)[:0] if is_array(a) and np.ndim(a) and np.shape(a)[0] == n else a

    return Case(
        case.label, tuple(cut(a) for a in case.args), {k: cut(v) for k, v in case.kwargs.items()}
    )


@pytest.mark.parametrize(("info", "lib"), _params(_batched))
def test_empty_batch_is_zero_or_a_clear_error(info: LossInfo, lib: str) -> None:
    """One rule: a batch of no samples has nothing to average; its mean and sum are 0.

    Utilities and metrics that cannot give a number for no input raise a ValueError
    naming the argument instead; nothing may crash inside a backend.
    """
    case = _empty(_first(info))
    args, kwargs = _convert(lib, case)
    params = _signature(info).parameters
    if "reduction" in params:
        kwargs = {**kwargs, "reduction": "mean"}
    try:
        out = _call(info, args, kwargs)
    except Exception:
        _expect_error(lambda: _call(info, args, kwargs), tuple(_positional(info)[:2]) or ("",))
        return
    value = np.asarray(out.detach() if hasattr(out, "detach") else out, dtype=np.float64)
    assert np.all(np.isfinite(value)), value
    if "reduction" in params and info.family != "metrics":
        assert value.shape == (), value.shape
        assert value == 0.0, value
