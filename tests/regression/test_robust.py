"""The robust regression losses: values, dtypes, Barron's special cases, numerics,
gradients with respect to a learnable alpha and scale, errors and kornia parity.

References are the independent float64 formulas of ``support/reference_robust.py``
(mpmath at 50 digits where float64 itself would cancel), hand-derived values, and
kornia. Nothing here re-runs arrayloss to get an expected value.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np
import pytest

import arrayloss as al
from regression import reference as rref
from support import reference as ref
from support.backends import Backend

LOSSES: dict[str, tuple[Any, Any, dict[str, Any]]] = {
    "charbonnier": (al.charbonnier_loss, rref.charbonnier, {"eps": 0.5}),
    "charbonnier-default": (al.charbonnier_loss, rref.charbonnier, {}),
    "cauchy": (al.cauchy_loss, rref.cauchy, {"scale": 1.5}),
    "geman_mcclure": (al.geman_mcclure_loss, rref.geman_mcclure, {"scale": 0.7}),
    "welsch": (al.welsch_loss, rref.welsch, {"scale": 2.0}),
    "tukey": (al.tukey_biweight_loss, rref.tukey_biweight, {"c": 2.5}),
    "tukey-default": (al.tukey_biweight_loss, rref.tukey_biweight, {}),
    "wing": (al.wing_loss, rref.wing, {"width": 2.0, "curvature": 0.3}),
    "wing-default": (al.wing_loss, rref.wing, {}),
    "barron-1": (al.barron_loss, rref.barron, {"alpha": 1.0}),
    "barron-0.5-scale": (al.barron_loss, rref.barron, {"alpha": 0.5, "scale": 1.7}),
    "barron-neg": (al.barron_loss, rref.barron, {"alpha": -5.0, "scale": 0.5}),
    "barron-3": (al.barron_loss, rref.barron, {"alpha": 3.0}),
    "barron-specials": (al.barron_loss, rref.barron, {"alpha": -math.inf}),
}


LIGHT = {"charbonnier", "tukey", "wing", "barron-0.5-scale", "welsch"}


def _data(shape: tuple[int, ...], seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    # residuals ~ N(0, 5): both the quadratic bowl and the robust tails
    return rng.normal(0.0, 3.0, size=shape), rng.normal(0.0, 4.0, size=shape)


def _skip_eager_jax(backend: Backend) -> None:
    """Eager JAX compiles every primitive per shape (seconds a test): the same code runs
    under jax-jit, and eager JAX runs the representative value subset."""
    if backend.name in ("jax", "jax-gpu"):
        pytest.skip(f"{backend.name}: covered by jax-jit and the value subset (runtime)")


def _compare(
    backend: Backend,
    fn: Any,
    ref_fn: Any,
    preds: np.ndarray,
    targets: np.ndarray,
    kwargs: dict[str, Any],
    dtype: str = "float64",
) -> None:
    compute = "float64" if dtype == "float64" else "float32"
    p, t = backend.asarray(preds, dtype), backend.asarray(targets, dtype)
    kw = {
        k: backend.asarray(v, dtype) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()
    }
    outs = ref.call_all_reductions(backend, fn, p, t, **kw)
    for reduction, out in outs.items():
        shape = preds.shape if reduction == "none" else ()
        got = backend.check_result(out, dtype=backend.dtype(compute), shape=shape)
        want = ref_fn(preds, targets, **kwargs, reduction=reduction)
        ref.assert_close(got, want, compute, err_msg=f"reduction={reduction}")


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("loss", list(LOSSES))
def test_matches_reference(backend: Backend, loss: str, weighted: bool) -> None:
    if ref.is_light(backend) and (loss not in LIGHT or weighted != (loss in {"tukey", "wing"})):
        pytest.skip(f"{backend.name}: representative subset only (runtime)")
    fn, ref_fn, kwargs = LOSSES[loss]
    preds, targets = _data((2, 3, 4))
    kw = dict(kwargs)
    if weighted:
        w = np.random.default_rng(1).uniform(0.0, 2.0, size=(3, 1))
        w[0, 0] = 0.0
        kw["weights"] = w
    _compare(backend, fn, ref_fn, preds, targets, kw)


def test_barron_array_alpha_and_scale_match_reference(backend: Backend) -> None:
    """Per-dimension alpha (every special value, near-special ones) and scale."""
    _skip_eager_jax(backend)
    preds, targets = _data((3, 12), seed=2)
    alpha = np.array(
        [-np.inf, -1e3, -2.0, -0.5, 0.0, 0.3, 1.0, 1.5, 2.0, 2.5, 4.0, -1e-3], dtype=np.float64
    )
    scale = np.random.default_rng(3).uniform(0.5, 3.0, size=(12,))
    _compare(
        backend, al.barron_loss, rref.barron, preds, targets, {"alpha": alpha, "scale": scale}
    )


def test_barron_positive_infinity(backend: Backend) -> None:
    """alpha = +inf: exp(z^2/2) - 1, a Python float and an array entry (small residuals)."""
    _skip_eager_jax(backend)
    preds, targets = _data((2, 3), seed=4)
    preds = targets + np.array([0.0, 0.5, -1.5])
    _compare(backend, al.barron_loss, rref.barron, preds, targets, {"alpha": math.inf})
    alpha = np.array([math.inf, 1.0, math.inf])
    _compare(backend, al.barron_loss, rref.barron, preds, targets, {"alpha": alpha})


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
@pytest.mark.parametrize("loss", ["charbonnier", "tukey", "wing", "barron-array", "welsch"])
def test_dtype_contract(backend: Backend, loss: str, dtype: str) -> None:
    """Half in -> float32 out, float32 stays (no Python-float upcast on NumPy), float64 stays.
    The reference runs on the inputs rounded to ``dtype``."""
    if ref.is_light(backend) and loss != "barron-array":
        pytest.skip(f"{backend.name}: representative subset only (runtime)")
    ref.require_dtype(backend, dtype)
    preds, targets = (ref.round_to(a, dtype) for a in _data((2, 3, 4), seed=5))
    weights = ref.round_to(np.random.default_rng(6).uniform(0.5, 2.0, size=(4,)), dtype)
    if loss == "barron-array":
        alpha = ref.round_to(np.array([-np.inf, 0.0, 0.7, 2.0]), dtype)
        scale = ref.round_to(np.array([1.0, 0.5, 2.0, 1.5]), dtype)
        fn, ref_fn, kw = al.barron_loss, rref.barron, {"alpha": alpha, "scale": scale}
    else:
        fn, ref_fn, kw = LOSSES[loss]
    _compare(backend, fn, ref_fn, preds, targets, {**kw, "weights": weights}, dtype=dtype)


# -- Barron's special cases are the named losses --------------------------------------
# The mapping (docstrings): cauchy = barron(alpha=0), geman_mcclure = barron(alpha=-2),
# welsch = barron(alpha=-inf), charbonnier(eps) = eps * barron(alpha=1, scale=eps).
SPECIAL = [
    (al.cauchy_loss, 0.0, {"scale": 1.3}),
    (al.geman_mcclure_loss, -2.0, {"scale": 0.6}),
    (al.welsch_loss, -math.inf, {"scale": 2.2}),
]


@pytest.mark.parametrize("alpha_as", ["float", "array"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_barron_special_cases_equal_the_named_losses(
    backend: Backend, dtype: str, alpha_as: str
) -> None:
    _skip_eager_jax(backend)
    if ref.is_light(backend) and (dtype, alpha_as) != ("float32", "array"):
        pytest.skip(f"{backend.name}: representative subset only (runtime)")
    preds, targets = _data((4, 5), seed=7)
    preds[0, :2] = targets[0, :2] + np.array([3e3, -1e-3])  # far tail and the bowl
    p, t = backend.asarray(preds, dtype), backend.asarray(targets, dtype)
    f = backend.dtype(dtype)

    def alpha_arg(a: float) -> Any:
        return a if alpha_as == "float" else backend.asarray(np.full((5,), a), dtype)

    def both(p: Any, t: Any, **arrays: Any) -> tuple[Any, ...]:
        out = []
        for fn, a, kw in SPECIAL:
            out.append(fn(p, t, **kw, reduction="none"))
            out.append(al.barron_loss(p, t, alpha=arrays[f"a{a}"], reduction="none", **kw))
        out.append(al.charbonnier_loss(p, t, eps=0.25, reduction="none"))
        out.append(al.barron_loss(p, t, alpha=arrays["a1.0"], scale=0.25, reduction="none"))
        return tuple(out)

    arrays = {f"a{a}": alpha_arg(a) for a in (0.0, -2.0, -math.inf, 1.0)}
    outs = [
        backend.check_result(o, dtype=f, shape=(4, 5)) for o in backend.call(both, p, t, **arrays)
    ]
    rtol = 1e-13 if dtype == "float64" else 4e-6
    for named, barron in zip(outs[:-2:2], outs[1:-2:2], strict=True):
        np.testing.assert_allclose(barron, named, rtol=rtol, atol=0)
    np.testing.assert_allclose(0.25 * outs[-1], outs[-2], rtol=rtol, atol=0)


def test_barron_limits_are_continuous_in_alpha() -> None:
    """The value near each special alpha tends to the special case (mpmath reference)."""
    z = np.array([0.0, 1e-3, 0.5, 1.0, 3.0, 40.0, 1e4])
    zeros = np.zeros_like(z)
    for alpha in (-1e-6, 1e-6, -1e-9, 2.0 - 1e-6, 2.0 + 1e-6, 2.0 - 1e-12, 0.999999, -1e8):
        got = al.barron_loss(z, zeros, alpha=alpha, reduction="none")
        got_arr = al.barron_loss(z, zeros, alpha=np.full(z.shape, alpha), reduction="none")
        want = np.array([rref.barron_mp(float(x), alpha) for x in z])
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=0, err_msg=f"alpha={alpha}")
        np.testing.assert_allclose(got_arr, want, rtol=1e-13, atol=0, err_msg=f"alpha={alpha}")


@pytest.mark.parametrize("alpha_as", ["float", "array"])
def test_barron_float32_near_special_alpha(alpha_as: str) -> None:
    """float32 at alpha within 1e-6 of 0 and 2 and |x| up to 1e4: float32 accuracy."""
    z = np.array([0.0, 1e-3, 0.5, 1.0, 3.0, 40.0, 1e4], dtype=np.float32)
    for alpha in (-1e-6, 0.0, 1e-6, 2.0 - 1e-6, 2.0, 2.0 + 1e-6, -2.0, 1.0):
        a32 = float(np.float32(alpha))  # the alpha float32 arithmetic actually sees
        arg = a32 if alpha_as == "float" else np.full(z.shape, alpha, dtype=np.float32)
        got = al.barron_loss(z, np.zeros_like(z), alpha=arg, reduction="none")
        assert got.dtype == np.float32
        want = np.array([rref.barron_mp(float(x), a32) for x in z])
        np.testing.assert_allclose(got, want, rtol=4e-6, atol=0, err_msg=f"alpha={alpha}")


# -- numerics: finite value and gradient, incl. w.r.t. alpha and scale ----------------


def _grads(lib: str, fn: Any, x: np.ndarray, dtype: str, **params: Any) -> tuple[Any, ...]:
    """(value, d/dx, d/dparam for each array param) of ``sum(fn(x, 0, **params))``.

    JAX runs under ``jax.jit`` (one compile, not one per primitive as eagerly)."""
    names = [k for k, v in params.items() if isinstance(v, np.ndarray)]
    static = {k: v for k, v in params.items() if k not in names}
    if lib == "torch":
        torch = pytest.importorskip("torch")
        tdt = getattr(torch, dtype)
        leaves = [torch.tensor(x, dtype=tdt, requires_grad=True)]
        leaves += [torch.tensor(params[k], dtype=tdt, requires_grad=True) for k in names]
        kw = {**static, **dict(zip(names, leaves[1:], strict=True))}
        out = fn(leaves[0], torch.zeros_like(leaves[0]), **kw, reduction="none")
        grads = torch.autograd.grad(out.sum(), leaves)
        return (out.detach().double().numpy(), *(g.double().numpy() for g in grads))
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    args = [jnp.asarray(x, dtype=dtype)] + [jnp.asarray(params[k], dtype=dtype) for k in names]

    def f(*a: Any) -> Any:
        kw = {**static, **dict(zip(names, a[1:], strict=True))}
        return fn(a[0], jnp.zeros_like(a[0]), **kw, reduction="none")

    def both(*a: Any) -> Any:
        return f(*a), jax.grad(lambda *a: jnp.sum(f(*a)), argnums=tuple(range(len(a))))(*a)

    out, grads = jax.jit(both)(*args)
    return (np.asarray(out, np.float64), *(np.asarray(g, np.float64) for g in grads))


EXTREME = np.array([0.0, 1e-20, 1e-4, 0.5, 4.685, 4.7, 5.0, -5.0, 60.0, -1e4, 1e4])


EXTREME_CASES = [
    (al.charbonnier_loss, {}),
    (al.charbonnier_loss, {"eps": 1e-30}),
    (al.cauchy_loss, {"scale": 1e-3}),
    (al.geman_mcclure_loss, {}),
    (al.welsch_loss, {"scale": 0.1}),
    (al.tukey_biweight_loss, {}),
    (al.wing_loss, {}),
    (al.wing_loss, {"width": 0.5, "curvature": 1e-3}),
    (al.barron_loss, {"alpha": 1.0}),
    (al.barron_loss, {"alpha": 2.0 - 1e-6}),
    (al.barron_loss, {"alpha": -1e-6}),
    (al.barron_loss, {"alpha": -1e6}),
    (al.barron_loss, {"alpha": -math.inf}),
]


def _stacked(x: Any, zeros: Any, *, reduction: str) -> Any:
    """Every EXTREME_CASES loss of ``x``, stacked (one JAX compile for all of them)."""
    import array_api_compat

    xp = array_api_compat.array_namespace(x)
    return xp.stack([fn(x, zeros, **kw, reduction=reduction) for fn, kw in EXTREME_CASES])


@pytest.mark.parametrize("lib", ["torch", "jax"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_finite_value_and_gradient_at_extremes(lib: str, dtype: str) -> None:
    """|x| up to 1e4 in float32, the Tukey threshold and beyond, Wing's width boundary
    (x = 5 = width, x = 0.5 = width), tiny scales and eps: finite value and gradient
    for every loss of EXTREME_CASES (stacked, one compile)."""
    value, grad = _grads(lib, _stacked, EXTREME, dtype)
    assert value.shape == (len(EXTREME_CASES), EXTREME.size)
    for i, (fn, kw) in enumerate(EXTREME_CASES):
        assert np.all(np.isfinite(value[i])), (fn.__name__, kw)
        assert np.all(value[i] >= 0), (fn.__name__, kw)
    # the gradient of the stacked sum is the sum of the gradients: finite iff all are
    # (each is finite on its own unless two infinities cancel, which they cannot here)
    assert np.all(np.isfinite(grad))


def test_tukey_beyond_c_is_constant_with_zero_gradient() -> None:
    """Beyond c: c^2/6 exactly and gradient exactly 0; at the threshold the gradient
    x (1 - (x/c)^2)^2 is 0 too (hand-derived)."""
    pytest.importorskip("torch")
    x = np.array([2.0, -2.0, 2.5, 100.0, -1e4, 1.0])
    value, grad = _grads("torch", al.tukey_biweight_loss, x, "float64", c=2.0)
    np.testing.assert_array_equal(value[:5], 4.0 / 6.0)
    np.testing.assert_array_equal(grad[:5], 0.0)
    np.testing.assert_allclose(grad[5], 1.0 * (1 - 0.25) ** 2, rtol=1e-15)


@pytest.mark.parametrize("lib", ["torch"])
def test_wing_is_continuous_at_the_width(lib: str) -> None:
    """Both pieces meet at |x| = w; the slope is w/(eps + w) inside, 1 outside (Feng eq. 5)."""
    w, e = 5.0, 0.5
    x = np.array([w - 1e-9, w, w + 1e-9, -w])
    value, grad = _grads(lib, al.wing_loss, x, "float64", width=w, curvature=e)
    np.testing.assert_allclose(value, w * math.log(1 + w / e), rtol=1e-9)
    np.testing.assert_allclose(grad[0], w / (e + w - 1e-9), rtol=1e-12)
    np.testing.assert_allclose(grad[2], 1.0, rtol=1e-12)


ALPHAS = [-1e6, -100.0, -2.0, -1e-6, 0.0, 1e-6, 0.5, 1.0, 1.5, 2.0 - 1e-6, 2.0, 2.0 + 1e-6, 3.0]


X_GRAD = np.array([0.0, 1e-4, 0.3, 1.0, 3.0, 30.0, 1e4])


@functools.cache
def _mp_barron_table(dtype: str) -> tuple[np.ndarray, np.ndarray]:
    """rho and d rho/d alpha at 50+ digits, for each alpha as ``dtype`` rounds it."""
    values, dalpha = (
        np.zeros((len(ALPHAS), X_GRAD.size)),
        np.full((len(ALPHAS), X_GRAD.size), np.nan),
    )
    for i, alpha in enumerate(ALPHAS):
        a = float(np.asarray(alpha, dtype=dtype))
        values[i] = [rref.barron_mp(float(v), a, 0.8) for v in X_GRAD]
        if abs(a - 2.0) >= 1e-3:  # unbounded at 2 (docstring)
            dalpha[i] = [rref.barron_dalpha_mp(float(v), a, 0.8) for v in X_GRAD]
    return values, dalpha


@pytest.mark.parametrize("lib", ["torch", "jax"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_barron_gradients_wrt_alpha_and_scale(lib: str, dtype: str) -> None:
    """A learnable alpha and scale: finite gradients at every alpha (exactly 0 and 2,
    within 1e-6 of them, large negative) and |x| up to 1e4; accurate against a
    high-precision difference quotient where the derivative is bounded (away from 2).
    One call: row i of the (alphas, x) grid has alpha = ALPHAS[i]."""
    shape = (len(ALPHAS), X_GRAD.size)
    x = np.broadcast_to(X_GRAD, shape).copy()
    alpha = np.broadcast_to(np.array(ALPHAS)[:, None], shape).copy()
    value, g_x, g_alpha, g_scale = _grads(
        lib, al.barron_loss, x, dtype, alpha=alpha, scale=np.full(shape, 0.8)
    )
    for g in (value, g_x, g_alpha, g_scale):
        assert np.all(np.isfinite(g))
    want_v, want_da = _mp_barron_table(dtype)
    np.testing.assert_allclose(value, want_v, rtol=1e-13 if dtype == "float64" else 4e-6)
    # d rho/d scale = -(x/c) d rho/dx: exact chain rule through z = x / c
    np.testing.assert_allclose(g_scale, -(x / 0.8) * g_x, rtol=1e-5, atol=1e-30)
    # relative to the derivative, or, where the derivative is far below the loss (O(z^4)
    # for small z, O(1/alpha^2) for large |alpha|), to a few ulp of rho / max(1, |alpha|)
    # (the size of the terms that cancel in it)
    eps = float(np.finfo(dtype).eps)
    rtol = 1e-9 if dtype == "float64" else 1e-4
    atol = 64 * eps * want_v / np.maximum(1.0, np.abs(alpha))
    bounded = ~np.isnan(want_da)
    err = np.abs(g_alpha - want_da)[bounded]
    assert np.all(err <= (rtol * np.abs(want_da) + atol)[bounded])


def test_barron_alpha_gradient_is_large_but_finite_at_two() -> None:
    """At alpha = 2 the true derivative is +inf (like -(z^2/4) log|alpha - 2|); the clamp
    at eps gives a finite value between the neighbours' derivatives, not 0."""
    torch = pytest.importorskip("torch")
    z = torch.tensor([3.0], dtype=torch.float64)
    grads = []
    for alpha in (2.0 - 1e-6, 2.0, 2.0 + 1e-6):
        a = torch.tensor([alpha], dtype=torch.float64, requires_grad=True)
        (g,) = torch.autograd.grad(al.barron_loss(z, torch.zeros_like(z), alpha=a), a)
        grads.append(float(g))
    assert all(math.isfinite(g) for g in grads)
    assert grads[1] > max(grads[0], grads[2]) > 0
    # rho(2 + d) - rho(2) ~ (z^2 d / 4) (log(z^2 / |d|) - 1): the neighbours' slopes
    for g, d in ((grads[0], 1e-6), (grads[2], 1e-6)):
        assert g == pytest.approx(9.0 / 4.0 * (math.log(9.0 / d) - 2.0), rel=1e-3)


