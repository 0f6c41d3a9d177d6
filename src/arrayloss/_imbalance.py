"""Class-imbalance helpers: class weights from label counts."""

from __future__ import annotations

__all__: list[str] = []
