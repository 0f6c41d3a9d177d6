"""The generative family against peer libraries; each test skips if its peer is missing.

Where a peer's constant, window, padding or scale differs from ours, the test checks
the difference itself (the peer is reproduced from ours plus that one difference), so
the table below cannot drift from the peers it describes:

================================  =============================  ==============================
quantity                          arrayloss (the paper)          peer
================================  =============================  ==============================
SSIM window, K1, K2               Gaussian 11, sigma 1.5, 0.01,  same in pytorch-msssim, dm-pix,
                                  0.03 (Wang et al. 2004)        kornia, torchmetrics, MONAI
SSIM filtering                    valid (Wang's MATLAB code)     kornia ``padding="same"`` and
                                                                 torchmetrics: reflect padding,
                                                                 the map over the whole image
SSIM ``data_range`` default       1.0                            pytorch-msssim function: 255
SSIM loss scale                   1 - SSIM (MONAI: same)         kornia ``ssim_loss``:
                                                                 (1 - SSIM) / 2
SSIM dtype                        the inputs' (float64 stays)    MONAI ``SSIMLoss``: float32
                                                                 always; pytorch-msssim: a
                                                                 float32 window
MS-SSIM weights, ReLU of cs       Wang 2003's five, cs and SSIM  same in pytorch-msssim and
                                  clamped at 0                   torchmetrics (``relu``)
MS-SSIM last scale                valid SSIM, per channel, then  torchmetrics: reflect-padded
                                  mean over channels             SSIM, mean over C before the
                                                                 power
PSNR ``reduction="mean"``         mean of per-image PSNRs        torchmetrics default and
                                                                 kornia: PSNR of the pooled
                                                                 batch MSE
Sinkhorn epsilon                  absolute, cost |x-y|^2 / 2,    geomloss: same (blur**p);
                                  KL(pi | a x b) term            POT ``reg`` on the cost you
                                                                 pass (ot.dist: |x-y|^2);
                                                                 ott-jax 0.6: cost |x-y|^2,
                                                                 default 0.05 x std(cost)
Sinkhorn divergence               OT_eps incl. the entropy term  POT
                                                                 ``empirical_sinkhorn_divergence``
                                                                 drops it (<pi, M> only)
Sinkhorn iterations               fixed (jit-safe), eps-scaling  geomloss ``scaling=0.5``: a
                                                                 short anneal, 0.6 % to 7 % low
sliced Wasserstein                (mean_k W_p^p)^(1/p)           POT: same; ott-jax 0.6:
                                                                 mean_k W_2^2, no root
``wasserstein_1d``                W_p                            POT ``wasserstein_1d``: W_p^p
total variation                   anisotropic L1, summed over    kornia: same sum per (N, C);
                                  pixels and channels            its "mean" averages each
                                                                 difference map
style loss                        Gatys: /(4 N^2 M^2)            PyTorch tutorial: x 4 / N^2
VAE KL                            sum over latents               pytorch/examples: same (and
                                                                 over the batch)
MMD polynomial kernel             (a.b / d + 1)^3, unbiased      torchmetrics KID ``poly_mmd``:
                                                                 same (n = m only)
================================  =============================  ==============================
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import arrayloss as al

from .reference import sinkhorn_divergence as sinkhorn_reference

WANG_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


def _images(shape: tuple[int, ...], seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(size=shape)
    return x, np.clip(x + 0.2 * rng.normal(size=shape), 0.0, 1.0)


def _gauss_window(channels: int, size: int = 11, sigma: float = 1.5) -> Any:
    """pytorch-msssim's ``win`` argument, built in float64 (its own is float32)."""
    torch = pytest.importorskip("torch")
    t = np.arange(size, dtype=np.float64) - size // 2
    g = np.exp(-(t**2) / (2 * sigma**2))
    g /= g.sum()
    return torch.tensor(np.tile(g, (channels, 1, 1, 1)))


