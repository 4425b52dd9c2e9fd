"""The interval estimates of a batch's summary, as plain functions of counts.

* :func:`wilson`: the Wilson score interval of a proportion, for one sweep point (its games
  have distinct seeds, so they are independent draws).
* :func:`clustered_wilson`: the Wilson interval of a proportion pooled over sweep points,
  whose games share seeds (run ``i`` of every point plays the same seed, so its rows are a
  cluster). The binomial sample size is divided by Kish's design effect, the variance of the
  per-seed means over the binomial variance, so that the interval is as wide as the seeds'
  spread says (never narrower than the plain Wilson interval).
* :func:`paired_difference`: the difference of two points' probabilities, their games paired
  by seed, with Newcombe's (1998) hybrid score interval for paired proportions (his method
  10): the two Wilson intervals are combined through the correlation ``phi`` of the paired
  outcomes. Positively correlated points (common random numbers) give a narrower interval
  than treating the points as independent (``phi = 0``, :func:`unpaired_difference`).

Reference: R. G. Newcombe (1998), "Improved confidence intervals for the difference between
binomial proportions based on paired data", Statistics in Medicine 17, 2635-2650.
"""

from __future__ import annotations

import math

import numpy as np

Z95 = 1.959963984540054


def wilson(count: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion ``count / n`` (95% by default); ``n`` may be an
    effective (non-integer) sample size."""
    if n <= 0:
        return (0.0, 1.0)
    p = count / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(max(p * (1 - p) / n + z * z / (4 * n * n), 0.0)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def design_effect(per_seed: np.ndarray, points: int) -> float:
    """Kish's design effect of a proportion pooled over ``points`` sweep points whose games
    share seeds: ``per_seed[s]`` is how many of seed ``s``'s games reached the outcome.

    The variance of the pooled proportion, estimated from the per-seed means, over the
    binomial variance of as many independent games; at least 1 (never narrower than the
    plain interval) and 1 when there is nothing to estimate it from.
    """
    seeds = len(per_seed)
    n = seeds * points
    if seeds < 2 or points < 2 or n == 0:
        return 1.0
    means = per_seed / points
    p = float(means.mean())
    binomial = p * (1 - p) / n
    if binomial <= 0:
        return 1.0
    clustered = float(means.var(ddof=1)) / seeds
    return max(1.0, clustered / binomial)


def clustered_wilson(per_seed: np.ndarray, points: int) -> tuple[tuple[float, float], float]:
    """The Wilson interval of the pooled proportion with the sample size divided by the
    design effect (see :func:`design_effect`); returns the interval and the design effect."""
    deff = design_effect(per_seed, points)
    n = len(per_seed) * points
    count = float(per_seed.sum())
    if n == 0:
        return (0.0, 1.0), 1.0
    n_eff = n / deff
    return wilson(count / n * n_eff, n_eff), deff


def _phi(both: int, only_a: int, only_b: int, neither: int) -> float:
    denom = (both + only_a) * (only_b + neither) * (both + only_b) * (only_a + neither)
    if denom == 0:
        return 0.0
    return (both * neither - only_a * only_b) / math.sqrt(denom)


def paired_difference(
    both: int, only_a: int, only_b: int, neither: int, z: float = Z95, *, paired: bool = True
) -> tuple[float, tuple[float, float]]:
    """``p_a - p_b`` of two paired binary samples and its interval (Newcombe's method 10).

    Args:
        both, only_a, only_b, neither: the 2x2 table of the pairs (outcome reached in both
            games of a pair, in a's only, in b's only, in neither).
        paired: False ignores the pairing (``phi = 0``: Newcombe's interval for independent
            samples, method 10 of his 1998 paper on unpaired data).
    """
    n = both + only_a + only_b + neither
    if n == 0:
        return 0.0, (-1.0, 1.0)
    pa, pb = (both + only_a) / n, (both + only_b) / n
    la, ua = wilson(both + only_a, n, z)
    lb, ub = wilson(both + only_b, n, z)
    phi = _phi(both, only_a, only_b, neither) if paired else 0.0
    d = pa - pb
    lower = math.sqrt(max((pa - la) ** 2 - 2 * phi * (pa - la) * (ub - pb) + (ub - pb) ** 2, 0))
    upper = math.sqrt(max((ua - pa) ** 2 - 2 * phi * (ua - pa) * (pb - lb) + (pb - lb) ** 2, 0))
    return d, (max(-1.0, d - lower), min(1.0, d + upper))


def unpaired_difference(
    both: int, only_a: int, only_b: int, neither: int, z: float = Z95
) -> tuple[float, tuple[float, float]]:
    """The same difference with the pairing ignored (for comparison: what independent
    batches of the same size would give)."""
    return paired_difference(both, only_a, only_b, neither, z, paired=False)
