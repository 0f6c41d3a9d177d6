"""Values of the regression losses against the float64 NumPy reference."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import arrayloss as al
from regression import reference as gref
from regression import reference as rr
from support import reference as ref
from support.backends import Backend

REDUCTIONS = ref.REDUCTIONS


SHAPES = {"scalar": (), "1d": (5,), "2d": (3, 4), "4d": (2, 3, 2, 2)}


def _compare(
    backend: Backend,
    fn: Any,
    ref_fn: Any,
    preds: np.ndarray,
    targets: np.ndarray,
    kwargs: dict[str, Any],
    dtype: str = "float64",
    target_dtype: str | None = None,
) -> None:
    compute = "float64" if dtype == "float64" else "float32"
    p = backend.asarray(preds, dtype)
    t = backend.asarray(targets, target_dtype or dtype)
    kw = {
        k: backend.asarray(v, dtype) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()
    }
    outs = ref.call_all_reductions(backend, fn, p, t, **kw)
    for reduction, out in outs.items():
        shape = preds.shape if reduction == "none" else ()
        got = backend.check_result(out, dtype=backend.dtype(compute), shape=shape)
        want = ref_fn(preds, targets, **kwargs, reduction=reduction)
        ref.assert_close(got, want, compute, err_msg=f"reduction={reduction}")


def _data(shape: tuple[int, ...], seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, 2.0, size=shape), rng.normal(0.0, 2.0, size=shape)


def _weights(shape: tuple[int, ...], kind: str | None, seed: int = 1) -> np.ndarray | None:
    if kind is None:
        return None
    rng = np.random.default_rng(seed)
    w = rng.uniform(0.0, 2.0, size=shape if kind == "full" else shape[-1:])
    if w.size > 1:
        w.reshape(-1)[0] = 0.0
    return w


@pytest.mark.parametrize("weights", [None, "full", "bcast"])
@pytest.mark.parametrize("shape", list(SHAPES))
def test_mse_matches_reference(backend: Backend, shape: str, weights: str | None) -> None:
    ref.only_subset(backend, (shape, weights), {("scalar", None), ("4d", "bcast"), ("2d", "full")})
    preds, targets = _data(SHAPES[shape])
    w = _weights(SHAPES[shape], weights)
    kwargs = {} if w is None else {"weights": w}
    _compare(backend, al.mse_loss, gref.mse, preds, targets, kwargs)


@pytest.mark.parametrize("delta", [1.0, 0.3, 2.5])
@pytest.mark.parametrize("weights", [None, "bcast"])
@pytest.mark.parametrize("shape", ["1d", "4d"])
def test_huber_matches_reference(
    backend: Backend, shape: str, weights: str | None, delta: float
) -> None:
    ref.only_subset(backend, (shape, weights, delta), {("1d", None, 1.0), ("4d", "bcast", 0.3)})
    preds, targets = _data(SHAPES[shape], seed=2)
    # both branches are exercised: |d| ranges over ~[0, 8] for every delta
    w = _weights(SHAPES[shape], weights)
    kwargs: dict[str, Any] = {"delta": delta}
    if w is not None:
        kwargs["weights"] = w
    _compare(backend, al.huber_loss, gref.huber, preds, targets, kwargs)


def test_huber_at_the_kink(backend: Backend) -> None:
    """|d| == delta exactly: both branches give delta^2 / 2 (hand-derived)."""
    preds = np.array([0.0, 0.0, 1.5, -0.25])
    targets = np.array([0.5, -0.5, 1.0, 0.25])  # |d| = 0.5 everywhere, exact in binary
    out = backend.call(
        al.huber_loss,
        backend.asarray(preds, "float64"),
        backend.asarray(targets, "float64"),
        delta=0.5,
        reduction="none",
    )
    got = backend.check_result(out, dtype=backend.dtype("float64"), shape=(4,))
    np.testing.assert_array_equal(got, 0.125)


@pytest.mark.parametrize("target_dtype", ["int64", "bool"])
def test_non_floating_targets(backend: Backend, target_dtype: str) -> None:
    """Integer and boolean targets are allowed (docstring); the result has preds' dtype."""
    rng = np.random.default_rng(3)
    preds = rng.normal(size=(3, 4))
    targets = rng.integers(0, 2, size=(3, 4)).astype(target_dtype)
    for fn, ref_fn in ((al.mse_loss, gref.mse), (al.huber_loss, gref.huber)):
        _compare(backend, fn, ref_fn, preds, targets, {}, target_dtype=target_dtype)


def test_huber_with_huge_delta_is_half_mse(backend: Backend) -> None:
    preds, targets = _data((3, 4), seed=4)
    p, t = backend.asarray(preds, "float64"), backend.asarray(targets, "float64")
    f64 = backend.dtype("float64")
    hubers = ref.call_all_reductions(backend, al.huber_loss, p, t, delta=1e6)
    mses = ref.call_all_reductions(backend, al.mse_loss, p, t)
    for reduction in REDUCTIONS:
        shape = (3, 4) if reduction == "none" else ()
        huber, mse = hubers[reduction], mses[reduction]
        ref.assert_close(
            backend.check_result(huber, dtype=f64, shape=shape),
            0.5 * backend.check_result(mse, dtype=f64, shape=shape),
            "float64",
        )


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
@pytest.mark.parametrize("loss", ["mse", "huber"])
def test_dtype_contract(backend: Backend, loss: str, dtype: str) -> None:
    """Half in -> float32 out, float32 stays float32 (also on NumPy: no float64
    constant may upcast it), float64 stays float64. The reference runs on the
    inputs rounded to ``dtype``."""
    ref.only_subset(backend, (loss,), {("huber",)})
    ref.require_dtype(backend, dtype)
    preds, targets = (ref.round_to(a, dtype) for a in _data((2, 3, 4), seed=5))
    weights = ref.round_to(_weights((2, 3, 4), "bcast"), dtype)
    fn, ref_fn, kwargs = {
        "mse": (al.mse_loss, gref.mse, {"weights": weights}),
        "huber": (al.huber_loss, gref.huber, {"weights": weights, "delta": 0.75}),
    }[loss]
    _compare(backend, fn, ref_fn, preds, targets, kwargs, dtype=dtype)


