"""The one reduction helper, ``arrayloss._lib._reduction`` (CONVENTIONS section 4).

``reduce_loss`` directly, on every backend: ``"mean"``/``"sum"``/``"none"``, weights
broadcasting, the weighted mean ``sum(w*l)/sum(w)``, masks (value and gradient exactly
0 at masked positions even where the loss is NaN or inf), a zero total weight (0 with
zero gradient), the ``prescaled`` semantics and empty arrays; and the messages of
``check_reduction`` and ``check_weights``. References are float64 NumPy.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import arrayloss as al
from arrayloss._lib._reduction import REDUCTIONS, check_reduction, check_weights, reduce_loss
from support.backends import Backend

RNG = np.random.default_rng(0)


LOSS = RNG.uniform(0.1, 3.0, size=(3, 4))


def _reduce(
    backend: Backend,
    loss: Any,
    reduction: str,
    weights: Any = None,
    mask: Any = None,
    prescaled: bool = False,
) -> Any:
    """``reduce_loss`` through ``backend.call`` (traced under jax.jit): arrays positional."""

    def fn(loss: Any, weights: Any, mask: Any) -> Any:
        return reduce_loss(
            loss, reduction, xp=backend.xp, weights=weights, mask=mask, prescaled=prescaled
        )

    arrays = [a for a in (weights, mask) if a is not None]
    if weights is not None and mask is not None:
        return backend.call(lambda x, w, m: fn(x, w, m), loss, *arrays)
    if weights is not None:
        return backend.call(lambda x, w: fn(x, w, None), loss, *arrays)
    if mask is not None:
        return backend.call(lambda x, m: fn(x, None, m), loss, *arrays)
    return backend.call(lambda x: fn(x, None, None), loss)


def _out_shape(reduction: str, shape: tuple[int, ...]) -> tuple[int, ...]:
    return shape if reduction == "none" else ()


# -- mean / sum / none ---------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_plain_reductions(backend: Backend, reduction: str, dtype: str) -> None:
    loss = LOSS.astype(dtype).astype(np.float64)
    out = _reduce(backend, backend.asarray(loss, dtype), reduction)
    got = backend.check_result(
        out, dtype=backend.dtype(dtype), shape=_out_shape(reduction, (3, 4))
    )
    want = {"none": loss, "sum": loss.sum(), "mean": loss.sum() / 12}[reduction]
    np.testing.assert_allclose(got, want, rtol=1e-6 if dtype == "float32" else 1e-14)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("wshape", [(3, 4), (4,), (3, 1), (1, 4), (1, 1), ()])
def test_weights_broadcast_and_weighted_mean(
    backend: Backend, wshape: tuple[int, ...], reduction: str
) -> None:
    w = np.random.default_rng(1).uniform(0.0, 2.0, size=wshape)
    wb = np.broadcast_to(w, LOSS.shape)
    want = {
        "none": LOSS * wb,
        "sum": np.sum(LOSS * wb),
        "mean": np.sum(LOSS * wb) / np.sum(wb),
    }[reduction]
    out = _reduce(backend, backend.asarray(LOSS), reduction, weights=backend.asarray(w))
    got = backend.check_result(
        out, dtype=backend.dtype("float64"), shape=_out_shape(reduction, LOSS.shape)
    )
    np.testing.assert_allclose(got, want, rtol=1e-14)


@pytest.mark.parametrize("wdtype", ["float64", "int64", "bool"])
def test_weights_take_the_loss_dtype(backend: Backend, wdtype: str) -> None:
    """float32 loss with float64, integer or boolean weights stays float32."""
    w = np.array([1, 0, 2, 1]).astype(wdtype)
    loss = LOSS.astype(np.float32)
    out = _reduce(backend, backend.asarray(loss, "float32"), "mean", weights=backend.asarray(w))
    got = backend.check_result(out, dtype=backend.dtype("float32"), shape=())
    wb = np.broadcast_to(w.astype(np.float64), loss.shape)
    np.testing.assert_allclose(got, np.sum(loss * wb) / np.sum(wb), rtol=1e-6)


# -- masks --------------------------------------------------------------------------------------
MASK = np.array(
    [[True, False, True, True], [False, False, True, False], [True, True, True, False]]
)


def _poisoned(loss: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``loss`` with NaN, inf and -inf at masked positions."""
    out = loss.copy()
    bad = np.argwhere(~np.broadcast_to(mask, loss.shape))
    for k, idx in enumerate(bad):
        out[tuple(idx)] = (np.nan, np.inf, -np.inf)[k % 3]
    return out


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_mask_drops_positions_even_nan_and_inf(
    backend: Backend, reduction: str, weighted: bool
) -> None:
    w = np.random.default_rng(2).uniform(0.5, 2.0, size=(4,))
    loss = _poisoned(LOSS, MASK)
    wb = np.broadcast_to(w if weighted else np.ones(4), LOSS.shape)
    kept = np.where(MASK, LOSS * wb, 0.0)
    want = {
        "none": kept,
        "sum": kept.sum(),
        "mean": kept.sum() / np.sum(np.where(MASK, wb, 0.0)),
    }[reduction]
    out = _reduce(
        backend,
        backend.asarray(loss),
        reduction,
        weights=backend.asarray(w) if weighted else None,
        mask=backend.asarray(MASK),
    )
    got = backend.check_result(
        out, dtype=backend.dtype("float64"), shape=_out_shape(reduction, LOSS.shape)
    )
    if reduction == "none":
        assert np.all(got[~MASK] == 0.0)
    np.testing.assert_allclose(got, want, rtol=1e-14)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mask_broadcasts(backend: Backend, reduction: str) -> None:
    """A ``(4,)`` mask over a ``(3, 4)`` loss: the denominator counts broadcast positions."""
    mask = np.array([True, False, True, True])
    loss = _poisoned(LOSS, mask)
    kept = np.where(mask, LOSS, 0.0)
    want = {"none": kept, "sum": kept.sum(), "mean": kept.sum() / 9}[reduction]
    out = _reduce(backend, backend.asarray(loss), reduction, mask=backend.asarray(mask))
    got = backend.check_result(
        out, dtype=backend.dtype("float64"), shape=_out_shape(reduction, LOSS.shape)
    )
    np.testing.assert_allclose(got, want, rtol=1e-14)


