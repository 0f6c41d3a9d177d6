"""Noisy-label losses: generalized (Zhang & Sabuncu 2018) and symmetric (Wang et al.
2019) cross-entropy. Values against ``support/reference_noisy_poly.py`` (plain
float64 transcriptions of the papers), the small-``q`` limit, the ``log 0`` clip,
saturated logits, errors and the Keras peer.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np
import pytest

import arrayloss as al
from classification import reference as rnp
from support import reference as ref
from support.backends import Backend

GCE = [
    ("nchw", {"ignore": -100, "weights": True}, {"q": 0.7}),
    ("nc", {}, {}),
    ("nc", {"probs": True, "weights": True}, {"q": 1.0}),
    ("nchw", {"probs": True}, {"q": 0.05}),
    ("nc", {"ignore": 1}, {"q": 0.3}),
]


SCE = [
    ("nchw", {"ignore": -100, "weights": True}, {"alpha": 0.5, "beta": 2.0}),
    ("nc", {}, {}),
    ("nc", {"probs": True, "weights": True}, {"log_zero": math.log(1e-4)}),
    ("nchw", {"probs": True}, {"alpha": 1.0, "beta": 0.0}),
    ("nc", {"ignore": 2}, {"alpha": 0.0, "beta": 1.0, "log_zero": -2.0}),
]


def _ids(rows: list[Any]) -> list[str]:
    return [f"{i}-{layout}" for i, (layout, _, _) in enumerate(rows)]


@pytest.mark.parametrize("row", range(len(GCE)), ids=_ids(GCE))
def test_generalized_cross_entropy_matches_reference(backend: Backend, row: int) -> None:
    if ref.is_light(backend) and row != 0:
        pytest.skip(f"{backend.name}: representative subset only (runtime)")
    layout, topt, lopt = GCE[row]
    logits, labels, kwargs, unreduced = rnp.softmax_case(layout, **topt)
    rnp.compare(
        backend,
        al.generalized_cross_entropy,
        rnp.generalized_cross_entropy,
        (logits, labels),
        {**kwargs, **lopt},
        unreduced,
    )


@pytest.mark.parametrize("row", range(len(SCE)), ids=_ids(SCE))
def test_symmetric_cross_entropy_matches_reference(backend: Backend, row: int) -> None:
    if ref.is_light(backend) and row != (0 if backend.name == "jax" else 2):
        pytest.skip(f"{backend.name}: representative subset only (runtime)")
    layout, topt, lopt = SCE[row]
    logits, labels, kwargs, unreduced = rnp.softmax_case(layout, **topt)
    rnp.compare(
        backend,
        al.symmetric_cross_entropy,
        rnp.symmetric_cross_entropy,
        (logits, labels),
        {**kwargs, **lopt},
        unreduced,
    )


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_dtype_contract(backend: Backend, dtype: str) -> None:
    """Half precision is computed and returned in float32; float32/float64 stay."""
    ref.require_dtype(backend, dtype)
    if ref.is_light(backend) and (dtype != "bfloat16" or backend.name == "jax"):
        pytest.skip(f"{backend.name}: bfloat16 under jax.jit only (runtime)")
    logits, labels, kwargs, unreduced = rnp.softmax_case("nc", ignore=-100, weights=True)
    for fn, ref_fn in [
        (al.generalized_cross_entropy, rnp.generalized_cross_entropy),
        (al.symmetric_cross_entropy, rnp.symmetric_cross_entropy),
    ]:
        rnp.compare(backend, fn, ref_fn, (logits, labels), kwargs, unreduced, dtype=dtype)


def test_hand_values() -> None:
    z = np.array([[0.0, 0.0], [np.log(3.0), 0.0]])
    y = np.array([0, 0])  # p_y = 1/2 and 3/4
    # q = 1: MAE-like 1 - p_y; q = 1/2: 2 (1 - sqrt(p_y))
    np.testing.assert_allclose(
        al.generalized_cross_entropy(z, y, q=1.0, reduction="none"), [0.5, 0.25]
    )
    np.testing.assert_allclose(
        al.generalized_cross_entropy(z, y, q=0.5, reduction="none"),
        [2 * (1 - np.sqrt(0.5)), 2 * (1 - np.sqrt(0.75))],
    )
    # SCE, one-hot: alpha (-log p_y) + beta (-A)(1 - p_y)
    np.testing.assert_allclose(
        al.symmetric_cross_entropy(z, y, reduction="none"),
        [0.1 * np.log(2) + 4 * 0.5, 0.1 * np.log(4 / 3) + 4 * 0.25],
    )


def test_gce_small_q_is_cross_entropy_to_first_order() -> None:
    """q = 1e-3 in float32: L_q = -log p - q log^2 p / 2 + O(q^2), the Box-Cox limit.

    The direct ``(1 - p**q) / q`` in float32 loses ~4 digits to cancellation here
    (``p**q`` is within 1e-3 of 1); the expm1 form must stay at float32 accuracy.
    """
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    logits = rng.normal(0.0, 3.0, size=(64, 10))
    labels = rng.integers(0, 10, size=64)
    q = 1e-3
    got = al.generalized_cross_entropy(
        torch.tensor(logits, dtype=torch.float32), torch.tensor(labels), q=q, reduction="none"
    ).numpy()
    x32 = logits.astype(np.float32).astype(np.float64)
    log_p = x32[np.arange(64), labels] - np.log(np.exp(x32).sum(-1))
    want = -np.expm1(q * log_p) / q  # float64: exact to ~1e-16
    np.testing.assert_allclose(got, want, rtol=3e-6, atol=1e-7)
    # and the series around cross-entropy: -log p - q log^2 p / 2 - q^2 log^3 p / 6 - ...
    np.testing.assert_allclose(want, -log_p - q * log_p**2 / 2 - q**2 * log_p**3 / 6, rtol=1e-6)
    naive = (1 - np.exp(np.float32(q) * log_p.astype(np.float32))) / np.float32(q)
    assert np.max(np.abs(naive - want) / want) > 1e-5  # the test can tell the two apart


def test_sce_onehot_probabilities_equal_integer_labels() -> None:
    """One-hot probability targets go through ``max(log y, A)``: log 0 becomes A."""
    logits, labels, _, _ = rnp.softmax_case("nc")
    onehot = np.eye(4)[labels]
    for a in (-4.0, math.log(1e-4)):
        np.testing.assert_allclose(
            al.symmetric_cross_entropy(logits, onehot, log_zero=a, reduction="none"),
            al.symmetric_cross_entropy(logits, labels, log_zero=a, reduction="none"),
            rtol=1e-12,
            atol=1e-15,
        )


SAT = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 3.0], [0.0, 0.0, 0.0], [5e3, 5e3, -1e4]])


SAT_LABELS = np.array([0, 0, 2, 1])


SAT_ONEHOT = np.eye(3)[SAT_LABELS]


def _sat_calls() -> list[tuple[str, Any, np.ndarray, np.ndarray, dict[str, Any]]]:
    return [
        ("gce", al.generalized_cross_entropy, SAT, SAT_LABELS, {}),
        ("gce-small-q", al.generalized_cross_entropy, SAT, SAT_LABELS, {"q": 1e-3}),
        ("gce-probs", al.generalized_cross_entropy, SAT, SAT_ONEHOT, {"q": 0.5}),
        ("sce", al.symmetric_cross_entropy, SAT, SAT_LABELS, {}),
        ("sce-onehot", al.symmetric_cross_entropy, SAT, SAT_ONEHOT, {}),
    ]


# hand values at +-1e4 (p_y = 1, 0, 1/3, 1/2)
SAT_EXPECTED = {
    "gce": (1 - np.array([1.0, 0.0, 3**-0.7, 2**-0.7])) / 0.7,
    "gce-small-q": -np.expm1(1e-3 * np.array([0.0, -2e4, -np.log(3), -np.log(2)])) / 1e-3,
    "sce": 0.1 * np.array([0.0, 2e4, np.log(3), np.log(2)]) + 4 * np.array([0, 1, 2 / 3, 0.5]),
}


@pytest.mark.parametrize("lib", ["torch", "jax"])
def test_saturated_logits_float32_value_and_gradient_finite(lib: str) -> None:
    """CONVENTIONS 7: logits at +-1e4 in float32: finite value and gradient."""
    calls = _sat_calls()
    if lib == "jax":  # compile time
        calls = [c for c in calls if c[0] in ("gce-probs", "sce-onehot")]
    for name, (value, grad) in rnp.value_grad_all(lib, calls).items():
        assert np.all(np.isfinite(value)), (name, value)
        assert np.all(np.isfinite(grad)), (name, grad)
        if name in SAT_EXPECTED:
            np.testing.assert_allclose(value, SAT_EXPECTED[name], rtol=2e-6, err_msg=name)


def test_errors() -> None:
    x, y = np.zeros((2, 3)), np.array([0, 1])
    for q in (0.0, -0.5, 1.5, float("nan")):
        with pytest.raises(ValueError, match=r"q must be in \(0, 1\]"):
            al.generalized_cross_entropy(x, y, q=q)
    with pytest.raises(TypeError, match="q must be a real number"):
        al.generalized_cross_entropy(x, y, q=None)
    for a in (0.0, 1.0):
        with pytest.raises(ValueError, match=r"log_zero must be in \(-inf, 0\)"):
            al.symmetric_cross_entropy(x, y, log_zero=a)
    with pytest.raises(ValueError, match="log_zero must be a finite negative number"):
        al.symmetric_cross_entropy(x, y, log_zero=-float("inf"))
    with pytest.raises(ValueError, match="alpha"):
        al.symmetric_cross_entropy(x, y, alpha=-0.1)
    with pytest.raises(ValueError, match="beta"):
        al.symmetric_cross_entropy(x, y, beta=-1.0)
    for fn in (al.generalized_cross_entropy, al.symmetric_cross_entropy):
        with pytest.raises(ValueError, match="reduction"):
            fn(x, y, reduction="batchmean")
        with pytest.raises(ValueError, match="does not match logits"):
            fn(x, np.zeros((2, 2)))
        with pytest.raises(ValueError, match="ignore_index"):
            fn(x, np.full((2, 3), 1 / 3), ignore_index=0)
        with pytest.raises(TypeError, match="labels must be integer"):
            fn(x, np.zeros(2, dtype=bool))


def test_matches_keras_categorical_generalized_cross_entropy() -> None:
    """Keras takes integer labels and *probabilities*: we pass it softmax(logits).

    Keras computes ``(1 - p**q) / q`` directly and returns per-sample values (our
    ``"none"``); its ``q`` must be in (0, 1) (ours (0, 1]). At moderate ``p`` in
    float32 the two agree to float32 accuracy.
    """
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(11)
    logits = rng.normal(0.0, 2.0, size=(16, 6))
    labels = rng.integers(0, 6, size=16)
    e = np.exp(logits - logits.max(-1, keepdims=True))
    probs = (e / e.sum(-1, keepdims=True)).astype(np.float32)
    for q in (0.5, 0.7, 0.1):
        theirs = keras.losses.categorical_generalized_cross_entropy(labels, probs, q=q)
        ours = al.generalized_cross_entropy(logits, labels, q=q, reduction="none")
        np.testing.assert_allclose(np.asarray(theirs), ours, rtol=2e-5, atol=1e-6)
