"""Numerical primitives the Array API standard lacks.

Each primitive has a portable implementation written against the standard and,
where the backend has one, a native fast path chosen by namespace (never by
``hasattr``). ``native=False`` forces the portable path; the test-suite checks the
two agree on every backend.

Native paths:

===============  ==========================  ===========================
primitive        torch                       JAX
===============  ==========================  ===========================
logsumexp        ``torch.logsumexp``         ``jax.nn.logsumexp``
log_softmax      ``torch.log_softmax``       ``jax.nn.log_softmax``
softmax          ``torch.softmax``           ``jax.nn.softmax``
sigmoid          ``torch.sigmoid``           ``jax.nn.sigmoid``
log_sigmoid      ``F.logsigmoid``            ``jax.nn.log_sigmoid``
BCE from logits  ``F.binary_cross_entropy_   (none: XLA fuses the
                 with_logits``               portable form)
softplus         ``F.softplus``              ``jax.nn.softplus``
stop_gradient    ``Tensor.detach``           ``jax.lax.stop_gradient``
take_along_axis  ``torch.gather``            ``jnp.take_along_axis``
cross_entropy    ``F.cross_entropy``         (none: XLA fuses the
                                             portable form)
squared/huber/   ``F.mse_loss``,             (none)
smooth_l1        ``F.huber_loss``,
                 ``F.smooth_l1_loss``
window_extreme,  ``F.max_pool1d`` per axis   ``lax.reduce_window``
cross_extreme    (min as ``-max(-x)``)       per axis
cross_sum        ``F.pad`` + 2 ``narrow``    ``lax.reduce_window``
                 per axis                    (add) per axis
===============  ==========================  ===========================

NumPy uses ``np.take_along_axis``, ``scipy.special.expit`` for the sigmoid when
SciPy is installed (2.8x faster than the portable expression at 2048x1000 float32),
and otherwise the portable code: SciPy's ``logsumexp`` was 3x slower and its
softmaxes and ``log_expit`` no faster (``benchmarks/primitives.py``). CuPy uses
``cupyx.scipy.special`` for the sigmoid family, logsumexp and the softmaxes.

Measured on the 2-core CPU machine (``python benchmarks/primitives.py``), the torch
natives are 2-14x faster than the portable code forward and forward+backward,
except ``torch.logsumexp`` forward+backward at large rows (2048x1000: 1.3x slower,
its CPU backward is unfused), which stays native because it wins forward and at
small shapes (64x10: 0.6x) and is the fused kernel on GPUs.
"""

from __future__ import annotations

import math
import sys
from typing import Any

from ._compat import (
    Array,
    Namespace,
    device_of,
    is_cupy_namespace,
    is_jax_namespace,
    is_numpy_namespace,
    is_torch_namespace,
)

__all__ = [
    "cross_extreme",
    "cross_sum",
    "fused_binary_cross_entropy",
    "fused_cross_entropy",
    "fused_pointwise",
    "lgamma",
    "log1mexp",
    "log_sigmoid",
    "log_sigmoid_pair",
    "log_softmax",
    "logsumexp",
    "one_hot",
    "safe_power",
    "sigmoid",
    "softmax",
    "softplus",
    "stop_gradient",
    "take_along_axis",
    "window_extreme",
]


def _torch() -> Any:
    return sys.modules["torch"]


def _jax() -> Any:
    import jax  # already imported: the caller holds a JAX array
    import jax.numpy

    return jax


_SCIPY_SPECIAL: list[Any] = []


def _scipy_expit() -> Any:
    """``scipy.special.expit`` if SciPy is installed, else ``None`` (looked up once)."""
    if not _SCIPY_SPECIAL:
        try:
            import scipy.special

            _SCIPY_SPECIAL.append(scipy.special.expit)
        except ImportError:
            _SCIPY_SPECIAL.append(None)
    return _SCIPY_SPECIAL[0]


def _cupyx_special() -> Any:
    import cupyx.scipy.special  # already imported with cupy; only the submodule loads

    return cupyx.scipy.special


