"""nll_loss, focal_loss's offset ``lam`` and label smoothing, class_weights="balanced"
and class_weights_from_counts: values against the independent float64 references
(``support/reference_classification_extra.py``), peers, numerics and errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import arrayloss as al
from support import reference as ref
from support import reference_classification_extra as rx
from support.backends import Backend

REDUCTIONS = ref.REDUCTIONS


def _compare(
    backend: Backend,
    fn: Any,
    ref_fn: Any,
    arrays: tuple[np.ndarray, ...],
    kwargs: dict[str, Any],
    ref_kwargs: dict[str, Any],
    unreduced: tuple[int, ...],
    dtype: str = "float64",
) -> None:
    compute = "float64" if dtype == "float64" else "float32"
    args = tuple(ref.to_backend(backend, a, dtype) for a in arrays)
    kw = {k: ref.to_backend(backend, v, dtype) for k, v in kwargs.items()}
    outs = ref.call_all_reductions(backend, fn, *args, **kw)
    for reduction, out in outs.items():
        shape = unreduced if reduction == "none" else ()
        got = backend.check_result(out, dtype=backend.dtype(compute), shape=shape)
        want = ref_fn(
            *(_rounded(a, dtype) for a in arrays),
            **{k: _rounded(v, dtype) for k, v in ref_kwargs.items()},
            reduction=reduction,
        )
        ref.assert_close(got, want, compute, err_msg=f"reduction={reduction}")


def _rounded(value: Any, dtype: str) -> Any:
    """Floating NumPy inputs as the backend sees them (rounded to ``dtype``)."""
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return ref.round_to(value, dtype)
    return value


def _light(backend: Backend, option: str, subset: set[str]) -> None:
    if ref.is_light(backend) and option not in subset:
        pytest.skip(f"{backend.name}: representative subset only (runtime)")


def _log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


# -- nll_loss ----------------------------------------------------------------------------

NLL_OPTIONS: dict[str, dict[str, Any]] = {
    "plain": {},
    "class_weights": {"cw": True},
    "ignore": {"ignore": -100},
    "cw_ignore_weights": {"cw": True, "ignore": 1, "weights": True},
    "axis1": {"axis1": True, "cw": True, "ignore": 255},
    "balanced_ignore": {"balanced": True, "ignore": -100},
    "probs_cw": {"probs": True, "cw": True, "weights": True},
}


def _nll_case(option: str, seed: int = 0) -> tuple[Any, ...]:
    opt = NLL_OPTIONS[option]
    rng = np.random.default_rng(seed)
    shape, axis = ((2, 4, 3), 1) if opt.get("axis1") else ((7, 4), -1)
    ax = axis % len(shape)
    unreduced = shape[:ax] + shape[ax + 1 :]
    log_probs = _log_softmax(rng.normal(0.0, 2.0, size=shape), ax)
    if opt.get("probs"):
        q = rng.uniform(0.05, 1.0, size=shape)
        labels = q / q.sum(axis=ax, keepdims=True)
    else:
        labels = rng.integers(0, 3, size=unreduced)  # class 3 absent
        if "ignore" in opt:
            labels.reshape(-1)[::3] = opt["ignore"]
    kwargs: dict[str, Any] = {"axis": axis}
    ref_kwargs: dict[str, Any] = {"axis": axis}
    if "ignore" in opt:
        kwargs["ignore_index"] = ref_kwargs["ignore_index"] = opt["ignore"]
    if opt.get("cw"):
        kwargs["class_weights"] = ref_kwargs["class_weights"] = rng.uniform(0.2, 3.0, size=4)
    if opt.get("balanced"):
        kwargs["class_weights"] = "balanced"
        ref_kwargs["class_weights"] = rx.balanced_weights(labels, 4, opt.get("ignore"))
    if opt.get("weights"):
        kwargs["weights"] = ref_kwargs["weights"] = rng.uniform(0.0, 2.0, size=unreduced)
    return log_probs, labels, kwargs, ref_kwargs, unreduced


@pytest.mark.parametrize("option", list(NLL_OPTIONS))
def test_nll_loss_matches_reference(backend: Backend, option: str) -> None:
    _light(backend, option, {"axis1", "balanced_ignore"})
    log_probs, labels, kwargs, ref_kwargs, unreduced = _nll_case(option)
    _compare(backend, al.nll_loss, rx.nll_loss, (log_probs, labels), kwargs, ref_kwargs, unreduced)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_nll_loss_dtype_contract(backend: Backend, dtype: str) -> None:
    """Half in -> float32 out; float32 stays; float64 stays (CONVENTIONS 6)."""
    ref.require_dtype(backend, dtype)
    log_probs, labels, kwargs, ref_kwargs, unreduced = _nll_case("cw_ignore_weights", seed=1)
    _compare(
        backend,
        al.nll_loss,
        rx.nll_loss,
        (log_probs, labels),
        kwargs,
        ref_kwargs,
        unreduced,
        dtype=dtype,
    )


def test_nll_loss_all_ignored_is_zero(backend: Backend) -> None:
    """Every label ignored: 0 (torch's nll_loss gives NaN, pytorch #70348)."""
    lp = backend.asarray(_log_softmax(np.random.default_rng(2).normal(size=(3, 4)), 1))
    labels = backend.asarray(np.full(3, -100))
    outs = ref.call_all_reductions(
        backend, al.nll_loss, lp, labels, ignore_index=-100, class_weights="balanced"
    )
    for reduction, out in outs.items():
        shape = (3,) if reduction == "none" else ()
        got = backend.check_result(out, dtype=backend.dtype("float64"), shape=shape)
        np.testing.assert_array_equal(got, 0.0)


def test_nll_of_log_softmax_is_cross_entropy() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(5, 4))
    y = rng.integers(0, 4, size=5)
    cw = rng.uniform(0.5, 2.0, size=4)
    for reduction in REDUCTIONS:
        ref.assert_close(
            al.nll_loss(_log_softmax(x, 1), y, class_weights=cw, reduction=reduction),
            al.cross_entropy(x, y, class_weights=cw, reduction=reduction),
            "float64",
        )


