"""The bake-off's output: terminal tables, Markdown, CSV and PNG plots.

``results.csv`` holds only what training computes (deterministic for a seed on one
machine); times per epoch go to ``timings.csv``.
"""

from __future__ import annotations

import contextlib
import csv
import platform
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np

if TYPE_CHECKING:
    from ._results import Config, Result
    from ._tasks import Task

__all__ = ["print_table", "summary_rows", "write_all"]

NOTE = (
    "Regression-family losses (e.g. mae_loss) train on softmax probabilities against "
    "one-hot targets."
)


def _per_class_key(kind: str) -> str:
    return "recall" if kind == "classification" else "iou"


def _columns(task: Task) -> list[tuple[str, str]]:
    """(header, metric) of the main table; ``rare:<m>`` is metric m of the rarest class."""
    if task.kind == "classification":
        return [
            ("acc", "accuracy"),
            ("macro-F1", "macro_f1"),
            ("bal-acc", "balanced_accuracy"),
            (f"recall[{task.class_names[task.rarest]}]", "rare:recall"),
        ]
    return [
        ("mIoU", "miou"),
        ("acc", "accuracy"),
        (f"Dice[{task.class_names[task.rarest]}]", "rare:dice"),
    ]


def _value(result: Result, metric: str, rarest: int) -> float:
    if metric.startswith("rare:"):
        return float(np.asarray(result.final[metric[5:]])[rarest])
    return float(result.final[metric])


def _ms(values: Sequence[float], digits: int = 3) -> str:
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{np.mean(values):.{digits}f}±{np.std(values):.{digits}f}"


def summary_rows(task: Task, results: Sequence[Result]) -> tuple[list[str], list[list[str]]]:
    """Header and rows (mean ± std over seeds) of the main table, in line-up order."""
    from ._results import converged_epoch, headline

    labels = list(dict.fromkeys(r.label for r in results))
    cols = _columns(task)
    header = ["loss", *(h for h, _ in cols), "conv. epoch", "s/epoch"]
    rows = []
    for label in labels:
        runs = [r for r in results if r.label == label]
        row = [label]
        row += [_ms([_value(r, m, task.rarest) for r in runs]) for _, m in cols]
        conv = [converged_epoch([c[headline(task.kind)] for c in r.curves]) for r in runs]
        row.append(_ms([float(c) for c in conv], 1))
        row.append(f"{np.mean([r.seconds_per_epoch for r in runs]):.3f}")
        rows.append(row)
    return header, rows


def per_class_rows(task: Task, results: Sequence[Result]) -> tuple[list[str], list[list[str]]]:
    """Per-class recall (classification) or IoU (segmentation), mean over seeds."""
    key = _per_class_key(task.kind)
    labels = list(dict.fromkeys(r.label for r in results))
    header = ["loss", *task.class_names]
    rows = []
    for label in labels:
        runs = [np.asarray(r.final[key]) for r in results if r.label == label]
        rows.append([label, *(f"{v:.2f}" for v in np.mean(runs, axis=0))])
    return header, rows


def _fit(header: list[str], rows: list[list[str]], width: int) -> str:
    """A plain text table; the first column is cut so the table fits ``width``."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    rest = sum(widths[1:]) + 2 * (len(widths) - 1)
    widths[0] = max(12, min(widths[0], width - rest - 1))

    def line(cells: list[str]) -> str:
        first = cells[0] if len(cells[0]) <= widths[0] else cells[0][: widths[0] - 1] + "~"
        parts = [first.ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)
        ]
        return "  ".join(parts)

    return "\n".join(
        [
            line(header),
            "-" * min(width, sum(widths) + 2 * (len(widths) - 1)),
            *(line(r) for r in rows),
        ]
    )


def _title(task: Task, results: Sequence[Result]) -> str:
    seeds = len({r.seed for r in results})
    what = "per-class recall" if task.kind == "classification" else "per-class IoU"
    counts = ", ".join(str(int(c)) for c in task.counts)
    unit = "samples" if task.kind == "classification" else "pixels"
    return (
        f"{task.name}, imbalance {task.ratio:g}, {seeds} seed(s), test split "
        f"{len(task.y_test)}; training {unit} per class: {counts}. Then {what}."
    )


def print_table(task: Task, results: Sequence[Result], out: TextIO) -> None:
    """The main and per-class tables, fitted to the terminal's width."""
    width = min(shutil.get_terminal_size((100, 24)).columns, 120)
    out.write("\n" + _title(task, results) + "\n")
    out.write(_fit(*summary_rows(task, results), width) + "\n\n")
    out.write(_fit(*per_class_rows(task, results), width) + "\n")
    if any(r.label.split(":")[0] in _regression_names() for r in results):
        out.write(NOTE + "\n")
    out.flush()