# -- SSIM / MS-SSIM / PSNR -------------------------------------------------------------


def test_ssim_equals_pytorch_msssim() -> None:
    torch = pytest.importorskip("torch")
    pm = pytest.importorskip("pytorch_msssim")
    x, y = _images((2, 3, 32, 32))
    ours = np.asarray(al.ssim(x, y, axis=1, reduction="none"))
    X, Y = torch.tensor(x), torch.tensor(y)
    win = _gauss_window(3)
    theirs = pm.ssim(X, Y, data_range=1.0, size_average=False, win=win).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    # its own window is float32: a 3e-8 difference, nothing more
    own = pm.ssim(X, Y, data_range=1.0, size_average=False).numpy()
    np.testing.assert_allclose(ours, own, rtol=1e-6)
    assert not np.allclose(ours, own, rtol=1e-9, atol=0)
    # its function's default data_range is 255: images in [0, 255] then match ours
    # with data_range=255 (and a [0, 1] image with its default is a different SSIM)
    at_255 = pm.ssim(255 * X, 255 * Y, size_average=False, win=win).numpy()
    np.testing.assert_allclose(
        np.asarray(al.ssim(255 * x, 255 * y, axis=1, data_range=255.0, reduction="none")),
        at_255,
        rtol=1e-12,
    )
    assert pm.ssim(X, Y, size_average=False, win=win).numpy()[0] > ours[0] + 0.1


def test_ms_ssim_equals_pytorch_msssim() -> None:
    torch = pytest.importorskip("torch")
    pm = pytest.importorskip("pytorch_msssim")
    x, y = _images((2, 3, 176, 176), seed=1)
    X, Y = torch.tensor(x), torch.tensor(y)
    win = _gauss_window(3)
    ours = np.asarray(al.ms_ssim(x, y, axis=1, reduction="none"))
    theirs = pm.ms_ssim(X, Y, data_range=1.0, size_average=False, win=win).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    # anti-correlated: cs < 0 at the fine scales; both clamp it (ReLU) and give 0
    anti = np.asarray(al.ms_ssim(x, 1.0 - x, axis=1, reduction="none"))
    theirs_anti = pm.ms_ssim(X, 1.0 - X, data_range=1.0, size_average=False, win=win).numpy()
    np.testing.assert_array_equal(anti, theirs_anti)


def test_ssim_equals_dm_pix() -> None:
    jax = pytest.importorskip("jax")
    dm_pix = pytest.importorskip("dm_pix")
    jax.config.update("jax_enable_x64", True)
    x, y = _images((2, 24, 20, 3), seed=2)  # dm-pix is NHWC, our default layout
    ours = np.asarray(al.ssim(x, y, reduction="none"))
    theirs = np.asarray(dm_pix.ssim(jax.numpy.asarray(x), jax.numpy.asarray(y)))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    # it guards |cov| <= sqrt(var_x var_y); we don't need to: the values agree on
    # anti-correlated images too
    anti = np.asarray(al.ssim(x, 1.0 - x, reduction="none"))
    theirs_anti = np.asarray(dm_pix.ssim(jax.numpy.asarray(x), jax.numpy.asarray(1.0 - x)))
    np.testing.assert_allclose(anti, theirs_anti, rtol=1e-12)
    psnr = np.asarray(dm_pix.psnr(jax.numpy.asarray(x), jax.numpy.asarray(y)))
    np.testing.assert_allclose(np.asarray(al.psnr(x, y, reduction="none")), psnr, rtol=1e-12)


