"""The ``arrayloss`` command: ``arrayloss list``, ``check``, ``bench`` and ``bake-off``.

``list`` prints the catalogue of losses. ``check`` runs every loss on every
installed backend with small float32 inputs and compares each result with the
NumPy float64 result of the same loss and inputs. ``bench`` times the losses
against each framework's native peers (the suite is :mod:`arrayloss._bench`).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import math
import os
import shutil
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from . import _registry
from ._lib._case import LossInfo

__all__ = ["BACKENDS", "main"]

#: Backends of ``arrayloss check``, in the order of the matrix's columns.
BACKENDS = (
    "numpy",
    "array_api_strict",
    "torch",
    "torch-cuda",
    "jax",
    "jax-jit",
    "jax-gpu",
    "cupy",
    "dask",
)

_MODULE = {
    "numpy": "numpy",
    "array_api_strict": "array_api_strict",
    "torch": "torch",
    "torch-cuda": "torch",
    "jax": "jax",
    "jax-jit": "jax",
    "jax-gpu": "jax",
    "cupy": "cupy",
    "dask": "dask.array",
}

DEFAULT_RTOL = 1e-4


# -- backends ---------------------------------------------------------------------


def _load(module: str) -> Any:
    """Import a backend's module (untyped here: which ones are installed varies)."""
    return importlib.import_module(module)


def _gpu_reason(name: str) -> str | None:
    """Why GPU backend ``name`` cannot run here (its library is importable)."""
    if name == "torch-cuda":
        torch = _load("torch")

        return None if torch.cuda.is_available() else "no CUDA device"
    if name == "jax-gpu":
        jax = _load("jax")

        try:
            return None if jax.devices("gpu") else "no GPU for JAX"
        except RuntimeError:
            return "no GPU for JAX"
    if name == "cupy":
        cupy = _load("cupy")

        try:
            return None if cupy.cuda.runtime.getDeviceCount() > 0 else "no GPU for CuPy"
        except Exception:
            return "no GPU for CuPy"
    return None


def skip_reason(name: str) -> str | None:
    """Why backend ``name`` cannot run here, or ``None`` when it can."""
    module = _MODULE[name]
    root = module.split(".", 1)[0]
    if importlib.util.find_spec(root) is None:
        return f"{root} not installed"
    try:
        importlib.import_module(module)
    except Exception as exc:  # a broken install is a skip, not a crash
        return f"import {module} failed: {type(exc).__name__}"
    return _gpu_reason(name)


