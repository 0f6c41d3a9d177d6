"""``combine``: a weighted sum of losses with one call signature."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .._lib._compat import Array, array_namespace, is_array
from .._lib._hyper import continuous
from .._lib._reduction import check_reduction
from .._lib._validation import check_number

__all__ = ["combine"]


class Combined:
    """A weighted sum of losses with one call signature; built by :func:`combine`."""

    def __init__(self, terms: tuple[tuple[Callable[..., Any], Any], ...]) -> None:
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
    terms: Sequence[tuple[Callable[..., Any], Any, Mapping[str, Any]]],
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
    ws = [_weight(w, i, v) for i, ((_, w, _), v) in enumerate(zip(terms, values, strict=True))]
    total = values[0] * ws[0]
    for w, v in zip(ws[1:], values[1:], strict=True):
        total = total + v * w
    return total


def _weight(weight: Any, i: int, value: Array) -> Any:
    """A term's weight: a float as it is, an array checked and cast like ``value``."""
    if isinstance(weight, float | int):
        return weight
    xp = array_namespace(value=value, required=("value",))
    return continuous(weight, f"weight of combine term {i}", value, xp)


def combine(*terms: tuple[Callable[..., Any], Any]) -> Combined:
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
    *terms : (callable, float or 0-d array)
        Pairs of a loss ``fn(logits, labels, **kwargs)`` and its real weight: a
        Python number, or a scalar array of the inputs' library (a traced JAX
        scalar, a torch tensor that requires grad), which keeps its gradient.

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

    References
    ----------
    .. [1] R. Azad, M. Heidary, K. Yilmaz, M. Hüttemann, S. Karimijafarbigloo, Y. Wu,
           A. Schmeink, D. Merhof, "Loss Functions in the Era of Semantic Segmentation: A
           Survey and Outlook", 2023. https://arxiv.org/abs/2312.05391

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
        weight = term[1]
        if is_array(weight):
            # a traced or learned weight: checked against the loss values at call time
            if len(tuple(weight.shape)) != 0:
                raise ValueError(
                    f"weight of combine term {i} must be a Python number or a scalar "
                    f"(0-d) array, got an array of shape {tuple(weight.shape)}"
                )
            checked.append((term[0], weight))
        else:
            checked.append((term[0], check_number(weight, f"weight of combine term {i}")))
    return Combined(tuple(checked))
