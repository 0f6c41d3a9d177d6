"""Region losses (issue 4, region level I) against independent float64 references.

References live in ``support.reference_region`` (plain loops over samples and
classes, textbook formulas); they are checked against hand-derived values and the
peers (MONAI, kornia, Keras) at the bottom of this file. Every loss is run on
(N, H, W, C), (N, C, H, W) with ``axis=1`` and 3-D volumes (N, D, H, W, C), and
checked for finite values and gradients on empty masks, all-ignored images,
single-class images and saturated logits.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import arrayloss as al
from segmentation import reference as rr
from support import reference as ref
from support.backends import Backend

# name -> (arrayloss function, reference, loss-specific hyperparameters used in the tests)
PER_CLASS: dict[str, tuple[Callable[..., Any], Callable[..., Any], dict[str, Any]]] = {
    "jaccard": (al.jaccard_loss, rr.jaccard_loss, {}),
    "tversky": (al.tversky_loss, rr.tversky_loss, {"alpha": 0.3, "beta": 0.7}),
    "focal_tversky": (al.focal_tversky_loss, rr.focal_tversky_loss, {"gamma": 0.6}),
    "log_cosh_dice": (al.log_cosh_dice_loss, rr.log_cosh_dice_loss, {}),
    "sensitivity_specificity": (
        al.sensitivity_specificity_loss,
        rr.sensitivity_specificity_loss,
        {"r": 0.3},
    ),
    "mcc": (al.mcc_loss, rr.mcc_loss, {}),
}


GDL = {
    f"gdl_{w}": (al.generalized_dice_loss, rr.generalized_dice_loss, {"weight_type": w})
    for w in ("square", "simple", "uniform")
}


LOSSES = {**PER_CLASS, **GDL}


# option -> (logits shape, axis, mode, settings)
OPTIONS: dict[str, tuple[tuple[int, ...], int, str, dict[str, Any]]] = {
    "nhwc-int": ((2, 3, 4, 3), -1, "multiclass", {}),
    "nchw-ignore-nobg-cw": (
        (2, 3, 3, 4),
        1,
        "multiclass",
        {"ignore": -1, "include_background": False, "class_weights": True},
    ),
    "volume-batch-weights": ((2, 2, 3, 3, 3), -1, "multiclass", {"batch_dice": True, "w": 1}),
    "nchw-onehot-probs-smooth0": (
        (2, 3, 3, 4),
        1,
        "multiclass",
        {"one_hot": True, "probs": True, "smooth": 0.0},
    ),
    "soft-target-sample-weights": ((3, 5, 4), -1, "multiclass", {"soft": True, "w": 2}),
    "multilabel-ignore": ((2, 3, 3, 4), 1, "multilabel", {"ignore": 255, "smooth": 1.0}),
    "binary-squeezed": ((2, 1, 3, 4), 1, "binary", {"squeeze": True, "w": 1}),
}


LIGHT = {"nchw-ignore-nobg-cw", "volume-batch-weights"}


def _softmax(x: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _case(
    loss: str, option: str, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, dict[str, Any], tuple[int, ...]]:
    shape, axis, mode, opt = OPTIONS[option]
    rng = np.random.default_rng(seed)
    ax = axis % len(shape)
    N, C = shape[0], shape[ax]
    logits = rng.normal(0.0, 2.0, size=shape)
    kwargs: dict[str, Any] = {"axis": axis, "mode": mode}
    if mode == "multiclass":
        labels: np.ndarray = rng.integers(0, C, size=shape[:ax] + shape[ax + 1 :])
        if "ignore" in opt:
            labels.reshape(-1)[::4] = opt["ignore"]
        if opt.get("one_hot"):
            labels = np.moveaxis(np.eye(C)[labels], -1, ax)
        if opt.get("soft"):
            labels = _softmax(rng.normal(size=shape), ax)
    else:
        labels = rng.integers(0, 2, size=shape)
        if "ignore" in opt:
            labels.reshape(-1)[::5] = opt["ignore"]
        else:
            labels = labels.astype(np.float64)
        if opt.get("squeeze"):
            labels = np.squeeze(labels, axis=ax)
    if opt.get("probs"):
        logits = _softmax(logits, ax)
        kwargs["from_logits"] = False
    for key in ("include_background", "batch_dice", "smooth"):
        if key in opt:
            kwargs[key] = opt[key]
    if "ignore" in opt:
        kwargs["ignore_index"] = opt["ignore"]
    if opt.get("class_weights"):
        kwargs["class_weights"] = rng.uniform(0.2, 3.0, size=C)
    drop = not opt.get("include_background", True) and mode != "binary"
    c_out = C - 1 if drop else C
    if loss.startswith("gdl"):
        none_shape: tuple[int, ...] = () if opt.get("batch_dice") else (N,)
    else:
        none_shape = (c_out,) if opt.get("batch_dice") else (N, c_out)
    if opt.get("w") == 1:
        kwargs["weights"] = rng.uniform(0.0, 2.0, size=none_shape)
    elif opt.get("w") == 2 and none_shape:
        kwargs["weights"] = rng.uniform(0.0, 2.0, size=(N, 1) if len(none_shape) == 2 else (N,))
    kwargs.update(LOSSES[loss][2])
    return logits, labels, kwargs, none_shape


@pytest.mark.parametrize("option", list(OPTIONS))
@pytest.mark.parametrize("loss", list(LOSSES))
def test_matches_reference(backend: Backend, loss: str, option: str) -> None:
    # light backends: every loss once, plus the 3-D volume with batch_dice for three
    if ref.is_light(backend) and not (
        option == "nchw-ignore-nobg-cw"
        or (option in LIGHT and loss in ("tversky", "mcc", "gdl_square"))
    ):
        pytest.skip(f"{backend.name}: representative subset only (runtime)")
    fn, ref_fn, _ = LOSSES[loss]
    logits, labels, kwargs, none_shape = _case(loss, option)
    ref.compare_reductions(backend, fn, ref_fn, (logits, labels), kwargs, none_shape)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32"])
@pytest.mark.parametrize("loss", list(LOSSES))
def test_dtype_contract(backend: Backend, loss: str, dtype: str) -> None:
    """Half in -> float32 out, float32 stays; the reference runs on the rounded inputs."""
    if ref.is_light(backend) and loss not in ("focal_tversky", "gdl_square"):
        pytest.skip(f"{backend.name}: representative subset only (runtime)")
    ref.require_dtype(backend, dtype)
    fn, ref_fn, _ = LOSSES[loss]
    logits, labels, kwargs, none_shape = _case(loss, "nchw-ignore-nobg-cw", seed=3)
    logits = ref.round_to(logits, dtype)
    kwargs = {
        k: ref.round_to(v, dtype) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()
    }
    ref.compare_reductions(backend, fn, ref_fn, (logits, labels), kwargs, none_shape, dtype=dtype)


# -- generalized Wasserstein Dice -----------------------------------------------------------

DIST = np.array(
    [[0.0, 1.0, 1.0, 1.0], [1.0, 0.0, 0.6, 0.7], [1.0, 0.6, 0.0, 0.5], [1, 0.7, 0.5, 0]]
)


GWDL_OPTIONS: dict[str, tuple[tuple[int, ...], int, dict[str, Any]]] = {
    "nchw": ((2, 4, 3, 3), 1, {}),
    "nhwc-ignore": ((2, 3, 3, 4), -1, {"ignore_index": 9}),
    "volume-batch-weights": ((2, 2, 2, 3, 4), -1, {"batch_dice": True}),
    "nc-probs-smooth0": ((6, 4), -1, {"from_logits": False, "smooth": 0.0}),
    "sample-weights": ((3, 4, 5), 1, {"weights": True}),
}


def _gwdl_case(option: str, mode: str, seed: int = 0) -> tuple[Any, ...]:
    shape, axis, opt = GWDL_OPTIONS[option]
    rng = np.random.default_rng(seed)
    ax = axis % len(shape)
    logits = rng.normal(0.0, 2.0, size=shape)
    labels = rng.integers(0, 4, size=shape[:ax] + shape[ax + 1 :])
    kwargs: dict[str, Any] = {"axis": axis, "distance_matrix": 2.0 * DIST, "weighting_mode": mode}
    kwargs.update({k: v for k, v in opt.items() if k != "weights"})
    if "ignore_index" in opt:
        labels.reshape(-1)[::3] = opt["ignore_index"]
    if opt.get("from_logits") is False:
        logits = _softmax(logits, ax)
    none_shape: tuple[int, ...] = () if opt.get("batch_dice") else (shape[0],)
    if opt.get("weights"):
        kwargs["weights"] = rng.uniform(0.0, 2.0, size=none_shape)
    return logits, labels, kwargs, none_shape


@pytest.mark.parametrize("mode", ["default", "GDL"])
@pytest.mark.parametrize("option", list(GWDL_OPTIONS))
def test_gwdl_matches_reference(backend: Backend, option: str, mode: str) -> None:
    ref.only_subset(backend, (option, mode), {("nhwc-ignore", "GDL"), ("nchw", "default")})
    logits, labels, kwargs, none_shape = _gwdl_case(option, mode)
    ref.compare_reductions(
        backend,
        al.generalized_wasserstein_dice_loss,
        rr.generalized_wasserstein_dice_loss,
        (logits, labels),
        kwargs,
        none_shape,
    )


def test_gwdl_dtype_contract(backend: Backend) -> None:
    ref.require_dtype(backend, "bfloat16")
    logits, labels, kwargs, none_shape = _gwdl_case("nhwc-ignore", "GDL", seed=4)
    logits = ref.round_to(logits, "bfloat16")
    kwargs["distance_matrix"] = ref.round_to(kwargs["distance_matrix"], "bfloat16")
    ref.compare_reductions(
        backend,
        al.generalized_wasserstein_dice_loss,
        rr.generalized_wasserstein_dice_loss,
        (logits, labels),
        kwargs,
        none_shape,
        dtype="bfloat16",
    )


# -- numerics: finite values and gradients (torch autograd, jax.grad) ------------------------

ALL: dict[str, tuple[Callable[..., Any], Callable[..., Any], dict[str, Any]]] = {
    **LOSSES,
    "gwdl": (
        al.generalized_wasserstein_dice_loss,
        rr.generalized_wasserstein_dice_loss,
        {"distance_matrix": DIST[:3, :3]},
    ),
    "gwdl_gdl": (
        al.generalized_wasserstein_dice_loss,
        rr.generalized_wasserstein_dice_loss,
        {"distance_matrix": DIST[:3, :3], "weighting_mode": "GDL"},
    ),
}


def _value_and_grad(
    framework: str, fn: Callable[..., Any], logits: np.ndarray, labels: np.ndarray, **kw: Any
) -> tuple[np.ndarray, np.ndarray]:
    """The mean loss and its gradient w.r.t. ``logits``, in float32."""
    kw = {k: np.asarray(v, np.float32) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    if framework == "torch":
        torch = pytest.importorskip("torch")
        x = torch.tensor(logits, dtype=torch.float32, requires_grad=True)
        tkw = {k: torch.from_numpy(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
        out = fn(x, torch.from_numpy(labels), **tkw)
        out.backward()
        assert x.grad is not None
        return out.detach().numpy(), x.grad.numpy()
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    jkw = {k: jnp.asarray(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    y = jnp.asarray(labels)
    value, grad = jax.value_and_grad(lambda x: fn(x, y, **jkw))(jnp.asarray(logits, jnp.float32))
    return np.asarray(value), np.asarray(grad)


def _edge_inputs(kind: str) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Degenerate segmentation batches, (N, H, W, C=3) unless said otherwise."""
    rng = np.random.default_rng(5)
    logits = rng.normal(size=(2, 3, 3, 3))
    labels = rng.integers(0, 3, size=(2, 3, 3))
    kw: dict[str, Any] = {}
    if kind == "empty_class":  # class 2 absent everywhere, sample 1 all background
        labels = np.minimum(labels, 1)
        labels[1] = 0
    elif kind == "all_ignored_image":  # sample 0 entirely ignored
        labels[0] = -1
        kw["ignore_index"] = -1
    elif kind == "everything_ignored":
        labels[:] = -1
        kw["ignore_index"] = -1
    elif kind == "single_class_image":
        labels[:] = 1
    elif kind == "volume":  # (N, D, H, W, C)
        logits = rng.normal(size=(2, 2, 3, 3, 3))
        labels = rng.integers(0, 3, size=(2, 2, 3, 3))
    elif kind == "saturated":
        logits = 1e4 * np.sign(rng.normal(size=(2, 3, 3, 3)))
    elif kind == "smooth_zero_empty":  # class 2 absent and smooth=0: 0/0 cells
        labels = np.minimum(labels, 1)
        kw["smooth"] = 0.0
    return logits, labels, kw


