"""Values of the classification losses against the float64 NumPy reference.

``tests/support/reference.py`` implements each loss from its paper / torch's
documented definition; the reference itself is checked against torch, kornia and
the hand-derived values at the bottom of this file, so a disagreement points at
arrayloss, not at the oracle.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import arrayloss as al
from classification import reference as cref
from classification import reference as rx
from support import reference as ref
from support.backends import Backend

REDUCTIONS = ref.REDUCTIONS


# (logits shape, class axis)
LAYOUTS = {
    "1d": ((5,), -1),
    "nc": ((6, 4), -1),
    "nhwc": ((2, 3, 2, 4), -1),
    "nchw": ((2, 4, 3, 2), 1),
}


def _compare(
    backend: Backend,
    fn: Any,
    ref_fn: Any,
    arrays: tuple[np.ndarray, ...],
    kwargs: dict[str, Any],
    unreduced_shape: tuple[int, ...],
    dtype: str = "float64",
) -> None:
    """``fn`` on ``backend`` equals ``ref_fn`` for every reduction."""
    compute = "float64" if dtype == "float64" else "float32"
    args = tuple(ref.to_backend(backend, a, dtype) for a in arrays)
    kw = {k: ref.to_backend(backend, v, dtype) for k, v in kwargs.items()}
    ref_kw = {k: (list(v) if isinstance(v, tuple) else v) for k, v in kwargs.items()}
    outs = ref.call_all_reductions(backend, fn, *args, **kw)
    for reduction, out in outs.items():
        shape = unreduced_shape if reduction == "none" else ()
        got = backend.check_result(out, dtype=backend.dtype(compute), shape=shape)
        want = ref_fn(*arrays, **ref_kw, reduction=reduction)
        ref.assert_close(got, want, compute, err_msg=f"reduction={reduction}")


def _layout(name: str) -> tuple[tuple[int, ...], int, int, tuple[int, ...]]:
    shape, axis = LAYOUTS[name]
    ax = axis % len(shape)
    return shape, axis, shape[ax], shape[:ax] + shape[ax + 1 :]


def _labels(
    rng: np.random.Generator, C: int, label_shape: tuple[int, ...], ignore: int | None
) -> np.ndarray:
    labels = rng.integers(0, C, size=label_shape)
    flat = labels.reshape(-1)
    if ignore is not None:
        flat[::3] = ignore  # at least one ignored position, and never all (except 1-d)
    return labels


def _weights(rng: np.random.Generator, kind: str | None, unreduced: tuple[int, ...]) -> Any:
    if kind is None:
        return None
    shape = unreduced if kind == "full" else unreduced[-1:]  # "bcast": the last axis only
    w = rng.uniform(0.0, 2.0, size=shape)
    if w.size > 1:
        w.reshape(-1)[1] = 0.0  # a zero weight
    return w


def _probabilities(rng: np.random.Generator, shape: tuple[int, ...], axis: int) -> np.ndarray:
    q = rng.uniform(0.05, 1.0, size=shape)
    return q / q.sum(axis=axis, keepdims=True)


# -- cross-entropy ---------------------------------------------------------------------

CE_OPTIONS: dict[str, dict[str, Any]] = {
    "plain": {},
    "class_weights": {"cw": True},
    "ignore_in_range": {"ignore": 1},
    "ignore_out_of_range": {"ignore": -100},
    "smoothing": {"eps": 0.1},
    "smoothing_cw_ignore": {"cw": True, "eps": 0.2, "ignore": -100},
    "weights": {"weights": "full"},
    "weights_bcast_cw_ignore": {"weights": "bcast", "cw": True, "ignore": 1},
    "weights_cw_smoothing": {"weights": "full", "cw": True, "eps": 0.3},
    "probs": {"probs": True},
    "probs_cw_smoothing_weights": {"probs": True, "cw": True, "eps": 0.15, "weights": "full"},
}


def _ce_case(layout: str, option: str, seed: int = 0) -> tuple[Any, ...]:
    opt = CE_OPTIONS[option]
    rng = np.random.default_rng(seed)
    shape, axis, C, unreduced = _layout(layout)
    logits = rng.normal(0.0, 2.0, size=shape)
    if opt.get("probs"):
        labels = _probabilities(rng, shape, axis)
    else:
        labels = _labels(rng, C, unreduced, opt.get("ignore"))
    kwargs: dict[str, Any] = {"axis": axis}
    if opt.get("cw"):
        kwargs["class_weights"] = rng.uniform(0.2, 3.0, size=C)
    if "ignore" in opt:
        kwargs["ignore_index"] = opt["ignore"]
    if "eps" in opt:
        kwargs["label_smoothing"] = opt["eps"]
    weights = _weights(rng, opt.get("weights"), unreduced)
    if weights is not None:
        kwargs["weights"] = weights
    return logits, labels, kwargs, unreduced


def _matrix(full: str, others: dict[str, list[str]], options: dict[str, Any]) -> list[Any]:
    """Every option on the ``full`` layout; the listed ones on the other layouts."""
    cases = [(full, o) for o in options]
    cases += [(layout, o) for layout, opts in others.items() for o in opts]
    return [pytest.param(layout, o, id=f"{layout}-{o}") for layout, o in cases]


def _light(backend: Backend, layout: str, option: str, subset: set[tuple[str, str]]) -> None:
    """On the slow-per-call backends (``ref.LIGHT_BACKENDS``) run only ``subset``."""
    if ref.is_light(backend) and (layout, option) not in subset:
        pytest.skip(f"{backend.name}: representative subset only (runtime)")


@pytest.mark.parametrize(
    ("layout", "option"),
    _matrix(
        "nchw",
        {
            "1d": ["plain", "weights_cw_smoothing", "probs_cw_smoothing_weights"],
            "nc": ["plain", "smoothing_cw_ignore", "probs_cw_smoothing_weights"],
            "nhwc": ["weights_bcast_cw_ignore", "ignore_out_of_range", "probs"],
        },
        CE_OPTIONS,
    ),
)
def test_cross_entropy_matches_reference(backend: Backend, layout: str, option: str) -> None:
    _light(
        backend,
        layout,
        option,
        {
            ("nchw", "smoothing_cw_ignore"),
            ("nchw", "weights_cw_smoothing"),
            ("nchw", "probs_cw_smoothing_weights"),
            ("nhwc", "weights_bcast_cw_ignore"),
            ("1d", "plain"),
        },
    )
    logits, labels, kwargs, unreduced = _ce_case(layout, option)
    _compare(backend, al.cross_entropy, cref.cross_entropy, (logits, labels), kwargs, unreduced)


@pytest.mark.parametrize("label_dtype", ["int8", "int32", "uint8"])
def test_cross_entropy_any_integer_label_dtype(backend: Backend, label_dtype: str) -> None:
    """CONVENTIONS 3: class indices of *any* integer dtype."""
    _light(backend, label_dtype, "", {("uint8", "")})
    logits, labels, kwargs, unreduced = _ce_case("nchw", "class_weights", seed=1)
    labels = labels.astype(label_dtype)
    _compare(backend, al.cross_entropy, cref.cross_entropy, (logits, labels), kwargs, unreduced)


@pytest.mark.parametrize("ignore_index", [1, -100])
def test_cross_entropy_all_ignored_is_zero(backend: Backend, ignore_index: int) -> None:
    """Every label ignored: mean 0 (torch gives NaN, pytorch #70348), none all 0."""
    rng = np.random.default_rng(2)
    logits = backend.asarray(rng.normal(size=(3, 4)), "float64")
    labels = backend.asarray(np.full(3, ignore_index))
    cw = backend.asarray(rng.uniform(0.5, 2.0, size=4), "float64")
    f64 = backend.dtype("float64")
    for kw in ({}, {"class_weights": cw, "label_smoothing": 0.1}):
        outs = ref.call_all_reductions(
            backend, al.cross_entropy, logits, labels, ignore_index=ignore_index, **kw
        )
        for reduction, out in outs.items():
            shape = (3,) if reduction == "none" else ()
            np.testing.assert_array_equal(backend.check_result(out, dtype=f64, shape=shape), 0.0)


# -- binary cross-entropy --------------------------------------------------------------

BCE_SHAPES = {"1d": (5,), "nc": (4, 3), "nhwc": (2, 3, 2, 3)}


BCE_OPTIONS: dict[str, dict[str, Any]] = {
    "plain": {},
    "soft_labels": {"soft": True},
    "int_labels": {"label_dtype": "int64"},
    "bool_labels": {"label_dtype": "bool"},
    "pos_weight_scalar": {"pos_weight": 2.5},
    "pos_weight_per_class": {"pos_weight": "array"},
    "smoothing": {"eps": 0.2},
    "weights": {"weights": "full"},
    "everything": {"soft": True, "pos_weight": "array", "eps": 0.1, "weights": "bcast"},
    "probs": {"from_logits": False},
    "probs_pw_smoothing": {"from_logits": False, "pos_weight": 3.0, "eps": 0.1},
}


def _bce_case(shape_name: str, option: str, seed: int = 0) -> tuple[Any, ...]:
    opt = BCE_OPTIONS[option]
    rng = np.random.default_rng(seed)
    shape = BCE_SHAPES[shape_name]
    from_logits = opt.get("from_logits", True)
    if from_logits:
        logits = rng.normal(0.0, 2.0, size=shape)
    else:
        logits = rng.uniform(0.0, 1.0, size=shape)
        # probabilities exactly 0 and 1, right and wrong (torch clamps log at -100)
        logits.reshape(-1)[:4] = [0.0, 1.0, 0.0, 1.0][: logits.size]
    if opt.get("soft"):
        labels = rng.uniform(0.0, 1.0, size=shape)
    else:
        labels = rng.integers(0, 2, size=shape).astype(np.float64)
        labels.reshape(-1)[:4] = [0.0, 1.0, 1.0, 0.0][: labels.size]
    if "label_dtype" in opt:
        labels = labels.astype(opt["label_dtype"])
    kwargs: dict[str, Any] = {}
    if not from_logits:
        kwargs["from_logits"] = False
    if opt.get("pos_weight") == "array":
        kwargs["pos_weight"] = rng.uniform(0.5, 3.0, size=shape[-1:])
    elif "pos_weight" in opt:
        kwargs["pos_weight"] = opt["pos_weight"]
    if "eps" in opt:
        kwargs["label_smoothing"] = opt["eps"]
    weights = _weights(rng, opt.get("weights"), shape)
    if weights is not None:
        kwargs["weights"] = weights
    return logits, labels, kwargs, shape


@pytest.mark.parametrize(
    ("shape_name", "option"),
    _matrix(
        "nhwc",
        {"1d": ["plain", "probs_pw_smoothing"], "nc": ["pos_weight_per_class", "everything"]},
        BCE_OPTIONS,
    ),
)
def test_binary_cross_entropy_matches_reference(
    backend: Backend, shape_name: str, option: str
) -> None:
    _light(
        backend,
        shape_name,
        option,
        {
            ("nhwc", "everything"),
            ("nhwc", "probs_pw_smoothing"),
            ("nhwc", "bool_labels"),
            ("nhwc", "int_labels"),
        },
    )
    logits, labels, kwargs, shape = _bce_case(shape_name, option)
    _compare(
        backend,
        al.binary_cross_entropy,
        cref.binary_cross_entropy,
        (logits, labels),
        kwargs,
        shape,
    )


# -- focal -----------------------------------------------------------------------------

FOCAL_OPTIONS: dict[str, dict[str, Any]] = {
    "plain": {},
    "gamma_half": {"gamma": 0.5},
    "alpha": {"alpha": "array"},
    "alpha_tuple": {"alpha": "tuple", "gamma": 1.0},
    "ignore_in_range_alpha": {"ignore": 1, "alpha": "array"},
    "ignore_out_of_range_weights": {"ignore": -100, "weights": "full"},
    "weights_bcast_alpha": {"weights": "bcast", "alpha": "array", "gamma": 3.0},
    "probs": {"probs": True},
    "probs_alpha_weights": {"probs": True, "alpha": "array", "weights": "full", "gamma": 1.5},
}


def _focal_case(layout: str, option: str, seed: int = 0) -> tuple[Any, ...]:
    opt = FOCAL_OPTIONS[option]
    rng = np.random.default_rng(seed)
    shape, axis, C, unreduced = _layout(layout)
    logits = rng.normal(0.0, 2.0, size=shape)
    if opt.get("probs"):
        labels = _probabilities(rng, shape, axis)
    else:
        labels = _labels(rng, C, unreduced, opt.get("ignore"))
    kwargs: dict[str, Any] = {"axis": axis, "gamma": opt.get("gamma", 2.0)}
    if opt.get("alpha") == "array":
        kwargs["alpha"] = rng.uniform(0.1, 1.0, size=C)
    elif opt.get("alpha") == "tuple":
        kwargs["alpha"] = tuple(float(a) for a in rng.uniform(0.1, 1.0, size=C))
    if "ignore" in opt:
        kwargs["ignore_index"] = opt["ignore"]
    weights = _weights(rng, opt.get("weights"), unreduced)
    if weights is not None:
        kwargs["weights"] = weights
    return logits, labels, kwargs, unreduced


# -- binary focal ----------------------------------------------------------------------

BFOCAL_OPTIONS: dict[str, dict[str, Any]] = {
    "plain": {},
    "alpha_none": {"alpha": None},
    "gamma_half": {"gamma": 0.5, "alpha": 0.6},
    "gamma_zero": {"gamma": 0.0},
    "soft_labels": {"soft": True, "gamma": 1.5},
    "int_labels": {"label_dtype": "int32"},
    "weights": {"weights": "bcast", "alpha": 0.4},
    "probs": {"from_logits": False},
    "probs_soft_gamma_half": {"from_logits": False, "soft": True, "gamma": 0.5},
}


def _bfocal_case(shape_name: str, option: str, seed: int = 0) -> tuple[Any, ...]:
    opt = BFOCAL_OPTIONS[option]
    rng = np.random.default_rng(seed)
    shape = BCE_SHAPES[shape_name]
    from_logits = opt.get("from_logits", True)
    if from_logits:
        logits = rng.normal(0.0, 2.0, size=shape)
    else:
        logits = rng.uniform(0.0, 1.0, size=shape)
        logits.reshape(-1)[:4] = [0.0, 1.0, 0.0, 1.0][: logits.size]
    if opt.get("soft"):
        labels = rng.uniform(0.0, 1.0, size=shape)
    else:
        labels = rng.integers(0, 2, size=shape).astype(np.float64)
        labels.reshape(-1)[:4] = [0.0, 1.0, 1.0, 0.0][: labels.size]
    if "label_dtype" in opt:
        labels = labels.astype(opt["label_dtype"])
    kwargs: dict[str, Any] = {"gamma": opt.get("gamma", 2.0), "alpha": opt.get("alpha", 0.25)}
    if not from_logits:
        kwargs["from_logits"] = False
    weights = _weights(rng, opt.get("weights"), shape)
    if weights is not None:
        kwargs["weights"] = weights
    return logits, labels, kwargs, shape


# -- dtype contract --------------------------------------------------------------------

DTYPES = ("float16", "bfloat16", "float32", "float64")


DTYPE_CASES = {
    "cross_entropy": (al.cross_entropy, cref.cross_entropy, _ce_case, "smoothing_cw_ignore"),
    "cross_entropy_probs": (
        al.cross_entropy,
        cref.cross_entropy,
        _ce_case,
        "probs_cw_smoothing_weights",
    ),
    "focal_loss": (al.focal_loss, cref.focal_loss_basic, _focal_case, "ignore_in_range_alpha"),
}


BINARY_DTYPE_CASES = {
    "binary_cross_entropy": (
        al.binary_cross_entropy,
        cref.binary_cross_entropy,
        _bce_case,
        "everything",
    ),
    "binary_focal_loss_probs": (
        al.binary_focal_loss,
        cref.binary_focal_loss,
        _bfocal_case,
        "probs_soft_gamma_half",
    ),
}


def _rounded(value: Any, dtype: str) -> Any:
    if isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.floating):
        return ref.round_to(value, dtype)
    return value


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", list(DTYPE_CASES) + list(BINARY_DTYPE_CASES))
def test_dtype_contract(backend: Backend, case: str, dtype: str) -> None:
    """Half in -> float32 out, float32 stays float32, float64 stays float64.

    The reference runs on the inputs rounded to ``dtype`` (what the loss sees); the
    compute is float32 for half inputs, so the float32 tolerance applies.
    """
    _light(backend, case, "", {("cross_entropy", ""), ("binary_focal_loss_probs", "")})
    if case in DTYPE_CASES:
        fn, ref_fn, make, option = DTYPE_CASES[case]
        logits, labels, kwargs, unreduced = make("nchw", option, seed=6)
    else:
        fn, ref_fn, make, option = BINARY_DTYPE_CASES[case]
        logits, labels, kwargs, unreduced = make("nhwc", option, seed=6)
    ref.require_dtype(backend, dtype)
    logits, labels = _rounded(logits, dtype), _rounded(labels, dtype)
    kwargs = {k: _rounded(v, dtype) for k, v in kwargs.items()}
    _compare(backend, fn, ref_fn, (logits, labels), kwargs, unreduced, dtype=dtype)


