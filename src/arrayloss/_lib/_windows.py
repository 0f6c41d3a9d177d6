"""Window primitives on the spatial axes: 3-wide extremes and sums, natively on torch
(pooling) and JAX (``lax.reduce_window``), portable slicing elsewhere.
"""

from __future__ import annotations

import math
from typing import Any

from ._compat import (
    Array,
    Namespace,
    device_of,
    is_jax_namespace,
    is_torch_namespace,
)
from ._special import jax_module, torch_module

# -- 3-wide windows on chosen axes (grey-scale morphology) -----------------------------
#
# clDice's soft skeleton, Boundary DoU's boundary and the HD-ER loss's erosions are
# min/max/sum filters over the 3-wide box or the cross (the centre and its two
# neighbours along each axis). The portable code builds them from slices and
# concatenations, several small ops per axis and per step: hundreds per loss, which
# made XLA's compile (7-18 s) and run time (0.1-2 s per step) the bottleneck.
# The native paths are one pooling per axis: torch ``F.max_pool1d`` on a view with
# the axis last, JAX ``lax.reduce_window``. Both are separable passes, not one 3x3x3
# pooling: on the CPU a 3-D ``max_pool3d`` (forward+backward) was 4x slower than
# three 1-D pools and a 3x3x3 ``reduce_window`` 2.5x slower than three 3-wide ones.
#
# Subgradients at ties differ between the paths (the values agree exactly: min and
# max round nothing): torch's max pooling sends a window's gradient to one of its
# tied maxima, XLA's reduce_window to one as well, while the portable
# ``minimum``/``maximum`` split it between tied operands. The tests compare gradients
# on tie-free data.


_EXTREMES = ("min", "max")


def _window_axes(x: Array, axes: tuple[int, ...] | list[int]) -> tuple[int, ...]:
    """``axes`` as sorted non-negative ints, each once."""
    return tuple(sorted({int(a) % x.ndim for a in axes}))


def _is_empty(x: Array) -> bool:
    # a tuple, not a generator: torch.compile cannot pass a generator to math.prod
    return 0 in tuple(int(s) for s in x.shape)


def _check_kind(kind: str) -> None:
    if kind not in _EXTREMES:
        raise ValueError(f"kind must be one of 'min', 'max'; got {kind!r}")


def _along(ax: int, index: slice) -> tuple[Any, ...]:
    # the trailing Ellipsis is required: the standard does not pad a short index
    return (slice(None),) * ax + (index, Ellipsis)


def _neighbour_extreme(x: Array, ax: int, fill: float | None, op: Any, xp: Namespace) -> Array:
    """Portable ``op`` (minimum or maximum) of each position's two neighbours along ``ax``.

    Past the edge the neighbour is ``fill``, or with ``fill=None`` it is left out:
    combined with the centre that equals padding a min (max) window with +inf (-inf),
    without an infinity in the graph.
    """
    n = int(x.shape[ax])
    if n == 1:
        if fill is None:
            return x
        return xp.full(tuple(x.shape), fill, dtype=x.dtype, device=device_of(x))
    inner = op(x[_along(ax, slice(0, n - 2))], x[_along(ax, slice(2, n))])
    first, last = x[_along(ax, slice(1, 2))], x[_along(ax, slice(n - 2, n - 1))]
    if fill is not None:
        pad = xp.full((), fill, dtype=x.dtype, device=device_of(x))
        first, last = op(first, pad), op(last, pad)
    return xp.concat([first, inner, last], axis=ax)


def _shifted(x: Array, ax: int, step: int, xp: Namespace) -> Array:
    """Portable ``y[i] = x[i - step]`` along ``ax`` (``step`` = +-1), zero-filled."""
    n = int(x.shape[ax])
    pad = xp.zeros(
        tuple(1 if d == ax else int(s) for d, s in enumerate(x.shape)),
        dtype=x.dtype,
        device=device_of(x),
    )
    if step > 0:
        return xp.concat([pad, x[_along(ax, slice(0, n - 1))]], axis=ax)
    return xp.concat([x[_along(ax, slice(1, n))], pad], axis=ax)


