"""KL and Jensen-Shannon divergences: values against the float64 reference, the
per-sample mean, dtypes, numerics (saturated logits, exact zeros), properties of JS,
errors and peers (torch ``kl_div``, optax ``kl_divergence``, kornia ``js_div_loss_2d``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import arrayloss as al
from classification import reference as mref
from support import reference as ref
from support.backends import Backend

LOG2 = math.log(2.0)


LOSSES = {
    "kl": (al.kl_divergence, mref.kl_divergence),
    "js": (al.js_divergence, mref.js_divergence),
}


LAYOUTS = {
    "1d": ((5,), -1),
    "nc": ((6, 4), -1),
    "nhwc": ((2, 3, 2, 4), -1),
    "nchw": ((2, 4, 3, 2), 1),
}


OPTIONS: dict[str, dict[str, Any]] = {
    "plain": {},
    "target_zeros": {"zeros": True},
    "weights": {"zeros": True, "weights": "full"},
    "weights_bcast": {"weights": "bcast"},
    "probs": {"probs": True},
    "probs_zeros": {"probs": True, "zeros": True, "weights": "full"},
}


def _distribution(rng: np.random.Generator, shape: tuple[int, ...], ax: int, zeros: bool) -> Any:
    p = rng.uniform(0.05, 1.0, size=shape)
    if zeros:
        p = np.moveaxis(p, ax, -1).copy()
        p[..., 0] = 0.0  # an exact zero in every row
        p.reshape(-1)[::5] = 0.0
        p[..., -1] = np.maximum(p[..., -1], 0.1)
        p = np.moveaxis(p, -1, ax)
    return p / p.sum(axis=ax, keepdims=True)


def _case(layout: str, option: str, seed: int = 0) -> tuple[Any, ...]:
    opt = OPTIONS[option]
    rng = np.random.default_rng(seed)
    shape, axis = LAYOUTS[layout]
    ax = axis % len(shape)
    unreduced = shape[:ax] + shape[ax + 1 :]
    targets = _distribution(rng, shape, ax, opt.get("zeros", False))
    kwargs: dict[str, Any] = {"axis": axis}
    if opt.get("probs"):
        # q = 0 both where t = 0 and (for KL's clamp) where t > 0
        logits = _distribution(rng, shape, ax, opt.get("zeros", False))
        kwargs["from_logits"] = False
    else:
        logits = rng.normal(0.0, 2.0, size=shape)
    if "weights" in opt:
        wshape = unreduced if opt["weights"] == "full" else unreduced[-1:]
        weights = rng.uniform(0.0, 2.0, size=wshape)
        if weights.size > 1:
            weights.reshape(-1)[1] = 0.0
        kwargs["weights"] = weights
    return logits, targets, kwargs, unreduced


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize(
    ("layout", "option"),
    [("nchw", o) for o in OPTIONS] + [("1d", "plain"), ("nc", "probs_zeros"), ("nhwc", "weights")],
)
def test_divergence_matches_reference(
    backend: Backend, loss: str, layout: str, option: str
) -> None:
    ref.only_subset(
        backend,
        (loss, layout, option),
        {
            ("kl", "nchw", "weights"),
            ("kl", "nc", "probs_zeros"),
            ("js", "nchw", "probs_zeros"),
            ("js", "nhwc", "weights"),
        },
    )
    fn, ref_fn = LOSSES[loss]
    logits, targets, kwargs, unreduced = _case(layout, option)
    ref.compare_reductions(backend, fn, ref_fn, (logits, targets), kwargs, unreduced)


def test_hand_values() -> None:
    # KL((1/2, 1/2, 0) || (1/2, 1/4, 1/4)) = 1/2 log(1/2 / 1/4) = log(2) / 2
    q = np.array([0.5, 0.25, 0.25])
    t = np.array([0.5, 0.5, 0.0])
    np.testing.assert_allclose(al.kl_divergence(np.log(q), t), LOG2 / 2, rtol=1e-15)
    np.testing.assert_allclose(al.kl_divergence(q, t, from_logits=False), LOG2 / 2, rtol=1e-15)
    # q = 0 where t > 0: log q clamped at -100 -> t (log t + 100)
    np.testing.assert_allclose(
        al.kl_divergence(np.array([1.0, 0.0]), np.array([0.5, 0.5]), from_logits=False),
        0.5 * math.log(0.5 / 1.0) + 0.5 * (math.log(0.5) + 100.0),
        rtol=1e-15,
    )
    # JS of disjoint supports is log 2; of equal distributions 0; of (1, 0) vs
    # (1/2, 1/2): m = (3/4, 1/4), 1/2 log(4/3) + 1/2 (1/2 log(2/3) + 1/2 log 2)
    np.testing.assert_allclose(
        al.js_divergence(np.array([1.0, 0.0]), np.array([0.0, 1.0]), from_logits=False), LOG2
    )
    np.testing.assert_allclose(al.js_divergence(np.log(q), q), 0.0, atol=1e-16)
    want = 0.5 * math.log(4 / 3) + 0.25 * math.log(2 / 3) + 0.25 * LOG2
    np.testing.assert_allclose(
        al.js_divergence(np.array([0.5, 0.5]), np.array([1.0, 0.0]), from_logits=False),
        want,
        rtol=1e-15,
    )


def test_mean_is_per_sample_not_per_element() -> None:
    """``"mean"`` averages the per-sample divergences ("batchmean"): N, not N C."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 7))
    t = _distribution(rng, (4, 7), 1, True)
    per_sample = mref.kl_divergence(x, t, reduction="none")
    assert per_sample.shape == (4,)
    np.testing.assert_allclose(al.kl_divergence(x, t), per_sample.sum() / 4, rtol=1e-12)


