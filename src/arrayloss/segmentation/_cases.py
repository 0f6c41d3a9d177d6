"""The registry of the segmentation losses: each loss with its small deterministic cases.

``arrayloss list``/``check``, the cross-cutting test suites and ``arrayloss bench``
read ``LOSSES``. Each :class:`~arrayloss._lib._case.LossInfo` holds the loss, a function
that builds its float64 NumPy cases, and the transformation rows (:class:`Row`: inputs
drawn from a seeded generator, smooth around the draw, so finite differences apply).
NumPy is imported inside the functions that build arrays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._lib._case import Case, Data, LossInfo, Row, generator

if TYPE_CHECKING:
    import numpy as np

from ..classification import focal_loss
from . import (
    active_boundary_loss,
    boundary_dou_loss,
    boundary_loss,
    cldice_loss,
    combine,
    combo_loss,
    conditional_boundary_loss,
    dice_ce_loss,
    dice_focal_loss,
    dice_loss,
    distance_map,
    distance_weighted_cross_entropy,
    exp_log_loss,
    focal_tversky_loss,
    generalized_dice_loss,
    generalized_wasserstein_dice_loss,
    hausdorff_dt_loss,
    hausdorff_er_loss,
    inverseform_loss,
    jaccard_loss,
    log_cosh_dice_loss,
    lovasz_hinge_loss,
    lovasz_softmax_loss,
    mcc_loss,
    rectified_region_wise_map,
    region_mutual_information_loss,
    region_wise_loss,
    robust_t_loss,
    sensitivity_specificity_loss,
    signed_distance_map,
    topk_loss,
    tversky_loss,
    unified_focal_loss,
)


def _dice_cases() -> list[Case]:
    import numpy as np

    rng = generator(7)
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


def _mask(seed: int, shape: tuple[int, ...]) -> Any:
    """A 0/1 float64 mask (floating, so the result keeps the input's dtype)."""
    return (generator(seed).random(shape) > 0.5).astype("float64")


def _logits(seed: int, shape: tuple[int, ...]) -> Any:
    """Logits, classes last: one class at 3, the others in [-1, 0] (no probability near 0.5)."""
    import numpy as np

    rng = generator(seed)
    x = rng.uniform(-1.0, 0.0, size=shape)
    win = rng.integers(0, shape[-1], size=shape[:-1])
    return np.where(np.eye(shape[-1])[win] > 0, 3.0, x)


def _labels(seed: int, shape: tuple[int, ...], classes: int) -> Any:
    return generator(seed).integers(0, classes, size=shape)


def _distance_cases() -> list[Case]:
    return [
        Case("2-D batch", (_mask(70, (2, 6, 7)),)),
        Case("3-D, anisotropic spacing", (_mask(71, (2, 4, 5, 3)),), {"spacing": (0.5, 1.0, 2.0)}),
        Case("one-hot (N, H, W, C), axes=(1, 2)", (_mask(72, (2, 5, 6, 3)),), {"axes": (1, 2)}),
    ]


def _signed_cases() -> list[Case]:
    return [
        Case("2-D batch", (_mask(73, (2, 6, 7)),)),
        Case("spacing, normalize", (_mask(74, (2, 6, 5)),), {"spacing": 0.5, "normalize": True}),
    ]


def _rrw_map_cases() -> list[Case]:
    return [
        Case("2-D batch", (_mask(75, (3, 6, 7)),)),
        Case("channels-first, axes=(2, 3)", (_mask(76, (2, 3, 5, 4)),), {"axes": (2, 3)}),
    ]


def _boundary_cases() -> list[Case]:
    import numpy as np

    labels = _labels(77, (2, 6, 7), 3)
    phi = np.asarray(_signed_map(np.eye(3)[labels]))
    weights = generator(78).uniform(0.5, 2.0, size=(2, 2))
    return [
        Case("multiclass, mean", (_logits(79, (2, 6, 7, 3)), phi)),
        Case(
            "weights (2, 2), none",
            (_logits(80, (2, 6, 7, 3)), phi),
            {"weights": weights, "reduction": "none"},
        ),
    ]


def _signed_map(one_hot: Any) -> Any:
    import arrayloss

    return arrayloss.signed_distance_map(one_hot, axes=(1, 2))


def _hausdorff_dt_cases() -> list[Case]:
    labels = _labels(81, (2, 6, 7), 3)
    return [
        Case("multiclass, mean", (_logits(82, (2, 6, 7, 3)), labels)),
        Case(
            "no background, spacing, none",
            (_logits(83, (2, 6, 7, 3)), labels),
            {"include_background": False, "spacing": (0.5, 2.0), "reduction": "none"},
        ),
    ]


def _hausdorff_er_cases() -> list[Case]:
    labels = _labels(84, (2, 6, 7), 3)
    return [
        Case("multiclass, mean", (_logits(85, (2, 6, 7, 3)), labels)),
        Case(
            "3-D, 4 erosions, none",
            (_logits(86, (1, 4, 5, 3, 2)), _labels(87, (1, 4, 5, 3), 2)),
            {"erosions": 4, "reduction": "none"},
        ),
    ]


def _region_wise_cases() -> list[Case]:
    labels = _labels(88, (2, 6, 7), 3)
    labels[0, 0] = -1
    return [
        Case(
            "multiclass, RRW map, mean", (_logits(89, (2, 6, 7, 3)), labels), {"ignore_index": -1}
        ),
        Case(
            "class weights, sum",
            (_logits(90, (2, 6, 7, 3)), labels),
            {
                "ignore_index": -1,
                "class_weights": generator(91).uniform(0.5, 2.0, size=(3,)),
                "reduction": "sum",
            },
        ),
    ]


def _blobs(seed: int, shape: tuple[int, ...], classes: int) -> Any:
    """Label maps with coherent regions: pixels some way from a boundary get weight."""
    import numpy as np

    noise = generator(seed).normal(size=(*shape, classes))
    for ax in (1, 2):
        noise = noise + np.roll(noise, 1, axis=ax) + np.roll(noise, -1, axis=ax)
    return np.argmax(noise, axis=-1)


def _active_boundary_cases() -> list[Case]:
    rng = generator(90)
    return [
        Case(
            "(N, H, W, C), labels, a quarter may seed",
            (rng.normal(size=(2, 7, 8, 3)), _blobs(91, (2, 7, 8), 3)),
            {"max_ratio": 0.25},
        ),
        Case(
            "axis=1, distance given, theta, none",
            (rng.normal(size=(2, 3, 6, 7)), _blobs(92, (2, 6, 7), 3)),
            {
                "axis": 1,
                "distance": rng.uniform(0.0, 5.0, size=(2, 6, 7)),
                "theta": 3.0,
                "max_ratio": None,
                "label_smoothing": 0.0,
                "reduction": "none",
            },
        ),
    ]


def _conditional_boundary_cases() -> list[Case]:
    rng = generator(93)
    labels = _blobs(94, (2, 9, 10), 3)
    logits = 2.0 * (labels[..., None] == rng.permutation(3)) + rng.normal(size=(2, 9, 10, 3))
    classifier = {
        "classifier_weight": rng.normal(size=(3, 4)),
        "classifier_bias": rng.normal(size=3),
    }
    return [
        Case(
            "(N, H, W, D) features, classifier",
            (rng.normal(size=(2, 9, 10, 4)), labels),
            {"logits": logits, **classifier},
        ),
        Case(
            "axis=1, kernel 3, no classification term, none",
            (rng.normal(size=(2, 4, 9, 10)), labels),
            {
                "logits": logits.transpose(0, 3, 1, 2),
                "axis": 1,
                "kernel_size": 3,
                "nce_weight": 0.0,
                "reduction": "none",
            },
        ),
    ]


def _seg(seed: int, c: int = 3) -> tuple[Any, Any]:
    rng = generator(seed)
    return rng.normal(0.0, 2.0, size=(2, 4, 5, c)), rng.integers(0, c, size=(2, 4, 5))


def _seg_cases(seed: int) -> list[Case]:
    logits, labels = _seg(seed)
    ignored = labels.copy()
    ignored[:, 0] = -100
    return [
        Case("multiclass, mean", (logits, labels)),
        Case("ignore_index, sum", (logits, ignored), {"ignore_index": -100, "reduction": "sum"}),
    ]


def _binary_cases(seed: int) -> list[Case]:
    rng = generator(seed)
    logits = rng.normal(size=(2, 1, 4, 5))
    labels = rng.integers(0, 2, size=(2, 4, 5))
    return [Case("binary, axis=1", (logits, labels), {"mode": "binary", "axis": 1})]


def _combine_cases() -> list[Case]:
    logits, labels = _seg(71)
    return [
        Case("dice_loss + 0.5 focal_loss", (logits, labels), {"gamma": 1.0}),
        Case(
            "axis=1, sum", (logits.transpose(0, 3, 1, 2), labels), {"axis": 1, "reduction": "sum"}
        ),
    ]


def _seg_pixel(seed: int, shape: tuple[int, ...] = (2, 4, 5, 3)) -> tuple[Any, Any]:
    """Channels-last logits (N, H, W, C) and integer labels (N, H, W)."""
    rng = generator(seed)
    logits = rng.normal(0.0, 2.0, size=shape)
    return logits, rng.integers(0, shape[-1], size=shape[:-1])


def _topk_cases() -> list[Case]:
    logits, labels = _seg_pixel(71)
    ignored = labels.copy()
    ignored[0, :2] = -100
    cw = generator(72).uniform(0.5, 2.0, size=(3,))
    return [
        Case("k=0.1, mean", (logits, labels)),
        Case(
            "k=0.25, ignore_index, none",
            (logits, ignored),
            {"k": 0.25, "ignore_index": -100, "reduction": "none"},
        ),
        Case("class_weights, sum", (logits, labels), {"class_weights": cw, "reduction": "sum"}),
    ]


def _dwce_cases() -> list[Case]:
    logits, labels = _seg_pixel(73)
    phi = generator(74).uniform(0.0, 3.0, size=labels.shape)
    return [
        Case("mean", (logits, labels, phi)),
        Case(
            "axis=1, none",
            (logits.transpose(0, 3, 1, 2), labels, phi),
            {"axis": 1, "reduction": "none"},
        ),
    ]


def _robust_t_cases() -> list[Case]:
    rng = generator(75)
    logits = rng.normal(size=(3, 4, 5))
    labels = rng.integers(0, 2, size=(3, 4, 5))
    return [
        Case("nu=1, mean", (logits, labels)),
        Case("nu=4, none", (logits, labels), {"nu": 4.0, "reduction": "none"}),
    ]


def _lovasz_softmax_cases() -> list[Case]:
    logits, labels = _seg_pixel(76)
    ignored = labels.copy()
    ignored[1, 0] = 255
    return [
        Case("present, pooled", (logits, labels)),
        Case(
            "all, per_image, none",
            (logits, labels),
            {"classes": "all", "per_image": True, "reduction": "none"},
        ),
        Case("ignore_index=255", (logits, ignored), {"ignore_index": 255}),
    ]


def _lovasz_hinge_cases() -> list[Case]:
    rng = generator(77)
    logits = rng.normal(size=(3, 4, 5))
    labels = rng.integers(0, 2, size=(3, 4, 5))
    return [
        Case("per_image, mean", (logits, labels)),
        Case("pooled", (logits, labels), {"per_image": False}),
        Case("none", (logits, labels), {"reduction": "none"}),
    ]


def _segmentation(seed: int) -> dict[str, Any]:
    """Channels-last multiclass logits with an ignored strip, a channels-first multilabel
    pair and a binary pair, plus a 3-D volume; class 2 is absent from sample 1."""
    import numpy as np

    rng = generator(seed)
    labels = rng.integers(0, 3, size=(2, 5, 5))
    labels[1] = np.minimum(labels[1], 1)
    ignored = labels.copy()
    ignored[0, 0, :2] = 255
    return {
        "logits": rng.normal(size=(2, 5, 5, 3)),
        "labels": labels,
        "ignored": ignored,
        "ml_logits": rng.normal(size=(2, 3, 4, 4)),
        "ml_labels": rng.integers(0, 2, size=(2, 3, 4, 4)).astype(np.float64),
        "bin_logits": rng.normal(size=(3, 1, 6)),
        "bin_labels": rng.integers(0, 2, size=(3, 6)).astype(np.float64),
        "vol_logits": rng.normal(size=(2, 2, 3, 3, 3)),
        "vol_labels": rng.integers(0, 3, size=(2, 2, 3, 3)),
    }


def _per_class_cases(seed: int, **hyper: Any) -> list[Case]:
    import numpy as np

    d = _segmentation(seed)
    return [
        Case("multiclass, int labels", (d["logits"], d["labels"]), dict(hyper)),
        Case(
            "ignore_index, no background, none",
            (d["logits"], d["ignored"]),
            {**hyper, "ignore_index": 255, "include_background": False, "reduction": "none"},
        ),
        Case(
            "multilabel, axis=1, class_weights",
            (d["ml_logits"], d["ml_labels"]),
            {**hyper, "mode": "multilabel", "axis": 1, "class_weights": np.array([1.0, 2.0, 0.5])},
        ),
        Case(
            "binary, axis=1, batch_dice",
            (d["bin_logits"], d["bin_labels"]),
            {**hyper, "mode": "binary", "axis": 1, "batch_dice": True},
        ),
        Case("3-D volume", (d["vol_logits"], d["vol_labels"]), dict(hyper)),
    ]


def _jaccard_cases() -> list[Case]:
    return _per_class_cases(40)


def _tversky_cases() -> list[Case]:
    return _per_class_cases(41, alpha=0.3, beta=0.7)


def _focal_tversky_cases() -> list[Case]:
    return _per_class_cases(42)


def _log_cosh_dice_cases() -> list[Case]:
    return _per_class_cases(43)


def _sensitivity_specificity_cases() -> list[Case]:
    return _per_class_cases(44)


def _mcc_cases() -> list[Case]:
    return _per_class_cases(45)


def _generalized_dice_cases() -> list[Case]:
    d = _segmentation(46)
    return [
        *_per_class_cases(46),
        Case(
            "weight_type=simple, none",
            (d["logits"], d["labels"]),
            {"weight_type": "simple", "reduction": "none"},
        ),
        Case("weight_type=uniform", (d["logits"], d["labels"]), {"weight_type": "uniform"}),
    ]


def _gwdl_cases() -> list[Case]:
    import numpy as np

    d = _segmentation(47)
    m = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.5], [1.0, 0.5, 0.0]])
    return [
        Case("default weighting", (d["logits"], d["labels"]), {"distance_matrix": m}),
        Case(
            "GDL weighting, ignore_index, none",
            (d["logits"], d["ignored"]),
            {
                "distance_matrix": m,
                "weighting_mode": "GDL",
                "ignore_index": 255,
                "reduction": "none",
            },
        ),
        Case(
            "3-D volume, batch_dice",
            (d["vol_logits"], d["vol_labels"]),
            {"distance_matrix": m, "batch_dice": True},
        ),
    ]