def _torch_max3(x: Array, ax: int, fill: float | None) -> Array:
    """Max of ``x[i-1], x[i], x[i+1]`` along ``ax``: one ``F.max_pool1d``, stride 1.

    The pool runs on the view ``(axes before ax, axes after ax, ax)``: for the usual
    layouts that is a permutation without a copy (channels-last strides, which the
    pooling reads natively). Past the edge: left out (``fill=None``, the pool's
    implicit -inf padding) or ``fill`` (``F.pad``).
    """
    F = torch_module().nn.functional
    shape = tuple(int(s) for s in x.shape)
    last = ax == x.ndim - 1  # no permutation needed (each is an op in eager mode)
    perm = (*range(ax), *range(ax + 1, x.ndim), ax)
    y = x if last else x.permute(perm)
    y = y.reshape(math.prod(shape[:ax]), math.prod(shape[ax + 1 :]), shape[ax])
    if fill is None:
        z = F.max_pool1d(y, 3, stride=1, padding=1)
    else:
        z = F.max_pool1d(F.pad(y, (1, 1), value=fill), 3, stride=1)
    z = z.reshape(tuple(shape[d] for d in perm))
    return z if last else z.permute((*range(ax), x.ndim - 1, *range(ax, x.ndim - 1)))


def _jax_window3(x: Array, ax: int, kind: str, fill: float | None, centre: bool) -> Array:
    """``lax.reduce_window`` of ``kind`` ("min", "max", "add") over ``x[i-1], x[i],
    x[i+1]`` along ``ax`` (without ``x[i]`` if not ``centre``: a 2-wide window with
    dilation 2), stride 1, ``x``'s shape.

    Past the edge: the reduction's identity (left out; zero padding for "add") with
    ``fill=None``, else ``fill`` (an explicit ``lax.pad``).
    """
    lax = jax_module().lax
    nd = x.ndim
    size = tuple((3 if centre else 2) if d == ax else 1 for d in range(nd))
    dilation = tuple((1 if centre else 2) if d == ax else 1 for d in range(nd))
    pads = [(1, 1) if d == ax else (0, 0) for d in range(nd)]
    ops = {"min": (lax.min, math.inf), "max": (lax.max, -math.inf), "add": (lax.add, 0.0)}
    op, identity = ops[kind]
    if fill is not None:
        x = lax.pad(x, lax.full((), fill, dtype=x.dtype), [(lo, hi, 0) for lo, hi in pads])
        pads = [(0, 0)] * nd
    # the init is a Python float, concrete even under jit: reduce_window recognizes
    # the monoid's identity only in a concrete init, and only then binds
    # reduce_window_{min,max,sum}, the primitives that have derivatives
    return lax.reduce_window(x, identity, op, size, (1,) * nd, pads, window_dilation=dilation)


def window_extreme(
    x: Array,
    axes: tuple[int, ...] | list[int],
    *,
    kind: str,
    xp: Namespace,
    native: bool = True,
) -> Array:
    """Min or max over the 3-wide box window on ``axes`` (3x3 in 2-D, 3x3x3 in 3-D).

    Neighbours outside the array are left out: the pooling of a window padded with
    +inf (``"min"``) or -inf (``"max"``), without an infinity in the graph.

    Parameters
    ----------
    x : array
        Real floating input, any number of axes.
    axes : sequence of int
        The axes the window spans; every other axis is independent. Empty: ``x``.
    kind : {"min", "max"}
        The reduction over each window.
    xp : namespace
        ``x``'s Array API namespace.
    native : bool, default True
        Use the backend's pooling: torch ``F.max_pool1d`` (min as
        ``-max_pool(-x)``), JAX ``lax.reduce_window``, one 3-wide pass per axis.
        False, or any other backend: the portable slicing code.

    Returns
    -------
    array
        ``x``'s shape, dtype and device; equal on every path.

    Notes
    -----
    The box is separable: every path takes 3-wide extremes along one axis after
    the other. Subgradients at ties depend on the path (see the comment above).
    """
    _check_kind(kind)
    ax = _window_axes(x, axes)
    if not ax or _is_empty(x):
        return x
    if native and is_torch_namespace(xp):
        y = -x if kind == "min" else x
        for a in ax:
            y = _torch_max3(y, a, None)
        return -y if kind == "min" else y
    if native and is_jax_namespace(xp):
        for a in ax:
            x = _jax_window3(x, a, kind, None, True)
        return x
    op = xp.minimum if kind == "min" else xp.maximum
    for a in ax:
        x = op(x, _neighbour_extreme(x, a, None, op, xp))
    return x