EDGE_KINDS = [
    "empty_class",
    "all_ignored_image",
    "everything_ignored",
    "single_class_image",
    "volume",
    "saturated",
    "smooth_zero_empty",
]


@pytest.mark.parametrize("framework", ["torch", "jax"])
@pytest.mark.parametrize("kind", EDGE_KINDS)
@pytest.mark.parametrize("loss", list(ALL))
def test_finite_value_and_gradient(loss: str, kind: str, framework: str) -> None:
    """Value equals the float64 reference and value and gradient are finite.

    Saturated logits (+-1e4) make softmax exactly one-hot in float32, so the reference
    (float64, same saturation) is compared with a float32 tolerance there too.
    """
    fn, ref_fn, hyper = ALL[loss]
    logits, labels, kw = _edge_inputs(kind)
    kw = {**hyper, **kw}
    value, grad = _value_and_grad(framework, fn, logits, labels, **kw)
    assert np.isfinite(value), value
    assert np.all(np.isfinite(grad)), grad
    x32 = logits.astype(np.float32).astype(np.float64)
    if kind == "saturated":  # the textbook reference softmax overflows at 1e4: feed it probs
        want = ref_fn(_softmax(x32, -1), labels, from_logits=False, **kw)
    else:
        want = ref_fn(x32, labels, **kw)
    np.testing.assert_allclose(value, want, rtol=1e-4, atol=1e-5)
    if kind == "everything_ignored":
        assert value == 0.0, value
        np.testing.assert_array_equal(grad, 0.0)