def test_nan_input_gives_nan() -> None:
    x = np.array([np.nan, 1.0])
    for fn, kw in [
        (al.charbonnier_loss, {}),
        (al.cauchy_loss, {}),
        (al.geman_mcclure_loss, {}),
        (al.welsch_loss, {}),
        (al.tukey_biweight_loss, {}),
        (al.wing_loss, {}),
        (al.barron_loss, {"alpha": 1.0}),
        (al.barron_loss, {"alpha": np.array([0.0, 2.0])}),
    ]:
        out = fn(x, np.zeros(2), reduction="none", **kw)
        assert np.isnan(out[0]), fn.__name__
        assert np.isfinite(out[1]), fn.__name__


# -- errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fn", "kw", "exc", "match"),
    [
        (al.charbonnier_loss, {"eps": 0.0}, ValueError, r"eps must be in \(0, inf\); got 0.0"),
        (al.cauchy_loss, {"scale": -1.0}, ValueError, r"scale must be in \(0, inf\); got -1.0"),
        (al.geman_mcclure_loss, {"scale": "1"}, TypeError, r"scale must be a real number"),
        (al.welsch_loss, {"scale": math.nan}, ValueError, r"scale must be in"),
        (al.tukey_biweight_loss, {"c": 0}, ValueError, r"c must be in \(0, inf\); got 0"),
        (al.wing_loss, {"width": -1.0}, ValueError, r"width must be in \(0, inf\)"),
        (al.wing_loss, {"curvature": True}, TypeError, r"curvature must be a real number"),
        (al.barron_loss, {"alpha": math.nan}, ValueError, r"alpha must be in"),
        (al.barron_loss, {"alpha": None}, TypeError, r"alpha must be a real number"),
        (al.barron_loss, {"alpha": 1.0, "scale": 0.0}, ValueError, r"scale must be in \(0"),
        (al.barron_loss, {"alpha": 1.0, "reduction": "avg"}, ValueError, r"reduction must be"),
    ],
)
def test_bad_hyperparameters(fn: Any, kw: Any, exc: type, match: str) -> None:
    with pytest.raises(exc, match=match) as info:
        fn(np.zeros(3), np.ones(3), **kw)
    assert type(info.value) is exc