# -- properties (NumPy only, to stay fast) ---------------------------------------------

_finite = st.floats(-20.0, 20.0, allow_nan=False, width=64)


@st.composite
def _classification_batch(draw: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = draw(st.integers(1, 6))
    c = draw(st.integers(2, 5))
    logits = draw(hnp.arrays(np.float64, (n, c), elements=_finite))
    labels = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, c - 1)))
    perm = np.asarray(draw(st.permutations(range(n))))
    return logits, labels, perm


@settings(max_examples=40, deadline=None)
@given(batch=_classification_batch(), eps=st.sampled_from([0.0, 0.3]), gamma=st.floats(0, 4))
def test_softmax_losses_nonnegative_and_permutation_invariant(
    batch: tuple[np.ndarray, np.ndarray, np.ndarray], eps: float, gamma: float
) -> None:
    logits, labels, perm = batch
    for fn, kw in (
        (al.cross_entropy, {"label_smoothing": eps}),
        (al.focal_loss, {"gamma": gamma}),
    ):
        per_sample = fn(logits, labels, reduction="none", **kw)
        assert np.all(per_sample >= 0)
        mean = fn(logits, labels, **kw)
        permuted = fn(logits[perm], labels[perm], **kw)
        np.testing.assert_allclose(permuted, mean, rtol=1e-12, atol=1e-300)


