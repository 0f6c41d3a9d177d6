"""Compound losses: combine, dice_ce_loss, dice_focal_loss, combo_loss, exp_log_loss,
unified_focal_loss.

Values come from ``support.reference`` (dice, CE, focal, BCE: each already checked
against torch/MONAI) and ``support.reference_compound`` (the papers' equations in
loops); peers (MONAI) at the bottom.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import arrayloss as al
from classification import reference as cref
from segmentation import reference as rc
from segmentation import reference as sref
from support import reference as ref
from support.backends import Backend

# (logits shape, class axis)
LAYOUTS = {
    "nchw": ((2, 3, 3, 4), 1),
    "nhwc": ((2, 3, 4, 3), -1),
    "ncdhw": ((2, 3, 2, 3, 2), 1),  # 3-D volume, channels-first
}


def _data(layout: str, seed: int = 0, ignore: int | None = None) -> tuple[Any, ...]:
    rng = np.random.default_rng(seed)
    shape, axis = LAYOUTS[layout]
    ax = axis % len(shape)
    logits = rng.normal(0.0, 2.0, size=shape)
    labels = rng.integers(0, shape[ax], size=shape[:ax] + shape[ax + 1 :])
    if ignore is not None:
        labels.reshape(-1)[::4] = ignore
    return logits, labels, axis, rng


def _mean_sum(
    backend: Backend, fn: Any, logits: Any, labels: Any, dtype: str = "float64", **kw: Any
) -> dict[str, np.ndarray]:
    """``fn`` with "mean" and "sum" in one ``backend.call``; checked dtype/shape/namespace."""
    compute = "float64" if dtype == "float64" else "float32"
    args = (ref.to_backend(backend, logits, dtype), ref.to_backend(backend, labels, dtype))
    bkw = {k: ref.to_backend(backend, v, dtype) for k, v in kw.items()}

    def both(*a: Any, **k: Any) -> tuple[Any, Any]:
        return fn(*a, **k, reduction="mean"), fn(*a, **k, reduction="sum")

    outs = backend.call(both, *args, **bkw)
    return {
        r: backend.check_result(o, dtype=backend.dtype(compute), shape=())
        for r, o in zip(("mean", "sum"), outs, strict=True)
    }


# -- dice_ce_loss / dice_focal_loss ------------------------------------------------------

DICE_PLUS_OPTIONS: dict[str, dict[str, Any]] = {
    "plain": {},
    "lambdas": {"lambda_dice": 0.3, "lambda_pixel": 1.7},
    "ignore": {"ignore": -100},
    "ignore_in_range": {"ignore": 1},
    "class_weights": {"class_weights": True},
    "no_background_batch": {"include_background": False, "batch_dice": True},
}


def _dice_plus_ref(
    kind: str, logits: np.ndarray, labels: np.ndarray, kw: dict[str, Any], reduction: str
) -> float:
    """Dice (reference dice_loss) + lambda * CE or focal, from the shared references."""
    dice_kw = {k: v for k, v in kw.items() if k not in ("lambda_dice", "lambda_pixel", "gamma")}
    dice = sref.dice_loss(logits, labels, **dice_kw, reduction=reduction)
    pix_kw = {"axis": kw["axis"], "ignore_index": kw.get("ignore_index")}
    if kind == "ce":
        pixel = cref.cross_entropy(
            logits, labels, class_weights=kw.get("class_weights"), **pix_kw, reduction=reduction
        )
    else:
        pixel = cref.focal_loss_basic(
            logits,
            labels,
            gamma=kw.get("gamma", 2.0),
            alpha=kw.get("class_weights"),
            **pix_kw,
            reduction=reduction,
        )
    return float(kw.get("lambda_dice", 1.0) * dice + kw.get("lambda_pixel", 1.0) * pixel)


@pytest.mark.parametrize("kind", ["ce", "focal"])
@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("option", list(DICE_PLUS_OPTIONS))
def test_dice_plus_multiclass_matches_reference(
    backend: Backend, kind: str, layout: str, option: str
) -> None:
    light = {("ce", "nchw", "ignore"), ("focal", "ncdhw", "class_weights")}
    ref.only_subset(backend, (kind, layout, option), light)
    if layout == "nhwc" and option not in ("plain", "ignore"):
        pytest.skip("channels-last covers the plain and ignored cases")
    opt = DICE_PLUS_OPTIONS[option]
    logits, labels, axis, rng = _data(layout, ignore=opt.get("ignore"))
    kw: dict[str, Any] = {"axis": axis}
    if "ignore" in opt:
        kw["ignore_index"] = opt["ignore"]
    if opt.get("class_weights"):
        kw["class_weights"] = rng.uniform(0.2, 3.0, size=3)
    for key in ("include_background", "batch_dice", "lambda_dice", "lambda_pixel"):
        if key in opt:
            kw[key] = opt[key]
    call_kw = dict(kw)
    if "lambda_pixel" in call_kw:
        call_kw["lambda_ce" if kind == "ce" else "lambda_focal"] = call_kw.pop("lambda_pixel")
    if kind == "focal":
        call_kw["gamma"] = kw["gamma"] = 1.5
    fn = al.dice_ce_loss if kind == "ce" else al.dice_focal_loss
    got = _mean_sum(backend, fn, logits, labels, **call_kw)
    for r in ("mean", "sum"):
        ref.assert_close(got[r], _dice_plus_ref(kind, logits, labels, kw, r), "float64", r)


@pytest.mark.parametrize("kind", ["ce", "focal"])
@pytest.mark.parametrize("mode", ["multilabel", "binary"])
def test_dice_plus_sigmoid_modes_match_reference(backend: Backend, kind: str, mode: str) -> None:
    """Sigmoid modes: Dice + BCE (or focal with alpha=None); ignored positions masked."""
    ref.only_subset(backend, (kind, mode), {("ce", "multilabel"), ("focal", "binary")})
    rng = np.random.default_rng(1)
    C = 3 if mode == "multilabel" else 1
    logits = rng.normal(0.0, 2.0, size=(2, C, 3, 4))
    labels = rng.integers(0, 2, size=(2, C, 3, 4))
    labels.reshape(-1)[::5] = 255
    kw = {"mode": mode, "axis": 1, "ignore_index": 255}
    fn = al.dice_ce_loss if kind == "ce" else al.dice_focal_loss
    got = _mean_sum(backend, fn, logits, labels, **kw)
    keep = (labels != 255).astype(np.float64)
    target = (labels == 1).astype(np.float64)
    for r in ("mean", "sum"):
        dice = sref.dice_loss(logits, labels, **kw, reduction=r)
        if kind == "ce":
            pix = cref.binary_cross_entropy(logits, target, weights=keep, reduction=r)
        else:
            pix = cref.binary_focal_loss(logits, target, alpha=None, weights=keep, reduction=r)
        ref.assert_close(got[r], dice + pix, "float64", r)


# -- the paper losses ----------------------------------------------------------------------

PAPER = {
    "combo": (al.combo_loss, rc.combo),
    "exp_log": (al.exp_log_loss, rc.exp_log),
    "unified": (al.unified_focal_loss, rc.unified_focal),
}


PAPER_OPTIONS: dict[str, dict[str, dict[str, Any]]] = {
    "combo": {
        "defaults": {},
        "alpha_beta": {"alpha": 0.3, "beta": 0.8},
        "ignore": {"ignore_index": -100},
        "no_background": {"include_background": False},
        "class_weights": {"class_weights": True},
        "smooth": {"smooth": 1e-3},
    },
    "exp_log": {
        "defaults": {},
        "gamma_weights": {"gamma": 1.0, "w_dice": 0.5, "w_ce": 0.5},
        "ignore": {"ignore_index": -100},
        "no_background": {"include_background": False},
        "class_weights": {"class_weights": True},
    },
    "unified": {
        "defaults": {},
        "symmetric": {"symmetric": True},
        "params": {"weight": 0.2, "delta": 0.7, "gamma": 0.3},
        "ignore": {"ignore_index": -100},
    },
}


_PAPER_MATRIX = [
    pytest.param(loss, layout, o, id=f"{loss}-{layout}-{o}")
    for loss, opts in PAPER_OPTIONS.items()
    for layout in LAYOUTS
    for o in opts
    if layout == "nchw" or o in ("defaults", "ignore")
]


@pytest.mark.parametrize(("loss", "layout", "option"), _PAPER_MATRIX)
def test_paper_losses_match_reference(
    backend: Backend, loss: str, layout: str, option: str
) -> None:
    light = {("combo", "nchw", "ignore"), ("exp_log", "ncdhw", "defaults")}
    ref.only_subset(backend, (loss, layout, option), light | {("unified", "nhwc", "ignore")})
    opt = dict(PAPER_OPTIONS[loss][option])
    logits, labels, axis, rng = _data(layout, ignore=opt.get("ignore_index"))
    if opt.get("class_weights"):
        opt["class_weights"] = rng.uniform(0.2, 3.0, size=3)
    fn, ref_fn = PAPER[loss]
    got = _mean_sum(backend, fn, logits, labels, axis=axis, **opt)
    for r in ("mean", "sum"):
        ref.assert_close(got[r], ref_fn(logits, labels, axis=axis, **opt, reduction=r), "float64")


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
@pytest.mark.parametrize("loss", ["dice_ce", "dice_focal", "combo", "exp_log", "unified"])
def test_dtype_contract(backend: Backend, dtype: str, loss: str) -> None:
    """Half in -> float32 out; float32 stays float32; float64 stays float64."""
    ref.require_dtype(backend, dtype)
    ref.only_subset(backend, (loss, dtype), {("combo", "float16")})
    logits, labels, axis, _ = _data("nchw")
    logits = ref.round_to(logits, dtype)
    fns = {
        "dice_ce": (al.dice_ce_loss, None),
        "dice_focal": (al.dice_focal_loss, None),
        "combo": PAPER["combo"],
        "exp_log": PAPER["exp_log"],
        "unified": PAPER["unified"],
    }
    fn, ref_fn = fns[loss]
    got = _mean_sum(backend, fn, logits, labels, dtype=dtype, axis=axis)
    compute = "float64" if dtype == "float64" else "float32"
    for r in ("mean", "sum"):
        if ref_fn is None:
            kw = {"axis": axis}
            want = _dice_plus_ref("ce" if loss == "dice_ce" else "focal", logits, labels, kw, r)
        else:
            want = ref_fn(logits, labels, axis=axis, reduction=r)
        ref.assert_close(got[r], want, compute, r)


# -- combo_loss: the paper's formula, not the reference code's precedence slip ----------


def test_combo_follows_paper_not_reference_code_slip() -> None:
    """The authors' code computes ``-(b * (t log p + (1 - b)(1 - t) log(1 - p))``:
    the negative side is weighted ``b (1 - b)`` instead of the paper's ``1 - b``.

    Hand-derived on one binary-like position pair (p = 0.8 for the true class 0,
    p = 0.2 for class 1, C = 2, one sample, one position, alpha = 1 so only the CE
    term counts): paper = -(1/2)[b ln .8 + (1 - b) ln .8] = -ln(.8)/2 for any b;
    slip = -(b/2)[ln .8 + (1 - b) ln .8] = -b (2 - b) ln(.8) / 2.
    """
    logits = np.log(np.array([[[0.8, 0.2]]]))
    labels = np.array([[0]])
    b = 0.7
    got = float(al.combo_loss(logits, labels, alpha=1.0, beta=b))
    paper = -np.log(0.8) / 2
    slip = -b * (2 - b) * np.log(0.8) / 2
    np.testing.assert_allclose(got, paper, rtol=1e-12)
    np.testing.assert_allclose(paper - slip, -((1 - b) ** 2) * np.log(0.8) / 2, rtol=1e-12)
    assert abs(got - slip) > 1e-3
    # the general case agrees with the loop reference of each formula
    logits, labels, axis, _ = _data("nchw")
    for beta in (0.3, 0.8):
        ours = float(al.combo_loss(logits, labels, axis=axis, alpha=0.6, beta=beta))
        want = rc.combo(logits, labels, axis=axis, alpha=0.6, beta=beta)
        slipped = rc.combo(logits, labels, axis=axis, alpha=0.6, beta=beta, slip=True)
        np.testing.assert_allclose(ours, want, rtol=1e-12)
        assert abs(ours - slipped) > 1e-2


def test_exp_log_hand_value() -> None:
    """p = 0.5 everywhere, labels (0, 1), smooth 1: Dice_c = (2*.5 + 1)/(1 + 1 + 1) = 2/3,
    f = (1, 1) so w = sqrt(2); loss = .8 ln(3/2)^.3 + .2 sqrt(2) ln(2)^.3."""
    got = float(al.exp_log_loss(np.zeros((1, 2, 2)), np.array([[0, 1]])))
    want = 0.8 * np.log(1.5) ** 0.3 + 0.2 * np.sqrt(2) * np.log(2) ** 0.3
    np.testing.assert_allclose(got, want, rtol=1e-12)


# -- numerics: finite values and gradients ------------------------------------------------

LOSSES = {
    "dice_ce": al.dice_ce_loss,
    "dice_focal": al.dice_focal_loss,
    "combo": al.combo_loss,
    "exp_log": al.exp_log_loss,
    "unified": al.unified_focal_loss,
    "combined": al.combine((al.dice_loss, 1.0), (al.focal_loss, 0.5)),
}


def _situations() -> dict[str, tuple[np.ndarray, np.ndarray, dict[str, Any]]]:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 3, 3, 4))
    return {
        "empty_class": (x, np.zeros((2, 3, 4), dtype=np.int64), {}),  # single-class image
        "all_ignored": (x, np.full((2, 3, 4), -100), {"ignore_index": -100}),
        "saturated": (np.sign(x) * 1e4, rng.integers(0, 3, size=(2, 3, 4)), {}),
        "volume": (rng.normal(size=(1, 3, 2, 2, 2)), np.zeros((1, 2, 2, 2), dtype=int), {}),
    }


def _value_grad(fw: str, fn: Any, x: np.ndarray, y: np.ndarray, kw: dict[str, Any]) -> Any:
    if fw == "torch":
        torch = pytest.importorskip("torch")
        t = torch.tensor(x, dtype=torch.float32, requires_grad=True)
        v = fn(t, torch.tensor(y), axis=1, **kw)
        (g,) = torch.autograd.grad(v, t)
        return v.detach().numpy(), g.numpy()
    jax = pytest.importorskip("jax")
    import jax.numpy as jnp

    v, g = jax.jit(jax.value_and_grad(lambda z: fn(z, jnp.asarray(y), axis=1, **kw)))(
        jnp.asarray(x, dtype=jnp.float32)
    )
    return np.asarray(v), np.asarray(g)


@pytest.mark.parametrize("fw", ["torch", "jax"])
@pytest.mark.parametrize("situation", list(_situations()))
@pytest.mark.parametrize("loss", list(LOSSES))
def test_finite_value_and_gradient(fw: str, situation: str, loss: str) -> None:
    names = list(_situations())
    if fw == "jax" and names.index(situation) != list(LOSSES).index(loss) % len(names):
        pytest.skip("jax: one situation per loss (compile time); torch runs them all")
    x, y, kw = _situations()[situation]
    v, g = _value_grad(fw, LOSSES[loss], x, y, kw)
    assert np.isfinite(v), v
    assert np.all(np.isfinite(g)), g
    if situation == "all_ignored":
        # the pixel terms vanish and ignored positions carry no gradient
        assert np.all(g == 0.0)


def test_probabilities_at_zero_and_one_are_finite() -> None:
    torch = pytest.importorskip("torch")
    labels = torch.tensor([[0, 1, 2, 1]])
    probs = torch.nn.functional.one_hot(labels, 3).double().requires_grad_(True)
    for fn in (al.combo_loss, al.unified_focal_loss):
        v = fn(probs, labels, from_logits=False)
        (g,) = torch.autograd.grad(v, probs)
        assert torch.isfinite(v), fn.__name__
        assert torch.isfinite(g).all(), fn.__name__


def test_nan_input_gives_nan() -> None:
    x = np.random.default_rng(0).normal(size=(1, 3, 2, 2))
    x[0, 1, 0, 0] = np.nan
    y = np.zeros((1, 2, 2), dtype=int)
    with np.errstate(invalid="ignore"):
        for name, fn in LOSSES.items():
            assert np.isnan(float(fn(x, y, axis=1))), name


# -- errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fn", "name"),
    [
        (al.dice_ce_loss, "dice_ce_loss"),
        (al.dice_focal_loss, "dice_focal_loss"),
        (al.combo_loss, "combo_loss"),
        (al.exp_log_loss, "exp_log_loss"),
        (al.unified_focal_loss, "unified_focal_loss"),
    ],
)
def test_reduction_none_is_refused(fn: Any, name: str) -> None:
    with pytest.raises(ValueError, match=f'reduction="none" is not defined for {name}'):
        fn(np.zeros((2, 3)), np.array([0, 1]), reduction="none")


def test_option_errors() -> None:
    x, y = np.zeros((2, 3)), np.array([0, 1])
    with pytest.raises(ValueError, match="mode"):
        al.unified_focal_loss(x, y, mode="multilabel")
    with pytest.raises(ValueError, match='mode="binary" expects one channel along axis -1, got 3'):
        al.unified_focal_loss(x, y, mode="binary")
    with pytest.raises(ValueError, match="lambda_ce"):
        al.dice_ce_loss(x, y, lambda_ce=-1.0)
    with pytest.raises(ValueError, match="beta"):
        al.combo_loss(x, y, beta=1.5)
    with pytest.raises(ValueError, match="gamma"):
        al.exp_log_loss(x, y, gamma=0.0)
    with pytest.raises(ValueError, match="gamma"):
        al.unified_focal_loss(x, y, gamma=1.0)
    with pytest.raises(ValueError, match="reduction"):
        al.combo_loss(x, y, reduction="avg")


# -- peers --------------------------------------------------------------------------------


def _monai_inputs() -> tuple[Any, ...]:
    torch = pytest.importorskip("torch")
    pytest.importorskip("monai")
    rng = np.random.default_rng(4)
    logits = rng.normal(0.0, 2.0, size=(2, 3, 4, 5))
    labels = rng.integers(0, 3, size=(2, 4, 5))
    return torch, logits, labels


def test_peer_monai_dice_ce_loss() -> None:
    """Same definition channels-first: DiceLoss(softmax, one-hot) + CrossEntropyLoss."""
    torch, logits, labels = _monai_inputs()
    from monai.losses import DiceCELoss

    peer = DiceCELoss(softmax=True, to_onehot_y=True, lambda_dice=0.7, lambda_ce=1.3)
    want = peer(torch.tensor(logits), torch.tensor(labels)[:, None]).item()
    got = float(al.dice_ce_loss(logits, labels, axis=1, lambda_dice=0.7, lambda_ce=1.3))
    np.testing.assert_allclose(got, want, rtol=1e-10)


def test_peer_monai_dice_focal_loss() -> None:
    """MONAI 1.6 ``DiceFocalLoss(softmax=True)``: the Dice terms agree, but its focal term
    is a *sigmoid* focal loss on the one-hot channels (the class builds ``FocalLoss``
    without ``use_softmax``), i.e. our multilabel focal term, averaged over (N, C, H, W).
    MONAI's ``FocalLoss(use_softmax=True)`` averages over the class axis too: ours / C.
    We follow Lin et al. (and torchvision, kornia): with exclusive classes the focal term
    uses the same softmax as the Dice term, and a position's loss is that of its true
    class, not 1/C of it, so its scale does not change with the number of classes.
    With ``sigmoid=True`` MONAI and our ``"multilabel"`` mode are the same loss."""
    torch, logits, labels = _monai_inputs()
    from monai.losses import DiceFocalLoss, FocalLoss

    C, gamma = 3, 2.0
    tl, ty = torch.tensor(logits), torch.tensor(labels)[:, None]
    onehot = np.moveaxis(np.eye(C)[labels], -1, 1)
    dice_only = DiceFocalLoss(softmax=True, to_onehot_y=True, lambda_focal=0.0, gamma=gamma)
    focal_only = DiceFocalLoss(softmax=True, to_onehot_y=True, lambda_dice=0.0, gamma=gamma)
    ours_dice = float(al.dice_focal_loss(logits, labels, axis=1, lambda_focal=0.0))
    ours_focal = float(al.dice_focal_loss(logits, labels, axis=1, lambda_dice=0.0))
    np.testing.assert_allclose(ours_dice, dice_only(tl, ty).item(), rtol=1e-10)
    sigmoid_focal = cref.binary_focal_loss(logits, onehot, alpha=None, gamma=gamma)
    np.testing.assert_allclose(focal_only(tl, ty).item(), sigmoid_focal, rtol=1e-6)
    softmax_focal = FocalLoss(use_softmax=True, to_onehot_y=True, gamma=gamma)(tl, ty).item()
    np.testing.assert_allclose(ours_focal / C, softmax_focal, rtol=1e-6)
    # sigmoid=True: the same loss as our multilabel mode
    peer = DiceFocalLoss(sigmoid=True, gamma=gamma, lambda_dice=0.6, lambda_focal=1.4)
    want = peer(tl, torch.tensor(onehot)).item()
    got = al.dice_focal_loss(
        logits, onehot, mode="multilabel", axis=1, lambda_dice=0.6, lambda_focal=1.4
    )
    np.testing.assert_allclose(float(got), want, rtol=1e-6)
