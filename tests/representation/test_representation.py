"""Representation losses: registry cases against the float64 reference on NumPy, torch and
JAX; the peers (torch, optax, pytorch-metric-learning); one test per known trap, each
showing the naive formula failing on the same input.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import arrayloss as al
from arrayloss.representation._cases import LOSSES
from representation.reference import REFERENCES

torch = pytest.importorskip("torch")
jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
jnp = jax.numpy

CASES = [(info, case) for info in LOSSES for case in info.cases()]


def _to(lib: str, x: Any) -> Any:
    if not hasattr(x, "shape"):
        return x
    return {"numpy": np.asarray, "torch": torch.as_tensor, "jax": jnp.asarray}[lib](x)


def test_every_loss_has_a_reference() -> None:
    assert {info.name for info in LOSSES} == set(REFERENCES)


@pytest.mark.parametrize("lib", ["numpy", "torch", "jax"])
@pytest.mark.parametrize(("info", "case"), CASES, ids=[f"{i.name}[{c.label}]" for i, c in CASES])
def test_registry_case_matches_reference(info: Any, case: Any, lib: str) -> None:
    args = [_to(lib, a) for a in case.args]
    kwargs = {k: _to(lib, v) for k, v in case.kwargs.items()}
    out = np.asarray(info.function(*args, **kwargs))
    want = REFERENCES[info.name](*case.args, **case.kwargs)
    np.testing.assert_allclose(out, want, rtol=1e-10, atol=1e-12)


# -- peers -------------------------------------------------------------------------------


@pytest.mark.parametrize("opts", [{}, {"p": 1.0, "swap": True}, {"p": 3.0, "margin": 0.5}])
def test_triplet_matches_torch(opts: dict[str, Any]) -> None:
    rng = np.random.default_rng(1)
    a, p, n = (torch.as_tensor(rng.normal(size=(6, 4))) for _ in range(3))
    want = torch.nn.functional.triplet_margin_loss(a, p, n, reduction="none", **opts)
    got = al.triplet_margin_loss(a, p, n, reduction="none", **opts)
    torch.testing.assert_close(got, want, rtol=1e-12, atol=1e-12)


def test_triplet_against_optax_differs_only_by_eps_placement() -> None:
    """optax adds eps to sum |x|^p (inside the root), torch and we to the difference; with
    eps=0 on both the values are equal."""
    optax = pytest.importorskip("optax")
    rng = np.random.default_rng(2)
    a, p, n = (rng.normal(size=(6, 4)) for _ in range(3))
    want = optax.losses.triplet_margin_loss(
        jnp.asarray(a), jnp.asarray(p), jnp.asarray(n), eps=0.0
    )
    got = al.triplet_margin_loss(
        jnp.asarray(a), jnp.asarray(p), jnp.asarray(n), eps=0.0, reduction="none"
    )
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-12)


@pytest.mark.parametrize("margin", [0.0, 0.3, -0.2])
def test_cosine_embedding_matches_torch(margin: float) -> None:
    rng = np.random.default_rng(3)
    a, b = (torch.as_tensor(rng.normal(size=(7, 5))) for _ in range(2))
    y = torch.as_tensor([1, -1, 1, -1, -1, 1, -1])
    want = torch.nn.functional.cosine_embedding_loss(a, b, y, margin=margin, reduction="none")
    got = al.cosine_embedding_loss(a, b, y, margin=margin, reduction="none")
    torch.testing.assert_close(got, want, rtol=1e-12, atol=1e-12)


def test_nt_xent_matches_optax_on_simclr_pairs() -> None:
    optax = pytest.importorskip("optax")
    rng = np.random.default_rng(4)
    z = rng.normal(size=(8, 5))
    labels = np.arange(8) % 4
    want = optax.losses.ntxent(jnp.asarray(z), jnp.asarray(labels), temperature=0.3)
    got = al.nt_xent(jnp.asarray(z), temperature=0.3)
    np.testing.assert_allclose(float(got), float(want), rtol=1e-10)


def test_supcon_matches_pytorch_metric_learning() -> None:
    """PML's SupConLoss with one view per row and tau = base_tau."""
    losses = pytest.importorskip("pytorch_metric_learning.losses")
    rng = np.random.default_rng(5)
    z = torch.as_tensor(rng.normal(size=(10, 4)))
    y = torch.as_tensor([0, 1, 0, 2, 1, 0, 3, 2, 1, 4])  # 3 and 4: no positive
    want = losses.SupConLoss(temperature=0.2)(z, y)
    got = al.supcon_loss(z[:, None, :], y, temperature=0.2, base_temperature=0.2)
    torch.testing.assert_close(got, want, rtol=1e-10, atol=1e-12)


