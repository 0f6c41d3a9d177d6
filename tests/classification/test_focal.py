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


# -- binary cross-entropy --------------------------------------------------------------

BCE_SHAPES = {"1d": (5,), "nc": (4, 3), "nhwc": (2, 3, 2, 3)}


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
    _compare(backend, al.focal_loss, cref.focal_loss_basic, (logits, labels), kwargs, unreduced)


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
    _compare(
        backend, al.binary_focal_loss, cref.binary_focal_loss, (logits, labels), kwargs, shape
    )


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
        want = cref.binary_focal_loss(
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
    got = cref.focal_loss_basic(x, y, gamma=2.0, reduction="none")
    np.testing.assert_allclose(got, want.numpy().sum(axis=-1), rtol=1e-12)
    # kornia's scalar alpha weights class 0 (background) by 1 - alpha and every other
    # class by alpha: our per-class alpha expresses it as (1 - a, a, a, a).
    want = kornia.losses.focal_loss(t(x), t(y), alpha=0.25, gamma=2.0, reduction="none")
    got = cref.focal_loss_basic(x, y, gamma=2.0, alpha=[0.75, 0.25, 0.25, 0.25], reduction="none")
    np.testing.assert_allclose(got, want.numpy().sum(axis=-1), rtol=1e-12)
    b = rng.integers(0, 2, size=(6, 4)).astype(np.float64)
    want = kornia.losses.binary_focal_loss_with_logits(
        t(x), t(b), alpha=0.25, gamma=2.0, reduction="none"
    ).numpy()
    got = cref.binary_focal_loss(x, b, alpha=0.25, gamma=2.0, reduction="none")
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
            *(_rounded(a, dtype) for a in arrays),
            **{k: _rounded(v, dtype) for k, v in ref_kwargs.items()},
            reduction=reduction,
        )
        ref.assert_close(got, want, compute, err_msg=f"reduction={reduction}")


def _rounded(value: Any, dtype: str) -> Any:
    """Floating NumPy inputs as the backend sees them (rounded to ``dtype``)."""
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return ref.round_to(value, dtype)
    return value


def _light_classification_extra(backend: Backend, option: str, subset: set[str]) -> None:
    if ref.is_light(backend) and option not in subset:
        pytest.skip(f"{backend.name}: representative subset only (runtime)")


# -- focal: lam, label smoothing, class_weights ------------------------------------------

FOCAL_OPTIONS_classification_extra: dict[str, dict[str, Any]] = {
    "lam": {"lam": 1.5},
    "lam_gamma_half_alpha": {"lam": 2.0, "gamma": 0.5, "alpha": True},
    "smoothing": {"eps": 0.1},
    "smoothing_cw_alpha_ignore": {"eps": 0.2, "cw": True, "alpha": True, "ignore": -100},
    "smoothing_lam_weights": {"eps": 0.15, "lam": 1.25, "weights": True, "ignore": 2},
    "cw_only": {"cw": True, "weights": True},
    "balanced_ignore": {"balanced": True, "ignore": -100, "lam": 1.5},
    "balanced_smoothing": {"balanced": True, "eps": 0.1},
    "probs_smoothing_lam": {"probs": True, "eps": 0.2, "lam": 3.0, "cw": True},
}


def _focal_case_classification_extra(option: str, seed: int = 0) -> tuple[Any, ...]:
    opt = FOCAL_OPTIONS_classification_extra[option]
    rng = np.random.default_rng(seed)
    shape, axis = (2, 5, 3), 1
    unreduced = (2, 3)
    logits = rng.normal(0.0, 2.0, size=shape)
    if opt.get("probs"):
        q = rng.uniform(0.05, 1.0, size=shape)
        labels: np.ndarray = q / q.sum(axis=1, keepdims=True)
    else:
        labels = rng.integers(0, 4, size=unreduced)  # class 4 absent
        if "ignore" in opt:
            labels.reshape(-1)[::4] = opt["ignore"]
    kwargs: dict[str, Any] = {"axis": axis, "gamma": opt.get("gamma", 2.0)}
    if "lam" in opt:
        kwargs["lam"] = opt["lam"]
    if "eps" in opt:
        kwargs["label_smoothing"] = opt["eps"]
    if "ignore" in opt:
        kwargs["ignore_index"] = opt["ignore"]
    if opt.get("alpha"):
        kwargs["alpha"] = rng.uniform(0.1, 1.0, size=5)
    if opt.get("cw"):
        kwargs["class_weights"] = rng.uniform(0.2, 3.0, size=5)
    if opt.get("weights"):
        kwargs["weights"] = rng.uniform(0.0, 2.0, size=unreduced)
    ref_kwargs = dict(kwargs)
    if opt.get("balanced"):
        kwargs["class_weights"] = "balanced"
        ref_kwargs["class_weights"] = rx.balanced_weights(labels, 5, opt.get("ignore"))
    return logits, labels, kwargs, ref_kwargs, unreduced


