"""Segmentation metrics: confusion_matrix, precision/recall/F1, mean_iou, dice/iou scores,
false acceptance/rejection rates.

References: a brute-force ``np.add.at`` confusion matrix and the scikit-learn /
MONAI conventions written out in ``support.reference_compound``; peers where installed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import arrayloss as al
from metrics import reference as rc
from support import reference as ref
from support.backends import Backend


def _labels(seed: int, shape: tuple[int, ...], C: int, ignore: int | None = None) -> Any:
    rng = np.random.default_rng(seed)
    preds = rng.integers(0, C, size=shape)
    labels = rng.integers(0, C, size=shape)
    if ignore is not None:
        labels.reshape(-1)[::5] = ignore
    return preds, labels, rng


def _default_float(backend: Backend) -> tuple[Any, str]:
    """The namespace's default floating dtype (integer inputs give it) and its tolerance."""
    dt = backend.xp.asarray(0.0).dtype
    return dt, "float64" if dt == backend.dtype("float64") else "float32"


def _call(backend: Backend, fn: Any, *arrays: np.ndarray, **kw: Any) -> Any:
    args = tuple(ref.to_backend(backend, a, "float64") for a in arrays)
    return backend.call(fn, *args, **kw)


@pytest.mark.parametrize("ignore", [None, -100, 1])
def test_confusion_matrix_matches_brute_force(backend: Backend, ignore: int | None) -> None:
    ref.only_subset(backend, ignore, {-100})
    C = 4
    preds, labels, _ = _labels(0, (2, 5, 6), C, ignore)
    out = _call(backend, al.confusion_matrix, preds, labels, num_classes=C, ignore_index=ignore)
    int_dtype = backend.xp.asarray(0).dtype
    got = backend.check_result(out, dtype=int_dtype, shape=(C, C))
    np.testing.assert_array_equal(got, rc.confusion(preds, labels, C, ignore))


@pytest.mark.parametrize("axis", [1, -1])
def test_confusion_matrix_from_scores_is_argmax(backend: Backend, axis: int) -> None:
    ref.only_subset(backend, axis, {1})
    C = 3
    rng = np.random.default_rng(1)
    shape = (2, C, 3, 4) if axis == 1 else (2, 3, 4, C)
    scores = rng.normal(size=shape)
    labels = rng.integers(0, C, size=(2, 3, 4))
    for normalize in (None, "true", "pred", "all"):
        out = _call(
            backend, al.confusion_matrix, scores, labels, num_classes=C, axis=axis,
            normalize=normalize,
        )  # fmt: skip
        m = rc.confusion(np.argmax(scores, axis=axis), labels, C).astype(np.float64)
        if normalize is None:
            np.testing.assert_array_equal(backend.to_numpy(out), m)
            continue
        got = backend.check_result(out, dtype=backend.dtype("float64"), shape=(C, C))
        if normalize == "true":
            want = m / np.maximum(m.sum(axis=1, keepdims=True), 1)
        elif normalize == "pred":
            want = m / np.maximum(m.sum(axis=0, keepdims=True), 1)
        else:
            want = m / m.sum()
        ref.assert_close(got, want, "float64", normalize)


def test_confusion_matrix_normalize_empty_row_is_zero() -> None:
    m = al.confusion_matrix(np.array([0, 0, 1]), np.array([0, 1, 1]), 3, normalize="true")
    np.testing.assert_array_equal(m, [[1.0, 0.0, 0.0], [0.5, 0.5, 0.0], [0.0, 0.0, 0.0]])


@pytest.mark.parametrize("which", ["precision", "recall", "f1_score"])
@pytest.mark.parametrize("average", ["macro", "micro", "none"])
def test_precision_recall_f1_match_reference(backend: Backend, which: str, average: str) -> None:
    ref.only_subset(backend, (which, average), {("f1_score", "macro"), ("precision", "none")})
    C = 5  # class 4 never drawn below: absent from labels and preds
    preds, labels, _ = _labels(2, (3, 4, 5), 4, ignore=-1)
    fn = getattr(al, which)
    out = _call(backend, fn, preds, labels, num_classes=C, ignore_index=-1, average=average)
    shape = (C,) if average == "none" else ()
    dt, tol = _default_float(backend)
    got = backend.check_result(out, dtype=dt, shape=shape)
    m = rc.confusion(preds, labels, C, -1)
    want = rc.prf(m, "f1" if which == "f1_score" else which, average)
    ref.assert_close(got, want, tol, f"{which} {average}")