# -- dtype contract ---------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
@pytest.mark.parametrize(
    ("loss", "option"), [("kl", "weights"), ("js", "weights"), ("js", "probs_zeros")]
)
def test_dtype_contract(backend: Backend, loss: str, option: str, dtype: str) -> None:
    ref.only_subset(
        backend,
        (loss, option, dtype),
        {("kl", "weights", "float16"), ("js", "probs_zeros", "bfloat16")},
    )
    ref.require_dtype(backend, dtype)
    fn, ref_fn = LOSSES[loss]
    logits, targets, kwargs, unreduced = _case("nchw", option, seed=4)
    logits, targets = ref.round_to(logits, dtype), ref.round_to(targets, dtype)
    kwargs = {
        k: ref.round_to(v, dtype) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()
    }
    ref.compare_reductions(backend, fn, ref_fn, (logits, targets), kwargs, unreduced, dtype=dtype)


# -- properties of JS -------------------------------------------------------------------


def test_js_symmetric_and_bounded() -> None:
    rng = np.random.default_rng(5)
    p = _distribution(rng, (200, 6), 1, True)
    q = _distribution(rng, (200, 6), 1, True)
    pq = al.js_divergence(p, q, from_logits=False, reduction="none")
    qp = al.js_divergence(q, p, from_logits=False, reduction="none")
    np.testing.assert_allclose(pq, qp, rtol=1e-14, atol=1e-16)
    assert np.all(pq >= 0.0)
    assert np.all(pq <= LOG2)
    # one-hot against one-hot of another class: log 2 exactly (the upper bound)
    eye = np.eye(6)
    np.testing.assert_allclose(
        al.js_divergence(eye, np.roll(eye, 1, axis=0), from_logits=False, reduction="none"), LOG2
    )
    # from logits: q = softmax(log p) = p gives the same values
    np.testing.assert_allclose(
        al.js_divergence(np.log(np.where(p > 0, p, 1e-300)), q, reduction="none"), pq, atol=1e-12
    )


# -- numerics ---------------------------------------------------------------------------

BIG = 1e4


SAT = np.array([[BIG, -BIG, 0.0], [-BIG, BIG, -BIG], [BIG, BIG, -BIG]])


