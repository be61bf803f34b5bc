"""The problem profile: victims, suspects and offenders, flagged people, groups and events,
read from the store as count tables, each with its population defined in words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection

from joinedup.stats import queries as q
from joinedup.stats.breakdowns import (
    OFFENDER_ROLES,
    adult_tables,
    child_tables,
    event_tables,
    group_size_table,
)
from joinedup.stats.people import Mention, Person
from joinedup.stats.tables import CountTable, TwoWayTable


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
    _add(profile, "victims", "Victims", victims, child_tables, scope)
    _add(
        profile,
        "offenders",
        "Suspects and offenders",
        offenders,
        adult_tables,
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
            ("child", "Flagged children", child_tables),
            ("adult", "Flagged adults", adult_tables),
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


def _groups(profile: Profile, groups: list[tuple[int, list[int]]]) -> None:
    count = len(groups)
    profile.populations.append(Population("groups", "Groups", POPULATIONS["groups"], count))
    profile.tables.append(group_size_table(groups))


def _events(profile: Profile, people: list[Person], scope: q.Scope) -> None:
    tables, grid, events, offences = event_tables(people, scope)
    profile.tables.extend(tables)
    profile.two_way.append(grid)
    profile.populations.append(Population("events", "Events", POPULATIONS["events"], events))
    profile.populations.append(
        Population("offences", "Police incidents", POPULATIONS["offences"], offences)
    )


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
