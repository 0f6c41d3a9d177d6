"""Margin (hinge) losses for binary and multi-class classification."""

from __future__ import annotations

__all__: list[str] = []
