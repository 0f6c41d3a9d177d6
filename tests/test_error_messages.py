"""Exact error messages for the most used losses (CONVENTIONS section 9).

The registry-driven suite (``test_errors.py``) gives every loss the generic bad
inputs; this file pins the wording for the first seven losses. Every case runs on
NumPy, torch and JAX (eager), checks the exception type *exactly* (no AssertionError,
IndexError, AttributeError, backend-internal error or a backend subclass of TypeError
escapes) and matches the message: the argument's name, what was given and what is
allowed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import arrayloss as al

LIBS = ("numpy", "torch", "jax")


class Lib:
    """Turns NumPy data into one library's arrays."""

    def __init__(self, name: str) -> None:
        self.name = name
        if name == "torch":
            self.torch = pytest.importorskip("torch")
        elif name == "jax":
            jax = pytest.importorskip("jax")
            jax.config.update("jax_enable_x64", True)  # int64 labels, float64 data
            import jax.numpy as jnp

            self.jax, self.jnp = jax, jnp

    def __call__(self, data: Any, dtype: str | None = None) -> Any:
        a = np.asarray(data)
        if dtype is not None:
            a = a.astype(dtype)
        if self.name == "numpy":
            return a
        if self.name == "torch":
            return self.torch.from_numpy(np.ascontiguousarray(a))
        return self.jnp.asarray(a)


@pytest.fixture(params=LIBS, scope="module")
def lib(request: pytest.FixtureRequest) -> Lib:
    return Lib(request.param)


# data: classification (N=4, C=3), binary (4, 3), dice (N=2, S=4, C=3)
X = np.linspace(-1.0, 1.0, 12).reshape(4, 3).astype(np.float32)
Y = np.array([0, 1, 2, 0])
YB = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]], dtype=np.float32)
XD = np.linspace(-1.0, 1.0, 24).reshape(2, 4, 3).astype(np.float32)
YD = np.array([[0, 1, 2, 0], [1, 1, 0, 2]])
YDB = (np.arange(24).reshape(2, 4, 3) % 2).astype(np.float32)

DT = r"(torch\.)?"  # torch prints dtypes as torch.int64
VALID_REDUCTIONS = r"reduction must be one of 'mean', 'sum', 'none'"
FLOAT_MSG = r"must be a real floating array \(float16, bfloat16, float32 or float64\), got dtype "

Case = tuple[Callable[[Lib], Any], type[Exception], str]