@st.composite
def _binary_batch(draw: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = draw(st.integers(1, 6))
    c = draw(st.integers(1, 3))
    logits = draw(hnp.arrays(np.float64, (n, c), elements=_finite))
    labels = draw(hnp.arrays(np.float64, (n, c), elements=st.floats(0.0, 1.0)))
    perm = np.asarray(draw(st.permutations(range(n))))
    return logits, labels, perm


@settings(max_examples=40, deadline=None)
@given(
    batch=_binary_batch(),
    gamma=st.floats(0, 4),
    alpha=st.one_of(st.none(), st.floats(0.0, 1.0)),
    pos_weight=st.floats(0.0, 5.0),
)
def test_sigmoid_losses_nonnegative_and_permutation_invariant(
    batch: tuple[np.ndarray, np.ndarray, np.ndarray],
    gamma: float,
    alpha: float | None,
    pos_weight: float,
) -> None:
    logits, labels, perm = batch
    for fn, kw in (
        (al.binary_cross_entropy, {"pos_weight": pos_weight}),
        (al.binary_focal_loss, {"gamma": gamma, "alpha": alpha}),
    ):
        elementwise = fn(logits, labels, reduction="none", **kw)
        # soft labels: BCE's minimum over x is the label's entropy, still >= 0
        assert np.all(elementwise >= 0)
        mean = fn(logits, labels, **kw)
        permuted = fn(logits[perm], labels[perm], **kw)
        np.testing.assert_allclose(permuted, mean, rtol=1e-12, atol=1e-300)


# -- the oracle itself: hand-derived values and peers ----------------------------------


def test_reference_hand_derived() -> None:
    # two classes, logits (0, log 3): p = (1/4, 3/4)
    x = np.array([[0.0, np.log(3.0)]])
    np.testing.assert_allclose(cref.cross_entropy(x, np.array([1])), -np.log(0.75))
    # smoothing eps=0.5, C=2: y' = (0.25, 0.75)
    want = -(0.25 * np.log(0.25) + 0.75 * np.log(0.75))
    np.testing.assert_allclose(cref.cross_entropy(x, np.array([1]), label_smoothing=0.5), want)
    # focal, gamma=2: (1 - 3/4)^2 * -log(3/4)
    np.testing.assert_allclose(cref.focal_loss_basic(x, np.array([1])), -(0.25**2) * np.log(0.75))
    # class weights (1, 3), labels (0, 1), both positions p=(1/4,3/4): mean = sum l / 4
    xx = np.repeat(x, 2, axis=0)
    want = (1 * -np.log(0.25) + 3 * -np.log(0.75)) / 4
    got = cref.cross_entropy(xx, np.array([0, 1]), class_weights=np.array([1.0, 3.0]))
    np.testing.assert_allclose(got, want)
    # BCE from probabilities: p=0 with y=1 is clamped to 100
    np.testing.assert_allclose(
        cref.binary_cross_entropy(np.array([0.0]), np.array([1.0]), from_logits=False), 100.0
    )
    # binary focal at x=0 (p=1/2), y=1, alpha=.25, gamma=2: .25 * .25 * log 2
    np.testing.assert_allclose(
        cref.binary_focal_loss(np.array([0.0]), np.array([1.0])), 0.0625 * np.log(2.0)
    )


@pytest.mark.peer
def test_reference_matches_torch() -> None:
    """The oracle agrees with torch's documented semantics (so arrayloss is tested
    against torch too); focal is checked against kornia."""
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(7)
    x = rng.normal(0.0, 2.0, size=(7, 4, 3))
    y = rng.integers(0, 4, size=(7, 3))
    y[::4, 0] = 2
    cw = rng.uniform(0.3, 2.0, size=4)
    q = _probabilities(rng, x.shape, 1)
    t = torch.from_numpy
    for reduction in REDUCTIONS:
        for eps in (0.0, 0.2):
            for ignore in (-100, 2):
                want = F.cross_entropy(
                    t(x),
                    t(y),
                    weight=t(cw),
                    ignore_index=ignore,
                    label_smoothing=eps,
                    reduction=reduction,
                ).numpy()
                got = cref.cross_entropy(
                    x,
                    y,
                    axis=1,
                    class_weights=cw,
                    ignore_index=ignore,
                    label_smoothing=eps,
                    reduction=reduction,
                )
                np.testing.assert_allclose(got, want, rtol=1e-12)
            want = F.cross_entropy(
                t(x), t(q), weight=t(cw), label_smoothing=eps, reduction=reduction
            ).numpy()
            got = cref.cross_entropy(
                x, q, axis=1, class_weights=cw, label_smoothing=eps, reduction=reduction
            )
            np.testing.assert_allclose(got, want, rtol=1e-12)
    # BCE with logits and per-class pos_weight, and from probabilities at 0 and 1
    z = rng.normal(0.0, 2.0, size=(5, 3))
    b = rng.integers(0, 2, size=(5, 3)).astype(np.float64)
    pw = rng.uniform(0.5, 3.0, size=3)
    want = F.binary_cross_entropy_with_logits(
        t(z), t(b), pos_weight=t(pw), reduction="none"
    ).numpy()
    np.testing.assert_allclose(
        cref.binary_cross_entropy(z, b, pos_weight=pw, reduction="none"), want, rtol=1e-12
    )
    p = rng.uniform(size=(5, 3))
    p[0], b[0] = [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]
    want = F.binary_cross_entropy(t(p), t(b), reduction="none").numpy()
    got = cref.binary_cross_entropy(p, b, from_logits=False, reduction="none")
    np.testing.assert_allclose(got, want, rtol=1e-12)


def _compare_classification_extra(
    backend: Backend,
    fn: Any,
    ref_fn: Any,
    arrays: tuple[np.ndarray, ...],
    kwargs: dict[str, Any],
    ref_kwargs: dict[str, Any],
    unreduced: tuple[int, ...],
    dtype: str = "float64",
) -> None:
    compute = "float64" if dtype == "float64" else "float32"
    args = tuple(ref.to_backend(backend, a, dtype) for a in arrays)
    kw = {k: ref.to_backend(backend, v, dtype) for k, v in kwargs.items()}
    outs = ref.call_all_reductions(backend, fn, *args, **kw)
    for reduction, out in outs.items():
        shape = unreduced if reduction == "none" else ()
        got = backend.check_result(out, dtype=backend.dtype(compute), shape=shape)
        want = ref_fn(
            *(_rounded_classification_extra(a, dtype) for a in arrays),
            **{k: _rounded_classification_extra(v, dtype) for k, v in ref_kwargs.items()},
            reduction=reduction,
        )
        ref.assert_close(got, want, compute, err_msg=f"reduction={reduction}")


def _rounded_classification_extra(value: Any, dtype: str) -> Any:
    """Floating NumPy inputs as the backend sees them (rounded to ``dtype``)."""
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return ref.round_to(value, dtype)
    return value


def _light_classification_extra(backend: Backend, option: str, subset: set[str]) -> None:
    if ref.is_light(backend) and option not in subset:
        pytest.skip(f"{backend.name}: representative subset only (runtime)")


def _log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


# -- nll_loss ----------------------------------------------------------------------------

NLL_OPTIONS: dict[str, dict[str, Any]] = {
    "plain": {},
    "class_weights": {"cw": True},
    "ignore": {"ignore": -100},
    "cw_ignore_weights": {"cw": True, "ignore": 1, "weights": True},
    "axis1": {"axis1": True, "cw": True, "ignore": 255},
    "balanced_ignore": {"balanced": True, "ignore": -100},
    "probs_cw": {"probs": True, "cw": True, "weights": True},
}


def _nll_case(option: str, seed: int = 0) -> tuple[Any, ...]:
    opt = NLL_OPTIONS[option]
    rng = np.random.default_rng(seed)
    shape, axis = ((2, 4, 3), 1) if opt.get("axis1") else ((7, 4), -1)
    ax = axis % len(shape)
    unreduced = shape[:ax] + shape[ax + 1 :]
    log_probs = _log_softmax(rng.normal(0.0, 2.0, size=shape), ax)
    if opt.get("probs"):
        q = rng.uniform(0.05, 1.0, size=shape)
        labels = q / q.sum(axis=ax, keepdims=True)
    else:
        labels = rng.integers(0, 3, size=unreduced)  # class 3 absent
        if "ignore" in opt:
            labels.reshape(-1)[::3] = opt["ignore"]
    kwargs: dict[str, Any] = {"axis": axis}
    ref_kwargs: dict[str, Any] = {"axis": axis}
    if "ignore" in opt:
        kwargs["ignore_index"] = ref_kwargs["ignore_index"] = opt["ignore"]
    if opt.get("cw"):
        kwargs["class_weights"] = ref_kwargs["class_weights"] = rng.uniform(0.2, 3.0, size=4)
    if opt.get("balanced"):
        kwargs["class_weights"] = "balanced"
        ref_kwargs["class_weights"] = rx.balanced_weights(labels, 4, opt.get("ignore"))
    if opt.get("weights"):
        kwargs["weights"] = ref_kwargs["weights"] = rng.uniform(0.0, 2.0, size=unreduced)
    return log_probs, labels, kwargs, ref_kwargs, unreduced


@pytest.mark.parametrize("option", list(NLL_OPTIONS))
def test_nll_loss_matches_reference(backend: Backend, option: str) -> None:
    _light_classification_extra(backend, option, {"axis1", "balanced_ignore"})
    log_probs, labels, kwargs, ref_kwargs, unreduced = _nll_case(option)
    _compare_classification_extra(
        backend, al.nll_loss, rx.nll_loss, (log_probs, labels), kwargs, ref_kwargs, unreduced
    )


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_nll_loss_dtype_contract(backend: Backend, dtype: str) -> None:
    """Half in -> float32 out; float32 stays; float64 stays (CONVENTIONS 6)."""
    ref.require_dtype(backend, dtype)
    log_probs, labels, kwargs, ref_kwargs, unreduced = _nll_case("cw_ignore_weights", seed=1)
    _compare_classification_extra(
        backend,
        al.nll_loss,
        rx.nll_loss,
        (log_probs, labels),
        kwargs,
        ref_kwargs,
        unreduced,
        dtype=dtype,
    )


def test_nll_loss_all_ignored_is_zero(backend: Backend) -> None:
    """Every label ignored: 0 (torch's nll_loss gives NaN, pytorch #70348)."""
    lp = backend.asarray(_log_softmax(np.random.default_rng(2).normal(size=(3, 4)), 1))
    labels = backend.asarray(np.full(3, -100))
    outs = ref.call_all_reductions(
        backend, al.nll_loss, lp, labels, ignore_index=-100, class_weights="balanced"
    )
    for reduction, out in outs.items():
        shape = (3,) if reduction == "none" else ()
        got = backend.check_result(out, dtype=backend.dtype("float64"), shape=shape)
        np.testing.assert_array_equal(got, 0.0)


def test_nll_of_log_softmax_is_cross_entropy() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(5, 4))
    y = rng.integers(0, 4, size=5)
    cw = rng.uniform(0.5, 2.0, size=4)
    for reduction in REDUCTIONS:
        ref.assert_close(
            al.nll_loss(_log_softmax(x, 1), y, class_weights=cw, reduction=reduction),
            al.cross_entropy(x, y, class_weights=cw, reduction=reduction),
            "float64",
        )


