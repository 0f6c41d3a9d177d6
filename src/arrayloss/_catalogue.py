"""The catalogue of public losses, as ``arrayloss list`` prints it and ``arrayloss check`` runs it.

Each :class:`LossInfo` names a public loss, its family, what it is for and the paper
that defines it, and builds small deterministic NumPy float64 inputs (:class:`Case`)
that exercise its main options. Importing this module imports no framework; NumPy is
imported only when a case is built.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

__all__ = ["FAMILIES", "LOSSES", "Case", "LossInfo", "get"]

FAMILIES = ("regression", "classification", "segmentation", "detection", "metrics")


@dataclass(frozen=True)
class Case:
    """One call of a loss: positional arrays and keyword arguments.

    Floating arrays are float64 and integer arrays int64. Keyword values that are
    arrays (``weights``, ``class_weights``, ...) are converted to the backend like
    the positional ones; the others are passed as they are (static under
    ``jax.jit``).
    """

    label: str
    args: tuple[Any, ...]
    kwargs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LossInfo:
    """A public loss: its name in ``arrayloss``, family, summary, paper and inputs."""

    name: str
    family: str
    description: str
    paper: str
    make_cases: Callable[[], list[Case]] = field(repr=False, compare=False)

    def function(self) -> Callable[..., Any]:
        """The loss itself, looked up in ``arrayloss`` at call time."""
        import arrayloss

        fn: Callable[..., Any] = getattr(arrayloss, self.name)
        return fn

    def cases(self) -> list[Case]:
        """The small deterministic inputs ``arrayloss check`` runs (needs NumPy)."""
        return self.make_cases()


def _rng(seed: int) -> np.random.Generator:
    import numpy as np

    return np.random.default_rng(seed)


def _mse_cases() -> list[Case]:
    rng = _rng(1)
    preds, targets = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    weights = rng.uniform(0.5, 2.0, size=(4, 1))
    return [
        Case("mean", (preds, targets)),
        Case("sum, weights (4, 1)", (preds, targets), {"weights": weights, "reduction": "sum"}),
        Case("none", (preds, targets), {"reduction": "none"}),
    ]


def _huber_cases() -> list[Case]:
    rng = _rng(2)
    preds, targets = 2.0 * rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    weights = rng.uniform(0.5, 2.0, size=(5, 4))
    return [
        Case("delta=1, mean", (preds, targets)),
        Case("delta=0.5, weighted mean", (preds, targets), {"delta": 0.5, "weights": weights}),
        Case("delta=2, none", (preds, targets), {"delta": 2.0, "reduction": "none"}),
    ]


def _cross_entropy_cases() -> list[Case]:
    import numpy as np

    rng = _rng(3)
    logits = 2.0 * rng.normal(size=(6, 4))
    labels = rng.integers(0, 4, size=(6,))
    labels[2] = -100
    class_weights = np.array([1.0, 2.0, 0.5, 1.5])
    nchw = 2.0 * rng.normal(size=(2, 4, 3, 3))
    probs = rng.dirichlet(np.ones(4), size=(2, 3, 3))  # (2, 3, 3, 4), classes last
    return [
        Case("int labels, mean", (logits, np.where(labels < 0, 0, labels))),
        Case(
            "ignore_index, class_weights, label_smoothing",
            (logits, labels),
            {"ignore_index": -100, "class_weights": class_weights, "label_smoothing": 0.1},
        ),
        Case(
            "axis=1, probability targets, none",
            (nchw, np.moveaxis(probs, -1, 1)),
            {"axis": 1, "reduction": "none"},
        ),
        Case(
            "balanced class_weights, ignore_index",
            (logits, labels),
            {"class_weights": "balanced", "ignore_index": -100},
        ),
    ]


def _binary_cross_entropy_cases() -> list[Case]:
    import numpy as np

    rng = _rng(4)
    logits = 2.0 * rng.normal(size=(5, 3))
    labels = rng.integers(0, 2, size=(5, 3)).astype(np.float64)
    probs = rng.uniform(0.05, 0.95, size=(5, 3))
    return [
        Case("from logits, mean", (logits, labels)),
        Case(
            "pos_weight (3,), label_smoothing, sum",
            (logits, labels),
            {"pos_weight": np.array([1.0, 2.0, 3.0]), "label_smoothing": 0.1, "reduction": "sum"},
        ),
        Case("probabilities, none", (probs, labels), {"from_logits": False, "reduction": "none"}),
    ]


def _focal_cases() -> list[Case]:
    import numpy as np

    rng = _rng(5)
    logits = 2.0 * rng.normal(size=(6, 4))
    labels = rng.integers(0, 4, size=(6,))
    labels[0] = -1
    probs = rng.dirichlet(np.ones(4), size=(6,))
    return [
        Case("gamma=2, int labels", (logits, np.where(labels < 0, 0, labels))),
        Case(
            "alpha (4,), ignore_index, none",
            (logits, labels),
            {"alpha": np.array([0.25, 0.5, 0.75, 1.0]), "ignore_index": -1, "reduction": "none"},
        ),
        Case("gamma=0.5, probability targets", (logits, probs), {"gamma": 0.5}),
        Case(
            "lam=1.5, label_smoothing, balanced class_weights, ignore_index",
            (logits, labels),
            {
                "lam": 1.5,
                "label_smoothing": 0.1,
                "class_weights": "balanced",
                "ignore_index": -1,
            },
        ),
    ]


def _binary_focal_cases() -> list[Case]:
    import numpy as np

    rng = _rng(6)
    logits = 2.0 * rng.normal(size=(4, 5))
    labels = rng.integers(0, 2, size=(4, 5)).astype(np.float64)
    probs = rng.uniform(0.05, 0.95, size=(4, 5))
    soft = rng.uniform(0.0, 1.0, size=(4, 5))
    return [
        Case("gamma=2, alpha=0.25", (logits, labels)),
        Case("gamma=0.5, soft labels, alpha=None", (logits, soft), {"gamma": 0.5, "alpha": None}),
        Case(
            "probabilities, gamma=1.5, none",
            (probs, labels),
            {"from_logits": False, "gamma": 1.5, "reduction": "none"},
        ),
    ]


def _dice_cases() -> list[Case]:
    import numpy as np

    rng = _rng(7)
    logits = rng.normal(size=(2, 5, 5, 3))  # channels last
    labels = rng.integers(0, 3, size=(2, 5, 5))
    labels[0, 0, :2] = 255
    ml_logits = rng.normal(size=(2, 3, 4, 4))  # channels first
    ml_labels = rng.integers(0, 2, size=(2, 3, 4, 4)).astype(np.float64)
    bin_logits = rng.normal(size=(3, 1, 6))
    bin_labels = rng.integers(0, 2, size=(3, 6)).astype(np.float64)
    return [
        Case("multiclass, int labels", (logits, np.where(labels == 255, 0, labels))),
        Case(
            "multiclass, ignore_index, no background, none",
            (logits, labels),
            {"ignore_index": 255, "include_background": False, "reduction": "none"},
        ),
        Case(
            "multilabel, axis=1, class_weights",
            (ml_logits, ml_labels),
            {"mode": "multilabel", "axis": 1, "class_weights": np.array([1.0, 2.0, 0.5])},
        ),
        Case(
            "binary, axis=1, batch_dice",
            (bin_logits, bin_labels),
            {"mode": "binary", "axis": 1, "batch_dice": True},
        ),
    ]


_FOUNDATION: tuple[LossInfo, ...] = (
    LossInfo(
        "mse_loss",
        "regression",
        "Mean squared error",
        "Gauss, Theoria motus corporum coelestium, 1809",
        _mse_cases,
    ),
    LossInfo(
        "huber_loss",
        "regression",
        "Quadratic near zero, linear beyond delta",
        "Huber, Ann. Math. Stat. 1964, doi:10.1214/aoms/1177703732",
        _huber_cases,
    ),
    LossInfo(
        "cross_entropy",
        "classification",
        "Softmax cross-entropy, class indices or probabilities",
        "Szegedy et al., CVPR 2016 (label smoothing), arXiv:1512.00567",
        _cross_entropy_cases,
    ),
    LossInfo(
        "binary_cross_entropy",
        "classification",
        "Sigmoid cross-entropy, binary and multi-label",
        "Goodfellow, Bengio, Courville, Deep Learning 2016, sec. 6.2.2.2",
        _binary_cross_entropy_cases,
    ),
    LossInfo(
        "focal_loss",
        "classification",
        "Softmax focal loss, down-weights easy examples",
        "Lin et al., ICCV 2017, arXiv:1708.02002",
        _focal_cases,
    ),
    LossInfo(
        "binary_focal_loss",
        "classification",
        "Sigmoid focal loss (RetinaNet)",
        "Lin et al., ICCV 2017, arXiv:1708.02002",
        _binary_focal_cases,
    ),
    LossInfo(
        "dice_loss",
        "segmentation",
        "Soft Dice loss per sample and class",
        "Milletari et al., 3DV 2016, arXiv:1606.04797",
        _dice_cases,
    ),
)


# The families added after the foundation keep their entries beside their code's
# catalogue module; imported here, after LossInfo, Case and _rng exist.
from ._catalogue_boundary import ENTRIES as _BOUNDARY  # noqa: E402
from ._catalogue_boundary_survey import ENTRIES as _BOUNDARY_SURVEY  # noqa: E402
from ._catalogue_classification_extra import ENTRIES as _CLASSIFICATION_EXTRA  # noqa: E402
from ._catalogue_compound import ENTRIES as _COMPOUND  # noqa: E402
from ._catalogue_detection import ENTRIES as _DETECTION  # noqa: E402
from ._catalogue_margin_divergence import ENTRIES as _MARGIN_DIVERGENCE  # noqa: E402
from ._catalogue_noisy_poly import ENTRIES as _NOISY_POLY  # noqa: E402
from ._catalogue_pixel import ENTRIES as _PIXEL  # noqa: E402
from ._catalogue_region import ENTRIES as _REGION  # noqa: E402
from ._catalogue_regression import ENTRIES as _REGRESSION  # noqa: E402
from ._catalogue_rmi import ENTRIES as _RMI  # noqa: E402
from ._catalogue_robust import ENTRIES as _ROBUST  # noqa: E402
from ._catalogue_topology import ENTRIES as _TOPOLOGY  # noqa: E402

LOSSES: tuple[LossInfo, ...] = (
    *_FOUNDATION,
    *_REGRESSION,
    *_ROBUST,
    *_CLASSIFICATION_EXTRA,
    *_NOISY_POLY,
    *_MARGIN_DIVERGENCE,
    *_DETECTION,
    *_COMPOUND,
    *_PIXEL,
    *_REGION,
    *_BOUNDARY,
    *_BOUNDARY_SURVEY,
    *_RMI,
    *_TOPOLOGY,
)


def get(name: str) -> LossInfo:
    """The catalogue entry called ``name``; ``KeyError`` listing the names otherwise."""
    for info in LOSSES:
        if info.name == name:
            return info
    raise KeyError(
        f"no loss {name!r} in the catalogue; known: {', '.join(i.name for i in LOSSES)}"
    )
