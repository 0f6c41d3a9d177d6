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
    _compare(backend, al.cross_entropy, ref.cross_entropy, (logits, labels), kwargs, unreduced)


@pytest.mark.parametrize("label_dtype", ["int8", "int32", "uint8"])
def test_cross_entropy_any_integer_label_dtype(backend: Backend, label_dtype: str) -> None:
    """CONVENTIONS 3: class indices of *any* integer dtype."""
    _light(backend, label_dtype, "", {("uint8", "")})
    logits, labels, kwargs, unreduced = _ce_case("nchw", "class_weights", seed=1)
    labels = labels.astype(label_dtype)
    _compare(backend, al.cross_entropy, ref.cross_entropy, (logits, labels), kwargs, unreduced)


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
        backend, al.binary_cross_entropy, ref.binary_cross_entropy, (logits, labels), kwargs, shape
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


@pytest.mark.parametrize(
    ("layout", "option"),
    _matrix(
        "nchw",
        {
            "1d": ["plain", "probs_alpha_weights"],
            "nc": ["alpha_tuple", "ignore_out_of_range_weights"],
            "nhwc": ["ignore_in_range_alpha", "probs"],
        },
        FOCAL_OPTIONS,
    ),
)
def test_focal_loss_matches_reference(backend: Backend, layout: str, option: str) -> None:
    _light(
        backend,
        layout,
        option,
        {
            ("nchw", "ignore_in_range_alpha"),
            ("nchw", "ignore_out_of_range_weights"),
            ("nchw", "probs_alpha_weights"),
            ("nchw", "gamma_half"),
            ("nc", "alpha_tuple"),
        },
    )
    logits, labels, kwargs, unreduced = _focal_case(layout, option)
    _compare(backend, al.focal_loss, ref.focal_loss, (logits, labels), kwargs, unreduced)


@pytest.mark.parametrize("ignore_index", [0, -100])
def test_focal_loss_all_ignored_is_zero(backend: Backend, ignore_index: int) -> None:
    """Every label ignored: 0, not 0/0 = NaN (the CE failure of pytorch #70348)."""
    rng = np.random.default_rng(3)
    logits = backend.asarray(rng.normal(size=(2, 4, 3)), "float64")
    labels = backend.asarray(np.full((2, 3), ignore_index))
    f64 = backend.dtype("float64")
    outs = ref.call_all_reductions(
        backend, al.focal_loss, logits, labels, axis=1, ignore_index=ignore_index
    )
    for reduction, out in outs.items():
        shape = (2, 3) if reduction == "none" else ()
        np.testing.assert_array_equal(backend.check_result(out, dtype=f64, shape=shape), 0.0)


@pytest.mark.parametrize(
    "option", ["ignore_in_range", "weights_bcast_cw_ignore", "probs", "ignore_out_of_range"]
)
def test_focal_gamma_zero_is_cross_entropy(backend: Backend, option: str) -> None:
    """gamma=0 with alpha as the class weights is cross-entropy, for integer labels.

    For integer labels with class weights the two *means* differ on purpose: CE
    divides by sum w_{y_i} (torch), focal by the count (alpha is a multiplier,
    the paper's definition). So with class weights we compare "sum" and "none".
    """
    _light(backend, option, "", {("weights_bcast_cw_ignore", ""), ("probs", "")})
    logits, labels, kwargs, unreduced = _ce_case("nchw", option, seed=4)
    fkw = dict(kwargs)
    cw = fkw.pop("class_weights", None)
    reductions = REDUCTIONS if cw is None else ("sum", "none")
    args = (backend.asarray(logits, "float64"), ref.to_backend(backend, labels, "float64"))
    ce_kw = {k: ref.to_backend(backend, v, "float64") for k, v in kwargs.items()}
    fo_kw = {k: ref.to_backend(backend, v, "float64") for k, v in fkw.items()}
    if cw is not None:
        fo_kw["alpha"] = backend.asarray(cw, "float64")
    f64 = backend.dtype("float64")
    ces = ref.call_all_reductions(backend, al.cross_entropy, *args, **ce_kw)
    fos = ref.call_all_reductions(backend, al.focal_loss, *args, gamma=0.0, **fo_kw)
    for reduction in reductions:
        shape = unreduced if reduction == "none" else ()
        ce, fo = ces[reduction], fos[reduction]
        ref.assert_close(
            backend.check_result(fo, dtype=f64, shape=shape),
            backend.check_result(ce, dtype=f64, shape=shape),
            "float64",
        )


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


