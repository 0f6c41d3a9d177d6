"""The losses that adapt to class imbalance (issue 13): class statistics, logit adjustment,
LDAM(-DRW), seesaw, automated focal, ASL and the uncertainty-weighted sum.

Values come from the float64 references written from the papers
(``reference.ADAPTIVE_REFERENCES``), from hand-derived cases, and from transcriptions of
the authors' reference code (LDAM-DRW, mmdetection's seesaw, ASL) where they agree with
the papers; where they depart the test says so and which we follow.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import arrayloss as al
from arrayloss._registry import LOSSES
from support.reference import TOLERANCE

from . import reference as ref

torch = pytest.importorskip("torch")

ADAPTIVE = (
    "asymmetric_loss",
    "automated_focal_loss",
    "ldam_loss",
    "logit_adjusted_cross_entropy",
    "seesaw_loss",
    "uncertainty_weighted_sum",
)
STATEFUL = ("seesaw_loss", "automated_focal_loss")


def _cases() -> list[Any]:
    out = []
    for info in LOSSES:
        if info.name in ADAPTIVE:
            out += [pytest.param(info, c, id=f"{info.name}[{c.label}]") for c in info.cases()]
    return out


def _flatten(out: Any) -> list[np.ndarray]:
    if isinstance(out, tuple):
        return [
            np.asarray(v) for part in out for v in (part if isinstance(part, tuple) else (part,))
        ]
    return [np.asarray(out)]


def _to_torch(v: Any) -> Any:
    return torch.from_numpy(v) if isinstance(v, np.ndarray) else v


def _to_jax(v: Any) -> Any:
    import jax.numpy as jnp

    return jnp.asarray(v) if isinstance(v, np.ndarray) else v


@pytest.mark.parametrize("lib", ["numpy", "torch", "jax"])
@pytest.mark.parametrize(("info", "case"), _cases())
def test_matches_the_float64_reference(info: Any, case: Any, lib: str) -> None:
    """Every registry case, on three backends in float64, against the paper's reference."""
    if lib == "jax":
        jax = pytest.importorskip("jax")
        jax.config.update("jax_enable_x64", True)
    conv = {"numpy": lambda v: v, "torch": _to_torch, "jax": _to_jax}[lib]
    args = tuple(conv(a) for a in case.args)
    kwargs = {k: conv(v) for k, v in case.kwargs.items()}
    got = _flatten(info.loss()(*args, **kwargs))
    want = _flatten(ref.ADAPTIVE_REFERENCES[info.name](*case.args, **case.kwargs))
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(np.asarray(g, dtype=np.float64), w, **TOLERANCE["float64"])


# -- class statistics ----------------------------------------------------------------------


def test_class_statistics_cumulative_and_momentum() -> None:
    s = al.class_statistics(3, like=np.zeros(1))
    labels = np.array([0, 2, 2, -100, 7])  # ignored and out-of-range labels are not counted
    logits = np.log(np.array([[0.5, 0.25, 0.25]] * 5))
    s = al.update_class_statistics(s, labels, logits=logits, ignore_index=-100)
    np.testing.assert_allclose(s.counts, [1.0, 0.0, 2.0])
    np.testing.assert_allclose(s.confidence, [0.5, 0.0, 0.25])
    s = al.update_class_statistics(s, np.array([2, 2]), logits=np.zeros((2, 3)))
    np.testing.assert_allclose(s.counts, [1.0, 0.0, 4.0])
    np.testing.assert_allclose(s.confidence[2], (2 * 0.25 + 2 / 3) / 4)
    e = al.update_class_statistics(s, np.array([1]), logits=np.zeros((1, 3)), momentum=0.5)
    np.testing.assert_allclose(e.counts, [0.5, 0.5, 2.0])
    np.testing.assert_allclose(e.confidence, [0.5, 1 / 3, s.confidence[2]])  # absent: kept


def test_class_statistics_feed_class_weights() -> None:
    """ "balanced" from all the data seen so far, not one batch."""
    s = al.class_statistics(2, like=np.zeros(1))
    for labels in (np.array([0, 0, 0]), np.array([0, 1])):
        s = al.update_class_statistics(s, labels)
    w = al.class_weights_from_counts(s.counts, method="inverse")
    np.testing.assert_allclose(w, [5 / (2 * 4), 5 / (2 * 1)])


