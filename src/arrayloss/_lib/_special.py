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
softmaxes and ``log_expit`` no faster (``benchmarks/primitives.py``). Its
maxima and sums over a short class axis go through ``_axis_reductions.py``, and
BCE from logits is computed in place (:func:`sigmoid_cross_entropy`). CuPy uses
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

from ._axis_reductions import axis_max, axis_sum
from ._compat import (
    Array,
    Namespace,
    device_of,
    is_cupy_namespace,
    is_jax_namespace,
    is_numpy_namespace,
    is_torch_namespace,
)


def torch_module() -> Any:
    return sys.modules["torch"]


def jax_module() -> Any:
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
        return jax_module().lax.stop_gradient(x)
    return x


def logsumexp(
    x: Array, axis: int, *, xp: Namespace, keepdims: bool = False, native: bool = True
) -> Array:
    r""":math:`\log \sum_i e^{x_i}` along ``axis``, without overflow."""
    if native:
        if is_torch_namespace(xp):
            return torch_module().logsumexp(x, dim=axis, keepdim=keepdims)
        if is_jax_namespace(xp):
            return jax_module().nn.logsumexp(x, axis=axis, keepdims=keepdims)
        if is_cupy_namespace(xp):
            return _cupyx_special().logsumexp(x, axis=axis, keepdims=keepdims)
    # max-shift; the shift is detached because logsumexp is shift-invariant, which
    # keeps the backward pass from differentiating through max (ANCHORS: ~6x slower).
    # A row of -inf would shift by -inf and give NaN, so such rows shift by 0.
    shift = stop_gradient(axis_max(x, axis, xp=xp, keepdims=True), xp=xp)
    zero = xp.zeros((), dtype=x.dtype, device=device_of(x))
    shift = xp.where(xp.isfinite(shift), shift, zero)
    out = xp.log(axis_sum(xp.exp(x - shift), axis, xp=xp, keepdims=True)) + shift
    return out if keepdims else xp.squeeze(out, axis=axis)


def log_softmax(x: Array, axis: int, *, xp: Namespace, native: bool = True) -> Array:
    """``log(softmax(x))`` computed as ``x - logsumexp(x)``."""
    if native:
        if is_torch_namespace(xp):
            return torch_module().log_softmax(x, dim=axis)
        if is_jax_namespace(xp):
            return jax_module().nn.log_softmax(x, axis=axis)
        if is_cupy_namespace(xp):
            return _cupyx_special().log_softmax(x, axis=axis)
    return x - logsumexp(x, axis, xp=xp, keepdims=True, native=False)


def softmax(x: Array, axis: int, *, xp: Namespace, native: bool = True) -> Array:
    """Softmax along ``axis``."""
    if native:
        if is_torch_namespace(xp):
            return torch_module().softmax(x, dim=axis)
        if is_jax_namespace(xp):
            return jax_module().nn.softmax(x, axis=axis)
        if is_cupy_namespace(xp):
            return _cupyx_special().softmax(x, axis=axis)
    shift = stop_gradient(axis_max(x, axis, xp=xp, keepdims=True), xp=xp)
    e = xp.exp(x - shift)
    return e / axis_sum(e, axis, xp=xp, keepdims=True)


def sigmoid(x: Array, *, xp: Namespace, native: bool = True) -> Array:
    """Logistic sigmoid :math:`1 / (1 + e^{-x})`, finite for every finite ``x``."""
    if native:
        if is_torch_namespace(xp):
            return torch_module().sigmoid(x)
        if is_jax_namespace(xp):
            return jax_module().nn.sigmoid(x)
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
            return torch_module().nn.functional.softplus(x, threshold=40.0)
        if is_jax_namespace(xp):
            return jax_module().nn.softplus(x)
        if is_numpy_namespace(xp):
            # max(x, 0) + log1p(e^-|x|): both terms non-negative, exact at either
            # extreme; NumPy's logaddexp takes 4-6x as long (8192x1000 float32)
            zero = xp.zeros((), dtype=x.dtype)
            return xp.maximum(x, zero) + xp.log1p(xp.exp(-xp.abs(x)))
    return xp.logaddexp(xp.zeros((), dtype=x.dtype, device=device_of(x)), x)


def log_sigmoid(x: Array, *, xp: Namespace, native: bool = True) -> Array:
    r""":math:`\log \sigma(x) = -\mathrm{softplus}(-x)`."""
    if native:
        if is_torch_namespace(xp):
            return torch_module().nn.functional.logsigmoid(x)
        if is_jax_namespace(xp):
            return jax_module().nn.log_sigmoid(x)
        if is_cupy_namespace(xp):
            return _cupyx_special().log_expit(x)
        if is_numpy_namespace(xp):
            return -softplus(-x, xp=xp)
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


