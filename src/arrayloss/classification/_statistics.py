"""Class statistics kept across batches: the explicit state of the adaptive losses.

The state convention of arrayloss: a loss that keeps statistics across batches takes a
small ``NamedTuple`` of arrays (a pytree for JAX, plain tensors for torch) and returns
``(loss, new_state)``. The state is made by an ``init_*`` function (here
:func:`class_statistics`), passed in and returned updated; nothing is kept in a module
or an object, the update runs under a stop-gradient and nothing is read back to the
host, so the step can be jitted (``jax.jit``) or compiled (``torch.compile``).
"""

from __future__ import annotations

from typing import NamedTuple

from .._lib._compat import Array, Namespace, array_namespace, device_of
from .._lib._dtypes import cast, compute_dtype
from .._lib._hyper import Hyper, continuous
from .._lib._special import one_hot, softmax, stop_gradient
from .._lib._validation import check_ignore_index, normalize_axis, require_static

__all__ = ["ClassStatistics", "class_statistics", "update_class_statistics"]


class ClassStatistics(NamedTuple):
    """Per-class statistics of the labels seen so far (a pytree of two ``(C,)`` arrays).

    Attributes
    ----------
    counts : array, shape (C,)
        Cumulative (or exponentially averaged) number of positions of each class.
    confidence : array, shape (C,)
        Mean predicted probability of the true class over those positions (0 for a
        class not seen yet).
    """

    counts: Array
    confidence: Array


def class_statistics(num_classes: int, *, like: Array) -> ClassStatistics:
    """Empty class statistics: zero counts and zero mean confidence, in ``like``'s library.

    Parameters
    ----------
    num_classes : int
        C, the number of classes (static: it sets the shapes).
    like : array
        Any array of the library, floating dtype and device the statistics should use
        (integer arrays give the default floating dtype).

    Returns
    -------
    ClassStatistics
        ``counts`` and ``confidence``, both zeros of shape ``(num_classes,)``.

    References
    ----------
    .. [1] J. Wang et al., "Seesaw Loss for Long-Tailed Instance Segmentation",
       CVPR 2021 (cumulative class counts as loss state). https://arxiv.org/abs/2008.10032

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> s = al.class_statistics(3, like=np.zeros(1))
    >>> s = al.update_class_statistics(s, np.array([0, 0, 2]))
    >>> s.counts.tolist()
    [2.0, 0.0, 1.0]
    """
    require_static(num_classes, "num_classes")
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive int, got {num_classes!r}")
    xp = array_namespace(like=like, required=("like",))
    dtype = _float_dtype(like, xp)
    zeros = xp.zeros((num_classes,), dtype=dtype, device=device_of(like))
    return ClassStatistics(zeros, zeros)


def _float_dtype(like: Array, xp: Namespace) -> object:
    if xp.isdtype(like.dtype, "real floating"):
        return like.dtype
    return xp.asarray(0.0, device=device_of(like)).dtype