SAT_T = np.array([[1.0, 0.0, 0.0], [0.5, 0.0, 0.5], [0.0, 0.25, 0.75]])


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_saturated_logits_float32_torch() -> None:
    """|x| = 1e4 in float32 with exact-zero targets: finite value, exact KL gradient."""
    torch = pytest.importorskip("torch")
    x32 = torch.tensor(SAT, dtype=torch.float32)
    t32 = torch.tensor(SAT_T, dtype=torch.float32)
    want = mref.kl_divergence(SAT, SAT_T, reduction="none")  # float64: 0, 1e4+.., 2e4+..
    for fn in (al.kl_divergence, al.js_divergence):
        leaf = x32.clone().requires_grad_(True)
        tleaf = t32.clone().requires_grad_(True)
        out = fn(leaf, tleaf, reduction="none")
        gx, gt = torch.autograd.grad(out.sum(), (leaf, tleaf))
        assert out.dtype == torch.float32
        assert torch.isfinite(out).all()
        assert torch.isfinite(gx).all()
        assert torch.isfinite(gt).all()
        if fn is al.kl_divergence:
            np.testing.assert_allclose(out.detach().double().numpy(), want, rtol=1e-6)
            # d KL / dx = softmax(x) - t
            np.testing.assert_allclose(gx.double().numpy(), _softmax(SAT) - SAT_T, atol=1e-6)
        else:
            np.testing.assert_allclose(
                out.detach().double().numpy(),
                mref.js_divergence(SAT, SAT_T, reduction="none"),
                rtol=1e-5,
            )


def test_saturated_and_exact_zero_probabilities_jax() -> None:
    """Value and gradients w.r.t. both arguments finite under jax.jit, logits and probs."""
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    q = jnp.asarray([[1.0, 0.0, 0.0], [0.0, 0.5, 0.5], [0.0, 0.0, 1.0]], dtype=jnp.float32)
    t = jnp.asarray(SAT_T, dtype=jnp.float32)

    def total(x: Any, t: Any, qq: Any) -> Any:
        return (
            al.kl_divergence(x, t)
            + al.js_divergence(x, t)
            + al.kl_divergence(qq, t, from_logits=False)
            + al.js_divergence(qq, t, from_logits=False)
        )

    value, grads = jax.jit(jax.value_and_grad(total, argnums=(0, 1, 2)))(
        jnp.asarray(SAT, dtype=jnp.float32), t, q
    )
    assert value.dtype == jnp.float32
    assert np.isfinite(np.asarray(value))
    for g in grads:
        assert np.all(np.isfinite(np.asarray(g)))


def test_probabilities_zero_where_target_positive_is_clamped() -> None:
    """KL from probabilities: q = 0 where t > 0 gives t (log t + 100) and zero gradient."""
    torch = pytest.importorskip("torch")
    q = torch.tensor([[0.0, 1.0], [1.0, 0.0]], dtype=torch.float64, requires_grad=True)
    t = torch.tensor([[0.5, 0.5], [1.0, 0.0]], dtype=torch.float64)
    out = al.kl_divergence(q, t, from_logits=False, reduction="none")
    (g,) = torch.autograd.grad(out.sum(), q)
    np.testing.assert_allclose(
        out.detach().numpy(), [0.5 * (math.log(0.5) + 100) + 0.5 * math.log(0.5), 0.0]
    )
    np.testing.assert_allclose(g.numpy(), [[0.0, -0.5], [-1.0, 0.0]])


@pytest.mark.parametrize("loss", list(LOSSES))
def test_nan_in_nan_out(loss: str) -> None:
    fn = LOSSES[loss][0]
    x = np.zeros((3, 3))
    t = np.full((3, 3), 1 / 3)
    x[0, 1] = np.nan
    t[1, 2] = np.nan
    with np.errstate(invalid="ignore"):  # NumPy's logaddexp warns on NaN
        out = fn(x, t, reduction="none")
    assert np.isnan(out[0])
    assert np.isnan(out[1])
    assert np.isfinite(out[2])


# -- errors -----------------------------------------------------------------------------


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize(
    ("args", "kwargs", "exc", "match"),
    [
        ((np.zeros((2, 3)), np.zeros((2, 4))), {}, ValueError, "same shape"),
        ((np.zeros((2, 3)), np.zeros(2, dtype=int)), {}, TypeError, "use cross_entropy"),
        (
            (np.zeros((2, 3)), np.zeros((2, 3), dtype=bool)),
            {},
            TypeError,
            "floating probabilities",
        ),
        ((np.zeros((2, 3), dtype=int), np.zeros((2, 3))), {}, TypeError, "logits must be"),
        ((np.zeros((2, 3)), np.zeros((2, 3))), {"axis": 2}, ValueError, "axis=2"),
        (
            (np.zeros((2, 3)), np.zeros((2, 3))),
            {"reduction": "batchmean"},
            ValueError,
            "reduction",
        ),
        (
            (np.zeros((2, 3)), np.zeros((2, 3))),
            {"weights": np.ones(3)},
            ValueError,
            "does not broadcast",
        ),
    ],
)
def test_errors(
    loss: str, args: tuple[Any, ...], kwargs: dict[str, Any], exc: type, match: str
) -> None:
    with pytest.raises(exc, match=match):
        LOSSES[loss][0](*args, **kwargs)