def _rmi_cases() -> list[Case]:
    """Channels-last multiclass with an ignored strip, channels-first multilabel with max
    pooling and sample weights, and a 3-D binary volume."""
    import numpy as np

    rng = generator(0)
    labels = rng.integers(0, 3, size=(2, 9, 9))
    labels[1, 0, :4] = 255
    return [
        Case(
            "multiclass, ignore_index, defaults",
            (rng.normal(size=(2, 9, 9, 3)), labels),
            {"ignore_index": 255},
        ),
        Case(
            "multilabel, axis=1, max pool, weights, none",
            (
                rng.normal(size=(2, 2, 8, 8)),
                rng.integers(0, 2, size=(2, 2, 8, 8)).astype(np.float64),
            ),
            {
                "mode": "multilabel",
                "axis": 1,
                "stride": 2,
                "radius": 2,
                "pool": "max",
                "weights": np.array([1.0, 0.5]),
                "reduction": "none",
            },
        ),
        Case(
            "binary 3-D volume, stride 1",
            (rng.normal(size=(1, 4, 4, 4, 1)), rng.integers(0, 2, size=(1, 4, 4, 4))),
            {"mode": "binary", "stride": 1, "radius": 2},
        ),
    ]


def _inputs(seed: int, spatial: tuple[int, ...], classes: int = 3) -> tuple[Any, Any]:
    """Channels-first logits (N, C, *spatial) and integer labels with coherent regions."""
    import numpy as np

    rng = generator(seed)
    logits = rng.normal(0.0, 2.0, size=(2, classes, *spatial))
    noise = rng.normal(size=(2, classes, *spatial))
    for ax in range(2, noise.ndim):  # smooth, so the masks have thick and thin parts
        noise = noise + np.roll(noise, 1, axis=ax) + np.roll(noise, -1, axis=ax)
    return logits, np.argmax(noise, axis=1)


