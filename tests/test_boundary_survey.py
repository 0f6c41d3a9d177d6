"""Active boundary loss (issue 4, survey boundary level).

Values against the loop reference of ``support/reference_boundary_survey.py`` (Wang
et al. 2022: brute-force boundary distances, KL per neighbour, direction
cross-entropy), hand-derived cases, numerics (single-class images, everything
ignored, no predicted boundary, saturated logits), errors and the dtype contract.
No peer library implements the loss (the authors' PyTorch code is not a package).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import arrayloss as al
from support import reference as ref
from support import reference_boundary_survey as rs
from support.backends import Backend


def _blobs(shape: tuple[int, ...], rng: np.random.Generator, classes: int) -> np.ndarray:
    """Label maps with coherent regions, so most pixels lie some way from a boundary."""
    noise = rng.normal(size=(*shape, classes))
    for _ in range(2):
        for ax in (1, 2):
            noise = noise + np.roll(noise, 1, axis=ax) + np.roll(noise, -1, axis=ax)
    return np.argmax(noise, axis=-1)


OPTIONS: dict[str, dict[str, Any]] = {
    "nhwc-int": {"axis": -1},
    "nchw-int": {"axis": 1},
    "one_hot": {"axis": 1, "target": "one_hot"},
    "probs": {"axis": -1, "kw": {"from_logits": False}},
    "ignore": {"axis": 1, "ignore": 255},
    "distance-theta": {"axis": -1, "distance": True, "kw": {"theta": 1.5}},
    "epsilon-weights": {"axis": 1, "weights": True, "kw": {"epsilon": 0.5}},
}
LIGHT = {"nchw-int", "ignore", "distance-theta"}


def _case(option: dict[str, Any], seed: int = 0) -> tuple[Any, ...]:
    rng = np.random.default_rng(seed)
    n, h, w, c = 2, 9, 10, 3
    ax = option["axis"] % 4
    labels = _blobs((n, h, w), rng, c)
    logits = np.moveaxis(rng.normal(0.0, 1.5, size=(n, h, w, c)), -1, ax)
    kwargs: dict[str, Any] = {"axis": option["axis"], **option.get("kw", {})}
    if "ignore" in option:
        labels.reshape(-1)[::11] = option["ignore"]
        kwargs["ignore_index"] = option["ignore"]
    if option.get("target") == "one_hot":
        labels = np.moveaxis(np.eye(c)[labels], -1, ax)
    if kwargs.get("from_logits") is False:
        e = np.exp(logits - logits.max(axis=ax, keepdims=True))
        logits = e / e.sum(axis=ax, keepdims=True)
    if option.get("distance"):
        kwargs["distance"] = rng.uniform(0.0, 3.0, size=(n, h, w))
    if option.get("weights"):
        kwargs["weights"] = rng.uniform(0.0, 2.0, size=(n, h, w))
    return logits, labels, kwargs


@pytest.mark.parametrize(("name", "option"), list(OPTIONS.items()), ids=list(OPTIONS))
def test_matches_reference(backend: Backend, name: str, option: Any) -> None:
    ref.only_subset(backend, name, LIGHT)
    logits, labels, kwargs = _case(option)
    # the case exercises many boundary pixels with a nonzero weight
    assert (
        np.count_nonzero(rs.active_boundary_loss(logits, labels, **kwargs, reduction="none")) >= 8
    )
    ref.compare_reductions(
        backend,
        al.active_boundary_loss,
        rs.active_boundary_loss,
        (logits, labels),
        kwargs,
        (2, 9, 10),
    )


def test_reference_distance_matches_the_distance_map() -> None:
    labels = _blobs((2, 9, 10), np.random.default_rng(3), 3)
    edge = np.zeros(labels.shape, dtype=bool)
    edge[:, 1:] |= labels[:, 1:] != labels[:, :-1]
    edge[:, :-1] |= labels[:, 1:] != labels[:, :-1]
    edge[:, :, 1:] |= labels[:, :, 1:] != labels[:, :, :-1]
    edge[:, :, :-1] |= labels[:, :, 1:] != labels[:, :, :-1]
    np.testing.assert_allclose(rs.gt_boundary_distance(labels), al.distance_map(~edge))


# -- hand-derived ------------------------------------------------------------------------


def test_hand_derived_single_boundary_pixel() -> None:
    """3x3 image: only the centre is interior; only its right neighbour differs.

    KL(centre || right) = 0.5 log(0.5/0.8) + 0.5 log(0.5/0.2) = log 1.25, the other
    seven are 0. The right neighbour is nearest the boundary (distance 0), so the
    loss is log(7 + 1.25) - log 1.25 = log 6.6, times min(40, 20) / 20 = 1. With
    the target pointing elsewhere (upper left) it is log(8.25), and with
    theta = 80 the weight is 40 / 80.
    """
    p = np.full((1, 3, 3, 2), 0.5)
    p[0, 1, 2] = [0.8, 0.2]
    labels = np.zeros((1, 3, 3), dtype=np.int64)
    dist = np.full((1, 3, 3), 40.0)
    dist[0, 1, 2] = 0.0
    kw: dict[str, Any] = {"distance": dist, "from_logits": False}
    np.testing.assert_allclose(al.active_boundary_loss(p, labels, **kw), np.log(6.6))
    np.testing.assert_allclose(
        al.active_boundary_loss(p, labels, theta=80.0, **kw), 0.5 * np.log(6.6)
    )
    none = al.active_boundary_loss(p, labels, reduction="none", **kw)
    want = np.zeros((1, 3, 3))
    want[0, 1, 1] = np.log(6.6)
    np.testing.assert_allclose(none, want)
    dist[0, 0, 0] = -1.0
    np.testing.assert_allclose(al.active_boundary_loss(p, labels, **kw), np.log(8.25))
    # epsilon above log 1.25: no boundary pixel, loss 0
    assert al.active_boundary_loss(p, labels, epsilon=0.25, **kw) == 0.0


# -- numerics ----------------------------------------------------------------------------

DEGENERATE = {
    "single-class": lambda lab: np.zeros_like(lab),
    "all-ignored": lambda lab: np.full_like(lab, 255),
    "blobs": lambda lab: lab,
}


@pytest.mark.parametrize("name", list(DEGENERATE))
@pytest.mark.parametrize("scale", [1.0, 1e4])
def test_finite_value_and_gradient_torch(name: str, scale: float) -> None:
    torch = pytest.importorskip("torch")
    logits, labels, _ = _case(OPTIONS["nhwc-int"])
    labels = DEGENERATE[name](labels)
    for dtype in (torch.float32, torch.float64):
        x = torch.tensor(scale * logits, dtype=dtype, requires_grad=True)
        out = al.active_boundary_loss(x, torch.asarray(labels), ignore_index=255)
        out.backward()
        assert torch.isfinite(out).item(), (name, dtype, out)
        assert torch.isfinite(x.grad).all().item(), (name, dtype)
        if name != "blobs":
            # no ground-truth boundary (weight 0) or nothing kept: exactly 0
            assert out.item() == 0.0
            assert (x.grad == 0).all().item()


def test_finite_gradient_jax_jit() -> None:
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    logits, labels, _ = _case(OPTIONS["ignore"])
    lab = jnp.asarray(labels)

    def f(x: Any) -> Any:
        return al.active_boundary_loss(x, lab, axis=1, ignore_index=255)

    for scale in (1.0, 1e4):
        value, grad = jax.jit(jax.value_and_grad(f))(jnp.asarray(scale * logits, jnp.float32))
        assert np.isfinite(np.asarray(value))
        assert np.isfinite(np.asarray(grad)).all()


def test_exact_probabilities_stay_finite() -> None:
    torch = pytest.importorskip("torch")
    labels = _blobs((1, 8, 8), np.random.default_rng(5), 2)
    p = torch.tensor(np.eye(2)[labels], requires_grad=True)  # exact 0 and 1
    out = al.active_boundary_loss(p, torch.asarray(labels), from_logits=False)
    out.backward()
    assert torch.isfinite(out).item()
    assert torch.isfinite(p.grad).all().item()


def test_ignored_window_has_zero_gradient() -> None:
    torch = pytest.importorskip("torch")
    logits, labels, _ = _case(OPTIONS["nhwc-int"])
    labels[0] = 255  # the whole first image
    x = torch.tensor(logits, requires_grad=True)
    al.active_boundary_loss(x, torch.asarray(labels), ignore_index=255).backward()
    assert (x.grad[0] == 0).all().item()
    assert (x.grad[1] != 0).any().item()


def test_nan_and_out_of_range() -> None:
    logits, labels, _ = _case(OPTIONS["nhwc-int"])
    bad = logits.copy()
    bad[0, 4, 4, 0] = np.nan
    assert np.isnan(al.active_boundary_loss(bad, labels))
    labels[0, 4, 4] = 7
    with pytest.raises(ValueError, match="labels"):
        al.active_boundary_loss(logits, labels)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_dtype_contract(backend: Backend, dtype: str) -> None:
    ref.require_dtype(backend, dtype)
    if ref.is_light(backend) and dtype != "float16":
        pytest.skip(f"{backend.name}: representative subset only (runtime)")
    logits, labels, kwargs = _case(OPTIONS["nchw-int"])
    rounded = ref.round_to(logits, dtype)
    compute = "float64" if dtype == "float64" else "float32"
    out = backend.call(
        al.active_boundary_loss, backend.asarray(logits, dtype), backend.asarray(labels), **kwargs
    )
    got = backend.check_result(out, dtype=backend.dtype(compute), shape=())
    ref.assert_close(got, rs.active_boundary_loss(rounded, labels, **kwargs), compute)


def test_errors() -> None:
    logits, labels, _ = _case(OPTIONS["nhwc-int"])
    fn = al.active_boundary_loss
    with pytest.raises(ValueError, match="2-D images"):
        fn(logits[:, 0], labels[:, 0])
    with pytest.raises(ValueError, match="axis must not be 0"):
        fn(logits, labels, axis=0)
    with pytest.raises(ValueError, match="H, W >= 3"):
        fn(logits[:, :2], labels[:, :2])
    with pytest.raises(ValueError, match="theta"):
        fn(logits, labels, theta=0.0)
    with pytest.raises(ValueError, match="epsilon"):
        fn(logits, labels, epsilon=-1.0)
    with pytest.raises(ValueError, match="distance"):
        fn(logits, labels, distance=np.zeros((2, 9)))
    with pytest.raises(ValueError, match="distance"):
        fn(logits, labels, distance=np.zeros((2, 9, 10), dtype=np.int64))
    with pytest.raises(ValueError, match="reduction"):
        fn(logits, labels, reduction="avg")
    with pytest.raises(ValueError, match="labels"):
        fn(logits, labels[:, :5])
    with pytest.raises(ValueError, match="weights"):
        fn(logits, labels, weights=np.ones((2, 3)))
