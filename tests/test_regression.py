"""Values of the regression losses against the float64 NumPy reference."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import arrayloss as al
from support import reference as ref
from support.backends import Backend

REDUCTIONS = ref.REDUCTIONS
SHAPES = {"scalar": (), "1d": (5,), "2d": (3, 4), "4d": (2, 3, 2, 2)}


def _compare(
    backend: Backend,
    fn: Any,
    ref_fn: Any,
    preds: np.ndarray,
    targets: np.ndarray,
    kwargs: dict[str, Any],
    dtype: str = "float64",
    target_dtype: str | None = None,
) -> None:
    compute = "float64" if dtype == "float64" else "float32"
    p = backend.asarray(preds, dtype)
    t = backend.asarray(targets, target_dtype or dtype)
    kw = {
        k: backend.asarray(v, dtype) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()
    }
    outs = ref.call_all_reductions(backend, fn, p, t, **kw)
    for reduction, out in outs.items():
        shape = preds.shape if reduction == "none" else ()
        got = backend.check_result(out, dtype=backend.dtype(compute), shape=shape)
        want = ref_fn(preds, targets, **kwargs, reduction=reduction)
        ref.assert_close(got, want, compute, err_msg=f"reduction={reduction}")


def _data(shape: tuple[int, ...], seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, 2.0, size=shape), rng.normal(0.0, 2.0, size=shape)


def _weights(shape: tuple[int, ...], kind: str | None, seed: int = 1) -> np.ndarray | None:
    if kind is None:
        return None
    rng = np.random.default_rng(seed)
    w = rng.uniform(0.0, 2.0, size=shape if kind == "full" else shape[-1:])
    if w.size > 1:
        w.reshape(-1)[0] = 0.0
    return w


@pytest.mark.parametrize("weights", [None, "full", "bcast"])
@pytest.mark.parametrize("shape", list(SHAPES))
def test_mse_matches_reference(backend: Backend, shape: str, weights: str | None) -> None:
    ref.only_subset(backend, (shape, weights), {("scalar", None), ("4d", "bcast"), ("2d", "full")})
    preds, targets = _data(SHAPES[shape])
    w = _weights(SHAPES[shape], weights)
    kwargs = {} if w is None else {"weights": w}
    _compare(backend, al.mse_loss, ref.mse, preds, targets, kwargs)


@pytest.mark.parametrize("delta", [1.0, 0.3, 2.5])
@pytest.mark.parametrize("weights", [None, "bcast"])
@pytest.mark.parametrize("shape", ["1d", "4d"])
def test_huber_matches_reference(
    backend: Backend, shape: str, weights: str | None, delta: float
) -> None:
    ref.only_subset(backend, (shape, weights, delta), {("1d", None, 1.0), ("4d", "bcast", 0.3)})
    preds, targets = _data(SHAPES[shape], seed=2)
    # both branches are exercised: |d| ranges over ~[0, 8] for every delta
    w = _weights(SHAPES[shape], weights)
    kwargs: dict[str, Any] = {"delta": delta}
    if w is not None:
        kwargs["weights"] = w
    _compare(backend, al.huber_loss, ref.huber, preds, targets, kwargs)


def test_huber_at_the_kink(backend: Backend) -> None:
    """|d| == delta exactly: both branches give delta^2 / 2 (hand-derived)."""
    preds = np.array([0.0, 0.0, 1.5, -0.25])
    targets = np.array([0.5, -0.5, 1.0, 0.25])  # |d| = 0.5 everywhere, exact in binary
    out = backend.call(
        al.huber_loss,
        backend.asarray(preds, "float64"),
        backend.asarray(targets, "float64"),
        delta=0.5,
        reduction="none",
    )
    got = backend.check_result(out, dtype=backend.dtype("float64"), shape=(4,))
    np.testing.assert_array_equal(got, 0.125)


@pytest.mark.parametrize("target_dtype", ["int64", "bool"])
def test_non_floating_targets(backend: Backend, target_dtype: str) -> None:
    """Integer and boolean targets are allowed (docstring); the result has preds' dtype."""
    rng = np.random.default_rng(3)
    preds = rng.normal(size=(3, 4))
    targets = rng.integers(0, 2, size=(3, 4)).astype(target_dtype)
    for fn, ref_fn in ((al.mse_loss, ref.mse), (al.huber_loss, ref.huber)):
        _compare(backend, fn, ref_fn, preds, targets, {}, target_dtype=target_dtype)


