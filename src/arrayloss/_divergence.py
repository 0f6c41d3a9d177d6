"""Divergences between a target distribution and a predicted one."""

from __future__ import annotations

__all__: list[str] = []