def test_kornia_valid_is_ours_and_its_loss_is_half() -> None:
    torch = pytest.importorskip("torch")
    kornia = pytest.importorskip("kornia")
    x, y = _images((2, 2, 32, 32), seed=3)
    X, Y = torch.tensor(x), torch.tensor(y)
    ours = np.asarray(al.ssim(x, y, axis=1, reduction="none"))
    valid = kornia.metrics.ssim(X, Y, 11, padding="valid").mean(dim=(1, 2, 3)).numpy()
    np.testing.assert_allclose(ours, valid, rtol=1e-10)
    # kornia's ssim_loss is (1 - SSIM) / 2: half of ours, MONAI's and the paper's 1 - SSIM
    k_loss = float(kornia.losses.ssim_loss(X, Y, 11, padding="valid"))
    np.testing.assert_allclose(k_loss, 0.5 * float(al.ssim_loss(x, y, axis=1)), rtol=1e-10)
    # its default padding="same" (reflect) averages a map that is 1/3 border here
    same = kornia.metrics.ssim(X, Y, 11).mean(dim=(1, 2, 3)).numpy()
    assert np.all(np.abs(same - ours) > 1e-3)


def test_torchmetrics_pads_by_reflection() -> None:
    torch = pytest.importorskip("torch")
    kornia = pytest.importorskip("kornia")
    tmi = pytest.importorskip("torchmetrics.functional.image")
    x, y = _images((2, 3, 32, 32), seed=4)
    X, Y = torch.tensor(x), torch.tensor(y)
    tm = tmi.structural_similarity_index_measure(X, Y, data_range=1.0, reduction="none")
    # torchmetrics 1.x: the SSIM map over the reflect-padded image (kornia's "same"),
    # not Wang's valid map: e.g. 0.8259 vs our 0.8206 on the first image
    same = kornia.metrics.ssim(X, Y, 11).mean(dim=(1, 2, 3))
    np.testing.assert_allclose(tm.numpy(), same.numpy(), rtol=1e-10)
    ours = np.asarray(al.ssim(x, y, axis=1, reduction="none"))
    assert np.all(np.abs(tm.numpy() - ours) > 1e-3)
    # with data_range=None it takes max - min of the images: constant images give
    # c1 = c2 = 0 and 0/0 = NaN; our data_range is explicit (default 1)
    flat = torch.full((1, 1, 32, 32), 0.5, dtype=torch.float32)
    assert math.isnan(float(tmi.structural_similarity_index_measure(flat, flat)))
    assert float(al.ssim(flat, flat, axis=1)) == 1.0


def test_torchmetrics_ms_ssim_differs_only_at_the_last_scale() -> None:
    torch = pytest.importorskip("torch")
    tmi = pytest.importorskip("torchmetrics.functional.image")
    x, y = _images((2, 1, 176, 176), seed=5)
    X, Y = torch.tensor(x), torch.tensor(y)
    # torchmetrics makes its betas a float32 tensor: ours with the same rounded weights
    betas = tuple(float(np.float32(b)) for b in WANG_WEIGHTS)
    ours = np.asarray(al.ms_ssim(x, y, axis=1, scale_weights=betas, reduction="none"))
    tm = tmi.multiscale_structural_similarity_index_measure(
        X, Y, data_range=1.0, reduction="none"
    ).numpy()
    # both take the valid contrast-structure terms at scales 1..4; torchmetrics takes
    # the SSIM of scale 5 over the reflect-padded 11 x 11 image, we over its valid
    # (1 x 1) map, so tm / ours = (SSIM_reflect / SSIM_valid) ** beta_5
    xs, ys = X, Y
    for _ in range(4):
        xs = torch.nn.functional.avg_pool2d(xs, 2)
        ys = torch.nn.functional.avg_pool2d(ys, 2)
    valid = np.asarray(al.ssim(xs, ys, axis=1, reduction="none"))
    reflect = tmi.structural_similarity_index_measure(
        xs, ys, data_range=1.0, reduction="none"
    ).numpy()
    np.testing.assert_allclose(tm / ours, (reflect / valid) ** betas[-1], rtol=1e-12)


