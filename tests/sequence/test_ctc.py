"""CTC: registry cases against the float64 reference; torch and optax parity in float64 to
1e-10 on random lengths with impossible alignments and a non-zero blank; torch's native
path equal to the portable forward; jit; the traps (negative float32 values, inf and its
gradient at impossible alignments).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import arrayloss as al
import arrayloss._lib._compat as compat
from arrayloss.sequence._cases import LOSSES
from arrayloss.sequence._ctc import ctc_forward
from sequence.reference import REFERENCES

torch = pytest.importorskip("torch")
jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
jnp = jax.numpy
F = torch.nn.functional

CASES = [(info, case) for info in LOSSES for case in info.cases()]


def _to(lib: str, x: Any) -> Any:
    if not hasattr(x, "shape"):
        return x
    return {"numpy": np.asarray, "torch": torch.as_tensor, "jax": jnp.asarray}[lib](x)


@pytest.mark.parametrize("lib", ["numpy", "torch", "jax"])
@pytest.mark.parametrize(("info", "case"), CASES, ids=[c.label for _, c in CASES])
def test_registry_case_matches_reference(info: Any, case: Any, lib: str) -> None:
    kwargs = {k: _to(lib, v) for k, v in case.kwargs.items()}
    out = info.function(*[_to(lib, a) for a in case.args], **kwargs)
    want = REFERENCES["ctc_loss"](*case.args, **case.kwargs)
    np.testing.assert_allclose(np.asarray(out), want, rtol=1e-10)


def _random(seed: int, blank: int, n: int = 12, t: int = 15, c: int = 6, s: int = 6) -> Any:
    """Random lengths (some impossible: labels + repeats > frames), blank at ``blank``."""
    rng = np.random.default_rng(seed)
    x = 3 * rng.normal(size=(n, t, c))
    lp = x - np.log(np.exp(x).sum(-1, keepdims=True))
    labels = [k for k in range(c) if k != blank]
    y = rng.choice(labels, size=(n, s))
    y[0, :4] = y[0, 0]  # repeats need a blank between them
    il = rng.integers(1, t + 1, size=n)
    tl = rng.integers(0, s + 1, size=n)
    il[0], tl[0] = 6, 4  # 4 equal labels need 7 frames: impossible
    il[1], tl[1] = 2, 5  # impossible
    return lp, y, il, tl


@pytest.mark.parametrize("blank", [0, 3, 5])
@pytest.mark.parametrize("zero_infinity", [False, True])
def test_matches_torch_float64(blank: int, zero_infinity: bool) -> None:
    lp, y, il, tl = _random(blank, blank)
    tt = [torch.as_tensor(a) for a in (lp, y, il, tl)]
    kw = {"blank": blank, "zero_infinity": zero_infinity}
    want = F.ctc_loss(tt[0].transpose(0, 1), *tt[1:], reduction="none", **kw)
    impossible = np.isinf(REFERENCES["ctc_loss"](lp, y, il, tl, blank=blank, reduction="none"))
    assert impossible[:2].all()
    assert not impossible.all()
    assert torch.isinf(want).sum() == (0 if zero_infinity else impossible.sum())
    for lib in ("numpy", "jax", "torch"):
        got = al.ctc_loss(*[_to(lib, a) for a in (lp, y, il, tl)], reduction="none", **kw)
        np.testing.assert_allclose(np.asarray(got), want.numpy(), rtol=1e-10, atol=1e-10)
    for reduction in ("mean", "sum"):  # mean divides by target length, as torch does
        want_r = F.ctc_loss(
            tt[0].transpose(0, 1), *tt[1:], reduction=reduction, blank=blank, zero_infinity=True
        )
        got_r = al.ctc_loss(
            *[jnp.asarray(a) for a in (lp, y, il, tl)],
            reduction=reduction,
            blank=blank,
            zero_infinity=True,
        )
        np.testing.assert_allclose(float(got_r), float(want_r), rtol=1e-10)


@pytest.mark.parametrize("blank", [0, 4])
def test_matches_optax_float64(blank: int) -> None:
    """optax returns the per-sequence loss (no length normalisation) and uses
    log_epsilon=-1e5 for log 0: an impossible alignment costs ~1e5, not inf."""
    optax = pytest.importorskip("optax")
    lp, y, il, tl = _random(10 + blank, blank)
    _n, t, _ = lp.shape
    logit_pad = (np.arange(t)[None] >= il[:, None]).astype(np.float64)
    label_pad = (np.arange(y.shape[1])[None] >= tl[:, None]).astype(np.float64)
    want = np.asarray(
        optax.ctc_loss(
            jnp.asarray(lp),
            jnp.asarray(logit_pad),
            jnp.asarray(y),
            jnp.asarray(label_pad),
            blank_id=blank,
        )
    )
    got = np.asarray(
        al.ctc_loss(*[jnp.asarray(a) for a in (lp, y, il, tl)], blank=blank, reduction="none")
    )
    feasible = np.isfinite(got)
    assert not feasible[:2].any()
    assert feasible.any()
    np.testing.assert_allclose(got[feasible], want[feasible], rtol=1e-10, atol=1e-10)
    assert np.all(want[~feasible] > 1e4)


def test_torch_native_path_equals_portable_forward() -> None:
    """Values equal; gradients equal with respect to the logits behind a log_softmax.

    torch's CTC backward returns ``exp(lp) - posterior``, not the ``-posterior`` of the
    formula: the extra ``exp(lp)`` vanishes through ``log_softmax``'s backward (its
    gradient sums to 1 per frame), so the two agree where ``log_probs`` come from a
    log_softmax, which is how CTC is used (documented in the Notes)."""
    lp, y, il, tl = _random(20, 2)
    tt = [torch.as_tensor(a) for a in (lp, y, il, tl)]
    lpg = tt[0].clone().requires_grad_(True)
    native = al.ctc_loss(
        lpg.log_softmax(-1), *tt[1:], blank=2, zero_infinity=True, reduction="sum"
    )
    native.backward()
    lpp = tt[0].clone().requires_grad_(True)
    xp = compat.array_namespace(x=lpp)
    raw = ctc_forward(lpp.log_softmax(-1), *tt[1:], blank=2, xp=xp)
    portable = torch.where(torch.isinf(raw), torch.zeros(()), raw.clamp_min(0)).sum()
    portable.backward()
    torch.testing.assert_close(native, portable, rtol=1e-10, atol=1e-10)
    torch.testing.assert_close(lpg.grad, lpp.grad, rtol=1e-8, atol=1e-10)


def test_torch_native_gradient_is_the_derivative_for_a_leaf() -> None:
    """With unnormalised ``log_probs`` as the leaf (sub-probabilities, so no clamp at 0),
    raw ``F.ctc_loss`` fails ``gradcheck`` (its backward adds ``exp(log_probs)``); ours,
    which runs the same kernel, passes, and equals the portable forward's gradient."""
    lp, y, il, tl = _random(21, 1)
    x = torch.as_tensor(lp - 1.0)  # rows sum to 1/e: a leaf that is no log_softmax
    yt, ilt, tlt = (torch.as_tensor(a) for a in (y, il, tl))

    def raw(p: Any) -> Any:
        return F.ctc_loss(p.transpose(0, 1), yt, ilt, tlt, blank=1, zero_infinity=True)

    leaf = x.clone().requires_grad_(True)
    assert not torch.autograd.gradcheck(raw, (leaf,), raise_exception=False)
    assert torch.autograd.gradcheck(
        lambda p: al.ctc_loss(p, yt, ilt, tlt, blank=1, zero_infinity=True), (leaf,)
    )
    native = x.clone().requires_grad_(True)
    al.ctc_loss(native, yt, ilt, tlt, blank=1, zero_infinity=True, reduction="sum").backward()
    portable = x.clone().requires_grad_(True)
    xp = compat.array_namespace(x=portable)
    nll = ctc_forward(portable, yt, ilt, tlt, blank=1, xp=xp)
    torch.where(torch.isinf(nll), torch.zeros(()), nll).sum().backward()
    torch.testing.assert_close(native.grad, portable.grad, rtol=1e-10, atol=1e-12)
    assert torch.all(native.grad[:2] == 0)  # the impossible sequences