def test_precision_recall_f1_hand_values() -> None:
    """preds (0, 1, 1, 2), labels (0, 1, 2, 2): class 1 predicted twice, right once."""
    p, y = np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2])
    np.testing.assert_allclose(al.precision(p, y, 3, average="none"), [1.0, 0.5, 1.0])
    np.testing.assert_allclose(al.recall(p, y, 3, average="none"), [1.0, 1.0, 0.5])
    np.testing.assert_allclose(al.f1_score(p, y, 3), (1 + 2 / 3 + 2 / 3) / 3)
    np.testing.assert_allclose(al.precision(p, y, 3, average="micro"), 0.75)


def test_precision_recall_f1_against_sklearn() -> None:
    metrics = pytest.importorskip("sklearn.metrics")
    preds, labels, _ = _labels(3, (40,), 4)
    for which, fn in (("precision", al.precision), ("recall", al.recall), ("f1", al.f1_score)):
        sk = getattr(metrics, f"{which}_score" if which != "f1" else "f1_score")
        for average in ("macro", "micro"):
            want = sk(labels, preds, average=average, zero_division=0)
            np.testing.assert_allclose(fn(preds, labels, 4, average=average), want, rtol=1e-12)


@pytest.mark.parametrize("average", ["macro", "none"])
def test_mean_iou_matches_reference(backend: Backend, average: str) -> None:
    ref.only_subset(backend, average, {"macro"})
    preds, labels, _ = _labels(4, (2, 6, 6), 3)
    m = rc.confusion(preds, labels, 4)  # class 3 absent: IoU 0, left out of the mean

    def from_confusion(cm: Any) -> Any:
        return al.mean_iou(confusion=cm, average=average)

    out = _call(backend, from_confusion, m)
    shape = (4,) if average == "none" else ()
    dt, tol = _default_float(backend)
    got = backend.check_result(out, dtype=dt, shape=shape)
    iou, present = rc.iou_per_class(m)
    want = iou if average == "none" else iou[present].mean()
    ref.assert_close(got, want, tol, average)
    # the same from the class maps
    out = _call(backend, al.mean_iou, preds, labels, num_classes=4, average=average)
    ref.assert_close(backend.check_result(out, dtype=dt, shape=shape), want, tol, average)


def test_mean_iou_float32_confusion_stays_float32() -> None:
    m = np.array([[3.0, 1.0], [0.0, 2.0]], dtype=np.float32)
    out = al.mean_iou(confusion=m)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, (3 / 4 + 2 / 3) / 2, rtol=1e-6)


def _hard(logits: np.ndarray, ax: int) -> np.ndarray:
    C = logits.shape[ax]
    return np.eye(C)[np.argmax(logits, axis=ax)]  # channels-last (N, ..., C)


@pytest.mark.parametrize("kind", ["dice", "iou"])
@pytest.mark.parametrize(
    ("layout", "option"),
    [
        ("nchw", "plain"),
        ("nchw", "ignore"),
        ("nchw", "no_background"),
        ("nhwc", "plain"),
        ("ncdhw", "plain"),
        ("nchw", "empty_class"),
    ],
)
def test_overlap_scores_multiclass(backend: Backend, kind: str, layout: str, option: str) -> None:
    ref.only_subset(backend, (layout, option), {("nchw", "ignore"), ("ncdhw", "plain")})
    shape, axis = {
        "nchw": ((2, 3, 4, 5), 1),
        "nhwc": ((2, 4, 5, 3), -1),
        "ncdhw": ((2, 3, 2, 3, 4), 1),
    }[layout]
    rng = np.random.default_rng(5)
    ax = axis % len(shape)
    logits = rng.normal(size=shape)
    labels = rng.integers(0, 3, size=shape[:ax] + shape[ax + 1 :])
    kw: dict[str, Any] = {"axis": axis}
    keep = np.ones(labels.shape, dtype=bool)
    if option == "ignore":
        labels.reshape(-1)[::4] = 255
        kw["ignore_index"] = 255
        keep = labels != 255
    if option == "empty_class":  # class 2 neither predicted nor present: left out
        logits = np.moveaxis(logits, ax, -1)
        logits[..., 2] = -10.0
        logits = np.moveaxis(logits, -1, ax)
        labels = np.minimum(labels, 1)
    if option == "no_background":
        kw["include_background"] = False
    fn = al.dice_score if kind == "dice" else al.iou_score
    pred_mask = _hard(logits, ax) * keep[..., None]
    true_mask = np.eye(3)[np.where(keep, labels, 0)] * keep[..., None]
    if option == "no_background":
        pred_mask, true_mask = pred_mask[..., 1:], true_mask[..., 1:]
    c_out = pred_mask.shape[-1]
    args = tuple(ref.to_backend(backend, a, "float64") for a in (logits, labels))
    f64 = backend.dtype("float64")
    for per_image in (False, True):
        for average in ("macro", "none"):
            out = backend.call(fn, *args, **kw, per_image=per_image, average=average)
            shape_out = ((shape[0], c_out) if per_image else (c_out,)) if average == "none" else ()
            got = backend.check_result(out, dtype=f64, shape=shape_out)
            want = rc.overlap(pred_mask, true_mask, kind, average, per_image)
            ref.assert_close(got, want, "float64", f"{average} per_image={per_image}")
            if option == "empty_class" and average == "none":
                np.testing.assert_array_equal(got[..., 2], 0.0)


