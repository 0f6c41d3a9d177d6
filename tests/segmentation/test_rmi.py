"""Region mutual information loss against the independent float64 reference.

``support.reference_rmi`` pools with explicit windows, takes neighbourhoods with
explicit loops and uses ``np.linalg.inv``/``slogdet``; a hand-derived d = 1 case
checks the reference itself. Layouts: (N, H, W, C), (N, C, H, W) with ``axis=1``,
1-D signals and 3-D volumes.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import arrayloss as al
from segmentation.reference import rmi_reference
from support import reference as ref
from support.backends import Backend

FN = al.region_mutual_information_loss


# option -> (logits shape, axis, mode, settings)
OPTIONS: dict[str, tuple[tuple[int, ...], int, str, dict[str, Any]]] = {
    "nhwc-int-avg": ((2, 9, 10, 3), -1, "multiclass", {"stride": 2, "radius": 2}),
    "nchw-ignore-max": (
        (2, 3, 8, 8),
        1,
        "multiclass",
        {"stride": 2, "radius": 2, "pool": "max", "ignore": -1, "w": True},
    ),
    "nchw-defaults": ((1, 2, 12, 12), 1, "multiclass", {}),
    "onehot-probs-stride1": (
        (2, 6, 6, 2),
        -1,
        "multiclass",
        {"stride": 1, "one_hot": True, "probs": True, "lambda_": 0.3, "w": True},
    ),
    "multilabel-ignore": (
        (2, 3, 7, 6),
        1,
        "multilabel",
        {"stride": 1, "radius": 2, "ignore": 255, "eps": 1e-3},
    ),
    "binary-squeezed": ((3, 1, 8, 7), 1, "binary", {"stride": 2, "radius": 2}),
    "volume": ((2, 5, 5, 5, 2), -1, "multiclass", {"stride": 1, "radius": 2}),
    "signal-1d": ((2, 12, 3), -1, "multiclass", {"stride": 1, "radius": 3}),
}


LIGHT = {"nchw-ignore-max"}  # ignore_index, max pooling, axis=1, weights


HYPER = ("stride", "radius", "pool", "lambda_", "eps")


def _case(option: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray, dict[str, Any], Any]:
    """Inputs, keyword arguments and the reference's per-sample loss ``(N,)``."""
    shape, axis, mode, opt = OPTIONS[option]
    rng = np.random.default_rng(seed)
    ax = axis % len(shape)
    n, c = shape[0], shape[ax]
    logits = rng.normal(0.0, 2.0, size=shape)
    kwargs: dict[str, Any] = {"axis": axis, "mode": mode}
    kwargs.update({k: opt[k] for k in HYPER if k in opt})
    keep = None
    if mode == "multiclass":
        labels = rng.integers(0, c, size=shape[:ax] + shape[ax + 1 :])
        if "ignore" in opt:
            labels[1, ::3] = opt["ignore"]
            labels[0] = opt["ignore"]  # sample 0: everything ignored
        target = np.moveaxis(np.eye(c)[np.where(labels == opt.get("ignore"), 0, labels)], -1, 1)
        if "ignore" in opt:
            keep = np.expand_dims(labels != opt["ignore"], 1)
        if opt.get("one_hot"):
            labels = np.moveaxis(np.eye(c)[labels], -1, ax)
    else:
        labels = rng.integers(0, 2, size=shape)
        if "ignore" in opt:
            labels.reshape(-1)[::5] = opt["ignore"]
            keep = np.moveaxis(labels != opt["ignore"], ax, 1)
        else:
            labels = labels.astype(np.float64)
        target = np.moveaxis(np.where(labels == opt.get("ignore"), 0, labels), ax, 1)
        if mode == "binary":
            labels = np.squeeze(labels, axis=ax)
    ref_logits = np.moveaxis(logits, ax, 1)
    if opt.get("probs"):
        logits = 1.0 / (1.0 + np.exp(-logits))  # per-channel probabilities
        ref_logits = np.moveaxis(logits, ax, 1)
        kwargs["from_logits"] = False
    if "ignore" in opt:
        kwargs["ignore_index"] = opt["ignore"]
    ref_kw = {k: opt[k] for k in HYPER if k in opt}
    per_sample = rmi_reference(
        ref_logits, target, keep=keep, from_logits=not opt.get("probs"), **ref_kw
    )
    if opt.get("w"):
        kwargs["weights"] = rng.uniform(0.2, 2.0, size=(n,))
    # all-ignored samples are left out of the mean's denominator
    present = np.ones(n)
    if keep is not None:
        kept = np.broadcast_to(keep, target.shape)
        present = np.any(kept, axis=tuple(range(1, target.ndim))).astype(np.float64)
    return logits, labels, kwargs, (per_sample, present)


