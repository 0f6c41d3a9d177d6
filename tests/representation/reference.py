"""Independent float64 NumPy references for the representation losses, written from the
papers with plain loops (no masks, no log-space tricks beyond a max-shifted logsumexp).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from support.reference import weighted_reduce


def _f(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


def _lse(v: list[float]) -> float:
    m = max(v)
    return m + math.log(sum(math.exp(a - m) for a in v))


def info_nce(
    queries: Any,
    keys: Any,
    *,
    temperature: float = 0.1,
    labels: Any = None,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    q, k = _unit(_f(queries)), _unit(_f(keys))
    n = len(q)
    y = range(n) if labels is None else [int(v) for v in labels]
    loss = np.zeros(n)
    for i, yi in enumerate(y):
        s = [float(q[i] @ k[j]) / temperature for j in range(len(k))]
        loss[i] = _lse(s) - s[yi]
    return weighted_reduce(loss, reduction, weights)


def _multi_positive(z: np.ndarray, lab: list[int], tau: float) -> tuple[np.ndarray, np.ndarray]:
    b = len(z)
    loss, has = np.zeros(b), np.zeros(b)
    for i in range(b):
        s = {k: float(z[i] @ z[k]) / tau for k in range(b) if k != i}
        den = _lse(list(s.values()))
        pos = [p for p in s if lab[p] == lab[i]]
        if pos:
            loss[i] = -sum(s[p] - den for p in pos) / len(pos)
            has[i] = 1.0
    return loss, has


def nt_xent(
    embeddings: Any,
    *,
    temperature: float = 0.5,
    labels: Any = None,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    z = _unit(_f(embeddings))
    b = len(z)
    lab = [i % (b // 2) for i in range(b)] if labels is None else [int(v) for v in labels]
    loss, has = _multi_positive(z, lab, temperature)
    return weighted_reduce(loss, reduction, weights, has)


def clip_loss(
    image_embeddings: Any,
    text_embeddings: Any,
    *,
    logit_scale: float = math.log(1 / 0.07),
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    u, v = _unit(_f(image_embeddings)), _unit(_f(text_embeddings))
    n = len(u)
    L = np.exp(logit_scale) * (u @ v.T)
    loss = np.array(
        [0.5 * ((_lse(list(L[i])) - L[i, i]) + (_lse(list(L[:, i])) - L[i, i])) for i in range(n)]
    )
    return weighted_reduce(loss, reduction, weights)


def siglip_loss(
    image_embeddings: Any,
    text_embeddings: Any,
    *,
    logit_scale: float = math.log(10.0),
    logit_bias: float = -10.0,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    u, v = _unit(_f(image_embeddings)), _unit(_f(text_embeddings))
    n = len(u)
    loss = np.zeros(n)
    for i in range(n):
        for j in range(n):
            z = 1.0 if i == j else -1.0
            x = z * (np.exp(logit_scale) * float(u[i] @ v[j]) + logit_bias)
            loss[i] += math.log1p(math.exp(-x)) if x > -30 else -x  # -log sigmoid(x)
    return weighted_reduce(loss, reduction, weights)


def supcon_loss(
    features: Any,
    labels: Any = None,
    *,
    temperature: float = 0.07,
    base_temperature: float = 0.07,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    f = _unit(_f(features))
    n, v, d = f.shape
    lab0 = list(range(n)) if labels is None else [int(x) for x in labels]
    z = f.reshape(n * v, d)
    lab = [lab0[a // v] for a in range(n * v)]
    loss, has = _multi_positive(z, lab, temperature)
    loss = (temperature / base_temperature) * loss
    return weighted_reduce(loss.reshape(n, v), reduction, weights, has.reshape(n, v))


def _pnorm(x: np.ndarray, p: float) -> float:
    return float(np.sum(np.abs(x) ** p) ** (1.0 / p))


def triplet_margin_loss(
    anchor: Any,
    positive: Any,
    negative: Any,
    *,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    soft: bool = False,
    axis: int = -1,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    a, po, ne = (np.moveaxis(_f(x), axis, -1) for x in (anchor, positive, negative))
    shape = a.shape[:-1]
    a, po, ne = (x.reshape(-1, x.shape[-1]) for x in (a, po, ne))
    loss = np.zeros(len(a))
    for i in range(len(a)):
        dp = _pnorm(a[i] - po[i] + eps, p)
        dn = _pnorm(a[i] - ne[i] + eps, p)
        if swap:
            dn = min(dn, _pnorm(po[i] - ne[i] + eps, p))
        loss[i] = math.log1p(math.exp(dp - dn)) if soft else max(0.0, margin + dp - dn)
    return weighted_reduce(loss.reshape(shape), reduction, weights)


def _dist(x: np.ndarray) -> np.ndarray:
    n = len(x)
    return np.array([[float(np.linalg.norm(x[i] - x[j])) for j in range(n)] for i in range(n)])


def batch_hard_triplet_loss(
    embeddings: Any,
    labels: Any,
    *,
    margin: float = 0.2,
    soft: bool = False,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    x, y = _f(embeddings), [int(v) for v in labels]
    d = _dist(x)
    n = len(x)
    loss, valid = np.zeros(n), np.zeros(n)
    for a in range(n):
        pos = [d[a, p] for p in range(n) if p != a and y[p] == y[a]]
        neg = [d[a, k] for k in range(n) if y[k] != y[a]]
        if pos and neg:
            t = max(pos) - min(neg)
            loss[a] = math.log1p(math.exp(t)) if soft else max(0.0, margin + t)
            valid[a] = 1.0
    return weighted_reduce(loss, reduction, weights, valid)


def batch_all_triplet_loss(
    embeddings: Any,
    labels: Any,
    *,
    margin: float = 0.2,
    soft: bool = False,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    x, y = _f(embeddings), [int(v) for v in labels]
    d = _dist(x)
    n = len(x)
    loss, valid = np.zeros((n, n, n)), np.zeros((n, n, n))
    for a in range(n):
        for p in range(n):
            for k in range(n):
                if p != a and y[p] == y[a] and y[k] != y[a]:
                    t = d[a, p] - d[a, k]
                    loss[a, p, k] = math.log1p(math.exp(t)) if soft else max(0.0, margin + t)
                    valid[a, p, k] = 1.0
    return weighted_reduce(loss, reduction, weights, valid)


def contrastive_loss(
    x1: Any,
    x2: Any,
    same: Any,
    *,
    margin: float = 1.0,
    axis: int = -1,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    a, b = np.moveaxis(_f(x1), axis, -1), np.moveaxis(_f(x2), axis, -1)
    d = np.linalg.norm(a - b, axis=-1)
    s = _f(same)
    loss = s * 0.5 * d**2 + (1 - s) * 0.5 * np.maximum(0.0, margin - d) ** 2
    return weighted_reduce(loss, reduction, weights)


def cosine_embedding_loss(
    x1: Any,
    x2: Any,
    y: Any,
    *,
    margin: float = 0.0,
    axis: int = -1,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    a, b = np.moveaxis(_f(x1), axis, -1), np.moveaxis(_f(x2), axis, -1)
    cos = (a * b).sum(-1) / np.sqrt(((a * a).sum(-1) + 1e-12) * ((b * b).sum(-1) + 1e-12))
    loss = np.where(np.asarray(y) == 1, 1 - cos, np.maximum(0.0, cos - margin))
    return weighted_reduce(loss, reduction, weights)


def margin_softmax_logits(
    cosine: Any,
    labels: Any,
    *,
    scale: float = 64.0,
    m1: float = 1.0,
    m2: float = 0.5,
    m3: float = 0.0,
    axis: int = -1,
) -> np.ndarray:
    c = np.moveaxis(np.clip(_f(cosine), -1, 1), axis, -1).copy()
    flat = c.reshape(-1, c.shape[-1])
    out = flat.copy()
    for i, y in enumerate(np.asarray(labels).reshape(-1)):
        theta = math.acos(flat[i, y])
        out[i, y] = math.cos(m1 * theta + m2) - m3
    return np.moveaxis(scale * out.reshape(c.shape), -1, axis)


REFERENCES: dict[str, Callable[..., Any]] = {
    "info_nce": info_nce,
    "nt_xent": nt_xent,
    "clip_loss": clip_loss,
    "siglip_loss": siglip_loss,
    "supcon_loss": supcon_loss,
    "triplet_margin_loss": triplet_margin_loss,
    "batch_hard_triplet_loss": batch_hard_triplet_loss,
    "batch_all_triplet_loss": batch_all_triplet_loss,
    "contrastive_loss": contrastive_loss,
    "cosine_embedding_loss": cosine_embedding_loss,
    "margin_softmax_logits": margin_softmax_logits,
}
