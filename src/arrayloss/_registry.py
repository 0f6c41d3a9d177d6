"""Every registered loss, from each family's ``_cases.py``, in family order.

``arrayloss list``/``check``, the cross-cutting test suites and ``arrayloss bench``
read :data:`LOSSES`. A public function that is not registered here fails a test.
"""

from __future__ import annotations

from ._lib._case import LossInfo
from .classification._cases import LOSSES as _CLASSIFICATION
from .detection._cases import LOSSES as _DETECTION
from .generative._cases import LOSSES as _GENERATIVE
from .metrics._cases import LOSSES as _METRICS
from .regression._cases import LOSSES as _REGRESSION
from .representation._cases import LOSSES as _REPRESENTATION
from .segmentation._cases import LOSSES as _SEGMENTATION
from .sequence._cases import LOSSES as _SEQUENCE

__all__ = ["FAMILIES", "LOSSES", "get"]

FAMILIES = (
    "regression",
    "classification",
    "segmentation",
    "detection",
    "metrics",
    "representation",
    "sequence",
    "generative",
)

LOSSES: tuple[LossInfo, ...] = (
    *_REGRESSION,
    *_CLASSIFICATION,
    *_SEGMENTATION,
    *_DETECTION,
    *_METRICS,
    *_REPRESENTATION,
    *_SEQUENCE,
    *_GENERATIVE,
)


def get(name: str) -> LossInfo:
    """The registry entry called ``name``; ``KeyError`` listing the names otherwise."""
    for info in LOSSES:
        if info.name == name:
            return info
    raise KeyError(f"no loss {name!r} in the registry; known: {', '.join(i.name for i in LOSSES)}")
