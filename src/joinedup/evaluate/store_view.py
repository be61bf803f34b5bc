"""What the pipeline produced, read from the store: mentions by truth key, and the later stages.

Resolution and detection plug in through two functions (see docs/evaluation.md); until
they have written anything to the store, their metrics are null with a reason.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NotRequired, TypedDict

from sqlalchemy import Connection, func, inspect, select

from joinedup.store import tables as t

KINDS = ("person", "vehicle", "phone", "location")
MentionRef = tuple[str, int]  # (mention kind, mention id), e.g. ("person", 42)
EntityMap = Mapping[MentionRef, Hashable]  # mention -> the entity resolution put it in
EntityProvider = Callable[[Connection], EntityMap]

RESOLUTION_TABLES = ("entity", "entity_member")
DETECTION_TABLES = ("flag",)
RESOLUTION_HOOK = ("joinedup.resolve", "mention_entities")
DETECTION_HOOK = ("joinedup.detect", "leads_as_of")


class FlagOut(TypedDict):
    """One flag: `kind` adult | child | vehicle | location, on the entity `entity`."""

    kind: str
    entity: Hashable
    band: NotRequired[str | None]  # children: not_at_risk | mild | moderate | significant


class GroupLeadOut(TypedDict):
    """One group lead: the person entities it names."""

    members: Collection[Hashable]


class DetectionOut(TypedDict):
    """What detection raised, using only records received on or before the as-of date."""

    flags: Sequence[FlagOut]
    group_leads: Sequence[GroupLeadOut]
    entities: NotRequired[EntityMap]  # the resolution it used, if not mention_entities(conn)


DetectionProvider = Callable[[Connection, date | None], DetectionOut]


@dataclass(frozen=True, slots=True)
class StoredMention:
    """A mention in the store with the key the truth uses for it."""

    kind: str
    id: int
    spec: str
    source_ref: str | None
    slot: str
    extracted: bool
    text_field: str | None
    span_start: int | None
    span_end: int | None
    fields: tuple[Any, ...]  # the extra columns asked for, in order
    value: str | None = None  # the normal form a text extraction found (TEXT_VALUE)

    @property
    def ref(self) -> MentionRef:
        return (self.kind, self.id)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.spec, self.source_ref or "", self.slot)


def _text_value(kind: str) -> Any:
    m = t.MENTION_TABLES[kind]
    return {
        "person": m.c.get("nickname"),
        "vehicle": func.coalesce(m.c.get("vrm"), m.c.get("pattern")),
        "phone": m.c.get("e164"),
        "location": m.c.get("postcode"),
    }[kind]


def stored_mentions(conn: Connection, kind: str, extra: Sequence[str] = ()) -> list[StoredMention]:
    """Every stored mention of `kind` with its spec name, source_ref and slot."""
    m = t.MENTION_TABLES[kind]
    query = (
        select(
            m.c.id,
            t.feed_spec.c.name,
            t.record.c.source_ref,
            m.c.slot,
            m.c.extracted,
            m.c.text_field,
            m.c.span_start,
            m.c.span_end,
            _text_value(kind),
            *(m.c[name] for name in extra),
        )
        .join(t.record, t.record.c.id == m.c.record_id)
        .join(t.ingest_batch, t.ingest_batch.c.id == t.record.c.batch_id)
        .join(t.feed_spec, t.feed_spec.c.id == t.ingest_batch.c.feed_spec_id)
        .order_by(m.c.id)
    )
    return [
        StoredMention(
            kind, r[0], r[1], r[2], r[3], bool(r[4]), r[5], r[6], r[7], tuple(r[9:]), r[8]
        )
        for r in conn.execute(query)
    ]


def stored_records(conn: Connection) -> list[tuple[str, str | None]]:
    """(spec name, source_ref) of every stored record."""
    query = (
        select(t.feed_spec.c.name, t.record.c.source_ref)
        .join(t.ingest_batch, t.ingest_batch.c.id == t.record.c.batch_id)
        .join(t.feed_spec, t.feed_spec.c.id == t.ingest_batch.c.feed_spec_id)
    )
    return [(r[0], r[1]) for r in conn.execute(query)]


def duplicates_by_spec(conn: Connection) -> dict[str, int]:
    """Rows ingest recognised as exact duplicates, per spec name."""
    query = (
        select(t.feed_spec.c.name, func.sum(t.ingest_batch.c.rows_duplicate))
        .join(t.feed_spec, t.feed_spec.c.id == t.ingest_batch.c.feed_spec_id)
        .group_by(t.feed_spec.c.name)
    )
    return {name: int(n or 0) for name, n in conn.execute(query)}


@dataclass(frozen=True, slots=True)
class StoredQuarantine:
    spec: str
    source_ref: str | None
    row_number: int
    field: str | None
    reason: str


def stored_quarantine(conn: Connection) -> list[StoredQuarantine]:
    """Every quarantined row (fixed later or not) with its spec name."""
    q = t.quarantine
    query = (
        select(t.feed_spec.c.name, q.c.source_ref, q.c.row_number, q.c.field, q.c.reason)
        .join(t.ingest_batch, t.ingest_batch.c.id == q.c.batch_id)
        .join(t.feed_spec, t.feed_spec.c.id == t.ingest_batch.c.feed_spec_id)
        .order_by(q.c.id)
    )
    return [StoredQuarantine(*r) for r in conn.execute(query)]


def stage_hook(module_attr: tuple[str, str]) -> Callable[..., Any] | None:
    """The stage's function for evaluate, or None while the stage does not provide it."""
    module, attr = module_attr
    try:
        return getattr(importlib.import_module(module), attr, None)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return None  # the stage's package does not exist yet
        raise  # the stage exists but is broken: say so, do not report "not run"


@dataclass(frozen=True)
class StageOutput:
    """A later stage's output, or None and the reason it is missing."""

    value: Any
    reason: str | None = None


def entity_members(conn: Connection) -> dict[MentionRef, Hashable]:
    """The current membership as the store keeps it: one entity_member row per mention."""
    m = t.entity_member
    rows = conn.execute(select(m.c.mention_kind, m.c.mention_id, m.c.entity_id))
    return {(kind, int(mid)): eid for kind, mid, eid in rows}


def resolution_output(conn: Connection, provider: EntityProvider | None = None) -> StageOutput:
    """{mention: entity} from the resolution stage, or why there is none yet.

    The stage's own function (RESOLUTION_HOOK) wins; without it the entity_member table
    is read directly.
    """
    if provider is None:
        missing = [n for n in RESOLUTION_TABLES if n not in set(inspect(conn).get_table_names())]
        if missing:
            return StageOutput(None, "resolution has not been run: no entity tables in this store")
        provider = stage_hook(RESOLUTION_HOOK) or entity_members
    entities = provider(conn)
    if not entities:
        return StageOutput(None, "resolution has not been run: the entity tables are empty")
    return StageOutput(entities)


def detection_provider(conn: Connection, provider: DetectionProvider | None = None) -> StageOutput:
    """The detection stage's as-of function, or why there is none yet."""
    if provider is not None:
        return StageOutput(provider)
    if any(n not in set(inspect(conn).get_table_names()) for n in DETECTION_TABLES):
        return StageOutput(None, "detection has not been run: no flag tables in this store")
    hook = stage_hook(DETECTION_HOOK)
    if hook is None:
        return StageOutput(
            None,
            "the store has flag tables but joinedup.detect.leads_as_of(conn, as_of) "
            "does not exist (see docs/evaluation.md)",
        )
    return StageOutput(hook)
