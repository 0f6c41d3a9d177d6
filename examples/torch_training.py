"""Train a tiny segmentation network in PyTorch with ``arrayloss.torch`` modules.

``arrayloss.torch.DiceCELoss()`` is an ``nn.Module`` generated from
``arrayloss.dice_ce_loss``: channels-first (class axis 1) by default, hyperparameters
in the constructor, a learnable temperature could be an ``nn.Parameter``. With
``--compile`` the model and the loss run under ``torch.compile``.
Run: ``python examples/torch_training.py [--small] [--compile]``.
"""

from __future__ import annotations

import argparse

import numpy as np
import torch

import arrayloss.torch as alt


def make_data(n: int, size: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Images (N, 1, H, W) with a bright square (class 1) on noise; labels (N, H, W)."""
    rng = np.random.default_rng(seed)
    images = 0.5 * rng.normal(size=(n, 1, size, size))
    labels = np.zeros((n, size, size), dtype=np.int64)
    for i in range(n):
        y0, x0 = rng.integers(0, size // 2, 2)
        w = int(rng.integers(size // 6, size // 2))
        labels[i, y0 : y0 + w, x0 : x0 + w] = 1
    images[:, 0] += labels
    return torch.tensor(images, dtype=torch.float32), torch.tensor(labels)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a few steps on tiny images")
    parser.add_argument("--compile", action="store_true", help="torch.compile model and loss")
    args = parser.parse_args()
    n, size, steps = (16, 16, 30) if args.small else (256, 64, 300)
    torch.manual_seed(0)
    x, y = make_data(n, size)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.Conv2d(8, 2, 1)
    )
    criterion = alt.DiceCELoss(lambda_dice=1.0, lambda_ce=1.0)
    if args.compile:
        net = torch.compile(net)
        criterion = torch.compile(criterion, fullgraph=True)
    optimizer = torch.optim.Adam(net.parameters(), lr=0.05)
    first = last = float("nan")
    for step in range(steps):
        optimizer.zero_grad()
        loss = criterion(net(x), y)
        loss.backward()
        optimizer.step()
        last = float(loss)
        first = last if step == 0 else first
        if step % max(1, steps // 5) == 0 or step == steps - 1:
            print(f"step {step:4d}  dice+ce {last:.4f}")
    print(f"loss {first:.4f} -> {last:.4f} ({criterion!r})")
    assert last < first, "the loss must go down"


if __name__ == "__main__":
    main()
