"""Sums across devices and processes, for losses whose value is a ratio of batch sums.

A Dice loss with ``batch_dice``, or any ``"mean"`` over a sharded batch, is a ratio
of sums over the whole batch: computing it per device and averaging the results is
wrong (the mean of ratios is not the ratio of sums). The affected losses take
``axis_name=`` (JAX: ``shard_map``/``pmap``, summed with ``jax.lax.psum``) or
``process_group=`` (PyTorch DDP: summed with the differentiable
``torch.distributed._functional_collectives.all_reduce``) and sum their statistics here before
the ratio. This module is the only one that names the collectives.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from ._compat import Array, Namespace, is_jax_namespace, is_torch_namespace

__all__ = ["Sync", "device_sum", "synced"]

#: sums one array over every device / process of the group
Sync = Callable[[Array], Array]


def device_sum(axis_name: object, process_group: object, xp: Namespace) -> Sync | None:
    """The cross-device sum asked for by ``axis_name`` or ``process_group``, or ``None``.

    ``axis_name``: a mapped axis name (or tuple of names) of ``shard_map``/``pmap``;
    JAX arrays only. ``process_group``: ``True`` for the default group, or a
    ``torch.distributed`` process group; torch tensors only, with
    ``torch.distributed`` initialised.
    """
    if axis_name is not None and process_group is not None:
        raise ValueError("pass axis_name (JAX) or process_group (torch), not both")
    if axis_name is not None:
        names = axis_name if isinstance(axis_name, tuple) else (axis_name,)
        if not names or not all(isinstance(n, str) for n in names):
            raise TypeError(
                f"axis_name must be a mapped axis name (a str) or a tuple of them, "
                f"got {axis_name!r}"
            )
        if not is_jax_namespace(xp):
            raise ValueError(
                "axis_name sums over a shard_map/pmap axis and needs JAX arrays; with "
                "torch use process_group=, elsewhere sum the statistics yourself"
            )
        lax = sys.modules["jax"].lax
        return lambda x: lax.psum(x, axis_name)
    if process_group is not None:
        if process_group is not True and isinstance(process_group, bool | str | int | float):
            raise TypeError(
                f"process_group must be True (the default group) or a "
                f"torch.distributed process group, got {process_group!r}"
            )
        if not is_torch_namespace(xp):
            raise ValueError("process_group sums over torch.distributed and needs torch tensors")
        distributed = sys.modules["torch"].distributed
        if not distributed.is_available() or not distributed.is_initialized():
            raise ValueError(
                "process_group needs torch.distributed initialised "
                "(torch.distributed.init_process_group)"
            )
        group: Any = distributed.group.WORLD if process_group is True else process_group
        functional = _torch_functional_collectives()
        # the functional all-reduce: differentiable (its backward all-reduces the
        # gradient) and traceable by torch.compile
        return lambda x: functional.all_reduce(x, "sum", group)
    return None


def _torch_functional_collectives() -> Any:
    import importlib

    return importlib.import_module("torch.distributed._functional_collectives")


def synced(sync: Sync | None, *arrays: Array, xp: Namespace) -> tuple[Array, ...]:
    """``arrays`` summed over the group in one collective (stacked), or as they are."""
    if sync is None:
        return arrays
    total = sync(xp.stack(arrays))
    return tuple(total[i, ...] for i in range(len(arrays)))
