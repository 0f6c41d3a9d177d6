"""The combined additive/multiplicative angular margin of SphereFace, ArcFace and CosFace."""

from __future__ import annotations

from .._lib._compat import Array, array_namespace, array_or_none, device_of
from .._lib._dtypes import cast, compute_dtype
from .._lib._hyper import continuous, hyper_array, is_hyper_array
from .._lib._special import one_hot, safe_sqrt
from .._lib._validation import normalize_axis

__all__ = ["margin_softmax_logits"]


def margin_softmax_logits(
    cosine: Array,
    labels: Array,
    *,
    scale: float = 64.0,
    m1: float = 1.0,
    m2: float = 0.5,
    m3: float = 0.0,
    axis: int = -1,
) -> Array:
    r"""Logits with the combined angular margin at the target class, to feed ``cross_entropy``.

    .. math::

        z_{ic} = \begin{cases} s\,\big(\cos(m_1 \theta_{ic} + m_2) - m_3\big) & c = y_i \\
        s \cos\theta_{ic} & c \ne y_i \end{cases}, \qquad
        \theta = \operatorname{atan2}\big(\sqrt{1 - \cos^2},\ \cos\big)

    :math:`m_1` is SphereFace's multiplicative margin, :math:`m_2` ArcFace's additive
    angular margin, :math:`m_3` CosFace's additive cosine margin; the default is
    ArcFace (:math:`s = 64, m_2 = 0.5`). ``cross_entropy(margin_softmax_logits(...),
    labels)`` is the loss.

    Parameters
    ----------
    cosine : array, shape (N, C) (class axis ``axis``)
        Cosines between normalised features and normalised class weights, in [-1, 1]
        (clipped).
    labels : integer array, shape (N,)
    scale : float > 0, default 64.0
    m1 : float > 0, default 1.0
    m2 : float, default 0.5
    m3 : float, default 0.0
    axis : int, default -1

    Returns
    -------
    array
        The logits, ``cosine``'s shape.

    Notes
    -----
    :math:`\sin\theta` is a square root whose gradient is 0 at :math:`|\cos| = 1`, so
    the value and the gradient are finite there; ``arccos`` and the usual
    :math:`\sqrt{1 - \cos^2}` have an infinite derivative at a feature that coincides
    with its class centre. With :math:`m_1 = 1` the target is
    :math:`\cos\theta\cos m_2 - \sin\theta\sin m_2`: at :math:`|\cos| = 1` its
    gradient is :math:`\cos m_2` (the true one, :math:`\sin(\theta + m_2)/\sin\theta`,
    is infinite there unless :math:`m_2 = 0`), so softmax and CosFace get their exact
    gradient 1 at every cosine. With :math:`m_1 \ne 1`, :math:`\theta` is ``atan2``
    and the gradient at :math:`|\cos| = 1` is 0. insightface's ``arcface_torch``
    computes the ArcFace target under ``torch.no_grad()``, so its gradient with
    respect to the cosine is that of :math:`s\cos\theta` (1 times :math:`s`, a
    straight-through estimate), not the derivative of the value it returns
    (:math:`\sin(\theta + m_2)/\sin\theta`, 1.028 at :math:`\cos = 0.3`). Its older
    ArcFace head switched to :math:`\cos\theta - m_2 \sin m_2` past
    :math:`\theta > \pi - m_2`, where :math:`\cos(\theta + m_2)` turns back up; this
    function keeps the paper's formula (non-monotonic there, as SphereFace's
    :math:`\cos(m_1\theta)` past :math:`\pi / m_1`).

    References
    ----------
    .. [1] J. Deng, J. Guo, N. Xue, S. Zafeiriou, "ArcFace: Additive Angular Margin Loss
       for Deep Face Recognition", CVPR 2019. https://arxiv.org/abs/1801.07698
    .. [2] H. Wang et al., "CosFace: Large Margin Cosine Loss for Deep Face Recognition",
       CVPR 2018. https://arxiv.org/abs/1801.09414
    .. [3] W. Liu et al., "SphereFace: Deep Hypersphere Embedding for Face Recognition",
       CVPR 2017. https://arxiv.org/abs/1704.08063

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> cos = np.array([[1.0, 0.0]])
    >>> np.round(al.margin_softmax_logits(cos, np.array([0]), scale=1.0), 6)   # cos(0.5)
    array([[0.877583, 0.      ]])
    """
    xp = array_namespace(
        cosine=cosine,
        labels=labels,
        scale=array_or_none(scale),
        m1=array_or_none(m1),
        m2=array_or_none(m2),
        m3=array_or_none(m3),
        required=("cosine", "labels"),
    )
    dtype = compute_dtype(cosine, "cosine", xp)
    if cosine.ndim < 1:
        raise ValueError("cosine must have a class axis, got a 0-d array")
    ax = normalize_axis(axis, cosine.ndim)
    expected = tuple(s for i, s in enumerate(cosine.shape) if i != ax)
    if tuple(labels.shape) != expected:
        raise ValueError(
            f"labels must have cosine's shape without the class axis, {expected}, got "
            f"{tuple(labels.shape)}"
        )
    if not xp.isdtype(labels.dtype, "integral"):
        raise TypeError(f"labels must be an integer array, got dtype {labels.dtype}")
    c = cast(cosine, dtype, xp)
    s = continuous(scale, "scale", c, xp, low=0.0, low_inclusive=False)
    k1 = continuous(m1, "m1", c, xp, low=0.0, low_inclusive=False)
    k2 = continuous(m2, "m2", c, xp)
    k3 = continuous(m3, "m3", c, xp)
    one = xp.ones((), dtype=dtype, device=device_of(c))
    # clipped by where: min/max split a tie's gradient in half at exactly |cos| = 1
    c = xp.where(c > one, one, xp.where(c < -one, -one, c))
    # sin(theta) >= 0 on [0, pi]; the safe sqrt has gradient 0 at |cos| = 1
    sin = safe_sqrt(1 - c * c, xp=xp)
    theta = xp.atan2(sin, c)
    # m1 = 1: cos(theta + m2) = cos(theta) cos(m2) - sin(theta) sin(m2), whose gradient
    # at |cos| = 1 is cos(m2) (exactly 1 for CosFace and softmax), not atan2's 0
    m2_arr = hyper_array(k2, c, xp)
    additive = c * xp.cos(m2_arr) - sin * xp.sin(m2_arr)
    if is_hyper_array(k1):
        target = xp.where(k1 == 1, additive, xp.cos(k1 * theta + k2))
    else:
        target = additive if k1 == 1 else xp.cos(k1 * theta + k2)
    target = target - k3
    hot = one_hot(labels, int(cosine.shape[ax]), ax, dtype=xp.bool, xp=xp)
    return s * xp.where(hot, target, c)
