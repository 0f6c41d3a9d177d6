"""Classification losses on ``(logits, labels)``: cross-entropy, focal, margin, divergence,
noisy-label and polynomial losses, and class weights for imbalanced data.
"""

from __future__ import annotations

from ._asymmetric import asymmetric_loss
from ._cross_entropy import (
    binary_cross_entropy,
    cross_entropy,
    nll_loss,
)
from ._divergence import (
    js_divergence,
    kl_divergence,
)
from ._focal import (
    binary_focal_loss,
    focal_loss,
)
from ._imbalance import class_weights_from_counts
from ._long_tail import (
    AutomatedFocalState,
    automated_focal_loss,
    init_automated_focal,
    ldam_drw_class_weights,
    ldam_loss,
    logit_adjusted_cross_entropy,
    seesaw_loss,
)
from ._margin import (
    hinge_loss,
    multiclass_hinge_loss,
    squared_hinge_loss,
)
from ._noisy_labels import (
    generalized_cross_entropy,
    symmetric_cross_entropy,
)
from ._polynomial import (
    binary_poly1_focal_loss,
    poly1_cross_entropy,
    poly1_focal_loss,
)
from ._statistics import ClassStatistics, class_statistics, update_class_statistics
from ._weighting import uncertainty_weighted_sum

__all__ = [
    # adaptive to imbalance
    "AutomatedFocalState",
    "ClassStatistics",
    "asymmetric_loss",
    "automated_focal_loss",
    "binary_cross_entropy",
    "binary_focal_loss",
    "binary_poly1_focal_loss",
    "class_statistics",
    "class_weights_from_counts",
    "cross_entropy",
    "focal_loss",
    "generalized_cross_entropy",
    "hinge_loss",
    "init_automated_focal",
    "js_divergence",
    "kl_divergence",
    "ldam_drw_class_weights",
    "ldam_loss",
    "logit_adjusted_cross_entropy",
    "multiclass_hinge_loss",
    "nll_loss",
    "poly1_cross_entropy",
    "poly1_focal_loss",
    "seesaw_loss",
    "squared_hinge_loss",
    "symmetric_cross_entropy",
    "uncertainty_weighted_sum",
    "update_class_statistics",
]
