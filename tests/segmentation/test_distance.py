"""Distance maps: exact agreement with SciPy and with a brute-force reference, on every backend.

SciPy's ``distance_transform_edt`` is the oracle for ``distance_map`` (the NumPy path
calls it, every other backend runs the portable separable transform); the
brute-force minimum over all (voxel, background voxel) pairs in
``support.reference_boundary`` checks both, and the signed map's convention.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import arrayloss as al
from segmentation import reference as rb
from support import reference as ref
from support.backends import Backend

ndimage = pytest.importorskip("scipy.ndimage")


def _scipy_map(mask: np.ndarray, spacing: Any) -> np.ndarray:
    """SciPy per sample (axis 0), with our no-background convention (0)."""
    out = np.stack([ndimage.distance_transform_edt(m, sampling=spacing) for m in mask])
    for i, m in enumerate(mask):
        if np.all(m != 0):
            out[i] = 0.0
    return out


def _masks(seed: int, shape: tuple[int, ...]) -> np.ndarray:
    rng = np.random.default_rng(seed)
    mask = rng.random(shape) > 0.55
    mask[-1] = True  # one sample without background
    if shape[0] > 2:
        mask[-2] = False  # and one without foreground
    return mask


CASES = {
    "2d": ((3, 9, 11), None),
    "2d-aniso": ((3, 9, 11), (0.7, 1.9)),
    "3d-aniso": ((3, 5, 7, 6), (1.3, 0.6, 2.1)),
    "1d": ((2, 13), 0.5),
}


@pytest.mark.parametrize("case", list(CASES))
def test_distance_map_equals_scipy(backend: Backend, case: str) -> None:
    ref.only_subset(backend, case, {"3d-aniso"})
    shape, spacing = CASES[case]
    mask = _masks(3, shape)
    want = _scipy_map(mask, spacing)
    axes = 1 if len(shape) == 2 else None  # a 2-D mask needs its axes said
    out = backend.call(
        lambda m: al.distance_map(m, spacing=spacing, axes=axes), backend.asarray(mask)
    )
    got = backend.check_result(out, dtype=out.dtype, shape=shape)
    tol = ref.TOLERANCE["float64" if str(out.dtype).endswith("64") else "float32"]
    np.testing.assert_allclose(got, want, **tol)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_distance_map_dtype(backend: Backend, dtype: str) -> None:
    ref.require_dtype(backend, dtype)
    mask = _masks(1, (2, 6, 5)).astype(np.float64)
    compute = "float64" if dtype == "float64" else "float32"
    out = backend.call(
        lambda m: al.distance_map(m, spacing=(1.0, 0.5)), backend.asarray(mask, dtype)
    )
    got = backend.check_result(out, dtype=backend.dtype(compute), shape=(2, 6, 5))
    ref.assert_close(got, rb.distance_map(mask, spacing=(1.0, 0.5)), compute)


def test_scipy_agrees_with_brute_force() -> None:
    """The oracle itself: SciPy equals the brute-force minimum (3-D, anisotropic)."""
    mask = _masks(5, (2, 4, 5, 6))
    spacing = (1.3, 0.6, 2.1)
    np.testing.assert_allclose(_scipy_map(mask, spacing), rb.distance_map(mask, spacing))


@pytest.mark.parametrize("layout", ["nhwc", "nchw"])
def test_axes_channels(backend: Backend, layout: str) -> None:
    ref.only_subset(backend, layout, {"nhwc"})
    mask = _masks(7, (2, 6, 7, 3))  # (N, H, W, C)
    axes = (1, 2)
    if layout == "nchw":
        mask, axes = np.moveaxis(mask, -1, 1), (-2, -1)
    want = rb.distance_map(mask, axes=axes)
    out = backend.call(lambda m: al.distance_map(m, axes=axes), backend.asarray(mask))
    got = backend.check_result(out, dtype=out.dtype, shape=mask.shape)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("normalize", [False, True])
@pytest.mark.parametrize("spacing", [None, (0.5, 1.5)])
def test_signed_distance_map(backend: Backend, normalize: bool, spacing: Any) -> None:
    ref.only_subset(backend, (normalize, spacing), {(True, (0.5, 1.5))})
    mask = _masks(11, (4, 7, 6)).astype(np.float64)
    want = rb.signed_distance_map(mask, spacing=spacing, normalize=normalize)
    out = backend.call(
        lambda m: al.signed_distance_map(m, spacing=spacing, normalize=normalize),
        backend.asarray(mask),
    )
    got = backend.check_result(out, dtype=backend.dtype("float64"), shape=mask.shape)
    ref.assert_close(got, want, "float64")
    assert np.all(got[-2:] == 0.0)  # no foreground / no background: no boundary, 0


def test_signed_distance_map_hand_values() -> None:
    """Kervadec's convention by hand: boundary voxels inside 0, deeper -1, -2, outside +d."""
    got = al.signed_distance_map(np.array([[0, 0, 1, 1, 1, 1, 1, 0]]), axes=1)
    np.testing.assert_array_equal(got, [[2.0, 1.0, 0.0, -1.0, -2.0, -1.0, 0.0, 1.0]])
    square = np.zeros((1, 5, 5))
    square[0, 1:4, 1:4] = 1
    got = al.signed_distance_map(square)[0]
    assert got[2, 2] == -1.0
    assert got[1, 1] == 0.0
    assert got[0, 0] == pytest.approx(np.sqrt(2))


