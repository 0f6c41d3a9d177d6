"""Numerics: no NaN from valid input (CONVENTIONS section 7, ANCHORS' failure list).

Every case checks the value against an independent float64 NumPy (or mpmath)
reference or a hand-derived value, and the gradient (torch autograd, ``jax.vjp``)
for finiteness and, where it has a closed form, its value. NumPy is checked for
values. References never call arrayloss.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import arrayloss as al

FRAMEWORKS = ("numpy", "torch", "jax")
# float32 results of a few exp/log/log1p (1-4 ulp each in vectorized libms) and a
# subtraction or two: 1e-5 relative is float32 accuracy, 1e-6 is not guaranteed.
F32_RTOL = 1e-5
GRAD_FRAMEWORKS = ("torch", "jax")


# ---------------------------------------------------------------------------
# framework adapter: arrays in, (value, gradient w.r.t. the first argument) out
# ---------------------------------------------------------------------------


class Fw:
    def __init__(self, name: str) -> None:
        self.name = name
        if name == "torch":
            self.torch = pytest.importorskip("torch")
        elif name == "jax":
            jax = pytest.importorskip("jax")
            jax.config.update("jax_enable_x64", True)
            import jax.numpy as jnp

            self.jax, self.jnp = jax, jnp

    def arr(self, a: Any, dtype: str | None = None) -> Any:
        a = np.asarray(a)
        dtype = dtype or str(a.dtype)
        if self.name == "numpy":
            if dtype == "bfloat16":
                pytest.skip("NumPy has no bfloat16")
            return a.astype(dtype)
        if self.name == "torch":
            return self.torch.from_numpy(np.ascontiguousarray(a)).to(getattr(self.torch, dtype))
        return self.jnp.asarray(a, dtype=getattr(self.jnp, dtype))

    def to_np(self, x: Any) -> np.ndarray:
        if self.name == "torch":
            return x.detach().double().numpy()
        return np.asarray(x, dtype=np.float64)

    def dtype_name(self, x: Any) -> str:
        return str(x.dtype).removeprefix("torch.")

    def value_grad(
        self, fn: Callable[..., Any], x: np.ndarray, dtype: str, *rest: Any
    ) -> tuple[np.ndarray, np.ndarray | None, str]:
        """``fn(x, *rest)`` and the gradient of its sum w.r.t. ``x`` (``None`` on NumPy)."""
        xa = self.arr(x, dtype)
        if self.name == "numpy":
            out = fn(xa, *rest)
            return self.to_np(out), None, self.dtype_name(out)
        if self.name == "torch":
            xa.requires_grad_(True)
            out = fn(xa, *rest)
            (g,) = self.torch.autograd.grad(out.sum(), xa)
            return self.to_np(out), self.to_np(g), self.dtype_name(out)
        jax, jnp = self.jax, self.jnp

        def value_and_vjp(z: Any, *r: Any) -> tuple[Any, Any]:
            out, vjp = jax.vjp(lambda zz: fn(zz, *r), z)
            return out, vjp(jnp.ones_like(out))[0]

        # under jax.jit: one compilation instead of one per eager op (seconds each test)
        out, g = jax.jit(value_and_vjp)(xa, *rest)
        return self.to_np(out), self.to_np(g), self.dtype_name(out)

    def value_grad_all(
        self, cases: dict[str, tuple[Callable[..., Any], np.ndarray, str, tuple[Any, ...]]]
    ) -> dict[str, tuple[np.ndarray, np.ndarray | None, str]]:
        """:meth:`value_grad` for each ``name: (fn, x, dtype, rest)``; one jit on JAX."""
        if self.name != "jax":
            return {k: self.value_grad(fn, x, dt, *rest) for k, (fn, x, dt, rest) in cases.items()}
        jax, jnp = self.jax, self.jnp
        xs = {k: self.arr(x, dt) for k, (_, x, dt, _) in cases.items()}
        rests = {k: rest for k, (_, _, _, rest) in cases.items()}

        def all_cases(xs: dict[str, Any], rests: dict[str, Any]) -> dict[str, Any]:
            res = {}
            for k, (fn, *_) in cases.items():
                out, vjp = jax.vjp(lambda zz, k=k, fn=fn: fn(zz, *rests[k]), xs[k])
                res[k] = (out, vjp(jnp.ones_like(out))[0])
            return res

        res = jax.jit(all_cases)(xs, rests)
        return {k: (self.to_np(o), self.to_np(g), self.dtype_name(o)) for k, (o, g) in res.items()}

    def call_all(self, fns: dict[str, Callable[[], Any]]) -> dict[str, np.ndarray]:
        """Every zero-argument ``fns[k]()`` as NumPy; one ``jax.jit`` for all on JAX."""
        if self.name == "jax":
            out = self.jax.jit(lambda: {k: f() for k, f in fns.items()})()
        else:
            out = {k: f() for k, f in fns.items()}
        return {k: self.to_np(v) for k, v in out.items()}

    def call(self, fn: Callable[..., Any], *arrays: Any) -> np.ndarray:
        """``fn(*arrays)`` as NumPy; under ``jax.jit`` on JAX."""
        if self.name == "jax":
            return self.to_np(self.jax.jit(fn)(*arrays))
        return self.to_np(fn(*arrays))


@pytest.fixture(params=FRAMEWORKS)
def fw(request: pytest.FixtureRequest) -> Fw:
    return Fw(request.param)


@pytest.fixture(params=GRAD_FRAMEWORKS)
def gfw(request: pytest.FixtureRequest) -> Fw:
    return Fw(request.param)


def _finite(*arrays: np.ndarray | None) -> None:
    for a in arrays:
        if a is not None:
            assert np.all(np.isfinite(a)), a


# ---------------------------------------------------------------------------
# float64 references (independent of arrayloss)
# ---------------------------------------------------------------------------


def _lse(x: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.logaddexp.reduce(np.asarray(x, np.float64), axis=axis)


def ref_ce(logits: np.ndarray, labels: np.ndarray, eps: float = 0.0) -> np.ndarray:
    """Per-row CE, class axis last; integer labels or probabilities."""
    logp = logits - _lse(logits)[..., None]
    c = logits.shape[-1]
    target = labels if labels.dtype.kind == "f" else np.eye(c)[labels]
    target = (1 - eps) * target + eps / c
    return -np.sum(np.where(target == 0, 0.0, target * logp), axis=-1)


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


def ref_bce(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return y * _softplus(-x) + (1 - y) * _softplus(x)


def ref_binary_focal(
    x: np.ndarray, y: np.ndarray, gamma: float, alpha: float | None
) -> np.ndarray:
    """Hard labels: alpha_t (1 - p_t)^gamma (-log p_t) with log(1 - p_t) = -softplus(+-x)."""
    s = np.where(y == 1, x, -x)  # margin of the true class
    out = np.exp(-gamma * _softplus(s)) * _softplus(-s)
    if alpha is not None:
        out = np.where(y == 1, alpha, 1 - alpha) * out
    return out


def ref_softmax_focal(logits: np.ndarray, labels: np.ndarray, gamma: float) -> np.ndarray:
    lse = _lse(logits)
    c = logits.shape[-1]
    hot = np.eye(c, dtype=bool)[labels]
    log_1m_p = _lse(np.where(hot, -np.inf, logits)) - lse
    nll = lse - np.take_along_axis(logits, labels[..., None], -1)[..., 0]
    if gamma == 0.0:
        return nll
    return np.exp(gamma * log_1m_p) * nll


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.exp(-_softplus(-x))


def ref_dice(probs: np.ndarray, target: np.ndarray, smooth: float) -> np.ndarray:
    """(N, C) Dice loss, class axis last, spatial axes in between."""
    axes = tuple(range(1, probs.ndim - 1))
    inter = np.sum(probs * target, axis=axes)
    den = np.sum(probs, axis=axes) + np.sum(target, axis=axes) + smooth
    with np.errstate(invalid="ignore", divide="ignore"):
        dice = np.where(den == 0, 1.0, (2 * inter + smooth) / np.where(den == 0, 1.0, den))
    return 1.0 - dice


def _softmax(x: np.ndarray) -> np.ndarray:
    return np.exp(x - _lse(x)[..., None])


# ---------------------------------------------------------------------------
# saturated logits (|x| = 1e4, float32) for every classification/segmentation loss
# ---------------------------------------------------------------------------

BIG = 1e4
SAT_LOGITS = np.array(
    [
        [BIG, -BIG, 0.0],
        [-BIG, BIG, 0.0],
        [0.0, 0.0, BIG],
        [-BIG, -BIG, -BIG],
        [BIG, BIG, -BIG],
    ]
)
SAT_LABELS = np.array([0, 0, 2, 1, 1])  # right, wrong by 2e4, right, uniform, tied
SAT_BIN_LABELS = (np.arange(15).reshape(5, 3) % 2).astype(np.float64)


def _sat_cases() -> dict[str, tuple[Callable[..., Any], Callable[[Fw], tuple[Any, ...]], Any]]:
    """name -> (loss(x, *rest), rest(fw), float64 reference "none" result)."""
    x, y, yb = SAT_LOGITS, SAT_LABELS, SAT_BIN_LABELS
    onehot = np.eye(3)[y]
    soft = np.full((5, 3), 0.2)
    soft[:, 0] = 0.6
    cw = np.array([0.5, 2.0, 1.0])
    dice_x, dice_y = x[None], y[None]  # (N=1, S=5, C=3)
    return {
        "ce": (
            lambda z, t: al.cross_entropy(z, t, reduction="none"),
            lambda fw: (fw.arr(y),),
            ref_ce(x, y),
        ),
        "ce_smoothing": (
            lambda z, t: al.cross_entropy(z, t, label_smoothing=0.1, reduction="none"),
            lambda fw: (fw.arr(y),),
            ref_ce(x, y, eps=0.1),
        ),
        "ce_class_weights": (
            lambda z, t, w: al.cross_entropy(z, t, class_weights=w, reduction="none"),
            lambda fw: (fw.arr(y), fw.arr(cw, "float32")),
            cw[y] * ref_ce(x, y),
        ),
        "ce_probs": (
            lambda z, t: al.cross_entropy(z, t, reduction="none"),
            lambda fw: (fw.arr(soft, "float32"),),
            ref_ce(x, soft),
        ),
        "bce": (
            lambda z, t: al.binary_cross_entropy(z, t, reduction="none"),
            lambda fw: (fw.arr(yb, "float32"),),
            ref_bce(x, yb),
        ),
        "focal": (
            lambda z, t: al.focal_loss(z, t, reduction="none"),
            lambda fw: (fw.arr(y),),
            ref_softmax_focal(x, y, 2.0),
        ),
        "focal_gamma_0.5": (
            lambda z, t: al.focal_loss(z, t, gamma=0.5, reduction="none"),
            lambda fw: (fw.arr(y),),
            ref_softmax_focal(x, y, 0.5),
        ),
        "focal_onehot_probs": (
            lambda z, t: al.focal_loss(z, t, gamma=0.5, reduction="none"),
            lambda fw: (fw.arr(onehot, "float32"),),
            ref_softmax_focal(x, y, 0.5),
        ),
        "binary_focal": (
            lambda z, t: al.binary_focal_loss(z, t, reduction="none"),
            lambda fw: (fw.arr(yb, "float32"),),
            ref_binary_focal(x, yb, 2.0, 0.25),
        ),
        "binary_focal_gamma_0.25": (
            lambda z, t: al.binary_focal_loss(z, t, gamma=0.25, alpha=None, reduction="none"),
            lambda fw: (fw.arr(yb, "float32"),),
            ref_binary_focal(x, yb, 0.25, None),
        ),
        "dice_multiclass": (
            lambda z, t: al.dice_loss(z, t, reduction="none"),
            lambda fw: (fw.arr(dice_y),),
            ref_dice(_softmax(dice_x), np.eye(3)[dice_y], 1e-5),
        ),
        "dice_multilabel_smooth0": (
            lambda z, t: al.dice_loss(z, t, mode="multilabel", smooth=0.0, reduction="none"),
            lambda fw: (fw.arr(yb[None], "float32"),),
            ref_dice(_sigmoid(dice_x), yb[None], 0.0),
        ),
        "dice_binary": (
            lambda z, t: al.dice_loss(z, t, mode="binary", reduction="none"),
            lambda fw: (fw.arr(yb[None, :, :1], "float32"),),
            ref_dice(_sigmoid(dice_x[..., :1]), yb[None, :, :1], 1e-5),
        ),
    }


SAT_CASES = _sat_cases()


def test_saturated_logits_float32(fw: Fw) -> None:
    # A loss such as log 3 at logits (-1e4, -1e4, -1e4) is logsumexp - x_y, a difference
    # of two float32 numbers near 1e4: exact up to one ulp at 1e4 (2**-10), the same
    # for torch's own cross_entropy. Larger values are good to float32 rounding.
    ulp = float(np.spacing(np.float32(BIG)))
    cases = {}
    for name, (fn, rest, _) in SAT_CASES.items():
        x = SAT_LOGITS if not name.startswith("dice") else SAT_LOGITS[None]
        if name == "dice_binary":
            x = x[..., :1]
        cases[name] = (fn, x, "float32", rest(fw))
    failures = []
    for name, (value, grad, dtype) in fw.value_grad_all(cases).items():
        ref = SAT_CASES[name][2]
        if dtype != "float32":
            failures.append(f"{name}: dtype {dtype}")
        elif not (np.all(np.isfinite(value)) and (grad is None or np.all(np.isfinite(grad)))):
            failures.append(f"{name}: not finite: value {value}, grad {grad}")
        elif not np.allclose(value, ref, rtol=1e-6, atol=ulp):
            failures.append(f"{name}: value {value} != reference {ref}")
    assert not failures, "\n".join(failures)


def test_saturated_ce_gradient_is_softmax_minus_onehot(gfw: Fw) -> None:
    # d CE_mean / dx = (softmax(x) - onehot(y)) / N, exact at |x| = 1e4 in float32
    _, grad, _ = gfw.value_grad(
        lambda z, t: al.cross_entropy(z, t), SAT_LOGITS, "float32", gfw.arr(SAT_LABELS)
    )
    expected = (_softmax(SAT_LOGITS) - np.eye(3)[SAT_LABELS]) / len(SAT_LABELS)
    # p = exp(x - logsumexp(x)) with logsumexp near 1e4 rounded to float32: relative
    # error up to one ulp at 1e4 (2**-10) in p, as in torch's own cross_entropy
    ulp = float(np.spacing(np.float32(BIG)))
    np.testing.assert_allclose(grad, expected, rtol=ulp, atol=1e-7)


def test_saturated_bce_gradient_is_sigmoid_minus_label(gfw: Fw) -> None:
    _, grad, _ = gfw.value_grad(
        lambda z, t: al.binary_cross_entropy(z, t, reduction="sum"),
        SAT_LOGITS,
        "float32",
        gfw.arr(SAT_BIN_LABELS, "float32"),
    )
    np.testing.assert_allclose(grad, _sigmoid(SAT_LOGITS) - SAT_BIN_LABELS, atol=1e-7)


# ---------------------------------------------------------------------------
# focal gamma < 1 at saturated logits (optax #1267, kornia #918), mpmath reference
# ---------------------------------------------------------------------------

MARGINS = (17.0, 20.0, 25.0, 30.0, BIG)


def _mp_binary_focal(margin: float, gamma: float) -> tuple[float, float]:
    """Textbook (1 - p)^gamma (-log p), p = sigmoid(x), and d/dx at x = margin, in mpmath.

    50 significant digits: the textbook form that fails in float32 is exact here.
    """
    mpmath = pytest.importorskip("mpmath")
    with mpmath.workdps(50):

        def f(x: Any) -> Any:
            p = 1 / (1 + mpmath.exp(-x))
            return (1 - p) ** gamma * -mpmath.log(p)

        x = mpmath.mpf(margin)
        return float(f(x)), float(mpmath.diff(f, x))


@pytest.mark.parametrize("gamma", [0.25, 0.5])
def test_binary_focal_gamma_below_one_saturated(gfw: Fw, gamma: float) -> None:
    # float32: sigmoid(17) already rounds to 1, so the textbook (1 - p)^gamma is 0^gamma
    # with an infinite derivative times 0: NaN. The loss itself is tiny but representable
    # (e.g. ~5e-17 at margin 30, gamma 0.25) and so is its gradient.
    x, y, ref_v, ref_g = [], [], [], []
    for m in MARGINS:
        v_right, d_right = _mp_binary_focal(m, gamma)  # label 1, logit +m
        v_wrong, d_wrong = _mp_binary_focal(-m, gamma)  # label 1, logit -m
        # label 0 at -m is the mirror image of label 1 at +m
        x += [m, -m, -m, m]
        y += [1.0, 1.0, 0.0, 0.0]
        ref_v += [v_right, v_wrong, v_right, v_wrong]
        ref_g += [d_right, d_wrong, -d_right, -d_wrong]
    value, grad, _ = gfw.value_grad(
        lambda z, t: al.binary_focal_loss(z, t, gamma=gamma, alpha=None, reduction="none"),
        np.array(x),
        "float32",
        gfw.arr(np.array(y), "float32"),
    )
    _finite(value, grad)
    np.testing.assert_allclose(value, ref_v, rtol=F32_RTOL, atol=0)
    np.testing.assert_allclose(grad, ref_g, rtol=F32_RTOL, atol=0)


def _softmax_margin_rows(gamma: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Two-class rows at each margin with mpmath values and gradients.

    Softmax focal at logits (a, b) with label 0 is the binary focal (alpha=None) at
    logit a - b with label 1, so the gradient w.r.t. (a, b) is (f', -f').
    """
    x, y, ref_v, ref_g = [], [], [], []
    for m in MARGINS:
        v_right, d_right = _mp_binary_focal(m, gamma)
        v_wrong, d_wrong = _mp_binary_focal(-m, gamma)
        x += [[m, 0.0], [0.0, m], [m / 2, -m / 2]]  # differences exact in float32
        y += [0, 0, 1]
        ref_v += [v_right, v_wrong, v_wrong]
        ref_g += [[d_right, -d_right], [d_wrong, -d_wrong], [-d_wrong, d_wrong]]
    return np.array(x), np.array(y), np.array(ref_v), np.array(ref_g)


