"""The region losses' per-class sums from index labels (``_lib/_class_sums.py``: a
gather and scatter-adds on torch, no one-hot) equal the one-hot path they replace, in
value and gradient (float64), for every option that changes the sums: ignored
positions, the background dropped, batch sums, class weights, per-sample weights,
channels-first and -last, and invalid labels that cannot be read (NaN, as the
poisoned one-hot gives). The eager size threshold is set to 0 so these small inputs
take the index path."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pytest

import arrayloss as al
from arrayloss._lib import _class_sums
from arrayloss._registry import LOSSES as REGISTRY
from arrayloss.segmentation import _common

torch = pytest.importorskip("torch")

# the per-class region losses: those that sum over devices (axis_name), the same sums
LOSSES = sorted(
    info.name for info in REGISTRY if "axis_name" in inspect.signature(info.loss()).parameters
)
OPTIONS: list[dict[str, Any]] = [
    {},
    {"ignore_index": -1},
    {"include_background": False, "ignore_index": 2},
    {"batch_dice": True, "ignore_index": -1},
    {"class_weights": [0.5, 1.0, 2.0, 1.5]},
    {"reduction": "none"},
]


def _inputs(axis: int, ignore: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    logits = rng.normal(size=(3, 5, 6, 4)) * 2
    labels = rng.integers(0, 4, size=(3, 5, 6))
    labels[1] = 3  # one image all of one class: its other classes are empty
    if ignore is not None:
        labels[0, 0, :3] = ignore
        labels[2, 4, 4] = ignore
    if axis == 1:
        logits = np.moveaxis(logits, -1, 1).copy()
    return logits, labels


def _value_and_grad(name: str, axis: int, options: dict[str, Any]) -> tuple[Any, Any]:
    logits, labels = _inputs(axis, options.get("ignore_index"))
    kw = dict(options)
    if "class_weights" in kw:
        kw["class_weights"] = torch.asarray(kw["class_weights"], dtype=torch.float64)
    if name in ("sensitivity_specificity_loss", "mcc_loss", "generalized_dice_loss"):
        kw.pop("class_weights", None)  # not options of these
    if name == "mcc_loss":
        kw.pop("include_background", None)
    x = torch.asarray(logits, requires_grad=True)
    out = getattr(al, name)(x, torch.asarray(labels), axis=axis, **kw)
    out.sum().backward()
    return out.detach().numpy(), x.grad.numpy()


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: ",".join(o) or "defaults")
@pytest.mark.parametrize("axis", [1, -1])
@pytest.mark.parametrize("name", LOSSES)
def test_index_sums_equal_the_one_hot_path(
    name: str, axis: int, options: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_class_sums, "EAGER_MIN_SIZE", 0)  # these inputs are small
    taken: list[bool] = []
    real = _common._index_overlap_sums

    def spy(*a: Any, **k: Any) -> Any:
        taken.append(True)
        return real(*a, **k)

    monkeypatch.setattr(_common, "_index_overlap_sums", spy)
    fast = _value_and_grad(name, axis, options)
    if name not in ("sensitivity_specificity_loss", "mcc_loss"):  # these read the one-hot
        assert taken, "the index path was not taken"
    monkeypatch.setattr(_common, "has_label_class_sums", lambda logits, xp: False)
    dense = _value_and_grad(name, axis, options)
    for got, want in zip(fast, dense, strict=True):
        assert np.all(np.isfinite(got))
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_unreadable_invalid_labels_poison_their_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    # where labels cannot be read (torch.compile, GPU) an out-of-range label makes its
    # sample's loss NaN on both paths, and leaves the other samples alone
    from arrayloss._lib import _validation

    monkeypatch.setattr(_class_sums, "EAGER_MIN_SIZE", 0)
    monkeypatch.setattr(_validation, "values_readable", lambda *a, **k: False)
    logits, labels = _inputs(1)
    labels[2, 0, 0] = 9
    x, y = torch.asarray(logits), torch.asarray(labels)
    fast = al.dice_loss(x, y, axis=1, reduction="none").numpy()
    monkeypatch.setattr(_common, "has_label_class_sums", lambda logits, xp: False)
    dense = al.dice_loss(x, y, axis=1, reduction="none").numpy()
    assert np.all(np.isnan(fast[2]))
    assert np.all(np.isfinite(fast[:2]))
    np.testing.assert_allclose(fast, dense, rtol=1e-12, equal_nan=True)
