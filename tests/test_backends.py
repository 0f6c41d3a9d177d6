"""Cross-cutting backend behaviour (CONVENTIONS sections 1 and 6).

``import arrayloss`` imports no framework; arrays of two libraries raise a
``TypeError`` naming both; non-arrays raise ``TypeError``; and float32 inputs
never come back as float64 on NumPy (NEP 50: Python scalars must not upcast).
Namespace, device, dtype and shape of every registered loss's result on every
backend are checked by ``tests/test_conformance.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import arrayloss as al
from support.backends import Backend

FRAMEWORKS = ("torch", "jax", "jaxlib", "cupy", "cupyx", "dask", "scipy", "tensorflow")

Inputs = tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]


# -- one call per loss, with its array-valued options -------------------------------------------
def _regression(rng: np.random.Generator) -> Inputs:
    return rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), {"weights": rng.uniform(size=(4,))}


def _classes(rng: np.random.Generator) -> Inputs:
    labels = rng.integers(0, 5, size=(6,))
    labels[2] = -100
    extra = {"class_weights": rng.uniform(0.5, 2.0, size=(5,)), "weights": rng.uniform(size=(6,))}
    return rng.normal(size=(6, 5)), labels, extra


def _focal(rng: np.random.Generator) -> Inputs:
    logits, labels, _ = _classes(rng)
    return logits, labels, {"alpha": rng.uniform(0.5, 2.0, size=(5,))}


def _binary(rng: np.random.Generator) -> Inputs:
    labels = rng.integers(0, 2, size=(3, 4)).astype(np.float64)
    return rng.normal(size=(3, 4)), labels, {"weights": rng.uniform(size=(3, 1))}


def _bce(rng: np.random.Generator) -> Inputs:
    logits, labels, extra = _binary(rng)
    return logits, labels, {**extra, "pos_weight": rng.uniform(1.0, 3.0, size=(4,))}


def _dice(rng: np.random.Generator) -> Inputs:
    labels = rng.integers(0, 3, size=(2, 6))
    extra = {
        "class_weights": rng.uniform(0.5, 2.0, size=(3,)),
        "weights": rng.uniform(size=(2, 1)),
    }
    return rng.normal(size=(2, 6, 3)), labels, extra


# (loss, inputs, Python-scalar hyperparameters, shape of the "none" result)
LOSSES: dict[str, tuple[Callable[..., Any], Callable[..., Inputs], dict[str, Any], tuple]] = {
    "mse_loss": (al.mse_loss, _regression, {}, (3, 4)),
    "huber_loss": (al.huber_loss, _regression, {"delta": 0.7}, (3, 4)),
    "cross_entropy": (
        al.cross_entropy,
        _classes,
        {"ignore_index": -100, "label_smoothing": 0.1},
        (6,),
    ),
    "binary_cross_entropy": (al.binary_cross_entropy, _bce, {"label_smoothing": 0.05}, (3, 4)),
    "focal_loss": (al.focal_loss, _focal, {"gamma": 1.5, "ignore_index": -100}, (6,)),
    "binary_focal_loss": (al.binary_focal_loss, _binary, {"gamma": 0.5, "alpha": 0.3}, (3, 4)),
    "dice_loss": (al.dice_loss, _dice, {"smooth": 0.5, "include_background": False}, (2, 2)),
}
LOSS_NAMES = list(LOSSES)


def _inputs(name: str, seed: int = 0) -> Inputs:
    return LOSSES[name][1](np.random.default_rng(seed))


def _as(backend: Backend, data: np.ndarray, float_dtype: str) -> Any:
    """Floating data in ``float_dtype``; integer labels keep their dtype."""
    return backend.asarray(data, float_dtype if data.dtype.kind == "f" else None)


# -- import hygiene --------------------------------------------------------------------------
def _run(code: str) -> Any:
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_import_arrayloss_imports_no_framework() -> None:
    loaded = _run(
        f"""
        import json, sys
        import arrayloss
        roots = {{m.split(".")[0] for m in sys.modules}}
        print(json.dumps(sorted(roots & set({list(FRAMEWORKS)!r}))))
        """
    )
    assert loaded == []


def test_numpy_losses_import_no_deep_learning_framework() -> None:
    """Computing every loss on NumPy arrays loads no torch, JAX, CuPy, Dask or TF.

    (SciPy may load: it is NumPy's optional fast path for the sigmoid.)
    """
    loaded = _run(
        f"""
        import json, sys
        import numpy as np
        import arrayloss as al
        x = np.random.default_rng(0).normal(size=(2, 4, 3))
        y = np.array([[0, 1, 2, 1], [2, 2, 0, 1]])
        for fn in (al.cross_entropy, al.focal_loss, al.dice_loss):
            fn(x, y)
        for fn in (al.mse_loss, al.huber_loss, al.binary_cross_entropy, al.binary_focal_loss):
            fn(x, (x > 0).astype(x.dtype))
        al.dice_loss(x, (x > 0).astype(np.int64), mode="multilabel")
        roots = {{m.split(".")[0] for m in sys.modules}}
        print(json.dumps(sorted(roots & set({list(FRAMEWORKS)!r}))))
        """
    )
    assert set(loaded) <= {"scipy"}


# -- mixed libraries and non-arrays ----------------------------------------------------------
def _convert(lib: str, data: np.ndarray) -> Any:
    if lib == "numpy":
        return data
    if lib == "torch":
        return pytest.importorskip("torch").asarray(data)
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    return jax.numpy.asarray(data)


@pytest.mark.parametrize(
    ("first", "second"), [("torch", "jax"), ("jax", "torch"), ("numpy", "torch"), ("jax", "numpy")]
)
@pytest.mark.parametrize("name", LOSS_NAMES)
def test_mixed_libraries_raise_type_error_naming_both(name: str, first: str, second: str) -> None:
    fn, _, hyper, _ = LOSSES[name]
    pred, target, _ = _inputs(name)
    with pytest.raises(TypeError) as info:
        fn(_convert(first, pred), _convert(second, target), **hyper)
    message = str(info.value)
    assert first in message
    assert second in message


@pytest.mark.parametrize("name", LOSS_NAMES)
def test_mixed_library_in_an_array_option_raises(name: str) -> None:
    """An option array (weights, class_weights, alpha, pos_weight) from another library."""
    torch = pytest.importorskip("torch")
    fn, _, hyper, _ = LOSSES[name]
    pred, target, extra = _inputs(name)
    for key, value in extra.items():
        arrays = {k: torch.asarray(v) for k, v in extra.items()}
        arrays[key] = value  # NumPy, the rest torch
        with pytest.raises(TypeError, match=r"numpy and torch"):
            fn(torch.asarray(pred), torch.asarray(target), **arrays, **hyper)


@pytest.mark.parametrize("position", ["prediction", "target"])
@pytest.mark.parametrize("name", LOSS_NAMES)
def test_python_lists_raise_type_error(name: str, position: str) -> None:
    fn, _, hyper, _ = LOSSES[name]
    pred, target, _ = _inputs(name)
    args = [pred, target]
    index = 0 if position == "prediction" else 1
    args[index] = args[index].tolist()
    argument = "(preds|logits)" if position == "prediction" else "(targets|labels)"
    with pytest.raises(TypeError, match=argument + r" must be an array.*got builtins\.list"):
        fn(*args, **hyper)


# -- dtypes on NumPy ---------------------------------------------------------------------------
# That every loss returns an array of its input's library, on its device, with the
# right shape, on every backend is tests/test_conformance.py's (all registered losses
# x cases); float32/half inputs on each backend are each family's test_dtype_contract.
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("name", LOSS_NAMES)
def test_float32_stays_float32_on_numpy(name: str, reduction: str) -> None:
    """Python-float hyperparameters and constants must not upcast (NEP 50)."""
    fn, _, hyper, none_shape = LOSSES[name]
    pred, target, extra = _inputs(name)
    as32 = {k: v.astype(np.float32) for k, v in extra.items()}
    out = fn(
        pred.astype(np.float32),
        target.astype(np.float32) if target.dtype.kind == "f" else target,
        **as32,
        **hyper,
        reduction=reduction,
    )
    assert out.dtype == np.float32
    assert np.shape(out) == (none_shape if reduction == "none" else ())


@pytest.mark.parametrize("name", LOSS_NAMES)
def test_float64_options_do_not_upcast_float32_on_numpy(name: str) -> None:
    """float64 weights or class weights are cast to the logits' float32."""
    fn, _, hyper, none_shape = LOSSES[name]
    pred, target, extra = _inputs(name)
    out = fn(pred.astype(np.float32), target, **extra, **hyper, reduction="none")
    assert out.dtype == np.float32
    assert out.shape == none_shape


@pytest.mark.parametrize("name", ["mse_loss", "huber_loss", "binary_cross_entropy"])
def test_integer_and_boolean_targets_do_not_upcast_float32_on_numpy(name: str) -> None:
    fn, _, hyper, _ = LOSSES[name]
    pred = np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32)
    for target in ((pred > 0).astype(np.int64), pred > 0):
        out = fn(pred, target, **hyper)
        assert out.dtype == np.float32


@pytest.mark.parametrize("name", LOSS_NAMES)
def test_float16_is_computed_in_float32_on_numpy(name: str) -> None:
    fn, _, hyper, none_shape = LOSSES[name]
    pred, target, extra = _inputs(name)
    out = fn(
        pred.astype(np.float16),
        target.astype(np.float16) if target.dtype.kind == "f" else target,
        **{k: v.astype(np.float16) for k, v in extra.items()},
        **hyper,
        reduction="none",
    )
    assert out.dtype == np.float32
    assert out.shape == none_shape


def test_public_namespace_lists_every_family_export() -> None:
    # each family package's __all__ must reach the flat namespace (and nothing else may)
    import importlib
    import pkgutil

    family_names: set[str] = set()
    for info in pkgutil.iter_modules(al.__path__):
        if info.ispkg and not info.name.startswith("_"):
            module = importlib.import_module(f"arrayloss.{info.name}")
            family_names.update(module.__all__)
    assert sorted(al.__all__) == sorted(family_names)
    assert all(callable(getattr(al, name)) for name in al.__all__)
