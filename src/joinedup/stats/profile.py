"""The problem profile: victims, suspects and offenders, flagged people, groups and events,
read from the store as count tables, each with its population defined in words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection

from joinedup.stats import queries as q
from joinedup.stats.people import (
    CONFLICTING,
    GROUPS,
    UNRECORDED,
    VULNERABILITIES,
    Mention,
    Person,
    ethnic_group,
    officer_group,
)
from joinedup.stats.tables import CountTable, TwoWayTable, one_way

VICTIM_AGES = ("under 10", "10-11", "12", "13", "14", "15", "16", "17", "18 and over")
ADULT_AGES = ("under 18", "18-24", "25-34", "35-44", "45-54", "55 and over")
GROUP_SIZES = ("2", "3-4", "5-9", "10 and over")
YES_NO = ("yes", "no")
SEX = {"F": "female", "M": "male"}
OFFENDER_ROLES = ("suspect", "offender")


@dataclass
class Population:
    key: str
    title: str
    definition: str
    count: int | None  # None once suppressed


@dataclass
class Profile:
    scope: q.Scope
    generated_at: datetime
    unit: str  # "people" when resolution has run, else "mentions"
    populations: list[Population]
    tables: list[CountTable]
    two_way: list[TwoWayTable]
    definitions: dict[str, str]
    notes: list[str] = field(default_factory=list)
    groups_available: bool = False
    controlled: bool = False
    threshold: int | None = None
    rounded_to: int | None = None

    def table(self, key: str) -> CountTable:
        for t in self.tables:
            if t.key == key:
                return t
        raise KeyError(f"no table {key!r}; tables: {', '.join(t.key for t in self.tables)}")


def build_profile(
    conn: Connection,
    *,
    area: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    now: datetime | None = None,
) -> Profile:
    """The profile of everything in scope (exact counts: control it before it leaves)."""
    scope = q.Scope(area, date_from, date_to)
    resolution = q.resolution_state(conn)
    skip = q.superseded_ids(conn)
    roles = {"victim", *OFFENDER_ROLES}
    anchors: dict[str, list[Mention]] = {}  # person key -> their in-scope role mentions
    entity_of: dict[str, int] = {}
    loose: dict[str, list[Mention]] = {}  # mentions not (yet) resolved into an entity
    for entity_id, m in q.role_mentions(conn, roles):
        if m.record_id in skip or not scope.contains(m):
            continue
        key = f"E{entity_id}" if entity_id is not None else f"m{m.id}"
        anchors.setdefault(key, []).append(m)
        if entity_id is not None:
            entity_of[key] = entity_id
        else:
            loose[key] = [m]
    detection = q.detection_state(conn)
    flagged: dict[str, set[str]] = {}
    if detection is not None:
        for kind in ("child", "adult"):
            keys = {f"E{e}" for e in q.flagged_entities(conn, kind)}
            flagged[kind] = keys
            entity_of |= {k: int(k[1:]) for k in keys}
    groups = q.group_sizes(conn) if detection is not None else []
    if scope.has_event_filter():  # group members are read to place each group in scope
        entity_of |= {f"E{e}": e for _, members in groups for e in members}
    people = _people(conn, entity_of, loose, skip)
    if scope.has_event_filter():  # flagged people and groups count when they appear in scope

        def seen(key: str) -> bool:
            return key in people and any(scope.contains(m) for m in people[key].mentions)

        for kind, keys in flagged.items():
            flagged[kind] = {k for k in keys if seen(k)}
        groups = [(g, members) for g, members in groups if any(seen(f"E{e}") for e in members)]
    victims = [people[k] for k, ms in anchors.items() if any(m.role == "victim" for m in ms)]
    offenders = [
        people[k] for k, ms in anchors.items() if any(m.role in OFFENDER_ROLES for m in ms)
    ]
    unit = "people" if resolution["run"] else "mentions"
    profile = Profile(scope, now or datetime.now(UTC), unit, [], [], [], _definitions(unit, scope))
    if not resolution["run"]:
        profile.notes.append(
            "Resolution has not run: each mention counts as a person, so someone named in "
            "several records is counted once per record. Run `joinedup resolve` first."
        )
    elif loose:
        profile.notes.append(
            f"{len(loose):,} in-scope mentions joined no entity (ingested after the last "
            "resolution run); each counts as a separate person."
        )
    _add(profile, "victims", "Victims", victims, _child_tables, scope)
    _add(
        profile,
        "offenders",
        "Suspects and offenders",
        offenders,
        _adult_tables,
        scope,
        anchors=anchors,
    )
    if detection is None:
        profile.notes.append(
            "Flagged children and adults, and groups: not available: detection has not run."
        )
    else:
        profile.groups_available = True
        for kind, title, tables in (
            ("child", "Flagged children", _child_tables),
            ("adult", "Flagged adults", _adult_tables),
        ):
            _add(
                profile,
                f"flagged_{kind}",
                title,
                [people[k] for k in sorted(flagged[kind]) if k in people],
                tables,
                scope,
            )
        _groups(profile, groups)
    _events(profile, [*victims, *offenders], scope)
    return profile


def _people(
    conn: Connection, entity_of: dict[str, int], loose: dict[str, list[Mention]], skip: set[int]
) -> dict[str, Person]:
    by_entity: dict[int, list[Mention]] = {}
    for entity_id, m in q.entity_mentions(conn, set(entity_of.values())):
        if m.record_id not in skip:
            by_entity.setdefault(entity_id, []).append(m)
    protected = q.entity_protected(conn, set(entity_of.values()))
    people = {k: Person(k, by_entity.get(e, []), protected[e]) for k, e in entity_of.items()}
    q.attach_protected(conn, [m for ms in loose.values() for m in ms])
    people |= {k: Person(k, ms) for k, ms in loose.items()}
    return people


def _add(
    profile: Profile,
    key: str,
    title: str,
    people: list[Person],
    builder: Callable[..., list[CountTable]],
    scope: q.Scope,
    **kw: Any,
) -> None:
    definition = POPULATIONS[key].format(unit=profile.unit)
    profile.populations.append(Population(key, title, definition, len(people)))
    for table in builder(key, people, scope, **kw):
        table.population = key
        profile.tables.append(table)


def _tally(
    key: str, title: str, values: list[str], categories: tuple[str, ...] | None = None, **kw: Any
) -> CountTable:
    counts = Counter(values)
    unknown = {UNRECORDED: counts.pop(UNRECORDED, 0)}
    if counts.get(CONFLICTING):
        unknown[CONFLICTING] = counts.pop(CONFLICTING)
    counts.pop(CONFLICTING, None)
    order = list(categories) if categories else [c for c, _ in counts.most_common()]
    order += sorted(c for c in counts if c not in order)
    return one_way(key, title, {c: counts.get(c, 0) for c in order}, unknown, **kw)


def _band(age: int | None, bands: tuple[str, ...]) -> str:
    if age is None:
        return UNRECORDED
    if bands is VICTIM_AGES:
        return (
            "under 10"
            if age < 10
            else "10-11"
            if age < 12
            else "18 and over"
            if age >= 18
            else str(age)
        )
    edges = ((18, "under 18"), (25, "18-24"), (35, "25-34"), (45, "35-44"), (55, "45-54"))
    return next((label for edge, label in edges if age < edge), "55 and over")


def _age(p: Person, when: datetime | None, bands: tuple[str, ...]) -> str:
    if p.dob_value() == CONFLICTING:
        return CONFLICTING
    return _band(p.age_at(when), bands)


def _sex(p: Person) -> str:
    return SEX.get(p.sex(), p.sex())


def _child_tables(pop: str, people: list[Person], scope: q.Scope) -> list[CountTable]:
    ages = [_age(p, p.first_concern(), VICTIM_AGES) for p in people]
    tables = [
        _tally(f"{pop}.age_first_concern", "Age at first recorded concern", ages, VICTIM_AGES),
        _tally(f"{pop}.sex", "Sex", [_sex(p) for p in people], tuple(SEX.values())),
        _tally(f"{pop}.in_care", "Ever recorded in care", [p.in_care() for p in people], YES_NO),
    ]
    for name in VULNERABILITIES:
        tables.append(
            _tally(
                f"{pop}.vulnerability.{name}",
                f"Vulnerability: {name.replace('_', ' ')}",
                [p.flag(name) for p in people],
                YES_NO,
            )
        )
    tables.append(
        _tally(
            f"{pop}.vulnerability.sen",
            "Vulnerability: special educational needs",
            [p.sen() for p in people],
            YES_NO,
        )
    )
    return tables + _protected_tables(pop, people)


def _adult_tables(
    pop: str, people: list[Person], scope: q.Scope, anchors: dict[str, list[Mention]] | None = None
) -> list[CountTable]:
    def first_seen(p: Person) -> datetime | None:
        ms = (anchors or {}).get(p.key) or [m for m in p.mentions if scope.contains(m)]
        dates = [m.start_at for m in ms if m.start_at]
        return min(dates) if dates else None

    tables = []
    if anchors is not None:
        roles = [
            "offender" if any(m.role == "offender" for m in anchors[p.key]) else "suspect"
            for p in people
        ]
        tables.append(_tally(f"{pop}.role", "Recorded role", roles, OFFENDER_ROLES[::-1]))
    tables += [
        _tally(
            f"{pop}.age",
            "Age at first record in scope",
            [_age(p, first_seen(p), ADULT_AGES) for p in people],
            ADULT_AGES,
        ),
        _tally(f"{pop}.sex", "Sex", [_sex(p) for p in people], tuple(SEX.values())),
    ]
    tables += _protected_tables(pop, people)
    tables.append(
        _tally(
            f"{pop}.disability",
            "Disability",
            [p.disability() for p in people],
            YES_NO,
            note="No built-in feed records the disability of adults.",
        )
    )
    return tables


def _protected_tables(pop: str, people: list[Person]) -> list[CountTable]:
    detailed = [p.protected("ethnicity_self") for p in people]
    # The broad group is the group of the detailed value, so the two tables add up exactly
    # and disclosure control can protect them together.
    grouped = [
        v if v in (UNRECORDED, CONFLICTING) else ethnic_group(v) or "Other" for v in detailed
    ]
    detail = _tally(f"{pop}.ethnicity_self", "Ethnicity (self-defined), as recorded", detailed)
    detail.rolls_up_to = f"{pop}.ethnicity_self_group"
    detail.roll_up = {c: ethnic_group(c) or "Other" for c in detail.counts}
    return [
        _tally(
            f"{pop}.ethnicity_self_group", "Ethnicity (self-defined), broad group", grouped, GROUPS
        ),
        detail,
        _tally(
            f"{pop}.ethnicity_officer_group",
            "Ethnicity (officer-observed), broad group",
            [p.protected("ethnicity_officer", officer_group) for p in people],
            GROUPS,
        ),
        _tally(f"{pop}.nationality", "Nationality", [p.protected("nationality") for p in people]),
    ]


def _groups(profile: Profile, groups: list[tuple[int, list[int]]]) -> None:
    sizes = [len(set(members)) for _, members in groups]
    bands = [
        "2" if s <= 2 else "3-4" if s <= 4 else "5-9" if s <= 9 else "10 and over" for s in sizes
    ]
    profile.populations.append(Population("groups", "Groups", POPULATIONS["groups"], len(sizes)))
    table = _tally("groups.size", "Group size (adults and children)", bands, GROUP_SIZES)
    table.population = "groups"
    profile.tables.append(table)


def _events(profile: Profile, people: list[Person], scope: q.Scope) -> None:
    events: dict[int, Mention] = {}
    for p in people:
        for m in p.mentions:
            if m.event_id is not None and m.event_id not in events and scope.contains(m):
                events[m.event_id] = m
    ms = list(events.values())
    month = [m.start_at.strftime("%Y-%m") if m.start_at else UNRECORDED for m in ms]
    months = _month_range(sorted({x for x in month if x != UNRECORDED}))
    kinds = [m.event_type or UNRECORDED for m in ms]
    offences = [
        (m.event_attributes or {}).get("incident_class") or UNRECORDED
        for m in ms
        if m.event_type == "police_incident"
    ]
    for table in (
        _tally("events.type", "Events by type", kinds),
        _tally("offences.class", "Police incidents by recorded class", offences),
        _tally(
            "events.place_type", "Events by place type", [m.place_type or UNRECORDED for m in ms]
        ),
        _tally("events.month", "Events by month", month, tuple(months)),
    ):
        table.population = "offences" if table.key.startswith("offences.") else "events"
        profile.tables.append(table)
    cols = months + ([UNRECORDED] if UNRECORDED in month else [])
    rows = sorted(set(kinds))
    cells = Counter(zip(kinds, month, strict=True))
    profile.two_way.append(
        TwoWayTable.from_cells(
            "events.type_by_month",
            "Events by type and month",
            dict(cells),
            rows,
            cols,
            row_label="event type",
            col_label="month",
        )
    )
    profile.populations.append(Population("events", "Events", POPULATIONS["events"], len(ms)))
    profile.populations.append(
        Population("offences", "Police incidents", POPULATIONS["offences"], len(offences))
    )


def _month_range(months: list[str]) -> list[str]:
    if not months:
        return []
    y, m = map(int, months[0].split("-"))
    out = []
    while f"{y:04d}-{m:02d}" <= months[-1]:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


POPULATIONS = {
    "victims": "{unit} recorded as a victim in at least one record of an event in scope",
    "offenders": "{unit} recorded as a suspect or offender in at least one record of an event "
    "in scope (a suspect is not an offender: few are charged, fewer convicted)",
    "flagged_child": "children with a live lead from detection (active, not dismissed): "
    "leads for a person to review, not verdicts",
    "flagged_adult": "adults with a live lead from detection (active, not dismissed): "
    "leads for a person to review, not verdicts",
    "groups": "live group leads from detection (active, not dismissed) with a member in an "
    "event in scope; size counts the adults and children in each; leads, not verdicts",
    "offences": "the police incident records among the events, by the class the force gave "
    "them (a class is not a charge)",
    "events": "records of events in scope involving a victim, suspect or offender above; "
    "one incident recorded by two agencies counts twice",
}


def _definitions(unit: str, scope: q.Scope) -> dict[str, str]:
    return {
        "unit": "a resolved person counts once"
        if unit == "people"
        else "each mention counts as one (resolution has not run)",
        "characteristics": "taken from every record about the person, whatever its date; the "
        "value recorded most often wins, and a tie between values is 'conflicting'",
        "unrecorded": "no record gives a value, or every record says 'not stated'/'unknown'",
        "age at first recorded concern": "age on the earliest record of the child as victim, "
        "missing person, social care subject or pupil with a school concern",
        "in care": "yes if any record says looked after or missing from care",
        "period": "events whose start date is in the period, inclusive",
        "area": "events whose location postcode is in the district (NV3) or area (NV)",
        "ethnic groups": "detailed categories grouped as in the 2021 Census (White, Mixed, "
        "Asian incl. Chinese, Black, Other); officer-observed IC codes mapped the same way",
    }
