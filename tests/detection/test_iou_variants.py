"""The IoU family of box losses and the box utilities (issue 6).

Values against the float64 reference of ``support/reference_detection.py`` (from the
papers), hand-derived cases, the degenerate-box list (finite value and gradient on
torch and JAX), errors, the dtype contract and MONAI's ``BoxGIoULoss``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import arrayloss as det
from detection import reference as rd
from support import reference as ref
from support.backends import Backend


def _boxes(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """Random well-formed xyxy boxes of shape ``shape + (4,)``; some overlap, some don't."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(-3.0, 3.0, size=(*shape, 2))
    wh = rng.uniform(0.3, 3.0, size=(*shape, 2))
    return np.concatenate([xy, xy + wh], axis=-1)


def _pair(shape: tuple[int, ...], seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    target = _boxes(shape, seed)
    pred = target + np.random.default_rng(seed + 100).normal(0.0, 0.8, size=target.shape)
    # keep predictions well formed: sort each coordinate pair
    pred[..., [0, 2]] = np.sort(pred[..., [0, 2]], axis=-1)
    pred[..., [1, 3]] = np.sort(pred[..., [1, 3]], axis=-1)
    return pred, target


# -- hand-derived values ------------------------------------------------------------------

UNIT = np.array([0.0, 0.0, 1.0, 1.0])


UNIT_RIGHT = np.array([2.0, 0.0, 3.0, 1.0])  # disjoint, gap 1: C = 3, U = 2


# -- degenerate boxes: finite value and gradient ------------------------------------------

DEGENERATE = {
    "identical": ([0.0, 0.0, 2.0, 1.0], [0.0, 0.0, 2.0, 1.0]),
    "disjoint": ([0.0, 0.0, 1.0, 1.0], [5.0, 5.0, 6.0, 7.0]),
    "touching": ([0.0, 0.0, 1.0, 1.0], [1.0, 0.0, 2.0, 1.0]),
    "nested": ([1.0, 1.0, 2.0, 2.0], [0.0, 0.0, 4.0, 4.0]),
    "zero-width-pred": ([1.0, 0.0, 1.0, 2.0], [0.0, 0.0, 2.0, 2.0]),
    "zero-height-pred": ([0.0, 1.0, 2.0, 1.0], [0.0, 0.0, 2.0, 2.0]),
    "zero-width-both": ([1.0, 0.0, 1.0, 2.0], [1.0, 0.0, 1.0, 2.0]),
    "point-vs-box": ([1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 2.0, 2.0]),
    "point-vs-same-point": ([1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0]),
    "point-vs-other-point": ([1.0, 1.0, 1.0, 1.0], [3.0, 2.0, 3.0, 2.0]),
    "huge": ([0.0, 0.0, 1e4, 1e4], [1.0, 1.0, 2e4, 3e4]),
}


def _all_degenerate() -> tuple[np.ndarray, np.ndarray]:
    pred = np.array([p for p, _ in DEGENERATE.values()], dtype=np.float32)
    target = np.array([t for _, t in DEGENERATE.values()], dtype=np.float32)
    return pred, target


# -- EIoU, Focal-EIoU, SIoU, alpha-IoU, Wise-IoU ----------------------------------------

EXTRA: dict[str, tuple[Any, Any, dict[str, Any]]] = {
    "eiou": (det.eiou_loss, rd.eiou_loss, {}),
    "focal-eiou": (det.focal_eiou_loss, rd.focal_eiou_loss, {}),
    "focal-eiou-g2": (det.focal_eiou_loss, rd.focal_eiou_loss, {"gamma": 2.0}),
    "siou": (det.siou_loss, rd.siou_loss, {}),
    "siou-theta2": (det.siou_loss, rd.siou_loss, {"theta": 2.0}),
    "alpha": (det.alpha_iou_loss, rd.alpha_iou_loss, {}),
    "alpha-giou": (det.alpha_iou_loss, rd.alpha_iou_loss, {"penalty": "giou"}),
    "alpha-diou": (det.alpha_iou_loss, rd.alpha_iou_loss, {"penalty": "diou", "alpha": 0.5}),
    "alpha-ciou": (det.alpha_iou_loss, rd.alpha_iou_loss, {"penalty": "ciou"}),
    "wiou-v1": (det.wise_iou_loss, rd.wise_iou_loss, {"version": 1}),
    "wiou-v2": (det.wise_iou_loss, rd.wise_iou_loss, {"version": 2, "iou_mean": 0.6}),
    "wiou-v3": (det.wise_iou_loss, rd.wise_iou_loss, {"version": 3, "momentum": 0.3}),
}


def _loss_only(out: Any) -> Any:
    return out[0] if isinstance(out, tuple) else out


@pytest.mark.parametrize("weights", [None, "full"])
@pytest.mark.parametrize("loss", list(EXTRA))
def test_extra_loss_matches_reference(backend: Backend, loss: str, weights: str | None) -> None:
    ref.only_subset(
        backend,
        (loss, weights),
        {("siou", "full"), ("alpha-ciou", None), ("wiou-v3", "full"), ("focal-eiou", None)},
    )
    fn, ref_fn, kw = EXTRA[loss]
    shape = (3, 4)
    pred, target = _pair(shape, seed=len(loss) + 40)
    pred[0, 0] = target[0, 0] + 7.0  # one disjoint pair
    kwargs = dict(kw)
    if weights is not None:
        w = np.random.default_rng(8).uniform(0.0, 2.0, size=shape)
        w[0, 1] = 0.0
        kwargs["weights"] = w
    arrays = {
        k: backend.asarray(v, "float64") if isinstance(v, np.ndarray) else v
        for k, v in kwargs.items()
    }
    p, t = backend.asarray(pred, "float64"), backend.asarray(target, "float64")
    for reduction in ("mean", "sum", "none"):
        out = backend.call(fn, p, t, **arrays, reduction=reduction)
        want = ref_fn(pred, target, **kwargs, reduction=reduction)
        if isinstance(out, tuple):
            out, new_mean = out
            want, want_mean = want
            got_mean = backend.check_result(new_mean, dtype=backend.dtype("float64"), shape=())
            ref.assert_close(got_mean, want_mean, "float64")
        got = backend.check_result(
            out, dtype=backend.dtype("float64"), shape=shape if reduction == "none" else ()
        )
        ref.assert_close(got, want, "float64", err_msg=f"reduction={reduction}")


@pytest.mark.parametrize(
    ("fn", "pred", "target", "kw", "want"),
    [
        # identical boxes: every loss is 0
        (det.eiou_loss, UNIT, UNIT, {}, 0.0),
        (det.focal_eiou_loss, UNIT, UNIT, {}, 0.0),
        (det.siou_loss, UNIT, UNIT, {}, 0.0),
        (det.alpha_iou_loss, UNIT, UNIT, {"penalty": "ciou"}, 0.0),
        # disjoint unit boxes, gap 1: C = 3 x 1, rho = 2 along x; EIoU adds no size term
        (det.eiou_loss, UNIT, UNIT_RIGHT, {}, 1.4),
        (det.focal_eiou_loss, UNIT, UNIT_RIGHT, {}, 0.0),  # IoU^gamma = 0
        # SIoU: dy = 0 so Lambda = 0, gamma = 2: rho_x = (2/3)^2; same sizes: Omega = 0
        (det.siou_loss, UNIT, UNIT_RIGHT, {}, 1.0 + (1.0 - np.exp(-2.0 * 4.0 / 9.0)) / 2.0),
        # SIoU at 45 degrees: dx = dy = 2, C = 3 x 3, Lambda = 1, gamma = 1
        (
            det.siou_loss,
            UNIT,
            np.array([2.0, 2.0, 3.0, 3.0]),
            {},
            1.0 + (1.0 - np.exp(-4.0 / 9.0)),
        ),
        # alpha-GIoU, disjoint: 1 - 0 + (1/3)^3
        (det.alpha_iou_loss, UNIT, UNIT_RIGHT, {"penalty": "giou"}, 1.0 + 1.0 / 27.0),
        # alpha = 1 recovers DIoU
        (det.alpha_iou_loss, UNIT, UNIT_RIGHT, {"penalty": "diou", "alpha": 1.0}, 1.4),
    ],
)
def test_extra_hand_derived(
    fn: Any, pred: np.ndarray, target: np.ndarray, kw: dict[str, Any], want: float
) -> None:
    got = float(fn(pred, target, **kw))
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_wise_iou_hand_derived() -> None:
    # L_IoU = 2/3, rho^2 = 1, W_g^2 + H_g^2 = 13; mean updated first: m = 1 -> 2/3, beta = 1
    b, t = np.array([0.0, 0.0, 2.0, 2.0]), np.array([1.0, 0.0, 3.0, 2.0])
    v1 = 2.0 / 3.0 * np.exp(1.0 / 13.0)
    loss, new = det.wise_iou_loss(b, t, version=1, momentum=1.0)
    np.testing.assert_allclose([float(loss), float(new)], [v1, 2.0 / 3.0], rtol=1e-6)
    loss, _ = det.wise_iou_loss(b, t, version=2, momentum=1.0)
    np.testing.assert_allclose(float(loss), v1, rtol=1e-6)  # beta = 1
    loss, _ = det.wise_iou_loss(b, t, version=3, momentum=1.0)
    np.testing.assert_allclose(float(loss), v1 / (3.0 * 1.9**-2.0), rtol=1e-6)
    # v3's gain r(beta = delta) = 1: a running mean of 2/9 makes beta = 3
    loss, _ = det.wise_iou_loss(b, t, version=3, iou_mean=2.0 / 9.0, momentum=1e-12)
    np.testing.assert_allclose(float(loss), v1, rtol=1e-6)


def test_wise_iou_state_under_jit() -> None:
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    pred, target = _pair((6,), seed=51)
    step = jax.jit(lambda p, t, m: det.wise_iou_loss(p, t, iou_mean=m, momentum=0.1))
    mean = jnp.asarray(1.0, dtype=jnp.float32)
    want_mean = 1.0
    for _ in range(3):
        loss, mean = step(jnp.asarray(pred, jnp.float32), jnp.asarray(target, jnp.float32), mean)
        want, want_mean = rd.wise_iou_loss(pred, target, iou_mean=want_mean, momentum=0.1)
        assert mean.dtype == jnp.float32
        assert mean.shape == ()
        ref.assert_close(np.asarray(loss), want, "float32")
        ref.assert_close(np.asarray(mean), want_mean, "float32")


def test_wise_iou_gradients_detach_as_the_paper() -> None:
    # v1: only R's denominator (W_g^2 + H_g^2) is detached; v3: d loss = r(beta*) d v1,
    # and the returned running mean carries no gradient.
    torch = pytest.importorskip("torch")
    pred = np.array([0.1, 0.2, 2.3, 1.1])
    target = np.array([0.0, 0.0, 1.0, 2.0])

    def v1_frozen(x: np.ndarray, diag2: float) -> float:
        cx, cy = (x[0] + x[2]) / 2 - 0.5, (x[1] + x[3]) / 2 - 1.0
        return float(np.exp((cx**2 + cy**2) / (diag2 + 1e-7)) * rd.iou_loss(x, target))

    diag2 = (2.3 - 0.0) ** 2 + (2.0 - 0.0) ** 2  # enclosing box x in [0, 2.3], y in [0, 2]
    step = 1e-6
    fd = np.array(
        [
            (v1_frozen(pred + step * e, diag2) - v1_frozen(pred - step * e, diag2)) / (2 * step)
            for e in np.eye(4)
        ]
    )
    p = torch.tensor(pred, requires_grad=True)
    loss, new = det.wise_iou_loss(p, torch.tensor(target), version=1)
    loss.backward()
    assert p.grad is not None
    assert not new.requires_grad
    np.testing.assert_allclose(p.grad.numpy(), fd, rtol=1e-5, atol=1e-8)
    v1_grad = p.grad.clone()
    p.grad = None
    loss3, new3 = det.wise_iou_loss(p, torch.tensor(target), version=3, momentum=0.5)
    loss3.backward()
    beta = rd.iou_loss(pred, target) / float(new3)
    r = beta / (3.0 * 1.9 ** (beta - 3.0))
    np.testing.assert_allclose(p.grad.numpy(), r * v1_grad.numpy(), rtol=1e-10)


EXTRA_DEGENERATE = {
    "eiou": (det.eiou_loss, {}),
    "focal-eiou": (det.focal_eiou_loss, {}),
    "focal-eiou-g0.3": (det.focal_eiou_loss, {"gamma": 0.3}),
    "siou": (det.siou_loss, {}),
    "siou-theta0.5": (det.siou_loss, {"theta": 0.5}),
    "alpha-0.5": (det.alpha_iou_loss, {"alpha": 0.5}),
    "alpha-giou-0.5": (det.alpha_iou_loss, {"alpha": 0.5, "penalty": "giou"}),
    "alpha-ciou": (det.alpha_iou_loss, {"penalty": "ciou"}),
    "alpha-ciou-0.5": (det.alpha_iou_loss, {"alpha": 0.5, "penalty": "ciou"}),
    "wiou-v1": (det.wise_iou_loss, {"version": 1}),
    "wiou-v2": (det.wise_iou_loss, {"version": 2}),
    "wiou-v3": (det.wise_iou_loss, {"version": 3}),
}


@pytest.mark.parametrize("name", list(EXTRA_DEGENERATE))
def test_extra_degenerate(name: str) -> None:
    torch = pytest.importorskip("torch")
    jax = pytest.importorskip("jax")
    fn, kw = EXTRA_DEGENERATE[name]
    pred, target = _all_degenerate()
    p = torch.tensor(pred, requires_grad=True)
    t = torch.tensor(target, requires_grad=True)
    out = _loss_only(fn(p, t, reduction="none", **kw))
    assert torch.isfinite(out).all(), out
    out.sum().backward()
    for g in (p.grad, t.grad):
        assert g is not None
        assert torch.isfinite(g).all(), g
    _, ref_fn, _ = next(v for v in EXTRA.values() if v[0] is fn)
    ref.assert_close(
        out.detach().numpy(), _loss_only(ref_fn(pred, target, reduction="none", **kw)), "float32"
    )

    def total(a: Any, b: Any) -> Any:
        return jax.numpy.sum(_loss_only(fn(a, b, reduction="none", **kw)))

    value, grads = jax.jit(jax.value_and_grad(total, argnums=(0, 1)))(pred, target)
    assert np.isfinite(np.asarray(value))
    assert all(np.isfinite(np.asarray(g)).all() for g in grads)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
@pytest.mark.parametrize("loss", ["eiou", "focal-eiou", "siou", "alpha-ciou", "wiou-v3"])
def test_extra_dtype_contract(backend: Backend, loss: str, dtype: str) -> None:
    ref.require_dtype(backend, dtype)
    ref.only_subset(backend, (loss, dtype), {("siou", "float16"), ("wiou-v3", "float32")})
    fn, ref_fn, kw = EXTRA[loss]
    pred, target = _pair((5,), seed=22)
    pred, target = ref.round_to(pred, dtype), ref.round_to(target, dtype)
    compute = "float64" if dtype == "float64" else "float32"
    out = backend.call(
        fn, backend.asarray(pred, dtype), backend.asarray(target, dtype), reduction="none", **kw
    )
    want = ref_fn(pred, target, reduction="none", **kw)
    if isinstance(out, tuple):
        backend.check_result(out[1], dtype=backend.dtype(compute), shape=())
        out, want = out[0], want[0]
    got = backend.check_result(out, dtype=backend.dtype(compute), shape=(5,))
    ref.assert_close(got, want, compute)


def test_extra_nan_propagates() -> None:
    pred = np.array([[0.0, 0.0, np.nan, 1.0]])
    good = np.array([[0.0, 0.0, 1.0, 1.0]])
    for fn, _, kw in EXTRA.values():
        assert np.isnan(_loss_only(fn(pred, good, **kw))), fn.__name__


@pytest.mark.parametrize(
    ("fn", "kw", "exc", "match"),
    [
        (det.focal_eiou_loss, {"gamma": -1.0}, ValueError, "gamma"),
        (det.siou_loss, {"theta": 0.0}, ValueError, "theta"),
        (det.alpha_iou_loss, {"alpha": 0.0}, ValueError, "alpha"),
        (det.alpha_iou_loss, {"penalty": "eiou"}, ValueError, "penalty must be one of"),
        (det.wise_iou_loss, {"version": 4}, ValueError, "version must be one of"),
        (det.wise_iou_loss, {"momentum": 0.0}, ValueError, "momentum"),
        (det.wise_iou_loss, {"iou_mean": -1.0}, ValueError, "iou_mean"),
        (det.wise_iou_loss, {"iou_mean": "1"}, TypeError, "iou_mean"),
        (det.wise_iou_loss, {"iou_mean": np.ones(2)}, ValueError, r"iou_mean must be a scalar"),
        (det.eiou_loss, {"box_format": "xy"}, ValueError, "box_format"),
    ],
)
def test_extra_errors(fn: Any, kw: dict[str, Any], exc: type, match: str) -> None:
    good = np.array([[0.0, 0.0, 1.0, 1.0]])
    with pytest.raises(exc, match=match):
        fn(good, good, **kw)


def test_extra_malformed_and_mixed() -> None:
    torch = pytest.importorskip("torch")
    bad, good = np.array([[1.0, 0.0, 0.0, 1.0]]), np.array([[0.0, 0.0, 1.0, 1.0]])
    for fn, _, kw in EXTRA.values():
        with pytest.raises(ValueError, match="x2 < x1"):
            fn(bad, good, **kw)
    with pytest.raises(TypeError, match="torch"):
        det.wise_iou_loss(torch.tensor(good), torch.tensor(good), iou_mean=np.asarray(1.0))