def stop_gradient(x: Array, *, xp: Namespace) -> Array:
    """``x`` with no gradient flowing back through it."""
    if is_torch_namespace(xp):
        return x.detach()
    if is_jax_namespace(xp):
        return _jax().lax.stop_gradient(x)
    return x


def logsumexp(
    x: Array, axis: int, *, xp: Namespace, keepdims: bool = False, native: bool = True
) -> Array:
    r""":math:`\log \sum_i e^{x_i}` along ``axis``, without overflow."""
    if native:
        if is_torch_namespace(xp):
            return _torch().logsumexp(x, dim=axis, keepdim=keepdims)
        if is_jax_namespace(xp):
            return _jax().nn.logsumexp(x, axis=axis, keepdims=keepdims)
        if is_cupy_namespace(xp):
            return _cupyx_special().logsumexp(x, axis=axis, keepdims=keepdims)
    # max-shift; the shift is detached because logsumexp is shift-invariant, which
    # keeps the backward pass from differentiating through max (ANCHORS: ~6x slower).
    # A row of -inf would shift by -inf and give NaN, so such rows shift by 0.
    shift = stop_gradient(xp.max(x, axis=axis, keepdims=True), xp=xp)
    zero = xp.zeros((), dtype=x.dtype, device=device_of(x))
    shift = xp.where(xp.isfinite(shift), shift, zero)
    out = xp.log(xp.sum(xp.exp(x - shift), axis=axis, keepdims=True)) + shift
    return out if keepdims else xp.squeeze(out, axis=axis)


def log_softmax(x: Array, axis: int, *, xp: Namespace, native: bool = True) -> Array:
    """``log(softmax(x))`` computed as ``x - logsumexp(x)``."""
    if native:
        if is_torch_namespace(xp):
            return _torch().log_softmax(x, dim=axis)
        if is_jax_namespace(xp):
            return _jax().nn.log_softmax(x, axis=axis)
        if is_cupy_namespace(xp):
            return _cupyx_special().log_softmax(x, axis=axis)
    return x - logsumexp(x, axis, xp=xp, keepdims=True, native=False)


def softmax(x: Array, axis: int, *, xp: Namespace, native: bool = True) -> Array:
    """Softmax along ``axis``."""
    if native:
        if is_torch_namespace(xp):
            return _torch().softmax(x, dim=axis)
        if is_jax_namespace(xp):
            return _jax().nn.softmax(x, axis=axis)
        if is_cupy_namespace(xp):
            return _cupyx_special().softmax(x, axis=axis)
    shift = stop_gradient(xp.max(x, axis=axis, keepdims=True), xp=xp)
    e = xp.exp(x - shift)
    return e / xp.sum(e, axis=axis, keepdims=True)


def sigmoid(x: Array, *, xp: Namespace, native: bool = True) -> Array:
    """Logistic sigmoid :math:`1 / (1 + e^{-x})`, finite for every finite ``x``."""
    if native:
        if is_torch_namespace(xp):
            return _torch().sigmoid(x)
        if is_jax_namespace(xp):
            return _jax().nn.sigmoid(x)
        if is_cupy_namespace(xp):
            return _cupyx_special().expit(x)
        if (
            is_numpy_namespace(xp)
            and x.dtype in (xp.float32, xp.float64)  # expit has no float16 loop
            and _scipy_expit() is not None
        ):
            return _scipy_expit()(x)
    # e = exp(-|x|) never overflows; sigmoid(x) = 1/(1+e) for x >= 0, e/(1+e) below.
    # where, not -abs(x): torch's abs has gradient 0 at 0, which made sigmoid'(0) = 0
    e = xp.exp(xp.where(x >= 0, -x, x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))


def softplus(x: Array, *, xp: Namespace, native: bool = True) -> Array:
    r""":math:`\log(1 + e^{x})`, exact for large ``|x|``."""
    if native:
        if is_torch_namespace(xp):
            # threshold above which torch returns x itself: beyond float64's
            # resolution of log1p(exp(-x)), so the result is exact in every dtype.
            return _torch().nn.functional.softplus(x, threshold=40.0)
        if is_jax_namespace(xp):
            return _jax().nn.softplus(x)
    return xp.logaddexp(xp.zeros((), dtype=x.dtype, device=device_of(x)), x)


