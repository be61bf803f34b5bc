"""The plain-words summary never says more than the bounds allow."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from joinedup.stats.disclosure import control_one_way
from joinedup.stats.shares import analyse
from joinedup.stats.summary import completeness_sentence, most_common_sentence
from joinedup.stats.tables import CountTable, one_way


def test_most_common_when_the_bounds_allow_it() -> None:
    a = analyse(one_way("t", "Sex", {"female": 30, "male": 8}, {"unrecorded": 2}))
    assert most_common_sentence(a, "victims") == (
        "Female is the most common, whatever the unrecorded are: between 75% and 80% of all "
        "victims were female."
    )
    assert completeness_sentence(a, "victims") == "Sex was recorded for 38 of 40 victims (95%)."


def test_not_when_the_unrecorded_could_change_it() -> None:
    casey = one_way("t", "Ethnicity", {"White": 1884, "Asian": 165}, {"not declared": 4404})
    text = most_common_sentence(analyse(casey), "offenders")
    assert text is not None and "cannot say it is the most common" in text


def test_a_lone_category_is_not_most_common_if_the_unrecorded_outnumber_it() -> None:
    a = analyse(one_way("t", "Nationality", {"British": 6}, {"unrecorded": 52}))
    assert "cannot say" in (most_common_sentence(a, "suspects") or "")


def test_suppressed_cells_count_against_the_claim_but_do_not_block_it() -> None:
    # male 21 shown; female and unrecorded hidden: together at most 20 of 41.
    t = CountTable("t", "Sex", {"female": None, "male": 21}, {"unrecorded": None}, 41)
    assert "Male is the most common" in (most_common_sentence(analyse(t), "victims") or "")
    assert completeness_sentence(analyse(t), "victims") == (
        "Sex was recorded for between 21 and 41 of 41 victims (51% to 100%)."
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=1, max_size=6), st.integers(0, 60), st.booleans())
def test_most_common_holds_for_every_way_the_unknown_could_fall(
    cells: list[int], unknown: int, publish: bool
) -> None:
    t = one_way("t", "t", {f"k{i}": v for i, v in enumerate(cells)}, {"unknown": unknown})
    shown = control_one_way(t) if publish else t
    text = most_common_sentence(analyse(shown), "people")
    if text is None or "is the most common, whatever" not in text:
        return
    top = text.split(" is the most common")[0].lower()
    k_top = t.counts[top]
    # True counts: every other category, even with all the unknown, stays below the top.
    assert all(k_top > v + unknown for c, v in t.counts.items() if c != top)
    assert k_top > unknown  # nor could an unlisted category outnumber it