@pytest.mark.parametrize("framework", ["torch", "jax"])
def test_focal_tversky_gradient_finite_at_perfect_prediction(framework: str) -> None:
    """gamma < 1 at TI = 1: d/dx (1 - TI)^gamma would be gamma * 0^(gamma - 1) = inf.

    Exact one-hot probabilities give 1 - TI = 0 for every class: the loss is 0 and the
    gradient 0 (the subgradient at the minimum), both finite.
    """
    labels = np.array([[0, 1, 2, 1], [2, 2, 0, 1]])
    probs = np.eye(3)[labels]
    value, grad = _value_and_grad(
        framework, al.focal_tversky_loss, probs, labels, gamma=0.5, from_logits=False
    )
    assert value == 0.0
    np.testing.assert_array_equal(grad, 0.0)
    # near-perfect: finite and large, equal to the closed form gamma (1 - TI)^(gamma - 1) d(1-TI)
    eps = 1e-3
    probs2 = np.where(probs > 0, 1 - 2 * eps, eps)
    value2, grad2 = _value_and_grad(
        framework, al.focal_tversky_loss, probs2, labels, gamma=0.5, from_logits=False
    )
    assert np.all(np.isfinite(grad2))
    assert np.abs(grad2).max() > 0.1
    want = rr.focal_tversky_loss(probs2, labels, gamma=0.5, from_logits=False)
    np.testing.assert_allclose(value2, want, rtol=1e-5)