def _reference(per_sample: Any, present: Any, weights: Any, reduction: str) -> np.ndarray:
    return ref.weighted_reduce(per_sample, reduction, weights, denominator=present)


@pytest.mark.parametrize("option", list(OPTIONS))
def test_matches_reference(backend: Backend, option: str) -> None:
    ref.only_subset(backend, option, LIGHT)
    logits, labels, kwargs, (per_sample, present) = _case(option)
    weights = kwargs.get("weights")

    def want(*_: Any, reduction: str, **__: Any) -> np.ndarray:
        return _reference(per_sample, present, weights, reduction)

    ref.compare_reductions(backend, FN, want, (logits, labels), kwargs, (logits.shape[0],))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_dtype_contract(backend: Backend, dtype: str) -> None:
    """Half inputs compute and return float32; float32 and float64 stay."""
    ref.require_dtype(backend, dtype)
    ref.only_subset(backend, dtype, {"float16"})
    logits, labels, kwargs, _ = _case("nhwc-int-avg")
    rounded = ref.round_to(logits, dtype)
    target = np.moveaxis(np.eye(3)[labels], -1, 1)
    want = rmi_reference(np.moveaxis(rounded, -1, 1), target, stride=2, radius=2).mean()
    compute = "float64" if dtype == "float64" else "float32"
    out = backend.call(FN, backend.asarray(logits, dtype), backend.asarray(labels), **kwargs)
    got = backend.check_result(out, dtype=backend.dtype(compute), shape=())
    ref.assert_close(got, want, compute)


def test_hand_derived() -> None:
    """d = 1 (radius 1, no pooling), labels [0, 1, 0, 1], probabilities [.25, .75, .25, .75].

    S_Y = 1, S_P = 0.25, S_YP = 0.5; with eps = 0.25: S_{Y|P} = 1 - 0.25 / 0.5 = 0.5,
    RMI = 0.5 log((0.5 + 0.25) / 0.25) = 0.5 log 3; BCE = -log 0.75 at every pixel.
    """
    probs = np.array([[[0.25], [0.75], [0.25], [0.75]]])
    labels = np.array([[0.0, 1.0, 0.0, 1.0]])
    kw = {"mode": "binary", "from_logits": False, "radius": 1, "stride": 1, "eps": 0.25}
    want = 0.5 * math.log(4.0 / 3.0) + 0.5 * 0.5 * math.log(3.0)
    np.testing.assert_allclose(FN(probs, labels, **kw), want, rtol=1e-12)
    reference = rmi_reference(
        np.moveaxis(probs, -1, 1), labels[:, None], from_logits=False, radius=1, stride=1, eps=0.25
    )
    np.testing.assert_allclose(reference, [want], rtol=1e-12)


def test_rmi_term_vanishes_without_structure() -> None:
    """Constant maps: S = 0, so the RMI term is exactly 0 and the loss is lambda * BCE."""
    logits = np.zeros((1, 6, 6, 2))
    labels = np.zeros((1, 6, 6), dtype=np.int64)
    out = FN(logits, labels, stride=1, radius=2, lambda_=0.25)
    np.testing.assert_allclose(out, 0.25 * 2.0 * math.log(2.0), rtol=1e-12)


