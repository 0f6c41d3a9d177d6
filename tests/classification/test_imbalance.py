"""nll_loss, focal_loss's offset ``lam`` and label smoothing, class_weights="balanced"
and class_weights_from_counts: values against the independent float64 references
(``support/reference_classification_extra.py``), peers, numerics and errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import arrayloss as al
from classification import reference as cref
from classification import reference as rx
from support import reference as ref
from support.backends import Backend

# -- class_weights="balanced" -----------------------------------------------------------


def test_balanced_cross_entropy_matches_sklearn_formula(backend: Backend) -> None:
    rng = np.random.default_rng(8)
    x = rng.normal(0.0, 2.0, size=(2, 4, 5))
    y = rng.integers(0, 3, size=(2, 5))
    y[0, :2] = 255
    want_w = rx.balanced_weights(y, 4, 255)
    args = (backend.asarray(x), backend.asarray(y))
    outs = ref.call_all_reductions(
        backend,
        al.cross_entropy,
        *args,
        axis=1,
        ignore_index=255,
        class_weights="balanced",
        label_smoothing=0.1,
    )
    for reduction, out in outs.items():
        shape = (2, 5) if reduction == "none" else ()
        want = cref.cross_entropy(
            x,
            y,
            axis=1,
            ignore_index=255,
            class_weights=want_w,
            label_smoothing=0.1,
            reduction=reduction,
        )
        got = backend.check_result(out, dtype=backend.dtype("float64"), shape=shape)
        ref.assert_close(got, want, "float64", err_msg=reduction)


def test_balanced_weights_carry_no_gradient() -> None:
    """With soft targets the counts depend on labels: still no gradient through them."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(9)
    x = torch.tensor(rng.normal(size=(6, 3)), requires_grad=True)
    q = rng.uniform(0.05, 1.0, size=(6, 3))
    q /= q.sum(axis=1, keepdims=True)
    soft1 = torch.tensor(q, requires_grad=True)
    soft2 = torch.tensor(q, requires_grad=True)
    fixed = torch.tensor(rx.class_weights_from_counts(q.sum(axis=0)))
    a = al.cross_entropy(x, soft1, class_weights="balanced")
    b = al.cross_entropy(x, soft2, class_weights=fixed)
    ga = torch.autograd.grad(a, soft1)[0]
    gb = torch.autograd.grad(b, soft2)[0]
    ref.assert_close(a.detach().numpy(), b.detach().numpy(), "float64")
    ref.assert_close(ga.numpy(), gb.numpy(), "float64")


# -- class_weights_from_counts ----------------------------------------------------------

COUNTS = {
    "int": np.array([10, 250, 0, 3, 1000]),
    "float_even": np.array([5.0, 7.0, 100.0, 1.0]),
    "all_equal": np.array([4, 4, 4]),
}


@pytest.mark.parametrize(
    "method", ["inverse", "inverse_sqrt", "median_frequency", "effective_number"]
)
@pytest.mark.parametrize("counts", list(COUNTS))
def test_class_weights_from_counts(backend: Backend, method: str, counts: str) -> None:
    if ref.is_light(backend) and counts != "int":
        pytest.skip(f"{backend.name}: representative subset only (runtime)")
    n = COUNTS[counts]
    out = backend.call(al.class_weights_from_counts, backend.asarray(n), method=method)
    if n.dtype.kind == "f":
        dtype = backend.dtype("float64")
    else:
        info = backend.xp.__array_namespace_info__()
        dtype = info.default_dtypes()["real floating"]
    compute = "float64" if str(dtype).endswith("float64") else "float32"
    got = backend.check_result(out, dtype=dtype, shape=n.shape)
    ref.assert_close(got, rx.class_weights_from_counts(n, method), compute)


@pytest.mark.parametrize("beta", [0.0, 0.9, 0.9999])
def test_effective_number_matches_paper(beta: float) -> None:
    n = np.array([1.0, 2.0, 50.0, 5000.0, 0.0])
    got = al.class_weights_from_counts(n, method="effective_number", beta=beta)
    want = rx.class_weights_from_counts(n, "effective_number", beta)
    ref.assert_close(got, want, "float64")
    np.testing.assert_allclose(np.sum(got), n.size, rtol=1e-12)  # the paper's sum = C


def test_class_weights_from_counts_float32_near_one_beta() -> None:
    """1 - beta^n in float32 for beta = 0.9999 and n = 1: expm1 keeps it accurate."""
    n = np.array([1.0, 3.0], dtype=np.float32)
    got = al.class_weights_from_counts(n, method="effective_number", beta=0.9999)
    assert got.dtype == np.float32
    ref.assert_close(got, rx.class_weights_from_counts(n, "effective_number", 0.9999), "float32")


@pytest.mark.parametrize(
    ("counts", "kwargs", "exc", "match"),
    [
        (np.ones((2, 2)), {}, ValueError, "counts must be a 1-d array"),
        (np.array([True, False]), {}, TypeError, "counts must be an integer or real floating"),
        (np.array([1, -2]), {}, ValueError, "counts must be >= 0"),
        (np.array([1, 2]), {"method": "log"}, ValueError, "method must be one of"),
        (np.array([1, 2]), {"method": "effective_number", "beta": 1.0}, ValueError, "beta"),
        ([1, 2], {}, TypeError, "counts must be an array"),
    ],
)
def test_class_weights_from_counts_errors(
    counts: Any, kwargs: dict[str, Any], exc: type, match: str
) -> None:
    with pytest.raises(exc, match=match):
        al.class_weights_from_counts(counts, **kwargs)