def test_bad_array_alpha_and_scale() -> None:
    x = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"alpha with shape \(2, 4\) does not broadcast"):
        al.barron_loss(x, x, alpha=np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"scale with shape \(4, 2, 3\) does not broadcast"):
        al.barron_loss(x, x, alpha=1.0, scale=np.ones((4, 2, 3)))
    with pytest.raises(TypeError, match=r"alpha must be a real floating or integer array"):
        al.barron_loss(x, x, alpha=np.array([True, False, True]))
    with pytest.raises(ValueError, match=r"scale must be positive everywhere, got min -1"):
        al.barron_loss(x, x, alpha=1.0, scale=np.array([1.0, -1.0, 2.0]))
    with pytest.raises(TypeError, match=r"preds must be a real floating array"):
        al.wing_loss(np.zeros(3, dtype=np.int64), np.zeros(3))
    with pytest.raises(ValueError, match=r"targets must have the same shape as preds"):
        al.welsch_loss(np.zeros(3), np.zeros(4))


def test_mixed_namespaces_in_alpha() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match=r"alpha from torch"):
        al.barron_loss(np.zeros(3), np.zeros(3), alpha=torch.zeros(3))


def test_scale_array_values_not_read_under_jit() -> None:
    """A traced scale is not value-checked (no error, no sync): invalid values give NaN."""
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    f = jax.jit(lambda p, s: al.barron_loss(p, jnp.zeros_like(p), alpha=1.0, scale=s))
    assert math.isnan(float(f(jnp.ones(2), jnp.asarray([1.0, 0.0]))))


