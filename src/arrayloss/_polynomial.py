"""PolyLoss: cross-entropy and focal loss with a polynomial correction term."""

from __future__ import annotations

__all__: list[str] = []