CASES: dict[str, Case] = {
    # -- reduction ------------------------------------------------------------------
    **{
        f"reduction/{name}": (fn, ValueError, VALID_REDUCTIONS + rf"; got {bad}")
        for name, fn, bad in [
            ("ce", lambda a: al.cross_entropy(a(X), a(Y), reduction="avg"), "'avg'"),
            ("bce", lambda a: al.binary_cross_entropy(a(X), a(YB), reduction=None), "None"),
            ("focal", lambda a: al.focal_loss(a(X), a(Y), reduction="Mean"), "'Mean'"),
            (
                "binary_focal",
                lambda a: al.binary_focal_loss(a(X), a(YB), reduction="batchmean"),
                "'batchmean'",
            ),
            ("mse", lambda a: al.mse_loss(a(X), a(YB), reduction="MEAN"), "'MEAN'"),
            ("huber", lambda a: al.huber_loss(a(X), a(YB), reduction=""), "''"),
            ("dice", lambda a: al.dice_loss(a(XD), a(YD), reduction="elementwise"), "'elem"),
        ]
    },
    # -- integer / boolean predictions -------------------------------------------------
    "int_logits/ce": (
        lambda a: al.cross_entropy(a(X, "int64"), a(Y)),
        TypeError,
        "logits " + FLOAT_MSG + DT + "int64",
    ),
    "int_logits/bce": (
        lambda a: al.binary_cross_entropy(a(YB, "int32"), a(YB)),
        TypeError,
        "logits " + FLOAT_MSG + DT + "int32",
    ),
    "int_logits/focal": (
        lambda a: al.focal_loss(a(X, "int64"), a(Y)),
        TypeError,
        "logits " + FLOAT_MSG + DT + "int64",
    ),
    "int_logits/binary_focal": (
        lambda a: al.binary_focal_loss(a(YB, "int64"), a(YB)),
        TypeError,
        "logits " + FLOAT_MSG + DT + "int64",
    ),
    "int_preds/mse": (
        lambda a: al.mse_loss(a(YB, "int64"), a(YB)),
        TypeError,
        "preds " + FLOAT_MSG + DT + "int64",
    ),
    "int_preds/huber": (
        lambda a: al.huber_loss(a(YB, "int16"), a(YB)),
        TypeError,
        "preds " + FLOAT_MSG + DT + "int16",
    ),
    "int_logits/dice": (
        lambda a: al.dice_loss(a(XD, "int64"), a(YD)),
        TypeError,
        "logits " + FLOAT_MSG + DT + "int64",
    ),
    "bool_logits/ce": (
        lambda a: al.cross_entropy(a(X > 0), a(Y)),
        TypeError,
        "logits " + FLOAT_MSG + DT + "bool",
    ),
    "bool_labels/ce": (
        lambda a: al.cross_entropy(a(X), a(Y > 0)),
        TypeError,
        "labels must be integer class indices or floating probabilities, got dtype " + DT + "bool",
    ),
    # -- target shapes -----------------------------------------------------------------
    "shape/ce_index": (
        lambda a: al.cross_entropy(a(X), a(Y[:3])),
        ValueError,
        r"labels with shape \(3,\) and dtype .*int64 does not match logits with shape "
        r"\(4, 3\): expected integer class indices with shape \(4,\) .* or floating "
        r"probabilities with shape \(4, 3\)",
    ),
    "shape/ce_probs": (
        lambda a: al.cross_entropy(a(X), a(YB[:, :2])),
        ValueError,
        r"labels with shape \(4, 2\) .* logits with shape \(4, 3\)",
    ),
    "shape/ce_axis1": (
        lambda a: al.cross_entropy(a(X), a(Y), axis=0),
        ValueError,
        r"labels with shape \(4,\) .* logits with shape \(4, 3\): expected integer class "
        r"indices with shape \(3,\) \(logits without class axis 0\)",
    ),
    "shape/nchw_without_axis": (
        lambda a: al.cross_entropy(a(np.zeros((2, 3, 4, 5))), a(np.zeros((2, 4, 5), dtype=int))),
        ValueError,
        r"\(logits without class axis 3\).*; if the classes are on axis 1, pass axis=1",
    ),
    "shape/focal": (
        lambda a: al.focal_loss(a(X), a(YD)),
        ValueError,
        r"labels with shape \(2, 4\) .* logits with shape \(4, 3\)",
    ),
    "shape/bce": (
        lambda a: al.binary_cross_entropy(a(X), a(YB[:2])),
        ValueError,
        r"labels must have the same shape as logits: logits has shape \(4, 3\), labels has "
        r"shape \(2, 3\)",
    ),
    "shape/binary_focal": (
        lambda a: al.binary_focal_loss(a(X), a(YB.T)),
        ValueError,
        r"logits has shape \(4, 3\), labels has shape \(3, 4\)",
    ),
    "shape/mse": (
        lambda a: al.mse_loss(a(X), a(YB[:, :1])),
        ValueError,
        r"targets must have the same shape as preds: preds has shape \(4, 3\), targets has "
        r"shape \(4, 1\)",
    ),
    "shape/huber": (
        lambda a: al.huber_loss(a(X), a(YB.reshape(-1))),
        ValueError,
        r"preds has shape \(4, 3\), targets has shape \(12,\)",
    ),
    "shape/dice_multiclass": (
        lambda a: al.dice_loss(a(XD), a(YD[:, :2])),
        ValueError,
        r"labels with shape \(2, 2\) .* logits with shape \(2, 4, 3\)",
    ),
    "shape/dice_multilabel": (
        lambda a: al.dice_loss(a(XD), a(YD), mode="multilabel"),
        ValueError,
        r'labels for mode="multilabel" must have shape \(2, 4, 3\) .*got \(2, 4\)',
    ),
    "shape/dice_binary": (
        lambda a: al.dice_loss(a(XD[..., :1]), a(YD[:, :3]), mode="binary"),
        ValueError,
        r'labels for mode="binary" must have shape \(2, 4, 1\) or \(2, 4\) .*got \(2, 3\)',
    ),
    # -- labels out of range (eager CPU: ValueError) -------------------------------------
    "range/ce_high": (
        lambda a: al.cross_entropy(a(X), a([0, 1, 3, 0])),
        ValueError,
        r"labels contains class indices outside the 3 classes .*max 3.*allowed: 0 to 2",
    ),
    "range/ce_negative": (
        lambda a: al.cross_entropy(a(X), a([0, -1, 2, 0])),
        ValueError,
        r"labels contains class indices outside .*min -1.*allowed: 0 to 2",
    ),
    "range/ce_other_than_ignore": (
        lambda a: al.cross_entropy(a(X), a([0, -100, 2, 7]), ignore_index=-100),
        ValueError,
        r"outside the 3 classes .*allowed: 0 to 2, or ignore_index=-100",
    ),
    "range/focal": (
        lambda a: al.focal_loss(a(X), a([0, 1, 2, 5])),
        ValueError,
        r"labels contains class indices outside the 3 classes .*allowed: 0 to 2",
    ),
    "range/dice_multiclass": (
        lambda a: al.dice_loss(a(XD), a([[0, 1, 2, 3], [0, 0, 0, 0]])),
        ValueError,
        r"labels contains class indices outside the 3 classes .*allowed: 0 to 2",
    ),
    "range/dice_multilabel": (
        lambda a: al.dice_loss(a(XD), a(YDB * 2, "int64"), mode="multilabel"),
        ValueError,
        r"labels contains class indices outside the 2 classes .*allowed: 0 to 1",
    ),
    # -- ignore_index ------------------------------------------------------------------
    "ignore_float/ce": (
        lambda a: al.cross_entropy(a(X), a(YB), ignore_index=-100),
        ValueError,
        r"ignore_index=-100 needs integer class indices, got floating labels",
    ),
    "ignore_float/focal": (
        lambda a: al.focal_loss(a(X), a(YB), ignore_index=0),
        ValueError,
        r"ignore_index=0 needs integer class indices, got floating labels",
    ),
    "ignore_float/dice": (
        lambda a: al.dice_loss(a(XD), a(YDB), ignore_index=255),
        ValueError,
        r"ignore_index=255 needs integer class indices, got floating labels",
    ),
    "ignore_float/dice_multilabel": (
        lambda a: al.dice_loss(a(XD), a(YDB), mode="multilabel", ignore_index=255),
        ValueError,
        r"ignore_index=255 needs integer labels, got floating labels",
    ),
    "ignore_type/ce": (
        lambda a: al.cross_entropy(a(X), a(Y), ignore_index=1.5),
        TypeError,
        r"ignore_index must be None or an int, got float",
    ),
    "ignore_type/focal": (
        lambda a: al.focal_loss(a(X), a(Y), ignore_index="255"),
        TypeError,
        r"ignore_index must be None or an int, got str",
    ),
    # -- axis ------------------------------------------------------------------------------
    "axis/ce_out_of_range": (
        lambda a: al.cross_entropy(a(X), a(Y), axis=2),
        ValueError,
        r"axis=2 is out of range for an input with 2 dimension\(s\); allowed: -2 to 1",
    ),
    "axis/ce_negative_out_of_range": (
        lambda a: al.cross_entropy(a(X), a(Y), axis=-3),
        ValueError,
        r"axis=-3 is out of range .*allowed: -2 to 1",
    ),
    "axis/ce_float": (
        lambda a: al.cross_entropy(a(X), a(Y), axis=1.0),
        TypeError,
        r"axis must be an int, got float",
    ),
    "axis/focal_out_of_range": (
        lambda a: al.focal_loss(a(X), a(Y), axis=5),
        ValueError,
        r"axis=5 is out of range for an input with 2 dimension\(s\)",
    ),
    "axis/focal_tuple": (
        lambda a: al.focal_loss(a(X), a(Y), axis=(1,)),
        TypeError,
        r"axis must be an int, got tuple",
    ),
    "axis/dice_out_of_range": (
        lambda a: al.dice_loss(a(XD), a(YD), axis=3),
        ValueError,
        r"axis=3 is out of range for an input with 3 dimension\(s\); allowed: -3 to 2",
    ),
    "axis/dice_sample_axis": (
        lambda a: al.dice_loss(a(XD), a(YD), axis=0),
        ValueError,
        r"axis must not be 0: axis 0 is the sample axis",
    ),
    "axis/dice_bool": (
        lambda a: al.dice_loss(a(XD), a(YD), axis=True),
        TypeError,
        r"axis must be an int, got bool",
    ),
    # -- hyperparameters -------------------------------------------------------------------
    "gamma/focal_negative": (
        lambda a: al.focal_loss(a(X), a(Y), gamma=-1.0),
        ValueError,
        r"gamma must be in \[0, inf\); got -1\.0",
    ),
    "gamma/binary_focal_negative": (
        lambda a: al.binary_focal_loss(a(X), a(YB), gamma=-0.5),
        ValueError,
        r"gamma must be in \[0, inf\); got -0\.5",
    ),
    "gamma/focal_nan": (
        lambda a: al.focal_loss(a(X), a(Y), gamma=float("nan")),
        ValueError,
        r"gamma must be in \[0, inf\); got nan",
    ),
    "gamma/focal_str": (
        lambda a: al.focal_loss(a(X), a(Y), gamma="2"),
        TypeError,
        r"gamma must be a real number, got str",
    ),
    "delta/zero": (
        lambda a: al.huber_loss(a(X), a(YB), delta=0.0),
        ValueError,
        r"delta must be in \(0, inf\); got 0\.0",
    ),
    "delta/negative": (
        lambda a: al.huber_loss(a(X), a(YB), delta=-1),
        ValueError,
        r"delta must be in \(0, inf\); got -1",
    ),
    "delta/nan": (
        lambda a: al.huber_loss(a(X), a(YB), delta=float("nan")),
        ValueError,
        r"delta must be in \(0, inf\); got nan",
    ),
    # an array delta is allowed (traced or learned); a string is not
    "delta/str": (
        lambda a: al.huber_loss(a(X), a(YB), delta="1"),
        TypeError,
        r"delta must be a real number, got str",
    ),
    "label_smoothing/ce_above_1": (
        lambda a: al.cross_entropy(a(X), a(Y), label_smoothing=1.5),
        ValueError,
        r"label_smoothing must be in \[0, 1\]; got 1\.5",
    ),
    "label_smoothing/binary_focal_above_1": (
        lambda a: al.binary_focal_loss(a(X), a(YB), label_smoothing=2.0),
        ValueError,
        r"label_smoothing must be in \[0, 1\]; got 2\.0",
    ),
    "label_smoothing/ce_negative": (
        lambda a: al.cross_entropy(a(X), a(Y), label_smoothing=-0.1),
        ValueError,
        r"label_smoothing must be in \[0, 1\]; got -0\.1",
    ),
    "label_smoothing/bce_above_1": (
        lambda a: al.binary_cross_entropy(a(X), a(YB), label_smoothing=2),
        ValueError,
        r"label_smoothing must be in \[0, 1\]; got 2",
    ),
    "smooth/dice_negative": (
        lambda a: al.dice_loss(a(XD), a(YD), smooth=-1e-5),
        ValueError,
        r"smooth must be in \[0, inf\); got -1e-05",
    ),
    "alpha/focal_scalar": (
        lambda a: al.focal_loss(a(X), a(Y), alpha=0.25),
        TypeError,
        r"alpha must be None or one weight per class \(shape \(3,\)\), got float; the scalar "
        r"positive/negative alpha belongs to binary_focal_loss",
    ),
    "alpha/focal_wrong_shape": (
        lambda a: al.focal_loss(a(X), a(Y), alpha=a(np.ones(2, np.float32))),
        ValueError,
        r"alpha must have one weight per class, shape \(3,\); got shape \(2,\)",
    ),
    "alpha/binary_focal_above_1": (
        lambda a: al.binary_focal_loss(a(X), a(YB), alpha=1.5),
        ValueError,
        r"alpha must be in \[0, 1\]; got 1\.5",
    ),
    "alpha/binary_focal_negative": (
        lambda a: al.binary_focal_loss(a(X), a(YB), alpha=-0.25),
        ValueError,
        r"alpha must be in \[0, 1\]; got -0\.25",
    ),
    "class_weights/ce_wrong_shape": (
        lambda a: al.cross_entropy(a(X), a(Y), class_weights=a(np.ones(4, np.float32))),
        ValueError,
        r"class_weights must have one weight per class, shape \(3,\); got shape \(4,\)",
    ),
    "class_weights/ce_2d": (
        lambda a: al.cross_entropy(a(X), a(Y), class_weights=a(np.ones((1, 3), np.float32))),
        ValueError,
        r"class_weights must have one weight per class, shape \(3,\); got shape \(1, 3\)",
    ),
    "class_weights/dice_wrong_shape": (
        lambda a: al.dice_loss(a(XD), a(YD), class_weights=a(np.ones(2, np.float32))),
        ValueError,
        r"class_weights must have one weight per class, shape \(3,\); got shape \(2,\)",
    ),
    "pos_weight/negative": (
        lambda a: al.binary_cross_entropy(a(X), a(YB), pos_weight=-1.0),
        ValueError,
        r"pos_weight must be in \[0, inf\); got -1\.0",
    ),
    "pos_weight/wrong_shape": (
        lambda a: al.binary_cross_entropy(a(X), a(YB), pos_weight=a(np.ones(4, np.float32))),
        ValueError,
        r"pos_weight with shape \(4,\) does not broadcast to the unreduced loss shape \(4, 3\)",
    ),
    # -- weights that do not broadcast against the "none" result ------------------------
    "weights/ce": (
        lambda a: al.cross_entropy(a(X), a(Y), weights=a(np.ones(3, np.float32))),
        ValueError,
        r"weights with shape \(3,\) does not broadcast to the unreduced loss shape \(4,\)",
    ),
    "weights/focal": (
        lambda a: al.focal_loss(a(X), a(Y), weights=a(np.ones((4, 3), np.float32))),
        ValueError,
        r"weights with shape \(4, 3\) does not broadcast to the unreduced loss shape \(4,\)",
    ),
    "weights/bce": (
        lambda a: al.binary_cross_entropy(a(X), a(YB), weights=a(np.ones((2, 3), np.float32))),
        ValueError,
        r"weights with shape \(2, 3\) does not broadcast to the unreduced loss shape \(4, 3\)",
    ),
    "weights/binary_focal": (
        lambda a: al.binary_focal_loss(a(X), a(YB), weights=a(np.ones(4, np.float32))),
        ValueError,
        r"weights with shape \(4,\) does not broadcast to the unreduced loss shape \(4, 3\)",
    ),
    "weights/mse": (
        lambda a: al.mse_loss(a(X), a(YB), weights=a(np.ones((1, 4, 3), np.float32))),
        ValueError,
        r"weights with shape \(1, 4, 3\) does not broadcast to the unreduced loss shape",
    ),
    "weights/huber": (
        lambda a: al.huber_loss(a(X), a(YB), weights=a(np.ones(4, np.float32))),
        ValueError,
        r"weights with shape \(4,\) does not broadcast to the unreduced loss shape \(4, 3\)",
    ),
    "weights/dice": (
        lambda a: al.dice_loss(a(XD), a(YD), weights=a(np.ones(4, np.float32))),
        ValueError,
        r"weights with shape \(4,\) does not broadcast to the unreduced loss shape \(2, 3\)",
    ),
    # -- dice modes ------------------------------------------------------------------------
    "mode/dice_unknown": (
        lambda a: al.dice_loss(a(XD), a(YD), mode="softmax"),
        ValueError,
        r"mode must be one of 'multiclass', 'multilabel', 'binary'; got 'softmax'",
    ),
    "mode/dice_none": (
        lambda a: al.dice_loss(a(XD), a(YD), mode=None),
        ValueError,
        r"mode must be one of 'multiclass', 'multilabel', 'binary'; got None",
    ),
    "mode/dice_binary_three_channels": (
        lambda a: al.dice_loss(a(XD), a(YD), mode="binary"),
        ValueError,
        r'mode="binary" expects one channel along axis -1, got 3; use mode="multilabel" or '
        r'"multiclass"',
    ),
    "mode/dice_1d_logits": (
        lambda a: al.dice_loss(a(X[0]), a(Y[:1])),
        ValueError,
        r"logits must have a sample axis 0 and a class axis, got shape \(3,\)",
    ),
    "classes/focal_one_class": (
        lambda a: al.focal_loss(a(X[:, :1]), a(np.zeros(4, np.int64))),
        ValueError,
        r"focal_loss needs at least 2 classes along axis -1, got 1; use binary_focal_loss",
    ),
    # -- non-array inputs --------------------------------------------------------------------
    "non_array/list_preds": (
        lambda a: al.mse_loss([1.0, 2.0, 3.0], a(YB[0])),
        TypeError,
        r"preds must be an array \(NumPy, PyTorch, JAX, CuPy, Dask or any Array API "
        r"library\), got builtins\.list",
    ),
    "non_array/int_labels": (
        lambda a: al.cross_entropy(a(X), 2),
        TypeError,
        r"labels must be an array .*got builtins\.int",
    ),
    "non_array/none_labels": (
        lambda a: al.cross_entropy(a(X), None),
        TypeError,
        r"labels must be an array .*got builtins\.NoneType",
    ),
    "non_array/none_targets": (
        lambda a: al.huber_loss(a(X), None),
        TypeError,
        r"targets must be an array .*got builtins\.NoneType",
    ),
    "non_array/none_logits_dice": (
        lambda a: al.dice_loss(None, a(YD)),
        TypeError,
        r"logits must be an array .*got builtins\.NoneType",
    ),
    "non_array/str_logits": (
        lambda a: al.binary_focal_loss("logits", a(YB)),
        TypeError,
        r"logits must be an array .*got builtins\.str",
    ),
    "non_array/list_weights": (
        lambda a: al.binary_cross_entropy(a(X), a(YB), weights=[1.0, 2.0, 3.0]),
        TypeError,
        r"weights must be an array .*got builtins\.list",
    ),
}


