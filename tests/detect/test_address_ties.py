"""A child recorded at an address where adults live (docs/rules.md, "Ties", at_address):
the scene of a police report naming her ties her to the place, and its residents join a
group lead through their home; never her own home, a home where a child lives, a domestic
call, a child suspect, or an address shared by many (a hostel)."""

from __future__ import annotations

from datetime import date, datetime

from joinedup.detect.adults import score_adults
from joinedup.detect.engine import detect_facts
from joinedup.detect.facts import Event, Facts, Part, Person
from joinedup.detect.rulebook import builtin_rulebook
from joinedup.detect.ties import analyse

AS_OF = date(2019, 12, 31)
GIRL, MO, ALI, BOY = 1, 2, 3, 4
FLAT, HER_HOME, HOSTEL = 50, 51, 52  # location entities
LODGERS = range(10, 17)  # seven adults recorded at the hostel


def person(entity: int, born: int, forename: str, surname: str, home: int) -> Person:
    p = Person(entity, f"{forename} {surname}", dobs=[date(born, 1, 1)], anchor=entity)
    p.has_name = True
    p.forenames, p.surnames, p.homes = {forename.upper()}, {surname.upper()}, {home}
    return p


def incident(i: int, cls: str, place: int, child: int = GIRL, role: str = "victim") -> Event:
    when = datetime(2019, 3, i)
    e = Event(i, i, "police_incident", when, when, {"incident_class": cls}, place)
    e.parts = [
        Part("person", child, role, 100 * i, {}),
        Part("location", place, "location", 100 * i + 1, {}),
    ]
    return e


def facts(events: list[Event], boy_home: int = HER_HOME) -> Facts:
    ps = {
        GIRL: person(GIRL, 2005, "Amy", "Stone", HER_HOME),
        MO: person(MO, 1990, "Mohammed", "Dar", FLAT),
        ALI: person(ALI, 1991, "Ali", "Khan", FLAT),
        BOY: person(BOY, 2006, "Tom", "Webb", boy_home),
    }
    for n in LODGERS:
        ps[n] = person(n, 1970 + n, f"Lodger{n}", f"Surname{n}", HOSTEL)
    for e in events:
        for x in e.parts:
            if x.kind == "person":
                ps[x.entity].events.append(e.id)
    labels = {FLAT: "Flat 12, 9 Wharf Lane NV3 5SJ", HER_HOME: "18 Market Way NV11 3WS",
              HOSTEL: "Northvale Hostel, 2 Mill Road NV1 2AB"}  # fmt: skip
    return Facts(AS_OF, {e.id: e for e in events}, ps, labels, {}, {}, {}, 1, {})


def address_ties(events: list[Event], **kw: int) -> list[tuple[int, int]]:
    an = analyse(facts(events, **kw), builtin_rulebook().adults.params)
    return [(t.child, t.other) for t in an.ties if t.how == "at_address"]


def test_a_girl_at_an_incident_in_a_mans_flat_ties_her_to_it_and_its_residents_lead() -> None:
    events = [incident(1, "anti_social_behaviour", FLAT)]
    assert address_ties(events) == [(GIRL, FLAT)]
    d = detect_facts(facts(events))
    assert len(d.groups) == 1
    assert d.groups[0].children == {GIRL} and set(d.groups[0].adults) == {MO, ALI}
    book = builtin_rulebook().adults
    flagged = score_adults(analyse(facts(events), book.params), book)
    for man in (MO, ALI):
        assert [h.rule_id for h in flagged[man].hits] == ["adult_at_address_where_children_found"]


def test_her_own_home_a_home_where_a_child_lives_or_a_hostel_is_no_tie() -> None:
    assert address_ties([incident(1, "concern_for_welfare", HER_HOME)]) == []
    boy = incident(2, "assessment", FLAT, child=BOY, role="subject")  # a boy lives there
    boy.type = "assessment"
    assert address_ties([incident(1, "arrest", FLAT), boy], boy_home=FLAT) == []
    assert address_ties([incident(1, "arrest", HOSTEL)]) == []  # seven adults live there


def test_only_reports_of_concern_and_never_a_child_suspect() -> None:
    assert address_ties([incident(1, "domestic", FLAT)]) == []
    assert address_ties([incident(1, "theft", FLAT)]) == []
    assert address_ties([incident(1, "arrest", FLAT, role="suspect")]) == []
    assert address_ties([incident(1, "intelligence_report", FLAT, role="mentioned")]) == [
        (GIRL, FLAT)
    ]
