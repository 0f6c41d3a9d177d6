"""The registry as the cross-cutting suites see it.

``arrayloss._registry.LOSSES`` holds every public loss with its cases; this module
turns them into test parameters: :data:`CASES` (every loss x case, for the
conformance suite) and :data:`ROWS` (the cases marked smooth, for the transformation
suite), each with the callable that takes ``(prediction, target, **kwargs)`` and
returns the loss (``combine`` is built, a one-array loss ignores the target, and a
loss that returns ``(loss, state)`` gives its loss).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from arrayloss._lib._case import Case, LossInfo
from arrayloss._registry import LOSSES

__all__ = ["CASES", "LOSSES", "ROWS", "Row", "is_array", "loss_of"]


def is_array(value: object) -> bool:
    return hasattr(value, "shape") and hasattr(value, "dtype")


def loss_of(result: Any) -> Any:
    """The loss of a result: stateful losses return ``(loss, new_state)``."""
    return result[0] if isinstance(result, tuple) else result


@dataclass(frozen=True)
class Row:
    """One registered case as a test parameter."""

    info: LossInfo
    case: Case

    @property
    def id(self) -> str:
        return f"{self.info.name}[{self.case.label}]" if not self.case.grad else self.case.label

    @property
    def single(self) -> bool:
        """The loss takes one array (``inverseform_loss``)."""
        return len(self.case.args) == 1

    @property
    def fn(self) -> Callable[..., Any]:
        """``fn(prediction, target, **kwargs) -> loss``: the function itself when it is one."""
        loss = self.info.loss()
        if not self.single and not self.info.returns_state:
            return loss
        single = self.single

        def call(prediction: Any, target: Any, *rest: Any, **kwargs: Any) -> Any:
            out = (
                loss(prediction, **kwargs) if single else loss(prediction, target, *rest, **kwargs)
            )
            return loss_of(out)

        call.__name__ = self.info.name
        return call

    @property
    def kwargs(self) -> dict[str, Any]:
        """The static (non-array) keyword arguments."""
        return {k: v for k, v in self.case.kwargs.items() if not is_array(v)}

    @property
    def eager_jit(self) -> bool:
        return self.case.jit

    @property
    def compile(self) -> str | None:
        return self.case.compile

    def data(self, seed: int = 0) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """``(prediction, target, array keyword arguments)`` of draw ``seed``."""
        case = self.case if seed == 0 else self.case.redraw(seed)
        target = case.args[1] if len(case.args) > 1 else np.zeros(())
        extra = {k: v for k, v in case.kwargs.items() if is_array(v)}
        return case.args[0], target, extra


def _rows() -> list[Row]:
    return [Row(info, case) for info in LOSSES for case in info.cases()]


CASES: list[Row] = _rows()
ROWS: list[Row] = [r for r in CASES if r.case.grad]


def params(rows: list[Row]) -> list[Any]:
    return [pytest.param(r, id=r.id) for r in rows]