def test_huber_with_huge_delta_is_half_mse(backend: Backend) -> None:
    preds, targets = _data((3, 4), seed=4)
    p, t = backend.asarray(preds, "float64"), backend.asarray(targets, "float64")
    f64 = backend.dtype("float64")
    hubers = ref.call_all_reductions(backend, al.huber_loss, p, t, delta=1e6)
    mses = ref.call_all_reductions(backend, al.mse_loss, p, t)
    for reduction in REDUCTIONS:
        shape = (3, 4) if reduction == "none" else ()
        huber, mse = hubers[reduction], mses[reduction]
        ref.assert_close(
            backend.check_result(huber, dtype=f64, shape=shape),
            0.5 * backend.check_result(mse, dtype=f64, shape=shape),
            "float64",
        )


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
@pytest.mark.parametrize("loss", ["mse", "huber"])
def test_dtype_contract(backend: Backend, loss: str, dtype: str) -> None:
    """Half in -> float32 out, float32 stays float32 (also on NumPy: no float64
    constant may upcast it), float64 stays float64. The reference runs on the
    inputs rounded to ``dtype``."""
    ref.only_subset(backend, (loss,), {("huber",)})
    ref.require_dtype(backend, dtype)
    preds, targets = (ref.round_to(a, dtype) for a in _data((2, 3, 4), seed=5))
    weights = ref.round_to(_weights((2, 3, 4), "bcast"), dtype)
    fn, ref_fn, kwargs = {
        "mse": (al.mse_loss, ref.mse, {"weights": weights}),
        "huber": (al.huber_loss, ref.huber, {"weights": weights, "delta": 0.75}),
    }[loss]
    _compare(backend, fn, ref_fn, preds, targets, kwargs, dtype=dtype)


# -- properties (NumPy only) -----------------------------------------------------------

_values = st.floats(-1e3, 1e3, allow_nan=False, width=64)


@st.composite
def _batch(draw: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = draw(st.integers(1, 6))
    k = draw(st.integers(1, 3))
    preds = draw(hnp.arrays(np.float64, (n, k), elements=_values))
    targets = draw(hnp.arrays(np.float64, (n, k), elements=_values))
    perm = np.asarray(draw(st.permutations(range(n))))
    return preds, targets, perm


@settings(max_examples=50, deadline=None)
@given(batch=_batch(), delta=st.floats(1e-3, 1e3))
def test_properties(batch: tuple[np.ndarray, np.ndarray, np.ndarray], delta: float) -> None:
    """Non-negative; exactly 0 at a perfect prediction; the mean ignores batch order."""
    preds, targets, perm = batch
    for fn, kw in ((al.mse_loss, {}), (al.huber_loss, {"delta": delta})):
        assert np.all(fn(preds, targets, reduction="none", **kw) >= 0)
        assert fn(preds, preds, **kw) == 0.0
        np.testing.assert_allclose(
            fn(preds[perm], targets[perm], **kw), fn(preds, targets, **kw), rtol=1e-12
        )


def test_reference_hand_derived_and_torch() -> None:
    """The oracle: hand-derived values, and torch's huber_loss (same definition)."""
    np.testing.assert_allclose(
        ref.mse(np.array([1.0, 2.0, 4.0]), np.array([1.0, 3.0, 2.0])), 5 / 3
    )
    # d = 0.5 (quadratic): 0.125; d = 3 with delta 1: 1 * (3 - 0.5) = 2.5
    np.testing.assert_allclose(
        ref.huber(np.zeros(2), np.array([0.5, 3.0]), reduction="none"), [0.125, 2.5]
    )
    torch = pytest.importorskip("torch")
    preds, targets = _data((4, 5), seed=6)
    for delta in (0.3, 1.0, 2.5):
        want = torch.nn.functional.huber_loss(
            torch.from_numpy(preds), torch.from_numpy(targets), delta=delta, reduction="none"
        ).numpy()
        got = ref.huber(preds, targets, delta=delta, reduction="none")
        np.testing.assert_allclose(got, want, rtol=1e-12)
