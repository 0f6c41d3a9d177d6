"""Compound segmentation losses: weighted sums of a region term and a pixel term.

One mechanism, :func:`combine`, builds every sum; the named combinations
(:func:`dice_ce_loss`, :func:`dice_focal_loss`) add their terms through the same
helper. The paper losses (combo, exp-log, unified focal) are in ``_compound_paper``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ._classification import (
    binary_cross_entropy,
    binary_focal_loss,
    cross_entropy,
    focal_loss,
)
from ._lib._compat import Array, array_namespace
from ._lib._dtypes import cast, compute_dtype
from ._lib._reduction import check_reduction
from ._lib._targets import poison
from ._lib._validation import check_choice, check_number, normalize_axis
from ._segmentation import MODES, _binary_mask_target, dice_loss

__all__ = ["combine", "dice_ce_loss", "dice_focal_loss"]

_TWO_UNITS = (
    'reduction="none" is not defined for {name}: its terms have different natural '
    'shapes (per sample and class, and per position); use "mean" or "sum", or call the '
    "terms separately"
)


class Combined:
    """A weighted sum of losses with one call signature; built by :func:`combine`."""

    def __init__(self, terms: tuple[tuple[Callable[..., Any], float], ...]) -> None:
        self.terms = terms
        accepted: list[frozenset[str] | None] = []
        for fn, _ in terms:
            params = inspect.signature(fn).parameters.values()
            if any(p.kind is p.VAR_KEYWORD for p in params):
                accepted.append(None)  # **kwargs: takes every keyword
            else:
                kinds = (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
                accepted.append(frozenset(q.name for q in params if q.kind in kinds))
        self._accepted = tuple(accepted)
        names = [getattr(fn, "__name__", type(fn).__name__) for fn, _ in terms]
        self.__name__ = "combine(" + ", ".join(names) + ")"
        self.__qualname__ = self.__name__

    def __repr__(self) -> str:
        inner = ", ".join(f"({getattr(fn, '__name__', repr(fn))}, {w!r})" for fn, w in self.terms)
        return f"combine({inner})"

    def __call__(self, logits: Array, labels: Array, **kwargs: Any) -> Array:
        reduction = check_reduction(kwargs.get("reduction", "mean"))
        routed: list[dict[str, Any]] = [
            dict(kwargs) if acc is None else {k: v for k, v in kwargs.items() if k in acc}
            for acc in self._accepted
        ]
        used = set().union(*(r.keys() for r in routed))
        unknown = sorted(set(kwargs) - used)
        if unknown:
            raise TypeError(
                f"{self.__name__} got keyword argument(s) {', '.join(map(repr, unknown))} "
                "that no term accepts"
            )
        return _weighted_sum(
            [(fn, w, kw) for (fn, w), kw in zip(self.terms, routed, strict=True)],
            logits,
            labels,
            reduction,
            self.__name__,
        )


def _weighted_sum(
    terms: Sequence[tuple[Callable[..., Any], float, Mapping[str, Any]]],
    logits: Array,
    labels: Array,
    reduction: str,
    name: str,
) -> Array:
    """``sum_i w_i * fn_i(logits, labels, **kw_i)``; "none" needs one shape for all."""
    values = [fn(logits, labels, **kw) for fn, _, kw in terms]
    if reduction == "none":
        shapes = {tuple(v.shape) for v in values}
        if len(shapes) > 1:
            listed = ", ".join(
                f"{getattr(fn, '__name__', fn)} {tuple(v.shape)}"
                for (fn, _, _), v in zip(terms, values, strict=True)
            )
            raise ValueError(
                f'{name} with reduction="none": the terms return different shapes '
                f'({listed}), so they cannot be added; use "mean" or "sum"'
            )
    total = values[0] * terms[0][1]
    for (_, w, _), v in zip(terms[1:], values[1:], strict=True):
        total = total + v * w
    return total


def combine(*terms: tuple[Callable[..., Any], float]) -> Combined:
    r"""Build a loss that is a weighted sum of losses with one call signature.

    .. math::

        \mathcal{L}(x, y) = \sum_i w_i\, \mathcal{L}_i(x, y; \text{kwargs}_i)

    Use it to add a region loss (Dice, Tversky) that fights class imbalance to a
    pixel loss (cross-entropy, focal) that gives smooth, well-scaled gradients:
    ``combine((dice_loss, 1.0), (focal_loss, 0.5))``.

    Keyword routing: each call's keyword arguments go to every term whose signature
    accepts them (read once, here), so ``axis``, ``ignore_index``, ``reduction`` and
    the like are shared; a keyword that no term accepts is a ``TypeError`` naming it.

    Parameters
    ----------
    *terms : (callable, float)
        Pairs of a loss ``fn(logits, labels, **kwargs)`` and its real weight.

    Returns
    -------
    Combined
        A picklable callable ``loss(logits, labels, **kwargs)``. With
        ``reduction="mean"`` or ``"sum"`` it returns a scalar; with ``"none"`` the
        terms' unreduced results, which must have one shape (a per-position and a
        per-(sample, class) loss raise ``ValueError``).

    Notes
    -----
    The result is a plain Python composition: it works under ``jax.jit`` (with the
    keyword options static), ``jax.grad``, ``torch.compile(fullgraph=True)`` and on
    every backend its terms support. ``weights`` is routed like any keyword, so it
    must broadcast against every receiving term's ``"none"`` shape.

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> loss = al.combine((al.cross_entropy, 1.0), (al.focal_loss, 0.5))
    >>> loss
    combine((cross_entropy, 1.0), (focal_loss, 0.5))
    >>> logits = np.array([[2.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    >>> round(float(loss(logits, np.array([0, 1]), gamma=0.0)), 6)
    0.593242
    """
    if not terms:
        raise ValueError("combine needs at least one (loss, weight) term, got none")
    checked = []
    for i, term in enumerate(terms):
        if not (isinstance(term, tuple) and len(term) == 2 and callable(term[0])):
            raise TypeError(
                f"combine term {i} must be a (loss function, weight) pair, got {term!r}"
            )
        checked.append((term[0], check_number(term[1], f"weight of combine term {i}")))
    return Combined(tuple(checked))


def _lambda(value: object, name: str) -> float:
    return check_number(value, name, low=0.0)


def _region_keywords(
    mode: str,
    axis: int,
    from_logits: bool,
    include_background: bool,
    ignore_index: int | None,
    class_weights: Array | None,
    batch_dice: bool,
) -> dict[str, Any]:
    return {
        "mode": mode,
        "axis": axis,
        "from_logits": from_logits,
        "include_background": include_background,
        "ignore_index": ignore_index,
        "class_weights": class_weights,
        "batch_dice": batch_dice,
    }


def _sigmoid_pixel_term(
    logits: Array,
    labels: Array,
    *,
    pixel_fn: Callable[..., Any],
    mode: str,
    axis: int,
    ignore_index: int | None,
    reduction: str,
    **kwargs: Any,
) -> Array:
    """A sigmoid pixel loss on ``_region_inputs``'s target, ignored positions masked."""
    xp = array_namespace(logits=logits, labels=labels)
    dtype = compute_dtype(logits, "logits", xp)
    logits = cast(logits, dtype, xp)
    ax = normalize_axis(axis, logits.ndim)
    target, keep, invalid = _binary_mask_target(logits, labels, ax, mode, ignore_index, xp)
    target = poison(target, invalid, xp)
    weights = None if keep is None else cast(keep, dtype, xp)
    return pixel_fn(logits, target, weights=weights, reduction=reduction, **kwargs)


def dice_ce_loss(
    logits: Array,
    labels: Array,
    *,
    lambda_dice: float = 1.0,
    lambda_ce: float = 1.0,
    mode: str = "multiclass",
    axis: int = -1,
    smooth: float = 1e-5,
    include_background: bool = True,
    ignore_index: int | None = None,
    class_weights: Array | None = None,
    batch_dice: bool = False,
    reduction: str = "mean",
) -> Array:
    r"""Dice loss plus cross-entropy, MONAI's ``DiceCELoss``.

    .. math::

        \mathcal{L} = \lambda_\text{dice}\, \mathcal{L}_\text{Dice}
                    + \lambda_\text{ce}\, \mathcal{L}_\text{CE}

    with :func:`dice_loss` and :func:`cross_entropy` (``"multiclass"``) or
    :func:`binary_cross_entropy` (``"multilabel"``, ``"binary"``). The standard
    first choice under class imbalance: Dice balances the classes, CE keeps the
    gradient well-behaved early in training (nnU-Net's default).

    Parameters
    ----------
    logits, labels : array
        As for :func:`dice_loss` (logits only: both terms need them).
    lambda_dice, lambda_ce : float >= 0, default 1.0
        Weights of the two terms (MONAI's names and defaults).
    mode, axis, smooth, include_background, ignore_index, class_weights, batch_dice
        :func:`dice_loss`'s keywords. ``include_background`` and ``batch_dice`` act on
        the Dice term only; ``class_weights`` weights both (a weighted mean over
        classes in Dice, per-position weights ``w[label]`` in CE, as in torch); in the
        sigmoid modes it is Dice-only. ``ignore_index`` masks both.
    reduction : {"mean", "sum"}
        ``"none"`` raises ``ValueError``: the terms have different shapes (as MONAI).

    Returns
    -------
    array
        Scalar.

    Notes
    -----
    MONAI computes the same sum with ``DiceLoss(softmax=True, to_onehot_y=True)`` and
    ``nn.CrossEntropyLoss`` (``BCEWithLogitsLoss`` for one channel); MONAI's
    ``weight`` multiplies the Dice classes without normalising, ours is a weighted
    mean. Channels-first users pass ``axis=1``.

    References
    ----------
    .. [1] F. Isensee et al., "nnU-Net: a self-configuring method for deep
       learning-based biomedical image segmentation", Nature Methods 2021.
       https://doi.org/10.1038/s41592-020-01008-z

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> logits = np.log(np.array([[[0.9, 0.1], [0.2, 0.8]]]))  # (N=1, S=2, C=2)
    >>> round(float(al.dice_ce_loss(logits, np.array([[0, 1]]), smooth=0.0)), 6)
    0.314628
    """
    region = _region_keywords(
        mode, axis, True, include_background, ignore_index, class_weights, batch_dice
    )
    return _dice_plus(
        "dice_ce_loss",
        logits,
        labels,
        lambda_dice,
        lambda_ce,
        "lambda_ce",
        region,
        smooth,
        reduction,
        {},
    )


def dice_focal_loss(
    logits: Array,
    labels: Array,
    *,
    lambda_dice: float = 1.0,
    lambda_focal: float = 1.0,
    gamma: float = 2.0,
    mode: str = "multiclass",
    axis: int = -1,
    smooth: float = 1e-5,
    include_background: bool = True,
    ignore_index: int | None = None,
    class_weights: Array | None = None,
    batch_dice: bool = False,
    reduction: str = "mean",
) -> Array:
    r"""Dice loss plus focal loss, as MONAI's ``DiceFocalLoss``.

    .. math::

        \mathcal{L} = \lambda_\text{dice}\, \mathcal{L}_\text{Dice}
                    + \lambda_\text{focal}\, \mathcal{L}_\text{focal}(\gamma)

    with :func:`dice_loss` and :func:`focal_loss` (``"multiclass"``) or
    :func:`binary_focal_loss` with ``alpha=None`` (sigmoid modes). Use it instead of
    :func:`dice_ce_loss` when easy background pixels still dominate the pixel term.

    Parameters
    ----------
    logits, labels : array
        As for :func:`dice_loss`.
    lambda_dice, lambda_focal : float >= 0, default 1.0
        Weights of the two terms (MONAI's names and defaults).
    gamma : float >= 0, default 2.0
        Focusing parameter of the focal term.
    mode, axis, smooth, include_background, ignore_index, class_weights, batch_dice
        As :func:`dice_ce_loss`; ``class_weights`` is the focal term's per-class
        ``alpha`` (multiclass) and the Dice term's class weights.
    reduction : {"mean", "sum"}
        ``"none"`` raises ``ValueError`` (different term shapes).

    Returns
    -------
    array
        Scalar.

    Notes
    -----
    MONAI 1.6's ``DiceFocalLoss(softmax=True)`` pairs the softmax Dice with a
    *sigmoid* focal term on the one-hot channels (its ``FocalLoss`` is built without
    ``use_softmax``): that is our ``"multilabel"`` focal term, not a softmax one, and
    mixes two activations for exclusive classes. MONAI's ``FocalLoss(use_softmax=True)``
    averages the ``(N, C, ...)`` elementwise tensor over the class axis too, so it is
    our multiclass focal term divided by ``C``. With ``sigmoid=True`` MONAI agrees
    with our ``"multilabel"`` mode. MONAI's focal ``alpha`` is a scalar positive
    weight; ours (per class) is ``class_weights``.

    References
    ----------
    .. [1] T.-Y. Lin et al., "Focal Loss for Dense Object Detection", ICCV 2017.
       https://arxiv.org/abs/1708.02002
    .. [2] W. Zhu et al., "AnatomyNet", Medical Physics 2019 (Dice + focal).
       https://arxiv.org/abs/1808.05238

    Examples
    --------
    >>> import numpy as np
    >>> import arrayloss as al
    >>> logits = np.log(np.array([[[0.9, 0.1], [0.2, 0.8]]]))
    >>> round(float(al.dice_focal_loss(logits, np.array([[0, 1]]), smooth=0.0)), 6)
    0.155366
    """
    gamma = check_number(gamma, "gamma", low=0.0)
    region = _region_keywords(
        mode, axis, True, include_background, ignore_index, class_weights, batch_dice
    )
    return _dice_plus(
        "dice_focal_loss",
        logits,
        labels,
        lambda_dice,
        lambda_focal,
        "lambda_focal",
        region,
        smooth,
        reduction,
        {"gamma": gamma},
    )


def _dice_plus(
    name: str,
    logits: Array,
    labels: Array,
    lambda_dice: float,
    lambda_pixel: float,
    pixel_name: str,
    region: dict[str, Any],
    smooth: float,
    reduction: str,
    focal: dict[str, Any],
) -> Array:
    """Dice + a pixel term (CE, or focal when ``focal`` holds ``gamma``), via combine's sum."""
    lambda_dice = _lambda(lambda_dice, "lambda_dice")
    lambda_pixel = _lambda(lambda_pixel, pixel_name)
    reduction = check_reduction(reduction)
    if reduction == "none":
        raise ValueError(_TWO_UNITS.format(name=name))
    mode = region["mode"]
    check_choice(mode, "mode", MODES)
    cw = region["class_weights"]
    pixel_kw: dict[str, Any] = {"axis": region["axis"], "reduction": reduction}
    pixel: Callable[..., Any]
    if mode == "multiclass":
        pixel_kw["ignore_index"] = region["ignore_index"]
        if focal:
            pixel, pixel_kw["alpha"], pixel_kw["gamma"] = focal_loss, cw, focal["gamma"]
        else:
            pixel, pixel_kw["class_weights"] = cross_entropy, cw
    else:
        pixel_kw.update(mode=mode, ignore_index=region["ignore_index"])
        pixel_kw["pixel_fn"] = binary_focal_loss if focal else binary_cross_entropy
        if focal:
            pixel_kw.update(gamma=focal["gamma"], alpha=None)
        pixel = _sigmoid_pixel_term
    terms = [
        (dice_loss, lambda_dice, {**region, "smooth": smooth, "reduction": reduction}),
        (pixel, lambda_pixel, pixel_kw),
    ]
    return _weighted_sum(terms, logits, labels, reduction, name)
