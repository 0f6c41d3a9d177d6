"""``arrayloss bake-off``: determinism, both frameworks, the tasks, the spec parser, errors.

The quick runs train for real (a few seconds each on a CPU), so this file holds the
few that prove the contract: ``--quick`` twice gives identical ``results.csv``, the
torch and JAX runs both train, each bad input gets a clear error naming its argument.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sklearn")

from arrayloss import _registry
from arrayloss._bakeoff import ADAPTIVE, Config, default_lineup, run
from arrayloss._bakeoff._metrics import from_confusion
from arrayloss._bakeoff._spec import parse_spec, parse_specs
from arrayloss._bakeoff._state import map_state
from arrayloss._bakeoff._tasks import digits_lt, load_npz, long_tail_counts, shapes_seg
from arrayloss._cli import main

# -- the spec parser ------------------------------------------------------------------


def test_spec_reads_name_and_typed_hyperparameters() -> None:
    spec = parse_spec("focal_loss:gamma=0.5:lam=2")
    assert spec.name == "focal_loss"
    assert spec.kwargs == {"gamma": 0.5, "lam": 2}
    assert isinstance(spec.kwargs["lam"], int)
    assert spec.label == "focal_loss:gamma=0.5:lam=2"
    assert parse_spec("cross_entropy:class_weights=balanced").kwargs == {
        "class_weights": "balanced"
    }
    assert parse_spec("cross_entropy:ignore_index=none").kwargs == {"ignore_index": None}
    assert parse_spec("dice_loss:from_logits=true").kwargs == {"from_logits": True}
    assert [s.name for s in parse_specs("mae_loss, cross_entropy")] == [
        "mae_loss",
        "cross_entropy",
    ]


def test_spec_target_form_by_family() -> None:
    assert parse_spec("mae_loss").target == "probabilities"
    assert parse_spec("cross_entropy").target == "labels"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("focal_los", ["--losses", "unknown loss 'focal_los'", "focal_loss"]),
        ("focal_loss:gama=2", ["--losses", "no hyperparameter 'gama'", "gamma"]),
        ("focal_loss:gamma", ["--losses", "not key=value"]),
        ("giou_loss", ["--losses", "detection", "not a loss that trains"]),
        ("confusion_matrix", ["--losses", "metrics"]),
        ("", ["--losses", "no loss"]),
    ],
)
def test_spec_errors_name_the_argument(text: str, words: list[str]) -> None:
    with pytest.raises(ValueError) as info:
        parse_specs(text)
    for word in words:
        assert word in str(info.value)


# -- the tasks --------------------------------------------------------------------------


def test_long_tail_counts_follow_the_formula() -> None:
    counts = long_tail_counts(124, 10, 100.0)
    assert counts == [math.floor(124 * 100.0 ** (-c / 9) + 1e-9) for c in range(10)]
    assert counts[0] == 124
    assert counts[-1] == 1  # n_max, then n_max / R
    assert long_tail_counts(50, 4, 1.0) == [50, 50, 50, 50]
    assert long_tail_counts(100, 3, 4.0) == [100, 50, 25]  # 100 * 4^(-c/2)
    with pytest.raises(ValueError, match="--imbalance"):
        long_tail_counts(10, 3, 0.5)


def test_digits_lt_is_long_tailed_with_a_balanced_test_split() -> None:
    task = digits_lt(10.0)
    n_max = int(task.counts[0])
    assert task.counts.tolist() == long_tail_counts(n_max, 10, 10.0)
    assert np.bincount(task.y_test, minlength=10).tolist() == [50] * 10
    assert task.rarest == 9
    again = digits_lt(10.0)
    assert np.array_equal(task.x, again.x)
    assert np.array_equal(task.y, again.y)


def test_shapes_seg_is_deterministic_with_rare_small_and_thin_classes() -> None:
    a, b = shapes_seg(n_train=8, n_test=4, size=24), shapes_seg(n_train=8, n_test=4, size=24)
    assert np.array_equal(a.x, b.x)
    assert np.array_equal(a.y, b.y)
    counts = a.counts
    assert counts[0] > 5 * counts[3]
    assert counts[1] > 5 * counts[4]  # large vs rare
    assert all(np.any(a.y_test == c) for c in (3, 4))  # every test image has them
    rare = shapes_seg(20.0, n_train=40, n_test=2, size=24)
    assert rare.counts[3] < counts[3] * 40 / 8  # a fraction 1/R of images carries them


def test_metrics_from_the_confusion_matrix() -> None:
    m = np.array([[8, 2], [1, 1]])
    got = from_confusion(m)
    assert got["accuracy"] == pytest.approx(9 / 12)
    assert got["balanced_accuracy"] == pytest.approx((0.8 + 0.5) / 2)
    assert np.allclose(got["iou"], [8 / 11, 1 / 4])
    assert np.allclose(got["f1"], [16 / 19, 2 / 5])


# -- bad input ------------------------------------------------------------------------


def _npz(tmp_path: Path, **arrays: np.ndarray) -> str:
    path = tmp_path / "data.npz"
    np.savez(path, **arrays)
    return str(path)


def test_npz_without_x_or_y(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"--data: .*no 'y' array.*needs 'x' and 'y'"):
        load_npz(_npz(tmp_path, x=np.zeros((4, 3))))


def test_npz_labels_outside_the_classes(tmp_path: Path) -> None:
    x = np.zeros((8, 3), np.float32)
    with pytest.raises(ValueError, match=r"--data: .*label -1, outside the classes"):
        load_npz(_npz(tmp_path, x=x, y=np.array([0, 1, -1, 0, 1, 0, 1, 0])))
    with pytest.raises(ValueError, match=r"--data: .*label 3 is outside the classes 0..1"):
        load_npz(_npz(tmp_path, x=x, y=np.array([0, 1, 3, 0, 1, 0, 1, 0]), num_classes=2))
    with pytest.raises(ValueError, match=r"--data: .*y_test has classes \[2\]"):
        load_npz(
            _npz(tmp_path, x=x, y=np.array([0, 1] * 4), x_test=x[:2], y_test=np.array([0, 2]))
        )
    with pytest.raises(ValueError, match=r"--data: .*integer class labels"):
        load_npz(_npz(tmp_path, x=x, y=np.linspace(0, 1, 8)))


def test_loss_that_does_not_fit_the_task() -> None:
    # gaussian_nll_loss needs a variance argument: the trial call on a tiny batch fails
    with pytest.raises(ValueError, match=r"--losses: gaussian_nll_loss does not fit"):
        run(Config(losses=["gaussian_nll_loss"], quick=True, epochs=1), progress=None)


def test_box_loss_on_segmentation_via_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bake-off", "--task", "shapes-seg", "--losses", "giou_loss", "--quick"]) == 2
    err = capsys.readouterr().err
    for word in ("--losses", "giou_loss", "detection"):
        assert word in err


def test_numpy_cannot_train(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bake-off", "--backend", "numpy", "--quick"]) == 2
    assert "no autodiff" in capsys.readouterr().err


def test_bad_ratio_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bake-off", "--imbalance", "0.5"]) == 2
    assert "--imbalance" in capsys.readouterr().err


# -- real runs --------------------------------------------------------------------------


def test_quick_twice_gives_identical_csv(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    for name in ("a", "b"):
        args = ["bake-off", "--quick", "--losses", "mae_loss,cross_entropy,focal_loss:gamma=0.5"]
        assert main([*args, "--out", str(tmp_path / name)]) == 0
    first = (tmp_path / "a" / "results.csv").read_text()
    assert first == (tmp_path / "b" / "results.csv").read_text()
    assert len(first.splitlines()) == 4
    assert (tmp_path / "a" / "results.md").is_file()


def test_jax_quick_run_trains_like_torch() -> None:
    pytest.importorskip("jax")
    pytest.importorskip("optax")
    pytest.importorskip("torch")
    losses = ["cross_entropy", "mae_loss"]
    jax_runs = run(Config(backend="jax", losses=losses, quick=True, epochs=6), progress=None)
    torch_runs = run(Config(backend="torch", losses=losses, quick=True, epochs=6), progress=None)
    for j, t in zip(jax_runs, torch_runs, strict=True):
        assert j.label == t.label
        assert len(j.curves) == 6
        # same initial weights, data order and optimiser: the same model within float32
        assert j.final["balanced_accuracy"] == pytest.approx(
            t.final["balanced_accuracy"], abs=0.05
        )
    ce = jax_runs[0].final["balanced_accuracy"]
    assert ce > 0.5  # it learned (chance is 0.1)


def test_segmentation_quick_run_trains() -> None:
    pytest.importorskip("torch")
    (result,) = run(
        Config(task="shapes-seg", losses=["dice_ce_loss"], quick=True, epochs=2), progress=None
    )
    assert len(result.curves) == 2
    assert 0.0 < result.final["miou"] <= 1.0


@pytest.mark.parametrize("name", [n for n in ADAPTIVE if n in {i.name for i in _registry.LOSSES}])
def test_registered_adaptive_losses_train(name: str) -> None:
    pytest.importorskip("torch")
    assert name in default_lineup("classification")
    (result,) = run(Config(losses=[name], quick=True, epochs=2), progress=None)
    assert len(result.curves) == 2


def test_state_detaches_every_array() -> None:
    from dataclasses import dataclass

    @dataclass
    class State:
        total: np.ndarray
        step: int

    got = map_state((State(np.ones(2), 3), {"a": np.zeros(1)}), lambda a: a + 1)
    assert np.array_equal(got[0].total, [2, 2])
    assert got[0].step == 3
    assert np.array_equal(got[1]["a"], [1])


def test_import_arrayloss_imports_no_framework() -> None:
    code = (
        "import sys, arrayloss, arrayloss._cli; "
        "bad = [m for m in ('torch', 'jax', 'sklearn', 'matplotlib', 'tqdm', 'optax') "
        "if m in sys.modules]; print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
