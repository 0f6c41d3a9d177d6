"""Evaluate predicted segmentation masks batch by batch: one confusion state, every metric.

The predictions and labels are integer class maps, as a model's argmax and a data set
give them. Each batch is added to an ``arrayloss.ConfusionState``; at the end every
metric reads the same state (``confusion=``), so per-class IoU, mIoU and F1 come from one
pass over the data. ``--backend`` picks the array library the batches live in:

- ``numpy`` (default) or ``cupy`` (on a GPU): ``update_confusion`` per batch;
- ``dask``: the whole data set is one lazy Dask array; each chunk is counted with
  ``confusion_matrix`` (``map_blocks``) and the blocks are summed: memory holds a few
  chunks, never the data set.

The script checks its counts against an independent ``np.bincount`` recomputation.
Run: ``python examples/evaluate_masks.py [--small] [--backend numpy|cupy|dask]``.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import Any

import numpy as np

import arrayloss as al

IGNORE = 255  # the "void" label of Pascal VOC / Cityscapes: not counted


def batches(n_batches: int, batch: int, size: int, classes: int) -> Iterator[tuple[Any, Any]]:
    """Label maps with a rare class (the last one) and predictions that are 80 % right."""
    rng = np.random.default_rng(0)
    for _ in range(n_batches):
        probs = np.full(classes, 0.9 / (classes - 1))
        probs[-1] = 0.1  # the rare class
        labels = rng.choice(classes, size=(batch, size, size), p=probs / probs.sum())
        wrong = rng.random(labels.shape) < 0.2
        preds = np.where(wrong, rng.integers(0, classes, labels.shape), labels)
        labels[:, :2] = IGNORE  # a void border
        yield preds.astype(np.int64), labels.astype(np.int64)


def reference_matrix(pairs: list[tuple[Any, Any]], classes: int) -> np.ndarray:
    """The confusion matrix by ``np.bincount`` (rows true classes), ignoring ``IGNORE``."""
    total = np.zeros(classes * classes, dtype=np.int64)
    for preds, labels in pairs:
        keep = labels != IGNORE
        total += np.bincount(labels[keep] * classes + preds[keep], minlength=classes**2)
    return total.reshape(classes, classes)


def stream(pairs: list[tuple[Any, Any]], classes: int, backend: str) -> Any:
    """One confusion state over the batches, each batch moved to ``backend`` first."""
    if backend == "cupy":
        import cupy as xp
    else:
        xp = np
    state = al.confusion_state(classes, like=xp.asarray(pairs[0][1]))  # device and namespace
    for preds, labels in pairs:
        state = al.update_confusion(
            state, xp.asarray(preds), xp.asarray(labels), ignore_index=IGNORE
        )
    return state


def dask_matrix(pairs: list[tuple[Any, Any]], classes: int) -> np.ndarray:
    """The confusion matrix of one lazy Dask array, chunk by chunk."""
    import dask.array as da

    preds = da.concatenate([da.from_array(p, chunks=(1, -1, -1)) for p, _ in pairs])
    labels = da.concatenate([da.from_array(y, chunks=(1, -1, -1)) for _, y in pairs])

    def count(p: np.ndarray, y: np.ndarray) -> np.ndarray:
        m = al.confusion_matrix(p, y, classes, ignore_index=IGNORE)
        return np.asarray(m, dtype=np.int64)[None]

    per_chunk = da.map_blocks(
        count,
        preds,
        labels,
        chunks=((1,) * preds.numblocks[0], (classes,), (classes,)),
        drop_axis=[1, 2],
        new_axis=[1, 2],
        dtype=np.int64,
    )
    matrix = per_chunk.sum(axis=0)  # still lazy: nothing has been computed yet
    return np.asarray(matrix.compute())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a few small batches")
    parser.add_argument("--backend", choices=("numpy", "cupy", "dask"), default="numpy")
    args = parser.parse_args()
    n_batches, batch, size, classes = (4, 2, 32, 4) if args.small else (50, 8, 256, 6)
    pairs = list(batches(n_batches, batch, size, classes))
    want = reference_matrix(pairs, classes)

    if args.backend == "dask":
        matrix = dask_matrix(pairs, classes)
        confusion: Any = matrix
    else:
        state = stream(pairs, classes, args.backend)
        matrix = np.asarray(state.matrix.get() if args.backend == "cupy" else state.matrix)
        confusion = state
    np.testing.assert_array_equal(matrix.astype(np.int64), want)

    per_class = np.asarray(al.iou_score(confusion=confusion, average="none"))
    miou = float(al.mean_iou(confusion=confusion))
    f1 = float(al.f1_score(confusion=confusion, average="macro"))
    # the same numbers from the reference counts, by the definitions in docs/metrics.rst
    tp = np.diag(want).astype(np.float64)
    iou = tp / (want.sum(0) + want.sum(1) - tp)
    np.testing.assert_allclose(per_class, iou, rtol=1e-6)
    np.testing.assert_allclose(miou, iou.mean(), rtol=1e-6)
    np.testing.assert_allclose(f1, (2 * tp / (want.sum(0) + want.sum(1))).mean(), rtol=1e-6)

    print(f"{args.backend}: {int(want.sum())} labelled pixels in {n_batches} batches")
    for c, v in enumerate(per_class):
        note = "  (rare)" if c == classes - 1 else ""
        print(f"  class {c}: IoU {v:.3f}{note}")
    print(f"  mIoU {miou:.3f}, macro F1 {f1:.3f}: equal to the np.bincount recomputation")


if __name__ == "__main__":
    main()
