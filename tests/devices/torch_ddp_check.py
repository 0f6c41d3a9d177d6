"""Run by ``test_devices.py``: 2 gloo processes on the CPU, each with half the batch.

For every loss with ``process_group``: each process's value equals one process on the
whole batch, and after DDP's gradient averaging (all-reduce of the gradients divided
by the world size, done here by hand on a linear layer's weight) the parameter
gradients equal the single-process ones. For the confusion-matrix metrics: each
process counts its half, the counts are all-reduced, and the metric read from the
total equals one process's. Prints JSON from rank 0.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

import arrayloss as al
from arrayloss._lib import _class_sums as class_sums

METRICS = ["mean_iou", "iou_score", "dice_score", "f1_score", "precision", "recall"]
LOSSES = [
    "dice_loss",
    "jaccard_loss",
    "tversky_loss",
    "focal_tversky_loss",
    "log_cosh_dice_loss",
    "sensitivity_specificity_loss",
    "mcc_loss",
    "generalized_dice_loss",
]
WORLD = 2


def _data() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    rng = np.random.default_rng(0)
    features = torch.asarray(rng.normal(size=(8, 4, 5, 2)))  # (N, H, W, F)
    labels = torch.asarray(rng.integers(0, 3, size=(8, 4, 5)))
    labels[:, 0, 0] = -1
    weight = torch.asarray(rng.normal(size=(2, 3)))
    return features, labels, weight


def _value_and_grad(
    name: str,
    kw: dict[str, object],
    x: torch.Tensor,
    y: torch.Tensor,
    w0: torch.Tensor,
    **sync: object,
) -> tuple[float, np.ndarray]:
    w = w0.clone().requires_grad_(True)
    loss = getattr(al, name)(x @ w, y, **kw, **sync)  # logits (N, H, W, 3), channels-last
    loss.backward()
    assert w.grad is not None
    return float(loss.detach()), w.grad.numpy().copy()


def worker(rank: int, path: str, out: str) -> None:
    dist.init_process_group("gloo", init_method=f"file://{path}", rank=rank, world_size=WORLD)
    features, labels, weight = _data()
    half = features.shape[0] // WORLD
    mine = slice(rank * half, (rank + 1) * half)
    worst: dict[str, float] = {}
    # both ways of forming the per-class sums: the one-hot (these small inputs, eager)
    # and index labels (_lib/_class_sums.py, threshold lowered to 0)
    for name, min_size in [(n, s) for n in LOSSES for s in (class_sums.EAGER_MIN_SIZE, 0)]:
        class_sums.EAGER_MIN_SIZE = min_size
        for batch_dice in (False, True):
            for reduction in ("mean", "sum"):
                kw = {"batch_dice": batch_dice, "reduction": reduction, "ignore_index": -1}
                want, want_g = _value_and_grad(name, kw, features, labels, weight)
                got, got_g = _value_and_grad(
                    name, kw, features[mine], labels[mine], weight, process_group=True
                )
                grad = torch.asarray(got_g)
                dist.all_reduce(grad)  # what DDP does: average the gradients over ranks
                grad /= WORLD
                key = f"{name} batch_dice={batch_dice} {reduction} index_sums={min_size == 0}"
                worst[key] = max(abs(got - want), float(np.max(np.abs(grad.numpy() - want_g))))
    preds = torch.argmax(features @ weight, dim=-1)
    counts = al.confusion_matrix(preds[mine], labels[mine], 3, ignore_index=-1)
    dist.all_reduce(counts)  # a sum over positions: the halves' counts add
    metrics: dict[str, float] = {}
    for name in METRICS:
        metric = getattr(al, name)
        want = metric(preds, labels, 3, ignore_index=-1)
        metrics[name] = float(torch.max(torch.abs(metric(confusion=counts) - want)))
    if rank == 0:
        with open(out, "w") as fh:
            json.dump({"world": dist.get_world_size(), "worst": worst, "metrics": metrics}, fh)
    dist.destroy_process_group()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "result.json")
        mp.start_processes(
            worker, args=(os.path.join(tmp, "rendezvous"), out), nprocs=WORLD, start_method="spawn"
        )
        with open(out) as fh:
            print(fh.read())


if __name__ == "__main__":
    sys.exit(main())