@pytest.mark.parametrize("option", ["plain", "class_weights", "cw_ignore_weights", "axis1"])
def test_nll_loss_matches_torch(option: str) -> None:
    """torch.nn.functional.nll_loss: class weights, ignore_index, every reduction."""
    torch = pytest.importorskip("torch")
    log_probs, labels, kwargs, _, _ = _nll_case(option, seed=5)
    weights = kwargs.pop("weights", None)
    axis = kwargs.pop("axis")
    lp = torch.tensor(log_probs)
    y = torch.tensor(labels)
    tkw: dict[str, Any] = {}
    if "class_weights" in kwargs:
        tkw["weight"] = torch.tensor(kwargs["class_weights"])
    if "ignore_index" in kwargs:
        tkw["ignore_index"] = kwargs["ignore_index"]
    for reduction in REDUCTIONS:
        if weights is not None:
            # torch has no per-position weights: weight its "none" result by hand
            none = torch.nn.functional.nll_loss(lp, y, reduction="none", **tkw).numpy()
            w = np.asarray(weights)
            if reduction == "none":
                want = w * none
            elif reduction == "sum":
                want = np.sum(w * none)
            else:
                cwv = np.ones(4) if "weight" not in tkw else kwargs["class_weights"]
                keep = labels != kwargs.get("ignore_index", -12345)
                den = np.where(keep, cwv[np.where(keep, labels, 0)], 0.0) * w
                want = np.sum(w * none) / np.sum(den)
        else:
            want = torch.nn.functional.nll_loss(lp, y, reduction=reduction, **tkw).numpy()
        tw = None if weights is None else torch.tensor(weights)
        akw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
        got = al.nll_loss(lp, y, axis=axis, reduction=reduction, weights=tw, **akw)
        ref.assert_close(got.detach().numpy(), want, "float64", err_msg=reduction)


