"""The one metrics signature against scikit-learn, hand values, the streaming
confusion state (update / merge / read out), Dask, and bad input (issue 11 items 5, 8;
issue 17's streaming metrics).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pytest

import arrayloss as al
from metrics import reference as rc

AVERAGES = ("macro", "micro", "weighted", "none")
PRF = (("precision", al.precision), ("recall", al.recall), ("f1", al.f1_score))


def _data(seed: int = 0, shape: tuple[int, ...] = (3, 6, 7), C: int = 5) -> Any:
    rng = np.random.default_rng(seed)
    preds = rng.integers(0, C - 1, size=shape)  # class C-1 never predicted
    labels = rng.integers(0, C - 1, size=shape)
    labels[labels == 2] = 1  # class 2 only predicted, never true
    return preds, labels


@pytest.mark.parametrize("average", AVERAGES)
def test_precision_recall_f1_match_sklearn(average: str) -> None:
    sk = pytest.importorskip("sklearn.metrics")
    preds, labels = _data()
    y, p = labels.ravel(), preds.ravel()
    want = sk.precision_recall_fscore_support(
        y, p, average=None if average == "none" else average, zero_division=0
    )
    for i, (_, fn) in enumerate(PRF):
        got = np.asarray(fn(preds, labels, 5, average=average))
        w = np.asarray(want[i])
        if average == "none":  # sklearn lists only the classes present (0..3)
            np.testing.assert_allclose(got[:4], w, rtol=1e-12)
            assert got[4] == 0.0
        else:
            np.testing.assert_allclose(got, w, rtol=1e-12)


@pytest.mark.parametrize("average", AVERAGES)
def test_iou_matches_sklearn_jaccard(average: str) -> None:
    sk = pytest.importorskip("sklearn.metrics")
    preds, labels = _data(1)
    want = sk.jaccard_score(
        labels.ravel(), preds.ravel(), average=None if average == "none" else average,
        zero_division=0,
    )  # fmt: skip
    for fn in (al.iou_score, al.mean_iou):
        got = np.asarray(fn(preds, labels, 5, average=average))
        np.testing.assert_allclose(got[:4] if average == "none" else got, want, rtol=1e-12)
    # Dice = F1 on every average
    np.testing.assert_allclose(
        al.dice_score(preds, labels, 5, average=average),
        al.f1_score(preds, labels, 5, average=average), rtol=1e-15,
    )  # fmt: skip


@pytest.mark.parametrize("average", ["macro", "micro", "weighted"])
def test_matches_torchmetrics(average: str) -> None:
    """torchmetrics computes in float32; its macro leaves absent classes out as we do."""
    torch = pytest.importorskip("torch")
    tmc = pytest.importorskip("torchmetrics.functional.classification")
    preds, labels = _data(12)
    p, y = torch.tensor(preds), torch.tensor(labels)
    for tm, fn in (
        (tmc.multiclass_precision, al.precision),
        (tmc.multiclass_recall, al.recall),
        (tmc.multiclass_f1_score, al.f1_score),
        (tmc.multiclass_jaccard_index, al.mean_iou),
    ):
        want = float(tm(p, y, 5, average=average))
        np.testing.assert_allclose(float(fn(preds, labels, 5, average=average)), want, rtol=2e-7)


def test_confusion_matrix_and_ignore_index_match_sklearn() -> None:
    sk = pytest.importorskip("sklearn.metrics")
    preds, labels = _data(2)
    labels.reshape(-1)[::3] = -1
    keep = labels.ravel() != -1
    y, p = labels.ravel()[keep], preds.ravel()[keep]
    cm = al.confusion_matrix(preds, labels, 5, ignore_index=-1)
    np.testing.assert_array_equal(cm, sk.confusion_matrix(y, p, labels=range(5)))
    for average in ("macro", "weighted", "micro"):
        want = sk.f1_score(y, p, average=average, zero_division=0)
        got = al.f1_score(preds, labels, 5, ignore_index=-1, average=average)
        np.testing.assert_allclose(got, want, rtol=1e-12)
        np.testing.assert_allclose(al.f1_score(confusion=cm, average=average), want, rtol=1e-12)


def test_binary_mode_is_sklearns_binary_average() -> None:
    sk = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(3)
    scores, labels = rng.normal(size=(4, 9)), rng.integers(0, 2, size=(4, 9))
    p = (1 / (1 + np.exp(-scores)) > 0.3).astype(int).ravel()
    y = labels.ravel()
    for which, fn in PRF:
        want = getattr(sk, f"{which}_score")(y, p, zero_division=0)
        np.testing.assert_allclose(fn(scores, labels, mode="binary", threshold=0.3), want)
    np.testing.assert_allclose(
        al.iou_score(scores, labels, mode="binary", threshold=0.3), sk.jaccard_score(y, p)
    )
    tn, fp, fn_, tp = sk.confusion_matrix(y, p).ravel()
    np.testing.assert_allclose(
        al.false_acceptance_rate(scores, labels, threshold=0.3), fp / (fp + tn)
    )
    np.testing.assert_allclose(
        al.false_rejection_rate(scores, labels, threshold=0.3), fn_ / (fn_ + tp)
    )


def test_hand_values_per_image() -> None:
    """Image 0: preds (0, 1), labels (0, 0); image 1: preds (1, 1), labels (1, 1).

    Per image IoU: image 0 class 0 = 1/2, class 1 = 0/1 = 0; image 1 class 0 absent
    (left out), class 1 = 2/2 = 1. Macro over the present pairs: (1/2 + 0 + 1) / 3.
    Pooled: class 0 = 1/2, class 1 = 2/3, mean 7/12.
    """
    p, y = np.array([[0, 1], [1, 1]]), np.array([[0, 0], [1, 1]])
    np.testing.assert_allclose(al.iou_score(p, y, 2, per_image=True, average="none"),
                               [[0.5, 0.0], [0.0, 1.0]])  # fmt: skip
    np.testing.assert_allclose(al.iou_score(p, y, 2, per_image=True), 0.5)
    np.testing.assert_allclose(al.iou_score(p, y, 2), 7 / 12)
    # micro per image: accuracy of each image, then the mean: (1/2 + 1) / 2
    np.testing.assert_allclose(al.precision(p, y, 2, per_image=True, average="micro"), 0.75)
    np.testing.assert_allclose(rc.overlap(np.eye(2)[p], np.eye(2)[y], "iou", "macro", True), 0.5)


# -- streaming ------------------------------------------------------------------------------


def test_streaming_over_batches_equals_one_shot() -> None:
    preds, labels = _data(4, (8, 5, 6))
    labels.reshape(-1)[::7] = 255
    state = al.confusion_state(5)
    for i in range(0, 8, 3):  # uneven batches 3, 3, 2
        state = al.update_confusion(state, preds[i : i + 3], labels[i : i + 3], ignore_index=255)
    one = al.confusion_matrix(preds, labels, 5, ignore_index=255)
    np.testing.assert_array_equal(state.matrix, one)
    assert int(state.invalid) == 0
    for _, fn in PRF:
        for average in AVERAGES:
            np.testing.assert_allclose(
                fn(confusion=state, average=average),
                fn(preds, labels, 5, ignore_index=255, average=average), rtol=1e-15,
            )  # fmt: skip


def test_merge_is_associative_and_takes_a_list() -> None:
    parts = [_data(s, (2, 4, 4)) for s in (5, 6, 7)]
    a, b, c = (al.update_confusion(al.confusion_state(5), p, y) for p, y in parts)
    left = al.merge_confusion(al.merge_confusion(a, b), c)
    right = al.merge_confusion(a, al.merge_confusion(b, c))
    listed = al.merge_confusion([c, a, b])
    for s in (right, listed):
        np.testing.assert_array_equal(s.matrix, left.matrix)
    everything = al.confusion_matrix(
        np.concatenate([p for p, _ in parts]), np.concatenate([y for _, y in parts]), 5
    )
    np.testing.assert_array_equal(left.matrix, everything)
    with pytest.raises(ValueError, match="cannot merge"):
        al.merge_confusion(a, al.confusion_state(3))
    with pytest.raises(TypeError, match="ConfusionState"):
        al.merge_confusion(a, a.matrix)  # type: ignore[arg-type]


def test_streaming_under_jax_jit_and_scan() -> None:
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    _, labels = _data(8, (6, 4, 5))
    rng = np.random.default_rng(8)
    scores = rng.normal(size=(6, 4, 5, 5)).astype(np.float32)

    @jax.jit
    def run(scores: Any, labels: Any) -> Any:
        def step(state: Any, batch: Any) -> Any:
            return al.update_confusion(state, *batch), None

        state = al.confusion_state(5, labels)
        state, _ = jax.lax.scan(
            step, state, (scores.reshape(3, 2, 4, 5, 5), labels.reshape(3, 2, 4, 5))
        )
        return state, al.mean_iou(confusion=state)

    state, miou = run(jnp.asarray(scores), jnp.asarray(labels))
    np.testing.assert_array_equal(np.asarray(state.matrix), al.confusion_matrix(scores, labels))
    np.testing.assert_allclose(float(miou), float(al.mean_iou(scores, labels)), rtol=1e-6)


def test_nan_scores_make_the_state_and_metrics_nan() -> None:
    scores = np.random.default_rng(9).normal(size=(2, 3, 3))
    labels = np.array([[0, 1, 2], [2, 1, 0]])
    scores[1, 2, 0] = np.nan
    state = al.update_confusion(al.confusion_state(3), scores, labels)
    assert int(state.invalid) == 1
    assert int(np.sum(state.matrix)) == 5  # the NaN position is counted in no cell
    for fn in (al.mean_iou, al.precision, al.dice_score):
        assert np.isnan(fn(confusion=state))
        assert np.isnan(fn(scores, labels))
    assert np.isnan(al.false_acceptance_rate(scores[..., 0], labels > 0))
    # an ignored NaN position does not count
    labels[1, 2] = -1
    assert np.isfinite(al.mean_iou(scores, labels, ignore_index=-1))
    cm = np.eye(3)
    cm[0, 1] = np.nan
    assert np.isnan(al.mean_iou(confusion=cm))
    assert np.isnan(al.mean_iou(confusion=cm, average="none")[0])


def test_dask_confusion_is_lazy_and_equals_numpy() -> None:
    da = pytest.importorskip("dask.array")
    dask = pytest.importorskip("dask")
    preds, labels = _data(10, (12, 16, 16))
    p = da.from_array(preds, chunks=(4, 16, 16))
    y = da.from_array(labels, chunks=(4, 16, 16))
    calls = {"n": 0}

    def block(pb: np.ndarray, yb: np.ndarray) -> np.ndarray:
        calls["n"] += 1
        return np.asarray(al.confusion_matrix(pb, yb, 5))[None]

    per_block = da.map_blocks(
        block,
        p,
        y,
        chunks=((1,) * p.numblocks[0], (5,), (5,)),
        meta=np.empty((0, 0, 0), dtype=np.int64),
    )
    lazy = per_block.sum(axis=0)
    assert calls["n"] == 0  # nothing computed until asked
    with dask.config.set(scheduler="synchronous"):
        total = lazy.compute()
    np.testing.assert_array_equal(total, rc.confusion(preds, labels, 5))
    # the public function on Dask arrays directly: lazy too, same counts
    direct = al.confusion_matrix(p, y, 5)
    assert hasattr(direct, "dask")
    np.testing.assert_array_equal(np.asarray(direct.compute()), total)
    np.testing.assert_allclose(
        al.mean_iou(confusion=total), rc.iou_per_class(total)[0][rc.iou_per_class(total)[1]].mean()
    )


def test_the_docs_streaming_example_runs() -> None:
    import doctest
    import pathlib

    page = pathlib.Path(__file__).parents[2] / "docs" / "metrics.rst"
    result = doctest.testfile(str(page), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 8
    assert result.failed == 0


# -- bad input ------------------------------------------------------------------------------


def test_scores_of_the_wrong_shape_name_both_shapes() -> None:
    logits = np.zeros((4, 2, 5, 3))
    labels = np.zeros((2, 4, 5), dtype=int)
    for fn in (al.precision, al.mean_iou, al.dice_score, al.confusion_matrix):
        with pytest.raises(ValueError, match=r"\(4, 2, 5, 3\).*\(2, 4, 5\)"):
            fn(logits, labels)


def test_out_of_range_message_names_num_classes_when_given() -> None:
    p, y = np.array([0, 1, 2]), np.array([0, 1, 4])
    with pytest.raises(ValueError, match=r"labels .*num_classes=3"):
        al.precision(p, y, 3)
    with pytest.raises(ValueError, match=r"preds .*num_classes=3"):
        al.recall(np.array([0, 1, 3]), np.array([0, 1, 2]), 3)
    with pytest.raises(ValueError, match="num_classes is required"):
        al.f1_score(p, y)


def test_threshold_may_be_traced() -> None:
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    rng = np.random.default_rng(11)
    scores, labels = rng.normal(size=(3, 8)), rng.integers(0, 2, size=(3, 8))
    f = jax.jit(functools.partial(al.f1_score, mode="binary"))
    for t in (0.2, 0.5, 0.8):
        got = f(jnp.asarray(scores), jnp.asarray(labels), threshold=jnp.asarray(t))
        np.testing.assert_allclose(
            float(got), float(al.f1_score(scores, labels, mode="binary", threshold=t)), rtol=1e-6
        )
