"""arrayloss: loss functions written once against the Python Array API standard.

Every loss takes arrays from NumPy, PyTorch, JAX, CuPy, Dask or any Array API
library and returns an array of the same library, on the same device. Importing
``arrayloss`` imports no framework.
"""

from __future__ import annotations

from ._boundary import (
    boundary_loss,
    hausdorff_dt_loss,
    hausdorff_er_loss,
    rectified_region_wise_map,
    region_wise_loss,
)
from ._boundary_survey import active_boundary_loss, conditional_boundary_loss
from ._classification import (
    binary_cross_entropy,
    binary_focal_loss,
    cross_entropy,
    focal_loss,
    nll_loss,
)
from ._compound import (
    combine,
    dice_ce_loss,
    dice_focal_loss,
)
from ._compound_paper import (
    combo_loss,
    exp_log_loss,
    unified_focal_loss,
)
from ._detection import (
    box_area,
    box_convert,
    box_iou,
    ciou_loss,
    diou_loss,
    generalized_box_iou,
    giou_loss,
    iou_loss,
)
from ._detection_extra import (
    alpha_iou_loss,
    eiou_loss,
    focal_eiou_loss,
    siou_loss,
    wise_iou_loss,
)
from ._distance import (
    distance_map,
    signed_distance_map,
)
from ._divergence import (
    js_divergence,
    kl_divergence,
)
from ._generalized_dice import (
    generalized_dice_loss,
    generalized_wasserstein_dice_loss,
)
from ._imbalance import class_weights_from_counts
from ._lovasz import (
    lovasz_hinge_loss,
    lovasz_softmax_loss,
)
from ._margin import (
    hinge_loss,
    multiclass_hinge_loss,
    squared_hinge_loss,
)
from ._metrics import (
    confusion_matrix,
    dice_score,
    f1_score,
    false_acceptance_rate,
    false_rejection_rate,
    iou_score,
    mean_iou,
    precision,
    recall,
)
from ._noisy_labels import (
    generalized_cross_entropy,
    symmetric_cross_entropy,
)
from ._pixel import (
    distance_weighted_cross_entropy,
    robust_t_loss,
    topk_loss,
)
from ._polynomial import (
    binary_poly1_focal_loss,
    poly1_cross_entropy,
    poly1_focal_loss,
)
from ._region import (
    focal_tversky_loss,
    jaccard_loss,
    log_cosh_dice_loss,
    mcc_loss,
    sensitivity_specificity_loss,
    tversky_loss,
)
from ._regression import (
    gaussian_nll_loss,
    huber_loss,
    log_cosh_loss,
    mae_loss,
    mape_loss,
    mse_loss,
    msle_loss,
    poisson_nll_loss,
    quantile_loss,
    smooth_l1_loss,
)
from ._rmi import region_mutual_information_loss
from ._robust import (
    barron_loss,
    cauchy_loss,
    charbonnier_loss,
    geman_mcclure_loss,
    tukey_biweight_loss,
    welsch_loss,
    wing_loss,
)
from ._segmentation import dice_loss
from ._topology import (
    boundary_dou_loss,
    cldice_loss,
    inverseform_loss,
)

__version__ = "0.1.0"

__all__ = [
    "active_boundary_loss",
    "alpha_iou_loss",
    "barron_loss",
    "binary_cross_entropy",
    "binary_focal_loss",
    "binary_poly1_focal_loss",
    "boundary_dou_loss",
    "boundary_loss",
    "box_area",
    "box_convert",
    "box_iou",
    "cauchy_loss",
    "charbonnier_loss",
    "ciou_loss",
    "class_weights_from_counts",
    "cldice_loss",
    "combine",
    "combo_loss",
    "conditional_boundary_loss",
    "confusion_matrix",
    "cross_entropy",
    "dice_ce_loss",
    "dice_focal_loss",
    "dice_loss",
    "dice_score",
    "diou_loss",
    "distance_map",
    "distance_weighted_cross_entropy",
    "eiou_loss",
    "exp_log_loss",
    "f1_score",
    "false_acceptance_rate",
    "false_rejection_rate",
    "focal_eiou_loss",
    "focal_loss",
    "focal_tversky_loss",
    "gaussian_nll_loss",
    "geman_mcclure_loss",
    "generalized_box_iou",
    "generalized_cross_entropy",
    "generalized_dice_loss",
    "generalized_wasserstein_dice_loss",
    "giou_loss",
    "hausdorff_dt_loss",
    "hausdorff_er_loss",
    "hinge_loss",
    "huber_loss",
    "inverseform_loss",
    "iou_loss",
    "iou_score",
    "jaccard_loss",
    "js_divergence",
    "kl_divergence",
    "log_cosh_dice_loss",
    "log_cosh_loss",
    "lovasz_hinge_loss",
    "lovasz_softmax_loss",
    "mae_loss",
    "mape_loss",
    "mcc_loss",
    "mean_iou",
    "mse_loss",
    "msle_loss",
    "multiclass_hinge_loss",
    "nll_loss",
    "poisson_nll_loss",
    "poly1_cross_entropy",
    "poly1_focal_loss",
    "precision",
    "quantile_loss",
    "recall",
    "rectified_region_wise_map",
    "region_mutual_information_loss",
    "region_wise_loss",
    "robust_t_loss",
    "sensitivity_specificity_loss",
    "signed_distance_map",
    "siou_loss",
    "smooth_l1_loss",
    "squared_hinge_loss",
    "symmetric_cross_entropy",
    "topk_loss",
    "tukey_biweight_loss",
    "tversky_loss",
    "unified_focal_loss",
    "welsch_loss",
    "wing_loss",
    "wise_iou_loss",
]
