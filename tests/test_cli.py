"""The ``arrayloss`` command (``list`` and ``check``), the catalogue and the README example."""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import arrayloss
from arrayloss import _cli, _registry
from arrayloss._cli import main

ROOT = Path(__file__).resolve().parents[1]


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "arrayloss", *argv],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "400"},  # the content, not the width, is tested here
    )


# -- catalogue -----------------------------------------------------------------------


# public names that are state types and state helpers, not losses: tested with the losses
# and metrics that use them (tests/classification/test_long_tail.py, tests/metrics)
STATE_HELPERS = {
    "AutomatedFocalState",
    "ClassStatistics",
    "ConfusionState",
    "class_statistics",
    "confusion_state",
    "init_automated_focal",
    "ldam_drw_class_weights",
    "merge_confusion",
    "update_class_statistics",
    "update_confusion",
}


def test_catalogue_covers_every_public_loss() -> None:
    names = [i.name for i in _registry.LOSSES]
    assert len(names) == len(set(names)), "a loss is in the catalogue twice"
    missing = sorted(set(arrayloss.__all__) - set(names) - STATE_HELPERS)
    assert not missing, f"public losses missing from arrayloss._registry: {missing}"
    extra = sorted(set(names) - set(arrayloss.__all__))
    assert not extra, f"catalogue entries that are not in arrayloss.__all__: {extra}"


@pytest.mark.parametrize("info", _registry.LOSSES, ids=lambda i: i.name)
def test_catalogue_entry(info: _registry.LossInfo) -> None:
    assert info.family in _registry.FAMILIES
    assert info.description
    assert info.paper
    public = getattr(arrayloss, info.name)
    assert info.function is public
    if info.call is not None:  # a factory (``combine``): its entry checks a loss it built
        assert callable(info.loss())
    cases = info.cases()
    assert len(cases) >= 2
    for case in cases:
        for a in (*case.args, *case.kwargs.values()):
            if isinstance(a, np.ndarray):
                assert a.dtype in (np.float64, np.int64), (case.label, a.dtype)
        out = info.loss()(*case.args, **case.kwargs)
        out = np.asarray(out[0] if isinstance(out, tuple) else out)  # wise_iou_loss's state
        # every case gives floating values: a confusion matrix of floating scores holds
        # floating counts (a NaN score is counted nowhere and flags NaN), docs/metrics.rst
        assert out.dtype == np.float64, (case.label, out.dtype)
        assert np.all(np.isfinite(out)), case.label
        # relative errors need a scale; an exact 0 is the documented value of the
        # anti-correlated MS-SSIM case (negative contrast terms clamp to 0)
        assert np.max(np.abs(out)) > 0 or info.name == "ms_ssim", case.label
    # seeded: the same inputs every time
    again = info.cases()
    for a, b in zip(cases, again, strict=True):
        for x, y in zip(a.args, b.args, strict=True):
            np.testing.assert_array_equal(x, y)


def test_readme_names_every_public_function() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in arrayloss.__all__ if f"`{name}`" not in readme]
    assert not missing, f"README.md does not mention {missing}"


def test_catalogue_get() -> None:
    assert _registry.get("dice_loss").family == "segmentation"
    with pytest.raises(KeyError, match="known: mse_loss"):
        _registry.get("nope")