# -- gradients on torch and JAX -----------------------------------------------------------------
def _grads_torch(
    loss: np.ndarray,
    weights: np.ndarray | None,
    mask: np.ndarray | None,
    reduction: str,
    **kw: Any,
) -> tuple[np.ndarray, np.ndarray | None]:
    import array_api_compat
    import torch

    leaf = torch.asarray(loss).requires_grad_(True)
    w = None if weights is None else torch.asarray(weights).requires_grad_(True)
    m = None if mask is None else torch.asarray(mask)
    xp = array_api_compat.array_namespace(leaf)
    out = torch.sum(reduce_loss(leaf, reduction, xp=xp, weights=w, mask=m, **kw))
    inputs = (leaf,) if w is None else (leaf, w)
    grads = torch.autograd.grad(out, inputs)
    return grads[0].numpy(), None if w is None else grads[1].numpy()


def _grads_jax(
    loss: np.ndarray,
    weights: np.ndarray | None,
    mask: np.ndarray | None,
    reduction: str,
    **kw: Any,
) -> tuple[np.ndarray, np.ndarray | None]:
    import array_api_compat
    import jax

    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    m = None if mask is None else jnp.asarray(mask)
    xp = array_api_compat.array_namespace(jnp.zeros(()))

    def f(x: Any, w: Any) -> Any:
        return jnp.sum(reduce_loss(x, reduction, xp=xp, weights=w, mask=m, **kw))

    w0 = None if weights is None else jnp.asarray(weights)
    gl, gw = jax.jit(jax.grad(f, argnums=(0, 1)))(jnp.asarray(loss), w0)
    return np.asarray(gl), None if gw is None else np.asarray(gw)


