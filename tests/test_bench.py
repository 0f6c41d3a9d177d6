"""Smoke test of ``arrayloss bench`` on a tiny configuration, and its measurements."""

from __future__ import annotations

import contextlib
import csv
import io
import re
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from arrayloss import _bench, _bench_peers
from arrayloss._cli import main


def _bench_cli(tmp_path: Path, *argv: str, columns: int = 400) -> tuple[int, str, Path]:
    # by default wide enough that no column is shortened: most tests check the content
    path = tmp_path / "bench.csv"
    out = io.StringIO()
    with (
        pytest.MonkeyPatch.context() as mp,
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        mp.setenv("COLUMNS", str(columns))
        code = main(
            [
                "bench",
                "--size",
                "tiny",
                "--budget",
                "0.005",
                "--no-memory",
                "--csv",
                str(path),
                *argv,
            ]
        )
    return code, out.getvalue(), path


def test_bench_prints_table_and_writes_csv(tmp_path: Path) -> None:
    backends = ["numpy"]
    for name in ("torch", "jax"):
        if _bench.available(name) is None:
            backends.append(name)
    code, text, path = _bench_cli(
        tmp_path, "--backends", ",".join(backends), "--losses", "cross_entropy,mse_loss"
    )
    assert code == 0
    assert "ratio [IQR]" in text
    assert re.search(
        r"^targets: \d+ met, \d+ within noise .*, \d+ missed, of \d+ rows$", text, re.M
    )
    assert "numpy (hand-written)" in text
    lines = path.read_text().splitlines()
    header = {ln[2:].split(":", 1)[0] for ln in lines if ln.startswith("# ")}
    assert {"date", "machine", "python", "arrayloss", "numpy"} <= header
    rows = list(csv.DictReader(ln for ln in lines if not ln.startswith("#")))
    got = {(r["loss"], r["backend"], r["mode"]) for r in rows}
    assert ("cross_entropy", "numpy", "fwd") in got
    assert ("mse_loss", "numpy", "fwd") in got
    if "torch" in backends:
        assert ("cross_entropy", "torch", "fwd+bwd") in got
        assert ("mse_loss", "torch", "fwd") in got
    if "jax" in backends:
        assert ("cross_entropy", "jax", "fwd+bwd") in got
        jax_rows = [r for r in rows if r["backend"] == "jax"]
        assert all(float(r["ours_compile_s"]) > 0 for r in jax_rows)
    for r in rows:
        assert float(r["ours_s"]) > 0
        assert float(r["peer_s"]) > 0
        assert float(r["ratio_q1"]) <= float(r["ratio"]) <= float(r["ratio_q3"])
        assert int(r["repeats"]) >= 5


def test_bench_rejects_unknown_names(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--losses", "no_such_loss"]) == 2
    assert "no_such_loss" in capsys.readouterr().err
    assert main(["bench", "--backends", "tensorflow"]) == 2


def test_numpy_peak_memory_sees_the_allocation() -> None:
    peak = _bench._numpy_peak(lambda: np.ones(1 << 18))  # 2 MiB of float64
    assert peak >= 8 << 18


def test_torch_peak_memory_sees_the_allocation() -> None:
    torch = pytest.importorskip("torch")

    def fn() -> None:
        a = torch.ones(1 << 18, dtype=torch.float64)  # 2 MiB
        b = a * 2  # another 2 MiB while a is alive
        del a, b

    peak = _bench._torch_peak(fn)
    assert peak is not None
    assert 2 * (8 << 18) <= peak < 3 * (8 << 18)


def test_interleaved_pairs_alternate_their_order() -> None:
    calls: list[str] = []
    ta, tb = _bench._interleaved(lambda: calls.append("a"), lambda: calls.append("b"), 0.0, 5, 10)
    assert len(ta) == len(tb) == 5
    # warm-up a b a b, the sizing pair a b, then a b / b a alternately
    assert calls == ["a", "b"] * 3 + ["a", "b", "b", "a", "a", "b", "b", "a", "a", "b"]


def test_interleaved_times_follow_the_callables_not_the_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a fake clock that a advances by 4 and b by 1 (real sleeps were flaky on a loaded
    # machine): every a-time is 4 and every b-time 1 whichever ran first, and the
    # pairs alternate A B, B A after the warm-up
    now = [0.0]
    calls: list[str] = []

    def tick(name: str, step: float) -> Callable[[], None]:
        def run() -> None:
            calls.append(name)
            now[0] += step

        return run

    monkeypatch.setattr(_bench, "time", types.SimpleNamespace(perf_counter=lambda: now[0]))
    ta, tb = _bench._interleaved(tick("a", 4.0), tick("b", 1.0), 0.0, 6, 6)
    assert ta == [4.0] * 6
    assert tb == [1.0] * 6
    assert calls[6:] == ["a", "b", "b", "a"] * 3  # after 4 warm-up calls and the probe pair


def test_a_failing_torch_peer_is_reported_and_the_others_still_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """One peer that raises (kornia's 2-D-only losses on a volume) must neither drop
    the other peers' rows nor vanish silently from the output."""
    pytest.importorskip("torch")

    def broken(x: object, y: object) -> object:
        raise ValueError("2-D only")

    def peers(loss: str, inputs: object) -> dict[str, object]:
        import torch

        return {"broken": broken, "F.mse_loss": torch.nn.functional.mse_loss}

    monkeypatch.setattr(_bench, "_torch_peers", peers)
    rows = _bench.run(
        backends=["torch"], losses=["mse_loss"], size="tiny", budget_s=0.0, memory=False
    )
    assert {r.peer for r in rows} == {"F.mse_loss"}
    assert {r.mode for r in rows} == {"fwd", "fwd+bwd"}
    err = capsys.readouterr().err
    assert "broken" in err
    assert "ValueError: 2-D only" in err


def _result(size: str, backend: str, peer: str, ours: float, ratio: float, q1: float) -> Any:
    return _bench.Result(
        "cross_entropy",
        peer,
        backend,
        "float32",
        size,
        "8x10",
        "fwd",
        ours,
        ours / ratio,
        ratio,
        q1,
        ratio + 0.1,
        10,
    )


def test_targets_follow_the_documented_rules() -> None:
    # torch eager: 1.10 against a fused native, 1.00 against kornia/MONAI; JAX 1.05
    assert _bench.verdict(_result("cls", "torch", "F.cross_entropy", 1e-3, 1.08, 1.0)) == "met"
    assert _bench.verdict(_result("cls", "torch", "kornia.focal_loss", 1e-3, 1.08, 1.0)) == "noise"
    assert (
        _bench.verdict(_result("cls", "torch", "kornia.focal_loss", 1e-3, 1.08, 1.02)) == "missed"
    )
    assert _bench.verdict(_result("cls", "jax", "optax.x", 1e-3, 1.06, 1.06)) == "missed"
    assert (
        _bench.verdict(_result("cls", "numpy", "numpy (hand-written)", 1e-3, 1.19, 1.1)) == "met"
    )
    # overhead probes: at most 10 us per call above the peer, whatever the ratio
    assert _bench.verdict(_result("probe", "torch", "F.cross_entropy", 14e-6, 3.0, 2.9)) == "met"
    assert (
        _bench.verdict(_result("probe", "torch", "F.cross_entropy", 40e-6, 2.0, 1.9)) == "missed"
    )
    line = _bench.summary([_result("cls", "jax", "optax.x", 1e-3, r, r) for r in (1.0, 1.2)])
    assert line.startswith("targets: 1 met, 0 within noise")
    assert line.endswith("missed, of 2 rows")


def test_bench_output_fits_an_80_column_terminal(tmp_path: Path) -> None:
    backends = ["numpy"] + (["jax"] if _bench.available("jax") is None else [])
    code, text, _ = _bench_cli(
        tmp_path, "--backends", ",".join(backends), "--losses", "cross_entropy", columns=80
    )
    assert code == 0
    if "jax" in backends:  # the longest peer name, cut to fit
        assert "optax." in text
        assert "…" in text
    # every line but the CSV path the user chose
    lines = [line for line in text.splitlines() if not line.startswith("wrote ")]
    assert max(len(line) for line in lines) <= 80, text


def test_progress_counts_steps() -> None:
    seen: list[tuple[int, int, str]] = []
    _bench.run(
        backends=["numpy"],
        losses=["mse_loss", "cross_entropy"],
        size="tiny",
        budget_s=0.001,
        memory=False,
        progress=lambda i, n, what: seen.append((i, n, what)),
    )
    assert [s[:2] for s in seen] == [(i, len(seen)) for i in range(1, len(seen) + 1)]
    assert len(seen) >= 2
    assert seen[0][2].startswith("numpy mse_loss")


# -- the families' rows: each peer that computes our value ------------------------------

FAMILY_LOSSES = (
    "ssim_loss",
    "ctc_loss",
    "nt_xent",
    "triplet_margin_loss",
    "sinkhorn_divergence",
    "logit_adjusted_cross_entropy",
    "ldam_loss",
    "asymmetric_loss",
    "seesaw_loss",
)
#: backend -> the module that must import for each (loss, peer) row to appear
FAMILY_PEERS = {
    "numpy": {
        ("ssim_loss", "numpy (hand-written)"): "numpy",
        ("nt_xent", "numpy (hand-written)"): "numpy",
        ("triplet_margin_loss", "numpy (hand-written)"): "numpy",
        ("logit_adjusted_cross_entropy", "numpy (hand-written)"): "numpy",
        ("ldam_loss", "numpy (hand-written)"): "numpy",
        ("asymmetric_loss", "numpy (hand-written)"): "numpy",
    },
    "torch": {
        ("ssim_loss", "pytorch_msssim.ssim"): "pytorch_msssim",
        ("ssim_loss", "kornia.ssim_loss(valid)"): "kornia",
        ("ctc_loss", "F.ctc_loss"): "torch",
        ("nt_xent", "pml.NTXentLoss"): "pytorch_metric_learning",
        ("triplet_margin_loss", "F.triplet_margin_loss"): "torch",
        ("sinkhorn_divergence", "geomloss.SamplesLoss"): "geomloss",
        ("logit_adjusted_cross_entropy", "torch (hand-written)"): "torch",
        ("ldam_loss", "torch (hand-written)"): "torch",
        ("asymmetric_loss", "torch (hand-written)"): "torch",
        ("seesaw_loss", "torch (hand-written)"): "torch",
    },
    "jax": {
        ("ssim_loss", "dm_pix.ssim"): "dm_pix",
        ("ctc_loss", "optax.ctc_loss"): "optax",
        ("nt_xent", "optax.ntxent"): "optax",
        ("triplet_margin_loss", "optax.triplet_margin_loss"): "optax",
        ("sinkhorn_divergence", "ott.sinkhorn_divergence"): "ott.tools.sinkhorn_divergence",
    },
}


def _installed(module: str) -> bool:
    return _bench_peers._optional(module) is not None


@pytest.mark.parametrize("backend", list(FAMILY_PEERS))
def test_family_rows_appear_for_the_installed_peers(
    backend: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each row of a peer that computes our value is timed only after the value check
    passed (``check_value``): a row present means the two agreed on its inputs."""
    if _bench.available(backend) is not None:
        pytest.skip(f"{backend} not installed")
    rows = _bench.run(
        backends=[backend], losses=list(FAMILY_LOSSES), size="tiny", budget_s=0.0, memory=False
    )
    want = {key for key, module in FAMILY_PEERS[backend].items() if _installed(module)}
    assert want
    assert {(r.loss, r.peer) for r in rows} == want
    modes = {"fwd"} if backend == "numpy" else {"fwd", "fwd+bwd"}
    for key in want:
        assert {r.mode for r in rows if (r.loss, r.peer) == key} == modes
        assert key in _bench_peers.SAME_VALUE  # each is value-checked before it is timed
    assert "failed" not in capsys.readouterr().err


def _values(backend: str, loss: str) -> list[tuple[str, float, float]]:
    """(peer, ours, peer's value x its documented factor) on the bench's tiny inputs,
    computed here, not through the bench's own check."""
    inputs = _bench_peers._make_inputs(loss, _bench.SIZES["tiny"][_bench._KINDS[loss][0]])
    arrays = [inputs.x, inputs.y, *inputs.extra.values()]
    if backend == "torch":
        torch = pytest.importorskip("torch")
        if inputs.kind == "image":
            arrays[:2] = [a.transpose(0, 3, 1, 2).copy() for a in arrays[:2]]
        args = [torch.from_numpy(a) for a in arrays]
        peers = _bench_peers._torch_peers(loss, inputs)
    elif backend == "jax":
        jnp = pytest.importorskip("jax.numpy")
        args = [jnp.asarray(a.astype("int32") if a.dtype.kind == "i" else a) for a in arrays]
        peers = _bench_peers._jax_peers(loss, inputs)
    else:
        args, peers = arrays, _bench_peers._numpy_peers(loss, inputs)
    ours = _bench_peers._ours(loss, backend, inputs)
    assert ours is not None
    return [
        (name, float(ours(*args)), _bench_peers.SAME_VALUE[(loss, name)] * float(peer(*args)))
        for name, peer in peers.items()
    ]


#: (loss, peer) -> relative tolerance where the peer is not float32-exact: geomloss
#: stops its epsilon annealing after the bench's 100 steps 9e-6 below the converged
#: value on the tiny clouds (ours is within 1e-9 there); still inside check_value's 1e-4
_PEER_RTOL = {("sinkhorn_divergence", "geomloss.SamplesLoss"): 2e-5}


@pytest.mark.parametrize("loss", FAMILY_LOSSES)
@pytest.mark.parametrize("backend", list(FAMILY_PEERS))
def test_family_peers_compute_our_value(backend: str, loss: str) -> None:
    """float32 inputs: the sides filter, scan and sum in different orders; 1e-5 is
    about 100 float32 ulps of a value near 1 (SSIM), 10 of a CTC sum near 30."""
    if _bench.available(backend) is not None:
        pytest.skip(f"{backend} not installed")
    for name, ours, theirs in _values(backend, loss):
        assert ours == pytest.approx(theirs, rel=_PEER_RTOL.get((loss, name), 1e-5)), name
        assert ours > 0, name  # not a degenerate 0 = 0


def test_a_peer_that_disagrees_is_reported_and_not_timed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(_bench_peers.SAME_VALUE, ("nt_xent", "numpy (hand-written)"), 2.0)
    rows = _bench.run(backends=["numpy"], losses=["nt_xent"], size="tiny", budget_s=0.0)
    assert rows == []
    err = capsys.readouterr().err
    assert "numpy (hand-written)" in err


def test_long_tail_inputs_are_long_tailed_and_deterministic() -> None:
    """The adaptive losses' rows need a class imbalance to adapt to (imbalance 100),
    the same on every run."""
    a = _bench_peers._make_inputs("ldam_loss", (8192, 1000))
    b = _bench_peers._make_inputs("ldam_loss", (8192, 1000))
    counts = a.extra["counts"]
    assert counts[0] / counts[-1] == pytest.approx(100.0)
    assert np.all(np.diff(counts) <= 0)
    np.testing.assert_array_equal(a.y, b.y)
    seen = np.bincount(a.y, minlength=1000)
    assert seen[:10].sum() > 10 * seen[-10:].sum()  # the batch follows the profile
    assert np.all(np.abs(a.x) <= 1.0)  # LDAM's cosine logits
    ml = _bench_peers._make_inputs("asymmetric_loss", (8192, 1000))
    assert 5 < ml.y.sum(axis=1).mean() < 15  # about 10 positive labels per row


def test_geomloss_runs_the_same_number_of_sinkhorn_steps() -> None:
    """geomloss's epsilon schedule has one Sinkhorn step per entry: the scaling the
    bench gives it makes that the iterations ours runs, on every size's clouds."""
    torch = pytest.importorskip("torch")
    legacy = pytest.importorskip("geomloss._legacy.sinkhorn_divergence")
    for sizes in _bench.SIZES.values():
        if "clouds" not in sizes:
            continue
        inputs = _bench_peers._make_inputs("sinkhorn_divergence", sizes["clouds"])
        diameter = legacy.max_diameter(torch.from_numpy(inputs.x), torch.from_numpy(inputs.y))
        blur = _bench_peers.SINKHORN_EPSILON**0.5
        schedule = legacy.epsilon_schedule(
            2, diameter, blur, _bench_peers._geomloss_scaling(inputs)
        )
        assert len(schedule) == _bench_peers.SINKHORN_ITERATIONS
