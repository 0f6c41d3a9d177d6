"""Every row of the transformation suite, collected from the family modules."""

from __future__ import annotations

from .case import Case
from .cases_classification_extra import CASES as CLASSIFICATION_EXTRA
from .cases_detection import CASES as DETECTION
from .cases_foundation import CASES as FOUNDATION
from .cases_margin_divergence import CASES as MARGIN_DIVERGENCE
from .cases_noisy_poly import CASES as NOISY_POLY
from .cases_regression import CASES as REGRESSION
from .cases_robust import CASES as ROBUST

ALL_CASES: list[Case] = [
    *FOUNDATION,
    *REGRESSION,
    *ROBUST,
    *CLASSIFICATION_EXTRA,
    *NOISY_POLY,
    *MARGIN_DIVERGENCE,
    *DETECTION,
]
