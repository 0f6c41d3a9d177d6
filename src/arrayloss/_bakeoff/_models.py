"""The bake-off's models, as NumPy initial weights that torch and JAX both load.

``digits-lt`` (and ``.npz`` classification) trains an MLP ``F -> 64 -> C``;
``shapes-seg`` (and ``.npz`` segmentation) a small fully convolutional net: three
3x3 convolutions of 16 channels with dilations 1, 2, 4 and a 1x1 head. The weights
are drawn with NumPy from the seed (He normal, zero biases), in torch's layouts
(``(out, in)`` and ``OIHW``), so both frameworks start from the same numbers.
"""

from __future__ import annotations

import numpy as np

__all__ = ["DILATIONS", "HIDDEN", "init_params"]

HIDDEN = 64
WIDTH = 16
DILATIONS = (1, 2, 4)


def _normal(
    rng: np.random.Generator, shape: tuple[int, ...], fan_in: int, gain: float
) -> np.ndarray:
    out: np.ndarray = (rng.standard_normal(shape) * np.sqrt(gain / fan_in)).astype(np.float32)
    return out


def init_params(
    kind: str, in_shape: tuple[int, ...], num_classes: int, seed: int
) -> dict[str, np.ndarray]:
    """Initial weights for ``kind`` (``"classification"``/``"segmentation"``), float32."""
    rng = np.random.default_rng(seed)
    if kind == "classification":
        (features,) = in_shape
        return {
            "w1": _normal(rng, (HIDDEN, features), features, 2.0),
            "b1": np.zeros(HIDDEN, np.float32),
            "w2": _normal(rng, (num_classes, HIDDEN), HIDDEN, 1.0),
            "b2": np.zeros(num_classes, np.float32),
        }
    channels = in_shape[0]
    params: dict[str, np.ndarray] = {}
    c_in = channels
    for i, _ in enumerate(DILATIONS):
        params[f"conv{i}"] = _normal(rng, (WIDTH, c_in, 3, 3), 9 * c_in, 2.0)
        params[f"bias{i}"] = np.zeros(WIDTH, np.float32)
        c_in = WIDTH
    params["head"] = _normal(rng, (num_classes, WIDTH, 1, 1), WIDTH, 1.0)
    params["head_bias"] = np.zeros(num_classes, np.float32)
    return params
