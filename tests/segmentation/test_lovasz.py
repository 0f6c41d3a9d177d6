"""Lovasz-softmax and Lovasz-hinge against Berman et al.'s algorithm and kornia.

The reference (``support.reference_pixel``) drops ignored pixels with boolean
indexing, as Berman's code does; the library instead sorts them last with error 0
and must agree exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import arrayloss as al
from segmentation import reference as rp
from support import reference as ref
from support.backends import Backend

SOFTMAX_OPTIONS: dict[str, dict[str, Any]] = {
    "present_pooled": {},
    "all_per_image": {"classes": "all", "per_image": True},
    "present_per_image_ignore": {"per_image": True, "ignore_index": 255},
    "pooled_ignore_weights": {"ignore_index": 255, "weights": np.array([0.5, 1.0, 2.0, 1.0])},
    "probs_axis1": {"from_logits": False, "axis": 1, "per_image": True},
}


def _draw(opt: dict[str, Any], seed: int = 0) -> tuple[Any, Any, tuple[int, ...]]:
    rng = np.random.default_rng(seed)
    logits = rng.normal(0.0, 2.0, size=(3, 4, 5, 4))
    labels = rng.integers(0, 3, size=(3, 4, 5))  # class 3 absent
    labels[2] = 1  # a single-class image
    if "ignore_index" in opt:
        labels[0, :2] = 255
    if opt.get("axis") == 1:
        logits = np.moveaxis(logits, -1, 1)
    if opt.get("from_logits") is False:
        e = np.exp(logits)
        logits = e / e.sum(axis=opt.get("axis", -1), keepdims=True)
    shape = (3, 4) if opt.get("per_image") else (4,)
    return logits, labels, shape


@pytest.mark.parametrize("option", list(SOFTMAX_OPTIONS))
def test_lovasz_softmax_matches_reference(backend: Backend, option: str) -> None:
    ref.only_subset(backend, option, {"present_per_image_ignore"})
    opt = SOFTMAX_OPTIONS[option]
    logits, labels, shape = _draw(opt)
    if backend.name == "dask":
        with pytest.raises(NotImplementedError, match="Dask"):
            al.lovasz_softmax_loss(backend.asarray(logits, "float64"), backend.asarray(labels))
        return
    ref.compare_reductions(
        backend, al.lovasz_softmax_loss, rp.lovasz_softmax_loss, (logits, labels), opt, shape
    )


HINGE_OPTIONS: dict[str, dict[str, Any]] = {
    "per_image": {},
    "pooled": {"per_image": False},
    "ignore": {"ignore_index": 255},
    "weights": {"weights": np.array([1.0, 0.2, 3.0])},
}


@pytest.mark.parametrize("option", list(HINGE_OPTIONS))
def test_lovasz_hinge_matches_reference(backend: Backend, option: str) -> None:
    ref.only_subset(backend, option, {"ignore"})
    opt = HINGE_OPTIONS[option]
    rng = np.random.default_rng(1)
    logits = rng.normal(size=(3, 4, 5))
    labels = rng.integers(0, 2, size=(3, 4, 5))
    if "ignore_index" in opt:
        labels[0, :2] = 255
        labels[1] = 255  # an all-ignored image: left out of the mean
    if backend.name == "dask":
        with pytest.raises(NotImplementedError, match="Dask"):
            al.lovasz_hinge_loss(backend.asarray(logits, "float64"), backend.asarray(labels))
        return
    shape = (3,) if opt.get("per_image", True) else ()
    ref.compare_reductions(
        backend, al.lovasz_hinge_loss, rp.lovasz_hinge_loss, (logits, labels), opt, shape
    )


def test_hand_values() -> None:
    probs = np.array([[[0.8, 0.2], [0.4, 0.6]]])
    got = al.lovasz_softmax_loss(probs, np.array([[0, 0]]), from_logits=False, reduction="none")
    np.testing.assert_allclose(got, [0.4, 0.0], rtol=1e-12)
    got = al.lovasz_hinge_loss(np.array([[2.0, -0.5]]), np.array([[1, 1]]), reduction="none")
    np.testing.assert_allclose(got, [0.75], rtol=1e-12)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32"])
def test_dtype_contract(backend: Backend, dtype: str) -> None:
    ref.require_dtype(backend, dtype)
    if backend.name == "dask":
        pytest.skip("not available on Dask (sort)")
    logits, labels, _ = _draw({})
    x = backend.asarray(logits, dtype)
    for out in (
        backend.call(al.lovasz_softmax_loss, x, backend.asarray(labels)),
        backend.call(al.lovasz_hinge_loss, x[..., 0], backend.asarray(labels % 2)),
    ):
        assert np.isfinite(backend.check_result(out, dtype=backend.dtype("float32"), shape=()))


@pytest.mark.parametrize("case", ["all_ignored", "empty_mask", "saturated", "volume_nchw"])
def test_finite_value_and_gradient(case: str) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    shape, axis = ((2, 3, 2, 3, 4), 1) if case == "volume_nchw" else ((2, 3, 4, 3), -1)
    logits = rng.normal(size=shape)
    if case == "saturated":
        logits = 1e4 * np.sign(logits)
    ax = axis % len(shape)
    labels = rng.integers(0, 3, size=shape[:ax] + shape[ax + 1 :])
    kw: dict[str, Any] = {}
    if case == "all_ignored":
        labels[:] = 255
        kw["ignore_index"] = 255
    if case == "empty_mask":
        labels[:] = 0
    x = torch.tensor(logits, dtype=torch.float32, requires_grad=True)
    y = torch.tensor(labels)
    for per_image in (False, True):
        out = al.lovasz_softmax_loss(x, y, axis=axis, per_image=per_image, **kw)
        (g,) = torch.autograd.grad(out, x)
        assert torch.isfinite(out)
        assert torch.all(torch.isfinite(g))
    hx = x[:, 0] if axis == 1 else x[..., 0]
    out = al.lovasz_hinge_loss(hx, y if kw else torch.remainder(y, 2), **kw)
    (g,) = torch.autograd.grad(out, x)
    assert torch.isfinite(out)
    assert torch.all(torch.isfinite(g))


def test_kornia_lovasz_softmax_is_per_image_all_classes() -> None:
    torch = pytest.importorskip("torch")
    kornia = pytest.importorskip("kornia")
    rng = np.random.default_rng(3)
    x = torch.tensor(rng.normal(size=(2, 4, 5, 6)))
    y = torch.tensor(rng.integers(0, 3, size=(2, 5, 6)))  # class 3 absent
    want = kornia.losses.lovasz_softmax_loss(x, y)
    got = al.lovasz_softmax_loss(x, y, axis=1, per_image=True, classes="all")
    torch.testing.assert_close(got, want, rtol=1e-12, atol=1e-12)
    # kornia has no "present": Berman's default differs (absent class 3 is dropped)
    present = al.lovasz_softmax_loss(x, y, axis=1, per_image=True)
    assert not torch.allclose(present, want)


def test_kornia_lovasz_hinge() -> None:
    torch = pytest.importorskip("torch")
    kornia = pytest.importorskip("kornia")
    rng = np.random.default_rng(4)
    x = torch.tensor(rng.normal(size=(3, 1, 5, 6)))
    y = torch.tensor(rng.integers(0, 2, size=(3, 5, 6)))
    want = kornia.losses.lovasz_hinge_loss(x, y)
    torch.testing.assert_close(al.lovasz_hinge_loss(x[:, 0], y), want, rtol=1e-12, atol=1e-12)


def test_errors() -> None:
    logits, labels, _ = _draw({})
    with pytest.raises(ValueError, match="classes"):
        al.lovasz_softmax_loss(logits, labels, classes="some")
    with pytest.raises(ValueError, match="axis must not be 0"):
        al.lovasz_softmax_loss(logits, labels, axis=0)
    with pytest.raises(ValueError, match="labels"):
        al.lovasz_softmax_loss(logits, labels[:, :2])
    with pytest.raises(ValueError, match="labels"):
        al.lovasz_hinge_loss(logits, labels)
    with pytest.raises(ValueError, match="ignore_index"):
        al.lovasz_hinge_loss(logits[..., 0], labels.astype(float), ignore_index=1)
    with pytest.raises(TypeError, match="labels"):
        al.lovasz_hinge_loss(logits[..., 0], labels.astype(complex))
