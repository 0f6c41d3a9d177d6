"""Argument checks with uniform messages (CONVENTIONS section 9).

Every message names the argument, what it got and what is allowed. Shape, dtype
and option checks always run (shapes are static under every transformation);
checks that need array *values* run only where :func:`values_readable` says the
values can be read without a trace, a device sync or a graph break.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
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

__all__ = [
    "check_axis",
    "check_choice",
    "check_labels_in_range",
    "check_number",
    "check_same_shape",
    "normalize_axis",
    "require_static",
]


def require_static(value: object, name: str) -> None:
    """``TypeError`` if an array (a tracer, a tensor) reaches a static hyperparameter."""
    if is_array(value):
        raise TypeError(
            f"{name} must be static (a Python value), got a {library_name(value)} array "
            f"{type(value).__name__}: it changes shapes or control flow, so it cannot be "
            f"traced; under jax.jit pass it in static_argnames (or close over it)"
        )


def check_choice(value: object, name: str, allowed: Sequence[object]) -> None:
    """Raise ``ValueError`` unless ``value`` is one of ``allowed`` (a Python value)."""
    require_static(value, name)
    if value not in allowed:
        options = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {options}; got {value!r}")


def check_number(
    value: object,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> float:
    """Check a Python scalar hyperparameter and return it as a float.

    Raises ``TypeError`` for non-numbers (including ``bool`` and arrays) and
    ``ValueError`` for NaN or values outside the interval.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    number = float(value)
    lo_ok = low is None or (number >= low if low_inclusive else number > low)
    hi_ok = high is None or (number <= high if high_inclusive else number < high)
    if math.isnan(number) or not (lo_ok and hi_ok):
        left = "-inf" if low is None else f"{low:g}"
        right = "inf" if high is None else f"{high:g}"
        bracket_l = "[" if low_inclusive and low is not None else "("
        bracket_r = "]" if high_inclusive and high is not None else ")"
        raise ValueError(f"{name} must be in {bracket_l}{left}, {right}{bracket_r}; got {value!r}")
    return number


def normalize_axis(axis: object, ndim: int, name: str = "axis") -> int:
    """Return ``axis`` as a non-negative index into an array of rank ``ndim``."""
    require_static(axis, name)
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise TypeError(f"{name} must be an int, got {type(axis).__name__}")
    if not -ndim <= axis < ndim:
        raise ValueError(
            f"{name}={axis} is out of range for an input with {ndim} dimension(s); "
            f"allowed: {-ndim} to {ndim - 1}"
        )
    return axis % ndim


check_axis = normalize_axis


def check_same_shape(a: Array, b: Array, name_a: str, name_b: str) -> None:
    """Raise ``ValueError`` unless ``a`` and ``b`` have the same shape."""
    if tuple(a.shape) != tuple(b.shape):
        raise ValueError(
            f"{name_b} must have the same shape as {name_a}: {name_a} has shape "
            f"{tuple(a.shape)}, {name_b} has shape {tuple(b.shape)}"
        )


def check_target_dtype(target: Array, name: str, xp: Namespace) -> None:
    """Raise ``TypeError`` unless ``target`` is floating, integer or boolean."""
    if not (is_floating(target, xp) or is_integer(target, xp) or target.dtype == xp.bool):
        raise TypeError(
            f"{name} must be a floating, integer or boolean array, got dtype {target.dtype}"
        )


def check_labels_in_range(
    labels: Array, num_classes: int, ignore_index: int | None, name: str, xp: Namespace
) -> bool:
    """Raise ``ValueError`` for a label outside ``[0, num_classes)`` (ignored ones aside).

    Runs only where the values are readable (eager host arrays). Elsewhere the
    losses turn an out-of-range label into NaN, so it cannot pass silently.
    Returns whether the labels were checked (and so are all valid).
    """
    if not values_readable(labels, xp):
        return False
    if math.prod([int(n) for n in labels.shape]) == 0:
        return True  # nothing to check (and min/max of an empty array raise)
    if ignore_index is not None:
        # ignored positions read as class 0, so one min/max pass checks the rest
        zero = xp.zeros((), dtype=labels.dtype, device=device_of(labels))
        values = xp.where(labels == ignore_index, zero, labels)
    else:
        values = labels
    # one fused min/max and two reads, not a 5-op range mask + any (overhead probe)
    if is_torch_namespace(xp):
        # eager CPU labels (readable above): so is their min/max
        lo, hi = sys.modules["torch"].aminmax(values)
    else:
        lo, hi = xp.min(values), xp.max(values)
        if not values_readable(lo, xp):
            return False  # concrete labels closed over by jax.jit give a traced result
    if int(lo) < 0 or int(hi) >= num_classes:
        allowed = f"0 to {num_classes - 1}"
        if ignore_index is not None:
            allowed += f", or ignore_index={ignore_index}"
        raise ValueError(
            f"{name} contains class indices outside the {num_classes} classes of the "
            f"class axis (min {int(xp.min(labels))}, max {int(xp.max(labels))}); "
            f"allowed: {allowed}"
        )
    return True


def check_ignore_index(ignore_index: object) -> int | None:
    """``ignore_index`` must be ``None`` or a Python int."""
    if ignore_index is None:
        return None
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, int):
        raise TypeError(f"ignore_index must be None or an int, got {type(ignore_index).__name__}")
    return ignore_index


def check_static_shape(x: Array, name: str) -> tuple[int, ...]:
    """The shape of ``x`` as Python ints; unknown (lazy) sizes are an error."""
    shape: tuple[Any, ...] = tuple(x.shape)
    if any(s is None or (isinstance(s, float) and math.isnan(s)) for s in shape):
        raise ValueError(f"{name} must have a known shape, got {shape}")
    return tuple(int(s) for s in shape)
