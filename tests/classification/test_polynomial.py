"""PolyLoss (Leng et al. 2022): values, dtypes, numerics, errors and the optax peer.

References are the float64 NumPy transcriptions of the paper's listings in
``support/reference_noisy_poly.py``; they share nothing with ``arrayloss``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import arrayloss as al
from classification import reference as rnp
from support import reference as ref
from support.backends import Backend

# (layout, target options, loss options); the first of each runs on the light backends
POLY_CE = [
    ("nc", {}, {}),
    ("nchw", {"ignore": -100, "weights": True}, {"epsilon": 2.0, "label_smoothing": 0.1}),
    ("nc", {"probs": True, "weights": True}, {"epsilon": -1.0}),
    ("nchw", {"probs": True}, {"label_smoothing": 0.2}),
    ("nc", {"ignore": 2}, {"epsilon": -1.0}),
]


POLY_FOCAL = [
    ("nchw", {"ignore": -100, "weights": True}, {"alpha": "vec", "gamma": 1.5}),
    ("nc", {}, {}),
    ("nc", {"probs": True, "weights": True}, {"epsilon": -1.0, "alpha": "vec"}),
    ("nchw", {"probs": True}, {"gamma": 0.5, "epsilon": 3.0}),
    ("nc", {}, {"gamma": 0.0, "epsilon": -1.0}),
    ("nchw", {"ignore": -100}, {"alpha": "vec", "gamma": 0.5, "label_smoothing": 0.1}),
    ("nc", {"probs": True, "weights": True}, {"label_smoothing": 0.2}),
]


def _ids(rows: list[Any]) -> list[str]:
    return [f"{i}-{layout}" for i, (layout, _, _) in enumerate(rows)]


@pytest.mark.parametrize("row", range(len(POLY_CE)), ids=_ids(POLY_CE))
def test_poly1_cross_entropy_matches_reference(backend: Backend, row: int) -> None:
    if ref.is_light(backend) and row != 1:
        pytest.skip(f"{backend.name}: representative subset only (runtime)")
    layout, topt, lopt = POLY_CE[row]
    logits, labels, kwargs, unreduced = rnp.softmax_case(layout, **topt)
    rnp.compare(
        backend,
        al.poly1_cross_entropy,
        rnp.poly1_cross_entropy,
        (logits, labels),
        {**kwargs, **lopt},
        unreduced,
    )


@pytest.mark.parametrize("row", range(len(POLY_FOCAL)), ids=_ids(POLY_FOCAL))
def test_poly1_focal_loss_matches_reference(backend: Backend, row: int) -> None:
    if ref.is_light(backend) and row > 0:
        pytest.skip(f"{backend.name}: representative subset only (runtime)")
    layout, topt, lopt = POLY_FOCAL[row]
    logits, labels, kwargs, unreduced = rnp.softmax_case(layout, **topt)
    lopt = dict(lopt)
    if lopt.get("alpha") == "vec":
        lopt["alpha"] = np.array([0.5, 1.0, 2.0, 0.25])
    rnp.compare(
        backend,
        al.poly1_focal_loss,
        rnp.poly1_focal_loss,
        (logits, labels),
        {**kwargs, **lopt},
        unreduced,
    )


BINARY = [
    ({}, False, False),
    ({"epsilon": -1.0, "alpha": None, "gamma": 0.5}, True, True),
    ({"epsilon": 2.0, "gamma": 0.0}, False, True),
]


@pytest.mark.parametrize("row", range(len(BINARY)))
def test_binary_poly1_focal_loss_matches_reference(backend: Backend, row: int) -> None:
    if ref.is_light(backend) and row != 1:
        pytest.skip(f"{backend.name}: representative subset only (runtime)")
    opts, soft, weighted = BINARY[row]
    rng = np.random.default_rng(row)
    logits = rng.normal(0.0, 2.0, size=(4, 3))
    if soft:
        labels = rng.uniform(0.0, 1.0, size=(4, 3))
        labels[0, :2] = [0.0, 1.0]
    else:
        labels = rng.integers(0, 2, size=(4, 3)).astype(np.float64)
    kwargs = dict(opts)
    if weighted:
        kwargs["weights"] = rng.uniform(0.0, 2.0, size=(3,))
    rnp.compare(
        backend,
        al.binary_poly1_focal_loss,
        rnp.binary_poly1_focal_loss,
        (logits, labels),
        kwargs,
        (4, 3),
    )


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_dtype_contract(backend: Backend, dtype: str) -> None:
    """Half precision is computed and returned in float32; float32/float64 stay."""
    ref.require_dtype(backend, dtype)
    if ref.is_light(backend) and (dtype != "bfloat16" or backend.name == "jax"):
        pytest.skip(f"{backend.name}: bfloat16 under jax.jit only (runtime)")
    logits, labels, kwargs, unreduced = rnp.softmax_case("nc", ignore=-100, weights=True)
    for fn, ref_fn in [
        (al.poly1_cross_entropy, rnp.poly1_cross_entropy),
        (al.poly1_focal_loss, rnp.poly1_focal_loss),
    ]:
        rnp.compare(backend, fn, ref_fn, (logits, labels), kwargs, unreduced, dtype=dtype)
    x = np.random.default_rng(3).normal(size=(5,))
    y = np.array([0.0, 1.0, 1.0, 0.0, 0.5])
    rnp.compare(
        backend,
        al.binary_poly1_focal_loss,
        rnp.binary_poly1_focal_loss,
        (x, y),
        {},
        (5,),
        dtype=dtype,
    )


def test_hand_values() -> None:
    """Derived by hand: two equal logits, p_t = 1/2."""
    z = np.zeros((1, 2))
    y = np.array([0])
    log2 = np.log(2.0)
    # CE = log 2, 1 - p_t = 1/2
    np.testing.assert_allclose(al.poly1_cross_entropy(z, y, epsilon=2.0), log2 + 1.0)
    np.testing.assert_allclose(al.poly1_cross_entropy(z, y, epsilon=-1.0), log2 - 0.5)
    # smoothing 0.2 with C = 2: y' = (0.9, 0.1): CE = log 2, sum y'(1 - p) = 1/2
    np.testing.assert_allclose(al.poly1_cross_entropy(z, y, label_smoothing=0.2), log2 + 0.5)
    # focal gamma=2: (1/4) log 2 + epsilon (1/8)
    np.testing.assert_allclose(al.poly1_focal_loss(z, y), log2 / 4 + 1 / 8)
    np.testing.assert_allclose(
        al.poly1_focal_loss(z, y, alpha=np.array([2.0, 0.0])), log2 / 2 + 1 / 8
    )
    # sigmoid: x = 0, y = 0: alpha_t = 0.75, (1/4) log 2 * 0.75 + 1/8
    np.testing.assert_allclose(
        al.binary_poly1_focal_loss(np.zeros(1), np.zeros(1)), 0.75 * log2 / 4 + 1 / 8
    )


def test_epsilon_zero_is_the_base_loss() -> None:
    """epsilon = 0 gives cross_entropy / focal_loss / binary_focal_loss exactly."""
    logits, labels, kwargs, _ = rnp.softmax_case("nchw", ignore=-100, weights=True)
    np.testing.assert_allclose(
        al.poly1_cross_entropy(logits, labels, epsilon=0.0, label_smoothing=0.1, **kwargs),
        al.cross_entropy(logits, labels, label_smoothing=0.1, **kwargs),
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        al.poly1_focal_loss(logits, labels, epsilon=0.0, gamma=1.5, **kwargs),
        al.focal_loss(logits, labels, gamma=1.5, **kwargs),
        rtol=1e-12,
    )
    x = np.linspace(-4, 4, 7)
    y = (x > 0.5).astype(np.float64)
    np.testing.assert_allclose(
        al.binary_poly1_focal_loss(x, y, epsilon=0.0),
        al.binary_focal_loss(x, y),
        rtol=1e-12,
    )


# -- numerics ----------------------------------------------------------------------------

SAT = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 3.0], [0.0, 0.0, 0.0], [5e3, 5e3, -1e4]])


SAT_LABELS = np.array([0, 0, 2, 1])  # right, wrong (by 2e4), uniform, tie


SAT_PROBS = np.eye(3)[SAT_LABELS] * 0.8 + 0.2 / 3


SAT_BIN = np.array([1e4, -1e4, 1e4, -1e4, 0.0])


SAT_BIN_Y = np.array([1.0, 1.0, 0.0, 0.0, 0.5])


def _sat_calls() -> list[tuple[str, Any, np.ndarray, np.ndarray, dict[str, Any]]]:
    return [
        ("ce", al.poly1_cross_entropy, SAT, SAT_LABELS, {}),
        (
            "ce-eps-1-smooth",
            al.poly1_cross_entropy,
            SAT,
            SAT_LABELS,
            {"epsilon": -1.0, "label_smoothing": 0.1},
        ),
        ("ce-probs", al.poly1_cross_entropy, SAT, SAT_PROBS, {"epsilon": -1.0}),
        ("focal-gamma0.5", al.poly1_focal_loss, SAT, SAT_LABELS, {"gamma": 0.5}),
        ("focal-probs", al.poly1_focal_loss, SAT, SAT_PROBS, {"gamma": 0.25, "epsilon": -1.0}),
        ("binary", al.binary_poly1_focal_loss, SAT_BIN, SAT_BIN_Y, {"gamma": 0.5}),
    ]


def _expected_sat(name: str) -> np.ndarray:
    """Hand values at +-1e4: a right label costs 0, a wrong one the logit gap."""
    third = np.log(3.0)
    if name == "ce":
        # right: 0; wrong: 2e4 + 1; uniform: log 3 + 2/3; tie: log 2 + 1/2
        return np.array([0.0, 2e4 + 1.0, third + 2 / 3, np.log(2.0) + 0.5])
    return np.array([])


@pytest.mark.parametrize("lib", ["torch", "jax"])
def test_saturated_logits_float32_value_and_gradient_finite(lib: str) -> None:
    """CONVENTIONS 7: logits at +-1e4 in float32: finite value and gradient."""
    calls = _sat_calls()
    if lib == "jax":  # compile time: the softmax-probability paths and the sigmoid only
        calls = [c for c in calls if c[0] in ("ce-probs", "focal-probs", "binary")]
    for name, (value, grad) in rnp.value_grad_all(lib, calls).items():
        assert np.all(np.isfinite(value)), (name, value)
        assert np.all(np.isfinite(grad)), (name, grad)
        want = _expected_sat(name)
        if want.size:
            np.testing.assert_allclose(value, want, rtol=1e-6, err_msg=name)


def test_epsilon_minus_one_saturated_is_tiny_and_nonnegative() -> None:
    """epsilon = -1 removes the leading term: CE - (1 - p_t) = O((1 - p_t)^2) >= 0.

    At a margin of 20 in float64, 1 - p_t ~ 2e-9, so the loss is ~2e-18: a naive
    ``-log(p) - (1 - p)`` with ``p = softmax`` loses it entirely (``1 - p`` rounds).
    """
    x = np.array([[20.0, 0.0]])
    out = al.poly1_cross_entropy(x, np.array([0]), epsilon=-1.0, reduction="none")
    u = np.exp(-20.0) / (1 + np.exp(-20.0))  # 1 - p_t, exact to rounding
    # -log(1 - u) - u = u^2/2 + u^3/3 + ...
    np.testing.assert_allclose(out, [u**2 / 2], rtol=1e-3, atol=1e-25)


# -- errors --------------------------------------------------------------------------------


def test_errors() -> None:
    x, y = np.zeros((2, 3)), np.array([0, 1])
    for fn in (al.poly1_cross_entropy, al.poly1_focal_loss):
        with pytest.raises(ValueError, match=r"epsilon must be in \[-1, inf\); got -1.5"):
            fn(x, y, epsilon=-1.5)
        with pytest.raises(TypeError, match="epsilon must be a real number"):
            fn(x, y, epsilon="1")
        with pytest.raises(ValueError, match="reduction"):
            fn(x, y, reduction="avg")
        with pytest.raises(ValueError, match="does not match logits"):
            fn(x, np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="gamma"):
        al.poly1_focal_loss(x, y, gamma=-1.0)
    with pytest.raises(TypeError, match="alpha must be None or one weight per class"):
        al.poly1_focal_loss(x, y, alpha=0.25)
    with pytest.raises(ValueError, match="at least 2 classes"):
        al.poly1_focal_loss(np.zeros((2, 1)), y * 0)
    with pytest.raises(ValueError, match="label_smoothing"):
        al.poly1_cross_entropy(x, y, label_smoothing=1.5)
    with pytest.raises(ValueError, match="outside the 3 classes"):
        al.poly1_cross_entropy(x, np.array([0, 7]))
    with pytest.raises(ValueError, match="epsilon"):
        al.binary_poly1_focal_loss(np.zeros(2), np.zeros(2), epsilon=-2.0)
    with pytest.raises(ValueError, match="alpha"):
        al.binary_poly1_focal_loss(np.zeros(2), np.zeros(2), alpha=1.5)


# -- peer ------------------------------------------------------------------------------------


def test_matches_optax_poly_loss_cross_entropy() -> None:
    """optax returns the per-example loss (our ``"none"``) and takes probabilities only.

    Its term is ``sum_c y_c (1 - p_c)``; ours too. Same definition, no mapping needed
    beyond one-hot encoding integer labels and optax's default ``epsilon=2.0`` (ours
    1.0, the paper's listing).
    """
    optax = pytest.importorskip("optax")
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    rng = np.random.default_rng(7)
    logits = rng.normal(0.0, 3.0, size=(8, 5))
    labels = rng.integers(0, 5, size=8)
    soft = rng.dirichlet(np.ones(5), size=8)
    epsilons = (2.0, 1.0, -1.0)

    def both(x: Any, idx: Any, onehot: Any, probs: Any) -> Any:
        return [
            (
                al.poly1_cross_entropy(x, idx, epsilon=e, reduction="none"),
                optax.losses.poly_loss_cross_entropy(x, onehot, epsilon=e),
                al.poly1_cross_entropy(x, probs, epsilon=e, reduction="none"),
                optax.losses.poly_loss_cross_entropy(x, probs, epsilon=e),
            )
            for e in epsilons
        ]

    f32 = jnp.float32
    results = jax.jit(both)(
        jnp.asarray(logits, dtype=f32),
        jnp.asarray(labels),
        jnp.asarray(np.eye(5)[labels], dtype=f32),
        jnp.asarray(soft, dtype=f32),
    )
    for e, (ours_i, theirs_i, ours_p, theirs_p) in zip(epsilons, results, strict=True):
        for ours, theirs, target in [(ours_i, theirs_i, labels), (ours_p, theirs_p, soft)]:
            np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=2e-5, atol=2e-6)
            # and both equal the float64 transcription of the paper's listing
            want = rnp.poly1_cross_entropy(logits, target, epsilon=e, reduction="none")
            np.testing.assert_allclose(np.asarray(ours), want, rtol=2e-5, atol=2e-6)
