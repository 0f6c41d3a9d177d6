"""Independent float64 NumPy references for PolyLoss and the noisy-label losses.

Written from the papers' formulas (Leng et al. 2022 listings 1-2; Zhang & Sabuncu
2018 eq. 6; Wang et al. 2019 eq. 5-6) as plainly as possible: textbook softmax,
``1 - p`` and ``p ** q``. They share nothing with ``arrayloss``. Inputs are moderate,
so no log-space tricks are needed in float64. At the bottom: test helpers
shared by ``test_polynomial.py`` and ``test_noisy_labels.py`` (backend comparison,
input cases, value-and-gradient on torch/JAX).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from . import reference as ref
from .reference import weighted_reduce

__all__ = [
    "binary_poly1_focal_loss",
    "compare",
    "generalized_cross_entropy",
    "poly1_cross_entropy",
    "poly1_focal_loss",
    "softmax_case",
    "symmetric_cross_entropy",
    "value_grad_all",
]


def _softmax_last(x: Any, axis: int) -> np.ndarray:
    x = np.moveaxis(np.asarray(x, dtype=np.float64), axis, -1)
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _targets(
    labels: Any, C: int, axis: int, ignore_index: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """One-hot (or given probabilities, class axis last) and the keep mask."""
    labels = np.asarray(labels)
    if np.issubdtype(labels.dtype, np.floating):
        y = np.moveaxis(labels.astype(np.float64), axis, -1)
        return y, np.ones(y.shape[:-1])
    keep = np.ones(labels.shape) if ignore_index is None else (labels != ignore_index) * 1.0
    safe = np.where(keep > 0, labels, 0)
    return np.eye(C)[safe], keep


def _finish(loss: np.ndarray, keep: np.ndarray, weights: Any, reduction: str) -> np.ndarray:
    loss = np.where(keep > 0, loss, 0.0)
    return weighted_reduce(loss, reduction, weights, denominator=keep)


def poly1_cross_entropy(
    logits: Any,
    labels: Any,
    *,
    epsilon: float = 1.0,
    axis: int = -1,
    label_smoothing: float = 0.0,
    ignore_index: int | None = None,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """Listing 1 of the paper: ``CE(y', x) + epsilon * (1 - sum_c y'_c p_c)``."""
    p = _softmax_last(logits, axis)
    C = p.shape[-1]
    y, keep = _targets(labels, C, axis, ignore_index)
    y = y * (1 - label_smoothing) + label_smoothing / C
    ce = -(y * np.log(p)).sum(-1)
    pt = (y * p).sum(-1)
    return _finish(ce + epsilon * (1.0 - pt), keep, weights, reduction)


def poly1_focal_loss(
    logits: Any,
    labels: Any,
    *,
    epsilon: float = 1.0,
    gamma: float = 2.0,
    alpha: Any = None,
    axis: int = -1,
    ignore_index: int | None = None,
    label_smoothing: float = 0.0,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """``sum_c y_c [alpha_c (1 - p_c)^gamma (-log p_c) + epsilon (1 - p_c)^(gamma + 1)]``.

    ``label_smoothing`` replaces ``y`` by ``(1 - ls) y + ls / C``.
    """
    p = _softmax_last(logits, axis)
    C = p.shape[-1]
    y, keep = _targets(labels, C, axis, ignore_index)
    y = (1 - label_smoothing) * y + label_smoothing / C
    a = np.ones(C) if alpha is None else np.asarray(alpha, dtype=np.float64)
    fl = a * (1 - p) ** gamma * -np.log(p)
    loss = (y * (fl + epsilon * (1 - p) ** (gamma + 1))).sum(-1)
    return _finish(loss, keep, weights, reduction)


def binary_poly1_focal_loss(
    logits: Any,
    labels: Any,
    *,
    epsilon: float = 1.0,
    gamma: float = 2.0,
    alpha: float | None = 0.25,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """Listing 2 of the paper (sigmoid): ``FL(p_t) + epsilon (1 - p_t)^(gamma + 1)``."""
    x = np.asarray(logits, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    p = 1.0 / (1.0 + np.exp(-x))
    pt = y * p + (1 - y) * (1 - p)
    bce = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    fl = (1 - pt) ** gamma * bce
    if alpha is not None:
        fl = (alpha * y + (1 - alpha) * (1 - y)) * fl
    return weighted_reduce(fl + epsilon * (1 - pt) ** (gamma + 1), reduction, weights)


def generalized_cross_entropy(
    logits: Any,
    labels: Any,
    *,
    q: float = 0.7,
    axis: int = -1,
    ignore_index: int | None = None,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """``L_q = (1 - p_y^q) / q`` (eq. 6), the expectation over ``y`` for soft targets."""
    p = _softmax_last(logits, axis)
    y, keep = _targets(labels, p.shape[-1], axis, ignore_index)
    loss = (y * (1 - p**q) / q).sum(-1)
    return _finish(loss, keep, weights, reduction)


def symmetric_cross_entropy(
    logits: Any,
    labels: Any,
    *,
    alpha: float = 0.1,
    beta: float = 1.0,
    log_zero: float = -4.0,
    axis: int = -1,
    ignore_index: int | None = None,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """``alpha CE + beta RCE``, ``RCE = -sum_k p_k log q_k`` with ``log 0 := A``."""
    p = _softmax_last(logits, axis)
    y, keep = _targets(labels, p.shape[-1], axis, ignore_index)
    ce = -(y * np.log(p)).sum(-1)
    with np.errstate(divide="ignore"):
        log_y = np.where(y > 0, np.log(np.where(y > 0, y, 1.0)), -np.inf)
    rce = -(p * np.maximum(log_y, log_zero)).sum(-1)
    return _finish(alpha * ce + beta * rce, keep, weights, reduction)


# -- test helpers shared by test_polynomial.py and test_noisy_labels.py ---------------

# (logits shape, class axis)
LAYOUTS = {"nc": ((6, 4), -1), "nchw": ((2, 4, 3, 2), 1)}


def compare(
    backend: Any,
    fn: Any,
    ref_fn: Any,
    arrays: tuple[np.ndarray, ...],
    kwargs: dict[str, Any],
    unreduced: tuple[int, ...],
    dtype: str = "float64",
) -> None:
    """``fn`` on ``backend`` equals ``ref_fn`` for every reduction."""
    compute = "float64" if dtype == "float64" else "float32"
    args = tuple(ref.to_backend(backend, a, dtype) for a in arrays)
    kw = {k: ref.to_backend(backend, v, dtype) for k, v in kwargs.items()}
    outs = ref.call_all_reductions(backend, fn, *args, **kw)
    # the reference sees the inputs as rounded to ``dtype``
    ref_args = tuple(
        ref.round_to(a, dtype) if np.issubdtype(a.dtype, np.floating) else a for a in arrays
    )
    ref_kw = {
        k: ref.round_to(v, dtype)
        if isinstance(v, np.ndarray) and np.issubdtype(v.dtype, np.floating)
        else v
        for k, v in kwargs.items()
    }
    for reduction, out in outs.items():
        shape = unreduced if reduction == "none" else ()
        got = backend.check_result(out, dtype=backend.dtype(compute), shape=shape)
        want = ref_fn(*ref_args, **ref_kw, reduction=reduction)
        ref.assert_close(got, want, compute, err_msg=f"reduction={reduction}")


def softmax_case(
    layout: str, *, probs: bool = False, ignore: int | None = None, weights: bool = False
) -> tuple[np.ndarray, np.ndarray, dict[str, Any], tuple[int, ...]]:
    rng = np.random.default_rng(0)
    shape, axis = LAYOUTS[layout]
    ax = axis % len(shape)
    C, unreduced = shape[ax], shape[:ax] + shape[ax + 1 :]
    logits = rng.normal(0.0, 2.0, size=shape)
    if probs:
        q = rng.uniform(0.0, 1.0, size=shape)
        q.reshape(-1)[::5] = 0.0  # exact zeros in the targets
        labels = q / q.sum(axis=ax, keepdims=True)
    else:
        labels = rng.integers(0, C, size=unreduced)
        if ignore is not None:
            labels.reshape(-1)[::3] = ignore
    kwargs: dict[str, Any] = {"axis": axis}
    if ignore is not None:
        kwargs["ignore_index"] = ignore
    if weights:
        w = rng.uniform(0.0, 2.0, size=unreduced)
        w.reshape(-1)[1] = 0.0
        kwargs["weights"] = w
    return logits, labels, kwargs, unreduced


def value_grad_all(
    lib: str, calls: list[tuple[str, Any, np.ndarray, np.ndarray, dict[str, Any]]]
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per-position value and d(sum)/d(logits) of each call, float32 logits.

    On JAX everything runs in one ``jax.jit`` (eager JAX costs seconds per call).
    """
    if lib == "torch":
        torch = pytest.importorskip("torch")
        out_t = {}
        for name, fn, x, y, kw in calls:
            xt = torch.tensor(x, dtype=torch.float32, requires_grad=True)
            yt = torch.tensor(y) if y.dtype.kind == "i" else torch.tensor(y, dtype=torch.float32)
            out = fn(xt, yt, reduction="none", **kw)
            (g,) = torch.autograd.grad(out.sum(), xt)
            out_t[name] = (out.detach().numpy(), g.numpy())
        return out_t
    jax = pytest.importorskip("jax")
    jnp = jax.numpy

    def every(xs: dict[str, Any], ys: dict[str, Any]) -> dict[str, Any]:
        res = {}
        for name, fn, _, _, kw in calls:
            value = fn(xs[name], ys[name], reduction="none", **kw)
            g = jax.grad(lambda a, f=fn, n=name, k=kw: f(a, ys[n], reduction="sum", **k))(xs[name])
            res[name] = (value, g)
        return res

    xs = {n: jnp.asarray(x, dtype=jnp.float32) for n, _, x, _, _ in calls}
    ys = {
        n: jnp.asarray(y) if y.dtype.kind == "i" else jnp.asarray(y, dtype=jnp.float32)
        for n, _, _, y, _ in calls
    }
    out_j = jax.jit(every)(xs, ys)
    return {n: (np.asarray(v), np.asarray(g)) for n, (v, g) in out_j.items()}