def update_class_statistics(
    state: ClassStatistics,
    labels: Array,
    *,
    logits: Array | None = None,
    axis: int = -1,
    momentum: float | None = None,
    ignore_index: int | None = None,
) -> ClassStatistics:
    r"""The class statistics after one more batch of ``labels`` (and optionally ``logits``).

    .. math::

        n_c \leftarrow n_c + b_c \quad\text{or}\quad
        n_c \leftarrow (1 - m)\, n_c + m\, b_c, \qquad
        \bar p_c \leftarrow \frac{n_c \bar p_c + \sum_{i: y_i = c} p_{i y_i}}{n_c + b_c}

    with :math:`b_c` the batch's count of class :math:`c` and :math:`p_{iy_i}` the
    softmax probability of the true class (with ``momentum`` the confidence is the
    same exponential average of the batch's per-class mean, for classes present).
    Everything is computed under a stop-gradient, with no host synchronisation, so
    the update can run inside a jitted or compiled step. Feed ``state.counts`` to
    :func:`class_weights_from_counts` for class weights from all the data seen so far
    (not one batch, as ``class_weights="balanced"`` does), or to
    :func:`ldam_loss` / :func:`logit_adjusted_cross_entropy`.

    Parameters
    ----------
    state : ClassStatistics
        The statistics so far (from :func:`class_statistics`).
    labels : array of int
        Class indices, any shape; ``ignore_index`` positions and out-of-range
        labels are not counted.
    logits : array, optional
        Scores with the class axis at ``axis`` (``labels``'s shape plus that axis);
        without them ``confidence`` is returned unchanged.
    axis : int, default -1
        The class axis of ``logits``.
    momentum : float in (0, 1], optional
        None: cumulative counts (seesaw's); a float: exponential moving average.
    ignore_index : int, optional
        Label that is not counted.

    Returns
    -------
    ClassStatistics
        The new statistics, same shapes and dtype.

    References
    ----------
    .. [1] J. Wang et al., "Seesaw Loss for Long-Tailed Instance Segmentation",
       CVPR 2021. https://arxiv.org/abs/2008.10032

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> s = al.class_statistics(2, like=np.zeros(1))
    >>> s = al.update_class_statistics(s, np.array([1, 1]), logits=np.zeros((2, 2)))
    >>> s.counts.tolist(), s.confidence.tolist()
    ([0.0, 2.0], [0.0, 0.5])
    """
    if not isinstance(state, ClassStatistics):
        raise TypeError(
            f"state must be a ClassStatistics (from class_statistics), got {type(state).__name__}"
        )
    xp = array_namespace(
        counts=state.counts, labels=labels, logits=logits, required=("counts", "labels")
    )
    ignore = check_ignore_index(ignore_index)
    if not xp.isdtype(labels.dtype, "integral"):
        raise TypeError(f"labels must be an integer array of class indices, got {labels.dtype}")
    counts = stop_gradient(state.counts, xp=xp)
    conf = stop_gradient(state.confidence, xp=xp)
    num = int(counts.shape[0])
    m: Hyper | None = None
    if momentum is not None:
        m = continuous(momentum, "momentum", counts, xp, low=0.0, high=1.0, low_inclusive=False)
    hot = one_hot(labels, num, -1, dtype=counts.dtype, xp=xp)  # out of range: all zeros
    if ignore is not None:
        hot = hot * cast(xp.expand_dims(labels != ignore, axis=-1), counts.dtype, xp)
    flat = xp.reshape(hot, (-1, num))
    batch = xp.sum(flat, axis=0)
    if logits is None:
        new_conf = conf
    else:
        ax = normalize_axis(axis, logits.ndim)
        dtype = compute_dtype(logits, "logits", xp)
        if tuple(logits.shape[:ax]) + tuple(logits.shape[ax + 1 :]) != tuple(labels.shape):
            raise ValueError(
                f"logits of shape {tuple(logits.shape)} (class axis {axis}) do not match "
                f"labels of shape {tuple(labels.shape)}"
            )
        probs = softmax(cast(stop_gradient(logits, xp=xp), dtype, xp), ax, xp=xp)
        if ax != probs.ndim - 1:  # permute_dims, not moveaxis: torch.func.vmap batches it
            order = [d for d in range(probs.ndim) if d != ax] + [ax]
            probs = xp.permute_dims(probs, tuple(order))
        probs = xp.reshape(probs, (-1, num))
        psum = xp.sum(cast(probs, counts.dtype, xp) * flat, axis=0)
        present = batch > 0
        if m is None:
            total = counts + batch
            new_conf = xp.where(
                present, (counts * conf + psum) / xp.where(present, total, 1.0), conf
            )
        else:
            mean = psum / xp.where(present, batch, 1.0)
            seen = counts > 0
            new_conf = xp.where(present, xp.where(seen, (1.0 - m) * conf + m * mean, mean), conf)
    new_counts = counts + batch if m is None else (1.0 - m) * counts + m * batch
    return ClassStatistics(new_counts, new_conf)