def test_overlap_scores_binary(backend: Backend) -> None:
    rng = np.random.default_rng(6)
    logits = rng.normal(size=(2, 4, 5))
    labels = rng.integers(0, 2, size=(2, 4, 5))
    for kind, fn in (("dice", al.dice_score), ("iou", al.iou_score)):
        out = _call(backend, fn, logits, labels, mode="binary", threshold=0.3, per_image=True,
                    average="none")  # fmt: skip
        got = backend.check_result(out, dtype=backend.dtype("float64"), shape=(2,))
        pred = (1 / (1 + np.exp(-logits)) > 0.3)[..., None]
        want = rc.overlap(pred, labels[..., None] > 0, kind, "none", True)[:, 0]
        ref.assert_close(got, want, "float64", kind)


def test_dice_score_against_monai() -> None:
    """Per image and class, MONAI's DiceMetric agrees wherever the class is in the target.

    Where the target lacks a class, MONAI (ignore_empty=False) scores 1 if the
    prediction lacks it too, else 0; we score 0/0 pairs 0 and leave them out of the
    macro mean (scikit-learn's rule), and the prediction-only case 0 as MONAI does.
    """
    torch = pytest.importorskip("torch")
    pytest.importorskip("monai")
    from monai.metrics import DiceMetric

    rng = np.random.default_rng(7)
    logits = rng.normal(size=(2, 3, 4, 5))
    labels = rng.integers(0, 2, size=(2, 4, 5))  # class 2 absent from the target
    labels[1] = 0
    pred = torch.nn.functional.one_hot(torch.tensor(logits).argmax(1), 3).permute(0, 3, 1, 2)
    true = torch.nn.functional.one_hot(torch.tensor(labels), 3).permute(0, 3, 1, 2)
    metric = DiceMetric(include_background=True, reduction="none", ignore_empty=False)
    want = metric(pred.double(), true.double()).numpy()
    got = np.asarray(al.dice_score(logits, labels, axis=1, per_image=True, average="none"))
    both_empty = (pred.sum((2, 3)) == 0).numpy() & (true.sum((2, 3)) == 0).numpy()
    np.testing.assert_allclose(got[~both_empty], want[~both_empty], rtol=1e-12)
    np.testing.assert_array_equal(got[both_empty], 0.0)
    np.testing.assert_array_equal(want[both_empty], 1.0)


@pytest.mark.parametrize("kind", ["int", "logits", "probs"])
def test_far_frr(backend: Backend, kind: str) -> None:
    ref.only_subset(backend, kind, {"logits"})
    rng = np.random.default_rng(8)
    labels = rng.integers(0, 2, size=(4, 6))
    scores = rng.normal(size=(4, 6))
    kw: dict[str, Any] = {}
    if kind == "int":
        preds: np.ndarray = (scores > 0).astype(np.int64)
        decided = preds
    elif kind == "logits":
        preds, decided = scores, 1 / (1 + np.exp(-scores)) > 0.7
        kw["threshold"] = 0.7
    else:
        preds = 1 / (1 + np.exp(-scores))
        decided = preds > 0.4
        kw.update(threshold=0.4, from_logits=False)
    far, frr = rc.far_frr(decided, labels)
    for fn, want in ((al.false_acceptance_rate, far), (al.false_rejection_rate, frr)):
        out = _call(backend, fn, preds, labels, **kw)
        dt, tol = (
            _default_float(backend) if kind == "int" else (backend.dtype("float64"), "float64")
        )
        got = backend.check_result(out, dtype=dt, shape=())
        ref.assert_close(got, want, tol, fn.__name__)


def test_far_frr_without_negatives_or_positives_is_zero() -> None:
    ones = np.ones(4, dtype=np.int64)
    assert float(al.false_acceptance_rate(ones, ones)) == 0.0
    assert float(al.false_rejection_rate(ones * 0, ones * 0)) == 0.0


