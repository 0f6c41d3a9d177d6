"""The private numerical primitives (``arrayloss._lib._primitives``).

Every native fast path equals the portable code on every backend, in value and (on
torch and JAX) in gradient, including at extreme inputs; both equal a float64 oracle
(SciPy, NumPy, or the derivative worked out by hand). ``take_along_axis`` and
``one_hot`` equal NumPy; ``log1mexp`` is accurate in float64 from ``-1e-300`` to
``-300``; ``stop_gradient`` blocks gradients.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import scipy.special as sps

from arrayloss._lib import _special as P
from support.backends import Backend


def _assert_grad_close(
    got: np.ndarray, want: np.ndarray, data: np.ndarray, dtype: str, msg: str
) -> None:
    """A few ulps relative, times the largest ``|x|`` of the row.

    A backward pass that uses the rounded forward value (``exp(x - logsumexp(x))``)
    inherits its absolute error, ``eps * |x|``, as a relative error.
    """
    eps = float(np.finfo(dtype).eps)
    finite = np.where(np.isfinite(data), np.abs(data), 0.0)
    row = np.max(finite, axis=-1, keepdims=True)
    bound = 8 * eps * (np.abs(want) * (1 + row) + np.abs(want).max())
    err = np.abs(got - want)
    bad = ~(err <= bound)
    assert not np.any(bad), (
        f"{msg}: gradient off by up to {np.max(err[bad] / bound[bad]):.3g}x its bound at "
        f"{np.argwhere(bad)[:5].tolist()}; got {got[bad][:5]}, want {want[bad][:5]}"
    )


def _assert_close(
    got: np.ndarray,
    want: np.ndarray,
    name: str,
    data: np.ndarray,
    dtype: str,
    axis: int = -1,
    msg: str = "",
) -> None:
    """Within a few ulps of ``dtype``, scaled by the conditioning of primitive ``name``.

    ``x - logsumexp(x)`` carries the absolute rounding error of the largest ``|x|`` in
    its row (1e-3 at 1e4 in float32), softmax the relative error ``eps * |x - max|``;
    the elementwise primitives are accurate to a few ulps relative.
    """
    eps = float(np.finfo(dtype).eps)
    tiny = float(np.finfo(dtype).tiny)
    finite = np.where(np.isfinite(data), np.abs(data), 0.0)
    row = np.max(finite, axis=axis, keepdims=True)
    if name == "logsumexp":
        bound = 8 * eps * (np.abs(want) + np.squeeze(row, axis))
    elif name == "log_softmax":
        bound = 8 * eps * (np.abs(want) + row)
    elif name == "softmax":
        bound = 8 * eps * np.abs(want) * (1 + 2 * row) + tiny
    else:
        bound = 8 * eps * np.abs(want) + tiny
    same_inf = np.isinf(want) & (got == want)
    err = np.abs(np.where(same_inf, 0.0, got) - np.where(same_inf, 0.0, want))
    bad = ~(err <= bound)
    assert not np.any(bad), (
        f"{msg}: {name} off by up to {np.max(err[bad] / bound[bad]):.3g}x its bound at "
        f"{np.argwhere(bad)[:5].tolist()}; got {got[bad][:5]}, want {want[bad][:5]}"
    )


# -- oracles -----------------------------------------------------------------------------
def _softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


# name -> (primitive, takes an axis, float64 oracle, vector-Jacobian product oracle)
# The VJPs are the textbook derivatives, evaluated in float64 with SciPy.
def _vjp_logsumexp(x: np.ndarray, c: np.ndarray, axis: int) -> np.ndarray:
    return np.expand_dims(c, axis) * sps.softmax(x, axis=axis)


def _vjp_log_softmax(x: np.ndarray, c: np.ndarray, axis: int) -> np.ndarray:
    return c - sps.softmax(x, axis=axis) * np.sum(c, axis=axis, keepdims=True)


def _vjp_softmax(x: np.ndarray, c: np.ndarray, axis: int) -> np.ndarray:
    s = sps.softmax(x, axis=axis)
    return s * (c - np.sum(s * c, axis=axis, keepdims=True))


PRIMITIVES: dict[str, tuple[Callable[..., Any], bool, Callable[..., Any], Callable[..., Any]]] = {
    "logsumexp": (P.logsumexp, True, lambda x, a: sps.logsumexp(x, axis=a), _vjp_logsumexp),
    "log_softmax": (
        P.log_softmax,
        True,
        lambda x, a: sps.log_softmax(x, axis=a),
        _vjp_log_softmax,
    ),
    "softmax": (P.softmax, True, lambda x, a: sps.softmax(x, axis=a), _vjp_softmax),
    "sigmoid": (
        P.sigmoid,
        False,
        lambda x, a: sps.expit(x),
        lambda x, c, a: c * sps.expit(x) * sps.expit(-x),
    ),
    "log_sigmoid": (
        P.log_sigmoid,
        False,
        lambda x, a: sps.log_expit(x),
        lambda x, c, a: c * sps.expit(-x),
    ),
    "softplus": (P.softplus, False, lambda x, a: _softplus(x), lambda x, c, a: c * sps.expit(x)),
}


NAMES = list(PRIMITIVES)


def _call(name: str, x: Any, axis: int, xp: Any, native: bool) -> Any:
    fn, has_axis, _, _ = PRIMITIVES[name]
    if has_axis:
        return fn(x, axis, xp=xp, native=native)
    return fn(x, xp=xp, native=native)


def _out_shape(name: str, shape: tuple[int, ...], axis: int) -> tuple[int, ...]:
    if name != "logsumexp":
        return shape
    axis %= len(shape)
    return shape[:axis] + shape[axis + 1 :]


def _data(dtype: str) -> np.ndarray:
    """Moderate values, saturating ones and +-1e4, representable in ``dtype``."""
    rng = np.random.default_rng(0)
    x = rng.normal(scale=3.0, size=(4, 6))
    x[0, :3] = [1e4, -1e4, 0.0]
    x[1, :] = [-1e4, -1e4, -1e4, -1e4, -1e4, 50.0]
    x[2, :2] = [30.0, -30.0]
    x[3, :] = [1e4, 1e4 - 1, 1e4 - 2, 1e4, 1e4, 1e4]
    return x.astype(dtype).astype(np.float64)


def _with_neg_inf() -> np.ndarray:
    """``-inf`` entries in rows (and columns) that each keep a finite entry."""
    x = np.random.default_rng(1).normal(size=(3, 4))
    x[0, 1] = -np.inf
    x[1, [0, 2, 3]] = -np.inf
    x[2, 3] = -np.inf
    return x


# -- values: native == portable == oracle ----------------------------------------------------
# the reductions along both axes; the elementwise ones need no axis
NAME_AXIS = [(n, ax) for n in NAMES for ax in ((-1, 0) if PRIMITIVES[n][1] else (-1,))]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("name", "axis"), NAME_AXIS)
def test_native_equals_portable_and_oracle(
    backend: Backend, name: str, axis: int, dtype: str
) -> None:
    data = _data(dtype)
    x = backend.asarray(data, dtype)
    shape = _out_shape(name, data.shape, axis)
    got = {
        native: backend.check_result(
            backend.call(lambda x, n=native: _call(name, x, axis, backend.xp, n), x),
            dtype=backend.dtype(dtype),
            shape=shape,
        )
        for native in (True, False)
    }
    want = PRIMITIVES[name][2](data, axis)
    for native in (True, False):
        assert np.all(np.isfinite(got[native]))
        _assert_close(got[native], want, name, data, dtype, axis, f"native={native}")
    _assert_close(got[True], got[False], name, data, dtype, axis, "native vs portable")


@pytest.mark.parametrize("keepdims", [False, True])
def test_logsumexp_keepdims(backend: Backend, keepdims: bool) -> None:
    data = _data("float64")
    x = backend.asarray(data)
    want = sps.logsumexp(data, axis=1, keepdims=keepdims)
    for native in (True, False):
        out = backend.call(
            lambda x, n=native: P.logsumexp(x, 1, xp=backend.xp, keepdims=keepdims, native=n), x
        )
        got = backend.check_result(out, dtype=x.dtype, shape=want.shape)
        squeeze = (lambda a: np.squeeze(a, 1)) if keepdims else (lambda a: a)
        _assert_close(squeeze(got), squeeze(want), "logsumexp", data, "float64", 1)


@pytest.mark.parametrize("name", ["logsumexp", "log_softmax", "softmax"])
def test_neg_inf_entries_in_rows_with_a_finite_entry(backend: Backend, name: str) -> None:
    data = _with_neg_inf()
    x = backend.asarray(data)
    want = PRIMITIVES[name][2](data, -1)
    for native in (True, False):
        out = backend.call(lambda x, n=native: _call(name, x, -1, backend.xp, n), x)
        got = backend.check_result(out, dtype=x.dtype, shape=want.shape)
        assert not np.any(np.isnan(got))
        _assert_close(got, want, name, data, "float64", msg=f"native={native}")


# -- gradients on torch and JAX ----------------------------------------------------------
def _torch_vjp(name: str, data: np.ndarray, cot: np.ndarray, dtype: str, native: bool) -> Any:
    import torch

    x = torch.asarray(data, dtype=getattr(torch, dtype)).requires_grad_(True)
    out = _call(name, x, -1, _xp(x), native)
    (grad,) = torch.autograd.grad(torch.sum(out * torch.asarray(cot, dtype=out.dtype)), x)
    assert grad.dtype == x.dtype
    assert grad.device == x.device
    assert tuple(grad.shape) == data.shape
    return grad.numpy().astype(np.float64)


def _jax_vjp(name: str, data: np.ndarray, cot: np.ndarray, dtype: str, native: bool) -> Any:
    import array_api_compat
    import jax

    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    x = jnp.asarray(data, dtype=dtype)
    xp = array_api_compat.array_namespace(x)
    c = jnp.asarray(cot, dtype=dtype)
    grad = jax.jit(jax.grad(lambda x: jnp.sum(_call(name, x, -1, xp, native) * c)))(x)
    assert grad.dtype == x.dtype
    assert grad.devices() == x.devices()
    assert tuple(grad.shape) == data.shape
    return np.asarray(grad, dtype=np.float64)


VJPS = {"torch": _torch_vjp, "jax": _jax_vjp}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("framework", ["torch", "jax"])
def test_native_gradient_equals_portable_and_oracle(framework: str, name: str, dtype: str) -> None:
    pytest.importorskip(framework)
    data = _data(dtype)
    shape = _out_shape(name, data.shape, -1)
    cot = np.random.default_rng(2).normal(size=shape).astype(dtype).astype(np.float64)
    got = {native: VJPS[framework](name, data, cot, dtype, native) for native in (True, False)}
    want = PRIMITIVES[name][3](data, cot, -1)
    # float32: the gradient of a float32 value, relative to the largest entry
    for native in (True, False):
        assert np.all(np.isfinite(got[native]))
        _assert_grad_close(got[native], want, data, dtype, f"native={native}")
    _assert_grad_close(got[True], got[False], data, dtype, "native vs portable")


@pytest.mark.parametrize("name", ["logsumexp", "log_softmax", "softmax"])
@pytest.mark.parametrize("framework", ["torch", "jax"])
def test_neg_inf_entries_have_finite_gradient(framework: str, name: str) -> None:
    pytest.importorskip(framework)
    data = _with_neg_inf()
    cot = np.random.default_rng(3).normal(size=_out_shape(name, data.shape, -1))
    want = PRIMITIVES[name][3](data, cot, -1)
    assert np.all(np.isfinite(want))
    for native in (True, False):
        got = VJPS[framework](name, data, cot, "float64", native)
        _assert_grad_close(got, want, data, "float64", f"native={native}")


# -- take_along_axis and one_hot ---------------------------------------------------------------
# the losses hand it int32 or int64 indices (torch.gather takes no other dtype)
@pytest.mark.parametrize("index_dtype", ["int64", "int32"])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_take_along_axis_equals_numpy(backend: Backend, axis: int, index_dtype: str) -> None:
    rng = np.random.default_rng(4)
    data = rng.normal(size=(3, 5, 4))
    index = rng.integers(0, data.shape[axis], size=np.delete(data.shape, axis % 3))
    want = np.squeeze(np.take_along_axis(data, np.expand_dims(index, axis), axis), axis)
    x = backend.asarray(data, "float32")
    idx = backend.asarray(index.astype(index_dtype))
    out = backend.call(lambda x, i: P.take_along_axis(x, i, axis, xp=backend.xp), x, idx)
    got = backend.check_result(out, dtype=x.dtype, shape=want.shape)
    np.testing.assert_array_equal(got, want.astype(np.float32))


@pytest.mark.parametrize("dtype", ["bool", "float32", "float64"])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_one_hot_equals_numpy(backend: Backend, axis: int, dtype: str) -> None:
    labels = np.array([[0, 3, 1], [2, 4, 3]])
    labels_bad = labels.copy()
    labels_bad[1, 1] = 5  # out of range: an all-zero row
    labels_bad[0, 2] = -1
    want = np.moveaxis(np.eye(5, dtype=dtype)[labels], -1, axis)
    want_bad = np.moveaxis(
        np.concatenate([np.eye(5, dtype=dtype), np.zeros((1, 5), dtype=dtype)])[
            np.where((labels_bad >= 0) & (labels_bad < 5), labels_bad, 5)
        ],
        -1,
        axis,
    )
    for lab, expected in ((labels, want), (labels_bad, want_bad)):
        y = backend.asarray(lab)
        out = backend.call(
            lambda y: P.one_hot(y, 5, axis, dtype=backend.dtype(dtype), xp=backend.xp), y
        )
        got = backend.check_result(out, dtype=backend.dtype(dtype), shape=expected.shape)
        np.testing.assert_array_equal(got, expected)


# -- log1mexp ---------------------------------------------------------------------------------
def _log1mexp_reference(a: np.ndarray) -> np.ndarray:
    """``log(1 - e^a)`` in float64, to a few ulps.

    ``np.log(-np.expm1(a))`` above ``-log 2``, where the log's argument is at most 1/2
    and the log well conditioned. Below, that argument rounds near 1 and the form loses
    relative accuracy (1e-14 at ``a = -5``, everything at ``-40``); there the series
    ``log(1 - u) = -sum_k u^k / k`` with ``u = e^a <= 1/2`` converges in 64 terms.
    """
    cut = -np.log(2.0)
    near = np.log(-np.expm1(np.maximum(a, cut)))
    u = np.exp(np.minimum(a, cut))
    series = -sum(u**k / k for k in range(64, 0, -1))  # smallest terms first
    return np.where(a > cut, near, series)


def _log1mexp_grid() -> np.ndarray:
    tiny = -np.logspace(-300, -1, 150)
    wide = -np.logspace(-1, np.log10(700.0), 150)
    cut = -np.log(2.0)
    return np.concatenate([tiny, wide, [cut, np.nextafter(cut, 0), np.nextafter(cut, -1)]])


def test_log1mexp_float64_wide_range(backend: Backend) -> None:
    a = _log1mexp_grid()
    want = _log1mexp_reference(a)
    out = backend.call(lambda a: P.log1mexp(a, xp=backend.xp), backend.asarray(a))
    got = backend.check_result(out, dtype=backend.dtype("float64"), shape=a.shape)
    assert np.all(np.isfinite(got))
    # XLA's CPU log1p is accurate to about 120 ulps in float64 (2.7e-14 relative at
    # log1p(-0.48)), NumPy's and torch's to a few
    rtol = 4e-14 if backend.name.startswith("jax") else 4e-15
    np.testing.assert_allclose(got, want, rtol=rtol, atol=0)


def test_log1mexp_reference_agrees_with_expm1_form() -> None:
    """The series half of the reference equals ``np.log(-np.expm1(a))`` to that form's
    own accuracy, ``eps / |log(1 - e^a)|``."""
    a = -np.linspace(np.log(2.0), 30.0, 500)
    want = np.log(-np.expm1(a))
    err = np.abs(_log1mexp_reference(a) / want - 1)
    assert np.all(err <= 4 * np.finfo(np.float64).eps / np.abs(want))


def test_log1mexp_float32(backend: Backend) -> None:
    a = -np.logspace(-30, 2, 100).astype(np.float32)
    want = _log1mexp_reference(a.astype(np.float64))
    out = backend.call(lambda a: P.log1mexp(a, xp=backend.xp), backend.asarray(a, "float32"))
    got = backend.check_result(out, dtype=backend.dtype("float32"), shape=a.shape)
    # XLA flushes float32 subnormals to zero: results below the normal range may be 0
    np.testing.assert_allclose(got, want, rtol=2e-6, atol=float(np.finfo(np.float32).tiny))


@pytest.mark.parametrize("framework", ["torch", "jax"])
def test_log1mexp_gradient(framework: str) -> None:
    """d/da log(1 - e^a) = -1 / expm1(-a): finite on both sides of the branch cut."""
    pytest.importorskip(framework)
    a = _log1mexp_grid()
    want = -1.0 / np.expm1(-a)
    if framework == "torch":
        import torch

        x = torch.asarray(a).requires_grad_(True)
        (g,) = torch.autograd.grad(torch.sum(P.log1mexp(x, xp=_xp(x))), x)
        got = g.numpy()
    else:
        import jax

        jax.config.update("jax_enable_x64", True)
        x = jax.numpy.asarray(a)
        got = np.asarray(jax.grad(lambda x: jax.numpy.sum(P.log1mexp(x, xp=_xp(x))))(x))
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=0)


def _xp(x: Any) -> Any:
    import array_api_compat

    return array_api_compat.array_namespace(x)


# -- stop_gradient ------------------------------------------------------------------------------
def test_stop_gradient_is_the_identity_in_value(backend: Backend) -> None:
    data = np.random.default_rng(5).normal(size=(2, 3))
    x = backend.asarray(data, "float32")
    out = backend.call(lambda x: P.stop_gradient(x, xp=backend.xp), x)
    got = backend.check_result(out, dtype=x.dtype, shape=(2, 3))
    np.testing.assert_array_equal(got, data.astype(np.float32))


def test_stop_gradient_torch() -> None:
    torch = pytest.importorskip("torch")
    x = torch.asarray([1.5, -2.0, 3.0], dtype=torch.float64).requires_grad_(True)
    # d/dx [sg(x) * x] = sg(x) = x: the stopped factor contributes nothing
    (g,) = torch.autograd.grad(torch.sum(P.stop_gradient(x, xp=_xp(x)) * x), x)
    np.testing.assert_array_equal(g.numpy(), [1.5, -2.0, 3.0])
    (g,) = torch.autograd.grad(torch.sum(P.stop_gradient(x, xp=_xp(x)) ** 2) + 0 * torch.sum(x), x)
    np.testing.assert_array_equal(g.numpy(), [0.0, 0.0, 0.0])


def test_stop_gradient_jax() -> None:
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    x = jax.numpy.asarray([1.5, -2.0, 3.0])
    sg = P.stop_gradient
    g = jax.grad(lambda x: jax.numpy.sum(sg(x, xp=_xp(x)) * x))(x)
    np.testing.assert_array_equal(np.asarray(g), [1.5, -2.0, 3.0])
    g = jax.jit(jax.grad(lambda x: jax.numpy.sum(sg(x, xp=_xp(x)) ** 2)))(x)
    np.testing.assert_array_equal(np.asarray(g), [0.0, 0.0, 0.0])


@pytest.mark.parametrize("native", [True, False], ids=["native", "portable"])
def test_lgamma_native_and_portable_equal_scipy(backend: Backend, native: bool) -> None:
    # Student-t normalisers need log Gamma at z > 0 (robust_t_loss); SciPy is the oracle
    z = np.concatenate([np.geomspace(1e-3, 1.0, 12), np.linspace(1.5, 500.0, 12)])
    out = backend.call(lambda z: P.lgamma(z, xp=backend.xp, native=native), backend.asarray(z))
    got = backend.check_result(out, dtype=backend.dtype("float64"), shape=z.shape)
    np.testing.assert_allclose(got, sps.gammaln(z), rtol=1e-12, atol=1e-12)


# -- safe_power -----------------------------------------------------------------------------------
@pytest.mark.parametrize("exponent", [0.0, 0.25, 1.0, 2.0, 3.5])
def test_safe_power_values(backend: Backend, exponent: float) -> None:
    """``x ** g`` for ``x > 0``; 0 at 0 (1 for g = 0) and for a rounding below 0; NaN
    stays NaN. Reference: NumPy float64 ``power`` on the positive entries, by hand
    at the rest."""
    x = np.array([0.0, -1e-12, 1e-30, 0.3, 1.0, 2.5, np.nan])
    want = np.empty_like(x)
    want[2:] = np.power(x[2:], exponent)
    want[:2] = 1.0 if exponent == 0.0 else 0.0
    if exponent in (1.0, 2.0):  # plain products: the sign of -1e-12 survives
        want[1] = -1e-12 if exponent == 1.0 else 1e-24
    out = backend.call(lambda v: P.safe_power(v, exponent, xp=backend.xp), backend.asarray(x))
    got = backend.check_result(out, dtype=backend.dtype("float64"), shape=x.shape)
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=0)


@pytest.mark.parametrize("exponent", [0.25, 0.5, 2.0])
def test_safe_power_gradient_finite_at_zero(exponent: float) -> None:
    """d x^g / dx = g x^(g-1): the one-sided subgradient 0 at x = 0, not inf or NaN."""
    torch = pytest.importorskip("torch")
    x = torch.asarray(np.array([0.0, 0.3, 1.0, 2.5])).requires_grad_(True)
    (g,) = torch.autograd.grad(torch.sum(P.safe_power(x, exponent, xp=_xp(x))), x)
    want = np.array([0.0, *(exponent * np.array([0.3, 1.0, 2.5]) ** (exponent - 1.0))])
    np.testing.assert_allclose(g.numpy(), want, rtol=1e-14, atol=0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_cross_entropy_numpy_relative_accuracy(dtype: Any) -> None:
    # NumPy's in-place form against mpmath at 50 digits: hard labels, soft labels near
    # 1 (where the textbook x^+ - xy loses x(1 - y) to rounding), labels outside
    # [0, 1] (accepted, as in torch), saturated logits, 0
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 50
    xs = [0.0, 1e-8, -1e-8, 3.0, -3.0, 20.0, -20.0, 90.0, -90.0, 1e4, -1e4]
    ys = [0.0, 1.0, 0.3, 0.95, 0.999, 1 - 2.0**-10, 1.5, -0.2]
    x = np.array([a for a in xs for _ in ys], dtype=dtype)
    y = np.array([b for _ in xs for b in ys], dtype=dtype)

    def exact(a: float, b: float) -> float:
        a_, b_ = mpmath.mpf(float(a)), mpmath.mpf(float(b))
        log_p = -mpmath.log1p(mpmath.exp(-a_))
        log_q = -mpmath.log1p(mpmath.exp(a_))
        return float(-(b_ * log_p + (1 - b_) * log_q))

    want = np.array([exact(a, b) for a, b in zip(x, y, strict=True)])
    got = P.sigmoid_cross_entropy(x, y, xp=np)
    assert got.dtype == dtype
    assert got.shape == x.shape
    eps = float(np.finfo(dtype).eps)
    # labels in [0, 1]: a sum of non-negative terms, a few ulps relative
    inside = (y >= 0) & (y <= 1)
    np.testing.assert_allclose(got[inside], want[inside], rtol=6 * eps, atol=0)
    # outside [0, 1] the loss can cancel to any size: error relative to the terms
    scale = np.abs(x[~inside]) * (1 + np.abs(y[~inside])) + 1
    assert np.all(np.abs(got[~inside] - want[~inside]) <= 6 * eps * scale)
