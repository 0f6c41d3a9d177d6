"""Independent float64 NumPy references for the generative family, written from the papers
(loops and direct windows, no code of arrayloss).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from support.reference import weighted_reduce


def _f(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


# -- VAE ---------------------------------------------------------------------------------


def gaussian_kl(
    mean,
    log_var,
    *,
    prior_mean=0.0,
    prior_log_var=0.0,
    axis=-1,
    free_bits=0.0,
    weights=None,
    reduction="mean",
):
    mu, lv = _f(mean), _f(log_var)
    m0, v0 = _f(prior_mean), _f(prior_log_var)
    # KL(N(mu, s2) || N(m0, s02)) = log(s0/s) + (s2 + (mu-m0)^2) / (2 s02) - 1/2
    s2, s02 = np.exp(lv), np.exp(v0)
    per = 0.5 * (v0 - lv) + (s2 + (mu - m0) ** 2) / (2.0 * s02) - 0.5
    per = np.maximum(per, float(free_bits))
    return weighted_reduce(per.sum(axis=axis), reduction, weights)


# -- adversarial ------------------------------------------------------------------------


def _d_terms(r, f, kind):
    if kind == "non_saturating":
        # -log sigmoid(r) = log(1 + e^-r), -log(1 - sigmoid(f)) = log(1 + e^f): 1 - sigmoid(f)
        # is 0 in float64 too once f > 37
        return _softplus(-r), _softplus(f)
    if kind == "least_squares":
        return 0.5 * (r - 1.0) ** 2, 0.5 * f**2
    if kind == "hinge":
        return np.maximum(0, 1 - r), np.maximum(0, 1 + f)
    if kind == "wasserstein":
        return -r, f
    dr, df = r - f.mean(), f - r.mean()  # relativistic average: D(x) = sigma(C(x) - mean C)
    return _softplus(-dr), _softplus(df)


def gan_discriminator_loss(
    real_logits, fake_logits, *, kind="non_saturating", weights=None, reduction="mean"
):
    rt, ft = _d_terms(_f(real_logits), _f(fake_logits), kind)
    if reduction == "none":
        return weighted_reduce(rt + ft, "none", weights)
    return weighted_reduce(rt, reduction, weights) + weighted_reduce(ft, reduction, weights)


def gan_generator_loss(
    fake_logits, *, kind="non_saturating", real_logits=None, weights=None, reduction="mean"
):
    f = _f(fake_logits)
    if kind == "relativistic_average":
        r = _f(real_logits)
        ft, rt = _softplus(-(f - r.mean())), _softplus(r - f.mean())
        if reduction == "none":
            return weighted_reduce(rt + ft, "none", weights)
        return weighted_reduce(rt, reduction, weights) + weighted_reduce(ft, reduction, weights)
    if kind == "non_saturating":
        loss = _softplus(-f)  # -log sigmoid(f)
    elif kind == "least_squares":
        loss = 0.5 * (f - 1.0) ** 2
    else:
        loss = -f
    return weighted_reduce(loss, reduction, weights)


# -- penalties --------------------------------------------------------------------------


def _norms(grads):
    arrays = grads if isinstance(grads, list | tuple) else [grads]
    n = _f(arrays[0]).shape[0]
    return np.array(
        [math.sqrt(sum(float(np.sum(_f(g)[i] ** 2)) for g in arrays)) for i in range(n)]
    )


def gradient_penalty(grads, *, target=1.0, one_sided=False, weights=None, reduction="mean"):
    gap = _norms(grads) - float(target)
    if one_sided:
        gap = np.maximum(gap, 0.0)
    return weighted_reduce(gap**2, reduction, weights)


def r1_penalty(grads, *, gamma=10.0, weights=None, reduction="mean"):
    return weighted_reduce(0.5 * float(gamma) * _norms(grads) ** 2, reduction, weights)


# -- SSIM -------------------------------------------------------------------------------


def _channels_last(x, axis):
    x = _f(x)
    return x[..., None] if axis is None else np.moveaxis(x, axis, -1)


def _window(size, sigma, ndim):
    g = np.exp(-((np.arange(size) - (size - 1) / 2) ** 2) / (2 * sigma**2))
    g /= g.sum()
    w = g
    for _ in range(ndim - 1):
        w = np.multiply.outer(w, g)
    return w


def _filter(img, w):
    """Valid correlation of one image (spatial...) with the full n-D window ``w``."""
    views = sliding_window_view(img, w.shape)
    axes = tuple(range(img.ndim, 2 * img.ndim))
    return np.sum(views * w, axis=axes)


def _ssim_cs(x, y, w, data_range, k1, k2):
    c1, c2 = (k1 * data_range) ** 2, (k2 * data_range) ** 2
    mx, my = _filter(x, w), _filter(y, w)
    sxx = _filter(x * x, w) - mx**2
    syy = _filter(y * y, w) - my**2
    sxy = _filter(x * y, w) - mx * my
    sxx, syy = np.maximum(sxx, 0), np.maximum(syy, 0)
    lum = (2 * mx * my + c1) / (mx**2 + my**2 + c1)
    cs = (2 * sxy + c2) / (sxx + syy + c2)
    return float(np.mean(lum * cs)), float(np.mean(cs))


def ssim(
    preds,
    targets,
    *,
    data_range=1.0,
    window_size=11,
    sigma=1.5,
    k1=0.01,
    k2=0.03,
    axis=-1,
    weights=None,
    reduction="mean",
):
    x, y = _channels_last(preds, axis), _channels_last(targets, axis)
    w = _window(window_size, sigma, x.ndim - 2)
    vals = np.array(
        [
            np.mean(
                [
                    _ssim_cs(x[n, ..., c], y[n, ..., c], w, data_range, k1, k2)[0]
                    for c in range(x.shape[-1])
                ]
            )
            for n in range(x.shape[0])
        ]
    )
    return weighted_reduce(vals, reduction, weights)


def ssim_loss(preds, targets, *, weights=None, reduction="mean", **kw):
    return weighted_reduce(1.0 - ssim(preds, targets, reduction="none", **kw), reduction, weights)


def _half(img):
    out = img
    for ax in range(img.ndim):
        n = out.shape[ax] // 2 * 2
        out = np.take(out, range(n), axis=ax)
        shape = list(out.shape)
        shape[ax : ax + 1] = [n // 2, 2]
        out = out.reshape(shape).mean(axis=ax + 1)
    return out


MS_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


def ms_ssim(
    preds,
    targets,
    *,
    data_range=1.0,
    window_size=11,
    sigma=1.5,
    k1=0.01,
    k2=0.03,
    scale_weights=MS_WEIGHTS,
    axis=-1,
    weights=None,
    reduction="mean",
):
    x, y = _channels_last(preds, axis), _channels_last(targets, axis)
    w = _window(window_size, sigma, x.ndim - 2)
    vals = []
    for n in range(x.shape[0]):
        per_c = []
        for c in range(x.shape[-1]):
            a, b = x[n, ..., c], y[n, ..., c]
            prod = 1.0
            for j, beta in enumerate(scale_weights):
                s, cs = _ssim_cs(a, b, w, data_range, k1, k2)
                v = s if j == len(scale_weights) - 1 else cs
                prod *= max(v, 0.0) ** beta
                a, b = _half(a), _half(b)
            per_c.append(prod)
        vals.append(np.mean(per_c))
    return weighted_reduce(np.array(vals), reduction, weights)


def ms_ssim_loss(preds, targets, *, weights=None, reduction="mean", **kw):
    return weighted_reduce(
        1.0 - ms_ssim(preds, targets, reduction="none", **kw), reduction, weights
    )


def psnr(preds, targets, *, data_range=1.0, weights=None, reduction="mean"):
    x, y = _f(preds), _f(targets)
    mse = ((x - y) ** 2).reshape(x.shape[0], -1).mean(axis=1)
    return weighted_reduce(10 * np.log10(float(data_range) ** 2 / mse), reduction, weights)


# -- total variation ------------------------------------------------------------------------


def total_variation_loss(images, *, kind="anisotropic", axis=-1, weights=None, reduction="mean"):
    x = _channels_last(images, axis)
    nsp = x.ndim - 2
    vals = []
    for n in range(x.shape[0]):
        img = x[n]
        if kind == "anisotropic":
            vals.append(sum(np.abs(np.diff(img, axis=k)).sum() for k in range(nsp)))
        else:
            crop = tuple(slice(0, s - 1) for s in img.shape[:nsp])
            sq = sum(np.diff(img, axis=k)[crop] ** 2 for k in range(nsp))
            vals.append(np.sqrt(sq).sum())
    return weighted_reduce(np.array(vals), reduction, weights)


# -- perceptual, style ------------------------------------------------------------------


def _as_layers(f):
    return list(f) if isinstance(f, list | tuple) else [f]


def perceptual_loss(
    features_pred,
    features_target,
    *,
    layer_weights=None,
    channel_weights=None,
    normalize=True,
    distance="l2",
    axis=-1,
    weights=None,
    reduction="mean",
):
    fp, ft = _as_layers(features_pred), _as_layers(features_target)
    lw = layer_weights or [1.0] * len(fp)
    total = 0.0
    for i, (p, t) in enumerate(zip(fp, ft, strict=True)):
        p, t = np.moveaxis(_f(p), axis, -1), np.moveaxis(_f(t), axis, -1)
        if normalize:
            np_, nt = (
                np.linalg.norm(p, axis=-1, keepdims=True),
                np.linalg.norm(t, axis=-1, keepdims=True),
            )
            p = np.divide(p, np_, out=np.zeros_like(p), where=np_ > 0)
            t = np.divide(t, nt, out=np.zeros_like(t), where=nt > 0)
        d = (p - t) ** 2 if distance == "l2" else np.abs(p - t)
        if channel_weights is not None:
            d = d * _f(channel_weights[i])
        total = total + lw[i] * d.sum(axis=-1).reshape(p.shape[0], -1).mean(axis=1)
    return weighted_reduce(total, reduction, weights)


def style_loss(
    features_pred, features_target, *, layer_weights=None, axis=-1, weights=None, reduction="mean"
):
    fp, ft = _as_layers(features_pred), _as_layers(features_target)
    lw = layer_weights or [1.0] * len(fp)
    total = 0.0
    for i, (p, t) in enumerate(zip(fp, ft, strict=True)):
        p, t = np.moveaxis(_f(p), axis, -1), np.moveaxis(_f(t), axis, -1)
        big_n = p.shape[-1]
        p = p.reshape(p.shape[0], -1, big_n)
        t = t.reshape(t.shape[0], -1, big_n)
        big_m = p.shape[1]
        e = []
        for s in range(p.shape[0]):
            g, a = p[s].T @ p[s], t[s].T @ t[s]
            e.append(np.sum((g - a) ** 2) / (4.0 * big_n**2 * big_m**2))
        total = total + lw[i] * np.array(e)
    return weighted_reduce(total, reduction, weights)


# -- distribution distances -------------------------------------------------------------


def _quantile_wpp(u, v, uw, vw, p):
    """W_p^p by integrating |F_u^-1(q) - F_v^-1(q)|^p over q on a fine exact partition."""
    iu, iv = np.argsort(u), np.argsort(v)
    u, v = u[iu], v[iv]
    a = np.ones_like(u) / len(u) if uw is None else _f(uw)[iu] / _f(uw).sum()
    b = np.ones_like(v) / len(v) if vw is None else _f(vw)[iv] / _f(vw).sum()
    ca, cb = np.cumsum(a), np.cumsum(b)
    levels = np.unique(np.concatenate([[0.0], ca, cb]))
    total = 0.0
    for lo, hi in itertools.pairwise(levels):
        q = 0.5 * (lo + hi)
        qu = u[min(np.searchsorted(ca, q), len(u) - 1)]
        qv = v[min(np.searchsorted(cb, q), len(v) - 1)]
        total += (hi - lo) * abs(qu - qv) ** p
    return total


def wasserstein_1d(u, v, *, u_weights=None, v_weights=None, p=1, weights=None, reduction="mean"):
    u, v = _f(u), _f(v)
    lead = u.shape[:-1]
    uf, vf = u.reshape(-1, u.shape[-1]), v.reshape(-1, v.shape[-1])
    uw = None if u_weights is None else _f(u_weights).reshape(uf.shape)
    vw = None if v_weights is None else _f(v_weights).reshape(vf.shape)
    out = np.array(
        [
            _quantile_wpp(
                uf[k], vf[k], None if uw is None else uw[k], None if vw is None else vw[k], p
            )
            ** (1.0 / p)
            for k in range(uf.shape[0])
        ]
    ).reshape(lead)
    return weighted_reduce(out, reduction, weights)


def random_projections(x, count, *, seed=0):
    d = _f(x).shape[-1]
    z = np.random.default_rng(seed).standard_normal((count, d))
    return (z / np.sqrt((z**2).sum(axis=1))[:, None]).T


def sliced_wasserstein(x, y, *, projections, p=2):
    x, y, th = _f(x), _f(y), _f(projections)
    vals = [_quantile_wpp(x @ th[:, k], y @ th[:, k], None, None, p) for k in range(th.shape[1])]
    return np.asarray(np.mean(vals) ** (1.0 / p))


def _lse(z, axis):
    m = np.max(z, axis=axis, keepdims=True)
    return np.squeeze(m, axis) + np.log(np.sum(np.exp(z - m), axis=axis))


def sinkhorn_ot(x, y, a, b, eps, p, tol=1e-13, max_iter=200000):
    """OT_eps(a, b) with cost |x-y|^p / p and KL(pi | a x b), run to convergence (float64)."""
    c = np.sum((x[:, None] - y[None]) ** 2, axis=-1) ** (p / 2) / p
    f, g = np.zeros(len(x)), np.zeros(len(y))
    la, lb = np.log(a), np.log(b)
    # anneal epsilon (a warm start only: the fixed point at eps is unique)
    e = max(c.max(), eps)
    while True:
        for _ in range(200 if e > eps else max_iter):
            f_new = -e * _lse(lb[None] + (g[None] - c) / e, axis=1)
            g_new = -e * _lse(la[:, None] + (f_new[:, None] - c) / e, axis=0)
            done = max(np.abs(f_new - f).max(), np.abs(g_new - g).max()) < tol
            f, g = f_new, g_new
            if done and e == eps:
                break
        if e == eps:
            break
        e = max(e / 2, eps)
    # primal value from the plan, to check the dual
    plan = np.exp((f[:, None] + g[None] - c) / eps) * a[:, None] * b[None]
    primal = np.sum(plan * c) + eps * np.sum(plan * np.log(plan / (a[:, None] * b[None]) + 1e-300))
    return float(np.sum(a * f) + np.sum(b * g)), float(primal)


def sinkhorn_divergence(x, y, *, epsilon=0.0025, p=2, iterations=100, a=None, b=None, debias=True):
    """The converged value (the loss runs a fixed number of iterations: compared with the
    tolerance its default count reaches, see test_distribution)."""
    x, y = _f(x), _f(y)
    wa = np.full(len(x), 1 / len(x)) if a is None else _f(a) / _f(a).sum()
    wb = np.full(len(y), 1 / len(y)) if b is None else _f(b) / _f(b).sum()
    ot_xy = sinkhorn_ot(x, y, wa, wb, epsilon, p)[0]
    if not debias:
        return np.asarray(ot_xy)
    return np.asarray(
        ot_xy
        - 0.5 * sinkhorn_ot(x, x, wa, wa, epsilon, p)[0]
        - 0.5 * sinkhorn_ot(y, y, wb, wb, epsilon, p)[0]
    )


def _median_heuristic(x, y):
    z = np.concatenate([x, y])
    d = [np.linalg.norm(z[i] - z[j]) for i in range(len(z)) for j in range(i + 1, len(z))]
    return float(np.median(d))


def mmd(x, y, *, kernel="gaussian", bandwidth="median", estimator="unbiased"):
    x, y = _f(x), _f(y)
    s = _median_heuristic(x, y) if isinstance(bandwidth, str) else float(bandwidth)
    d = x.shape[1]

    def k(p, q):
        r = np.linalg.norm(p - q)
        return {
            "gaussian": math.exp(-(r**2) / (2 * s * s)),
            "laplacian": math.exp(-r / s),
            "polynomial": (p @ q / d + 1) ** 3,
            "energy": -r,
        }[kernel]

    def mean_k(p, q, same):
        vals = [
            k(p[i], q[j])
            for i in range(len(p))
            for j in range(len(q))
            if not (same and estimator == "unbiased" and i == j)
        ]
        return sum(vals) / len(vals)

    return np.asarray(mean_k(x, x, True) + mean_k(y, y, True) - 2 * mean_k(x, y, False))


REFERENCES: dict[str, Callable[..., Any]] = {
    "gaussian_kl": gaussian_kl,
    "gan_discriminator_loss": gan_discriminator_loss,
    "gan_generator_loss": gan_generator_loss,
    "gradient_penalty": gradient_penalty,
    "r1_penalty": r1_penalty,
    "ssim": ssim,
    "ssim_loss": ssim_loss,
    "ms_ssim": ms_ssim,
    "ms_ssim_loss": ms_ssim_loss,
    "psnr": psnr,
    "total_variation_loss": total_variation_loss,
    "perceptual_loss": perceptual_loss,
    "style_loss": style_loss,
    "wasserstein_1d": wasserstein_1d,
    "random_projections": random_projections,
    "sliced_wasserstein": sliced_wasserstein,
    "sinkhorn_divergence": sinkhorn_divergence,
    "mmd": mmd,
}
