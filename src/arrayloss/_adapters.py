"""What the framework adapters (:mod:`arrayloss.torch`, :mod:`arrayloss.keras`) share.

The adapters are generated from the registry: every registered loss gets a class,
named from the function (``focal_loss`` -> ``FocalLoss``, ``cross_entropy`` ->
``CrossEntropyLoss``, ``giou_loss`` -> ``GIoULoss``), unless it is not a loss (a
metric, a distance map, a box utility, a factory), which :func:`not_applicable` says
with the reason. This module imports no framework.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from ._lib._case import LossInfo

__all__ = ["class_name", "hyperparameters", "keras_not_applicable", "not_applicable", "positional"]

# words spelt in capitals (or their usual mixed case) in a class name
_ACRONYMS = {
    "mse": "MSE",
    "mae": "MAE",
    "msle": "MSLE",
    "mape": "MAPE",
    "nll": "NLL",
    "kl": "KL",
    "js": "JS",
    "ce": "CE",
    "iou": "IoU",
    "giou": "GIoU",
    "diou": "DIoU",
    "ciou": "CIoU",
    "eiou": "EIoU",
    "siou": "SIoU",
    "mcc": "MCC",
    "er": "ER",
    "dt": "DT",
    "dou": "DoU",
    "cldice": "ClDice",
    "ctc": "CTC",
    "clip": "CLIP",
    "siglip": "SigLIP",
    "supcon": "SupCon",
    "ssim": "SSIM",
    "mmd": "MMD",
    "ldam": "LDAM",
    "gan": "GAN",
    "r1": "R1",
    "nce": "NCE",
    "xent": "XEnt",
    "nt": "NT",
}


def class_name(function_name: str) -> str:
    """``focal_loss`` -> ``FocalLoss``; a name that does not end in ``_loss`` gains ``Loss``."""
    words = [w for w in function_name.split("_") if w]
    name = "".join(_ACRONYMS.get(w, w.capitalize()) for w in words)
    return name if name.endswith("Loss") else name + "Loss"


def positional(function: Callable[..., Any]) -> list[str]:
    """The names of the arrays the function takes positionally (prediction, target, ...)."""
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [n for n, p in inspect.signature(function).parameters.items() if p.kind in kinds]


def hyperparameters(function: Callable[..., Any]) -> dict[str, inspect.Parameter]:
    """The keyword-only parameters: what an adapter takes at construction."""
    params = inspect.signature(function).parameters
    return {n: p for n, p in params.items() if p.kind is inspect.Parameter.KEYWORD_ONLY}


#: image-quality scores registered beside their losses, with the loss to train with
SIMILARITIES = {
    "ssim": "ssim_loss (1 - SSIM)",
    "ms_ssim": "ms_ssim_loss (1 - MS-SSIM)",
    "psnr": "a pixel loss (PSNR is -10 log10 of the MSE, up to a constant)",
}


def not_applicable(info: LossInfo) -> str | None:
    """Why ``info`` gets no adapter class, or ``None`` when it is a loss that gets one."""
    if info.family == "metrics":
        return (
            "a metric, not a loss: call the function (under torch.no_grad) or its streaming state"
        )
    if info.call is not None:
        return "a factory: wrap the loss it returns with LossModule / LossFunction"
    if "reduction" not in inspect.signature(info.function).parameters:
        return "a utility (a map, a box conversion or class weights), not a loss"
    if info.name in SIMILARITIES:
        # ssim -> "SSIMLoss" would also be ssim_loss's class name, and a module named
        # a loss must not return a score that training should raise
        return (
            "a similarity score (higher is better), not a loss: its loss is "
            f"{SIMILARITIES[info.name]}"
        )
    return None


def keras_not_applicable(info: LossInfo) -> str | None:
    """Why ``info`` gets no Keras loss class (Keras calls ``loss(y_true, y_pred)`` only)."""
    reason = not_applicable(info)
    if reason is not None:
        return reason
    if info.returns_state:
        return "returns (loss, new_state): Keras losses return a loss only"
    if len(positional(info.function)) != 2:
        return "takes other than two arrays; Keras passes (y_true, y_pred) only"
    return None
