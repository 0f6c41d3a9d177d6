"""The benchmark's inputs, and arrayloss and its peers as callables per backend.

Each factory returns callables of the backend's arrays ``(x, y, *extra)`` that return
a scalar; ``x`` is the differentiated argument, ``extra`` the arrays of
:attr:`_Inputs.extra` in their order, given to both sides (each uses what it needs).
torch callables take channels-first images and segmentation logits (ours with
``axis=1``), JAX and NumPy channels-last; ``extra`` keeps the NumPy layout.

Frameworks are imported by name when a factory runs, so that ``arrayloss bench``
imports none it does not benchmark.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: (loss, peer) -> f with ours = f * peer: peers that compute our value, checked on
#: each row's inputs before it is timed (:func:`check_value`)
SAME_VALUE: dict[tuple[str, str], float] = {
    ("ssim_loss", "pytorch_msssim.ssim"): 1.0,
    ("ssim_loss", "kornia.ssim_loss(valid)"): 2.0,  # kornia's loss is (1 - SSIM) / 2
    ("ssim_loss", "dm_pix.ssim"): 1.0,
    ("ssim_loss", "numpy (hand-written)"): 1.0,
    ("ctc_loss", "F.ctc_loss"): 1.0,
    ("ctc_loss", "optax.ctc_loss"): 1.0,
    ("nt_xent", "pml.NTXentLoss"): 1.0,
    ("nt_xent", "optax.ntxent"): 1.0,
    ("nt_xent", "numpy (hand-written)"): 1.0,
    ("triplet_margin_loss", "F.triplet_margin_loss"): 1.0,
    # optax adds eps to sum |a - p|^2, ours and torch to each difference: ~1e-7 here
    ("triplet_margin_loss", "optax.triplet_margin_loss"): 1.0,
    ("triplet_margin_loss", "numpy (hand-written)"): 1.0,
    ("sinkhorn_divergence", "geomloss.SamplesLoss"): 1.0,
    # ott-jax's cost is |x - y|^2, twice ours: its epsilon 2 eps, its divergence doubled
    # (docs/generative.rst; tests/generative/test_peers.py::test_ott_sinkhorn_epsilon_...)
    ("sinkhorn_divergence", "ott.sinkhorn_divergence"): 0.5,
    ("logit_adjusted_cross_entropy", "torch (hand-written)"): 1.0,
    ("logit_adjusted_cross_entropy", "numpy (hand-written)"): 1.0,
    ("ldam_loss", "torch (hand-written)"): 1.0,
    ("ldam_loss", "numpy (hand-written)"): 1.0,
    ("asymmetric_loss", "torch (hand-written)"): 1.0,
    ("asymmetric_loss", "numpy (hand-written)"): 1.0,
    ("seesaw_loss", "torch (hand-written)"): 1.0,
}
_VALUE_RTOL = 1e-4  # float32 inputs; the sides filter and sum in different orders
NT_XENT_TEMPERATURE = 0.5
#: Sinkhorn: epsilon (geomloss blur 0.1) and iterations on both sides. On the clouds of
#: :func:`_make_inputs` (in the unit cube, diameter ~2.1) with 256 to 2048 points each
#: side is within 4e-5 of the converged divergence (float64, 1000 iterations) after
#: 100 iterations: ours 1e-9 to 2e-7, ott-jax 4e-8, geomloss's annealing 3e-6 to 3e-5
#: (1.4e-4 at 128 points, 7e-4 at 32: past the check, so the tiny size has 256)
SINKHORN_EPSILON = 0.01
SINKHORN_ITERATIONS = 100


def check_value(loss: str, peer: str, ours: Any, theirs: Any) -> None:
    """Raise ``ValueError`` where a peer of :data:`SAME_VALUE` gives another value."""
    factor = SAME_VALUE.get((loss, peer))
    if factor is None:
        return
    a, b = float(ours), factor * float(theirs)
    if not abs(a - b) <= _VALUE_RTOL * max(abs(a), abs(b)):
        raise ValueError(f"{loss}: ours {a!r} but {peer} gives {b!r} (x {factor}): not timed")


@dataclass
class _Inputs:
    """NumPy inputs of one (loss, shape): float32 ``x``, the target ``y``, ``extra``."""

    kind: str  # "index", "binary", "regression", "seg", "image", "ctc", "embed", "triplet",
    # "clouds", "longtail", "multilabel"
    x: Any
    y: Any
    extra: dict[str, Any] = field(default_factory=dict)


def _make_inputs(loss: str, shape: tuple[int, ...], seed: int = 0) -> _Inputs:
    import numpy as np

    rng = np.random.default_rng(seed)
    if loss == "ssim_loss":  # (N, H, W, C) in [0, 1]; the target a noisy copy
        x = rng.random(shape, dtype=np.float32)
        y = np.clip(x + 0.2 * rng.normal(size=shape), 0, 1).astype(np.float32)
        return _Inputs("image", x, y)
    if loss == "ctc_loss":  # shape (N, T, C, S): logits (N, T, C), S padded labels
        n, t, c, s = shape
        labels = rng.integers(1, c, size=(n, s))  # blank = 0
        il, tl = rng.integers(t // 2, t + 1, size=n), rng.integers(s // 2, s + 1, size=n)
        extra = {
            "input_lengths": il,
            "target_lengths": tl,
            "logit_paddings": (np.arange(t) >= il[:, None]).astype(np.float32),
            "label_paddings": (np.arange(s) >= tl[:, None]).astype(np.float32),
        }
        return _Inputs("ctc", rng.normal(size=(n, t, c)).astype(np.float32), labels, extra)
    if loss == "sinkhorn_divergence":  # (n, d): two overlapping clouds in the unit cube
        x = rng.random(shape, dtype=np.float32)
        return _Inputs("clouds", x, (0.8 * rng.random(shape) + 0.4).astype(np.float32))
    if loss in _LONG_TAIL:
        return _long_tail_inputs(loss, shape, rng)
    x = rng.normal(size=shape).astype(np.float32)
    if loss == "triplet_margin_loss":  # (N, D) anchors; independent positives/negatives:
        # d(a, p) - d(a, n) ~ N(0, 1.2), the margin 1 violated by ~4/5 of the triplets
        pos, neg = (rng.normal(size=shape).astype(np.float32) for _ in range(2))
        return _Inputs("triplet", x, pos, {"negative": neg})
    if loss == "asymmetric_loss":  # (N, C) multi-label: about 10 positives per row
        positive = rng.random(shape) < min(0.2, 10 / shape[-1])
        return _Inputs("multilabel", x, positive.astype(np.float32))
    if loss == "nt_xent":  # (2N, D): rows i and i + N are the two views
        return _Inputs("embed", x, np.arange(shape[0]) % (shape[0] // 2))
    if loss in ("binary_cross_entropy", "binary_focal_loss"):
        return _Inputs("binary", x, (rng.random(shape) < 0.3).astype(np.float32))
    if loss in ("huber_loss", "smooth_l1_loss", "mse_loss"):
        return _Inputs("regression", x, rng.normal(size=shape).astype(np.float32) * 2)
    labels = rng.integers(0, shape[-1], size=shape[:-1]).astype(np.int64)
    if loss in ("cross_entropy", "focal_loss"):
        return _Inputs("index", x, labels)
    onehot = (labels[..., None] == np.arange(shape[-1])).astype(np.float32)
    return _Inputs("seg", x, labels, {"onehot": onehot})


_LONG_TAIL = ("logit_adjusted_cross_entropy", "ldam_loss", "seesaw_loss")
LDAM_MAX_MARGIN, LDAM_SCALE = 0.5, 30.0  # the authors' max_m and s (our defaults)


def _long_tail_inputs(loss: str, shape: tuple[int, ...], rng: Any) -> _Inputs:
    """(N, C) logits and labels drawn from a long-tailed class distribution: CIFAR-LT's
    exponential profile, imbalance 100 (counts 1000 down to 10)."""
    import numpy as np

    n, c = shape
    counts = np.round(1000.0 * 100.0 ** (-np.arange(c) / max(c - 1, 1)))
    labels = rng.choice(c, size=n, p=counts / counts.sum()).astype(np.int64)
    if loss == "ldam_loss":  # the paper's cosine logits, in [-1, 1]
        x = rng.uniform(-1.0, 1.0, size=shape).astype(np.float32)
        return _Inputs("longtail", x, labels, {"counts": counts.astype(np.float32)})
    x = rng.normal(size=shape).astype(np.float32)
    if loss == "logit_adjusted_cross_entropy":
        return _Inputs(
            "longtail", x, labels, {"priors": (counts / counts.sum()).astype(np.float32)}
        )
    return _Inputs("longtail", x, labels)  # seesaw: the counts are the batch's own


def _al() -> Any:
    return importlib.import_module("arrayloss")


def _optional(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except Exception:  # not installed, or broken against this torch
        return None


def _log_softmax(backend: str) -> Callable[[Any], Any]:
    """The backend's own log-softmax over the last axis (CTC's input, on both sides)."""
    if backend.startswith("torch"):
        F = importlib.import_module("torch").nn.functional
        return lambda x: F.log_softmax(x, dim=-1)
    if backend == "jax":
        jax = importlib.import_module("jax")
        return lambda x: jax.nn.log_softmax(x, axis=-1)
    import numpy as np

    return lambda x: x - np.logaddexp.reduce(x, axis=-1, keepdims=True)


def _ours(loss: str, backend: str, inputs: _Inputs) -> Callable[..., Any] | None:
    al = _al()
    if not hasattr(al, loss):
        return None  # a loss that has not landed in this version
    fn = getattr(al, loss)
    channels_first = backend.startswith("torch") and inputs.kind in ("seg", "image")
    axis = 1 if channels_first else -1
    if loss == "binary_focal_loss":
        return lambda x, y, *_: fn(x, y, gamma=2.0, alpha=0.25)
    if loss == "focal_loss":
        return lambda x, y, *_: fn(x, y, gamma=2.0, axis=axis)
    if loss == "ctc_loss":  # from logits, summed: the reduction optax also has
        lsm = _log_softmax(backend)
        return lambda x, y, il, tl, *_: fn(lsm(x), y, il, tl, reduction="sum")
    if loss == "nt_xent":  # y: the pairing, which ours infers from the row order
        return lambda x, *_: fn(x, temperature=NT_XENT_TEMPERATURE)
    if loss == "triplet_margin_loss":  # x, y: anchors and positives (x differentiated)
        return lambda x, y, neg, *_: fn(x, y, neg)
    if loss == "sinkhorn_divergence":
        return lambda x, y, *_: fn(x, y, epsilon=SINKHORN_EPSILON, iterations=SINKHORN_ITERATIONS)
    if loss == "logit_adjusted_cross_entropy":
        return lambda x, y, priors, *_: fn(x, y, class_priors=priors)
    if loss == "ldam_loss":
        return lambda x, y, counts, *_: fn(
            x, y, class_counts=counts, max_margin=LDAM_MAX_MARGIN, scale=LDAM_SCALE
        )
    if loss == "seesaw_loss":  # the statistics start from this batch's counts
        return lambda x, y, *_: fn(x, y)[0]
    if loss == "asymmetric_loss":  # summed, as the authors' code returns it
        return lambda x, y, *_: fn(x, y, reduction="sum")
    if inputs.kind in ("index", "seg", "image"):
        return lambda x, y, *_: fn(x, y, axis=axis)
    return lambda x, y, *_: fn(x, y)


def _tversky_defaults() -> tuple[float, float]:
    params = inspect.signature(_al().tversky_loss).parameters
    return float(params["alpha"].default), float(params["beta"].default)


def _torch_peers(loss: str, inputs: _Inputs) -> dict[str, Callable[..., Any]]:
    torch = importlib.import_module("torch")
    F = torch.nn.functional
    peers: dict[str, Callable[..., Any]] = {}
    native = {
        "cross_entropy": ("F.cross_entropy", F.cross_entropy),
        "binary_cross_entropy": (
            "F.binary_cross_entropy_with_logits",
            F.binary_cross_entropy_with_logits,
        ),
        "huber_loss": ("F.huber_loss", F.huber_loss),
        "smooth_l1_loss": ("F.smooth_l1_loss", F.smooth_l1_loss),
        "mse_loss": ("F.mse_loss", F.mse_loss),
    }
    if loss in native:
        name, f = native[loss]
        peers[name] = lambda x, y, *_: f(x, y)
    if loss == "ctc_loss":  # torch's layout is (T, N, C)
        peers["F.ctc_loss"] = lambda x, y, il, tl, *_: F.ctc_loss(
            F.log_softmax(x, -1).transpose(0, 1), y, il, tl, reduction="sum"
        )
    kornia = _optional("kornia.losses")
    monai = _optional("monai.losses")
    if loss == "focal_loss":
        if kornia is not None:
            peers["kornia.focal_loss"] = lambda x, y, *_: kornia.focal_loss(
                x, y, alpha=None, gamma=2.0, reduction="mean"
            )
        if monai is not None:
            m = monai.FocalLoss(to_onehot_y=True, use_softmax=True, gamma=2.0)
            peers["monai.FocalLoss"] = lambda x, y, *_: m(x, y[:, None])
    elif loss == "binary_focal_loss":
        if kornia is not None:
            peers["kornia.binary_focal_loss_with_logits"] = lambda x, y, *_: (
                kornia.binary_focal_loss_with_logits(x, y, alpha=0.25, gamma=2.0, reduction="mean")
            )
        if monai is not None:
            m = monai.FocalLoss(gamma=2.0, alpha=0.25)
            peers["monai.FocalLoss(sigmoid)"] = lambda x, y, *_: m(x, y)
    elif loss == "dice_loss":
        if kornia is not None:
            peers["kornia.dice_loss"] = lambda x, y, *_: kornia.dice_loss(x, y, average="macro")
        if monai is not None:
            m = monai.DiceLoss(softmax=True, to_onehot_y=True)
            peers["monai.DiceLoss"] = lambda x, y, *_: m(x, y[:, None])
    elif loss == "tversky_loss":
        a, b = _tversky_defaults()
        if kornia is not None:
            peers["kornia.tversky_loss"] = lambda x, y, *_: kornia.tversky_loss(x, y, a, b)
        if monai is not None:
            m = monai.TverskyLoss(softmax=True, to_onehot_y=True, alpha=a, beta=b)
            peers["monai.TverskyLoss"] = lambda x, y, *_: m(x, y[:, None])
    elif loss == "lovasz_softmax_loss" and kornia is not None:
        peers["kornia.lovasz_softmax_loss"] = lambda x, y, *_: kornia.lovasz_softmax_loss(x, y)
    elif loss == "ssim_loss":
        pm = _optional("pytorch_msssim")
        if pm is not None:  # its function's default data_range is 255
            peers["pytorch_msssim.ssim"] = lambda x, y, *_: 1 - pm.ssim(x, y, data_range=1.0)
        if kornia is not None:  # "valid": our filtering, so the same SSIM map, halved
            peers["kornia.ssim_loss(valid)"] = lambda x, y, *_: kornia.ssim_loss(
                x, y, 11, max_val=1.0, padding="valid"
            )
    elif loss == "nt_xent":
        pml = _optional("pytorch_metric_learning.losses")
        # its mask of negatives per positive pair is (2N)^3 floats: 4 GiB at 2N = 1024
        if pml is not None and inputs.x.shape[0] <= 256:
            m = pml.NTXentLoss(temperature=NT_XENT_TEMPERATURE)
            peers["pml.NTXentLoss"] = lambda x, y, *_: m(x, y)
    elif loss == "triplet_margin_loss":  # margin 1, p 2, eps 1e-6, no swap, mean: ours
        peers["F.triplet_margin_loss"] = lambda x, y, neg, *_: F.triplet_margin_loss(x, y, neg)
    elif loss == "sinkhorn_divergence":
        geomloss = _optional("geomloss")
        if geomloss is not None:  # our cost |x-y|^2 / 2 and epsilon = blur**2; debiased
            m = geomloss.SamplesLoss(
                "sinkhorn",
                p=2,
                blur=SINKHORN_EPSILON**0.5,
                scaling=_geomloss_scaling(inputs),
                debias=True,
                backend="tensorized",
            )
            peers["geomloss.SamplesLoss"] = lambda x, y, *_: m(x, y)
    elif loss in _TORCH_HAND_WRITTEN:
        peers["torch (hand-written)"] = _TORCH_HAND_WRITTEN[loss](torch)
    return peers


def _geomloss_scaling(inputs: _Inputs) -> float:
    """geomloss's ``scaling`` that makes its schedule :data:`SINKHORN_ITERATIONS` steps.

    geomloss runs one Sinkhorn step per epsilon of ``[D**2, D**2 s**2, ..., blur**2]``
    (``D`` the diameter of the bounding box, which it computes itself, then a last
    extrapolation step): ``2 + ceil(log(D / blur) / log(1 / s))`` steps. Its default
    ``scaling=0.5`` takes 7 here and is 3e-4 to 1e-3 below the converged value, past
    the check's tolerance; at 100 steps (s = 0.97) it is within 3e-5, doing our work.
    """
    import numpy as np

    z = np.concatenate([inputs.x, inputs.y])
    diameter = float(np.linalg.norm(z.max(axis=0) - z.min(axis=0)))
    blur = SINKHORN_EPSILON**0.5
    return float((blur / max(diameter, 2 * blur)) ** (1 / (SINKHORN_ITERATIONS - 2.5)))


def _torch_logit_adjusted(torch: Any) -> Callable[..., Any]:
    F = torch.nn.functional

    def la(x: Any, y: Any, priors: Any, *_: Any) -> Any:
        # google-research/logit_adjustment: logits + tau * log(base_probs), tau = 1
        return F.cross_entropy(x + torch.log(priors), y)

    return la


def _torch_ldam(torch: Any) -> Callable[..., Any]:
    F = torch.nn.functional

    def ldam(x: Any, y: Any, counts: Any, *_: Any) -> Any:
        # kaidic/LDAM-DRW LDAMLoss: m = 1 / n^(1/4) scaled to max_m, subtracted at the
        # label, times s (its one-hot matmul for batch_m is this gather)
        m_list = 1.0 / torch.sqrt(torch.sqrt(counts))
        m_list = m_list * (LDAM_MAX_MARGIN / m_list.max())
        index = torch.zeros_like(x, dtype=torch.bool).scatter_(1, y[:, None], True)
        output = torch.where(index, x - m_list[y][:, None], x)
        return F.cross_entropy(LDAM_SCALE * output, y)

    return ldam


def _torch_asymmetric(torch: Any) -> Callable[..., Any]:
    def asl(x: Any, y: Any, *_: Any) -> Any:
        # Alibaba-MIIL/ASL AsymmetricLoss with gamma_neg 4, gamma_pos 0, clip 0.05,
        # eps 1e-8, the focusing weight differentiated: the summed loss
        xs_pos = torch.sigmoid(x)
        xs_neg = (1 - xs_pos + 0.05).clamp(max=1)
        loss = y * torch.log(xs_pos.clamp(min=1e-8)) + (1 - y) * torch.log(xs_neg.clamp(min=1e-8))
        pt = xs_pos * y + xs_neg * (1 - y)
        loss = loss * torch.pow(1 - pt, 0.0 * y + 4.0 * (1 - y))
        return -loss.sum()

    return asl


def _torch_seesaw(torch: Any) -> Callable[..., Any]:
    F = torch.nn.functional

    def seesaw(x: Any, y: Any, *_: Any) -> Any:
        # mmdetection's SeesawLoss (p 0.8, q 2) on this batch's counts, without its
        # 1e-2 clamp of the true-class probability (the paper's, and our, form)
        counts = torch.bincount(y, minlength=x.shape[1]).clamp(min=1).to(x.dtype)
        ratio = counts[None, :] / counts[:, None]
        mitigation = torch.where(ratio < 1.0, ratio.pow(0.8), 1.0)[y]
        scores = F.softmax(x.detach(), dim=1)
        score_matrix = scores / scores.gather(1, y[:, None])
        compensation = torch.where(score_matrix > 1.0, score_matrix.pow(2.0), 1.0)
        onehot = F.one_hot(y, x.shape[1]).to(x.dtype)
        return F.cross_entropy(x + (mitigation * compensation).log() * (1 - onehot), y)

    return seesaw


#: loss -> (torch -> the plain torch formula of the authors' code, a composite peer)
_TORCH_HAND_WRITTEN: dict[str, Callable[[Any], Callable[..., Any]]] = {
    "logit_adjusted_cross_entropy": _torch_logit_adjusted,
    "ldam_loss": _torch_ldam,
    "asymmetric_loss": _torch_asymmetric,
    "seesaw_loss": _torch_seesaw,
}


def _jax_peers(loss: str, inputs: _Inputs) -> dict[str, Callable[..., Any]]:
    if loss == "sinkhorn_divergence":
        return _ott_peers(inputs)
    if loss == "ssim_loss":
        pix = _optional("dm_pix")
        return {"dm_pix.ssim": lambda x, y: 1 - pix.ssim(x, y).mean()} if pix else {}
    optax = _optional("optax")
    if optax is None:
        return {}
    o = optax.losses
    if loss == "cross_entropy":
        return {
            "optax.softmax_cross_entropy_with_integer_labels": lambda x, y: (
                o.softmax_cross_entropy_with_integer_labels(x, y).mean()
            )
        }
    if loss == "binary_cross_entropy":
        return {
            "optax.sigmoid_binary_cross_entropy": lambda x, y: o.sigmoid_binary_cross_entropy(
                x, y
            ).mean()
        }
    if loss == "binary_focal_loss":
        return {
            "optax.sigmoid_focal_loss": lambda x, y: o.sigmoid_focal_loss(
                x, y, alpha=0.25, gamma=2.0
            ).mean()
        }
    if loss == "huber_loss":
        return {"optax.huber_loss": lambda x, y: o.huber_loss(x, y, delta=1.0).mean()}
    if loss == "mse_loss":
        return {"optax.squared_error": lambda x, y: o.squared_error(x, y).mean()}
    if loss == "dice_loss" and hasattr(o, "dice_loss"):
        # optax takes one-hot targets; the one-hot array is an input, not timed
        return {"optax.dice_loss": lambda x, y, onehot: o.dice_loss(x, onehot).mean()}
    if loss == "ctc_loss":  # optax applies the log-softmax itself, and takes paddings
        return {
            "optax.ctc_loss": lambda x, y, il, tl, lpad, ypad: o.ctc_loss(x, lpad, y, ypad).sum()
        }
    if loss == "nt_xent" and hasattr(o, "ntxent"):
        return {"optax.ntxent": lambda x, y: o.ntxent(x, y, temperature=NT_XENT_TEMPERATURE)}
    if loss == "triplet_margin_loss" and hasattr(o, "triplet_margin_loss"):
        return {
            "optax.triplet_margin_loss": lambda x, y, neg: o.triplet_margin_loss(x, y, neg).mean()
        }
    return {}


def _ott_peers(inputs: _Inputs) -> dict[str, Callable[..., Any]]:
    """ott-jax's debiased Sinkhorn divergence on point clouds, :data:`SINKHORN_ITERATIONS`
    iterations (no early stop), its epsilon absolute: 2 eps on its cost |x-y|^2."""
    pointcloud = _optional("ott.geometry.pointcloud")
    sd = _optional("ott.tools.sinkhorn_divergence")
    if pointcloud is None or sd is None:
        return {}
    its = {"min_iterations": SINKHORN_ITERATIONS, "max_iterations": SINKHORN_ITERATIONS}

    jnp = importlib.import_module("jax.numpy")

    def ott(x: Any, y: Any) -> Any:
        # in float64 when JAX's x64 mode is on: ott-jax 0.6's solver mixes its float64
        # constants with float32 clouds in a lax.cond there and fails to trace
        dtype = jnp.result_type(float)
        div, _ = sd.sinkhorn_divergence(
            pointcloud.PointCloud,
            x.astype(dtype),
            y.astype(dtype),
            epsilon=2 * SINKHORN_EPSILON,
            solve_kwargs=its,
        )
        return div

    return {"ott.sinkhorn_divergence": ott}


def _numpy_peers(loss: str, inputs: _Inputs) -> dict[str, Callable[..., Any]]:
    """Hand-written float32 NumPy forward passes: the plain formula, no validation."""
    import numpy as np

    def ce(x: Any, y: Any) -> Any:
        m = x.max(axis=-1, keepdims=True)
        lse = np.log(np.exp(x - m).sum(axis=-1)) + m[..., 0]
        picked = np.take_along_axis(x, y[..., None], axis=-1)[..., 0]
        return (lse - picked).mean()

    def focal(x: Any, y: Any) -> Any:
        m = x.max(axis=-1, keepdims=True)
        logp = x - m - np.log(np.exp(x - m).sum(axis=-1, keepdims=True))
        lp = np.take_along_axis(logp, y[..., None], axis=-1)[..., 0]
        return (-((1 - np.exp(lp)) ** 2) * lp).mean()

    def bce(x: Any, y: Any) -> Any:
        return (np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x)))).mean()

    def bfocal(x: Any, y: Any) -> Any:
        p = 1 / (1 + np.exp(-x))
        ce_ = np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x)))
        pt = p * y + (1 - p) * (1 - y)
        a = 0.25 * y + 0.75 * (1 - y)
        return (a * (1 - pt) ** 2 * ce_).mean()

    def huber(x: Any, y: Any) -> Any:
        d = np.abs(x - y)
        return np.where(d < 1, 0.5 * d * d, d - 0.5).mean()

    def mse(x: Any, y: Any) -> Any:
        return ((x - y) ** 2).mean()

    def dice(x: Any, y: Any, onehot: Any) -> Any:
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        p = e / e.sum(axis=-1, keepdims=True)
        red = tuple(range(1, x.ndim - 1))
        inter = (p * onehot).sum(axis=red)
        card = (p + onehot).sum(axis=red)
        return (1 - (2 * inter + 1e-5) / (card + 1e-5)).mean()

    t = np.arange(11) - 5.0
    g = np.exp(-(t**2) / (2 * 1.5**2))
    g = (g / g.sum()).astype(np.float32)

    def blur(a: Any) -> Any:  # the Gaussian along H then W, valid borders: shifted sums
        for ax in (1, 2):
            n = a.shape[ax] - 10
            a = sum(g[k] * a[(slice(None),) * ax + (slice(k, k + n),)] for k in range(11))
        return a

    def ssim(x: Any, y: Any) -> Any:
        c1, c2 = 0.01**2, 0.03**2
        mx, my = blur(x), blur(y)
        vx, vy, cxy = blur(x * x) - mx * mx, blur(y * y) - my * my, blur(x * y) - mx * my
        s = (2 * mx * my + c1) * (2 * cxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2))
        return 1 - s.mean()

    def ntxent(x: Any, y: Any) -> Any:
        z = x / np.linalg.norm(x, axis=1, keepdims=True)
        s = z @ z.T / np.float32(NT_XENT_TEMPERATURE)
        np.fill_diagonal(s, -np.inf)
        rows = np.arange(len(z))
        m = s.max(axis=1)
        lse = np.log(np.exp(s - m[:, None]).sum(axis=1)) + m
        return (lse - s[rows, (rows + len(z) // 2) % len(z)]).mean()

    def triplet(a: Any, p: Any, n: Any) -> Any:
        d_ap = np.sqrt(((a - p + np.float32(1e-6)) ** 2).sum(axis=-1))
        d_an = np.sqrt(((a - n + np.float32(1e-6)) ** 2).sum(axis=-1))
        return np.maximum(d_ap - d_an + 1, 0).mean()

    def logit_adjusted(x: Any, y: Any, priors: Any) -> Any:
        return ce(x + np.log(priors), y)

    def ldam(x: Any, y: Any, counts: Any) -> Any:
        m = counts**-0.25
        m = m * (np.float32(LDAM_MAX_MARGIN) / m.max())
        z = x.copy()
        z[np.arange(len(y)), y] -= m[y]
        return ce(np.float32(LDAM_SCALE) * z, y)

    def asl(x: Any, y: Any) -> Any:
        p = 1 / (1 + np.exp(-x))
        neg = np.minimum(1 - p + np.float32(0.05), 1)  # 1 - p_m
        pos_term = y * np.log(np.maximum(p, np.float32(1e-8)))
        neg_term = (1 - y) * np.log(np.maximum(neg, np.float32(1e-8))) * (1 - neg) ** 4
        return -(pos_term + neg_term).sum()

    table: dict[str, Callable[..., Any]] = {
        "cross_entropy": ce,
        "focal_loss": focal,
        "binary_cross_entropy": bce,
        "binary_focal_loss": bfocal,
        "huber_loss": huber,
        "smooth_l1_loss": huber,  # beta = 1: the same function
        "mse_loss": mse,
        "dice_loss": dice,
        "ssim_loss": ssim,
        "nt_xent": ntxent,
        "triplet_margin_loss": triplet,
        "logit_adjusted_cross_entropy": logit_adjusted,
        "ldam_loss": ldam,
        "asymmetric_loss": asl,
    }
    return {"numpy (hand-written)": table[loss]} if loss in table else {}
