"""Classification losses robust to noisy labels."""

from __future__ import annotations

__all__: list[str] = []
