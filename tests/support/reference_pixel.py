"""Independent float64 NumPy references for the pixel-level and Lovasz losses.

Written from the papers with plain loops and boolean indexing (which the library
must not use): topk (Wu et al. 2016), distance-weighted CE (Caliva et al. 2019),
the Student-t NLL (Gonzalez-Jimenez et al. 2023, Sigma = I) and the Lovasz losses
(Berman et al. 2018, Algorithm 1, ignored pixels *dropped*).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .reference import weighted_reduce


def _class_last(x: Any, axis: int) -> np.ndarray:
    return np.moveaxis(np.asarray(x, dtype=np.float64), axis, -1)


def _pixel_ce(logits: np.ndarray, labels: np.ndarray, eps: float) -> np.ndarray:
    """Per-position smoothed CE; class axis last, integer labels already safe."""
    m = logits.max(axis=-1, keepdims=True)
    logp = logits - m - np.log(np.exp(logits - m).sum(axis=-1, keepdims=True))
    nll = -np.take_along_axis(logp, labels[..., None], axis=-1)[..., 0]
    return (1 - eps) * nll + eps * (-logp.mean(axis=-1))


def topk_loss(
    logits: Any,
    labels: Any,
    *,
    k: float = 0.1,
    axis: int = -1,
    ignore_index: int | None = None,
    class_weights: Any = None,
    label_smoothing: float = 0.0,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    x = _class_last(logits, axis)
    labels = np.asarray(labels)
    n = x.shape[0]
    c = x.shape[-1]
    cw = np.ones(c) if class_weights is None else np.asarray(class_weights, dtype=np.float64)
    out, has = np.zeros(n), np.zeros(n)
    for i in range(n):
        lab = labels[i].reshape(-1)
        xi = x[i].reshape(-1, c)
        valid = np.ones(lab.shape, bool) if ignore_index is None else lab != ignore_index
        count = max(1, int(k * lab.size))
        ce = _pixel_ce(xi[valid], lab[valid], label_smoothing)
        w = cw[lab[valid]]
        top = np.argsort(-ce, kind="stable")[:count]
        if top.size:
            out[i] = np.sum(w[top] * ce[top]) / np.sum(w[top])
            has[i] = 1.0
    return _masked(out, has, reduction, weights)


def _masked(out: np.ndarray, has: np.ndarray, reduction: str, weights: Any) -> np.ndarray:
    w = np.broadcast_to(1.0 if weights is None else np.asarray(weights, np.float64), out.shape)
    w = w * has
    if reduction == "none":
        return w * out
    if reduction == "sum":
        return np.asarray(np.sum(w * out))
    total = np.sum(w)
    return np.asarray(0.0 if total == 0 else np.sum(w * out) / total)


def distance_weighted_cross_entropy(
    logits: Any,
    labels: Any,
    distance_map: Any,
    *,
    axis: int = -1,
    class_weights: Any = None,
    ignore_index: int | None = None,
    label_smoothing: float = 0.0,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    x = _class_last(logits, axis)
    labels = np.asarray(labels)
    c = x.shape[-1]
    cw = np.ones(c) if class_weights is None else np.asarray(class_weights, dtype=np.float64)
    valid = np.ones(labels.shape, bool) if ignore_index is None else labels != ignore_index
    safe = np.where(valid, labels, 0)
    m = x.max(axis=-1, keepdims=True)
    logp = x - m - np.log(np.exp(x - m).sum(axis=-1, keepdims=True))
    nll = -np.take_along_axis(logp, safe[..., None], axis=-1)[..., 0]
    smooth = -(logp * cw).sum(axis=-1) / c
    wy = cw[safe]
    eps = label_smoothing
    loss = ((1 - eps) * wy * nll + eps * smooth) * (1.0 + np.asarray(distance_map, np.float64))
    loss = np.where(valid, loss, 0.0)
    return weighted_reduce(loss, reduction, weights, wy * valid)


def robust_t_loss(
    logits: Any,
    labels: Any,
    *,
    nu: float = 1.0,
    from_logits: bool = True,
    epsilon: float = 1e-8,
    ignore_index: int | None = None,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    x = np.asarray(logits, np.float64)
    p = 1 / (1 + np.exp(-x)) if from_logits else x
    y = np.asarray(labels)
    v = float(nu) + epsilon
    out = []
    for i in range(x.shape[0]):
        valid = np.ones(y[i].shape, bool) if ignore_index is None else y[i] != ignore_index
        d = float(valid.sum())
        delta = float(np.sum((y[i][valid].astype(np.float64) - p[i][valid]) ** 2))
        out.append(
            -math.lgamma((v + d) / 2)
            + math.lgamma(v / 2)
            + d / 2 * math.log(math.pi * v)
            + (v + d) / 2 * math.log(1 + delta / v)
        )
    return weighted_reduce(np.array(out), reduction, weights)


def _lovasz_flat(errors: np.ndarray, fg: np.ndarray) -> float:
    """Berman et al., Algorithm 1, on already-filtered pixels."""
    if errors.size == 0:
        return 0.0
    order = np.argsort(-errors, kind="stable")
    e, g = errors[order], fg[order]
    total = g.sum()
    jac = np.empty(e.size)
    for i in range(e.size):
        inter = total - g[: i + 1].sum()
        union = total + (1 - g[: i + 1]).sum()
        jac[i] = 1 - inter / union
    grad = np.concatenate([jac[:1], np.diff(jac)])
    return float(np.dot(e, grad))


def lovasz_softmax_loss(
    logits: Any,
    labels: Any,
    *,
    axis: int = -1,
    classes: str = "present",
    per_image: bool = False,
    ignore_index: int | None = None,
    from_logits: bool = True,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    x = _class_last(logits, axis)
    c = x.shape[-1]
    if from_logits:
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        x = e / e.sum(axis=-1, keepdims=True)
    y = np.asarray(labels)
    groups = [(x[i : i + 1], y[i : i + 1]) for i in range(x.shape[0])] if per_image else [(x, y)]
    losses = np.zeros((len(groups), c))
    counted = np.zeros((len(groups), c), bool)
    for gi, (p, lab) in enumerate(groups):
        p, lab = p.reshape(-1, c), lab.reshape(-1)
        if ignore_index is not None:
            keep = lab != ignore_index
            p, lab = p[keep], lab[keep]
        for cls in range(c):
            fg = (lab == cls).astype(np.float64)
            if classes == "present" and fg.sum() == 0:
                continue
            if lab.size == 0:
                continue
            counted[gi, cls] = True
            losses[gi, cls] = _lovasz_flat(np.abs(fg - p[:, cls]), fg)
    if not per_image:
        losses, counted = losses[0], counted[0]
    w = np.broadcast_to(1.0 if weights is None else np.asarray(weights, np.float64), losses.shape)
    if reduction == "none":
        return w * losses
    if reduction == "sum":
        return np.asarray(np.sum(w * losses))
    # mean over images of the per-image mean over counted classes (weighted)
    share = counted / np.maximum(counted.sum(axis=-1, keepdims=True), 1)
    total = np.sum(w * share)
    return np.asarray(0.0 if total == 0 else np.sum(w * share * losses) / total)


def lovasz_hinge_loss(
    logits: Any,
    labels: Any,
    *,
    per_image: bool = True,
    ignore_index: int | None = None,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    x = np.asarray(logits, np.float64)
    y = np.asarray(labels)
    groups = [(x[i], y[i]) for i in range(x.shape[0])] if per_image else [(x, y)]
    out, has = [], []
    for xi, yi in groups:
        xi, yi = xi.reshape(-1), yi.reshape(-1)
        if ignore_index is not None:
            keep = yi != ignore_index
            xi, yi = xi[keep], yi[keep]
        g = yi.astype(np.float64)
        err = 1 - xi * (2 * g - 1)
        order = np.argsort(-err, kind="stable")
        # the hinge takes relu of the sorted errors: same order, same Jaccard gradient
        val = 0.0
        if g.size:
            gs = g[order]
            total = gs.sum()
            jac = np.array(
                [
                    1 - (total - gs[: i + 1].sum()) / (total + (1 - gs[: i + 1]).sum())
                    for i in range(gs.size)
                ]
            )
            val = float(
                np.dot(np.maximum(err[order], 0.0), np.concatenate([jac[:1], np.diff(jac)]))
            )
        out.append(val)
        has.append(float(g.size > 0))
    loss = np.array(out) if per_image else np.asarray(out[0])
    mask = np.array(has) if per_image else np.asarray(has[0])
    return _masked(loss, mask, reduction, weights)