def test_nll_loss_errors() -> None:
    with pytest.raises(TypeError, match="log_probs must be a real floating array"):
        al.nll_loss(np.zeros((2, 3), dtype=np.int64), np.array([0, 1]))
    with pytest.raises(ValueError, match="does not match log_probs"):
        al.nll_loss(np.zeros((2, 3)), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="class_weights must be"):
        al.nll_loss(np.zeros((2, 3)), np.array([0, 1]), class_weights="sklearn")
    with pytest.raises(TypeError, match="log_probs must be an array"):
        al.nll_loss([[0.0, 0.0]], np.array([0]))


REDUCTIONS_peers = ("mean", "sum", "none")


RTOL = 1e-12  # float64 against float64: both sides are a handful of ops from exact


ATOL = 1e-12


def _t(a: Any, dtype: Any = None) -> Any:
    """NumPy data as a torch tensor (float64 unless told, integers kept)."""
    torch = pytest.importorskip("torch")
    arr = np.asarray(a)
    t = torch.from_numpy(np.ascontiguousarray(arr))
    if dtype is not None:
        return t.to(dtype)
    return t.double() if arr.dtype.kind == "f" else t


def _np(t: Any) -> np.ndarray:
    return np.asarray(t.detach().cpu().numpy())


def _close(ours: Any, theirs: Any, *, rtol: float = RTOL, atol: float = ATOL) -> None:
    o, p = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    assert o.shape == p.shape, (o.shape, p.shape)
    np.testing.assert_allclose(o, p, rtol=rtol, atol=atol)


