"""Interval arithmetic for shares: Wilson score intervals, bounds over everyone, ratios.

Pure functions of counts; nothing here knows about the store or about suppression.
"""

from __future__ import annotations

import math
from statistics import NormalDist

Z95 = NormalDist().inv_cdf(0.975)  # 1.959963984540054


def wilson(k: float, n: float, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for k successes in n trials.

    With no trials nothing is known, so the interval is the whole of [0, 1].
    """
    if n <= 0:
        return (0.0, 1.0)
    if k < 0 or k > n:
        raise ValueError(f"wilson: need 0 <= k <= n, got k={k}, n={n}")
    p = k / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # Rounding can push the ends a hair past the exact ones at k = 0 or k = n.
    lo = 0.0 if k == 0 else max(0.0, centre - half)
    hi = 1.0 if k == n else min(1.0, centre + half)
    return (lo, hi)


def bounds(k: float, unknown: float, total: float) -> tuple[float, float]:
    """The share over everyone when the unknown could be anything.

    Lower: none of the unknown are in the category (k / total). Upper: all of them are
    ((k + unknown) / total). With nobody at all the share is undefined: [0, 1].
    """
    if total <= 0:
        return (0.0, 1.0)
    return (k / total, min(1.0, (k + unknown) / total))


def ratio(share: float, baseline: float) -> float | None:
    """Representation ratio: the share here over the share in the population."""
    if baseline <= 0:
        return None
    return share / baseline


def ratio_interval(interval: tuple[float, float], baseline: float) -> tuple[float, float] | None:
    """An interval on shares divided by a baseline share taken as exact (e.g. a census)."""
    if baseline <= 0:
        return None
    return (interval[0] / baseline, interval[1] / baseline)


def span(values: list[float]) -> tuple[float, float]:
    return (min(values), max(values))
