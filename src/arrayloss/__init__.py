"""arrayloss: loss functions written once against the Python Array API standard.

Every loss takes arrays from NumPy, PyTorch, JAX, CuPy, Dask or any Array API
library and returns an array of the same library, on the same device. Importing
``arrayloss`` imports no framework.
"""

from __future__ import annotations

from ._classification import (
    binary_cross_entropy,
    binary_focal_loss,
    cross_entropy,
    focal_loss,
    nll_loss,
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
from ._divergence import (
    js_divergence,
    kl_divergence,
)
from ._imbalance import class_weights_from_counts
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

__version__ = "0.1.0"

__all__ = [
    "barron_loss",
    "binary_cross_entropy",
    "binary_focal_loss",
    "binary_poly1_focal_loss",
    "box_area",
    "box_convert",
    "box_iou",
    "cauchy_loss",
    "charbonnier_loss",
    "ciou_loss",
    "class_weights_from_counts",
    "cross_entropy",
    "dice_loss",
    "diou_loss",
    "focal_loss",
    "gaussian_nll_loss",
    "geman_mcclure_loss",
    "generalized_box_iou",
    "generalized_cross_entropy",
    "giou_loss",
    "hinge_loss",
    "huber_loss",
    "iou_loss",
    "js_divergence",
    "kl_divergence",
    "log_cosh_loss",
    "mae_loss",
    "mape_loss",
    "mse_loss",
    "msle_loss",
    "multiclass_hinge_loss",
    "nll_loss",
    "poisson_nll_loss",
    "poly1_cross_entropy",
    "poly1_focal_loss",
    "quantile_loss",
    "smooth_l1_loss",
    "squared_hinge_loss",
    "symmetric_cross_entropy",
    "tukey_biweight_loss",
    "welsch_loss",
    "wing_loss",
]
