"""COPY text for PostgreSQL: every value survives the trip, whatever it holds."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from joinedup.ingest.writer import _copy_value, copy_text, insert_rows
from joinedup.store import tables as t

TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=10
) | st.sampled_from(["\\", "\\N", "a\tb", "line\nline", "cr\r\n", "\\t", "N", ""])


@st.composite
def location_rows(draw: st.DrawFn) -> tuple[object, ...]:
    """A location_mention row: ints, text, floats, a boolean, with NULLs anywhere allowed."""

    def maybe(strategy: st.SearchStrategy[object]) -> object:
        return draw(st.none() | strategy)

    return (
        draw(st.integers(1, 2**40)),  # id
        1,  # record_id
        draw(TEXT),  # slot
        draw(TEXT),  # role
        maybe(TEXT), maybe(TEXT), maybe(TEXT), maybe(TEXT), maybe(TEXT), maybe(TEXT),
        maybe(st.floats(allow_nan=False, allow_infinity=False, width=64)),
        maybe(st.floats(allow_nan=False, allow_infinity=False, width=64)),
        None,  # person_mention_id
        draw(st.booleans()),
        maybe(TEXT),
        maybe(st.integers(0, 10**6)),
        maybe(st.integers(0, 10**6)),
    )  # fmt: skip


@given(st.lists(location_rows(), max_size=5))
def test_the_compiled_encoder_writes_what_the_general_rule_writes(rows: list[tuple]) -> None:
    expected = "".join("\t".join(map(_copy_value, row)) + "\n" for row in rows)
    assert copy_text(t.location_mention, rows) == expected.encode("utf-8")


MOMENT = st.none() | st.datetimes() | st.dates() | TEXT


@given(
    st.lists(
        st.tuples(
            st.integers(1, 2**40), st.integers(1, 2**40), TEXT, MOMENT, st.none() | TEXT,
            MOMENT, st.none() | TEXT, st.none() | st.integers(1, 9), st.none() | TEXT,
            st.none() | TEXT,
        ),
        max_size=4,
    )
)  # fmt: skip
def test_event_rows_dates_and_json_text_are_written_as_the_general_rule_writes(
    rows: list[tuple],
) -> None:
    expected = "".join("\t".join(map(_copy_value, row)) + "\n" for row in rows)
    assert copy_text(t.event, rows) == expected.encode("utf-8")


@given(st.none() | st.booleans() | st.integers(0, 1) | TEXT, MOMENT)
def test_a_boolean_or_date_column_holding_anything_is_written_as_the_general_rule_writes(
    extracted: object, dob: object
) -> None:
    row = [None] * len(t.person_mention.c)
    row[0], row[1], row[2], row[3] = 1, 2, "s", "r"
    row[t.person_mention.c.keys().index("extracted")] = extracted
    row[t.person_mention.c.keys().index("dob")] = dob
    expected = "\t".join(map(_copy_value, row)) + "\n"
    assert copy_text(t.person_mention, [tuple(row)]) == expected.encode("utf-8")


def test_an_unexpected_type_goes_through_the_general_rule() -> None:
    row = (
        1,
        1,
        "s",
        "r",
        5,
        None,
        None,
        None,
        None,
        None,
        "1.5",
        None,
        None,
        True,
        None,
        None,
        None,
    )
    line = copy_text(
        t.location_mention, [row]
    ).decode()  # an int in a text column, text in a float one
    assert line.split("\t")[4] == "5" and line.split("\t")[10] == "1.5"


@pytest.fixture(scope="module")
def pg(pg_with_records: Engine) -> Engine:
    return pg_with_records


@pytest.mark.postgres
@settings(max_examples=25, deadline=None)
@given(st.lists(location_rows(), min_size=1, max_size=5, unique_by=lambda r: r[0]))
def test_copy_text_round_trips_through_postgresql(pg: Engine, rows: list[tuple]) -> None:
    with pg.connect() as conn:
        with conn.begin() as tx:
            insert_rows(conn, {"location_mention": copy_text(t.location_mention, rows)})
            stored = conn.execute(
                select(t.location_mention).order_by(t.location_mention.c.id)
            ).all()
            tx.rollback()
    assert [tuple(r) for r in stored] == sorted(rows, key=lambda r: r[0])


@pytest.mark.postgres
@settings(max_examples=25, deadline=None)
@given(st.binary(min_size=32, max_size=32))
def test_a_records_content_hash_round_trips_as_bytea(pg: Engine, digest: bytes) -> None:
    # any byte at all, a backslash, tab or newline among them (store/tables.py, ContentHash)
    row = (10, 1, 1, None, 3, datetime(2024, 1, 1), digest, None, None, None, None, "{}", None)
    with pg.connect() as conn:
        with conn.begin() as tx:
            insert_rows(conn, {"record": copy_text(t.record, [row])})
            stored = conn.execute(
                select(t.record.c.content_hash).where(t.record.c.id == 10)
            ).scalar_one()
            tx.rollback()
    assert stored == digest.hex()  # read back as hex, as on SQLite
