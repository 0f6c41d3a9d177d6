"""Hinge losses: values against the float64 reference, label conventions, dtypes,
numerics, errors and peers (optax, torch, Keras).

The reference (``support/reference_margin_divergence.py``) is written from the papers
with plain loops; hand-derived values pin it down at the bottom of the value section.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest

import arrayloss as al
from classification import reference as mref
from support import reference as ref
from support.backends import Backend

# -- binary hinge -----------------------------------------------------------------------

BINARY = {
    "hinge": (al.hinge_loss, mref.hinge),
    "squared_hinge": (al.squared_hinge_loss, mref.squared_hinge),
}


BINARY_SHAPES = {"1d": (5,), "nc": (4, 3), "nhwc": (2, 3, 2, 3)}


BINARY_OPTIONS: dict[str, dict[str, Any]] = {
    "01_float": {"labels": "01", "dtype": "float64"},
    "pm1_int": {"labels": "pm1", "dtype": "int64"},
    "01_bool": {"labels": "01", "dtype": "bool"},
    "01_int8_margin": {"labels": "01", "dtype": "int8", "margin": 0.5},
    "mixed_0_and_m1": {"labels": "mixed", "dtype": "float32"},
    "weights_full": {"labels": "01", "dtype": "float64", "weights": "full"},
    "weights_bcast_margin": {"labels": "pm1", "dtype": "float64", "weights": "bcast", "margin": 2},
}


def _binary_case(shape_name: str, option: str, seed: int = 0) -> tuple[Any, ...]:
    opt = BINARY_OPTIONS[option]
    rng = np.random.default_rng(seed)
    shape = BINARY_SHAPES[shape_name]
    logits = rng.normal(0.0, 1.5, size=shape)
    bits = rng.integers(0, 2, size=shape)
    bits.reshape(-1)[:2] = [0, 1][: bits.size]
    if opt["labels"] == "01":
        labels = bits
    elif opt["labels"] == "pm1":
        labels = 2 * bits - 1
    else:  # negatives written as 0 and as -1 in one batch
        labels = np.where(bits == 1, 1, np.where(rng.uniform(size=shape) < 0.5, 0, -1))
    labels = labels.astype(opt["dtype"])
    kwargs: dict[str, Any] = {}
    if "margin" in opt:
        kwargs["margin"] = opt["margin"]
    if "weights" in opt:
        wshape = shape if opt["weights"] == "full" else shape[-1:]
        weights = rng.uniform(0.0, 2.0, size=wshape)
        weights.reshape(-1)[0] = 0.0
        kwargs["weights"] = weights
    return logits, labels, kwargs, shape


@pytest.mark.parametrize("loss", list(BINARY))
@pytest.mark.parametrize(
    ("shape_name", "option"),
    [("nc", o) for o in BINARY_OPTIONS]
    + [("1d", "01_float"), ("nhwc", "weights_bcast_margin"), ("nhwc", "mixed_0_and_m1")],
)
def test_binary_hinge_matches_reference(
    backend: Backend, loss: str, shape_name: str, option: str
) -> None:
    ref.only_subset(
        backend,
        (loss, shape_name, option),
        {
            ("hinge", "nc", "01_bool"),
            ("hinge", "nhwc", "weights_bcast_margin"),
            ("squared_hinge", "nc", "weights_full"),
            ("squared_hinge", "nhwc", "mixed_0_and_m1"),
        },
    )
    fn, ref_fn = BINARY[loss]
    logits, labels, kwargs, unreduced = _binary_case(shape_name, option)
    ref.compare_reductions(backend, fn, ref_fn, (logits, labels), kwargs, unreduced)


def test_binary_hinge_hand_values() -> None:
    """Hand-derived: x = (2, 0.5, -0.5, 0.3), y = (+, +, -, -): 1 - y x = (-1, .5, .5, 1.3)."""
    x = np.array([2.0, 0.5, -0.5, 0.3])
    for labels in (
        [1, 1, 0, 0],
        [1, 1, -1, -1],
        [True, True, False, False],
        [1.0, 1.0, -1.0, 0.0],
    ):
        y = np.asarray(labels)
        np.testing.assert_allclose(
            al.hinge_loss(x, y, reduction="none"), [0.0, 0.5, 0.5, 1.3], rtol=1e-15
        )
        np.testing.assert_allclose(
            al.squared_hinge_loss(x, y, reduction="none"), [0.0, 0.25, 0.25, 1.69], rtol=1e-15
        )
        np.testing.assert_allclose(al.hinge_loss(x, y, margin=2.0), (0 + 1.5 + 1.5 + 2.3) / 4)


@pytest.mark.parametrize("loss", list(BINARY))
@pytest.mark.parametrize("bad", [0.5, 2.0, -2.0])
def test_binary_hinge_rejects_other_labels(backend: Backend, loss: str, bad: float) -> None:
    """Soft or out-of-set labels: ValueError where values are readable, NaN elsewhere."""
    ref.only_subset(backend, (loss, str(bad)), {("hinge", "0.5")})
    fn = BINARY[loss][0]
    logits = backend.asarray(np.array([0.3, -0.2, 1.0]), "float64")
    labels = backend.asarray(np.array([1.0, bad, 0.0]), "float64")
    if backend.name in ("numpy", "array_api_strict", "torch", "jax"):
        with pytest.raises(ValueError, match=r"labels .*\{0, 1\} or \{-1, 1\}"):
            fn(logits, labels)
        return
    out = backend.check_result(
        backend.call(fn, logits, labels, reduction="none"),
        dtype=backend.dtype("float64"),
        shape=(3,),
    )
    assert np.isnan(out[1])
    assert np.all(np.isfinite(out[[0, 2]]))


# -- multi-class hinge ------------------------------------------------------------------

MC_LAYOUTS = {
    "1d": ((5,), -1),
    "nc": ((6, 4), -1),
    "nhwc": ((2, 3, 2, 4), -1),
    "nchw": ((2, 4, 3, 2), 1),
}


MC_OPTIONS: dict[str, dict[str, Any]] = {
    "plain": {},
    "margin": {"margin": 2.5},
    "margin_zero": {"margin": 0.0},
    "ignore_in_range": {"ignore": 1},
    "ignore_out_of_range": {"ignore": -100},
    "class_weights": {"cw": True},
    "weights": {"weights": "full"},
    "everything": {"cw": True, "ignore": -100, "weights": "bcast", "margin": 0.5},
}


def _mc_case(layout: str, option: str, seed: int = 0) -> tuple[Any, ...]:
    opt = MC_OPTIONS[option]
    rng = np.random.default_rng(seed)
    shape, axis = MC_LAYOUTS[layout]
    ax = axis % len(shape)
    C, unreduced = shape[ax], shape[:ax] + shape[ax + 1 :]
    logits = rng.normal(0.0, 1.0, size=shape)
    labels = rng.integers(0, C, size=unreduced)
    kwargs: dict[str, Any] = {"axis": axis}
    if "ignore" in opt:
        labels.reshape(-1)[::3] = opt["ignore"]
        kwargs["ignore_index"] = opt["ignore"]
    if "margin" in opt:
        kwargs["margin"] = opt["margin"]
    if opt.get("cw"):
        kwargs["class_weights"] = rng.uniform(0.2, 3.0, size=C)
    if "weights" in opt:
        wshape = unreduced if opt["weights"] == "full" else unreduced[-1:]
        weights = rng.uniform(0.0, 2.0, size=wshape)
        if weights.size > 1:
            weights.reshape(-1)[1] = 0.0
        kwargs["weights"] = weights
    return logits, labels, kwargs, unreduced


@pytest.mark.parametrize("kind", ["crammer_singer", "weston_watkins"])
@pytest.mark.parametrize(
    ("layout", "option"),
    [("nchw", o) for o in MC_OPTIONS]
    + [("1d", "plain"), ("nc", "everything"), ("nhwc", "class_weights")],
)
def test_multiclass_hinge_matches_reference(
    backend: Backend, kind: str, layout: str, option: str
) -> None:
    ref.only_subset(
        backend,
        (kind, layout, option),
        {
            ("crammer_singer", "nchw", "everything"),
            ("weston_watkins", "nchw", "everything"),
            ("weston_watkins", "1d", "plain"),
        },
    )
    logits, labels, kwargs, unreduced = _mc_case(layout, option)
    kwargs["kind"] = kind
    ref.compare_reductions(
        backend,
        al.multiclass_hinge_loss,
        mref.multiclass_hinge,
        (logits, labels),
        kwargs,
        unreduced,
    )


def test_multiclass_hinge_hand_values() -> None:
    # row 1, label 0: gaps to classes 1, 2 are 1 + 1.5 - 2 = 0.5 and 1 + 0 - 2 = -1
    # row 2, label 0: gaps 1 + 3 - 0 = 4 and 1 + 2.5 - 0 = 3.5
    x = np.array([[2.0, 1.5, 0.0], [0.0, 3.0, 2.5]])
    y = np.array([0, 0])
    cs = al.multiclass_hinge_loss(x, y, reduction="none")
    ww = al.multiclass_hinge_loss(x, y, kind="weston_watkins", reduction="none")
    np.testing.assert_allclose(cs, [0.5, 4.0], rtol=1e-15)
    np.testing.assert_allclose(ww, [0.5, 7.5], rtol=1e-15)
    # one class: nothing to confuse it with
    np.testing.assert_array_equal(al.multiclass_hinge_loss(np.ones((2, 1)), np.zeros(2, int)), 0.0)


def test_multiclass_hinge_all_ignored_is_zero(backend: Backend) -> None:
    ref.only_subset(backend, (), {()})
    logits = backend.asarray(np.random.default_rng(1).normal(size=(3, 4)), "float64")
    labels = backend.asarray(np.full(3, -1))
    cw = backend.asarray(np.array([1.0, 2.0, 3.0, 4.0]), "float64")
    outs = ref.call_all_reductions(
        backend, al.multiclass_hinge_loss, logits, labels, ignore_index=-1, class_weights=cw
    )
    for reduction, out in outs.items():
        shape = (3,) if reduction == "none" else ()
        got = backend.check_result(out, dtype=backend.dtype("float64"), shape=shape)
        np.testing.assert_array_equal(got, 0.0)


# -- dtype contract ---------------------------------------------------------------------

DTYPES = ("float16", "bfloat16", "float32", "float64")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", ["hinge", "squared_hinge", "multiclass"])
def test_dtype_contract(backend: Backend, case: str, dtype: str) -> None:
    """Half in -> float32 out, float32 stays float32, float64 stays float64."""
    ref.only_subset(
        backend, (case, dtype), {("squared_hinge", "bfloat16"), ("multiclass", "float16")}
    )
    ref.require_dtype(backend, dtype)
    if case == "multiclass":
        fn, ref_fn = al.multiclass_hinge_loss, mref.multiclass_hinge
        logits, labels, kwargs, unreduced = _mc_case("nchw", "everything", seed=3)
        kwargs["kind"] = "weston_watkins"
    else:
        fn, ref_fn = BINARY[case]
        logits, labels, kwargs, unreduced = _binary_case("nhwc", "weights_bcast_margin", seed=3)
    logits = ref.round_to(logits, dtype)
    kwargs = {
        k: ref.round_to(v, dtype) if isinstance(v, np.ndarray) and v.dtype.kind == "f" else v
        for k, v in kwargs.items()
    }
    ref.compare_reductions(backend, fn, ref_fn, (logits, labels), kwargs, unreduced, dtype=dtype)


# -- numerics ---------------------------------------------------------------------------

BIG = 1e4


def test_saturated_logits_float32_torch() -> None:
    """|x| = 1e4 in float32: finite value and the exact (sub)gradient."""
    torch = pytest.importorskip("torch")
    x = torch.tensor([[BIG, -BIG, BIG], [-BIG, BIG, -BIG]], dtype=torch.float32)
    y = torch.tensor([[1, 1, 0], [0, 0, 1]])
    for fn, want, grad in (
        # y'x = (1e4, -1e4, -1e4), (1e4, -1e4, -1e4): violators have 1 + 1e4
        (al.hinge_loss, [[0, 1 + BIG, 1 + BIG]] * 2, [[0, -1, 1], [0, 1, -1]]),
        (al.squared_hinge_loss, [[0, (1 + BIG) ** 2, (1 + BIG) ** 2]] * 2, None),
    ):
        leaf = x.clone().requires_grad_(True)
        out = fn(leaf, y, reduction="none")
        (g,) = torch.autograd.grad(out.sum(), leaf)
        assert out.dtype == torch.float32
        np.testing.assert_allclose(out.detach().double().numpy(), want, rtol=1e-6)
        assert torch.isfinite(g).all()
        if grad is not None:
            np.testing.assert_array_equal(g.numpy(), grad)
    # multi-class: large equal logits cancel exactly (x_c - x_y, then the margin)
    z = torch.tensor([[BIG, BIG - 0.5, -BIG], [-BIG, BIG, BIG]], dtype=torch.float32)
    labels = torch.tensor([0, 0])
    for kind, want in (
        ("crammer_singer", [0.5, 1 + 2 * BIG]),
        ("weston_watkins", [0.5, 2 + 4 * BIG]),
    ):
        leaf = z.clone().requires_grad_(True)
        out = al.multiclass_hinge_loss(leaf, labels, kind=kind, reduction="none")
        (g,) = torch.autograd.grad(out.sum(), leaf)
        np.testing.assert_allclose(out.detach().double().numpy(), want, rtol=1e-7)
        assert torch.isfinite(g).all()


def test_saturated_logits_float32_jax() -> None:
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    x = jnp.asarray([[BIG, -BIG, BIG], [-BIG, BIG, -BIG]], dtype=jnp.float32)
    y = jnp.asarray([[1, 1, 0], [0, 0, 1]])

    def total(z: Any) -> Any:
        return (
            al.hinge_loss(z, y, reduction="sum")
            + al.squared_hinge_loss(z, y, reduction="sum") * 1e-8
            + al.multiclass_hinge_loss(z, jnp.asarray([0, 1]), reduction="sum")
            + al.multiclass_hinge_loss(z, jnp.asarray([2, 0]), kind="weston_watkins")
        )

    value, grad = jax.jit(jax.value_and_grad(total))(x)
    assert value.dtype == jnp.float32
    assert np.isfinite(np.asarray(value))
    assert np.all(np.isfinite(np.asarray(grad)))


def test_nan_in_nan_out() -> None:
    x = np.array([[0.3, np.nan, 0.1], [0.2, 0.4, 0.5]])
    out = al.hinge_loss(x, np.ones((2, 3)), reduction="none")
    assert np.isnan(out[0, 1])
    assert np.isfinite(out[1]).all()
    out = al.multiclass_hinge_loss(x, np.array([0, 1]), reduction="none")
    assert np.isnan(out[0])
    assert np.isfinite(out[1])


# -- errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda: al.hinge_loss(np.zeros(3), np.zeros(4)), ValueError, "same shape"),
        (lambda: al.hinge_loss(np.zeros(3, int), np.zeros(3)), TypeError, "logits must be"),
        (lambda: al.hinge_loss(np.zeros(3), np.zeros(3), margin=-1.0), ValueError, "margin"),
        (
            lambda: al.squared_hinge_loss(np.zeros(3), np.zeros(3), reduction="avg"),
            ValueError,
            "reduction",
        ),
        (
            lambda: al.hinge_loss(np.zeros(3), np.array(["a", "b", "c"])),
            TypeError,
            "must be an array|labels must be",
        ),
        (
            lambda: al.multiclass_hinge_loss(np.zeros((2, 3)), np.zeros((2, 3))),
            TypeError,
            "integer class indices",
        ),
        (
            lambda: al.multiclass_hinge_loss(np.zeros((2, 3)), np.zeros(2, int), kind="ovr"),
            ValueError,
            "kind must be one of 'crammer_singer', 'weston_watkins'",
        ),
        (
            lambda: al.multiclass_hinge_loss(np.zeros((2, 3)), np.zeros(3, int)),
            ValueError,
            r"labels with shape \(3,\)",
        ),
        (
            lambda: al.multiclass_hinge_loss(np.zeros((2, 3)), np.array([0, 3])),
            ValueError,
            "outside the 3 classes",
        ),
        (
            lambda: al.multiclass_hinge_loss(
                np.zeros((2, 3)), np.zeros(2, int), class_weights=np.ones(2)
            ),
            ValueError,
            "one weight per class",
        ),
        (
            lambda: al.multiclass_hinge_loss(
                np.zeros((2, 3)), np.zeros(2, int), weights=np.ones(3)
            ),
            ValueError,
            "does not broadcast",
        ),
    ],
)
def test_errors(call: Any, exc: type[Exception], match: str) -> None:
    with pytest.raises(exc, match=match):
        call()


def test_out_of_range_label_under_jit_is_nan() -> None:
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    x = jnp.zeros((2, 3))
    out = jax.jit(lambda z, y: al.multiclass_hinge_loss(z, y, reduction="none"))(
        x, jnp.asarray([0, 7])
    )
    assert np.isfinite(out[0])
    assert np.isnan(out[1])


# -- peers ------------------------------------------------------------------------------


def _optax() -> Any:
    pytest.importorskip("jax")
    return pytest.importorskip("optax")


def test_hinge_matches_optax_on_pm1_labels() -> None:
    """optax ``hinge_loss(scores, targets)``: targets in {-1, 1} only, elementwise."""
    optax = _optax()
    import jax.numpy as jnp

    rng = np.random.default_rng(10)
    x = rng.normal(0.0, 1.5, size=(4, 5))
    y = 2 * rng.integers(0, 2, size=(4, 5)) - 1
    theirs = optax.losses.hinge_loss(jnp.asarray(x), jnp.asarray(y))
    ours = al.hinge_loss(jnp.asarray(x), jnp.asarray(y), reduction="none")
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-6, atol=1e-7)
    # on {0, 1} labels optax multiplies by the 0 and returns 1 whatever the score;
    # we read 0 as the negative class (= optax on 2 y - 1, the intended labels)
    y01 = (y + 1) // 2
    zero_label = np.asarray(optax.losses.hinge_loss(jnp.asarray(x), jnp.asarray(y01)))
    np.testing.assert_array_equal(zero_label[y01 == 0], 1.0)
    ours01 = al.hinge_loss(x, y01, reduction="none")
    np.testing.assert_allclose(ours01, np.asarray(theirs), rtol=1e-6, atol=1e-7)


def test_multiclass_hinge_crammer_singer_matches_optax() -> None:
    optax = _optax()
    import jax.numpy as jnp

    rng = np.random.default_rng(11)
    x = rng.normal(size=(8, 5))
    y = rng.integers(0, 5, size=(8,))
    theirs = optax.losses.multiclass_hinge_loss(jnp.asarray(x), jnp.asarray(y))
    ours = al.multiclass_hinge_loss(x, y, reduction="none")
    np.testing.assert_allclose(ours, np.asarray(theirs), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("margin", [1.0, 0.3])
def test_multiclass_hinge_weston_watkins_is_torch_multi_margin_times_c(margin: float) -> None:
    """torch ``multi_margin_loss`` (p=1) = Weston-Watkins / C (it divides by the class count).

    With ``weight``, torch's ``"mean"`` divides by N; ours by the total weight
    ``sum_i w_{y_i}`` (CONVENTIONS 4, as torch's own cross_entropy does).
    """
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(12)
    C = 5
    x = torch.tensor(rng.normal(size=(8, C)))
    y = torch.tensor(rng.integers(0, C, size=(8,)))
    w = torch.tensor(rng.uniform(0.5, 2.0, size=(C,)))
    kw = {"kind": "weston_watkins", "margin": margin}
    theirs = F.multi_margin_loss(x, y, margin=margin, reduction="none")
    ours = al.multiclass_hinge_loss(x, y, **kw, reduction="none")
    torch.testing.assert_close(ours / C, theirs, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(
        al.multiclass_hinge_loss(x, y, **kw, class_weights=w, reduction="sum") / C,
        F.multi_margin_loss(x, y, margin=margin, weight=w, reduction="sum"),
    )
    ours_mean = al.multiclass_hinge_loss(x, y, **kw, class_weights=w)
    torch_mean = F.multi_margin_loss(x, y, margin=margin, weight=w)
    torch.testing.assert_close(ours_mean * w[y].sum() / (C * len(y)), torch_mean)


def _keras() -> Any:
    os.environ.setdefault("KERAS_BACKEND", "jax")
    pytest.importorskip("jax")
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "jax":
        pytest.skip(f"keras already imported with backend {keras.backend.backend()}")
    return keras


@pytest.mark.parametrize("labels", ["01", "pm1"])
def test_squared_hinge_matches_keras(labels: str) -> None:
    """Keras ``squared_hinge(y_true, y_pred)`` (target first) averages the last axis."""
    keras = _keras()
    rng = np.random.default_rng(13)
    x = rng.normal(0.0, 1.5, size=(4, 6)).astype(np.float32)
    bits = rng.integers(0, 2, size=(4, 6))
    y = (bits if labels == "01" else 2 * bits - 1).astype(np.float32)
    theirs = np.asarray(keras.losses.squared_hinge(y, x))
    ours = al.squared_hinge_loss(x, y, reduction="none").mean(axis=-1)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    np.testing.assert_allclose(al.squared_hinge_loss(x, y), theirs.mean(), rtol=1e-6)


def test_squared_hinge_keras_keeps_zero_labels_in_a_mixed_batch() -> None:
    """Keras converts {0, 1} with 2y - 1 only if *every* label is 0 or 1; a batch that
    also holds a -1 keeps its 0s as the value 0 (loss 1 whatever the score). We read 0
    as the negative class always, which is what a {0, 1} label means: ours is right."""
    keras = _keras()
    x = np.array([[2.0, -3.0, 0.5]], dtype=np.float32)
    y = np.array([[1.0, 0.0, -1.0]], dtype=np.float32)
    theirs = float(np.asarray(keras.losses.squared_hinge(y, x))[0])
    # Keras: (max(0, 1-2)^2 + max(0, 1-0)^2 + max(0, 1+0.5)^2) / 3 = (0 + 1 + 2.25) / 3
    np.testing.assert_allclose(theirs, 3.25 / 3, rtol=1e-6)
    # ours: the 0 is a negative, 1 - (-1)(-3) = -2 -> 0: (0 + 0 + 2.25) / 3
    np.testing.assert_allclose(al.squared_hinge_loss(x, y), 2.25 / 3, rtol=1e-6)
