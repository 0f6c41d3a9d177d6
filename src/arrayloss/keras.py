"""Keras 3 losses for the registered losses: ``model.compile(loss=arrayloss.keras.DiceLoss())``.

One :class:`keras.losses.Loss` subclass per registered loss that Keras can call
(``loss(y_true, y_pred)``: two arrays, no state), generated from its function:

- Keras's argument order ``(y_true, y_pred)``; the function is called with
  ``reduction="none"``, averaged over every axis but the first (one loss per sample,
  as Keras's own losses return), and Keras applies its own reduction and
  ``sample_weight`` (``reduction="sum_over_batch_size"`` by default). Ignored
  positions (``ignore_index``) count as zero losses in that mean, as Keras counts
  masked samples; the function's own ``"mean"`` divides by the kept positions only;
- integer labels stay integer (Keras's base class would cast them to float);
- the keyword-only hyperparameters are constructor arguments, saved by
  ``get_config`` so that a saved model reloads (the classes are registered as
  serializable under the package name ``arrayloss``);
- ``axis`` keeps the function's default, the last axis (Keras is channels-last).

Keras runs on JAX, PyTorch and TensorFlow; arrayloss needs an Array API namespace,
which JAX and PyTorch tensors have and TensorFlow tensors do not, so on the
TensorFlow backend the losses raise a ``RuntimeError`` saying to switch backend.
:data:`NOT_APPLICABLE` lists the registered functions without a Keras class, with
the reason. Importing this module imports Keras; ``import arrayloss`` does not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras  # type: ignore[import-untyped]
from keras.src.losses.loss import reduce_weighted_values  # type: ignore[import-untyped]

from . import _adapters, _registry
from ._lib._compat import array_namespace

__all__ = ["LOSSES", "NOT_APPLICABLE", "LossFunction"]

_KERAS_OPTIONS = ("name", "reduction", "dtype")


class LossFunction(keras.losses.Loss):  # type: ignore[misc]
    """An arrayloss function as a Keras loss: ``LossFunction(al.dice_loss, smooth=1.0)``."""

    function: Callable[..., Any]

    def __init__(
        self,
        function: Callable[..., Any] | None = None,
        *,
        name: str | None = None,
        reduction: str | None = "sum_over_batch_size",
        dtype: Any = None,
        **hyperparameters: Any,
    ) -> None:
        if function is not None:
            self.function = function
        allowed = _adapters.hyperparameters(self.function)
        unknown = sorted(set(hyperparameters) - set(allowed) - {"reduction"})
        if unknown:
            raise TypeError(
                f"{type(self).__name__} got unknown hyperparameter(s) {', '.join(unknown)}; "
                f"allowed: {', '.join(n for n in allowed if n != 'reduction')}"
            )
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.hyperparameters = hyperparameters

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        if keras.backend.backend() not in ("jax", "torch", "numpy"):
            raise RuntimeError(
                f"arrayloss.keras needs the Keras backend 'jax' or 'torch' (their tensors "
                f"are Array API arrays); this Keras runs on {keras.backend.backend()!r}: "
                f"set KERAS_BACKEND=jax or KERAS_BACKEND=torch"
            )
        y_pred = keras.ops.convert_to_tensor(y_pred, dtype=self.dtype)
        y_true = keras.ops.convert_to_tensor(y_true)
        if "float" in str(y_true.dtype):  # probabilities follow the loss's dtype; labels stay int
            y_true = keras.ops.cast(y_true, self.dtype)
        losses = self.call(y_true, y_pred)
        if sample_weight is not None and len(losses.shape) == 0:
            raise ValueError(
                f"{type(self).__name__} has no per-sample loss (its terms have different "
                f"natural shapes), so sample_weight cannot apply; weight the terms instead"
            )
        return reduce_weighted_values(
            losses,
            sample_weight=sample_weight,
            mask=None,
            reduction=self.reduction,
            dtype=self.dtype,
        )

    def call(self, y_true: Any, y_pred: Any) -> Any:
        try:
            losses = self.function(y_pred, y_true, **{**self.hyperparameters, "reduction": "none"})
        except ValueError as exc:
            if 'reduction="none" is not defined' not in str(exc):
                raise
            # a compound loss (Dice + CE, ...): its mean is the only loss it has
            return self.function(y_pred, y_true, **{**self.hyperparameters, "reduction": "mean"})
        # one loss per sample, as Keras's own losses return: sample_weight is (batch,)
        # (the array's own mean: keras.ops.mean on JAX accumulates float64 in float32)
        rest = tuple(range(1, len(losses.shape)))
        return array_namespace(losses=losses).mean(losses, axis=rest) if rest else losses

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.hyperparameters}


def _make(info: Any) -> type[LossFunction]:
    name = _adapters.class_name(info.function.__name__)
    cls = type(
        name,
        (LossFunction,),
        {
            "function": staticmethod(info.function),
            "__doc__": (
                f"Keras loss of :func:`arrayloss.{info.name}`: {info.description}.\n\n"
                "Constructor arguments: the function's keyword-only hyperparameters, "
                "and Keras's ``name``, ``reduction``, ``dtype``."
            ),
            "__module__": __name__,
        },
    )
    registered: type[LossFunction] = keras.saving.register_keras_serializable(
        package="arrayloss", name=name
    )(cls)
    return registered


#: the generated Keras loss classes, by name
LOSSES: dict[str, type[LossFunction]] = {}
#: registered functions without a Keras class, with the reason
NOT_APPLICABLE: dict[str, str] = {}

for _info in _registry.LOSSES:
    _reason = _adapters.keras_not_applicable(_info)
    if _reason is not None:
        NOT_APPLICABLE[_info.name] = _reason
        continue
    _cls = _make(_info)
    LOSSES[_cls.__name__] = _cls
    globals()[_cls.__name__] = _cls

__all__ += sorted(LOSSES)
