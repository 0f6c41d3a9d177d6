"""The IoU family of box losses and the box utilities (issue 6).

Values against the float64 reference of ``support/reference_detection.py`` (from the
papers), hand-derived cases, the degenerate-box list (finite value and gradient on
torch and JAX), errors, the dtype contract and MONAI's ``BoxGIoULoss``.
"""

from __future__ import annotations

import numpy as np
import pytest

import arrayloss as det
from detection import reference as rd
from support import reference as ref
from support.backends import Backend

FORMATS = ("xyxy", "xywh", "cxcywh")


def _boxes(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """Random well-formed xyxy boxes of shape ``shape + (4,)``; some overlap, some don't."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(-3.0, 3.0, size=(*shape, 2))
    wh = rng.uniform(0.3, 3.0, size=(*shape, 2))
    return np.concatenate([xy, xy + wh], axis=-1)


# -- utilities ----------------------------------------------------------------------------


@pytest.mark.parametrize("out_fmt", FORMATS)
@pytest.mark.parametrize("in_fmt", FORMATS)
def test_box_convert(backend: Backend, in_fmt: str, out_fmt: str) -> None:
    ref.only_subset(backend, (in_fmt, out_fmt), {("cxcywh", "xywh"), ("xyxy", "cxcywh")})
    xyxy = _boxes((3, 2), seed=11)
    src = rd.from_xyxy(xyxy, in_fmt)
    out = backend.call(
        det.box_convert, backend.asarray(src, "float32"), in_fmt=in_fmt, out_fmt=out_fmt
    )
    got = backend.check_result(out, dtype=backend.dtype("float32"), shape=(3, 2, 4))
    ref.assert_close(got, rd.from_xyxy(xyxy, out_fmt), "float32")


def test_box_convert_hand() -> None:
    out = det.box_convert(np.array([1.0, 2.0, 4.0, 2.0]), "xywh", "cxcywh")
    np.testing.assert_array_equal(out, [3.0, 3.0, 4.0, 2.0])


@pytest.mark.parametrize("box_format", FORMATS)
def test_box_area(backend: Backend, box_format: str) -> None:
    ref.only_subset(backend, (box_format,), {("xywh",)})
    xyxy = _boxes((5,), seed=12)
    xyxy[0] = [1.0, 1.0, 1.0, 3.0]  # zero width
    src = rd.from_xyxy(xyxy, box_format)
    out = backend.call(det.box_area, backend.asarray(src), box_format=box_format)
    got = backend.check_result(out, dtype=backend.dtype("float64"), shape=(5,))
    ref.assert_close(got, rd.box_area(xyxy), "float64")
    assert got[0] == 0.0


def test_pairwise(backend: Backend) -> None:
    a, b = _boxes((4,), seed=13), _boxes((3,), seed=14)
    b[0] = a[1]  # an identical pair: IoU 1
    b[1] = [0.5, 0.5, 0.5, 0.5]  # a point box
    a[0] = [0.5, 0.5, 0.5, 0.5]  # point vs point: empty union, 0 by convention
    xa, xb = backend.asarray(a), backend.asarray(b)
    iou = backend.check_result(
        backend.call(det.box_iou, xa, xb), dtype=backend.dtype("float64"), shape=(4, 3)
    )
    ref.assert_close(iou, rd.box_iou(a, b), "float64")
    assert iou[1, 0] == pytest.approx(1.0)
    giou = backend.check_result(
        backend.call(det.generalized_box_iou, xa, xb), dtype=backend.dtype("float64"), shape=(4, 3)
    )
    ref.assert_close(giou, rd.generalized_box_iou(a, b), "float64")


def test_pairwise_hand() -> None:
    a = np.array([[0.0, 0.0, 2.0, 2.0]])
    b = np.array([[1.0, 1.0, 3.0, 3.0], [2.0, 0.0, 3.0, 1.0]])
    # overlap 1, union 7; second: disjoint, C = 3 * 2 = 6, U = 5
    np.testing.assert_allclose(det.box_iou(a, b), [[1.0 / 7.0, 0.0]])
    np.testing.assert_allclose(
        det.generalized_box_iou(a, b), [[1.0 / 7.0 - 2.0 / 9.0, -1.0 / 6.0]]
    )
    cx = det.box_convert(a, "xyxy", "cxcywh")
    np.testing.assert_allclose(
        det.box_iou(cx, det.box_convert(b, "xyxy", "cxcywh"), box_format="cxcywh"),
        [[1.0 / 7.0, 0.0]],
    )


def test_box_convert_keeps_dtype() -> None:
    b = np.array([0.0, 0.0, 1.0, 2.0], dtype=np.float32)
    assert det.box_convert(b, "xyxy", "cxcywh").dtype == np.float32
    assert det.box_area(b.astype(np.float16)).dtype == np.float32
