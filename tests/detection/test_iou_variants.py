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
    # a non-default initial running mean (the registry's cases start fresh: a case's
    # NamedTuple state would not be converted to the backend); passed positionally below
    "wiou-v2": (
        det.wise_iou_loss,
        rd.wise_iou_loss,
        {"version": 2, "state": det.init_wise_iou(np.zeros(()), iou_mean=0.6)},
    ),
    "wiou-v3": (det.wise_iou_loss, rd.wise_iou_loss, {"version": 3, "momentum": 0.3}),
}


def _loss_only(out: Any) -> Any:
    return out[0] if isinstance(out, tuple) else out


def _state_on(backend: Backend, state: Any) -> Any:
    """A NumPy ``WiseIoUState`` with its running mean on ``backend`` (float64)."""
    return det.WiseIoUState(backend.asarray(np.asarray(state.iou_mean), "float64"))


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
    state = kwargs.pop("state", None)
    arrays = {
        k: backend.asarray(v, "float64") if isinstance(v, np.ndarray) else v
        for k, v in kwargs.items()
    }
    p, t = backend.asarray(pred, "float64"), backend.asarray(target, "float64")
    # the state positionally: under jax-jit it is then a traced pytree argument
    positional = (p, t) if state is None else (p, t, _state_on(backend, state))
    for reduction in ("mean", "sum", "none"):
        out = backend.call(fn, *positional, **arrays, reduction=reduction)
        ref_args = (pred, target) if state is None else (pred, target, state)
        want = ref_fn(*ref_args, **kwargs, reduction=reduction)
        if isinstance(out, tuple):
            out, new_state = out
            want, want_state = want
            assert isinstance(new_state, det.WiseIoUState)
            got_mean = backend.check_result(
                new_state.iou_mean, dtype=backend.dtype("float64"), shape=()
            )
            ref.assert_close(got_mean, want_state.iou_mean, "float64")
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
    assert isinstance(new, det.WiseIoUState)
    np.testing.assert_allclose([float(loss), float(new.iou_mean)], [v1, 2.0 / 3.0], rtol=1e-6)
    loss, _ = det.wise_iou_loss(b, t, version=2, momentum=1.0)
    np.testing.assert_allclose(float(loss), v1, rtol=1e-6)  # beta = 1
    loss, _ = det.wise_iou_loss(b, t, version=3, momentum=1.0)
    np.testing.assert_allclose(float(loss), v1 / (3.0 * 1.9**-2.0), rtol=1e-6)
    # v3's gain r(beta = delta) = 1: a running mean of 2/9 makes beta = 3
    state = det.init_wise_iou(b, iou_mean=2.0 / 9.0)
    loss, _ = det.wise_iou_loss(b, t, state, version=3, momentum=1e-12)
    np.testing.assert_allclose(float(loss), v1, rtol=1e-6)
    # the state from the previous call: with m = 1 the first call's mean is this batch's
    # 2/3, so beta = 1 again, whatever the state held before
    _, state = det.wise_iou_loss(b, t, state, version=3, momentum=1.0)
    loss, state = det.wise_iou_loss(b, t, state, version=3, momentum=1.0)
    np.testing.assert_allclose(float(loss), v1 / (3.0 * 1.9**-2.0), rtol=1e-6)
    np.testing.assert_allclose(float(state.iou_mean), 2.0 / 3.0, rtol=1e-6)


def test_init_wise_iou_library_dtype_and_default() -> None:
    torch = pytest.importorskip("torch")
    state = det.init_wise_iou(torch.zeros(4, dtype=torch.float16))
    assert isinstance(state, det.WiseIoUState)
    assert state.iou_mean.dtype == torch.float32  # the dtype the loss computes float16 in
    assert tuple(state.iou_mean.shape) == ()
    assert float(state.iou_mean) == 1.0  # the authors' initial value
    assert det.init_wise_iou(np.zeros(1, dtype=np.int64)).iou_mean.dtype == np.float64
    # None and init_wise_iou(boxes) are the same fresh state
    b, t = _pair((5,), seed=3)
    fresh = det.wise_iou_loss(b, t, momentum=0.2)
    given = det.wise_iou_loss(b, t, det.init_wise_iou(b), momentum=0.2)
    np.testing.assert_array_equal(fresh[0], given[0])
    np.testing.assert_array_equal(fresh[1].iou_mean, given[1].iou_mean)
    # the returned state has the loss's dtype on float16 boxes: a jit carry keeps its type
    p = torch.tensor(b, dtype=torch.float16)
    loss, new = det.wise_iou_loss(p, torch.tensor(t, dtype=torch.float16), state)
    assert new.iou_mean.dtype == loss.dtype == state.iou_mean.dtype