def _common(seed: int, extra: Case) -> list[Case]:
    logits, labels = _inputs(seed, (8, 9))
    ignored = labels.copy()
    ignored[:, ::3, ::4] = 255
    logits3, labels3 = _inputs(seed + 1, (5, 6, 4), classes=2)
    logits3 = logits3[:, :1]  # one sigmoid channel; labels3 is a 0/1 mask
    weights = generator(seed + 2).uniform(0.5, 2.0, size=(2, 1))
    return [
        Case("multiclass 2-D, axis=1", (logits, labels), {"axis": 1}),
        Case(
            "ignore_index=255, no background, none",
            (logits, ignored),
            {"axis": 1, "ignore_index": 255, "include_background": False, "reduction": "none"},
        ),
        Case(
            "binary 3-D, weights (2, 1), sum",
            (logits3, labels3),
            {"axis": 1, "mode": "binary", "weights": weights, "reduction": "sum"},
        ),
        Case("batch_dice", (logits, labels), {"axis": 1, "batch_dice": True}),
        extra,
    ]


def _cldice_cases() -> list[Case]:
    logits, labels = _inputs(41, (8, 9))
    return _common(
        41,
        Case(
            "iterations=5, smooth=0", (logits, labels), {"axis": 1, "iterations": 5, "smooth": 0.0}
        ),
    )