def _pml() -> Any:
    pml = pytest.importorskip("pytorch_metric_learning")
    from pytorch_metric_learning import distances, losses, miners, reducers

    del pml
    # raw Euclidean distances (PML normalises embeddings by default)
    return losses, miners, reducers, distances.LpDistance(normalize_embeddings=False)


def test_batch_triplets_match_pytorch_metric_learning() -> None:
    """Batch-hard = PML's BatchHardMiner + TripletMarginLoss, batch-all = TripletMarginLoss
    over all triplets, both with MeanReducer. PML's default AvgNonZeroReducer averages
    over the active triplets only (Hermans' "batch all" variant), a different mean."""
    losses, miners, reducers, dist = _pml()
    rng = np.random.default_rng(8)
    z = torch.as_tensor(rng.normal(size=(10, 4)))
    y = torch.as_tensor([0, 1, 0, 2, 1, 0, 3, 2, 1, 4])  # 3 and 4: no positive
    loss = losses.TripletMarginLoss(margin=0.2, distance=dist, reducer=reducers.MeanReducer())
    hard = miners.BatchHardMiner(distance=dist)(z, y)
    torch.testing.assert_close(
        al.batch_hard_triplet_loss(z, y, margin=0.2), loss(z, y, hard), rtol=1e-10, atol=1e-12
    )
    torch.testing.assert_close(
        al.batch_all_triplet_loss(z, y, margin=0.2), loss(z, y), rtol=1e-10, atol=1e-12
    )
    # soft margin: PML's smooth_loss is softplus(d_ap - d_an + margin), Hermans' has no
    # margin; equal at margin 0
    smooth = losses.TripletMarginLoss(
        margin=0.0, distance=dist, smooth_loss=True, reducer=reducers.MeanReducer()
    )
    torch.testing.assert_close(
        al.batch_hard_triplet_loss(z, y, soft=True), smooth(z, y, hard), rtol=1e-10, atol=1e-12
    )


def test_nt_xent_matches_pytorch_metric_learning() -> None:
    losses, *_ = _pml()
    rng = np.random.default_rng(9)
    z = torch.as_tensor(rng.normal(size=(8, 5)))
    want = losses.NTXentLoss(temperature=0.3)(z, torch.arange(8) % 4)
    torch.testing.assert_close(al.nt_xent(z, temperature=0.3), want, rtol=1e-10, atol=1e-12)


# -- traps: each fails on the naive formula ----------------------------------------------


def test_supcon_anchor_without_positive_is_left_out_not_nan() -> None:
    z = np.array([[[1.0, 0.0]], [[0.8, 0.6]], [[0.0, 1.0]]])
    y = np.array([0, 0, 1])  # anchor 2 has no positive
    # the authors' code: sum(mask * log_prob) / mask.sum(1) -> 0/0 at anchor 2
    f = z[:, 0]
    s = f @ f.T / 0.07
    np.fill_diagonal(s, -np.inf)
    logp = s - np.log(np.exp(s).sum(1, keepdims=True))
    mask = (y[:, None] == y[None]) & ~np.eye(3, dtype=bool)
    with np.errstate(invalid="ignore"):
        naive = -(np.where(mask, logp, 0).sum(1) / mask.sum(1)).mean()
    assert np.isnan(naive)
    got = al.supcon_loss(z, y)
    want = REFERENCES["supcon_loss"](z, y)
    assert np.isfinite(got)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    # and 0 is not pulled into the mean: the two anchors with a positive, averaged
    per = al.supcon_loss(z, y, reduction="none")
    np.testing.assert_allclose(got, per[:2].mean(), rtol=1e-12)
    zt = torch.tensor(z, requires_grad=True)
    al.supcon_loss(zt, torch.as_tensor(y)).backward()
    assert torch.isfinite(zt.grad).all()