@pytest.mark.parametrize("gamma", [0.25, 0.5])
def test_softmax_focal_gamma_below_one_saturated(gfw: Fw, gamma: float) -> None:
    x, labels, ref_v, ref_g = _softmax_margin_rows(gamma)
    value, grad, _ = gfw.value_grad(
        lambda z, t: al.focal_loss(z, t, gamma=gamma, reduction="none"),
        x,
        "float32",
        gfw.arr(labels),
    )
    _finite(value, grad)
    np.testing.assert_allclose(value, ref_v, rtol=F32_RTOL, atol=0)
    np.testing.assert_allclose(grad, ref_g, rtol=F32_RTOL, atol=0)


@pytest.mark.parametrize("gamma", [0.25, 0.5])
def test_softmax_focal_probability_targets_saturated_finite(gfw: Fw, gamma: float) -> None:
    # One-hot probability targets take the log-softmax path: value and gradient finite,
    # and right where p_y is not within float32 rounding of 1 (and the test below).
    x, labels, ref_v, ref_g = _softmax_margin_rows(gamma)
    value, grad, _ = gfw.value_grad(
        lambda z, t: al.focal_loss(z, t, gamma=gamma, reduction="none"),
        x,
        "float32",
        gfw.arr(np.eye(2)[labels], "float32"),
    )
    _finite(value, grad)
    wrong = ref_v > 1.0  # the confidently wrong rows: loss ~ margin
    np.testing.assert_allclose(value[wrong], ref_v[wrong], rtol=F32_RTOL)
    np.testing.assert_allclose(grad[wrong], ref_g[wrong], rtol=F32_RTOL)


