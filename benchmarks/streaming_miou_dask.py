"""Streaming mIoU over a large int8 label map on a local ``dask.distributed`` cluster.

Each chunk of the prediction and label maps is counted by ``arrayloss.confusion_matrix``
on its NumPy block (through ``dask.array.map_blocks``) and the per-block matrices are
summed, so a worker holds a few chunks, never the map. The same chunks are also counted
by an independent ``np.bincount`` path; the two confusion matrices must be equal, and
the mIoU from them is computed once by arrayloss and once by plain NumPy from the
counts. Prints the sizes, the mIoU, the wall time and each worker process's peak
resident memory (``ru_maxrss``, read on the worker after the computation).

    python benchmarks/streaming_miou_dask.py --gib 2 --chunk-mib 16 --workers 2

Needs ``distributed`` next to Dask (``pip install "dask[distributed]"``); a map of
``--gib 0.25`` runs in well under a minute.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable

import dask
import dask.array as da
import numpy as np
from dask.distributed import Client, LocalCluster

import arrayloss as al


def _counts(p: np.ndarray, y: np.ndarray, classes: int) -> np.ndarray:
    return np.asarray(al.confusion_matrix(p, y, classes), dtype=np.int64)[None]


def _bincount(p: np.ndarray, y: np.ndarray, classes: int) -> np.ndarray:
    flat = y.astype(np.int64).ravel() * classes + p.astype(np.int64).ravel()
    return np.bincount(flat, minlength=classes * classes).reshape(1, classes, classes)


def _numpy_miou(cm: np.ndarray) -> float:
    """mIoU from the counts in plain NumPy: TP / (TP + FP + FN), averaged over classes."""
    tp = np.diag(cm).astype(np.float64)
    union = cm.sum(axis=0) + cm.sum(axis=1) - tp
    return float(np.mean(tp / union))


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gib", type=float, default=0.25, help="size of each int8 map")
    parser.add_argument("--chunk-mib", type=float, default=16.0, help="size of one chunk")
    parser.add_argument("--classes", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--memory-limit", default="2GiB", help="per worker")
    args = parser.parse_args()
    c = args.classes
    chunk = int(args.chunk_mib * 2**20)
    n = max(1, int(args.gib * 2**30) // chunk)
    rng = da.random.default_rng(0)
    labels = rng.integers(0, c, size=(n * chunk,), chunks=chunk, dtype=np.int8)
    flip = rng.random(size=(n * chunk,), chunks=chunk) < 0.2
    preds = da.where(flip, (labels + 1) % c, labels).astype(np.int8)
    blocks = ((1,) * n, (c,), (c,))
    meta = np.empty((0, 0, 0), dtype=np.int64)

    def summed(count: Callable[..., np.ndarray]) -> da.Array:
        per_chunk = da.map_blocks(
            count, preds, labels, c, chunks=blocks, new_axis=[1, 2], meta=meta
        )
        return per_chunk.sum(axis=0)

    ours, check = summed(_counts), summed(_bincount)
    with (
        LocalCluster(
            n_workers=args.workers,
            threads_per_worker=1,
            processes=True,
            memory_limit=args.memory_limit,
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        start = time.perf_counter()
        cm, want = dask.compute(ours, check)
        wall = time.perf_counter() - start
        peaks = client.run(_peak_rss_mib)
    assert np.array_equal(cm, want), (cm, want)
    miou = float(al.mean_iou(confusion=cm))
    reference = _numpy_miou(want)
    assert abs(miou - reference) < 1e-12, (miou, reference)
    print(
        f"maps: 2 x {n * chunk / 2**30:.3f} GiB int8 in {n} chunks of {args.chunk_mib:g} MiB, "
        f"{c} classes; LocalCluster of {args.workers} worker processes, 1 thread each, "
        f"memory limit {args.memory_limit}"
    )
    print(f"positions counted: {int(cm.sum())}; confusion matrix equal to np.bincount's: True")
    print(f"mIoU arrayloss {miou:.12f}, NumPy from the counts {reference:.12f}")
    print(f"wall {wall:.1f} s")
    for address, peak in sorted(peaks.items()):
        print(f"worker {address}: peak RSS {peak:.0f} MiB")
    print(f"versions: dask {dask.__version__}, numpy {np.__version__}")


if __name__ == "__main__":
    main()
