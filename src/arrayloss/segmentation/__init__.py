"""Segmentation losses on ``(logits, labels)`` at the survey's four levels (pixel, region,
boundary, combination) and the distance maps the boundary losses use.
"""

from __future__ import annotations

from ._active_boundary import active_boundary_loss
from ._boundary import (
    boundary_loss,
    hausdorff_dt_loss,
    hausdorff_er_loss,
    rectified_region_wise_map,
    region_wise_loss,
)
from ._boundary_dou import boundary_dou_loss
from ._combine import combine
from ._compound import (
    combo_loss,
    dice_ce_loss,
    dice_focal_loss,
    exp_log_loss,
)
from ._conditional_boundary import conditional_boundary_loss
from ._dice import dice_loss
from ._distance import (
    distance_map,
    signed_distance_map,
)
from ._generalized_dice import (
    generalized_dice_loss,
    generalized_wasserstein_dice_loss,
)
from ._inverseform import inverseform_loss
from ._lovasz import (
    lovasz_hinge_loss,
    lovasz_softmax_loss,
)
from ._pixel import (
    distance_weighted_cross_entropy,
    topk_loss,
)
from ._region import (
    focal_tversky_loss,
    jaccard_loss,
    log_cosh_dice_loss,
    mcc_loss,
    sensitivity_specificity_loss,
    tversky_loss,
)
from ._rmi import region_mutual_information_loss
from ._robust_t import robust_t_loss
from ._topology import cldice_loss
from ._unified_focal import unified_focal_loss

__all__ = [
    "active_boundary_loss",
    "boundary_dou_loss",
    "boundary_loss",
    "cldice_loss",
    "combine",
    "combo_loss",
    "conditional_boundary_loss",
    "dice_ce_loss",
    "dice_focal_loss",
    "dice_loss",
    "distance_map",
    "distance_weighted_cross_entropy",
    "exp_log_loss",
    "focal_tversky_loss",
    "generalized_dice_loss",
    "generalized_wasserstein_dice_loss",
    "hausdorff_dt_loss",
    "hausdorff_er_loss",
    "inverseform_loss",
    "jaccard_loss",
    "log_cosh_dice_loss",
    "lovasz_hinge_loss",
    "lovasz_softmax_loss",
    "mcc_loss",
    "rectified_region_wise_map",
    "region_mutual_information_loss",
    "region_wise_loss",
    "robust_t_loss",
    "sensitivity_specificity_loss",
    "signed_distance_map",
    "topk_loss",
    "tversky_loss",
    "unified_focal_loss",
]