def _bdou_cases() -> list[Case]:
    logits, labels = _inputs(42, (8, 9))
    return _common(42, Case("alpha_max=-0.5", (logits, labels), {"axis": 1, "alpha_max": -0.5}))


def _inverseform_cases() -> list[Case]:
    import numpy as np

    rng = generator(43)
    theta = np.eye(3) + 0.2 * rng.normal(size=(4, 3, 3))
    theta[1] = np.eye(3)  # exactly the identity: distance 0, gradient 0
    offsets = rng.normal(size=(9, 4))  # the released network's 4 coefficients per tile
    return [
        Case("matrix (4, 3, 3)", (theta,)),
        Case("matrix, none", (theta,), {"reduction": "none"}),
        Case("offsets (9, 4), sum", (offsets,), {"form": "offsets", "reduction": "sum"}),
    ]


def _dice_index(rng: np.random.Generator) -> Data:
    labels = rng.integers(0, 3, size=(2, 6))
    labels[1, 2] = -1
    return rng.normal(size=(2, 6, 3)), labels, {"class_weights": rng.uniform(0.5, 2.0, size=(3,))}


def _dice_onehot(rng: np.random.Generator) -> Data:
    import numpy as np

    labels = np.eye(3)[rng.integers(0, 3, size=(2, 6))]
    return rng.normal(size=(2, 6, 3)), labels, {}


def _dice_multilabel(rng: np.random.Generator) -> Data:
    labels = rng.integers(0, 2, size=(2, 3, 6))
    return rng.normal(size=(2, 3, 6)), labels, {}


def _dice_binary(rng: np.random.Generator) -> Data:
    import numpy as np

    labels = rng.integers(0, 2, size=(2, 5)).astype(np.float64)
    return rng.normal(size=(2, 5, 1)), labels, {"weights": rng.uniform(0.5, 2.0, size=(2, 1))}


def _logits_boundary(rng: np.random.Generator, shape: tuple[int, ...]) -> Any:
    # |logit| in [1, 3]: sigmoid/softmax probabilities stay away from the 0.5 threshold
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(1.0, 3.0, size=shape)


def _boundary(rng: np.random.Generator) -> Data:
    import numpy as np

    labels = rng.integers(0, 3, size=(2, 5, 6))
    phi = signed_distance_map(np.eye(3)[labels], axes=(1, 2))
    return _logits_boundary(rng, (2, 5, 6, 3)), phi, {}


def _boundary_binary(rng: np.random.Generator) -> Data:
    mask = rng.integers(0, 2, size=(2, 5, 6))
    phi = signed_distance_map(mask, spacing=(0.5, 1.5))
    return (
        _logits_boundary(rng, (2, 1, 5, 6)),
        phi,
        {"weights": rng.uniform(0.5, 2.0, size=(2, 1))},
    )


def _multiclass(rng: np.random.Generator) -> Data:
    labels = rng.integers(0, 3, size=(2, 5, 6))
    return _softmax_safe(rng, (2, 5, 6, 3)), labels, {}


def _softmax_safe(rng: np.random.Generator, shape: tuple[int, ...]) -> Any:
    """Multiclass logits (classes last): one class at 3 plus noise, the others in [-1, 0].

    Its softmax probability is above 0.85 and the others below 0.1: none near 0.5.
    """
    import numpy as np

    x = rng.uniform(-1.0, 0.0, size=shape)
    win = rng.integers(0, shape[-1], size=shape[:-1])
    return np.where(np.eye(shape[-1])[win] > 0, 3.0 + rng.uniform(0.0, 0.5, size=shape), x)


def _multiclass_ignore(rng: np.random.Generator) -> Data:
    logits, labels, _ = _multiclass(rng)
    labels[0, 1, ::2] = -1
    return logits, labels, {"class_weights": rng.uniform(0.5, 2.0, size=(3,))}


