"""Per-category statistics of one-way tables: the edge cases worked out by hand."""

from __future__ import annotations

import pytest

from joinedup.stats.intervals import wilson
from joinedup.stats.shares import analyse
from joinedup.stats.tables import CountTable, one_way


def approx_pair(a: float, b: float) -> tuple[object, object]:
    return (pytest.approx(a), pytest.approx(b))


def test_shares_bounds_and_completeness_by_hand() -> None:
    a = analyse(one_way("t", "t", {"A": 30, "B": 10}, {"unknown": 60}))
    assert a.recorded == (40, 40) and a.total == 100
    A = a.row("A")
    assert A.share_of_known == approx_pair(0.75, 0.75)
    assert A.ci95 == wilson(30, 40)
    assert A.bounds == approx_pair(0.30, 0.90)  # 30/100 and (30+60)/100
    assert a.completeness() == {"recorded": 40, "total": 100, "share": 0.4}
    assert a.row("unknown").share_of_total == approx_pair(0.6, 0.6)


def test_no_unknowns_bounds_meet_the_share() -> None:
    a = analyse(one_way("t", "t", {"A": 3, "B": 7}, {"unknown": 0}))
    assert a.row("A").bounds == approx_pair(0.3, 0.3)
    assert a.row("A").share_of_known == approx_pair(0.3, 0.3)


def test_all_unknown_says_nothing() -> None:
    a = analyse(one_way("t", "t", {"A": 0, "B": 0}, {"unknown": 12}))
    row = a.row("A")
    assert a.recorded == (0, 0)
    assert row.share_of_known is None
    assert row.ci95 == (0.0, 1.0)
    assert row.bounds == approx_pair(0.0, 1.0)


def test_zero_cell() -> None:
    a = analyse(one_way("t", "t", {"A": 0, "B": 20}, {"unknown": 5}))
    row = a.row("A")
    assert row.share_of_known == (0.0, 0.0)
    assert row.ci95 is not None and row.ci95[0] == 0.0 and 0 < row.ci95[1] < 0.2
    assert row.bounds == approx_pair(0.0, 0.2)  # all 5 unknown could be A


def test_single_category() -> None:
    a = analyse(one_way("t", "t", {"A": 9}, {"unknown": 1}))
    row = a.row("A")
    assert row.share_of_known == (1.0, 1.0)
    assert row.ci95 is not None and row.ci95[1] == 1.0 and row.ci95[0] < 1.0
    assert row.bounds == approx_pair(0.9, 1.0)


def test_empty_table() -> None:
    a = analyse(one_way("t", "t", {"A": 0}, {"unknown": 0}))
    assert a.row("A").bounds == (0.0, 1.0)
    assert a.completeness()["recorded"] == 0


def test_ratio_and_sensitivity_by_hand() -> None:
    # A: 20 of 50 recorded (40%), 50 unknown, total 100; population share of A 20%.
    a = analyse(
        one_way("t", "t", {"A": 20, "B": 30}, {"unknown": 50}),
        {"a": 0.2, "B": 0.8},
        sensitivity=True,
    )
    row = a.row("A")
    assert row.baseline == 0.2
    assert row.ratio == approx_pair(2.0, 2.0)
    ci = wilson(20, 50)
    assert row.ratio_ci95 == approx_pair(ci[0] / 0.2, ci[1] / 0.2)
    assert row.ratio_bounds == approx_pair(1.0, 3.5)  # 20/100/0.2 and 70/100/0.2
    s = row.sensitivity
    assert s["like_recorded"] == approx_pair(2.0, 2.0)
    assert s["like_population"] == approx_pair(1.5, 1.5)  # (20 + 50*0.2)/100/0.2
    assert s["none_in_category"][0] == pytest.approx(1.0)
    assert s["all_in_category"][0] == pytest.approx(3.5)


def test_category_missing_from_the_baseline_gets_no_ratio() -> None:
    a = analyse(one_way("t", "t", {"A": 20, "B": 30}, {"unknown": 0}), {"A": 1.0})
    assert a.row("B").ratio is None and a.row("B").baseline is None


def test_suppressed_cells_give_ranges_from_published_cells_only() -> None:
    # A=c, B=40, C=c, unknown=c, total 60: the three hidden cells add up to 20.
    table = CountTable("t", "t", {"A": None, "B": 40, "C": None}, {"unknown": None}, 60)
    a = analyse(table)
    assert a.recorded == (40, 60)
    B = a.row("B")
    assert B.share_of_known == approx_pair(40 / 60, 1.0)
    assert B.bounds == approx_pair(40 / 60, 1.0)
    assert a.row("A").share_of_known is None and a.row("A").count is None
    ci_lo = min(wilson(40, 40)[0], wilson(40, 60)[0])
    assert B.ci95 is not None and B.ci95[0] == pytest.approx(ci_lo)
    assert any("uncertain" in n for n in a.notes)


def test_suppressed_known_cell_with_published_unknown_keeps_n_exact() -> None:
    table = CountTable("t", "t", {"A": None, "B": 40, "C": None}, {"unknown": 10}, 60)
    a = analyse(table)
    assert a.recorded == (50, 50)
    assert a.row("B").share_of_known == approx_pair(0.8, 0.8)
    assert a.row("B").bounds == approx_pair(40 / 60, 50 / 60)


def test_withheld_table() -> None:
    table = CountTable("t", "t", {"A": None}, {"unknown": None}, None)
    a = analyse(table)
    assert a.withheld and a.recorded is None
    assert a.as_json()["completeness"]["total"] == "c"
