"""Fit a Keras 3 model with an arrayloss loss: ``model.compile(loss=DiceLoss())``.

Keras runs on JAX (default here) or PyTorch: set ``KERAS_BACKEND`` before running.
The loss is saved with the model and reloads without ``custom_objects``.
Run: ``KERAS_BACKEND=jax python examples/keras_fit.py [--small]``.
"""

from __future__ import annotations

import argparse
import os
import tempfile

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras
import numpy as np

import arrayloss.keras as alk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="one short epoch on tiny images")
    args = parser.parse_args()
    n, size, epochs = (16, 16, 3) if args.small else (256, 64, 10)
    rng = np.random.default_rng(0)
    labels = np.zeros((n, size, size), dtype=np.int64)
    for i in range(n):
        y0, x0 = rng.integers(0, size // 2, 2)
        labels[i, y0 : y0 + size // 3, x0 : x0 + size // 3] = 1
    images = (labels + 0.5 * rng.normal(size=labels.shape))[..., None].astype("float32")

    model = keras.Sequential(
        [
            keras.Input((size, size, 1)),
            keras.layers.Conv2D(8, 3, padding="same", activation="relu"),
            keras.layers.Conv2D(2, 1),  # logits, channels-last: the loss's default axis
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss=alk.DiceLoss())
    history = model.fit(images, labels, epochs=epochs, batch_size=8, verbose=0).history["loss"]
    print(f"backend {keras.backend.backend()}: loss " + " -> ".join(f"{h:.4f}" for h in history))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.keras")
        model.save(path)
        again = keras.models.load_model(path)
    print(f"reloaded with loss {type(again.loss).__name__} {again.loss.get_config()}")
    assert history[-1] < history[0], "the loss must go down"


if __name__ == "__main__":
    main()