def test_monai_ssim_loss_is_one_minus_ssim_in_float32() -> None:
    torch = pytest.importorskip("torch")
    monai_losses = pytest.importorskip("monai.losses")
    x, y = _images((2, 1, 32, 32), seed=6)
    got = monai_losses.SSIMLoss(spatial_dims=2, data_range=1.0)(torch.tensor(x), torch.tensor(y))
    assert got.dtype == torch.float32  # MONAI computes in float32 whatever it is given
    np.testing.assert_allclose(float(got), float(al.ssim_loss(x, y, axis=1)), rtol=1e-5)


def test_psnr_peers() -> None:
    torch = pytest.importorskip("torch")
    tmi = pytest.importorskip("torchmetrics.functional.image")
    x, y = _images((3, 2, 8, 8), seed=7)
    X, Y = torch.tensor(x), torch.tensor(y)
    per_image = tmi.peak_signal_noise_ratio(
        X, Y, data_range=1.0, dim=(1, 2, 3), reduction="none"
    ).numpy()
    # torchmetrics scales the natural log by 10 / log(10) computed in float32
    # (torch.log(tensor(10)) of an integer tensor): a 4.5e-8 relative offset, nothing else
    factor = float(np.float32(10.0) / np.log(np.float32(10.0)))
    ours = np.asarray(al.psnr(x, y, reduction="none")) * math.log(10.0) / 10.0 * factor
    np.testing.assert_allclose(ours, per_image, rtol=1e-12)
    # torchmetrics' default (dim=None) is the PSNR of the pooled batch MSE, not the
    # mean of per-image PSNRs (Jensen: the pooled one is lower)
    pooled = float(tmi.peak_signal_noise_ratio(X, Y, data_range=1.0))
    mse = ((x - y) ** 2).mean()
    np.testing.assert_allclose(pooled, math.log(1.0 / mse) * factor, rtol=1e-12)
    assert pooled < float(al.psnr(x, y))
    kornia = pytest.importorskip("kornia")
    kornia_psnr = float(kornia.metrics.psnr(X, Y, 1.0))
    np.testing.assert_allclose(kornia_psnr, 10 * math.log10(1.0 / mse), rtol=1e-12)


# -- distribution distances --------------------------------------------------------------


def _pot_entropic_ot(ot: Any, x: np.ndarray, y: np.ndarray, eps: float) -> float:
    """OT_eps(a, b) = <P, C> + eps KL(P | a x b) from POT's log-domain plan, C = |x-y|^2/2."""
    a, b = np.full(len(x), 1.0 / len(x)), np.full(len(y), 1.0 / len(y))
    c = 0.5 * ot.dist(x, y)  # ot.dist is the squared distance
    plan = ot.sinkhorn(a, b, c, eps, method="sinkhorn_log", numItermax=20000, stopThr=1e-13)
    ratio = np.where(plan > 0, plan / np.outer(a, b), 1.0)
    return float(np.sum(plan * c) + eps * np.sum(plan * np.log(ratio)))


def _sinkhorn_clouds() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(15)
    return rng.uniform(size=(10, 2)), 0.3 + rng.uniform(size=(8, 2))


