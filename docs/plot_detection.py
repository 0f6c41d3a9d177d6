"""Draw ``docs/_static/detection_losses.svg``: IoU-family losses vs horizontal offset.

A 2 x 2 target box at the origin and a 2 x 1.5 predicted box, raised by 0.25, slide
from far left of the target, through full overlap, to far right. Pure Python, NumPy
and arrayloss (no matplotlib): run ``python docs/plot_detection.py`` from the
repository root to rewrite the SVG.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import arrayloss as al

OUT = Path(__file__).resolve().parent / "_static" / "detection_losses.svg"
WIDTH, HEIGHT = 720, 420
LEFT, RIGHT, TOP, BOTTOM = 60, 170, 30, 50
X_RANGE, Y_RANGE = (-6.0, 6.0), (0.0, 2.0)

CURVES = [
    ("IoU", al.iou_loss, {}, "#7f7f7f"),
    ("GIoU", al.giou_loss, {}, "#1f77b4"),
    ("DIoU", al.diou_loss, {}, "#ff7f0e"),
    ("CIoU", al.ciou_loss, {}, "#2ca02c"),
    ("EIoU", al.eiou_loss, {}, "#d62728"),
    ("SIoU", al.siou_loss, {}, "#9467bd"),
    ("alpha-IoU (3)", al.alpha_iou_loss, {}, "#8c564b"),
]


def _boxes(offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    target = np.broadcast_to(np.array([-1.0, -1.0, 1.0, 1.0]), (offsets.size, 4))
    pred = np.stack(
        [offsets - 1.0, np.full_like(offsets, -0.5), offsets + 1.0, np.full_like(offsets, 1.0)],
        axis=-1,
    )
    return pred, np.ascontiguousarray(target)


def _sx(x: float) -> float:
    return LEFT + (x - X_RANGE[0]) / (X_RANGE[1] - X_RANGE[0]) * (WIDTH - LEFT - RIGHT)


def _sy(y: float) -> float:
    return HEIGHT - BOTTOM - (y - Y_RANGE[0]) / (Y_RANGE[1] - Y_RANGE[0]) * (HEIGHT - TOP - BOTTOM)


def render() -> str:
    offsets = np.linspace(*X_RANGE, 481)
    pred, target = _boxes(offsets)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
    ]
    for y in np.arange(0.0, 2.01, 0.5):  # horizontal grid and y ticks
        parts.append(
            f'<line x1="{LEFT}" y1="{_sy(y):.1f}" x2="{WIDTH - RIGHT}" y2="{_sy(y):.1f}" '
            'stroke="#e0e0e0"/>'
        )
        parts.append(f'<text x="{LEFT - 8}" y="{_sy(y) + 4:.1f}" text-anchor="end">{y:.1f}</text>')
    for x in range(-6, 7, 2):  # x ticks
        parts.append(
            f'<text x="{_sx(x):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">{x}</text>'
        )
    # the offsets where the boxes overlap: |offset| < 2
    parts.append(
        f'<rect x="{_sx(-2):.1f}" y="{TOP}" width="{_sx(2) - _sx(-2):.1f}" '
        f'height="{HEIGHT - TOP - BOTTOM}" fill="#f3f3f3"/>'
    )
    parts.append(
        f'<rect x="{LEFT}" y="{TOP}" width="{WIDTH - LEFT - RIGHT}" '
        f'height="{HEIGHT - TOP - BOTTOM}" fill="none" stroke="black"/>'
    )
    for i, (label, fn, kwargs, colour) in enumerate(CURVES):
        values = np.asarray(fn(pred, target, reduction="none", **kwargs))
        points = " ".join(
            f"{_sx(x):.1f},{_sy(min(v, Y_RANGE[1])):.1f}"
            for x, v in zip(offsets, values, strict=True)
        )
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>'
        )
        y = TOP + 14 + 20 * i
        x0 = WIDTH - RIGHT + 14
        parts.append(
            f'<line x1="{x0}" y1="{y - 4}" x2="{x0 + 22}" y2="{y - 4}" stroke="{colour}" '
            'stroke-width="2"/>'
        )
        parts.append(f'<text x="{x0 + 28}" y="{y}">{label}</text>')
    parts += [
        f'<text x="{(LEFT + WIDTH - RIGHT) / 2:.1f}" y="{HEIGHT - 12}" text-anchor="middle">'
        "horizontal offset of the predicted box's centre (target: 2 x 2 at 0)</text>",
        f'<text x="16" y="{(TOP + HEIGHT - BOTTOM) / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 16 {(TOP + HEIGHT - BOTTOM) / 2:.1f})">loss</text>',
        f'<text x="{(LEFT + WIDTH - RIGHT) / 2:.1f}" y="{TOP - 10}" text-anchor="middle">'
        "boxes overlap in the shaded band; outside it IoU loss is flat at 1</text>",
        "</svg>",
    ]
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT}")
