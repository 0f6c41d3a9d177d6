"""Active and conditional boundary losses (issue 4, survey boundary level).

Values against the loop references of ``support/reference_boundary_survey.py``
(written from the papers and the authors' released code), hand-derived cases,
numerics (single-class images, everything ignored, no predicted boundary, saturated
inputs, zero features), errors and the dtype contract. No peer library implements
either loss (the authors' PyTorch code is not a package).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import arrayloss as al
from segmentation import reference as rs
from support import reference as ref
from support.backends import Backend


def _blobs(shape: tuple[int, ...], rng: np.random.Generator, classes: int) -> np.ndarray:
    """Label maps with coherent regions, so most pixels lie some way from a boundary."""
    noise = rng.normal(size=(*shape, classes))
    for _ in range(2):
        for ax in (1, 2):
            noise = noise + np.roll(noise, 1, axis=ax) + np.roll(noise, -1, axis=ax)
    return np.argmax(noise, axis=-1)


# -- conditional boundary loss -----------------------------------------------------------

CBL_OPTIONS: dict[str, dict[str, Any]] = {
    "nhwc-classifier": {"axis": -1},
    "nchw-k3-no-nce": {"axis": 1, "kw": {"kernel_size": 3, "nce_weight": 0.0}},
    "one_hot": {"axis": 1, "target": "one_hot"},
    "ignore-bias": {"axis": -1, "ignore": 255, "bias": True},
    "boundary-weights": {"axis": 1, "boundary": True, "weights": True},
    "dilation-term-weights": {
        "axis": -1,
        "kw": {"dilation_ratio": 0.15, "context_weight": 0.5, "center_weight": 0.7},
    },
}


# the light backends run one option; Dask's values come from the dtype test (its
# graph of 24 shifted windows is slow to build)
CBL_LIGHT = {"ignore-bias"}


CBL_SHAPE = (2, 11, 12)


def _cbl_case(option: dict[str, Any], seed: int = 1) -> tuple[Any, ...]:
    rng = np.random.default_rng(seed)
    (n, h, w), c, d = CBL_SHAPE, 3, 4
    ax = option["axis"] % 4
    labels = _blobs((n, h, w), rng, c)
    # mostly correct predictions, so the pull term has correct neighbours
    logits = 2.0 * (labels[..., None] == np.arange(c)) + rng.normal(size=(n, h, w, c))
    features = rng.normal(size=(n, h, w, d))
    kwargs: dict[str, Any] = {"axis": option["axis"], **option.get("kw", {})}
    if kwargs.get("nce_weight", 0.2) > 0:
        kwargs["classifier_weight"] = rng.normal(size=(c, d))
    if option.get("bias"):
        kwargs["classifier_bias"] = rng.normal(size=c)
    if "ignore" in option:
        labels.reshape(-1)[::13] = option["ignore"]
        kwargs["ignore_index"] = option["ignore"]
    if option.get("boundary"):
        kwargs["boundary"] = rng.uniform(size=(n, h, w)) < 0.3
    if option.get("weights"):
        kwargs["weights"] = rng.uniform(0.0, 2.0, size=n)
    kwargs["logits"] = np.moveaxis(logits, -1, ax)
    if option.get("target") == "one_hot":
        labels = np.moveaxis(np.eye(c)[labels], -1, ax)
    return np.moveaxis(features, -1, ax), labels, kwargs


@pytest.mark.parametrize(("name", "option"), list(CBL_OPTIONS.items()), ids=list(CBL_OPTIONS))
def test_cbl_matches_reference(backend: Backend, name: str, option: Any) -> None:
    ref.only_subset(backend, name, CBL_LIGHT)
    if backend.name == "dask":
        pytest.skip("dask: covered by test_cbl_dtype_contract (runtime)")
    features, labels, kwargs = _cbl_case(option)
    none = rs.conditional_boundary_loss(features, labels, **kwargs, reduction="none")
    assert np.all(none > 0.1)  # both images have active terms
    ref.compare_reductions(
        backend,
        al.conditional_boundary_loss,
        rs.conditional_boundary_loss,
        (features, labels),
        kwargs,
        (CBL_SHAPE[0],),
    )


def test_cbl_default_boundary_hand_derived() -> None:
    """4x5 image, classes split between columns 1 and 2: d = max(1, round(0.02 * 6.4))
    = 1, so every pixel within one step of the other class or the border is boundary;
    only (1, 3) and (2, 3) are not."""
    labels = np.zeros((1, 4, 5), dtype=np.int64)
    labels[0, :, 2:] = 1
    want = np.ones((1, 4, 5), dtype=bool)
    want[0, 1:3, 3] = False
    np.testing.assert_array_equal(rs.cbl_boundary(labels, None), want)
    rng = np.random.default_rng(4)
    features = rng.normal(size=(1, 4, 5, 3))
    kw: dict[str, Any] = {
        "logits": np.eye(2)[labels],
        "classifier_weight": rng.normal(size=(2, 3)),
        "kernel_size": 3,
    }
    np.testing.assert_allclose(
        al.conditional_boundary_loss(features, labels, **kw),
        al.conditional_boundary_loss(features, labels, boundary=want, **kw),
    )
    other = want.copy()
    other[0, 1, 1] = False
    assert al.conditional_boundary_loss(features, labels, **kw) != al.conditional_boundary_loss(
        features, labels, boundary=other, **kw
    )


def test_cbl_hand_derived_3x3() -> None:
    """Labels [[1,0,0]]*3, boundary only at the centre (class 0), kernel 3, W = I.

    Features: class 1 -> (0, 1); class 0 -> (1, 0), but (0, 2) = (2, 0) and the
    centre (1, 1). Context: 3 other-class neighbours with cos 1/sqrt 2, target 0;
    5 same-class ones with cos 1/sqrt 2, target 1: (3/2 + 5 (1 - 1/sqrt 2)^2) / 8.
    Centre of the 5 same-class neighbours (all correct): (1.2, 0). Pull:
    ((1 - 1.2)^2 + 1) / 2. Classification: 2 softplus(-1.2) (both centres).
    """
    labels = np.array([[[1, 0, 0], [1, 0, 0], [1, 0, 0]]])
    features = np.zeros((1, 3, 3, 2))
    features[labels == 1] = [0.0, 1.0]
    features[labels == 0] = [1.0, 0.0]
    features[0, 0, 2] = [2.0, 0.0]
    features[0, 1, 1] = [1.0, 1.0]
    boundary = np.zeros((1, 3, 3), dtype=bool)
    boundary[0, 1, 1] = True
    ctx = (1.5 + 5 * (1 - 1 / np.sqrt(2)) ** 2) / 8
    pull = ((1 - 1.2) ** 2 + 1.0) / 2
    nce = 2 * np.log1p(np.exp(-1.2))
    got = al.conditional_boundary_loss(
        features,
        labels,
        logits=4.0 * np.eye(2)[labels],
        classifier_weight=np.eye(2),
        boundary=boundary,
        kernel_size=3,
    )
    np.testing.assert_allclose(got, ctx + 0.2 * nce + 2.0 * pull, rtol=1e-12)


CBL_DEGENERATE = {
    "single-class": lambda lab: np.zeros_like(lab),
    "all-ignored": lambda lab: np.full_like(lab, 255),
    "blobs": lambda lab: lab,
}


@pytest.mark.parametrize("name", list(CBL_DEGENERATE))
@pytest.mark.parametrize("scale", [0.0, 1.0, 1e4])
def test_cbl_finite_value_and_gradient_torch(name: str, scale: float) -> None:
    torch = pytest.importorskip("torch")
    features, labels, kwargs = _cbl_case(CBL_OPTIONS["nhwc-classifier"])
    labels = CBL_DEGENERATE[name](labels)
    for dtype in (torch.float32, torch.float64):
        x = torch.tensor(scale * features, dtype=dtype, requires_grad=True)
        kw = {k: torch.asarray(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
        out = al.conditional_boundary_loss(x, torch.asarray(labels), ignore_index=255, **kw)
        out.backward()
        assert torch.isfinite(out).item(), (name, scale, dtype, out)
        assert torch.isfinite(x.grad).all().item(), (name, scale, dtype)
        if name == "all-ignored":
            assert out.item() == 0.0
            assert (x.grad == 0).all().item()


def test_cbl_nan_and_out_of_range() -> None:
    features, labels, kwargs = _cbl_case(CBL_OPTIONS["nhwc-classifier"])
    bad = features.copy()
    bad[0, 0, 0, 0] = np.nan  # a border pixel: always on the default boundary
    assert np.isnan(al.conditional_boundary_loss(bad, labels, **kwargs))
    labels[0, 4, 4] = 7
    with pytest.raises(ValueError, match="labels"):
        al.conditional_boundary_loss(features, labels, **kwargs)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_cbl_dtype_contract(backend: Backend, dtype: str) -> None:
    ref.require_dtype(backend, dtype)
    if ref.is_light(backend) and dtype != "float16":
        pytest.skip(f"{backend.name}: representative subset only (runtime)")
    features, labels, kwargs = _cbl_case(CBL_OPTIONS["nchw-k3-no-nce"])
    rounded = ref.round_to(features, dtype)
    compute = "float64" if dtype == "float64" else "float32"
    kw = {k: ref.to_backend(backend, v, "float64") for k, v in kwargs.items()}
    out = backend.call(
        al.conditional_boundary_loss,
        backend.asarray(features, dtype),
        backend.asarray(labels),
        **kw,
    )
    got = backend.check_result(out, dtype=backend.dtype(compute), shape=())
    ref.assert_close(got, rs.conditional_boundary_loss(rounded, labels, **kwargs), compute)


def test_cbl_errors() -> None:
    features, labels, kwargs = _cbl_case(CBL_OPTIONS["nhwc-classifier"])
    fn = al.conditional_boundary_loss
    kw = dict(kwargs)
    with pytest.raises(ValueError, match="2-D images"):
        fn(features[:, 0], labels[:, 0], **{**kw, "logits": kw["logits"][:, 0]})
    with pytest.raises(ValueError, match="axis must not be 0"):
        fn(features, labels, **{**kw, "axis": 0})
    with pytest.raises(ValueError, match="kernel_size"):
        fn(features, labels, **{**kw, "kernel_size": 4})
    with pytest.raises(ValueError, match="kernel_size"):
        fn(features, labels, **{**kw, "kernel_size": 1})
    with pytest.raises(TypeError, match="kernel_size"):
        fn(features, labels, **{**kw, "kernel_size": 3.0})
    with pytest.raises(ValueError, match="classifier_weight"):
        fn(features, labels, **{**kw, "classifier_weight": None})
    with pytest.raises(ValueError, match="classifier_weight"):
        fn(features, labels, **{**kw, "classifier_weight": np.ones((3, 5))})
    with pytest.raises(ValueError, match="classifier_bias"):
        fn(features, labels, **{**kw, "classifier_bias": np.ones(4)})
    with pytest.raises(ValueError, match="boundary"):
        fn(features, labels, **{**kw, "boundary": np.ones(CBL_SHAPE)})
    with pytest.raises(ValueError, match="features and logits"):
        fn(features[:, :5], labels, **kw)
    with pytest.raises(ValueError, match="dilation_ratio"):
        fn(features, labels, **{**kw, "dilation_ratio": 0.0})
    with pytest.raises(ValueError, match="nce_weight"):
        fn(features, labels, **{**kw, "nce_weight": -1.0})
    with pytest.raises(ValueError, match="reduction"):
        fn(features, labels, **{**kw, "reduction": "avg"})
    with pytest.raises(ValueError, match="weights"):
        fn(features, labels, **{**kw, "weights": np.ones(3)})
    with pytest.raises(TypeError, match="features"):
        fn(features.astype(np.int64), labels, **kw)