@pytest.mark.parametrize("eps", [0.05, 0.01, 0.0025])
def test_sinkhorn_equals_pot_plans(eps: float) -> None:
    ot = pytest.importorskip("ot")
    x, y = _sinkhorn_clouds()
    # OT_eps(a, b) from POT's plan (its primal) against ours (the dual, converged)
    got = float(al.sinkhorn_divergence(x, y, epsilon=eps, iterations=600, debias=False))
    np.testing.assert_allclose(got, _pot_entropic_ot(ot, x, y, eps), rtol=1e-10)
    # the debiased value: the float64 reference (run to convergence, from the paper);
    # POT's x-to-x solves converge too slowly to serve here (1e-8 after 2e5 iterations)
    want = float(sinkhorn_reference(x, y, epsilon=eps))
    got = float(al.sinkhorn_divergence(x, y, epsilon=eps, iterations=600))
    np.testing.assert_allclose(got, want, rtol=1e-10)
    # the default 100 iterations: within 3e-6 of the converged value
    np.testing.assert_allclose(float(al.sinkhorn_divergence(x, y, epsilon=eps)), want, rtol=3e-6)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_pot_sinkhorn_divergence_is_another_quantity() -> None:
    ot = pytest.importorskip("ot")
    x, y = _sinkhorn_clouds()
    eps = 0.01
    theirs = float(ot.bregman.empirical_sinkhorn_divergence(x, y, eps, metric="sqeuclidean"))

    def sharp(s: np.ndarray, t: np.ndarray) -> float:
        m = ot.dist(s, t)  # |x-y|^2, not our |x-y|^2 / 2
        a, b = np.full(len(s), 1.0 / len(s)), np.full(len(t), 1.0 / len(t))
        return float(np.sum(ot.sinkhorn(a, b, m, eps, numItermax=100000, stopThr=1e-12) * m))

    # POT's divergence is the "sharp" one: <P, M> without the entropy term, on M = |x-y|^2
    np.testing.assert_allclose(
        theirs, sharp(x, y) - 0.5 * sharp(x, x) - 0.5 * sharp(y, y), rtol=1e-6
    )
    assert abs(theirs - float(al.sinkhorn_divergence(x, y, epsilon=eps, iterations=300))) > 0.05


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_geomloss_is_an_approximation_of_the_same_divergence() -> None:
    torch = pytest.importorskip("torch")
    geomloss = pytest.importorskip("geomloss")
    x, y = _sinkhorn_clouds()
    X, Y = torch.tensor(x), torch.tensor(y)
    for eps in (0.05, 0.0025):
        exact = float(sinkhorn_reference(x, y, epsilon=eps))
        ours = float(al.sinkhorn_divergence(x, y, epsilon=eps))

        def geo(scaling: float, eps: float = eps) -> float:
            loss = geomloss.SamplesLoss(
                "sinkhorn", p=2, blur=eps**0.5, scaling=scaling, backend="tensorized"
            )
            return float(loss(X, Y))

        # same cost (|x-y|^2 / 2) and eps = blur**2: a slow anneal agrees to 4e-4 ...
        np.testing.assert_allclose(geo(0.99), exact, rtol=4e-4)
        # ... its default scaling=0.5 stops after a few iterations per eps: 0.6 % to
        # 7 % low here, while our default (100 iterations) is within 3e-6
        assert abs(geo(0.5) - exact) > 100 * abs(ours - exact)


def test_sliced_wasserstein_equals_pot() -> None:
    ot = pytest.importorskip("ot")
    rng = np.random.default_rng(14)
    x, y = rng.normal(size=(8, 3)), 0.5 + rng.normal(size=(6, 3))
    theta = np.asarray(al.random_projections(x, count=10, seed=0))
    for p in (1, 2):
        ours = float(al.sliced_wasserstein(x, y, projections=theta, p=p))
        # POT: (mean over projections of W_p^p)^(1/p), as ours
        theirs = float(ot.sliced_wasserstein_distance(x, y, projections=theta, p=p))
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_wasserstein_1d_equals_scipy_and_pot() -> None:
    scipy_stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(12)
    u, v = rng.normal(size=7), 1.0 + rng.normal(size=5)
    uw, vw = rng.uniform(0.1, 1.0, size=7), rng.uniform(0.1, 1.0, size=5)
    ours = float(al.wasserstein_1d(u, v, u_weights=uw, v_weights=vw))
    np.testing.assert_allclose(ours, scipy_stats.wasserstein_distance(u, v, uw, vw), rtol=1e-12)
    ot = pytest.importorskip("ot")
    # POT's wasserstein_1d returns W_p^p (no root), and wants normalised weights
    w2 = float(al.wasserstein_1d(u, v, u_weights=uw, v_weights=vw, p=2))
    pot = float(ot.wasserstein_1d(u, v, uw / uw.sum(), vw / vw.sum(), p=2))
    np.testing.assert_allclose(w2**2, pot, rtol=1e-12)


