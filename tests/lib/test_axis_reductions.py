"""``_lib/_axis_reductions.py``: the NumPy running maximum, the product with ones and
the pairwise sum of a moved copy equal ``np.max``/``np.sum`` in float64 (the
reference), keep dtype, shape and ``keepdims``, propagate NaN and infinities, and
leave every other input to the plain reduction."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from arrayloss._lib._axis_reductions import axis_max, axis_sum

# large enough for the NumPy paths (>= 2**15 elements)
SHAPES_AXES = [
    ((64, 32, 32, 4), -1),  # short trailing class axis
    ((64, 32, 32, 2), 3),
    ((8, 64, 64, 8), -1),
    ((8, 64, 64, 19), -1),  # above the running maximum's length
    ((8, 64, 64, 40), -1),  # above the product's length
    ((8, 4, 64, 64), 1),  # a short axis that is not last
]


def _data(shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    return np.random.default_rng(sum(shape)).normal(size=shape).astype(dtype)


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("shape", "axis"), SHAPES_AXES)
def test_axis_max_equals_numpy(
    shape: tuple[int, ...], axis: int, dtype: Any, keepdims: bool
) -> None:
    x = _data(shape, dtype)
    got = axis_max(x, axis, xp=np, keepdims=keepdims)
    want = np.max(x.astype(np.float64), axis=axis, keepdims=keepdims)
    assert type(got) is np.ndarray
    assert got.dtype == dtype
    assert got.shape == want.shape
    np.testing.assert_array_equal(got, want.astype(dtype))  # a maximum is exact


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    ("shape", "axes"),
    [
        *SHAPES_AXES,
        ((8, 128, 128, 4), (1, 2)),  # a channels-last image's spatial axes
        ((8, 128, 128, 4), (0, 1, 2)),  # and the batch (batch_dice)
        ((4, 32, 32, 32, 3), (1, 2, 3)),  # 3-D
        ((8, 4, 128, 128), (2, 3)),  # channels-first: already trailing
    ],
)
def test_axis_sum_equals_float64_sum(
    shape: tuple[int, ...], axes: Any, dtype: Any, keepdims: bool
) -> None:
    x = _data(shape, dtype)
    got = axis_sum(x, axes, xp=np, keepdims=keepdims)
    want = np.sum(x.astype(np.float64), axis=axes, keepdims=keepdims)
    assert type(got) is np.ndarray
    assert got.dtype == dtype
    assert got.shape == want.shape
    n = x.size // want.size
    # no worse than a naive float accumulation of n terms of size ~1
    bound = n * float(np.finfo(dtype).eps) * np.sum(np.abs(x), axis=axes, keepdims=keepdims)
    assert np.all(np.abs(got - want) <= bound)


def test_axis_sum_of_moved_copy_is_pairwise() -> None:
    # 8 x 65536 float32 terms per class: the naive accumulation np.sum uses over
    # leading axes drifts by ~1e-5 relative; the moved copy's pairwise sum stays near
    # float32 rounding of the total
    x = np.random.default_rng(0).random((8, 256, 256, 4), dtype=np.float32)
    want = x.astype(np.float64).sum(axis=(1, 2))
    got = axis_sum(x, (1, 2), xp=np)
    naive = x.sum(axis=(1, 2))
    err, err_naive = np.max(np.abs(got - want) / want), np.max(np.abs(naive - want) / want)
    assert err < 1e-6 < err_naive


@pytest.mark.parametrize("special", [np.nan, np.inf, -np.inf])
def test_non_finite_propagate_as_in_numpy(special: float) -> None:
    x = _data((64, 32, 32, 4), np.float32)
    x[3, 5, 7, 2] = special
    x[10, 1, 1, :] = special  # a whole row
    for got, want in (
        (axis_max(x, -1, xp=np), np.max(x, axis=-1)),
        (axis_sum(x, -1, xp=np), np.sum(x, axis=-1)),
        (axis_sum(x, (1, 2), xp=np), np.sum(x, axis=(1, 2))),
    ):
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
        np.testing.assert_array_equal(np.isposinf(got), np.isposinf(want))
        np.testing.assert_array_equal(np.isneginf(got), np.isneginf(want))


def test_non_contiguous_input() -> None:
    x = _data((8, 64, 64, 8), np.float32)[:, ::2, :, ::2]
    np.testing.assert_array_equal(axis_max(x, -1, xp=np), np.max(x, axis=-1))
    for axes in (-1, (1, 2)):
        want = np.sum(x.astype(np.float64), axis=axes)
        bound = 1e-6 * np.sum(np.abs(x), axis=axes)  # relative to the terms: sums cancel
        assert np.all(np.abs(axis_sum(x, axes, xp=np) - want) <= bound)


@pytest.mark.parametrize(
    "x",
    [
        np.arange(2**16, dtype=np.int64).reshape(-1, 4),  # integers: NumPy's own
        np.ones((4, 3), dtype=np.float32),  # small: NumPy's own
        np.ones((2**14, 4), dtype=np.float16),  # no BLAS for float16: NumPy's own
    ],
)
def test_other_inputs_take_the_plain_reduction(x: np.ndarray) -> None:
    got_sum, got_max = axis_sum(x, -1, xp=np), axis_max(x, -1, xp=np)
    assert got_sum.dtype == np.sum(x, axis=-1).dtype
    np.testing.assert_array_equal(got_sum, np.sum(x, axis=-1))
    np.testing.assert_array_equal(got_max, np.max(x, axis=-1))
