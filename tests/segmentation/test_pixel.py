"""Pixel-level segmentation losses against the float64 references of reference_pixel.

Also checks that ``cross_entropy`` and ``focal_loss`` handle (N, H, W[, D], C) and
``axis=1`` layouts with integer/probability targets, ignore_index and class weights.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import arrayloss as al
from classification import reference as cref
from segmentation import reference as rp
from support import reference as ref
from support.backends import Backend

LAYOUTS = {"nhwc": ((2, 3, 4, 3), -1), "nchw": ((2, 3, 3, 4), 1), "ndhwc": ((2, 2, 3, 2, 3), -1)}


def _draw(layout: str, seed: int = 0, ignore: int | None = None) -> tuple[Any, Any, int]:
    rng = np.random.default_rng(seed)
    shape, axis = LAYOUTS[layout]
    ax = axis % len(shape)
    logits = rng.normal(0.0, 2.0, size=shape)
    labels = rng.integers(0, shape[ax], size=shape[:ax] + shape[ax + 1 :])
    if ignore is not None:
        labels.reshape(-1)[::3] = ignore
    return logits, labels, axis


TOPK_OPTIONS: dict[str, dict[str, Any]] = {
    "plain": {"k": 0.3},
    "ignore": {"k": 0.5, "ignore_index": -100},
    "cw_smooth": {"k": 0.25, "class_weights": np.array([0.5, 2.0, 1.0]), "label_smoothing": 0.1},
    "weights": {"k": 1.0, "weights": np.array([0.3, 2.0])},
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("option", list(TOPK_OPTIONS))
def test_topk_matches_reference(backend: Backend, layout: str, option: str) -> None:
    ref.only_subset(backend, (layout, option), {("nchw", "ignore"), ("ndhwc", "cw_smooth")})
    kw = dict(TOPK_OPTIONS[option])
    logits, labels, axis = _draw(layout, 1, kw.get("ignore_index"))
    kw["axis"] = axis
    if backend.name == "dask":
        kwb = {k: ref.to_backend(backend, v, "float64") for k, v in kw.items()}
        with pytest.raises(NotImplementedError, match="Dask"):
            al.topk_loss(backend.asarray(logits, "float64"), backend.asarray(labels), **kwb)
        return
    ref.compare_reductions(backend, al.topk_loss, rp.topk_loss, (logits, labels), kw, (2,))


def test_topk_k_one_is_cross_entropy_per_sample() -> None:
    logits, labels, _ = _draw("nhwc", 2)
    per_pixel = cref.cross_entropy(logits, labels, reduction="none")
    got = al.topk_loss(logits, labels, k=1.0, reduction="none")
    np.testing.assert_allclose(got, per_pixel.reshape(2, -1).mean(axis=1), rtol=1e-12)


def test_topk_hand_value_and_fewer_valid_than_k() -> None:
    logits = np.log(np.array([[[0.5, 0.5], [0.9, 0.1], [0.2, 0.8], [0.25, 0.75]]]))
    got = al.topk_loss(logits, np.array([[0, 0, 0, 1]]), k=0.5, reduction="none")
    np.testing.assert_allclose(got, [(np.log(5) + np.log(2)) / 2], rtol=1e-12)
    # k = 0.75 -> K = 3 but only the pixel with CE -ln 0.9 is valid: it alone counts
    got = al.topk_loss(logits, np.array([[9, 0, 9, 9]]), k=0.75, ignore_index=9)
    np.testing.assert_allclose(got, -np.log(0.9), rtol=1e-12)


DW_OPTIONS: dict[str, dict[str, Any]] = {
    "plain": {},
    "ignore_cw": {"ignore_index": -100, "class_weights": np.array([0.5, 2.0, 1.0])},
    "smooth_weights": {"label_smoothing": 0.2, "class_weights": np.array([1.0, 3.0, 0.5])},
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("option", list(DW_OPTIONS))
def test_distance_weighted_ce_matches_reference(
    backend: Backend, layout: str, option: str
) -> None:
    ref.only_subset(backend, (layout, option), {("nchw", "ignore_cw")})
    kw = dict(DW_OPTIONS[option])
    logits, labels, axis = _draw(layout, 3, kw.get("ignore_index"))
    phi = np.random.default_rng(4).uniform(0.0, 3.0, size=labels.shape)
    kw["axis"] = axis
    ref.compare_reductions(
        backend,
        al.distance_weighted_cross_entropy,
        rp.distance_weighted_cross_entropy,
        (logits, labels, phi),
        kw,
        labels.shape,
    )


def test_distance_weighted_ce_zero_map_is_cross_entropy() -> None:
    logits, labels, _axis = _draw("nchw", 5, -100)
    got = al.distance_weighted_cross_entropy(
        logits, labels, np.zeros(labels.shape), axis=1, ignore_index=-100
    )
    want = cref.cross_entropy(logits, labels, axis=1, ignore_index=-100)
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_distance_map_gets_no_gradient() -> None:
    torch = pytest.importorskip("torch")
    logits, labels, _ = _draw("nhwc", 6)
    phi = torch.tensor(np.ones(labels.shape), requires_grad=True)
    out = al.distance_weighted_cross_entropy(torch.tensor(logits), torch.tensor(labels), phi)
    assert not out.requires_grad or torch.autograd.grad(out, phi, allow_unused=True)[0] is None


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_dtype_contract(backend: Backend, dtype: str) -> None:
    ref.require_dtype(backend, dtype)
    if backend.name == "dask":
        pytest.skip("topk needs a sort; the others are covered by the value tests")
    logits, labels, _axis = _draw("nhwc", 10)
    x, y = backend.asarray(logits, dtype), backend.asarray(labels)
    want = backend.dtype("float64" if dtype == "float64" else "float32")
    phi = backend.asarray(np.ones(labels.shape), dtype)
    for out in (
        backend.call(al.topk_loss, x, y),
        backend.call(al.distance_weighted_cross_entropy, x, y, phi),
        backend.call(al.robust_t_loss, x, backend.asarray(logits > 0, dtype)),
    ):
        got = backend.check_result(out, dtype=want, shape=())
        assert np.isfinite(got)


# -- cross_entropy / focal_loss on segmentation layouts ----------------------------------


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_ce_and_focal_on_segmentation_layouts(backend: Backend, layout: str) -> None:
    ref.only_subset(backend, layout, {"nchw"})
    logits, labels, axis = _draw(layout, 11, -1)
    cw = np.array([0.5, 2.0, 1.0])
    kw = {"axis": axis, "ignore_index": -1}
    ref.compare_reductions(
        backend,
        al.cross_entropy,
        cref.cross_entropy,
        (logits, labels),
        {**kw, "class_weights": cw},
        labels.shape,
    )
    ref.compare_reductions(
        backend, al.focal_loss, cref.focal_loss_basic, (logits, labels), kw, labels.shape
    )
    probs = np.moveaxis(np.eye(3)[np.where(labels < 0, 0, labels)], -1, axis % logits.ndim)
    ref.compare_reductions(
        backend,
        al.cross_entropy,
        cref.cross_entropy,
        (logits, probs),
        {"axis": axis},
        labels.shape,
    )


# -- numerics ---------------------------------------------------------------------------


def _torch_value_and_grad(fn: Any, logits: np.ndarray, *args: Any, **kw: Any) -> tuple[Any, Any]:
    torch = pytest.importorskip("torch")
    x = torch.tensor(logits, dtype=torch.float32, requires_grad=True)
    out = fn(x, *[torch.tensor(a) for a in args], **kw)
    (g,) = torch.autograd.grad(out, x)
    return out.detach().numpy(), g.numpy()


@pytest.mark.parametrize(
    "case", ["all_ignored", "single_class", "saturated", "volume_nchw", "empty_mask"]
)
def test_finite_value_and_gradient(case: str) -> None:
    rng = np.random.default_rng(12)
    shape: tuple[int, ...] = (2, 3, 4, 3)
    axis = -1
    if case == "volume_nchw":
        shape, axis = (2, 3, 2, 3, 4), 1
    logits = rng.normal(size=shape)
    ax = axis % len(shape)
    labels = rng.integers(0, 3, size=shape[:ax] + shape[ax + 1 :])
    kw: dict[str, Any] = {"axis": axis}
    if case == "all_ignored":
        labels[:] = -100
        kw["ignore_index"] = -100
    if case in ("single_class", "empty_mask"):
        labels[:] = 0
    if case == "saturated":
        logits = 1e4 * np.sign(logits)
    phi = rng.uniform(0, 2, size=labels.shape)
    for fn, args, extra in (
        (al.topk_loss, (labels,), {}),
        (al.distance_weighted_cross_entropy, (labels, phi), {}),
    ):
        v, g = _torch_value_and_grad(fn, logits, *args, **kw, **extra)
        assert np.all(np.isfinite(v)), fn.__name__
        assert np.all(np.isfinite(g)), fn.__name__
        if case == "all_ignored":
            assert v == 0
            assert np.all(g == 0)
    binary = labels.clip(0, 1) if case != "all_ignored" else labels
    tkw = {"ignore_index": -100} if case == "all_ignored" else {}
    v, g = _torch_value_and_grad(al.robust_t_loss, np.take(logits, 0, axis=ax), binary, **tkw)
    assert np.all(np.isfinite(v))
    assert np.all(np.isfinite(g))


# -- errors -----------------------------------------------------------------------------


def test_errors() -> None:
    logits, labels, _ = _draw("nhwc", 13)
    with pytest.raises(ValueError, match="k must be in"):
        al.topk_loss(logits, labels, k=0.0)
    with pytest.raises(ValueError, match="axis must not be 0"):
        al.topk_loss(logits, labels, axis=0)
    with pytest.raises(ValueError, match="distance_map must have"):
        al.distance_weighted_cross_entropy(logits, labels, np.ones((2, 3)))
    with pytest.raises(TypeError, match="distance_map must be a floating"):
        al.distance_weighted_cross_entropy(logits, labels, labels)
    with pytest.raises(ValueError, match="nu must be in"):
        al.robust_t_loss(logits, logits > 0, nu=0.0)
    with pytest.raises(ValueError, match="nu must be a scalar"):
        al.robust_t_loss(logits, logits > 0, nu=np.ones(2))
    with pytest.raises(ValueError, match="labels"):
        al.robust_t_loss(logits, labels)
    with pytest.raises(ValueError, match="reduction"):
        al.topk_loss(logits, labels, reduction="avg")
