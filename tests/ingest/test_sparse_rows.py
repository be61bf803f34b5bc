"""SQLite rows without their all-None and constant columns store exactly what full rows do.

`writer.sparse_rows` leaves out of a chunk's INSERT the columns that are None in every row
and writes columns holding one plain value in every row as literals; these tests insert
the same rows both ways into real SQLite tables and compare what each stored, value and
type (SQLite's `typeof`), including the values that compare equal across types.
"""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, String, Table, Text

from joinedup.ingest import writer
from joinedup.ingest.writer import _literal, _sqlite_insert, sparse_rows

WIDTH = 5
_metadata = MetaData()
_TABLE = Table(
    "sparse_probe",
    _metadata,
    Column("id", Integer, primary_key=True),
    *(Column(f"c{i}", Text if i % 2 else String(50)) for i in range(1, WIDTH)),
)


def _stored(rows: list[tuple], sparse: bool) -> list[tuple]:
    con = sqlite3.connect(":memory:")
    try:
        columns = ", ".join(f"c{i} {'TEXT' if i % 2 else 'VARCHAR(50)'}" for i in range(1, WIDTH))
        con.execute(f"CREATE TABLE sparse_probe (id INTEGER PRIMARY KEY, {columns})")
        if sparse:
            bound, constant, kept = sparse_rows(rows)
            con.executemany(_sqlite_insert(_TABLE, bound, constant), kept)
        else:
            con.executemany(_sqlite_insert(_TABLE), rows)
        picks = ", ".join(f"c{i}, typeof(c{i})" for i in range(1, WIDTH))
        return con.execute(f"SELECT id, {picks} FROM sparse_probe ORDER BY id").fetchall()
    finally:
        con.close()


# Values that collide: equal but stored differently (1, 1.0, True), text that looks like a
# number or holds quotes, NUL or SQL, and None.
_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from([0, 1, -1, 2**63 - 1, -(2**63)]),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.sampled_from([1.0, 0.0, -0.0, 0.1, 1e300]),
    st.sampled_from(["1", "camera", "it's", "a'b", "x\x00y", "'; DROP TABLE sparse_probe; --", ""]),
    st.text(max_size=8),
)


@st.composite
def _chunks(draw: st.DrawFn) -> list[tuple]:
    count = draw(st.integers(min_value=0, max_value=12))
    # Each column either repeats one value (often) or varies.
    makers = [
        draw(st.one_of(_VALUES.map(lambda v: ("same", v)), st.just(("vary", None))))
        for _ in range(1, WIDTH)
    ]
    rows = []
    for n in range(count):
        cells = [v if kind == "same" else draw(_VALUES) for kind, v in makers]
        rows.append((n + 1, *cells))
    return rows


@settings(max_examples=300, deadline=None)
@given(_chunks())
def test_sparse_rows_store_what_full_rows_store(rows: list[tuple]) -> None:
    assert _stored(rows, sparse=True) == _stored(rows, sparse=False)


def test_all_none_and_constant_columns_are_left_to_the_sql() -> None:
    rows = [(n, None, "camera", f"name {n}", False) for n in range(1, 2001)]
    bound, constant, kept = sparse_rows(rows)
    assert bound == (0, 3)
    assert constant == ((2, "camera"), (4, False))
    assert kept[0] == (1, "name 1")
    sql = _sqlite_insert(_TABLE, bound, constant)
    assert sql == (
        'INSERT INTO "sparse_probe" ("id", "c2", "c3", "c4") VALUES (?, \'camera\', ?, 0)'
    )


def test_rows_with_nothing_left_to_bind_still_go_in_one_each() -> None:
    rows = [(1, None, "camera", None, False)] * 3
    bound, constant, kept = sparse_rows(rows)
    assert bound == () and kept == [(), (), ()]
    assert len(constant) == 3
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE sparse_probe (id, c1, c2, c3, c4)")
    con.executemany(_sqlite_insert(_TABLE, bound, constant), kept)
    assert (
        con.execute("SELECT * FROM sparse_probe").fetchall() == [(1, None, "camera", None, 0)] * 3
    )


def test_equal_values_of_other_types_are_not_one_constant() -> None:
    rows = [(1, 1, 1.0, True, "1"), (2, 1.0, 1, 1, "1"), (3, True, 1, 1, "1")]
    bound, constant, _ = sparse_rows(rows)
    assert constant == ((4, "1"),)
    assert bound == (0, 1, 2, 3)


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        (True, "1"),
        (False, "0"),
        (7, "7"),
        (2**63, None),
        ("anpr_camera", "'anpr_camera'"),
        ("it's", None),
        ("x\x00", None),
        ("", None),
        (1.5, None),
        (b"\x00", None),
        (None, None),
    ],
)
def test_only_plain_values_become_literals(value: object, literal: str | None) -> None:
    assert _literal(value) == literal


def test_a_column_with_a_default_is_never_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy import text

    table = Table(
        "defaulted",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("kind", String(8), server_default=text("'web'")),
    )
    monkeypatch.setattr(writer, "_SQL", {})
    with pytest.raises(RuntimeError, match="DEFAULT"):
        _sqlite_insert(table, (0,), ())
