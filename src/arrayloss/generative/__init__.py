"""Generative, distribution and image-quality losses: VAE KL, GAN losses and gradient
penalties, SSIM/MS-SSIM/PSNR, total variation, perceptual and style losses, and
sample-based distribution distances (Wasserstein, sliced Wasserstein, Sinkhorn, MMD).
"""

from __future__ import annotations

from ._adversarial import gan_discriminator_loss, gan_generator_loss
from ._distribution import (
    mmd,
    random_projections,
    sinkhorn_divergence,
    sliced_wasserstein,
    wasserstein_1d,
)
from ._penalties import gradient_penalty, r1_penalty
from ._perceptual import perceptual_loss, style_loss
from ._ssim import ms_ssim, ms_ssim_loss, psnr, ssim, ssim_loss
from ._total_variation import total_variation_loss
from ._vae import gaussian_kl

__all__ = [
    "gan_discriminator_loss",
    "gan_generator_loss",
    "gaussian_kl",
    "gradient_penalty",
    "mmd",
    "ms_ssim",
    "ms_ssim_loss",
    "perceptual_loss",
    "psnr",
    "r1_penalty",
    "random_projections",
    "sinkhorn_divergence",
    "sliced_wasserstein",
    "ssim",
    "ssim_loss",
    "style_loss",
    "total_variation_loss",
    "wasserstein_1d",
]
