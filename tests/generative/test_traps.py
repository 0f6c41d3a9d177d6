"""The numerical traps of the generative family: each test writes the naive formula
(float32 torch), shows it going wrong (NaN, inf, out of range), then checks ours is
finite and equal to the float64 reference (``reference.py``, or a float64 run of the
same textbook formula, where float64 is exact enough) in value, and in gradient where
the trap is about the gradient.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import arrayloss as al

from . import reference as ref

torch = pytest.importorskip("torch")

F32, F64 = torch.float32, torch.float64


def _grad(fn: Any, x: Any) -> Any:
    x = x.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(fn(x), x)
    return g


def _finite(t: Any) -> bool:
    return bool(torch.isfinite(t).all())


# -- (a) SSIM on anti-correlated images and at a large offset ------------------------------


def _blur(z: Any) -> Any:
    """Valid 11-tap Gaussian (sigma 1.5) blur of (N, 1, H, W), separable."""
    t = torch.arange(11, dtype=z.dtype) - 5
    g = torch.exp(-(t**2) / (2 * 1.5**2))
    g = g / g.sum()
    z = torch.nn.functional.conv2d(z, g.view(1, 1, 1, -1))
    return torch.nn.functional.conv2d(z, g.view(1, 1, -1, 1))


def _naive_ssim(x: Any, y: Any, three_component: bool = False) -> Any:
    """Textbook SSIM, E[x^2] - mu^2 moments; ``three_component``: Wang's c * s form with
    sigma = sqrt(var) (C3 = C2 / 2). Per image, (N, 1, H, W), data_range 1."""
    c1, c2 = 0.01**2, 0.03**2
    mx, my = _blur(x), _blur(y)
    vx, vy = _blur(x * x) - mx**2, _blur(y * y) - my**2
    cov = _blur(x * y) - mx * my
    lum = (2 * mx * my + c1) / (mx**2 + my**2 + c1)
    if three_component:
        sx, sy = torch.sqrt(vx), torch.sqrt(vy)
        cs = (2 * sx * sy + c2) / (vx + vy + c2) * (cov + c2 / 2) / (sx * sy + c2 / 2)
    else:
        cs = (2 * cov + c2) / (vx + vy + c2)
    return (lum * cs).mean(dim=(1, 2, 3))


@pytest.mark.parametrize("offset", [0.0, -1000.0])
def test_ssim_anti_correlated_and_negative_images(offset: float) -> None:
    rng = np.random.default_rng(0)
    u = rng.uniform(size=(2, 1, 16, 16))
    x, y = u + offset, 1.0 - u + offset  # anti-correlated; negative values at -1000
    want = ref.ssim(x, y, axis=1, reduction="none")
    assert np.all(want < -0.9)
    x32, y32 = torch.tensor(x, dtype=F32), torch.tensor(y, dtype=F32)
    naive = _naive_ssim(x32, y32)
    if offset:
        # float32 E[x^2] - mu^2 at 1000 cancels: SSIM -3.4, outside [-1, 1], and the
        # three-component form takes sqrt of a negative variance: NaN
        assert float(naive.min()) < -3.0
        assert torch.isnan(_naive_ssim(x32, y32, three_component=True)).all()
    else:
        # x against 1 - x alone is no trap for the textbook SSIM in float32
        np.testing.assert_allclose(naive.numpy(), want, rtol=1e-5)
    got = al.ssim(x32, y32, axis=1, reduction="none")
    assert bool(((got >= -1) & (got <= 1)).all())
    np.testing.assert_allclose(got.numpy(), want, rtol=2e-6)
    # gradient: the float64 textbook form (exact enough in float64) at the same
    # float32-rounded images is the reference; the largest gradient is 1e-2 (2e-3 at -1000)
    g32 = _grad(lambda t: al.ssim(t, y32, axis=1, reduction="sum"), x32)
    g64 = _grad(lambda t: _naive_ssim(t, y32.double()).sum(), x32.double())
    assert _finite(g32)
    np.testing.assert_allclose(g32.numpy(), g64.numpy(), rtol=1e-4, atol=5e-8)


# -- (b) constant images; MS-SSIM with a negative contrast-structure at a coarse scale -----


def test_ssim_constant_images() -> None:
    flat = torch.full((1, 1, 16, 16), 0.5, dtype=F32)
    # naive: data_range from the images (max - min, torchmetrics' data_range=None):
    # C1 = C2 = 0 and a constant image is 0 / 0
    c1 = c2 = float(flat.max() - flat.min()) ** 2
    mx = _blur(flat)
    vx = _blur(flat * flat) - mx**2
    naive = ((2 * mx * mx + c1) * (2 * vx + c2) / ((2 * mx * mx + c1) * (2 * vx + c2))).mean()
    assert math.isnan(float(naive))
    assert float(al.ssim(flat, flat, axis=1)) == 1.0  # C from data_range=1: exactly 1
    g = _grad(lambda t: al.ssim(t, flat, axis=1), flat)
    assert _finite(g)
    assert float(g.abs().max()) < 1e-6  # a maximum: zero up to float32 rounding
    # unequal constants: the luminance term alone, as the reference
    other = torch.full((1, 1, 16, 16), 0.8, dtype=F32)
    np.testing.assert_allclose(
        float(al.ssim(flat, other, axis=1)),
        float(ref.ssim(flat.numpy(), other.numpy(), axis=1)),
        rtol=1e-6,
    )
    big = torch.full((1, 1, 176, 176), 0.5, dtype=F32)
    assert float(al.ms_ssim(big, big, axis=1)) == 1.0
    assert _finite(_grad(lambda t: al.ms_ssim(t, big, axis=1), big))


def _coarse_anti_correlated() -> tuple[np.ndarray, np.ndarray]:
    """x = A + N, y = -A + N: a shared fine noise N (positive cs at scales 1-3) and an
    opposite smooth pattern A (negative cs at scale 4, negative SSIM at scale 5)."""
    n = 176
    s = np.sin(2 * np.pi * np.arange(n) / n)
    a = 0.3 * np.outer(s, s)
    noise = 0.2 * np.random.default_rng(0).normal(size=(n, n))
    return (0.5 + a + noise)[None, None], (0.5 - a + noise)[None, None]


def test_ms_ssim_negative_contrast_structure_at_a_coarse_scale() -> None:
    x, y = _coarse_anti_correlated()
    w = ref._window(11, 1.5, 2)
    a, b = x[0, 0], y[0, 0]
    cs = []
    for _ in range(5):
        cs.append(ref._ssim_cs(a, b, w, 1.0, 0.01, 0.03)[1])
        a, b = ref._half(a), ref._half(b)
    assert min(cs[:3]) > 0.2
    assert cs[3] < -0.5
    # naive: prod_j cs_j ** beta_j; a negative base to a fractional power is NaN
    naive = math.prod(
        torch.tensor(c, dtype=F32) ** b for c, b in zip(cs, ref.MS_WEIGHTS, strict=True)
    )
    assert math.isnan(float(naive))
    # ours (and pytorch-msssim's relu, torchmetrics'): cs clamped at 0, so MS-SSIM = 0 —
    # the float64 reference clamps too. The gradient is 0 (finite): a zero factor
    # kills the product's gradient, the image pair gets no MS-SSIM signal at all
    x32, y32 = torch.tensor(x, dtype=F32), torch.tensor(y, dtype=F32)
    assert float(ref.ms_ssim(x, y, axis=1)) == 0.0
    assert float(al.ms_ssim(x32, y32, axis=1)) == 0.0
    g = _grad(lambda t: al.ms_ssim(t, y32, axis=1), x32)
    assert _finite(g)
    assert float(g.abs().max()) == 0.0


# -- (c) gradient penalties at a zero gradient; the per-sample norm --------------------------


def test_gradient_penalty_at_a_zero_gradient() -> None:
    zeros = torch.zeros((3, 2, 4, 4), dtype=F32)

    def naive(g: Any) -> Any:  # keras-io's WGAN-GP: sqrt(reduce_sum(g^2))
        return ((torch.sqrt((g**2).sum(dim=(1, 2, 3))) - 1.0) ** 2).mean()

    assert torch.isnan(_grad(naive, zeros)).all()
    # (torch.linalg.vector_norm's own backward masks the zero norm: 0, finite)
    got = al.gradient_penalty(zeros)
    assert float(got) == float(ref.gradient_penalty(zeros.numpy())) == 1.0
    g = _grad(al.gradient_penalty, zeros)
    assert _finite(g)
    assert float(g.abs().max()) == 0.0
    # R1 has no root; a naive R1 written as a squared sqrt-norm inherits the NaN
    assert torch.isnan(
        _grad(lambda t: torch.sqrt((t**2).sum(dim=(1, 2, 3))).pow(2).mean(), zeros)
    ).all()
    assert float(al.r1_penalty(zeros)) == 0.0
    g = _grad(al.r1_penalty, zeros)
    assert _finite(g)
    assert float(g.abs().max()) == 0.0
    # a batch where one sample's gradient is zero: the others' gradients are exact
    mixed = torch.tensor(np.random.default_rng(1).normal(size=(3, 2, 4, 4)), dtype=F64)
    mixed[1] = 0.0
    got = _grad(al.gradient_penalty, mixed)
    want = _grad(lambda t: ((torch.sqrt((t**2).sum(dim=(1, 2, 3))) - 1.0) ** 2).mean(), mixed)
    np.testing.assert_allclose(got[[0, 2]].numpy(), want[[0, 2]].numpy(), rtol=1e-12)
    assert float(got[1].abs().max()) == 0.0


def test_penalty_norm_is_per_sample_over_every_non_batch_axis() -> None:
    g = np.random.default_rng(2).normal(size=(4, 2, 3, 3))
    want = ref.gradient_penalty(g, reduction="none")  # one norm per sample over C, H, W
    got = np.asarray(al.gradient_penalty(g, reduction="none"))
    np.testing.assert_allclose(got, want, rtol=1e-12)
    # the known bugs: one norm for the whole batch; a norm over the last axis only
    whole = (np.sqrt(np.sum(g**2)) - 1.0) ** 2
    last = np.mean((np.sqrt(np.sum(g**2, axis=-1)) - 1.0) ** 2, axis=(1, 2))
    assert abs(whole - want.mean()) > 1.0
    assert np.all(np.abs(last - want) > 0.5)
    np.testing.assert_allclose(
        np.asarray(al.r1_penalty(g, reduction="none")),
        ref.r1_penalty(g, reduction="none"),
        rtol=1e-12,
    )
    # a sequence of arrays (one per input) is one vector per sample
    parts = [g[:, :1], g[:, 1:]]
    np.testing.assert_allclose(
        np.asarray(al.gradient_penalty(parts, reduction="none")), want, rtol=1e-12
    )


# -- (d) perceptual and style losses at zero and identical features -------------------------


def test_perceptual_loss_at_zero_and_identical_features() -> None:
    rng = np.random.default_rng(3)
    fp = rng.normal(size=(2, 5, 4))  # (N, positions, C)
    fp[0, :2] = 0.0  # all-zero feature vectors, as after a ReLU
    ft = rng.normal(size=(2, 5, 4))
    p32, t32 = torch.tensor(fp, dtype=F32), torch.tensor(ft, dtype=F32)

    def unit_naive(f: Any) -> Any:
        return f / torch.sqrt((f**2).sum(-1, keepdim=True))

    def unit_lpips(f: Any) -> Any:  # LPIPS's normalize_tensor: eps outside the root
        return f / (torch.sqrt((f**2).sum(-1, keepdim=True)) + 1e-10)

    def naive(f: Any, unit: Any = unit_naive) -> Any:
        return ((unit(f) - unit(t32)) ** 2).sum(-1).mean()

    assert math.isnan(float(naive(p32)))  # 0 / 0 in the value
    lpips = lambda f: naive(f, unit_lpips)  # noqa: E731
    assert math.isfinite(float(lpips(p32)))
    assert torch.isnan(_grad(lpips, p32)).any()  # finite value, NaN gradient
    got = al.perceptual_loss(p32, t32, reduction="none")
    np.testing.assert_allclose(
        got.numpy(), ref.perceptual_loss(fp, ft, reduction="none"), rtol=1e-6
    )
    g = _grad(lambda f: al.perceptual_loss(f, t32, reduction="sum"), p32)
    assert _finite(g)
    assert float(g[0, :2].abs().max()) == 0.0  # zero vectors: normalised to 0, no gradient
    # elsewhere the gradient of the float64 textbook form
    want = _grad(lambda f: _perc64(f, ft), torch.tensor(fp))  # NaN on the zero rows
    np.testing.assert_allclose(g[0, 2:].numpy(), want[0, 2:].numpy(), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(g[1].numpy(), want[1].numpy(), rtol=1e-5, atol=1e-7)
    # identical features: LPIPS-style distance sqrt(sum (p - t)^2) has a NaN gradient
    same = torch.tensor(ft, dtype=F32)
    dist = lambda f: torch.sqrt(((unit_lpips(f) - unit_lpips(same)) ** 2).sum(-1)).mean()  # noqa: E731
    assert torch.isnan(_grad(dist, same)).all()
    assert float(al.perceptual_loss(same, same)) == 0.0
    g = _grad(lambda f: al.perceptual_loss(f, same), same)
    assert _finite(g)
    assert float(g.abs().max()) == 0.0


def _perc64(f: Any, ft: np.ndarray) -> Any:
    """float64 textbook perceptual loss (sum over channels, mean over positions, sum over
    the batch); NaN where a feature vector is 0."""
    t = torch.tensor(ft)
    uf = f / torch.sqrt((f**2).sum(-1, keepdim=True))
    ut = t / torch.sqrt((t**2).sum(-1, keepdim=True))
    return ((uf - ut) ** 2).sum(-1).mean(-1).sum()


def test_style_loss_at_identical_features() -> None:
    f = torch.tensor(np.random.default_rng(4).normal(size=(2, 6, 3)), dtype=F32)

    def naive(x: Any) -> Any:  # a Frobenius-norm style distance, sqrt of a sum of squares
        gx, gf = x.mT @ x, f.mT @ f
        return torch.sqrt(((gx - gf) ** 2).sum(dim=(1, 2))).mean()

    assert torch.isnan(_grad(naive, f)).all()
    # ours is Gatys' squared Frobenius distance: a polynomial, smooth at identical features
    assert float(al.style_loss(f, f)) == float(ref.style_loss(f.numpy(), f.numpy())) == 0.0
    g = _grad(lambda x: al.style_loss(x, f), f)
    assert _finite(g)
    assert float(g.abs().max()) == 0.0


# -- (e) isotropic total variation at a flat image ------------------------------------------


def test_isotropic_total_variation_at_a_flat_image() -> None:
    img = np.full((2, 6, 6, 1), 0.3)
    img[1] = np.random.default_rng(6).uniform(size=(6, 6, 1))  # no zero difference
    x32 = torch.tensor(img, dtype=F32)

    def naive(x: Any, dtype: Any = F32) -> Any:
        dx = x[:, 1:, :-1] - x[:, :-1, :-1]
        dy = x[:, :-1, 1:] - x[:, :-1, :-1]
        return torch.sqrt(dx**2 + dy**2).sum()

    assert torch.isnan(_grad(naive, x32)).any()
    got = al.total_variation_loss(x32, kind="isotropic", reduction="none")
    want = ref.total_variation_loss(img, kind="isotropic", reduction="none")
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-6)
    assert float(got[0]) == 0.0
    g = _grad(lambda t: al.total_variation_loss(t, kind="isotropic", reduction="sum"), x32)
    assert _finite(g)
    assert float(g[0].abs().max()) == 0.0
    # on the textured image the gradient is the textbook one (float64, NaN on the flat)
    g64 = _grad(naive, torch.tensor(img))
    assert torch.isnan(g64[0]).any()
    assert _finite(g64[1])
    np.testing.assert_allclose(g[1].numpy(), g64[1].numpy(), rtol=1e-5, atol=1e-6)


# -- (f) the VAE's KL at extreme log-variances ------------------------------------------------


def test_gaussian_kl_at_extreme_log_variance() -> None:
    dist = torch.distributions
    # one latent per row: v = +80, -80 (the range), -104, and 89 under a
    # broader prior (v0 = 1)
    lv = np.array([[80.0], [-80.0], [-104.0], [89.0]])
    v0 = np.array([[0.0], [0.0], [0.0], [1.0]])
    mean = torch.zeros((4, 1), dtype=F32)
    log_var, prior = torch.tensor(lv, dtype=F32), torch.tensor(v0, dtype=F32)
    # the VAE tutorial form with a general prior, exp(v) / exp(v0): exp(89) is inf in
    # float32, so the KL at v = 89, v0 = 1 (8.3e37, representable) is inf
    naive = 0.5 * (torch.exp(log_var) / torch.exp(prior) - 1 + prior - log_var)
    assert torch.isinf(naive[3]).all()
    assert _finite(naive[:3])
    # torch.distributions' (sigma_p / sigma_q)^2 underflows to 0 at v = -104: log 0 = -inf
    p = dist.Normal(mean, torch.exp(0.5 * log_var))
    q = dist.Normal(mean, torch.exp(0.5 * prior))
    td = dist.kl_divergence(p, q)
    # (it divides the scales before squaring, so v = 89 is no trap for it)
    assert torch.isinf(td[2]).all()
    assert _finite(td[3])
    got = al.gaussian_kl(mean, log_var, prior_log_var=prior, reduction="none")
    want = ref.gaussian_kl(np.zeros((4, 1)), lv, prior_log_var=v0, reduction="none")
    np.testing.assert_allclose(want, 0.5 * (np.exp(lv - v0) - 1 + v0 - lv)[:, 0], rtol=1e-12)
    assert _finite(got)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-6)
    # gradient: d/dv = (e^(v - v0) - 1) / 2, 8.3e37 at v = 89
    g = _grad(lambda v: al.gaussian_kl(mean, v, prior_log_var=prior, reduction="sum"), log_var)
    assert _finite(g)
    np.testing.assert_allclose(g.numpy(), 0.5 * (np.exp(lv - v0) - 1.0), rtol=1e-6)


# -- (g) Sinkhorn at a small epsilon in float32 -----------------------------------------------


def test_sinkhorn_small_epsilon_float32() -> None:
    rng = np.random.default_rng(0)
    rng.uniform(size=(2, 2))
    x, y = rng.uniform(size=(8, 2)), rng.uniform(size=(7, 2))
    eps = 1e-4
    x32, y32 = torch.tensor(x, dtype=F32), torch.tensor(y, dtype=F32)
    # naive scaling-form Sinkhorn: K = exp(-C / eps) underflows to 0 once C / eps > 87
    c = 0.5 * torch.cdist(x32, y32) ** 2
    k = torch.exp(-c / eps)
    assert float((k == 0).float().mean()) > 0.9
    a, b = torch.full((8,), 1 / 8, dtype=F32), torch.full((7,), 1 / 7, dtype=F32)
    v = torch.ones(7, dtype=F32)
    for _ in range(10):
        u = a / (k @ v)
        v = b / (k.T @ u)
    assert not _finite(u) or not _finite(v)  # division by 0: inf, then NaN
    want = float(ref.sinkhorn_divergence(x, y, epsilon=eps))
    got = al.sinkhorn_divergence(x32, y32, epsilon=eps, iterations=300)
    assert got.dtype == F32
    np.testing.assert_allclose(float(got), want, rtol=1e-6)
    # the default 100 iterations are not converged at this epsilon (2 % low here):
    # a convergence matter, not a numerical one; finite all the same
    short = float(al.sinkhorn_divergence(x32, y32, epsilon=eps))
    assert math.isfinite(short)
    assert 0.01 < (want - short) / want < 0.05
    g = _grad(lambda t: al.sinkhorn_divergence(t, y32, epsilon=eps, iterations=300), x32)
    assert _finite(g)


# -- (h) the unbiased MMD is negative for two samples of one distribution --------------------


def test_unbiased_mmd_can_be_negative() -> None:
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(20, 2)), rng.normal(size=(20, 2))  # one distribution
    unbiased = float(al.mmd(x, y))
    # not a bug: an unbiased estimate of MMD^2 = 0 scatters around 0
    assert unbiased < 0
    np.testing.assert_allclose(unbiased, float(ref.mmd(x, y)), rtol=1e-12)
    biased = float(al.mmd(x, y, estimator="biased"))
    assert biased >= 0
    np.testing.assert_allclose(biased, float(ref.mmd(x, y, estimator="biased")), rtol=1e-12)
    for seed in range(20):  # the V-statistic is a squared RKHS norm: never below 0
        r = np.random.default_rng(seed)
        assert float(al.mmd(r.normal(size=(6, 2)), r.normal(size=(5, 2)), estimator="biased")) >= 0


# -- (i) PSNR of identical images ---------------------------------------------------------------


def test_psnr_of_identical_images() -> None:
    x = torch.tensor(np.random.default_rng(5).uniform(size=(2, 4, 4)), dtype=F32)

    def naive(t: Any) -> Any:
        return (10 * torch.log10(1.0 / ((t - x) ** 2).mean(dim=(1, 2)))).sum()

    assert torch.isnan(_grad(naive, x)).all()  # d log(mse) = inf, times a zero difference
    got = al.psnr(x, x, reduction="none")
    assert torch.isposinf(got).all()  # +inf, as torchmetrics, kornia and dm-pix
    g = _grad(lambda t: al.psnr(t, x, reduction="sum"), x)
    assert _finite(g)
    assert float(g.abs().max()) == 0.0
    # one identical pair beside a different one: the mean is inf, the other's gradient exact
    y = x.clone()
    y[1] += 0.1
    g = _grad(lambda t: al.psnr(t, y, reduction="sum"), x)
    np.testing.assert_allclose(g[1].numpy(), _psnr_grad(x[1], y[1]), rtol=1e-5)
    assert float(g[0].abs().max()) == 0.0


def _psnr_grad(x: Any, y: Any) -> np.ndarray:
    """d/dx of 10 log10(1 / mean((x - y)^2)), float64: -20 / ln 10 (x - y) / sum((x - y)^2)."""
    d = x.double().numpy() - y.double().numpy()
    return -20.0 / math.log(10.0) * d / np.sum(d**2)


# -- (j) GAN losses from saturated logits ---------------------------------------------------


GAN_KINDS = ("non_saturating", "least_squares", "hinge", "wasserstein", "relativistic_average")


@pytest.mark.parametrize("kind", GAN_KINDS)
def test_gan_losses_at_saturated_logits(kind: str) -> None:
    real = torch.tensor([100.0, -100.0, 3.0], dtype=F32)
    fake = torch.tensor([-100.0, 100.0, -2.0], dtype=F32)
    # naive: -log sigmoid(r) - log(1 - sigmoid(f)); sigmoid(100) is 1.0 in float32
    naive_d = -torch.log(torch.sigmoid(real)) - torch.log(1 - torch.sigmoid(fake))
    assert torch.isinf(naive_d).any()
    assert torch.isinf(torch.log(torch.sigmoid(torch.tensor(-104.0)))).all()
    d = al.gan_discriminator_loss(real, fake, kind=kind)
    np.testing.assert_allclose(
        float(d),
        float(ref.gan_discriminator_loss(real.double().numpy(), fake.double().numpy(), kind=kind)),
        rtol=1e-6,
    )
    gk = {"real_logits": real} if kind == "relativistic_average" else {}
    gen = al.gan_generator_loss(fake, kind=kind, **gk)
    np.testing.assert_allclose(
        float(gen),
        float(
            ref.gan_generator_loss(
                fake.double().numpy(), kind=kind, real_logits=real.double().numpy()
            )
        ),
        rtol=1e-6,
    )
    # gradients in the fake logits: float32 ours against float64 textbook forms
    real64 = real.double()
    g = _grad(lambda f: al.gan_discriminator_loss(real, f, kind=kind), fake)
    want = _grad(lambda f: _textbook_d(real64, f, kind), fake.double())
    assert _finite(g)
    np.testing.assert_allclose(g.numpy(), want.numpy(), rtol=1e-6, atol=1e-30)
    g = _grad(lambda f: al.gan_generator_loss(f, kind=kind, **gk), fake)
    want = _grad(lambda f: _textbook_g(real64, f, kind), fake.double())
    assert _finite(g)
    np.testing.assert_allclose(g.numpy(), want.numpy(), rtol=1e-6, atol=1e-30)


_LS = torch.nn.functional.logsigmoid  # float64 torch; 1 - sigmoid(100) is 0 in float64 too


def _textbook_d(real: Any, fake: Any, kind: str) -> Any:
    if kind == "non_saturating":  # -log sigmoid(r) - log(1 - sigmoid(f))
        return -_LS(real).mean() - _LS(-fake).mean()
    if kind == "least_squares":
        return (0.5 * (real - 1) ** 2).mean() + (0.5 * fake**2).mean()
    if kind == "hinge":
        return torch.relu(1 - real).mean() + torch.relu(1 + fake).mean()
    if kind == "wasserstein":
        return fake.mean() - real.mean()
    return -_LS(real - fake.mean()).mean() - _LS(-(fake - real.mean())).mean()


def _textbook_g(real: Any, fake: Any, kind: str) -> Any:
    if kind == "non_saturating":
        return -_LS(fake).mean()
    if kind == "least_squares":
        return (0.5 * (fake - 1) ** 2).mean()
    if kind in ("hinge", "wasserstein"):
        return -fake.mean()
    return -_LS(fake - real.mean()).mean() - _LS(-(real - fake.mean())).mean()


# -- empty inputs ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "call"),
    [
        ("wasserstein_1d", lambda: al.wasserstein_1d(np.zeros(0), np.zeros(3))),
        (
            "sliced_wasserstein",
            lambda: al.sliced_wasserstein(
                np.zeros((0, 2)), np.zeros((3, 2)), projections=np.eye(2)
            ),
        ),
        (
            "sinkhorn_divergence",
            lambda: al.sinkhorn_divergence(np.zeros((3, 2)), np.zeros((0, 2))),
        ),
        ("mmd", lambda: al.mmd(np.zeros((0, 2)), np.zeros((3, 2)))),
        ("mmd", lambda: al.mmd(np.zeros((1, 2)), np.zeros((3, 2)))),  # U-statistic: n >= 2
        ("mmd", lambda: al.mmd(np.zeros((0, 2)), np.zeros((3, 2)), estimator="biased")),
    ],
)
def test_an_empty_sample_is_a_value_error(name: str, call: Any) -> None:
    # a distribution with no sample has no distance: ValueError naming the shapes
    with pytest.raises(ValueError, match=r"at least|need"):
        call()


@pytest.mark.parametrize(
    "call",
    [
        lambda: al.gaussian_kl(np.zeros((0, 3)), np.zeros((0, 3))),
        lambda: al.gan_discriminator_loss(np.zeros(0), np.zeros(0)),
        lambda: al.gan_generator_loss(np.zeros(0)),
        lambda: al.gradient_penalty(np.zeros((0, 3))),
        lambda: al.r1_penalty(np.zeros((0, 3))),
        lambda: al.ssim_loss(np.zeros((0, 16, 16, 1)), np.zeros((0, 16, 16, 1))),
        lambda: al.total_variation_loss(np.zeros((0, 4, 4, 1))),
        lambda: al.perceptual_loss(np.zeros((0, 4, 3)), np.zeros((0, 4, 3))),
        lambda: al.style_loss(np.zeros((0, 4, 3)), np.zeros((0, 4, 3))),
    ],
)
def test_an_empty_batch_gives_zero(call: Any) -> None:
    # a batch of no samples is a batch whose total weight is 0: "mean" gives 0 (the
    # reduction's rule, CONVENTIONS section 4), not 0 / 0
    assert float(call()) == 0.0


def test_an_image_smaller_than_the_window_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="window_size"):
        al.ssim(np.zeros((1, 0, 16, 1)), np.zeros((1, 0, 16, 1)))
