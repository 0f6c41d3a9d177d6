"""Loss specs of ``arrayloss bake-off --losses``: ``name:key=value:key=value``.

A spec names a registered loss and its hyperparameters, e.g. ``focal_loss:gamma=0.5``
or ``cross_entropy:class_weights=balanced``. Values are read as ``None``, booleans,
integers, floats, then strings.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any

from .. import _registry
from .._lib._case import LossInfo

__all__ = ["FAMILIES_THAT_TRAIN", "LossSpec", "parse_spec", "parse_specs"]

#: Families whose losses can train a classifier or a segmenter on labels.
FAMILIES_THAT_TRAIN = ("regression", "classification", "segmentation")


@dataclass(frozen=True)
class LossSpec:
    """One entry of the line-up: the registry entry, its keyword arguments, its label."""

    info: LossInfo
    kwargs: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    #: what the loss is given: ``"labels"`` (logits, integer labels), ``"onehot"``
    #: (logits, one-hot targets: multi-label losses) or ``"probabilities"`` (softmax
    #: probabilities, one-hot targets: the regression family)
    form: str = ""

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def label(self) -> str:
        return self.text or self.info.name

    @property
    def target(self) -> str:
        """The form of the call (``form``, else by family: regression on probabilities)."""
        return self.form or ("probabilities" if self.info.family == "regression" else "labels")


def _value(text: str) -> Any:
    lowered = text.lower()
    if lowered in ("none", "null"):
        return None
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_spec(text: str) -> LossSpec:
    """``"focal_loss:gamma=0.5"`` -> :class:`LossSpec`; ``ValueError`` naming ``--losses``."""
    parts = [p.strip() for p in text.strip().split(":")]
    name, pairs = parts[0], parts[1:]
    known = {i.name: i for i in _registry.LOSSES}
    if name not in known:
        trainable = sorted(i.name for i in _registry.LOSSES if i.family in FAMILIES_THAT_TRAIN)
        raise ValueError(
            f"--losses: unknown loss {name!r} in {text!r}; registered losses that train: "
            + ", ".join(trainable)
        )
    info = known[name]
    if info.family not in FAMILIES_THAT_TRAIN:
        raise ValueError(
            f"--losses: {name!r} is a {info.family} function, not a loss that trains a "
            f"classifier or segmenter on labels; choose a loss of the families "
            + ", ".join(FAMILIES_THAT_TRAIN)
        )
    params = inspect.signature(info.function).parameters
    keywords = [
        p
        for p, v in params.items()
        if v.kind is inspect.Parameter.KEYWORD_ONLY and p not in ("reduction", "weights")
    ]
    kwargs: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ValueError(
                f"--losses: {pair!r} in {text!r} is not key=value "
                "(write e.g. focal_loss:gamma=0.5)"
            )
        if key not in keywords:
            raise ValueError(
                f"--losses: {name} has no hyperparameter {key!r}; its hyperparameters: "
                + ", ".join(keywords)
            )
        kwargs[key] = _value(raw.strip())
    canonical = ":".join([name, *(f"{k}={v}" for k, v in kwargs.items())])
    return LossSpec(info, kwargs, canonical)


def parse_specs(text: str | list[str]) -> list[LossSpec]:
    """A comma-separated list of specs (or a list of them)."""
    items = text.split(",") if isinstance(text, str) else list(text)
    specs = [parse_spec(t) for t in items if t.strip()]
    if not specs:
        raise ValueError(f"--losses: no loss in {text!r}")
    return specs
