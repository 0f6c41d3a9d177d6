"""Independent float64 references for the survey's remaining boundary losses.

Active boundary loss, written from Wang et al. (AAAI 2022) and the authors' released
``abl.py`` with plain loops: seeds where KL to the pixel below plus KL to the pixel
to the right exceeds a threshold grown by 1.2 until at most ``floor(ratio * H * W)``
seeds remain (per image), a 3x3 dilation, the ground-truth boundary (label differs
below or to the right, or ignored), brute-force distances minus one, the first
nearest neighbour in the code's order, KL(neighbour || centre) and the
label-smoothed cross-entropy pixel by pixel.

Conditional boundary loss, written from the authors' ``CBLocr_head.py`` (context
loss, neighbour-centre classification, pull to the correct neighbours' centre) per
image with explicit loops over pixels, window offsets and classes; the default
boundary by brute force over each pixel's Chebyshev window.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .reference import weighted_reduce

__all__ = [
    "active_boundary_loss",
    "cbl_boundary",
    "conditional_boundary_loss",
    "gt_boundary_distance",
]

# (row, column) steps, the order of the authors' code; index 8 is the pixel itself
NEIGHBOURS = [(1, 0), (-1, 0), (0, -1), (0, 1), (-1, 1), (1, 1), (-1, -1), (1, -1)]


def gt_boundary_distance(labels: np.ndarray, ignore_index: int | None = None) -> np.ndarray:
    """max(distance to the nearest ground-truth boundary pixel - 1, 0); 0 without any."""
    n, h, w = labels.shape
    out = np.zeros((n, h, w))
    for b in range(n):
        edge = []
        for i in range(h):
            for j in range(w):
                lab = labels[b, i, j]
                below = i + 1 < h and labels[b, i + 1, j] != lab
                right = j + 1 < w and labels[b, i, j + 1] != lab
                if below or right or (ignore_index is not None and lab == ignore_index):
                    edge.append((i, j))
        for i in range(h):
            for j in range(w):
                if edge:
                    d = min(math.hypot(i - a, j - c) for a, c in edge)
                    out[b, i, j] = max(d - 1.0, 0.0)
    return out


def _kl(p: np.ndarray, q: np.ndarray) -> float:
    """KL(p || q) with 0 log 0 = 0."""
    return float(sum(a * math.log(a / c) for a, c in zip(p, q, strict=True) if a > 0))


def active_boundary_loss(
    logits: Any,
    labels: Any,
    *,
    distance: Any = None,
    axis: int = -1,
    from_logits: bool = True,
    epsilon: float = 1e-5,
    max_ratio: float | None = 0.01,
    theta: float = 20.0,
    label_smoothing: float = 0.2,
    ignore_index: int | None = None,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    x = np.moveaxis(np.asarray(logits, dtype=np.float64), axis, -1)
    lab = np.asarray(labels)
    if np.issubdtype(lab.dtype, np.floating):
        lab = np.argmax(np.moveaxis(lab, axis, -1), axis=-1)
    if from_logits:
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        p = e / e.sum(axis=-1, keepdims=True)
    else:
        p = x
    n, h, w, _ = p.shape
    if distance is None:
        dist = gt_boundary_distance(lab, ignore_index)
    else:
        dist = np.asarray(distance, np.float64)
    loss = np.zeros((n, h, w))
    member = np.zeros((n, h, w))
    for b in range(n):
        seed_kl = np.zeros((h, w))
        for i in range(h):
            for j in range(w):
                if i + 1 < h:
                    seed_kl[i, j] += _kl(p[b, i, j], p[b, i + 1, j])
                if j + 1 < w:
                    seed_kl[i, j] += _kl(p[b, i, j], p[b, i, j + 1])
        eps = epsilon
        if max_ratio is not None:
            while np.count_nonzero(seed_kl > eps) > math.floor(max_ratio * h * w):
                eps *= 1.2
        seeds = seed_kl > eps
        for i in range(h):
            for j in range(w):
                window = seeds[max(i - 1, 0) : i + 2, max(j - 1, 0) : j + 2]
                if not window.any():
                    continue
                if ignore_index is not None and np.any(
                    lab[b, max(i - 1, 0) : i + 2, max(j - 1, 0) : j + 2] == ignore_index
                ):
                    continue
                near = []
                kl = []
                for di, dj in NEIGHBOURS:
                    a, c = i + di, j + dj
                    inside = 0 <= a < h and 0 <= c < w
                    near.append(dist[b, a, c] if inside else math.inf)
                    # outside the image the distribution repeats the edge pixel's
                    q = p[b, min(max(a, 0), h - 1), min(max(c, 0), w - 1)]
                    kl.append(_kl(q, p[b, i, j]))
                near.append(dist[b, i, j])
                k = int(np.argmin(near))
                if k == 8:
                    continue
                member[b, i, j] = 1.0
                lse = math.log(sum(math.exp(v) for v in kl))
                target = [label_smoothing / 8] * 8
                target[k] = 1.0 - label_smoothing
                ce = sum(t * (lse - v) for t, v in zip(target, kl, strict=True))
                loss[b, i, j] = min(dist[b, i, j], theta) / theta * ce
    return weighted_reduce(loss * member, reduction, weights, member)


def cbl_boundary(labels: np.ndarray, ignore_index: int | None, ratio: float = 0.02) -> np.ndarray:
    """Kept pixels within Chebyshev distance d of another label, an ignored pixel or
    the image border; d = max(1, round(ratio * diagonal))."""
    n, h, w = labels.shape
    d = max(1, round(ratio * math.hypot(h, w)))
    out = np.zeros((n, h, w), dtype=bool)
    for b in range(n):
        for i in range(h):
            for j in range(w):
                lab = labels[b, i, j]
                if ignore_index is not None and lab == ignore_index:
                    continue
                for a in range(i - d, i + d + 1):
                    for c in range(j - d, j + d + 1):
                        if not (0 <= a < h and 0 <= c < w) or labels[b, a, c] != lab:
                            out[b, i, j] = True
    return out


def conditional_boundary_loss(
    features: Any,
    labels: Any,
    *,
    logits: Any,
    detach: bool = True,
    classifier_weight: Any = None,
    classifier_bias: Any = None,
    boundary: Any = None,
    axis: int = -1,
    kernel_size: int = 5,
    dilation_ratio: float = 0.02,
    context_weight: float = 1.0,
    nce_weight: float = 0.2,
    center_weight: float = 2.0,
    ignore_index: int | None = None,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    f = np.moveaxis(np.asarray(features, dtype=np.float64), axis, -1)
    pred = np.argmax(np.moveaxis(np.asarray(logits, dtype=np.float64), axis, -1), axis=-1)
    lab = np.asarray(labels)
    if np.issubdtype(lab.dtype, np.floating):
        lab = np.argmax(np.moveaxis(lab, axis, -1), axis=-1)
    n, h, w, _ = f.shape
    ncls = int(np.asarray(logits).shape[axis])
    edge = (
        cbl_boundary(lab, ignore_index, dilation_ratio)
        if boundary is None
        else np.asarray(boundary, dtype=bool)
    )
    r = kernel_size // 2

    def kept(b: int, a: int, c: int) -> bool:
        return ignore_index is None or lab[b, a, c] != ignore_index

    out = np.zeros(n)
    valid = np.zeros(n)
    for b in range(n):
        ctx_terms = []
        sums: dict[str, dict[int, list[float]]] = {"nce_a": {}, "nce_b": {}, "cn": {}}
        for i in range(h):
            for j in range(w):
                if not edge[b, i, j] or not kept(b, i, j):
                    continue
                y = lab[b, i, j]
                same, good = [], []
                for a in range(i - r, i + r + 1):
                    for c in range(j - r, j + r + 1):
                        if (a, c) == (i, j) or not (0 <= a < h and 0 <= c < w):
                            continue
                        if kept(b, a, c) and lab[b, a, c] == y:
                            same.append(f[b, a, c])
                            if pred[b, a, c] == y:
                                good.append(f[b, a, c])
                if r <= i < h - r and r <= j < w - r:
                    for a in range(i - r, i + r + 1):
                        for c in range(j - r, j + r + 1):
                            if (a, c) == (i, j):
                                continue
                            u, v = f[b, i, j], f[b, a, c]
                            cos = u @ v / math.sqrt(max((u @ u) * (v @ v), 1e-16))
                            s = float(kept(b, a, c) and lab[b, a, c] == y)
                            ctx_terms.append((cos - s) ** 2)

                def xent(centre: np.ndarray, y: int = y) -> float:
                    z = np.asarray(classifier_weight, np.float64) @ centre
                    if classifier_bias is not None:
                        z = z + np.asarray(classifier_bias, np.float64)
                    return float(math.log(np.sum(np.exp(z))) - z[y])

                if same and nce_weight > 0:
                    sums["nce_a"].setdefault(y, []).append(xent(np.mean(same, axis=0)))
                elif same:
                    sums["nce_a"].setdefault(y, []).append(0.0)
                if good and pred[b, i, j] == y:
                    centre = np.mean(good, axis=0)
                    sums["nce_b"].setdefault(y, []).append(xent(centre) if nce_weight > 0 else 0.0)
                    sums["cn"].setdefault(y, []).append(float(np.mean((f[b, i, j] - centre) ** 2)))
        classes = [c for c in range(ncls) if c in sums["nce_a"] and c in sums["nce_b"]]
        loss = 0.0
        if ctx_terms:
            loss += context_weight * float(np.mean(ctx_terms))
        if classes:
            nce = np.mean([np.mean(sums["nce_a"][c]) + np.mean(sums["nce_b"][c]) for c in classes])
            cn = np.mean([np.mean(sums["cn"][c]) for c in classes])
            loss += nce_weight * float(nce) + center_weight * float(cn)
        out[b] = loss
        valid[b] = float(bool(ctx_terms) or bool(classes))
    return weighted_reduce(out, reduction, weights, valid)