def test_batch_hard_gradient_finite_at_zero_distance() -> None:
    x = torch.tensor([[1.0, 2.0], [1.0, 2.0], [3.0, 0.0], [0.5, 0.5]], requires_grad=True)
    y = torch.tensor([0, 0, 1, 1])
    # naive: sqrt of the squared difference, d/dx sqrt at 0 times 0 = NaN
    d = ((x[:, None] - x[None]) ** 2).sum(-1).sqrt()
    d[0, 1].backward()
    assert torch.isnan(x.grad).any()
    x.grad = None
    for fn in (al.batch_hard_triplet_loss, al.batch_all_triplet_loss):
        fn(x, y, margin=5.0).backward()
        assert torch.isfinite(x.grad).all()
        x.grad = None
    jx = jnp.asarray(x.detach().numpy(), dtype=jnp.float64)
    g = jax.grad(lambda e: al.batch_hard_triplet_loss(e, jnp.asarray([0, 0, 1, 1]), margin=5.0))(
        jx
    )
    assert np.isfinite(np.asarray(g)).all()


def test_batch_hard_anchor_without_positive_is_left_out() -> None:
    """The usual masked batch-hard (TF Addons' form: hardest positive as the max of
    ``d * mask``) gives an anchor with no positive a hardest-positive distance of 0 and
    a spurious hinge term ``max(0, m - d_an)`` in the mean; ours leaves it out."""
    x = np.array([[0.0, 0.0], [0.1, 0.0], [0.5, 0.0], [3.0, 0.0]])
    y = np.array([0, 0, 1, 2])  # anchors 2 and 3: no positive
    d = np.linalg.norm(x[:, None] - x[None], axis=-1)
    same = y[:, None] == y[None]
    pos = same & ~np.eye(4, dtype=bool)
    hardest_pos = (d * pos).max(1)
    nearest_neg = np.where(same, np.inf, d).min(1)
    naive = np.maximum(0.0, 1.0 + hardest_pos - nearest_neg).mean()
    got = float(al.batch_hard_triplet_loss(x, y, margin=1.0))
    want = REFERENCES["batch_hard_triplet_loss"](x, y, margin=1.0)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    np.testing.assert_allclose(got, (1.0 + 0.1 - 0.4 + 1.0 + 0.1 - 0.5) / 2, rtol=1e-12)
    assert abs(naive - got) > 0.1


def test_contrastive_gradient_finite_for_a_collapsed_dissimilar_pair() -> None:
    a = torch.zeros(1, 3, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, 3, dtype=torch.float64)
    naive = (0.5 * torch.clamp(1.0 - (a - b).pow(2).sum(-1).sqrt(), min=0) ** 2).sum()
    naive.backward()
    assert torch.isnan(a.grad).any()
    a.grad = None
    loss = al.contrastive_loss(a, b, torch.tensor([0]))
    loss.backward()
    assert float(loss) == 0.5
    assert torch.isfinite(a.grad).all()


@pytest.mark.parametrize("c", [1.0, -1.0])
def test_arcface_value_and_gradient_finite_at_unit_cosine(c: float) -> None:
    cos = torch.tensor([[c, 0.2]], dtype=torch.float64, requires_grad=True)
    naive = torch.cos(torch.acos(cos[0, 0]) + 0.5)
    naive.backward()
    assert not torch.isfinite(cos.grad).all()
    cos.grad = None
    out = al.margin_softmax_logits(cos, torch.tensor([0]), scale=1.0)
    out.sum().backward()
    assert torch.isfinite(out).all()
    assert torch.isfinite(cos.grad).all()
    np.testing.assert_allclose(float(out[0, 0]), math.cos(math.acos(c) + 0.5), rtol=1e-12)


@pytest.mark.parametrize("c", [1.0, -1.0])
@pytest.mark.parametrize(
    ("margins", "slope"),
    [({"m2": 0.0}, 1.0), ({"m2": 0.0, "m3": 0.35}, 1.0), ({"m2": 0.5}, math.cos(0.5))],
    ids=["softmax", "cosface", "arcface"],
)
def test_margin_gradient_at_unit_cosine(c: float, margins: dict[str, float], slope: float) -> None:
    """Softmax and CosFace are affine in the cosine: gradient exactly s at |cos| = 1 too.
    ``jnp.clip`` would give s/2 there (its min/max split a tie's gradient), atan2 of a
    safe square root 0; ArcFace's true slope is infinite there and we give s cos(m2)."""
    assert float(jax.grad(lambda x: 64.0 * jnp.clip(x, -1.0, 1.0))(c)) == 32.0
    cos = torch.tensor([[c, 0.2]], dtype=torch.float64, requires_grad=True)
    out = al.margin_softmax_logits(cos, torch.tensor([0]), **margins)
    (g,) = torch.autograd.grad(out[0, 0], cos)
    np.testing.assert_allclose(float(g[0, 0]), 64.0 * slope, rtol=1e-12)
    jg = jax.grad(lambda x: al.margin_softmax_logits(x, jnp.asarray([0]), **margins)[0, 0])(
        jnp.asarray([[c, 0.2]])
    )
    np.testing.assert_allclose(float(jg[0, 0]), 64.0 * slope, rtol=1e-12)