def sigmoid_cross_entropy(x: Array, y: Array, *, xp: Namespace) -> Array:
    r""":math:`-(y \log\sigma(x) + (1 - y) \log\sigma(-x))`, elementwise, from logits.

    On NumPy it is :math:`\log(1 + e^{-|x|}) + x^+ (1 - y) + x^- y` with
    :math:`x^+ = \max(x, 0)` and :math:`x^- = x^+ - x` (exact: one of them is 0), so
    for labels in [0, 1] a sum of non-negative terms with no cancellation, and exact
    for any label (the textbook :math:`x^+ - xy + \log(1 + e^{-|x|})` loses
    :math:`x(1-y)` to rounding for soft labels near 1). Eleven passes over the array,
    in place where NumPy allows, against fifteen for the two log-sigmoids. Every other
    backend keeps the log-sigmoid pair: autograd through ``|x|`` or ``max`` at 0 is
    backend-specific, where the gradient must be :math:`1/2 - y`.
    """
    if is_numpy_namespace(xp):
        import numpy as np  # reached only for NumPy arrays: the user has imported it

        pos = np.maximum(x, 0)
        neg = pos - x
        loss = np.abs(x)
        np.negative(loss, out=loss)
        np.exp(loss, out=loss)
        np.log1p(loss, out=loss)
        w = 1 - y
        w *= pos
        loss += w
        neg *= y
        loss += neg
        return loss
    log_p, log_1mp = log_sigmoid_pair(x, xp=xp)
    return -(y * log_p + (1.0 - y) * log_1mp)


def safe_sqrt(x: Array, *, xp: Namespace) -> Array:
    """``sqrt(x)`` for ``x >= 0`` with gradient 0 (not inf or NaN) at ``x = 0``.

    ``d sqrt(x)/dx = 1/(2 sqrt x)`` is infinite at 0 and times the zero gradient of a
    squared distance gives NaN; a double ``where`` keeps 0 out of the ``sqrt``. A NaN
    stays NaN (the test is ``not x <= 0``, not ``x > 0``).
    """
    positive = xp.logical_not(x <= 0)
    one = xp.ones((), dtype=x.dtype, device=device_of(x))
    zero = xp.zeros((), dtype=x.dtype, device=device_of(x))
    return xp.where(positive, xp.sqrt(xp.where(positive, x, one)), zero)


def euclidean_norm(x: Array, axis: int, *, xp: Namespace) -> Array:
    """``sqrt(sum(x**2))`` along ``axis``, with gradient 0 (not NaN) where it is 0.

    torch: ``torch.linalg.vector_norm``, one kernel each way, whose backward is already
    0 at a zero norm; elsewhere :func:`safe_sqrt` of the sum of squares.
    """
    if is_torch_namespace(xp):
        return torch_module().linalg.vector_norm(x, 2, dim=axis)
    return safe_sqrt(xp.sum(x * x, axis=axis), xp=xp)


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
        return torch_module().lgamma(z)
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
        picked = torch_module().gather(x, axis, idx)
    elif is_jax_namespace(xp):
        picked = jax_module().numpy.take_along_axis(x, idx, axis=axis, mode="clip")
    elif is_numpy_namespace(xp) or is_cupy_namespace(xp):
        picked = xp.take_along_axis(x, idx, axis=axis)
    else:
        # portable: select with a one-hot mask (Dask, array-api-strict, the rest)
        hot = one_hot(index, x.shape[axis], axis, dtype=xp.bool, xp=xp)
        zero = xp.zeros((), dtype=x.dtype, device=device_of(x))
        return xp.sum(xp.where(hot, x, zero), axis=axis)
    return xp.squeeze(picked, axis=axis)


def cumulative_sum(x: Array, axis: int, *, xp: Namespace) -> Array:
    """Running sum along ``axis``: ``torch.cumsum`` natively, the standard's elsewhere.

    array-api-compat's torch ``cumulative_sum`` re-resolves the namespace through its
    cached helpers on every call, which ``torch.compile`` warns about.
    """
    if is_torch_namespace(xp):
        return torch_module().cumsum(x, dim=axis)
    return xp.cumulative_sum(x, axis=axis)


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


def safe_power(x: Array, exponent: float | Array, *, xp: Namespace) -> Array:
    """``x ** exponent`` for ``x >= 0``, with gradient 0 (not inf or NaN) at ``x = 0``.

    ``d x^g / dx = g x^(g-1)`` is infinite at 0 for ``g < 1``; a double ``where``
    keeps 0 out of the power, and at 0 the one-sided subgradient 0 is used (every
    caller is a loss at its minimum there). ``0 ** 0`` is 1. A negative ``x`` (a
    rounding below 0 of a quantity that cannot be negative) counts as 0. A NaN
    stays NaN.
    Exponents 1, 2 (focal's default) and 4 (ASL's) are plain products, one or two
    operations, whose gradient at 0 is already finite. An array exponent (a traced or
    learned gamma) takes the general form, with ``0 ** 0 = 1`` chosen by a ``where``.
    """
    if not isinstance(exponent, float | int):
        positive = xp.logical_not(x <= 0)
        one = xp.ones((), dtype=x.dtype, device=device_of(x))
        zero = xp.zeros((), dtype=x.dtype, device=device_of(x))
        at_zero = xp.where(exponent == 0, one, zero)
        return xp.where(positive, xp.where(positive, x, one) ** exponent, at_zero)
    if exponent == 1.0:
        return x
    if exponent == 2.0:
        return x * x
    if exponent == 4.0:  # ASL's gamma_neg: two products (even: a rounding below 0 is +0)
        square = x * x
        return square * square
    # not (x <= 0) rather than x > 0: a NaN must stay NaN, not become a silent 0
    positive = xp.logical_not(x <= 0)
    one = xp.ones((), dtype=x.dtype, device=device_of(x))
    at_zero = one if exponent == 0.0 else xp.zeros((), dtype=x.dtype, device=device_of(x))
    return xp.where(positive, xp.where(positive, x, one) ** exponent, at_zero)
