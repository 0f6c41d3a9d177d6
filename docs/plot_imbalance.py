"""Draw ``docs/_static/imbalance_gradients.svg``: how much of each loss's gradient the rare
class gets on a 100:1 batch.

The batch: 100 samples of class 0 and 1 of class 1, and a model that has learned the
prior only, the state early training under imbalance drifts to: every sample has the
logits (log 9, 0), so p(class 0) = 0.9 for all. For each loss the bar is the rare
sample's share of the total gradient norm, ``|dL/dx_rare| / sum_i |dL/dx_i|``: 1/101
(1 %) would be the rare class's share of the samples, 50 % treats the classes equally.
Pure Python, NumPy, torch (for the gradients) and arrayloss (no matplotlib): run
``python docs/plot_imbalance.py`` from the repository root to rewrite the SVG.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import torch

import arrayloss as al

OUT = Path(__file__).resolve().parent / "_static" / "imbalance_gradients.svg"
HEAD, TAIL = 100, 1
COUNTS = np.array([float(HEAD), float(TAIL)])


def _batch() -> tuple[torch.Tensor, torch.Tensor]:
    labels = torch.tensor([0] * HEAD + [1] * TAIL)
    logits = torch.tensor([[math.log(9.0), 0.0]] * (HEAD + TAIL), dtype=torch.float64)
    return logits.requires_grad_(True), labels


def _seesaw(x: Any, y: Any) -> Any:
    state = al.ClassStatistics(
        torch.zeros(2, dtype=torch.float64), torch.zeros(2, dtype=torch.float64)
    )
    return al.seesaw_loss(x, y, state, reduction="sum")[0]


def _asl(x: Any, y: Any) -> Any:
    onehot = torch.nn.functional.one_hot(y, 2).double()
    return al.asymmetric_loss(x, onehot, reduction="sum")


def _drw() -> Any:
    return torch.tensor(np.asarray(al.ldam_drw_class_weights(COUNTS, 160)))


COUNTS_T = torch.tensor(COUNTS)
LOSSES: list[tuple[str, Any]] = [
    ("cross-entropy", lambda x, y: al.cross_entropy(x, y, reduction="sum")),
    (
        "CE + inverse-frequency weights",
        lambda x, y: al.cross_entropy(
            x, y, class_weights=al.class_weights_from_counts(COUNTS_T), reduction="sum"
        ),
    ),
    (
        "CE + class-balanced (effective number, beta=0.99)",
        lambda x, y: al.cross_entropy(
            x,
            y,
            class_weights=al.class_weights_from_counts(
                COUNTS_T, method="effective_number", beta=0.99
            ),
            reduction="sum",
        ),
    ),
    ("focal (gamma=2)", lambda x, y: al.focal_loss(x, y, gamma=2.0, reduction="sum")),
    (
        "automated focal (gamma = -log p)",
        lambda x, y: al.automated_focal_loss(x, y, reduction="sum")[0],
    ),
    (
        "logit-adjusted / balanced softmax",
        lambda x, y: al.logit_adjusted_cross_entropy(x, y, class_priors=COUNTS_T, reduction="sum"),
    ),
    (
        "LDAM (s=1)",
        lambda x, y: al.ldam_loss(x, y, class_counts=COUNTS_T, scale=1.0, reduction="sum"),
    ),
    (
        "LDAM-DRW (after the deferral)",
        lambda x, y: al.ldam_loss(
            x, y, class_counts=COUNTS_T, scale=1.0, class_weights=_drw(), reduction="sum"
        ),
    ),
    ("seesaw (p=0.8, q=2)", _seesaw),
    ("asymmetric (ASL, one-vs-rest)", _asl),
]


def rare_share(fn: Any) -> float:
    x, y = _batch()
    (g,) = torch.autograd.grad(fn(x, y), x)
    norms = torch.linalg.vector_norm(g, dim=1)
    return float(norms[HEAD:].sum() / norms.sum())


def main() -> None:
    shares = [(name, rare_share(fn)) for name, fn in LOSSES]
    width, row, left, top = 760, 30, 330, 40
    height = top + row * len(shares) + 50
    scale = (width - left - 70) / 1.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'font-family="sans-serif" font-size="13">',
        f'<text x="{left}" y="22" font-weight="bold">share of the gradient from the one '
        "rare sample (100:1 batch)</text>",
    ]
    for k, (name, share) in enumerate(shares):
        y = top + k * row
        parts.append(f'<text x="{left - 8}" y="{y + 18}" text-anchor="end">{name}</text>')
        parts.append(
            f'<rect x="{left}" y="{y + 4}" width="{share * scale:.1f}" height="{row - 10}" '
            'fill="#1f77b4"/>'
        )
        parts.append(
            f'<text x="{left + share * scale + 6:.1f}" y="{y + 18}">{100 * share:.1f} %</text>'
        )
    axis_y = top + row * len(shares) + 6
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = left + tick * scale
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{axis_y}" stroke="#ccc"/>')
        parts.append(
            f'<text x="{x:.1f}" y="{axis_y + 16}" text-anchor="middle">{int(tick * 100)} %</text>'
        )
    parts.append("</svg>")
    OUT.write_text("\n".join(parts) + "\n")
    for name, share in shares:
        print(f"{name:55s} {100 * share:6.2f} %")


if __name__ == "__main__":
    main()
