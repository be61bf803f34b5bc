"""What the network hands out: event links, associations with evidence, subgraphs, paths,
measures and communities, each JSON-serialisable through `to_dict()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple


class NetworkError(RuntimeError):
    """The graph cannot be built or asked this (e.g. resolution has not run)."""


class UnknownEntity(LookupError):
    """No current entity with this id is in the graph."""


def entity_ref(entity_id: int) -> str:
    """How users see an entity, as `joinedup explain` does: E34."""
    return f"E{entity_id}"


def parse_entity(ref: int | str) -> int:
    """E34, e34 or 34 -> 34; anything else is a ValueError that says what was expected."""
    if isinstance(ref, int):
        return ref
    text = str(ref).strip().upper().removeprefix("E")
    if not text.isdigit():
        raise ValueError(f"{ref!r} is not an entity id such as E34")
    return int(text)


def _day(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    return (value.date() if isinstance(value, datetime) else value).isoformat()


@dataclass(frozen=True, slots=True)
class EventLink:
    """One participation of an entity in an event: the role it played, and from which record."""

    entity_id: int
    event_id: int
    event_type: str
    start_at: datetime | None
    day: date  # the event's start, else the day its record was received
    role: str
    mention_kind: str
    mention_id: int
    record_id: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity": entity_ref(self.entity_id),
            "event_id": self.event_id,
            "event_type": self.event_type,
            "start_at": self.start_at.isoformat() if self.start_at else None,
            "date": self.day.isoformat(),
            "role": self.role,
            "mention": f"{self.mention_kind}:{self.mention_id}",
            "record_id": self.record_id,
        }


class Evidence(NamedTuple):
    """One fact behind an association: a record (and its event, when it has one).

    `role` is the entity's own role in that record, `other_role` the other side's; either is
    None when the fact is about one side only (e.g. one person's tie to a shared vehicle).
    `via` is the shared object (vehicle, phone, address) for derived links. A named tuple:
    links to hubs carry tens of thousands of these.
    """

    record_id: int
    event_id: int | None
    day: date
    role: str | None
    other_role: str | None
    via: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "record_id": self.record_id,
            "event_id": self.event_id,
            "date": self.day.isoformat(),
            "role": self.role,
            "other_role": self.other_role,
            "via": entity_ref(self.via) if self.via is not None else None,
        }


@dataclass(slots=True)
class Association:
    """An entity-entity link of one kind, with every piece of evidence for it.

    `firm` is False for candidate links (a partial plate that could be `candidates`
    vehicles): they are shown, never traversed by paths, measures or communities.
    """

    entity_id: int
    other_id: int
    other_kind: str
    other_label: str | None
    kind: str
    firm: bool
    evidence: list[Evidence]
    candidates: int | None = None
    reason: str | None = None

    @property
    def roles(self) -> set[str]:
        return {e.role for e in self.evidence if e.role is not None}

    @property
    def other_roles(self) -> set[str]:
        return {e.other_role for e in self.evidence if e.other_role is not None}

    @property
    def event_ids(self) -> list[int]:
        return sorted({e.event_id for e in self.evidence if e.event_id is not None})

    @property
    def record_ids(self) -> list[int]:
        return sorted({e.record_id for e in self.evidence})

    @property
    def first(self) -> date | None:
        return min((e.day for e in self.evidence), default=None)

    @property
    def last(self) -> date | None:
        return max((e.day for e in self.evidence), default=None)

    @property
    def count(self) -> int:
        """Distinct events for co-event links, distinct records for the others."""
        if self.kind == "co_event":
            return len(self.event_ids)
        return len(self.record_ids)

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity": entity_ref(self.entity_id),
            "other": entity_ref(self.other_id),
            "other_kind": self.other_kind,
            "other_label": self.other_label,
            "kind": self.kind,
            "firm": self.firm,
            "candidates": self.candidates,
            "reason": self.reason,
            "roles": sorted(self.roles),
            "other_roles": sorted(self.other_roles),
            "count": self.count,
            "first": _day(self.first),
            "last": _day(self.last),
            "event_ids": self.event_ids,
            "record_ids": self.record_ids,
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass(frozen=True, slots=True)
class Node:
    entity_id: int
    kind: str
    label: str | None
    depth: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": entity_ref(self.entity_id),
            "entity_id": self.entity_id,
            "kind": self.kind,
            "label": self.label,
            "depth": self.depth,
        }


@dataclass(slots=True)
class Subgraph:
    """A neighbourhood: entities (with their depth from the centre) and the links among them."""

    centre: int
    depth: int
    nodes: list[Node]
    edges: list[Association]  # each link once, from its lower entity id to the higher
    events: list[EventLink] = field(default_factory=list)  # filled when events are asked for
    truncated: bool = False
    filters: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "centre": entity_ref(self.centre),
            "depth": self.depth,
            "filters": self.filters,
            "truncated": self.truncated,
            "nodes": [n.to_dict() for n in self.nodes],
            "edges": [e.to_dict() for e in self.edges],
            "events": [e.to_dict() for e in self.events],
        }


@dataclass(slots=True)
class Hop:
    """One step of a path: from one entity to the next, by these links."""

    source: int
    target: int
    target_kind: str
    target_label: str | None
    links: list[Association]  # every firm link between the two (time-respecting: the one used)
    day: date | None = None  # time-respecting paths: the day of the event used

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": entity_ref(self.source),
            "to": entity_ref(self.target),
            "to_kind": self.target_kind,
            "to_label": self.target_label,
            "date": _day(self.day),
            "links": [a.to_dict() for a in self.links],
        }


@dataclass(slots=True)
class Path:
    source: int
    target: int
    time_respecting: bool
    hops: list[Hop]

    @property
    def entity_ids(self) -> list[int]:
        return [self.source, *(h.target for h in self.hops)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": entity_ref(self.source),
            "to": entity_ref(self.target),
            "time_respecting": self.time_respecting,
            "length": len(self.hops),
            "entities": [entity_ref(e) for e in self.entity_ids],
            "hops": [h.to_dict() for h in self.hops],
        }


@dataclass(frozen=True, slots=True)
class Measure:
    """One entity's analyst measures on the entity-entity projection (see docs/network.md)."""

    entity_id: int
    kind: str
    label: str | None
    degree: int
    weighted_degree: float
    betweenness: float
    closeness: float
    eigenvector: float
    coreness: int
    component: int
    estimated: bool = False  # betweenness/closeness from sampled sources or a path cutoff

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity": entity_ref(self.entity_id),
            "kind": self.kind,
            "label": self.label,
            "degree": self.degree,
            "weighted_degree": self.weighted_degree,
            "betweenness": round(self.betweenness, 6),
            "closeness": round(self.closeness, 6),
            "eigenvector": round(self.eigenvector, 6),
            "coreness": self.coreness,
            "component": self.component,
            "estimated": self.estimated,
        }


@dataclass(slots=True)
class Community:
    """One Leiden community of the projection: its members and how tightly they are tied."""

    index: int
    members: list[int]
    kinds: dict[str, int]
    internal_weight: float
    size: int = 0

    def __post_init__(self) -> None:
        self.size = len(self.members)

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "size": self.size,
            "kinds": self.kinds,
            "internal_weight": self.internal_weight,
            "members": [entity_ref(m) for m in self.members],
        }
