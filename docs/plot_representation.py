"""Draw ``docs/_static/representation.png``: the angular margins on the target logit, and
the CTC lattice of a short word.

Left: the target-class logit (before the scale ``s``) of
:func:`arrayloss.margin_softmax_logits` over the angle between a feature and its class
centre, for plain softmax, SphereFace (``m1``), ArcFace (``m2``), CosFace (``m3``) and a
combination of the three, with the non-target logit ``cos(theta)`` for comparison: at
a given angle the margin lowers the target logit, so the model must pull the feature
closer to its centre to reach the same probability. Under it, the derivative of each
curve with respect to the cosine (what the backward pass multiplies by): finite at
``theta = 0`` (``cos = 1``), where the textbook ``arccos`` form is infinite.

Right: CTC's forward-backward posterior ``gamma_t(s) = P(alignment at state s at
frame t | y)`` over the extended label sequence ``- c - a - t -`` for a made-up
12-frame output, computed here by an independent float64 NumPy alpha-beta recursion.
Each column sums to 1; its class marginals equal minus the gradient of
``arrayloss.ctc_loss`` with respect to the log-probabilities (checked below, on JAX).

Run ``python docs/plot_representation.py`` from the repository root (needs NumPy,
matplotlib and JAX) to rewrite the PNG; it prints the checks.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np

import arrayloss as al

jax.config.update("jax_enable_x64", True)

OUT = Path(__file__).resolve().parent / "_static" / "representation.png"

MARGINS = [
    ("softmax", {"m1": 1.0, "m2": 0.0, "m3": 0.0}, "#7f7f7f"),
    ("SphereFace m1=1.35", {"m1": 1.35, "m2": 0.0, "m3": 0.0}, "#2ca02c"),
    ("ArcFace m2=0.5", {"m1": 1.0, "m2": 0.5, "m3": 0.0}, "#1f77b4"),
    ("CosFace m3=0.35", {"m1": 1.0, "m2": 0.0, "m3": 0.35}, "#ff7f0e"),
    ("combined (1, 0.3, 0.2)", {"m1": 1.0, "m2": 0.3, "m3": 0.2}, "#9467bd"),
]

WORD = "cat"
CLASSES = "-" + "".join(sorted(set(WORD)))  # blank 0, then a, c, t
# the frames the made-up network "hears" each symbol at
SPOKEN = "--cc-aa--tt-"


def margin_curves(theta: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per margin: the target logit at scale 1 and its derivative in the cosine."""
    cos = jnp.asarray(np.cos(theta))[:, None]
    labels = jnp.zeros((len(theta),), dtype=jnp.int64)
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, kw, _ in MARGINS:

        def target(c: jnp.ndarray, kw: dict[str, float] = kw) -> jnp.ndarray:
            return al.margin_softmax_logits(c, labels[:1], scale=1.0, **kw)[0, 0]

        value = np.asarray(jax.vmap(lambda c: target(c[None]))(cos))
        slope = np.asarray(jax.vmap(jax.grad(lambda c: target(c[None])))(cos))[:, 0]
        out[name] = (value, slope)
    return out


def ctc_example() -> tuple[np.ndarray, list[int], list[str]]:
    """Log-probabilities ``(T, C)`` peaking at SPOKEN, with noise; the target indices."""
    rng = np.random.default_rng(3)
    logits = rng.normal(scale=0.6, size=(len(SPOKEN), len(CLASSES)))
    for t, ch in enumerate(SPOKEN):
        logits[t, CLASSES.index(ch)] += 2.5
    lp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    target = [CLASSES.index(ch) for ch in WORD]
    ext = ["-"]
    for ch in WORD:
        ext += [ch, "-"]
    return lp, target, ext


