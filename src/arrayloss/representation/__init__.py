"""Representation and multi-modal alignment losses: contrastive (InfoNCE, NT-Xent,
SupCon, CLIP, SigLIP), metric (triplet, contrastive, cosine embedding) and the angular
margin logits of SphereFace, ArcFace and CosFace.
"""

from __future__ import annotations

from ._contrastive import clip_loss, info_nce, nt_xent, siglip_loss, supcon_loss
from ._margin_softmax import margin_softmax_logits
from ._metric import (
    batch_all_triplet_loss,
    batch_hard_triplet_loss,
    contrastive_loss,
    cosine_embedding_loss,
    triplet_margin_loss,
)

__all__ = [
    "batch_all_triplet_loss",
    "batch_hard_triplet_loss",
    "clip_loss",
    "contrastive_loss",
    "cosine_embedding_loss",
    "info_nce",
    "margin_softmax_logits",
    "nt_xent",
    "siglip_loss",
    "supcon_loss",
    "triplet_margin_loss",
]