# -- peers ------------------------------------------------------------------------------


def test_kl_matches_torch_batchmean_and_maps_torch_mean() -> None:
    """torch ``kl_div(log q, t)``: log-probabilities first. Its ``"batchmean"`` is our
    ``"mean"`` for (N, C); its ``"mean"`` divides by N C and is not a KL (ANCHORS)."""
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(7)
    x = torch.tensor(rng.normal(0.0, 2.0, size=(5, 6)))
    t = torch.tensor(_distribution(rng, (5, 6), 1, True))
    log_q = F.log_softmax(x, dim=-1)
    ours = al.kl_divergence(x, t)
    torch.testing.assert_close(ours, F.kl_div(log_q, t, reduction="batchmean"))
    with pytest.warns(UserWarning, match="batchmean"):  # torch itself warns
        torch_mean = F.kl_div(log_q, t, reduction="mean")
    torch.testing.assert_close(ours / 6, torch_mean)
    torch.testing.assert_close(
        al.kl_divergence(x, t, reduction="none"), F.kl_div(log_q, t, reduction="none").sum(-1)
    )


def test_kl_dense_torch_batchmean_divides_by_n_only() -> None:
    """(N, C, H, W): torch's "batchmean" is sum / N, i.e. our per-position mean times H W."""
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(8)
    x = torch.tensor(rng.normal(size=(2, 4, 3, 5)))
    t = torch.tensor(_distribution(rng, (2, 4, 3, 5), 1, False))
    ours = al.kl_divergence(x, t, axis=1)
    theirs = F.kl_div(F.log_softmax(x, dim=1), t, reduction="batchmean")
    torch.testing.assert_close(ours * 15, theirs)


def test_kl_matches_optax_and_optax_target_gradient_is_nan() -> None:
    """optax ``kl_divergence(log_predictions, targets)``: our order, but log-probabilities.

    Its single ``where(targets == 0, 0, log(targets))`` gives a NaN gradient with
    respect to the targets at an exact 0 (jax #347); ours is finite (double where).
    """
    pytest.importorskip("jax")
    optax = pytest.importorskip("optax")
    import jax
    import jax.numpy as jnp

    rng = np.random.default_rng(9)
    x = jnp.asarray(rng.normal(size=(4, 5)))
    t = jnp.asarray(_distribution(rng, (4, 5), 1, True))
    theirs = optax.losses.kl_divergence(jax.nn.log_softmax(x), t)
    ours = al.kl_divergence(x, t, reduction="none")
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-6, atol=1e-7)
    g_theirs = jax.grad(lambda tt: optax.losses.kl_divergence(jax.nn.log_softmax(x), tt).sum())(t)
    g_ours = jax.grad(lambda tt: al.kl_divergence(x, tt, reduction="sum"))(t)
    assert np.isnan(np.asarray(g_theirs)).any()
    assert np.all(np.isfinite(np.asarray(g_ours)))


def test_js_matches_kornia_2d() -> None:
    """kornia ``js_div_loss_2d(pred, target)``: distributions over H W per (b, n)."""
    torch = pytest.importorskip("torch")
    kornia = pytest.importorskip("kornia")
    rng = np.random.default_rng(10)
    p = _distribution(rng, (2, 3, 20), 2, True)
    t = _distribution(rng, (2, 3, 20), 2, True)
    pt, tt = torch.tensor(p.reshape(2, 3, 4, 5)), torch.tensor(t.reshape(2, 3, 4, 5))
    theirs = kornia.losses.js_div_loss_2d(pt, tt, reduction="none")
    ours = al.js_divergence(torch.tensor(p), torch.tensor(t), from_logits=False, reduction="none")
    torch.testing.assert_close(ours, theirs)
    kl_theirs = kornia.losses.kl_div_loss_2d(pt, tt, reduction="none")
    kl_ours = al.kl_divergence(
        torch.tensor(p), torch.tensor(t), from_logits=False, reduction="none"
    )
    # kornia: KL(target || pred), infinite where pred = 0 < target; ours clamps log at -100
    finite = torch.isfinite(kl_theirs)
    torch.testing.assert_close(kl_ours[finite], kl_theirs[finite])