def _grad(fn: Any, x: Any) -> tuple[Any, Any]:
    """Value of ``fn(x)`` (summed if not scalar) and its gradient w.r.t. ``x``."""
    torch = pytest.importorskip("torch")
    x = x.detach().clone().requires_grad_(True)
    out = fn(x)
    (g,) = torch.autograd.grad(out.sum(), x)
    return out.detach(), g


# ---------------------------------------------------------------------------
# cross_entropy vs torch.nn.functional.cross_entropy
# ---------------------------------------------------------------------------

N, C, H, W = 4, 5, 3, 2


CE_CASES = {
    "plain": {},
    "class_weights": {"cw": True},
    "ignore_-100": {"ignore": -100},
    "ignore_in_range": {"ignore": 2},
    "ignore_and_weights": {"ignore": 1, "cw": True},
    "smoothing": {"eps": 0.2},
    "smoothing_weights": {"eps": 0.15, "cw": True},
    "smoothing_weights_ignore": {"eps": 0.3, "cw": True, "ignore": -100},
    "probs": {"probs": True},
    "probs_weights": {"probs": True, "cw": True},
    "probs_smoothing": {"probs": True, "eps": 0.25},
    "probs_smoothing_weights": {"probs": True, "eps": 0.1, "cw": True},
}


