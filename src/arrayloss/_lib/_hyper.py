"""Hyperparameters: continuous ones may be arrays, static ones may not (CONVENTIONS §10).

A *continuous* hyperparameter (``gamma``, ``alpha``, ``delta``, ``temperature``,
``label_smoothing``, ...) is a Python number or a scalar array of the inputs'
library: a traced scalar under ``jax.jit`` (a schedule), a tensor that requires
grad under torch (a learned temperature). :func:`continuous` checks it and returns
a Python float, or the array cast to the computation's dtype and device; its range
is checked only when its value can be read without a trace or a device sync.

A *static* hyperparameter changes shapes or control flow (``mode``, ``reduction``,
``axis``, ``num_classes``, iteration counts, ``kind``, ``k`` of top-k): a traced
array reaching one is a ``TypeError`` that says it must be static.

Loss code then computes with ``float | Array``: the array API's operators accept a
Python scalar on either side, so ``x * gamma`` works for both; functions such as
``log`` go through :func:`hyper_log` and friends, which use :mod:`math` for floats.
"""

from __future__ import annotations

import math
from typing import Any

from ._compat import (
    Array,
    Namespace,
    device_of,
    is_array,
    is_torch_namespace,
    library_name,
    values_readable,
)
from ._dtypes import is_floating, is_integer
from ._special import stop_gradient
from ._validation import check_number, require_static

__all__ = [
    "Hyper",
    "continuous",
    "hyper_array",
    "hyper_exp",
    "hyper_log",
    "hyper_sqrt",
    "is_hyper_array",
    "require_static",
]

#: A checked continuous hyperparameter: a Python float or a 0-d array.
Hyper = float | Array


def continuous(
    value: object,
    name: str,
    like: Array,
    xp: Namespace,
    *,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> Hyper:
    """A continuous hyperparameter, checked: a float, or a 0-d array in ``like``'s dtype.

    Python numbers are range-checked and returned as ``float``. A scalar array must be
    of ``like``'s library and real-valued; its range is checked where its value is
    readable (eager host arrays) and it is returned cast to ``like``'s floating dtype
    on ``like``'s device, keeping its gradient.
    """
    if not is_array(value):
        return check_number(
            value,
            name,
            low=low,
            high=high,
            low_inclusive=low_inclusive,
            high_inclusive=high_inclusive,
        )
    arr: Any = value
    if library_name(arr) != library_name(like):
        raise TypeError(
            f"{name} must be a Python number or a scalar array of the inputs' library "
            f"({library_name(like)}), got a {library_name(arr)} array"
        )
    if len(tuple(arr.shape)) != 0:
        raise ValueError(
            f"{name} must be a Python number or a scalar (0-d) array, got an array of "
            f"shape {tuple(arr.shape)}"
        )
    if not (is_floating(arr, xp) or is_integer(arr, xp)):
        raise TypeError(f"{name} must be a real number, got an array of dtype {arr.dtype}")
    if values_readable(arr, xp):
        check_number(
            float(stop_gradient(arr, xp=xp)),  # no "requires_grad to scalar" warning
            name,
            low=low,
            high=high,
            low_inclusive=low_inclusive,
            high_inclusive=high_inclusive,
        )
    out = arr if arr.dtype == like.dtype else xp.astype(arr, like.dtype)
    if not is_torch_namespace(xp):
        return out  # JAX places (and batches, under vmap) by itself; NumPy has one device
    dev = device_of(like)
    return out if out.device == dev else out.to(dev)


def hyper_array(value: Hyper, like: Array, xp: Namespace) -> Array:
    """A checked hyperparameter as a 0-d array in ``like``'s dtype and device (for
    ``minimum``, ``maximum``, ``where``: the standard's functions take arrays)."""
    if isinstance(value, float):
        return xp.full((), value, dtype=like.dtype, device=device_of(like))
    return value


def is_hyper_array(value: Hyper) -> bool:
    """Whether a checked hyperparameter is an array (else a Python float)."""
    return not isinstance(value, float)


def hyper_log(value: Hyper, xp: Namespace) -> Hyper:
    """``log`` of a hyperparameter: :func:`math.log` for floats, ``xp.log`` for arrays."""
    return math.log(value) if isinstance(value, float) else xp.log(value)


def hyper_exp(value: Hyper, xp: Namespace) -> Hyper:
    """``exp`` of a hyperparameter: :func:`math.exp` for floats, ``xp.exp`` for arrays."""
    return math.exp(value) if isinstance(value, float) else xp.exp(value)


def hyper_sqrt(value: Hyper, xp: Namespace) -> Hyper:
    """``sqrt`` of a hyperparameter: :func:`math.sqrt` for floats, ``xp.sqrt`` for arrays."""
    return math.sqrt(value) if isinstance(value, float) else xp.sqrt(value)
