"""What a bake-off was asked and what each run gave, with the two readings the
report and the runner share (the headline metric, the epoch of convergence)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Config", "Result", "converged_epoch", "headline"]


@dataclass
class Config:
    """What ``arrayloss bake-off`` was asked: one task, line-up, ratios, seeds."""

    task: str = "digits-lt"
    losses: list[str] | None = None
    imbalance: list[float] | None = None
    backend: str = "torch"
    epochs: int | None = None
    seeds: int | None = None
    data: str | None = None
    out: str | None = None
    quick: bool = False
    batch_size: int | None = None
    lr: float = 1e-2


@dataclass
class Result:
    """One training run: per-epoch test metrics, time per epoch."""

    ratio: float
    label: str
    seed: int
    curves: list[dict[str, Any]] = field(default_factory=list)
    seconds_per_epoch: float = 0.0

    @property
    def final(self) -> dict[str, Any]:
        return self.curves[-1]


def headline(kind: str) -> str:
    """The curve metric of a task kind: balanced accuracy or mIoU."""
    return "balanced_accuracy" if kind == "classification" else "miou"


def converged_epoch(values: list[float]) -> int:
    """First epoch (1-based) whose value reaches 98 % of the run's best (0 if never > 0)."""
    best = max(values)
    if best <= 0:
        return 0
    return next(i + 1 for i, v in enumerate(values) if v >= 0.98 * best)