def test_softmax_focal_probability_targets_saturated_values() -> None:
    torch = pytest.importorskip("torch")
    x, labels, ref_v, _ = _softmax_margin_rows(0.25)
    out = al.focal_loss(
        torch.tensor(x, dtype=torch.float32),
        torch.tensor(np.eye(2)[labels], dtype=torch.float32),
        gamma=0.25,
        reduction="none",
    )
    np.testing.assert_allclose(out.double().numpy(), ref_v, rtol=F32_RTOL, atol=0)


def _mp_softmax_focal(logits: np.ndarray, labels: np.ndarray, gamma: float) -> np.ndarray:
    """Textbook -(1 - p_y)^gamma log p_y with 50-digit mpmath, one value per row."""
    mpmath = pytest.importorskip("mpmath")
    out = []
    with mpmath.workdps(50):
        for row, y in zip(logits, labels, strict=True):
            e = [mpmath.exp(mpmath.mpf(float(v))) for v in row]
            p = e[y] / mpmath.fsum(e)
            out.append(float((1 - p) ** gamma * -mpmath.log(p)))
    return np.array(out)


def test_softmax_focal_three_classes_margin_30_matches_mpmath() -> None:
    torch = pytest.importorskip("torch")
    x = np.array([[30.0, 0.0, -1.0], [30.0, 29.0, 0.0], [-30.0, 0.0, 30.0]], dtype=np.float32)
    y = np.array([0, 0, 2])
    for gamma in (0.25, 0.5, 2.0):
        out = al.focal_loss(
            torch.from_numpy(x), torch.from_numpy(y), gamma=gamma, reduction="none"
        )
        ref = _mp_softmax_focal(x, y, gamma)
        np.testing.assert_allclose(out.double().numpy(), ref, rtol=F32_RTOL, atol=0)


