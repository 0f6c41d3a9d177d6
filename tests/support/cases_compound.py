"""Transformation-suite rows for the compound losses (issue 4).

Logits are continuous draws, so every term (Dice, CE, focal, Tversky, the powers of
exp-log and unified focal at x > 0) is one smooth piece around the draw. The metrics
are not differentiable and are checked under jit/compile in ``tests/test_metrics.py``.
"""

from __future__ import annotations

import numpy as np

import arrayloss as al

from .case import Case, Data


def _nhwc(rng: np.random.Generator) -> Data:
    logits = rng.normal(0.0, 1.5, size=(2, 3, 4, 3))
    return logits, rng.integers(0, 3, size=(2, 3, 4)), {}


def _nchw_ignore(rng: np.random.Generator) -> Data:
    logits = rng.normal(0.0, 1.5, size=(2, 3, 3, 4))
    labels = rng.integers(0, 3, size=(2, 3, 4))
    labels[0, 0, :2] = -100
    return logits, labels, {}


def _weighted(rng: np.random.Generator) -> Data:
    logits, labels, _ = _nhwc(rng)
    return logits, labels, {"class_weights": rng.uniform(0.5, 2.0, size=(3,))}


def _multilabel(rng: np.random.Generator) -> Data:
    logits = rng.normal(0.0, 1.5, size=(2, 3, 3, 4))
    return logits, rng.integers(0, 2, size=(2, 3, 3, 4)).astype(np.float64), {}


def _binary(rng: np.random.Generator) -> Data:
    logits = rng.normal(0.0, 1.5, size=(2, 1, 3, 4))
    return logits, rng.integers(0, 2, size=(2, 3, 4)), {}


DICE_FOCAL = al.combine((al.dice_loss, 1.0), (al.focal_loss, 0.5))

CASES: list[Case] = [
    Case("dice-ce", al.dice_ce_loss, _nhwc, compile="aot_eager", eager_jit=True),
    Case(
        "dice-ce-nchw-ignore-sum",
        al.dice_ce_loss,
        _nchw_ignore,
        {"axis": 1, "ignore_index": -100, "reduction": "sum", "lambda_ce": 0.5},
    ),
    Case("dice-ce-weighted", al.dice_ce_loss, _weighted, {"include_background": False}),
    Case("dice-focal", al.dice_focal_loss, _nhwc, {"gamma": 1.5}, compile="aot_eager"),
    Case(
        "dice-focal-multilabel",
        al.dice_focal_loss,
        _multilabel,
        {"mode": "multilabel", "axis": 1, "batch_dice": True},
    ),
    Case("combo", al.combo_loss, _nhwc, {"beta": 0.7}, compile="aot_eager", eager_jit=True),
    Case(
        "combo-nchw-ignore-no-background",
        al.combo_loss,
        _nchw_ignore,
        {"axis": 1, "ignore_index": -100, "include_background": False},
    ),
    Case("combo-multilabel", al.combo_loss, _multilabel, {"mode": "multilabel", "axis": 1}),
    Case("exp-log", al.exp_log_loss, _nhwc, compile="aot_eager"),
    Case(
        "exp-log-nchw-ignore-sum",
        al.exp_log_loss,
        _nchw_ignore,
        {"axis": 1, "ignore_index": -100, "reduction": "sum", "gamma": 0.5},
    ),
    Case("exp-log-class-weights", al.exp_log_loss, _weighted),
    Case("unified-focal", al.unified_focal_loss, _nhwc, compile="aot_eager", eager_jit=True),
    Case(
        "unified-focal-symmetric-ignore",
        al.unified_focal_loss,
        _nchw_ignore,
        {"axis": 1, "ignore_index": -100, "symmetric": True},
    ),
    Case("unified-focal-binary", al.unified_focal_loss, _binary, {"mode": "binary", "axis": 1}),
    Case("combine-dice-focal", DICE_FOCAL, _nhwc, {"gamma": 1.0}, compile="aot_eager"),
    Case(
        "combine-dice-focal-nchw-ignore",
        DICE_FOCAL,
        _nchw_ignore,
        {"axis": 1, "ignore_index": -100, "smooth": 0.5},
    ),
]
