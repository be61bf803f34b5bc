"""Write a run's clusters as entities, keeping an entity's id while its membership holds.

An old entity's id passes to the new cluster that holds most of its members (each id at
most once), so an unchanged entity always keeps its id; entities left without members are
retired, never deleted, so notes and flags that name them can still be traced.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, delete, func, insert, select, update

from joinedup.store import tables as t

CHUNK = 5000


@dataclass(frozen=True, slots=True)
class Member:
    mention_id: int
    probability: float | None
    how: str


@dataclass(frozen=True, slots=True)
class Cluster:
    members: tuple[Member, ...]
    label: str | None


@dataclass
class WriteCounts:
    entities: int = 0
    kept: int = 0
    changed: int = 0
    created: int = 0
    retired: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))


def current_entities(conn: Connection, kind: str) -> dict[int, frozenset[int]]:
    """{entity id: its mention ids} for the current entities of a kind."""
    em = t.entity_member
    out: dict[int, set[int]] = {}
    query = select(em.c.entity_id, em.c.mention_id).where(em.c.mention_kind == kind)
    for eid, mid in conn.execute(query):
        out.setdefault(eid, set()).add(mid)
    return {eid: frozenset(m) for eid, m in out.items()}


def assign_ids(
    old: Mapping[int, frozenset[int]], new: Sequence[frozenset[int]]
) -> list[int | None]:
    """For each new cluster, the old entity id it inherits (or None for a new entity)."""
    owner = {mid: eid for eid, mids in old.items() for mid in mids}
    overlaps: Counter[tuple[int, int]] = Counter()
    for i, mids in enumerate(new):
        for mid in mids:
            eid = owner.get(mid)
            if eid is not None:
                overlaps[(i, eid)] += 1
    ids: list[int | None] = [None] * len(new)
    taken: set[int] = set()
    for (i, eid), _n in sorted(overlaps.items(), key=lambda kv: (-kv[1], kv[0][1], kv[0][0])):
        if ids[i] is None and eid not in taken:
            ids[i] = eid
            taken.add(eid)
    return ids


def write_entities(
    conn: Connection, kind: str, run_id: int, clusters: Sequence[Cluster]
) -> WriteCounts:
    """Replace the current entities of `kind` by `clusters`, inside the caller's transaction."""
    old = current_entities(conn, kind)
    sets = [frozenset(m.mention_id for m in c.members) for c in clusters]
    ids = assign_ids(old, sets)
    counts = WriteCounts(entities=len(clusters))
    next_id = (conn.execute(select(func.max(t.entity.c.id))).scalar() or 0) + 1
    new_rows: list[dict[str, Any]] = []
    changed: list[tuple[int, Cluster]] = []
    for cluster, mids, eid in zip(clusters, sets, ids, strict=True):
        if eid is not None and old[eid] == mids:
            counts.kept += 1
            continue
        if eid is None:
            eid = next_id
            next_id += 1
            counts.created += 1
            new_rows.append(
                {"id": eid, "kind": kind, "label": _label(cluster.label), "size": len(mids),
                 "created_run_id": run_id, "updated_run_id": run_id}
            )  # fmt: skip
        else:
            counts.changed += 1
            conn.execute(
                update(t.entity)
                .where(t.entity.c.id == eid)
                .values(label=_label(cluster.label), size=len(mids), updated_run_id=run_id)
            )
        changed.append((eid, cluster))
    kept = {eid for eid in ids if eid is not None}
    retired = [eid for eid in old if eid not in kept]
    counts.retired = len(retired)
    rewritten = [eid for eid, _ in changed if eid in old] + retired
    em = t.entity_member
    for chunk in _chunks(rewritten):
        conn.execute(delete(em).where(em.c.entity_id.in_(chunk)))
    for chunk in _chunks(retired):
        conn.execute(
            update(t.entity).where(t.entity.c.id.in_(chunk)).values(retired_run_id=run_id, size=0)
        )
    _insert_many(
        conn, t.entity, _ENTITY_COLUMNS, ([r[c] for c in _ENTITY_COLUMNS] for r in new_rows)
    )
    members = (
        (eid, kind, m.mention_id, m.probability, m.how, run_id)
        for eid, cluster in changed for m in cluster.members
    )  # fmt: skip
    _insert_many(conn, em, _MEMBER_COLUMNS, members)
    return counts


_ENTITY_COLUMNS = ("id", "kind", "label", "size", "created_run_id", "updated_run_id")
_MEMBER_COLUMNS = ("entity_id", "mention_kind", "mention_id", "match_probability", "how", "run_id")


def _insert_many(
    conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Insert plain values (ints, floats, strings, None) in chunks, straight to the driver
    on SQLite and PostgreSQL (a million members through SQLAlchemy's per-row parameter
    handling took most of the write), inside the caller's transaction."""
    dialect = conn.dialect.name
    if dialect not in ("sqlite", "postgresql"):
        for chunk in _chunks(rows):
            conn.execute(insert(table), [dict(zip(columns, r, strict=True)) for r in chunk])
        return
    mark = "?" if dialect == "sqlite" else "%s"
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "  # noqa: S608 (names from tables.py)
        f"VALUES ({', '.join([mark] * len(columns))})"
    )
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        for chunk in _chunks(rows):
            cursor.executemany(sql, chunk)
    finally:
        cursor.close()


def _label(label: str | None) -> str | None:
    return label[:200] if label else None


def _chunks(items: Iterable[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def mention_entities(conn: Connection) -> dict[tuple[str, int], Hashable]:
    """{(kind, mention id): entity id} for every resolved mention (evaluate's interface)."""
    em = t.entity_member
    rows = conn.execute(select(em.c.mention_kind, em.c.mention_id, em.c.entity_id))
    return {(kind, int(mid)): int(eid) for kind, mid, eid in rows}
