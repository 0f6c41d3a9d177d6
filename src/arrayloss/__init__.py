"""arrayloss: loss functions written once against the Python Array API standard.

Every loss takes arrays from NumPy, PyTorch, JAX, CuPy, Dask or any Array API
library and returns an array of the same library, on the same device. Importing
``arrayloss`` imports no framework.
"""

from __future__ import annotations

from . import (
    _classification,
    _divergence,
    _imbalance,
    _margin,
    _noisy_labels,
    _polynomial,
    _regression,
    _robust,
    _segmentation,
)
from ._classification import *  # noqa: F403  (each family module lists its public names)
from ._divergence import *  # noqa: F403
from ._imbalance import *  # noqa: F403
from ._margin import *  # noqa: F403
from ._noisy_labels import *  # noqa: F403
from ._polynomial import *  # noqa: F403
from ._regression import *  # noqa: F403
from ._robust import *  # noqa: F403
from ._segmentation import *  # noqa: F403

__version__ = "0.1.0"

__all__ = sorted(
    [
        *_classification.__all__,
        *_divergence.__all__,
        *_imbalance.__all__,
        *_margin.__all__,
        *_noisy_labels.__all__,
        *_polynomial.__all__,
        *_regression.__all__,
        *_robust.__all__,
        *_segmentation.__all__,
    ]
)