@pytest.mark.parametrize("option", list(FOCAL_OPTIONS_classification_extra))
def test_focal_extensions_match_reference(backend: Backend, option: str) -> None:
    _light_classification_extra(backend, option, {"smoothing_cw_alpha_ignore", "balanced_ignore"})
    logits, labels, kwargs, ref_kwargs, unreduced = _focal_case_classification_extra(option)
    _compare_classification_extra(
        backend, al.focal_loss, rx.focal_loss, (logits, labels), kwargs, ref_kwargs, unreduced
    )


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32"])
def test_focal_extensions_dtype_contract(backend: Backend, dtype: str) -> None:
    ref.require_dtype(backend, dtype)
    if ref.is_light(backend) and dtype != "bfloat16":
        pytest.skip(f"{backend.name}: representative subset only (runtime)")
    logits, labels, kwargs, ref_kwargs, unreduced = _focal_case_classification_extra(
        "smoothing_lam_weights", seed=1
    )
    _compare_classification_extra(
        backend,
        al.focal_loss,
        rx.focal_loss,
        (logits, labels),
        kwargs,
        ref_kwargs,
        unreduced,
        dtype=dtype,
    )


def test_focal_lam_one_is_the_standard_focal_loss() -> None:
    """lam=1 takes the existing log-space path: bit-identical to the default."""
    rng = np.random.default_rng(6)
    x = rng.normal(0.0, 3.0, size=(6, 4))
    y = rng.integers(0, 4, size=6)
    probs = rng.dirichlet(np.ones(4), size=6)
    for labels in (y, probs):
        for gamma in (0.5, 2.0):
            a = al.focal_loss(x, labels, gamma=gamma, reduction="none")
            b = al.focal_loss(x, labels, gamma=gamma, lam=1.0, reduction="none")
            np.testing.assert_array_equal(a, b)
            # and lam -> 1 is continuous
            c = al.focal_loss(x, labels, gamma=gamma, lam=1.0 + 1e-12, reduction="none")
            np.testing.assert_allclose(c, a, rtol=1e-9)


@pytest.mark.parametrize("option", ["int", "int_cw_ignore", "probs_cw"])
def test_smoothed_focal_gamma_zero_is_smoothed_cross_entropy(
    backend: Backend, option: str
) -> None:
    _light_classification_extra(backend, option, {"int_cw_ignore"})
    rng = np.random.default_rng(7)
    x = rng.normal(0.0, 2.0, size=(6, 4))
    labels: np.ndarray
    if option.startswith("probs"):
        labels = rng.dirichlet(np.ones(4), size=6)
    else:
        labels = rng.integers(0, 4, size=6)
        labels[2] = -100
    kw: dict[str, Any] = {"label_smoothing": 0.2}
    if "cw" in option:
        kw["class_weights"] = backend.asarray(rng.uniform(0.5, 2.0, size=4))
    if "ignore" in option or option == "int":
        kw["ignore_index"] = -100
    args = (backend.asarray(x), backend.asarray(labels))
    ces = ref.call_all_reductions(backend, al.cross_entropy, *args, **kw)
    fos = ref.call_all_reductions(backend, al.focal_loss, *args, gamma=0.0, lam=1.7, **kw)
    f64 = backend.dtype("float64")
    for reduction in REDUCTIONS:
        shape = (6,) if reduction == "none" else ()
        ref.assert_close(
            backend.check_result(fos[reduction], dtype=f64, shape=shape),
            backend.check_result(ces[reduction], dtype=f64, shape=shape),
            "float64",
            err_msg=reduction,
        )


