"""``arrayloss bake-off``: train one model with several losses and compare per-class results.

:func:`run` builds the task (:mod:`._tasks`), parses the loss specs (:mod:`._spec`),
draws the initial weights with NumPy (:mod:`._models`), trains with torch
(:mod:`._train_torch`) or JAX and optax (:mod:`._train_jax`) with the same
initialisation, data order and optimiser for every loss, evaluates every epoch with
arrayloss's :func:`~arrayloss.confusion_matrix` (:mod:`._metrics`) and reports
(:mod:`._report`). Nothing here is imported by ``import arrayloss``; torch, JAX,
scikit-learn, tqdm and matplotlib are imported when a bake-off runs.
"""

from __future__ import annotations

import inspect
import sys
import time
from dataclasses import replace
from typing import Any, TextIO

import numpy as np

from ._metrics import from_confusion
from ._models import init_params
from ._results import Config, Result, headline
from ._spec import LossSpec, parse_specs
from ._tasks import TASKS, Task, make_task

__all__ = ["ADAPTIVE", "Config", "Result", "default_lineup", "run"]

#: Adaptive losses added to the default line-ups when they are registered.
ADAPTIVE = (
    "logit_adjusted_cross_entropy",
    "ldam_loss",
    "seesaw_loss",
    "asymmetric_loss",
    "automated_focal_loss",
)
_CLASSIFICATION = (
    "mae_loss",
    "cross_entropy",
    "focal_loss:gamma=0.5",
    "focal_loss:gamma=2",
    "cross_entropy:class_weights=inverse",
)
_SEGMENTATION = (
    "cross_entropy",
    "focal_loss",
    "dice_loss",
    "combo_loss",
    "dice_ce_loss",
    "focal_loss:gamma=2:lam=1.5",
)
#: Keyword arguments filled from the training split's class counts when not given.
_FROM_COUNTS = ("class_priors", "class_counts")
#: ``class_weights=<method>`` values computed with :func:`class_weights_from_counts`.
_WEIGHT_METHODS = ("inverse", "inverse_sqrt", "median_frequency", "effective_number")


def default_lineup(kind: str) -> list[str]:
    """The default specs of a task kind, with the registered adaptive losses appended."""
    from .. import _registry

    names = {i.name for i in _registry.LOSSES}
    base = _CLASSIFICATION if kind == "classification" else _SEGMENTATION
    return [*base, *(n for n in ADAPTIVE if n in names)]


_SETTINGS = {  # (epochs, seeds, batch) per kind: default, quick
    ("classification", False): (100, 3, 32),
    ("classification", True): (12, 1, 32),
    ("segmentation", False): (30, 2, 16),
    ("segmentation", True): (4, 1, 16),
}


def _resolve(spec: LossSpec, task: Task) -> LossSpec:
    """Fill class-count arguments and ``class_weights=<method>`` from the training split."""
    from .. import class_weights_from_counts

    params = inspect.signature(spec.info.function).parameters
    kwargs = dict(spec.kwargs)
    counts = task.counts.astype(np.float64)
    for name in _FROM_COUNTS:
        if name in params and name not in kwargs:
            kwargs[name] = np.maximum(counts, 1.0).astype(np.float32)
    weights = kwargs.get("class_weights")
    if isinstance(weights, str) and weights in _WEIGHT_METHODS:
        kwargs["class_weights"] = np.asarray(
            class_weights_from_counts(np.maximum(counts, 1.0), method=weights), np.float32
        )
    return LossSpec(spec.info, kwargs, spec.text)


def _trainer(cfg: Config, task: Task, spec: LossSpec, seed: int, lr: float) -> Any:
    params = init_params(task.kind, tuple(task.x.shape[1:]), task.num_classes, seed)
    if cfg.backend == "torch":
        from ._train_torch import TorchTrainer

        return TorchTrainer(task.kind, params, spec, task.num_classes, lr)
    from ._train_jax import JaxTrainer

    return JaxTrainer(task.kind, params, spec, task.num_classes, lr)


def _fit_one(cfg: Config, task: Task, spec: LossSpec) -> LossSpec:
    """``spec`` with the form of call that works on a tiny batch; ``ValueError`` if none."""
    x, y = task.x[:2], task.y[:2]
    forms = [spec.target] if spec.target == "probabilities" else ["labels", "onehot"]
    errors = []
    for form in forms:
        candidate = replace(spec, form=form)
        try:
            shape = _trainer(cfg, task, candidate, 0, cfg.lr).trial(x, y)
        except Exception as exc:  # the loss's own clear error says why
            errors.append(f"{type(exc).__name__}: {exc}")
            continue
        if shape != ():
            errors.append(f"it returns shape {shape}, not a scalar")
            continue
        return candidate
    logits = "(N, C)" if task.kind == "classification" else "(N, H, W, C)"
    raise ValueError(
        f"--losses: {spec.label} does not fit the {task.kind} task {task.name!r} (logits "
        f"{logits} with integer labels or one-hot targets): {errors[0]}"
    )


