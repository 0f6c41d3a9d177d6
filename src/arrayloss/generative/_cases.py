"""The registry of the generative, distribution and image-quality losses: each loss with
its small deterministic cases and its transformation rows.

NumPy is imported inside the functions that build arrays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lib._case import Case, Data, LossInfo, Row, generator
from . import (
    gan_discriminator_loss,
    gan_generator_loss,
    gaussian_kl,
    gradient_penalty,
    mmd,
    ms_ssim,
    ms_ssim_loss,
    perceptual_loss,
    psnr,
    r1_penalty,
    random_projections,
    sinkhorn_divergence,
    sliced_wasserstein,
    ssim,
    ssim_loss,
    style_loss,
    total_variation_loss,
    wasserstein_1d,
)

if TYPE_CHECKING:
    import numpy as np

KINDS = ("non_saturating", "least_squares", "hinge", "wasserstein", "relativistic_average")


def _kl_cases() -> list[Case]:
    import numpy as np

    rng = generator(1)
    mean, log_var = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    return [
        Case("standard prior", (mean, log_var)),
        Case(
            "prior (3,), free_bits, none",
            (mean, log_var),
            {
                "prior_mean": np.array([0.5, -0.5, 0.0]),
                "prior_log_var": 0.3,
                "free_bits": 0.2,
                "reduction": "none",
            },
        ),
        Case(
            "axis=1 latents, weights, sum",
            (rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 3, 4))),
            {"axis": 1, "weights": rng.uniform(0.5, 2.0, size=(2, 4)), "reduction": "sum"},
        ),
    ]


def _kl_row(rng: np.random.Generator) -> Data:
    return rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), {}


def _gan_d_cases() -> list[Case]:
    rng = generator(2)
    real, fake = 2.0 * rng.normal(size=(5,)), 2.0 * rng.normal(size=(5,))
    cases = [Case(kind, (real, fake), {"kind": kind}) for kind in KINDS]
    cases.append(
        Case(
            "hinge, weights, none",
            (real, fake),
            {"kind": "hinge", "weights": rng.uniform(0.5, 2.0, size=(5,)), "reduction": "none"},
        )
    )
    return cases


def _gan_row(rng: np.random.Generator) -> Data:
    return 1.5 * rng.normal(size=(6,)), 1.5 * rng.normal(size=(6,)), {}


def _gan_g_cases() -> list[Case]:
    rng = generator(3)
    fake = 2.0 * rng.normal(size=(5,))
    cases = [Case(kind, (fake,), {"kind": kind}) for kind in KINDS[:-1]]
    cases.append(
        Case(
            "relativistic_average, sum",
            (fake,),
            {
                "kind": "relativistic_average",
                "real_logits": 2.0 * rng.normal(size=(5,)),
                "reduction": "sum",
            },
        )
    )
    return cases


def _gan_g_row(rng: np.random.Generator) -> Data:
    return 1.5 * rng.normal(size=(6,)), None, {}


def _grads_cases() -> list[Case]:
    import numpy as np

    rng = generator(4)
    grads = rng.normal(size=(3, 2, 4, 4))
    grads[1] = 0.0
    return [
        Case("(N, C, H, W), one zero gradient", (grads,)),
        Case(
            "one_sided, target 2, none",
            (grads,),
            {"one_sided": True, "target": 2.0, "reduction": "none"},
        ),
        Case(
            "weights, sum",
            (rng.normal(size=(4, 5)),),
            {"weights": np.array([1.0, 0.5, 2.0, 0.0]), "reduction": "sum"},
        ),
    ]


def _grads_row(rng: np.random.Generator) -> Data:
    return rng.normal(size=(3, 2, 3)), None, {}


def _r1_cases() -> list[Case]:
    rng = generator(5)
    return [
        Case("gamma 10", (rng.normal(size=(3, 2, 4, 4)),)),
        Case("gamma 1, none", (rng.normal(size=(4, 5)),), {"gamma": 1.0, "reduction": "none"}),
    ]


def _images(rng: np.random.Generator, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    import numpy as np

    x = rng.uniform(size=shape)
    return x, np.clip(x + 0.2 * rng.normal(size=shape), 0.0, 1.0)


def _ssim_cases() -> list[Case]:
    import numpy as np

    rng = generator(6)
    x, y = _images(rng, (2, 16, 16, 2))
    x3, y3 = _images(rng, (1, 2, 12, 12, 11))
    return [
        Case("NHWC defaults", (x, y)),
        Case("anti-correlated", (x, 1.0 - x), {"reduction": "none"}),
        Case(
            "3-D NCDHW, data_range 2, weights",
            (2.0 * x3, 2.0 * y3),
            {"axis": 1, "data_range": 2.0, "weights": np.array([2.0])},
        ),
        Case(
            "window 7, sigma 1, none",
            (x, y),
            {"window_size": 7, "sigma": 1.0, "reduction": "none"},
        ),
    ]


def _ssim_row(rng: np.random.Generator) -> Data:
    x, y = _images(rng, (2, 8, 8, 1))
    return x, y, {}


def _ms_ssim_cases() -> list[Case]:
    rng = generator(7)
    x, y = _images(rng, (2, 12, 14, 1))
    big_x, big_y = _images(rng, (1, 176, 176, 1))
    small = {"window_size": 3, "sigma": 1.0, "scale_weights": (0.3, 0.3, 0.4)}
    return [
        Case("defaults, 176 x 176", (big_x, big_y)),
        Case("window 3, three scales, none", (x, y), {**small, "reduction": "none"}),
        Case("anti-correlated, three scales", (x, 1.0 - x), small),
    ]


def _ms_ssim_row(rng: np.random.Generator) -> Data:
    x, y = _images(rng, (2, 12, 12, 1))
    return x, y, {}


def _psnr_cases() -> list[Case]:
    rng = generator(8)
    x, y = _images(rng, (3, 5, 5, 2))
    return [
        Case("data_range 1", (x, y)),
        Case(
            "data_range 255, none",
            (255.0 * x, 255.0 * y),
            {"data_range": 255.0, "reduction": "none"},
        ),
    ]


def _tv_cases() -> list[Case]:
    rng = generator(9)
    img = rng.uniform(size=(2, 5, 6, 3))
    return [
        Case("anisotropic NHWC", (img,)),
        Case("isotropic, none", (img,), {"kind": "isotropic", "reduction": "none"}),
        Case("3-D NCDHW", (rng.uniform(size=(2, 1, 3, 4, 5)),), {"axis": 1, "reduction": "sum"}),
        Case(
            "no channel axis, isotropic",
            (rng.uniform(size=(2, 4, 4)),),
            {"axis": None, "kind": "isotropic"},
        ),
    ]


def _tv_row(rng: np.random.Generator) -> Data:
    return rng.uniform(size=(2, 4, 5, 2)), None, {}


def _features_cases() -> list[Case]:
    rng = generator(10)
    a, b = rng.normal(size=(2, 4, 4, 3)), rng.normal(size=(2, 4, 4, 3))
    return [
        Case("one layer, l2, normalized", (a, b)),
        Case(
            "l1, not normalized, none",
            (a, b),
            {"distance": "l1", "normalize": False, "reduction": "none"},
        ),
        Case("NCHW", (rng.normal(size=(2, 3, 4, 4)), rng.normal(size=(2, 3, 4, 4))), {"axis": 1}),
    ]


def _features_row(rng: np.random.Generator) -> Data:
    return rng.normal(size=(2, 3, 3, 4)), rng.normal(size=(2, 3, 3, 4)), {}


def _style_cases() -> list[Case]:
    rng = generator(11)
    a, b = rng.normal(size=(2, 4, 4, 3)), rng.normal(size=(2, 4, 4, 3))
    return [
        Case("one layer", (a, b)),
        Case(
            "NCHW, none",
            (rng.normal(size=(2, 3, 4, 5)), rng.normal(size=(2, 3, 4, 5))),
            {"axis": 1, "reduction": "none"},
        ),
    ]


def _w1d_cases() -> list[Case]:
    rng = generator(12)
    u, v = rng.normal(size=(7,)), 1.0 + rng.normal(size=(5,))
    return [
        Case("p=1 uniform", (u, v)),
        Case(
            "p=1 weighted",
            (u, v),
            {
                "u_weights": rng.uniform(0.1, 1.0, size=(7,)),
                "v_weights": rng.uniform(0.1, 1.0, size=(5,)),
            },
        ),
        Case(
            "p=2, batch (3, n), none",
            (rng.normal(size=(3, 6)), rng.normal(size=(3, 4))),
            {"p": 2.0, "reduction": "none"},
        ),
    ]


def _w1d_row(rng: np.random.Generator) -> Data:
    return rng.normal(size=(2, 6)), 0.5 + rng.normal(size=(2, 5)), {}


def _projection_cases() -> list[Case]:
    rng = generator(13)
    return [
        # count by keyword: the suites turn every positional argument into an array
        Case("d=3, 4 directions", (rng.normal(size=(5, 3)),), {"count": 4}),
        Case("d=2, seed 7", (rng.normal(size=(5, 2)),), {"count": 3, "seed": 7}),
    ]


def _theta(d: int, count: int, seed: int) -> np.ndarray:
    import numpy as np

    z = np.random.default_rng(seed).standard_normal((count, d))
    theta: np.ndarray = (z / np.linalg.norm(z, axis=1, keepdims=True)).T
    return theta


def _sliced_cases() -> list[Case]:
    rng = generator(14)
    x, y = rng.normal(size=(8, 3)), 0.5 + rng.normal(size=(6, 3))
    theta = _theta(3, 10, 0)
    return [
        Case("p=2", (x, y), {"projections": theta}),
        Case("p=1", (x, y), {"projections": theta, "p": 1.0}),
    ]


def _sliced_row(rng: np.random.Generator) -> Data:
    return rng.normal(size=(6, 2)), rng.normal(size=(5, 2)), {"projections": _theta(2, 4, 1)}


def _sinkhorn_cases() -> list[Case]:
    rng = generator(15)
    x, y = rng.uniform(size=(10, 2)), 0.3 + rng.uniform(size=(8, 2))
    # a fixed iteration count: enough here to reach the converged reference within
    # rtol 1e-10 (100, the default, is within 2.4e-6 at the default epsilon: see
    # tests/generative/test_peers.py)
    return [
        # first: the case Dask runs (each of its Python-loop steps is a graph layer)
        Case("eps 1.0, 20 iterations", (x, y), {"epsilon": 1.0, "iterations": 20}),
        Case("default epsilon, 500 iterations", (x, y), {"iterations": 500}),
        Case(
            "p=1, eps 0.01, not debiased",
            (x, y),
            {"p": 1, "epsilon": 0.01, "debias": False, "iterations": 300},
        ),
        Case(
            "weights a, b, eps 0.05",
            (x, y),
            {
                "a": rng.uniform(0.2, 1.0, size=(10,)),
                "b": rng.uniform(0.2, 1.0, size=(8,)),
                "epsilon": 0.05,
            },
        ),
    ]


def _sinkhorn_row(rng: np.random.Generator) -> Data:
    return rng.uniform(size=(6, 2)), rng.uniform(size=(5, 2)), {}


def _mmd_cases() -> list[Case]:
    rng = generator(16)
    x, y = rng.normal(size=(7, 2)), 0.5 + rng.normal(size=(6, 2))
    return [
        Case("gaussian, median", (x, y)),
        Case("gaussian 1.0, biased", (x, y), {"bandwidth": 1.0, "estimator": "biased"}),
        Case("laplacian, median", (x, y), {"kernel": "laplacian"}),
        Case("polynomial", (x, y), {"kernel": "polynomial"}),
        Case("energy, biased", (x, y), {"kernel": "energy", "estimator": "biased"}),
    ]


def _mmd_row(rng: np.random.Generator) -> Data:
    return rng.normal(size=(5, 2)), rng.normal(size=(4, 2)), {}


LOSSES: tuple[LossInfo, ...] = (
    LossInfo(
        gaussian_kl,
        _kl_cases,
        rows=(Row("kl", _kl_row, {"free_bits": 0.0}, jit=True, compile="aot_eager"),),
    ),
    LossInfo(
        gan_discriminator_loss,
        _gan_d_cases,
        rows=(
            Row("gan-d-ns", _gan_row, {}, jit=True, compile="aot_eager"),
            Row("gan-d-ls", _gan_row, {"kind": "least_squares"}),
            Row("gan-d-ra", _gan_row, {"kind": "relativistic_average"}),
        ),
    ),
    LossInfo(
        gan_generator_loss,
        _gan_g_cases,
        rows=(
            Row("gan-g-ns", _gan_g_row, {}, compile="aot_eager"),
            Row("gan-g-ls", _gan_g_row, {"kind": "least_squares"}),
        ),
    ),
    LossInfo(
        gradient_penalty,
        _grads_cases,
        rows=(Row("gp", _grads_row, {}, jit=True, compile="aot_eager"),),
    ),
    LossInfo(r1_penalty, _r1_cases, rows=(Row("r1", _grads_row, {}),)),
    LossInfo(
        ssim,
        _ssim_cases,
        rows=(Row("ssim", _ssim_row, {"window_size": 5, "sigma": 1.0}),),
        static=("window_size", "sigma"),
    ),
    LossInfo(
        ssim_loss,
        _ssim_cases,
        rows=(
            Row(
                "ssim-loss",
                _ssim_row,
                {"window_size": 5, "sigma": 1.0},
                jit=True,
                compile="aot_eager",
            ),
        ),
        static=("window_size", "sigma"),
    ),
    LossInfo(
        ms_ssim,
        _ms_ssim_cases,
        rows=(
            Row(
                "ms-ssim",
                _ms_ssim_row,
                {"window_size": 3, "sigma": 1.0, "scale_weights": (0.3, 0.3, 0.4)},
            ),
        ),
        static=("window_size", "sigma"),
    ),
    LossInfo(
        ms_ssim_loss,
        _ms_ssim_cases,
        rows=(
            Row(
                "ms-ssim-loss",
                _ms_ssim_row,
                {"window_size": 3, "sigma": 1.0, "scale_weights": (0.3, 0.3, 0.4)},
            ),
        ),
        static=("window_size", "sigma"),
    ),
    LossInfo(psnr, _psnr_cases),
    LossInfo(
        total_variation_loss,
        _tv_cases,
        rows=(
            Row("tv-aniso", _tv_row, {}),
            Row("tv-iso", _tv_row, {"kind": "isotropic"}, compile="aot_eager"),
        ),
    ),
    LossInfo(
        perceptual_loss,
        _features_cases,
        rows=(Row("perceptual", _features_row, {}, compile="aot_eager"),),
    ),
    LossInfo(style_loss, _style_cases, rows=(Row("style", _features_row, {}),)),
    LossInfo(wasserstein_1d, _w1d_cases, rows=(Row("w1d-p2", _w1d_row, {"p": 2.0}),)),
    LossInfo(random_projections, _projection_cases, static=("count", "seed")),
    LossInfo(sliced_wasserstein, _sliced_cases, rows=(Row("sliced", _sliced_row, {}),)),
    LossInfo(
        sinkhorn_divergence,
        _sinkhorn_cases,
        rows=(Row("sinkhorn", _sinkhorn_row, {"iterations": 200, "epsilon": 0.05}, jit=True),),
        static=("p", "iterations"),
    ),
    LossInfo(
        mmd,
        _mmd_cases,
        rows=(
            Row("mmd-gauss", _mmd_row, {"bandwidth": 1.0}),
            Row("mmd-energy", _mmd_row, {"kernel": "energy"}),
        ),
    ),
)
