"""Divergences between a target distribution and a predicted one."""

from __future__ import annotations

import math

from .._lib._compat import Array, Namespace, array_namespace, device_of
from .._lib._dtypes import cast, compute_dtype, is_floating, is_integer
from .._lib._reduction import check_reduction, check_weights, reduce_loss
from .._lib._special import log_softmax
from .._lib._validation import check_same_shape, normalize_axis
from ._common import _clamped_log

__all__ = ["js_divergence", "kl_divergence"]


REQUIRED = ("logits", "targets")


def _prepare(
    logits: Array,
    targets: Array,
    axis: int,
    weights: Array | None,
    reduction: str,
    name: str,
) -> tuple[Array, Array, int, Namespace, str]:
    """Validate; return logits and targets in the compute dtype and the class axis."""
    xp = array_namespace(logits=logits, targets=targets, weights=weights, required=REQUIRED)
    reduction = check_reduction(reduction)
    dtype = compute_dtype(logits, "logits", xp)
    ax = normalize_axis(axis, logits.ndim)
    if is_integer(targets, xp):
        raise TypeError(
            f"targets of {name} must be floating probabilities with logits's shape, got "
            f"integer dtype {targets.dtype}; for class indices use cross_entropy (the KL "
            "to a one-hot target)"
        )
    if not is_floating(targets, xp):
        raise TypeError(
            f"targets of {name} must be floating probabilities, got dtype {targets.dtype}"
        )
    check_same_shape(logits, targets, "logits", "targets")
    unreduced = tuple(logits.shape[:ax]) + tuple(logits.shape[ax + 1 :])
    check_weights(weights, unreduced, xp)
    return cast(logits, dtype, xp), cast(targets, dtype, xp), ax, xp, reduction


def _positive(p: Array) -> Array:
    """``p > 0``, but True for NaN so that a NaN input gives NaN, not a silent 0."""
    return ~(p <= 0)


def _log_positive(p: Array, positive: Array, xp: Namespace) -> Array:
    """``log p`` where ``positive``, -inf elsewhere; the log never sees a 0 (no inf grad)."""
    one = xp.ones((), dtype=p.dtype, device=device_of(p))
    neg_inf = xp.full((), -math.inf, dtype=p.dtype, device=device_of(p))
    return xp.where(positive, xp.log(xp.where(positive, p, one)), neg_inf)


def _xlogy_diff(p: Array, positive: Array, log_p: Array, log_q: Array, xp: Namespace) -> Array:
    """``p (log p - log q)`` with ``0 log 0 = 0``: the unused side never reaches the sum."""
    zero = xp.zeros((), dtype=p.dtype, device=device_of(p))
    # double where: at p = 0, log p = -inf (and log q may be -inf too)
    safe = xp.where(positive, log_p - log_q, zero)
    return xp.where(positive, p * safe, zero)


