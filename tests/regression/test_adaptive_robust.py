"""adaptive_robust_loss: Barron's general loss as a negative log-likelihood.

The tabulated log Z(alpha) is checked against direct numerical integration
(``scipy.integrate.quad`` on the whole line, not the generator's half line) at 20
points across [0, 4] to 1e-6 (it is much better: ~1e-10 away from alpha = 2), and the
alpha-gradient is finite on a dense grid including 0, 2 and 4. The registry cases (alpha
on table nodes) are compared with the float64 reference on three backends.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import arrayloss as al
from arrayloss._registry import LOSSES
from support.reference import TOLERANCE

from . import reference as ref

INFO = next(i for i in LOSSES if i.name == "adaptive_robust_loss")


def _log_z(alpha: float) -> float:
    """log Z through the loss itself: at x = 0, scale = 1, the loss is log Z(alpha)."""
    return float(al.adaptive_robust_loss(np.zeros(1), alpha=alpha, scale=1.0))


# 20 points: the ends, the two closed forms, points near the kink at 2, and between nodes
POINTS = (0.0, 1e-4, 0.1234567, 0.33, 0.5, 0.77, 1.0, 1.2345, 1.5, 1.9, 1.99, 1.9999,
          2.0, 2.0003, 2.01, 2.5, 2.9876, 3.3333, 3.9, 4.0)  # fmt: skip


@pytest.mark.parametrize("alpha", POINTS)
def test_log_z_matches_quadrature(alpha: float) -> None:
    assert abs(_log_z(alpha) - ref._barron_log_z(alpha)) < 1e-6


def test_log_z_closed_forms() -> None:
    np.testing.assert_allclose(_log_z(0.0), math.log(math.pi * math.sqrt(2.0)), rtol=1e-13)
    np.testing.assert_allclose(_log_z(2.0), 0.5 * math.log(2.0 * math.pi), rtol=1e-13)


def test_alpha_two_is_the_normal_nll_and_zero_the_cauchy() -> None:
    from scipy import stats

    x = np.linspace(-5.0, 5.0, 11)
    got = al.adaptive_robust_loss(x, alpha=2.0, scale=1.7, reduction="none")
    np.testing.assert_allclose(got, -stats.norm.logpdf(x, scale=1.7), rtol=1e-12)
    got = al.adaptive_robust_loss(x, alpha=0.0, scale=0.6, reduction="none")
    # alpha = 0: rho = log(1 + z^2/2): a Student t with 1 dof in z/sqrt(2) (Cauchy)
    np.testing.assert_allclose(
        got, -stats.cauchy.logpdf(x, scale=0.6 * math.sqrt(2.0)), rtol=1e-12
    )


def test_the_density_integrates_to_one() -> None:
    from scipy import integrate

    for alpha in (0.3, 1.0, 1.7, 2.6, 3.8):
        total, _ = integrate.quad(
            lambda x, a=alpha: math.exp(
                -float(al.adaptive_robust_loss(np.array([x]), alpha=a, scale=0.8))
            ),
            -math.inf,
            math.inf,
            epsabs=0.0,
            epsrel=1e-12,
            limit=400,
        )
        assert abs(total - 1.0) < 1e-8, (alpha, total)


def test_alpha_gradient_is_finite_across_the_range() -> None:
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    x = jnp.array([0.0, 0.3, -2.0, 7.0])

    def f(a: Any, c: Any) -> Any:
        return al.adaptive_robust_loss(x, alpha=a, scale=c)

    alphas = jnp.concatenate([jnp.linspace(0.0, 4.0, 801), jnp.array([2.0 - 1e-12, 2.0 + 1e-12])])
    ga, gc = jax.vmap(jax.grad(f, argnums=(0, 1)), in_axes=(0, None))(alphas, jnp.asarray(0.9))
    assert bool(jnp.all(jnp.isfinite(ga)))
    assert bool(jnp.all(jnp.isfinite(gc)))
    # the gradient agrees with central differences of the loss away from the kink at 2
    for a in (0.25, 1.0, 1.5, 3.0):
        h = 1e-6
        fd = (f(a + h, 0.9) - f(a - h, 0.9)) / (2 * h)
        np.testing.assert_allclose(jax.grad(f)(jnp.asarray(a), 0.9), fd, rtol=1e-5)


def test_the_nll_is_smallest_at_the_generating_alpha_and_scale() -> None:
    """No collapse: on Cauchy data (alpha = 0, c = 0.5/sqrt 2) the NLL's minimum over a grid
    of (alpha, c) is there, not at the most forgiving alpha or the largest scale (rho alone
    would prefer both)."""
    rng = np.random.default_rng(0)
    data = rng.standard_cauchy(4000) * 0.5
    alphas = np.array([0.0, 0.25, 0.5, 1.0, 2.0, 3.0])
    scales = 0.5 / math.sqrt(2.0) * np.array([0.25, 0.5, 1.0, 2.0, 4.0])
    nll = np.array(
        [[float(al.adaptive_robust_loss(data, alpha=a, scale=c)) for c in scales] for a in alphas]
    )
    assert np.unravel_index(np.argmin(nll), nll.shape) == (0, 2)
    rho_only = al.barron_loss(data, np.zeros_like(data), alpha=0.0, scale=scales[-1])
    assert rho_only < al.barron_loss(data, np.zeros_like(data), alpha=0.0, scale=scales[2])


def test_torch_gradients_reach_alpha_and_scale() -> None:
    torch = pytest.importorskip("torch")
    data = torch.tensor([0.1, -0.5, 3.0, -8.0], dtype=torch.float64)
    alpha = torch.tensor(1.3, dtype=torch.float64, requires_grad=True)
    scale = torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
    torch.autograd.gradcheck(
        lambda a, c: al.adaptive_robust_loss(data, alpha=a, scale=c), (alpha, scale)
    )


def test_out_of_range_alpha_raises_for_python_numbers() -> None:
    with pytest.raises(ValueError, match="alpha"):
        al.adaptive_robust_loss(np.zeros(2), alpha=-0.5, scale=1.0)
    with pytest.raises(ValueError, match="alpha"):
        al.adaptive_robust_loss(np.zeros(2), alpha=4.5, scale=1.0)
    with pytest.raises(ValueError, match="scale"):
        al.adaptive_robust_loss(np.zeros(2), alpha=1.0, scale=0.0)
    # arrays are clamped (no host sync to check them): alpha = 5 is alpha = 4
    np.testing.assert_allclose(
        al.adaptive_robust_loss(np.ones(2), alpha=np.array(5.0), scale=1.0),
        al.adaptive_robust_loss(np.ones(2), alpha=4.0, scale=1.0),
    )


@pytest.mark.parametrize("lib", ["numpy", "torch", "jax"])
@pytest.mark.parametrize("case", INFO.cases(), ids=lambda c: c.label)
def test_matches_the_float64_reference(case: Any, lib: str) -> None:
    if lib == "jax":
        jax = pytest.importorskip("jax")
        jax.config.update("jax_enable_x64", True)
        conv: Any = lambda v: jax.numpy.asarray(v) if isinstance(v, np.ndarray) else v  # noqa: E731
    elif lib == "torch":
        torch = pytest.importorskip("torch")
        conv = lambda v: torch.from_numpy(v) if isinstance(v, np.ndarray) else v  # noqa: E731
    else:
        conv = lambda v: v  # noqa: E731
    got = al.adaptive_robust_loss(
        *(conv(a) for a in case.args), **{k: conv(v) for k, v in case.kwargs.items()}
    )
    want = ref.ADAPTIVE_REFERENCES["adaptive_robust_loss"](*case.args, **case.kwargs)
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64), want, **TOLERANCE["float64"])
