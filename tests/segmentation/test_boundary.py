"""Values of the distance-based boundary losses against the float64 NumPy references.

References (``support.reference_boundary``) are written from the papers with a
brute-force distance transform and an explicit erosion loop; the peers (MONAI's
``BoundaryLoss`` and ``HausdorffDTLoss``, kornia's ``HausdorffERLoss``/``3D``) are
matched at the bottom, with the layout mapping each needs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import arrayloss as al
from segmentation import reference as rb
from support import reference as ref
from support.backends import Backend

LOSSES = {
    "boundary": (al.boundary_loss, rb.boundary_loss),
    "hausdorff_dt": (al.hausdorff_dt_loss, rb.hausdorff_dt_loss),
    "hausdorff_er": (al.hausdorff_er_loss, rb.hausdorff_er_loss),
    "region_wise": (al.region_wise_loss, rb.region_wise_loss),
}


# (logits shape, class axis)
LAYOUTS = {
    "nhwc": ((2, 5, 6, 3), -1),
    "nchw": ((2, 3, 5, 6), 1),
    "3d": ((2, 3, 4, 3, 2), -1),
}


OPTIONS: dict[str, dict[str, Any]] = {
    "int": {},
    "probs": {"from_logits": False},
    "one_hot": {"target": "one_hot"},
    "no_background": {"include_background": False},
    "ignore": {"ignore": -100},
    "class_weights": {"class_weights": True},
    "weights": {"weights": True},
    "multilabel": {"mode": "multilabel"},
    "binary": {"mode": "binary"},
    "spacing": {"spacing": (0.7, 1.6)},
    "alpha": {"alpha": 1.0},
    "erosions": {"erosions": 3},
    "rrwmap": {"rrwmap": True},
}


APPLIES = {
    "boundary": {
        "int",
        "probs",
        "no_background",
        "class_weights",
        "weights",
        "multilabel",
        "binary",
    },
    "hausdorff_dt": set(OPTIONS) - {"erosions", "rrwmap"},
    "hausdorff_er": set(OPTIONS) - {"spacing", "rrwmap"},
    "region_wise": set(OPTIONS) - {"alpha", "erosions"},
}


LIGHT = {
    ("hausdorff_dt", "nhwc", "ignore"),
    ("hausdorff_er", "3d", "no_background"),
    ("region_wise", "nchw", "class_weights"),
    ("boundary", "3d", "int"),
    ("boundary", "nchw", "binary"),
}


def _softmax(x: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def make_case(
    loss: str, layout: str, option: str, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, dict[str, Any], tuple[int, ...]]:
    """Logits, second argument, keyword options and the ``"none"`` shape."""
    opt = OPTIONS[option]
    rng = np.random.default_rng(seed)
    shape, axis = LAYOUTS[layout]
    ax = axis % len(shape)
    mode = opt.get("mode", "multiclass")
    if mode == "binary":
        shape = (*shape[:ax], 1, *shape[ax + 1 :])
    C, N = shape[ax], shape[0]
    spatial_shape = shape[:ax] + shape[ax + 1 :]
    # logits well away from the 0.5 threshold of HD-DT's predicted mask
    logits = rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.4, 3.0, size=shape)
    kwargs: dict[str, Any] = {"axis": axis}
    if mode != "multiclass":
        kwargs["mode"] = mode
        labels: np.ndarray = rng.integers(0, 2, size=shape)
    else:
        labels = rng.integers(0, C, size=spatial_shape)
        labels[1] = 0  # sample 1: a single-class image
    if opt.get("target") == "one_hot":
        labels = np.moveaxis(np.eye(C)[labels], -1, ax)
    if "ignore" in opt:
        labels.reshape(-1)[::5] = opt["ignore"]
        kwargs["ignore_index"] = opt["ignore"]
    if opt.get("from_logits") is False:
        logits = _softmax(logits, ax)
        kwargs["from_logits"] = False
    for key in ("include_background", "alpha", "erosions"):
        if key in opt:
            kwargs[key] = opt[key]
    if loss == "hausdorff_er" and layout == "3d":
        kwargs["erosions"] = 3  # each erosion is a few dozen ops; Dask's graph grows fast
    if "spacing" in opt:
        kwargs["spacing"] = opt["spacing"] + (1.2,) * (len(shape) - 4)
    if opt.get("class_weights"):
        kwargs["class_weights"] = rng.uniform(0.2, 3.0, size=C)
    include = opt.get("include_background", loss != "boundary") or mode == "binary"
    none_shape = (N, C if include else C - 1)
    if opt.get("weights"):
        kwargs["weights"] = rng.uniform(0.0, 2.0, size=none_shape)
    if loss == "boundary":
        hot = labels if mode != "multiclass" else np.moveaxis(np.eye(C)[labels], -1, ax)
        spatial_axes = tuple(d for d in range(len(shape)) if d not in (0, ax))
        labels = rb.signed_distance_map(hot, axes=spatial_axes)
    if opt.get("rrwmap"):
        kwargs["rrwmap"] = rng.uniform(-1.0, 1.0, size=shape)
    return logits, labels, kwargs, none_shape


def _cases() -> list[tuple[str, str, str]]:
    return [
        (loss, layout, option)
        for loss in LOSSES
        for layout in LAYOUTS
        for option in OPTIONS
        if option in APPLIES[loss]
        and not (layout == "3d" and option not in {"int", "no_background", "spacing"})
    ]


def _compare(
    backend: Backend,
    loss: str,
    logits: Any,
    second: Any,
    kwargs: dict[str, Any],
    none_shape: tuple[int, ...],
    dtype: str = "float64",
) -> None:
    fn, ref_fn = LOSSES[loss]
    compute = "float64" if dtype == "float64" else "float32"
    args = (ref.to_backend(backend, logits, dtype), ref.to_backend(backend, second, dtype))
    kw = {k: ref.to_backend(backend, v, dtype) for k, v in kwargs.items()}
    outs = ref.call_all_reductions(backend, fn, *args, **kw)
    for reduction, out in outs.items():
        shape = none_shape if reduction == "none" else ()
        got = backend.check_result(out, dtype=backend.dtype(compute), shape=shape)
        assert np.all(np.isfinite(got))
        want = ref_fn(logits, second, **kwargs, reduction=reduction)
        ref.assert_close(got, want, compute, err_msg=f"reduction={reduction}")


@pytest.mark.parametrize(("loss", "layout", "option"), _cases())
def test_values(backend: Backend, loss: str, layout: str, option: str) -> None:
    ref.only_subset(backend, (loss, layout, option), LIGHT)
    logits, second, kwargs, none_shape = make_case(loss, layout, option)
    _compare(backend, loss, logits, second, kwargs, none_shape)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
@pytest.mark.parametrize("loss", list(LOSSES))
def test_dtype_contract(backend: Backend, loss: str, dtype: str) -> None:
    ref.require_dtype(backend, dtype)
    ref.only_subset(backend, dtype, {"float32"})
    if loss == "hausdorff_er" and backend.name == "dask":
        pytest.skip("dask: hausdorff_er's erosion graph is slow; its value test covers dask")
    logits, second, kwargs, none_shape = make_case(
        loss, "nhwc", "erosions" if loss == "hausdorff_er" else "int"
    )
    # the reference sees the rounded inputs the backend sees
    logits = ref.round_to(logits, dtype)
    second = ref.round_to(second, dtype) if loss == "boundary" else second
    _compare(backend, loss, logits, second, kwargs, none_shape, dtype)


# -- hand-derived values ------------------------------------------------------------


def test_hand_values() -> None:
    """The docstring examples, derived by hand (1-D images, binary mode)."""
    phi = np.array([[2.0, 1.0, 0.0, -1.0]])
    probs = np.array([[[0.1], [0.2], [0.8], [0.9]]])
    got = al.boundary_loss(probs, phi, mode="binary", from_logits=False)
    assert float(got) == pytest.approx((0.2 + 0.2 + 0.0 - 0.9) / 4)
    # thresholded prediction [0,1,1,0]: d_p = 1 everywhere; target [0,0,1,1]: d_g = [2,1,1,2]
    probs = np.array([[[0.1], [0.6], [0.8], [0.3]]])
    labels = np.array([[0, 0, 1, 1]])
    got = al.hausdorff_dt_loss(probs, labels, mode="binary", from_logits=False)
    assert float(got) == pytest.approx((0.01 * 5 + 0.36 * 2 + 0.04 * 2 + 0.49 * 5) / 4)
    # (p-g)^2 = 0.81 everywhere: erosion 1 -> [0.04, .31, .31, .04] -> [0,1,1,0];
    # erosion 2 -> [0, 1/6, 1/6, 0] -> [0,1,1,0] weighted 4: mean of [0, 5, 5, 0]
    probs = np.array([[[0.9], [0.9], [0.1], [0.1]]])
    got = al.hausdorff_er_loss(probs, labels, erosions=2, mode="binary", from_logits=False)
    assert float(got) == pytest.approx(2.5)


# -- numerics (CONVENTIONS section 7) --------------------------------------------------


def _edge_inputs(kind: str) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    rng = np.random.default_rng(5)
    logits = rng.normal(size=(2, 4, 5, 3))
    labels = rng.integers(0, 3, size=(2, 4, 5))
    kwargs: dict[str, Any] = {}
    if kind == "empty":
        labels[:] = 0  # classes 1 and 2 absent from both images
    elif kind == "all_ignored":
        labels[:] = -1
        kwargs["ignore_index"] = -1
    elif kind == "saturated":
        logits = 1e4 * np.sign(logits)
    elif kind == "3d":
        logits = rng.normal(size=(1, 3, 4, 3, 2))
        labels = rng.integers(0, 2, size=(1, 3, 4, 3))
    return logits, labels, kwargs


@pytest.mark.parametrize("kind", ["empty", "all_ignored", "saturated", "3d"])
@pytest.mark.parametrize("loss", list(LOSSES))
def test_finite_value_and_gradient(loss: str, kind: str) -> None:
    torch = pytest.importorskip("torch")
    logits, labels, kwargs = _edge_inputs(kind)
    if loss == "boundary":
        if "ignore_index" in kwargs:
            pytest.skip("boundary_loss takes maps, not labels: nothing to ignore")
        hot = np.moveaxis(np.eye(logits.shape[-1])[labels], -1, -1)
        second = torch.asarray(al.signed_distance_map(hot, axes=tuple(range(1, hot.ndim - 1))))
    else:
        second = torch.asarray(labels)
    x = torch.tensor(logits, dtype=torch.float32, requires_grad=True)
    second = second.float() if second.dtype.is_floating_point else second
    out = LOSSES[loss][0](x, second, **kwargs)
    out.backward()
    assert torch.isfinite(out)
    assert torch.all(torch.isfinite(x.grad))
    if kind == "all_ignored":
        assert float(out.detach()) == 0.0
        assert float(x.grad.abs().sum()) == 0.0


@pytest.mark.parametrize("loss", ["hausdorff_dt", "hausdorff_er", "region_wise"])
def test_finite_gradient_jax(loss: str) -> None:
    jax = pytest.importorskip("jax")
    logits, labels, _ = _edge_inputs("empty")
    fn = LOSSES[loss][0]
    # a few erosions: XLA's compile time grows fast with the unrolled erosion loop
    kw = {"erosions": 3} if loss == "hausdorff_er" else {}
    grad = jax.jit(jax.grad(lambda x: fn(x, jax.numpy.asarray(labels), **kw)))(
        jax.numpy.asarray(logits, dtype="float32")
    )
    assert np.all(np.isfinite(np.asarray(grad)))


def test_nan_in_gives_nan_out() -> None:
    logits, labels, _ = _edge_inputs("3d")
    logits[0, 0, 0, 0, 0] = np.nan
    for name in ("hausdorff_dt", "hausdorff_er", "region_wise"):
        assert np.isnan(LOSSES[name][0](logits, labels))
    phi = al.signed_distance_map(np.moveaxis(np.eye(2)[labels], -1, -1), axes=(1, 2, 3))
    assert np.isnan(al.boundary_loss(logits, phi))


def test_perfect_prediction_is_minimal() -> None:
    """Certain, correct probabilities give HD losses 0 and the RRW loss its minimum."""
    labels = np.array([[[0, 0, 1, 1], [0, 1, 1, 1], [0, 0, 0, 1]]])
    probs = np.moveaxis(np.eye(2)[labels], -1, -1)
    for fn in (al.hausdorff_dt_loss, al.hausdorff_er_loss):
        assert float(fn(probs, labels, from_logits=False)) == 0.0
    worse = 0.8 * probs + 0.1
    assert al.region_wise_loss(probs, labels, from_logits=False) < al.region_wise_loss(
        worse, labels, from_logits=False
    )


# -- errors (CONVENTIONS section 9) ----------------------------------------------------


def test_errors() -> None:
    logits = np.zeros((2, 4, 5, 3))
    labels = np.zeros((2, 4, 5), dtype=np.int64)
    with pytest.raises(ValueError, match="signed_distance"):
        al.boundary_loss(logits, np.zeros((2, 4, 5)))
    with pytest.raises(TypeError, match="signed_distance"):
        al.boundary_loss(logits, np.zeros((2, 4, 5, 3), dtype=np.int64))
    with pytest.raises(ValueError, match="alpha"):
        al.hausdorff_dt_loss(logits, labels, alpha=-1.0)
    with pytest.raises(ValueError, match="erosions"):
        al.hausdorff_er_loss(logits, labels, erosions=0)
    with pytest.raises(ValueError, match="rrwmap"):
        al.region_wise_loss(logits, labels, rrwmap=np.zeros((2, 4, 5)))
    with pytest.raises(ValueError, match="spatial axis"):
        al.hausdorff_dt_loss(np.zeros((2, 3)), np.zeros(2, dtype=np.int64))
    with pytest.raises(ValueError, match="spacing"):
        al.hausdorff_dt_loss(logits, labels, spacing=(1.0, 2.0, 3.0))
    with pytest.raises(ValueError, match="mode"):
        al.boundary_loss(logits, logits, mode="softmax")
    with pytest.raises(ValueError, match="reduction"):
        al.region_wise_loss(logits, labels, reduction="avg")
    with pytest.raises(ValueError, match="labels"):
        al.hausdorff_er_loss(logits, labels + 7)


# -- peers -----------------------------------------------------------------------------


def _peer_case(seed: int, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    logits = rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.4, 3.0, size=shape)
    labels = rng.integers(0, shape[1], size=(shape[0], *shape[2:]))
    labels[0] = 0  # one single-class image: empty/full masks
    return logits, labels


def test_monai_boundary_loss() -> None:
    """MONAI computes the signed map itself from a one-hot target (channels-first)."""
    torch = pytest.importorskip("torch")
    monai_losses = pytest.importorskip("monai.losses")
    logits, labels = _peer_case(0, (3, 3, 7, 8))
    hot = np.moveaxis(np.eye(3)[labels], -1, 1)
    peer = monai_losses.BoundaryLoss(softmax=True, include_background=False)
    want = peer(torch.asarray(logits), torch.asarray(hot))
    phi = al.signed_distance_map(hot, axes=(2, 3))
    got = al.boundary_loss(logits, phi, axis=1)
    np.testing.assert_allclose(got, want.double().numpy(), rtol=1e-6)


def test_monai_hausdorff_dt_loss() -> None:
    torch = pytest.importorskip("torch")
    monai_losses = pytest.importorskip("monai.losses")
    for shape in ((3, 3, 7, 8), (2, 2, 4, 5, 3)):
        logits, labels = _peer_case(1, shape)
        peer = monai_losses.HausdorffDTLoss(
            softmax=True, to_onehot_y=True, include_background=True, reduction="none"
        )
        want = peer(torch.asarray(logits), torch.asarray(labels[:, None]))
        got = al.hausdorff_dt_loss(logits, labels, axis=1, reduction="none")
        # MONAI's "none" keeps size-1 spatial axes: (N, C, 1, 1)
        np.testing.assert_allclose(got, want.double().numpy().reshape(got.shape), rtol=1e-5)


def test_kornia_hausdorff_er_loss() -> None:
    torch = pytest.importorskip("torch")
    kornia_losses = pytest.importorskip("kornia.losses")
    for shape, cls in (((2, 3, 9, 8), "HausdorffERLoss"), ((2, 2, 5, 6, 4), "HausdorffERLoss3D")):
        logits, labels = _peer_case(2, shape)
        probs = torch.softmax(torch.asarray(logits), dim=1)
        peer = getattr(kornia_losses, cls)(alpha=2.0, k=4)
        want = peer(probs, torch.asarray(labels[:, None]))
        got = al.hausdorff_er_loss(probs.numpy(), labels, erosions=4, axis=1, from_logits=False)
        np.testing.assert_allclose(got, want.double().numpy(), rtol=1e-6)


def test_portable_and_scipy_paths_agree_in_losses() -> None:
    """The loss on torch (portable transform) equals the loss on NumPy (SciPy)."""
    torch = pytest.importorskip("torch")
    logits, labels = _peer_case(3, (2, 3, 9, 10))
    for fn in (al.hausdorff_dt_loss, al.region_wise_loss):
        a = fn(logits, labels, axis=1, spacing=(0.8, 1.3), reduction="none")
        b = fn(
            torch.asarray(logits),
            torch.asarray(labels),
            axis=1,
            spacing=(0.8, 1.3),
            reduction="none",
        )
        np.testing.assert_allclose(b.numpy(), a, rtol=1e-12)