def test_state_errors_name_the_argument() -> None:
    with pytest.raises(TypeError, match="state must be a ClassStatistics"):
        al.seesaw_loss(np.zeros((2, 3)), np.array([0, 1]), (np.zeros(3), np.zeros(3)))
    with pytest.raises(TypeError, match="ClassStatistics of 3 classes"):
        al.seesaw_loss(
            np.zeros((2, 3)), np.array([0, 1]), al.class_statistics(4, like=np.zeros(1))
        )
    with pytest.raises(TypeError, match="AutomatedFocalState"):
        al.automated_focal_loss(
            np.zeros((2, 3)), np.array([0, 1]), al.class_statistics(3, like=np.zeros(1))
        )
    with pytest.raises(ValueError, match="num_classes"):
        al.class_statistics(0, like=np.zeros(1))
    with pytest.raises(ValueError, match="momentum"):
        al.update_class_statistics(
            al.class_statistics(2, like=np.zeros(1)), np.array([0]), momentum=0.0
        )


# -- logit adjustment ----------------------------------------------------------------------


def test_tau_one_is_balanced_softmax() -> None:
    """Ren et al. eq. (4): -log(n_y e^{x_y} / sum_c n_c e^{x_c}), written out."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 4))
    y = np.array([0, 1, 2, 3, 0, 0])
    n = np.array([500.0, 50.0, 5.0, 1.0])
    want = np.mean(
        [-np.log(n[t] * np.exp(r[t]) / np.sum(n * np.exp(r))) for r, t in zip(x, y, strict=True)]
    )
    got = al.logit_adjusted_cross_entropy(x, y, class_priors=n)  # counts: only ratios matter
    np.testing.assert_allclose(got, want, rtol=1e-12)
    got = al.logit_adjusted_cross_entropy(x, y, class_priors=n / n.sum(), tau=1.0)
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_tau_zero_is_cross_entropy() -> None:
    x = np.random.default_rng(1).normal(size=(5, 3))
    y = np.array([0, 1, 2, 1, 0])
    got = al.logit_adjusted_cross_entropy(x, y, class_priors=np.array([0.8, 0.1, 0.1]), tau=0.0)
    np.testing.assert_allclose(got, al.cross_entropy(x, y), rtol=1e-14)


# -- LDAM ----------------------------------------------------------------------------------


def _ldam_authors(
    x: Any, target: Any, cls_num_list: list[float], max_m: float, s: float, weight: Any = None
) -> Any:
    """kaidic/LDAM-DRW losses.py ``LDAMLoss.forward``, transcribed (float64)."""
    m_list = 1.0 / np.sqrt(np.sqrt(np.asarray(cls_num_list)))
    m_list = m_list * (max_m / np.max(m_list))
    m_list = torch.tensor(m_list, dtype=torch.float64)
    index = torch.zeros_like(x, dtype=torch.uint8)
    index.scatter_(1, target.data.view(-1, 1), 1)
    index_float = index.type(torch.float64)
    batch_m = torch.matmul(m_list[None, :], index_float.transpose(0, 1))
    batch_m = batch_m.view((-1, 1))
    x_m = x - batch_m
    output = torch.where(index.bool(), x_m, x)
    return torch.nn.functional.cross_entropy(s * output, target, weight=weight)


def test_ldam_matches_the_authors_code() -> None:
    rng = np.random.default_rng(2)
    x = np.tanh(rng.normal(size=(8, 4)))
    y = rng.integers(0, 4, size=(8,))
    counts = [5000.0, 500.0, 50.0, 5.0]
    want = _ldam_authors(torch.tensor(x), torch.tensor(y), counts, 0.5, 30.0)
    got = al.ldam_loss(x, y, class_counts=np.array(counts))
    np.testing.assert_allclose(got, want.item(), rtol=1e-12)
    # LDAM-DRW: the authors' per_cls_weights at epoch >= 160
    beta = 0.9999
    eff = 1.0 - np.power(beta, counts)
    w = (1.0 - beta) / eff
    w = w / np.sum(w) * len(counts)
    got_w = al.ldam_drw_class_weights(np.array(counts), 160)
    np.testing.assert_allclose(got_w, w, rtol=1e-12)
    np.testing.assert_allclose(al.ldam_drw_class_weights(np.array(counts), 159), np.ones(4))
    # cross_entropy's weighted mean divides by sum w_y, as torch's weight= does
    want = _ldam_authors(torch.tensor(x), torch.tensor(y), counts, 0.5, 30.0, torch.tensor(w))
    got = al.ldam_loss(x, y, class_counts=np.array(counts), class_weights=got_w)
    np.testing.assert_allclose(got, want.item(), rtol=1e-12)


def test_ldam_rare_class_margin_is_larger() -> None:
    x = np.zeros((2, 2))
    y = np.array([0, 1])
    per = al.ldam_loss(x, y, class_counts=np.array([10000.0, 1.0]), scale=1.0, reduction="none")
    assert per[1] > per[0]  # the rare class must beat a wider margin
    np.testing.assert_allclose(per[1], np.log(1 + np.exp(0.5)), rtol=1e-14)  # margin 0.5


# -- seesaw --------------------------------------------------------------------------------


def _seesaw_mmdet(
    cls_score: Any, labels: Any, cum_samples: Any, p: float, q: float, eps: float = 1e-2
) -> Any:
    """mmdetection ``seesaw_ce_loss`` (mmdet/models/losses/seesaw_loss.py), transcribed."""
    num_classes = cls_score.shape[1]
    onehot_labels = torch.nn.functional.one_hot(labels, num_classes)
    seesaw_weights = cls_score.new_ones(onehot_labels.size())
    if p > 0:
        sample_ratio_matrix = cum_samples[None, :].clamp(min=1) / cum_samples[:, None].clamp(min=1)
        index = (sample_ratio_matrix < 1.0).float()
        sample_weights = sample_ratio_matrix.pow(p) * index + (1 - index)
        mitigation_factor = sample_weights[labels.long(), :]
        seesaw_weights = seesaw_weights * mitigation_factor
    if q > 0:
        scores = torch.nn.functional.softmax(cls_score.detach(), dim=1)
        self_scores = scores[torch.arange(0, len(scores)).long(), labels.long()]
        score_matrix = scores / self_scores[:, None].clamp(min=eps)
        index = (score_matrix > 1.0).float()
        compensation_factor = score_matrix.pow(q) * index + (1 - index)
        seesaw_weights = seesaw_weights * compensation_factor
    cls_score = cls_score + (seesaw_weights.log() * (1 - onehot_labels))
    return torch.nn.functional.cross_entropy(cls_score, labels, reduction="none")


def test_seesaw_matches_mmdetection_where_the_true_score_is_not_clamped() -> None:
    rng = np.random.default_rng(3)
    x = 0.5 * rng.normal(size=(12, 5))
    y = rng.choice(5, size=(12,), p=[0.6, 0.2, 0.1, 0.07, 0.03])
    prior = torch.tensor([100.0, 40.0, 0.0, 3.0, 1.0], dtype=torch.float64)
    state = al.ClassStatistics(prior, torch.zeros(5, dtype=torch.float64))
    got, new = al.seesaw_loss(torch.tensor(x), torch.tensor(y), state, reduction="none")
    cum = prior + torch.bincount(torch.tensor(y), minlength=5)  # mmdet counts first
    want = _seesaw_mmdet(torch.tensor(x), torch.tensor(y), cum.double(), 0.8, 2.0)
    np.testing.assert_allclose(new.counts.numpy(), cum.numpy())
    sm = torch.softmax(torch.tensor(x), 1)[torch.arange(12), torch.tensor(y)]
    assert bool((sm > 1e-2).all())  # mmdet's eps clamp inactive: the two must agree
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12)


def test_seesaw_departs_from_mmdetection_only_through_its_eps_clamp() -> None:
    """sigma_y < 1e-2: mmdet divides by 1e-2, the paper (and we) by sigma_y."""
    x = torch.tensor([[8.0, 0.0, 0.0]], dtype=torch.float64)
    y = torch.tensor([1])
    got, _ = al.seesaw_loss(x, y, p=0.0, reduction="none")
    mmdet = _seesaw_mmdet(x, y, torch.ones(3, dtype=torch.float64), 0.0, 2.0)
    # the paper: C = (sigma_0 / sigma_1)^2 = e^16 multiplies e^{x_0}
    paper = -np.log(1.0 / (1.0 + np.exp(16.0) * np.exp(8.0) + 1.0))
    np.testing.assert_allclose(got.item(), paper, rtol=1e-12)
    assert mmdet.item() < got.item() - 1.0


def test_seesaw_reduces_the_negative_gradient_on_rare_classes() -> None:
    """The mitigation factor: a head-class sample pushes a tail logit down less."""
    x = torch.zeros((1, 2), dtype=torch.float64, requires_grad=True)
    state = al.ClassStatistics(
        torch.tensor([999.0, 10.0], dtype=torch.float64), torch.zeros(2, dtype=torch.float64)
    )
    loss, _ = al.seesaw_loss(x, torch.tensor([0]), state)
    (g,) = torch.autograd.grad(loss, x)
    ce = torch.nn.functional.cross_entropy(x, torch.tensor([0]))
    (g_ce,) = torch.autograd.grad(ce, x)
    assert 0 < g[0, 1].item() < 0.1 * g_ce[0, 1].item()


# -- automated focal -----------------------------------------------------------------------


def test_automated_focal_gamma_follows_the_running_mean() -> None:
    x = np.log(np.array([[0.9, 0.1], [0.2, 0.8]]))
    y = np.array([0, 1])
    loss, st = al.automated_focal_loss(x, y)
    np.testing.assert_allclose(st.p_correct, 0.85)
    g = -np.log(0.85)
    want = np.mean([-(0.1**g) * np.log(0.9), -(0.2**g) * np.log(0.8)])
    np.testing.assert_allclose(loss, want, rtol=1e-12)
    _, st2 = al.automated_focal_loss(np.zeros((2, 2)), y, st)
    np.testing.assert_allclose(st2.p_correct, 0.95 * 0.85 + 0.05 * 0.5)
    # gamma -> 0 as the model becomes confident: the loss tends to cross-entropy
    sure = np.array([[9.0, -9.0]])
    loss, _ = al.automated_focal_loss(sure, np.array([0]))
    np.testing.assert_allclose(loss, al.cross_entropy(sure, np.array([0])), rtol=1e-6)


# -- ASL -----------------------------------------------------------------------------------


def _asl_authors(
    x: Any,
    y: Any,
    gamma_neg: float = 4,
    gamma_pos: float = 1,
    clip: float = 0.05,
    eps: float = 1e-8,
) -> Any:
    """Alibaba-MIIL/ASL ``AsymmetricLoss.forward`` (src/loss_functions/losses.py), transcribed."""
    x_sigmoid = torch.sigmoid(x)
    xs_pos = x_sigmoid
    xs_neg = 1 - x_sigmoid
    if clip is not None and clip > 0:
        xs_neg = (xs_neg + clip).clamp(max=1)
    los_pos = y * torch.log(xs_pos.clamp(min=eps))
    los_neg = (1 - y) * torch.log(xs_neg.clamp(min=eps))
    loss = los_pos + los_neg
    if gamma_neg > 0 or gamma_pos > 0:
        pt0 = xs_pos * y
        pt1 = xs_neg * (1 - y)
        pt = pt0 + pt1
        one_sided_gamma = gamma_pos * y + gamma_neg * (1 - y)
        one_sided_w = torch.pow(1 - pt, one_sided_gamma)
        loss *= one_sided_w
    return -loss.sum()


def test_asl_matches_the_authors_code_sum() -> None:
    rng = np.random.default_rng(4)
    x = 3.0 * rng.normal(size=(4, 7))
    y = (rng.uniform(size=(4, 7)) < 0.3).astype(np.float64)
    for gp, gn, clip in ((0.0, 4.0, 0.05), (1.0, 4.0, 0.05), (0.0, 2.0, 0.0)):
        want = _asl_authors(torch.tensor(x), torch.tensor(y), gn, gp, clip)
        got = al.asymmetric_loss(x, y, gamma_pos=gp, gamma_neg=gn, clip=clip, reduction="sum")
        np.testing.assert_allclose(got, want.item(), rtol=1e-10)


def test_asl_finite_at_saturated_logits_with_small_gamma() -> None:
    """The authors' eps clamp gives log(1e-8) = -18.4 at x = -40 for a positive; we give 40."""
    x = torch.tensor([[-40.0, 40.0, 40.0]], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([[1.0, 0.0, 1.0]], dtype=torch.float64)
    loss = al.asymmetric_loss(x, y, gamma_pos=0.5, gamma_neg=0.5, reduction="none")
    (g,) = torch.autograd.grad(loss.sum(), x)
    assert torch.isfinite(loss).all()
    assert torch.isfinite(g).all()
    np.testing.assert_allclose(loss[0, 0].item(), 40.0, rtol=1e-12)


# -- uncertainty weighting -----------------------------------------------------------------


def test_uncertainty_weighted_sum_learns_the_balance() -> None:
    """The optimum of (e^-s L + s)/2 over s is s = log L: the weights settle by themselves."""
    s = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    terms = torch.tensor([4.0, 0.25], dtype=torch.float64)
    opt = torch.optim.SGD([s], lr=0.5)
    for _ in range(300):
        opt.zero_grad()
        al.uncertainty_weighted_sum(terms, s).backward()
        opt.step()
    np.testing.assert_allclose(s.detach().numpy(), np.log([4.0, 0.25]), atol=1e-6)


def test_uncertainty_weighted_sum_with_combine_terms() -> None:
    x = np.random.default_rng(5).normal(size=(4, 3))
    y = np.array([0, 1, 2, 1])
    terms = [al.cross_entropy(x, y), al.focal_loss(x, y)]
    got = al.uncertainty_weighted_sum(terms, np.zeros(2))
    np.testing.assert_allclose(got, 0.5 * (terms[0] + terms[1]), rtol=1e-14)
    with pytest.raises(ValueError, match="log_variances"):
        al.uncertainty_weighted_sum(terms, np.zeros(3))


# -- state: jax.jit == eager over several steps; a torch training loop ----------------------


def _stream(steps: int = 4) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(6)
    out = []
    for _ in range(steps):
        y = rng.choice(3, size=(16,), p=[0.9, 0.09, 0.01])
        y[0] = -100
        out.append((rng.normal(size=(16, 3)), y))
    return out


@pytest.mark.parametrize("name", STATEFUL)
def test_state_under_jax_jit_equals_eager(name: str) -> None:
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    fn = getattr(al, name)
    init = (
        (lambda: al.class_statistics(3, like=jnp.zeros(1)))
        if name == "seesaw_loss"
        else (lambda: al.init_automated_focal(jnp.zeros(1)))
    )

    def step(x: Any, y: Any, state: Any) -> Any:
        return fn(x, y, state, ignore_index=-100)

    jitted = jax.jit(step)
    s_eager, s_jit = init(), init()
    for x, y in _stream():
        l_e, s_eager = step(jnp.asarray(x), jnp.asarray(y), s_eager)
        l_j, s_jit = jitted(jnp.asarray(x), jnp.asarray(y), s_jit)
        np.testing.assert_allclose(l_j, l_e, rtol=1e-12)
        for a, b in zip(s_jit, s_eager, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12)
    assert type(s_jit) is type(s_eager)  # the state stays the NamedTuple (a pytree)


def test_jax_jit_training_step_with_gradient() -> None:
    """The documented pattern: params and state in, (params, state) out, under jax.jit."""
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy

    @jax.jit
    def train_step(w: Any, state: Any, x: Any, y: Any) -> Any:
        def objective(w: Any) -> Any:
            return al.seesaw_loss(x @ w, y, state, ignore_index=-100)

        (loss, state), grad = jax.value_and_grad(objective, has_aux=True)(w)
        return w - 0.1 * grad, state, loss

    w = jnp.zeros((3, 3))
    state = al.class_statistics(3, like=w)
    for x, y in _stream():
        w, state, loss = train_step(w, state, jnp.asarray(x), jnp.asarray(y))
        assert np.isfinite(float(loss))
    counts = sum(np.bincount(y[y >= 0], minlength=3) for _, y in _stream())
    np.testing.assert_allclose(state.counts, counts)


@pytest.mark.parametrize("name", STATEFUL)
def test_torch_training_loop(name: str) -> None:
    """A linear model on a 97:3 stream: state carried by hand, loss falls, counts add up."""
    torch.manual_seed(0)
    rng = np.random.default_rng(7)
    model = torch.nn.Linear(2, 2).double()
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    fn = getattr(al, name)
    state = None
    losses = []
    seen = np.zeros(2)
    for _ in range(30):
        y = (rng.uniform(size=64) < 0.03).astype(np.int64)
        x = rng.normal(size=(64, 2)) + 2.0 * y[:, None]
        seen += np.bincount(y, minlength=2)
        loss, state = fn(model(torch.tensor(x)), torch.tensor(y), state)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert np.mean(losses[-5:]) < np.mean(losses[:5])
    assert not any(t.requires_grad for t in state)  # updated under stop-gradient
    if name == "seesaw_loss":
        np.testing.assert_allclose(state.counts.numpy(), seen)