def test_focal_lam_changes_easy_and_hard_weights() -> None:
    """Hand-derived: p_t = 1/2 gives (lam - 1/2)^gamma log 2; lam=2, gamma=2: 2.25 log 2."""
    out = al.focal_loss(np.zeros((1, 2)), np.array([0]), gamma=2.0, lam=2.0)
    np.testing.assert_allclose(out, 2.25 * np.log(2.0), rtol=1e-14)
    # easy example (p_t -> 1): the factor tends to (lam - 1)^gamma, not 0
    easy = al.focal_loss(np.array([[30.0, 0.0]]), np.array([0]), gamma=2.0, lam=1.5)
    np.testing.assert_allclose(easy, 0.25 * np.exp(-30.0), rtol=1e-10)


# -- numerics ----------------------------------------------------------------------------


@pytest.mark.parametrize("margin", [17.0, 23.0, 30.0, 1e4])
@pytest.mark.parametrize("lam", [1.0, 1.5, 3.0])
def test_focal_lam_gamma_below_one_saturated_torch(margin: float, lam: float) -> None:
    """Saturated logits, gamma < 1, lam >= 1: finite value and gradient in float32."""
    torch = pytest.importorskip("torch")
    rows = np.array([[margin, 0.0, -margin], [-margin, 0.0, margin], [0.0, margin, 1.0]])
    labels = np.array([0, 0, 1])  # easy, hard, easy with a near rival
    for eps in (0.0, 0.1):
        x = torch.tensor(rows, dtype=torch.float32, requires_grad=True)
        out = al.focal_loss(
            x, torch.tensor(labels), gamma=0.5, lam=lam, label_smoothing=eps, reduction="none"
        )
        (g,) = torch.autograd.grad(out.sum(), x)
        assert torch.isfinite(out).all(), out
        assert torch.isfinite(g).all(), g
        if eps == 0.0:
            want = [
                rx.focal_saturated_mp(r, int(y), 0.5, lam)
                for r, y in zip(rows, labels, strict=True)
            ]
            ref.assert_close(out.detach().numpy(), want, "float32")


def test_focal_lam_gamma_below_one_saturated_jax() -> None:
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    rows = jnp.asarray([[1e4, 0.0, -1e4], [-25.0, 0.0, 25.0]], dtype=jnp.float32)
    labels = jnp.asarray([0, 0])

    def f(x: Any) -> Any:
        return al.focal_loss(x, labels, gamma=0.3, lam=1.2, label_smoothing=0.05)

    value, grad = jax.jit(jax.value_and_grad(f))(rows)
    assert np.isfinite(np.asarray(value))
    assert np.isfinite(np.asarray(grad)).all()


# -- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"lam": 0.5}, ValueError, r"lam must be in \[1, inf\); got 0.5"),
        ({"lam": "2"}, TypeError, "lam must be a real number"),
        ({"class_weights": "inverse"}, ValueError, "class_weights must be .* 'balanced'"),
        ({"label_smoothing": 1.5}, ValueError, "label_smoothing"),
    ],
)
def test_focal_errors(kwargs: dict[str, Any], exc: type, match: str) -> None:
    with pytest.raises(exc, match=match):
        al.focal_loss(np.zeros((2, 3)), np.array([0, 1]), **kwargs)


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


# ---------------------------------------------------------------------------
# binary_focal_loss vs optax and kornia
# ---------------------------------------------------------------------------


def _jax_x64() -> tuple[Any, Any]:
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    return jax, jnp