# -- properties (NumPy only) -----------------------------------------------------------

_values = st.floats(-1e3, 1e3, allow_nan=False, width=64)


@st.composite
def _batch(draw: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = draw(st.integers(1, 6))
    k = draw(st.integers(1, 3))
    preds = draw(hnp.arrays(np.float64, (n, k), elements=_values))
    targets = draw(hnp.arrays(np.float64, (n, k), elements=_values))
    perm = np.asarray(draw(st.permutations(range(n))))
    return preds, targets, perm


@settings(max_examples=50, deadline=None)
@given(batch=_batch(), delta=st.floats(1e-3, 1e3))
def test_properties(batch: tuple[np.ndarray, np.ndarray, np.ndarray], delta: float) -> None:
    """Non-negative; exactly 0 at a perfect prediction; the mean ignores batch order."""
    preds, targets, perm = batch
    for fn, kw in ((al.mse_loss, {}), (al.huber_loss, {"delta": delta})):
        assert np.all(fn(preds, targets, reduction="none", **kw) >= 0)
        assert fn(preds, preds, **kw) == 0.0
        np.testing.assert_allclose(
            fn(preds[perm], targets[perm], **kw), fn(preds, targets, **kw), rtol=1e-12
        )


def test_reference_hand_derived_and_torch() -> None:
    """The oracle: hand-derived values, and torch's huber_loss (same definition)."""
    np.testing.assert_allclose(
        gref.mse(np.array([1.0, 2.0, 4.0]), np.array([1.0, 3.0, 2.0])), 5 / 3
    )
    # d = 0.5 (quadratic): 0.125; d = 3 with delta 1: 1 * (3 - 0.5) = 2.5
    np.testing.assert_allclose(
        gref.huber(np.zeros(2), np.array([0.5, 3.0]), reduction="none"), [0.125, 2.5]
    )
    torch = pytest.importorskip("torch")
    preds, targets = _data((4, 5), seed=6)
    for delta in (0.3, 1.0, 2.5):
        want = torch.nn.functional.huber_loss(
            torch.from_numpy(preds), torch.from_numpy(targets), delta=delta, reduction="none"
        ).numpy()
        got = gref.huber(preds, targets, delta=delta, reduction="none")
        np.testing.assert_allclose(got, want, rtol=1e-12)


# -- value tests over every backend ----------------------------------------------------


def _normal(shape: tuple[int, ...], seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, 2.0, size=shape), rng.normal(0.0, 2.0, size=shape)


def _positive(shape: tuple[int, ...], seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    preds = rng.uniform(-0.5, 6.0, size=shape)  # a few negatives: clipped to 0
    return preds, rng.uniform(0.0, 6.0, size=shape)


def _mape_data(shape: tuple[int, ...], seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    targets = rng.uniform(0.5, 5.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)
    targets.reshape(-1)[1] = 0.0  # the eps floor
    targets.reshape(-1)[2] = 1e-4  # below eps=1e-3
    return targets + rng.normal(size=shape), targets


def _counts(shape: tuple[int, ...], seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    counts = rng.poisson(2.0, size=shape).astype(np.float64)
    counts.reshape(-1)[:3] = [0.0, 1.0, 0.0]
    return rng.normal(size=shape), counts


def _rates(shape: tuple[int, ...], seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    rates = rng.uniform(0.0, 4.0, size=shape)
    rates.reshape(-1)[0] = 0.0  # rate 0: eps keeps the log finite
    return rates, _counts(shape, seed)[1]


# (id, loss, reference, data, kwargs)
SPECS: list[tuple[str, Callable[..., Any], Callable[..., Any], Any, dict[str, Any]]] = [
    ("mae", al.mae_loss, rr.mae, _normal, {}),
    ("smooth_l1", al.smooth_l1_loss, rr.smooth_l1, _normal, {}),
    ("smooth_l1-beta0.3", al.smooth_l1_loss, rr.smooth_l1, _normal, {"beta": 0.3}),
    ("smooth_l1-beta2.5", al.smooth_l1_loss, rr.smooth_l1, _normal, {"beta": 2.5}),
    ("smooth_l1-beta0", al.smooth_l1_loss, rr.smooth_l1_as_l1, _normal, {"beta": 0.0}),
    ("log_cosh", al.log_cosh_loss, rr.log_cosh, _normal, {}),
    ("quantile", al.quantile_loss, rr.quantile, _normal, {}),
    ("quantile-0.9", al.quantile_loss, rr.quantile, _normal, {"quantile": 0.9}),
    ("quantile-0.1", al.quantile_loss, rr.quantile, _normal, {"quantile": 0.1}),
    ("msle", al.msle_loss, rr.msle, _positive, {}),
    ("mape", al.mape_loss, rr.mape, _mape_data, {}),
    ("mape-eps", al.mape_loss, rr.mape, _mape_data, {"eps": 1e-3}),
    ("poisson", al.poisson_nll_loss, rr.poisson_nll, _counts, {}),
    ("poisson-full", al.poisson_nll_loss, rr.poisson_nll, _counts, {"full": True}),
    ("poisson-rate", al.poisson_nll_loss, rr.poisson_nll, _rates, {"log_input": False}),
    (
        "poisson-rate-full",
        al.poisson_nll_loss,
        rr.poisson_nll,
        _rates,
        {"log_input": False, "full": True, "eps": 1e-3},
    ),
]


SPEC_IDS = [s[0] for s in SPECS]


# the subset the slow backends run: every loss once, with its main option
LIGHT = {
    ("mae", "bcast"),
    ("smooth_l1-beta0.3", None),
    ("smooth_l1-beta0", None),
    ("log_cosh", "bcast"),
    ("quantile-0.9", None),
    ("msle", None),
    ("mape-eps", "bcast"),
    ("poisson-full", None),
    ("poisson-rate-full", "bcast"),
}


def _compare_regression_catalogue(
    backend: Backend,
    fn: Any,
    ref_fn: Any,
    preds: np.ndarray,
    targets: np.ndarray,
    kwargs: dict[str, Any],
    dtype: str = "float64",
    target_dtype: str | None = None,
    ref_kwargs: dict[str, Any] | None = None,
) -> None:
    compute = "float64" if dtype == "float64" else "float32"
    p = backend.asarray(preds, dtype)
    t = backend.asarray(targets, target_dtype or dtype)
    kw = {
        k: backend.asarray(v, dtype) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()
    }
    outs = ref.call_all_reductions(backend, fn, p, t, **kw)
    for reduction, out in outs.items():
        shape = preds.shape if reduction == "none" else ()
        got = backend.check_result(out, dtype=backend.dtype(compute), shape=shape)
        want = ref_fn(preds, targets, **{**kwargs, **(ref_kwargs or {})}, reduction=reduction)
        ref.assert_close(got, want, compute, err_msg=f"reduction={reduction}")


@pytest.mark.parametrize("weights", [None, "bcast"])
@pytest.mark.parametrize("spec", SPECS, ids=SPEC_IDS)
def test_matches_reference(backend: Backend, spec: Any, weights: str | None) -> None:
    name, fn, ref_fn, data, kwargs = spec
    ref.only_subset(backend, (name, weights), LIGHT)
    preds, targets = data((3, 4), seed=len(name))
    kw = dict(kwargs)
    if weights is not None:
        w = np.random.default_rng(1).uniform(0.0, 2.0, size=(4,))
        w[0] = 0.0
        kw["weights"] = w
    _compare_regression_catalogue(backend, fn, ref_fn, preds, targets, kw)


def test_integer_count_targets(backend: Backend) -> None:
    """Counts may be an integer array (cast to the compute dtype)."""
    ref.only_subset(backend, (), {()})
    preds, counts = _counts((2, 5), seed=3)
    for kwargs in ({}, {"full": True}):
        _compare_regression_catalogue(
            backend,
            al.poisson_nll_loss,
            rr.poisson_nll,
            preds,
            counts,
            kwargs,
            target_dtype="int64",
        )


# torch's var shapes for preds (3, 4): same shape, one fewer dimension (one variance
# per row), and the same rank with exactly one dimension of size 1
VAR_SHAPES = {"same": (3, 4), "rows": (3,), "rows1": (3, 1), "cols1": (1, 4)}


@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("var_shape", list(VAR_SHAPES))
def test_gaussian_matches_reference(backend: Backend, var_shape: str, full: bool) -> None:
    ref.only_subset(backend, (var_shape, full), {("rows", True), ("cols1", False)})
    preds, targets = _normal((3, 4), seed=9)
    var = np.random.default_rng(10).uniform(0.0, 2.0, size=VAR_SHAPES[var_shape])
    var.reshape(-1)[0] = 1e-8  # below eps: clamped
    ref_var = var[:, None] if var_shape == "rows" else var
    kwargs = {"var": var, "full": full, "eps": 1e-3}
    ref_kwargs = {"var": ref_var, "full": full, "eps": 1e-3}
    _compare_regression_catalogue(
        backend,
        al.gaussian_nll_loss,
        rr.gaussian_nll,
        preds,
        targets,
        kwargs,
        ref_kwargs=ref_kwargs,
    )


def test_gaussian_scalar_var(backend: Backend) -> None:
    """A Python number is one variance for every element (as torch)."""
    ref.only_subset(backend, (), set())
    preds, targets = _normal((3, 4), seed=11)
    _compare_regression_catalogue(
        backend,
        al.gaussian_nll_loss,
        rr.gaussian_nll,
        preds,
        targets,
        {"var": 0.7, "weights": np.arange(4.0)},
    )


DTYPE_SPECS = {
    "mae": (al.mae_loss, rr.mae, _normal, {}),
    "smooth_l1": (al.smooth_l1_loss, rr.smooth_l1, _normal, {"beta": 0.5}),
    "log_cosh": (al.log_cosh_loss, rr.log_cosh, _normal, {}),
    "quantile": (al.quantile_loss, rr.quantile, _normal, {"quantile": 0.7}),
    "msle": (al.msle_loss, rr.msle, _positive, {}),
    "mape": (al.mape_loss, rr.mape, _mape_data, {"eps": 1e-2}),
    "poisson": (al.poisson_nll_loss, rr.poisson_nll, _counts, {"full": True}),
    "gaussian": (al.gaussian_nll_loss, rr.gaussian_nll, _normal, {"full": True}),
}


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
@pytest.mark.parametrize("loss", list(DTYPE_SPECS))
def test_dtype_contract_regression_catalogue(backend: Backend, loss: str, dtype: str) -> None:
    """Half in -> float32 out, float32 stays float32, float64 stays float64; the
    reference runs on the inputs rounded to ``dtype``."""
    ref.only_subset(backend, (loss, dtype), {("mae", "float16"), ("gaussian", "bfloat16")})
    ref.require_dtype(backend, dtype)
    fn, ref_fn, data, kwargs = DTYPE_SPECS[loss]
    preds, targets = (ref.round_to(a, dtype) for a in data((2, 3, 4), seed=5))
    kw = dict(kwargs)
    rng = np.random.default_rng(6)
    kw["weights"] = ref.round_to(rng.uniform(0.5, 2.0, size=(4,)), dtype)
    if loss == "gaussian":
        kw["var"] = ref.round_to(rng.uniform(0.5, 2.0, size=(2, 3, 4)), dtype)
    _compare_regression_catalogue(backend, fn, ref_fn, preds, targets, kw, dtype=dtype)


# -- numerics (CONVENTIONS section 7) ---------------------------------------------------

FRAMEWORKS = ("numpy", "torch", "jax")


def _value_and_grad(
    framework: str, fn: Callable[..., Any], x: np.ndarray, dtype: str, *rest: np.ndarray
) -> tuple[np.ndarray, np.ndarray | None, str]:
    """``fn(x, *rest)``, the gradient of its sum w.r.t. ``x`` (None on NumPy), dtype."""
    if framework == "numpy":
        out = fn(x.astype(dtype), *(r.astype(dtype) for r in rest))
        return np.asarray(out, dtype=np.float64), None, str(out.dtype)
    if framework == "torch":
        torch = pytest.importorskip("torch")
        tdt = getattr(torch, dtype)
        xt = torch.tensor(x, dtype=tdt, requires_grad=True)
        out = fn(xt, *(torch.tensor(r, dtype=tdt) for r in rest))
        (g,) = torch.autograd.grad(out.sum(), xt)
        dt = str(out.dtype).removeprefix("torch.")
        return out.detach().double().numpy(), g.double().numpy(), dt
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    rest_j = [jnp.asarray(r, dtype=dtype) for r in rest]

    # jitted: one compile instead of eager JAX's one per primitive (the eager path is
    # exercised by the value tests)
    @jax.jit
    def value_and_vjp(z: Any, *r: Any) -> tuple[Any, Any]:
        out, vjp = jax.vjp(lambda zz: fn(zz, *r), z)
        return out, vjp(jnp.ones_like(out))[0]

    out, g = value_and_vjp(jnp.asarray(x, dtype=dtype), *rest_j)
    return np.asarray(out, np.float64), np.asarray(g, np.float64), str(out.dtype)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_log_cosh_huge_errors_float32(framework: str) -> None:
    """|e| = 500 and 1e4 (cosh overflows float32 beyond ~89): value |e| - log 2 and
    gradient tanh(e) = +-1, hand-derived (log(1 + e^{-2|e|}) underflows to 0)."""
    e = np.array([500.0, -500.0, 1e4, -1e4, 88.0, 1e-4])
    val, grad, dt = _value_and_grad(
        framework,
        lambda p, t: al.log_cosh_loss(p, t, reduction="none"),
        e,
        "float32",
        np.zeros_like(e),
    )
    assert dt == "float32"
    # 1e-4: log cosh x = x^2/2 - x^4/12 + ... (series), full relative accuracy kept
    want = np.array([500 - math.log(2), 500 - math.log(2), 1e4 - math.log(2)] * 1)
    want = np.concatenate([want[:2], want[2:3], want[2:3], [88 - math.log(2), 5e-9 - 1e-16 / 12]])
    np.testing.assert_allclose(val, want, rtol=1e-6)
    if grad is not None:
        np.testing.assert_allclose(
            grad, np.tanh(e.astype(np.float32).astype(np.float64)), rtol=1e-6
        )


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_log_cosh_small_errors_are_accurate(framework: str) -> None:
    """Near 0, log cosh d ~ d^2 / 2 keeps its relative accuracy in float32 (the
    |d| + log1p(exp(-2|d|)) - log 2 form would cancel)."""
    e = np.array([1e-3, 3e-2, 0.5, 0.999, 1.0, 1.001, 2.0])
    val, grad, _ = _value_and_grad(
        framework,
        lambda p, t: al.log_cosh_loss(p, t, reduction="none"),
        e,
        "float32",
        np.zeros_like(e),
    )
    e32 = e.astype(np.float32).astype(np.float64)
    want = np.array([math.log(math.cosh(x)) for x in e32])
    np.testing.assert_allclose(val, want, rtol=2e-6)
    if grad is not None:
        np.testing.assert_allclose(grad, np.tanh(e32), rtol=2e-6)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_smooth_l1_beta_zero_and_tiny_is_l1(framework: str, dtype: str) -> None:
    """beta = 0 is exactly L1 (value |d|, gradient sign d); so is a beta below the
    dtype's smallest normal number; a tiny normal beta is finite too (pytorch #96813)."""
    d = np.array([0.0, 1e-30, -2.0, 3.5, 1e-20])
    for beta in (0.0, 1e-45 if dtype == "float32" else 1e-320):
        val, grad, dt = _value_and_grad(
            framework,
            lambda p, t, b=beta: al.smooth_l1_loss(p, t, beta=b, reduction="none"),
            d,
            dtype,
            np.zeros_like(d),
        )
        assert dt == dtype
        want = np.abs(d.astype(dtype).astype(np.float64))
        np.testing.assert_array_equal(val, want)
        if grad is not None:
            # at d = 0 exactly, |d| has a backend-chosen subgradient (torch 0, JAX 1)
            np.testing.assert_array_equal(grad[1:], np.sign(d[1:]))
    beta = 1e-30
    val, grad, _ = _value_and_grad(
        framework,
        lambda p, t: al.smooth_l1_loss(p, t, beta=beta, reduction="none"),
        d,
        dtype,
        np.zeros_like(d),
    )
    assert np.all(np.isfinite(val))
    # |d| = 1e-30 = beta: at the kink, beta / 2; elsewhere |d| - beta / 2
    want = np.array([0.0, 0.5e-30, 2.0, 3.5, 1e-20])
    np.testing.assert_allclose(val, want, rtol=1e-6, atol=0)
    if grad is not None:
        assert np.all(np.isfinite(grad))
        np.testing.assert_allclose(grad[1:], np.sign(d[1:]), rtol=1e-6)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_smooth_l1_at_the_kink(framework: str) -> None:
    """|d| == beta exactly: both branches give beta / 2, gradient sign(d) (hand-derived)."""
    d = np.array([0.5, -0.5, 0.25, 0.0])
    val, grad, _ = _value_and_grad(
        framework,
        lambda p, t: al.smooth_l1_loss(p, t, beta=0.5, reduction="none"),
        d,
        "float64",
        np.zeros_like(d),
    )
    np.testing.assert_array_equal(val, [0.25, 0.25, 0.0625, 0.0])
    if grad is not None:
        np.testing.assert_array_equal(grad, [1.0, -1.0, 0.5, 0.0])


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_poisson_zero_counts_are_finite(framework: str) -> None:
    """Targets 0 (and 1): finite value and gradient with and without ``full``; the
    Stirling term is 0 there (hand-derived: exp(x) - 0 * x = exp(x))."""
    x = np.array([-3.0, 0.0, 2.0, 0.5])
    y = np.array([0.0, 0.0, 1.0, 0.0])
    for full in (False, True):
        val, grad, _ = _value_and_grad(
            framework,
            lambda p, t, f=full: al.poisson_nll_loss(p, t, full=f, reduction="none"),
            x,
            "float32",
            y,
        )
        np.testing.assert_allclose(val, np.exp(x) - y * x, rtol=1e-6)
        if grad is not None:
            np.testing.assert_allclose(grad, np.exp(x) - y, rtol=1e-6)
    rates = np.array([0.0, 1.0, 0.0, 2.0])
    counts = np.array([0.0, 0.0, 3.0, 5.0])
    val, grad, _ = _value_and_grad(
        framework,
        lambda p, t: al.poisson_nll_loss(p, t, log_input=False, full=True, reduction="none"),
        rates,
        "float64",
        counts,
    )
    stirling = [0.0, 0.0] + [c * math.log(c) - c + 0.5 * math.log(2 * math.pi * c) for c in (3, 5)]
    want = rates - counts * np.log(rates + 1e-8) + np.array(stirling)
    np.testing.assert_allclose(val, want, rtol=1e-12)
    assert np.all(np.isfinite(val))
    if grad is not None:
        np.testing.assert_allclose(grad, 1.0 - counts / (rates + 1e-8), rtol=1e-12)


@pytest.mark.parametrize("framework", ["torch", "jax"])
def test_gaussian_var_at_and_below_eps(framework: str) -> None:
    """var = 0, below eps and at eps: clamped to eps in value; the gradient w.r.t.
    var is the one at eps passed straight through (torch's clamp under no_grad),
    d/dv = 0.5 (1/v - d^2/v^2) at v = eps, finite; w.r.t. preds d / eps."""
    eps = 1e-3
    d = np.array([0.1, -0.02, 0.0, 0.3])
    var = np.array([0.0, 1e-9, eps, 2.0])
    v = np.maximum(var, eps)
    want = 0.5 * (np.log(v) + d**2 / v)
    want_dvar = 0.5 * (1.0 / v - d**2 / v**2)
    want_dpred = d / v
    zeros = np.zeros_like(d)
    if framework == "torch":
        torch = pytest.importorskip("torch")
        p = torch.tensor(d, requires_grad=True)
        vt = torch.tensor(var, requires_grad=True)
        out = al.gaussian_nll_loss(p, torch.tensor(zeros), vt, eps=eps, reduction="none")
        gp, gv = torch.autograd.grad(out.sum(), (p, vt))
        got = [out.detach().numpy(), gp.numpy(), gv.numpy()]
    else:
        jax = pytest.importorskip("jax")
        jax.config.update("jax_enable_x64", True)
        jnp = jax.numpy

        def total(p: Any, vv: Any) -> Any:
            return jnp.sum(
                al.gaussian_nll_loss(p, jnp.asarray(zeros), vv, eps=eps, reduction="none")
            )

        p, vv = jnp.asarray(d), jnp.asarray(var)
        out = al.gaussian_nll_loss(p, jnp.asarray(zeros), vv, eps=eps, reduction="none")
        gp, gv = jax.jit(jax.grad(total, argnums=(0, 1)))(p, vv)
        got = [np.asarray(out), np.asarray(gp), np.asarray(gv)]
    for g, w in zip(got, (want, want_dpred, want_dvar), strict=True):
        assert np.all(np.isfinite(g))
        np.testing.assert_allclose(g, w, rtol=1e-12)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_msle_negative_and_below_minus_one(framework: str) -> None:
    """Values <= -1 (outside log1p's domain) are clipped to 0: finite value, zero
    gradient (hand-derived: log1p(0) = 0, so the loss is log1p(t)^2)."""
    p = np.array([-1.0, -5.0, -0.5, 1.0])
    t = np.array([0.0, 3.0, -2.0, 0.0])
    val, grad, _ = _value_and_grad(
        framework, lambda a, b: al.msle_loss(a, b, reduction="none"), p, "float64", t
    )
    np.testing.assert_allclose(val, [0.0, math.log(4.0) ** 2, 0.0, math.log(2.0) ** 2])
    if grad is not None:
        # d/dp (log1p p - log1p t)^2 = 2 (log1p p - log1p t) / (1 + p) at p = 1
        np.testing.assert_allclose(grad, [0.0, 0.0, 0.0, math.log(2.0)], atol=1e-15)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_mape_zero_target_is_finite(framework: str) -> None:
    p, t = np.array([1.0, -2.0, 0.5]), np.array([0.0, 0.0, 0.0])
    val, grad, _ = _value_and_grad(
        framework, lambda a, b: al.mape_loss(a, b, reduction="none"), p, "float32", t
    )
    np.testing.assert_allclose(val, [1e7, 2e7, 5e6], rtol=1e-6)
    if grad is not None:
        np.testing.assert_allclose(grad, [1e7, -1e7, 1e7], rtol=1e-6)


NAN_LOSSES: list[tuple[Callable[..., Any], dict[str, Any]]] = [
    (al.mae_loss, {}),
    (al.smooth_l1_loss, {}),
    (al.smooth_l1_loss, {"beta": 0.0}),
    (al.log_cosh_loss, {}),
    (al.quantile_loss, {"quantile": 0.3}),
    (al.msle_loss, {}),
    (al.mape_loss, {}),
    (al.poisson_nll_loss, {"full": True}),
    (al.poisson_nll_loss, {"log_input": False}),
    (al.gaussian_nll_loss, {"var": 1.0}),
]


@pytest.mark.parametrize("framework", ["numpy", "torch"])
@pytest.mark.parametrize(("fn", "kwargs"), NAN_LOSSES)
def test_nan_in_gives_nan_out(framework: str, fn: Any, kwargs: dict[str, Any]) -> None:
    p = np.array([np.nan, 1.0, 2.0])
    t = np.array([1.0, 1.0, 3.0])
    val, _, _ = _value_and_grad(
        framework, lambda a, b: fn(a, b, reduction="none", **kwargs), p, "float32", t
    )
    assert np.isnan(val[0])
    assert np.all(np.isfinite(val[1:]))


# -- errors (CONVENTIONS section 9) -----------------------------------------------------

X = np.linspace(-1.0, 1.0, 12).reshape(4, 3)


Y = np.linspace(0.5, 2.0, 12).reshape(4, 3)


ERRORS: list[tuple[str, Callable[..., Any], tuple[Any, ...], dict[str, Any], type, str]] = [
    (
        "beta<0",
        al.smooth_l1_loss,
        (X, Y),
        {"beta": -0.1},
        ValueError,
        r"beta must be in \[0, inf\)",
    ),
    (
        "beta-str",
        al.smooth_l1_loss,
        (X, Y),
        {"beta": "1"},
        TypeError,
        "beta must be a real number",
    ),
    (
        "quantile=0",
        al.quantile_loss,
        (X, Y),
        {"quantile": 0.0},
        ValueError,
        r"quantile .*\(0, 1\)",
    ),
    (
        "quantile=1",
        al.quantile_loss,
        (X, Y),
        {"quantile": 1.0},
        ValueError,
        r"quantile .*\(0, 1\)",
    ),
    ("mape-eps=0", al.mape_loss, (X, Y), {"eps": 0.0}, ValueError, r"eps must be in \(0, inf\)"),
    ("poisson-eps", al.poisson_nll_loss, (X, Y), {"eps": -1.0}, ValueError, r"eps must be in"),
    (
        "log_input",
        al.poisson_nll_loss,
        (X, Y),
        {"log_input": 1},
        TypeError,
        "log_input must be a bool",
    ),
    (
        "poisson-full",
        al.poisson_nll_loss,
        (X, Y),
        {"full": "yes"},
        TypeError,
        "full must be a bool",
    ),
    ("gauss-full", al.gaussian_nll_loss, (X, Y, Y), {"full": 1}, TypeError, "full must be a bool"),
    ("gauss-eps", al.gaussian_nll_loss, (X, Y, Y), {"eps": 0}, ValueError, r"eps must be in"),
    (
        "var-shape",
        al.gaussian_nll_loss,
        (X, Y, Y[:, :2]),
        {},
        ValueError,
        r"var with shape \(4, 2\)",
    ),
    (
        "var-1x1",
        al.gaussian_nll_loss,
        (X, Y, Y[:1, :1]),
        {},
        ValueError,
        r"var with shape \(1, 1\)",
    ),
    ("var-0d", al.gaussian_nll_loss, (X, Y, Y[0, 0]), {}, ValueError, r"var with shape \(\)"),
    (
        "var-negative",
        al.gaussian_nll_loss,
        (X, Y, Y - 1.0),
        {},
        ValueError,
        "var must be non-negative",
    ),
    ("var-neg-float", al.gaussian_nll_loss, (X, Y, -1.0), {}, ValueError, r"var must be in \[0"),
    ("var-str", al.gaussian_nll_loss, (X, Y, "1"), {}, TypeError, "var must be a real number"),
    (
        "var-bool",
        al.gaussian_nll_loss,
        (X, Y, Y > 1),
        {},
        TypeError,
        "var must be a real floating",
    ),
    ("shape", al.mae_loss, (X, Y[:2]), {}, ValueError, r"targets must have the same shape"),
    (
        "int-preds",
        al.msle_loss,
        (X.astype(int), Y),
        {},
        TypeError,
        "preds must be a real floating",
    ),
    ("reduction", al.log_cosh_loss, (X, Y), {"reduction": "avg"}, ValueError, "reduction must be"),
]


def _lib_array(lib: str, a: Any) -> Any:
    if not isinstance(a, np.ndarray) and not isinstance(a, np.generic):
        return a
    a = np.asarray(a)
    if lib == "torch":
        return pytest.importorskip("torch").asarray(a)
    if lib == "jax":
        jax = pytest.importorskip("jax")
        jax.config.update("jax_enable_x64", True)
        return jax.numpy.asarray(a)
    return a


@pytest.mark.parametrize("lib", FRAMEWORKS)
@pytest.mark.parametrize(
    ("fn", "args", "kwargs", "exc", "match"),
    [pytest.param(*e[1:], id=e[0]) for e in ERRORS],
)
def test_errors(lib: str, fn: Any, args: Any, kwargs: Any, exc: type, match: str) -> None:
    with pytest.raises(Exception) as info:
        fn(*(_lib_array(lib, a) for a in args), **kwargs)
    assert type(info.value) is exc, repr(info.value)
    assert info.match(match)


def test_negative_var_is_nan_under_jit() -> None:
    """Values cannot be read under jax.jit: that element's loss is NaN, not silent."""
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    var = jnp.asarray([1.0, -0.5, 2.0])
    f = jax.jit(lambda p, t, v: al.gaussian_nll_loss(p, t, v, reduction="none"))
    out = np.asarray(f(jnp.zeros(3), jnp.ones(3), var))
    np.testing.assert_array_equal(np.isnan(out), [False, True, False])


def test_mixed_namespaces_name_var() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match=r"var from torch"):
        al.gaussian_nll_loss(X, Y, torch.asarray(Y))


# -- peers ------------------------------------------------------------------------------

PEER_RTOL = 1e-12


def _torch() -> Any:
    return pytest.importorskip("torch")


def _peer_data(shape: tuple[int, ...] = (4, 5), seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    return _normal(shape, seed)


def _torch_value_grad(fn: Callable[..., Any], x: np.ndarray, *rest: Any) -> tuple[Any, Any]:
    torch = _torch()
    xt = torch.tensor(x, requires_grad=True)
    out = fn(xt, *rest)
    (g,) = torch.autograd.grad(out.sum(), xt)
    return out.detach().numpy(), g.numpy()


@pytest.mark.peer
@pytest.mark.parametrize("reduction", ref.REDUCTIONS)
def test_peer_torch_l1(reduction: str) -> None:
    torch = _torch()
    F = torch.nn.functional
    p, t = _peer_data()
    tt = torch.tensor(t)
    ours = _torch_value_grad(lambda x: al.mae_loss(x, tt, reduction=reduction), p)
    theirs = _torch_value_grad(lambda x: F.l1_loss(x, tt, reduction=reduction), p)
    for o, w in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(o, w, rtol=PEER_RTOL)


@pytest.mark.peer
@pytest.mark.parametrize("beta", [0.0, 1e-6, 0.5, 1.0, 2.0])
def test_peer_torch_smooth_l1(beta: float) -> None:
    """Same definition; torch also takes beta = 0 as L1 (and its gradient is finite
    in torch 2.13 too). With beta = 1e-6, |d| stays away from it."""
    torch = _torch()
    F = torch.nn.functional
    p, t = _peer_data(seed=1)
    tt = torch.tensor(t)
    for reduction in ref.REDUCTIONS:
        ours = _torch_value_grad(
            lambda x, r=reduction: al.smooth_l1_loss(x, tt, beta=beta, reduction=r), p
        )
        theirs = _torch_value_grad(
            lambda x, r=reduction: F.smooth_l1_loss(x, tt, beta=beta, reduction=r), p
        )
        for o, w in zip(ours, theirs, strict=True):
            np.testing.assert_allclose(o, w, rtol=PEER_RTOL, atol=1e-15)


@pytest.mark.peer
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("log_input", [True, False])
def test_peer_torch_poisson_nll(log_input: bool, full: bool) -> None:
    """Same definition; zero and one counts included (torch adds Stirling only for y > 1)."""
    torch = _torch()
    F = torch.nn.functional
    p, counts = _counts((4, 5), seed=2)
    if not log_input:
        p = np.abs(p)
        p[0, 0] = 0.0
    tt = torch.tensor(counts)
    for reduction in ref.REDUCTIONS:
        kw = {"log_input": log_input, "full": full, "reduction": reduction}
        ours = _torch_value_grad(lambda x, k=kw: al.poisson_nll_loss(x, tt, **k), p)
        theirs = _torch_value_grad(lambda x, k=kw: F.poisson_nll_loss(x, tt, **k), p)
        for o, w in zip(ours, theirs, strict=True):
            assert np.all(np.isfinite(o))
            np.testing.assert_allclose(o, w, rtol=PEER_RTOL)


@pytest.mark.peer
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("var_shape", [(4, 5), (4,), (4, 1), (1, 5), "float"])
def test_peer_torch_gaussian_nll(var_shape: Any, full: bool) -> None:
    """Same definition, var shapes and clamp; gradients w.r.t. preds AND var match,
    including entries below eps (torch's straight-through clamp)."""
    torch = _torch()
    F = torch.nn.functional
    p, t = _peer_data(seed=3)
    tt = torch.tensor(t)
    if var_shape == "float":
        var: Any = 0.37
        vo = vt = var
    else:
        v = np.random.default_rng(4).uniform(0.0, 1.0, size=var_shape)
        v.reshape(-1)[0] = 1e-9
        vo, vt = torch.tensor(v, requires_grad=True), torch.tensor(v, requires_grad=True)
    for reduction in ref.REDUCTIONS:
        po = torch.tensor(p, requires_grad=True)
        pt = torch.tensor(p, requires_grad=True)
        kw = {"full": full, "eps": 1e-3, "reduction": reduction}
        ours = al.gaussian_nll_loss(po, tt, vo, **kw)
        theirs = F.gaussian_nll_loss(pt, tt, vt, **kw)
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=PEER_RTOL)
        leaves_o = [po] if var_shape == "float" else [po, vo]
        leaves_t = [pt] if var_shape == "float" else [pt, vt]
        g_o = torch.autograd.grad(ours.sum(), leaves_o)
        g_t = torch.autograd.grad(theirs.sum(), leaves_t)
        for a, b in zip(g_o, g_t, strict=True):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=PEER_RTOL)


@pytest.mark.peer
def test_peer_torch_gaussian_rejects_what_torch_rejects() -> None:
    torch = _torch()
    F = torch.nn.functional
    p, t = (torch.tensor(a) for a in _peer_data(seed=5))
    for v in (torch.ones(4, 2), torch.ones(1, 1), torch.ones(()), -torch.ones(4, 5)):
        with pytest.raises(ValueError):
            F.gaussian_nll_loss(p, t, v)
        with pytest.raises(ValueError):
            al.gaussian_nll_loss(p, t, v)


@pytest.mark.peer
def test_peer_optax_log_cosh() -> None:
    """optax computes logaddexp(e, -e) - log 2: equal to float64 accuracy for moderate
    errors; at |e| = 500 in float32 both are finite and equal (|e| - log 2)."""
    optax = pytest.importorskip("optax")
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    p, t = _peer_data(seed=6)
    # jitted: eager JAX compiles every primitive (seconds); jit == eager is tested
    ours_fn = jax.jit(lambda a, b: al.log_cosh_loss(a, b, reduction="none"))
    theirs_fn = jax.jit(optax.losses.log_cosh)
    ours = ours_fn(jnp.asarray(p), jnp.asarray(t))
    theirs = theirs_fn(jnp.asarray(p), jnp.asarray(t))
    # optax's form cancels near 0 (absolute error ~1e-16): atol, not rtol, there
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-12, atol=1e-15)
    big = jnp.asarray([500.0, -500.0, 1e4], dtype=jnp.float32)
    zero = jnp.zeros(3, dtype=jnp.float32)
    ours32 = ours_fn(big, zero)
    theirs32 = theirs_fn(big, zero)
    assert ours32.dtype == jnp.float32
    np.testing.assert_allclose(np.asarray(ours32), np.asarray(theirs32), rtol=1e-7)
    g_ours = jax.jit(jax.grad(lambda x: jnp.sum(ours_fn(x, zero))))(big)
    g_theirs = jax.jit(jax.grad(lambda x: jnp.sum(theirs_fn(x, zero))))(big)
    np.testing.assert_allclose(np.asarray(g_ours), np.asarray(g_theirs), rtol=1e-7)


def _keras() -> Any:
    os.environ.setdefault("KERAS_BACKEND", "jax")
    return pytest.importorskip("keras")


@pytest.mark.peer
def test_peer_keras_msle() -> None:
    """Keras clips at epsilon() = 1e-7, we at 0: identical for inputs >= 1e-7 (and
    for negatives clipped to 1e-7 vs 0 within log1p(1e-7) ~ 1e-7 in log space).
    Keras averages the last axis; our ``"none"`` averaged over it is the same."""
    keras = _keras()
    rng = np.random.default_rng(7)
    p = rng.uniform(1e-7, 8.0, size=(4, 5)).astype(np.float32)
    t = rng.uniform(1e-7, 8.0, size=(4, 5)).astype(np.float32)
    theirs = np.asarray(keras.losses.mean_squared_logarithmic_error(t, p))
    ours = np.asarray(al.msle_loss(p, t, reduction="none")).mean(axis=-1)
    np.testing.assert_allclose(ours, theirs, rtol=2e-6)
    # negatives: Keras clips to 1e-7, we to 0; the loss differs by O(1e-7)
    neg = p.copy()
    neg[:, 0] = -3.0
    theirs = np.asarray(keras.losses.mean_squared_logarithmic_error(t, neg))
    ours = np.asarray(al.msle_loss(neg, t, reduction="none")).mean(axis=-1)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6)


@pytest.mark.peer
def test_peer_keras_mape() -> None:
    """Keras = 100 x ours with the same eps (1e-7), averaged over the last axis;
    a zero target included (both floor the denominator at 1e-7)."""
    keras = _keras()
    p, t = _mape_data((4, 5), seed=8)
    p, t = p.astype(np.float32), t.astype(np.float32)
    theirs = np.asarray(keras.losses.mean_absolute_percentage_error(t, p))
    ours = np.asarray(al.mape_loss(p, t, reduction="none")).mean(axis=-1)
    np.testing.assert_allclose(100.0 * ours, theirs, rtol=2e-6)


REDUCTIONS_peers = ("mean", "sum", "none")


RTOL = 1e-12  # float64 against float64: both sides are a handful of ops from exact


ATOL = 1e-12


def _t(a: Any, dtype: Any = None) -> Any:
    """NumPy data as a torch tensor (float64 unless told, integers kept)."""
    torch = pytest.importorskip("torch")
    arr = np.asarray(a)
    t = torch.from_numpy(np.ascontiguousarray(arr))
    if dtype is not None:
        return t.to(dtype)
    return t.double() if arr.dtype.kind == "f" else t


def _np(t: Any) -> np.ndarray:
    return np.asarray(t.detach().cpu().numpy())


def _close(ours: Any, theirs: Any, *, rtol: float = RTOL, atol: float = ATOL) -> None:
    o, p = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    assert o.shape == p.shape, (o.shape, p.shape)
    np.testing.assert_allclose(o, p, rtol=rtol, atol=atol)


def _grad(fn: Any, x: Any) -> tuple[Any, Any]:
    """Value of ``fn(x)`` (summed if not scalar) and its gradient w.r.t. ``x``."""
    torch = pytest.importorskip("torch")
    x = x.detach().clone().requires_grad_(True)
    out = fn(x)
    (g,) = torch.autograd.grad(out.sum(), x)
    return out.detach(), g


# ---------------------------------------------------------------------------
# regression
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS_peers)
@pytest.mark.parametrize("delta", [1e-3, 0.5, 1.0, 2.7, 100.0])
def test_huber_matches_torch(delta: float, reduction: str) -> None:
    F = pytest.importorskip("torch").nn.functional
    rng = np.random.default_rng(5)
    preds = rng.normal(scale=3.0, size=(7, 3))
    targets = rng.normal(size=(7, 3))
    targets[0, 0] = preds[0, 0] - delta  # exactly at the kink
    targets[0, 1] = preds[0, 1] + delta
    v_o, g_o = _grad(
        lambda x: al.huber_loss(x, _t(targets), delta=delta, reduction=reduction), _t(preds)
    )
    v_t, g_t = _grad(
        lambda x: F.huber_loss(x, _t(targets), delta=delta, reduction=reduction), _t(preds)
    )
    _close(_np(v_o), _np(v_t))
    _close(_np(g_o), _np(g_t))


@pytest.mark.parametrize("reduction", REDUCTIONS_peers)
def test_mse_matches_torch(reduction: str) -> None:
    F = pytest.importorskip("torch").nn.functional
    rng = np.random.default_rng(6)
    preds, targets = rng.normal(size=(4, 3, 2)), rng.normal(size=(4, 3, 2))
    v_o, g_o = _grad(lambda x: al.mse_loss(x, _t(targets), reduction=reduction), _t(preds))
    v_t, g_t = _grad(lambda x: F.mse_loss(x, _t(targets), reduction=reduction), _t(preds))
    _close(_np(v_o), _np(v_t))
    _close(_np(g_o), _np(g_t))
