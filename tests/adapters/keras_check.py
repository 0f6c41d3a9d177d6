"""Run by ``test_keras.py`` in a subprocess with ``KERAS_BACKEND`` set; prints JSON.

Usage: ``KERAS_BACKEND=jax python keras_check.py TMPDIR``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

if os.environ.get("KERAS_BACKEND") == "jax":  # the values are compared in float64
    import jax

    jax.config.update("jax_enable_x64", True)

import keras
import numpy as np
from keras.src.losses.loss import reduce_weighted_values

import arrayloss.keras as alk
from arrayloss._registry import LOSSES

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from support.registry import is_array

BACKEND = keras.backend.backend()


def to_numpy(x: Any) -> np.ndarray:
    return np.asarray(keras.ops.convert_to_numpy(x), dtype=np.float64)


def tensor(a: Any) -> Any:
    """A float64 (floating) or int64 tensor: Keras would make float64 NumPy float32."""
    a = np.asarray(a)
    return keras.ops.convert_to_tensor(a, dtype="float64" if a.dtype.kind == "f" else None)


def check_values() -> tuple[int, dict[str, str]]:
    failures: dict[str, str] = {}
    checked = 0
    for info in LOSSES:
        if info.name in alk.NOT_APPLICABLE:
            continue
        cls = next(c for c in alk.LOSSES.values() if c.function is info.function)
        case = info.cases()[0]
        pred, target = case.args
        hyper = {k: v for k, v in case.kwargs.items() if k not in ("weights", "reduction")}
        hyper = {k: tensor(v) if is_array(v) else v for k, v in hyper.items()}
        loss = cls(dtype="float64", **hyper)
        y_pred = tensor(pred)
        y_true = tensor(target)
        try:
            try:
                want = to_numpy(info.function(y_pred, y_true, **hyper, reduction="none"))
            except ValueError:  # a compound loss: no per-sample loss, its mean only
                want = to_numpy(info.function(y_pred, y_true, **hyper))
                np.testing.assert_allclose(float(to_numpy(loss(y_true, y_pred))), want, rtol=1e-12)
                checked += 1
                continue
            # the per-sample losses: the function's "none" averaged over all but axis 0
            per_sample = want.mean(axis=tuple(range(1, want.ndim))) if want.ndim > 1 else want
            np.testing.assert_allclose(
                to_numpy(loss.call(y_true, y_pred)), per_sample, rtol=1e-12, atol=1e-15
            )
            # then Keras's own reduction and sample_weight (Keras on torch reduces in float32)
            sw = 0.5 * np.arange(1, per_sample.shape[0] + 1) if per_sample.ndim else None
            for weight in (None, sw):
                keras_way = reduce_weighted_values(
                    tensor(per_sample), sample_weight=weight, dtype="float64"
                )
                got = loss(y_true, y_pred, sample_weight=weight)
                np.testing.assert_allclose(to_numpy(got), to_numpy(keras_way), rtol=1e-12)
            checked += 1
        except Exception as exc:  # reported, not raised: one JSON for all losses
            failures[info.name] = f"{type(exc).__name__}: {str(exc)[:300]}"
    return checked, failures


def labels_dtype() -> str:
    seen: list[str] = []

    def spy(logits: Any, labels: Any, **kw: Any) -> Any:
        seen.append(str(keras.ops.convert_to_numpy(labels).dtype))
        return keras.ops.mean(logits, axis=-1)

    alk.LossFunction(spy)(np.array([0, 1]), np.zeros((2, 3), "float32"))
    return seen[0]


def fit_save_reload(tmp: Path) -> tuple[list[float], dict[str, Any]]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 8)).astype("float32")
    y = rng.integers(0, 3, size=(64,))
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(3)])
    model.compile(optimizer="sgd", loss=alk.FocalLoss(gamma=2.0))
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0).history["loss"]
    xs = rng.normal(size=(8, 6, 6, 2)).astype("float32")
    ys = rng.integers(0, 2, size=(8, 6, 6))
    seg = keras.Sequential([keras.Input((6, 6, 2)), keras.layers.Conv2D(2, 3, padding="same")])
    seg.compile(optimizer="adam", loss=alk.DiceLoss())
    history += seg.fit(xs, ys, epochs=1, verbose=0).history["loss"]
    path = tmp / f"model-{BACKEND}.keras"
    model.save(path)
    again = keras.models.load_model(path)
    equal = bool(
        np.allclose(
            to_numpy(again.loss(y, again(x))), to_numpy(model.loss(y, model(x))), rtol=1e-6
        )
    )
    return [float(h) for h in history], {
        "class": type(again.loss).__name__,
        "gamma": again.loss.get_config()["gamma"],
        "equal": equal,
    }


def main() -> None:
    checked, failures = check_values()
    history, reloaded = fit_save_reload(Path(sys.argv[1]))
    print(
        json.dumps(
            {
                "backend": BACKEND,
                "checked": checked,
                "failures": failures,
                "labels_dtype": labels_dtype(),
                "history": history,
                "reloaded": reloaded,
            }
        )
    )


if __name__ == "__main__":
    main()
