"""Pixel-level segmentation losses against the float64 references of reference_pixel.

Also checks that ``cross_entropy`` and ``focal_loss`` handle (N, H, W[, D], C) and
``axis=1`` layouts with integer/probability targets, ignore_index and class weights.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import arrayloss as al
from segmentation import reference as rp
from support import reference as ref
from support.backends import Backend

T_OPTIONS: dict[str, dict[str, Any]] = {
    "nu1": {},
    "nu5_probs": {"nu": 5.0, "from_logits": False},
    "ignore": {"nu": 0.5, "ignore_index": 7},
    "weights": {"weights": np.array([0.2, 1.0, 3.0])},
}


@pytest.mark.parametrize("option", list(T_OPTIONS))
def test_robust_t_matches_reference(backend: Backend, option: str) -> None:
    ref.only_subset(backend, option, {"ignore"})
    kw = dict(T_OPTIONS[option])
    rng = np.random.default_rng(8)
    logits = rng.normal(size=(3, 4, 5))
    if kw.get("from_logits") is False:
        logits = 1 / (1 + np.exp(-logits))
    labels = rng.integers(0, 2, size=(3, 4, 5))
    if "ignore_index" in kw:
        labels[0, 0] = 7
        labels[1] = 7  # a fully ignored sample: D = 0, loss 0
    ref.compare_reductions(backend, al.robust_t_loss, rp.robust_t_loss, (logits, labels), kw, (3,))


def test_robust_t_nu_is_differentiable_and_lgamma_fallback_matches() -> None:
    torch = pytest.importorskip("torch")
    import array_api_strict as xs
    from scipy.special import gammaln

    from arrayloss._lib._special import lgamma

    z = np.array([1e-3, 0.5, 1.0, 3.7, 250.0, 1e6])
    np.testing.assert_allclose(np.asarray(lgamma(xs.asarray(z), xp=xs)), gammaln(z), rtol=1e-12)
    rng = np.random.default_rng(9)
    x = torch.tensor(rng.normal(size=(2, 6)))
    y = torch.tensor(rng.integers(0, 2, size=(2, 6)))
    nu = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda v: al.robust_t_loss(x, y, nu=v), (nu,))