# ---------------------------------------------------------------------------
# probabilities exactly 0 and 1 (from_logits=False)
# ---------------------------------------------------------------------------

P01 = np.array([0.0, 1.0, 0.0, 1.0, 0.5])
Y01 = np.array([0.0, 1.0, 1.0, 0.0, 1.0])


def test_bce_probabilities_0_and_1(gfw: Fw) -> None:
    # torch's clamp convention: log is clamped at -100, so a certain wrong answer costs 100
    value, grad, _ = gfw.value_grad(
        lambda p, t: al.binary_cross_entropy(p, t, from_logits=False, reduction="none"),
        P01,
        "float32",
        gfw.arr(Y01, "float32"),
    )
    _finite(value, grad)
    np.testing.assert_allclose(value, [0.0, 0.0, 100.0, 100.0, math.log(2)], rtol=1e-6)
    assert grad[4] == pytest.approx(-2.0)  # d/dp -log p at 1/2


def test_binary_focal_probabilities_0_and_1(gfw: Fw) -> None:
    # (1 - p_t)^2 * BCE: 0 where p_t = 1, 1 * 100 (clamp) where p_t = 0, times alpha_t
    value, grad, _ = gfw.value_grad(
        lambda p, t: al.binary_focal_loss(p, t, gamma=0.5, from_logits=False, reduction="none"),
        P01,
        "float32",
        gfw.arr(Y01, "float32"),
    )
    _finite(value, grad)
    expected = [0.0, 0.0, 0.25 * 100, 0.75 * 100, 0.25 * math.sqrt(0.5) * math.log(2)]
    np.testing.assert_allclose(value, expected, rtol=1e-6)