# -- numerics: finite values and gradients (torch autograd, jax.grad) ------------------------


def _value_and_grad(
    framework: str, logits: np.ndarray, labels: np.ndarray, **kw: Any
) -> tuple[np.ndarray, np.ndarray]:
    if framework == "torch":
        torch = pytest.importorskip("torch")
        x = torch.tensor(logits, dtype=torch.float32, requires_grad=True)
        out = FN(x, torch.asarray(labels), **kw)
        out.backward()
        assert x.grad is not None
        return out.detach().numpy(), x.grad.numpy()
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    y = jnp.asarray(labels)
    # jitted: eager JAX compiles every op of the unrolled Cholesky separately (slow)
    step = jax.jit(jax.value_and_grad(lambda x: FN(x, y, **kw)))
    value, grad = step(jnp.asarray(logits, jnp.float32))
    return np.asarray(value), np.asarray(grad)


def _numerics_case(kind: str) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    rng = np.random.default_rng(3)
    logits = rng.normal(size=(2, 9, 9, 3))
    labels = rng.integers(0, 3, size=(2, 9, 9))
    kw: dict[str, Any] = {"stride": 2, "radius": 2}
    if kind == "empty-mask":  # class 2 absent everywhere, class 1 absent in sample 1
        labels = np.minimum(labels, 1)
        labels[1] = 0
    elif kind == "all-ignored":
        labels[:] = 255
        kw["ignore_index"] = 255
    elif kind == "single-class":
        labels[:] = 1
    elif kind == "saturated":
        logits = np.where(np.eye(3)[labels] > 0, 1e4, -1e4)
        logits[0, 0, 0] = -logits[0, 0, 0]  # one saturated mistake
    elif kind == "volume":
        logits = rng.normal(size=(1, 2, 6, 6, 5))
        labels = rng.integers(0, 2, size=(1, 6, 6, 5))
        kw = {"axis": 1, "stride": 1, "radius": 2}
    return logits, labels, kw


# JAX compiles value_and_grad of the unrolled Cholesky slowly: two kinds there (runtime)
@pytest.mark.parametrize(
    ("kind", "framework"),
    [
        *((k, "torch") for k in ("empty-mask", "all-ignored", "single-class", "saturated")),
        ("volume", "torch"),
        ("empty-mask", "jax"),
        ("all-ignored", "jax"),
    ],
)
def test_finite_value_and_gradient(kind: str, framework: str) -> None:
    logits, labels, kw = _numerics_case(kind)
    value, grad = _value_and_grad(framework, logits, labels, **kw)
    assert np.isfinite(value), value
    assert np.all(np.isfinite(grad)), grad
    if kind == "all-ignored":
        assert value == 0.0
        np.testing.assert_array_equal(grad, 0.0)
    elif kind != "saturated":
        ax = kw.get("axis", -1) % logits.ndim
        c = logits.shape[ax]
        target = np.moveaxis(np.eye(c)[labels], -1, 1)
        hyper = {k: kw[k] for k in ("stride", "radius")}
        want = rmi_reference(np.moveaxis(logits, ax, 1), target, **hyper).mean()
        np.testing.assert_allclose(value, want, rtol=2e-5)


def test_nan_input_gives_nan() -> None:
    logits, labels, kw = _numerics_case("empty-mask")
    logits[0, 4, 4, 1] = np.nan
    with np.errstate(invalid="ignore"):
        assert np.isnan(FN(logits, labels, **kw))


def test_out_of_range_label_raises_eagerly() -> None:
    logits, labels, kw = _numerics_case("empty-mask")
    labels[0, 0, 0] = 7
    with pytest.raises(ValueError, match="labels"):
        FN(logits, labels, **kw)


_X = np.zeros((1, 6, 6, 2))


