"""Sequence losses: connectionist temporal classification (CTC)."""

from __future__ import annotations

from ._ctc import ctc_loss

__all__ = ["ctc_loss"]
