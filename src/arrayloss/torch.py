"""PyTorch modules for the registered losses: ``arrayloss.torch.FocalLoss(gamma=2.0)``.

One :class:`torch.nn.Module` per registered loss, generated from its function:

- the keyword-only hyperparameters become constructor arguments (with the function's
  defaults and checks); tensors and NumPy arrays among them (class weights, priors)
  become registered buffers, so they follow ``.to(device)`` and ``state_dict``; a
  :class:`torch.nn.Parameter` (a learned temperature) stays a parameter;
- ``forward`` takes the arrays the function takes positionally (prediction, target,
  ...) and per-call keyword arrays such as ``weights``;
- ``axis`` (the class axis) defaults to **1**, torch's channels-first layout
  ``(N, C, ...)``, where the functions default to the last axis;
- a loss that keeps state across batches (``returns_state`` in the registry) keeps
  it in buffers, updated in ``forward`` under ``torch.no_grad``, and returns the loss.

The names are listed in :data:`MODULES`; the registered functions that get no
module (metrics, maps, box utilities, factories) are in :data:`NOT_APPLICABLE` with
the reason. Wrap any other loss (e.g. what ``combine`` returns) in
:class:`LossModule`. Importing this module imports torch; ``import arrayloss`` does
not.

Examples
--------
>>> import torch
>>> import arrayloss.torch as alt
>>> loss = alt.FocalLoss(gamma=2.0)
>>> logits = torch.tensor([[2.0, 0.5, -1.0], [0.0, 1.0, 0.0]], requires_grad=True)
>>> labels = torch.tensor([0, 1])
>>> value = loss(logits, labels)
>>> value.backward()
>>> loss
FocalLoss(gamma=2.0, axis=1)
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import torch

from . import _adapters, _registry
from ._lib._fused import register_torch_ops

register_torch_ops()  # the custom ops torch.compile traces (CTC)

__all__ = ["MODULES", "NOT_APPLICABLE", "LossModule"]


class LossModule(torch.nn.Module):
    """A loss function as a :class:`torch.nn.Module`.

    Parameters
    ----------
    function : callable
        An arrayloss loss (or any function ``f(prediction, target, ..., **kw)``).
    state : str, optional
        The keyword argument through which ``function`` takes its state back, for a
        loss that returns ``(loss, new_state)``; the module keeps the state in
        buffers and returns the loss.
    **hyperparameters
        Keyword-only arguments of ``function``, fixed for every call. ``axis``
        defaults to 1 when ``function`` has one.
    """

    def __init__(
        self, function: Callable[..., Any], /, *, state: str | None = None, **hyperparameters: Any
    ) -> None:
        super().__init__()
        allowed = _adapters.hyperparameters(function)
        unknown = sorted(set(hyperparameters) - set(allowed))
        if unknown:
            raise TypeError(
                f"{type(self).__name__} got unknown hyperparameter(s) {', '.join(unknown)}; "
                f"allowed: {', '.join(allowed) or 'none'}"
            )
        if "axis" in allowed and "axis" not in hyperparameters:
            hyperparameters = {**hyperparameters, "axis": 1}  # torch is channels-first
        self.function = function
        self._static: dict[str, Any] = {}
        self._tensors: list[str] = []
        self._state_argument = state
        self._state_fields: tuple[str, ...] | None = None
        self._state_type: Any = None
        initial = hyperparameters.pop(state, None) if state is not None else None
        for name, value in hyperparameters.items():
            if isinstance(value, torch.nn.Parameter):
                self.register_parameter(name, value)
                self._tensors.append(name)
            elif _is_array(value):
                self.register_buffer(name, torch.as_tensor(value))
                self._tensors.append(name)
            else:
                self._static[name] = value
        if initial is not None:  # else the function's default starts the first batch
            self._store_state(initial)

    def forward(self, *arrays: Any, **kwargs: Any) -> Any:
        hyper = {name: getattr(self, name) for name in self._tensors}
        call = {**self._static, **hyper, **kwargs}
        if self._state_argument is None:
            return self.function(*arrays, **call)
        if self._has_state():
            call[self._state_argument] = self._read_state()
        loss, new_state = self.function(*arrays, **call)
        with torch.no_grad():
            self._store_state(new_state)
        return loss

    def extra_repr(self) -> str:
        shown = {**self._static, **dict.fromkeys(self._tensors, "tensor")}
        return ", ".join(
            f"{k}={v!r}" if v != "tensor" else f"{k}=<tensor>" for k, v in shown.items()
        )

    # -- state: one buffer ("state") or one per field of a NamedTuple ("state_<field>")

    def _has_state(self) -> bool:
        return self._state_fields is not None or "state" in self._buffers

    def _read_state(self) -> Any:
        if self._state_fields is None:
            return self.state
        return self._state_type(*(getattr(self, f"state_{f}") for f in self._state_fields))

    def _store_state(self, new: Any) -> None:
        fields = getattr(type(new), "_fields", None)
        values = (
            {"state": new} if fields is None else {f"state_{f}": getattr(new, f) for f in fields}
        )
        for name, value in values.items():
            tensor = torch.as_tensor(value).detach()
            current = self._buffers.get(name)
            if current is not None:
                current.copy_(tensor)  # in place: .to(device) and compile keep it
            else:
                self.register_buffer(name, tensor.clone())
        if fields is not None:
            self._state_fields, self._state_type = tuple(fields), type(new)


def _is_array(value: Any) -> bool:
    if isinstance(value, bool | numbers.Number | str | type(None) | tuple | list | dict):
        return False
    return hasattr(value, "__array__") or isinstance(value, torch.Tensor)


def _make(info: Any) -> type[LossModule]:
    function = info.function
    state = info.state if info.returns_state else None

    def init(self: LossModule, **hyperparameters: Any) -> None:
        LossModule.__init__(self, function, state=state, **hyperparameters)

    doc = (
        f"``torch.nn.Module`` of :func:`arrayloss.{function.__name__}`: "
        f"{info.description}.\n\n"
        f"Constructor arguments are the function's keyword-only hyperparameters "
        f"(``axis`` defaults to 1, channels-first); ``forward`` takes "
        f"``{', '.join(_adapters.positional(function))}`` and per-call keywords."
    )
    return type(
        _adapters.class_name(function.__name__),
        (LossModule,),
        {"__init__": init, "__doc__": doc, "__module__": __name__},
    )


#: the generated module classes, by name
MODULES: dict[str, type[LossModule]] = {}
#: registered functions without a module, with the reason
NOT_APPLICABLE: dict[str, str] = {}

for _info in _registry.LOSSES:
    _reason = _adapters.not_applicable(_info)
    if _reason is not None:
        NOT_APPLICABLE[_info.name] = _reason
        continue
    _cls = _make(_info)
    MODULES[_cls.__name__] = _cls
    globals()[_cls.__name__] = _cls

__all__ += sorted(MODULES)