def test_jit_equals_eager_and_impossible_gradient_is_zero() -> None:
    lp, y, il, tl = (jnp.asarray(a) for a in _random(30, 0))

    def f(x: Any) -> Any:
        return al.ctc_loss(x, y, il, tl, zero_infinity=True, reduction="sum")

    np.testing.assert_allclose(float(jax.jit(f)(lp)), float(f(lp)), rtol=1e-12)
    g = np.asarray(jax.jit(jax.grad(f))(lp))
    assert np.isfinite(g).all()
    assert np.all(g[:2] == 0)  # the two impossible sequences
    assert np.any(g[2:] != 0)
    none = al.ctc_loss(lp, y, il, tl, reduction="none")
    assert np.isinf(np.asarray(none)[:2]).all()


def test_impossible_by_neg_inf_log_probs_not_by_length() -> None:
    """Label 2 has log-probability -inf on every frame: sequence 0 (which needs it) is
    impossible though its lengths allow it; sequence 1 (which does not) is finite. A
    lengths rule with torch's kernel under zero_infinity=True once returned 0 for
    sequence 0 on torch; the native forward now keeps the kernel's inf."""
    lp = np.log(np.full((2, 4, 3), 1 / 3))
    lp[:, :, 2] = -np.inf
    y, il, tl = np.array([[1, 2], [1, 1]]), np.array([4, 4]), np.array([2, 1])
    want = REFERENCES["ctc_loss"](lp, y, il, tl, reduction="none")
    assert np.isinf(want[0])
    assert np.isfinite(want[1])
    for lib in ("numpy", "torch", "jax"):
        got = al.ctc_loss(*[_to(lib, a) for a in (lp, y, il, tl)], reduction="none")
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-12)
    x = torch.as_tensor(lp).requires_grad_(True)
    out = al.ctc_loss(x, *[torch.as_tensor(a) for a in (y, il, tl)], zero_infinity=True)
    out.backward()
    assert torch.isfinite(x.grad).all()  # the kernel alone is NaN at the -inf entries
    assert torch.all(x.grad[0] == 0)
    np.testing.assert_allclose(float(out), want[1] / 2, rtol=1e-12)  # mean of (0, l1 / 1)
    g = jax.grad(
        lambda v: al.ctc_loss(v, *[jnp.asarray(a) for a in (y, il, tl)], zero_infinity=True)
    )(jnp.asarray(lp))
    np.testing.assert_allclose(x.grad.numpy(), np.asarray(g), rtol=1e-10, atol=1e-12)