@pytest.mark.parametrize(
    ("shape_name", "option"),
    _matrix(
        "nhwc",
        {"1d": ["plain", "probs"], "nc": ["gamma_half", "soft_labels"]},
        BFOCAL_OPTIONS,
    ),
)
def test_binary_focal_loss_matches_reference(
    backend: Backend, shape_name: str, option: str
) -> None:
    _light(
        backend,
        shape_name,
        option,
        {
            ("nhwc", "weights"),
            ("nhwc", "soft_labels"),
            ("nhwc", "probs_soft_gamma_half"),
            ("nhwc", "gamma_half"),
        },
    )
    logits, labels, kwargs, shape = _bfocal_case(shape_name, option)
    _compare(backend, al.binary_focal_loss, ref.binary_focal_loss, (logits, labels), kwargs, shape)


@pytest.mark.parametrize("from_logits", [True, False])
@pytest.mark.parametrize("alpha", [0.25, None])
def test_binary_focal_label_smoothing_matches_reference(
    backend: Backend, from_logits: bool, alpha: float | None
) -> None:
    # label smoothing pulls hard targets to y' = (1 - eps) y + eps / 2 (the
    # binary_cross_entropy definition); the reference is torchvision's formula on y'.
    if ref.is_light(backend) and (from_logits, alpha) != (True, 0.25):
        pytest.skip(f"{backend.name}: representative subset only (runtime)")
    rng = np.random.default_rng(11)
    x = 3.0 * rng.normal(size=(4, 3)) if from_logits else rng.uniform(0.02, 0.98, size=(4, 3))
    y = rng.integers(0, 2, size=(4, 3)).astype(np.float64)
    eps = 0.2
    kw = {"gamma": 1.5, "alpha": alpha, "from_logits": from_logits, "label_smoothing": eps}
    outs = ref.call_all_reductions(
        backend, al.binary_focal_loss, backend.asarray(x), backend.asarray(y), **kw
    )
    smoothed = (1 - eps) * y + eps / 2
    for reduction, out in outs.items():
        shape = (4, 3) if reduction == "none" else ()
        got = backend.check_result(out, dtype=backend.dtype("float64"), shape=shape)
        want = ref.binary_focal_loss(
            x, smoothed, gamma=1.5, alpha=alpha, from_logits=from_logits, reduction=reduction
        )
        ref.assert_close(got, want, "float64", err_msg=f"reduction={reduction}")


@pytest.mark.parametrize("from_logits", [True, False])
def test_binary_focal_gamma_zero_alpha_none_is_bce(backend: Backend, from_logits: bool) -> None:
    rng = np.random.default_rng(5)
    x = rng.normal(size=(3, 4)) if from_logits else rng.uniform(size=(3, 4))
    if not from_logits:
        x[0, :2] = [0.0, 1.0]
    y = rng.uniform(size=(3, 4))
    w = rng.uniform(size=(4,))
    args = (backend.asarray(x, "float64"), backend.asarray(y, "float64"))
    kw = {"from_logits": from_logits, "weights": backend.asarray(w, "float64")}
    f64 = backend.dtype("float64")
    bces = ref.call_all_reductions(backend, al.binary_cross_entropy, *args, **kw)
    bfls = ref.call_all_reductions(
        backend, al.binary_focal_loss, *args, gamma=0.0, alpha=None, **kw
    )
    for reduction in REDUCTIONS:
        shape = (3, 4) if reduction == "none" else ()
        bce, bfl = bces[reduction], bfls[reduction]
        ref.assert_close(
            backend.check_result(bfl, dtype=f64, shape=shape),
            backend.check_result(bce, dtype=f64, shape=shape),
            "float64",
        )


# -- dtype contract --------------------------------------------------------------------

DTYPES = ("float16", "bfloat16", "float32", "float64")