def test_log_cosh_dice_tiny_loss_is_exact() -> None:
    """log(cosh(x)) rounds to 0 for x < ~3e-4 in float32; log1p(2 sinh^2(x/2)) = x^2/2."""
    labels = np.array([[0, 1, 1, 0]])
    eps = 2.0**-20  # 1 - eps is exact in float32
    probs = np.where(np.eye(2)[labels] > 0, 1.0 - eps, eps).astype(np.float32)
    got = al.log_cosh_dice_loss(probs, labels, from_logits=False, smooth=0.0, reduction="none")
    assert got.dtype == np.float32
    x = rr.log_cosh_dice_loss(probs, labels, from_logits=False, smooth=0.0, reduction="none")
    # dice loss per class is (fp + fn) / (2 tp + fp + fn) = 4 eps / 4 = eps exactly
    np.testing.assert_allclose(x, eps**2 / 2, rtol=1e-6)
    np.testing.assert_allclose(got, x, rtol=1e-4)


@pytest.mark.parametrize("loss", list(ALL))
def test_nan_input_gives_nan(loss: str) -> None:
    fn, _, hyper = ALL[loss]
    logits, labels, kw = _edge_inputs("volume")
    logits[0, 0, 0, 0, 1] = np.nan
    out = fn(logits, labels, **hyper, **kw, reduction="none")
    assert np.isnan(out[0] if out.ndim else out).any()


