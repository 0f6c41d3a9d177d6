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

LOSSES: dict[str, tuple[Any, Any]] = {
    "iou": (det.iou_loss, rd.iou_loss),
    "giou": (det.giou_loss, rd.giou_loss),
    "diou": (det.diou_loss, rd.diou_loss),
    "ciou": (det.ciou_loss, rd.ciou_loss),
}


FORMATS = ("xyxy", "xywh", "cxcywh")


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


# -- values against the reference --------------------------------------------------------


@pytest.mark.parametrize("weights", [None, "full", "bcast"])
@pytest.mark.parametrize("box_format", FORMATS)
@pytest.mark.parametrize("loss", list(LOSSES))
def test_loss_matches_reference(
    backend: Backend, loss: str, box_format: str, weights: str | None
) -> None:
    ref.only_subset(
        backend,
        (loss, box_format, weights),
        {
            ("iou", "xyxy", None),
            ("giou", "xywh", "full"),
            ("diou", "cxcywh", "bcast"),
            ("ciou", "xyxy", "bcast"),
        },
    )
    fn, ref_fn = LOSSES[loss]
    shape = (3, 4)
    pred, target = _pair(shape, seed=len(loss))
    pred_f, target_f = rd.from_xyxy(pred, box_format), rd.from_xyxy(target, box_format)
    kwargs: dict[str, Any] = {"box_format": box_format}
    if weights is not None:
        rng = np.random.default_rng(7)
        w = rng.uniform(0.0, 2.0, size=shape if weights == "full" else shape[-1:])
        w.reshape(-1)[0] = 0.0
        kwargs["weights"] = w
    kw = {
        k: backend.asarray(v, "float64") if isinstance(v, np.ndarray) else v
        for k, v in kwargs.items()
    }
    p, t = backend.asarray(pred_f, "float64"), backend.asarray(target_f, "float64")
    outs = ref.call_all_reductions(backend, fn, p, t, **kw)
    for reduction, out in outs.items():
        want = ref_fn(pred_f, target_f, **kwargs, reduction=reduction)
        got = backend.check_result(
            out, dtype=backend.dtype("float64"), shape=shape if reduction == "none" else ()
        )
        ref.assert_close(got, want, "float64", err_msg=f"reduction={reduction}")


@pytest.mark.parametrize("mode", ["linear", "square", "log"])
def test_iou_modes_match_reference(backend: Backend, mode: str) -> None:
    ref.only_subset(backend, (mode,), {("log",)})
    pred, target = _pair((6,), seed=3)
    pred[0] = [10.0, 10.0, 11.0, 11.0]  # disjoint: IoU 0, log mode at its eps floor
    p, t = backend.asarray(pred, "float64"), backend.asarray(target, "float64")
    out = backend.call(det.iou_loss, p, t, mode=mode, reduction="none")
    got = backend.check_result(out, dtype=backend.dtype("float64"), shape=(6,))
    ref.assert_close(got, rd.iou_loss(pred, target, mode=mode, reduction="none"), "float64")


def test_leading_axes_and_scalar_box(backend: Backend) -> None:
    ref.only_subset(backend, (), set())
    pred, target = _pair((2, 3, 2), seed=5)
    out = backend.call(
        det.ciou_loss, backend.asarray(pred), backend.asarray(target), reduction="none"
    )
    got = backend.check_result(out, dtype=backend.dtype("float64"), shape=(2, 3, 2))
    ref.assert_close(got, rd.ciou_loss(pred, target, reduction="none"), "float64")
    one_p, one_t = pred[0, 0, 0], target[0, 0, 0]
    out = backend.call(
        det.giou_loss, backend.asarray(one_p), backend.asarray(one_t), reduction="none"
    )
    got = backend.check_result(out, dtype=backend.dtype("float64"), shape=())
    ref.assert_close(got, rd.giou_loss(one_p, one_t, reduction="none"), "float64")


# -- hand-derived values ------------------------------------------------------------------

UNIT = np.array([0.0, 0.0, 1.0, 1.0])


UNIT_RIGHT = np.array([2.0, 0.0, 3.0, 1.0])  # disjoint, gap 1: C = 3, U = 2