def _multilabel_first(rng: np.random.Generator) -> Data:
    labels = rng.integers(0, 2, size=(2, 2, 5, 4))
    return _logits_boundary(rng, (2, 2, 5, 4)), labels, {}


def _volume(rng: np.random.Generator) -> Data:
    labels = rng.integers(0, 2, size=(1, 3, 4, 3))
    return _softmax_safe(rng, (1, 3, 4, 3, 2)), labels, {}


def _rrwmap(rng: np.random.Generator) -> Data:
    logits, labels, _ = _multiclass(rng)
    return logits, labels, {"rrwmap": rng.uniform(-1.0, 1.0, size=logits.shape)}


def _blobs_boundary_survey(rng: np.random.Generator, shape: tuple[int, ...], classes: int) -> Any:
    import numpy as np

    noise = rng.normal(size=(*shape, classes))
    for ax in (1, 2):
        noise = noise + np.roll(noise, 1, axis=ax) + np.roll(noise, -1, axis=ax)
    return np.argmax(noise, axis=-1)


def _abl(rng: np.random.Generator) -> Data:
    labels = _blobs_boundary_survey(rng, (2, 6, 7), 3)
    return rng.normal(0.0, 1.5, size=(2, 6, 7, 3)), labels, {}


def _abl_first_ignore(rng: np.random.Generator) -> Data:
    labels = _blobs_boundary_survey(rng, (2, 6, 7), 3)
    labels[1, 2, 3] = -1
    extra = {"distance": rng.uniform(0.5, 4.0, size=(2, 6, 7))}
    extra["weights"] = rng.uniform(0.5, 2.0, size=(2, 6, 7))
    return rng.normal(0.0, 1.5, size=(2, 3, 6, 7)), labels, extra


def _cbl(rng: np.random.Generator) -> Data:
    import numpy as np

    labels = _blobs_boundary_survey(rng, (2, 8, 9), 3)
    logits = 2.0 * (labels[..., None] == np.arange(3)) + rng.normal(size=(2, 8, 9, 3))
    extra = {
        "logits": logits,
        "classifier_weight": rng.normal(size=(3, 4)),
        "classifier_bias": rng.normal(size=3),
    }
    return rng.normal(size=(2, 8, 9, 4)), labels, extra


def _cbl_first_ignore(rng: np.random.Generator) -> Data:
    import numpy as np

    labels = _blobs_boundary_survey(rng, (2, 8, 9), 3)
    labels[0, 3, 4] = -1
    logits = 2.0 * (labels[..., None] == np.arange(3)) + rng.normal(size=(2, 8, 9, 3))
    extra = {"logits": np.moveaxis(logits, -1, 1), "classifier_weight": rng.normal(size=(3, 5))}
    return rng.normal(size=(2, 5, 8, 9)), labels, extra


def _nhwc(rng: np.random.Generator) -> Data:
    logits = rng.normal(0.0, 1.5, size=(2, 3, 4, 3))
    return logits, rng.integers(0, 3, size=(2, 3, 4)), {}


def _nchw_ignore(rng: np.random.Generator) -> Data:
    logits = rng.normal(0.0, 1.5, size=(2, 3, 3, 4))
    labels = rng.integers(0, 3, size=(2, 3, 4))
    labels[0, 0, :2] = -100
    return logits, labels, {}


def _weighted(rng: np.random.Generator) -> Data:
    logits, labels, _ = _nhwc(rng)
    return logits, labels, {"class_weights": rng.uniform(0.5, 2.0, size=(3,))}


def _multilabel(rng: np.random.Generator) -> Data:
    import numpy as np

    logits = rng.normal(0.0, 1.5, size=(2, 3, 3, 4))
    return logits, rng.integers(0, 2, size=(2, 3, 3, 4)).astype(np.float64), {}


def _binary(rng: np.random.Generator) -> Data:
    logits = rng.normal(0.0, 1.5, size=(2, 1, 3, 4))
    return logits, rng.integers(0, 2, size=(2, 3, 4)), {}


def _distance(rng: np.random.Generator) -> Data:
    logits, labels, _ = _nhwc(rng)
    return logits, labels, {"distance_map": rng.uniform(0.0, 3.0, size=labels.shape)}


def _binary_pixel(rng: np.random.Generator) -> Data:
    logits = rng.normal(0.0, 1.5, size=(3, 4, 5))
    return logits, rng.integers(0, 2, size=(3, 4, 5)), {}


def _distance_matrix() -> Any:
    """Ground distances between 3 classes for the Wasserstein Dice rows."""
    import numpy as np

    return np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.4], [1.0, 0.4, 0.0]])


def _index(rng: np.random.Generator) -> Data:
    """(N=2, H=3, W=2, C=3) logits, integer labels with one ignored position."""
    labels = rng.integers(0, 3, size=(2, 3, 2))
    labels[1, 0, 1] = -1
    return rng.normal(size=(2, 3, 2, 3)), labels, {}


def _index_class_weights(rng: np.random.Generator) -> Data:
    logits, labels, _ = _index(rng)
    return logits, labels, {"class_weights": rng.uniform(0.5, 2.0, size=(3,))}


def _channels_first(rng: np.random.Generator) -> Data:
    """(N=2, C=3, S=5) logits, integer labels, per-sample weights."""
    labels = rng.integers(0, 3, size=(2, 5))
    return rng.normal(size=(2, 3, 5)), labels, {"weights": rng.uniform(0.5, 2.0, size=(2, 1))}