def test_wise_iou_state_under_jit() -> None:
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    pred, target = _pair((6,), seed=51)
    traces = []

    def wiou(p: Any, t: Any, s: Any) -> Any:
        traces.append(1)
        return det.wise_iou_loss(p, t, s, momentum=0.1)

    step = jax.jit(wiou)
    boxes = jnp.asarray(pred, jnp.float32)
    state = det.init_wise_iou(boxes, iou_mean=0.8)
    want_state = rd.WiseIoUState(0.8)
    for _ in range(3):
        loss, state = step(boxes, jnp.asarray(target, jnp.float32), state)
        want, want_state = rd.wise_iou_loss(pred, target, want_state, momentum=0.1)
        assert isinstance(state, det.WiseIoUState)
        assert state.iou_mean.dtype == jnp.float32
        assert state.iou_mean.shape == ()
        ref.assert_close(np.asarray(loss), want, "float32")
        ref.assert_close(np.asarray(state.iou_mean), want_state.iou_mean, "float32")
    assert len(traces) == 1  # the state keeps its type and shape: traced once


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
    assert not new.iou_mean.requires_grad
    np.testing.assert_allclose(p.grad.numpy(), fd, rtol=1e-5, atol=1e-8)
    v1_grad = p.grad.clone()
    p.grad = None
    # a state that requires grad is detached too: no gradient flows into it
    old = det.WiseIoUState(torch.tensor(1.0, dtype=torch.float64, requires_grad=True))
    loss3, new3 = det.wise_iou_loss(p, torch.tensor(target), old, version=3, momentum=0.5)
    assert not new3.iou_mean.requires_grad
    loss3.backward()
    assert old.iou_mean.grad is None
    beta = rd.iou_loss(pred, target) / float(new3.iou_mean)
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
        backend.check_result(out[1].iou_mean, dtype=backend.dtype(compute), shape=())
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
        (det.wise_iou_loss, {"state": np.asarray(1.0)}, TypeError, "state must be a WiseIoUState"),
        (det.wise_iou_loss, {"state": (np.asarray(1.0),)}, TypeError, "state must be a Wise"),
        (det.wise_iou_loss, {"iou_mean": 0.5}, TypeError, "iou_mean"),  # removed: init_wise_iou
        (
            det.wise_iou_loss,
            {"state": det.WiseIoUState(1.0)},
            TypeError,
            r"state\.iou_mean must be a 0-d array",
        ),
        (
            det.wise_iou_loss,
            {"state": det.WiseIoUState(np.ones(2))},
            ValueError,
            r"state\.iou_mean must be a scalar \(shape \(\)\), got shape \(2,\)",
        ),
        (
            det.wise_iou_loss,
            {"state": det.WiseIoUState(np.asarray(-1.0))},
            ValueError,
            r"state\.iou_mean must be >= 0",
        ),
        (
            det.wise_iou_loss,
            {"state": det.WiseIoUState(np.asarray(1))},
            TypeError,
            r"state\.iou_mean must be a real floating array",
        ),
        (det.eiou_loss, {"box_format": "xy"}, ValueError, "box_format"),
    ],
)
def test_extra_errors(fn: Any, kw: dict[str, Any], exc: type, match: str) -> None:
    good = np.array([[0.0, 0.0, 1.0, 1.0]])
    with pytest.raises(exc, match=match):
        fn(good, good, **kw)


def test_wise_iou_state_errors() -> None:
    good = np.array([[0.0, 0.0, 1.0, 1.0]])
    with pytest.raises(ValueError, match=r"iou_mean must be in \(0, inf\); got 0\.0"):
        det.init_wise_iou(good, iou_mean=0.0)
    with pytest.raises(TypeError, match="iou_mean must be a real number"):
        det.init_wise_iou(good, iou_mean="1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="like must be an array"):
        det.init_wise_iou([1.0])  # type: ignore[arg-type]
    # a running mean of 0 is a valid state: momentum 1 on exact boxes returns it (boxes
    # large enough that the union's eps rounds away, so IoU is exactly 1)
    big = np.array([[0.0, 0.0, 1e5, 1e5]])
    _, zero = det.wise_iou_loss(big, big, momentum=1.0)
    assert float(zero.iou_mean) == 0.0
    loss, state = det.wise_iou_loss(big, big, zero, momentum=1.0)
    assert float(loss) == 0.0
    assert float(state.iou_mean) == 0.0
    # NaN boxes give a NaN state; it propagates (NaN in, NaN out), no error
    bad = np.array([[0.0, 0.0, np.nan, 1.0]])
    _, nan_state = det.wise_iou_loss(bad, good)
    loss, state = det.wise_iou_loss(good, good, nan_state)
    assert np.isnan(float(state.iou_mean))


def test_extra_malformed_and_mixed() -> None:
    torch = pytest.importorskip("torch")
    bad, good = np.array([[1.0, 0.0, 0.0, 1.0]]), np.array([[0.0, 0.0, 1.0, 1.0]])
    for fn, _, kw in EXTRA.values():
        with pytest.raises(ValueError, match="x2 < x1"):
            fn(bad, good, **kw)
    with pytest.raises(TypeError, match="torch"):
        det.wise_iou_loss(
            torch.tensor(good), torch.tensor(good), det.WiseIoUState(np.asarray(1.0))
        )