def _check(fn: Callable[[], Any], exc: type[Exception], pattern: str) -> None:
    with pytest.raises((TypeError, ValueError)) as info:
        fn()
    # exactly the builtin type: not AssertionError/IndexError, not a backend subclass
    assert type(info.value) is exc, f"{type(info.value).__module__}.{type(info.value).__name__}"
    assert re.search(pattern, str(info.value)), f"{pattern!r} not in {str(info.value)!r}"


@pytest.mark.parametrize("case", list(CASES))
def test_error(lib: Lib, case: str) -> None:
    fn, exc, pattern = CASES[case]
    _check(lambda: fn(lib), exc, pattern)


def test_weights_of_non_numeric_dtype() -> None:
    _check(
        lambda: al.mse_loss(X, YB, weights=np.array(["a", "b", "c"])),
        TypeError,
        r"weights must be a real floating, integer or boolean array, got dtype <U1",
    )


# ---------------------------------------------------------------------------
# mixed namespaces
# ---------------------------------------------------------------------------


def _libs() -> tuple[Any, Any]:
    torch = pytest.importorskip("torch")
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    return torch, jnp


MIXED = r"all array arguments must come from one library, got a mix of {} and {}"


def test_mixed_namespaces_name_both_libraries() -> None:
    torch, jnp = _libs()
    t = torch.from_numpy
    cases = [
        (lambda: al.cross_entropy(t(X), Y), ("numpy", "torch")),
        (lambda: al.mse_loss(t(X), jnp.asarray(YB)), ("jax", "torch")),
        (lambda: al.huber_loss(jnp.asarray(X), YB), ("jax", "numpy")),
        (lambda: al.binary_cross_entropy(t(X), t(YB), weights=jnp.ones(3)), ("jax", "torch")),
        (lambda: al.binary_cross_entropy(t(X), t(YB), pos_weight=np.ones(3)), ("numpy", "torch")),
        (lambda: al.focal_loss(jnp.asarray(X), jnp.asarray(Y), alpha=t(np.ones(3))), None),
        (lambda: al.cross_entropy(t(X), t(Y), class_weights=np.ones(3)), ("numpy", "torch")),
        (lambda: al.dice_loss(t(XD), jnp.asarray(YD)), ("jax", "torch")),
        (lambda: al.dice_loss(t(XD), t(YD), class_weights=jnp.ones(3)), ("jax", "torch")),
    ]
    for fn, pair in cases:
        pattern = MIXED.format(*pair) if pair else MIXED.format("jax", "torch")
        _check(fn, TypeError, pattern)


