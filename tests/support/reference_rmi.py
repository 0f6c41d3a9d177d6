"""Independent float64 NumPy reference for the region mutual information loss.

Written from Zhao et al. 2019 (arXiv:1910.12037) and the definitions of the reference
code (ZJULearning/RMI): explicit pooling windows, explicit neighbourhood loops,
``np.linalg.inv`` and ``np.linalg.slogdet``. Shares nothing with arrayloss.
"""

from __future__ import annotations

import itertools

import numpy as np


def _pool_map(x: np.ndarray, stride: int, pool: str) -> np.ndarray:
    """Pool one ``(*S)`` map, kernel = stride, padding stride // 2 (zeros count in avg)."""
    pad = stride // 2
    out = [(n + 2 * pad - stride) // stride + 1 for n in x.shape]
    fill = 0.0 if pool == "avg" else -np.inf
    padded = np.pad(x, [(pad, pad)] * x.ndim, constant_values=fill)
    result = np.empty(out)
    for idx in itertools.product(*(range(o) for o in out)):
        window = padded[tuple(slice(i * stride, i * stride + stride) for i in idx)]
        result[idx] = window.mean() if pool == "avg" else window.max()
    return result


def _vectors(x: np.ndarray, radius: int) -> np.ndarray:
    """``(d, M)``: the radius^k window of every valid corner, one column each."""
    valid = [n - radius + 1 for n in x.shape]
    columns = []
    for corner in itertools.product(*(range(v) for v in valid)):
        window = x[tuple(slice(c, c + radius) for c in corner)]
        columns.append(window.reshape(-1))
    return np.array(columns).T


def rmi_term(prob: np.ndarray, target: np.ndarray, radius: int, eps: float) -> float:
    """``0.5 log det(S_Y - S_YP (S_P + eps I)^-1 S_PY + eps I) / d - 0.5 log eps``."""
    y = _vectors(target, radius)
    p = _vectors(prob, radius)
    d = y.shape[0]
    y = y - y.mean(axis=1, keepdims=True)
    p = p - p.mean(axis=1, keepdims=True)
    s_y, s_p, s_yp = y @ y.T, p @ p.T, y @ p.T
    conditional = s_y - s_yp @ np.linalg.inv(s_p + eps * np.eye(d)) @ s_yp.T
    sign, logdet = np.linalg.slogdet(conditional + eps * np.eye(d))
    assert sign > 0
    return 0.5 * logdet / d - 0.5 * np.log(eps)


def rmi_reference(
    logits: np.ndarray,
    target: np.ndarray,
    *,
    radius: int = 3,
    stride: int = 3,
    pool: str = "avg",
    lambda_: float = 0.5,
    eps: float = 5e-4,
    keep: np.ndarray | None = None,
    from_logits: bool = True,
) -> np.ndarray:
    """Per-sample loss ``(N,)``; ``logits`` and float ``target`` are ``(N, C, *S)``.

    ``keep`` (bool, broadcastable to ``logits``) marks the kept elements; ignored
    ones are left out of the BCE and set to 0 in both maps of the RMI term.
    """
    logits = np.asarray(logits, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    n, c = logits.shape[:2]
    keep = np.ones(logits.shape, bool) if keep is None else np.broadcast_to(keep, logits.shape)
    out = np.zeros(n)
    for i in range(n):
        bce_sum, kept = 0.0, 0
        for idx in np.ndindex(*logits.shape[1:]):
            if not keep[(i, *idx)]:
                continue
            z, g = logits[(i, *idx)], target[(i, *idx)]
            p = 1.0 / (1.0 + np.exp(-z)) if from_logits else z
            bce_sum += -(g * np.log(p) + (1.0 - g) * np.log(1.0 - p))
            kept += 1
        if kept == 0:
            continue  # every position ignored: 0
        bce = c * bce_sum / kept
        rmi = 0.0
        for k in range(c):
            m = keep[i, k]
            prob = logits[i, k]
            prob = 1.0 / (1.0 + np.exp(-prob)) if from_logits else prob
            prob, g = np.where(m, prob, 0.0), np.where(m, target[i, k], 0.0)
            if stride > 1:
                prob, g = _pool_map(prob, stride, pool), _pool_map(g, stride, pool)
            rmi += rmi_term(prob, g, radius, eps)
        out[i] = lambda_ * bce + (1.0 - lambda_) * rmi
    return out
