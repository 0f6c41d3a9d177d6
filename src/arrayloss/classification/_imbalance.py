"""Class-imbalance helpers: class weights from label counts."""

from __future__ import annotations

import math
from typing import Any

from .._lib._compat import (
    Array,
    Namespace,
    array_namespace,
    array_or_none,
    device_of,
    values_readable,
)
from .._lib._dtypes import cast, compute_dtype, is_floating, is_integer
from .._lib._hyper import Hyper, continuous
from .._lib._validation import check_choice

__all__ = ["class_weights_from_counts"]


METHODS = ("inverse", "inverse_sqrt", "median_frequency", "effective_number")


def class_weights_from_counts(
    counts: Array,
    *,
    method: str = "inverse",
    beta: float = 0.999,
) -> Array:
    r"""Per-class weights from per-class sample counts, for imbalanced classification.

    .. math::

        w_c = \frac{N}{C\, n_c} \ (\text{inverse}), \quad
        \sqrt{\frac{N}{C\, n_c}} \ (\text{inverse\_sqrt}), \quad
        \frac{\operatorname{median}_k n_k}{n_c} \ (\text{median\_frequency}), \quad
        C\,\frac{E_c^{-1}}{\sum_k E_k^{-1}},\ E_c = \frac{1 - \beta^{n_c}}{1 - \beta}
        \ (\text{effective\_number})

    with :math:`n_c` the count of class :math:`c`, :math:`N = \sum_c n_c` and
    :math:`C` the number of classes. Pass the result as ``class_weights`` to
    :func:`cross_entropy`, :func:`focal_loss` or :func:`nll_loss` when rare classes
    would otherwise be drowned out by frequent ones. For weights that follow each
    batch's own labels, pass ``class_weights="balanced"`` to those losses instead
    (the adaptive option; it uses ``method="inverse"``).

    Normalisation: ``"inverse"`` is scikit-learn's
    ``compute_class_weight("balanced")``, :math:`N / (C\, n_c)`, so the
    sample-weighted mean weight is 1 when every class is present (balanced counts
    give weights of 1); ``"inverse_sqrt"`` is its square root (also 1 on balanced
    counts); ``"median_frequency"`` is Eigen & Fergus's median frequency balancing,
    1 for the median class; ``"effective_number"`` is Cui et al.'s inverse
    effective number of samples, scaled so the weights sum to :math:`C` as in the
    paper. :math:`\beta \to 1` approaches inverse frequency and :math:`\beta = 0`
    gives equal weights.

    Parameters
    ----------
    counts : array, shape (C,)
        Number of samples (or pixels) of each class; integer or floating.
    method : {"inverse", "inverse_sqrt", "median_frequency", "effective_number"}
        The weighting rule, default ``"inverse"``.
    beta : float in [0, 1), default 0.999
        Cui et al.'s :math:`\beta`, used by ``"effective_number"`` only.

    Returns
    -------
    array, shape (C,)
        Floating weights in ``counts``'s namespace and device: the compute dtype of
        floating counts (half precision gives float32), the namespace's default
        floating dtype for integer counts.

    Notes
    -----
    A class with a count of 0 (absent from the data) gets weight 0, not inf: it
    has no samples to weight, and an infinite weight would turn label smoothing or
    a later normalisation into NaN. Absent classes are left out of the median and
    of the effective-number normalisation (the present classes' weights sum to
    :math:`C`). Negative counts raise ``ValueError`` where values can be read
    (eager CPU arrays) and count as absent elsewhere. No value-dependent Python:
    usable inside ``jax.jit``; ``"median_frequency"`` sorts the :math:`C` counts.
    The weights carry a gradient with respect to floating ``counts``.

    References
    ----------
    .. [1] Y. Cui, M. Jia, T.-Y. Lin, Y. Song, S. Belongie, "Class-Balanced Loss
       Based on Effective Number of Samples", CVPR 2019.
       https://arxiv.org/abs/1901.05555
    .. [2] D. Eigen, R. Fergus, "Predicting Depth, Surface Normals and Semantic
       Labels with a Common Multi-Scale Convolutional Architecture", ICCV 2015
       (median frequency balancing). https://arxiv.org/abs/1411.4734
    .. [3] G. King, L. Zeng, "Logistic Regression in Rare Events Data", Political
       Analysis 9(2), 2001 (scikit-learn's "balanced" heuristic).
       https://doi.org/10.1093/oxfordjournals.pan.a004868

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> al.class_weights_from_counts(np.array([10, 30, 0, 60]))
    array([2.5       , 0.83333333, 0.        , 0.41666667])
    >>> al.class_weights_from_counts(np.array([1, 2, 4]), method="median_frequency")
    array([2. , 1. , 0.5])
    """
    xp = array_namespace(counts=counts, beta=array_or_none(beta), required=("counts",))
    check_choice(method, "method", METHODS)
    if counts.ndim != 1:
        raise ValueError(
            f"counts must be a 1-d array with one count per class, got shape {tuple(counts.shape)}"
        )
    if is_floating(counts, xp):
        dtype = compute_dtype(counts, "counts", xp)
    elif is_integer(counts, xp):
        dtype = _default_float(xp, device_of(counts))
    else:
        raise TypeError(
            f"counts must be an integer or real floating array, got dtype {counts.dtype}"
        )
    if values_readable(counts, xp):
        negative = xp.any(counts < 0)
        # concrete counts closed over by jax.jit still give a traced comparison
        if values_readable(negative, xp) and bool(negative):
            raise ValueError("counts must be >= 0 (one count per class); got a negative count")
    counts = cast(counts, dtype, xp)
    if method == "effective_number":
        beta = continuous(beta, "beta", counts, xp, low=0.0, high=1.0, high_inclusive=False)
    return class_weights_from_counts_xp(counts, method, beta, xp)


