"""A batch remembers what it stored for a source that had no records when it began.

Under the writers' lock the batch's own rows are then the source's only ones, so it asks
the database only about rows it may have stored itself (batch._OwnRecords). These tests
hold that memory to what the database says: a row repeated within a chunk, in the next
chunk and many chunks later is a duplicate each time; a corrected row (same reference,
other content) supersedes the latest record of its reference wherever that is; past
OWN_RECORDS_MAX the batch asks the database again; a source with records already is asked
from the start. And a first load does not ask about rows it never stored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from joinedup.ingest import batch, prepare
from joinedup.ingest.batch import ingest_file
from joinedup.store import make_engine, migrate
from tests.conftest import drop_pg_database, new_pg_database

from .conftest import SPECS, stop_row, write_csv
from .test_workers import contents

SPEC = str(SPECS / "stops.yaml")


def _rows(tag: str = "") -> list[dict[str, str]]:
    rows = []
    for i in range(60):
        row = stop_row(f"S{tag}{i}", Occ1Name=f"Lorna Pennick {i}")
        rows.append(row)
        if i % 7 == 3:
            rows.append(row)  # the same row again, in the same chunk or the next
        if i % 11 == 4:
            rows.append(stop_row(f"S{tag}{i}", Occ1Name=f"Lorna Pennock {i}"))  # corrected
        if i % 13 == 5:
            rows.append(stop_row(f"S{tag}1", Occ1Name="Lorna Pennick 1"))  # much later
            rows.append(stop_row(f"S{tag}2", Occ1Name=f"Lorna Penick {i}"))  # corrected later
    return rows


def _counts(result: Any) -> tuple[int, int, int, int, int]:
    return result.read, result.stored, result.duplicates, result.quarantined, result.superseding


def _ingest(url: str, paths: list[Path]) -> tuple[list[Any], dict[str, Any], list[str]]:
    engine = make_engine(url)
    asked: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and (
            "content_hash" in statement or "source_ref" in statement
        ):
            asked.append(statement)

    try:
        migrate(engine)
        results = [ingest_file(engine, p, SPEC, actor="t") for p in paths]
        return results, contents(engine), asked
    finally:
        engine.dispose()


def _elsewhere(store_url: str, tmp_path: Path, paths: list[Path]) -> tuple[Any, ...]:
    if store_url.startswith("sqlite"):
        return _ingest(f"sqlite:///{tmp_path / 'asked.db'}", paths)
    other = new_pg_database()
    try:
        return _ingest(other, paths)
    finally:
        drop_pg_database(other)


def test_remembered_records_decide_as_the_database_would(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = write_csv(tmp_path / "first.csv", _rows())
    second = write_csv(tmp_path / "second.csv", _rows() + _rows("x"))  # half of it seen
    monkeypatch.setattr(prepare, "CHUNK_ROWS", 5)
    monkeypatch.setattr(prepare, "PG_CHUNK_ROWS", 5)

    results, remembered, _ = _ingest(store_url, [first, second, first])
    one, two, again = results
    assert one.duplicates > 10 and one.superseding > 5
    assert one.read == one.stored + one.duplicates + one.quarantined
    # The second file begins with the source holding records: the database is asked.
    assert two.stored == one.stored and two.duplicates == one.stored + 2 * one.duplicates
    assert _counts(again) == (one.read, 0, one.read, 0, 0)

    # The same files with the memory given up at once: the database decides every chunk.
    monkeypatch.setattr(batch, "OWN_RECORDS_MAX", 0)
    asked_results, asked, _ = _elsewhere(store_url, tmp_path, [first, second, first])
    assert [_counts(r) for r in asked_results] == [_counts(r) for r in results]
    assert asked == remembered  # the same records, ids and corrections


def test_a_first_load_asks_only_about_rows_it_stored(store_url: str, tmp_path: Path) -> None:
    rows = [stop_row(f"S{i}", Occ1Name=f"Lorna Pennick {i}") for i in range(30)]
    plain = write_csv(tmp_path / "plain.csv", rows)
    results, _, asked = _ingest(store_url, [plain])
    assert results[0].stored == 30
    # Every row is new and so is every reference: nothing to look up but the quarantine's
    # and the source's first record (the memory's own check).
    assert not [s for s in asked if "IN (" in s or "ANY(" in s]


def test_a_source_with_records_is_asked_from_the_start(store_url: str, tmp_path: Path) -> None:
    one = write_csv(tmp_path / "one.csv", [stop_row("S1")])
    more = write_csv(tmp_path / "more.csv", [stop_row("S2"), stop_row("S1")])
    results, _, asked = _ingest(store_url, [one, more])
    assert _counts(results[1]) == (2, 1, 1, 0, 0)
    assert [s for s in asked if "IN (" in s or "ANY(" in s]  # the second batch asked
