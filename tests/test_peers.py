"""Parity with peer libraries, each on its own backend and in float64 where it allows.

Peers: ``torch.nn.functional`` (cross-entropy, BCE, Huber, MSE), optax (sigmoid focal),
kornia (binary and softmax focal), MONAI (softmax focal, Dice). Each peer is imported
with ``pytest.importorskip`` so the suite passes without it.

Where a peer's convention differs from ours the test maps one onto the other and the
comment says why the mapping is right (from the peer's source, read in the venv) or,
for a deliberate difference, why ours is the one we keep.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import arrayloss as al

pytestmark = pytest.mark.peer

torch = pytest.importorskip("torch")
F = torch.nn.functional

REDUCTIONS = ("mean", "sum", "none")
RTOL = 1e-12  # float64 against float64: both sides are a handful of ops from exact
ATOL = 1e-12


def _t(a: Any, dtype: Any = None) -> Any:
    """NumPy data as a torch tensor (float64 unless told, integers kept)."""
    arr = np.asarray(a)
    t = torch.from_numpy(np.ascontiguousarray(arr))
    if dtype is not None:
        return t.to(dtype)
    return t.double() if arr.dtype.kind == "f" else t


def _np(t: Any) -> np.ndarray:
    return np.asarray(t.detach().cpu().numpy())


def _close(ours: Any, theirs: Any, *, rtol: float = RTOL, atol: float = ATOL) -> None:
    o, p = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    assert o.shape == p.shape, (o.shape, p.shape)
    np.testing.assert_allclose(o, p, rtol=rtol, atol=atol)


def _grad(fn: Any, x: Any) -> tuple[Any, Any]:
    """Value of ``fn(x)`` (summed if not scalar) and its gradient w.r.t. ``x``."""
    x = x.detach().clone().requires_grad_(True)
    out = fn(x)
    (g,) = torch.autograd.grad(out.sum(), x)
    return out.detach(), g


# ---------------------------------------------------------------------------
# cross_entropy vs torch.nn.functional.cross_entropy
# ---------------------------------------------------------------------------

N, C, H, W = 4, 5, 3, 2

CE_CASES = {
    "plain": {},
    "class_weights": {"cw": True},
    "ignore_-100": {"ignore": -100},
    "ignore_in_range": {"ignore": 2},
    "ignore_and_weights": {"ignore": 1, "cw": True},
    "smoothing": {"eps": 0.2},
    "smoothing_weights": {"eps": 0.15, "cw": True},
    "smoothing_weights_ignore": {"eps": 0.3, "cw": True, "ignore": -100},
    "probs": {"probs": True},
    "probs_weights": {"probs": True, "cw": True},
    "probs_smoothing": {"probs": True, "eps": 0.25},
    "probs_smoothing_weights": {"probs": True, "eps": 0.1, "cw": True},
}


def _ce_data(case: dict[str, Any], layout: str, seed: int = 0) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    shape = (N, C) if layout == "NC" else (N, C, H, W)
    logits = rng.normal(scale=3.0, size=shape)
    index_shape = (shape[0], *shape[2:])
    if case.get("probs"):
        raw = rng.random(shape)
        labels = raw / raw.sum(axis=1, keepdims=True)
    else:
        labels = rng.integers(0, C, size=index_shape)
        if "ignore" in case:
            drop = rng.random(index_shape) < 0.3
            drop.flat[0] = True  # at least one ignored, at least one kept
            drop.flat[-1] = False
            labels = np.where(drop, case["ignore"], labels)
    cw = rng.uniform(0.2, 3.0, size=C) if case.get("cw") else None
    return {"logits": logits, "labels": labels, "cw": cw}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("layout", ["NC", "NCHW"])
@pytest.mark.parametrize("case", list(CE_CASES), ids=list(CE_CASES))
def test_cross_entropy_matches_torch(case: str, layout: str, reduction: str) -> None:
    cfg = CE_CASES[case]
    d = _ce_data(cfg, layout)
    cw = None if d["cw"] is None else _t(d["cw"])
    eps = cfg.get("eps", 0.0)
    ignore = cfg.get("ignore")

    def ours(x: Any) -> Any:
        return al.cross_entropy(
            x,
            _t(d["labels"]),
            axis=1,
            class_weights=cw,
            ignore_index=ignore,
            label_smoothing=eps,
            reduction=reduction,
        )

    def theirs(x: Any) -> Any:
        return F.cross_entropy(
            x,
            _t(d["labels"]),
            weight=cw,
            ignore_index=-100 if ignore is None else ignore,
            label_smoothing=eps,
            reduction=reduction,
        )

    v_ours, g_ours = _grad(ours, _t(d["logits"]))
    v_theirs, g_theirs = _grad(theirs, _t(d["logits"]))
    assert v_ours.dtype == torch.float64
    _close(_np(v_ours), _np(v_theirs))
    _close(_np(g_ours), _np(g_theirs))


def test_cross_entropy_channels_last_matches_torch_channels_first() -> None:
    # Our default axis=-1 on an (N, H, W, C) array is torch's (N, C, H, W) layout moved.
    d = _ce_data({"cw": True, "ignore": -100, "eps": 0.1}, "NCHW", seed=3)
    x = _t(d["logits"])
    ours = al.cross_entropy(
        x.permute(0, 2, 3, 1),
        _t(d["labels"]),
        class_weights=_t(d["cw"]),
        ignore_index=-100,
        label_smoothing=0.1,
        reduction="none",
    )
    theirs = F.cross_entropy(
        x, _t(d["labels"]), weight=_t(d["cw"]), label_smoothing=0.1, reduction="none"
    )
    _close(_np(ours), _np(theirs))


def test_cross_entropy_all_ignored_is_zero_where_torch_gives_nan() -> None:
    # Deliberate difference (CONVENTIONS section 4, pytorch #70348): torch's "mean" is
    # sum / sum(w[y]) over kept positions = 0/0 = NaN when every label is ignored, which
    # poisons a whole training step (e.g. a crop with only padding). Ours is 0 with a
    # zero gradient. "sum" and "none" agree.
    rng = np.random.default_rng(1)
    logits = _t(rng.normal(size=(3, C, 2)))
    labels = _t(np.full((3, 2), -100))
    theirs = F.cross_entropy(logits, labels, reduction="mean")
    assert torch.isnan(theirs), "torch fixed #70348: revisit this note"
    v, g = _grad(lambda x: al.cross_entropy(x, labels, axis=1, ignore_index=-100), logits)
    assert float(v) == 0.0
    assert torch.all(g == 0)
    for reduction in ("sum", "none"):
        ours = al.cross_entropy(logits, labels, axis=1, ignore_index=-100, reduction=reduction)
        _close(_np(ours), _np(F.cross_entropy(logits, labels, reduction=reduction)))


# ---------------------------------------------------------------------------
# binary_cross_entropy vs F.binary_cross_entropy(_with_logits)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("pos_weight", [None, "scalar", "per_class"])
@pytest.mark.parametrize("soft", [False, True], ids=["hard", "soft"])
def test_bce_with_logits_matches_torch(pos_weight: str | None, soft: bool, reduction: str) -> None:
    rng = np.random.default_rng(2)
    logits = rng.normal(scale=4.0, size=(6, 3))
    labels = rng.random((6, 3)) if soft else rng.integers(0, 2, size=(6, 3)).astype(float)
    weights = rng.uniform(0.5, 2.0, size=(6, 3))
    pw_ours: Any
    if pos_weight == "scalar":
        pw_ours, pw_torch = 3.0, _t(np.array(3.0))
    elif pos_weight == "per_class":
        pw_ours = pw_torch = _t(np.array([0.5, 2.0, 7.0]))
    else:
        pw_ours = pw_torch = None

    v_ours, g_ours = _grad(
        lambda x: al.binary_cross_entropy(x, _t(labels), pos_weight=pw_ours, reduction=reduction),
        _t(logits),
    )
    v_theirs, g_theirs = _grad(
        lambda x: F.binary_cross_entropy_with_logits(
            x, _t(labels), pos_weight=pw_torch, reduction=reduction
        ),
        _t(logits),
    )
    _close(_np(v_ours), _np(v_theirs))
    _close(_np(g_ours), _np(g_theirs))
    # torch's ``weight`` is a per-element multiplier; its "mean" divides by the element
    # count, ours by sum(w) (CONVENTIONS section 4), so compare "sum" and "none" only.
    if reduction != "mean":
        ours_w = al.binary_cross_entropy(
            _t(logits), _t(labels), pos_weight=pw_ours, weights=_t(weights), reduction=reduction
        )
        theirs_w = F.binary_cross_entropy_with_logits(
            _t(logits), _t(labels), weight=_t(weights), pos_weight=pw_torch, reduction=reduction
        )
        _close(_np(ours_w), _np(theirs_w))


def test_bce_label_smoothing_matches_torch_on_smoothed_targets() -> None:
    # torch has no BCE label smoothing; ours is y' = (1 - eps) y + eps / 2, so torch on y'
    # is the reference (pos_weight applies to the smoothed positive term in both).
    rng = np.random.default_rng(4)
    logits, labels = rng.normal(size=(5, 4)), rng.integers(0, 2, size=(5, 4)).astype(float)
    eps = 0.2
    ours = al.binary_cross_entropy(
        _t(logits), _t(labels), label_smoothing=eps, pos_weight=2.5, reduction="none"
    )
    theirs = F.binary_cross_entropy_with_logits(
        _t(logits),
        _t((1 - eps) * labels + eps / 2),
        pos_weight=_t(np.array(2.5)),
        reduction="none",
    )
    _close(_np(ours), _np(theirs))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_probabilities_match_torch_including_0_and_1(reduction: str) -> None:
    # Both clamp each log at -100, so p in {0, 1} with either label stays finite.
    probs = np.array([0.0, 1.0, 0.0, 1.0, 0.3, 0.9, 1e-30, 1 - 1e-12, 0.5])
    labels = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.25])
    ours = al.binary_cross_entropy(_t(probs), _t(labels), from_logits=False, reduction=reduction)
    theirs = F.binary_cross_entropy(_t(probs), _t(labels), reduction=reduction)
    assert np.all(np.isfinite(_np(ours)))
    _close(_np(ours), _np(theirs))
    # Gradients agree away from the boundary. At p in {0, 1} (and within ~1e-12 of them)
    # torch's backward divides by max(p (1 - p), 1e-12) while ours differentiates the
    # clamped log (zero gradient where the clamp is active): both finite, see
    # test_numerics, but not equal.
    inner_p = np.array([0.3, 0.9, 0.5, 0.01, 0.999])
    inner_y = np.array([1.0, 0.0, 0.25, 1.0, 0.0])
    g_ours = _grad(
        lambda p: al.binary_cross_entropy(p, _t(inner_y), from_logits=False, reduction=reduction),
        _t(inner_p),
    )[1]
    g_theirs = _grad(
        lambda p: F.binary_cross_entropy(p, _t(inner_y), reduction=reduction), _t(inner_p)
    )[1]
    _close(_np(g_ours), _np(g_theirs))


# ---------------------------------------------------------------------------
# regression
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("delta", [1e-3, 0.5, 1.0, 2.7, 100.0])
def test_huber_matches_torch(delta: float, reduction: str) -> None:
    rng = np.random.default_rng(5)
    preds = rng.normal(scale=3.0, size=(7, 3))
    targets = rng.normal(size=(7, 3))
    targets[0, 0] = preds[0, 0] - delta  # exactly at the kink
    targets[0, 1] = preds[0, 1] + delta
    v_o, g_o = _grad(
        lambda x: al.huber_loss(x, _t(targets), delta=delta, reduction=reduction), _t(preds)
    )
    v_t, g_t = _grad(
        lambda x: F.huber_loss(x, _t(targets), delta=delta, reduction=reduction), _t(preds)
    )
    _close(_np(v_o), _np(v_t))
    _close(_np(g_o), _np(g_t))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_matches_torch(reduction: str) -> None:
    rng = np.random.default_rng(6)
    preds, targets = rng.normal(size=(4, 3, 2)), rng.normal(size=(4, 3, 2))
    v_o, g_o = _grad(lambda x: al.mse_loss(x, _t(targets), reduction=reduction), _t(preds))
    v_t, g_t = _grad(lambda x: F.mse_loss(x, _t(targets), reduction=reduction), _t(preds))
    _close(_np(v_o), _np(v_t))
    _close(_np(g_o), _np(g_t))


# ---------------------------------------------------------------------------
# binary_focal_loss vs optax and kornia
# ---------------------------------------------------------------------------


def _jax_x64() -> tuple[Any, Any]:
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    return jax, jnp


@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 3.5])
@pytest.mark.parametrize("alpha", [None, 0.25, 0.8])
@pytest.mark.parametrize("soft", [False, True], ids=["hard", "soft"])
def test_binary_focal_matches_optax(alpha: float | None, gamma: float, soft: bool) -> None:
    optax = pytest.importorskip("optax")
    jax, jnp = _jax_x64()
    rng = np.random.default_rng(7)
    logits = rng.normal(scale=4.0, size=(8, 3))
    labels = rng.random((8, 3)) if soft else rng.integers(0, 2, size=(8, 3)).astype(float)
    x, y = jnp.asarray(logits), jnp.asarray(labels)

    def ours(z: Any) -> Any:
        return al.binary_focal_loss(z, y, gamma=gamma, alpha=alpha, reduction="none")

    def theirs(z: Any) -> Any:
        return optax.losses.sigmoid_focal_loss(z, y, alpha=alpha, gamma=gamma)

    o, t = ours(x), theirs(x)
    assert o.dtype == jnp.float64
    _close(o, t)
    _close(
        al.binary_focal_loss(x, y, gamma=gamma, alpha=alpha), jnp.mean(t)
    )  # "mean" is optax's elementwise loss averaged
    g_o = jax.grad(lambda z: jnp.sum(ours(z)))(x)
    g_t = jax.grad(lambda z: jnp.sum(theirs(z)))(x)
    _close(g_o, g_t, rtol=1e-10, atol=1e-13)


def test_binary_focal_default_alpha_differs_from_optax() -> None:
    # Ours defaults to the paper's alpha=0.25 (RetinaNet, torchvision, kornia); optax
    # defaults to alpha=None (no balancing). Same result once alpha is spelled out.
    optax = pytest.importorskip("optax")
    _, jnp = _jax_x64()
    x = jnp.asarray([-3.0, -0.5, 0.0, 1.5, 6.0])
    y = jnp.asarray([1.0, 0.0, 1.0, 0.0, 1.0])
    ours = al.binary_focal_loss(x, y, reduction="none")
    _close(ours, optax.losses.sigmoid_focal_loss(x, y, alpha=0.25))
    assert not np.allclose(np.asarray(ours), np.asarray(optax.losses.sigmoid_focal_loss(x, y)))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("alpha", "gamma"), [(0.25, 2.0), (None, 2.0), (0.6, 0.5), (0.25, 0.0)])
def test_binary_focal_matches_kornia(alpha: float | None, gamma: float, reduction: str) -> None:
    # kornia.losses.binary_focal_loss_with_logits(pred, target, alpha, gamma, reduction):
    # pred (B, C, *) elementwise logits, target same shape; alpha weights positives,
    # 1 - alpha negatives, None disables (as ours). Its "mean"/"sum" are torch.mean/sum
    # over every element, ours too (no weights). Its default reduction is "none".
    # Mapping is exact for hard {0, 1} targets only: for a soft target t kornia weights
    # the two terms separately, t*a*(1-p)^g*(-log p) + (1-t)*(1-a)*p^g*(-log(1-p)),
    # whereas ours (and optax) use one modulating factor (1 - p_t)^g with
    # 1 - p_t = t(1-p) + (1-t)p, i.e. the focal factor of the cross-entropy against the
    # soft target; both reduce to the paper's formula at t in {0, 1}.
    kornia = pytest.importorskip("kornia")
    rng = np.random.default_rng(8)
    logits = rng.normal(scale=3.0, size=(3, 4, 5))
    labels = rng.integers(0, 2, size=(3, 4, 5)).astype(float)
    v_o, g_o = _grad(
        lambda x: al.binary_focal_loss(
            x, _t(labels), alpha=alpha, gamma=gamma, reduction=reduction
        ),
        _t(logits),
    )
    v_t, g_t = _grad(
        lambda x: kornia.losses.binary_focal_loss_with_logits(
            x, _t(labels), alpha=alpha, gamma=gamma, reduction=reduction
        ),
        _t(logits),
    )
    _close(_np(v_o), _np(v_t))
    _close(_np(g_o), _np(g_t), rtol=1e-10, atol=1e-13)


def test_binary_focal_kornia_class_weight_is_our_weights() -> None:
    # kornia's weight (C,) multiplies channel c along dim 1: our weights of shape (C, 1)
    # broadcast the same way. kornia's "mean" stays an element mean, ours is sum(w l)/sum(w),
    # so compare "sum" (and "none").
    kornia = pytest.importorskip("kornia")
    rng = np.random.default_rng(9)
    logits = rng.normal(size=(2, 3, 4))
    labels = rng.integers(0, 2, size=(2, 3, 4)).astype(float)
    w = np.array([0.3, 1.0, 4.0])
    for reduction in ("sum", "none"):
        ours = al.binary_focal_loss(
            _t(logits), _t(labels), weights=_t(w[:, None]), reduction=reduction
        )
        theirs = kornia.losses.binary_focal_loss_with_logits(
            _t(logits), _t(labels), alpha=0.25, gamma=2.0, weight=_t(w), reduction=reduction
        )
        _close(_np(ours), _np(theirs))


# ---------------------------------------------------------------------------
# focal_loss (softmax) vs kornia and MONAI
# ---------------------------------------------------------------------------


def _scalar_alpha_as_vector(a: float, num_classes: int) -> np.ndarray:
    """kornia's and MONAI's scalar softmax alpha: 1 - a for class 0, a for the others."""
    return np.array([1.0 - a] + [a] * (num_classes - 1))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    ("alpha", "gamma", "ignore"),
    [(None, 2.0, None), (0.25, 2.0, None), (0.7, 0.5, None), (None, 1.5, -100), (0.4, 2.0, 3)],
)
def test_focal_matches_kornia(
    alpha: float | None, gamma: float, ignore: int | None, reduction: str
) -> None:
    # kornia.losses.focal_loss(pred (B,C,*), target (B,*), alpha, gamma, reduction, weight,
    # ignore_index=-100). Mapping (kornia 0.9 source, losses/focal.py):
    #  * alpha is a scalar: class 0 gets 1 - alpha, every other class alpha. Ours is one
    #    weight per class (CONVENTIONS section 5), so kornia's a is ours [1-a, a, ..., a].
    #  * "none" is a (B, C, *) map that is 0 off the target class: its sum over dim 1 is
    #    our "none" (class axis removed).
    #  * "mean" divides by B*C*(spatial): C times ours, which averages positions.
    #  * ignored pixels stay in kornia's "mean" denominator; ours drops them (as torch's
    #    cross_entropy), so with ignore_index ours = kornia "sum" / number kept.
    kornia = pytest.importorskip("kornia")
    rng = np.random.default_rng(10)
    logits = rng.normal(scale=2.5, size=(3, C, 4, 2))
    labels = rng.integers(0, C, size=(3, 4, 2))
    kornia_ignore = -100 if ignore is None else ignore
    if ignore is not None:
        labels[0, 0, 0] = labels[2, 1, 1] = ignore
    kept = np.sum(labels != kornia_ignore)
    alpha_vec = None if alpha is None else _t(_scalar_alpha_as_vector(alpha, C))

    def ours(x: Any) -> Any:
        return al.focal_loss(
            x,
            _t(labels),
            gamma=gamma,
            alpha=alpha_vec,
            axis=1,
            ignore_index=ignore,
            reduction=reduction,
        )

    def theirs(x: Any) -> Any:
        out = kornia.losses.focal_loss(
            x,
            _t(labels),
            alpha,
            gamma,
            reduction="sum" if reduction == "mean" else reduction,
            ignore_index=kornia_ignore,
        )
        if reduction == "none":
            return out.sum(dim=1)
        if reduction == "mean":
            return out / kept
        return out

    v_o, g_o = _grad(ours, _t(logits))
    v_t, g_t = _grad(theirs, _t(logits))
    _close(_np(v_o), _np(v_t))
    _close(_np(g_o), _np(g_t), rtol=1e-10, atol=1e-13)
    if reduction == "mean" and ignore is None:
        # and kornia's own "mean" is ours / C
        k_mean = kornia.losses.focal_loss(_t(logits), _t(labels), alpha, gamma, reduction="mean")
        _close(_np(v_o) / C, _np(k_mean))


def test_focal_kornia_weight_is_a_per_class_alpha() -> None:
    # kornia's weight (C,) multiplies class c's slice without normalizing the mean: the
    # same as our per-class alpha (which, unlike cross_entropy's class_weights, does not
    # enter the denominator). kornia's alpha and weight compose by product.
    kornia = pytest.importorskip("kornia")
    rng = np.random.default_rng(11)
    logits, labels = rng.normal(size=(6, C)), rng.integers(0, C, size=6)
    w = rng.uniform(0.1, 2.0, size=C)
    ours = al.focal_loss(
        _t(logits), _t(labels), alpha=_t(w * _scalar_alpha_as_vector(0.3, C)), reduction="sum"
    )
    theirs = kornia.losses.focal_loss(
        _t(logits), _t(labels), 0.3, 2.0, reduction="sum", weight=_t(w)
    )
    _close(_np(ours), _np(theirs))


def test_focal_gamma0_is_cross_entropy_and_kornia_binary_identity() -> None:
    # Two hand-checkable identities the peers document: gamma=0 is torch's cross-entropy;
    # with C=2, kornia's softmax focal equals its binary focal on the logit difference.
    kornia = pytest.importorskip("kornia")
    rng = np.random.default_rng(12)
    logits, labels = rng.normal(scale=3.0, size=(7, 2)), rng.integers(0, 2, size=7)
    ce = F.cross_entropy(_t(logits), _t(labels), reduction="none")
    _close(_np(al.focal_loss(_t(logits), _t(labels), gamma=0.0, reduction="none")), _np(ce))
    diff = logits[:, 1:] - logits[:, :1]
    binary = al.binary_focal_loss(
        _t(diff), _t(labels[:, None].astype(float)), alpha=0.25, reduction="none"
    )
    soft = al.focal_loss(
        _t(logits), _t(labels), alpha=_t(_scalar_alpha_as_vector(0.25, 2)), reduction="none"
    )
    _close(_np(soft), _np(binary)[:, 0])
    k = kornia.losses.binary_focal_loss_with_logits(
        _t(diff), _t(labels[:, None].astype(float)), alpha=0.25, gamma=2.0
    )
    _close(_np(soft), _np(k)[:, 0])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    ("alpha", "gamma"), [(None, 2.0), (0.25, 2.0), ((0.1, 0.5, 1.0, 2.0, 0.3), 1.0)]
)
def test_focal_matches_monai_softmax(alpha: Any, gamma: float, reduction: str) -> None:
    # monai.losses.FocalLoss(use_softmax=True, to_onehot_y=True): target (B, 1, *) labels,
    # loss map (B, C, *) = -alpha_c (1 - p_c)^gamma log p_c * onehot. Mapping:
    #  * a sequence alpha is one weight per class: exactly ours.
    #  * a scalar alpha with softmax means 1 - a for class 0 and a for the rest (as
    #    kornia): ours [1-a, a, ..., a]. (With sigmoid, MONAI's scalar alpha is the binary
    #    balance: that is our binary_focal_loss.)
    #  * "none" keeps the class axis (sum it for ours); "mean" averages over B*C*(spatial),
    #    C times ours. MONAI's "sum" first averages over spatial dims (a documented
    #    back-compat quirk), so ours "sum" = MONAI "sum" * (spatial size).
    #  * MONAI casts input and target to float32 (``input.float()``), so the comparison is
    #    at float32 accuracy even from float64 inputs.
    monai_losses = pytest.importorskip("monai.losses")
    rng = np.random.default_rng(13)
    logits = rng.normal(scale=2.0, size=(2, C, 3, 4))
    labels = rng.integers(0, C, size=(2, 3, 4))
    if alpha is None:
        alpha_ours = None
    elif isinstance(alpha, float):
        alpha_ours = _t(_scalar_alpha_as_vector(alpha, C))
    else:
        alpha_ours = _t(np.array(alpha))
    ours = al.focal_loss(
        _t(logits), _t(labels), gamma=gamma, alpha=alpha_ours, axis=1, reduction=reduction
    )
    monai = monai_losses.FocalLoss(
        to_onehot_y=True, use_softmax=True, gamma=gamma, alpha=alpha, reduction=reduction
    )(_t(logits), _t(labels[:, None]))
    if reduction == "none":
        monai = monai.sum(dim=1)
    elif reduction == "mean":
        monai = monai * C
    else:
        monai = monai * (3 * 4)
    _close(_np(ours), _np(monai), rtol=2e-6, atol=1e-7)


# ---------------------------------------------------------------------------
# dice_loss vs MONAI DiceLoss
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("batch", [False, True], ids=["per_sample", "batch"])
@pytest.mark.parametrize("include_background", [True, False], ids=["bg", "no_bg"])
def test_dice_softmax_matches_monai(include_background: bool, batch: bool, reduction: str) -> None:
    # MONAI DiceLoss(softmax=True, to_onehot_y=True, smooth_nr=smooth_dr=1e-5): with its
    # default linear denominator, 2tp + fp + fn = sum p + sum g, so
    # 1 - (2 tp + s) / (2 tp + fp + fn + s) is ours with smooth=s. MONAI's "none" keeps
    # broadcastable trailing 1s, (B, C, 1, 1) or (C, 1, 1) with batch=True; ours is
    # (N, C) / (C,), so compare flattened.
    monai_losses = pytest.importorskip("monai.losses")
    rng = np.random.default_rng(14)
    logits = rng.normal(scale=2.0, size=(3, 4, 5, 6))
    labels = rng.integers(0, 4, size=(3, 5, 6))
    labels[1] = np.where(labels[1] == 3, 0, labels[1])  # class 3 absent from sample 1
    v_o, g_o = _grad(
        lambda x: al.dice_loss(
            x,
            _t(labels),
            axis=1,
            smooth=1e-5,
            include_background=include_background,
            batch_dice=batch,
            reduction=reduction,
        ),
        _t(logits),
    )
    monai_fn = monai_losses.DiceLoss(
        softmax=True,
        to_onehot_y=True,
        include_background=include_background,
        batch=batch,
        smooth_nr=1e-5,
        smooth_dr=1e-5,
        reduction=reduction,
    )
    v_m, g_m = _grad(lambda x: monai_fn(x, _t(labels[:, None])), _t(logits))
    expected_shape = {"none": (4 - (not include_background),), "mean": (), "sum": ()}[reduction]
    if reduction == "none" and not batch:
        expected_shape = (3, *expected_shape)
    assert tuple(v_o.shape) == expected_shape
    _close(_np(v_o), _np(v_m).reshape(expected_shape))
    _close(_np(g_o), _np(g_m))


@pytest.mark.parametrize("batch", [False, True], ids=["per_sample", "batch"])
def test_dice_multilabel_sigmoid_matches_monai(batch: bool) -> None:
    # MONAI DiceLoss(sigmoid=True) on a (B, C, *) multi-label mask is our
    # mode="multilabel"; one channel with sigmoid is our mode="binary".
    monai_losses = pytest.importorskip("monai.losses")
    rng = np.random.default_rng(15)
    logits = rng.normal(scale=2.0, size=(2, 3, 4, 5))
    labels = (rng.random((2, 3, 4, 5)) < 0.4).astype(float)
    labels[0, 2] = 0.0  # an empty channel
    for mode, sl in (("multilabel", slice(None)), ("binary", slice(0, 1))):
        x, y = logits[:, sl], labels[:, sl]
        ours = al.dice_loss(_t(x), _t(y), mode=mode, axis=1, batch_dice=batch, reduction="none")
        monai = monai_losses.DiceLoss(sigmoid=True, batch=batch, reduction="none")(_t(x), _t(y))
        _close(_np(ours), _np(monai).reshape(tuple(ours.shape)))
        ours_m = al.dice_loss(_t(x), _t(y), mode=mode, axis=1, batch_dice=batch)
        monai_m = monai_losses.DiceLoss(sigmoid=True, batch=batch)(_t(x), _t(y))
        _close(_np(ours_m), _np(monai_m))


def test_dice_probabilities_with_empty_class_match_monai() -> None:
    # from_logits=False vs MONAI with no activation; a class absent from target and
    # prediction (exact zeros) is loss 0 in both (1 - s/s), also a class present only in
    # the prediction.
    monai_losses = pytest.importorskip("monai.losses")
    probs = np.zeros((2, 3, 4))
    labels = np.array([[0, 0, 1, 1], [1, 1, 1, 0]])
    probs[0, 0] = [0.9, 0.7, 0.0, 0.2]
    probs[0, 1] = 1.0 - probs[0, 0]
    probs[1, 1] = [0.5, 1.0, 0.6, 0.0]
    probs[1, 0] = [0.0, 0.0, 0.3, 1.0]
    probs[1, 2] = 1.0 - probs[1, 0] - probs[1, 1]
    ours = al.dice_loss(_t(probs), _t(labels), axis=1, from_logits=False, reduction="none")
    monai = monai_losses.DiceLoss(to_onehot_y=True, reduction="none")(
        _t(probs), _t(labels[:, None])
    )
    _close(_np(ours), _np(monai).reshape(2, 3))
    assert _np(ours)[0, 2] == 0.0


@pytest.mark.parametrize("ignore", [255, 0])
def test_dice_ignore_index_matches_monai(ignore: int) -> None:
    # MONAI's ignore_index (label-encoded target) masks the pixel in every channel of both
    # input and target, as ours does; an in-range ignore (0) also drops class 0's pixels.
    monai_losses = pytest.importorskip("monai.losses")
    rng = np.random.default_rng(16)
    logits = rng.normal(size=(2, 3, 4, 4))
    labels = rng.integers(0, 3, size=(2, 4, 4))
    labels[:, 0, :2] = ignore
    ours = al.dice_loss(_t(logits), _t(labels), axis=1, ignore_index=ignore, reduction="none")
    monai = monai_losses.DiceLoss(
        softmax=True, to_onehot_y=True, ignore_index=ignore, reduction="none"
    )(_t(logits), _t(labels[:, None]))
    _close(_np(ours), _np(monai).reshape(2, 3))


def test_dice_class_weights_sum_matches_monai_weight() -> None:
    # MONAI's weight multiplies each class's loss and its "mean" is a plain mean; ours is a
    # weighted mean (sum(w l) / sum(w)). "sum" is the same in both.
    monai_losses = pytest.importorskip("monai.losses")
    rng = np.random.default_rng(17)
    logits, labels = rng.normal(size=(2, 3, 5)), rng.integers(0, 3, size=(2, 5))
    # MONAI stores weight as torch.as_tensor(list) = float32: use float32-exact weights
    w = np.array([0.25, 1.0, 3.0])
    ours = al.dice_loss(_t(logits), _t(labels), axis=1, class_weights=_t(w), reduction="sum")
    monai = monai_losses.DiceLoss(
        softmax=True, to_onehot_y=True, weight=w.tolist(), reduction="sum"
    )(_t(logits), _t(labels[:, None]))
    _close(_np(ours), _np(monai))
    ours_mean = al.dice_loss(_t(logits), _t(labels), axis=1, class_weights=_t(w))
    per = _np(al.dice_loss(_t(logits), _t(labels), axis=1, reduction="none"))
    _close(_np(ours_mean), np.sum(per * w) / (2 * w.sum()))
