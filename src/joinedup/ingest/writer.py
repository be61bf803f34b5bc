"""Turn mapped records into store rows and insert them in bulk inside the batch transaction.

IDs are allocated here, under the writers' lock that the batch holds. A chunk's rows go
straight to the driver, on the batch's own connection: SQLite gets one executemany per
table, PostgreSQL one COPY per table.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Connection, Date, DateTime, Table, func, select, text

from joinedup.ingest import copy_binary
from joinedup.ingest.layout import RecordRows, Row, Values
from joinedup.store import tables as t
from joinedup.store.references import Written, written_rows

ID_TABLES = (
    t.record,
    t.person_mention,
    t.protected_characteristic,
    t.vehicle_mention,
    t.phone_mention,
    t.location_mention,
    t.event,
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
):
    if len(_table.c) != _width:  # pragma: no cover - a guard for whoever adds a column
        raise RuntimeError(
            f"ingest.writer builds {_table.name} rows of {_width} columns: update it"
        )


class IdAllocator:
    """Hands out primary keys for the tables a batch writes, starting after the current max."""

    def __init__(self, conn: Connection | None):
        self.conn = conn
        self.next: dict[str, int] = {}
        if conn is not None:
            for table in ID_TABLES:
                current = conn.execute(select(func.max(table.c.id))).scalar()
                self.next[table.name] = (current or 0) + 1

    @classmethod
    def starting_at(cls, next_ids: dict[str, int]) -> IdAllocator:
        """An allocator going on from `next_ids` (as the batch hands them to a chunk)."""
        ids = cls(None)
        ids.next = dict(next_ids)
        return ids

    def take(self, table: Table) -> int:
        value = self.next[table.name]
        self.next[table.name] = value + 1
        return value

    def sync_sequences(self) -> None:
        """PostgreSQL: move each serial sequence past the ids we set by hand."""
        if self.conn is None or self.conn.dialect.name != "postgresql":
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

    def __init__(self, dialect_name: str, *, binary: bool | None = None) -> None:
        self.dialect_name = dialect_name
        self.values = Values(dialect_name)
        # Plain str names (a Table's name is a str subclass), for workers' messages.
        self.rows: dict[str, list[Row]] = {str(table.name): [] for table in INSERT_ORDER}
        # PostgreSQL: binary COPY where psycopg's formatter is there (ingest/copy_binary.py),
        # else COPY text.
        self.binary = dialect_name == "postgresql" and (
            copy_binary.available() if binary is None else binary
        )

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

    def written(self) -> dict[str, Written]:
        """What these rows write into each table (store/references.py: `written_rows`),
        for the batch's check of its references before it commits."""
        return {
            str(table.name): written_rows(table, self.rows[table.name])
            for table in INSERT_ORDER
            if self.rows[table.name]
        }

    def laid_out(self) -> LaidOut:
        """The rows of each table as `insert` takes them: COPY data for PostgreSQL, binary
        where every value is of its column's type, else text."""
        if self.dialect_name == "sqlite":
            return {name: sparse_rows(rows) for name, rows in self.rows.items() if rows}
        if self.dialect_name != "postgresql":
            return {name: rows for name, rows in self.rows.items() if rows}
        out: LaidOut = {}
        for table in INSERT_ORDER:
            rows = self.rows[table.name]
            if rows:
                binary = copy_binary.copy_binary(table, rows) if self.binary else None
                out[str(table.name)] = binary or copy_text(table, rows)
        return out


# Each table's rows for one chunk: tuples in column order (SqliteRows on SQLite), or
# (PostgreSQL) COPY data, binary or text (copy_binary.is_binary tells which).
LaidOut = dict[str, Any]


