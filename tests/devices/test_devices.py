"""Losses that are ratios of batch sums are correct on N devices (CONVENTIONS: devices).

Each check runs in its own process (``jax_check.py``: 4 simulated JAX CPU devices,
``shard_map`` with ``axis_name`` and ``jit`` over a ``NamedSharding``;
``torch_ddp_check.py``: 2 gloo processes with ``process_group``) and reports, for
every affected loss, ``batch_dice`` on and off (and both reductions), the largest
difference from one device on the whole batch, value and gradient.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import arrayloss as al

HERE = Path(__file__).resolve().parent
# read from a confusion matrix, a sum: counted per device or process, then summed
METRICS = {"mean_iou", "iou_score", "dice_score", "f1_score", "precision", "recall"}
AFFECTED = {
    "dice_loss",
    "jaccard_loss",
    "tversky_loss",
    "focal_tversky_loss",
    "log_cosh_dice_loss",
    "sensitivity_specificity_loss",
    "mcc_loss",
    "generalized_dice_loss",
}


def _run(script: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, str(HERE / script)], capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stderr[-4000:]
    assert "Warning" not in out.stderr, out.stderr[-2000:]
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _check_metrics(result: dict[str, object]) -> None:
    metrics = result["metrics"]
    assert isinstance(metrics, dict)
    assert set(metrics) == METRICS
    bad = {k: v for k, v in metrics.items() if not v <= 1e-12}
    assert not bad, bad


def _check(worst: object, configs: int) -> None:
    assert isinstance(worst, dict)
    assert {k.split()[0] for k in worst} == AFFECTED
    assert len(worst) == configs
    bad = {k: v for k, v in worst.items() if not v <= 1e-12}
    assert not bad, bad


def test_jax_shard_map_and_sharded_jit_equal_one_device() -> None:
    if importlib.util.find_spec("jax") is None:
        pytest.skip("jax not installed")
    result = _run("jax_check.py")
    assert result["devices"] == 4
    _check(result["worst"], 2 * len(AFFECTED) + 2)  # pooled and per-sample mean; Dice's sums
    _check_metrics(result)
    # the pitfall the option exists for: per-device Dice averaged is not the Dice
    assert result["global"] == pytest.approx(result["one_device"], abs=1e-15)
    assert abs(float(str(result["averaged"])) - float(str(result["global"]))) > 0.01


def test_torch_ddp_equals_one_process() -> None:
    torch = pytest.importorskip("torch")
    if not torch.distributed.is_available():
        pytest.skip("torch.distributed not available")
    result = _run("torch_ddp_check.py")
    assert result["world"] == 2
    # batch_dice on/off x mean/sum x the one-hot or index-label per-class sums
    _check(result["worst"], 8 * len(AFFECTED))
    _check_metrics(result)


@pytest.mark.parametrize("name", sorted(AFFECTED))
def test_every_affected_loss_takes_both_options(name: str) -> None:
    import inspect

    params = inspect.signature(getattr(al, name)).parameters
    assert params["axis_name"].default is None
    assert params["process_group"].default is None


def test_bad_options_are_clear_errors() -> None:
    x = np.zeros((2, 3, 3))
    y = np.zeros((2, 3), dtype=int)
    with pytest.raises(
        ValueError, match="axis_name sums over a shard_map/pmap axis and needs JAX"
    ):
        al.dice_loss(x, y, axis_name="batch")
    with pytest.raises(TypeError, match="axis_name must be a mapped axis name"):
        al.dice_loss(x, y, axis_name=3)
    with pytest.raises(ValueError, match=r"process_group sums over torch\.distributed"):
        al.dice_loss(x, y, process_group=True)
    with pytest.raises(ValueError, match="not both"):
        al.dice_loss(x, y, axis_name="b", process_group=True)
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match=r"needs torch\.distributed initialised"):
        al.dice_loss(torch.asarray(x), torch.asarray(y), process_group=True)
    with pytest.raises(TypeError, match="process_group must be True"):
        al.dice_loss(torch.asarray(x), torch.asarray(y), process_group="world")
