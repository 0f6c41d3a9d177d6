"""clDice and Boundary DoU (issue 4): topology- and boundary-aware region losses.

Values against the float64 reference of ``support/reference_topology.py`` (from the
papers and their code: +-inf-padded box/cross morphology, the paper code's
convolution count of boundary pixels), hand-derived cases, the numerics list of
CONVENTIONS section 7 (empty masks, all-ignored, single-class images, 3-D volumes,
saturated logits), errors, the dtype contract and MONAI's SoftclDiceLoss and
SoftDiceclDiceLoss.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import arrayloss as al
from segmentation import reference as rt
from support import reference as ref
from support.backends import Backend

# -- InverseForm ---------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["matrix", "offsets"])
@pytest.mark.parametrize("weights", [None, "full"])
def test_inverseform_matches_reference(backend: Backend, form: str, weights: str | None) -> None:
    ref.only_subset(backend, (form, weights), {("matrix", "full")})
    rng = np.random.default_rng(21)
    if form == "matrix":
        x = np.eye(3) + 0.3 * rng.normal(size=(2, 5, 3, 3))
        x[0, 1] = np.eye(3)  # the identity itself
        none_shape: tuple[int, ...] = (2, 5)
    else:
        x = rng.normal(size=(6, 4))
        x[2] = 0.0
        none_shape = (6,)
    kwargs: dict[str, Any] = {"form": form}
    if weights:
        kwargs["weights"] = rng.uniform(0.0, 2.0, size=none_shape)
    ref.compare_reductions(
        backend,
        lambda t, **kw: al.inverseform_loss(t, **kw),
        lambda t, **kw: rt.inverseform_loss(t, **kw),
        (x,),
        kwargs,
        none_shape,
    )


def test_inverseform_hand_and_gradient_at_identity() -> None:
    # scaling by 2 in x: one entry off by 1; translation (3, 4): distance 5
    scale = np.diag([2.0, 1.0, 1.0])
    shift = np.array([[1.0, 0.0, 3.0], [0.0, 1.0, 4.0], [0.0, 0.0, 1.0]])
    got = al.inverseform_loss(np.stack([scale, shift]), reduction="none")
    np.testing.assert_allclose(got, [1.0, 5.0])
    np.testing.assert_allclose(
        al.inverseform_loss(np.array([[3.0, 0.0, 0.0, 4.0]]), form="offsets"), 5.0
    )
    torch = pytest.importorskip("torch")
    x = torch.eye(3, dtype=torch.float32).requires_grad_()
    out = al.inverseform_loss(x)
    out.backward()
    assert out.item() == 0.0
    assert torch.all(x.grad == 0).item()  # not NaN: the norm's subgradient at 0
    assert np.isnan(al.inverseform_loss(np.full((3, 3), np.nan)))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32"])
def test_inverseform_dtype_contract(backend: Backend, dtype: str) -> None:
    ref.require_dtype(backend, dtype)
    if ref.is_light(backend) and dtype != "float16":
        pytest.skip(f"{backend.name}: representative subset only (runtime)")
    x = np.eye(3) + 0.3 * np.random.default_rng(1).normal(size=(4, 3, 3))
    out = backend.call(al.inverseform_loss, backend.asarray(x, dtype))
    got = backend.check_result(out, dtype=backend.dtype("float32"), shape=())
    ref.assert_close(got, rt.inverseform_loss(ref.round_to(x, dtype)), "float32")


def test_inverseform_errors() -> None:
    with pytest.raises(ValueError, match=r"transform .* must have shape \(\.\.\., 3, 3\)"):
        al.inverseform_loss(np.zeros((4, 2, 3)))
    with pytest.raises(ValueError, match="form must be one of"):
        al.inverseform_loss(np.eye(3), form="homography")
    with pytest.raises(ValueError, match="at least one axis"):
        al.inverseform_loss(np.zeros(()), form="offsets")
    with pytest.raises(TypeError, match="transform"):
        al.inverseform_loss(np.eye(3, dtype=np.int64))
    with pytest.raises(ValueError, match="weights"):
        al.inverseform_loss(np.stack([np.eye(3)] * 2), weights=np.ones(3))
