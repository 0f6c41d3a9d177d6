"""Train a tiny per-pixel segmentation model with JAX + optax under ``jax.jit``.

The loss is ``arrayloss.dice_ce_loss`` (Dice + cross-entropy), the metric
``arrayloss.iou_score``; both are plain functions of JAX arrays, so the whole
train step is one jitted function. ``functools.partial`` fixes the loss's static
hyperparameters. Run: ``python examples/jax_segmentation.py [--small]``.
"""

from __future__ import annotations

import argparse
import functools

import jax
import jax.numpy as jnp
import numpy as np
import optax

import arrayloss as al


def make_data(n: int, size: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Images with a bright disc (class 1) on noise; labels (N, H, W) of 0/1."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:size, :size]
    images, labels = [], []
    for _ in range(n):
        cy, cx, r = [*rng.uniform(size * 0.3, size * 0.7, 2).tolist(), rng.uniform(2, size / 4)]
        mask = (yy - cy) ** 2 + (xx - cx) ** 2 < r**2
        images.append(mask + 0.5 * rng.normal(size=mask.shape))
        labels.append(mask.astype(np.int32))
    return np.stack(images)[..., None].astype(np.float32), np.stack(labels)


def model(params: dict[str, jax.Array], x: jax.Array) -> jax.Array:
    """A 3x3 convolution, ReLU, then a 1x1 convolution to 2 class logits (channels-last)."""
    h = jax.lax.conv_general_dilated(
        x, params["w1"], (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC")
    )
    h = jax.nn.relu(h + params["b1"])
    return h @ params["w2"] + params["b2"]  # (N, H, W, 2)


loss_fn = functools.partial(al.dice_ce_loss, lambda_dice=1.0, lambda_ce=1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a few steps on tiny images")
    args = parser.parse_args()
    n, size, steps = (16, 16, 30) if args.small else (256, 64, 300)
    x, y = make_data(n, size)
    key = jax.random.PRNGKey(0)
    k1, k2 = jax.random.split(key)
    params = {
        "w1": 0.3 * jax.random.normal(k1, (3, 3, 1, 8)),
        "b1": jnp.zeros(8),
        "w2": 0.3 * jax.random.normal(k2, (8, 2)),
        "b2": jnp.zeros(2),
    }
    optimizer = optax.adam(0.05)
    opt_state = optimizer.init(params)

    @jax.jit
    def train_step(params, opt_state, x, y):  # type: ignore[no-untyped-def]
        loss, grads = jax.value_and_grad(lambda p: loss_fn(model(p, x), y))(params)
        updates, opt_state = optimizer.update(grads, opt_state)
        return optax.apply_updates(params, updates), opt_state, loss

    @jax.jit
    def evaluate(params, x, y):  # type: ignore[no-untyped-def]
        preds = jnp.argmax(model(params, x), axis=-1)
        return al.iou_score(preds, y, 2)

    first = None
    for step in range(steps):
        params, opt_state, loss = train_step(params, opt_state, x, y)
        first = float(loss) if first is None else first
        if step % max(1, steps // 5) == 0 or step == steps - 1:
            print(f"step {step:4d}  dice+ce {float(loss):.4f}")
    iou = float(jnp.mean(evaluate(params, x, y)))
    print(f"loss {first:.4f} -> {float(loss):.4f}; mean IoU {iou:.3f}")
    assert float(loss) < first, "the loss must go down"


if __name__ == "__main__":
    main()