def _regression_names() -> set[str]:
    from .. import _registry

    return {i.name for i in _registry.LOSSES if i.family == "regression"}


def _markdown(header: list[str], rows: list[list[str]]) -> str:
    def esc(c: str) -> str:
        return c.replace("|", "\\|")

    lines = [
        "| " + " | ".join(esc(h) for h in header) + " |",
        "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|",
    ]
    lines += ["| " + " | ".join(esc(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def _versions(cfg: Config) -> str:
    import importlib.metadata as md

    parts = [f"Python {platform.python_version()}"]
    for dist in (
        "arrayloss",
        "numpy",
        "torch" if cfg.backend == "torch" else "jax",
        *(("optax",) if cfg.backend == "jax" else ()),
        "scikit-learn",
    ):
        with contextlib.suppress(md.PackageNotFoundError):
            parts.append(f"{dist} {md.version(dist)}")
    return ", ".join(parts) + f"; {platform.machine()} {platform.system()}"


def command_line(cfg: Config) -> str:
    """The ``arrayloss bake-off`` command that reproduces ``cfg``."""
    parts = ["arrayloss bake-off"]
    parts += ["--data", cfg.data] if cfg.data else ["--task", cfg.task]
    if cfg.losses:
        parts += ["--losses", ",".join(cfg.losses)]
    if cfg.imbalance:
        parts += ["--imbalance", ",".join(f"{r:g}" for r in cfg.imbalance)]
    parts += ["--backend", cfg.backend]
    if cfg.epochs:
        parts += ["--epochs", str(cfg.epochs)]
    if cfg.seeds:
        parts += ["--seeds", str(cfg.seeds)]
    if cfg.quick:
        parts.append("--quick")
    if cfg.out:
        parts += ["--out", cfg.out]
    return " ".join(parts)


def write_all(cfg: Config, tasks: Sequence[Task], results: Sequence[Result], out: TextIO) -> None:
    """``results.md``, ``results.csv``, ``timings.csv`` and the PNG plots in ``cfg.out``."""
    if not cfg.out:
        return
    folder = Path(cfg.out)
    folder.mkdir(parents=True, exist_ok=True)
    md = [
        f"# arrayloss bake-off: {tasks[0].name}",
        "",
        f"`{command_line(cfg)}`",
        "",
        _versions(cfg),
        "",
    ]
    rows_csv: list[list[Any]] = []
    timings: list[list[Any]] = []
    key = _per_class_key(tasks[0].kind)
    names = tasks[0].class_names
    for task in tasks:
        mine = [r for r in results if r.ratio == task.ratio]
        md += [
            f"## Imbalance {task.ratio:g}",
            "",
            _title(task, mine),
            "",
            _markdown(*summary_rows(task, mine)),
            "",
            _markdown(*per_class_rows(task, mine)),
            "",
        ]
        for r in mine:
            f = r.final
            rows_csv.append(
                [
                    f"{task.ratio:g}",
                    r.label,
                    r.seed,
                    len(r.curves),
                    *(
                        f"{float(f[m]):.6f}"
                        for m in ("accuracy", "balanced_accuracy", "macro_f1", "miou")
                    ),
                    *(f"{float(v):.6f}" for v in f[key]),
                ]
            )
            timings.append([f"{task.ratio:g}", r.label, r.seed, f"{r.seconds_per_epoch:.4f}"])
    md += [NOTE, ""]
    (folder / "results.md").write_text("\n".join(md))
    with open(folder / "results.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "imbalance",
                "loss",
                "seed",
                "epochs",
                "accuracy",
                "balanced_accuracy",
                "macro_f1",
                "miou",
                *(f"{key}_{n}" for n in names),
            ]
        )
        w.writerows(rows_csv)
    with open(folder / "timings.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["imbalance", "loss", "seed", "seconds_per_epoch"])
        w.writerows(timings)
    written = ["results.md", "results.csv", "timings.csv"]
    try:
        written += _plots(folder, tasks, results)
    except ImportError:
        out.write("(matplotlib is not installed: no plots; pip install 'arrayloss[bakeoff]')\n")
    out.write(f"\nwrote {', '.join(written)} to {folder}\n")


def _plots(folder: Path, tasks: Sequence[Task], results: Sequence[Result]) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ._results import headline

    written = []
    for task in tasks:
        mine = [r for r in results if r.ratio == task.ratio]
        labels = list(dict.fromkeys(r.label for r in mine))
        metric = headline(task.kind)
        fig, ax = plt.subplots(figsize=(7, 4))
        for label in labels:
            curves = np.array([[c[metric] for c in r.curves] for r in mine if r.label == label])
            mean = curves.mean(0)
            epochs = np.arange(1, len(mean) + 1)
            ax.plot(epochs, mean, label=label)
            if len(curves) > 1:
                ax.fill_between(epochs, curves.min(0), curves.max(0), alpha=0.15)
        ax.set_xlabel("epoch")
        ax.set_ylabel(f"test {metric.replace('_', ' ')}")
        ax.set_title(f"{task.name}, imbalance {task.ratio:g}")
        ax.legend(fontsize=7)
        fig.tight_layout()
        name = f"curves_{task.name}_R{task.ratio:g}.png"
        fig.savefig(folder / name, dpi=90)
        plt.close(fig)
        written.append(name)
        key = _per_class_key(task.kind)
        fig, ax = plt.subplots(figsize=(8, 4))
        width = 0.8 / len(labels)
        for i, label in enumerate(labels):
            values = np.mean([np.asarray(r.final[key]) for r in mine if r.label == label], axis=0)
            ax.bar(np.arange(task.num_classes) + i * width, values, width, label=label)
        ax.set_xticks(np.arange(task.num_classes) + 0.4 - width / 2, task.class_names)
        ax.set_ylabel(f"test {key}")
        ax.set_title(f"{task.name}, imbalance {task.ratio:g}: per-class {key}")
        ax.legend(fontsize=7)
        fig.tight_layout()
        name = f"per_class_{task.name}_R{task.ratio:g}.png"
        fig.savefig(folder / name, dpi=90)
        plt.close(fig)
        written.append(name)
    if len(tasks) > 1:
        key = _per_class_key(tasks[0].kind)
        fig, ax = plt.subplots(figsize=(7, 4))
        labels = list(dict.fromkeys(r.label for r in results))
        for label in labels:
            xs, ys = [], []
            for task in tasks:
                runs = [r for r in results if r.ratio == task.ratio and r.label == label]
                xs.append(task.ratio)
                ys.append(np.mean([float(np.asarray(r.final[key])[task.rarest]) for r in runs]))
            ax.plot(xs, ys, marker="o", label=label)
        ax.set_xscale("log")
        ax.set_xlabel("imbalance ratio R")
        ax.set_ylabel(f"test {key} of the rarest class")
        ax.set_title(f"{tasks[0].name}: rare class against imbalance")
        ax.legend(fontsize=7)
        fig.tight_layout()
        name = f"sweep_{tasks[0].name}.png"
        fig.savefig(folder / name, dpi=90)
        plt.close(fig)
        written.append(name)
    return written


if __name__ == "__main__":  # pragma: no cover
    sys.exit("run: arrayloss bake-off")