def log_sigmoid(x: Array, *, xp: Namespace, native: bool = True) -> Array:
    r""":math:`\log \sigma(x) = -\mathrm{softplus}(-x)`."""
    if native:
        if is_torch_namespace(xp):
            return _torch().nn.functional.logsigmoid(x)
        if is_jax_namespace(xp):
            return _jax().nn.log_sigmoid(x)
        if is_cupy_namespace(xp):
            return _cupyx_special().log_expit(x)
    return -softplus(-x, xp=xp, native=False)


def log_sigmoid_pair(x: Array, *, xp: Namespace, native: bool = True) -> tuple[Array, Array]:
    r"""``(log_sigmoid(x), log_sigmoid(-x))``: the log-probabilities of a logit's two classes.

    On NumPy the two share :math:`t = \log(1 + e^{-|x|})`:
    :math:`\log\sigma(\pm x) = -(\max(\mp x, 0) + t)`, one ``log1p(exp)`` pass
    instead of two ``logaddexp`` (each ~2x slower than ``log1p(exp)``: 174 -> 65 ms
    for a 2048x1000 float32 BCE). Every other backend calls :func:`log_sigmoid`
    twice (its native kernels; autograd through ``abs`` and a tied ``maximum`` at 0
    is backend-specific, so the shared form is kept off differentiable backends).
    """
    if native and is_numpy_namespace(xp):
        # both terms are exact: the max() part is 0 on the side where t dominates
        t = xp.log1p(xp.exp(-xp.abs(x)))
        zero = xp.zeros((), dtype=x.dtype, device=device_of(x))
        return -(xp.maximum(-x, zero) + t), -(xp.maximum(x, zero) + t)
    return log_sigmoid(x, xp=xp, native=native), log_sigmoid(-x, xp=xp, native=native)


def log1mexp(a: Array, *, xp: Namespace) -> Array:
    r""":math:`\log(1 - e^{a})` for :math:`a < 0` (Maechler 2012, eq. 7).

    ``log(-expm1(a))`` near 0 and ``log1p(-exp(a))`` below :math:`-\log 2`; each
    branch gets an argument safe for it so no NaN leaks into the backward pass.
    """
    cut = -0.6931471805599453
    near = xp.where(a > cut, a, xp.full_like(a, cut))
    far = xp.where(a > cut, xp.full_like(a, cut), a)
    return xp.where(a > cut, xp.log(-xp.expm1(near)), xp.log1p(-xp.exp(far)))


# Lanczos approximation (g = 7, n = 9; Numerical Recipes / Godfrey's coefficients),
# accurate to ~1e-15 relative for Re z > 0.5; reflection is not needed (z > 0 here).
_LANCZOS_G = 7.0
_LANCZOS = (
    0.99999999999980993,
    676.5203681218851,
    -1259.1392167224028,
    771.32342877765313,
    -176.61502916214059,
    12.507343278686905,
    -0.13857109526572012,
    9.9843695780195716e-6,
    1.5056327351493116e-7,
)


def lgamma(z: Array, *, xp: Namespace, native: bool = True) -> Array:
    """``log Gamma(z)`` for ``z > 0``: the backend's own where it has one."""
    if native:
        native_value = _native_lgamma(z, xp)
        if native_value is not None:
            return native_value
    # lgamma(z) = lgamma(z + 1) - log z keeps the Lanczos argument >= 1
    x = z  # Lanczos for Gamma(x + 1) = sqrt(2 pi) t^(x + 1/2) e^-t A(x), t = x + g + 1/2
    a = xp.full(x.shape, _LANCZOS[0], dtype=z.dtype, device=device_of(z))
    for i, c in enumerate(_LANCZOS[1:], start=1):
        a = a + c / (x + float(i))
    t = x + (_LANCZOS_G + 0.5)
    lg1 = 0.5 * math.log(2.0 * math.pi) + (x + 0.5) * xp.log(t) - t + xp.log(a)
    return lg1 - xp.log(z)