# -- hand-derived values (the references' own check) ------------------------------------------

PROBS = np.array([[[0.9, 0.1], [0.2, 0.8]]])  # (N=1, S=2, C=2); tp/fp/fn = .9/.2/.1, .8/.1/.2


LABELS = np.array([[0, 1]])


@pytest.mark.parametrize(
    ("loss", "kwargs", "want"),
    [
        ("jaccard", {}, [0.3 / 1.2, 0.3 / 1.1]),
        ("tversky", {"alpha": 0.3, "beta": 0.7}, [0.13 / 1.03, 0.17 / 0.97]),
        ("tversky", {"alpha": 0.5, "beta": 0.5}, [1 - 1.8 / 2.1, 1 - 1.6 / 1.9]),  # = Dice
        ("focal_tversky", {"gamma": 0.5}, [math.sqrt(0.13 / 1.03), math.sqrt(0.17 / 0.97)]),
        (
            "log_cosh_dice",
            {},
            [math.log(math.cosh(1 - 1.8 / 2.1)), math.log(math.cosh(0.3 / 1.9))],
        ),
        # r (g-p)^2 on the foreground + (1 - r) (g-p)^2 on the background
        (
            "sensitivity_specificity",
            {"r": 0.3},
            [0.3 * 0.01 + 0.7 * 0.04, 0.3 * 0.04 + 0.7 * 0.01],
        ),
        # tn = 0.8 for both; num = .72 - .02, den = sqrt(1.1 * 1 * 1 * 0.9)
        ("mcc", {}, [1 - 0.70 / math.sqrt(0.99), 1 - 0.70 / math.sqrt(0.99)]),
    ],
)
def test_hand_derived(loss: str, kwargs: dict[str, Any], want: list[float]) -> None:
    fn, ref_fn, _ = LOSSES[loss]
    for f in (fn, ref_fn):
        got = f(PROBS, LABELS, from_logits=False, smooth=0.0, reduction="none", **kwargs)
        np.testing.assert_allclose(got, [want], rtol=1e-12)


def test_generalized_dice_hand_derived() -> None:
    """Volumes 3 and 1 ("square": w = 1/9, 1), class 2 absent -> largest weight 1."""
    labels = np.array([[0, 0, 0, 1]])
    probs = np.array([[[0.7, 0.2, 0.1], [0.6, 0.2, 0.2], [0.5, 0.5, 0.0], [0.1, 0.8, 0.1]]])
    tp = np.array([1.8, 0.8, 0.0])
    total = np.array([1.9 + 3, 1.7 + 1, 0.4])
    for weight_type, w in [
        ("square", np.array([1 / 9, 1.0, 1.0])),
        ("simple", np.array([1 / 3, 1.0, 1.0])),
        ("uniform", np.ones(3)),
    ]:
        want = 1 - 2 * (w * tp).sum() / (w * total).sum()
        for f in (al.generalized_dice_loss, rr.generalized_dice_loss):
            got = f(probs, labels, weight_type=weight_type, from_logits=False, smooth=0.0)
            np.testing.assert_allclose(got, want, rtol=1e-12)


def test_generalized_dice_nothing_present_is_zero(backend: Backend) -> None:
    """Every class absent (all ignored, or empty multilabel masks): every weight is 0 and the
    loss 0, not 0/0."""
    logits = np.random.default_rng(1).normal(size=(2, 3, 2, 2))
    labels = np.zeros((2, 3, 2, 2))
    out = backend.call(
        al.generalized_dice_loss,
        backend.asarray(logits, "float64"),
        backend.asarray(labels, "float64"),
        mode="multilabel",
        axis=1,
        reduction="none",
    )
    got = backend.check_result(out, dtype=backend.dtype("float64"), shape=(2,))
    np.testing.assert_array_equal(got, 0.0)