def test_dice_probabilities_0_and_1(gfw: Fw) -> None:
    # a perfect one-hot prediction: loss 0; the complement: loss 1 - s / (2 S + s)
    probs = np.eye(3)[np.array([[0, 1, 2, 1]])]  # (1, 4, 3)
    labels = np.array([[0, 1, 2, 1]])
    for smooth in (1e-5, 0.0):
        value, grad, _ = gfw.value_grad(
            lambda p, t, s=smooth: al.dice_loss(p, t, from_logits=False, smooth=s),
            probs,
            "float32",
            gfw.arr(labels),
        )
        _finite(value, grad)
        assert value == pytest.approx(0.0, abs=1e-7)
        wrong = np.eye(3)[np.array([[1, 2, 0, 0]])]
        value, grad, _ = gfw.value_grad(
            lambda p, t, s=smooth: al.dice_loss(
                p, t, from_logits=False, smooth=s, reduction="none"
            ),
            wrong,
            "float32",
            gfw.arr(labels),
        )
        _finite(value, grad)
        np.testing.assert_allclose(value, ref_dice(wrong, np.eye(3)[labels], smooth), rtol=1e-6)


# ---------------------------------------------------------------------------
# empty masks in Dice
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("smooth", [1e-5, 0.0])
def test_dice_empty_masks(gfw: Fw, smooth: float) -> None:
    # multilabel: channel 1 is empty in the target and (sigmoid(-1e4) = 0 in float32) in the
    # prediction: 0 / 0 with smooth=0, loss 0 by convention (MONAI) and no NaN gradient.
    logits = np.zeros((2, 4, 2))
    logits[:, :, 1] = -BIG
    labels = np.zeros((2, 4, 2))
    labels[0, :2, 0] = 1.0
    value, grad, _ = gfw.value_grad(
        lambda z, t: al.dice_loss(z, t, mode="multilabel", smooth=smooth, reduction="none"),
        logits,
        "float32",
        gfw.arr(labels, "float32"),
    )
    _finite(value, grad)
    ref = ref_dice(_sigmoid(logits), labels, smooth)
    np.testing.assert_allclose(value, ref, rtol=1e-6, atol=1e-7)
    assert np.all(value[:, 1] == 0.0)
    assert value[1, 0] == pytest.approx(1.0, abs=1e-5)  # empty target, prediction 0.5 each
    # binary mode, entirely empty target and prediction given as exact zeros
    value, grad, _ = gfw.value_grad(
        lambda p, t: al.dice_loss(p, t, mode="binary", from_logits=False, smooth=smooth),
        np.zeros((2, 5, 1)),
        "float32",
        gfw.arr(np.zeros((2, 5), dtype=np.int64)),
    )
    _finite(value, grad)
    assert value == 0.0


# ---------------------------------------------------------------------------
# everything ignored: 0 with zero gradient, never 0/0
# ---------------------------------------------------------------------------


