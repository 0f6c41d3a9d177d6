"""Generate ``src/arrayloss/regression/_log_partition_table.py``: log Z(alpha) of Barron's
general distribution, tabulated in float64 by numerical integration.

    Z(alpha) = integral over the real line of exp(-rho(x, alpha, 1)) dx
             = 2 * integral_0^inf exp(-rho(x, alpha, 1)) dx    (rho is even in x)

computed with ``scipy.integrate.quad`` (adaptive Gauss-Kronrod on [0, inf) after QUADPACK's
change of variables), ``epsabs=0, epsrel=1e-13``, at ``ALPHA_LO + k * STEP`` for
``k = 0 .. N - 1``, with the derivative d log Z / d alpha by a 4-point central finite
difference of the same integrals (one-sided second-order at the ends). The loss
interpolates with a cubic Hermite spline on these values and slopes (error of order
``STEP**4``). Run: ``python scripts/make_log_partition_table.py``.
"""

from __future__ import annotations

import math
from pathlib import Path

from scipy import integrate

ALPHA_LO = 0.0
ALPHA_HI = 4.0
STEP = 1.0 / 512.0
DELTA = 1e-3  # finite-difference step of the slopes
OUT = Path(__file__).resolve().parents[1] / "src/arrayloss/regression/_log_partition_table.py"


def rho(x: float, alpha: float) -> float:
    """Barron's rho(x, alpha, c=1) in float64 (the paper's eq. 1 and its limits)."""
    sq = x * x
    if alpha == 0.0:
        return math.log1p(0.5 * sq)
    if alpha == 2.0:
        return 0.5 * sq
    b = abs(alpha - 2.0)
    return b / alpha * math.expm1(0.5 * alpha * math.log1p(sq / b))


def log_z(alpha: float) -> float:
    """log of the partition function, by adaptive quadrature."""
    value, _ = integrate.quad(lambda x: math.exp(-rho(x, alpha)), 0.0, math.inf,
                              epsabs=0.0, epsrel=1e-13, limit=500)  # fmt: skip
    return math.log(2.0 * value)


def singular(alpha: float) -> float:
    """The non-smooth part of log Z at alpha = 2: (d / 4) log|d|, d = alpha - 2.

    rho depends on |alpha - 2|, and near alpha = 2 its expansion has a d log|d| term
    whose Gaussian expectation is d/4 log|d|: log Z has an infinite (logarithmic)
    slope at alpha = 2. The table holds log Z minus this term, which is smooth enough
    for cubic interpolation; the loss adds it back in closed form.
    """
    d = alpha - 2.0
    return 0.0 if d == 0.0 else 0.25 * d * math.log(abs(d))


def smooth_part(alpha: float) -> float:
    return log_z(alpha) - singular(alpha)


def slope(alpha: float) -> float:
    h = DELTA
    if alpha == 2.0:  # r' is continuous at 2 but r'' is not: a short symmetric step
        return (smooth_part(2.0 + 1e-6) - smooth_part(2.0 - 1e-6)) / 2e-6
    if abs(alpha - 2.0) < 2.5 * h:  # keep the stencil on one side of alpha = 2
        h = abs(alpha - 2.0) / 2.5
    if alpha - 2 * h < ALPHA_LO:  # log Z is not finite below alpha = 0: one-sided
        f = [smooth_part(alpha + k * h) for k in range(3)]
        return (-3.0 * f[0] + 4.0 * f[1] - f[2]) / (2.0 * h)
    if alpha + 2 * h > ALPHA_HI:
        f = [smooth_part(alpha - k * h) for k in range(3)]
        return (3.0 * f[0] - 4.0 * f[1] + f[2]) / (2.0 * h)
    fm2, fm1, fp1, fp2 = (smooth_part(alpha + k * h) for k in (-2, -1, 1, 2))
    return (fm2 - 8.0 * fm1 + 8.0 * fp1 - fp2) / (12.0 * h)


def main() -> None:
    n = round((ALPHA_HI - ALPHA_LO) / STEP) + 1
    alphas = [ALPHA_LO + k * STEP for k in range(n)]
    values = [smooth_part(a) for a in alphas]
    slopes = [slope(a) for a in alphas]
    assert (
        abs(values[0] + singular(0.0) - math.log(math.pi * math.sqrt(2.0))) < 1e-12
    )  # alpha = 0: Cauchy
    assert abs(values[n // 2] - 0.5 * math.log(2.0 * math.pi)) < 1e-12  # alpha = 2: normal
    lines = [
        '"""log Z(alpha) - (alpha - 2)/4 log|alpha - 2| of Barron\'s distribution, tabulated.',
        "",
        "Generated (do not edit) by ``scripts/make_log_partition_table.py``",
        "(scipy.integrate.quad, float64).",
        '"""',
        "",
        f"ALPHA_LO = {ALPHA_LO!r}",
        f"ALPHA_HI = {ALPHA_HI!r}",
        f"STEP = {STEP!r}",
        "",
        "LOG_Z = (",
        *(f"    {v!r}," for v in values),
        ")",
        "",
        "SLOPE = (",
        *(f"    {v!r}," for v in slopes),
        ")",
        "",
    ]
    OUT.write_text("\n".join(lines))
    print(f"wrote {OUT} ({n} points)")


if __name__ == "__main__":
    main()