def test_rectified_region_wise_map(backend: Backend) -> None:
    mask = _masks(13, (4, 6, 7))
    want = rb.rrw_map(mask, spacing=(1.0, 0.8))
    out = backend.call(
        lambda m: al.rectified_region_wise_map(m, spacing=(1.0, 0.8)), backend.asarray(mask)
    )
    got = backend.check_result(out, dtype=out.dtype, shape=mask.shape)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    assert np.all(got[-1] == -1.0)
    assert np.all(got[-2] == 1.0)


def test_maps_carry_no_gradient() -> None:
    torch = pytest.importorskip("torch")
    mask = torch.tensor(np.array([[0.0, 1.0, 1.0, 0.0]]), requires_grad=True)
    for fn in (al.distance_map, al.signed_distance_map, al.rectified_region_wise_map):
        assert not fn(mask, axes=1).requires_grad


def test_portable_chunks_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    """A tiny chunk budget (many broadcast chunks) gives the same exact map."""
    torch = pytest.importorskip("torch")
    import arrayloss._lib._distance_transform as dist

    mask = _masks(17, (2, 9, 8))
    want = _scipy_map(mask, (1.1, 0.9))
    monkeypatch.setattr(dist, "_CHUNK_ELEMENTS", 7)
    got = al.distance_map(torch.asarray(mask.astype(np.float64)), spacing=(1.1, 0.9))
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"spacing": (1.0, 2.0, 3.0)}, ValueError, "spacing"),
        ({"spacing": (1.0, -2.0)}, ValueError, "spacing"),
        ({"spacing": "1"}, TypeError, "spacing"),
        ({"axes": (1, 1)}, ValueError, "axes"),
        ({"axes": 5}, ValueError, "axis|axes"),
        ({"axes": ()}, TypeError, "axes"),
    ],
)
def test_errors(kwargs: dict[str, Any], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        al.distance_map(np.zeros((2, 3, 4)), **kwargs)


def test_errors_mask() -> None:
    with pytest.raises(ValueError, match="spatial axis"):
        al.distance_map(np.zeros(4))
    with pytest.raises(TypeError, match="mask"):
        al.distance_map([0, 1])
    with pytest.raises(TypeError, match="normalize"):
        al.signed_distance_map(np.zeros((2, 3)), normalize=1)  # type: ignore[arg-type]


def test_transformations_jax() -> None:
    """jax.jit and jax.vmap of the maps equal SciPy (the maps are plain array code)."""
    jax = pytest.importorskip("jax")
    mask = _masks(19, (3, 6, 5))
    want = _scipy_map(mask, (0.5, 1.5))
    fn = jax.jit(jax.vmap(lambda m: al.distance_map(m[None], spacing=(0.5, 1.5))[0]))
    np.testing.assert_allclose(np.asarray(fn(jax.numpy.asarray(mask))), want, rtol=1e-6)


def test_transformations_torch() -> None:
    """torch.func.vmap and torch.compile(fullgraph=True) of the maps equal SciPy."""
    torch = pytest.importorskip("torch")
    mask = _masks(23, (3, 6, 5))
    want = rb.signed_distance_map(mask, spacing=(0.5, 1.5))
    x = torch.asarray(mask.astype(np.float64))
    vmapped = torch.func.vmap(lambda m: al.signed_distance_map(m[None], spacing=(0.5, 1.5))[0])
    np.testing.assert_allclose(vmapped(x).numpy(), want, rtol=1e-12)
    compiled = torch.compile(
        lambda m: al.signed_distance_map(m, spacing=(0.5, 1.5)), fullgraph=True, backend="eager"
    )
    np.testing.assert_allclose(compiled(x).numpy(), want, rtol=1e-12)


@pytest.mark.parametrize("fn", [al.distance_map, al.signed_distance_map])
def test_two_d_mask_needs_axes(fn: Any) -> None:
    """A single (H, W) mask with the default axes would be transformed row by row (axis
    0 read as the batch): the default raises with the two readings as a hint, and
    ``axes=(0, 1)`` gives the 2-D transform of the image (SciPy's)."""
    mask = np.zeros((5, 5))
    mask[1:4, 1:4] = 1
    with pytest.raises(ValueError, match=r"axes=\(0, 1\).*axes=1"):
        fn(mask)
    image = fn(mask, axes=(0, 1))
    assert fn(mask[None], axes=(1, 2))[0] == pytest.approx(image)
    if fn is al.distance_map:
        np.testing.assert_allclose(image, ndimage.distance_transform_edt(mask))
        # (1, 2): 1 from the background row above in 2-D, 2 from its row's ends alone
        assert image[1, 2] == 1.0
        assert fn(mask, axes=1)[1, 2] == 2.0