def check_fits(
    cfg: Config,
    task: Task,
    specs: list[LossSpec],
    *,
    optional: tuple[str, ...] = (),
    out: TextIO | None = None,
) -> list[LossSpec]:
    """Each spec with its form of call; the ``optional`` names that do not fit are dropped."""
    fitted = []
    for spec in specs:
        try:
            fitted.append(_fit_one(cfg, task, spec))
        except ValueError as exc:
            if spec.name not in optional:
                raise
            if out is not None:
                out.write(f"(left out of the default line-up: {str(exc).split(': ', 1)[1]})\n")
    return fitted


class _Progress:
    """tqdm's bar when installed, else one line rewritten on stderr."""

    def __init__(self, total: int, desc: str, stream: TextIO) -> None:
        self.total, self.desc, self.stream, self.n = total, desc, stream, 0
        self.bar: Any = None
        try:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=desc, file=stream, leave=False, dynamic_ncols=True)
        except ImportError:
            self._draw("")

    def _draw(self, post: str) -> None:
        width = 20
        done = int(width * self.n / max(self.total, 1))
        self.stream.write(
            f"\r{self.desc} [{'#' * done}{'.' * (width - done)}] {self.n}/{self.total} {post}"[
                :78
            ].ljust(78)
        )
        self.stream.flush()

    def update(self, post: str) -> None:
        self.n += 1
        if self.bar is not None:
            self.bar.set_postfix_str(post, refresh=False)
            self.bar.update(1)
        else:
            self._draw(post)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        else:
            self.stream.write("\r" + " " * 78 + "\r")
            self.stream.flush()


def train_one(
    cfg: Config,
    task: Task,
    spec: LossSpec,
    seed: int,
    epochs: int,
    batch: int,
    progress: TextIO | None,
) -> Result:
    """Train one model with one loss; evaluate on the test split after every epoch."""
    from .. import confusion_matrix

    trainer = _trainer(cfg, task, spec, seed, cfg.lr)
    order_rng = np.random.default_rng(1_000 + seed)  # the same data order for every loss
    result = Result(task.ratio, spec.label, seed)
    key = headline(task.kind)
    bar = _Progress(epochs, f"{spec.label[:28]} s{seed}", progress) if progress else None
    spent = []
    for _ in range(epochs):
        order = order_rng.permutation(len(task.x))
        start = time.perf_counter()
        for i in range(0, len(order), batch):
            idx = np.sort(order[i : i + batch])
            trainer.step(task.x[idx], task.y[idx])
        spent.append(time.perf_counter() - start)
        preds = trainer.predict(task.x_test)
        matrix = np.asarray(confusion_matrix(preds, task.y_test, task.num_classes))
        result.curves.append(from_confusion(matrix))
        if bar:
            bar.update(f"{key}={result.curves[-1][key]:.3f}")
    if bar:
        bar.close()
    # the first epoch also compiles (jax.jit): time the others when there are any
    result.seconds_per_epoch = float(np.mean(spent[1:] if len(spent) > 1 else spent))
    return result


def run(
    cfg: Config, *, out: TextIO = sys.stdout, progress: TextIO | None = sys.stderr
) -> list[Result]:
    """Run the bake-off of ``cfg``: print the tables, write Markdown/CSV/PNG to ``cfg.out``."""
    from . import _report

    if cfg.backend not in ("torch", "jax"):
        raise ValueError(
            f"--backend: {cfg.backend!r} cannot train (NumPy has no autodiff); choose torch or jax"
        )
    if cfg.data is None and cfg.task not in TASKS:
        raise ValueError(f"--task: unknown task {cfg.task!r}; choose from {', '.join(TASKS)}")
    ratios: list[float | None] = list(cfg.imbalance) if cfg.imbalance else [None]
    results: list[Result] = []
    tasks: list[Task] = []
    for ratio in ratios:
        task = make_task(cfg.task, ratio, data=cfg.data, quick=cfg.quick)
        tasks.append(task)
        epochs, seeds, batch = _SETTINGS[(task.kind, cfg.quick)]
        epochs = cfg.epochs or epochs
        seeds = cfg.seeds or seeds
        batch = cfg.batch_size or batch
        specs = [_resolve(s, task) for s in parse_specs(cfg.losses or default_lineup(task.kind))]
        optional = () if cfg.losses else ADAPTIVE
        specs = check_fits(cfg, task, specs, optional=optional, out=out)
        for spec in specs:
            for seed in range(seeds):
                results.append(train_one(cfg, task, spec, seed, epochs, batch, progress))
        _report.print_table(task, [r for r in results if r.ratio == task.ratio], out)
    _report.write_all(cfg, tasks, results, out)
    return results
