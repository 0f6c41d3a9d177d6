"""Separable 1-D filtering along chosen axes with "valid" borders: a native convolution
on torch (depthwise ``conv{1,2,3}d``) and JAX (``lax.conv_general_dilated``), shifted
sums elsewhere.

SSIM's Gaussian blur is this filter applied once per spatial axis.
"""

from __future__ import annotations

import math
from typing import Any

from ._compat import (
    Array,
    Namespace,
    device_of,
    is_jax_namespace,
    is_numpy_namespace,
    is_torch_namespace,
)
from ._special import jax_module, torch_module

__all__ = ["gaussian_kernel", "separable_filter"]


def gaussian_kernel(size: int, sigma: float, like: Array, xp: Namespace) -> Array:
    """The normalised 1-D Gaussian window of ``size`` taps and width ``sigma``."""
    centre = (size - 1) / 2.0
    taps = [math.exp(-((i - centre) ** 2) / (2.0 * sigma**2)) for i in range(size)]
    total = sum(taps)
    return xp.asarray([t / total for t in taps], dtype=like.dtype, device=device_of(like))


def _portable(x: Array, kernel: Array, ax: int, symmetric: bool) -> Array:
    size = kernel.shape[0]
    out_len = x.shape[ax] - size + 1

    def shifted(k: int) -> Array:
        index = [slice(None)] * x.ndim
        index[ax] = slice(k, k + out_len)
        return x[tuple(index)]

    if symmetric:
        # kernel[k] == kernel[size-1-k]: pair the taps, one product per pair (a Gaussian
        # of 11 taps: 6 products and 10 sums instead of 11 and 10; NumPy 16x256x256x3
        # per axis 18 ms against 31 ms)
        half = size // 2
        out: Any = kernel[half] * shifted(half) if size % 2 else None
        for k in range(half):
            term = kernel[k] * (shifted(k) + shifted(size - 1 - k))
            out = term if out is None else out + term
        return out
    out = None
    for k in range(size):
        term = kernel[k] * shifted(k)
        out = term if out is None else out + term
    return out


def _numpy_symmetric(x: Any, kernel: Any, ax: int) -> Any:
    # the paired shifted sums written into two buffers: a fresh 12 MiB temporary per
    # operation costs NumPy its page faults (16x256x256x3, both axes: 15 ms, 21 ms
    # for the same sums allocating)
    import numpy as np  # reached only for NumPy arrays: the user has imported it

    size = kernel.shape[0]
    half = size // 2
    out_len = x.shape[ax] - size + 1

    def shifted(k: int) -> Any:
        index = [slice(None)] * x.ndim
        index[ax] = slice(k, k + out_len)
        return x[tuple(index)]

    out = np.multiply(shifted(half), kernel[half]) if size % 2 else None
    tmp = np.empty_like(shifted(0))
    for k in range(half):
        np.add(shifted(k), shifted(size - 1 - k), out=tmp)
        np.multiply(tmp, kernel[k], out=tmp)
        if out is None:
            out, tmp = tmp, np.empty_like(tmp)
        else:
            np.add(out, tmp, out=out)
    return out


def _torch(x: Array, kernel: Array, axes: tuple[int, ...]) -> Array:
    # the filtered axes moved last, the rest flattened into B channels of one sample: a
    # depthwise conv{1,2,3}d (groups=B) per axis with a (.., k, ..) kernel. oneDNN runs
    # this about 14x faster than B samples of one channel (16x3x256x256 on the CPU:
    # 8.9 ms against 126 ms), and for NCHW there is no copy in
    torch = torch_module()
    f = torch.nn.functional
    d = len(axes)
    last = tuple(range(x.ndim - d, x.ndim))
    moved = torch.movedim(x, axes, last)
    lead = moved.shape[:-d]
    out = moved.reshape(1, -1, *moved.shape[-d:])
    groups = out.shape[1]
    conv = (f.conv1d, f.conv2d, f.conv3d)[d - 1]
    for i in range(d):
        shape = [1] * (d + 2)
        shape[2 + i] = -1
        out = conv(out, kernel.reshape(shape).expand(groups, *shape[1:]), groups=groups)
    return torch.movedim(out.reshape(*lead, *out.shape[2:]), last, axes)


def _jax(x: Array, kernel: Array, ax: int) -> Array:
    jax = jax_module()
    jnp = jax.numpy
    moved = jnp.moveaxis(x, ax, -1)
    shape = moved.shape
    flat = moved.reshape(-1, 1, shape[-1])
    out = jax.lax.conv_general_dilated(
        flat, kernel.reshape(1, 1, -1), window_strides=(1,), padding="VALID"
    )
    return jnp.moveaxis(out.reshape(*shape[:-1], out.shape[-1]), -1, ax)


def separable_filter(
    x: Array,
    kernel: Array,
    axes: tuple[int, ...],
    *,
    xp: Namespace,
    native: bool = True,
    symmetric: bool = False,
) -> Array:
    """Correlate ``x`` with the 1-D ``kernel`` along each of ``axes``, valid borders.

    Each filtered axis shrinks by ``len(kernel) - 1``; the caller checks that it is
    long enough. ``native=False`` forces the portable shifted sums (tests compare).
    ``symmetric=True`` promises ``kernel[k] == kernel[-1 - k]`` (a Gaussian), which
    the shifted sums use to halve their products; it is not checked.
    """
    # (an empty batch would be a conv with groups=0: the shifted sums give its empty result)
    if native and is_torch_namespace(xp) and 1 <= len(axes) <= 3 and x.numel() > 0:
        return _torch(x, kernel, tuple(a % x.ndim for a in axes))
    for ax in axes:
        if native and is_jax_namespace(xp):
            x = _jax(x, kernel, ax)
        elif native and symmetric and is_numpy_namespace(xp):
            x = _numpy_symmetric(x, kernel, ax)
        else:
            x = _portable(x, kernel, ax, symmetric)
    return x