# ---------------------------------------------------------------------------
# traced values (jax.jit): shape/dtype/option checks still run, ranges become NaN
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case",
    [
        "reduction/ce",
        "int_logits/focal",
        "shape/ce_index",
        "shape/dice_multilabel",
        "axis/dice_out_of_range",
        "gamma/binary_focal_negative",
        "weights/bce",
        "mode/dice_binary_three_channels",
        "ignore_float/ce",
    ],
)
def test_errors_under_jax_jit(case: str) -> None:
    # CONVENTIONS section 8: shape and dtype validation always runs, also at trace time
    jax = pytest.importorskip("jax")
    lib = Lib("jax")
    fn, exc, pattern = CASES[case]
    _check(lambda: jax.jit(lambda: fn(lib))(), exc, pattern)


@pytest.mark.parametrize(
    "loss",
    [
        lambda x, y: al.cross_entropy(x, y, reduction="none"),
        lambda x, y: al.cross_entropy(x, y, label_smoothing=0.1, reduction="none"),
        lambda x, y: al.focal_loss(x, y, reduction="none"),
    ],
    ids=["ce", "ce_smoothing", "focal"],
)
def test_out_of_range_label_under_jit_is_nan(loss: Callable[..., Any]) -> None:
    # CONVENTIONS section 3: where values cannot be read (tracing), an out-of-range label
    # makes that element NaN instead of reading out of bounds or passing silently.
    jax = pytest.importorskip("jax")
    lib = Lib("jax")
    out = np.asarray(jax.jit(loss)(lib(X), lib([0, 3, -1, -100])))
    np.testing.assert_array_equal(np.isnan(out), [False, True, True, True])