_Y = np.zeros((1, 6, 6), dtype=np.int64)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"pool": "median"}, ValueError, "pool must be one of"),
        ({"radius": 0}, ValueError, "radius must be an int >= 1"),
        ({"radius": 2.0}, TypeError, "radius must be an int"),
        ({"stride": True}, TypeError, "stride must be an int"),
        ({"lambda_": 1.5}, ValueError, r"lambda_ must be in \[0, 1\]"),
        ({"eps": 0.0}, ValueError, "eps must be in"),
        ({"radius": 3}, ValueError, r"at least radius=3 positions.*gives \(2, 2\)"),
        ({"mode": "softmax"}, ValueError, "mode must be one of"),
        ({"reduction": "avg"}, ValueError, "reduction"),
        ({"weights": np.ones(3), "stride": 1}, ValueError, "weights"),
    ],
)
def test_errors(kwargs: dict[str, Any], exc: type[Exception], match: str) -> None:
    with pytest.raises(exc, match=match):
        FN(_X, _Y, **kwargs)


def test_needs_a_spatial_axis() -> None:
    with pytest.raises(ValueError, match="spatial axes"):
        FN(np.zeros((2, 3)), np.zeros((2,), dtype=np.int64))


# -- peer: the reference code's formulation, with torch's own pooling ----------------------


@pytest.mark.parametrize("pool", ["avg", "max"])
def test_matches_reference_code_formulation(pool: str) -> None:
    """The RMI term of ZJULearning/RMI (``rmi_lower_bound``), rebuilt with torch's
    ``avg_pool2d``/``max_pool2d`` (kernel = stride, padding stride // 2), explicit
    ``inverse`` and ``logdet`` in float64: no released package ships RMI to import.

    Mapping: that code's value is ours plus ``C * 0.5 * log(eps)`` (we shift the term
    to be >= 0; gradients are equal) with ``lambda_=0`` and one sample; it also adds
    1e-8 inside the log of the Cholesky diagonal (left out here: < 5e-7 relative).
    """
    torch = pytest.importorskip("torch")
    f = torch.nn.functional
    rng = np.random.default_rng(5)
    c, r, s, eps = 3, 3, 3, 5e-4
    logits = torch.tensor(rng.normal(size=(1, c, 20, 17)), dtype=torch.float64)
    labels = torch.tensor(rng.integers(0, c, size=(1, 20, 17)))
    onehot = f.one_hot(labels, c).permute(0, 3, 1, 2).double()
    probs = torch.sigmoid(logits)
    pool_fn = f.avg_pool2d if pool == "avg" else f.max_pool2d
    la, pr = pool_fn(onehot, s, s, s // 2), pool_fn(probs, s, s, s // 2)
    h, w = la.shape[2] - r + 1, la.shape[3] - r + 1
    la_v = torch.stack([la[:, :, y : y + h, x : x + w] for y in range(r) for x in range(r)], 2)
    pr_v = torch.stack([pr[:, :, y : y + h, x : x + w] for y in range(r) for x in range(r)], 2)
    la_v, pr_v = la_v.reshape(1, c, r * r, -1), pr_v.reshape(1, c, r * r, -1)
    la_v = la_v - la_v.mean(dim=3, keepdim=True)
    pr_v = pr_v - pr_v.mean(dim=3, keepdim=True)
    eye = torch.eye(r * r, dtype=torch.float64)
    la_pr = la_v @ pr_v.transpose(2, 3)
    var = la_v @ la_v.transpose(2, 3) - la_pr @ torch.inverse(
        pr_v @ pr_v.transpose(2, 3) + eps * eye
    ) @ la_pr.transpose(2, 3)
    code = (0.5 * torch.logdet(var + eps * eye) / (r * r)).sum()
    ours = FN(logits, labels, axis=1, lambda_=0.0, pool=pool, stride=s, radius=r, eps=eps)
    np.testing.assert_allclose(float(ours) + c * 0.5 * math.log(eps), float(code), rtol=1e-10)
