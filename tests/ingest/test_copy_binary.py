"""Binary COPY for PostgreSQL stores exactly what COPY text stores, and a chunk holding a
value binary would store differently (not of its column's type) goes as text."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select, text

from joinedup.ingest import copy_binary, prepare
from joinedup.ingest.copy_binary import SIGNATURE, TRAILER, is_binary, pg_type
from joinedup.ingest.writer import INSERT_ORDER, ChunkRows, IdAllocator, copy_text, insert_rows
from joinedup.store import tables as t
from joinedup.synth import generate_city
from tests.conftest import drop_pg_database, new_pg_database

from .test_workers import ingest_city

pytestmark = pytest.mark.skipif(not copy_binary.available(), reason="psycopg's C formatter")

TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=8
) | st.sampled_from(["\\", "\\N", "a\tb", "line\nline", "cr\r\n", "é", "PGCOPY", ""])
FLOAT = st.floats(allow_nan=False, allow_infinity=False, width=64) | st.sampled_from([0.0, -0.0])
COMPILED = ("psycopg_binary._psycopg", "psycopg_c._psycopg")  # psycopg[binary] or [c]
MOMENT = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31))


def maybe(strategy: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.none() | strategy


@st.composite
def person_rows(draw: st.DrawFn) -> tuple[object, ...]:
    """A person_mention row of the types the mapper gives, NULLs anywhere allowed."""
    return (
        draw(st.integers(1, 2**40)), 1, draw(TEXT), draw(TEXT),  # id, record, slot, role
        *[draw(maybe(TEXT)) for _ in range(5)],  # raw name, forename ... nickname
        draw(maybe(st.dates())), draw(maybe(TEXT)), draw(maybe(TEXT)),  # dob, precision, raw
        draw(maybe(st.integers(-(2**31), 2**31 - 1))),  # age: an integer column
        *[draw(maybe(TEXT)) for _ in range(9)],  # sex ... licence_no
        draw(maybe(st.sampled_from(['{"a": "b"}', "null", "[1, 2.5]"]))),  # attributes (JSON)
        draw(maybe(st.sampled_from(['{"name": "x\\ty"}', "{}"]))),  # raw (JSON)
        draw(st.booleans()), draw(maybe(TEXT)),
        draw(maybe(st.integers(0, 10**6))), draw(maybe(st.integers(0, 10**6))),
    )  # fmt: skip


@st.composite
def location_rows(draw: st.DrawFn) -> tuple[object, ...]:
    return (
        draw(st.integers(1, 2**40)), 1, draw(TEXT), draw(TEXT),
        *[draw(maybe(TEXT)) for _ in range(6)],
        draw(maybe(FLOAT)), draw(maybe(FLOAT)), None, draw(st.booleans()), draw(maybe(TEXT)),
        draw(maybe(st.integers(0, 10**6))), draw(maybe(st.integers(0, 10**6))),
    )  # fmt: skip


@st.composite
def event_rows(draw: st.DrawFn) -> tuple[object, ...]:
    return (
        draw(st.integers(1, 2**40)), 1, draw(TEXT), draw(maybe(MOMENT)), draw(maybe(TEXT)),
        draw(maybe(MOMENT)), draw(maybe(TEXT)), None, draw(maybe(TEXT)),
        draw(maybe(st.sampled_from(['{"direction": "NB"}', "null"]))),
    )  # fmt: skip


def test_every_column_has_the_type_the_store_gives_it(pg: Engine) -> None:
    # The types are read from the tables' definitions; the migrations made the columns.
    same = {"varchar": "text"}
    with pg.connect() as conn:
        for table in INSERT_ORDER:
            stored = dict(
                conn.execute(
                    text(
                        "SELECT column_name, udt_name FROM information_schema.columns"
                        " WHERE table_name = :t"
                    ),
                    {"t": table.name},
                ).all()
            )
            assert {c.name: pg_type(c) for c in table.c} == {
                name: same.get(kind, kind) for name, kind in stored.items()
            }, table.name


def test_every_columns_binary_dumper_is_compiled() -> None:
    """By oid, psycopg gives bytea the DB-API Binary wrapper's Python dumper (a Python call
    per value); the formats use the compiled ones throughout."""
    from psycopg import postgres
    from psycopg.pq import Format

    adapters = copy_binary._adapters()
    for table in INSERT_ORDER:
        for column in table.c:
            name = copy_binary._DUMP_AS.get(pg_type(column), pg_type(column))
            dumper = adapters.get_dumper_by_oid(postgres.types[name].oid, Format.BINARY)
            assert dumper.__module__ in COMPILED, (column, dumper)


def test_binary_data_is_the_servers_format_and_text_is_told_apart() -> None:
    row = (1, 1, "slot", "role", *[None] * 6, 1.5, None, None, False, None, None, None)
    data = copy_binary.copy_binary(t.location_mention, [row])
    assert data is not None and data.startswith(SIGNATURE) and data.endswith(TRAILER)
    assert data[len(SIGNATURE) : len(SIGNATURE) + 2] == len(row).to_bytes(2, "big")
    assert is_binary(data)
    assert not is_binary(copy_text(t.location_mention, [row]))


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("age", 2**31),  # binary would keep its low four bytes; the server refuses it as text
        ("age", -(2**31) - 1),
        ("age", True),  # bool is not int
        ("extracted", 1),  # any value is true in a binary boolean
        ("extracted", "yes"),
        ("surname", 5),  # text given an int: text writes str(5) (the formatter refuses it)
        ("surname", b"x"),
        ("attributes", 5),  # a JSON column: its text only
        ("dob", datetime(2020, 1, 2, 3, 4)),  # a datetime is not a date
        ("dob", "2020-01-02"),
    ],
)
def test_a_value_not_of_its_columns_type_sends_the_rows_as_text(column: str, value: object) -> None:
    row = [None] * len(t.person_mention.c)
    row[0], row[1], row[2], row[3] = 1, 2, "s", "r"
    row[t.person_mention.c.keys().index("extracted")] = False
    ok = copy_binary.copy_binary(t.person_mention, [tuple(row)])
    assert ok is not None
    row[t.person_mention.c.keys().index(column)] = value
    assert copy_binary.copy_binary(t.person_mention, [tuple(row)]) is None


def test_a_value_the_formatter_refuses_sends_the_rows_as_text() -> None:
    row = (1, 1, "e", datetime(2020, 1, 1, tzinfo=UTC), None, None, None, None, None, None)
    assert copy_binary.copy_binary(t.event, [row]) is None  # an aware datetime
    row = (1, 1, "\ud800", None, None, None, None, None, None, None)  # a lone surrogate
    assert copy_binary.copy_binary(t.event, [row]) is None


@pytest.fixture(scope="module")
def pg(pg_with_records: Engine) -> Engine:
    return pg_with_records


def _stored(pg: Engine, table: object, data: bytes) -> list[tuple[object, ...]]:
    with pg.connect() as conn:
        with conn.begin() as tx:
            insert_rows(conn, {table.name: data})  # type: ignore[attr-defined]
            rows = conn.execute(select(table).order_by(table.c.id)).all()  # type: ignore[attr-defined]
            tx.rollback()
    return [tuple(r) for r in rows]


@pytest.mark.postgres
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["person", "location", "event"]).flatmap(
        lambda kind: st.tuples(
            st.just(kind),
            st.lists(
                {"person": person_rows(), "location": location_rows(), "event": event_rows()}[kind],
                min_size=1,
                max_size=4,
                unique_by=lambda r: r[0],
            ),
        )
    )
)
def test_binary_stores_what_text_stores(pg: Engine, drawn: tuple[str, list[tuple]]) -> None:
    kind, rows = drawn
    rows = [(row[0], i + 1, *row[2:]) for i, row in enumerate(rows)]
    table = {"person": t.person_mention, "location": t.location_mention, "event": t.event}[kind]
    binary = copy_binary.copy_binary(table, rows)
    assert binary is not None
    assert _stored(pg, table, binary) == _stored(pg, table, copy_text(table, rows))


class _Code(str, enum.Enum):  # noqa: UP042 - str() of a member is "_Code.MISSING", not its text
    MISSING = "missing_from_home"


class _Name(str):
    pass


@pytest.mark.postgres
def test_a_str_subclass_is_stored_as_its_text_both_ways(pg: Engine) -> None:
    row = [None] * len(t.person_mention.c)
    row[0], row[1], row[2], row[3] = 1, 2, _Name("slot"), _Code.MISSING
    row[t.person_mention.c.keys().index("extracted")] = False
    binary = copy_binary.copy_binary(t.person_mention, [tuple(row)])
    assert binary is not None  # a text column's dumper takes it: no value-by-value check
    stored = _stored(pg, t.person_mention, binary)
    assert stored == _stored(pg, t.person_mention, copy_text(t.person_mention, [tuple(row)]))
    assert [r[2:4] for r in stored if r[0] == 1] == [("slot", "missing_from_home")]


@pytest.mark.postgres
@settings(max_examples=15, deadline=None)
@given(st.binary(min_size=32, max_size=32), MOMENT, st.integers(0, 2**31 - 1))
def test_a_records_hash_time_and_row_number_go_binary_as_text_stores_them(
    pg: Engine, digest: bytes, received: datetime, row_number: int
) -> None:
    row = (10, 1, 1, "R1", row_number, received, digest, "x", "A", "1", "P", '{"a": 1}', None)
    binary = copy_binary.copy_binary(t.record, [row])
    assert binary is not None
    stored = _stored(pg, t.record, binary)
    assert stored == _stored(pg, t.record, copy_text(t.record, [row]))
    assert [r for r in stored if r[0] == 10][0][6] == digest.hex()  # read back as hex


def test_a_chunk_goes_binary_and_text_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    person = ("person", "subject", *([None] * 20), False, None, None, None)
    planned = ("R1", 2, None, "stop", None, None, None, (person,), (), (), (), (), None)
    laid = {}
    for binary in (True, False):
        rows = ChunkRows("postgresql", binary=binary)
        ids = IdAllocator.starting_at({name: 1 for name in rows.rows})
        from joinedup.ingest.writer import add_record

        add_record(
            rows, ids, planned, source_id=1, batch_id=1, content_hash=b"h" * 32,
            raw_json="{}", received_default=datetime(2024, 1, 1), supersedes_id=None,
        )  # fmt: skip
        laid[binary] = rows.laid_out()
    assert all(is_binary(data) for data in laid[True].values())
    assert not any(is_binary(data) for data in laid[False].values())
    assert laid[True].keys() == laid[False].keys() == {"record", "person_mention"}


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("city")
    generate_city(seed=11, children=30, months=3, out_dir=out)
    return out


@pytest.mark.postgres
def test_a_city_ingested_binary_is_row_for_row_the_city_ingested_as_text(
    city: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In this process (no workers), so that turning the formatter off reaches every chunk.
    monkeypatch.setattr(prepare, "WORKER_MIN_BYTES", 1 << 40)
    monkeypatch.setattr(prepare, "WORKER_MIN_BYTES_WARM", 1 << 40)
    results = []
    for formatter in (copy_binary._format_row(), None):
        monkeypatch.setattr(copy_binary, "_FORMAT_ROW", formatter)
        url = new_pg_database()
        try:
            results.append(ingest_city(url, city))
        finally:
            drop_pg_database(url)
    binary, as_text = results
    assert sum(map(len, binary.values())) > 1000
    assert binary == as_text