DTYPE_CASES = {
    "cross_entropy": (al.cross_entropy, ref.cross_entropy, _ce_case, "smoothing_cw_ignore"),
    "cross_entropy_probs": (
        al.cross_entropy,
        ref.cross_entropy,
        _ce_case,
        "probs_cw_smoothing_weights",
    ),
    "focal_loss": (al.focal_loss, ref.focal_loss, _focal_case, "ignore_in_range_alpha"),
}
BINARY_DTYPE_CASES = {
    "binary_cross_entropy": (
        al.binary_cross_entropy,
        ref.binary_cross_entropy,
        _bce_case,
        "everything",
    ),
    "binary_focal_loss_probs": (
        al.binary_focal_loss,
        ref.binary_focal_loss,
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
    np.testing.assert_allclose(ref.cross_entropy(x, np.array([1])), -np.log(0.75))
    # smoothing eps=0.5, C=2: y' = (0.25, 0.75)
    want = -(0.25 * np.log(0.25) + 0.75 * np.log(0.75))
    np.testing.assert_allclose(ref.cross_entropy(x, np.array([1]), label_smoothing=0.5), want)
    # focal, gamma=2: (1 - 3/4)^2 * -log(3/4)
    np.testing.assert_allclose(ref.focal_loss(x, np.array([1])), -(0.25**2) * np.log(0.75))
    # class weights (1, 3), labels (0, 1), both positions p=(1/4,3/4): mean = sum l / 4
    xx = np.repeat(x, 2, axis=0)
    want = (1 * -np.log(0.25) + 3 * -np.log(0.75)) / 4
    got = ref.cross_entropy(xx, np.array([0, 1]), class_weights=np.array([1.0, 3.0]))
    np.testing.assert_allclose(got, want)
    # BCE from probabilities: p=0 with y=1 is clamped to 100
    np.testing.assert_allclose(
        ref.binary_cross_entropy(np.array([0.0]), np.array([1.0]), from_logits=False), 100.0
    )
    # binary focal at x=0 (p=1/2), y=1, alpha=.25, gamma=2: .25 * .25 * log 2
    np.testing.assert_allclose(
        ref.binary_focal_loss(np.array([0.0]), np.array([1.0])), 0.0625 * np.log(2.0)
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
                got = ref.cross_entropy(
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
            got = ref.cross_entropy(
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
        ref.binary_cross_entropy(z, b, pos_weight=pw, reduction="none"), want, rtol=1e-12
    )
    p = rng.uniform(size=(5, 3))
    p[0], b[0] = [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]
    want = F.binary_cross_entropy(t(p), t(b), reduction="none").numpy()
    got = ref.binary_cross_entropy(p, b, from_logits=False, reduction="none")
    np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.peer
def test_reference_focal_matches_kornia() -> None:
    torch = pytest.importorskip("torch")
    kornia = pytest.importorskip("kornia")
    rng = np.random.default_rng(8)
    x = rng.normal(0.0, 2.0, size=(6, 4))
    y = rng.integers(0, 4, size=6)
    t = torch.from_numpy
    # kornia's reduction="none" keeps the (one-hot-masked) class axis, so sum it.
    want = kornia.losses.focal_loss(t(x), t(y), alpha=None, gamma=2.0, reduction="none")
    got = ref.focal_loss(x, y, gamma=2.0, reduction="none")
    np.testing.assert_allclose(got, want.numpy().sum(axis=-1), rtol=1e-12)
    # kornia's scalar alpha weights class 0 (background) by 1 - alpha and every other
    # class by alpha: our per-class alpha expresses it as (1 - a, a, a, a).
    want = kornia.losses.focal_loss(t(x), t(y), alpha=0.25, gamma=2.0, reduction="none")
    got = ref.focal_loss(x, y, gamma=2.0, alpha=[0.75, 0.25, 0.25, 0.25], reduction="none")
    np.testing.assert_allclose(got, want.numpy().sum(axis=-1), rtol=1e-12)
    b = rng.integers(0, 2, size=(6, 4)).astype(np.float64)
    want = kornia.losses.binary_focal_loss_with_logits(
        t(x), t(b), alpha=0.25, gamma=2.0, reduction="none"
    ).numpy()
    got = ref.binary_focal_loss(x, b, alpha=0.25, gamma=2.0, reduction="none")
    np.testing.assert_allclose(got, want, rtol=1e-12)