def insert_rows(conn: Connection, laid_out: LaidOut) -> None:
    """Write one chunk's rows on the batch's connection, parents before children."""
    dialect = conn.dialect.name
    if dialect == "sqlite":
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            for table in INSERT_ORDER:
                held = laid_out.get(table.name)
                if held:
                    bound, constant, rows = held  # type: ignore[misc]
                    cursor.executemany(_sqlite_insert(table, bound, constant), rows)
        finally:
            cursor.close()
    elif dialect == "postgresql":
        with conn.connection.driver_connection.cursor() as cursor:  # type: ignore[union-attr]
            for table in INSERT_ORDER:
                data = laid_out.get(table.name)
                if data:
                    with cursor.copy(_pg_copy(table, copy_binary.is_binary(data))) as copy:
                        copy.write(data)
    else:  # any other dialect: the portable, slower path
        for table in INSERT_ORDER:
            rows = laid_out.get(table.name)
            if rows:
                names = [c.name for c in table.c]
                conn.execute(table.insert(), [dict(zip(names, r, strict=True)) for r in rows])


# -- PostgreSQL COPY text format (the server's documented format: tab-separated, \N for
# NULL, backslash escapes for backslash, tab, newline and carriage return) ----------------


def _escape(text: str) -> str:
    # str.replace after a test with `in` (both memchr-fast) is ~30x str.translate here.
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    if "\t" in text:
        text = text.replace("\t", "\\t")
    if "\n" in text:
        text = text.replace("\n", "\\n")
    if "\r" in text:
        text = text.replace("\r", "\\r")
    return text