def test_out_of_range_label_under_jit_ce_ignore_index_exact() -> None:
    jax = pytest.importorskip("jax")
    lib = Lib("jax")
    out = np.asarray(
        jax.jit(lambda x, y: al.cross_entropy(x, y, ignore_index=-100, reduction="none"))(
            lib(X), lib([0, 3, -1, -100])
        )
    )
    np.testing.assert_array_equal(np.isnan(out), [False, True, True, False])
    assert out[3] == 0.0
    mean = jax.jit(lambda x, y: al.cross_entropy(x, y))(lib(X), lib([0, 3, 1, 2]))
    assert np.isnan(float(mean))  # never a silent pass in the reduced loss either


def test_out_of_range_label_under_jit_dice_is_nan() -> None:
    jax = pytest.importorskip("jax")
    lib = Lib("jax")
    out = np.asarray(
        jax.jit(lambda x, y: al.dice_loss(x, y, reduction="none"))(
            lib(XD), lib([[0, 1, 2, 7], [0, 1, 2, 0]])
        )
    )
    assert np.all(np.isnan(out[0]))  # the sample with the bad label
    assert np.all(np.isfinite(out[1]))
    out = np.asarray(
        jax.jit(lambda x, y: al.dice_loss(x, y, mode="multilabel", reduction="none"))(
            lib(XD), lib(YDB * 2, "int64")
        )
    )
    assert np.all(np.isnan(out))
