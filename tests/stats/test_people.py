"""A person's characteristics from several mentions: the majority rule and its ties."""

from __future__ import annotations

from datetime import date, datetime

from joinedup.stats.people import (
    CONFLICTING,
    UNRECORDED,
    Mention,
    Person,
    ethnic_group,
    most_recorded,
    officer_group,
)


def test_most_recorded() -> None:
    assert most_recorded(["F", "F", "M"]) == "F"
    assert most_recorded(["F", "M"]) == CONFLICTING
    assert most_recorded([None, "not_stated", "unknown"]) == UNRECORDED
    assert most_recorded(["A", None, "not_stated"]) == "A"
    assert most_recorded([]) == UNRECORDED


def test_groups() -> None:
    assert ethnic_group("white_british") == "White"
    assert ethnic_group("asian_pakistani") == "Asian"
    assert ethnic_group("chinese") == "Asian"
    assert ethnic_group("mixed_white_asian") == "Mixed"
    assert ethnic_group("arab") == "Other"
    assert ethnic_group("not_stated") is None
    assert officer_group("white_south_european") == "White"
    assert officer_group("arab_north_african") == "Other"
    assert officer_group("unknown") is None


def m(i: int, role: str = "subject", **kw: object) -> Mention:
    return Mention(i, role, **kw)  # type: ignore[arg-type]


def test_in_care_and_flags() -> None:
    p = Person(
        "E1",
        [
            m(1, attributes={"legal_status": "child_in_need", "mental_health": "false"}),
            m(2, "missing_person", event_attributes={"category": "missing_from_care"}),
            m(3, attributes={"mental_health": "true"}),
        ],
    )
    assert p.in_care() == "yes"
    assert p.flag("mental_health") == "yes"  # any record saying yes
    assert p.flag("missing") == "yes"  # a missing episode is itself the record
    assert p.flag("substance_use") == UNRECORDED
    q = Person("E2", [m(4, attributes={"legal_status": "none", "substance_use": "false"})])
    assert q.in_care() == "no" and q.flag("substance_use") == "no"
    assert Person("E3", [m(5, "victim")]).in_care() == UNRECORDED


def test_age_at_first_concern() -> None:
    p = Person(
        "E1",
        [
            m(1, "victim", dob=date(2009, 5, 1), start_at=datetime(2024, 1, 10)),
            m(2, "missing_person", dob=date(2009, 5, 1), start_at=datetime(2023, 4, 30)),
            m(3, "patient", start_at=datetime(2020, 1, 1)),  # a clinic visit is not a concern
        ],
    )
    assert p.first_concern() == datetime(2023, 4, 30)
    assert p.age_at(p.first_concern()) == 13  # the day before her 14th birthday


def test_conflicting_protected_values() -> None:
    p = Person(
        "E1",
        [
            m(1, protected=[("ethnicity_self", "white_british")]),
            m(2, protected=[("ethnicity_self", "asian_indian")]),
        ],
    )
    assert p.protected("ethnicity_self") == CONFLICTING
    q = Person("E1", [*p.mentions, m(3, protected=[("ethnicity_self", "asian_indian")])])
    assert q.protected("ethnicity_self") == "asian_indian"