def test_integer_alpha_array_is_accepted() -> None:
    x = np.array([1.0, 2.0, 3.0])
    got = al.barron_loss(x, np.zeros(3), alpha=np.array([2, 0, 2]), reduction="none")
    np.testing.assert_allclose(got, [0.5, math.log(3.0), 4.5], rtol=1e-15)


# -- kornia: Barron at c = 1 --------------------------------------------------------------
# kornia's charbonnier/cauchy/geman_mcclure/welsch are Barron's loss at c = 1 with
# alpha = 1, 0, -2, -inf (their docstrings say so). Mapping to ours:
#   kornia.charbonnier_loss    = charbonnier_loss(eps=1)   = barron_loss(alpha=1)
#   kornia.cauchy_loss         = cauchy_loss(scale=1)      = barron_loss(alpha=0)
#   kornia.geman_mcclure_loss  = geman_mcclure_loss(scale=1) = barron_loss(alpha=-2)
#   kornia.welsch_loss         = welsch_loss(scale=1)      = barron_loss(alpha=-inf)
# For a scale c kornia needs inputs divided by c; ours takes ``scale=c``. kornia's default
# reduction is "none", ours "mean".
KORNIA = [
    ("charbonnier_loss", al.charbonnier_loss, {"eps": 1.0}, 1.0),
    ("cauchy_loss", al.cauchy_loss, {}, 0.0),
    ("geman_mcclure_loss", al.geman_mcclure_loss, {}, -2.0),
    ("welsch_loss", al.welsch_loss, {}, -math.inf),
]


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize(("name", "fn", "kw", "alpha"), KORNIA, ids=[k[0] for k in KORNIA])
def test_matches_kornia(name: str, fn: Any, kw: Any, alpha: float, reduction: str) -> None:
    kornia = pytest.importorskip("kornia")
    torch = pytest.importorskip("torch")
    preds, targets = _data((2, 3, 4, 4), seed=9)
    preds[0, 0, 0, :2] = targets[0, 0, 0, :2] + np.array([1e-4, 300.0])
    p, t = torch.from_numpy(preds), torch.from_numpy(targets)
    want = getattr(kornia.losses, name)(p, t, reduction=reduction).numpy()
    for got in (
        fn(p, t, **kw, reduction=reduction),
        al.barron_loss(p, t, alpha=alpha, reduction=reduction),
    ):
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=0)


