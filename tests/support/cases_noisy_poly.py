"""Transformation-suite rows (filled in by the family's implementer)."""

from __future__ import annotations

from .case import Case

CASES: list[Case] = []
