"""Classification losses robust to noisy labels."""

from __future__ import annotations

import math

from .._lib._compat import Array, array_or_none
from .._lib._hyper import continuous, hyper_array
from .._lib._reduction import reduce_loss
from .._lib._special import log_sigmoid, log_softmax, softmax
from .._lib._targets import poison
from ._common import (
    _index_log_odds,
    _log_odds_against,
    _log_or_neg_inf,
    _prepare_softmax,
    _times_log,
)

__all__ = ["generalized_cross_entropy", "symmetric_cross_entropy"]


def generalized_cross_entropy(
    logits: Array,
    labels: Array,
    *,
    q: float = 0.7,
    axis: int = -1,
    ignore_index: int | None = None,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Generalized cross-entropy :math:`L_q` (Zhang & Sabuncu), robust to noisy labels.

    .. math::

        \ell_i = \sum_c y_{ic} \frac{1 - p_{ic}^{\,q}}{q},
        \qquad p_i = \operatorname{softmax}(x_i)

    For a one-hot label this is :math:`(1 - p_y^q) / q`, the negative Box-Cox
    transform of :math:`p_y`: :math:`q \to 0` is cross-entropy, :math:`q = 1` is
    the mean absolute error :math:`1 - p_y` (up to a factor 2). Use it when a
    fraction of the training labels is wrong: a larger ``q`` bounds the loss (at
    :math:`1/q`) and the weight of badly fit, likely mislabeled examples, at some
    cost in convergence speed. The paper recommends ``q = 0.7``.

    Parameters
    ----------
    logits : array, shape (..., C, ...)
        Unnormalized scores, class axis at ``axis``.
    labels : array
        Integer class indices (``logits``'s shape minus ``axis``) or floating
        probabilities (``logits``'s shape); for probabilities the loss is the
        expectation of :math:`L_q` under the target distribution (linear in
        :math:`y`, like cross-entropy).
    q : float in (0, 1], default 0.7
        The Box-Cox exponent (the paper's default).
    axis : int, default -1
        The class axis; PyTorch layouts pass ``axis=1``.
    ignore_index : int, optional
        Integer label whose positions contribute nothing and leave the mean's
        denominator.
    weights : array, optional
        Per-position weights, broadcasting against the ``"none"`` result.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns ``logits``'s shape without the class axis.

    Returns
    -------
    array
        Scalar, or the per-position loss for ``reduction="none"``.

    Notes
    -----
    Computed as :math:`-\operatorname{expm1}(q \log p) / q` with
    :math:`\log p_c = \log\sigma(-z_c)` from the log-odds against the class,
    :math:`z_c = \operatorname{logsumexp}_{k \ne c} x_k - x_c`: accurate for small
    ``q`` (where ``(1 - p**q) / q`` cancels; at ``q = 1e-3`` it is within
    :math:`q \log^2 p / 2` of cross-entropy) and when :math:`p` rounds to 1, and
    finite in value and gradient for any finite logits.

    Keras's ``categorical_generalized_cross_entropy(y_true, y_pred, q)`` takes
    integer labels and *probabilities* ``y_pred`` (apply softmax first), computes
    ``(1 - p**q) / q`` directly, defaults to ``q = 0.5`` and requires ``0 < q < 1``;
    on the same probabilities it agrees with ours. The paper's truncated variant
    :math:`L_{trunc}` (a threshold :math:`k` on :math:`p_y`) is not implemented.

    References
    ----------
    .. [1] Z. Zhang, M. R. Sabuncu, "Generalized Cross Entropy Loss for Training
       Deep Neural Networks with Noisy Labels", NeurIPS 2018.
       https://arxiv.org/abs/1805.07836

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> logits = np.array([[0.0, 0.0], [np.log(3.0), 0.0]])
    >>> al.generalized_cross_entropy(logits, np.array([0, 0]), q=1.0, reduction="none")
    array([0.5 , 0.25])
    """
    logits, target, ax, xp, reduction = _prepare_softmax(
        logits, labels, axis, ignore_index, weights, reduction, {"q": array_or_none(q)}
    )
    q = continuous(q, "q", logits, xp, low=0.0, high=1.0, low_inclusive=False)
    if target.is_index:
        # log p_y = -softplus(z) = log_sigmoid(-z); (1 - p^q) / q = -expm1(q log p) / q
        log_p = log_sigmoid(-_index_log_odds(logits, target.values, ax, xp), xp=xp)
        loss = poison(-xp.expm1(q * log_p) / q, target.invalid, xp)
        return reduce_loss(loss, reduction, xp=xp, weights=weights, mask=target.keep)
    log_p = log_sigmoid(-_log_odds_against(logits, ax, xp), xp=xp)
    loss = xp.sum(target.values * (-xp.expm1(q * log_p) / q), axis=ax)
    return reduce_loss(loss, reduction, xp=xp, weights=weights)


def symmetric_cross_entropy(
    logits: Array,
    labels: Array,
    *,
    alpha: float = 0.1,
    beta: float = 1.0,
    log_zero: float = -4.0,
    axis: int = -1,
    ignore_index: int | None = None,
    weights: Array | None = None,
    reduction: str = "mean",
) -> Array:
    r"""Symmetric cross-entropy (Wang et al.): cross-entropy plus reverse cross-entropy.

    .. math::

        \ell_i = \alpha \Bigl(-\sum_c y_{ic} \log p_{ic}\Bigr)
                 + \beta \Bigl(-\sum_c p_{ic} \max(\log y_{ic}, A)\Bigr),
        \qquad p_i = \operatorname{softmax}(x_i)

    The reverse term swaps the roles of prediction and label; :math:`\log 0` is
    replaced by the constant :math:`A` (``log_zero``), so for a one-hot label it is
    :math:`-A (1 - p_y)`, a bounded, MAE-like term that is robust to label noise,
    while the cross-entropy term keeps the fit on hard classes. Use it when labels
    are noisy; the paper uses :math:`\alpha = 0.1, \beta = 1` on CIFAR-10 and
    tunes both per dataset.

    Parameters
    ----------
    logits : array, shape (..., C, ...)
        Unnormalized scores, class axis at ``axis``.
    labels : array
        Integer class indices (``logits``'s shape minus ``axis``) or floating
        probabilities (``logits``'s shape).
    alpha : float >= 0, default 0.1
        Weight of the cross-entropy term.
    beta : float >= 0, default 1.0
        Weight of the reverse cross-entropy term.
    log_zero : float < 0, default -4.0
        The paper's :math:`A`: the floor on :math:`\log y_c`, standing in for
        :math:`\log 0`.
    axis : int, default -1
        The class axis; PyTorch layouts pass ``axis=1``.
    ignore_index : int, optional
        Integer label whose positions contribute nothing and leave the mean's
        denominator.
    weights : array, optional
        Per-position weights, broadcasting against the ``"none"`` result.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns ``logits``'s shape without the class axis.

    Returns
    -------
    array
        Scalar, or the per-position loss for ``reduction="none"``.

    Notes
    -----
    For integer labels the loss is :math:`\alpha\,\operatorname{softplus}(z)
    - \beta A\,\sigma(z)` with :math:`z = \log\frac{1 - p_y}{p_y}`, accurate when
    :math:`p_y` rounds to 1; no probability is clipped, so value and gradient are
    finite for any finite logits. The authors' code clamps the one-hot label at
    ``1e-4`` (:math:`A = \log 10^{-4} \approx -9.21`, not the paper's -4) and the
    prediction at ``1e-7``; pass ``log_zero=math.log(1e-4)`` to match its reverse
    term (the prediction clamp only changes probabilities below ``1e-7``).

    References
    ----------
    .. [1] Y. Wang, X. Ma, Z. Chen, Y. Luo, J. Yi, J. Bailey, "Symmetric Cross
       Entropy for Robust Learning with Noisy Labels", ICCV 2019.
       https://arxiv.org/abs/1908.06112

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> logits = np.array([[0.0, 0.0]])
    >>> round(float(al.symmetric_cross_entropy(logits, np.array([0]))), 6)
    2.069315
    """
    logits, target, ax, xp, reduction = _prepare_softmax(
        logits,
        labels,
        axis,
        ignore_index,
        weights,
        reduction,
        {
            k: array_or_none(v)
            for k, v in (("alpha", alpha), ("beta", beta), ("log_zero", log_zero))
        },
    )
    alpha = continuous(alpha, "alpha", logits, xp, low=0.0)
    beta = continuous(beta, "beta", logits, xp, low=0.0)
    a = continuous(log_zero, "log_zero", logits, xp, high=0.0, high_inclusive=False)
    if isinstance(a, float) and not math.isfinite(a):
        raise ValueError(f"log_zero must be a finite negative number; got {log_zero!r}")
    if target.is_index:
        z = _index_log_odds(logits, target.values, ax, xp)
        # CE = -log p_y = softplus(z); RCE = -A sum_{c != y} p_c = -A (1 - p_y) = -A sigmoid(z)
        ce = -log_sigmoid(-z, xp=xp)
        rce = -a * xp.exp(log_sigmoid(z, xp=xp))
        loss = poison(alpha * ce + beta * rce, target.invalid, xp)
        return reduce_loss(loss, reduction, xp=xp, weights=weights, mask=target.keep)
    y = target.values
    ce = -xp.sum(_times_log(y, log_softmax(logits, ax, xp=xp), xp), axis=ax)
    # max(log y, A), with log 0 = -inf taken by a where (no NaN gradient at y = 0)
    log_y = xp.maximum(_log_or_neg_inf(y, xp), hyper_array(a, y, xp))
    rce = -xp.sum(softmax(logits, ax, xp=xp) * log_y, axis=ax)
    return reduce_loss(alpha * ce + beta * rce, reduction, xp=xp, weights=weights)