def test_impossible_sequence_does_not_poison_the_batch_gradient() -> None:
    """torch's kernel with zero_infinity=False: the impossible sequences' inf makes the
    whole gradient NaN even when their losses are masked out of the sum; ours keeps
    the other sequences' gradient (and equals the feasible-only batch)."""
    lp, y, il, tl = _random(40, 0)
    tt = [torch.as_tensor(a) for a in (lp, y, il, tl)]
    feasible = torch.as_tensor(
        np.isfinite(REFERENCES["ctc_loss"](lp, y, il, tl, reduction="none"))
    )
    assert not feasible[:2].any()
    naive_x = tt[0].clone().requires_grad_(True)
    naive = F.ctc_loss(naive_x.log_softmax(-1).transpose(0, 1), *tt[1:], reduction="none")
    torch.where(feasible, naive, 0).sum().backward()
    assert torch.isnan(naive_x.grad).any()
    x = tt[0].clone().requires_grad_(True)
    ours = al.ctc_loss(x.log_softmax(-1), *tt[1:], reduction="none")
    assert torch.isinf(ours[:2]).all()
    torch.where(feasible, ours, 0).sum().backward()
    assert torch.isfinite(x.grad).all()
    assert torch.all(x.grad[:2] == 0)
    sub = tt[0][2:].clone().requires_grad_(True)
    al.ctc_loss(sub.log_softmax(-1), *[a[2:] for a in tt[1:]], reduction="sum").backward()
    torch.testing.assert_close(x.grad[2:], sub.grad, rtol=1e-10, atol=1e-12)


def test_jit_traces_one_step_whatever_t() -> None:
    """A scan, not an unrolled loop: the jaxpr of the value and gradient has the same
    number of equations for T = 20 and T = 200 (an unrolled loop grows tenfold)."""

    def size(t: int) -> int:
        lp, y, il, tl = ctc_inputs_for(t)
        f = jax.value_and_grad(lambda x: al.ctc_loss(x, y, il, tl, reduction="sum"))
        return len(jax.make_jaxpr(f)(lp).jaxpr.eqns)

    assert size(20) == size(200)


