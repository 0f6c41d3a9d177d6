"""The backends the conformance suite runs on, behind one small interface.

A :class:`Backend` turns float64 NumPy test data into the backend's arrays (on its
device, in the requested dtype), calls a loss (under ``jax.jit`` for ``jax-jit``,
with every keyword static) and brings the result back to NumPy after checking its
namespace, dtype, shape and device.

Select backends with ``ARRAYLOSS_BACKENDS=numpy,torch`` or ``pytest -k torch``;
a plain ``pytest`` runs every installed one. GPU backends skip without a GPU.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

ALL_BACKENDS = (
    "numpy",
    "array_api_strict",
    "torch",
    "torch-cuda",
    "jax",
    "jax-jit",
    "jax-gpu",
    "cupy",
    "dask",
)


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


@functools.cache
def _torch_cuda() -> bool:
    if not _installed("torch"):
        return False
    import torch

    return bool(torch.cuda.is_available())


@functools.cache
def _jax_gpu() -> bool:
    if not _installed("jax"):
        return False
    import jax

    try:
        return len(jax.devices("gpu")) > 0
    except RuntimeError:
        return False


@functools.cache
def _cupy_gpu() -> bool:
    if not _installed("cupy"):
        return False
    try:
        import cupy

        return bool(cupy.cuda.runtime.getDeviceCount() > 0)
    except Exception:
        return False


def skip_reason(name: str) -> str | None:
    """Why backend ``name`` cannot run here, or ``None`` if it can."""
    module = {
        "numpy": "numpy",
        "array_api_strict": "array_api_strict",
        "torch": "torch",
        "torch-cuda": "torch",
        "jax": "jax",
        "jax-jit": "jax",
        "jax-gpu": "jax",
        "cupy": "cupy",
        "dask": "dask",
    }[name]
    if not _installed(module):
        return f"{module} is not installed"
    if name == "torch-cuda" and not _torch_cuda():
        return "no CUDA device for torch"
    if name == "jax-gpu" and not _jax_gpu():
        return "no GPU device for JAX"
    if name == "cupy" and not _cupy_gpu():
        return "CuPy needs a GPU"
    selected = os.environ.get("ARRAYLOSS_BACKENDS")
    if selected and name not in {s.strip() for s in selected.split(",")}:
        return f"not in ARRAYLOSS_BACKENDS={selected}"
    return None


@dataclass
class Backend:
    """One backend of the conformance suite."""

    name: str
    xp: Any  # the Array API namespace arrayloss infers for this backend's arrays
    lib: Any  # the library itself (numpy, torch, jax.numpy, ...)
    device: Any = None
    jit: bool = False
    lazy: bool = False  # Dask: results need .compute()
    has_bfloat16: bool = False
    has_float16: bool = True
    info: dict[str, Any] = field(default_factory=dict)

    # -- data in ---------------------------------------------------------------
    def dtype(self, name: str) -> Any:
        """The backend's dtype called ``name``; skips the test if it has none."""
        if name == "bfloat16" and not self.has_bfloat16:
            pytest.skip(f"{self.name} has no bfloat16")
        if name == "float16" and not self.has_float16:
            pytest.skip(f"{self.name} has no float16")
        if self.name == "dask":
            return np.dtype(name)  # dask.array has no float16 attribute; dtypes are NumPy's
        return getattr(self.lib, name)

    def asarray(self, data: Any, dtype: str | None = None) -> Any:
        """``data`` (NumPy or nested lists) as this backend's array.

        Floating data keeps float64 unless ``dtype`` says otherwise; integer and
        boolean data keep their dtype.
        """
        arr = np.asarray(data)
        if dtype is None:
            dtype = str(arr.dtype)
        if dtype == "bfloat16":
            out = self._from_numpy(arr.astype(np.float32))
            return self._cast(out, self.dtype("bfloat16"))
        return self._from_numpy(arr.astype(dtype))

    def _from_numpy(self, arr: np.ndarray) -> Any:
        n = self.name
        if n == "numpy":
            return arr
        if n == "array_api_strict":
            return self.lib.asarray(arr)
        if n.startswith("torch"):
            return self.lib.asarray(arr, device=self.device)
        if n.startswith("jax"):
            import jax

            return jax.device_put(self.lib.asarray(arr), self.device)
        if n == "cupy":
            return self.lib.asarray(arr)
        if n == "dask":
            chunks = tuple(max(1, (s + 1) // 2) for s in arr.shape) if arr.ndim else ()
            return self.lib.from_array(arr, chunks=chunks)
        raise AssertionError(n)

    def _cast(self, x: Any, dtype: Any) -> Any:
        if self.name.startswith("torch"):
            return x.to(dtype)
        return x.astype(dtype)

    # -- calling ----------------------------------------------------------------
    def call(self, fn: Callable[..., Any], *arrays: Any, **kwargs: Any) -> Any:
        """``fn(*arrays, **kwargs)``; under ``jax.jit`` for jax-jit (kwargs static).

        Array-valued keywords (weights, class_weights, ...) are traced too.
        """
        if not self.jit:
            return fn(*arrays, **kwargs)
        import jax

        array_kw = {k: v for k, v in kwargs.items() if _is_array(v)}
        static_kw = {k: v for k, v in kwargs.items() if k not in array_kw}

        def wrapped(arrs: tuple[Any, ...], akw: dict[str, Any]) -> Any:
            return fn(*arrs, **akw, **static_kw)

        return jax.jit(wrapped)(arrays, array_kw)

    # -- data out ---------------------------------------------------------------
    def to_numpy(self, x: Any) -> np.ndarray:
        """A float64 (or original integer) NumPy copy of a backend result."""
        n = self.name
        if n == "dask":
            x = x.compute()
        if n.startswith("torch"):
            x = x.detach().cpu()
            if x.dtype == self.lib.bfloat16:
                x = x.float()
            return np.asarray(x.numpy())
        if n == "cupy":
            return np.asarray(x.get())
        if n == "array_api_strict":
            return np.asarray(x._array)  # no public host-copy API in the strict library
        return np.asarray(x)

    def check_result(self, out: Any, *, dtype: Any, shape: tuple[int, ...]) -> np.ndarray:
        """Assert ``out`` is this backend's array with ``dtype``, ``shape`` and device.

        Returns it as NumPy for value checks.
        """
        import array_api_compat

        assert array_api_compat.array_namespace(out) is self.xp, (
            f"result namespace {array_api_compat.array_namespace(out)} is not {self.xp}"
        )
        assert out.dtype == dtype, f"result dtype {out.dtype}, expected {dtype}"
        assert tuple(out.shape) == tuple(shape), f"result shape {out.shape}, expected {shape}"
        if self.device is not None and not self.lazy:
            got = array_api_compat.device(out)
            assert str(got) == str(self.device), f"result on {got}, expected {self.device}"
        return self.to_numpy(out)


def _is_array(v: Any) -> bool:
    return hasattr(v, "shape") and hasattr(v, "dtype")


def make_backend(name: str) -> Backend:
    """Build backend ``name``; call only when :func:`skip_reason` returned ``None``."""
    import array_api_compat

    if name == "numpy":
        lib = importlib.import_module("numpy")
        return Backend(name, array_api_compat.array_namespace(lib.empty(0)), lib, device="cpu")
    if name == "array_api_strict":
        lib = importlib.import_module("array_api_strict")
        dev = lib.asarray(0.0).device
        return Backend(name, lib, lib, device=dev, has_float16=False)
    if name in ("torch", "torch-cuda"):
        lib = importlib.import_module("torch")
        device = lib.device("cuda" if name == "torch-cuda" else "cpu")
        xp = array_api_compat.array_namespace(lib.empty(0))
        return Backend(name, xp, lib, device=device, has_bfloat16=True)
    if name in ("jax", "jax-jit", "jax-gpu"):
        import jax

        jax.config.update("jax_enable_x64", True)
        lib = importlib.import_module("jax.numpy")
        device = jax.devices("gpu" if name == "jax-gpu" else "cpu")[0]
        xp = array_api_compat.array_namespace(lib.empty(0))
        return Backend(name, xp, lib, device=device, jit=name == "jax-jit", has_bfloat16=True)
    if name == "cupy":
        lib = importlib.import_module("cupy")
        xp = array_api_compat.array_namespace(lib.empty(0))
        return Backend(name, xp, lib, device=lib.cuda.Device(0))
    if name == "dask":
        lib = importlib.import_module("dask.array")
        xp = array_api_compat.array_namespace(lib.zeros(1))
        return Backend(name, xp, lib, device=None, lazy=True)
    raise ValueError(name)
