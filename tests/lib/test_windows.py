"""The private numerical primitives (``arrayloss._lib._primitives``).

Every native fast path equals the portable code on every backend, in value and (on
torch and JAX) in gradient, including at extreme inputs; both equal a float64 oracle
(SciPy, NumPy, or the derivative worked out by hand). ``take_along_axis`` and
``one_hot`` equal NumPy; ``log1mexp`` is accurate in float64 from ``-1e-300`` to
``-300``; ``stop_gradient`` blocks gradients.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from arrayloss._lib import _windows as P
from support.backends import Backend


def _xp(x: Any) -> Any:
    import array_api_compat

    return array_api_compat.array_namespace(x)


# -- 3-wide windows: window_extreme, cross_extreme, cross_sum ------------------------------
# (shape, axes): 1-D, 2-D, 3-D windows, channels-first and channels-last layouts, axes
# that are not adjacent, negative axes, sizes 1 and 2 along a window axis, and 4 axes
# (no torch pooling: the portable code)
WINDOW_CASES = {
    "1d": ((7,), (0,)),
    "1d-batched": ((2, 6, 3), (1,)),
    "1d-size1": ((3, 1), (-1,)),
    "1d-size2": ((2, 2), (1,)),
    "2d-nchw": ((2, 2, 5, 4), (2, 3)),
    "2d-nhwc": ((2, 5, 4, 3), (1, 2)),
    "2d-size1-size2": ((2, 1, 2, 3), (1, 2)),
    "2d-apart": ((4, 2, 5), (0, -1)),
    "3d-nhwdc": ((1, 4, 3, 5, 2), (1, 2, 3)),
    "3d-size2": ((2, 2, 3, 2), (0, 1, 2)),
    "4d": ((2, 3, 2, 3), (0, 1, 2, 3)),
}


# (primitive, kind, fill)
WINDOW_OPS = {
    "box-max": ("box", "max", None),
    "box-min": ("box", "min", None),
    "cross-min": ("cross", "min", None),
    "cross-max": ("cross", "max", None),
    "cross-min-fill0": ("cross", "min", 0.0),
    "cross-max-fill": ("cross", "max", 0.25),
    "cross-sum": ("cross", "sum", 0.0),
}


def _window_offsets(n_axes: int, shape: str) -> list[tuple[int, ...]]:
    """Every offset of the 3-wide box, or of the cross (at most one nonzero)."""
    box = [()]
    for _ in range(n_axes):
        box = [(*o, s) for o in box for s in (-1, 0, 1)]
    return box if shape == "box" else [o for o in box if sum(map(abs, o)) <= 1]


def _window_oracle(
    data: np.ndarray, axes: tuple[int, ...], op: str, cot: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Float64 brute force: the window's value at every position, and the gradient of
    ``sum(cot * out)`` (min/max: each position's cotangent goes to its window's
    extreme; sum: to every member of its window)."""
    shape, kind, fill = WINDOW_OPS[op]
    axes = tuple(a % data.ndim for a in axes)
    out = np.empty(data.shape)
    grad = np.zeros(data.shape)
    for idx in np.ndindex(*data.shape):
        members: list[tuple[float, tuple[int, ...] | None]] = []
        for off in _window_offsets(len(axes), shape):
            pos = list(idx)
            for a, o in zip(axes, off, strict=True):
                pos[a] += o
            if all(0 <= pos[a] < data.shape[a] for a in axes):
                members.append((float(data[tuple(pos)]), tuple(pos)))
            elif fill is not None:
                members.append((fill, None))  # outside: the fill, no gradient
        if kind == "sum":
            out[idx] = sum(v for v, _ in members)
            for _, pos in members:
                if pos is not None:
                    grad[pos] += cot[idx]
        else:
            pick = (min if kind == "min" else max)(members, key=lambda m: m[0])
            out[idx] = pick[0]
            if pick[1] is not None:
                grad[pick[1]] += cot[idx]
    return out, grad


def _window_call(op: str, x: Any, axes: tuple[int, ...], xp: Any, native: bool) -> Any:
    shape, kind, fill = WINDOW_OPS[op]
    if kind == "sum":
        return P.cross_sum(x, axes, xp=xp, native=native)
    if shape == "box":
        return P.window_extreme(x, axes, kind=kind, xp=xp, native=native)
    return P.cross_extreme(x, axes, kind=kind, fill=fill, xp=xp, native=native)