GRADS = {"torch": _grads_torch, "jax": _grads_jax}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("framework", ["torch", "jax"])
def test_masked_gradient_is_exactly_zero(framework: str, reduction: str) -> None:
    pytest.importorskip(framework)
    w = np.random.default_rng(3).uniform(0.5, 2.0, size=(3, 4))
    loss = _poisoned(LOSS, MASK)
    g_loss, g_w = GRADS[framework](loss, w, MASK, reduction)
    denom = np.sum(np.where(MASK, w, 0.0)) if reduction == "mean" else 1.0
    # d/dl_i = w_i / sum(w) on kept positions, exactly 0 elsewhere
    assert np.all(g_loss[~MASK] == 0.0)
    np.testing.assert_allclose(g_loss[MASK], (w / denom)[MASK], rtol=1e-14)
    # d/dw_i = (l_i - mean) / sum(w) for "mean", l_i otherwise; exactly 0 where masked
    assert g_w is not None
    assert np.all(g_w[~MASK] == 0.0), f"weights gradient at masked positions: {g_w[~MASK]}"
    if reduction == "mean":
        mean = np.sum(np.where(MASK, w * LOSS, 0.0)) / denom
        np.testing.assert_allclose(g_w[MASK], ((LOSS - mean) / denom)[MASK], rtol=1e-12)
    else:
        np.testing.assert_allclose(g_w[MASK], LOSS[MASK], rtol=1e-14)


@pytest.mark.parametrize("framework", ["torch", "jax"])
def test_weighted_mean_gradient(framework: str) -> None:
    """d mean / d l_i = w_i / sum(w), d mean / d w_i = (l_i - mean) / sum(w)."""
    pytest.importorskip(framework)
    w = np.random.default_rng(4).uniform(0.5, 2.0, size=(3, 4))
    g_loss, g_w = GRADS[framework](LOSS, w, None, "mean")
    mean = np.sum(w * LOSS) / np.sum(w)
    np.testing.assert_allclose(g_loss, w / np.sum(w), rtol=1e-14)
    assert g_w is not None
    np.testing.assert_allclose(g_w, (LOSS - mean) / np.sum(w), rtol=1e-12)


# -- zero total weight ----------------------------------------------------------------------------
@pytest.mark.parametrize("case", ["all-masked", "zero-weights", "masked-and-zero-weights"])
def test_zero_total_weight_is_zero_not_nan(backend: Backend, case: str) -> None:
    mask = np.zeros((3, 4), dtype=bool) if case != "zero-weights" else None
    weights = np.zeros((4,)) if case != "all-masked" else None
    if case == "masked-and-zero-weights":
        mask = MASK & False
    out = _reduce(
        backend,
        backend.asarray(LOSS),
        "mean",
        weights=None if weights is None else backend.asarray(weights),
        mask=None if mask is None else backend.asarray(mask),
    )
    got = backend.check_result(out, dtype=backend.dtype("float64"), shape=())
    assert got == 0.0


@pytest.mark.parametrize("case", ["all-masked", "zero-weights"])
@pytest.mark.parametrize("framework", ["torch", "jax"])
def test_zero_total_weight_has_zero_gradient(framework: str, case: str) -> None:
    pytest.importorskip(framework)
    if case == "all-masked":
        g_loss, _ = GRADS[framework](_poisoned(LOSS, MASK & False), None, MASK & False, "mean")
    else:
        g_loss, _ = GRADS[framework](LOSS, np.zeros((3, 4)), None, "mean")
    np.testing.assert_array_equal(g_loss, np.zeros((3, 4)))


# -- prescaled ------------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("masked", [False, True], ids=["unmasked", "masked"])
def test_prescaled_uses_weights_only_as_denominator(
    backend: Backend, reduction: str, masked: bool
) -> None:
    w = np.random.default_rng(5).uniform(0.5, 2.0, size=(3, 4))
    scaled = LOSS * w  # the loss already carries its weights
    mask = MASK if masked else np.ones((3, 4), dtype=bool)
    kept = np.where(mask, scaled, 0.0)
    want = {
        "none": kept,
        "sum": kept.sum(),
        "mean": kept.sum() / np.sum(np.where(mask, w, 0.0)),
    }[reduction]
    out = _reduce(
        backend,
        backend.asarray(scaled),
        reduction,
        weights=backend.asarray(w),
        mask=backend.asarray(MASK) if masked else None,
        prescaled=True,
    )
    got = backend.check_result(
        out, dtype=backend.dtype("float64"), shape=_out_shape(reduction, (3, 4))
    )
    np.testing.assert_allclose(got, want, rtol=1e-14)