@pytest.mark.parametrize("option", ["plain", "class_weights", "cw_ignore_weights", "axis1"])
def test_nll_loss_matches_torch(option: str) -> None:
    """torch.nn.functional.nll_loss: class weights, ignore_index, every reduction."""
    torch = pytest.importorskip("torch")
    log_probs, labels, kwargs, _, _ = _nll_case(option, seed=5)
    weights = kwargs.pop("weights", None)
    axis = kwargs.pop("axis")
    lp = torch.tensor(log_probs)
    y = torch.tensor(labels)
    tkw: dict[str, Any] = {}
    if "class_weights" in kwargs:
        tkw["weight"] = torch.tensor(kwargs["class_weights"])
    if "ignore_index" in kwargs:
        tkw["ignore_index"] = kwargs["ignore_index"]
    for reduction in REDUCTIONS:
        if weights is not None:
            # torch has no per-position weights: weight its "none" result by hand
            none = torch.nn.functional.nll_loss(lp, y, reduction="none", **tkw).numpy()
            w = np.asarray(weights)
            if reduction == "none":
                want = w * none
            elif reduction == "sum":
                want = np.sum(w * none)
            else:
                cwv = np.ones(4) if "weight" not in tkw else kwargs["class_weights"]
                keep = labels != kwargs.get("ignore_index", -12345)
                den = np.where(keep, cwv[np.where(keep, labels, 0)], 0.0) * w
                want = np.sum(w * none) / np.sum(den)
        else:
            want = torch.nn.functional.nll_loss(lp, y, reduction=reduction, **tkw).numpy()
        tw = None if weights is None else torch.tensor(weights)
        akw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
        got = al.nll_loss(lp, y, axis=axis, reduction=reduction, weights=tw, **akw)
        ref.assert_close(got.detach().numpy(), want, "float64", err_msg=reduction)


# -- focal: lam, label smoothing, class_weights ------------------------------------------

FOCAL_OPTIONS: dict[str, dict[str, Any]] = {
    "lam": {"lam": 1.5},
    "lam_gamma_half_alpha": {"lam": 2.0, "gamma": 0.5, "alpha": True},
    "smoothing": {"eps": 0.1},
    "smoothing_cw_alpha_ignore": {"eps": 0.2, "cw": True, "alpha": True, "ignore": -100},
    "smoothing_lam_weights": {"eps": 0.15, "lam": 1.25, "weights": True, "ignore": 2},
    "cw_only": {"cw": True, "weights": True},
    "balanced_ignore": {"balanced": True, "ignore": -100, "lam": 1.5},
    "balanced_smoothing": {"balanced": True, "eps": 0.1},
    "probs_smoothing_lam": {"probs": True, "eps": 0.2, "lam": 3.0, "cw": True},
}


