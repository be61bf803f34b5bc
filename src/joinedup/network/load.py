"""Read what the graph is made of from the store in a few bulk queries (SQLAlchemy Core,
bound parameters), streamed in chunks into numpy arrays so 1M records fit comfortably.

Timestamps come back as whole seconds since 1970 computed by the database, and nullable
ids as -1, so no Python object is made per row. Never reads protected_characteristic:
the network is built from conduct and association only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    BigInteger,
    Connection,
    Select,
    and_,
    cast,
    func,
    literal,
    select,
    true,
    union_all,
)
from sqlalchemy.sql.elements import ColumnElement

from joinedup.network.model import NetworkError
from joinedup.store import tables as t
from joinedup.store.participations import MENTION_TABLES, of_kind

CHUNK = 100_000
EPOCH = date(1970, 1, 1)
NO_TIME = -(2**62)  # a missing timestamp, in seconds
DAY = 86_400
# How a person is tied to an object within one record (the mention's person_mention_id).
TIE_KINDS = {"vehicle": "vehicle_of", "phone": "phone_of", "location": "home_address"}


class Codes:
    """A growing vocabulary (role, kind, event type) -> small int code, shared across queries."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.index: dict[str, int] = {}

    def code(self, name: str) -> int:
        found = self.index.get(name)
        if found is None:
            found = self.index[name] = len(self.names)
            self.names.append(name)
        return found

    def encode(self, values: Sequence[Any] | np.ndarray) -> np.ndarray:
        local, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
        mapping = np.array([self.code(str(u)) for u in uniques] + [-1], dtype=np.int32)
        return mapping[local]  # the sentinel -1 indexes the trailing -1

    def codes_of(self, names: Iterable[str]) -> np.ndarray:
        return np.array([self.index[n] for n in names if n in self.index], dtype=np.int32)


def day_number(value: date | datetime) -> int:
    return ((value.date() if isinstance(value, datetime) else value) - EPOCH).days


def day_of(number: int) -> date:
    return EPOCH + timedelta(days=int(number))


def moment_of(seconds: int) -> datetime | None:
    if seconds == NO_TIME:
        return None
    return datetime(1970, 1, 1) + timedelta(seconds=int(seconds))


def epoch_seconds(conn: Connection, column: Any) -> ColumnElement[Any]:
    """Whole seconds since 1970 for a naive timestamp column, NO_TIME when it is null."""
    if conn.dialect.name == "sqlite":
        seconds = cast(func.strftime("%s", column), BigInteger)
    else:
        seconds = cast(func.floor(func.extract("epoch", column)), BigInteger)
    return func.coalesce(seconds, NO_TIME)


def _id(column: Any) -> ColumnElement[Any]:
    return func.coalesce(column, -1)


@dataclass
class Tables:
    """The raw material of a PoleGraph, as parallel arrays (see graph.py for their use)."""

    roles: Codes = field(default_factory=Codes)
    kinds: Codes = field(default_factory=Codes)
    types: Codes = field(default_factory=Codes)  # event types
    links: Codes = field(default_factory=Codes)  # tie kinds
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    labels: list[str | None] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    resolution_run: int | None = None

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]


Convert = Callable[[np.ndarray], np.ndarray]


def _ints(values: np.ndarray) -> np.ndarray:
    return values.astype(np.int64)


def _objects(values: np.ndarray) -> np.ndarray:
    return values


def _stream(
    conn: Connection, query: Select[Any], convert: dict[str, Convert]
) -> dict[str, np.ndarray]:
    """Run `query`, fetching CHUNK rows at a time; convert each column of each chunk."""
    parts: dict[str, list[np.ndarray]] = {name: [] for name in convert}
    result = conn.execute(query)
    names = list(result.keys())
    # Plain tuples from the driver: every column is an int or a string (timestamps were made
    # seconds in SQL), so there is nothing for SQLAlchemy's row processing to do.
    cursor = result.cursor
    while chunk := cursor.fetchmany(CHUNK):
        block = np.array(chunk, dtype=object).reshape(len(chunk), len(names))
        for name, fn in convert.items():
            parts[name].append(fn(block[:, names.index(name)]))
    empty = np.zeros(0, dtype=object)
    return {n: np.concatenate(parts[n]) if parts[n] else fn(empty) for n, fn in convert.items()}


def _visible(as_of: date | None) -> Any:
    if as_of is None:
        return true()
    # Received on or before that day: before the following midnight.
    return t.record.c.received_at < literal(datetime.combine(as_of + timedelta(days=1), time()))


def _days(seconds: np.ndarray) -> np.ndarray:
    return np.floor_divide(seconds, DAY).astype(np.int32)


def last_resolution(conn: Connection) -> int:
    r = t.resolution_run
    run = conn.execute(
        select(r.c.id).where(r.c.status == "done").order_by(r.c.id.desc()).limit(1)
    ).scalar()
    if run is None:
        raise NetworkError(
            "the store has no finished resolution run, so there are no entities to link: "
            "run `joinedup resolve` first"
        )
    return int(run)


