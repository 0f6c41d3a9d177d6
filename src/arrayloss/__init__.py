"""arrayloss: loss functions written once against the Python Array API standard.

Every loss takes arrays from NumPy, PyTorch, JAX, CuPy, Dask or any Array API
library and returns an array of the same library, on the same device. Importing
``arrayloss`` imports no framework.
"""

from __future__ import annotations

from ._classification import binary_cross_entropy, binary_focal_loss, cross_entropy, focal_loss
from ._regression import huber_loss, mse_loss
from ._segmentation import dice_loss

__version__ = "0.1.0"

__all__ = [
    "binary_cross_entropy",
    "binary_focal_loss",
    "cross_entropy",
    "dice_loss",
    "focal_loss",
    "huber_loss",
    "mse_loss",
]
