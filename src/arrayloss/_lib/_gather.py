"""Gathering along the last axis with an index array of any length: ``torch.gather``,
``jnp.take_along_axis``, NumPy/CuPy ``take_along_axis``, a one-hot sum elsewhere.
"""

from __future__ import annotations

from ._compat import (
    Array,
    Namespace,
    device_of,
    is_cupy_namespace,
    is_jax_namespace,
    is_numpy_namespace,
    is_torch_namespace,
)
from ._special import jax_module, torch_module

__all__ = ["gather_last"]


def gather_last(x: Array, index: Array, *, xp: Namespace) -> Array:
    """``out[..., k] = x[..., index[..., k]]``; ``index`` valid, leading shapes equal."""
    if is_torch_namespace(xp):
        return torch_module().gather(x, -1, index)
    if is_jax_namespace(xp):
        return jax_module().numpy.take_along_axis(x, index, axis=-1, mode="clip")
    if is_numpy_namespace(xp) or is_cupy_namespace(xp):
        return xp.take_along_axis(x, index, axis=-1)
    n = x.shape[-1]
    positions = xp.arange(n, dtype=index.dtype, device=device_of(index))
    hot = xp.expand_dims(index, axis=-1) == positions  # (..., K, n)
    zero = xp.zeros((), dtype=x.dtype, device=device_of(x))
    return xp.sum(xp.where(hot, xp.expand_dims(x, axis=-2), zero), axis=-1)