@pytest.mark.parametrize("zero_infinity", [False, True])
def test_torch_compile_runs_the_native_kernel(zero_infinity: bool) -> None:
    """Under ``torch.compile(fullgraph=True)`` the forward is the custom op
    ``arrayloss::ctc_nll`` around torch's kernel, not the portable loop over T that
    dynamo unrolled (13.5 s to compile at T = 12). Value and gradient, for a leaf
    that is no log_softmax, with -inf entries and impossible sequences, equal eager's
    (itself equal to the portable forward and the float64 reference, above), through
    AOT autograd's compiled backward."""
    from arrayloss._lib._fused import register_torch_ops

    register_torch_ops()
    lp, y, il, tl = _random(23, 1, t=40)
    lp = lp - 1.0  # sub-probabilities: the exp term of torch's backward would show
    lp[3, :, 2] = -np.inf  # a class impossible throughout sequence 3
    yt, ilt, tlt = (torch.as_tensor(a) for a in (y, il, tl))

    def f(p: Any) -> Any:
        return al.ctc_loss(p, yt, ilt, tlt, blank=1, zero_infinity=zero_infinity)

    graphs: list[Any] = []

    def capture(gm: Any, _inputs: Any) -> Any:
        graphs.append(gm)
        return gm.forward

    torch._dynamo.reset()
    torch.compile(f, fullgraph=True, backend=capture)(torch.as_tensor(lp))
    targets = [str(node.target) for gm in graphs for node in gm.graph.nodes]
    assert "arrayloss.ctc_nll.default" in targets
    assert len(targets) < 60  # one op, not a step per frame

    eager_x = torch.as_tensor(lp).requires_grad_(True)
    eager = f(eager_x)
    eager.backward()
    compiled_x = torch.as_tensor(lp).requires_grad_(True)
    compiled = torch.compile(f, fullgraph=True, backend="aot_eager")(compiled_x)
    compiled.backward()
    torch.testing.assert_close(compiled, eager, rtol=1e-12, atol=0, equal_nan=True)
    assert torch.isfinite(compiled_x.grad).all()
    torch.testing.assert_close(compiled_x.grad, eager_x.grad, rtol=1e-12, atol=1e-15)


def ctc_inputs_for(t: int) -> tuple[Any, ...]:
    rng = np.random.default_rng(t)
    x = rng.normal(size=(2, t, 5))
    lp = jnp.asarray(x - np.log(np.exp(x).sum(-1, keepdims=True)))
    y = jnp.asarray(rng.integers(1, 5, size=(2, 4)))
    return lp, y, jnp.asarray([t, t - 3]), jnp.asarray([4, 2])


def test_float32_never_negative() -> None:
    """A near-certain alignment in float32: the raw forward sum rounds above 1 (negative
    loss); the loss is clamped at 0."""
    import array_api_compat.numpy as xp

    rng = np.random.default_rng(0)
    for _ in range(50):
        x = np.zeros((4, 3, 2))
        x[..., 1] = rng.uniform(12, 20, size=(4, 3))
        lp = (x - np.log(np.exp(x).sum(-1, keepdims=True))).astype(np.float32)
        args = (lp, np.ones((4, 1), np.int64), np.full(4, 3), np.ones(4, np.int64))
        raw = ctc_forward(*args, blank=0, xp=xp)
        if (raw < 0).any():
            break
    else:
        pytest.fail("no float32 draw rounded below 0")
    for lib in ("numpy", "torch", "jax"):
        out = np.asarray(al.ctc_loss(*[_to(lib, a) for a in args], reduction="none"))
        assert out.dtype == np.float32, lib
        assert (out >= 0).all(), lib


def test_hand_value() -> None:
    # two frames, classes {blank, a}, p = 1/2 each: paths aa, a-, -a give 3/4
    lp = np.log(np.full((1, 2, 2), 0.5))
    out = al.ctc_loss(lp, np.array([[1]]), np.array([2]), np.array([1]), reduction="none")
    np.testing.assert_allclose(out, [-np.log(0.75)], rtol=1e-14)
