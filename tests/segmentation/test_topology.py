"""clDice and Boundary DoU (issue 4): topology- and boundary-aware region losses.

Values against the float64 reference of ``support/reference_topology.py`` (from the
papers and their code: +-inf-padded box/cross morphology, the paper code's
convolution count of boundary pixels), hand-derived cases, the numerics list of
CONVENTIONS section 7 (empty masks, all-ignored, single-class images, 3-D volumes,
saturated logits), errors, the dtype contract and MONAI's SoftclDiceLoss and
SoftDiceclDiceLoss.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import arrayloss as al
from segmentation import reference as rt
from support import reference as ref
from support.backends import Backend

LOSSES: dict[str, tuple[Any, Any]] = {
    "cldice": (al.cldice_loss, rt.cldice_loss),
    "bdou": (al.boundary_dou_loss, rt.boundary_dou_loss),
}


def _softmax(x: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _blobs(shape: tuple[int, ...], rng: np.random.Generator, classes: int) -> np.ndarray:
    """Integer label maps with spatially coherent regions (so skeletons are non-trivial)."""
    noise = rng.normal(size=(*shape, classes))
    for ax in range(1, len(shape)):  # smooth along each spatial axis
        noise = noise + np.roll(noise, 1, axis=ax) + np.roll(noise, -1, axis=ax)
    return np.argmax(noise, axis=-1)


# option -> (logits shape, class axis, mode, extra)
OPTIONS: dict[str, dict[str, Any]] = {
    "nchw-int": {"shape": (2, 3, 7, 8), "axis": 1},
    "nhwc-int": {"shape": (2, 7, 8, 3), "axis": -1},
    "one_hot": {"shape": (2, 3, 7, 8), "axis": 1, "target": "one_hot"},
    "soft_target": {"shape": (2, 3, 6, 7), "axis": 1, "target": "soft"},
    "probs": {"shape": (2, 3, 7, 8), "axis": 1, "kw": {"from_logits": False}},
    "ignore": {"shape": (2, 3, 7, 8), "axis": 1, "ignore": 255},
    "no_background": {"shape": (2, 3, 7, 8), "axis": 1, "kw": {"include_background": False}},
    "batch_cw_weights": {
        "shape": (2, 3, 7, 8),
        "axis": 1,
        "kw": {"batch_dice": True},
        "class_weights": True,
        "weights": True,
    },
    "smooth_zero": {"shape": (2, 3, 7, 8), "axis": 1, "kw": {"smooth": 0.0}},
    "3d": {"shape": (2, 2, 5, 6, 4), "axis": 1},
    "binary": {"shape": (2, 1, 7, 8), "axis": 1, "mode": "binary"},
    "binary-squeezed-ignore": {
        "shape": (2, 9, 8, 1),
        "axis": -1,
        "mode": "binary",
        "ignore": -1,
    },
    "multilabel-3d": {"shape": (2, 2, 4, 5, 6), "axis": 1, "mode": "multilabel"},
    "1d": {"shape": (3, 12, 2), "axis": -1},
}


EXTRA: dict[str, dict[str, dict[str, Any]]] = {
    "cldice": {
        "iterations0": {"shape": (2, 3, 7, 8), "axis": 1, "kw": {"iterations": 0}},
        "iterations5": {"shape": (2, 2, 9, 10), "axis": 1, "kw": {"iterations": 5}},
        "ignore-iterations1": {
            "shape": (2, 3, 7, 8),
            "axis": 1,
            "ignore": 255,
            "kw": {"iterations": 1},
        },
    },
    "bdou": {
        "alpha_max_low": {"shape": (2, 3, 7, 8), "axis": 1, "kw": {"alpha_max": 0.2}},
        "big_objects": {"shape": (1, 2, 12, 12), "axis": 1, "big": True},
    },
}


# the representative subset on the slow-per-call backends: clDice's graph (hundreds of
# slices and min/max ops) costs XLA seconds to compile, so one case there
LIGHT = {
    "cldice": {"ignore-iterations1"},
    "bdou": {"nchw-int", "ignore", "3d", "binary-squeezed-ignore", "batch_cw_weights"},
}


def _case(option: dict[str, Any], seed: int = 0) -> tuple[Any, ...]:
    rng = np.random.default_rng(seed)
    shape, axis = option["shape"], option["axis"]
    ax = axis % len(shape)
    mode = option.get("mode", "multiclass")
    n, c = shape[0], shape[ax]
    logits = rng.normal(0.0, 2.0, size=shape)
    spatial = shape[:ax] + shape[ax + 1 :]
    kwargs: dict[str, Any] = {"axis": axis, **option.get("kw", {})}
    if mode != "multiclass":
        kwargs["mode"] = mode
    if option.get("big"):
        labels = np.zeros(spatial, dtype=np.int64)
        labels[:, 2:10, 3:11] = 1  # 8x8 square: C = 28, S = 64, alpha = 1/8
    elif mode == "multiclass":
        labels = _blobs(spatial, rng, c)
    else:
        raw = _blobs((*spatial, c), rng, 2) if mode == "multilabel" else _blobs(spatial, rng, 2)
        labels = np.ascontiguousarray(
            np.moveaxis(raw if mode == "multilabel" else raw[..., None], -1, ax)
        )
        if option.get("ignore") is None:
            labels = labels.astype(np.float64)
    if "ignore" in option:
        labels.reshape(-1)[::7] = option["ignore"]
        kwargs["ignore_index"] = option["ignore"]
    if mode == "binary" and option.get("ignore") is not None:
        labels = np.squeeze(labels, axis=ax)
    if option.get("target") == "one_hot":
        labels = np.moveaxis(np.eye(c)[labels], -1, ax)
    elif option.get("target") == "soft":
        labels = _softmax(3.0 * rng.normal(size=shape), ax)
    if kwargs.get("from_logits") is False:
        logits = _softmax(logits, ax)
    c_out = c - 1 if kwargs.get("include_background") is False else c
    none_shape = (c_out,) if kwargs.get("batch_dice") else (n, c_out)
    if option.get("class_weights"):
        kwargs["class_weights"] = rng.uniform(0.2, 3.0, size=c)
    if option.get("weights"):
        kwargs["weights"] = rng.uniform(0.0, 2.0, size=none_shape)
    return logits, labels, kwargs, none_shape


PARAMS = [
    pytest.param(loss, name, opt, id=f"{loss}-{name}")
    for loss in LOSSES
    for name, opt in {**OPTIONS, **EXTRA[loss]}.items()
]


@pytest.mark.parametrize(("loss", "name", "option"), PARAMS)
def test_matches_reference(backend: Backend, loss: str, name: str, option: Any) -> None:
    ref.only_subset(backend, name, LIGHT[loss])
    fn, ref_fn = LOSSES[loss]
    logits, labels, kwargs, none_shape = _case(option)
    ref.compare_reductions(backend, fn, ref_fn, (logits, labels), kwargs, none_shape)


def test_reference_counts_boundary_as_the_paper_code() -> None:
    # 8x8 square in a 12x12 image: 28 of its 64 pixels touch the background
    g = np.zeros((1, 12, 12, 1))
    g[0, 2:10, 3:11, 0] = 1.0
    c, s = rt.boundary_counts(g)
    assert (c.sum(), s.sum()) == (28.0, 64.0)
    # touching the image edge counts as boundary (zero padding of the conv)
    g = np.ones((1, 3, 4, 1))
    c, s = rt.boundary_counts(g)
    assert (c.sum(), s.sum()) == (10.0, 12.0)


# -- hand-derived ------------------------------------------------------------------------


def test_cldice_hand_derived_thick_bar() -> None:
    """A 3-wide bar: its skeleton (3 iterations) is the centre line, minus the ends.

    The bar occupies rows 1..3, columns 1..6 of a 5x8 image. One erosion leaves row 2,
    columns 2..5; opening of the bar is the bar itself, so the first residue is 0;
    the eroded line is 1 wide, so its opening is empty: skeleton = row 2, cols 2..5.
    Predicting the bar exactly: Tprec = 4/4, Tsens = 4/4 -> loss 0. Predicting the
    bar at 0.5: the skeleton scales with it, Tprec = 2/2 = 1, Tsens = 2/4.
    """
    g = np.zeros((1, 5, 8, 1))
    g[0, 1:4, 1:7, 0] = 1.0
    skel = rt.soft_skeleton(g, 3)
    want = np.zeros_like(g)
    want[0, 2, 2:6, 0] = 1.0
    np.testing.assert_array_equal(skel, want)
    kw = {"mode": "binary", "from_logits": False, "smooth": 0.0, "reduction": "none"}
    np.testing.assert_allclose(al.cldice_loss(g, g, **kw), [[0.0]], atol=1e-15)
    np.testing.assert_allclose(al.cldice_loss(0.5 * g, g, **kw), [[1.0 - 2 * 0.5 / 1.5]])


def test_bdou_hand_derived_square() -> None:
    """8x8 square in 12x12: C = 28, S = 64, alpha = 1 - 56/64 = 1/8 (below the 0.8 clip).

    Predicting 0.5 on the square: sum p^2 = 16, sum g^2 = 64, sum pg = 32, so the loss
    is (16 + 64 - 64) / (16 + 64 - 1.125 * 32) = 16 / 44.
    """
    g = np.zeros((1, 12, 12, 1))
    g[0, 2:10, 3:11, 0] = 1.0
    kw = {"mode": "binary", "from_logits": False, "smooth": 0.0, "reduction": "none"}
    np.testing.assert_allclose(al.boundary_dou_loss(0.5 * g, g, **kw), [[16.0 / 44.0]])
    # alpha_max clips: with alpha_max = 0 the loss is (16) / (80 - 32) = 1/3
    np.testing.assert_allclose(
        al.boundary_dou_loss(0.5 * g, g, alpha_max=0.0, **kw), [[1.0 / 3.0]]
    )


# -- numerics (CONVENTIONS section 7) ----------------------------------------------------


def _degenerate() -> dict[str, tuple[np.ndarray, np.ndarray, dict[str, Any]]]:
    rng = np.random.default_rng(3)
    logits = rng.normal(size=(2, 3, 6, 7))
    labels = rng.integers(0, 3, size=(2, 6, 7))
    single = np.zeros((2, 6, 7), dtype=np.int64)  # one class only, the others empty
    binary_empty = np.zeros((2, 1, 6, 7))
    return {
        "single-class": (logits, single, {"axis": 1}),
        "single-class-smooth0": (logits, single, {"axis": 1, "smooth": 0.0}),
        "all-ignored": (logits, np.full((2, 6, 7), -1), {"axis": 1, "ignore_index": -1}),
        "all-ignored-smooth0": (
            logits,
            np.full((2, 6, 7), -1),
            {"axis": 1, "ignore_index": -1, "smooth": 0.0},
        ),
        "empty-binary-smooth0": (
            rng.normal(size=(2, 1, 6, 7)),
            binary_empty,
            {"axis": 1, "mode": "binary", "smooth": 0.0},
        ),
        "empty-probs-zero-smooth0": (
            np.zeros((2, 1, 6, 7)),
            binary_empty,
            {"axis": 1, "mode": "binary", "smooth": 0.0, "from_logits": False},
        ),
        "saturated-3d": (
            1e4 * np.sign(rng.normal(size=(1, 2, 4, 5, 6))),
            rng.integers(0, 2, size=(1, 4, 5, 6)),
            {"axis": 1},
        ),
        "probs-exact-0-1": (
            np.moveaxis(np.eye(3)[labels], -1, 1),
            labels,
            {"axis": 1, "from_logits": False},
        ),
        "one-pixel-image": (rng.normal(size=(2, 1, 1, 3)), rng.integers(0, 3, (2, 1, 1)), {}),
    }


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("name", list(_degenerate()))
def test_finite_value_and_gradient_torch(loss: str, name: str) -> None:
    torch = pytest.importorskip("torch")
    logits, labels, kwargs = _degenerate()[name]
    for dtype in (torch.float32, torch.float64):
        x = torch.tensor(logits, dtype=dtype, requires_grad=True)
        out = LOSSES[loss][0](x, torch.asarray(labels), **kwargs)
        out.backward()
        assert torch.isfinite(out).item(), (name, dtype, out)
        assert torch.isfinite(x.grad).all().item(), (name, dtype)


JAX_DEGENERATE = [
    ("bdou", "all-ignored-smooth0"),
    ("bdou", "empty-binary-smooth0"),
    ("bdou", "saturated-3d"),
    ("cldice", "all-ignored-smooth0"),
]


@pytest.mark.parametrize(("loss", "name"), JAX_DEGENERATE)
def test_finite_value_and_gradient_jax(loss: str, name: str) -> None:
    """Under jax.jit; torch runs the whole list (XLA compiles clDice's gradient slowly)."""
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    logits, labels, kwargs = _degenerate()[name]
    if loss == "cldice":
        kwargs = {**kwargs, "iterations": 1}  # compile time; torch checks the default

    def f(x: Any, lab: Any) -> Any:
        return LOSSES[loss][0](x, lab, **kwargs)

    value, grad = jax.jit(jax.value_and_grad(f))(
        jnp.asarray(logits, dtype=jnp.float32), jnp.asarray(labels)
    )
    assert bool(jnp.isfinite(value)), name
    assert bool(jnp.all(jnp.isfinite(grad))), name


def test_degenerate_values() -> None:
    """Empty target and empty prediction: nothing to miss, loss 0 (no NaN)."""
    z = np.zeros((1, 1, 5, 5))
    kw = {"axis": 1, "mode": "binary", "from_logits": False, "smooth": 0.0}
    assert al.cldice_loss(z, z, **kw) == 0.0
    assert al.boundary_dou_loss(z, z, **kw) == 0.0
    # all ignored: weight 0 everywhere, loss exactly 0 with zero gradient (default smooth)
    torch = pytest.importorskip("torch")
    x = torch.zeros((1, 2, 4, 4), dtype=torch.float64, requires_grad=True)
    labels = torch.full((1, 4, 4), -1)
    for fn in (al.cldice_loss, al.boundary_dou_loss):
        out = fn(x, labels, axis=1, ignore_index=-1)
        (g,) = torch.autograd.grad(out, x)
        assert torch.all(g == 0).item()


@pytest.mark.parametrize("loss", list(LOSSES))
def test_ignored_positions_have_zero_gradient(loss: str) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    labels = rng.integers(0, 3, size=(2, 6, 7))
    labels[:, 2, 3] = 255
    x = torch.tensor(rng.normal(size=(2, 3, 6, 7)), requires_grad=True)
    LOSSES[loss][0](x, torch.asarray(labels), axis=1, ignore_index=255).backward()
    assert torch.all(x.grad[:, :, 2, 3] == 0).item()
    assert torch.any(x.grad != 0).item()


@pytest.mark.parametrize("loss", list(LOSSES))
def test_nan_propagates(loss: str) -> None:
    logits = np.random.default_rng(0).normal(size=(1, 2, 4, 4))
    logits[0, 0, 1, 1] = np.nan
    labels = np.zeros((1, 4, 4), dtype=np.int64)
    assert np.isnan(LOSSES[loss][0](logits, labels, axis=1))


# -- dtypes, errors ----------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
@pytest.mark.parametrize("loss", list(LOSSES))
def test_dtype_contract(backend: Backend, loss: str, dtype: str) -> None:
    ref.require_dtype(backend, dtype)
    if ref.is_light(backend) and (dtype != "float16" or loss == "cldice"):
        pytest.skip(f"{backend.name}: representative subset only (runtime)")
    fn, ref_fn = LOSSES[loss]
    logits, labels, kwargs, _ = _case(OPTIONS["nchw-int"])
    rounded = ref.round_to(logits, dtype)
    compute = "float64" if dtype == "float64" else "float32"
    out = backend.call(fn, backend.asarray(logits, dtype), backend.asarray(labels), **kwargs)
    got = backend.check_result(out, dtype=backend.dtype(compute), shape=())
    ref.assert_close(got, ref_fn(rounded, labels, **kwargs), compute)


def test_errors() -> None:
    logits = np.zeros((2, 3, 4, 4))
    labels = np.zeros((2, 4, 4), dtype=np.int64)
    for fn in (al.cldice_loss, al.boundary_dou_loss):
        name = fn.__name__
        with pytest.raises(ValueError, match=f"{name} needs at least one spatial axis"):
            fn(np.zeros((2, 3)), np.zeros((2,), dtype=np.int64))
        with pytest.raises(ValueError, match="reduction"):
            fn(logits, labels, axis=1, reduction="avg")
        with pytest.raises(ValueError, match="mode"):
            fn(logits, labels, axis=1, mode="softmax")
        with pytest.raises(ValueError, match="smooth"):
            fn(logits, labels, axis=1, smooth=-1.0)
        with pytest.raises(ValueError, match="labels"):
            fn(logits, np.zeros((2, 4, 5), dtype=np.int64), axis=1)
        with pytest.raises(ValueError, match="axis"):
            fn(logits, labels, axis=0)
        with pytest.raises(TypeError, match="logits"):
            fn(np.zeros((2, 3, 4, 4), dtype=np.int64), labels, axis=1)
    for bad in (-1, 1.5, True):
        with pytest.raises(ValueError, match=r"iterations must be a non-negative int, got"):
            al.cldice_loss(logits, labels, axis=1, iterations=bad)
    for bad_alpha in (1.0, -1.5):
        with pytest.raises(ValueError, match="alpha_max"):
            al.boundary_dou_loss(logits, labels, axis=1, alpha_max=bad_alpha)
    with pytest.raises(TypeError, match="alpha_max"):
        al.boundary_dou_loss(logits, labels, axis=1, alpha_max="0.8")


# -- peers ---------------------------------------------------------------------------------


def test_monai_soft_cldice_values_and_gradients() -> None:
    """MONAI SoftclDiceLoss sums over all channels of a sample: equal to ours for one
    channel. Its harmonic mean adds ``smooth=1e-4`` to the denominator (ours adds
    nothing: Tprec, Tsens > 0 whenever smooth > 0); set to 1e-300 to compare.
    Gradients agree too: the inputs have no ties across distinct positions.
    """
    torch = pytest.importorskip("torch")
    monai_losses = pytest.importorskip("monai.losses")
    rng = np.random.default_rng(11)
    for shape in ((3, 1, 9, 10), (2, 1, 5, 6, 7)):
        x = rng.normal(size=shape)
        g = np.moveaxis(_blobs(shape[:1] + shape[2:], rng, 2)[..., None], -1, 1).astype(float)
        xm = torch.tensor(x, requires_grad=True)
        peer = monai_losses.SoftclDiceLoss(iter_=3, smooth=1e-300, sigmoid=True, reduction="none")(
            xm, torch.tensor(g)
        )
        peer.sum().backward()
        xo = torch.tensor(x, requires_grad=True)
        ours = al.cldice_loss(xo, torch.tensor(g), mode="binary", axis=1, reduction="none")
        ours.sum().backward()
        np.testing.assert_allclose(ours.detach().numpy()[:, 0], peer.detach().numpy(), rtol=1e-12)
        np.testing.assert_allclose(xo.grad.numpy(), xm.grad.numpy(), rtol=1e-9, atol=1e-15)


def test_monai_soft_dice_cldice() -> None:
    """MONAI SoftDiceclDiceLoss = (1 - alpha) Dice(smooth 1) + alpha clDice, per batch mean.

    Ours: the same compound from ``dice_loss(smooth=1.0)`` and ``cldice_loss`` (one
    channel, so MONAI's channel pooling is the per-class value).
    """
    torch = pytest.importorskip("torch")
    monai_losses = pytest.importorskip("monai.losses")
    rng = np.random.default_rng(12)
    x = rng.normal(size=(2, 1, 8, 9))
    g = rng.integers(0, 2, size=(2, 1, 8, 9)).astype(float)
    alpha = 0.3
    peer = monai_losses.SoftDiceclDiceLoss(iter_=3, alpha=alpha, smooth=1e-300, sigmoid=True)(
        torch.tensor(x), torch.tensor(g)
    )
    kw = {"mode": "binary", "axis": 1}
    ours = (1 - alpha) * al.dice_loss(x, g, smooth=1.0, **kw) + alpha * al.cldice_loss(x, g, **kw)
    np.testing.assert_allclose(ours, peer.numpy(), rtol=1e-12)