def test_mmd_polynomial_equals_torchmetrics_kid() -> None:
    torch = pytest.importorskip("torch")
    kid = pytest.importorskip("torchmetrics.image.kid")
    rng = np.random.default_rng(16)
    x, y = rng.normal(size=(9, 4)), 0.3 + rng.normal(size=(9, 4))
    theirs = float(kid.poly_mmd(torch.tensor(x), torch.tensor(y)))  # KID: n = m only
    np.testing.assert_allclose(float(al.mmd(x, y, kernel="polynomial")), theirs, rtol=1e-12)


def test_mmd_by_hand() -> None:
    """Gretton et al.'s estimators as explicit float64 double sums."""
    rng = np.random.default_rng(17)
    x, y = rng.normal(size=(6, 2)), 0.5 + rng.normal(size=(5, 2))
    sigma = 0.8

    def k(a: np.ndarray, b: np.ndarray) -> float:
        return math.exp(-float(np.sum((a - b) ** 2)) / (2 * sigma**2))

    n, m = len(x), len(y)
    xx = sum(k(x[i], x[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    xy = sum(k(x[i], y[j]) for i in range(n) for j in range(m)) / (n * m)
    np.testing.assert_allclose(float(al.mmd(x, y, bandwidth=sigma)), xx + yy - 2 * xy, rtol=1e-12)


def test_energy_mmd_is_scipy_energy_distance_squared() -> None:
    scipy_stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(18)
    u, v = rng.normal(size=8), 0.7 + rng.normal(size=6)
    ours = float(al.mmd(u[:, None], v[:, None], kernel="energy", estimator="biased"))
    # scipy's energy_distance is sqrt(2 E|X-Y| - E|X-X'| - E|Y-Y'|)
    np.testing.assert_allclose(ours, scipy_stats.energy_distance(u, v) ** 2, rtol=1e-12)


# -- VAE and penalties -------------------------------------------------------------------


def test_gaussian_kl_equals_torch_distributions() -> None:
    torch = pytest.importorskip("torch")
    dist = torch.distributions
    rng = np.random.default_rng(19)
    mean, log_var = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    m0, v0 = rng.normal(size=(5,)), rng.normal(size=(5,))
    post = dist.Normal(torch.tensor(mean), torch.tensor(np.exp(0.5 * log_var)))
    prior = dist.Normal(torch.tensor(m0), torch.tensor(np.exp(0.5 * v0)))
    want = dist.kl_divergence(post, prior).sum(-1).numpy()  # summed over the latents
    got = al.gaussian_kl(mean, log_var, prior_mean=m0, prior_log_var=v0, reduction="none")
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-12)


def _critic() -> Any:
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Conv2d(2, 3, 3), torch.nn.Tanh(), torch.nn.Flatten(), torch.nn.Linear(12, 1)
    ).double()


def _param_grads(net: Any, value: Any) -> list[np.ndarray]:
    torch = pytest.importorskip("torch")
    params = list(net.parameters())
    # the last bias does not change the input gradient: no gradient, read as 0
    grads = torch.autograd.grad(value, params, allow_unused=True)
    return [
        np.zeros(tuple(p.shape)) if g is None else g.numpy()
        for g, p in zip(grads, params, strict=True)
    ]


def test_gradient_penalty_equals_torch_autograd_reference() -> None:
    torch = pytest.importorskip("torch")
    net = _critic()
    rng = np.random.default_rng(20)
    real, fake = (
        torch.tensor(rng.normal(size=(5, 2, 4, 4))),
        torch.tensor(rng.normal(size=(5, 2, 4, 4))),
    )
    t = torch.tensor(rng.uniform(size=(5, 1, 1, 1)))

    def grads() -> Any:
        inter = (t * real + (1 - t) * fake).requires_grad_(True)
        (g,) = torch.autograd.grad(net(inter).sum(), inter, create_graph=True)
        return g

    # Gulrajani et al.'s reference: the norm per sample over C, H, W
    want = ((grads().flatten(1).norm(2, dim=1) - 1.0) ** 2).mean()
    got = al.gradient_penalty(grads())
    np.testing.assert_allclose(got.item(), want.item(), rtol=1e-12)
    for a, b in zip(_param_grads(net, got), _param_grads(net, want), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)
    # the known bug, one norm over the whole batch, is a different number
    wrong = (grads().norm(2) - 1.0) ** 2
    assert abs(float(wrong) - float(want)) > 1e-3


def test_r1_penalty_equals_torch_autograd_reference() -> None:
    torch = pytest.importorskip("torch")
    net = _critic()
    real = torch.tensor(np.random.default_rng(21).normal(size=(5, 2, 4, 4))).requires_grad_(True)

    def grads() -> Any:
        (g,) = torch.autograd.grad(net(real).sum(), real, create_graph=True)
        return g

    want = 0.5 * 10.0 * grads().pow(2).flatten(1).sum(1).mean()  # Mescheder et al., gamma 10
    got = al.r1_penalty(grads())
    np.testing.assert_allclose(got.item(), want.item(), rtol=1e-12)
    for a, b in zip(_param_grads(net, got), _param_grads(net, want), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)


def test_non_saturating_gan_equals_bce_with_logits() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(22)
    real, fake = torch.tensor(3 * rng.normal(size=6)), torch.tensor(3 * rng.normal(size=6))
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    want_d = bce(real, torch.ones(6, dtype=torch.float64)) + bce(
        fake, torch.zeros(6, dtype=torch.float64)
    )
    np.testing.assert_allclose(
        float(al.gan_discriminator_loss(real, fake)), float(want_d), rtol=1e-12
    )
    want_g = bce(fake, torch.ones(6, dtype=torch.float64))
    np.testing.assert_allclose(float(al.gan_generator_loss(fake)), float(want_g), rtol=1e-12)


# -- ott-jax, kornia TV, and the textbook forms of style and KL ------------------------------


def _x64() -> Any:
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    return jax.numpy


def test_ott_sliced_wasserstein_is_the_mean_of_squares_without_root() -> None:
    jnp = _x64()
    sliced = pytest.importorskip("ott.tools.sliced")
    rng = np.random.default_rng(14)
    x, y = rng.normal(size=(8, 3)), 0.5 + rng.normal(size=(6, 3))
    theta = np.asarray(al.random_projections(x, count=10, seed=0))
    cost, _ = sliced.sliced_wasserstein(
        jnp.asarray(x), jnp.asarray(y), proj_fn=lambda z: z @ jnp.asarray(theta)
    )
    # ott-jax 0.6: the mean over projections of W_2^2 (its SqEuclidean cost, no root),
    # i.e. our SW_2 squared (older ott-jax releases summed over the projections)
    ours = float(al.sliced_wasserstein(x, y, projections=theta, p=2))
    np.testing.assert_allclose(float(cost), ours**2, rtol=1e-12)


def test_ott_sinkhorn_epsilon_is_relative_and_its_cost_is_twice_ours() -> None:
    jnp = _x64()
    pytest.importorskip("ott")
    pointcloud = pytest.importorskip("ott.geometry.pointcloud")
    sd = pytest.importorskip("ott.tools.sinkhorn_divergence")
    x, y = _sinkhorn_clouds()
    cost = np.sum((x[:, None] - y[None]) ** 2, axis=-1)  # ott's SqEuclidean: |x-y|^2
    # its default epsilon: 0.05 times the standard deviation of the cost matrix (a
    # relative epsilon that moves with the data's scale; ours is absolute)
    geom = pointcloud.PointCloud(jnp.asarray(x), jnp.asarray(y))
    np.testing.assert_allclose(float(geom.epsilon), 0.05 * np.std(cost), rtol=1e-10)
    # its cost is twice ours (|x-y|^2 against |x-y|^2 / 2): epsilon 2 eps there is eps
    # here, and the divergence doubles
    eps = 0.01
    div, _ = sd.sinkhorn_divergence(
        pointcloud.PointCloud,
        jnp.asarray(x),
        jnp.asarray(y),
        epsilon=2 * eps,
        solve_kwargs={"threshold": 1e-12, "max_iterations": 20000},
    )
    ours = float(al.sinkhorn_divergence(x, y, epsilon=eps, iterations=600))
    np.testing.assert_allclose(float(div), 2 * ours, rtol=1e-10)


def test_kornia_total_variation_is_anisotropic_and_summed() -> None:
    torch = pytest.importorskip("torch")
    kornia = pytest.importorskip("kornia")
    img = np.random.default_rng(23).uniform(size=(2, 3, 5, 7))
    t = torch.tensor(img)
    ours = np.asarray(al.total_variation_loss(img, axis=1, reduction="none"))
    # kornia: anisotropic L1, summed per image and channel, (N, C); ours sums the channels
    k_sum = kornia.losses.total_variation(t, reduction="sum").numpy()
    np.testing.assert_allclose(k_sum.sum(axis=1), ours, rtol=1e-12)
    # its "mean" averages each difference map over its own size, per channel: not ours
    # divided by a pixel count
    k_mean = kornia.losses.total_variation(t, reduction="mean").numpy()
    dh = np.abs(np.diff(img, axis=2)).mean(axis=(2, 3))
    dw = np.abs(np.diff(img, axis=3)).mean(axis=(2, 3))
    np.testing.assert_allclose(k_mean, dh + dw, rtol=1e-12)
    iso = np.asarray(al.total_variation_loss(img, axis=1, kind="isotropic", reduction="none"))
    assert np.all(iso < ours)  # the Euclidean norm of the two differences <= their L1 sum


def test_style_loss_against_the_pytorch_tutorial_normalisation() -> None:
    torch = pytest.importorskip("torch")
    f = np.random.default_rng(24).normal(size=(1, 4, 3, 5))  # (1, C, H, W)
    s = np.random.default_rng(25).normal(size=(1, 4, 3, 5))

    def gram(x: Any) -> Any:  # the PyTorch neural-style tutorial's gram_matrix
        a, b, c, d = x.size()
        feats = x.view(a * b, c * d)
        return torch.mm(feats, feats.t()) / (a * b * c * d)

    tutorial = float(torch.nn.functional.mse_loss(gram(torch.tensor(f)), gram(torch.tensor(s))))
    # Gatys' E_l = sum (G - A)^2 / (4 N^2 M^2); the tutorial divides G by N M and
    # averages the N^2 entries: ours times 4 / N^2
    ours = float(al.style_loss(f, s, axis=1))
    np.testing.assert_allclose(tutorial, ours * 4 / 4**2, rtol=1e-12)


def test_gaussian_kl_sum_against_the_examples_vae() -> None:
    rng = np.random.default_rng(26)
    mu, logvar = rng.normal(size=(5, 8)), rng.normal(size=(5, 8))
    # pytorch/examples vae: KLD = -0.5 * sum(1 + logvar - mu^2 - exp(logvar)), summed
    # over the batch and the latents: our reduction="sum"
    kld = -0.5 * np.sum(1 + logvar - mu**2 - np.exp(logvar))
    np.testing.assert_allclose(float(al.gaussian_kl(mu, logvar, reduction="sum")), kld, rtol=1e-12)
    # the disputed mean over latents is ours divided by D = 8 (a beta-VAE with beta 1/D)
    per_latent_mean = np.mean(-0.5 * (1 + logvar - mu**2 - np.exp(logvar)), axis=1).mean()
    np.testing.assert_allclose(float(al.gaussian_kl(mu, logvar)) / 8, per_latent_mean, rtol=1e-12)