def _multilabel_region(rng: np.random.Generator) -> Data:
    import numpy as np

    return rng.normal(size=(2, 3, 6)), rng.integers(0, 2, size=(2, 3, 6)).astype(np.float64), {}


def _binary_region(rng: np.random.Generator) -> Data:
    import numpy as np

    return rng.normal(size=(2, 5, 1)), rng.integers(0, 2, size=(2, 5)).astype(np.float64), {}


def _onehot_volume(rng: np.random.Generator) -> Data:
    """(N=2, D=2, H=2, W=2, C=3) volume with one-hot float targets."""
    import numpy as np

    labels = np.eye(3)[rng.integers(0, 3, size=(2, 2, 2, 2))]
    return rng.normal(size=(2, 2, 2, 2, 3)), labels, {}


def _sample_weights(rng: np.random.Generator) -> Data:
    logits, labels, _ = _index(rng)
    return logits, labels, {"weights": rng.uniform(0.5, 2.0, size=(2,))}


def _gwdl(rng: np.random.Generator) -> Data:
    logits, labels, _ = _index(rng)
    return logits, labels, {"distance_matrix": _distance_matrix()}


def _gwdl_first(rng: np.random.Generator) -> Data:
    labels = rng.integers(0, 3, size=(2, 5))
    return rng.normal(size=(2, 3, 5)), labels, {"distance_matrix": 2.0 * _distance_matrix()}


def _index_rmi(rng: np.random.Generator) -> Data:
    """(N=2, H=6, W=5, C=2) logits, integer labels with one ignored position."""
    labels = rng.integers(0, 2, size=(2, 6, 5))
    labels[1, 0, 1] = -1
    return rng.normal(size=(2, 6, 5, 2)), labels, {}


def _channels_first_rmi(rng: np.random.Generator) -> Data:
    """(N=2, C=2, H=6, W=6) multilabel logits, per-sample weights."""
    import numpy as np

    labels = rng.integers(0, 2, size=(2, 2, 6, 6)).astype(np.float64)
    return rng.normal(size=(2, 2, 6, 6)), labels, {"weights": rng.uniform(0.5, 2.0, size=(2,))}


def _multiclass_2d(rng: np.random.Generator) -> Data:
    labels = rng.integers(0, 3, size=(2, 5, 6))
    labels[0, 1, 2] = -1  # ignored
    return rng.normal(size=(2, 3, 5, 6)), labels, {}


def _binary_3d(rng: np.random.Generator) -> Data:
    import numpy as np

    labels = rng.integers(0, 2, size=(2, 4, 3, 5, 1)).astype(np.float64)
    return rng.normal(size=(2, 4, 3, 5, 1)), labels, {"weights": rng.uniform(0.5, 2.0, (2, 1))}


def _multilabel_nhwc(rng: np.random.Generator) -> Data:
    labels = rng.integers(0, 2, size=(2, 5, 4, 2))
    return rng.normal(size=(2, 5, 4, 2)), labels, {"class_weights": rng.uniform(0.5, 2.0, (2,))}


def _transform(rng: np.random.Generator) -> Data:
    # InverseForm takes one array: no target
    import numpy as np

    theta = np.eye(3) + 0.3 * rng.normal(size=(4, 3, 3))
    return theta, None, {"weights": rng.uniform(0.5, 2.0, size=(4,))}