def load_tables(conn: Connection, as_of: date | None = None) -> Tables:
    tables = Tables(resolution_run=last_resolution(conn))
    visible = _visible(as_of)
    ev, rec, em = t.event, t.record, t.entity_member
    cols = tables.columns

    events = _stream(
        conn,
        select(
            ev.c.id,
            ev.c.event_type,
            ev.c.record_id,
            epoch_seconds(conn, ev.c.start_at).label("start"),
            epoch_seconds(conn, rec.c.received_at).label("received"),
        )  # fmt: skip
        .join(rec, rec.c.id == ev.c.record_id)
        .where(visible)
        .order_by(ev.c.id),
        {
            "id": _ints,
            "event_type": tables.types.encode,
            "record_id": _ints,
            "start": _ints,
            "received": _ints,
        },  # fmt: skip
    )
    start, received = events.pop("start"), events.pop("received")
    cols.update({f"ev_{k}": v for k, v in events.items()})
    cols["ev_start"] = start
    cols["ev_day"] = _days(np.where(start != NO_TIME, start, received))

    # A mention takes part in its record's event (store/participations.py): one query per
    # kind of mention, in UNION ALL.
    part = _stream(
        conn,
        union_all(
            *(
                of_kind(kind, em.c.entity_id)
                .join(em, and_(em.c.mention_kind == kind, em.c.mention_id == m.c.id))
                .where(visible)
                for kind, m in MENTION_TABLES.items()
            )
        ),
        {
            "event_id": _ints,
            "entity_id": _ints,
            "role": tables.roles.encode,
            "mention_kind": tables.kinds.encode,
            "mention_id": _ints,
        },  # fmt: skip
    )
    cols.update({f"p_{k}": v for k, v in part.items()})

    ties = [_ties(conn, tables, kind, visible) for kind in TIE_KINDS]
    for name in ties[0]:
        cols[f"t_{name}"] = np.concatenate([x[name] for x in ties])

    ph = t.phone_mention
    untied = _stream(
        conn,
        select(ph.c.id, em.c.entity_id, ev.c.id.label("event_id"))
        .join(em, and_(em.c.mention_kind == "phone", em.c.mention_id == ph.c.id))
        .join(rec, rec.c.id == ph.c.record_id)
        .join(ev, ev.c.record_id == rec.c.id)
        .where(visible, ph.c.person_mention_id.is_(None)),
        {"id": _ints, "entity_id": _ints, "event_id": _ints},
    )
    cols.update({f"u_{k}": v for k, v in untied.items()})

    cl, vm = t.candidate_link, t.vehicle_mention
    cands = _stream(
        conn,
        select(
            cl.c.mention_id,
            em.c.entity_id.label("source"),
            cl.c.entity_id.label("target"),
            cl.c.candidates,
            cl.c.reason,
            vm.c.role,
            vm.c.record_id,
            _id(ev.c.id).label("event_id"),
            epoch_seconds(conn, rec.c.received_at).label("received"),
        )  # fmt: skip
        .join(vm, vm.c.id == cl.c.mention_id)
        .join(em, and_(em.c.mention_kind == "vehicle", em.c.mention_id == vm.c.id))
        .join(rec, rec.c.id == vm.c.record_id)
        .outerjoin(ev, ev.c.record_id == rec.c.id)
        .where(visible, cl.c.mention_kind == "vehicle")
        .order_by(cl.c.id),
        {
            "mention_id": _ints,
            "source": _ints,
            "target": _ints,
            "candidates": _ints,
            "reason": _objects,
            "role": tables.roles.encode,
            "record_id": _ints,
            "event_id": _ints,
            "received": _ints,
        },  # fmt: skip
    )
    tables.reasons = [str(r) for r in cands.pop("reason")]
    cands["received"] = _days(cands["received"])
    cols.update({f"c_{k}": v for k, v in cands.items()})

    ent = t.entity
    entities = _stream(
        conn,
        select(ent.c.id, ent.c.kind, ent.c.label)
        .where(ent.c.retired_run_id.is_(None))
        .order_by(ent.c.id),
        {"id": _ints, "kind": tables.kinds.encode, "label": _objects},
    )
    tables.labels = list(entities.pop("label"))
    cols.update({f"e_{k}": v for k, v in entities.items()})
    return tables


def _ties(conn: Connection, tables: Tables, kind: str, visible: Any) -> dict[str, np.ndarray]:
    """Person-object ties written in one record: a driver's vehicle, a phone, a home address."""
    om = t.MENTION_TABLES[kind]
    pm, rec, ev = t.person_mention, t.record, t.event
    em_o = t.entity_member.alias("em_o")
    em_p = t.entity_member.alias("em_p")
    query = (
        select(
            em_p.c.entity_id.label("person"),
            em_o.c.entity_id.label("object"),
            pm.c.role.label("person_role"),
            om.c.role.label("object_role"),
            pm.c.id.label("person_mention"),
            om.c.id.label("object_mention"),
            om.c.record_id,
            _id(ev.c.id).label("event_id"),
            epoch_seconds(conn, ev.c.start_at).label("start"),
            epoch_seconds(conn, rec.c.received_at).label("received"),
        )
        .join(pm, pm.c.id == om.c.person_mention_id)
        .join(em_o, and_(em_o.c.mention_kind == kind, em_o.c.mention_id == om.c.id))
        .join(em_p, and_(em_p.c.mention_kind == "person", em_p.c.mention_id == pm.c.id))
        .join(rec, rec.c.id == om.c.record_id)
        .outerjoin(ev, ev.c.record_id == rec.c.id)
        .where(visible)
        .order_by(om.c.id)
    )
    rows = _stream(
        conn,
        query,
        {
            "person": _ints,
            "object": _ints,
            "person_role": tables.roles.encode,
            "object_role": tables.roles.encode,
            "person_mention": _ints,
            "object_mention": _ints,
            "record_id": _ints,
            "event_id": _ints,
            "start": _ints,
            "received": _ints,
        },  # fmt: skip
    )
    start, received = rows.pop("start"), rows.pop("received")
    rows["day"] = _days(np.where(start != NO_TIME, start, received))
    rows["kind"] = np.full(len(rows["person"]), tables.links.code(TIE_KINDS[kind]), np.int32)
    return rows