def test_kornia_with_scale_is_ours_with_scale() -> None:
    """kornia has no scale: its loss on inputs divided by c is ours with ``scale=c``."""
    kornia = pytest.importorskip("kornia")
    torch = pytest.importorskip("torch")
    preds, targets = _data((3, 5), seed=10)
    p, t = torch.from_numpy(preds), torch.from_numpy(targets)
    for name, fn in (("cauchy_loss", al.cauchy_loss), ("welsch_loss", al.welsch_loss)):
        want = getattr(kornia.losses, name)(p / 2.5, t / 2.5, reduction="mean").numpy()
        np.testing.assert_allclose(fn(p, t, scale=2.5).numpy(), want, rtol=1e-12)


def test_reference_hand_derived() -> None:
    """The oracles themselves, on hand-derived values."""
    z = np.array([0.0, 2.0])
    np.testing.assert_allclose(rref.cauchy(z, 0 * z, reduction="none"), [0.0, math.log(3.0)])
    np.testing.assert_allclose(rref.geman_mcclure(z, 0 * z, reduction="none"), [0.0, 1.0])
    np.testing.assert_allclose(rref.charbonnier(np.array([4.0]), 0, eps=3.0, reduction="sum"), 2)
    np.testing.assert_allclose(rref.tukey_biweight(np.array([1.0]), 0, c=2.0), 37 / 96)
    np.testing.assert_allclose(
        rref.wing(np.array([0.5, 6.0]), 0, reduction="none"),
        [5 * math.log(2), 1 + 5 * math.log(11)],
    )
    np.testing.assert_allclose(rref.barron(z, 0 * z, alpha=2.0, reduction="none"), [0.0, 2.0])
    assert rref.barron_mp(2.0, 1.0) == pytest.approx(math.sqrt(5) - 1, rel=1e-15)
    # d/dalpha of sqrt-type: at alpha = 1, z = 1 (b = 1): d/da [(b/a)((1/b + 1)^(a/2) - 1)]
    h = 1e-6
    fd = (rref.barron_mp(1.0, 1.0 + h) - rref.barron_mp(1.0, 1.0 - h)) / (2 * h)
    assert rref.barron_dalpha_mp(1.0, 1.0) == pytest.approx(fd, rel=1e-8)
