"""Independent float64 NumPy reference implementations of the losses.

Written from the papers' and torch's documented definitions, as plainly as
possible (loops where they read more clearly), in float64. They share nothing with
``arrayloss``: no log-space tricks unless the textbook formula would overflow in
float64 for the small, moderate inputs the value tests use.

Every classification/segmentation reference takes the class axis ``axis`` and
moves it last first, so the formulas index ``[..., c]``.

Reductions follow one rule (CONVENTIONS section 4), implemented in
:func:`weighted_reduce`: ``"mean"`` is ``sum(w * l) / sum(w * d)`` where ``d`` is
each element's share of the denominator (1, or the class weight ``w_{y_i}`` for
cross-entropy, 0 for an ignored position); a zero denominator gives 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

__all__ = [
    "REDUCTIONS",
    "TOLERANCE",
    "assert_close",
    "call_all_reductions",
    "compare_reductions",
    "is_light",
    "only_subset",
    "require_dtype",
    "round_to",
    "to_backend",
    "weighted_reduce",
]

LOG_CLAMP = -100.0  # torch.nn.functional.binary_cross_entropy's floor on log p


# -- helpers -------------------------------------------------------------------------


def round_to(x: Any, dtype: str) -> np.ndarray:
    """``x`` rounded to ``dtype`` (float16/bfloat16/float32/float64), back in float64.

    bfloat16 is float32 with the low 16 bits rounded off (round half to even),
    done on the bit pattern so no bfloat16-aware library is needed.
    """
    x = np.asarray(x, dtype=np.float64)
    if dtype == "bfloat16":
        bits = x.astype(np.float32).view(np.uint32).astype(np.uint64)
        bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
        return bits.astype(np.uint32).view(np.float32).astype(np.float64)
    return x.astype(dtype).astype(np.float64)


def _f64(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _class_last(x: Any, axis: int) -> np.ndarray:
    return np.moveaxis(_f64(x), axis, -1)


def softmax(x: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, textbook ``exp(x_c) / sum_k exp(x_k)``."""
    e = np.exp(_f64(x))
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(x: np.ndarray) -> np.ndarray:
    """``log softmax`` over the last axis: ``x_c - log sum_k exp(x_k)``."""
    x = _f64(x)
    return x - np.log(np.exp(x).sum(axis=-1, keepdims=True))


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-_f64(x)))


def log_sigmoid(x: np.ndarray) -> np.ndarray:
    """``log sigma(x) = -log(1 + exp(-x))`` (``log1p`` for accuracy when exp(-x) is tiny)."""
    return -np.log1p(np.exp(-_f64(x)))


def clamped_log(p: np.ndarray) -> np.ndarray:
    """``max(log p, -100)``, with ``log 0 = -inf`` clamped too (as torch does)."""
    p = _f64(p)
    out = np.full(p.shape, LOG_CLAMP)
    pos = p > 0
    out[pos] = np.maximum(np.log(p[pos]), LOG_CLAMP)
    return out


def weighted_reduce(
    loss: Any,
    reduction: str,
    weights: Any = None,
    denominator: Any = None,
) -> np.ndarray:
    """Reduce ``loss`` (the unreduced result before ``weights``).

    ``"none"``: ``w * l``; ``"sum"``: ``sum(w * l)``; ``"mean"``:
    ``sum(w * l) / sum(w * d)`` with ``d`` = ``denominator`` (default 1), and 0 when
    that total weight is 0.
    """
    loss = _f64(loss)
    w = np.broadcast_to(1.0 if weights is None else _f64(weights), loss.shape)
    d = np.broadcast_to(1.0 if denominator is None else _f64(denominator), loss.shape)
    if reduction == "none":
        return w * loss
    if reduction == "sum":
        return np.asarray(np.sum(w * loss))
    if reduction == "mean":
        total = np.sum(w * d)
        return np.asarray(0.0 if total == 0 else np.sum(w * loss) / total)
    raise ValueError(reduction)


# -- regression ------------------------------------------------------------------------


# -- classification --------------------------------------------------------------------


# -- segmentation ----------------------------------------------------------------------


# -- comparison ------------------------------------------------------------------------