def _native_lgamma(z: Array, xp: Namespace) -> Array | None:
    """torch ``lgamma``, ``jax.scipy.special.gammaln`` or SciPy's; None elsewhere."""
    if is_torch_namespace(xp):
        return _torch().lgamma(z)
    if is_jax_namespace(xp):
        import jax.scipy.special  # already imported with jax: the caller holds a JAX array

        return jax.scipy.special.gammaln(z)
    if is_numpy_namespace(xp):
        try:
            import scipy.special
        except ImportError:  # pragma: no cover - scipy is optional
            return None
        return xp.asarray(scipy.special.gammaln(z), dtype=z.dtype)
    return None


def take_along_axis(x: Array, index: Array, axis: int, *, xp: Namespace) -> Array:
    """``x`` at ``index`` along ``axis``; ``index`` has ``x``'s shape without ``axis``.

    Every index must be valid (``0 <= index < x.shape[axis]``); the losses replace
    ignored and invalid labels before calling this.
    """
    idx = xp.expand_dims(index, axis=axis)
    if is_torch_namespace(xp):
        picked = _torch().gather(x, axis, idx)
    elif is_jax_namespace(xp):
        picked = _jax().numpy.take_along_axis(x, idx, axis=axis, mode="clip")
    elif is_numpy_namespace(xp) or is_cupy_namespace(xp):
        picked = xp.take_along_axis(x, idx, axis=axis)
    else:
        # portable: select with a one-hot mask (Dask, array-api-strict, the rest)
        hot = one_hot(index, x.shape[axis], axis, dtype=xp.bool, xp=xp)
        zero = xp.zeros((), dtype=x.dtype, device=device_of(x))
        return xp.sum(xp.where(hot, x, zero), axis=axis)
    return xp.squeeze(picked, axis=axis)


def one_hot(labels: Array, num_classes: int, axis: int, *, dtype: Any, xp: Namespace) -> Array:
    """One-hot encoding of integer ``labels`` with the class axis inserted at ``axis``.

    Written as a comparison with ``arange`` on every backend: ``F.one_hot`` checks
    label values (a device sync on CUDA) and returns int64.
    An out-of-range label gives an all-zero row.
    """
    ndim = labels.ndim + 1
    axis = axis % ndim
    shape = [1] * ndim
    shape[axis] = num_classes
    classes = xp.reshape(
        xp.arange(num_classes, dtype=labels.dtype, device=device_of(labels)), tuple(shape)
    )
    hot = xp.expand_dims(labels, axis=axis) == classes
    return hot if dtype == xp.bool else xp.astype(hot, dtype)


def safe_power(x: Array, exponent: float, *, xp: Namespace) -> Array:
    """``x ** exponent`` for ``x >= 0``, with gradient 0 (not inf or NaN) at ``x = 0``.

    ``d x^g / dx = g x^(g-1)`` is infinite at 0 for ``g < 1``; a double ``where``
    keeps 0 out of the power, and at 0 the one-sided subgradient 0 is used (every
    caller is a loss at its minimum there). ``0 ** 0`` is 1. A negative ``x`` (a
    rounding below 0 of a quantity that cannot be negative) counts as 0. A NaN
    stays NaN.
    Exponents 1 and 2 (focal's default) are plain products: one operation, and their
    gradient at 0 is already finite.
    """
    if exponent == 1.0:
        return x
    if exponent == 2.0:
        return x * x
    # not (x <= 0) rather than x > 0: a NaN must stay NaN, not become a silent 0
    positive = xp.logical_not(x <= 0)
    one = xp.ones((), dtype=x.dtype, device=device_of(x))
    at_zero = one if exponent == 0.0 else xp.zeros((), dtype=x.dtype, device=device_of(x))
    return xp.where(positive, xp.where(positive, x, one) ** exponent, at_zero)


