"""Values of the Dice loss against the float64 NumPy reference.

The reference (``support.reference.dice_loss``) is the per-sample, per-class soft
Dice of Milletari et al. with MONAI's smoothing; it is checked against MONAI's
``DiceLoss`` and hand-derived values at the bottom of this file.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import arrayloss as al
from segmentation import reference as sref
from support import reference as ref
from support.backends import Backend

# (logits shape, class axis)
LAYOUTS = {
    "nhwc": ((2, 3, 4, 3), -1),
    "nchw": ((2, 3, 3, 4), 1),
    "nc": ((5, 3), -1),  # no spatial axes: one position per sample
}


BINARY_LAYOUTS = {"nchw": ((2, 1, 3, 4), 1), "nhwc": ((2, 3, 4, 1), -1)}


def _compare(
    backend: Backend,
    logits: np.ndarray,
    labels: np.ndarray,
    kwargs: dict[str, Any],
    none_shape: tuple[int, ...],
    dtype: str = "float64",
) -> None:
    compute = "float64" if dtype == "float64" else "float32"
    args = (ref.to_backend(backend, logits, dtype), ref.to_backend(backend, labels, dtype))
    kw = {k: ref.to_backend(backend, v, dtype) for k, v in kwargs.items()}
    outs = ref.call_all_reductions(backend, al.dice_loss, *args, **kw)
    for reduction, out in outs.items():
        shape = none_shape if reduction == "none" else ()
        got = backend.check_result(out, dtype=backend.dtype(compute), shape=shape)
        assert np.all(np.isfinite(got))
        want = sref.dice_loss(logits, labels, **kwargs, reduction=reduction)
        ref.assert_close(got, want, compute, err_msg=f"reduction={reduction}")


def _softmax(x: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(x)
    return e / e.sum(axis=axis, keepdims=True)


def _one_hot(labels: np.ndarray, C: int, axis: int) -> np.ndarray:
    return np.moveaxis(np.eye(C)[labels], -1, axis)


# -- multiclass ------------------------------------------------------------------------

MULTICLASS_OPTIONS: dict[str, dict[str, Any]] = {
    "int": {},
    "one_hot": {"target": "one_hot"},
    "soft_target": {"target": "soft"},
    "probs": {"from_logits": False},
    "no_background": {"include_background": False},
    "ignore_in_range": {"ignore": 1},
    "ignore_out_of_range": {"ignore": -100},
    "batch_dice": {"batch_dice": True},
    "class_weights": {"class_weights": True},
    "class_weights_no_background_ignore": {
        "class_weights": True,
        "include_background": False,
        "ignore": -100,
    },
    "weights_per_sample": {"weights": "sample"},
    "weights_full_no_background": {"weights": "full", "include_background": False},
    "batch_cw_weights": {"batch_dice": True, "class_weights": True, "weights": "full"},
    "smooth_one": {"smooth": 1.0},
    "smooth_zero": {"smooth": 0.0},
}


def _multiclass_case(layout: str, option: str, seed: int = 0) -> tuple[Any, ...]:
    opt = MULTICLASS_OPTIONS[option]
    rng = np.random.default_rng(seed)
    shape, axis = LAYOUTS[layout]
    ax = axis % len(shape)
    C, N = shape[ax], shape[0]
    logits = rng.normal(0.0, 2.0, size=shape)
    labels = rng.integers(0, C, size=shape[:ax] + shape[ax + 1 :])
    if "ignore" in opt:
        labels.reshape(-1)[::4] = opt["ignore"]
    if opt.get("target") == "one_hot":
        labels = _one_hot(labels, C, ax)
    elif opt.get("target") == "soft":
        labels = _softmax(rng.normal(size=shape), ax)
    kwargs: dict[str, Any] = {"axis": axis}
    if opt.get("from_logits") is False:
        logits = _softmax(logits, ax)
        kwargs["from_logits"] = False
    for key in ("include_background", "batch_dice", "smooth"):
        if key in opt:
            kwargs[key] = opt[key]
    if "ignore" in opt:
        kwargs["ignore_index"] = opt["ignore"]
    if opt.get("class_weights"):
        kwargs["class_weights"] = rng.uniform(0.2, 3.0, size=C)
    c_out = C if opt.get("include_background", True) else C - 1
    none_shape = (c_out,) if opt.get("batch_dice") else (N, c_out)
    if opt.get("weights") == "sample":
        kwargs["weights"] = rng.uniform(0.0, 2.0, size=(N, 1))
    elif opt.get("weights") == "full":
        kwargs["weights"] = rng.uniform(0.0, 2.0, size=none_shape)
    return logits, labels, kwargs, none_shape


def _matrix(full: str, others: dict[str, list[str]], options: dict[str, Any]) -> list[Any]:
    cases = [(full, o) for o in options]
    cases += [(layout, o) for layout, opts in others.items() for o in opts]
    return [pytest.param(layout, o, id=f"{layout}-{o}") for layout, o in cases]


def _light(backend: Backend, key: tuple[str, str], subset: set[tuple[str, str]]) -> None:
    """On the slow-per-call backends (``ref.LIGHT_BACKENDS``) run only ``subset``."""
    if ref.is_light(backend) and key not in subset:
        pytest.skip(f"{backend.name}: representative subset only (runtime)")


@pytest.mark.parametrize(
    ("layout", "option"),
    _matrix(
        "nchw",
        {
            "nhwc": ["int", "one_hot", "class_weights_no_background_ignore", "batch_cw_weights"],
            "nc": ["int", "soft_target"],
        },
        MULTICLASS_OPTIONS,
    ),
)
def test_dice_multiclass_matches_reference(backend: Backend, layout: str, option: str) -> None:
    _light(
        backend,
        (layout, option),
        {
            ("nchw", "class_weights_no_background_ignore"),
            ("nchw", "batch_cw_weights"),
            ("nchw", "one_hot"),
            ("nchw", "probs"),
            ("nchw", "ignore_in_range"),
            ("nhwc", "int"),
        },
    )
    logits, labels, kwargs, none_shape = _multiclass_case(layout, option)
    _compare(backend, logits, labels, kwargs, none_shape)


# -- multilabel and binary ---------------------------------------------------------------

SIGMOID_OPTIONS: dict[str, dict[str, Any]] = {
    "float_labels": {},
    "int_labels": {"label_dtype": "int64"},
    "bool_labels": {"label_dtype": "bool"},
    "ignore": {"ignore": 255},
    "ignore_negative": {"ignore": -1},
    "probs": {"from_logits": False},
    "no_background": {"include_background": False},
    "batch_dice_weights": {"batch_dice": True, "weights": True},
    "class_weights_smooth_zero": {"class_weights": True, "smooth": 0.0},
}


def _sigmoid_case(
    mode: str, layout: str, option: str, squeeze: bool = False, seed: int = 0
) -> tuple[Any, ...]:
    opt = SIGMOID_OPTIONS[option]
    rng = np.random.default_rng(seed)
    shape, axis = (BINARY_LAYOUTS if mode == "binary" else LAYOUTS)[layout]
    ax = axis % len(shape)
    C, N = shape[ax], shape[0]
    logits = rng.normal(0.0, 2.0, size=shape)
    labels = rng.integers(0, 2, size=shape)
    if "ignore" in opt:
        labels.reshape(-1)[::5] = opt["ignore"]
    labels = labels.astype(opt.get("label_dtype", "int64" if "ignore" in opt else "float64"))
    if squeeze:
        labels = np.squeeze(labels, axis=ax)
    kwargs: dict[str, Any] = {"mode": mode, "axis": axis}
    if opt.get("from_logits") is False:
        logits = 1.0 / (1.0 + np.exp(-logits))
        kwargs["from_logits"] = False
    for key in ("include_background", "batch_dice", "smooth"):
        if key in opt:
            kwargs[key] = opt[key]
    if "ignore" in opt:
        kwargs["ignore_index"] = opt["ignore"]
    if opt.get("class_weights"):
        kwargs["class_weights"] = rng.uniform(0.2, 3.0, size=C)
    drop = not opt.get("include_background", True) and mode != "binary"
    c_out = C - 1 if drop else C
    none_shape = (c_out,) if opt.get("batch_dice") else (N, c_out)
    if opt.get("weights"):
        kwargs["weights"] = rng.uniform(0.0, 2.0, size=none_shape)
    return logits, labels, kwargs, none_shape


@pytest.mark.parametrize(
    ("layout", "option"),
    _matrix("nchw", {"nhwc": ["float_labels", "ignore", "batch_dice_weights"]}, SIGMOID_OPTIONS),
)
def test_dice_multilabel_matches_reference(backend: Backend, layout: str, option: str) -> None:
    _light(
        backend,
        (layout, option),
        {
            ("nchw", "ignore"),
            ("nchw", "class_weights_smooth_zero"),
            ("nchw", "probs"),
            ("nhwc", "batch_dice_weights"),
        },
    )
    logits, labels, kwargs, none_shape = _sigmoid_case("multilabel", layout, option)
    _compare(backend, logits, labels, kwargs, none_shape)


@pytest.mark.parametrize("squeeze", [False, True], ids=["with_channel", "without_channel"])
@pytest.mark.parametrize(
    ("layout", "option"),
    _matrix(
        "nchw",
        {"nhwc": ["float_labels", "int_labels", "ignore_negative"]},
        {k: v for k, v in SIGMOID_OPTIONS.items() if k != "class_weights_smooth_zero"},
    ),
)
def test_dice_binary_matches_reference(
    backend: Backend, layout: str, option: str, squeeze: bool
) -> None:
    """One sigmoid channel; labels with or without the size-1 channel axis.
    ``include_background=False`` must not drop the only channel in binary mode."""
    _light(backend, (layout, option), {("nchw", "ignore"), ("nhwc", "float_labels")})
    logits, labels, kwargs, none_shape = _sigmoid_case("binary", layout, option, squeeze)
    _compare(backend, logits, labels, kwargs, none_shape)


# -- empty classes ----------------------------------------------------------------------


@pytest.mark.parametrize("batch_dice", [False, True])
def test_empty_class_with_smooth_zero_is_zero(backend: Backend, batch_dice: bool) -> None:
    """A class absent from target and prediction, smooth=0: loss exactly 0, no NaN.

    Hand-derived: class 2 has p = 0 and g = 0 everywhere (0/0 -> loss 0, MONAI's
    convention); class 0 and 1 are perfectly predicted (loss 0); so every entry is 0.
    Sample 1 also lacks class 1, so per-sample Dice has a second empty cell.
    """
    labels = np.array([[[0, 1], [1, 0]], [[0, 0], [0, 0]]])  # (N=2, H=2, W=2)
    probs = _one_hot(labels, 3, -1)  # (2, 2, 2, 3): exact probabilities, class 2 empty
    kw = {"from_logits": False, "smooth": 0.0, "batch_dice": batch_dice}
    outs = ref.call_all_reductions(
        backend, al.dice_loss, backend.asarray(probs, "float64"), backend.asarray(labels), **kw
    )
    f64 = backend.dtype("float64")
    none_shape = (3,) if batch_dice else (2, 3)
    for reduction, out in outs.items():
        shape = none_shape if reduction == "none" else ()
        np.testing.assert_array_equal(backend.check_result(out, dtype=f64, shape=shape), 0.0)


def test_class_absent_from_target_smooth_zero_from_logits(backend: Backend) -> None:
    """From logits a class absent from the target still has predicted mass, so its
    Dice is 0/sum(p) = 0 and its loss exactly 1 (hand-derived), not NaN."""
    rng = np.random.default_rng(9)
    logits = rng.normal(size=(2, 3, 2, 2))
    labels = rng.integers(0, 2, size=(2, 2, 2))  # class 2 never occurs
    out = backend.call(
        al.dice_loss,
        backend.asarray(logits, "float64"),
        backend.asarray(labels),
        axis=1,
        smooth=0.0,
        reduction="none",
    )
    got = backend.check_result(out, dtype=backend.dtype("float64"), shape=(2, 3))
    np.testing.assert_array_equal(got[:, 2], 1.0)
    want = sref.dice_loss(logits, labels, axis=1, smooth=0.0, reduction="none")
    ref.assert_close(got, want, "float64")


# -- dtype contract --------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
@pytest.mark.parametrize(
    "case", ["multiclass_int", "multiclass_probs_onehot", "multilabel", "binary"]
)
def test_dtype_contract(backend: Backend, case: str, dtype: str) -> None:
    """Half in -> float32 out; float32 stays float32; float64 stays float64. The
    reference runs on the inputs rounded to ``dtype``."""
    _light(backend, (case, ""), {("multiclass_int", ""), ("multilabel", "")})
    ref.require_dtype(backend, dtype)
    if case == "multiclass_int":
        logits, labels, kwargs, none_shape = _multiclass_case(
            "nchw", "class_weights_no_background_ignore", seed=10
        )
    elif case == "multiclass_probs_onehot":
        logits, labels, kwargs, none_shape = _multiclass_case("nhwc", "probs", seed=10)
        labels = _one_hot(labels, 3, -1)
    elif case == "multilabel":
        logits, labels, kwargs, none_shape = _sigmoid_case(
            "multilabel", "nchw", "batch_dice_weights", seed=10
        )
    else:
        logits, labels, kwargs, none_shape = _sigmoid_case(
            "binary", "nhwc", "float_labels", squeeze=True, seed=10
        )

    def rounded(v: Any) -> Any:
        is_float = isinstance(v, np.ndarray) and np.issubdtype(v.dtype, np.floating)
        return ref.round_to(v, dtype) if is_float else v

    logits, labels = rounded(logits), rounded(labels)
    kwargs = {k: rounded(v) for k, v in kwargs.items()}
    _compare(backend, logits, labels, kwargs, none_shape, dtype=dtype)


# -- properties (NumPy only) -----------------------------------------------------------


@st.composite
def _segmentation_batch(draw: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = draw(st.integers(1, 4))
    s = draw(st.integers(1, 5))
    c = draw(st.integers(2, 4))
    logits = draw(hnp.arrays(np.float64, (n, s, c), elements=st.floats(-30.0, 30.0)))
    labels = draw(hnp.arrays(np.int64, (n, s), elements=st.integers(0, c - 1)))
    perm = np.asarray(draw(st.permutations(range(n))))
    return logits, labels, perm


@settings(max_examples=40, deadline=None)
@given(
    batch=_segmentation_batch(),
    smooth=st.sampled_from([0.0, 1e-5, 1.0]),
    mode=st.sampled_from(["multiclass", "multilabel"]),
    batch_dice=st.booleans(),
)
def test_properties(
    batch: tuple[np.ndarray, np.ndarray, np.ndarray], smooth: float, mode: str, batch_dice: bool
) -> None:
    """Loss in [0, 1]; exactly 0 for a perfect probability prediction; the mean is
    invariant to the order of the batch."""
    logits, labels, perm = batch
    c = logits.shape[-1]
    target = labels if mode == "multiclass" else np.eye(c)[labels]
    kw = {"mode": mode, "smooth": smooth, "batch_dice": batch_dice}
    per = al.dice_loss(logits, target, reduction="none", **kw)
    assert np.all((per >= 0) & (per <= 1))
    perfect = al.dice_loss(np.eye(c)[labels], target, from_logits=False, reduction="none", **kw)
    np.testing.assert_array_equal(perfect, 0.0)
    np.testing.assert_allclose(
        al.dice_loss(logits[perm], target[perm], **kw),
        al.dice_loss(logits, target, **kw),
        rtol=1e-12,
    )


# -- the oracle itself ----------------------------------------------------------------


def test_reference_hand_derived() -> None:
    # class 0: I = .9, sum p = 1.1, sum g = 1 -> 1 - 1.8/2.1;
    # class 1: I = .8, sum p = .9, sum g = 1 -> 1 - 1.6/1.9
    probs = np.array([[[0.9, 0.1], [0.2, 0.8]]])
    got = sref.dice_loss(
        probs, np.array([[0, 1]]), from_logits=False, smooth=0.0, reduction="none"
    )
    np.testing.assert_allclose(got, [[1 - 1.8 / 2.1, 1 - 1.6 / 1.9]])
    # ignore_index removes the position from every sum: only position 0 remains
    got = sref.dice_loss(
        probs, np.array([[0, 7]]), from_logits=False, smooth=0.0, ignore_index=7, reduction="none"
    )
    np.testing.assert_allclose(got, [[1 - 1.8 / 1.9, 1.0]])  # class 1: I = 0, p = .1
    # weighted mean over classes
    got = sref.dice_loss(
        probs, np.array([[0, 1]]), from_logits=False, smooth=0.0, class_weights=[1.0, 3.0]
    )
    np.testing.assert_allclose(got, ((1 - 1.8 / 2.1) + 3 * (1 - 1.6 / 1.9)) / 4)


@pytest.mark.peer
def test_reference_matches_monai() -> None:
    """MONAI's DiceLoss (per sample and class, smooth_nr = smooth_dr) is our oracle's
    definition; MONAI has no ignore_index and its ``weight`` is not normalized, so
    only the unweighted modes are compared."""
    torch = pytest.importorskip("torch")
    monai_losses = pytest.importorskip("monai.losses")
    rng = np.random.default_rng(11)
    x = rng.normal(0.0, 2.0, size=(2, 3, 4, 5))
    y = rng.integers(0, 3, size=(2, 4, 5))
    t = torch.from_numpy
    for include_background in (True, False):
        for batch in (False, True):
            loss = monai_losses.DiceLoss(
                include_background=include_background,
                to_onehot_y=True,
                softmax=True,
                batch=batch,
                reduction="none",
            )
            want = loss(t(x), t(y[:, None])).numpy()
            got = sref.dice_loss(
                x,
                y,
                axis=1,
                include_background=include_background,
                batch_dice=batch,
                reduction="none",
            )
            np.testing.assert_allclose(got, want.reshape(got.shape), rtol=1e-12)
    # multilabel (sigmoid) with soft smoothing 1.0
    b = rng.integers(0, 2, size=x.shape).astype(np.float64)
    loss = monai_losses.DiceLoss(sigmoid=True, smooth_nr=1.0, smooth_dr=1.0, reduction="none")
    want = loss(t(x), t(b)).numpy()
    got = sref.dice_loss(x, b, mode="multilabel", axis=1, smooth=1.0, reduction="none")
    np.testing.assert_allclose(got, want.reshape(got.shape), rtol=1e-12)


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
# dice_loss vs MONAI DiceLoss
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("batch", [False, True], ids=["per_sample", "batch"])
@pytest.mark.parametrize("include_background", [True, False], ids=["bg", "no_bg"])
def test_dice_softmax_matches_monai(include_background: bool, batch: bool, reduction: str) -> None:
    # MONAI DiceLoss(softmax=True, to_onehot_y=True, smooth_nr=smooth_dr=1e-5): with its
    # default linear denominator, 2tp + fp + fn = sum p + sum g, so
    # 1 - (2 tp + s) / (2 tp + fp + fn + s) is ours with smooth=s. MONAI's "none" keeps
    # broadcastable trailing 1s, (B, C, 1, 1) or (C, 1, 1) with batch=True; ours is
    # (N, C) / (C,), so compare flattened.
    monai_losses = pytest.importorskip("monai.losses")
    rng = np.random.default_rng(14)
    logits = rng.normal(scale=2.0, size=(3, 4, 5, 6))
    labels = rng.integers(0, 4, size=(3, 5, 6))
    labels[1] = np.where(labels[1] == 3, 0, labels[1])  # class 3 absent from sample 1
    v_o, g_o = _grad(
        lambda x: al.dice_loss(
            x,
            _t(labels),
            axis=1,
            smooth=1e-5,
            include_background=include_background,
            batch_dice=batch,
            reduction=reduction,
        ),
        _t(logits),
    )
    monai_fn = monai_losses.DiceLoss(
        softmax=True,
        to_onehot_y=True,
        include_background=include_background,
        batch=batch,
        smooth_nr=1e-5,
        smooth_dr=1e-5,
        reduction=reduction,
    )
    v_m, g_m = _grad(lambda x: monai_fn(x, _t(labels[:, None])), _t(logits))
    expected_shape = {"none": (4 - (not include_background),), "mean": (), "sum": ()}[reduction]
    if reduction == "none" and not batch:
        expected_shape = (3, *expected_shape)
    assert tuple(v_o.shape) == expected_shape
    _close(_np(v_o), _np(v_m).reshape(expected_shape))
    _close(_np(g_o), _np(g_m))


@pytest.mark.parametrize("batch", [False, True], ids=["per_sample", "batch"])
def test_dice_multilabel_sigmoid_matches_monai(batch: bool) -> None:
    # MONAI DiceLoss(sigmoid=True) on a (B, C, *) multi-label mask is our
    # mode="multilabel"; one channel with sigmoid is our mode="binary".
    monai_losses = pytest.importorskip("monai.losses")
    rng = np.random.default_rng(15)
    logits = rng.normal(scale=2.0, size=(2, 3, 4, 5))
    labels = (rng.random((2, 3, 4, 5)) < 0.4).astype(float)
    labels[0, 2] = 0.0  # an empty channel
    for mode, sl in (("multilabel", slice(None)), ("binary", slice(0, 1))):
        x, y = logits[:, sl], labels[:, sl]
        ours = al.dice_loss(_t(x), _t(y), mode=mode, axis=1, batch_dice=batch, reduction="none")
        monai = monai_losses.DiceLoss(sigmoid=True, batch=batch, reduction="none")(_t(x), _t(y))
        _close(_np(ours), _np(monai).reshape(tuple(ours.shape)))
        ours_m = al.dice_loss(_t(x), _t(y), mode=mode, axis=1, batch_dice=batch)
        monai_m = monai_losses.DiceLoss(sigmoid=True, batch=batch)(_t(x), _t(y))
        _close(_np(ours_m), _np(monai_m))


def test_dice_probabilities_with_empty_class_match_monai() -> None:
    # from_logits=False vs MONAI with no activation; a class absent from target and
    # prediction (exact zeros) is loss 0 in both (1 - s/s), also a class present only in
    # the prediction.
    monai_losses = pytest.importorskip("monai.losses")
    probs = np.zeros((2, 3, 4))
    labels = np.array([[0, 0, 1, 1], [1, 1, 1, 0]])
    probs[0, 0] = [0.9, 0.7, 0.0, 0.2]
    probs[0, 1] = 1.0 - probs[0, 0]
    probs[1, 1] = [0.5, 1.0, 0.6, 0.0]
    probs[1, 0] = [0.0, 0.0, 0.3, 1.0]
    probs[1, 2] = 1.0 - probs[1, 0] - probs[1, 1]
    ours = al.dice_loss(_t(probs), _t(labels), axis=1, from_logits=False, reduction="none")
    monai = monai_losses.DiceLoss(to_onehot_y=True, reduction="none")(
        _t(probs), _t(labels[:, None])
    )
    _close(_np(ours), _np(monai).reshape(2, 3))
    assert _np(ours)[0, 2] == 0.0


@pytest.mark.parametrize("ignore", [255, 0])
def test_dice_ignore_index_matches_monai(ignore: int) -> None:
    # MONAI's ignore_index (label-encoded target) masks the pixel in every channel of both
    # input and target, as ours does; an in-range ignore (0) also drops class 0's pixels.
    monai_losses = pytest.importorskip("monai.losses")
    rng = np.random.default_rng(16)
    logits = rng.normal(size=(2, 3, 4, 4))
    labels = rng.integers(0, 3, size=(2, 4, 4))
    labels[:, 0, :2] = ignore
    ours = al.dice_loss(_t(logits), _t(labels), axis=1, ignore_index=ignore, reduction="none")
    monai = monai_losses.DiceLoss(
        softmax=True, to_onehot_y=True, ignore_index=ignore, reduction="none"
    )(_t(logits), _t(labels[:, None]))
    _close(_np(ours), _np(monai).reshape(2, 3))


def test_dice_class_weights_sum_matches_monai_weight() -> None:
    # MONAI's weight multiplies each class's loss and its "mean" is a plain mean; ours is a
    # weighted mean (sum(w l) / sum(w)). "sum" is the same in both.
    monai_losses = pytest.importorskip("monai.losses")
    rng = np.random.default_rng(17)
    logits, labels = rng.normal(size=(2, 3, 5)), rng.integers(0, 3, size=(2, 5))
    # MONAI stores weight as torch.as_tensor(list) = float32: use float32-exact weights
    w = np.array([0.25, 1.0, 3.0])
    ours = al.dice_loss(_t(logits), _t(labels), axis=1, class_weights=_t(w), reduction="sum")
    monai = monai_losses.DiceLoss(
        softmax=True, to_onehot_y=True, weight=w.tolist(), reduction="sum"
    )(_t(logits), _t(labels[:, None]))
    _close(_np(ours), _np(monai))
    ours_mean = al.dice_loss(_t(logits), _t(labels), axis=1, class_weights=_t(w))
    per = _np(al.dice_loss(_t(logits), _t(labels), axis=1, reduction="none"))
    _close(_np(ours_mean), np.sum(per * w) / (2 * w.sum()))