@pytest.mark.parametrize(
    ("fn", "pred", "target", "want"),
    [
        (det.iou_loss, UNIT, UNIT, 0.0),
        (det.giou_loss, UNIT, UNIT, 0.0),
        (det.diou_loss, UNIT, UNIT, 0.0),
        (det.ciou_loss, UNIT, UNIT, 0.0),
        (det.iou_loss, UNIT, UNIT_RIGHT, 1.0),
        (det.giou_loss, UNIT, UNIT_RIGHT, 1.0 + 1.0 / 3.0),  # 1 - 0 + (3 - 2) / 3
        (det.diou_loss, UNIT, UNIT_RIGHT, 1.4),  # 1 - 0 + 2^2 / (3^2 + 1^2)
        (det.ciou_loss, UNIT, UNIT_RIGHT, 1.4),  # same aspect ratio: v = 0
        # nested: [0,2]^2 inside [0,4]^2, IoU 1/4; GIoU's penalty is 0 (C = U)
        (det.giou_loss, np.array([0.0, 0.0, 2.0, 2.0]), np.array([0.0, 0.0, 4.0, 4.0]), 0.75),
        # DIoU: rho^2 = 2, c^2 = 32
        (
            det.diou_loss,
            np.array([0.0, 0.0, 2.0, 2.0]),
            np.array([0.0, 0.0, 4.0, 4.0]),
            0.75 + 2.0 / 32.0,
        ),
    ],
)
def test_hand_derived(fn: Any, pred: np.ndarray, target: np.ndarray, want: float) -> None:
    got = float(fn(pred, target))
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_ciou_hand_derived() -> None:
    # IoU 1/2, rho^2 / c^2 = 0.25 / 8, v = 4/pi^2 (atan 2 - atan 1)^2, alpha = v / (1/2 + v)
    v = 4.0 / np.pi**2 * (np.arctan(2.0) - np.arctan(1.0)) ** 2
    want = 0.5 + 0.25 / 8.0 + v * v / (0.5 + v)
    got = det.ciou_loss(np.array([0.0, 0.0, 2.0, 2.0]), np.array([0.0, 0.0, 2.0, 1.0]))
    np.testing.assert_allclose(float(got), want, rtol=1e-6)


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


DEGENERATE_FNS = {
    "iou-linear": (det.iou_loss, {}),
    "iou-square": (det.iou_loss, {"mode": "square"}),
    "iou-log": (det.iou_loss, {"mode": "log"}),
    "giou": (det.giou_loss, {}),
    "diou": (det.diou_loss, {}),
    "ciou": (det.ciou_loss, {}),
}


def _all_degenerate() -> tuple[np.ndarray, np.ndarray]:
    pred = np.array([p for p, _ in DEGENERATE.values()], dtype=np.float32)
    target = np.array([t for _, t in DEGENERATE.values()], dtype=np.float32)
    return pred, target


@pytest.mark.parametrize("name", list(DEGENERATE_FNS))
def test_degenerate_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    fn, kw = DEGENERATE_FNS[name]
    pred, target = _all_degenerate()
    p = torch.tensor(pred, requires_grad=True)
    t = torch.tensor(target, requires_grad=True)
    out = fn(p, t, reduction="none", **kw)
    assert torch.isfinite(out).all(), out
    out.sum().backward()
    assert p.grad is not None
    assert t.grad is not None
    assert torch.isfinite(p.grad).all(), p.grad
    assert torch.isfinite(t.grad).all(), t.grad
    ref_fn = {"giou": rd.giou_loss, "diou": rd.diou_loss, "ciou": rd.ciou_loss}.get(name)
    want = (
        rd.iou_loss(pred, target, reduction="none", **kw)
        if ref_fn is None
        else ref_fn(pred, target, reduction="none")
    )
    ref.assert_close(out.detach().numpy(), want, "float32")