def posterior(lp: np.ndarray, target: list[int]) -> np.ndarray:
    """``gamma[s, t]`` by the alpha-beta recursion in probability space (Graves 2006)."""
    ext = [0]
    for c in target:
        ext += [c, 0]
    big_t, n = lp.shape[0], len(ext)
    p = np.exp(lp)

    def allowed(s: int, back: int) -> bool:
        if back == 2:
            return s >= 2 and ext[s] != 0 and ext[s] != ext[s - 2]
        return s >= back

    alpha = np.zeros((n, big_t))
    alpha[0, 0], alpha[1, 0] = p[0, ext[0]], p[0, ext[1]]
    for t in range(1, big_t):
        for s in range(n):
            a = sum(alpha[s - k, t - 1] for k in (0, 1, 2) if allowed(s, k))
            alpha[s, t] = a * p[t, ext[s]]
    beta = np.zeros((n, big_t))
    beta[n - 1, -1], beta[n - 2, -1] = 1.0, 1.0
    for t in range(big_t - 2, -1, -1):
        for s in range(n):
            b = sum(
                beta[s + k, t + 1] * p[t + 1, ext[s + k]]
                for k in (0, 1, 2)
                if s + k < n and allowed(s + k, k)
            )
            beta[s, t] = b
    gamma = alpha * beta
    return gamma / gamma.sum(axis=0, keepdims=True)


def main() -> None:
    theta = np.linspace(0.0, math.pi, 361)
    curves = margin_curves(theta)
    lp, target, ext = ctc_example()
    gamma = posterior(lp, target)

    # check: class marginals of gamma == -d ctc_loss / d log_probs (arrayloss, JAX)
    def nll(x: jnp.ndarray) -> jnp.ndarray:
        return al.ctc_loss(
            x[None],
            jnp.asarray([target]),
            jnp.asarray([lp.shape[0]]),
            jnp.asarray([len(target)]),
            reduction="sum",
        )

    grad = -np.asarray(jax.grad(nll)(jnp.asarray(lp)))
    ext_idx = [CLASSES.index(ch) for ch in ext]
    marginal = np.zeros_like(lp)
    for s, c in enumerate(ext_idx):
        marginal[:, c] += gamma[s]
    print(f"max |class marginal - (-grad ctc_loss)| = {np.abs(marginal - grad).max():.2e}")
    print(f"ctc_loss = {float(nll(jnp.asarray(lp))):.6f}")
    for name, (value, slope) in curves.items():
        print(f"{name:24s} logit at 0: {value[0]:+.4f}   d/dcos at 0: {slope[0]:+.4f}")

    fig = plt.figure(figsize=(12, 5.2), layout="constrained")
    grid = fig.add_gridspec(2, 2, height_ratios=(2, 1), width_ratios=(1.05, 1))
    ax = fig.add_subplot(grid[0, 0])
    ax_d = fig.add_subplot(grid[1, 0], sharex=ax)
    deg = np.degrees(theta)
    for name, _, color in MARGINS:
        value, slope = curves[name]
        style = "--" if name == "softmax" else "-"
        ax.plot(deg, value, style, color=color, label=name)
        ax_d.plot(deg, slope, style, color=color)
    ax.set_ylabel("target logit / s")
    ax.set_title("angular margins: the target logit over the angle to the class centre")
    ax.axhline(0, color="#ccc", lw=0.8)
    ax.legend(fontsize=8, loc="lower left")
    ax_d.set_ylabel("d logit / d cos")
    ax_d.set_xlabel("angle theta between feature and class centre (degrees)")
    ax_d.set_ylim(-3, 5)
    ax_d.axhline(0, color="#ccc", lw=0.8)
    ax_d.set_xlim(0, 180)

    ax_c = fig.add_subplot(grid[:, 1])
    im = ax_c.imshow(gamma, aspect="auto", cmap="Blues", vmin=0, vmax=1)
    ax_c.set_yticks(range(len(ext)), [f"{s}: {ch}" for s, ch in enumerate(ext)])
    ax_c.set_xticks(range(lp.shape[0]), [f"{t}\n{ch}" for t, ch in enumerate(SPOKEN)])
    ax_c.set_xlabel("frame t (and the symbol the made-up network peaks at)")
    ax_c.set_ylabel("extended label state s")
    ax_c.set_title(f'CTC posterior gamma_t(s) for "{WORD}" over {lp.shape[0]} frames')
    for s in range(len(ext)):
        for t in range(lp.shape[0]):
            if gamma[s, t] > 0.05:
                ax_c.text(
                    t,
                    s,
                    f"{gamma[s, t]:.2f}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if gamma[s, t] > 0.6 else "black",
                )
    fig.colorbar(im, ax=ax_c, shrink=0.8, label="posterior")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT, dpi=110)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
