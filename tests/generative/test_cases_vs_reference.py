"""Every registered generative case on NumPy (float64) against the float64 reference."""

from __future__ import annotations

import numpy as np
import pytest

from arrayloss._registry import LOSSES

from .reference import REFERENCES

CASES = [
    pytest.param(info, case, id=f"{info.name}-{case.label}")
    for info in LOSSES
    if info.family == "generative"
    for case in info.cases()
]


def test_every_loss_has_a_reference() -> None:
    names = {info.name for info in LOSSES if info.family == "generative"}
    assert names == set(REFERENCES)


@pytest.mark.parametrize(("info", "case"), CASES)
def test_case_matches_reference(info, case) -> None:  # type: ignore[no-untyped-def]
    got = np.asarray(info.loss()(*case.args, **case.kwargs))
    want = REFERENCES[info.name](*case.args, **case.kwargs)
    # sinkhorn: the loss runs a fixed iteration count, the reference to convergence
    rtol = 1e-5 if info.name == "sinkhorn_divergence" else 1e-10
    np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-12)