def _ce_data(case: dict[str, Any], layout: str, seed: int = 0) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    shape = (N, C) if layout == "NC" else (N, C, H, W)
    logits = rng.normal(scale=3.0, size=shape)
    index_shape = (shape[0], *shape[2:])
    if case.get("probs"):
        raw = rng.random(shape)
        labels = raw / raw.sum(axis=1, keepdims=True)
    else:
        labels = rng.integers(0, C, size=index_shape)
        if "ignore" in case:
            drop = rng.random(index_shape) < 0.3
            drop.flat[0] = True  # at least one ignored, at least one kept
            drop.flat[-1] = False
            labels = np.where(drop, case["ignore"], labels)
    cw = rng.uniform(0.2, 3.0, size=C) if case.get("cw") else None
    return {"logits": logits, "labels": labels, "cw": cw}


@pytest.mark.parametrize("reduction", REDUCTIONS_peers)
@pytest.mark.parametrize("layout", ["NC", "NCHW"])
@pytest.mark.parametrize("case", list(CE_CASES), ids=list(CE_CASES))
def test_cross_entropy_matches_torch(case: str, layout: str, reduction: str) -> None:
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    cfg = CE_CASES[case]
    d = _ce_data(cfg, layout)
    cw = None if d["cw"] is None else _t(d["cw"])
    eps = cfg.get("eps", 0.0)
    ignore = cfg.get("ignore")

    def ours(x: Any) -> Any:
        return al.cross_entropy(
            x,
            _t(d["labels"]),
            axis=1,
            class_weights=cw,
            ignore_index=ignore,
            label_smoothing=eps,
            reduction=reduction,
        )

    def theirs(x: Any) -> Any:
        return F.cross_entropy(
            x,
            _t(d["labels"]),
            weight=cw,
            ignore_index=-100 if ignore is None else ignore,
            label_smoothing=eps,
            reduction=reduction,
        )

    v_ours, g_ours = _grad(ours, _t(d["logits"]))
    v_theirs, g_theirs = _grad(theirs, _t(d["logits"]))
    assert v_ours.dtype == torch.float64
    _close(_np(v_ours), _np(v_theirs))
    _close(_np(g_ours), _np(g_theirs))


def test_cross_entropy_channels_last_matches_torch_channels_first() -> None:
    # Our default axis=-1 on an (N, H, W, C) array is torch's (N, C, H, W) layout moved.
    F = pytest.importorskip("torch").nn.functional
    d = _ce_data({"cw": True, "ignore": -100, "eps": 0.1}, "NCHW", seed=3)
    x = _t(d["logits"])
    ours = al.cross_entropy(
        x.permute(0, 2, 3, 1),
        _t(d["labels"]),
        class_weights=_t(d["cw"]),
        ignore_index=-100,
        label_smoothing=0.1,
        reduction="none",
    )
    theirs = F.cross_entropy(
        x, _t(d["labels"]), weight=_t(d["cw"]), label_smoothing=0.1, reduction="none"
    )
    _close(_np(ours), _np(theirs))


