"""Independent float64 NumPy reference implementations of the losses.

Written from the papers' and torch's documented definitions, as plainly as
possible (loops where they read more clearly), in float64. They share nothing with
``arrayloss``: no log-space tricks unless the textbook formula would overflow in
float64 for the small, moderate inputs the value tests use.

Every classification/segmentation reference takes the class axis ``axis`` and
moves it last first, so the formulas index ``[..., c]``.

Reductions follow one rule (CONVENTIONS section 4), implemented in
:func:`weighted_reduce`: ``"mean"`` is ``sum(w * l) / sum(w * d)`` where ``d`` is
each element's share of the denominator (1, or the class weight ``w_{y_i}`` for
cross-entropy, 0 for an ignored position); a zero denominator gives 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

__all__ = [
    "REDUCTIONS",
    "TOLERANCE",
    "assert_close",
    "binary_cross_entropy",
    "binary_focal_loss",
    "call_all_reductions",
    "compare_reductions",
    "cross_entropy",
    "dice_loss",
    "focal_loss",
    "huber",
    "is_light",
    "mse",
    "only_subset",
    "require_dtype",
    "round_to",
    "to_backend",
    "weighted_reduce",
]

LOG_CLAMP = -100.0  # torch.nn.functional.binary_cross_entropy's floor on log p


# -- helpers -------------------------------------------------------------------------


def round_to(x: Any, dtype: str) -> np.ndarray:
    """``x`` rounded to ``dtype`` (float16/bfloat16/float32/float64), back in float64.

    bfloat16 is float32 with the low 16 bits rounded off (round half to even),
    done on the bit pattern so no bfloat16-aware library is needed.
    """
    x = np.asarray(x, dtype=np.float64)
    if dtype == "bfloat16":
        bits = x.astype(np.float32).view(np.uint32).astype(np.uint64)
        bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
        return bits.astype(np.uint32).view(np.float32).astype(np.float64)
    return x.astype(dtype).astype(np.float64)


def _f64(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _class_last(x: Any, axis: int) -> np.ndarray:
    return np.moveaxis(_f64(x), axis, -1)


def softmax(x: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, textbook ``exp(x_c) / sum_k exp(x_k)``."""
    e = np.exp(_f64(x))
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(x: np.ndarray) -> np.ndarray:
    """``log softmax`` over the last axis: ``x_c - log sum_k exp(x_k)``."""
    x = _f64(x)
    return x - np.log(np.exp(x).sum(axis=-1, keepdims=True))


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-_f64(x)))


def log_sigmoid(x: np.ndarray) -> np.ndarray:
    """``log sigma(x) = -log(1 + exp(-x))`` (``log1p`` for accuracy when exp(-x) is tiny)."""
    return -np.log1p(np.exp(-_f64(x)))


def clamped_log(p: np.ndarray) -> np.ndarray:
    """``max(log p, -100)``, with ``log 0 = -inf`` clamped too (as torch does)."""
    p = _f64(p)
    out = np.full(p.shape, LOG_CLAMP)
    pos = p > 0
    out[pos] = np.maximum(np.log(p[pos]), LOG_CLAMP)
    return out


def weighted_reduce(
    loss: Any,
    reduction: str,
    weights: Any = None,
    denominator: Any = None,
) -> np.ndarray:
    """Reduce ``loss`` (the unreduced result before ``weights``).

    ``"none"``: ``w * l``; ``"sum"``: ``sum(w * l)``; ``"mean"``:
    ``sum(w * l) / sum(w * d)`` with ``d`` = ``denominator`` (default 1), and 0 when
    that total weight is 0.
    """
    loss = _f64(loss)
    w = np.broadcast_to(1.0 if weights is None else _f64(weights), loss.shape)
    d = np.broadcast_to(1.0 if denominator is None else _f64(denominator), loss.shape)
    if reduction == "none":
        return w * loss
    if reduction == "sum":
        return np.asarray(np.sum(w * loss))
    if reduction == "mean":
        total = np.sum(w * d)
        return np.asarray(0.0 if total == 0 else np.sum(w * loss) / total)
    raise ValueError(reduction)


# -- regression ------------------------------------------------------------------------


def mse(preds: Any, targets: Any, *, weights: Any = None, reduction: str = "mean") -> np.ndarray:
    d = _f64(preds) - _f64(targets)
    return weighted_reduce(d**2, reduction, weights)


