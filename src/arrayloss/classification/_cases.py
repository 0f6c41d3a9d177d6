"""The registry of the classification losses: each loss with its small deterministic cases.

``arrayloss list``/``check``, the cross-cutting test suites and ``arrayloss bench``
read ``LOSSES``. Each :class:`~arrayloss._lib._case.LossInfo` holds the loss, a function
that builds its float64 NumPy cases, and the transformation rows (:class:`Row`: inputs
drawn from a seeded generator, smooth around the draw, so finite differences apply).
NumPy is imported inside the functions that build arrays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._lib._case import Case, Data, LossInfo, Row, generator
from . import (  # adaptive to imbalance
    asymmetric_loss,
    automated_focal_loss,
    binary_cross_entropy,
    binary_focal_loss,
    binary_poly1_focal_loss,
    class_weights_from_counts,
    cross_entropy,
    focal_loss,
    generalized_cross_entropy,
    hinge_loss,
    js_divergence,
    kl_divergence,
    ldam_loss,
    logit_adjusted_cross_entropy,
    multiclass_hinge_loss,
    nll_loss,
    poly1_cross_entropy,
    poly1_focal_loss,
    seesaw_loss,
    squared_hinge_loss,
    symmetric_cross_entropy,
    uncertainty_weighted_sum,
)

if TYPE_CHECKING:
    import numpy as np


def _cross_entropy_cases() -> list[Case]:
    import numpy as np

    rng = generator(3)
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

    rng = generator(4)
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

    rng = generator(5)
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

    rng = generator(6)
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


def _nll_cases() -> list[Case]:
    import numpy as np

    rng = generator(41)
    x = 2.0 * rng.normal(size=(6, 4))
    log_probs = x - np.log(np.exp(x).sum(axis=1, keepdims=True))
    labels = rng.integers(0, 4, size=(6,))
    labels[3] = -100
    nchw = 2.0 * rng.normal(size=(2, 4, 3))
    nchw_lp = nchw - np.log(np.exp(nchw).sum(axis=1, keepdims=True))
    return [
        Case("int labels, mean", (log_probs, np.where(labels < 0, 0, labels))),
        Case(
            "class_weights, ignore_index, sum",
            (log_probs, labels),
            {
                "class_weights": np.array([1.0, 2.0, 0.5, 1.5]),
                "ignore_index": -100,
                "reduction": "sum",
            },
        ),
        Case(
            "axis=1, balanced, none",
            (nchw_lp, rng.integers(0, 4, size=(2, 3))),
            {"axis": 1, "class_weights": "balanced", "reduction": "none"},
        ),
    ]


def _class_weight_cases() -> list[Case]:
    import numpy as np

    counts = np.array([120.0, 30.0, 0.0, 4.0, 900.0])
    return [
        Case("inverse", (counts,)),
        Case("inverse_sqrt", (counts,), {"method": "inverse_sqrt"}),
        Case("median_frequency", (counts,), {"method": "median_frequency"}),
        Case(
            "effective_number, beta=0.99", (counts,), {"method": "effective_number", "beta": 0.99}
        ),
    ]


def _binary_hinge_cases(seed: int) -> list[Case]:
    import numpy as np

    rng = generator(seed)
    logits = 1.5 * rng.normal(size=(5, 3))
    bits = rng.integers(0, 2, size=(5, 3))
    weights = rng.uniform(0.5, 2.0, size=(5, 1))
    return [
        Case("{0, 1} float labels, mean", (logits, bits.astype(np.float64))),
        Case(
            "{-1, 1} int labels, margin=0.5, weights (5, 1), sum",
            (logits, 2 * bits - 1),
            {"margin": 0.5, "weights": weights, "reduction": "sum"},
        ),
        Case("{0, 1} int labels, none", (logits, bits), {"reduction": "none"}),
    ]


def _hinge_cases() -> list[Case]:
    return _binary_hinge_cases(41)


def _squared_hinge_cases() -> list[Case]:
    return _binary_hinge_cases(42)


def _multiclass_hinge_cases() -> list[Case]:
    import numpy as np

    rng = generator(43)
    logits = rng.normal(size=(6, 4))
    labels = rng.integers(0, 4, size=(6,))
    labels[2] = -100
    nchw = rng.normal(size=(2, 4, 3, 3))
    dense_labels = rng.integers(0, 4, size=(2, 3, 3))
    return [
        Case("Crammer-Singer, mean", (logits, np.where(labels < 0, 0, labels))),
        Case(
            "Weston-Watkins, ignore_index, class_weights, margin=0.5",
            (logits, labels),
            {
                "kind": "weston_watkins",
                "ignore_index": -100,
                "class_weights": np.array([1.0, 2.0, 0.5, 1.5]),
                "margin": 0.5,
            },
        ),
        Case(
            "Crammer-Singer, axis=1, none", (nchw, dense_labels), {"axis": 1, "reduction": "none"}
        ),
    ]


def _distributions(seed: int) -> tuple[object, ...]:
    import numpy as np

    rng = generator(seed)
    logits = 2.0 * rng.normal(size=(5, 4))
    targets = rng.dirichlet(np.ones(4), size=(5,))
    targets[:, 0] = 0.0  # exact zeros: 0 log 0 = 0
    targets /= targets.sum(axis=-1, keepdims=True)
    probs = rng.dirichlet(np.ones(4), size=(5,))
    nchw = rng.normal(size=(2, 4, 3, 3))
    dense_targets = np.moveaxis(rng.dirichlet(np.ones(4), size=(2, 3, 3)), -1, 1)
    return logits, targets, probs, nchw, dense_targets


def _divergence_cases(seed: int) -> list[Case]:
    logits, targets, probs, nchw, dense_targets = _distributions(seed)
    return [
        Case("logits, targets with zeros, mean (per sample)", (logits, targets)),
        Case(
            "probabilities, sum",
            (probs, targets),
            {"from_logits": False, "reduction": "sum"},
        ),
        Case("axis=1, none", (nchw, dense_targets), {"axis": 1, "reduction": "none"}),
    ]


def _kl_cases() -> list[Case]:
    return _divergence_cases(44)


def _js_cases() -> list[Case]:
    return _divergence_cases(45)


def _poly1_cross_entropy_cases() -> list[Case]:
    import numpy as np

    rng = generator(301)
    logits = 2.0 * rng.normal(size=(6, 4))
    labels = rng.integers(0, 4, size=(6,))
    labels[2] = -100
    nchw = 2.0 * rng.normal(size=(2, 4, 3, 3))
    probs = rng.dirichlet(np.ones(4), size=(2, 3, 3))  # classes last
    return [
        Case("int labels, epsilon=1, mean", (logits, np.where(labels < 0, 0, labels))),
        Case(
            "ignore_index, label_smoothing, epsilon=2",
            (logits, labels),
            {"ignore_index": -100, "label_smoothing": 0.1, "epsilon": 2.0},
        ),
        Case(
            "axis=1, probability targets, epsilon=-1, none",
            (nchw, np.moveaxis(probs, -1, 1)),
            {"axis": 1, "epsilon": -1.0, "reduction": "none"},
        ),
    ]


def _poly1_focal_cases() -> list[Case]:
    import numpy as np

    rng = generator(302)
    logits = 2.0 * rng.normal(size=(6, 4))
    labels = rng.integers(0, 4, size=(6,))
    labels[0] = 255
    probs = rng.dirichlet(np.ones(4), size=(6,))
    return [
        Case("int labels, gamma=2, epsilon=1", (logits, np.where(labels > 3, 0, labels))),
        Case(
            "alpha per class, ignore_index, gamma=0.5",
            (logits, labels),
            {"alpha": np.array([0.25, 0.5, 1.0, 2.0]), "ignore_index": 255, "gamma": 0.5},
        ),
        Case(
            "probability targets, epsilon=-1, sum",
            (logits, probs),
            {"epsilon": -1.0, "reduction": "sum"},
        ),
    ]


def _binary_poly1_focal_cases() -> list[Case]:
    import numpy as np

    rng = generator(303)
    logits = 2.0 * rng.normal(size=(5, 3))
    labels = rng.integers(0, 2, size=(5, 3)).astype(np.float64)
    soft = rng.uniform(0.0, 1.0, size=(5, 3))
    weights = rng.uniform(0.5, 2.0, size=(5, 1))
    return [
        Case("hard labels, alpha=0.25, epsilon=1", (logits, labels)),
        Case(
            "soft labels, epsilon=-1, no alpha, weights",
            (logits, soft),
            {"epsilon": -1.0, "alpha": None, "weights": weights},
        ),
        Case("gamma=0.5, none", (logits, labels), {"gamma": 0.5, "reduction": "none"}),
    ]


def _gce_cases() -> list[Case]:
    import numpy as np

    rng = generator(304)
    logits = 2.0 * rng.normal(size=(6, 5))
    labels = rng.integers(0, 5, size=(6,))
    labels[3] = -1
    nchw = 2.0 * rng.normal(size=(2, 5, 4))
    probs = rng.dirichlet(np.ones(5), size=(6,))
    return [
        Case("q=0.7, int labels", (logits, np.where(labels < 0, 0, labels))),
        Case("q=1e-3 (near CE), ignore_index", (logits, labels), {"q": 1e-3, "ignore_index": -1}),
        Case(
            "q=1 (MAE), probability targets, sum", (logits, probs), {"q": 1.0, "reduction": "sum"}
        ),
        Case(
            "axis=1, none",
            (nchw, rng.integers(0, 5, size=(2, 4))),
            {"axis": 1, "reduction": "none"},
        ),
    ]


def _sce_cases() -> list[Case]:
    import numpy as np

    rng = generator(305)
    logits = 2.0 * rng.normal(size=(6, 5))
    labels = rng.integers(0, 5, size=(6,))
    labels[1] = -100
    onehot = np.eye(5)[np.where(labels < 0, 0, labels)]
    weights = rng.uniform(0.5, 2.0, size=(6,))
    return [
        Case(
            "alpha=0.1, beta=1, int labels, ignore_index", (logits, labels), {"ignore_index": -100}
        ),
        Case("one-hot targets (log 0 -> A = -4), weights", (logits, onehot), {"weights": weights}),
        Case(
            "alpha=1, beta=0.5, A=log(1e-4), none",
            (logits, np.where(labels < 0, 0, labels)),
            {"alpha": 1.0, "beta": 0.5, "log_zero": -9.210340371976184, "reduction": "none"},
        ),
    ]


def _log_softmax(x: np.ndarray, axis: int) -> Any:
    import numpy as np

    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def _nll_index(rng: np.random.Generator) -> Data:
    labels = rng.integers(0, 4, size=(2, 3))
    labels[0, 1] = -100
    cw = rng.uniform(0.5, 2.0, size=(4,))
    return _log_softmax(rng.normal(size=(2, 4, 3)), 1), labels, {"class_weights": cw}


def _nll_index_balanced(rng: np.random.Generator) -> Data:
    log_probs, labels, _ = _nll_index(rng)
    return log_probs, labels, {}


def _nll_probs(rng: np.random.Generator) -> Data:
    q = rng.uniform(0.05, 1.0, size=(4, 5))
    return _log_softmax(rng.normal(size=(4, 5)), 1), q / q.sum(axis=1, keepdims=True), {}


def _class_index(rng: np.random.Generator) -> Data:
    labels = rng.integers(0, 5, size=(6,))
    labels[[1, 4]] = -100
    return rng.normal(size=(6, 5)), labels, {"weights": rng.uniform(0.5, 2.0, size=(6,))}


def _class_index_alpha(rng: np.random.Generator) -> Data:
    logits, labels, _ = _class_index(rng)
    return logits, labels, {"alpha": rng.uniform(0.2, 1.0, size=(5,))}


def _class_probs_classification_extra(rng: np.random.Generator) -> Data:
    q = rng.uniform(0.05, 1.0, size=(4, 5))
    return rng.normal(size=(4, 5)), q / q.sum(axis=1, keepdims=True), {}


def _softmax(x: np.ndarray, axis: int = -1) -> Any:
    import numpy as np

    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _class_index_foundation(rng: np.random.Generator) -> Data:
    labels = rng.integers(0, 5, size=(6,))
    labels[[1, 4]] = -100  # ignored positions
    return rng.normal(size=(6, 5)), labels, {}


def _class_index_weighted(rng: np.random.Generator) -> Data:
    logits, labels, _ = _class_index_foundation(rng)
    return logits, labels, {"class_weights": rng.uniform(0.5, 2.0, size=(5,))}


def _class_index_channels_first(rng: np.random.Generator) -> Data:
    labels = rng.integers(0, 4, size=(2, 3))
    labels[0, 1] = 255
    weights = rng.uniform(0.5, 2.0, size=(2, 3))
    return rng.normal(size=(2, 4, 3)), labels, {"weights": weights}


def _class_probs(rng: np.random.Generator) -> Data:
    return rng.normal(size=(4, 5)), _softmax(rng.normal(size=(4, 5))), {}


def _binary(rng: np.random.Generator) -> Data:
    import numpy as np

    labels = rng.integers(0, 2, size=(3, 4)).astype(np.float64)
    return rng.normal(size=(3, 4)), labels, {}


def _binary_soft(rng: np.random.Generator) -> Data:
    return rng.normal(size=(3, 4)), rng.uniform(0.1, 0.9, size=(3, 4)), {}


def _binary_probs(rng: np.random.Generator) -> Data:
    import numpy as np

    labels = rng.integers(0, 2, size=(3, 4)).astype(np.float64)
    weights = rng.uniform(0.5, 2.0, size=(3, 1))
    return rng.uniform(0.05, 0.95, size=(3, 4)), labels, {"weights": weights}


def _binary01(rng: np.random.Generator) -> Data:
    import numpy as np

    labels = rng.integers(0, 2, size=(3, 4)).astype(np.float64)
    return rng.normal(size=(3, 4)), labels, {"weights": rng.uniform(0.5, 2.0, size=(4,))}


def _binary_pm1(rng: np.random.Generator) -> Data:
    labels = 2 * rng.integers(0, 2, size=(3, 4)) - 1  # int64 in {-1, 1}
    return 1.5 * rng.normal(size=(3, 4)), labels, {}


def _multiclass(rng: np.random.Generator) -> Data:
    labels = rng.integers(0, 5, size=(6,))
    labels[[1, 4]] = -100
    return rng.normal(size=(6, 5)), labels, {}


def _multiclass_axis1(rng: np.random.Generator) -> Data:
    labels = rng.integers(0, 4, size=(2, 3))
    extra = {"class_weights": rng.uniform(0.5, 2.0, size=(4,))}
    return rng.normal(size=(2, 4, 3)), labels, extra


def _distribution(rng: np.random.Generator, shape: tuple[int, ...]) -> Any:
    t = rng.uniform(0.05, 1.0, size=shape)
    t.reshape(-1)[::3] = 0.0  # exact zeros: 0 log 0 = 0
    return t / t.sum(axis=-1, keepdims=True)


def _kl_logits(rng: np.random.Generator) -> Data:
    return 2.0 * rng.normal(size=(4, 5)), _distribution(rng, (4, 5)), {}


def _kl_probs(rng: np.random.Generator) -> Data:
    q = rng.uniform(0.05, 1.0, size=(3, 4))
    weights = rng.uniform(0.5, 2.0, size=(3,))
    return q / q.sum(axis=-1, keepdims=True), _distribution(rng, (3, 4)), {"weights": weights}


def _index(rng: np.random.Generator) -> Data:
    labels = rng.integers(0, 5, size=(6,))
    labels[[1, 4]] = -100  # ignored positions
    return rng.normal(size=(6, 5)), labels, {}


def _index_channels_first(rng: np.random.Generator) -> Data:
    labels = rng.integers(0, 4, size=(2, 3))
    labels[0, 1] = 255
    weights = rng.uniform(0.5, 2.0, size=(2, 3))
    return rng.normal(size=(2, 4, 3)), labels, {"weights": weights}


def _index_alpha(rng: np.random.Generator) -> Data:
    logits, labels, _ = _index(rng)
    return logits, labels, {"alpha": rng.uniform(0.25, 1.0, size=(5,))}


def _probs(rng: np.random.Generator) -> Data:
    return rng.normal(size=(4, 5)), _softmax(rng.normal(size=(4, 5))), {}


def _onehot_weighted(rng: np.random.Generator) -> Data:
    import numpy as np

    labels = np.eye(5)[rng.integers(0, 5, size=(4,))]
    return rng.normal(size=(4, 5)), labels, {"weights": rng.uniform(0.5, 2.0, size=(4,))}


def _binary_soft_noisy_poly(rng: np.random.Generator) -> Data:
    labels = rng.uniform(0.1, 0.9, size=(3, 4))
    return rng.normal(size=(3, 4)), labels, {"weights": rng.uniform(0.5, 2.0, size=(4,))}


# -- adaptive to imbalance ---------------------------------------------------


def _long_tail_batch(seed: int, size: int = 8, classes: int = 4) -> tuple[Any, Any, Any]:
    """Logits, labels drawn 100:10:3:1 (one ignored), and the long-tailed counts."""
    import numpy as np

    rng = generator(seed)
    counts = np.array([1000.0, 100.0, 30.0, 10.0])[:classes]
    labels = rng.choice(classes, size=(size,), p=counts / counts.sum())
    labels[0] = classes - 1  # the rarest class is present
    labels[3] = -100
    return 2.0 * rng.normal(size=(size, classes)), labels, counts


def _logit_adjusted_cases() -> list[Case]:
    import numpy as np

    logits, labels, counts = _long_tail_batch(50)
    safe = np.where(labels < 0, 0, labels)
    priors = counts / counts.sum()
    return [
        Case("priors, mean", (logits, safe), {"class_priors": priors}),
        Case(
            "counts, tau=0.5, ignore_index, none",
            (logits, labels),
            {"class_priors": counts, "tau": 0.5, "ignore_index": -100, "reduction": "none"},
        ),
        Case(
            "class_weights, ignore_index, sum",
            (logits, labels),
            {
                "class_priors": priors,
                "class_weights": np.array([0.5, 1.0, 2.0, 3.0]),
                "ignore_index": -100,
                "reduction": "sum",
            },
        ),
        Case(
            "axis=1",
            (np.moveaxis(np.reshape(logits, (2, 4, 4)), 1, 2), np.reshape(safe, (2, 4))),
            {"class_priors": priors, "axis": 1},
        ),
    ]


def _ldam_cases() -> list[Case]:
    import numpy as np

    logits, labels, counts = _long_tail_batch(51)
    cosine = np.tanh(logits)  # the paper's normalised logits
    return [
        Case("counts, mean", (cosine, np.where(labels < 0, 0, labels)), {"class_counts": counts}),
        Case(
            "max_margin=1, scale=10, ignore_index, none",
            (cosine, labels),
            {
                "class_counts": counts,
                "max_margin": 1.0,
                "scale": 10.0,
                "ignore_index": -100,
                "reduction": "none",
            },
        ),
        Case(
            "a zero count, DRW class_weights, ignore_index",
            (cosine, labels),
            {
                "class_counts": np.array([1000.0, 100.0, 0.0, 10.0]),
                "class_weights": np.array([0.1, 0.5, 1.0, 2.4]),
                "ignore_index": -100,
            },
        ),
    ]


def _seesaw_cases() -> list[Case]:
    import numpy as np

    logits, labels, _ = _long_tail_batch(52, size=10)
    return [
        Case("defaults (fresh state)", (logits, np.where(labels < 0, 0, labels))),
        Case(
            "p=0.5, q=1, ignore_index, none",
            (logits, labels),
            {"p": 0.5, "q": 1.0, "ignore_index": -100, "reduction": "none"},
            jit=True,
        ),
        Case(
            "mitigation only (q=0), sum",
            (logits, labels),
            {"q": 0.0, "ignore_index": -100, "reduction": "sum"},
        ),
        Case(
            "axis=1",
            (
                np.moveaxis(np.reshape(logits, (2, 5, 4)), 1, 2),
                np.reshape(np.where(labels < 0, 1, labels), (2, 5)),
            ),
            {"axis": 1},
        ),
    ]


def _automated_focal_cases() -> list[Case]:
    import numpy as np

    logits, labels, _ = _long_tail_batch(53, size=10)
    return [
        Case("defaults (fresh state)", (logits, np.where(labels < 0, 0, labels)), jit=True),
        Case(
            "momentum=0.5, ignore_index, none",
            (logits, labels),
            {"momentum": 0.5, "ignore_index": -100, "reduction": "none"},
        ),
        Case(
            "axis=1, sum",
            (
                np.moveaxis(np.reshape(logits, (2, 5, 4)), 1, 2),
                np.reshape(np.where(labels < 0, 2, labels), (2, 5)),
            ),
            {"axis": 1, "reduction": "sum"},
        ),
    ]


def _asymmetric_cases() -> list[Case]:
    import numpy as np

    rng = generator(54)
    logits = 3.0 * rng.normal(size=(4, 6))
    labels = (rng.uniform(size=(4, 6)) < 0.2).astype(np.float64)
    logits[0, :2] = [40.0, -40.0]  # saturated
    return [
        Case("defaults", (logits, labels)),
        Case(
            "gamma_pos=0.5, gamma_neg=2, clip=0.1, none",
            (logits, labels),
            {"gamma_pos": 0.5, "gamma_neg": 2.0, "clip": 0.1, "reduction": "none"},
        ),
        Case(
            "clip=0 (focal-like), weights, sum",
            (logits, labels),
            {
                "clip": 0.0,
                "gamma_neg": 1.0,
                "weights": rng.uniform(0.5, 2.0, size=(4, 6)),
                "reduction": "sum",
            },
        ),
    ]


def _multilabel(rng: np.random.Generator) -> Data:
    import numpy as np

    labels = (rng.uniform(size=(3, 5)) < 0.3).astype(np.float64)
    # |x| >= 0.5 away from logit(clip): the shifted branch is smooth around the draw
    return 2.0 * rng.normal(size=(3, 5)), labels, {}


def _uncertainty_cases() -> list[Case]:
    import numpy as np

    return [
        Case("three terms", (np.array([0.7, 0.2, 1.5]), np.array([0.0, -1.0, 0.5]))),
        Case("one term", (np.array([2.0]), np.array([np.log(4.0)]))),
    ]


def _loss_terms(rng: np.random.Generator) -> Data:
    return rng.uniform(0.1, 2.0, size=(3,)), rng.normal(size=(3,)), {}


def _index_priors(rng: np.random.Generator) -> Data:
    import numpy as np

    logits, labels, _ = _index(rng)
    return logits, labels, {"class_priors": rng.dirichlet(np.ones(5))}


def _index_counts(rng: np.random.Generator) -> Data:
    logits, labels, _ = _index(rng)
    return logits, labels, {"class_counts": rng.integers(1, 1000, size=(5,)).astype(float)}


LOSSES: tuple[LossInfo, ...] = (
    LossInfo(
        cross_entropy,
        _cross_entropy_cases,
        rows=(
            Row(
                "ce-balanced-smoothing",
                _class_index,
                {"class_weights": "balanced", "label_smoothing": 0.1, "ignore_index": -100},
            ),
            Row(
                "ce-ignore-smoothing",
                _class_index_foundation,
                {"ignore_index": -100, "label_smoothing": 0.1},
            ),
            Row(
                "ce-class-weights-ignore-smoothing",
                _class_index_weighted,
                {"ignore_index": -100, "label_smoothing": 0.2},
                jit=True,
                compile="inductor",
            ),
            Row(
                "ce-axis1-weights-none",
                _class_index_channels_first,
                {"axis": 1, "ignore_index": 255, "reduction": "none"},
                jit=True,
            ),
            Row("ce-probs-smoothing", _class_probs, {"label_smoothing": 0.1}, jit=True),
        ),
    ),
    LossInfo(
        binary_cross_entropy,
        _binary_cross_entropy_cases,
        rows=(
            Row(
                "bce-pos-weight-smoothing",
                _binary,
                {"pos_weight": 2.0, "label_smoothing": 0.1},
                compile="aot_eager",
            ),
            Row("bce-probs-weights", _binary_probs, {"from_logits": False}, jit=True),
        ),
    ),
    LossInfo(
        focal_loss,
        _focal_cases,
        rows=(
            Row(
                "focal-lam-gamma-half",
                _class_index_alpha,
                {"lam": 1.5, "gamma": 0.5, "ignore_index": -100},
                jit=True,
            ),
            Row(
                "focal-smoothing-balanced-lam",
                _class_index,
                {
                    "label_smoothing": 0.1,
                    "class_weights": "balanced",
                    "lam": 2.0,
                    "ignore_index": -100,
                },
                jit=True,
            ),
            Row(
                "focal-probs-smoothing-lam-none",
                _class_probs_classification_extra,
                {"label_smoothing": 0.2, "lam": 1.25, "gamma": 0.7, "reduction": "none"},
            ),
            Row(
                "focal-ignore",
                _class_index_foundation,
                {"gamma": 2.0, "ignore_index": -100},
                jit=True,
                compile="aot_eager",
            ),
            Row("focal-probs-gamma-half", _class_probs, {"gamma": 0.5}),
        ),
    ),
    LossInfo(
        binary_focal_loss,
        _binary_focal_cases,
        rows=(
            Row("binary-focal", _binary, {"gamma": 2.0, "alpha": 0.25}, compile="inductor"),
            Row(
                "binary-focal-soft-gamma-half",
                _binary_soft,
                {"gamma": 0.5, "alpha": None, "reduction": "none"},
                jit=True,
            ),
            Row("binary-focal-probs", _binary_probs, {"from_logits": False, "gamma": 1.5}),
        ),
    ),
    LossInfo(
        nll_loss,
        _nll_cases,
        rows=(
            Row(
                "nll-axis1-cw-ignore",
                _nll_index,
                {"axis": 1, "ignore_index": -100},
                jit=True,
                compile="aot_eager",
            ),
            Row("nll-probs-none", _nll_probs, {"reduction": "none"}),
            Row(
                "nll-balanced-sum",
                _nll_index_balanced,
                {"axis": 1, "ignore_index": -100, "class_weights": "balanced", "reduction": "sum"},
            ),
        ),
    ),
    LossInfo(
        class_weights_from_counts,
        _class_weight_cases,
    ),
    LossInfo(
        hinge_loss,
        _hinge_cases,
        rows=(
            Row("hinge-01-weights", _binary01, compile="aot_eager"),
            Row(
                "hinge-pm1-margin-none",
                _binary_pm1,
                {"margin": 0.5, "reduction": "none"},
                jit=True,
            ),
        ),
    ),
    LossInfo(
        squared_hinge_loss,
        _squared_hinge_cases,
        rows=(
            Row("squared-hinge-01-weights", _binary01, compile="aot_eager"),
            Row("squared-hinge-pm1-sum", _binary_pm1, {"reduction": "sum"}, jit=True),
        ),
    ),
    LossInfo(
        multiclass_hinge_loss,
        _multiclass_hinge_cases,
        rows=(
            Row("mc-hinge-cs-ignore", _multiclass, {"ignore_index": -100}, compile="aot_eager"),
            Row(
                "mc-hinge-ww-ignore",
                _multiclass,
                {"ignore_index": -100, "kind": "weston_watkins", "margin": 0.5},
            ),
            Row(
                "mc-hinge-ww-axis1-cw-none",
                _multiclass_axis1,
                {"axis": 1, "kind": "weston_watkins", "reduction": "none"},
                jit=True,
            ),
        ),
    ),
    LossInfo(
        kl_divergence,
        _kl_cases,
        rows=(
            Row("kl-logits-zero-targets", _kl_logits, compile="aot_eager"),
            Row(
                "kl-probs-weights-none",
                _kl_probs,
                {"from_logits": False, "reduction": "none"},
                jit=True,
            ),
        ),
    ),
    LossInfo(
        js_divergence,
        _js_cases,
        rows=(
            Row("js-logits-zero-targets", _kl_logits, compile="aot_eager"),
            Row(
                "js-probs-weights-sum",
                _kl_probs,
                {"from_logits": False, "reduction": "sum"},
                jit=True,
            ),
        ),
    ),
    LossInfo(
        poly1_cross_entropy,
        _poly1_cross_entropy_cases,
        rows=(
            Row(
                "poly1-ce-ignore-smoothing",
                _index,
                {"ignore_index": -100, "label_smoothing": 0.1, "epsilon": 2.0},
                jit=True,
                compile="aot_eager",
            ),
            Row("poly1-ce-probs-eps-1", _probs, {"epsilon": -1.0}),
        ),
    ),
    LossInfo(
        poly1_focal_loss,
        _poly1_focal_cases,
        rows=(
            Row(
                "poly1-focal-alpha-ignore",
                _index_alpha,
                {"ignore_index": -100, "gamma": 1.5},
                compile="aot_eager",
            ),
            Row(
                "poly1-focal-axis1-none",
                _index_channels_first,
                {"axis": 1, "ignore_index": 255, "reduction": "none"},
            ),
            Row("poly1-focal-probs-gamma0.5", _probs, {"gamma": 0.5}),
            Row(
                "poly1-focal-smoothing-ignore",
                _index_alpha,
                {"ignore_index": -100, "gamma": 0.5, "label_smoothing": 0.1},
            ),
        ),
    ),
    LossInfo(
        binary_poly1_focal_loss,
        _binary_poly1_focal_cases,
        rows=(
            Row(
                "binary-poly1-focal-soft",
                _binary_soft_noisy_poly,
                {"epsilon": -1.0, "gamma": 0.5},
                compile="aot_eager",
            ),
        ),
    ),
    LossInfo(
        generalized_cross_entropy,
        _gce_cases,
        rows=(
            Row(
                "gce-ignore",
                _index,
                {"ignore_index": -100, "q": 0.7},
                jit=True,
                compile="aot_eager",
            ),
            Row(
                "gce-axis1-small-q-sum",
                _index_channels_first,
                {"axis": 1, "ignore_index": 255, "q": 0.01, "reduction": "sum"},
            ),
            Row("gce-probs", _probs, {"q": 0.5}),
        ),
    ),
    LossInfo(
        symmetric_cross_entropy,
        _sce_cases,
        rows=(
            Row(
                "sce-ignore",
                _index,
                {"ignore_index": -100, "alpha": 0.5, "beta": 1.0},
                compile="aot_eager",
            ),
            Row("sce-onehot-weights", _onehot_weighted, {"log_zero": -4.0}, jit=True),
        ),
    ),
    # -- adaptive to imbalance
    LossInfo(
        logit_adjusted_cross_entropy,
        _logit_adjusted_cases,
        rows=(
            Row(
                "logit-adjusted-ignore",
                _index_priors,
                {"ignore_index": -100},
                jit=True,
                compile="aot_eager",
            ),
            Row(
                "logit-adjusted-tau-none",
                _index_priors,
                {"ignore_index": -100, "tau": 0.5, "reduction": "none"},
            ),
        ),
    ),
    LossInfo(
        ldam_loss,
        _ldam_cases,
        rows=(
            Row(
                "ldam-ignore",
                _index_counts,
                {"ignore_index": -100, "scale": 5.0},
                jit=True,
                compile="aot_eager",
            ),
        ),
    ),
    LossInfo(
        seesaw_loss,
        _seesaw_cases,
        returns_state=True,
        state="state",
        # q = 0: the value is smooth in the logits (the compensation factor, held
        # constant by a stop-gradient, is what finite differences would see)
        rows=(Row("seesaw-mitigation", _index, {"q": 0.0, "ignore_index": -100}, jit=True),),
    ),
    LossInfo(
        automated_focal_loss,
        _automated_focal_cases,
        returns_state=True,
        state="state",
    ),
    LossInfo(
        asymmetric_loss,
        _asymmetric_cases,
        rows=(
            Row(
                "asl-no-clip-gamma-half",
                _multilabel,
                {"clip": 0.0, "gamma_pos": 0.5},
                jit=True,
                compile="aot_eager",
            ),
            Row("asl-none", _binary_soft, {"gamma_neg": 2.0, "reduction": "none"}),
        ),
    ),
    LossInfo(
        uncertainty_weighted_sum,
        _uncertainty_cases,
        rows=(Row("uncertainty-sum", _loss_terms, jit=True),),
    ),
)