@pytest.mark.parametrize("name", list(DEGENERATE_FNS))
def test_degenerate_jax(name: str) -> None:
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    fn, kw = DEGENERATE_FNS[name]
    pred, target = _all_degenerate()

    def total(p: Any, t: Any) -> Any:
        return jnp.sum(fn(p, t, reduction="none", **kw))

    value, (gp, gt) = jax.jit(jax.value_and_grad(total, argnums=(0, 1)))(
        jnp.asarray(pred), jnp.asarray(target)
    )
    assert np.isfinite(np.asarray(value))
    assert np.isfinite(np.asarray(gp)).all()
    assert np.isfinite(np.asarray(gt)).all()


def test_identical_boxes_gradient_is_zero_for_ciou_alpha_constant() -> None:
    # with alpha constant, d(alpha v)/dw = alpha dv/dw; at identical boxes v = 0 and
    # dv/dw = 0, and IoU/DIoU terms are at their minimum: the gradient vanishes
    torch = pytest.importorskip("torch")
    p = torch.tensor([[0.0, 0.0, 2.0, 1.0]], dtype=torch.float64, requires_grad=True)
    det.ciou_loss(p, torch.tensor([[0.0, 0.0, 2.0, 1.0]], dtype=torch.float64)).backward()
    assert p.grad is not None
    np.testing.assert_allclose(p.grad.numpy(), 0.0, atol=1e-6)


def test_ciou_alpha_is_stop_gradient() -> None:
    # the gradient equals that of DIoU + alpha_const * v, alpha frozen at its value
    torch = pytest.importorskip("torch")
    pred = np.array([0.1, 0.2, 2.3, 1.1])
    target = np.array([0.0, 0.0, 1.0, 2.0])
    p = torch.tensor(pred, requires_grad=True)
    det.ciou_loss(p, torch.tensor(target)).backward()
    assert p.grad is not None

    def ciou_frozen(x: np.ndarray, alpha: float | None) -> float:
        q = rd._one(x, target, 1e-7)
        a = q["alpha_v"] if alpha is None else alpha * _v(x)
        return 1 - q["iou"] + q["diou_pen"] + a

    def _v(x: np.ndarray) -> float:
        w, h = x[2] - x[0], x[3] - x[1]
        return 4 / np.pi**2 * (np.arctan(1.0 / 2.0) - np.arctan(w / h)) ** 2

    alpha0 = rd._one(pred, target, 1e-7)["alpha_v"] / _v(pred)
    step = 1e-6
    fd = np.array(
        [
            (ciou_frozen(pred + step * e, alpha0) - ciou_frozen(pred - step * e, alpha0))
            / (2 * step)
            for e in np.eye(4)
        ]
    )
    np.testing.assert_allclose(p.grad.numpy(), fd, rtol=1e-5, atol=1e-8)
    full = np.array(
        [
            (ciou_frozen(pred + step * e, None) - ciou_frozen(pred - step * e, None)) / (2 * step)
            for e in np.eye(4)
        ]
    )
    assert not np.allclose(full, fd, rtol=1e-5, atol=1e-8)  # the choice is observable


def test_nan_propagates() -> None:
    pred = np.array([[0.0, 0.0, np.nan, 1.0]])
    for fn in (det.iou_loss, det.giou_loss, det.diou_loss, det.ciou_loss):
        assert np.isnan(fn(pred, np.array([[0.0, 0.0, 1.0, 1.0]])))


# -- dtypes -------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
@pytest.mark.parametrize("loss", list(LOSSES))
def test_dtype_contract(backend: Backend, loss: str, dtype: str) -> None:
    ref.require_dtype(backend, dtype)
    ref.only_subset(backend, (loss, dtype), {("ciou", "float16"), ("giou", "float32")})
    fn, ref_fn = LOSSES[loss]
    pred, target = _pair((5,), seed=21)
    pred, target = ref.round_to(pred, dtype), ref.round_to(target, dtype)
    compute = "float64" if dtype == "float64" else "float32"
    out = backend.call(
        fn, backend.asarray(pred, dtype), backend.asarray(target, dtype), reduction="none"
    )
    got = backend.check_result(out, dtype=backend.dtype(compute), shape=(5,))
    ref.assert_close(got, ref_fn(pred, target, reduction="none"), compute)


# -- errors -------------------------------------------------------------------------------


