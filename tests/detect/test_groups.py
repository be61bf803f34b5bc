"""Group leads and the adult rules that feed them, on hand-made facts: a lead around one
child, adults the records cannot tell apart counted once, family named in text, ordinary
contact counting only around a child at risk, exploitation reports naming no child, and
records never seen before their event."""

from __future__ import annotations

from datetime import date, datetime

from joinedup.detect.adults import score_adults
from joinedup.detect.engine import detect_facts
from joinedup.detect.facts import Event, Facts, Part, Person, seen_at
from joinedup.detect.groups import distinct_people, find_groups, may_be_one
from joinedup.detect.rulebook import builtin_rulebook
from joinedup.detect.ties import analyse

AS_OF = date(2019, 12, 31)
GIRL, MOTHER, MO, ALI, KEVIN, KEVIN_J = 1, 2, 3, 4, 5, 6


def person(entity: int, dob: date | None, forename: str | None, surname: str | None) -> Person:
    p = Person(entity, f"{forename} {surname}", dobs=[dob] if dob else [], anchor=entity)
    if forename and surname:
        p.has_name = True
        p.forenames.add(forename.upper())
        p.surnames.add(surname.upper())
    else:
        p.names.add(str(forename or surname).upper())
    return p


def people() -> dict[int, Person]:
    return {
        GIRL: person(GIRL, date(2005, 3, 1), "Amy", "Stone"),
        MOTHER: person(MOTHER, date(1980, 1, 1), "Jo", "Stone"),
        MO: person(MO, date(1990, 1, 1), "Mohammed", "Dar"),
        ALI: person(ALI, date(1991, 1, 1), "Ali", "Khan"),
        KEVIN: person(KEVIN, None, "Kevin", None),
        KEVIN_J: person(KEVIN_J, date(1966, 1, 1), "Kevin", "Johnson"),
    }


def event(i: int, etype: str, day: date, parts: list[tuple[int, str]], attrs=None, text=""):  # type: ignore[no-untyped-def]
    when = datetime.combine(day, datetime.min.time())
    e = Event(i, i, etype, when, when, attrs or {}, None, text=text)
    e.parts = [Part("person", who, role, 100 * i + k, {}) for k, (who, role) in enumerate(parts)]
    return e


def facts(events: list[Event]) -> Facts:
    ps = people()
    for e in events:
        for x in e.parts:
            ps[x.entity].events.append(e.id)
    return Facts(AS_OF, {e.id: e for e in events}, ps, {}, {}, {}, {}, 1, {})


def arrest(i: int, day: date, suspects: list[int], victim: int | None = GIRL, text: str = ""):  # type: ignore[no-untyped-def]
    parts = [(a, "suspect") for a in suspects] + ([(victim, "victim")] if victim else [])
    return event(i, "police_incident", day, parts, {"incident_class": "arrest"}, text)


def groups(events: list[Event]):  # type: ignore[no-untyped-def]
    return detect_facts(facts(events)).groups


def test_two_men_in_exploitation_reports_about_one_girl_are_a_group_lead() -> None:
    found = groups([arrest(1, date(2019, 5, 1), [MO]), arrest(2, date(2019, 6, 1), [ALI])])
    assert len(found) == 1
    assert found[0].children == {GIRL} and set(found[0].adults) == {MO, ALI}
    assert found[0].reason().startswith("2 adults and 1 child tied by 2 events")


def test_one_man_is_no_group() -> None:
    assert groups([arrest(1, date(2019, 5, 1), [MO]), arrest(2, date(2019, 6, 1), [MO])]) == []


def test_a_single_name_that_may_be_the_other_adult_counts_once() -> None:
    """'Kevin' in the narrative of a report naming Kevin Johnson is not a second man."""
    ps = people()
    assert may_be_one(ps[KEVIN], ps[KEVIN_J])
    assert not may_be_one(ps[KEVIN], ps[MO])
    assert not may_be_one(ps[MO], ps[ALI])
    an = analyse(facts([]), builtin_rulebook().adults.params)
    assert distinct_people(an, [KEVIN, KEVIN_J]) == 1
    assert distinct_people(an, [KEVIN, KEVIN_J, MO]) == 2
    report = event(
        1,
        "police_incident",
        date(2019, 5, 1),
        [(KEVIN_J, "suspect"), (KEVIN, "mentioned"), (GIRL, "victim")],
        {"incident_class": "intelligence_report"},
        "Anonymous call: 'Kevin' is often seen with teenage girls in his car.",
    )
    assert groups([report]) == []


def test_family_named_in_the_text_is_family_not_a_tie() -> None:
    school = event(
        1,
        "education_concern",
        date(2019, 5, 1),
        [(GIRL, "pupil"), (KEVIN, "mentioned")],
        text="Late most mornings. Collected by 'Kevin', family member. ",
    )
    an = analyse(facts([school]), builtin_rulebook().adults.params)
    assert KEVIN in an.family[GIRL]
    assert not [t for t in an.ties if t.other == KEVIN]
    boyfriend = event(
        1,
        "education_concern",
        date(2019, 5, 1),
        [(GIRL, "pupil"), (KEVIN, "mentioned")],
        text="Picked up by 'Kevin', an older boyfriend. ",
    )
    an = analyse(facts([boyfriend]), builtin_rulebook().adults.params)
    assert [t.how for t in an.ties if t.other == KEVIN] == ["named"]


def stop(i: int, day: date) -> Event:
    return event(i, "stop_check", day, [(MO, "driver"), (ALI, "passenger"), (GIRL, "passenger")])


def test_ordinary_stops_count_toward_a_group_only_around_a_child_at_risk() -> None:
    book = builtin_rulebook()
    evs = [stop(1, date(2019, 5, 1)), stop(2, date(2019, 6, 1))]
    an = analyse(facts(evs), book.adults.params)
    assert find_groups(an, book.groups, {GIRL: "mild"}) == []
    found = find_groups(an, book.groups, {GIRL: "moderate"})
    assert len(found) == 1 and set(found[0].adults) == {MO, ALI}


def test_an_arrest_for_child_exploitation_flags_him_with_no_child_named() -> None:
    book = builtin_rulebook()
    text = "Arrested on suspicion of child sexual exploitation offences. "
    an = analyse(facts([arrest(1, date(2019, 7, 1), [MO], None, text)]), book.adults.params)
    flags = score_adults(an, book.adults)
    assert set(flags) == {MO}
    assert flags[MO].hits[0].rule_id == "adult_suspect_in_exploitation_report"
    assert flags[MO].reason() == "suspect in 1 police report of child exploitation"
    assert flags[MO].hits[0].events == [1]
    # a burglary arrest says nothing about children
    an = analyse(facts([arrest(1, date(2019, 7, 1), [MO], None, "Burglary.")]), book.adults.params)
    assert score_adults(an, book.adults) == {}


def test_a_record_is_never_seen_before_its_event_starts() -> None:
    """A health extract whose ExtractDate was misread as 2 January 2019 is not seen by an
    as-of run before the attendance it records (16 November)."""
    start, received = datetime(2019, 11, 16, 11, 58), datetime(2019, 1, 2, 0, 7)
    assert seen_at(received, start) == start
    assert seen_at(start, received) == start  # received after the event: as recorded
    assert seen_at(received, None) == received