# -- transformations: metrics under jax.jit and torch.compile ------------------------------


def _all_metrics(scores: Any, labels: Any, full: bool = True) -> tuple[Any, ...]:
    """Every metric once (``full=False``: one of each code path, for torch.compile)."""
    cm = al.confusion_matrix(scores, labels, 3, axis=1, ignore_index=-1)
    out = (
        cm,
        al.mean_iou(confusion=cm),
        al.f1_score(scores, labels, 3, axis=1, ignore_index=-1, average="none"),
        al.dice_score(scores, labels, axis=1, ignore_index=-1),
        al.false_acceptance_rate(scores[:, 1], labels > 0),
    )
    if not full:
        return out
    return (
        *out,
        al.precision(scores, labels, 3, axis=1, ignore_index=-1),
        al.recall(scores, labels, 3, axis=1, ignore_index=-1, average="micro"),
        al.iou_score(scores, labels, axis=1, ignore_index=-1, average="none", per_image=True),
        al.false_rejection_rate(scores[:, 1], labels > 0),
    )


def _metric_inputs() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(9)
    labels = rng.integers(0, 3, size=(2, 4, 5))
    labels[0, 0] = -1
    return rng.normal(size=(2, 3, 4, 5)).astype(np.float32), labels


def test_metrics_under_jax_jit() -> None:
    jax = pytest.importorskip("jax")
    import jax.numpy as jnp

    scores, labels = _metric_inputs()
    eager = _all_metrics(scores, labels)
    jitted = jax.jit(_all_metrics)(jnp.asarray(scores), jnp.asarray(labels))
    for e, j in zip(eager, jitted, strict=True):
        np.testing.assert_allclose(np.asarray(j), np.asarray(e), rtol=1e-6)


def test_metrics_under_torch_compile_fullgraph() -> None:
    torch = pytest.importorskip("torch")
    scores, labels = _metric_inputs()
    eager = _all_metrics(scores, labels, full=False)
    compiled = torch.compile(
        lambda s, y: _all_metrics(s, y, full=False), fullgraph=True, backend="aot_eager"
    )
    out = compiled(torch.tensor(scores), torch.tensor(labels))
    for e, c in zip(eager, out, strict=True):
        np.testing.assert_allclose(c.numpy(), np.asarray(e), rtol=1e-6)


# -- errors -------------------------------------------------------------------------------


def test_metric_errors() -> None:
    p, y = np.array([0, 1, 2]), np.array([0, 1, 1])
    with pytest.raises(ValueError, match=r"num_classes must be a positive int, got 0"):
        al.confusion_matrix(p, y, 0)
    with pytest.raises(ValueError, match=r"num_classes must be a positive int, got True"):
        al.confusion_matrix(p, y, True)
    with pytest.raises(ValueError, match="average"):
        al.precision(p, y, 3, average="samples")
    with pytest.raises(ValueError, match="normalize"):
        al.confusion_matrix(p, y, 3, normalize="rows")
    with pytest.raises(ValueError, match=r"labels.*preds|preds.*labels"):
        al.confusion_matrix(np.array([0, 1]), y, 3)
    with pytest.raises(TypeError, match="labels must be integer class indices, got dtype float64"):
        al.confusion_matrix(p, y.astype(np.float64), 3)
    with pytest.raises(ValueError, match=r"preds has 2 classes along axis -1, num_classes=3"):
        al.confusion_matrix(np.zeros((3, 2)), y, 3)
    with pytest.raises(ValueError, match=r"floating preds \(scores\) need a class axis"):
        al.confusion_matrix(np.zeros(3), y, 3)
    with pytest.raises(ValueError, match="labels"):
        al.confusion_matrix(p, np.array([0, 1, 5]), 3)  # out of range on eager NumPy
    with pytest.raises(ValueError, match="preds"):
        al.confusion_matrix(np.array([0, 1, 7]), y, 3)
    with pytest.raises(ValueError, match=r"square matrix of shape \(C, C\), got shape \(2, 3\)"):
        al.mean_iou(confusion=np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"confusion=cm"):
        al.mean_iou(np.eye(2))  # the old positional form says what to write
    with pytest.raises(ValueError, match="not both"):
        al.mean_iou(p, y, 3, confusion=np.eye(3))
    with pytest.raises(ValueError, match="threshold"):
        al.false_acceptance_rate(p, y, threshold=2.0)
    with pytest.raises(ValueError, match="threshold"):
        al.dice_score(np.zeros((1, 3)), np.zeros((1, 3), dtype=int), mode="binary", threshold=-0.1)
