"""Every script in ``examples/`` runs to its end with ``--small`` (each asserts its own
result: the loss goes down, the metrics equal a NumPy recomputation)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
# what each example imports beyond arrayloss and NumPy
NEEDS = {
    "jax_segmentation.py": ("jax", "optax"),
    "torch_training.py": ("torch",),
    "torch_training.py --compile": ("torch",),
    "keras_fit.py": ("keras", "jax"),
    "evaluate_masks.py": (),
    "evaluate_masks.py --backend dask": ("dask",),
}


def test_every_example_is_run() -> None:
    assert {k.split()[0] for k in NEEDS} == {p.name for p in EXAMPLES.glob("*.py")}


@pytest.mark.parametrize("command", sorted(NEEDS))
def test_example_runs(command: str) -> None:
    for module in NEEDS[command]:
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} not installed")
    script, *extra = command.split()
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / script), "--small", *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-4000:]
