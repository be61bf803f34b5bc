"""Turn mapped records into store rows and insert them in bulk inside the batch transaction.

IDs are allocated here, under the writers' lock that the batch holds. A chunk's rows go
straight to the driver, on the batch's own connection: SQLite gets one executemany per
table, PostgreSQL one COPY per table.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import JSON, Connection, Date, DateTime, Table, func, select, text

from joinedup.ingest.layout import RecordRows, Values
from joinedup.store import tables as t

ID_TABLES = (
    t.record,
    t.person_mention,
    t.protected_characteristic,
    t.vehicle_mention,
    t.phone_mention,
    t.location_mention,
    t.event,
    t.participation,
    t.quarantine,
)
# Parents before children, for the foreign keys.
INSERT_ORDER = (
    t.record,
    t.person_mention,
    t.protected_characteristic,
    t.location_mention,
    t.vehicle_mention,
    t.phone_mention,
    t.event,
    t.participation,
    t.quarantine,
)
# Rows are tuples in table column order (layout.record_rows, add_record): a new column
# must be added there too, or rows would go in short.
for _table, _width in (
    (t.record, 13),
    (t.person_mention, 28),
    (t.protected_characteristic, 5),
    (t.location_mention, 17),
    (t.vehicle_mention, 16),
    (t.phone_mention, 12),
    (t.event, 10),
    (t.participation, 5),
):
    if len(_table.c) != _width:  # pragma: no cover - a guard for whoever adds a column
        raise RuntimeError(
            f"ingest.writer builds {_table.name} rows of {_width} columns: update it"
        )

Row = tuple[Any, ...]


class IdAllocator:
    """Hands out primary keys for the tables a batch writes, starting after the current max."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.next: dict[str, int] = {}
        for table in ID_TABLES:
            current = conn.execute(select(func.max(table.c.id))).scalar()
            self.next[table.name] = (current or 0) + 1

    def take(self, table: Table) -> int:
        value = self.next[table.name]
        self.next[table.name] = value + 1
        return value

    def sync_sequences(self) -> None:
        """PostgreSQL: move each serial sequence past the ids we set by hand."""
        if self.conn.dialect.name != "postgresql":
            return
        for table in ID_TABLES:
            last = self.next[table.name] - 1
            if last > 0:
                self.conn.execute(
                    text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v)"),
                    {"t": table.name, "v": last},
                )


# sqlite3 binds None and bool only after looking for an adapter for them, which costs more
# than storing the value; an adapter that returns the same value makes that a dict hit.
sqlite3.register_adapter(type(None), {}.get)  # {}.get(None) is None: NULL as before
sqlite3.register_adapter(bool, int)  # True -> 1, what sqlite3 stores for True anyway


class ChunkRows:
    """Rows for every table, accumulated for one chunk and inserted together."""

    def __init__(self, dialect_name: str) -> None:
        self.dialect_name = dialect_name
        self.values = Values(dialect_name)
        self.rows: dict[str, list[Row]] = {table.name: [] for table in INSERT_ORDER}

    def add(self, table: Table, row: dict[str, Any]) -> None:
        """Queue one row given as a dict; absent columns take their scalar default."""
        self.rows[table.name].append(tuple(self._value(c, row) for c in table.c))

    def _value(self, column: Any, row: dict[str, Any]) -> Any:
        if column.name not in row:
            default = column.default
            return default.arg if default is not None and default.is_scalar else None
        value = row[column.name]
        kind = column.type
        if isinstance(kind, JSON):
            return self.values.json(value)
        if isinstance(kind, DateTime):
            return self.values.datetime(value)
        if isinstance(kind, Date):
            return self.values.date(value)
        return value

    def insert(self, conn: Connection) -> None:
        dbapi = conn.connection.driver_connection
        if self.dialect_name == "sqlite":
            cursor = dbapi.cursor()  # type: ignore[union-attr]
            try:
                for table in INSERT_ORDER:
                    rows = self.rows[table.name]
                    if rows:
                        cursor.executemany(_sqlite_insert(table), rows)
                        rows.clear()
            finally:
                cursor.close()
        elif self.dialect_name == "postgresql":
            with dbapi.cursor() as cursor:  # type: ignore[union-attr]
                for table in INSERT_ORDER:
                    rows = self.rows[table.name]
                    if rows:
                        with cursor.copy(_pg_copy(table)) as copy:
                            write = copy.write_row
                            for row in rows:
                                write(row)
                        rows.clear()
        else:  # any other dialect: the portable, slower path
            for table in INSERT_ORDER:
                rows = self.rows[table.name]
                if rows:
                    names = [c.name for c in table.c]
                    conn.execute(table.insert(), [dict(zip(names, r, strict=True)) for r in rows])
                    rows.clear()


