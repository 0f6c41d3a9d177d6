"""``arrayloss.keras``: one Keras 3 loss per applicable registered loss, on JAX and torch.

Keras reads its backend once per process, so each backend runs in a subprocess
(``keras_check.py`` beside this file) that reports JSON. For every applicable
registered loss (from the registry): the Keras loss of ``(y_true, y_pred)`` equals
the mean of the function's ``reduction="none"`` result (Keras's
``"sum_over_batch_size"``), with ``sample_weight`` applied as Keras does; integer
labels reach the function as integers. A model compiled with two of them fits, is
saved, and reloads with the same loss and configuration.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("keras")
HERE = Path(__file__).resolve().parent


def _run(backend: str, tmp_path: Path) -> dict[str, object]:
    pytest.importorskip(backend)
    env = {**os.environ, "KERAS_BACKEND": backend}
    out = subprocess.run(
        [sys.executable, str(HERE / "keras_check.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_keras_losses_equal_the_functions_fit_and_reload(backend: str, tmp_path: Path) -> None:
    result = _run(backend, tmp_path)
    assert result["backend"] == backend
    assert result["failures"] == {}, result["failures"]
    assert int(str(result["checked"])) >= 50
    assert result["labels_dtype"] in ("int32", "int64")
    history = result["history"]
    assert isinstance(history, list)
    assert all(isinstance(h, float) and h == h for h in history)
    assert result["reloaded"] == {"class": "FocalLoss", "gamma": 2.0, "equal": True}


def test_every_registered_loss_has_a_keras_loss_or_a_reason() -> None:
    code = (
        "import os; os.environ.setdefault('KERAS_BACKEND', 'jax');"
        "import json, arrayloss.keras as k, arrayloss._registry as r;"
        "print(json.dumps([i.name for i in r.LOSSES "
        "if i.name not in k.NOT_APPLICABLE and not any(c.function is i.function "
        "for c in k.LOSSES.values())]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_tensorflow_backend_is_refused_clearly() -> None:
    code = (
        "import keras, numpy as np\n"
        "keras.backend.backend = lambda: 'tensorflow'\n"
        "import arrayloss.keras as k\n"
        "try:\n"
        "    k.FocalLoss()(np.array([0]), np.zeros((1, 2), 'float32'))\n"
        "except RuntimeError as e:\n"
        "    print(e)\n"
    )
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert "KERAS_BACKEND=jax or KERAS_BACKEND=torch" in out.stdout
    assert "'tensorflow'" in out.stdout