@dataclass
class _Backend:
    """How to move NumPy data to one backend, call a loss there and read the result."""

    name: str
    to_backend: Callable[[Any], Any]
    to_numpy: Callable[[Any], Any]
    jit: bool = False
    lazy: bool = False

    def call(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if not self.jit:
            return fn(*args, **kwargs)
        jax = _load("jax")

        traced = {k: v for k, v in kwargs.items() if _is_array(v)}
        static = {k: v for k, v in kwargs.items() if k not in traced}

        def wrapped(arrays: tuple[Any, ...], array_kwargs: dict[str, Any]) -> Any:
            return fn(*arrays, **array_kwargs, **static)

        return jax.jit(wrapped)(args, traced)


def _is_array(value: object) -> bool:
    return hasattr(value, "shape") and hasattr(value, "dtype")


def _make_backend(name: str) -> _Backend:
    """Build backend ``name``; call only when :func:`skip_reason` returned ``None``."""
    import numpy as np

    if name == "numpy":
        return _Backend(name, lambda a: a, np.asarray)
    if name == "array_api_strict":
        strict = _load("array_api_strict")

        return _Backend(name, strict.asarray, np.from_dlpack)
    if name in ("torch", "torch-cuda"):
        torch = _load("torch")

        device = torch.device("cuda" if name == "torch-cuda" else "cpu")
        return _Backend(
            name,
            lambda a: torch.asarray(a, device=device),
            lambda t: t.detach().cpu().numpy(),
        )
    if name in ("jax", "jax-jit", "jax-gpu"):
        jax = _load("jax")
        jnp = _load("jax.numpy")

        jdevice = jax.devices("gpu" if name == "jax-gpu" else "cpu")[0]
        return _Backend(
            name,
            lambda a: jax.device_put(jnp.asarray(a), jdevice),
            np.asarray,
            jit=name == "jax-jit",
        )
    if name == "cupy":
        cupy = _load("cupy")

        return _Backend(name, cupy.asarray, lambda c: c.get())
    if name == "dask":
        da = _load("dask.array")

        def from_numpy(a: Any) -> Any:
            chunks = tuple(max(1, (s + 1) // 2) for s in a.shape)
            return da.from_array(a, chunks=chunks)

        return _Backend(name, from_numpy, lambda d: np.asarray(d.compute()), lazy=True)
    raise ValueError(name)


# -- one comparison -----------------------------------------------------------------


@dataclass
class _Result:
    status: str  # "PASS", "FAIL", "ERROR", or "N/A" (documented as unsupported on Dask)
    error: float  # the largest relative error over the loss's cases (nan for ERROR)
    notes: list[str]


def _float32(value: Any) -> Any:
    """A NumPy array's float32 copy if it is floating, else the value unchanged."""
    import numpy as np

    if isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.floating):
        return value.astype(np.float32)
    return value


def _relative_error(out: Any, ref: Any) -> float:
    """``max |out - ref| / max |ref|``: inf or nan when ``out`` is not finite."""
    import numpy as np

    out = np.asarray(out, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    if out.size == 0:
        return 0.0
    scale = max(float(np.max(np.abs(ref))), float(np.finfo(np.float32).tiny))
    return float(np.max(np.abs(out - ref))) / scale


def _loss_of(result: Any) -> Any:
    """The loss of a result: a stateful loss returns ``(loss, new_state)``."""
    return result[0] if isinstance(result, tuple) else result


def _check_one(info: LossInfo, backend: _Backend, rtol: float) -> _Result:
    """Run every case of ``info`` on ``backend`` and compare with NumPy float64."""
    import array_api_compat
    import numpy as np

    worst = 0.0
    notes: list[str] = []
    status = "PASS"
    try:
        fn = info.loss()
        cases = info.cases()
    except Exception as exc:  # one broken entry must not hide the other losses
        notes.append(f"ERROR {info.name}: building its cases: {type(exc).__name__}: {exc}")
        return _Result("ERROR", float("nan"), notes)
    for case in cases:
        where = f"{info.name} on {backend.name}, case {case.label!r}"
        try:
            ref = np.asarray(_loss_of(fn(*case.args, **case.kwargs)))
        except Exception as exc:
            notes.append(f"ERROR {where}: NumPy float64 reference: {type(exc).__name__}: {exc}")
            return _Result("ERROR", float("nan"), notes)
        try:
            args = tuple(backend.to_backend(_float32(a)) for a in case.args)
            kwargs = {
                k: backend.to_backend(_float32(v)) if _is_array(v) else v
                for k, v in case.kwargs.items()
            }
            out = _loss_of(backend.call(fn, args, kwargs))
            # the first array argument sets the namespace, dtype and device (a metric
            # may take its confusion matrix by keyword only)
            first = next(iter((*args, *(v for v in kwargs.values() if _is_array(v)))))
            expected_ns = array_api_compat.array_namespace(first)
            problems = []
            if array_api_compat.array_namespace(out) is not expected_ns:
                problems.append(f"result is a {type(out).__module__} array")
            # integer results (confusion-matrix counts) stay integer; the rest follow
            # the float32 input
            counts = np.issubdtype(ref.dtype, np.integer)
            if counts and "int" not in str(out.dtype):
                problems.append(f"result dtype {out.dtype}, expected an integer dtype")
            if not counts and str(out.dtype) != str(first.dtype):
                problems.append(f"result dtype {out.dtype}, expected {first.dtype}")
            if not backend.lazy and str(array_api_compat.device(out)) != str(
                array_api_compat.device(first)
            ):
                problems.append(f"result on device {array_api_compat.device(out)}")
            value = np.asarray(backend.to_numpy(out))
        except NotImplementedError as exc:
            if backend.name != "dask":
                notes.append(f"ERROR {where}: NotImplementedError: {exc}")
                return _Result("ERROR", float("nan"), notes)
            # CONVENTIONS section 1: a loss whose math needs a sort says so on Dask
            notes.append(f"N/A {where}: {exc}")
            return _Result("N/A", float("nan"), notes)
        except Exception as exc:
            notes.append(f"ERROR {where}: {type(exc).__name__}: {exc}")
            return _Result("ERROR", float("nan"), notes)
        if value.shape != ref.shape:
            problems.append(f"result shape {value.shape}, expected {ref.shape}")
            err = float("nan")
        else:
            err = _relative_error(value, ref)
        if not err <= rtol:
            problems.append(f"largest relative error {err:.1e} > rtol {rtol:g}")
        if problems:
            status = "FAIL"
            notes.append(f"FAIL {where}: " + "; ".join(problems))
        if math.isnan(err) or err > worst:  # nan wins over any number
            worst = err
        if math.isnan(worst):
            break
    return _Result(status, worst, notes)


# -- commands -----------------------------------------------------------------------


def _table(rows: Sequence[Sequence[str]], out: TextIO) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        _print_row(row, widths, out)


def _table_width(rows: Sequence[Sequence[str]]) -> int:
    return sum(max(len(row[i]) for row in rows) + 2 for i in range(len(rows[0]))) - 2


def _print_row(row: Sequence[str], widths: Sequence[int], out: TextIO) -> None:
    line = "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
    print(line.rstrip(), file=out, flush=True)


def _cmd_list(args: argparse.Namespace, out: TextIO) -> int:
    losses = [
        i
        for i in _registry.LOSSES
        if (args.family is None or i.family == args.family)
        and all(word.lower() in i.name for word in args.names)
    ]
    if not losses:
        print("no loss matches", file=sys.stderr)
        return 1
    if args.long:
        for i in losses:
            print(f"{i.name} ({i.family})\n    {i.description}\n    {i.paper}\n", file=out)
        return 0
    rows = [["loss", "family", "description", "paper"]]
    rows += [[i.name, i.family, i.description, i.citation] for i in losses]
    _fit(rows, _width(out))
    _table(rows, out)
    return 0


def _width(out: TextIO) -> int:
    """The terminal's width; unlimited when the output is piped and COLUMNS is unset."""
    if "COLUMNS" not in os.environ and not out.isatty():
        return 1 << 16  # `arrayloss list | grep ...` sees whole lines
    return shutil.get_terminal_size((100, 24)).columns


def _fit(rows: list[list[str]], width: int) -> None:
    """Shorten the description and paper columns (with an ellipsis) to fit ``width``.

    The name and family columns stay whole; the paper gets up to 40 % of what is
    left (at least 16 characters) and the description the rest.
    """
    fixed = sum(max(len(r[i]) for r in rows) + 2 for i in (0, 1))
    room = max(20, width - fixed - 3)
    paper = min(max(len(r[3]) for r in rows), max(10, int(0.4 * room)))
    budgets = {2: max(10, room - paper), 3: paper}
    for row in rows:
        for column, budget in budgets.items():
            if len(row[column]) > budget:
                row[column] = row[column][: budget - 1].rstrip() + "…"


def _shorten(rows: list[list[str]], column: int, width: int) -> None:
    """Cut ``column`` (with an ellipsis, to no less than 8 characters) to fit ``width``."""
    excess = _table_width(rows) - width
    longest = max(len(r[column]) for r in rows)
    if excess <= 0 or longest <= 8:
        return
    budget = max(8, longest - excess)
    for row in rows:
        if len(row[column]) > budget:
            row[column] = row[column][: budget - 1].rstrip() + "…"


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    if importlib.util.find_spec("numpy") is None:
        print(
            "arrayloss check needs NumPy (it computes the float64 reference with it); "
            "install it with: pip install numpy",
            file=sys.stderr,
        )
        return 2
    try:
        import numpy  # noqa: F401
    except ImportError as exc:
        print(
            f"arrayloss check needs NumPy, which failed to import ({exc}); "
            "install it with: pip install numpy",
            file=sys.stderr,
        )
        return 2

    losses = [_registry.get(name) for name in args.losses]
    runnable: list[_Backend] = []
    skipped: list[str] = []
    for name in args.backends:
        reason = skip_reason(name)
        if reason is None:
            try:
                runnable.append(_make_backend(name))
                continue
            except Exception as exc:  # e.g. a device that cannot be opened
                reason = f"setting up failed: {type(exc).__name__}: {exc}"
        skipped.append(f"{name} ({reason})")

    from . import __version__

    print(
        f"arrayloss {__version__} check: float32 inputs on each backend vs the NumPy "
        f"float64 result (largest relative error, rtol {args.rtol:g})",
        file=out,
    )
    print(file=out)
    notes: list[str] = []
    failed = unsupported = 0
    if runnable:
        # each row is printed as soon as its loss has run on every backend
        widths = [max(len("loss"), *(len(i.name) for i in losses))]
        widths += [max(len(b.name), len("FAIL 1.0e-07")) for b in runnable]
        _print_row(["loss", *(b.name for b in runnable)], widths, out)
        for info in losses:
            row = [info.name]
            for backend in runnable:
                result = _check_one(info, backend, args.rtol)
                notes += result.notes
                failed += result.status not in ("PASS", "N/A")
                unsupported += result.status == "N/A"
                err = "" if result.status in ("ERROR", "N/A") else f" {result.error:.1e}"
                row.append(result.status + err)
            _print_row(row, widths, out)
    else:
        print("no backend to run", file=out)
    if skipped:
        print(file=out)
        print("skipped: " + ", ".join(skipped), file=out)
    if notes:
        print(file=out)
        for note in notes:
            print(note, file=out)
    total = len(losses) * len(runnable)
    print(file=out)
    if failed:
        print(f"{failed} of {total} loss/backend checks FAILED", file=out)
        return 1
    tail = f" ({unsupported} not supported on Dask, as documented)" if unsupported else ""
    print(f"all {total - unsupported} loss/backend checks passed{tail}", file=out)
    return 0


def _backend_list(value: str) -> list[str]:
    # array-api-strict is the PyPI spelling of the array_api_strict module
    names = ["array_api_strict" if n == "array-api-strict" else n for n in _split(value)]
    unknown = [n for n in names if n not in BACKENDS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown backend {', '.join(unknown) or repr(value)}; choose from "
            + ", ".join(BACKENDS)
        )
    return names


def _loss_list(value: str) -> list[str]:
    known = [i.name for i in _registry.LOSSES]
    names = _split(value)
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown loss {', '.join(unknown) or repr(value)}; choose from " + ", ".join(known)
        )
    return names


def _cmd_bench(args: argparse.Namespace, out: TextIO) -> int:
    from . import _bench

    backends = list(args.backends)
    if args.compile and "torch-compile" not in backends:
        backends.append("torch-compile")
    skipped = [f"{b} ({r})" for b in backends if (r := _bench.available(b)) is not None]
    env = _bench.environment()
    header = (
        "arrayloss bench: median of paired ratios ours/peer (interleaved runs, "
        "[interquartile range]), float32, " + ", ".join(f"{k} {v}" for k, v in env.items())
    )
    print(textwrap.fill(header, width=min(_width(out), 1 << 12)), file=out)
    results = _bench.run(
        backends=backends,
        losses=args.losses,
        size=args.size,
        budget_s=args.budget,
        memory=not args.no_memory,
        progress=_progress(sys.stderr, args.verbose),
    )
    print(file=out)
    if results:
        width = _width(out)
        rows = _bench.table(results, wide=True)
        if not args.wide and _table_width(rows) > width:
            rows = _bench.table(results)  # the memory and compile columns only when they fit
            _shorten(rows, column=4, width=width)  # then long peer and loss names
            _shorten(rows, column=0, width=width)
        _table(rows, out)
        print("\n" + _bench.summary(results), file=out)
    else:
        print("nothing to run", file=out)
    if skipped:
        print(file=out)
        print("skipped: " + ", ".join(skipped), file=out)
    if args.csv:
        _bench.write_csv(results, args.csv, env)
        print(f"\nwrote {args.csv}", file=out)
    return 0


def _progress(err: TextIO, verbose: bool) -> Callable[[int, int, str], None]:
    """Progress on stderr: one line rewritten in place on a terminal, else a line per step."""
    live = err.isatty() and not verbose
    width = shutil.get_terminal_size((80, 24)).columns - 1

    def report(step: int, steps: int, what: str) -> None:
        line = f"[{step}/{steps}] {what}"
        if live:
            end = "\n" if step == steps else ""
            print("\r" + line[:width].ljust(width), end=end, file=err, flush=True)
        else:
            print(line, file=err, flush=True)

    return report


def _bench_backends(value: str) -> list[str]:
    from . import _bench

    names = _split(value)
    unknown = [n for n in names if n not in _bench.BACKENDS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown backend {', '.join(unknown) or repr(value)}; choose from "
            + ", ".join(_bench.BACKENDS)
        )
    return names


def _bench_losses(value: str) -> list[str]:
    from . import _bench

    names = _split(value)
    unknown = [n for n in names if n not in _bench.LOSSES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"no benchmark for {', '.join(unknown) or repr(value)}; choose from "
            + ", ".join(_bench.LOSSES)
        )
    return names


def _add_bench(commands: Any) -> None:
    from . import _bench

    bench = commands.add_parser(
        "bench",
        help="time the losses against each framework's native losses",
        description=(
            "Time arrayloss and each native peer (torch.nn.functional, kornia, MONAI, "
            "optax, hand-written NumPy) on the same inputs in one process, interleaved "
            "after warm-up, and print the median ratio ours/peer with its interquartile "
            "range, both times, peak memory and compile times. JAX runs under jax.jit."
        ),
    )
    bench.add_argument(
        "--backends",
        type=_bench_backends,
        default=["numpy", "torch", "jax"],
        metavar="NAMES",
        help="comma-separated subset of: "
        + ", ".join(_bench.BACKENDS)
        + " (default: numpy,torch,jax)",
    )
    bench.add_argument(
        "--losses",
        type=_bench_losses,
        default=list(_bench.LOSSES),
        metavar="NAMES",
        help="comma-separated subset of: " + ", ".join(_bench.LOSSES) + " (default: all)",
    )
    sizes = bench.add_mutually_exclusive_group()
    sizes.add_argument(
        "--size", choices=list(_bench.SIZES), default="quick", help="input sizes (default quick)"
    )
    sizes.add_argument("--quick", dest="size", action="store_const", const="quick")
    sizes.add_argument(
        "--full", dest="size", action="store_const", const="full", help="add 2x96x96x96x14"
    )
    bench.add_argument(
        "--compile", action="store_true", help="also time torch.compile (slow on a CPU)"
    )
    bench.add_argument(
        "--budget", type=float, default=0.25, help="seconds of timed runs per row (default 0.25)"
    )
    bench.add_argument("--no-memory", action="store_true", help="skip peak-memory measurement")
    bench.add_argument("--csv", metavar="PATH", help="also write the results as CSV")
    bench.add_argument(
        "-v", "--verbose", action="store_true", help="progress as one line per step on stderr"
    )
    bench.add_argument(
        "--wide", action="store_true", help="always show the memory and compile-time columns"
    )


def _add_bake_off(commands: Any) -> None:
    bake = commands.add_parser(
        "bake-off",
        help="train one model with several losses on imbalanced data and compare",
        description=(
            "Train the same model (same initial weights, data order and Adam optimiser) "
            "with each loss of the line-up on an imbalanced task, then print per loss the "
            "overall, balanced and per-class results, the epoch it converged and the time "
            "per epoch; --out writes Markdown, CSV and PNG plots. Needs torch or JAX "
            "(with optax) and scikit-learn; tqdm and matplotlib are optional: "
            "pip install 'arrayloss[bakeoff]'."
        ),
    )
    bake.add_argument(
        "--task",
        default="digits-lt",
        choices=["digits-lt", "shapes-seg"],
        help="shipped task (default digits-lt); --data replaces it",
    )
    bake.add_argument(
        "--losses",
        metavar="SPECS",
        help="comma-separated name:key=value:... specs, e.g. "
        "focal_loss:gamma=0.5 (default: the task's line-up)",
    )
    bake.add_argument(
        "--imbalance",
        type=_ratios,
        metavar="R[,R...]",
        help="imbalance ratio(s), a table per ratio (default 100 for digits-lt, 1 for shapes-seg)",
    )
    bake.add_argument(
        "--backend",
        default="torch",
        choices=["torch", "jax", "numpy"],
        help="training framework (default torch; numpy cannot train)",
    )
    bake.add_argument("--epochs", type=_positive, help="epochs per run")
    bake.add_argument("--seeds", type=_positive, help="seeds per loss: mean ± std")
    bake.add_argument("--data", metavar="FILE.npz", help="your data: x, y [, x_test, y_test]")
    bake.add_argument("--out", metavar="DIR", help="write results.md/.csv and PNG plots here")
    bake.add_argument("--quick", action="store_true", help="a small run (under 30 s)")


def _ratios(value: str) -> list[float]:
    try:
        ratios = [float(v) for v in _split(value)]
    except ValueError:
        ratios = []
    if not ratios or any(not r >= 1 for r in ratios):
        raise argparse.ArgumentTypeError(f"want ratios >= 1 such as 1,10,100, got {value!r}")
    return ratios


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"want a positive integer, got {value!r}")
    return int(value)


def _cmd_bake_off(args: argparse.Namespace, out: TextIO) -> int:
    from . import _bakeoff

    config = _bakeoff.Config(
        task=args.task,
        losses=_split(args.losses) if args.losses else None,
        imbalance=args.imbalance,
        backend=args.backend,
        epochs=args.epochs,
        seeds=args.seeds,
        data=args.data,
        out=args.out,
        quick=args.quick,
    )
    try:
        _bakeoff.run(config, out=out)
    except (ValueError, ImportError) as exc:
        sys.stderr.write(f"arrayloss bake-off: error: {exc}\n")
        return 2
    return 0


def _parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="arrayloss",
        description="Loss functions written once against the Python Array API standard.",
    )
    parser.add_argument("--version", action="version", version=f"arrayloss {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    listing = commands.add_parser(
        "list",
        help="print the losses: name, family, description, paper",
        description=(
            "Print every registered loss with its family, the summary line of its "
            "docstring and its paper, fitted to the terminal's width. Filter by family "
            "and by words that the name must contain; --long prints whole references."
        ),
    )
    listing.add_argument("names", nargs="*", metavar="WORD", help="words the name contains")
    listing.add_argument("--family", choices=_registry.FAMILIES, help="only this family")
    listing.add_argument("--long", action="store_true", help="full descriptions and references")
    check = commands.add_parser(
        "check",
        help="run every loss on every installed backend and compare with NumPy float64",
        description=(
            "Run every loss on every installed backend (float32 inputs) and compare the "
            "result with the NumPy float64 result of the same loss. Backends that are "
            "not installed, or need a GPU that is absent, are listed as skipped. Exit "
            "status 1 if any check fails, 0 otherwise."
        ),
    )
    check.add_argument(
        "--backends",
        type=_backend_list,
        default=list(BACKENDS),
        metavar="NAMES",
        help="comma-separated subset of: " + ", ".join(BACKENDS) + " (default: all)",
    )
    check.add_argument(
        "--losses",
        type=_loss_list,
        default=[i.name for i in _registry.LOSSES],
        metavar="NAMES",
        help="comma-separated subset of the losses (default: all)",
    )
    check.add_argument(
        "--rtol",
        type=float,
        default=DEFAULT_RTOL,
        help=f"relative tolerance (default: {DEFAULT_RTOL:g})",
    )
    _add_bench(commands)
    _add_bake_off(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``arrayloss`` command with ``argv`` (default ``sys.argv[1:]``).

    Returns the exit status: 0 on success, 1 when a check fails, 2 on a usage error.
    """
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help, --version and usage errors
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    out = sys.stdout
    try:
        if args.command == "list":
            return _cmd_list(args, out)
        if args.command == "bench":
            return _cmd_bench(args, out)
        if args.command == "bake-off":
            return _cmd_bake_off(args, out)
        return _cmd_check(args, out)
    except BrokenPipeError:  # e.g. `arrayloss list | head`: the reader has gone
        sys.stdout = None  # nothing left to flush at exit
        return 0