def _copy_value(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return _escape(value)  # type: ignore[arg-type]
    if value is None:
        return "\\N"
    if kind is bool:
        return "t" if value else "f"
    if kind is int:
        return str(value)
    if kind is float:
        return repr(value)
    if kind is datetime or kind is date:
        return value.isoformat()  # type: ignore[no-any-return]
    if kind is bytes:  # bytea in hex, its backslash escaped for COPY text
        return "\\\\x" + value.hex()  # type: ignore[attr-defined]
    if isinstance(value, str):  # a str subclass (an enum's member): its text, as SQLite
        return _escape(str.__str__(value))  # binds it and binary COPY writes it
    return _escape(str(value))


def copy_text(table: Table, rows: list[Row]) -> bytes:
    """Rows as COPY ... FROM STDIN text, ready for the driver to pass on untouched."""
    encode = _row_encoder(table)
    return "".join([encode(row) for row in rows]).encode("utf-8")


_ENCODERS: dict[str, Callable[[Row], str]] = {}


def _row_encoder(table: Table) -> Callable[[Row], str]:
    """One f-string per table, made from its column types: a row's line with no call per
    value but the escaping of text (`_copy_value` takes any value of an unexpected type)."""
    if table.name not in _ENCODERS:
        body = "\\t".join(_field_texts(table))
        _ENCODERS[table.name] = _encoder(f"{table.name}", body + "\\n")
    return _ENCODERS[table.name]


def _field_texts(table: Table) -> list[str]:
    fields = []
    for i, column in enumerate(table.c):
        kind = column.type
        python_type = None
        try:
            python_type = kind.python_type
        except NotImplementedError:  # pragma: no cover - every column here has one
            pass
        v = f"r[{i}]"
        if python_type is int:
            fields.append(f"{{N if {v} is None else {v} if type({v}) is int else V({v})}}")
        elif python_type is float:
            fields.append(f"{{N if {v} is None else {v} if type({v}) is float else V({v})}}")
        elif python_type is str or isinstance(kind, JSON):  # JSON: its text (Values.json)
            fields.append(f"{{N if {v} is None else E({v}) if type({v}) is str else V({v})}}")
        elif python_type is datetime or python_type is date:
            typed = "DT" if python_type is datetime else "D"
            fields.append(
                f"{{N if {v} is None else {v}.isoformat() if type({v}) is {typed} else V({v})}}"
            )
        elif python_type is bool:
            fields.append(f"{{('t' if {v} else 'f') if type({v}) is bool else V({v})}}")
        else:  # anything else: the general rule
            fields.append(f"{{V({v})}}")
    return fields


def _encoder(name: str, body: str) -> Callable[[Row], str]:
    source = f'def encode(r):\n    return f"{body}"\n'
    scope: dict[str, Any] = {
        "N": "\\N", "E": _escape, "V": _copy_value, "DT": datetime, "D": date,
    }  # fmt: skip
    exec(compile(source, f"<copy encoder for {name}>", "exec"), scope)  # noqa: S102
    return scope["encode"]  # type: ignore[no-any-return]


_SQL: dict[tuple[Any, ...], Any] = {}


# On SQLite, a chunk's rows for one table: the positions of the columns bound as parameters
# (None: every column), the columns holding one value in every row with that value, and
# the rows holding only the bound columns (`sparse_rows`).
SqliteRows = tuple[tuple[int, ...] | None, tuple[tuple[int, Any], ...], list[Row]]
# A value written into the SQL text instead of bound: a plain name or code, or an integer.
_LITERAL_TEXT = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
_INT64 = 1 << 63


def _literal(value: Any) -> str | None:
    """`value` as an SQL literal that stores exactly what binding it would, or None."""
    kind = type(value)
    if kind is bool:
        return "1" if value else "0"
    if kind is int:
        return str(value) if -_INT64 <= value < _INT64 else None
    if kind is str and _LITERAL_TEXT.fullmatch(value):
        return f"'{value}'"
    return None


def sparse_rows(rows: list[Row]) -> SqliteRows:
    """`rows` as `insert_rows` takes them on SQLite: without the columns that are None in
    every row (left out of the INSERT: NULL all the same, as the tables have no DEFAULT,
    which `_sqlite_insert` checks) or that hold one plain value in every row (an id of the
    batch, a role, a place type, False: written into the INSERT as literals).

    sqlite3 binds a None or a bool only after looking for an adapter for it (about 0.2 µs,
    more than storing it costs), and any value costs its binding; a chunk's mention rows
    hold 6 to 8 columns that are None in all of them (a spec that never fills them) and 3
    or 4 that never change. Transposing with zip is C work: about 0.15 µs a row, against
    1-2 µs a row the driver saves.
    """
    count = len(rows)
    if count < 2:
        return None, (), rows
    columns = list(zip(*rows, strict=True))
    # A few rows spread over the chunk first: most columns differ from their first value
    # in one of them, and a full count (which meets None and repeated objects by identity)
    # is left for columns likely to hold one value.
    spread = sorted({1, count >> 2, count >> 1, (3 * count) >> 2, count - 1})
    bound: list[int] = []
    constant: list[tuple[int, Any]] = []
    for i, column in enumerate(columns):
        first = column[0]
        if first is None:
            if all(column[j] is None for j in spread) and column.count(None) == count:
                continue
        elif (
            all(column[j] == first for j in spread)
            and _literal(first) is not None
            and column.count(first) == count
            # 1 == 1.0 == True, but they store differently; text equals only text
            and (type(first) is str or len(set(map(type, column))) == 1)
        ):
            constant.append((i, first))
            continue
        bound.append(i)
    if len(bound) == len(columns):
        return None, (), rows
    if not bound:  # never for a table with ids, but zip() of nothing would lose the rows
        return (), tuple(constant), [()] * count
    return tuple(bound), tuple(constant), list(zip(*(columns[i] for i in bound), strict=True))


def _sqlite_insert(
    table: Table, bound: tuple[int, ...] | None = None, constant: tuple[tuple[int, Any], ...] = ()
) -> str:
    """The INSERT for `table`: positional parameters for the columns at `bound` (None: all
    of them), literals for `constant`, and every other column left out (NULL)."""
    key = ("sqlite", table.name, bound, constant)
    found = _SQL.get(key)
    if found is None:
        names = [c.name for c in table.c]
        values = {i: "?" for i in (range(len(names)) if bound is None else bound)}
        for i, value in constant:
            literal = _literal(value)
            if literal is None:  # pragma: no cover - sparse_rows gives only what _literal takes
                raise ValueError(f"not an SQL literal: {value!r}")
            values[i] = literal
        for i, column in enumerate(table.c):
            if i not in values and column.server_default is not None:
                raise RuntimeError(f"{table.name}.{column.name} has a DEFAULT: bind its NULLs")
        order = sorted(values)
        # Our own table and column names; literals only as _literal writes them.
        found = _SQL[key] = 'INSERT INTO "{}" ({}) VALUES ({})'.format(  # noqa: S608
            table.name,
            ", ".join(f'"{names[i]}"' for i in order),
            ", ".join(values[i] for i in order),
        )
    return str(found)


def _pg_copy(table: Table, binary: bool = False) -> Any:
    key = ("postgresql", table.name, binary)
    if key not in _SQL:
        from psycopg import sql

        _SQL[key] = sql.SQL("COPY {} ({}) FROM STDIN{}").format(
            sql.Identifier(table.name),
            sql.SQL(", ").join(sql.Identifier(c.name) for c in table.c),
            sql.SQL(" (FORMAT BINARY)" if binary else ""),
        )
    return _SQL[key]


def add_record(
    rows: ChunkRows,
    ids: IdAllocator,
    planned: RecordRows,
    *,
    source_id: int,
    batch_id: int,
    content_hash: str | bytes,
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
    person0 = nxt["person_mention"]
    if persons:
        person_rows = out["person_mention"]
        for i, p in enumerate(persons):
            person_rows.append((person0 + i, record_id) + p)
        nxt["person_mention"] = person0 + len(persons)
        if protected:
            protected_rows = out["protected_characteristic"]
            protected_id = nxt["protected_characteristic"]
            for i, kind, value in protected:
                protected_rows.append((protected_id, person0 + i, kind, value, value))
                protected_id += 1
            nxt["protected_characteristic"] = protected_id
    location0 = nxt["location_mention"]
    for table, owner_at, mentions in (
        (t.location_mention, 10, locations),
        (t.vehicle_mention, 9, vehicles),
        (t.phone_mention, 5, phones),
    ):
        if not mentions:
            continue
        name = table.name
        first = nxt[name]
        table_rows = out[name]
        for i, m in enumerate(mentions):
            owner = m[owner_at]
            if owner is None:  # no person's (a camera, a scene, a car seen): None as it is
                table_rows.append((first + i, record_id) + m)
            else:
                table_rows.append(
                    (first + i, record_id) + m[:owner_at] + (person0 + owner,) + m[owner_at + 1 :]
                )
        nxt[name] = first + len(mentions)
    if event is None:
        return record_id
    event_id = nxt["event"]
    nxt["event"] = event_id + 1
    location_at = event[5]
    location_id = None if location_at is None else location0 + location_at
    # Every mention takes part in the event, in the role its row holds: a participation
    # is that join, not a row of its own (store/participations.py).
    out["event"].append((event_id, record_id) + event[:5] + (location_id,) + event[6:])
    return record_id


def add_quarantine(
    rows: ChunkRows,
    ids: IdAllocator,
    *,
    source_id: int,
    batch_id: int,
    file_name: str,
    row_number: int,
    source_ref: str | None,
    field: str | None,
    reason: str,
    content_hash: str | bytes,
    raw: str,
    created_at: datetime,
) -> None:
    """Queue one quarantined row: where it came from, why it was not stored, and all of it."""
    rows.add(
        t.quarantine,
        {
            "id": ids.take(t.quarantine),
            "source_id": source_id,
            "batch_id": batch_id,
            "file_name": file_name,
            "row_number": row_number,
            "source_ref": source_ref,
            "field": field,
            "reason": reason,
            "content_hash": content_hash,
            "raw": raw,
            "created_at": created_at,
        },
    )
