"""A chunk's hashes and references reach PostgreSQL as one array literal (ingest/batch.py):
whatever the values hold, the server reads back exactly the list."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from joinedup.ingest.batch import _pg_bytea_array, _pg_text_array
from joinedup.store import make_engine
from tests.conftest import drop_pg_database, new_pg_database

TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
) | st.sampled_from(['"', "\\", '\\"', "NULL", "{", "}", ",", " a ", "", "a\tb", "é", "\\x41"])


@pytest.fixture(scope="module")
def pg() -> Iterator[Engine]:
    url = new_pg_database()
    engine = make_engine(url)
    yield engine
    engine.dispose()
    drop_pg_database(url)


@pytest.mark.postgres
@settings(max_examples=200, deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=8))
def test_text_values_read_back_as_given(pg: Engine, values: list[str]) -> None:
    with pg.connect() as conn:
        got = conn.exec_driver_sql("SELECT %s::text[]", (_pg_text_array(values),)).scalar_one()
    assert got == values


@pytest.mark.postgres
@settings(max_examples=50, deadline=None)
@given(st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=8))
def test_hashes_read_back_as_given(pg: Engine, values: list[bytes]) -> None:
    with pg.connect() as conn:
        got = conn.exec_driver_sql("SELECT %s::bytea[]", (_pg_bytea_array(values),)).scalar_one()
    assert [bytes(v) for v in got] == values


def test_a_control_character_sends_the_list_itself() -> None:
    assert _pg_text_array(["a", "b\nc"]) == ["a", "b\nc"]
    assert _pg_text_array(["a", 'b"c']) == '{"a","b\\"c"}'
