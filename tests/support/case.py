"""One row of the transformation suite: a loss, its inputs and its options.

Each family's rows live in ``support/cases_<family>.py``; ``support.cases.ALL_CASES``
collects them, and ``tests/test_transformations.py`` runs every row under jax.jit,
jax.grad, jax.vmap, torch gradcheck, torch.func and (where ``compile`` says so)
torch.compile(fullgraph=True).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Data = tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]
Factory = Callable[[np.random.Generator], Data]


@dataclass(frozen=True)
class Case:
    """A loss call to check under every transformation.

    ``make`` draws the prediction, the target and the array-valued options from a
    seeded generator; ``kwargs`` are the static options. ``eager_jit`` adds the row
    to the (slow, eager JAX) jit == eager test; ``compile`` names the torch.compile
    backend for the row's fullgraph test (one row per public loss), or None.
    """

    id: str
    fn: Callable[..., Any]
    make: Factory
    kwargs: dict[str, Any] = field(default_factory=dict)
    eager_jit: bool = False
    compile: str | None = None

    def data(self, seed: int = 0) -> Data:
        return self.make(np.random.default_rng(seed))