def cross_extreme(
    x: Array,
    axes: tuple[int, ...] | list[int],
    *,
    kind: str,
    xp: Namespace,
    fill: float | None = None,
    native: bool = True,
) -> Array:
    """Min or max over the cross: each position and its two neighbours along each axis.

    The centre and its 4 (2-D) or 6 (3-D) face neighbours: clDice's soft erosion
    (``kind="min"``) and Boundary DoU's interior test.

    Parameters
    ----------
    x : array
        Real floating input, any number of axes.
    axes : sequence of int
        The axes the cross spans. Empty: ``x``.
    kind : {"min", "max"}
        The reduction over each cross.
    xp : namespace
        ``x``'s Array API namespace.
    fill : float, optional
        The value of the neighbours outside the array (constant padding). ``None``
        leaves them out (+-inf padding).
    native : bool, default True
        As for :func:`window_extreme`: a 3-wide pooling along each axis (torch
        ``F.max_pool1d``, JAX ``lax.reduce_window``), then their min (max).

    Returns
    -------
    array
        ``x``'s shape, dtype and device; equal on every path.
    """
    _check_kind(kind)
    ax = _window_axes(x, axes)
    if not ax or _is_empty(x):
        return x
    op = xp.minimum if kind == "min" else xp.maximum
    if native and is_torch_namespace(xp):
        # min over the cross = -(max over the cross of -x)
        neg = kind == "min"
        y = -x if neg else x
        f = None if fill is None else (-fill if neg else fill)
        out = _torch_max3(y, ax[0], f)
        for a in ax[1:]:
            out = xp.maximum(out, _torch_max3(y, a, f))
        return -out if neg else out
    if native and is_jax_namespace(xp):
        # 3-wide windows, centre included in each: JAX has no derivative of a dilated
        # (neighbours-only) min/max window
        out = _jax_window3(x, ax[0], kind, fill, True)
        for a in ax[1:]:
            out = op(out, _jax_window3(x, a, kind, fill, True))
        return out
    out = x
    for a in ax:
        out = op(out, _neighbour_extreme(x, a, fill, op, xp))
    return out


def cross_sum(
    x: Array, axes: tuple[int, ...] | list[int], *, xp: Namespace, native: bool = True
) -> Array:
    """Sum over the cross (each position and its two neighbours along each axis).

    Neighbours outside the array are 0: the convolution with the cross-shaped kernel
    of ones, zero padded.

    Parameters
    ----------
    x : array
        Real floating input, any number of axes.
    axes : sequence of int
        The axes the cross spans. Empty: ``x``.
    xp : namespace
        ``x``'s Array API namespace.
    native : bool, default True
        torch: one ``F.pad`` per axis and its two shifted slices added (no
        concatenation), in the portable order, so bit-equal to it. JAX:
        ``lax.reduce_window`` sums, the 3-wide window along the first axis and the
        two neighbours (2-wide, dilation 2) along each other: XLA compiled the
        sliced form in 5-10 s, this in 1 s, and runs it 8-15x faster. False, or any
        other backend: the portable shifted copies (a concatenation each).

    Returns
    -------
    array
        ``x``'s shape, dtype and device. JAX adds in another order than the
        portable code: equal to a few ulps of the sum of the absolute values.
    """
    ax = _window_axes(x, axes)
    if not ax or _is_empty(x):
        return x
    if native and is_jax_namespace(xp):
        out = _jax_window3(x, ax[0], "add", None, True)
        for a in ax[1:]:
            out = out + _jax_window3(x, a, "add", None, False)
        return out
    if native and is_torch_namespace(xp):
        out = x
        for a in ax:
            n = int(x.shape[a])
            # F.pad lists the last axis first; pads only along a, so each neighbour
            # is one narrow (a slice on one axis) of it
            padded = torch_module().nn.functional.pad(x, [0, 0] * (x.ndim - 1 - a) + [1, 1])
            # y[i] = x[i - 1], then x[i + 1]: _shifted(+1), then (-1)
            out = out + padded.narrow(a, 0, n) + padded.narrow(a, 2, n)
        return out
    out = x
    for a in ax:
        out = out + _shifted(x, a, 1, xp) + _shifted(x, a, -1, xp)
    return out
