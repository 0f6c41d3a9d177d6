"""The registry of the representation losses: each loss with its small deterministic cases.

NumPy is imported inside the functions that build arrays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._lib._case import Case, Data, LossInfo, Row, generator
from . import (
    batch_all_triplet_loss,
    batch_hard_triplet_loss,
    clip_loss,
    contrastive_loss,
    cosine_embedding_loss,
    info_nce,
    margin_softmax_logits,
    nt_xent,
    siglip_loss,
    supcon_loss,
    triplet_margin_loss,
)

if TYPE_CHECKING:
    import numpy as np


def _info_nce_cases() -> list[Case]:
    import numpy as np

    rng = generator(150)
    q, k = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    k7 = rng.normal(size=(7, 4))
    return [
        Case("diagonal positives", (q, k)),
        Case(
            "labels, temperature=0.5, weights, none",
            (q, k7),
            {
                "labels": np.array([6, 0, 3, 3, 1]),
                "temperature": 0.5,
                "weights": rng.uniform(0.5, 2, size=(5,)),
                "reduction": "none",
            },
        ),
    ]


def _nt_xent_cases() -> list[Case]:
    import numpy as np

    rng = generator(151)
    z = rng.normal(size=(6, 3))
    return [
        Case("2N views", (z,)),
        Case("labels, sum", (z,), {"labels": np.array([0, 1, 0, 2, 1, 3]), "reduction": "sum"}),
        Case("temperature=0.1, none", (z,), {"temperature": 0.1, "reduction": "none"}),
    ]


def _pair_cases(seed: int, extra: dict[str, Any]) -> list[Case]:
    rng = generator(seed)
    u, v = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    return [
        Case("defaults", (u, v)),
        Case("scale, none", (u, v), {**extra, "reduction": "none"}),
    ]


def _clip_cases() -> list[Case]:
    return _pair_cases(152, {"logit_scale": 1.0})


def _siglip_cases() -> list[Case]:
    return _pair_cases(153, {"logit_scale": 1.0, "logit_bias": -1.0})


def _supcon_cases() -> list[Case]:
    import numpy as np

    rng = generator(154)
    f = rng.normal(size=(5, 2, 3))
    return [
        Case("labels, singleton class", (f, np.array([0, 1, 0, 2, 1]))),
        Case("self-supervised (labels=None)", (f,)),
        Case(
            "one view, temperatures, none",
            (f[:, :1], np.array([0, 1, 0, 2, 1])),
            {"temperature": 0.5, "base_temperature": 0.07, "reduction": "none"},
        ),
    ]


def _triplet_cases() -> list[Case]:
    rng = generator(155)
    a, p, n = (rng.normal(size=(4, 3)) for _ in range(3))
    return [
        Case("p=2", (a, p, n)),
        Case("p=1, swap, none", (a, p, n), {"p": 1, "swap": True, "reduction": "none"}),
        Case("soft, margin ignored, sum", (a, p, n), {"soft": True, "reduction": "sum"}),
    ]


def _batch_cases(seed: int) -> list[Case]:
    import numpy as np

    rng = generator(seed)
    x = rng.normal(size=(6, 3))
    y = np.array([0, 1, 0, 2, 1, 0])
    return [
        Case("margin=0.2", (x, y)),
        Case("margin=1, none", (x, y), {"margin": 1.0, "reduction": "none"}),
        Case("soft", (x, y), {"soft": True}),
    ]


def _batch_hard_cases() -> list[Case]:
    return _batch_cases(156)


def _batch_all_cases() -> list[Case]:
    return _batch_cases(157)


def _contrastive_cases() -> list[Case]:
    import numpy as np

    rng = generator(158)
    a, b = rng.normal(size=(5, 3)), 0.3 * rng.normal(size=(5, 3))
    same = np.array([1, 0, 1, 0, 0])
    return [
        Case("margin=1", (a, b, same)),
        Case("margin=2, none", (a, b, same), {"margin": 2.0, "reduction": "none"}),
    ]


def _cosine_embedding_cases() -> list[Case]:
    import numpy as np

    rng = generator(159)
    a, b = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    y = np.array([1, -1, 1, -1, -1])
    return [
        Case("margin=0", (a, b, y)),
        Case("margin=0.2, none", (a, b, y), {"margin": 0.2, "reduction": "none"}),
    ]


def _margin_softmax_cases() -> list[Case]:
    import numpy as np

    rng = generator(160)
    cos = rng.uniform(-0.9, 0.9, size=(4, 5))
    y = np.array([0, 3, 4, 1])
    return [
        Case("ArcFace", (cos, y)),
        Case("CosFace", (cos, y), {"m2": 0.0, "m3": 0.35, "scale": 30.0}),
        Case("SphereFace m1=1.35, combined", (cos, y), {"m1": 1.35, "m2": 0.2, "m3": 0.1}),
    ]


def _embed_pair(rng: np.random.Generator) -> Data:
    return rng.normal(size=(4, 3)), rng.normal(size=(4, 3)), {}


def _embed_one(rng: np.random.Generator) -> Data:
    return rng.normal(size=(6, 3)), None, {}


def _supcon_row(rng: np.random.Generator) -> Data:
    import numpy as np

    return rng.normal(size=(4, 2, 3)), np.array([0, 1, 0, 2]), {}


def _cos_row(rng: np.random.Generator) -> Data:
    import numpy as np

    return rng.uniform(-0.9, 0.9, size=(3, 4)), np.array([0, 3, 1]), {}


def _triplet_row(rng: np.random.Generator) -> Data:
    a, p, n = (rng.normal(size=(4, 3)) for _ in range(3))
    return a, p, {"negative": n}


def _batch_row(rng: np.random.Generator) -> Data:
    import numpy as np

    return rng.normal(size=(6, 3)), np.array([0, 1, 0, 2, 1, 2]), {}


def _contrastive_row(rng: np.random.Generator) -> Data:
    import numpy as np

    # dissimilar pairs at distance ~0.5 < margin, so their hinge is active
    a = rng.normal(size=(5, 3))
    return a, a + 0.3 * rng.normal(size=(5, 3)), {"same": np.array([1, 0, 1, 0, 0])}


def _cosine_embedding_row(rng: np.random.Generator) -> Data:
    import numpy as np

    a, b = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    return a, b, {"y": np.array([1, -1, 1, -1, 1])}


LOSSES = (
    LossInfo(info_nce, _info_nce_cases, rows=(Row("info-nce", _embed_pair, jit=True),)),
    LossInfo(nt_xent, _nt_xent_cases, rows=(Row("nt-xent", _embed_one, {"temperature": 0.5}),)),
    LossInfo(clip_loss, _clip_cases, rows=(Row("clip", _embed_pair, compile="aot_eager"),)),
    LossInfo(siglip_loss, _siglip_cases, rows=(Row("siglip", _embed_pair),)),
    LossInfo(supcon_loss, _supcon_cases, rows=(Row("supcon", _supcon_row),)),
    LossInfo(
        triplet_margin_loss,
        _triplet_cases,
        static=("p",),
        rows=(Row("triplet", _triplet_row, {"margin": 5.0}, compile="aot_eager"),),
    ),
    # margin 5: every hinge active, so each embedding gets a gradient
    LossInfo(
        batch_hard_triplet_loss,
        _batch_hard_cases,
        rows=(Row("batch-hard", _batch_row, {"margin": 5.0}),),
    ),
    LossInfo(
        batch_all_triplet_loss,
        _batch_all_cases,
        rows=(Row("batch-all", _batch_row, {"margin": 5.0}),),
    ),
    LossInfo(
        contrastive_loss,
        _contrastive_cases,
        rows=(Row("contrastive", _contrastive_row, {"margin": 3.0}),),
    ),
    LossInfo(
        cosine_embedding_loss,
        _cosine_embedding_cases,
        rows=(Row("cosine-embedding", _cosine_embedding_row, {"margin": -1.0}),),
    ),
    LossInfo(margin_softmax_logits, _margin_softmax_cases, rows=(Row("arcface", _cos_row),)),
)