def test_errors() -> None:
    good = np.array([[0.0, 0.0, 1.0, 1.0]])
    with pytest.raises(ValueError, match=r"target_boxes must have the same shape as boxes"):
        det.giou_loss(good, np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"boxes must have shape \(\.\.\., 4\).*\(1, 3\)"):
        det.iou_loss(good[:, :3], good[:, :3])
    with pytest.raises(ValueError, match="box_format must be one of"):
        det.diou_loss(good, good, box_format="xyzw")
    with pytest.raises(ValueError, match="mode must be one of"):
        det.iou_loss(good, good, mode="cubic")
    with pytest.raises(ValueError, match="eps must be in"):
        det.ciou_loss(good, good, eps=0.0)
    with pytest.raises(ValueError, match="reduction must be one of"):
        det.ciou_loss(good, good, reduction="avg")
    with pytest.raises(TypeError, match="boxes must be a real floating array"):
        det.giou_loss(good.astype(np.int64), good)
    with pytest.raises(ValueError, match="does not broadcast"):
        det.giou_loss(good, good, weights=np.ones(3))
    with pytest.raises(ValueError, match="in_fmt must be one of"):
        det.box_convert(good, "ltrb", "xyxy")
    with pytest.raises(ValueError, match=r"boxes2 must have shape \(N, 4\)"):
        det.box_iou(good, good[0])


@pytest.mark.parametrize("box_format", FORMATS)
def test_malformed_boxes_raise_on_eager(box_format: str) -> None:
    good = np.array([[0.0, 0.0, 1.0, 1.0]])
    bad = {
        "xyxy": np.array([[1.0, 0.0, 0.0, 1.0]]),
        "xywh": np.array([[0.0, 0.0, 1.0, -1.0]]),
        "cxcywh": np.array([[0.0, 0.0, -1.0, 1.0]]),
    }[box_format]
    with pytest.raises(ValueError, match=r"boxes contains malformed boxes"):
        det.giou_loss(bad, good, box_format=box_format)
    with pytest.raises(ValueError, match=r"target_boxes contains malformed boxes"):
        det.ciou_loss(good, bad, box_format=box_format)
    with pytest.raises(ValueError, match=r"boxes contains malformed"):
        det.box_area(bad, box_format=box_format)


def test_malformed_boxes_torch_and_jax_eager_raise_jit_does_not() -> None:
    torch = pytest.importorskip("torch")
    jax = pytest.importorskip("jax")
    bad = [[1.0, 0.0, 0.0, 1.0]]
    good = [[0.0, 0.0, 1.0, 1.0]]
    with pytest.raises(ValueError, match="x2 < x1"):
        det.iou_loss(torch.tensor(bad), torch.tensor(good))
    with pytest.raises(ValueError, match="x2 < x1"):
        det.iou_loss(jax.numpy.asarray(bad), jax.numpy.asarray(good))
    with pytest.raises(ValueError, match="x2 < x1"):
        det.box_iou(jax.numpy.asarray(good), jax.numpy.asarray(bad))
    # documented: unchecked under tracing; the value is finite
    out = jax.jit(det.iou_loss)(jax.numpy.asarray(bad), jax.numpy.asarray(good))
    assert np.isfinite(np.asarray(out))


def test_mixed_namespaces() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match="torch"):
        det.giou_loss(np.zeros((1, 4)), torch.zeros((1, 4)))


# -- peers --------------------------------------------------------------------------------


def test_monai_box_giou_loss() -> None:
    torch = pytest.importorskip("torch")
    giou_mod = pytest.importorskip("monai.losses.giou_loss")
    pred, target = _pair((20,), seed=31)
    for reduction in ("mean", "sum", "none"):
        want = giou_mod.BoxGIoULoss(reduction=reduction)(torch.tensor(pred), torch.tensor(target))
        got = det.giou_loss(torch.tensor(pred), torch.tensor(target), reduction=reduction)
        # MONAI computes in float32 with its own eps (float32 machine eps): 1e-5 agreement
        np.testing.assert_allclose(got.numpy(), want.double().numpy(), rtol=1e-5, atol=1e-5)