def test_arcface_against_insightface_straight_through() -> None:
    """insightface's arcface_torch takes arccos, adds m and takes cos under no_grad: the
    same logits, but the gradient of ``s * cos`` (s) instead of the derivative of the
    value, ``s sin(theta + m) / sin(theta)``. Transcribed from its description; ours is
    the derivative (checked against the float64 chain rule)."""
    c0 = 0.3
    cos = torch.tensor([[c0, -0.1]], dtype=torch.float64, requires_grad=True)
    logits = cos.clone()
    with torch.no_grad():
        logits.arccos_()
        logits[0, 0] += 0.5
        logits.cos_()
    theirs = logits * 64.0
    ours = al.margin_softmax_logits(cos, torch.tensor([0]))
    torch.testing.assert_close(ours, theirs, rtol=1e-12, atol=1e-12)
    (g_theirs,) = torch.autograd.grad(theirs[0, 0], cos)
    (g_ours,) = torch.autograd.grad(ours[0, 0], cos)
    theta = math.acos(c0)
    assert float(g_theirs[0, 0]) == 64.0
    np.testing.assert_allclose(
        float(g_ours[0, 0]), 64.0 * math.sin(theta + 0.5) / math.sin(theta), rtol=1e-12
    )


@pytest.mark.parametrize("name", ["info_nce", "nt_xent"])
def test_small_temperature_stays_finite_in_float32(name: str) -> None:
    """MONAI's ContrastiveLoss takes exp(sim / tau) unshifted: e^(1/0.005) = e^200
    overflows float32 (max ~e^88.7)."""
    rng = np.random.default_rng(6)
    z = rng.normal(size=(6, 4))
    tau = 0.005
    u = z / np.linalg.norm(z, axis=1, keepdims=True)
    with np.errstate(over="ignore"):
        naive = np.exp((u @ u.T).astype(np.float32) / np.float32(tau))
    assert not np.isfinite(naive).all()
    z32 = torch.as_tensor(z, dtype=torch.float32)
    if name == "info_nce":
        got = al.info_nce(z32, z32 + 0.1, temperature=tau)
        want = REFERENCES["info_nce"](z, z + 0.1, temperature=tau)
    else:
        got = al.nt_xent(z32, temperature=tau)
        want = REFERENCES["nt_xent"](z, temperature=tau)
    assert torch.isfinite(got)
    # float32 cosines carry ~6e-8 error, i.e. ~1.2e-5 per logit after 1/tau = 200
    np.testing.assert_allclose(float(got), want, rtol=1e-4, atol=1e-4)


def test_nt_xent_no_matching_pair_is_zero_not_nan() -> None:
    optax = pytest.importorskip("optax")
    rng = np.random.default_rng(7)
    z = rng.normal(size=(4, 3))
    labels = np.arange(4)  # no two rows match
    naive = optax.losses.ntxent(jnp.asarray(z), jnp.asarray(labels))
    assert np.isnan(float(naive))
    val, grad = jax.value_and_grad(lambda e: al.nt_xent(e, labels=jnp.asarray(labels)))(
        jnp.asarray(z)
    )
    assert float(val) == 0.0
    assert np.all(np.asarray(grad) == 0)


# -- hand-derived values -----------------------------------------------------------------


def test_hand_values() -> None:
    e = np.eye(2)
    assert np.isclose(float(al.info_nce(e, e, temperature=1.0)), math.log1p(math.exp(-1)))
    assert np.isclose(float(al.clip_loss(e, e, logit_scale=0.0)), math.log1p(math.exp(-1)))
    cosface = al.margin_softmax_logits(
        np.array([[0.5, 0.1]]), np.array([0]), scale=2.0, m2=0.0, m3=0.35
    )
    np.testing.assert_allclose(cosface, [[2 * (0.5 - 0.35), 0.2]], rtol=1e-12)
    sphere = al.margin_softmax_logits(
        np.array([[0.5, 0.1]]), np.array([0]), scale=1.0, m1=2.0, m2=0.0
    )
    np.testing.assert_allclose(sphere[0, 0], math.cos(2 * math.pi / 3), rtol=1e-12)
