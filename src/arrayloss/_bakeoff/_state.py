"""A stateful loss's state across a framework boundary (detach, jit arguments)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

__all__ = ["map_state"]


def map_state(state: Any, fn: Callable[[Any], Any]) -> Any:
    """``fn`` applied to every array in ``state`` (dataclass, tuple, list, dict or array)."""
    if state is None:
        return None
    if dataclasses.is_dataclass(state) and not isinstance(state, type):
        return dataclasses.replace(
            state,
            **{
                f.name: map_state(getattr(state, f.name), fn)
                for f in dataclasses.fields(state)
                if f.init
            },
        )
    if isinstance(state, tuple) and hasattr(state, "_fields"):
        return type(state)(*(map_state(v, fn) for v in state))
    if isinstance(state, (tuple, list)):
        return type(state)(map_state(v, fn) for v in state)
    if isinstance(state, dict):
        return {k: map_state(v, fn) for k, v in state.items()}
    if hasattr(state, "shape"):
        return fn(state)
    return state
