"""Scoring detection's leads and flags against the hand-written truth."""

from __future__ import annotations

from datetime import date

import pytest

from joinedup.evaluate.detection import (
    cutoffs,
    identities,
    score_flags,
    score_groups,
    score_timeliness,
)
from joinedup.evaluate.labels import Labelled
from joinedup.evaluate.store_view import StoredMention
from joinedup.evaluate.truth import Truth

# pipeline entity -> its true identity, as identities() would give it
IDENTITY = {("person", f"e{i}"): f"P{i}" for i in range(1, 6)}
IN_STORE = {"person": {"P1", "P2", "P3", "P4", "P5"}, "vehicle": {"V1"}, "location": {"L1"}}


def m(id: int) -> StoredMention:
    return StoredMention("person", id, "stops", "S1", f"slot{id}", False, None, None, None, ())


def test_an_entity_is_the_true_person_most_of_its_mentions_are() -> None:
    lab = Labelled("person", [m(i) for i in range(7)], ["P2", "P1", "P1", "P3", "P4", None, None])
    entities = {("person", 0): "a", ("person", 1): "a", ("person", 2): "a",
                ("person", 3): "b", ("person", 4): "b", ("person", 5): "c"}  # fmt: skip
    assert identities(entities, {"person": lab}) == {
        ("person", "a"): "P1",
        ("person", "b"): "P3",  # a tie goes to the lowest id
        ("person", "c"): None,  # no mention with a true person
    }


@pytest.mark.parametrize(
    ("members", "found", "in_lead", "adults", "innocent"),
    [
        (["e1", "e2", "e4"], 1.0, 1.0, 3, 1 / 3),
        (["e1", "e3"], 0.0, 0.5, 1, 0.0),  # one offender and a victim: not the group
        (["e4", "e5"], 0.0, 0.0, 1, 1.0),
    ],
)
def test_group_leads(
    hand_truth: Truth, members: list, found: float, in_lead: float, adults: int, innocent: float
) -> None:
    out = score_groups(hand_truth, [{"members": members}], [], IDENTITY, IN_STORE["person"])
    assert out["groups_found"] == found
    assert out["offenders_in_a_lead"] == in_lead
    assert (out["lead_adults"], out["lead_adults_innocent"]) == (adults, pytest.approx(innocent))


def test_an_adult_flag_puts_a_lone_offender_in_a_lead(hand_truth: Truth) -> None:
    flags = [{"kind": "adult", "entity": "e2"}]
    out = score_groups(hand_truth, [{"members": ["e1"]}], flags, IDENTITY, IN_STORE["person"])
    assert out["offenders_in_a_lead"] == 1.0
    assert out["groups_found"] == 0.0


def test_no_leads_is_zero_found_and_innocence_undefined(hand_truth: Truth) -> None:
    out = score_groups(hand_truth, [], [], IDENTITY, IN_STORE["person"])
    assert (out["groups_found"], out["offenders_in_a_lead"]) == (0.0, 0.0)
    assert out["lead_adults_innocent"] is None


def test_flags(hand_truth: Truth) -> None:
    flags = [
        {"kind": "adult", "entity": "e1"},
        {"kind": "adult", "entity": "e4"},
        {"kind": "adult", "entity": "e4"},  # the same entity twice is one flagged entity
        {"kind": "vehicle", "entity": "v9"},  # an entity of no known vehicle
        {"kind": "child", "entity": "e3", "band": "mild"},
        {"kind": "child", "entity": "e3", "band": "moderate"},  # the highest band counts
        {"kind": "child", "entity": "e5", "band": "not_at_risk"},
    ]
    out = score_flags(hand_truth, flags, IDENTITY, IN_STORE)
    assert out["adult"] == {"flagged": 2, "positives_in_store": 2, "precision": 0.5, "recall": 0.5}
    assert out["vehicle"]["precision"] == 0.0 and out["vehicle"]["recall"] == 0.0
    assert out["location"] == {
        "flagged": 0,
        "positives_in_store": 1,
        "precision": None,
        "recall": 0.0,
    }
    children = out["children"]
    assert children["victims_by_band"] == {
        "not_at_risk": 0.0, "mild": 0.0, "moderate": 1.0, "significant": 0.0, None: 0.0,
    }  # fmt: skip
    assert children["non_victims_flagged"] == 0.0  # "not at risk" is not a flag of concern


def test_timeliness(hand_truth: Truth) -> None:
    lead = {"members": ["e1", "e2"]}
    child = {"kind": "child", "entity": "e3", "band": "significant"}
    runs = [
        (date(2019, 2, 7), {"flags": [], "group_leads": []}),
        (date(2019, 2, 14), {"flags": [child], "group_leads": [lead]}),
        (date(2019, 2, 21), {"flags": [child], "group_leads": [lead]}),
    ]
    out = score_timeliness(
        hand_truth,
        runs,
        {i: IDENTITY for i in range(3)},
        IN_STORE["person"],
        (date(2019, 1, 1), date(2019, 12, 31)),
    )
    # first evidence received 2 February; first named in the run of 14 February
    assert out["groups"] == [
        {
            "group_id": "G1",
            "first_evidence": "2019-02-02",
            "first_lead": "2019-02-14",
            "delay_days": 12,
        }
    ]
    assert (out["median_days"], out["p90_days"], out["detected"]) == (12, 12, 1)
    # the victim's last abuse was 1 February: flagged too late
    assert out["victims_with_abuse_in_window"] == 1
    assert out["victims_at_risk_before_last_abuse"] == 0.0


def test_a_group_never_named_has_no_delay(hand_truth: Truth) -> None:
    runs = [(date(2019, 2, 7), {"flags": [], "group_leads": []})]
    window = (date(2019, 1, 1), date(2019, 12, 31))
    out = score_timeliness(hand_truth, runs, {0: IDENTITY}, IN_STORE["person"], window)
    assert out["groups"][0]["delay_days"] is None
    assert (out["median_days"], out["p90_days"], out["detected"]) == (None, None, 0)


@pytest.mark.parametrize(
    ("start", "end", "step", "expected"),
    [
        (date(2019, 1, 1), date(2019, 1, 15), 7, [date(2019, 1, 8), date(2019, 1, 15)]),
        (date(2019, 1, 1), date(2019, 1, 10), 7, [date(2019, 1, 8), date(2019, 1, 10)]),
        (date(2019, 1, 1), date(2019, 1, 3), 7, [date(2019, 1, 3)]),
    ],
)
def test_cutoffs(start: date, end: date, step: int, expected: list[date]) -> None:
    assert cutoffs(start, end, step) == expected