def fused_cross_entropy(
    logits: Array,
    labels: Array,
    axis: int,
    *,
    class_weights: Array | None,
    label_smoothing: float,
    xp: Namespace,
    reduction: str = "none",
) -> Array | None:
    r"""Per-position :math:`(1-\varepsilon) w_y (-\log p_y) + \varepsilon/C \sum_c w_c
    (-\log p_c)` from the backend's fused kernel, or ``None`` where there is none.

    ``labels`` must all be valid class indices (ignored and invalid positions
    already replaced); masking, poisoning and reduction stay with the caller. Only
    torch has one here: ``F.cross_entropy(reduction="none")``, whose forward and
    backward are single kernels (the portable logsumexp-minus-gather is 5 eager ops
    and an unfused logsumexp backward on the CPU). It wants the class axis at 1.

    ``reduction="mean"`` or ``"sum"`` reduce inside the kernel too; the caller asks
    for that only when nothing is masked, weighted or class weighted, where torch's
    mean (divided by the number of positions) is the contract's and no all-ignored
    ``0/0`` can occur. It saves two eager ops and the Python of the shared reduction
    on the small-batch overhead probe.
    """
    if not is_torch_namespace(xp) or logits.ndim < 2 or axis != 1:
        return None
    torch = _torch()
    if labels.dtype != torch.int64:
        labels = labels.to(torch.int64)  # nll_loss takes only int64 targets
    return torch.nn.functional.cross_entropy(
        logits,
        labels,
        weight=class_weights,
        reduction=reduction,
        label_smoothing=label_smoothing,
    )


def fused_binary_cross_entropy(
    logits: Array,
    labels: Array,
    pos_weight: Array | float | None,
    *,
    xp: Namespace,
    reduction: str = "none",
) -> Array | None:
    r"""Elementwise :math:`-[w_+ y \log\sigma(x) + (1 - y)\log\sigma(-x)]` from the
    backend's fused kernel, or ``None`` where there is none.

    torch: ``F.binary_cross_entropy_with_logits`` (one kernel forward, one
    backward; the portable form is two log-sigmoids and five products, 10 eager
    ops). A float ``pos_weight`` becomes a 0-d tensor. A ``pos_weight`` tensor that
    requires a gradient keeps the portable path (the kernel has no ``pos_weight``
    derivative). ``reduction="mean"``/``"sum"`` reduce in the kernel; the caller
    asks for it only with no ``weights`` and a non-empty input (torch's mean of
    nothing is NaN, ours 0).
    """
    if not is_torch_namespace(xp):
        return None
    torch = _torch()
    if pos_weight is not None:
        if isinstance(pos_weight, torch.Tensor):
            if pos_weight.requires_grad:
                return None
        else:
            pos_weight = torch.full((), pos_weight, dtype=logits.dtype, device=logits.device)
    return torch.nn.functional.binary_cross_entropy_with_logits(
        logits, labels, pos_weight=pos_weight, reduction=reduction
    )


def fused_pointwise(
    kind: str, preds: Array, targets: Array, param: float, *, xp: Namespace
) -> Array | None:
    """Elementwise ``"squared"``, ``"huber"`` (``param`` = delta) or ``"smooth_l1"``
    (``param`` = beta > 0) loss from the backend's fused kernel, or ``None``.

    torch's ``reduction="none"`` losses are one kernel forward and one backward;
    the portable ``min``-based forms are 8-10 eager ops with as many temporaries
    (5-8x slower forward+backward at 8192x1000 on the CPU).
    """
    if not is_torch_namespace(xp):
        return None
    F = _torch().nn.functional
    if kind == "squared":
        return F.mse_loss(preds, targets, reduction="none")
    if kind == "huber":
        return F.huber_loss(preds, targets, reduction="none", delta=param)
    return F.smooth_l1_loss(preds, targets, reduction="none", beta=param)


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
    F = _torch().nn.functional
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
    lax = _jax().lax
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
            padded = _torch().nn.functional.pad(x, [0, 0] * (x.ndim - 1 - a) + [1, 1])
            # y[i] = x[i - 1], then x[i + 1]: _shifted(+1), then (-1)
            out = out + padded.narrow(a, 0, n) + padded.narrow(a, 2, n)
        return out
    out = x
    for a in ax:
        out = out + _shifted(x, a, 1, xp) + _shifted(x, a, -1, xp)
    return out
