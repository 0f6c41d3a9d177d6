"""The registry of the sequence losses: CTC with its small deterministic cases.

NumPy is imported inside the functions that build arrays.
"""

from __future__ import annotations

from typing import Any

from .._lib._case import Case, Data, LossInfo, Row, generator
from . import ctc_loss


def ctc_inputs(seed: int, n: int = 4, t: int = 8, c: int = 5, s: int = 3) -> tuple[Any, ...]:
    """Random log-probabilities ``(n, t, c)``, padded targets (blank 0 excluded), lengths;
    sequence 1 is impossible (3 labels with a repeat in 3 frames)."""
    import numpy as np

    rng = generator(seed)
    x = rng.normal(size=(n, t, c))
    lp = x - np.log(np.exp(x).sum(axis=-1, keepdims=True))
    targets = rng.integers(1, c, size=(n, s))
    il = rng.integers(s + 2, t + 1, size=(n,))
    tl = rng.integers(0, s + 1, size=(n,))
    targets[1] = [2, 2, 3]
    il[1], tl[1] = 3, 3
    return lp, targets, il, tl


def _ctc_cases() -> list[Case]:
    import numpy as np

    lp, y, il, tl = ctc_inputs(170)
    il_ok = il.copy()
    il_ok[1] = 8
    y2 = np.where(y == 4, 0, y)  # blank 4: labels 0..3
    return [
        Case("blank=0, zero_infinity", (lp, y, il, tl), {"zero_infinity": True}),
        Case("all feasible, none", (lp, y, il_ok, tl), {"reduction": "none"}),
        Case(
            "blank=4, sum, zero_infinity",
            (lp, y2, il, tl),
            {"blank": 4, "reduction": "sum", "zero_infinity": True},
        ),
    ]


def _ctc_row(rng: Any) -> Data:
    """Log-softmax ``(3, 7, 4)`` inputs, two labels each, every alignment feasible."""
    import numpy as np

    x = rng.normal(size=(3, 7, 4))
    lp = x - np.log(np.exp(x).sum(axis=-1, keepdims=True))
    lengths = {"input_lengths": np.array([7, 5, 6]), "target_lengths": np.array([2, 1, 2])}
    return lp, rng.integers(1, 4, size=(3, 2)), lengths


LOSSES = (
    LossInfo(
        ctc_loss,
        _ctc_cases,
        static=("blank",),
        rows=(Row("ctc", _ctc_row, jit=True, compile="aot_eager"),),
    ),
)