def test_cross_entropy_all_ignored_is_zero_where_torch_gives_nan() -> None:
    # Deliberate difference (CONVENTIONS section 4, pytorch #70348): torch's "mean" is
    # sum / sum(w[y]) over kept positions = 0/0 = NaN when every label is ignored, which
    # poisons a whole training step (e.g. a crop with only padding). Ours is 0 with a
    # zero gradient. "sum" and "none" agree.
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(1)
    logits = _t(rng.normal(size=(3, C, 2)))
    labels = _t(np.full((3, 2), -100))
    theirs = F.cross_entropy(logits, labels, reduction="mean")
    assert torch.isnan(theirs), "torch fixed #70348: revisit this note"
    v, g = _grad(lambda x: al.cross_entropy(x, labels, axis=1, ignore_index=-100), logits)
    assert float(v) == 0.0
    assert torch.all(g == 0)
    for reduction in ("sum", "none"):
        ours = al.cross_entropy(logits, labels, axis=1, ignore_index=-100, reduction=reduction)
        _close(_np(ours), _np(F.cross_entropy(logits, labels, reduction=reduction)))


# ---------------------------------------------------------------------------
# binary_cross_entropy vs F.binary_cross_entropy(_with_logits)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS_peers)
@pytest.mark.parametrize("pos_weight", [None, "scalar", "per_class"])
@pytest.mark.parametrize("soft", [False, True], ids=["hard", "soft"])
def test_bce_with_logits_matches_torch(pos_weight: str | None, soft: bool, reduction: str) -> None:
    F = pytest.importorskip("torch").nn.functional
    rng = np.random.default_rng(2)
    logits = rng.normal(scale=4.0, size=(6, 3))
    labels = rng.random((6, 3)) if soft else rng.integers(0, 2, size=(6, 3)).astype(float)
    weights = rng.uniform(0.5, 2.0, size=(6, 3))
    pw_ours: Any
    if pos_weight == "scalar":
        pw_ours, pw_torch = 3.0, _t(np.array(3.0))
    elif pos_weight == "per_class":
        pw_ours = pw_torch = _t(np.array([0.5, 2.0, 7.0]))
    else:
        pw_ours = pw_torch = None

    v_ours, g_ours = _grad(
        lambda x: al.binary_cross_entropy(x, _t(labels), pos_weight=pw_ours, reduction=reduction),
        _t(logits),
    )
    v_theirs, g_theirs = _grad(
        lambda x: F.binary_cross_entropy_with_logits(
            x, _t(labels), pos_weight=pw_torch, reduction=reduction
        ),
        _t(logits),
    )
    _close(_np(v_ours), _np(v_theirs))
    _close(_np(g_ours), _np(g_theirs))
    # torch's ``weight`` is a per-element multiplier; its "mean" divides by the element
    # count, ours by sum(w) (CONVENTIONS section 4), so compare "sum" and "none" only.
    if reduction != "mean":
        ours_w = al.binary_cross_entropy(
            _t(logits), _t(labels), pos_weight=pw_ours, weights=_t(weights), reduction=reduction
        )
        theirs_w = F.binary_cross_entropy_with_logits(
            _t(logits), _t(labels), weight=_t(weights), pos_weight=pw_torch, reduction=reduction
        )
        _close(_np(ours_w), _np(theirs_w))


def test_bce_label_smoothing_matches_torch_on_smoothed_targets() -> None:
    # torch has no BCE label smoothing; ours is y' = (1 - eps) y + eps / 2, so torch on y'
    # is the reference (pos_weight applies to the smoothed positive term in both).
    F = pytest.importorskip("torch").nn.functional
    rng = np.random.default_rng(4)
    logits, labels = rng.normal(size=(5, 4)), rng.integers(0, 2, size=(5, 4)).astype(float)
    eps = 0.2
    ours = al.binary_cross_entropy(
        _t(logits), _t(labels), label_smoothing=eps, pos_weight=2.5, reduction="none"
    )
    theirs = F.binary_cross_entropy_with_logits(
        _t(logits),
        _t((1 - eps) * labels + eps / 2),
        pos_weight=_t(np.array(2.5)),
        reduction="none",
    )
    _close(_np(ours), _np(theirs))


@pytest.mark.parametrize("reduction", REDUCTIONS_peers)
def test_bce_probabilities_match_torch_including_0_and_1(reduction: str) -> None:
    # Both clamp each log at -100, so p in {0, 1} with either label stays finite.
    F = pytest.importorskip("torch").nn.functional
    probs = np.array([0.0, 1.0, 0.0, 1.0, 0.3, 0.9, 1e-30, 1 - 1e-12, 0.5])
    labels = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.25])
    ours = al.binary_cross_entropy(_t(probs), _t(labels), from_logits=False, reduction=reduction)
    theirs = F.binary_cross_entropy(_t(probs), _t(labels), reduction=reduction)
    assert np.all(np.isfinite(_np(ours)))
    _close(_np(ours), _np(theirs))
    # Gradients agree away from the boundary. At p in {0, 1} (and within ~1e-12 of them)
    # torch's backward divides by max(p (1 - p), 1e-12) while ours differentiates the
    # clamped log (zero gradient where the clamp is active): both finite, see
    # test_numerics, but not equal.
    inner_p = np.array([0.3, 0.9, 0.5, 0.01, 0.999])
    inner_y = np.array([1.0, 0.0, 0.25, 1.0, 0.0])
    g_ours = _grad(
        lambda p: al.binary_cross_entropy(p, _t(inner_y), from_logits=False, reduction=reduction),
        _t(inner_p),
    )[1]
    g_theirs = _grad(
        lambda p: F.binary_cross_entropy(p, _t(inner_y), reduction=reduction), _t(inner_p)
    )[1]
    _close(_np(g_ours), _np(g_theirs))
