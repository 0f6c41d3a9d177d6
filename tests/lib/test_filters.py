"""The separable valid-border filter of ``_lib/_filters.py`` (SSIM's Gaussian blur):
the native torch (depthwise conv) and JAX paths, the portable shifted sums and their
paired form for symmetric kernels (portable and NumPy in place) all equal an
independent float64 NumPy ``np.correlate(mode="valid")`` along each axis."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from arrayloss._lib._compat import array_namespace
from arrayloss._lib._filters import separable_filter

KERNEL = np.array([0.1, 0.2, 0.4, 0.2, 0.1, 0.05])  # asymmetric: correlation, not convolution
# symmetric kernels, odd and even length: the paired shifted sums
SYMMETRIC = [np.array([0.05, 0.25, 0.4, 0.25, 0.05]), np.array([0.1, 0.3, 0.3, 0.1])]

LAYOUTS = [
    ((2, 9, 8, 3), (1, 2)),  # NHWC, 2-D
    ((2, 3, 9, 8), (2, 3)),  # NCHW, 2-D, the axes already last
    ((2, 3, 9, 8), (-2, -1)),  # negative axes
    ((2, 7, 8, 9, 2), (1, 2, 3)),  # 3-D
    ((4, 10), (1,)),  # 1-D
    ((0, 9, 8, 3), (1, 2)),  # an empty batch
]


def _reference(x: np.ndarray, axes: tuple[int, ...], kernel: np.ndarray = KERNEL) -> np.ndarray:
    for ax in axes:
        x = np.apply_along_axis(lambda v: np.correlate(v, kernel, mode="valid"), ax, x)
    return x


def _backend(name: str) -> tuple[Any, Any]:
    if name == "torch":
        torch = pytest.importorskip("torch")
        return (lambda a: torch.asarray(a)), (lambda a: a.numpy())
    if name == "jax":
        jax = pytest.importorskip("jax")
        jax.config.update("jax_enable_x64", True)
        return (lambda a: jax.numpy.asarray(a)), np.asarray
    return (lambda a: a), np.asarray


@pytest.mark.parametrize("native", [True, False])
@pytest.mark.parametrize("backend", ["numpy", "torch", "jax"])
@pytest.mark.parametrize(("shape", "axes"), LAYOUTS)
def test_filter_equals_numpy_correlate(
    shape: tuple[int, ...], axes: tuple[int, ...], backend: str, native: bool
) -> None:
    to, back = _backend(backend)
    x = np.random.default_rng(len(shape)).normal(size=shape)
    if x.size == 0:
        want = np.empty(
            tuple(
                s - (len(KERNEL) - 1 if i in [a % x.ndim for a in axes] else 0)
                for i, s in enumerate(shape)
            )
        )
    else:
        want = _reference(x, tuple(a % x.ndim for a in axes))
    arr = to(x)
    xp = array_namespace(x=arr)
    got = separable_filter(arr, to(KERNEL), axes, xp=xp, native=native)
    assert tuple(got.shape) == want.shape
    np.testing.assert_allclose(back(got), want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("native", [True, False], ids=["numpy-in-place", "portable"])
@pytest.mark.parametrize("kernel", SYMMETRIC, ids=["odd", "even"])
@pytest.mark.parametrize(("shape", "axes"), LAYOUTS[:4])
def test_symmetric_shifted_sums_equal_numpy_correlate(
    shape: tuple[int, ...], axes: tuple[int, ...], kernel: np.ndarray, native: bool
) -> None:
    x = np.random.default_rng(len(shape)).normal(size=shape)
    want = _reference(x, tuple(a % x.ndim for a in axes), kernel)
    got = separable_filter(x, kernel, axes, xp=np, native=native, symmetric=True)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