@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 3.5])
@pytest.mark.parametrize("alpha", [None, 0.25, 0.8])
@pytest.mark.parametrize("soft", [False, True], ids=["hard", "soft"])
def test_binary_focal_matches_optax(alpha: float | None, gamma: float, soft: bool) -> None:
    optax = pytest.importorskip("optax")
    jax, jnp = _jax_x64()
    rng = np.random.default_rng(7)
    logits = rng.normal(scale=4.0, size=(8, 3))
    labels = rng.random((8, 3)) if soft else rng.integers(0, 2, size=(8, 3)).astype(float)
    x, y = jnp.asarray(logits), jnp.asarray(labels)

    def ours(z: Any) -> Any:
        return al.binary_focal_loss(z, y, gamma=gamma, alpha=alpha, reduction="none")

    def theirs(z: Any) -> Any:
        return optax.losses.sigmoid_focal_loss(z, y, alpha=alpha, gamma=gamma)

    o, t = ours(x), theirs(x)
    assert o.dtype == jnp.float64
    _close(o, t)
    _close(
        al.binary_focal_loss(x, y, gamma=gamma, alpha=alpha), jnp.mean(t)
    )  # "mean" is optax's elementwise loss averaged
    g_o = jax.grad(lambda z: jnp.sum(ours(z)))(x)
    g_t = jax.grad(lambda z: jnp.sum(theirs(z)))(x)
    _close(g_o, g_t, rtol=1e-10, atol=1e-13)


def test_binary_focal_default_alpha_differs_from_optax() -> None:
    # Ours defaults to the paper's alpha=0.25 (RetinaNet, torchvision, kornia); optax
    # defaults to alpha=None (no balancing). Same result once alpha is spelled out.
    optax = pytest.importorskip("optax")
    _, jnp = _jax_x64()
    x = jnp.asarray([-3.0, -0.5, 0.0, 1.5, 6.0])
    y = jnp.asarray([1.0, 0.0, 1.0, 0.0, 1.0])
    ours = al.binary_focal_loss(x, y, reduction="none")
    _close(ours, optax.losses.sigmoid_focal_loss(x, y, alpha=0.25))
    assert not np.allclose(np.asarray(ours), np.asarray(optax.losses.sigmoid_focal_loss(x, y)))


@pytest.mark.parametrize("reduction", REDUCTIONS_peers)
@pytest.mark.parametrize(("alpha", "gamma"), [(0.25, 2.0), (None, 2.0), (0.6, 0.5), (0.25, 0.0)])
def test_binary_focal_matches_kornia(alpha: float | None, gamma: float, reduction: str) -> None:
    # kornia.losses.binary_focal_loss_with_logits(pred, target, alpha, gamma, reduction):
    # pred (B, C, *) elementwise logits, target same shape; alpha weights positives,
    # 1 - alpha negatives, None disables (as ours). Its "mean"/"sum" are torch.mean/sum
    # over every element, ours too (no weights). Its default reduction is "none".
    # Mapping is exact for hard {0, 1} targets only: for a soft target t kornia weights
    # the two terms separately, t*a*(1-p)^g*(-log p) + (1-t)*(1-a)*p^g*(-log(1-p)),
    # whereas ours (and optax) use one modulating factor (1 - p_t)^g with
    # 1 - p_t = t(1-p) + (1-t)p, i.e. the focal factor of the cross-entropy against the
    # soft target; both reduce to the paper's formula at t in {0, 1}.
    kornia = pytest.importorskip("kornia")
    rng = np.random.default_rng(8)
    logits = rng.normal(scale=3.0, size=(3, 4, 5))
    labels = rng.integers(0, 2, size=(3, 4, 5)).astype(float)
    v_o, g_o = _grad(
        lambda x: al.binary_focal_loss(
            x, _t(labels), alpha=alpha, gamma=gamma, reduction=reduction
        ),
        _t(logits),
    )
    v_t, g_t = _grad(
        lambda x: kornia.losses.binary_focal_loss_with_logits(
            x, _t(labels), alpha=alpha, gamma=gamma, reduction=reduction
        ),
        _t(logits),
    )
    _close(_np(v_o), _np(v_t))
    _close(_np(g_o), _np(g_t), rtol=1e-10, atol=1e-13)


def test_binary_focal_kornia_class_weight_is_our_weights() -> None:
    # kornia's weight (C,) multiplies channel c along dim 1: our weights of shape (C, 1)
    # broadcast the same way. kornia's "mean" stays an element mean, ours is sum(w l)/sum(w),
    # so compare "sum" (and "none").
    kornia = pytest.importorskip("kornia")
    rng = np.random.default_rng(9)
    logits = rng.normal(size=(2, 3, 4))
    labels = rng.integers(0, 2, size=(2, 3, 4)).astype(float)
    w = np.array([0.3, 1.0, 4.0])
    for reduction in ("sum", "none"):
        ours = al.binary_focal_loss(
            _t(logits), _t(labels), weights=_t(w[:, None]), reduction=reduction
        )
        theirs = kornia.losses.binary_focal_loss_with_logits(
            _t(logits), _t(labels), alpha=0.25, gamma=2.0, weight=_t(w), reduction=reduction
        )
        _close(_np(ours), _np(theirs))