def _window_data(shape: tuple[int, ...], seed: int = 6) -> np.ndarray:
    """Distinct values (no ties in any window), none equal to a fill."""
    rng = np.random.default_rng(seed)
    return rng.permutation(np.arange(1.0, math.prod(shape) + 1.0)).reshape(shape)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op", list(WINDOW_OPS))
@pytest.mark.parametrize("case", list(WINDOW_CASES))
def test_window_native_equals_portable_and_bruteforce(
    backend: Backend, case: str, op: str, dtype: str
) -> None:
    shape, axes = WINDOW_CASES[case]
    rng = np.random.default_rng(7)
    data = rng.normal(size=shape).astype(dtype).astype(np.float64)
    want, _ = _window_oracle(data, axes, op, np.zeros(shape))
    x = backend.asarray(data, dtype)
    got = {
        native: backend.check_result(
            backend.call(lambda x, n=native: _window_call(op, x, axes, backend.xp, n), x),
            dtype=backend.dtype(dtype),
            shape=shape,
        )
        for native in (True, False)
    }
    if WINDOW_OPS[op][1] == "sum":
        # at most 7 terms added in another order: a few ulps of the sum of |terms|
        eps = float(np.finfo(dtype).eps)
        scale, _ = _window_oracle(np.abs(data), axes, op, np.zeros(shape))
        for native in (True, False):
            assert np.all(np.abs(got[native] - want) <= 8 * eps * scale), f"native={native}"
        assert np.all(np.abs(got[True] - got[False]) <= 8 * eps * scale), "native vs portable"
    else:
        # min and max round nothing: exact on every path
        for native in (True, False):
            np.testing.assert_array_equal(got[native], want, err_msg=f"native={native}")


def _window_vjp(
    framework: str, op: str, data: np.ndarray, axes: tuple[int, ...], cot: np.ndarray, native: bool
) -> np.ndarray:
    if framework == "torch":
        import torch

        x = torch.asarray(data).requires_grad_(True)
        out = _window_call(op, x, axes, _xp(x), native)
        (grad,) = torch.autograd.grad(torch.sum(out * torch.asarray(cot)), x)
        assert grad.dtype == x.dtype
        assert tuple(grad.shape) == data.shape
        return np.asarray(grad.numpy())
    import jax

    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    x = jnp.asarray(data)
    c = jnp.asarray(cot)
    xp = _xp(x)
    grad = jax.jit(jax.grad(lambda x: jnp.sum(_window_call(op, x, axes, xp, native) * c)))(x)
    assert grad.dtype == x.dtype
    assert tuple(grad.shape) == data.shape
    return np.asarray(grad)


@pytest.mark.parametrize("op", list(WINDOW_OPS))
@pytest.mark.parametrize("case", list(WINDOW_CASES))
@pytest.mark.parametrize("framework", ["torch", "jax"])
def test_window_gradient_native_equals_portable_and_bruteforce(
    framework: str, case: str, op: str
) -> None:
    """On data without ties the subgradient is unique: every path must give it."""
    pytest.importorskip(framework)
    shape, axes = WINDOW_CASES[case]
    data = _window_data(shape) / 7.0
    cot = np.random.default_rng(8).normal(size=shape)
    _, want = _window_oracle(data, axes, op, cot)
    for native in (True, False):
        got = _window_vjp(framework, op, data, axes, cot, native)
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-13, err_msg=f"native={native}")


def test_window_kind_is_checked() -> None:
    x = np.zeros((2, 3))
    xp = _xp(x)
    for fn in (P.window_extreme, P.cross_extreme):
        with pytest.raises(ValueError, match="kind must be one of 'min', 'max'"):
            fn(x, (1,), kind="mean", xp=xp)


@pytest.mark.parametrize("op", ["box-max", "cross-min-fill0", "cross-sum"])
def test_window_no_axes_and_empty_input_are_the_identity(backend: Backend, op: str) -> None:
    data = np.random.default_rng(9).normal(size=(2, 3))
    x = backend.asarray(data)
    out = backend.call(lambda x: _window_call(op, x, (), backend.xp, True), x)
    np.testing.assert_array_equal(backend.check_result(out, dtype=x.dtype, shape=(2, 3)), data)
    empty = backend.asarray(np.zeros((0, 3)))
    for native in (True, False):
        out = backend.call(lambda x, n=native: _window_call(op, x, (1,), backend.xp, n), empty)
        backend.check_result(out, dtype=empty.dtype, shape=(0, 3))
