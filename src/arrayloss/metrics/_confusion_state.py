"""The streaming confusion-matrix state type, a leaf that the counting and the
state functions both import."""

from __future__ import annotations

from typing import NamedTuple

from .._lib._compat import Array

__all__ = ["ConfusionState"]


class ConfusionState(NamedTuple):
    """Sufficient statistics of every confusion-matrix metric.

    Attributes
    ----------
    matrix : array, shape (C, C)
        Counts, rows true classes, columns predicted classes.
    invalid : array, shape ()
        Number of positions whose scores were NaN (counted in no cell); a metric read
        from a state with ``invalid > 0`` is NaN (NaN in, NaN out).
    """

    matrix: Array
    invalid: Array