_SQL: dict[tuple[str, str], Any] = {}


def _sqlite_insert(table: Table) -> str:
    key = ("sqlite", table.name)
    if key not in _SQL:
        from sqlalchemy.dialects import sqlite

        # Every column, in table order, as positional (?) parameters.
        _SQL[key] = str(table.insert().compile(dialect=sqlite.dialect()))
    return str(_SQL[key])


def _pg_copy(table: Table) -> Any:
    key = ("postgresql", table.name)
    if key not in _SQL:
        from psycopg import sql

        _SQL[key] = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(c.name) for c in table.c)
        )
    return _SQL[key]


def add_record(
    rows: ChunkRows,
    ids: IdAllocator,
    planned: RecordRows,
    *,
    source_id: int,
    batch_id: int,
    content_hash: str,
    raw_json: str,
    received_default: Any,
    supersedes_id: int | None,
) -> int:
    """Queue one record's rows (from `record_rows`) with their ids; returns the record id.

    `received_default` is already in the driver's form (`Values.datetime`).
    """
    (
        source_ref,
        row_number,
        received,
        event_type,
        grading_source,
        grading_intelligence,
        grading_handling,
        persons,
        protected,
        locations,
        vehicles,
        phones,
        event,
    ) = planned
    nxt = ids.next
    out = rows.rows
    record_id = nxt["record"]
    nxt["record"] = record_id + 1
    out["record"].append(
        (
            record_id,
            source_id,
            batch_id,
            source_ref,
            row_number,
            received if received is not None else received_default,
            content_hash,
            event_type,
            grading_source,
            grading_intelligence,
            grading_handling,
            raw_json,
            supersedes_id,
        )
    )
    participants: list[tuple[str, int, str]] = []
    person0 = nxt["person_mention"]
    if persons:
        person_rows = out["person_mention"]
        for i, p in enumerate(persons):
            person_rows.append((person0 + i, record_id) + p)
            participants.append(("person", person0 + i, p[1]))
        nxt["person_mention"] = person0 + len(persons)
        if protected:
            protected_rows = out["protected_characteristic"]
            protected_id = nxt["protected_characteristic"]
            for i, kind, value in protected:
                protected_rows.append((protected_id, person0 + i, kind, value, value))
                protected_id += 1
            nxt["protected_characteristic"] = protected_id
    location0 = nxt["location_mention"]
    for kind, table, owner_at, mentions in (
        ("location", "location_mention", 10, locations),
        ("vehicle", "vehicle_mention", 9, vehicles),
        ("phone", "phone_mention", 5, phones),
    ):
        if not mentions:
            continue
        table_rows = out[table]
        first = nxt[table]
        for i, m in enumerate(mentions):
            owner = m[owner_at]
            owner_id = None if owner is None else person0 + owner
            table_rows.append(
                (first + i, record_id) + m[:owner_at] + (owner_id,) + m[owner_at + 1 :]
            )
            participants.append((kind, first + i, m[1]))
        nxt[table] = first + len(mentions)
    if event is None:
        return record_id
    event_id = nxt["event"]
    nxt["event"] = event_id + 1
    location_at = event[5]
    location_id = None if location_at is None else location0 + location_at
    out["event"].append((event_id, record_id) + event[:5] + (location_id,) + event[6:])
    participation_rows = out["participation"]
    part_id = nxt["participation"]
    for kind, mention_id, role in participants:
        participation_rows.append((part_id, event_id, kind, mention_id, role))
        part_id += 1
    nxt["participation"] = part_id
    return record_id