# -- empty arrays -------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("with_", ["plain", "weights", "mask"])
@pytest.mark.parametrize("shape", [(0,), (2, 0)])
def test_empty_loss(backend: Backend, shape: tuple[int, ...], with_: str, reduction: str) -> None:
    loss = np.zeros(shape)
    weights = np.ones(shape) if with_ == "weights" else None
    mask = np.ones(shape, dtype=bool) if with_ == "mask" else None
    out = _reduce(
        backend,
        backend.asarray(loss, "float32"),
        reduction,
        weights=None if weights is None else backend.asarray(weights, "float32"),
        mask=None if mask is None else backend.asarray(mask),
    )
    got = backend.check_result(
        out, dtype=backend.dtype("float32"), shape=_out_shape(reduction, shape)
    )
    if reduction != "none":
        assert got == 0.0  # not NaN: an empty mean is 0, like an all-masked one


# -- argument checks ------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_check_reduction_accepts_the_three(reduction: str) -> None:
    assert check_reduction(reduction) == reduction


@pytest.mark.parametrize("bad", ["avg", "Mean", "", "batchmean", None, 1, ("mean",)])
def test_check_reduction_lists_the_valid_ones(bad: object) -> None:
    with pytest.raises(ValueError, match="reduction") as info:
        check_reduction(bad)
    message = str(info.value)
    for valid in ("'mean'", "'sum'", "'none'"):
        assert valid in message
    assert repr(bad) in message


@pytest.mark.parametrize("fn", [al.mse_loss, al.huber_loss])
def test_public_losses_reject_a_bad_reduction(fn: Any) -> None:
    x = np.zeros(3)
    with pytest.raises(ValueError, match=r"reduction must be one of 'mean', 'sum', 'none'"):
        fn(x, x, reduction="average")


@pytest.mark.parametrize(
    "wshape", [(3, 4), (4,), (3, 1), (1, 4), (1, 1), (1,), ()], ids=lambda s: f"w{s}"
)
def test_check_weights_accepts_broadcastable_shapes(wshape: tuple[int, ...]) -> None:
    import array_api_compat

    w = np.ones(wshape)
    check_weights(w, (3, 4), array_api_compat.array_namespace(w))


@pytest.mark.parametrize(
    "wshape",
    [(2, 3, 4), (1, 3, 4), (3, 4, 1), (5,), (3,), (2, 4), (4, 3)],
    ids=lambda s: f"w{s}",
)
def test_check_weights_rejects_shapes_that_do_not_broadcast_or_grow(
    wshape: tuple[int, ...],
) -> None:
    import array_api_compat

    w = np.ones(wshape)
    with pytest.raises(ValueError, match="weights") as info:
        check_weights(w, (3, 4), array_api_compat.array_namespace(w))
    assert str(wshape) in str(info.value)
    assert "(3, 4)" in str(info.value)


def test_check_weights_rejects_complex_dtype() -> None:
    import array_api_compat

    w = np.ones(4, dtype=np.complex128)
    with pytest.raises(TypeError, match=r"weights must be a real floating.*complex128"):
        check_weights(w, (3, 4), array_api_compat.array_namespace(w))


def test_check_weights_names_the_argument() -> None:
    import array_api_compat

    w = np.ones((2, 4))
    with pytest.raises(ValueError, match=r"^pos_weight with shape \(2, 4\)"):
        check_weights(w, (3, 4), array_api_compat.array_namespace(w), name="pos_weight")


def test_public_loss_rejects_weights_that_would_grow_the_result(backend: Backend) -> None:
    x = backend.asarray(np.zeros((3, 4)))
    w = backend.asarray(np.ones((2, 3, 4)))
    with pytest.raises(ValueError, match=r"weights with shape \(2, 3, 4\).*\(3, 4\)"):
        al.mse_loss(x, x, weights=w)
