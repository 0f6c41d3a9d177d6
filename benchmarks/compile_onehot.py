"""Why ``dice_loss`` with integer labels is slower under ``torch.compile`` on a CPU.

``python benchmarks/compile_onehot.py`` compiles the same plain-torch soft Dice
(no arrayloss code) twice: fed a one-hot float target, and fed integer labels that
it one-hot encodes itself. For inference both compile to the same speed; in a
training graph (input requiring a gradient), Inductor fuses the encoding into the
per-class reductions of the forward and that kernel is about 3x slower (torch 2.13
CPU, 8x4x256x256, 2 cores: forward+backward 18.0 ms against 5.8 ms; the forward
alone 12.5 ms against 1.95 ms). The peers escape it only by accident: MONAI's
``DiceLoss(to_onehot_y=True)`` and kornia's ``dice_loss`` graph-break around their
one-hot encoding, so it runs eagerly. ``arrayloss``'s region losses avoid it by
forming their per-class sums from the index labels on torch (a gather and
scatter-adds, ``_lib/_class_sums.py``): no one-hot at all.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def main() -> None:
    import torch

    torch.manual_seed(0)
    x = torch.randn(8, 4, 256, 256)
    labels = torch.randint(0, 4, (8, 256, 256))
    onehot = torch.nn.functional.one_hot(labels, 4).permute(0, 3, 1, 2).float().contiguous()

    def dice(logits: Any, target: Any) -> Any:
        p = torch.softmax(logits, 1)
        tp = (p * target).sum((2, 3))
        total = p.sum((2, 3)) + target.sum((2, 3))
        return (1 - (2 * tp + 1e-5) / (total + 1e-5)).mean()

    def dice_from_labels(logits: Any, y: Any) -> Any:
        target = (y[:, None] == torch.arange(4).view(1, 4, 1, 1)).float()
        return dice(logits, target)

    def median_ms(fn: Callable[..., Any], *args: Any, backward: bool) -> float:
        compiled = torch.compile(fn)

        def step() -> None:
            a = args[0].clone().requires_grad_(backward)
            out = compiled(a, *args[1:])
            if backward:
                out.backward()

        for _ in range(3):
            step()
        times = []
        for _ in range(15):
            t0 = time.perf_counter()
            step()
            times.append(time.perf_counter() - t0)
        return 1e3 * statistics.median(times)

    for backward in (False, True):
        mode = "fwd+bwd" if backward else "fwd"
        hot = median_ms(dice, x, onehot, backward=backward)
        idx = median_ms(dice_from_labels, x, labels, backward=backward)
        print(f"{mode:8s} one-hot target {hot:7.2f} ms   integer labels {idx:7.2f} ms")


if __name__ == "__main__":
    main()