def huber(
    preds: Any,
    targets: Any,
    *,
    delta: float = 1.0,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """Huber (1964) with torch's scaling.

    ``0.5 d^2`` for ``|d| <= delta``, else ``delta (|d| - delta / 2)``.
    """
    d = np.abs(_f64(preds) - _f64(targets))
    loss = np.where(d <= delta, 0.5 * d**2, delta * (d - 0.5 * delta))
    return weighted_reduce(loss, reduction, weights)


# -- classification --------------------------------------------------------------------


def cross_entropy(
    logits: Any,
    labels: Any,
    *,
    axis: int = -1,
    class_weights: Any = None,
    ignore_index: int | None = None,
    label_smoothing: float = 0.0,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """Softmax cross-entropy with torch's documented semantics.

    Integer labels: ``l_i = (1-eps) w_{y_i} (-log p_{i,y_i}) + (eps/C) sum_c w_c (-log p_ic)``;
    ``"mean"`` divides by ``sum_i w_{y_i}`` over non-ignored positions.
    Probability targets: ``l_i = -sum_c w_c y'_ic log p_ic``, ``y' = (1-eps) y + eps/C``;
    ``"mean"`` divides by the number of positions.
    """
    x = _class_last(logits, axis)
    C = x.shape[-1]
    cw = np.ones(C) if class_weights is None else _f64(class_weights)
    eps = float(label_smoothing)
    logp = log_softmax(x)
    labels = np.asarray(labels)
    if np.issubdtype(labels.dtype, np.floating):
        y = (1 - eps) * _class_last(labels, axis) + eps / C
        loss = -(cw * y * logp).sum(axis=-1)
        return weighted_reduce(loss, reduction, weights)
    flat_logp = logp.reshape(-1, C)
    flat_labels = labels.reshape(-1)
    loss = np.zeros(flat_labels.shape)
    denom = np.zeros(flat_labels.shape)
    for i, y in enumerate(flat_labels):
        if ignore_index is not None and y == ignore_index:
            continue
        nll = -flat_logp[i, y]
        smooth = sum(cw[c] * -flat_logp[i, c] for c in range(C))
        loss[i] = (1 - eps) * cw[y] * nll + eps / C * smooth
        denom[i] = cw[y]
    shape = labels.shape
    return weighted_reduce(loss.reshape(shape), reduction, weights, denom.reshape(shape))


def binary_cross_entropy(
    logits: Any,
    labels: Any,
    *,
    from_logits: bool = True,
    pos_weight: Any = None,
    label_smoothing: float = 0.0,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """``-[pw y' log p + (1 - y') log(1 - p)]``, ``y' = (1-eps) y + eps/2``.

    From logits ``p = sigma(x)``; from probabilities each log is clamped at -100.
    """
    x = _f64(logits)
    y = (1 - label_smoothing) * _f64(labels) + label_smoothing / 2
    if from_logits:
        log_p, log_1mp = log_sigmoid(x), log_sigmoid(-x)
    else:
        log_p, log_1mp = clamped_log(x), clamped_log(1.0 - x)
    pw = 1.0 if pos_weight is None else _f64(pos_weight)
    loss = -(pw * y * log_p + (1 - y) * log_1mp)
    return weighted_reduce(loss, reduction, weights)


def focal_loss(
    logits: Any,
    labels: Any,
    *,
    gamma: float = 2.0,
    alpha: Any = None,
    axis: int = -1,
    ignore_index: int | None = None,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """Lin et al. (2017), multi-class: ``-alpha_y (1 - p_y)^gamma log p_y``.

    Probability targets: ``-sum_c alpha_c y_c (1 - p_c)^gamma log p_c``. ``alpha`` is
    a per-class multiplier; ``"mean"`` divides by the count of non-ignored positions.
    """
    x = _class_last(logits, axis)
    C = x.shape[-1]
    a = np.ones(C) if alpha is None else _f64(alpha)
    p = softmax(x)
    logp = log_softmax(x)
    labels = np.asarray(labels)
    if np.issubdtype(labels.dtype, np.floating):
        y = _class_last(labels, axis)
        loss = -(a * y * (1 - p) ** gamma * logp).sum(axis=-1)
        return weighted_reduce(loss, reduction, weights)
    flat_p, flat_logp = p.reshape(-1, C), logp.reshape(-1, C)
    flat_labels = labels.reshape(-1)
    loss = np.zeros(flat_labels.shape)
    keep = np.zeros(flat_labels.shape)
    for i, y in enumerate(flat_labels):
        if ignore_index is not None and y == ignore_index:
            continue
        loss[i] = -a[y] * (1 - flat_p[i, y]) ** gamma * flat_logp[i, y]
        keep[i] = 1.0
    shape = labels.shape
    return weighted_reduce(loss.reshape(shape), reduction, weights, keep.reshape(shape))


def binary_focal_loss(
    logits: Any,
    labels: Any,
    *,
    gamma: float = 2.0,
    alpha: float | None = 0.25,
    from_logits: bool = True,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """torchvision ``sigmoid_focal_loss``: ``alpha_t (1 - p_t)^gamma BCE``.

    ``p_t = p y + (1 - p)(1 - y)``, ``alpha_t = alpha y + (1 - alpha)(1 - y)``;
    ``alpha=None`` drops ``alpha_t``.
    """
    x, y = _f64(logits), _f64(labels)
    p = sigmoid(x) if from_logits else x
    bce = binary_cross_entropy(x, y, from_logits=from_logits, reduction="none")
    p_t = p * y + (1 - p) * (1 - y)
    loss = bce * (1 - p_t) ** gamma
    if alpha is not None:
        loss = (alpha * y + (1 - alpha) * (1 - y)) * loss
    return weighted_reduce(loss, reduction, weights)


# -- segmentation ----------------------------------------------------------------------


def dice_loss(
    logits: Any,
    labels: Any,
    *,
    mode: str = "multiclass",
    axis: int = -1,
    from_logits: bool = True,
    smooth: float = 1e-5,
    include_background: bool = True,
    ignore_index: int | None = None,
    class_weights: Any = None,
    batch_dice: bool = False,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """Soft Dice (Milletari 2016), per sample and class, MONAI's smoothing.

    ``1 - (2 sum_s p g + smooth) / (sum_s p + sum_s g + smooth)`` over the kept
    positions ``s`` of each sample (of the whole batch with ``batch_dice``); a class
    with a zero denominator has loss 0. ``class_weights`` make the mean over
    classes a weighted mean. ``"none"`` gives ``(N, C)`` or ``(C,)``.
    """
    x = _class_last(logits, axis)  # (N, ..., C)
    C = x.shape[-1]
    labels = np.asarray(labels)
    if mode == "multiclass":
        p = softmax(x) if from_logits else x
        if np.issubdtype(labels.dtype, np.floating):
            g = _class_last(labels, axis)
            keep = np.ones(x.shape)
        else:
            g = np.zeros(x.shape)
            keep = np.ones(x.shape)
            for idx in np.ndindex(*labels.shape):
                lab = labels[idx]
                if ignore_index is not None and lab == ignore_index:
                    keep[idx] = 0.0
                else:
                    g[(*idx, lab)] = 1.0
    else:
        p = sigmoid(x) if from_logits else x
        if mode == "binary" and labels.ndim == x.ndim - 1:
            labels = np.expand_dims(labels, axis)
        raw = _class_last(labels, axis)
        keep = np.ones(x.shape)
        if ignore_index is not None:
            keep = (raw != ignore_index).astype(np.float64)
        g = np.where(keep > 0, raw, 0.0)
    # sums over the spatial positions of each sample: (N, C)
    N = x.shape[0]
    pk, gk = (p * keep).reshape(N, -1, C), (g * keep).reshape(N, -1, C)
    inter = (pk * gk).sum(axis=1)
    psum, gsum = pk.sum(axis=1), gk.sum(axis=1)
    if batch_dice:
        inter, psum, gsum = inter.sum(axis=0), psum.sum(axis=0), gsum.sum(axis=0)
    loss = np.zeros(inter.shape)
    for idx in np.ndindex(*inter.shape):
        den = psum[idx] + gsum[idx] + smooth
        loss[idx] = 0.0 if den == 0 else 1.0 - (2 * inter[idx] + smooth) / den
    cw = np.ones(C) if class_weights is None else _f64(class_weights)
    if not include_background and mode != "binary":
        loss, cw = loss[..., 1:], cw[1:]
    w = cw if weights is None else _f64(weights) * cw
    return weighted_reduce(loss, reduction, w)


# -- comparison ------------------------------------------------------------------------

# float64 results are held to float64 accuracy; float32 results (float32 inputs, and
# half inputs, which compute in float32) to float32 accuracy. atol only covers values
# that are themselves ~0 (a loss at its minimum, an ignored position).
TOLERANCE = {
    "float64": {"rtol": 1e-10, "atol": 1e-12},
    "float32": {"rtol": 1e-5, "atol": 1e-6},
}


REDUCTIONS = ("mean", "sum", "none")


def call_all_reductions(backend: Any, fn: Any, *arrays: Any, **kwargs: Any) -> dict[str, Any]:
    """``fn`` with every reduction, from one ``backend.call`` (one ``jax.jit`` trace)."""

    def every(*args: Any, **kw: Any) -> tuple[Any, ...]:
        return tuple(fn(*args, **kw, reduction=r) for r in REDUCTIONS)

    return dict(zip(REDUCTIONS, backend.call(every, *arrays, **kwargs), strict=True))


# Backends where every call is expensive: eager JAX compiles each primitive for each
# new shape and dtype, jax.jit compiles every test's function, Dask builds and runs a
# task graph. Value matrices run a representative subset there (one that still
# exercises every option); the full matrices run on NumPy, array-api-strict and
# torch, which share the code paths (portable gather on array-api-strict, native
# primitives on torch).
LIGHT_BACKENDS = ("jax", "jax-jit", "jax-gpu", "dask")


def is_light(backend: Any) -> bool:
    """Whether ``backend`` runs only the representative subset of a value matrix."""
    return backend.name in LIGHT_BACKENDS


def require_dtype(backend: Any, dtype: str) -> None:
    """Skip a dtype-contract test unless ``backend`` has ``dtype``.

    On the light backends float64 is skipped:
    every value test there already runs in float64 and checks the result dtype.
    """
    if dtype == "float64" and is_light(backend):
        pytest.skip(f"{backend.name}: float64 is covered by the value tests (runtime)")
    if dtype == "bfloat16" and not backend.has_bfloat16:
        pytest.skip(f"{backend.name} has no bfloat16")
    if dtype == "float16" and not backend.has_float16:
        pytest.skip(f"{backend.name} has no float16")


def assert_close(got: Any, want: Any, compute_dtype: str, err_msg: str = "") -> None:
    """``got`` equals the reference ``want`` to ``compute_dtype``'s tolerance."""
    np.testing.assert_allclose(
        np.asarray(got, dtype=np.float64),
        np.asarray(want, dtype=np.float64),
        err_msg=err_msg,
        **TOLERANCE[compute_dtype],
    )


def to_backend(backend: Any, value: Any, dtype: str) -> Any:
    """NumPy arrays become backend arrays (floats in ``dtype``); the rest pass through."""
    if not isinstance(value, np.ndarray):
        return value
    if np.issubdtype(value.dtype, np.floating):
        return backend.asarray(value, dtype)
    return backend.asarray(value)


def compare_reductions(
    backend: Any,
    fn: Any,
    ref_fn: Any,
    arrays: tuple[np.ndarray, ...],
    kwargs: dict[str, Any],
    unreduced: tuple[int, ...],
    dtype: str = "float64",
) -> None:
    """``fn`` on ``backend`` equals ``ref_fn`` (float64 NumPy) for every reduction."""
    compute = "float64" if dtype == "float64" else "float32"
    args = tuple(to_backend(backend, a, dtype) for a in arrays)
    kw = {k: to_backend(backend, v, dtype) for k, v in kwargs.items()}
    outs = call_all_reductions(backend, fn, *args, **kw)
    for reduction, out in outs.items():
        shape = unreduced if reduction == "none" else ()
        got = backend.check_result(out, dtype=backend.dtype(compute), shape=shape)
        want = ref_fn(*arrays, **kwargs, reduction=reduction)
        assert_close(got, want, compute, err_msg=f"reduction={reduction}")


def only_subset(backend: Any, key: Any, subset: set[Any]) -> None:
    """On the slow-per-call backends (``LIGHT_BACKENDS``) run only the keys in ``subset``."""
    if is_light(backend) and key not in subset:
        pytest.skip(f"{backend.name}: representative subset only (runtime)")
