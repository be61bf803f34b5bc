"""The child indicator framework on hand-made facts: points by tier, windows, bands, floors."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from joinedup.detect.children import ChildScorer
from joinedup.detect.facts import Event, Facts, Part, Person
from joinedup.detect.rulebook import builtin_rulebook
from joinedup.detect.ties import analyse

AS_OF = date(2019, 12, 31)
CHILD, CARER = 1, 2


def facts(events: list[tuple[str, str, dict, dict, str, date]], dob: date) -> Facts:
    """(event type, child's role, event attrs, child's mention attrs, text, day) rows."""
    child = Person(CHILD, "Ann Child", dobs=[dob], surnames={"CHILD"}, anchor=1)
    carer = Person(CARER, "Carol Carer", dobs=[date(1970, 1, 1)], surnames={"CARER"}, anchor=2)
    out: dict[int, Event] = {}
    for i, (etype, role, attrs, mine, text, day) in enumerate(events, start=1):
        when = datetime.combine(day, datetime.min.time())
        e = Event(i, i, etype, when, when, attrs, None, text=text)
        e.parts.append(Part("person", CHILD, role, 100 + i, mine))
        e.parts.append(Part("person", CARER, "reporting_person", 200 + i, {}))
        child.events.append(i)
        carer.events.append(i)
        out[i] = e
    return Facts(AS_OF, out, {CHILD: child, CARER: carer}, {}, {}, {}, {}, 1, {})


def score(rows: list, dob: date = date(2004, 6, 1)):  # type: ignore[no-untyped-def]
    book = builtin_rulebook()
    an = analyse(facts(rows, dob), book.adults.params)
    return ChildScorer(book.children).score(an, CHILD)


MISSING = ("missing_episode", "missing_person", {"category": "missing_from_home"}, {}, "")
CARE = ("missing_episode", "missing_person", {"category": "missing_from_care"}, {}, "")
SEXUAL_HEALTH = ("health_attendance", "patient", {"presenting_complaint": "sexual_health"}, {}, "")
LD = ("assessment", "subject", {}, {"learning_disability": "true"}, "")
GIFTS = ("education_concern", "pupil", {}, {}, "Has a new expensive phone, will not say.")


@pytest.mark.parametrize(
    ("rows", "dob", "score_", "band"),
    [
        ([], date(2004, 6, 1), 0, "not_at_risk"),
        ([(*MISSING, date(2019, 12, 1))], date(2004, 6, 1), 1, "mild"),
        # in care (1) + gone missing (1) + three episodes in 6 months (1)
        (
            [(*CARE, date(2019, d // 28 + 9, d % 28 + 1)) for d in (0, 30, 60)],
            date(2004, 6, 1),
            3,
            "moderate",
        ),
        # repeat missing needs its three episodes within the last 6 months
        ([(*MISSING, date(2019, m, 1)) for m in (1, 2, 3)], date(2004, 6, 1), 1, "mild"),
        # a significant indicator while current: 5 points
        ([(*SEXUAL_HEALTH, date(2019, 11, 1))], date(2004, 6, 1), 5, "moderate"),
        # ...but not once it is older than 3 months
        ([(*SEXUAL_HEALTH, date(2019, 6, 1))], date(2004, 6, 1), 0, "not_at_risk"),
        (
            [(*SEXUAL_HEALTH, date(2019, 11, 1)), (*MISSING, date(2019, 12, 1))],
            date(2004, 6, 1),
            6,
            "significant",
        ),
        # floors: under 13 with a moderate indicator is at least moderate
        ([(*GIFTS, date(2019, 10, 1))], date(2008, 1, 1), 1, "moderate"),
        ([(*GIFTS, date(2019, 10, 1))], date(2004, 1, 1), 1, "mild"),
        # a learning disability alone never triggers the floor; with an indicator it does
        ([(*LD, date(2019, 10, 1))], date(2004, 1, 1), 2, "mild"),
        ([(*LD, date(2019, 10, 1)), (*GIFTS, date(2019, 10, 2))], date(2004, 1, 1), 3, "moderate"),
    ],  # fmt: skip
)
def test_points_windows_bands_and_floors(rows, dob, score_, band) -> None:  # type: ignore[no-untyped-def]
    result = score(rows, dob)
    assert (result.score, result.band) == (score_, band), result.reason()


def test_each_indicator_cites_its_events() -> None:
    result = score([(*SEXUAL_HEALTH, date(2019, 11, 1)), (*MISSING, date(2019, 12, 1))])
    cited = {h.indicator.id: h.events for h in result.hits}
    assert cited == {"child_sexual_health": [1], "child_gone_missing": [2]}
    assert "Sexual health" in result.reason()


def test_the_carer_who_reports_her_missing_is_family_not_a_tie() -> None:
    book = builtin_rulebook()
    an = analyse(facts([(*MISSING, date(2019, 12, 1))], date(2004, 6, 1)), book.adults.params)
    assert CARER in an.family[CHILD] and not an.ties
