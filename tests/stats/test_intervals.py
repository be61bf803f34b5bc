"""Wilson intervals, bounds and ratios against values worked out by hand (z = 1.96)."""

from __future__ import annotations

import math

import pytest

from joinedup.stats.intervals import Z95, bounds, ratio, ratio_interval, wilson


def test_z_is_the_975th_normal_quantile() -> None:
    assert Z95 == pytest.approx(1.959964, abs=1e-6)


# By hand: p = k/n; centre = (p + z²/2n) / (1 + z²/n);
# half = z / (1 + z²/n) * sqrt(p(1-p)/n + z²/4n²).
# 5/10: centre 0.5, half = 1.96/1.38416 * sqrt(0.025 + 0.009604) = 1.416022 * 0.186021
#       = 0.263410.
# 0/10: hi = 0.19208/1.38416 + 1.416022 * sqrt(0.009604) = 0.138770 + 0.138770 = 0.277540.
# 1/20: p=.05, z²/n=.19208, centre=(.05+.09604)/1.19208=.122508,
#       half=1.96/1.19208*sqrt(.002375+.0024010)=1.644185*.069109=.113627.
@pytest.mark.parametrize(
    ("k", "n", "lo", "hi"),
    [
        (5, 10, 0.236590, 0.763410),
        (0, 10, 0.0, 0.277540),
        (10, 10, 0.722460, 1.0),
        (1, 20, 0.008881, 0.236136),
    ],
)
def test_wilson_by_hand(k: int, n: int, lo: float, hi: float) -> None:
    got = wilson(k, n, z=1.96)
    assert got[0] == pytest.approx(lo, abs=2e-6)
    assert got[1] == pytest.approx(hi, abs=2e-6)


def test_wilson_with_nobody_recorded_is_the_whole_range() -> None:
    assert wilson(0, 0) == (0.0, 1.0)


def test_wilson_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError, match="0 <= k <= n"):
        wilson(11, 10)


def test_wilson_contains_the_share_and_narrows_with_n() -> None:
    for n in (10, 100, 1000):
        lo, hi = wilson(n // 4, n)
        assert lo < 0.25 < hi
    assert (wilson(250, 1000)[1] - wilson(250, 1000)[0]) < (wilson(25, 100)[1] - wilson(25, 100)[0])


def test_bounds_by_hand() -> None:
    # Casey audit table (2025): White 1,884 of 6,670, not declared 4,404.
    lo, hi = bounds(1884, 4404, 6670)
    assert lo == pytest.approx(1884 / 6670)
    assert hi == pytest.approx(6288 / 6670)
    assert bounds(3, 0, 10) == (0.3, 0.3)  # nothing unknown: bounds meet
    assert bounds(0, 10, 10) == (0.0, 1.0)  # everything unknown: anything is possible
    assert bounds(0, 0, 0) == (0.0, 1.0)


def test_ratio_and_its_interval() -> None:
    assert ratio(0.2, 0.1) == pytest.approx(2.0)
    assert ratio(0.2, 0.0) is None
    lo, hi = ratio_interval((0.1, 0.3), 0.2)  # type: ignore[misc]
    assert (lo, hi) == (pytest.approx(0.5), pytest.approx(1.5))
    assert not math.isnan(lo)