# ---------------------------------------------------------------------------
# focal_loss (softmax) vs kornia and MONAI
# ---------------------------------------------------------------------------


def _scalar_alpha_as_vector(a: float, num_classes: int) -> np.ndarray:
    """kornia's and MONAI's scalar softmax alpha: 1 - a for class 0, a for the others."""
    return np.array([1.0 - a] + [a] * (num_classes - 1))


@pytest.mark.parametrize("reduction", REDUCTIONS_peers)
@pytest.mark.parametrize(
    ("alpha", "gamma", "ignore"),
    [(None, 2.0, None), (0.25, 2.0, None), (0.7, 0.5, None), (None, 1.5, -100), (0.4, 2.0, 3)],
)
def test_focal_matches_kornia(
    alpha: float | None, gamma: float, ignore: int | None, reduction: str
) -> None:
    # kornia.losses.focal_loss(pred (B,C,*), target (B,*), alpha, gamma, reduction, weight,
    # ignore_index=-100). Mapping (kornia 0.9 source, losses/focal.py):
    #  * alpha is a scalar: class 0 gets 1 - alpha, every other class alpha. Ours is one
    #    weight per class (CONVENTIONS section 5), so kornia's a is ours [1-a, a, ..., a].
    #  * "none" is a (B, C, *) map that is 0 off the target class: its sum over dim 1 is
    #    our "none" (class axis removed).
    #  * "mean" divides by B*C*(spatial): C times ours, which averages positions.
    #  * ignored pixels stay in kornia's "mean" denominator; ours drops them (as torch's
    #    cross_entropy), so with ignore_index ours = kornia "sum" / number kept.
    kornia = pytest.importorskip("kornia")
    rng = np.random.default_rng(10)
    logits = rng.normal(scale=2.5, size=(3, C, 4, 2))
    labels = rng.integers(0, C, size=(3, 4, 2))
    kornia_ignore = -100 if ignore is None else ignore
    if ignore is not None:
        labels[0, 0, 0] = labels[2, 1, 1] = ignore
    kept = np.sum(labels != kornia_ignore)
    alpha_vec = None if alpha is None else _t(_scalar_alpha_as_vector(alpha, C))

    def ours(x: Any) -> Any:
        return al.focal_loss(
            x,
            _t(labels),
            gamma=gamma,
            alpha=alpha_vec,
            axis=1,
            ignore_index=ignore,
            reduction=reduction,
        )

    def theirs(x: Any) -> Any:
        out = kornia.losses.focal_loss(
            x,
            _t(labels),
            alpha,
            gamma,
            reduction="sum" if reduction == "mean" else reduction,
            ignore_index=kornia_ignore,
        )
        if reduction == "none":
            return out.sum(dim=1)
        if reduction == "mean":
            return out / kept
        return out

    v_o, g_o = _grad(ours, _t(logits))
    v_t, g_t = _grad(theirs, _t(logits))
    _close(_np(v_o), _np(v_t))
    _close(_np(g_o), _np(g_t), rtol=1e-10, atol=1e-13)
    if reduction == "mean" and ignore is None:
        # and kornia's own "mean" is ours / C
        k_mean = kornia.losses.focal_loss(_t(logits), _t(labels), alpha, gamma, reduction="mean")
        _close(_np(v_o) / C, _np(k_mean))


def test_focal_kornia_weight_is_a_per_class_alpha() -> None:
    # kornia's weight (C,) multiplies class c's slice without normalizing the mean: the
    # same as our per-class alpha (which, unlike cross_entropy's class_weights, does not
    # enter the denominator). kornia's alpha and weight compose by product.
    kornia = pytest.importorskip("kornia")
    rng = np.random.default_rng(11)
    logits, labels = rng.normal(size=(6, C)), rng.integers(0, C, size=6)
    w = rng.uniform(0.1, 2.0, size=C)
    ours = al.focal_loss(
        _t(logits), _t(labels), alpha=_t(w * _scalar_alpha_as_vector(0.3, C)), reduction="sum"
    )
    theirs = kornia.losses.focal_loss(
        _t(logits), _t(labels), 0.3, 2.0, reduction="sum", weight=_t(w)
    )
    _close(_np(ours), _np(theirs))


