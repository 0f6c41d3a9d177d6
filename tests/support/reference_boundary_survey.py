"""Independent float64 references for the survey's remaining boundary losses.

Written from Wang et al. (AAAI 2022) with plain loops: ground-truth boundary by
comparing each pixel with its 4-neighbours, distances by brute force over every
boundary pixel, KL divergences and the direction cross-entropy pixel by pixel.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .reference import weighted_reduce

__all__ = ["active_boundary_loss", "gt_boundary_distance"]

NEIGHBOURS = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]


def gt_boundary_distance(labels: np.ndarray) -> np.ndarray:
    """Euclidean distance of every pixel to the nearest boundary pixel; 0 without any."""
    n, h, w = labels.shape
    out = np.zeros((n, h, w))
    for b in range(n):
        edge = []
        for i in range(h):
            for j in range(w):
                for di, dj in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                    a, c = i + di, j + dj
                    if 0 <= a < h and 0 <= c < w and labels[b, a, c] != labels[b, i, j]:
                        edge.append((i, j))
                        break
        for i in range(h):
            for j in range(w):
                if edge:
                    out[b, i, j] = min(math.hypot(i - a, j - c) for a, c in edge)
    return out


def active_boundary_loss(
    logits: Any,
    labels: Any,
    *,
    distance: Any = None,
    axis: int = -1,
    from_logits: bool = True,
    epsilon: float = 1e-5,
    theta: float = 20.0,
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
    dist = gt_boundary_distance(lab) if distance is None else np.asarray(distance, np.float64)
    loss = np.zeros((n, h, w))
    member = np.zeros((n, h, w))
    for b in range(n):
        for i in range(1, h - 1):
            for j in range(1, w - 1):
                if ignore_index is not None and np.any(
                    lab[b, i - 1 : i + 2, j - 1 : j + 2] == ignore_index
                ):
                    continue
                kl = []
                for di, dj in NEIGHBOURS:
                    q = p[b, i + di, j + dj]
                    kl.append(float(np.sum(p[b, i, j] * np.log(p[b, i, j] / q))))
                if max(kl) <= epsilon:
                    continue
                member[b, i, j] = 1.0
                near = [dist[b, i + di, j + dj] for di, dj in NEIGHBOURS]
                k = int(np.argmin(near))
                ce = math.log(sum(math.exp(v) for v in kl)) - kl[k]
                loss[b, i, j] = min(dist[b, i, j], theta) / theta * ce
    return weighted_reduce(loss * member, reduction, weights, member)
