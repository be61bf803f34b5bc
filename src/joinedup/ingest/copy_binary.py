"""A chunk's rows in PostgreSQL's binary COPY format, formatted by psycopg's C code.

The server reads a binary value with its type's receive function (eight bytes for a
bigint or a timestamp) instead of parsing its text, and the worker lays a row out with
one call into C instead of an f-string with a test and an escape per value. On the 1M
city's first 140,000 records the server's work went down by 7% and a worker's lay-out by
a quarter to a half (docs/benchmarks.md, Ingest).

The format is the server's documented one: a signature, then per row its number of
fields and each field's length and bytes (-1 for NULL), then a trailer. psycopg writes
it for `Copy.write_row`; its row formatter (`format_row_binary`, compiled in psycopg's C
extension) is used here directly, in the worker, which has no connection. It is not a
documented function, so it is used only where it is there and compiled; otherwise every
chunk goes as COPY text, as before.

A binary value is stored as it is, with no parsing that could refuse it: psycopg writes
an int into an `integer` column as its low four bytes and any non-empty text into a
boolean as true, where COPY text would fail the batch. So a table's rows go binary only
when every value of a column other than text is None or of exactly its column's Python
type (bool is not int, a datetime is not a date) and every `integer` value fits in four
bytes; a text or JSON column's dumper refuses anything but text itself (the formatter
raises), and stores a str subclass as its text, as COPY text does. Any other chunk of
that table goes as COPY text, with the text path's own rules and errors. Either way the
same values are stored (tests/ingest/test_copy_binary.py, on a real server). Leaving the
text columns to their dumper took a police incident's lay-out from 16-17 to 11 µs a record
(docs/benchmarks.md, Ingest, eleventh session).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
)

from joinedup.store.tables import ContentHash

# The server's signature for binary COPY data, no flags, no header extension; and the
# trailer (a field count of -1).
SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
TRAILER = b"\xff\xff"
_INT4 = 1 << 31


def _formatter() -> Callable[[Any, Any, bytearray], Any] | None:
    try:
        from psycopg import pq
        from psycopg._copy_base import format_row_binary
    except ImportError:  # pragma: no cover - psycopg without the module
        return None
    if pq.__impl__ not in ("c", "binary"):  # pragma: no cover - pure Python: text is faster
        return None
    return format_row_binary  # type: ignore[no-any-return]


_UNKNOWN: Any = object()
_FORMAT_ROW: Any = _UNKNOWN  # found on first use: a SQLite ingest never imports psycopg


def _format_row() -> Callable[[Any, Any, bytearray], Any] | None:
    global _FORMAT_ROW
    if _FORMAT_ROW is _UNKNOWN:
        _FORMAT_ROW = _formatter()
    return _FORMAT_ROW  # type: ignore[no-any-return]


def available() -> bool:
    """Whether chunks may go binary here (psycopg's compiled formatter is there)."""
    return _format_row() is not None


# Column types to PostgreSQL's, the first that fits (a BigInteger is an Integer too).
_PG_TYPES: tuple[tuple[type | tuple[type, ...], str], ...] = (
    ((ContentHash, LargeBinary), "bytea"),
    (BigInteger, "int8"),
    (Integer, "int4"),
    (Boolean, "bool"),
    (Float, "float8"),
    (DateTime, "timestamp"),
    (Date, "date"),
    (JSON, "json"),
    ((String, Text), "text"),
)


def pg_type(column: Any) -> str:
    """The PostgreSQL type a store column has, as the migrations create it."""
    for kinds, name in _PG_TYPES:
        if isinstance(column.type, kinds):
            return name
    raise TypeError(f"no binary COPY type for {column}")  # pragma: no cover - a new type


# A value of a json column is its JSON text (layout.Values.json): binary json is that text.
_DUMP_AS = {"json": "text"}
_PYTHON = {
    "bytea": bytes, "int8": int, "int4": int, "bool": bool, "float8": float,
    "timestamp": datetime, "date": date, "json": str, "text": str,
}  # fmt: skip


class _TableFormat:
    """One table's transformer (a binary dumper per column) and each column's allowed types."""

    def __init__(self, table: Table):
        from psycopg import postgres
        from psycopg.adapt import Transformer
        from psycopg.pq import Format

        types = [pg_type(c) for c in table.c]
        self.transformer = Transformer(_adapters())
        self.transformer.set_dumper_types(
            [postgres.types[_DUMP_AS.get(name, name)].oid for name in types], Format.BINARY
        )
        # Text and JSON columns are not checked value by value: their dumper refuses all
        # but text, and stores a str subclass as its text, as COPY text does (writer).
        self.checked = [
            (i, frozenset({_PYTHON[name], type(None)}))
            for i, name in enumerate(types)
            if name not in _SELF_CHECKING
        ]
        self.int4 = [i for i, name in enumerate(types) if name == "int4"]
        self.width = len(types)


_SELF_CHECKING = frozenset({"text", "json"})
_FORMATS: dict[str, _TableFormat] = {}
_ADAPTERS: list[Any] = []


def _adapters() -> Any:
    """psycopg's adapters with bytes' own (compiled) binary dumper as bytea's: by oid,
    psycopg finds the DB-API `Binary` wrapper's Python dumper, registered after it, which
    costs a Python call per value (about 2% of laying out an ANPR read)."""
    if not _ADAPTERS:
        from psycopg import postgres
        from psycopg.adapt import AdaptersMap, PyFormat

        adapters = AdaptersMap(postgres.adapters)
        adapters.register_dumper(bytes, postgres.adapters.get_dumper(bytes, PyFormat.BINARY))
        _ADAPTERS.append(adapters)
    return _ADAPTERS[0]


def copy_binary(table: Table, rows: list[tuple[Any, ...]]) -> bytes | None:
    """`rows` as binary COPY data, or None if a value is not exactly of its column's type
    (those rows then go as text: `writer.copy_text`)."""
    format_row = _format_row()
    if format_row is None or not rows:
        return None
    layout = _FORMATS.get(table.name)
    if layout is None:
        layout = _FORMATS[table.name] = _TableFormat(table)
    columns = list(zip(*rows, strict=True))
    if len(columns) != layout.width:
        raise ValueError(f"{table.name}: rows of {len(columns)} values, not {layout.width}")
    for i, allowed in layout.checked:
        if not allowed.issuperset(map(type, columns[i])):
            return None
    for i in layout.int4:
        values = [v for v in columns[i] if v is not None]
        if values and (max(values) >= _INT4 or min(values) < -_INT4):
            return None
    out = bytearray(SIGNATURE)
    transformer = layout.transformer
    try:
        for row in rows:
            format_row(row, transformer, out)
    except (TypeError, ValueError, OverflowError, UnicodeError):
        return None  # e.g. a lone surrogate, an aware datetime: the text path's errors
    out += TRAILER
    return bytes(out)


def is_binary(data: bytes) -> bool:
    """Whether COPY data is binary (COPY text of a store table starts with an id's digits)."""
    return data[:11] == SIGNATURE[:11]
