"""Robust regression losses: bounded or slowly growing penalties that resist outliers."""

from __future__ import annotations

__all__: list[str] = []
