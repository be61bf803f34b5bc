"""A batch remembers the rows it put in quarantine instead of asking the store each chunk.

When the source had nothing in quarantine as the batch began, only this batch can have
put a row there (batches write under the writers' lock). These tests hold the batch's own
memory to what the database says: the same bad row repeated within a chunk, in the next
chunk and many chunks later is quarantined once and counted every time; past
OWN_QUARANTINE_MAX the batch asks the database again; a source with rows in quarantine
already is asked from the start.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from joinedup.ingest import batch, prepare
from joinedup.ingest.batch import ingest_file
from joinedup.store import make_engine, migrate
from joinedup.store import tables as t
from tests.conftest import drop_pg_database, new_pg_database

from .conftest import SPECS, stop_row, write_csv
from .test_workers import contents

SPEC = str(SPECS / "stops.yaml")


def _rows(tag: str = "") -> list[dict[str, str]]:
    rows = []
    for i in range(60):
        rows.append(stop_row(f"S{tag}{i}", Occ1Name=f"Lorna Pennick {i}"))
        if i % 6 == 2:
            bad = stop_row(f"B{tag}{i}", StopTime="31/02/2024 22:10")  # no such day
            rows += [bad, bad]  # the same bad row twice in one chunk or across two
        if i % 13 == 5:
            rows.append(stop_row(f"B{tag}2", StopTime="31/02/2024 22:10"))  # much later
    return rows


def _quarantine_rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.quarantine)).scalar_one())


def _ingest(url: str, paths: list[Path]) -> tuple[list[Any], dict[str, Any], int]:
    engine = make_engine(url)
    try:
        migrate(engine)
        results = [ingest_file(engine, p, SPEC, actor="t") for p in paths]
        return results, contents(engine), _quarantine_rows(engine)
    finally:
        engine.dispose()


def _counts(result: Any) -> tuple[int, int, int, int]:
    return result.read, result.stored, result.duplicates, result.quarantined


def test_remembered_quarantine_decides_as_the_database_would(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = write_csv(tmp_path / "first.csv", _rows())
    second = write_csv(tmp_path / "second.csv", _rows() + _rows("x"))  # half of it seen
    monkeypatch.setattr(prepare, "CHUNK_ROWS", 5)
    monkeypatch.setattr(prepare, "PG_CHUNK_ROWS", 5)

    results, remembered, n_bad = _ingest(store_url, [first, second, first])

    # Every bad row is in quarantine once, however often it was read.
    bad_refs = {r["StopRef"] for r in _rows() + _rows("x") if r["StopRef"][0] == "B"}
    assert n_bad == len(bad_refs)
    one, two, again = results
    assert one.quarantined == sum(1 for r in _rows() if r["StopRef"][0] == "B")
    assert one.read == one.stored + one.duplicates + one.quarantined
    # The second file begins with the source's quarantine holding rows: the database is
    # asked, and finds the first file's bad rows still there.
    assert two.quarantined == 2 * one.quarantined
    assert _counts(again) == (one.read, 0, one.stored + one.duplicates, one.quarantined)

    # The same files with the memory given up at once: the database decides every chunk.
    monkeypatch.setattr(batch, "OWN_QUARANTINE_MAX", 0)
    if store_url.startswith("sqlite"):
        asked_results, asked, asked_bad = _ingest(
            f"sqlite:///{tmp_path / 'asked.db'}", [first, second, first]
        )
    else:
        other = new_pg_database()
        try:
            asked_results, asked, asked_bad = _ingest(other, [first, second, first])
        finally:
            drop_pg_database(other)
    assert [_counts(r) for r in asked_results] == [_counts(r) for r in results]
    assert asked_bad == n_bad
    assert asked == remembered


def test_a_bad_row_stored_later_is_marked_fixed(store_url: str, tmp_path: Path) -> None:
    bad = stop_row("B7", StopTime="31/02/2024 22:10")
    first = write_csv(tmp_path / "first.csv", [stop_row("S1"), bad])
    fixed = write_csv(tmp_path / "fixed.csv", [stop_row("B7"), stop_row("S2")])
    engine = make_engine(store_url)
    try:
        migrate(engine)
        one = ingest_file(engine, first, SPEC, actor="t")
        assert (one.quarantined, one.quarantine_fixed) == (1, 0)
        two = ingest_file(engine, fixed, SPEC, actor="t")
        assert (two.stored, two.quarantine_fixed) == (2, 1)  # B7 is stored now
        with engine.connect() as conn:
            row = conn.execute(select(t.quarantine.c.resolved_at, t.quarantine.c.resolution)).one()
        assert row.resolved_at is not None and "re-submitted" in row.resolution
        three = ingest_file(
            engine, write_csv(tmp_path / "more.csv", [stop_row("S3")]), SPEC, actor="t"
        )
        assert three.quarantine_fixed == 0  # nothing of the source waits to be fixed
    finally:
        engine.dispose()
