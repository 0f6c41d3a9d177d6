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
from segmentation import reference as rc
from support import reference as ref
from support.backends import Backend


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


@pytest.mark.parametrize("squeeze", [False, True])
def test_unified_focal_binary_matches_reference(backend: Backend, squeeze: bool) -> None:
    """One sigmoid channel is the two classes [1 - p, p]; labels with or without channel."""
    ref.only_subset(backend, squeeze, {False})
    rng = np.random.default_rng(2)
    logits = rng.normal(0.0, 2.0, size=(2, 1, 3, 4))
    labels = rng.integers(0, 2, size=(2, 3, 4))
    given = labels if squeeze else labels[:, None]
    got = _mean_sum(backend, al.unified_focal_loss, logits, given, mode="binary", axis=1)
    for r in ("mean", "sum"):
        want = rc.unified_focal(logits, labels, binary=True, axis=1, reduction=r)
        ref.assert_close(got[r], want, "float64")


# -- peers --------------------------------------------------------------------------------


def _monai_inputs() -> tuple[Any, ...]:
    torch = pytest.importorskip("torch")
    pytest.importorskip("monai")
    rng = np.random.default_rng(4)
    logits = rng.normal(0.0, 2.0, size=(2, 3, 4, 5))
    labels = rng.integers(0, 3, size=(2, 4, 5))
    return torch, logits, labels


@pytest.mark.parametrize("weight", [0.0, 0.3, 1.0])
def test_peer_monai_asymmetric_unified_focal(weight: float) -> None:
    """MONAI (binary, probabilities over two channels) vs ours in binary mode.

    The focal-Tversky terms agree (MONAI also means over the two classes). MONAI's focal
    term is ``mean`` over (N, 2, H, W) of the per-class terms, i.e. the paper's sum over
    the classes divided by 2; ours is the paper's (eq. 16 sums over classes). So
    ``MONAI = (1 - w) FT + w F / 2`` while ``ours = (1 - w) FT + w F``.
    """
    torch, _, _ = _monai_inputs()
    from monai.losses import AsymmetricUnifiedFocalLoss

    rng = np.random.default_rng(5)
    x = rng.normal(size=(2, 1, 4, 5))
    labels = rng.integers(0, 2, size=(2, 4, 5))
    delta, gamma = 0.6, 0.5
    s = 1.0 / (1.0 + np.exp(-x))
    probs2 = np.concatenate([1 - s, s], axis=1)
    peer = AsymmetricUnifiedFocalLoss(to_onehot_y=True, weight=weight, delta=delta, gamma=gamma)
    want = peer(torch.tensor(probs2), torch.tensor(labels)[:, None]).item()
    kw = {"mode": "binary", "axis": 1, "delta": delta, "gamma": gamma}
    ft = float(al.unified_focal_loss(x, labels, **kw, weight=0.0))
    f = float(al.unified_focal_loss(x, labels, **kw, weight=1.0))
    got = float(al.unified_focal_loss(x, labels, **kw, weight=weight))
    np.testing.assert_allclose(got, (1 - weight) * ft + weight * f, rtol=1e-10)
    np.testing.assert_allclose(want, (1 - weight) * ft + weight * f / 2, rtol=1e-6)
    # and our focal term is the paper's sum over the classes (independent reference)
    np.testing.assert_allclose(f, rc.unified_focal(x, labels, binary=True, axis=1, weight=1.0))
