"""Draw ``docs/_static/gan_losses.svg``: the five GAN objectives as functions of the logit.

Three panels, each computed by calling arrayloss on a batch of one real and one fake
logit (NumPy, float64):

* the generator's loss ``gan_generator_loss([f], real_logits=[0])`` over the fake
  logit ``f``, with the saturating minimax ``log(1 - sigmoid(f))`` (which arrayloss
  does not offer) dashed for comparison;
* the discriminator's loss ``gan_discriminator_loss([r], [0])`` over the real logit
  ``r``, the fake one held at 0;
* the discriminator's loss ``gan_discriminator_loss([0], [f])`` over the fake logit.

The relativistic average loss compares each logit with the other batch's mean (0
here). Pure Python, NumPy and arrayloss (no matplotlib): run
``python docs/plot_generative.py`` from the repository root to rewrite the SVG.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import arrayloss as al

OUT = Path(__file__).resolve().parent / "_static" / "gan_losses.svg"
KINDS = ("non_saturating", "least_squares", "hinge", "wasserstein", "relativistic_average")
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd")
X_RANGE, Y_RANGE = (-5.0, 5.0), (-5.0, 8.0)
GRID = np.linspace(*X_RANGE, 201)
ZERO = np.zeros(1)
DASH = {"wasserstein": "2,3"}  # the generator's hinge and Wasserstein losses coincide (-f)


def _curve(fn: Callable[[np.ndarray], Any]) -> np.ndarray:
    return np.array([float(fn(np.array([t]))) for t in GRID])


def generator(kind: str) -> np.ndarray:
    return _curve(lambda f: al.gan_generator_loss(f, kind=kind, real_logits=ZERO))


def discriminator_real(kind: str) -> np.ndarray:
    return _curve(lambda r: al.gan_discriminator_loss(r, ZERO, kind=kind))


def discriminator_fake(kind: str) -> np.ndarray:
    return _curve(lambda f: al.gan_discriminator_loss(ZERO, f, kind=kind))


PANEL_W, PANEL_H, PAD_L, PAD_T, GAP = 300, 260, 46, 40, 30


def _panel(x0: float, title: str, xlabel: str, curves: list[tuple[np.ndarray, str, str]]) -> str:
    def sx(v: float) -> float:
        return x0 + PAD_L + (v - X_RANGE[0]) / (X_RANGE[1] - X_RANGE[0]) * PANEL_W

    def sy(v: float) -> float:
        return PAD_T + (Y_RANGE[1] - v) / (Y_RANGE[1] - Y_RANGE[0]) * PANEL_H

    clip = f"clip{int(x0)}"
    parts = [
        f'<clipPath id="{clip}"><rect x="{sx(X_RANGE[0]):.1f}" y="{sy(Y_RANGE[1]):.1f}" '
        f'width="{PANEL_W}" height="{PANEL_H}"/></clipPath>',
        f'<text x="{x0 + PAD_L + PANEL_W / 2:.1f}" y="22" text-anchor="middle" '
        f'font-weight="bold">{title}</text>',
    ]
    for v in range(int(X_RANGE[0]), int(X_RANGE[1]) + 1):
        parts.append(
            f'<line x1="{sx(v):.1f}" y1="{sy(Y_RANGE[0]):.1f}" x2="{sx(v):.1f}" '
            f'y2="{sy(Y_RANGE[1]):.1f}" stroke="{"#999" if v == 0 else "#eee"}"/>'
        )
        parts.append(
            f'<text x="{sx(v):.1f}" y="{sy(Y_RANGE[0]) + 15:.1f}" text-anchor="middle">{v}</text>'
        )
    for v in range(int(Y_RANGE[0]), int(Y_RANGE[1]) + 1):
        parts.append(
            f'<line x1="{sx(X_RANGE[0]):.1f}" y1="{sy(v):.1f}" x2="{sx(X_RANGE[1]):.1f}" '
            f'y2="{sy(v):.1f}" stroke="{"#999" if v == 0 else "#eee"}"/>'
        )
        if v % 2 == 0:
            parts.append(
                f'<text x="{sx(X_RANGE[0]) - 6:.1f}" y="{sy(v) + 4:.1f}" '
                f'text-anchor="end">{v}</text>'
            )
    parts.append(
        f'<text x="{x0 + PAD_L + PANEL_W / 2:.1f}" y="{sy(Y_RANGE[0]) + 34:.1f}" '
        f'text-anchor="middle">{xlabel}</text>'
    )
    for values, colour, dash in curves:
        points = " ".join(f"{sx(t):.1f},{sy(v):.1f}" for t, v in zip(GRID, values, strict=True))
        style = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"'
            f'{style} clip-path="url(#{clip})"/>'
        )
    return "\n".join(parts)


def main() -> None:
    gen = [(generator(k), c, DASH.get(k, "")) for k, c in zip(KINDS, COLOURS, strict=True)]
    minimax = np.log1p(-1.0 / (1.0 + np.exp(-GRID)))  # log(1 - sigmoid(f)), saturating
    gen.append((minimax, "#555", "5,4"))
    real = [
        (discriminator_real(k), c, DASH.get(k, "")) for k, c in zip(KINDS, COLOURS, strict=True)
    ]
    fake = [
        (discriminator_fake(k), c, DASH.get(k, "")) for k, c in zip(KINDS, COLOURS, strict=True)
    ]
    step = PAD_L + PANEL_W + GAP
    width = 3 * step + 10
    legend_y = PAD_T + PANEL_H + 60
    height = legend_y + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        _panel(0, "generator, real logits at 0", "fake logit f", gen),
        _panel(step, "discriminator, fake logit at 0", "real logit r", real),
        _panel(2 * step, "discriminator, real logit at 0", "fake logit f", fake),
    ]
    labels = [*KINDS, "minimax log(1 - D) (generator; not offered)"]
    colours = [*COLOURS, "#555"]
    dashes = [DASH.get(k, "") for k in KINDS] + ["5,4"]
    x = PAD_L
    for label, colour, d in zip(labels, colours, dashes, strict=True):
        dash = f' stroke-dasharray="{d}"' if d else ""
        parts.append(
            f'<line x1="{x}" y1="{legend_y}" x2="{x + 24}" y2="{legend_y}" stroke="{colour}" '
            f'stroke-width="2"{dash}/>'
        )
        parts.append(f'<text x="{x + 30}" y="{legend_y + 4}">{label}</text>')
        x += 36 + 7 * len(label)
    parts.append("</svg>")
    OUT.write_text("\n".join(parts) + "\n")
    for k, values in zip(KINDS, (g[0] for g in gen), strict=False):
        slope = np.gradient(values, GRID)
        print(
            f"{k:22s} generator loss at f = -5, 0, 5: "
            f"{values[0]:7.3f} {values[100]:7.3f} {values[-1]:7.3f}; slope at -5: {slope[0]:.3f}"
        )
    print(f"{'minimax':22s} slope at f = -5: {np.gradient(minimax, GRID)[0]:.4f}")


if __name__ == "__main__":
    main()
