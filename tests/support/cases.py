"""Every row of the transformation suite, collected from the family modules."""

from __future__ import annotations

from .case import Case
from .cases_boundary import CASES as BOUNDARY
from .cases_boundary_survey import CASES as BOUNDARY_SURVEY
from .cases_classification_extra import CASES as CLASSIFICATION_EXTRA
from .cases_compound import CASES as COMPOUND
from .cases_detection import CASES as DETECTION
from .cases_foundation import CASES as FOUNDATION
from .cases_margin_divergence import CASES as MARGIN_DIVERGENCE
from .cases_noisy_poly import CASES as NOISY_POLY
from .cases_pixel import CASES as PIXEL
from .cases_region import CASES as REGION
from .cases_regression import CASES as REGRESSION
from .cases_rmi import CASES as RMI
from .cases_robust import CASES as ROBUST
from .cases_topology import CASES as TOPOLOGY

ALL_CASES: list[Case] = [
    *FOUNDATION,
    *REGRESSION,
    *ROBUST,
    *CLASSIFICATION_EXTRA,
    *NOISY_POLY,
    *MARGIN_DIVERGENCE,
    *DETECTION,
    *TOPOLOGY,
    *REGION,
    *PIXEL,
    *COMPOUND,
    *BOUNDARY,
    *BOUNDARY_SURVEY,
    *RMI,
]