LOSSES: tuple[LossInfo, ...] = (
    LossInfo(
        dice_loss,
        _dice_cases,
        rows=(
            Row(
                "dice-multiclass-ignore-class-weights",
                _dice_index,
                {"ignore_index": -1, "include_background": False},
                jit=True,
                compile="aot_eager",
            ),
            Row("dice-onehot-batch", _dice_onehot, {"batch_dice": True, "smooth": 1.0}),
            Row(
                "dice-multilabel-none",
                _dice_multilabel,
                {"mode": "multilabel", "axis": 1, "reduction": "none"},
                jit=True,
            ),
            Row("dice-binary-weights", _dice_binary, {"mode": "binary"}),
        ),
    ),
    LossInfo(
        distance_map,
        _distance_cases,
        static=("spacing",),
    ),
    LossInfo(
        signed_distance_map,
        _signed_cases,
        static=("spacing",),
    ),
    LossInfo(
        rectified_region_wise_map,
        _rrw_map_cases,
        static=("spacing",),
    ),
    LossInfo(
        boundary_loss,
        _boundary_cases,
        rows=(
            Row("boundary", _boundary, jit=True, compile="aot_eager"),
            Row("boundary-binary-axis1", _boundary_binary, {"mode": "binary", "axis": 1}),
        ),
    ),
    LossInfo(
        hausdorff_dt_loss,
        _hausdorff_dt_cases,
        rows=(
            Row(
                "hausdorff-dt",
                _multiclass,
                {"include_background": False},
                jit=True,
                compile="aot_eager",
            ),
            Row(
                "hausdorff-dt-multilabel-none",
                _multilabel_first,
                {"mode": "multilabel", "axis": 1, "alpha": 1.0, "reduction": "none"},
            ),
            Row(
                "hausdorff-dt-ignore-cw",
                _multiclass_ignore,
                {"ignore_index": -1, "spacing": (0.7, 1.2)},
            ),
        ),
        static=("spacing",),
    ),
    LossInfo(
        hausdorff_er_loss,
        _hausdorff_er_cases,
        rows=(
            Row("hausdorff-er", _multiclass, {"erosions": 3}, compile="aot_eager"),
            Row("hausdorff-er-3d-none", _volume, {"erosions": 2, "reduction": "none"}, jit=True),
        ),
    ),
    LossInfo(
        region_wise_loss,
        _region_wise_cases,
        rows=(
            Row(
                "region-wise",
                _multiclass_ignore,
                {"ignore_index": -1},
                jit=True,
                compile="aot_eager",
            ),
            Row("region-wise-rrwmap-sum", _rrwmap, {"reduction": "sum"}),
            Row("region-wise-3d", _volume, {"include_background": False}),
        ),
    ),
    LossInfo(
        active_boundary_loss,
        _active_boundary_cases,
        rows=(
            Row(
                "active-boundary",
                _abl,
                {"max_ratio": 0.3, "theta": 2.0, "detach": False},
                jit=True,
                compile="aot_eager",
            ),
            Row(
                "active-boundary-axis1-ignore-distance",
                _abl_first_ignore,
                {
                    "axis": 1,
                    "ignore_index": -1,
                    "theta": 2.0,
                    "max_ratio": None,
                    "epsilon": 0.05,
                    "detach": False,
                },
            ),
        ),
        static=("max_ratio",),
    ),
    LossInfo(
        conditional_boundary_loss,
        _conditional_boundary_cases,
        rows=(
            Row("conditional-boundary", _cbl, {"detach": False}, jit=True, compile="aot_eager"),
            Row(
                "conditional-boundary-axis1-ignore-k3",
                _cbl_first_ignore,
                {"axis": 1, "ignore_index": -1, "kernel_size": 3, "detach": False},
            ),
        ),
        static=("dilation_ratio",),
    ),
    LossInfo(
        combine,
        _combine_cases,
        rows=(
            Row("combine-dice-focal", _nhwc, {"gamma": 1.0}, compile="aot_eager"),
            Row(
                "combine-dice-focal-nchw-ignore",
                _nchw_ignore,
                {"axis": 1, "ignore_index": -100, "smooth": 0.5},
            ),
        ),
        call=lambda: combine((dice_loss, 1.0), (focal_loss, 0.5)),
    ),
    LossInfo(
        dice_ce_loss,
        lambda: _seg_cases(72) + _binary_cases(73),
        rows=(
            Row("dice-ce", _nhwc, jit=True, compile="aot_eager"),
            Row(
                "dice-ce-nchw-ignore-sum",
                _nchw_ignore,
                {"axis": 1, "ignore_index": -100, "reduction": "sum", "lambda_ce": 0.5},
            ),
            Row("dice-ce-weighted", _weighted, {"include_background": False}),
        ),
    ),
    LossInfo(
        dice_focal_loss,
        lambda: _seg_cases(74) + _binary_cases(75),
        rows=(
            Row("dice-focal", _nhwc, {"gamma": 1.5}, compile="aot_eager"),
            Row(
                "dice-focal-multilabel",
                _multilabel,
                {"mode": "multilabel", "axis": 1, "batch_dice": True},
            ),
        ),
    ),
    LossInfo(
        combo_loss,
        lambda: _seg_cases(76) + _binary_cases(77),
        rows=(
            Row("combo", _nhwc, {"beta": 0.7}, jit=True, compile="aot_eager"),
            Row(
                "combo-nchw-ignore-no-background",
                _nchw_ignore,
                {"axis": 1, "ignore_index": -100, "include_background": False},
            ),
            Row("combo-multilabel", _multilabel, {"mode": "multilabel", "axis": 1}),
        ),
    ),
    LossInfo(
        exp_log_loss,
        lambda: _seg_cases(78),
        rows=(
            Row("exp-log", _nhwc, compile="aot_eager"),
            Row(
                "exp-log-nchw-ignore-sum",
                _nchw_ignore,
                {"axis": 1, "ignore_index": -100, "reduction": "sum", "gamma": 0.5},
            ),
            Row("exp-log-class-weights", _weighted),
        ),
    ),
    LossInfo(
        unified_focal_loss,
        lambda: _seg_cases(79) + _binary_cases(80),
        rows=(
            Row("unified-focal", _nhwc, jit=True, compile="aot_eager"),
            Row(
                "unified-focal-symmetric-ignore",
                _nchw_ignore,
                {"axis": 1, "ignore_index": -100, "symmetric": True},
            ),
            Row("unified-focal-binary", _binary, {"mode": "binary", "axis": 1}),
        ),
    ),
    LossInfo(
        topk_loss,
        _topk_cases,
        rows=(
            Row("topk", _nhwc, {"k": 0.3}, jit=True, compile="aot_eager"),
            Row(
                "topk-nchw-ignore-none",
                _nchw_ignore,
                {"k": 0.5, "axis": 1, "ignore_index": -100, "reduction": "none"},
            ),
            Row("topk-class-weights", _weighted, {"k": 0.4, "label_smoothing": 0.1}),
        ),
        static=("k",),
    ),
    LossInfo(
        distance_weighted_cross_entropy,
        _dwce_cases,
        rows=(
            Row("distance-ce", _distance, compile="aot_eager"),
            Row("distance-ce-none", _distance, {"reduction": "none", "label_smoothing": 0.1}),
        ),
    ),
    LossInfo(
        robust_t_loss,
        _robust_t_cases,
        rows=(
            Row("robust-t", _binary_pixel, jit=True, compile="aot_eager"),
            Row("robust-t-nu4-none", _binary_pixel, {"nu": 4.0, "reduction": "none"}),
        ),
    ),
    LossInfo(
        lovasz_softmax_loss,
        _lovasz_softmax_cases,
        rows=(
            Row("lovasz-softmax", _nhwc, jit=True, compile="aot_eager"),
            Row(
                "lovasz-softmax-nchw-ignore-per-image",
                _nchw_ignore,
                {"axis": 1, "ignore_index": -100, "per_image": True, "classes": "all"},
            ),
        ),
    ),
    LossInfo(
        lovasz_hinge_loss,
        _lovasz_hinge_cases,
        rows=(
            Row("lovasz-hinge", _binary_pixel, compile="aot_eager"),
            Row("lovasz-hinge-pooled", _binary_pixel, {"per_image": False}),
        ),
    ),
    LossInfo(
        jaccard_loss,
        _jaccard_cases,
        rows=(
            Row(
                "jaccard-ignore-class-weights",
                _index_class_weights,
                {"ignore_index": -1, "include_background": False},
                jit=True,
                compile="aot_eager",
            ),
            Row("jaccard-multilabel-none", _multilabel_region, {"mode": "multilabel"}),
        ),
    ),
    LossInfo(
        tversky_loss,
        _tversky_cases,
        rows=(
            Row(
                "tversky-axis1-weights",
                _channels_first,
                {"alpha": 0.3, "beta": 0.7, "axis": 1},
                compile="aot_eager",
            ),
            Row("tversky-binary-batch", _binary_region, {"mode": "binary", "batch_dice": True}),
        ),
    ),
    LossInfo(
        focal_tversky_loss,
        _focal_tversky_cases,
        rows=(
            Row(
                "focal-tversky-ignore",
                _index,
                {"ignore_index": -1, "reduction": "none"},
                jit=True,
                compile="aot_eager",
            ),
            Row("focal-tversky-volume", _onehot_volume, {"gamma": 0.5}),
        ),
    ),
    LossInfo(
        log_cosh_dice_loss,
        _log_cosh_dice_cases,
        rows=(
            Row("log-cosh-dice", _onehot_volume, compile="aot_eager"),
            Row(
                "log-cosh-dice-multilabel-batch",
                _multilabel_region,
                {"mode": "multilabel", "axis": 1, "batch_dice": True},
            ),
        ),
    ),
    LossInfo(
        generalized_dice_loss,
        _generalized_dice_cases,
        rows=(
            Row(
                "generalized-dice-ignore-weights",
                _sample_weights,
                {"ignore_index": -1},
                compile="aot_eager",
            ),
            Row(
                "generalized-dice-simple-volume-batch",
                _onehot_volume,
                {"weight_type": "simple", "batch_dice": True},
            ),
        ),
    ),
    LossInfo(
        generalized_wasserstein_dice_loss,
        _gwdl_cases,
        rows=(
            Row(
                "gwdl-ignore",
                _gwdl,
                {"ignore_index": -1, "reduction": "none"},
                jit=True,
                compile="aot_eager",
            ),
            Row("gwdl-gdl-axis1", _gwdl_first, {"weighting_mode": "GDL", "axis": 1}),
        ),
    ),
    LossInfo(
        sensitivity_specificity_loss,
        _sensitivity_specificity_cases,
        rows=(
            Row(
                "sensitivity-specificity-ignore",
                _index,
                {"ignore_index": -1, "r": 0.2},
                compile="aot_eager",
            ),
            Row(
                "sensitivity-specificity-multilabel-none",
                _multilabel_region,
                {"mode": "multilabel", "axis": 1, "reduction": "none"},
            ),
        ),
    ),
    LossInfo(
        mcc_loss,
        _mcc_cases,
        rows=(
            Row("mcc-ignore", _index, {"ignore_index": -1}, jit=True, compile="aot_eager"),
            Row("mcc-binary-none", _binary_region, {"mode": "binary", "reduction": "none"}),
        ),
    ),
    LossInfo(
        region_mutual_information_loss,
        _rmi_cases,
        rows=(
            Row(
                "rmi-ignore-avg",
                _index_rmi,
                {"ignore_index": -1, "stride": 2, "radius": 2},
                jit=True,
                compile="aot_eager",
            ),
            Row(
                "rmi-multilabel-axis1-max",
                _channels_first_rmi,
                {"mode": "multilabel", "axis": 1, "stride": 2, "radius": 2, "pool": "max"},
            ),
        ),
    ),
    LossInfo(
        cldice_loss,
        _cldice_cases,
        rows=(
            Row(
                "cldice-multiclass-ignore",
                _multiclass_2d,
                {"axis": 1, "ignore_index": -1, "iterations": 2},
                compile="aot_eager",
            ),
            Row(
                "cldice-binary-3d-none",
                _binary_3d,
                {"mode": "binary", "iterations": 1, "reduction": "none"},
            ),
            Row(
                "cldice-multilabel-batch",
                _multilabel_nhwc,
                {"mode": "multilabel", "batch_dice": True, "iterations": 1, "smooth": 0.5},
            ),
        ),
    ),
    LossInfo(
        boundary_dou_loss,
        _bdou_cases,
        rows=(
            Row(
                "bdou-multiclass-ignore",
                _multiclass_2d,
                {"axis": 1, "ignore_index": -1, "include_background": False},
                jit=True,
                compile="aot_eager",
            ),
            Row("bdou-binary-3d", _binary_3d, {"mode": "binary"}),
            Row(
                "bdou-multilabel-batch-none",
                _multilabel_nhwc,
                {"mode": "multilabel", "batch_dice": True, "alpha_max": 0.5, "reduction": "none"},
                jit=True,
            ),
        ),
    ),
    LossInfo(
        inverseform_loss,
        _inverseform_cases,
        rows=(Row("inverseform-matrix-weights", _transform, {}, jit=True, compile="aot_eager"),),
    ),
)