# float64 results are held to float64 accuracy; float32 results (float32 inputs, and
# half inputs, which compute in float32) to float32 accuracy. atol only covers values
# that are themselves ~0 (a loss at its minimum, an ignored position).
TOLERANCE = {
    "float64": {"rtol": 1e-10, "atol": 1e-12},
    "float32": {"rtol": 1e-5, "atol": 1e-6},
}


REDUCTIONS = ("mean", "sum", "none")


def call_all_reductions(backend: Any, fn: Any, *arrays: Any, **kwargs: Any) -> dict[str, Any]:
    """``fn`` with every reduction, from one ``backend.call`` (one ``jax.jit`` trace)."""

    def every(*args: Any, **kw: Any) -> tuple[Any, ...]:
        return tuple(fn(*args, **kw, reduction=r) for r in REDUCTIONS)

    return dict(zip(REDUCTIONS, backend.call(every, *arrays, **kwargs), strict=True))


# Backends where every call is expensive: eager JAX compiles each primitive for each
# new shape and dtype, jax.jit compiles every test's function, Dask builds and runs a
# task graph. Value matrices run a representative subset there (one that still
# exercises every option); the full matrices run on NumPy, array-api-strict and
# torch, which share the code paths (portable gather on array-api-strict, native
# primitives on torch).
LIGHT_BACKENDS = ("jax", "jax-jit", "jax-gpu", "dask")


def is_light(backend: Any) -> bool:
    """Whether ``backend`` runs only the representative subset of a value matrix."""
    return backend.name in LIGHT_BACKENDS


def require_dtype(backend: Any, dtype: str) -> None:
    """Skip a dtype-contract test unless ``backend`` has ``dtype``.

    On the light backends float64 is skipped:
    every value test there already runs in float64 and checks the result dtype.
    """
    if dtype == "float64" and is_light(backend):
        pytest.skip(f"{backend.name}: float64 is covered by the value tests (runtime)")
    if dtype == "bfloat16" and not backend.has_bfloat16:
        pytest.skip(f"{backend.name} has no bfloat16")
    if dtype == "float16" and not backend.has_float16:
        pytest.skip(f"{backend.name} has no float16")


def assert_close(got: Any, want: Any, compute_dtype: str, err_msg: str = "") -> None:
    """``got`` equals the reference ``want`` to ``compute_dtype``'s tolerance."""
    np.testing.assert_allclose(
        np.asarray(got, dtype=np.float64),
        np.asarray(want, dtype=np.float64),
        err_msg=err_msg,
        **TOLERANCE[compute_dtype],
    )


def to_backend(backend: Any, value: Any, dtype: str) -> Any:
    """NumPy arrays become backend arrays (floats in ``dtype``); the rest pass through."""
    if not isinstance(value, np.ndarray):
        return value
    if np.issubdtype(value.dtype, np.floating):
        return backend.asarray(value, dtype)
    return backend.asarray(value)


def compare_reductions(
    backend: Any,
    fn: Any,
    ref_fn: Any,
    arrays: tuple[np.ndarray, ...],
    kwargs: dict[str, Any],
    unreduced: tuple[int, ...],
    dtype: str = "float64",
) -> None:
    """``fn`` on ``backend`` equals ``ref_fn`` (float64 NumPy) for every reduction."""
    compute = "float64" if dtype == "float64" else "float32"
    args = tuple(to_backend(backend, a, dtype) for a in arrays)
    kw = {k: to_backend(backend, v, dtype) for k, v in kwargs.items()}
    outs = call_all_reductions(backend, fn, *args, **kw)
    for reduction, out in outs.items():
        shape = unreduced if reduction == "none" else ()
        got = backend.check_result(out, dtype=backend.dtype(compute), shape=shape)
        want = ref_fn(*arrays, **kwargs, reduction=reduction)
        assert_close(got, want, compute, err_msg=f"reduction={reduction}")


def only_subset(backend: Any, key: Any, subset: set[Any]) -> None:
    """On the slow-per-call backends (``LIGHT_BACKENDS``) run only the keys in ``subset``."""
    if is_light(backend) and key not in subset:
        pytest.skip(f"{backend.name}: representative subset only (runtime)")