def test_gwdl_hand_derived() -> None:
    """Two positions of class 1; p = e_1 and e_2; M[1, 2] = 0.5 (after /max = 1).

    default: alpha = (0, 1, 1): W = (0, .5), TP = 1 + .5, loss 1 - 3 / (3 + .5).
    GDL: V_1 = 2, alpha_1 = 1/3: TP = 1.5/3, den = (2 + 1.5)/3, loss 1 - 3 / 3.5 too.
    """
    m = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.5], [1.0, 0.5, 0.0]])
    probs = np.array([[[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]])
    labels = np.array([[1, 1]])
    for mode in ("default", "GDL"):
        for f in (al.generalized_wasserstein_dice_loss, rr.generalized_wasserstein_dice_loss):
            got = f(
                probs,
                labels,
                distance_matrix=m,
                weighting_mode=mode,
                from_logits=False,
                smooth=0.0,
            )
            np.testing.assert_allclose(got, 1 - 3 / 3.5, rtol=1e-12)


def test_focal_tversky_exponent_is_per_class() -> None:
    """mean_c (1 - TI_c)^gamma, not (mean_c (1 - TI_c))^gamma (SMP's form)."""
    kw = {"from_logits": False, "smooth": 0.0, "alpha": 0.3, "beta": 0.7, "gamma": 0.5}
    got = al.focal_tversky_loss(PROBS, LABELS, **kw)
    per_class = [math.sqrt(0.13 / 1.03), math.sqrt(0.17 / 0.97)]
    np.testing.assert_allclose(got, np.mean(per_class), rtol=1e-12)
    smp = math.sqrt(np.mean([0.13 / 1.03, 0.17 / 0.97]))
    assert abs(float(got) - smp) > 1e-3


# -- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda x, y: al.tversky_loss(x, y, alpha=-0.1), ValueError, "alpha"),
        (lambda x, y: al.tversky_loss(x, y, beta="a"), TypeError, "beta"),
        (lambda x, y: al.focal_tversky_loss(x, y, gamma=0.0), ValueError, "gamma"),
        (lambda x, y: al.sensitivity_specificity_loss(x, y, r=1.5), ValueError, "r must"),
        (lambda x, y: al.generalized_dice_loss(x, y, weight_type="cube"), ValueError, "square"),
        (lambda x, y: al.jaccard_loss(x, y, reduction="avg"), ValueError, "reduction"),
        (lambda x, y: al.mcc_loss(x, y, mode="softmax"), ValueError, "mode"),
        (lambda x, y: al.mcc_loss(x, y, smooth=-1.0), ValueError, "smooth"),
        (
            lambda x, y: al.log_cosh_dice_loss(x, y, weights=np.ones((3, 3))),
            ValueError,
            "weights",
        ),
        (
            lambda x, y: al.generalized_wasserstein_dice_loss(
                x, y, distance_matrix=np.ones((2, 2))
            ),
            ValueError,
            r"distance_matrix must have shape \(3, 3\)",
        ),
        (
            lambda x, y: al.generalized_wasserstein_dice_loss(
                x, y, distance_matrix=np.ones((3, 3), dtype=bool)
            ),
            TypeError,
            "distance_matrix",
        ),
        (
            lambda x, y: al.generalized_wasserstein_dice_loss(
                x, np.eye(3)[y], distance_matrix=DIST[:3, :3]
            ),
            TypeError,
            "integer class-index labels",
        ),
        (
            lambda x, y: al.generalized_wasserstein_dice_loss(
                x, y, distance_matrix=DIST[:3, :3], weighting_mode="gdl"
            ),
            ValueError,
            "weighting_mode",
        ),
        (lambda x, y: al.jaccard_loss(x, y + 5), ValueError, "labels"),
    ],
)
def test_errors(call: Callable[..., Any], exc: type[Exception], match: str) -> None:
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(2, 4, 3)), rng.integers(0, 3, size=(2, 4))
    with pytest.raises(exc, match=match):
        call(x, y)


# -- peers ----------------------------------------------------------------------------------


def _monai_inputs(seed: int = 21) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 2.0, size=(2, 4, 5, 3))  # (N, C, H, W)
    y = rng.integers(0, 4, size=(2, 5, 3))
    y[1] = np.minimum(y[1], 2)  # class 3 absent from sample 1
    return x, y