def _all_reductions(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn(z, t, reduction)`` -> ``z, t -> [mean, sum, *none.ravel()]`` (one array).

    Summing the three for the gradient cannot hide a nonzero one: the gradients of
    "mean" and "none" are positive multiples of the gradient of "sum".
    """

    def all_three(z: Any, t: Any) -> Any:
        import array_api_compat

        xp = array_api_compat.array_namespace(z)
        parts = [xp.reshape(fn(z, t, r), (-1,)) for r in ("mean", "sum", "none")]
        return xp.concat(parts)

    return all_three


IGNORED_LOSSES: dict[str, Callable[..., Any]] = {
    "ce": lambda z, t, r: al.cross_entropy(z, t, ignore_index=255, reduction=r),
    "ce_weights_smoothing": lambda z, t, r: al.cross_entropy(
        z, t, ignore_index=255, label_smoothing=0.2, class_weights=_cw4(z), reduction=r
    ),
    "focal": lambda z, t, r: al.focal_loss(z, t, gamma=0.5, ignore_index=255, reduction=r),
    "dice": lambda z, t, r: al.dice_loss(z, t, ignore_index=255, reduction=r),
    "dice_smooth0": lambda z, t, r: al.dice_loss(z, t, ignore_index=255, smooth=0.0, reduction=r),
}


def _cw4(z: Any) -> Any:
    import array_api_compat

    xp = array_api_compat.array_namespace(z)
    return xp.asarray([1.0, 2.0, 0.5, 3.0], dtype=z.dtype)


def test_everything_ignored(gfw: Fw) -> None:
    # "mean" is sum / (number kept) = 0 / 0 here; ours is 0 with a zero gradient
    # (CONVENTIONS section 4; torch gives NaN, pytorch #70348). Logits up to ~1e4.
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=BIG / 10, size=(2, 3, 4)) * [1, 10, 1, 1]
    labels = gfw.arr(np.full((2, 3), 255))
    results = gfw.value_grad_all(
        {
            name: (_all_reductions(fn), logits, "float32", (labels,))
            for name, fn in IGNORED_LOSSES.items()
        }
    )
    failures = [
        f"{name}: value {value}, grad {grad}"
        for name, (value, grad, _) in results.items()
        if not (np.all(value == 0.0) and grad is not None and np.all(grad == 0.0))
    ]
    assert not failures, "\n".join(failures)


def test_everything_ignored_numpy_values() -> None:
    logits = np.ones((3, 4), dtype=np.float32)
    labels = np.full(3, -1)
    assert al.cross_entropy(logits, labels, ignore_index=-1) == 0.0
    assert al.focal_loss(logits, labels, ignore_index=-1) == 0.0
    assert al.dice_loss(logits[None], labels[None], ignore_index=-1, smooth=0.0) == 0.0


# ---------------------------------------------------------------------------
# Huber at the kink and with tiny delta
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("delta", [1.0, 1e-8, 1e-30])
def test_huber_kink_and_tiny_delta(gfw: Fw, delta: float, dtype: str) -> None:
    # d = preds - targets at 0, at the kink (+-delta), inside, and far outside.
    # Closed forms: loss 0.5 d^2 (|d| <= delta) else delta (|d| - delta / 2);
    # gradient d (inside, also at the kink from either side) else delta * sign(d).
    fdt = np.dtype(dtype).type
    d = np.array([0.0, delta, -delta, delta / 2, 1.0, -3.0], dtype=dtype)
    d64 = d.astype(np.float64)
    inside = np.abs(d64) <= float(fdt(delta))
    ref = np.where(inside, 0.5 * d64**2, delta * (np.abs(d64) - delta / 2))
    ref_g = np.where(inside, d64, delta * np.sign(d64))
    value, grad, _ = gfw.value_grad(
        lambda p, t: al.huber_loss(p, t, delta=delta, reduction="none"),
        d,
        dtype,
        gfw.arr(np.zeros(6), dtype),
    )
    _finite(value, grad)
    tiny = float(np.finfo(dtype).smallest_subnormal)
    np.testing.assert_allclose(value, ref, rtol=1e-6, atol=tiny)
    np.testing.assert_allclose(grad, ref_g, rtol=1e-6, atol=tiny)


# ---------------------------------------------------------------------------
# half precision: computed in float32, no float16 overflow (pytorch #85791)
# ---------------------------------------------------------------------------


def _half_cases() -> dict[str, tuple[Callable[..., Any], Callable[[np.ndarray], float], Any]]:
    """name -> (loss(x, rest...) with reduction "sum", float64 reference of the sum, rest)."""
    rng = np.random.default_rng(3)
    n = 1024
    labels = rng.integers(0, 4, size=n)
    yb = rng.integers(0, 2, size=(n, 4)).astype(np.float64)
    targets = rng.normal(scale=300.0, size=(n, 4))

    def ce_ref(x: np.ndarray) -> float:
        return float(np.sum(ref_ce(x, labels)))

    return {
        "ce": (
            lambda z, t: al.cross_entropy(z, t, reduction="sum"),
            ce_ref,
            ("int", labels),
        ),
        "ce_mean": (
            lambda z, t: al.cross_entropy(z, t),
            lambda x: ce_ref(x) / n,
            ("int", labels),
        ),
        "focal": (
            lambda z, t: al.focal_loss(z, t, gamma=0.0, reduction="sum"),
            ce_ref,
            ("int", labels),
        ),
        "bce": (
            lambda z, t: al.binary_cross_entropy(z, t, reduction="sum"),
            lambda x: float(np.sum(ref_bce(x, yb))),
            ("same", yb),
        ),
        "binary_focal": (
            lambda z, t: al.binary_focal_loss(z, t, gamma=0.0, alpha=None, reduction="sum"),
            lambda x: float(np.sum(ref_bce(x, yb))),
            ("same", yb),
        ),
        "mse": (
            lambda z, t: al.mse_loss(z, t, reduction="sum"),
            lambda x: float(np.sum((x - targets.astype(np.float16).astype(np.float64)) ** 2)),
            ("same", targets),
        ),
        "huber": (
            lambda z, t: al.huber_loss(z, t, delta=1000.0, reduction="sum"),
            lambda x: float(
                np.sum(
                    np.where(
                        np.abs(r := x - targets.astype(np.float16).astype(np.float64)) <= 1000,
                        0.5 * r**2,
                        1000 * (np.abs(r) - 500),
                    )
                )
            ),
            ("same", targets),
        ),
    }


HALF_CASES = _half_cases()


def test_float16_overflow_computed_in_float32(fw: Fw) -> None:
    # Logits up to +-3e4 (float16 max 65504): a float16 logsumexp shift difference of 6e4
    # and a float16 sum of ~1e3 rows of loss ~1e4 both overflow to inf. The contract
    # (CONVENTIONS section 6): half inputs are computed and returned in float32.
    rng = np.random.default_rng(4)
    x = rng.choice([-3e4, -1.5e4, 0.0, 2e4, 3e4], size=(1024, 4))
    x16 = x.astype(np.float16).astype(np.float64)
    with np.errstate(over="ignore"):  # a naive float16 computation overflows here
        assert float(np.sum(np.abs(x16), dtype=np.float16)) == np.inf
    cases = {}
    for name, (fn, _, (kind, rest)) in HALF_CASES.items():
        target = fw.arr(rest) if kind == "int" else fw.arr(rest, "float16")
        cases[name] = (fn, x, "float16", (target,))
    failures = []
    for name, (value, grad, dtype) in fw.value_grad_all(cases).items():
        ref = HALF_CASES[name][1](x16)
        if dtype != "float32":
            failures.append(f"{name}: dtype {dtype}")
        elif not (np.isfinite(value) and (grad is None or np.all(np.isfinite(grad)))):
            failures.append(f"{name}: not finite: value {value}")
        elif not np.allclose(value, ref, rtol=2e-6, atol=0):
            failures.append(f"{name}: value {value} != reference {ref}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("case", ["ce", "bce", "mse"])
def test_bfloat16_loss_not_quantized(gfw: Fw, case: str) -> None:
    # bfloat16 has 8 significant bits: a loss of ~1e3 returned in bfloat16 would be
    # quantized to multiples of 4 (optax #1020). Ours is float32 from bf16-rounded inputs.
    fn, ref_fn, (kind, rest) = HALF_CASES[case]
    rng = np.random.default_rng(5)
    x = rng.normal(scale=7.0, size=(1024, 4))
    xa = gfw.arr(x, "bfloat16")
    xb = gfw.to_np(xa)  # the bfloat16-rounded values, exactly, in float64
    target = gfw.arr(rest) if kind == "int" else gfw.arr(rest, "bfloat16")
    value, grad, dtype = gfw.value_grad(fn, xb, "bfloat16", target)
    assert dtype == "float32"
    _finite(value, grad)
    # the mse reference rounds targets to float16; use the bf16-rounded ones instead
    ref = float(np.sum((xb - gfw.to_np(target)) ** 2)) if case == "mse" else ref_fn(xb)
    np.testing.assert_allclose(value, ref, rtol=2e-6)


# ---------------------------------------------------------------------------
# NaN in, NaN out: never a silent 0
# ---------------------------------------------------------------------------


def _nan_cases() -> dict[str, tuple[Callable[..., Any], np.ndarray, Any, str]]:
    """name -> (loss(x, t, reduction), prediction, target, target dtype)."""
    rng = np.random.default_rng(6)
    logits = rng.normal(size=(1, 4, 3))
    idx = rng.integers(0, 3, size=(1, 4))
    hot = np.eye(3)[idx]
    probs = _softmax(logits)
    return {
        "mse": (lambda z, t, r: al.mse_loss(z, t, reduction=r), logits, hot, "float32"),
        "huber": (lambda z, t, r: al.huber_loss(z, t, reduction=r), logits, hot, "float32"),
        "huber_tiny_delta": (
            lambda z, t, r: al.huber_loss(z, t, delta=1e-30, reduction=r),
            logits,
            hot,
            "float32",
        ),
        "ce": (lambda z, t, r: al.cross_entropy(z, t, reduction=r), logits, idx, "int64"),
        "ce_probs": (lambda z, t, r: al.cross_entropy(z, t, reduction=r), logits, hot, "float32"),
        "ce_smoothing_weights": (
            lambda z, t, r: al.cross_entropy(
                z, t, label_smoothing=0.1, class_weights=_cw_like(z), reduction=r
            ),
            logits,
            idx,
            "int64",
        ),
        "bce": (
            lambda z, t, r: al.binary_cross_entropy(z, t, reduction=r),
            logits,
            hot,
            "float32",
        ),
        "bce_probs": (
            lambda z, t, r: al.binary_cross_entropy(z, t, from_logits=False, reduction=r),
            probs,
            hot,
            "float32",
        ),
        "focal": (lambda z, t, r: al.focal_loss(z, t, reduction=r), logits, idx, "int64"),
        "focal_probs": (lambda z, t, r: al.focal_loss(z, t, reduction=r), logits, hot, "float32"),
        "binary_focal": (
            lambda z, t, r: al.binary_focal_loss(z, t, reduction=r),
            logits,
            hot,
            "float32",
        ),
        "binary_focal_probs": (
            lambda z, t, r: al.binary_focal_loss(z, t, from_logits=False, reduction=r),
            probs,
            hot,
            "float32",
        ),
        "dice": (lambda z, t, r: al.dice_loss(z, t, reduction=r), logits, idx, "int64"),
        "dice_probs": (
            lambda z, t, r: al.dice_loss(z, t, from_logits=False, smooth=0.0, reduction=r),
            probs,
            idx,
            "int64",
        ),
        "dice_multilabel": (
            lambda z, t, r: al.dice_loss(z, t, mode="multilabel", reduction=r),
            logits,
            hot,
            "float32",
        ),
    }


def _cw_like(z: Any) -> Any:
    import array_api_compat

    xp = array_api_compat.array_namespace(z)
    return xp.asarray([1.0, 2.0, 0.5], dtype=z.dtype)


NAN_CASES = _nan_cases()


# NumPy's logaddexp warns "invalid value" on a NaN operand; the contract is the value
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@pytest.mark.parametrize("where", ["prediction", "target"])
def test_nan_in_nan_out(fw: Fw, where: str) -> None:
    # One NaN at position (0, 1, 2) of the prediction (or of a floating target): every
    # reduction is NaN, and "none" is NaN exactly there (elementwise losses) or at that
    # position (class axis removed); never a silent 0 or a clamp value.
    calls: dict[str, Callable[[], Any]] = {}
    shapes: dict[str, tuple[int, ...]] = {}
    for case, (fn, pred, target, tdtype) in NAN_CASES.items():
        pred, target = pred.copy(), target.copy()
        if where == "prediction":
            pred[0, 1, 2] = np.nan
        elif tdtype.startswith("float"):
            target[0, 1, 2] = np.nan
        else:
            continue  # integer targets cannot hold NaN
        z, t = fw.arr(pred, "float32"), fw.arr(target, tdtype)
        shapes[case] = pred.shape
        for reduction in ("none", "mean", "sum"):
            calls[f"{case}/{reduction}"] = lambda fn=fn, z=z, t=t, r=reduction: fn(z, t, r)
    results = fw.call_all(calls)
    failures = []
    for key, out in results.items():
        case, reduction = key.split("/")
        shape = shapes[case]
        if reduction != "none":
            ok = bool(np.isnan(out))
        elif out.shape == shape:  # elementwise: exactly the poisoned element
            expected = np.zeros(shape, dtype=bool)
            expected[0, 1, 2] = True
            ok = bool(np.array_equal(np.isnan(out), expected))
        elif out.shape == shape[:-1]:  # class axis removed: exactly that position
            ok = bool(np.isnan(out[0, 1]) and np.sum(np.isnan(out)) == 1)
        else:  # region loss (N, C): the sample's classes
            ok = bool(np.any(np.isnan(out)))
        if not ok:
            failures.append(f"{key}: {out}")
    assert not failures, "NaN input did not give NaN:\n" + "\n".join(failures)


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_nan_in_weights_gives_nan(fw: Fw) -> None:
    x = fw.arr(np.array([[0.5, -1.0, 0.0], [2.0, 0.0, 1.0]]), "float32")
    yb = fw.arr(np.array([[1.0, 0.0, 0.0], [1.0, 1.0, 0.0]]), "float32")
    y = fw.arr(np.array([0, 1]))
    w = fw.arr(np.array([[1.0], [np.nan]]), "float32")  # broadcasts over the class axis
    w_rows = fw.arr(np.array([np.nan, 1.0]), "float32")
    cw = fw.arr(np.array([1.0, np.nan, 1.0]), "float32")
    results = fw.call_all(
        {
            "mse": lambda: al.mse_loss(x, yb, weights=w),
            "huber": lambda: al.huber_loss(x, yb, weights=w),
            "bce": lambda: al.binary_cross_entropy(x, yb, weights=w),
            "binary_focal": lambda: al.binary_focal_loss(x, yb, weights=w),
            "ce/weights": lambda: al.cross_entropy(x, y, weights=w_rows),
            "ce/class_weights": lambda: al.cross_entropy(x, y, class_weights=cw),
            "focal/weights": lambda: al.focal_loss(x, y, weights=w_rows),
            "focal/alpha": lambda: al.focal_loss(x, y, alpha=cw),
            "dice/class_weights": lambda: al.dice_loss(x[None], y[None], class_weights=cw),
        }
    )
    not_nan = [k for k, v in results.items() if not np.isnan(v)]
    assert not not_nan, not_nan


# ---------------------------------------------------------------------------
# logsumexp rows with -inf entries (masked classes; pytorch #31829, jax #6811)
# ---------------------------------------------------------------------------

NEG_INF_LOGITS = np.array(
    [
        [2.0, -np.inf, 0.0, -np.inf],  # some classes masked
        [-np.inf, -np.inf, 1.0, -np.inf],  # only the target class left: p_y = 1 exactly
        [0.5, -np.inf, -np.inf, 3.0],
    ]
)
NEG_INF_LABELS = np.array([0, 2, 3])


@pytest.mark.parametrize(("loss", "gamma"), [("ce", 0.0), ("focal", 0.0), ("focal", 0.5)])
def test_logsumexp_rows_with_neg_inf(fw: Fw, loss: str, gamma: float) -> None:
    # -inf logits (masked classes) have probability 0: the value is finite and the
    # gradient w.r.t. them is exactly 0. Row 1 has a single finite logit: its loss is 0,
    # and for focal log(1 - p_y) = logsumexp of an all -inf row, whose backward is
    # exp(-inf - -inf) = NaN unless guarded (pytorch #31829, jax #6811).
    def fn(z: Any, t: Any) -> Any:
        if loss == "ce":
            return al.cross_entropy(z, t, reduction="none")
        return al.focal_loss(z, t, gamma=gamma, reduction="none")

    value, grad, _ = fw.value_grad(fn, NEG_INF_LOGITS, "float32", fw.arr(NEG_INF_LABELS))
    ref = ref_softmax_focal(NEG_INF_LOGITS, NEG_INF_LABELS, gamma)
    _finite(value, grad)
    np.testing.assert_allclose(value, ref, rtol=F32_RTOL, atol=0)
    assert value[1] == 0.0
    if grad is not None:
        assert np.all(grad[np.isneginf(NEG_INF_LOGITS)] == 0.0)
        assert np.all(grad[1] == 0.0)


def test_logsumexp_neg_inf_dice_and_gradient_value(gfw: Fw) -> None:
    # Dice over a softmax with masked classes, and the CE gradient softmax - onehot.
    value, grad, _ = gfw.value_grad(
        lambda z, t: al.dice_loss(z, t, reduction="none"),
        NEG_INF_LOGITS[None],
        "float32",
        gfw.arr(NEG_INF_LABELS[None]),
    )
    _finite(value, grad)
    ref = ref_dice(_softmax(NEG_INF_LOGITS)[None], np.eye(4)[NEG_INF_LABELS][None], 1e-5)
    np.testing.assert_allclose(value, ref, rtol=1e-6)
    _, grad, _ = gfw.value_grad(
        lambda z, t: al.cross_entropy(z, t, reduction="sum"),
        NEG_INF_LOGITS,
        "float32",
        gfw.arr(NEG_INF_LABELS),
    )
    np.testing.assert_allclose(
        grad, _softmax(NEG_INF_LOGITS) - np.eye(4)[NEG_INF_LABELS], rtol=F32_RTOL, atol=1e-7
    )


def test_target_class_at_neg_inf_is_inf_not_nan(fw: Fw) -> None:
    # -log p_y with p_y = 0 exactly is +inf (torch agrees): not NaN, not clamped.
    x = fw.arr(np.array([[0.0, -np.inf, 1.0]]), "float32")
    out = fw.call(lambda z, y: al.cross_entropy(z, y, reduction="none"), x, fw.arr(np.array([1])))
    assert np.isposinf(out[0])
