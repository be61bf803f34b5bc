"""Claim checks: the grammar, and each verdict with its arithmetic."""

from __future__ import annotations

import pytest

from joinedup.stats.claims import (
    CONTRADICTED,
    SUPPORTED,
    UNDETERMINED,
    ClaimError,
    check_claim,
    parse_claim,
)
from joinedup.stats.shares import analyse
from joinedup.stats.tables import CountTable, one_way

# The 2025 Casey audit's reworked national table of offender ethnicity.
CASEY = one_way(
    "casey",
    "Offender ethnicity",
    {"White": 1884, "Asian": 165, "Black": 110, "Mixed": 60, "Other": 47},
    {"not declared": 4404},
)
BASE = {"White": 0.82, "Asian": 0.09, "Black": 0.04, "Mixed": 0.03, "Other": 0.02}


@pytest.mark.parametrize(
    ("text", "category", "op", "value", "ratio", "table"),
    [
        ("White > 0.5", "White", ">", 0.5, False, None),
        ("White>=50%", "White", ">=", 0.5, False, None),
        ("Asian / population > 1", "Asian", ">", 1.0, True, None),
        ("  not declared <= .7 ", "not declared", "<=", 0.7, False, None),
        ("offenders.sex: male > 0.5", "male", ">", 0.5, False, "offenders.sex"),
        ("White British < 0.3", "White British", "<", 0.3, False, None),
    ],
)
def test_parse(
    text: str, category: str, op: str, value: float, ratio: bool, table: str | None
) -> None:
    c = parse_claim(text)
    assert (c.category, c.op, c.value, c.ratio, c.table) == (
        category,
        op,
        pytest.approx(value),
        ratio,
        table,
    )


@pytest.mark.parametrize(
    "text",
    ["White", "White = 0.5", "> 0.5", "White > lots", "White > 1.5", "Asian / population > 50%"],
)
def test_parse_errors_say_how_to_write_a_claim(text: str) -> None:
    with pytest.raises(ClaimError, match=r"claim|share|ratio"):
        parse_claim(text)


def test_true_among_recorded_but_undetermined_over_everyone() -> None:
    r = check_claim(analyse(CASEY), "White > 0.5")
    assert r.verdict == UNDETERMINED
    assert r.among_recorded == "supported"
    assert "true among the recorded but undetermined over everyone" in r.explanation.lower()
    assert any("1,884 / 2,266 = 83.1%" in line for line in r.arithmetic)
    assert any("(1,884 + 4,404) / 6,670 = 94.3%" in line for line in r.arithmetic)


def test_supported() -> None:
    r = check_claim(analyse(CASEY), "White > 0.25")  # lower bound 28.2%
    assert r.verdict == SUPPORTED and r.explanation.startswith("Supported")


def test_contradicted() -> None:
    r = check_claim(analyse(CASEY), "Asian > 0.7")  # upper bound 68.5%
    assert r.verdict == CONTRADICTED and "68.5%" in r.explanation


def test_undetermined_everywhere() -> None:
    t = one_way("t", "t", {"A": 5, "B": 5}, {"unknown": 10})
    r = check_claim(analyse(t), "A > 0.5")
    assert r.verdict == UNDETERMINED and r.among_recorded == "undetermined"


def test_false_among_recorded_but_undetermined() -> None:
    r = check_claim(analyse(CASEY), "Asian > 0.5")
    assert r.verdict == UNDETERMINED and r.among_recorded == "contradicted"
    assert "False among the recorded but undetermined over everyone" in r.explanation


def test_ratio_claims() -> None:
    a = analyse(CASEY, BASE)
    r = check_claim(a, "Asian / population > 1")
    # 165/2266 = 7.3% vs 9%: under-represented among the recorded; 0.27 to 7.6 over everyone.
    assert r.verdict == UNDETERMINED and r.among_recorded == "contradicted"
    assert any("ratio" in line for line in r.arithmetic)
    assert check_claim(a, "White / population > 0.3").verdict == SUPPORTED  # 0.282/0.82=0.34
    complete = one_way("t", "t", {"White": 50, "Asian": 50}, {"unknown": 0})
    assert check_claim(analyse(complete, BASE), "Asian / population > 2").verdict == SUPPORTED


def test_ratio_claim_needs_a_baseline() -> None:
    with pytest.raises(ClaimError, match="baseline"):
        check_claim(analyse(CASEY), "Asian / population > 1")


def test_unknown_category_lists_the_categories() -> None:
    with pytest.raises(ClaimError, match="categories: White, Asian"):
        check_claim(analyse(CASEY), "Martian > 0.1")
    with pytest.raises(ClaimError, match="no recorded category"):
        check_claim(analyse(CASEY), "not declared > 0.1")


def test_a_suppressed_category_cannot_be_checked() -> None:
    t = CountTable("t", "t", {"A": None, "B": 40, "C": None}, {"unknown": 10}, 60)
    r = check_claim(analyse(t), "A > 0.01")
    assert r.verdict == UNDETERMINED and "suppressed" in r.explanation


def test_case_and_spacing_do_not_matter() -> None:
    assert check_claim(analyse(CASEY), "white > 0.25").verdict == SUPPORTED