def kl_divergence(
    logits: Array,
    targets: Array,
    *,
    axis: int = -1,
    from_logits: bool = True,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""KL(targets || softmax(logits)): the prediction first, the target second.

    .. math::

        \ell_i = \mathrm{KL}(t_i \,\|\, q_i)
               = \sum_c t_{ic} \bigl(\log t_{ic} - \log q_{ic}\bigr),
        \qquad q_i = \operatorname{softmax}(x_i), \quad 0 \log 0 = 0

    Use it to fit a predicted distribution to a soft target that is itself a
    distribution (knowledge distillation, label distributions, a teacher's
    softened outputs): it equals cross-entropy minus the target's entropy, so it
    is 0 exactly when the prediction matches, whatever the target's entropy.

    :math:`\log q` is ``log_softmax(logits)``, never ``log(softmax(logits))``, so
    the value and gradient are finite for any finite logits (also at +-1e4 in
    float32). Targets of exactly 0 contribute 0 with a finite gradient with
    respect to both arguments (double ``where``; ``optax.losses.kl_divergence``'s
    gradient with respect to the targets is NaN there).

    Parameters
    ----------
    logits : array, shape (..., C, ...)
        Logits of the prediction :math:`q`, or probabilities when
        ``from_logits=False``; class axis at ``axis``.
    targets : array, shape (..., C, ...)
        The target distribution :math:`t` (floating, ``logits``'s shape, each
        slice along ``axis`` summing to 1; not checked).
    axis : int, default -1
        The class axis; PyTorch layouts pass ``axis=1``.
    from_logits : bool, default True
        With ``False``, ``logits`` are probabilities :math:`q` (not renormalized)
        and :math:`\log q` is clamped at -100 as ``torch.nn.functional.
        binary_cross_entropy`` does: :math:`q_c = 0` where :math:`t_c > 0`, whose
        true divergence is :math:`+\infty`, gives the large finite
        :math:`t_c (\log t_c + 100)` with zero gradient, so a training step never
        sees inf or NaN. Pass logits when you can.
    weights : array, optional
        Per-position weights, broadcasting against the ``"none"`` result.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one divergence per position: ``logits``'s shape without
        the class axis. ``"mean"`` averages those, so it is the mean divergence
        per sample ("batchmean"), never a mean over classes.

    Returns
    -------
    array
        Scalar, or ``logits``'s shape without ``axis`` for ``reduction="none"``.

    Notes
    -----
    Argument order and peers:
    ``torch.nn.functional.kl_div(input, target)`` takes the *log*-probabilities of
    the prediction first: ``kl_div(log_softmax(x), t, reduction="batchmean")``
    equals this loss's ``"mean"`` for 2-d ``(N, C)`` inputs. torch's
    ``reduction="mean"`` divides by the number of *elements* (positions times
    classes), which is not a KL (this loss's mean divided by C); and for dense
    ``(N, C, H, W)`` inputs torch's ``"batchmean"`` divides the sum by N only,
    i.e. it is this loss's mean times H W. ``optax.losses.kl_divergence(
    log_predictions, targets)`` has this order but takes log-probabilities and
    returns the ``"none"`` result. Keras ``kl_divergence(y_true, y_pred)`` puts
    the target first and clips both to [1e-7, 1].

    References
    ----------
    .. [1] S. Kullback, R. A. Leibler, "On Information and Sufficiency", Annals of
       Mathematical Statistics 22(1), 79-86 (1951).
       https://doi.org/10.1214/aoms/1177729694
    .. [2] G. Hinton, O. Vinyals, J. Dean, "Distilling the Knowledge in a Neural
       Network", 2015. https://arxiv.org/abs/1503.02531

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> logits = np.log(np.array([[0.5, 0.25, 0.25], [0.25, 0.25, 0.5]]))
    >>> targets = np.array([[0.5, 0.5, 0.0], [0.25, 0.25, 0.5]])
    >>> al.kl_divergence(logits, targets, reduction="none")  # [log(2)/2, 0]
    array([0.34657359, 0.        ])
    """
    x, t, ax, xp, reduction = _prepare(logits, targets, axis, weights, reduction, "kl_divergence")
    log_q = log_softmax(x, ax, xp=xp) if from_logits else _clamped_log(x, xp)
    pos_t = _positive(t)
    # t (log t - log q), with 0 log 0 = 0 and no log of 0 anywhere
    term = _xlogy_diff(t, pos_t, _log_positive(t, pos_t, xp), log_q, xp)
    return reduce_loss(xp.sum(term, axis=ax), reduction, xp=xp, weights=weights)


def js_divergence(
    logits: Array,
    targets: Array,
    *,
    axis: int = -1,
    from_logits: bool = True,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Jensen-Shannon divergence between softmax(logits) and targets (symmetric).

    .. math::

        \ell_i = \tfrac12 \mathrm{KL}(t_i \,\|\, m_i) + \tfrac12 \mathrm{KL}(q_i \,\|\, m_i),
        \qquad m_i = \tfrac12 (t_i + q_i), \quad q_i = \operatorname{softmax}(x_i)

    Symmetric in :math:`t` and :math:`q`, and bounded: :math:`0 \le \ell_i \le \log 2`
    (in nats). Use it instead of :func:`kl_divergence` when neither distribution
    is the reference or when the target has zeros where the prediction may not
    (and vice versa): it never blows up, which also makes it a noise-robust
    classification loss (Englesson & Azizpour 2021).

    Numerics: :math:`\log m = \operatorname{logaddexp}(\log t, \log q) - \log 2`,
    with :math:`\log q` from ``log_softmax``; every term :math:`p (\log p - \log m)`
    with :math:`p = 0` is 0 by a double ``where``, so the value and gradient are
    finite for finite logits and for probabilities of exactly 0 and 1.

    Parameters
    ----------
    logits : array, shape (..., C, ...)
        Logits of :math:`q`, or probabilities when ``from_logits=False``.
    targets : array, shape (..., C, ...)
        The distribution :math:`t` (floating, ``logits``'s shape).
    axis : int, default -1
        The class axis.
    from_logits : bool, default True
        With ``False``, ``logits`` are probabilities :math:`q`; no clamp is
        needed (every term is bounded). Where :math:`q_c = 0` the true derivative
        :math:`\tfrac12 \log(q_c / m_c)` is :math:`-\infty`; the gradient returned
        there is that of the finite terms (the :math:`q_c \log q_c` term
        contributes 0).
    weights : array, optional
        Per-position weights, broadcasting against the ``"none"`` result.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one value per position (the class axis removed);
        ``"mean"`` is per sample, as for :func:`kl_divergence`.

    Returns
    -------
    array
        Scalar, or ``logits``'s shape without ``axis`` for ``reduction="none"``.

    References
    ----------
    .. [1] J. Lin, "Divergence Measures Based on the Shannon Entropy", IEEE
       Transactions on Information Theory 37(1), 145-151 (1991).
       https://doi.org/10.1109/18.61115
    .. [2] E. Englesson, H. Azizpour, "Generalized Jensen-Shannon Divergence Loss
       for Learning with Noisy Labels", NeurIPS 2021. https://arxiv.org/abs/2105.04522

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> q = np.array([[1.0, 0.0], [0.5, 0.5]])
    >>> t = np.array([[0.0, 1.0], [0.5, 0.5]])
    >>> al.js_divergence(q, t, from_logits=False, reduction="none")  # [log(2), 0]
    array([0.69314718, 0.        ])
    """
    x, t, ax, xp, reduction = _prepare(logits, targets, axis, weights, reduction, "js_divergence")
    pos_t = _positive(t)
    log_t = _log_positive(t, pos_t, xp)
    if from_logits:
        log_q = log_softmax(x, ax, xp=xp)
        q = xp.exp(log_q)
        pos_q = xp.ones(tuple(x.shape), dtype=xp.bool, device=device_of(x))
    else:
        q = x
        pos_q = _positive(q)
        log_q = _log_positive(q, pos_q, xp)
    # log m = logaddexp(log t, log q) - log 2; where both are -inf (t = q = 0) the
    # logaddexp gets dummy zeros, as its backward would give exp(-inf + inf) = NaN
    either = pos_t | pos_q
    zero = xp.zeros((), dtype=x.dtype, device=device_of(x))
    log_m = xp.logaddexp(xp.where(either, log_t, zero), xp.where(either, log_q, zero))
    log_m = log_m - math.log(2.0)
    term = _xlogy_diff(t, pos_t, log_t, log_m, xp) + _xlogy_diff(q, pos_q, log_q, log_m, xp)
    return reduce_loss(0.5 * xp.sum(term, axis=ax), reduction, xp=xp, weights=weights)
