"""What the representation losses share: unit normalisation, a distance with a finite
gradient at 0, pairwise distances and the masked multi-positive log-softmax."""

from __future__ import annotations

from .._lib._compat import Array, Namespace, device_of
from .._lib._dtypes import cast, compute_dtype, is_integer
from .._lib._special import logsumexp, safe_sqrt

__all__ = [
    "check_embeddings",
    "check_labels",
    "masked_log_softmax",
    "masked_logsumexp",
    "multi_positive_log_prob",
    "pairwise_distance",
    "unit",
]


def check_embeddings(x: Array, name: str, xp: Namespace, ndim: int = 2) -> object:
    """The compute dtype of an ``(N, D)`` (or ``ndim``-d) floating embedding array."""
    dtype = compute_dtype(x, name, xp)
    if x.ndim != ndim:
        want = "(N, D)" if ndim == 2 else "(N, V, D)"
        raise ValueError(f"{name} must have shape {want}, got shape {tuple(x.shape)}")
    if int(x.shape[0]) == 0:
        raise ValueError(
            f"{name} is an empty batch (shape {tuple(x.shape)}): a contrastive or metric "
            "loss needs at least one example to compare"
        )
    return dtype


def check_labels(labels: Array, n: int, name: str, xp: Namespace) -> None:
    """``labels`` must be an integer ``(n,)`` array."""
    if not is_integer(labels, xp):
        raise TypeError(f"{name} must be an integer array, got dtype {labels.dtype}")
    if tuple(labels.shape) != (n,):
        raise ValueError(f"{name} must have shape ({n},), got shape {tuple(labels.shape)}")


def unit(x: Array, axis: int, *, xp: Namespace) -> Array:
    """``x / max(||x||, 1e-12)`` along ``axis`` (``F.normalize``'s rule)."""
    norm = xp.sqrt(xp.sum(x * x, axis=axis, keepdims=True))
    eps = xp.full((), 1e-12, dtype=x.dtype, device=device_of(x))
    return x / xp.maximum(norm, eps)


def pairwise_distance(x: Array, *, xp: Namespace) -> Array:
    """``||x_i - x_j||_2`` for the rows of ``(N, D)`` ``x``: ``(N, N)``, exactly 0 on the
    diagonal, finite gradient at every zero distance.

    The difference form (not ``|a|^2 + |b|^2 - 2 a.b``), so equal rows give exactly 0
    rather than a rounding residue whose ``sqrt`` is ~1e-4 in float32.
    """
    diff = x[:, None, :] - x[None, :, :]
    return safe_sqrt(xp.sum(diff * diff, axis=-1), xp=xp)


def masked_logsumexp(logits: Array, keep: Array, *, xp: Namespace) -> Array:
    """``logsumexp(logits[keep])`` per row of ``(N, M)`` ``logits``: shape ``(N,)``.

    Entries outside ``keep`` take ``-inf`` before the (max-shifted) log-sum-exp, never
    ``exp`` of a raw logit: at ``1/tau = 200`` a cosine of 1 is ``e^200``, beyond float32.
    """
    neg_inf = xp.full((), -float("inf"), dtype=logits.dtype, device=device_of(logits))
    return logsumexp(xp.where(keep, logits, neg_inf), 1, xp=xp)


def masked_log_softmax(logits: Array, keep: Array, *, xp: Namespace) -> Array:
    """``logits - logsumexp(logits[keep])`` per row of ``(N, M)`` ``logits``."""
    return logits - masked_logsumexp(logits, keep, xp=xp)[:, None]


def multi_positive_log_prob(
    logits: Array, keep: Array, positive: Array, *, xp: Namespace
) -> tuple[Array, Array]:
    """Per anchor, the mean over its positives of ``log softmax(logits[keep])``, and
    whether it has any.

    The mean of ``s_ip - lse_i`` is ``mean_p s_ip - lse_i``: the positives' logits are
    averaged and the row's log-sum-exp subtracted once, so no ``(N, M)``
    log-probabilities are formed. Anchors with no positive get 0 (through ``where``, so
    no ``0/0`` and no NaN gradient) and ``False``: the caller leaves them out of the mean.
    """
    zero = xp.zeros((), dtype=logits.dtype, device=device_of(logits))
    one = xp.ones((), dtype=logits.dtype, device=device_of(logits))
    count = xp.sum(cast(positive, logits.dtype, xp), axis=1)
    total = xp.sum(xp.where(positive, logits, zero), axis=1)
    has = count > 0
    mean = total / xp.where(has, count, one) - masked_logsumexp(logits, keep, xp=xp)
    return xp.where(has, mean, zero), has
