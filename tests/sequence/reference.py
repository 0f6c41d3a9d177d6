"""Independent float64 NumPy reference for CTC: Graves et al.'s forward recursion in
probability space with per-step rescaling (the paper's section 4.1 form), loops only.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from support.reference import weighted_reduce


def _nll(lp: np.ndarray, y: list[int], blank: int) -> float:
    """-log p(y | x) from the scaled alpha recursion (eq. 5-6 of the paper)."""
    t_len = lp.shape[0]
    ext = [blank]
    for c in y:
        ext += [c, blank]
    n = len(ext)
    if t_len == 0:
        return 0.0 if not y else math.inf
    prob = np.exp(lp)
    alpha = np.zeros(n)
    alpha[0] = prob[0, blank]
    if n > 1:
        alpha[1] = prob[0, ext[1]]
    log_scale = 0.0
    c = alpha.sum()
    if c == 0:
        return math.inf
    alpha /= c
    log_scale += math.log(c)
    for t in range(1, t_len):
        new = np.zeros(n)
        for s in range(n):
            a = alpha[s] + (alpha[s - 1] if s >= 1 else 0.0)
            if s >= 2 and ext[s] != blank and ext[s] != ext[s - 2]:
                a += alpha[s - 2]
            new[s] = a * prob[t, ext[s]]
        c = new.sum()
        if c == 0:
            return math.inf
        alpha = new / c
        log_scale += math.log(c)
    end = alpha[n - 1] + (alpha[n - 2] if n > 1 else 0.0)
    return math.inf if end == 0 else -(math.log(end) + log_scale)


def ctc_loss(
    log_probs: Any,
    targets: Any,
    input_lengths: Any,
    target_lengths: Any,
    *,
    blank: int = 0,
    zero_infinity: bool = False,
    weights: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    lp = np.asarray(log_probs, dtype=np.float64)
    loss = np.zeros(lp.shape[0])
    for i in range(lp.shape[0]):
        y = [int(v) for v in np.asarray(targets)[i, : int(target_lengths[i])]]
        v = _nll(lp[i, : int(input_lengths[i])], y, blank)
        loss[i] = 0.0 if (zero_infinity and math.isinf(v)) else max(v, 0.0)
    if reduction == "mean":
        loss = loss / np.maximum(np.asarray(target_lengths, dtype=np.float64), 1.0)
    return weighted_reduce(loss, reduction, weights)


REFERENCES: dict[str, Callable[..., Any]] = {"ctc_loss": ctc_loss}