def _focal_case(option: str, seed: int = 0) -> tuple[Any, ...]:
    opt = FOCAL_OPTIONS[option]
    rng = np.random.default_rng(seed)
    shape, axis = (2, 5, 3), 1
    unreduced = (2, 3)
    logits = rng.normal(0.0, 2.0, size=shape)
    if opt.get("probs"):
        q = rng.uniform(0.05, 1.0, size=shape)
        labels: np.ndarray = q / q.sum(axis=1, keepdims=True)
    else:
        labels = rng.integers(0, 4, size=unreduced)  # class 4 absent
        if "ignore" in opt:
            labels.reshape(-1)[::4] = opt["ignore"]
    kwargs: dict[str, Any] = {"axis": axis, "gamma": opt.get("gamma", 2.0)}
    if "lam" in opt:
        kwargs["lam"] = opt["lam"]
    if "eps" in opt:
        kwargs["label_smoothing"] = opt["eps"]
    if "ignore" in opt:
        kwargs["ignore_index"] = opt["ignore"]
    if opt.get("alpha"):
        kwargs["alpha"] = rng.uniform(0.1, 1.0, size=5)
    if opt.get("cw"):
        kwargs["class_weights"] = rng.uniform(0.2, 3.0, size=5)
    if opt.get("weights"):
        kwargs["weights"] = rng.uniform(0.0, 2.0, size=unreduced)
    ref_kwargs = dict(kwargs)
    if opt.get("balanced"):
        kwargs["class_weights"] = "balanced"
        ref_kwargs["class_weights"] = rx.balanced_weights(labels, 5, opt.get("ignore"))
    return logits, labels, kwargs, ref_kwargs, unreduced


@pytest.mark.parametrize("option", list(FOCAL_OPTIONS))
def test_focal_extensions_match_reference(backend: Backend, option: str) -> None:
    _light(backend, option, {"smoothing_cw_alpha_ignore", "balanced_ignore"})
    logits, labels, kwargs, ref_kwargs, unreduced = _focal_case(option)
    _compare(
        backend, al.focal_loss, rx.focal_loss, (logits, labels), kwargs, ref_kwargs, unreduced
    )


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32"])
def test_focal_extensions_dtype_contract(backend: Backend, dtype: str) -> None:
    ref.require_dtype(backend, dtype)
    if ref.is_light(backend) and dtype != "bfloat16":
        pytest.skip(f"{backend.name}: representative subset only (runtime)")
    logits, labels, kwargs, ref_kwargs, unreduced = _focal_case("smoothing_lam_weights", seed=1)
    _compare(
        backend,
        al.focal_loss,
        rx.focal_loss,
        (logits, labels),
        kwargs,
        ref_kwargs,
        unreduced,
        dtype=dtype,
    )


def test_focal_lam_one_is_the_standard_focal_loss() -> None:
    """lam=1 takes the existing log-space path: bit-identical to the default."""
    rng = np.random.default_rng(6)
    x = rng.normal(0.0, 3.0, size=(6, 4))
    y = rng.integers(0, 4, size=6)
    probs = rng.dirichlet(np.ones(4), size=6)
    for labels in (y, probs):
        for gamma in (0.5, 2.0):
            a = al.focal_loss(x, labels, gamma=gamma, reduction="none")
            b = al.focal_loss(x, labels, gamma=gamma, lam=1.0, reduction="none")
            np.testing.assert_array_equal(a, b)
            # and lam -> 1 is continuous
            c = al.focal_loss(x, labels, gamma=gamma, lam=1.0 + 1e-12, reduction="none")
            np.testing.assert_allclose(c, a, rtol=1e-9)


@pytest.mark.parametrize("option", ["int", "int_cw_ignore", "probs_cw"])
def test_smoothed_focal_gamma_zero_is_smoothed_cross_entropy(
    backend: Backend, option: str
) -> None:
    _light(backend, option, {"int_cw_ignore"})
    rng = np.random.default_rng(7)
    x = rng.normal(0.0, 2.0, size=(6, 4))
    labels: np.ndarray
    if option.startswith("probs"):
        labels = rng.dirichlet(np.ones(4), size=6)
    else:
        labels = rng.integers(0, 4, size=6)
        labels[2] = -100
    kw: dict[str, Any] = {"label_smoothing": 0.2}
    if "cw" in option:
        kw["class_weights"] = backend.asarray(rng.uniform(0.5, 2.0, size=4))
    if "ignore" in option or option == "int":
        kw["ignore_index"] = -100
    args = (backend.asarray(x), backend.asarray(labels))
    ces = ref.call_all_reductions(backend, al.cross_entropy, *args, **kw)
    fos = ref.call_all_reductions(backend, al.focal_loss, *args, gamma=0.0, lam=1.7, **kw)
    f64 = backend.dtype("float64")
    for reduction in REDUCTIONS:
        shape = (6,) if reduction == "none" else ()
        ref.assert_close(
            backend.check_result(fos[reduction], dtype=f64, shape=shape),
            backend.check_result(ces[reduction], dtype=f64, shape=shape),
            "float64",
            err_msg=reduction,
        )