def test_focal_gamma0_is_cross_entropy_and_kornia_binary_identity() -> None:
    # Two hand-checkable identities the peers document: gamma=0 is torch's cross-entropy;
    # with C=2, kornia's softmax focal equals its binary focal on the logit difference.
    F = pytest.importorskip("torch").nn.functional
    kornia = pytest.importorskip("kornia")
    rng = np.random.default_rng(12)
    logits, labels = rng.normal(scale=3.0, size=(7, 2)), rng.integers(0, 2, size=7)
    ce = F.cross_entropy(_t(logits), _t(labels), reduction="none")
    _close(_np(al.focal_loss(_t(logits), _t(labels), gamma=0.0, reduction="none")), _np(ce))
    diff = logits[:, 1:] - logits[:, :1]
    binary = al.binary_focal_loss(
        _t(diff), _t(labels[:, None].astype(float)), alpha=0.25, reduction="none"
    )
    soft = al.focal_loss(
        _t(logits), _t(labels), alpha=_t(_scalar_alpha_as_vector(0.25, 2)), reduction="none"
    )
    _close(_np(soft), _np(binary)[:, 0])
    k = kornia.losses.binary_focal_loss_with_logits(
        _t(diff), _t(labels[:, None].astype(float)), alpha=0.25, gamma=2.0
    )
    _close(_np(soft), _np(k)[:, 0])


@pytest.mark.parametrize("reduction", REDUCTIONS_peers)
@pytest.mark.parametrize(
    ("alpha", "gamma"), [(None, 2.0), (0.25, 2.0), ((0.1, 0.5, 1.0, 2.0, 0.3), 1.0)]
)
def test_focal_matches_monai_softmax(alpha: Any, gamma: float, reduction: str) -> None:
    # monai.losses.FocalLoss(use_softmax=True, to_onehot_y=True): target (B, 1, *) labels,
    # loss map (B, C, *) = -alpha_c (1 - p_c)^gamma log p_c * onehot. Mapping:
    #  * a sequence alpha is one weight per class: exactly ours.
    #  * a scalar alpha with softmax means 1 - a for class 0 and a for the rest (as
    #    kornia): ours [1-a, a, ..., a]. (With sigmoid, MONAI's scalar alpha is the binary
    #    balance: that is our binary_focal_loss.)
    #  * "none" keeps the class axis (sum it for ours); "mean" averages over B*C*(spatial),
    #    C times ours. MONAI's "sum" first averages over spatial dims (a documented
    #    back-compat quirk), so ours "sum" = MONAI "sum" * (spatial size).
    #  * MONAI casts input and target to float32 (``input.float()``), so the comparison is
    #    at float32 accuracy even from float64 inputs.
    monai_losses = pytest.importorskip("monai.losses")
    rng = np.random.default_rng(13)
    logits = rng.normal(scale=2.0, size=(2, C, 3, 4))
    labels = rng.integers(0, C, size=(2, 3, 4))
    if alpha is None:
        alpha_ours = None
    elif isinstance(alpha, float):
        alpha_ours = _t(_scalar_alpha_as_vector(alpha, C))
    else:
        alpha_ours = _t(np.array(alpha))
    ours = al.focal_loss(
        _t(logits), _t(labels), gamma=gamma, alpha=alpha_ours, axis=1, reduction=reduction
    )
    monai = monai_losses.FocalLoss(
        to_onehot_y=True, use_softmax=True, gamma=gamma, alpha=alpha, reduction=reduction
    )(_t(logits), _t(labels[:, None]))
    if reduction == "none":
        monai = monai.sum(dim=1)
    elif reduction == "mean":
        monai = monai * C
    else:
        monai = monai * (3 * 4)
    _close(_np(ours), _np(monai), rtol=2e-6, atol=1e-7)