def _default_float(xp: Namespace, device: Any) -> Any:
    """The namespace's default real floating dtype (float64 NumPy, float32 torch/JAX)."""
    return xp.__array_namespace_info__().default_dtypes(device=device)["real floating"]


def class_weights_from_counts_xp(counts: Array, method: str, beta: Hyper, xp: Namespace) -> Array:
    """The weights of :func:`class_weights_from_counts` for validated floating ``counts``."""
    dev = device_of(counts)
    zero = xp.zeros((), dtype=counts.dtype, device=dev)
    one = xp.ones((), dtype=counts.dtype, device=dev)
    num_classes = int(counts.shape[0])
    present = counts > 0
    # double where: an absent class must not produce inf (or a NaN gradient)
    safe = xp.where(present, counts, one)
    if method in ("inverse", "inverse_sqrt"):
        # sklearn "balanced": N / (C n_c)
        weights = xp.sum(xp.where(present, counts, zero)) / (num_classes * safe)
        if method == "inverse_sqrt":
            weights = xp.sqrt(weights)
    elif method == "median_frequency":
        weights = _median_present(counts, present, xp) / safe
    else:
        if isinstance(beta, float) and beta == 0.0:
            inv_effective = xp.ones_like(counts)  # E_c = 1 for every present class
        elif isinstance(beta, float):
            # (1 - beta) / (1 - beta^n), the constant dropped by the normalisation;
            # 1 - beta^n = -expm1(n log beta): no cancellation for beta near 1
            inv_effective = -one / xp.expm1(safe * math.log(beta))
        else:
            # an array beta may be 0 (E_c = 1): double where, no log(0)
            nonzero = beta > 0
            log_beta = xp.log(xp.where(nonzero, beta, one))
            inv_effective = xp.where(nonzero, -one / xp.expm1(safe * log_beta), one)
        inv_effective = xp.where(present, inv_effective, zero)
        total = xp.sum(inv_effective)
        weights = num_classes * inv_effective / xp.where(total > 0, total, one)
    weights = xp.where(present, weights, zero)
    # every weight depends on every count (the normalisation): a NaN count poisons all
    nan = xp.full((), float("nan"), dtype=counts.dtype, device=dev)
    return xp.where(xp.any(xp.isnan(counts)), nan, weights)


def _median_present(counts: Array, present: Array, xp: Namespace) -> Array:
    """Median of the positive entries of ``counts`` (1 if there are none), jit-safe."""
    dev = device_of(counts)
    inf = xp.full((), float("inf"), dtype=counts.dtype, device=dev)
    ordered = xp.sort(xp.where(present, counts, inf))  # absent classes sort last
    index = xp.__array_namespace_info__().default_dtypes(device=dev)["indexing"]
    k = xp.sum(cast(present, index, xp))
    k = xp.where(k > 0, k, xp.ones((), dtype=index, device=dev))
    lo = xp.reshape((k - 1) // 2, (1,))
    hi = xp.reshape(k // 2, (1,))
    middle = (xp.take(ordered, lo, axis=0) + xp.take(ordered, hi, axis=0)) / 2
    one = xp.ones((), dtype=counts.dtype, device=dev)
    # no class present: any finite value will do, every weight becomes 0
    return xp.where(xp.isinf(middle[0]), one, middle[0])