def test_focal_lam_changes_easy_and_hard_weights() -> None:
    """Hand-derived: p_t = 1/2 gives (lam - 1/2)^gamma log 2; lam=2, gamma=2: 2.25 log 2."""
    out = al.focal_loss(np.zeros((1, 2)), np.array([0]), gamma=2.0, lam=2.0)
    np.testing.assert_allclose(out, 2.25 * np.log(2.0), rtol=1e-14)
    # easy example (p_t -> 1): the factor tends to (lam - 1)^gamma, not 0
    easy = al.focal_loss(np.array([[30.0, 0.0]]), np.array([0]), gamma=2.0, lam=1.5)
    np.testing.assert_allclose(easy, 0.25 * np.exp(-30.0), rtol=1e-10)


# -- class_weights="balanced" -----------------------------------------------------------


def test_balanced_cross_entropy_matches_sklearn_formula(backend: Backend) -> None:
    rng = np.random.default_rng(8)
    x = rng.normal(0.0, 2.0, size=(2, 4, 5))
    y = rng.integers(0, 3, size=(2, 5))
    y[0, :2] = 255
    want_w = rx.balanced_weights(y, 4, 255)
    args = (backend.asarray(x), backend.asarray(y))
    outs = ref.call_all_reductions(
        backend,
        al.cross_entropy,
        *args,
        axis=1,
        ignore_index=255,
        class_weights="balanced",
        label_smoothing=0.1,
    )
    for reduction, out in outs.items():
        shape = (2, 5) if reduction == "none" else ()
        want = ref.cross_entropy(
            x,
            y,
            axis=1,
            ignore_index=255,
            class_weights=want_w,
            label_smoothing=0.1,
            reduction=reduction,
        )
        got = backend.check_result(out, dtype=backend.dtype("float64"), shape=shape)
        ref.assert_close(got, want, "float64", err_msg=reduction)