@pytest.mark.peer
@pytest.mark.parametrize("include_background", [True, False])
@pytest.mark.parametrize("batch", [False, True])
def test_tversky_matches_monai(include_background: bool, batch: bool) -> None:
    """MONAI TverskyLoss: alpha weights FP, beta FN, as ours; per sample and class."""
    torch = pytest.importorskip("torch")
    monai_losses = pytest.importorskip("monai.losses")
    x, y = _monai_inputs()
    loss = monai_losses.TverskyLoss(
        include_background=include_background,
        to_onehot_y=True,
        softmax=True,
        alpha=0.3,
        beta=0.7,
        batch=batch,
        reduction="none",
    )
    want = loss(torch.from_numpy(x), torch.from_numpy(y[:, None])).numpy()
    kw = {"include_background": include_background, "batch_dice": batch}
    got = al.tversky_loss(x, y, alpha=0.3, beta=0.7, axis=1, reduction="none", **kw)
    np.testing.assert_allclose(got, want.reshape(got.shape), rtol=1e-10)
    np.testing.assert_allclose(
        rr.tversky_loss(x, y, alpha=0.3, beta=0.7, axis=1, reduction="none", **kw),
        want.reshape(got.shape),
        rtol=1e-10,
    )


@pytest.mark.peer
@pytest.mark.parametrize("weight_type", ["square", "simple", "uniform"])
@pytest.mark.parametrize("batch", [False, True])
@pytest.mark.parametrize("include_background", [True, False])
def test_generalized_dice_matches_monai(
    weight_type: str, batch: bool, include_background: bool
) -> None:
    """MONAI GeneralizedDiceLoss, class 3 absent from sample 1 (its weight -> the max).

    MONAI casts the volumes to float32 before taking the weights (``w_func(ground_o.float())``),
    so its float64 loss carries float32-rounded weights: agreement to ~1e-9, not 1e-12."""
    torch = pytest.importorskip("torch")
    monai_losses = pytest.importorskip("monai.losses")
    x, y = _monai_inputs()
    loss = monai_losses.GeneralizedDiceLoss(
        include_background=include_background,
        to_onehot_y=True,
        softmax=True,
        w_type=weight_type,
        batch=batch,
        reduction="none",
    )
    want = loss(torch.from_numpy(x), torch.from_numpy(y[:, None])).numpy()
    kw = {
        "weight_type": weight_type,
        "batch_dice": batch,
        "include_background": include_background,
    }
    got = al.generalized_dice_loss(x, y, axis=1, reduction="none", **kw)
    np.testing.assert_allclose(got, want.reshape(got.shape), rtol=1e-7)
    np.testing.assert_allclose(
        rr.generalized_dice_loss(x, y, axis=1, reduction="none", **kw),
        want.reshape(got.shape),
        rtol=1e-7,
    )


@pytest.mark.peer
@pytest.mark.parametrize("mode", ["default", "GDL"])
def test_gwdl_matches_monai(mode: str) -> None:
    """MONAI GeneralizedWassersteinDiceLoss (channels-first), both weighting modes; the
    matrix is scaled by its maximum on both sides."""
    torch = pytest.importorskip("torch")
    monai_losses = pytest.importorskip("monai.losses")
    x, y = _monai_inputs()
    m = 2.0 * DIST
    loss = monai_losses.GeneralizedWassersteinDiceLoss(
        dist_matrix=m.copy(), weighting_mode=mode, reduction="none"
    )
    want = loss(torch.from_numpy(x), torch.from_numpy(y)).numpy()
    kw = {"distance_matrix": m, "weighting_mode": mode, "axis": 1, "reduction": "none"}
    got = al.generalized_wasserstein_dice_loss(x, y, **kw)
    np.testing.assert_allclose(got, want, rtol=1e-6)  # MONAI computes alpha in float32
    np.testing.assert_allclose(rr.generalized_wasserstein_dice_loss(x, y, **kw), want, rtol=1e-6)


