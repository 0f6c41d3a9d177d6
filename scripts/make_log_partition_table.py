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

import numpy as np
from scipy import integrate

ALPHA_LO = 0.0
ALPHA_HI = 4.0
STEP = 1.0 / 64.0
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


def slope(alpha: float) -> float:
    h = DELTA
    if alpha - 2 * h < ALPHA_LO:  # log Z is not finite below alpha = 0: one-sided
        f = [log_z(alpha + k * h) for k in range(3)]
        return (-3.0 * f[0] + 4.0 * f[1] - f[2]) / (2.0 * h)
    if alpha + 2 * h > ALPHA_HI:
        f = [log_z(alpha - k * h) for k in range(3)]
        return (3.0 * f[0] - 4.0 * f[1] + f[2]) / (2.0 * h)
    fm2, fm1, fp1, fp2 = (log_z(alpha + k * h) for k in (-2, -1, 1, 2))
    return (fm2 - 8.0 * fm1 + 8.0 * fp1 - fp2) / (12.0 * h)


def main() -> None:
    n = round((ALPHA_HI - ALPHA_LO) / STEP) + 1
    alphas = [ALPHA_LO + k * STEP for k in range(n)]
    values = [log_z(a) for a in alphas]
    slopes = [slope(a) for a in alphas]
    assert abs(values[0] - math.log(math.pi * math.sqrt(2.0))) < 1e-12  # alpha = 0: Cauchy
    assert abs(values[n // 2] - 0.5 * math.log(2.0 * math.pi)) < 1e-12  # alpha = 2: normal
    lines = [
        '"""log Z(alpha) of Barron\'s distribution, tabulated (generated: do not edit).',
        "",
        "Made by ``scripts/make_log_partition_table.py`` (scipy.integrate.quad, float64).",
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
    np.testing.assert_allclose(values[n // 2], 0.5 * math.log(2 * math.pi))


if __name__ == "__main__":
    main()
