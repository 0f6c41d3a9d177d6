"""Compound losses: combine, dice_ce_loss, dice_focal_loss, combo_loss, exp_log_loss,
unified_focal_loss.

Values come from ``support.reference`` (dice, CE, focal, BCE: each already checked
against torch/MONAI) and ``support.reference_compound`` (the papers' equations in
loops); peers (MONAI) at the bottom.
"""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest

import arrayloss as al
from classification import reference as cref
from segmentation import reference as sref
from support import reference as ref
from support.backends import Backend

# (logits shape, class axis)
LAYOUTS = {
    "nchw": ((2, 3, 3, 4), 1),
    "nhwc": ((2, 3, 4, 3), -1),
    "ncdhw": ((2, 3, 2, 3, 2), 1),  # 3-D volume, channels-first
}


def _data(layout: str, seed: int = 0, ignore: int | None = None) -> tuple[Any, ...]:
    rng = np.random.default_rng(seed)
    shape, axis = LAYOUTS[layout]
    ax = axis % len(shape)
    logits = rng.normal(0.0, 2.0, size=shape)
    labels = rng.integers(0, shape[ax], size=shape[:ax] + shape[ax + 1 :])
    if ignore is not None:
        labels.reshape(-1)[::4] = ignore
    return logits, labels, axis, rng


def _mean_sum(
    backend: Backend, fn: Any, logits: Any, labels: Any, dtype: str = "float64", **kw: Any
) -> dict[str, np.ndarray]:
    """``fn`` with "mean" and "sum" in one ``backend.call``; checked dtype/shape/namespace."""
    compute = "float64" if dtype == "float64" else "float32"
    args = (ref.to_backend(backend, logits, dtype), ref.to_backend(backend, labels, dtype))
    bkw = {k: ref.to_backend(backend, v, dtype) for k, v in kw.items()}

    def both(*a: Any, **k: Any) -> tuple[Any, Any]:
        return fn(*a, **k, reduction="mean"), fn(*a, **k, reduction="sum")

    outs = backend.call(both, *args, **bkw)
    return {
        r: backend.check_result(o, dtype=backend.dtype(compute), shape=())
        for r, o in zip(("mean", "sum"), outs, strict=True)
    }


# -- combine ----------------------------------------------------------------------------


def test_combine_routes_each_keyword_to_the_terms_that_accept_it(backend: Backend) -> None:
    ref.only_subset(backend, 0, {0})
    logits, labels, axis, _ = _data("nchw", ignore=-100)
    loss = al.combine((al.dice_loss, 1.0), (al.focal_loss, 0.5))
    # smooth only goes to dice_loss, gamma only to focal_loss; axis/ignore_index to both
    kw = {"axis": axis, "ignore_index": -100, "smooth": 0.5, "gamma": 1.0}
    got = _mean_sum(backend, loss, logits, labels, **kw)
    for r in ("mean", "sum"):
        dice = sref.dice_loss(
            logits, labels, axis=axis, ignore_index=-100, smooth=0.5, reduction=r
        )
        foc = cref.focal_loss_basic(
            logits, labels, axis=axis, ignore_index=-100, gamma=1.0, reduction=r
        )
        ref.assert_close(got[r], dice + 0.5 * foc, "float64", r)


def test_combine_none_sums_same_shapes_and_rejects_mismatched() -> None:
    logits, labels, axis, _ = _data("nchw")
    same = al.combine((al.cross_entropy, 2.0), (al.focal_loss, -1.0))
    got = same(logits, labels, axis=axis, reduction="none")
    want = 2.0 * cref.cross_entropy(logits, labels, axis=axis, reduction="none")
    want = want - cref.focal_loss_basic(logits, labels, axis=axis, reduction="none")
    assert got.shape == (2, 3, 4)
    ref.assert_close(got, want, "float64")
    mixed = al.combine((al.dice_loss, 1.0), (al.cross_entropy, 1.0))
    msg = (
        r'combine\(dice_loss, cross_entropy\) with reduction="none": the terms return '
        r"different shapes \(dice_loss \(2, 3\), cross_entropy \(2, 3, 4\)\), so they "
        r'cannot be added; use "mean" or "sum"'
    )
    with pytest.raises(ValueError, match=msg):
        mixed(logits, labels, axis=axis, reduction="none")


def test_combine_unknown_keyword_is_type_error() -> None:
    loss = al.combine((al.dice_loss, 1.0), (al.cross_entropy, 1.0))
    with pytest.raises(
        TypeError,
        match=r"combine\(dice_loss, cross_entropy\) got keyword argument\(s\) 'gama' "
        "that no term accepts",
    ):
        loss(np.zeros((2, 3)), np.array([0, 1]), gama=2.0)


def test_combine_kwargs_term_receives_everything() -> None:
    seen: dict[str, Any] = {}

    def spy(logits: Any, labels: Any, **kw: Any) -> Any:
        seen.update(kw)
        return al.cross_entropy(logits, labels, reduction=kw.get("reduction", "mean"))

    loss = al.combine((spy, 1.0), (al.focal_loss, 1.0))
    loss(np.zeros((2, 3)), np.array([0, 1]), gamma=1.0, anything=3)
    assert seen == {"gamma": 1.0, "anything": 3}


def test_combine_pickle_repr_and_name() -> None:
    loss = al.combine((al.dice_loss, 1.0), (al.focal_loss, 0.5))
    assert repr(loss) == "combine((dice_loss, 1.0), (focal_loss, 0.5))"
    assert loss.__name__ == "combine(dice_loss, focal_loss)"
    back = pickle.loads(pickle.dumps(loss))
    logits, labels, axis, _ = _data("nchw")
    np.testing.assert_array_equal(back(logits, labels, axis=axis), loss(logits, labels, axis=axis))


def test_combine_bad_terms() -> None:
    with pytest.raises(ValueError, match="combine needs at least one"):
        al.combine()
    with pytest.raises(TypeError, match=r"combine term 0 must be a \(loss function, weight\)"):
        al.combine(al.dice_loss)  # type: ignore[arg-type]
    with pytest.raises((TypeError, ValueError), match="weight of combine term 1"):
        al.combine((al.dice_loss, 1.0), (al.focal_loss, "x"))  # type: ignore[arg-type]