@pytest.mark.peer
def test_tversky_matches_kornia() -> None:
    """kornia.losses.tversky_loss: 1 - mean over samples of the mean Tversky index of the
    classes present in the target (absent classes dropped; ours scores them 0), with eps
    only in the denominator. Mapped by smooth=0 and per-(sample, class) weights
    present / #present: the weighted mean is then kornia's nested mean."""
    torch = pytest.importorskip("torch")
    kornia_losses = pytest.importorskip("kornia.losses")
    x, y = _monai_inputs()
    want = kornia_losses.tversky_loss(
        torch.from_numpy(x), torch.from_numpy(y), alpha=0.3, beta=0.7, eps=1e-12
    ).numpy()
    present = np.stack([np.isin(np.arange(4), y[n]) for n in range(2)]).astype(np.float64)
    w = present / present.sum(axis=1, keepdims=True)
    got = al.tversky_loss(x, y, alpha=0.3, beta=0.7, axis=1, smooth=0.0, weights=w)
    np.testing.assert_allclose(got, want, rtol=1e-9)
    # without the mapping the two differ: class 3, absent from sample 1, counts for us
    assert abs(float(al.tversky_loss(x, y, alpha=0.3, beta=0.7, axis=1)) - float(want)) > 1e-3


@pytest.mark.peer
def test_tversky_keras_swaps_alpha_and_beta() -> None:
    """Keras 3.15.1 ``Tversky(alpha, beta)`` multiplies the false NEGATIVES by alpha (its
    ``fp`` is ``sum((1 - y_pred) * y_true)``), contrary to Salehi et al. eq. 3 and to
    MONAI/kornia/SMP/optax, where alpha weights false positives. Keras is wrong; so
    ``Tversky(alpha=a, beta=b)`` = ours with ``alpha=b, beta=a``. Keras pools the whole
    tensor (axis=None): our binary mode with ``batch_dice``; its epsilon 1e-7 sits in the
    denominator only."""
    import os

    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(8)
    p = rng.uniform(0.01, 0.99, size=(3, 6, 5, 1))
    g = rng.integers(0, 2, size=(3, 6, 5, 1)).astype(np.float64)
    want = float(keras.losses.Tversky(alpha=0.2, beta=0.8)(g, p))
    kw = {"mode": "binary", "from_logits": False, "batch_dice": True, "smooth": 0.0}
    ours = float(al.tversky_loss(p, g, alpha=0.8, beta=0.2, **kw))
    np.testing.assert_allclose(ours, want, rtol=1e-5)
    swapped = float(al.tversky_loss(p, g, alpha=0.2, beta=0.8, **kw))
    assert abs(swapped - want) > 1e-3


# -- properties (NumPy only) ----------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    data=st.data(),
    smooth=st.sampled_from([0.0, 1e-5, 1.0]),
    batch_dice=st.booleans(),
)
def test_properties(data: Any, smooth: float, batch_dice: bool) -> None:
    """Every loss is in [0, 1] (MCC in [0, 2]) and exactly 0 for a perfect one-hot
    prediction; MCC, which has ``smooth`` in the denominator only, is hand-derived."""
    n, s, c = (
        data.draw(st.integers(1, 3)),
        data.draw(st.integers(1, 5)),
        data.draw(st.integers(2, 4)),
    )
    logits = data.draw(hnp.arrays(np.float64, (n, s, c), elements=st.floats(-20.0, 20.0)))
    labels = data.draw(hnp.arrays(np.int64, (n, s), elements=st.integers(0, c - 1)))
    kw = {"smooth": smooth, "batch_dice": batch_dice}
    for name, (fn, _, hyper) in LOSSES.items():
        out = fn(logits, labels, reduction="none", **hyper, **kw)
        assert np.all((out >= 0) & (out <= (2.0 if name == "mcc" else 1.0) + 1e-12)), name
        perfect = fn(np.eye(c)[labels], labels, from_logits=False, reduction="none", **hyper, **kw)
        if name != "mcc":
            np.testing.assert_array_equal(perfect, 0.0, err_msg=name)
    one_hot = np.eye(c)[labels]
    counts = one_hot.sum(axis=(0, 1) if batch_dice else 1)
    defined = (counts > 0) & (counts < (n * s if batch_dice else s))
    mcc = al.mcc_loss(one_hot, labels, from_logits=False, reduction="none", **kw)
    # perfect: fp = fn = 0, so MCC = tp tn / (tp tn + smooth): loss smooth / (tp tn + smooth)
    # (atol: the loss is formed as 1 - MCC, accurate to float64 eps absolutely)
    tp_tn = counts * ((n * s if batch_dice else s) - counts)
    np.testing.assert_allclose(
        mcc[defined], smooth / (tp_tn[defined] + smooth), rtol=1e-12, atol=1e-15
    )
    np.testing.assert_array_equal(mcc[~defined], 1.0)