def test_importing_catalogue_and_cli_imports_no_framework() -> None:
    code = (
        "import sys, arrayloss._cli, arrayloss._registry\n"
        "bad = [m for m in ('numpy', 'torch', 'jax', 'cupy', 'dask') if m in sys.modules]\n"
        "print(bad)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


# -- list ----------------------------------------------------------------------------


def test_list(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["loss", "family", "description", "paper"]
    assert len(lines) == 1 + len(_registry.LOSSES)
    # aligned: every column starts at the same offset on every line
    family_col = lines[0].index("family")
    for line, info in zip(lines[1:], _registry.LOSSES, strict=True):
        assert line.startswith(info.name)
        assert line[family_col:].startswith(info.family)
        assert line.rstrip().endswith(info.citation)


@pytest.mark.parametrize("columns", [80, 100, 132])
def test_list_fits_the_terminal(
    columns: int, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert max(len(line) for line in lines) <= columns
    assert any("…" in line for line in lines)  # something had to be shortened


def test_list_filters_by_family_and_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--family", "detection", "iou"]) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()[1:]]
    assert names == [
        i.name for i in _registry.LOSSES if i.family == "detection" and "iou" in i.name
    ]
    assert "giou_loss" in names
    assert "box_area" not in names
    assert main(["list", "no_such_loss"]) == 1
    assert "no loss matches" in capsys.readouterr().err
    assert main(["list", "--family", "astrology"]) == 2


def test_list_long_prints_whole_references(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--long", "focal_loss"]) == 0
    out = capsys.readouterr().out
    assert "Focal Loss for Dense Object Detection" in out
    assert "https://arxiv.org/abs/1708.02002" in out


def test_module_entry_point_lists() -> None:
    proc = _run("list")
    assert proc.returncode == 0, proc.stderr
    assert "cross_entropy" in proc.stdout
    assert "Lin et al. 2017" in proc.stdout


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage: arrayloss" in capsys.readouterr().err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert arrayloss.__version__ in capsys.readouterr().out


# -- check ---------------------------------------------------------------------------


def _matrix(out: str) -> dict[str, dict[str, str]]:
    """The check's matrix as {loss: {backend: status}}."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("loss "))
    backends = lines[start].split()[1:]
    cells: dict[str, dict[str, str]] = {}
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        name, *rest = line.split()
        statuses = [r for r in rest if r in ("PASS", "FAIL", "ERROR", "N/A")]
        cells[name] = dict(zip(backends, statuses, strict=True))
    return cells


def test_check_numpy(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--backends", "numpy"]) == 0
    out = capsys.readouterr().out
    matrix = _matrix(out)
    assert list(matrix) == [i.name for i in _registry.LOSSES]
    assert all(row == {"numpy": "PASS"} for row in matrix.values()), out
    assert re.search(r"PASS \d\.\de-\d\d", out)
    assert f"all {len(_registry.LOSSES)} loss/backend checks passed" in out


def test_check_marks_documented_dask_gaps_not_failed(capsys: pytest.CaptureFixture[str]) -> None:
    # topk_loss sorts, so it raises NotImplementedError on Dask (CONVENTIONS section 1):
    # reported as N/A, not as a failure; a NotImplementedError elsewhere stays an ERROR
    pytest.importorskip("dask.array")
    assert main(["check", "--backends", "numpy,dask", "--losses", "topk_loss"]) == 0
    out = capsys.readouterr().out
    assert _matrix(out)["topk_loss"]["dask"] == "N/A"
    assert "N/A topk_loss on dask" in out
    assert "all 1 loss/backend checks passed (1 not supported on Dask, as documented)" in out


def test_check_every_installed_backend(capsys: pytest.CaptureFixture[str]) -> None:
    # two losses keep it quick (JAX compiles every eager op once); the conformance
    # suite covers every loss on every backend
    status = main(["check", "--losses", "cross_entropy,dice_loss"])
    out = capsys.readouterr().out
    assert status == 0, out
    matrix = _matrix(out)
    ran = next(iter(matrix.values())).keys()
    for name in _cli.BACKENDS:
        reason = _cli.skip_reason(name)
        if reason is None:
            assert name in ran
        else:
            assert f"{name} ({reason})" in out
    assert "FAIL" not in out


def test_check_subprocess_selected_losses() -> None:
    proc = _run("check", "--backends", "numpy,array-api-strict", "--losses", "dice_loss")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _matrix(proc.stdout) == {"dice_loss": {"numpy": "PASS", "array_api_strict": "PASS"}}


def test_check_lists_missing_backend_as_skipped(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = _cli.skip_reason
    monkeypatch.setattr(
        _cli, "skip_reason", lambda n: "torch not installed" if n == "torch" else real(n)
    )
    assert main(["check", "--backends", "numpy,torch", "--losses", "mse_loss"]) == 0
    out = capsys.readouterr().out
    assert "skipped: torch (torch not installed)" in out
    assert _matrix(out) == {"mse_loss": {"numpy": "PASS"}}


def test_check_nothing_to_run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_cli, "skip_reason", lambda n: "no GPU for CuPy")
    assert main(["check", "--backends", "cupy"]) == 0
    out = capsys.readouterr().out
    assert "no backend to run" in out
    assert "skipped: cupy (no GPU for CuPy)" in out


def _replace_loss(monkeypatch: pytest.MonkeyPatch, name: str, fn: Any) -> None:
    """Make the registry entry ``name`` run ``fn`` (a deliberately broken loss)."""
    entries = tuple(
        dataclasses.replace(i, call=lambda: fn) if i.name == name else i for i in _registry.LOSSES
    )
    monkeypatch.setattr(_registry, "LOSSES", entries)


def test_check_wrong_value_fails(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = arrayloss.mse_loss

    def wrong_in_float32(preds: Any, targets: Any, **kwargs: Any) -> Any:
        out = real(preds, targets, **kwargs)
        return out * 1.01 if preds.dtype == np.float32 else out

    _replace_loss(monkeypatch, "mse_loss", wrong_in_float32)
    status = main(["check", "--backends", "numpy", "--losses", "mse_loss,huber_loss"])
    out = capsys.readouterr().out
    assert status == 1
    assert _matrix(out) == {"mse_loss": {"numpy": "FAIL"}, "huber_loss": {"numpy": "PASS"}}
    assert "FAIL mse_loss on numpy" in out
    assert "largest relative error 1.0e-02 > rtol" in out
    assert "1 of 2 loss/backend checks FAILED" in out


def test_check_upcast_fails(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = arrayloss.huber_loss

    def upcast(preds: Any, targets: Any, **kwargs: Any) -> Any:
        return real(preds.astype(np.float64), targets, **kwargs)

    _replace_loss(monkeypatch, "huber_loss", upcast)
    assert main(["check", "--backends", "numpy", "--losses", "huber_loss"]) == 1
    assert "result dtype float64, expected float32" in capsys.readouterr().out


def test_check_exception_is_an_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = arrayloss.dice_loss

    def broken(logits: Any, labels: Any, **kwargs: Any) -> Any:
        if logits.dtype == np.float32:
            raise RuntimeError("boom")
        return real(logits, labels, **kwargs)

    _replace_loss(monkeypatch, "dice_loss", broken)
    assert main(["check", "--backends", "numpy", "--losses", "dice_loss"]) == 1
    out = capsys.readouterr().out
    assert _matrix(out) == {"dice_loss": {"numpy": "ERROR"}}
    assert "RuntimeError: boom" in out


def test_check_nan_fails(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = arrayloss.focal_loss

    def nan(logits: Any, labels: Any, **kwargs: Any) -> Any:
        out = real(logits, labels, **kwargs)
        return out * np.float32("nan") if logits.dtype == np.float32 else out

    _replace_loss(monkeypatch, "focal_loss", nan)
    assert main(["check", "--backends", "numpy", "--losses", "focal_loss"]) == 1
    assert "FAIL nan" in capsys.readouterr().out


def test_check_unknown_backend(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--backends", "numpy,tensorflow"]) == 2
    err = capsys.readouterr().err
    assert "unknown backend tensorflow" in err
    assert "choose from numpy, array_api_strict, torch" in err


def test_check_unknown_backend_subprocess() -> None:
    proc = _run("check", "--backends", "mxnet")
    assert proc.returncode == 2
    assert "unknown backend mxnet" in proc.stderr


def test_check_unknown_loss(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--losses", "nope"]) == 2
    assert "unknown loss nope" in capsys.readouterr().err


def test_check_without_numpy() -> None:
    code = (
        "import sys\n"
        "sys.modules['numpy'] = None  # as if NumPy were not installed\n"
        "from arrayloss._cli import main\n"
        "sys.exit(main(['check']))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2
    assert "pip install numpy" in proc.stderr


def test_relative_error() -> None:
    rel = _cli._relative_error
    assert rel(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0
    assert rel(np.array([1.0, 2.2]), np.array([1.0, 2.0])) == pytest.approx(0.1)
    assert np.isnan(rel(np.array([np.nan]), np.array([1.0])))


# -- README --------------------------------------------------------------------------


def test_readme_example_runs() -> None:
    for module in ("torch", "jax"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"the README example needs {module}")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code = re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL)
    shown = re.findall(r"```text\n(.*?)```", readme, flags=re.DOTALL)
    assert len(code) == 2  # the cross-backend example, then the three entry points
    assert len(shown) == 1
    if importlib.util.find_spec("keras") is not None:
        entry = subprocess.run(
            [sys.executable, "-c", code[1]], capture_output=True, text=True, timeout=300
        )
        assert entry.returncode == 0, entry.stderr
        function, module = (float(v) for v in entry.stdout.split())
        assert abs(function - module) <= 1e-6 * abs(function)  # float32, two layouts
    proc = subprocess.run(
        [sys.executable, "-c", code[0]], capture_output=True, text=True, check=False, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == shown[0]
    values = {line.split()[1] for line in proc.stdout.splitlines()}
    assert len(values) == 1  # the same number on every library


def test_ci_runs_the_readme_commands_verbatim() -> None:
    """.ci/run reads both README commands out of README.md and runs them as they are."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = re.findall(r"```bash\n(.*?)\n```", readme, flags=re.DOTALL)
    patterns = re.findall(r"readme_command '([^']+)'", ci)
    assert len(patterns) == 2
    found = []
    for pattern in patterns:
        lines = [line for line in readme.splitlines() if pattern in line]
        assert len(lines) == 1, f"README lines containing {pattern!r}: {lines}"
        found.append(lines[0])
    assert sorted(found) == sorted(commands), "CI must run exactly the README's commands"
    assert 'eval "$check_command"' in ci
    assert 'eval "$test_command"' in ci