def test_balanced_weights_carry_no_gradient() -> None:
    """With soft targets the counts depend on labels: still no gradient through them."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(9)
    x = torch.tensor(rng.normal(size=(6, 3)), requires_grad=True)
    q = rng.uniform(0.05, 1.0, size=(6, 3))
    q /= q.sum(axis=1, keepdims=True)
    soft1 = torch.tensor(q, requires_grad=True)
    soft2 = torch.tensor(q, requires_grad=True)
    fixed = torch.tensor(rx.class_weights_from_counts(q.sum(axis=0)))
    a = al.cross_entropy(x, soft1, class_weights="balanced")
    b = al.cross_entropy(x, soft2, class_weights=fixed)
    ga = torch.autograd.grad(a, soft1)[0]
    gb = torch.autograd.grad(b, soft2)[0]
    ref.assert_close(a.detach().numpy(), b.detach().numpy(), "float64")
    ref.assert_close(ga.numpy(), gb.numpy(), "float64")


# -- class_weights_from_counts ----------------------------------------------------------

COUNTS = {
    "int": np.array([10, 250, 0, 3, 1000]),
    "float_even": np.array([5.0, 7.0, 100.0, 1.0]),
    "all_equal": np.array([4, 4, 4]),
}


@pytest.mark.parametrize(
    "method", ["inverse", "inverse_sqrt", "median_frequency", "effective_number"]
)
@pytest.mark.parametrize("counts", list(COUNTS))
def test_class_weights_from_counts(backend: Backend, method: str, counts: str) -> None:
    if ref.is_light(backend) and counts != "int":
        pytest.skip(f"{backend.name}: representative subset only (runtime)")
    n = COUNTS[counts]
    out = backend.call(al.class_weights_from_counts, backend.asarray(n), method=method)
    if n.dtype.kind == "f":
        dtype = backend.dtype("float64")
    else:
        info = backend.xp.__array_namespace_info__()
        dtype = info.default_dtypes()["real floating"]
    compute = "float64" if str(dtype).endswith("float64") else "float32"
    got = backend.check_result(out, dtype=dtype, shape=n.shape)
    ref.assert_close(got, rx.class_weights_from_counts(n, method), compute)


@pytest.mark.parametrize("beta", [0.0, 0.9, 0.9999])
def test_effective_number_matches_paper(beta: float) -> None:
    n = np.array([1.0, 2.0, 50.0, 5000.0, 0.0])
    got = al.class_weights_from_counts(n, method="effective_number", beta=beta)
    want = rx.class_weights_from_counts(n, "effective_number", beta)
    ref.assert_close(got, want, "float64")
    np.testing.assert_allclose(np.sum(got), n.size, rtol=1e-12)  # the paper's sum = C


def test_class_weights_from_counts_float32_near_one_beta() -> None:
    """1 - beta^n in float32 for beta = 0.9999 and n = 1: expm1 keeps it accurate."""
    n = np.array([1.0, 3.0], dtype=np.float32)
    got = al.class_weights_from_counts(n, method="effective_number", beta=0.9999)
    assert got.dtype == np.float32
    ref.assert_close(got, rx.class_weights_from_counts(n, "effective_number", 0.9999), "float32")


# -- numerics ----------------------------------------------------------------------------


@pytest.mark.parametrize("margin", [17.0, 23.0, 30.0, 1e4])
@pytest.mark.parametrize("lam", [1.0, 1.5, 3.0])
def test_focal_lam_gamma_below_one_saturated_torch(margin: float, lam: float) -> None:
    """Saturated logits, gamma < 1, lam >= 1: finite value and gradient in float32."""
    torch = pytest.importorskip("torch")
    rows = np.array([[margin, 0.0, -margin], [-margin, 0.0, margin], [0.0, margin, 1.0]])
    labels = np.array([0, 0, 1])  # easy, hard, easy with a near rival
    for eps in (0.0, 0.1):
        x = torch.tensor(rows, dtype=torch.float32, requires_grad=True)
        out = al.focal_loss(
            x, torch.tensor(labels), gamma=0.5, lam=lam, label_smoothing=eps, reduction="none"
        )
        (g,) = torch.autograd.grad(out.sum(), x)
        assert torch.isfinite(out).all(), out
        assert torch.isfinite(g).all(), g
        if eps == 0.0:
            want = [
                rx.focal_saturated_mp(r, int(y), 0.5, lam)
                for r, y in zip(rows, labels, strict=True)
            ]
            ref.assert_close(out.detach().numpy(), want, "float32")


def test_focal_lam_gamma_below_one_saturated_jax() -> None:
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    rows = jnp.asarray([[1e4, 0.0, -1e4], [-25.0, 0.0, 25.0]], dtype=jnp.float32)
    labels = jnp.asarray([0, 0])

    def f(x: Any) -> Any:
        return al.focal_loss(x, labels, gamma=0.3, lam=1.2, label_smoothing=0.05)

    value, grad = jax.jit(jax.value_and_grad(f))(rows)
    assert np.isfinite(np.asarray(value))
    assert np.isfinite(np.asarray(grad)).all()


# -- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"lam": 0.5}, ValueError, r"lam must be in \[1, inf\); got 0.5"),
        ({"lam": "2"}, TypeError, "lam must be a real number"),
        ({"class_weights": "inverse"}, ValueError, "class_weights must be .* 'balanced'"),
        ({"label_smoothing": 1.5}, ValueError, "label_smoothing"),
    ],
)
def test_focal_errors(kwargs: dict[str, Any], exc: type, match: str) -> None:
    with pytest.raises(exc, match=match):
        al.focal_loss(np.zeros((2, 3)), np.array([0, 1]), **kwargs)


def test_nll_loss_errors() -> None:
    with pytest.raises(TypeError, match="log_probs must be a real floating array"):
        al.nll_loss(np.zeros((2, 3), dtype=np.int64), np.array([0, 1]))
    with pytest.raises(ValueError, match="does not match log_probs"):
        al.nll_loss(np.zeros((2, 3)), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="class_weights must be"):
        al.nll_loss(np.zeros((2, 3)), np.array([0, 1]), class_weights="sklearn")
    with pytest.raises(TypeError, match="log_probs must be an array"):
        al.nll_loss([[0.0, 0.0]], np.array([0]))


@pytest.mark.parametrize(
    ("counts", "kwargs", "exc", "match"),
    [
        (np.ones((2, 2)), {}, ValueError, "counts must be a 1-d array"),
        (np.array([True, False]), {}, TypeError, "counts must be an integer or real floating"),
        (np.array([1, -2]), {}, ValueError, "counts must be >= 0"),
        (np.array([1, 2]), {"method": "log"}, ValueError, "method must be one of"),
        (np.array([1, 2]), {"method": "effective_number", "beta": 1.0}, ValueError, "beta"),
        ([1, 2], {}, TypeError, "counts must be an array"),
    ],
)
def test_class_weights_from_counts_errors(
    counts: Any, kwargs: dict[str, Any], exc: type, match: str
) -> None:
    with pytest.raises(exc, match=match):
        al.class_weights_from_counts(counts, **kwargs)
