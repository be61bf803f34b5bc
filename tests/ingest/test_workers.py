"""Worker processes change nothing but speed: a city ingested through the worker pool is
row for row what one process stores, on each backend, and a worker's failure fails the
batch with nothing written."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from joinedup.feeds import load_spec
from joinedup.ingest import prepare
from joinedup.ingest.batch import ingest_file, plan_paths
from joinedup.ingest.layout import Values
from joinedup.ingest.readers import FileRefused, open_rows
from joinedup.store import make_engine, migrate
from joinedup.store import tables as t
from joinedup.synth import generate_city
from tests.conftest import drop_pg_database, new_pg_database

from .conftest import SPECS, STOP_HEADER, stop_row, write_csv

TABLES = (t.record, t.person_mention, t.protected_characteristic, t.location_mention,
          t.vehicle_mention, t.phone_mention, t.event, t.quarantine)  # fmt: skip
T = TypeVar("T")
CLOCKS = {"received_at", "created_at"}  # a default received time is the batch's start


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("city")
    generate_city(seed=5, children=40, months=3, out_dir=out)
    return out


def contents(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    with engine.connect() as conn:
        return {
            table.name: [
                tuple(row)
                for row in conn.execute(
                    select(*[c for c in table.c if c.name not in CLOCKS]).order_by(table.c.id)
                )
            ]
            for table in TABLES
        }


def ingest_city(url: str, city: Path) -> dict[str, list[tuple[object, ...]]]:
    engine = make_engine(url)
    try:
        migrate(engine)
        for planned in plan_paths([city], None):
            ingest_file(engine, planned.path, planned.spec, actor="tester")
        return contents(engine)
    finally:
        engine.dispose()


def one_then_pooled(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ingest: Callable[[str], T]
) -> tuple[T, T]:
    """`ingest` into a new store in one process, then into another through the pool."""
    urls = (
        [f"sqlite:///{tmp_path / 'one.db'}", f"sqlite:///{tmp_path / 'pool.db'}"]
        if backend == "sqlite"
        else [new_pg_database(), new_pg_database()]
    )
    try:
        done = []
        for url, min_bytes in zip(urls, (1 << 40, 0), strict=True):
            monkeypatch.setattr(prepare, "WORKER_MIN_BYTES", min_bytes)
            monkeypatch.setattr(prepare, "WORKER_MIN_BYTES_WARM", min_bytes)
            if min_bytes:
                prepare.stop_workers()
            done.append(ingest(url))
        assert prepare._POOL is not None and prepare._POOL.alive()  # the pool did the work
    finally:
        prepare.stop_workers()
        if backend == "postgresql":
            for url in urls:
                drop_pg_database(url)
    return done[0], done[1]


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_workers_store_what_one_process_stores(
    backend: str, city: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, pooled = one_then_pooled(
        backend, tmp_path, monkeypatch, lambda url: ingest_city(url, city)
    )
    assert sum(len(rows) for rows in one.values()) > 1000
    for table in TABLES:
        assert pooled[table.name] == one[table.name], table.name


def test_a_worker_dying_fails_the_batch_with_nothing_written(
    city: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prepare, "WORKER_MIN_BYTES", 0)
    monkeypatch.setattr(prepare, "WORKER_MIN_BYTES_WARM", 0)
    engine = make_engine(f"sqlite:///{tmp_path / 'killed.db'}")
    migrate(engine)
    planned = next(p for p in plan_paths([city], None) if p.path.suffix == ".csv")
    original = prepare._WorkerChunks.__iter__

    def kill_after_first_chunk(self: prepare._WorkerChunks):  # type: ignore[no-untyped-def]
        for index, chunk in enumerate(original(self)):
            if index == 0:  # its head has come; its rows never will
                for worker in self.pool.workers:
                    worker.kill()
            yield chunk

    monkeypatch.setattr(prepare._WorkerChunks, "__iter__", kill_after_first_chunk)
    try:
        with pytest.raises(RuntimeError, match="stopped unexpectedly"):
            ingest_file(engine, planned.path, planned.spec, actor="tester")
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(t.record)).scalar_one() == 0
            assert conn.execute(select(func.count()).select_from(t.ingest_batch)).scalar_one() == 0
        monkeypatch.setattr(prepare._WorkerChunks, "__iter__", original)
        result = ingest_file(engine, planned.path, planned.spec, actor="tester")  # a new pool
        assert (
            result.stored > 0
            and result.read == result.stored + result.duplicates + result.quarantined
        )
    finally:
        prepare.stop_workers()
        engine.dispose()


# -- skipping other workers' chunks changes no row ---------------------------------------

JSONL_LINES = st.one_of(
    st.just(""),
    st.just("   "),
    st.just("not json"),
    st.just("[1, 2]"),
    st.just('{"StopRef": "S-no-time"}'),  # refuses the file only as its first object
    st.builds(
        lambda n: json.dumps({"StopRef": f"S{n}", "StopTime": "14/03/2024 22:10"}),
        st.integers(0, 99),
    ),
)


def _prepared_in_turns(stream_of: Any, spec: Any, turns: int) -> list[Any]:
    chunks: dict[int, Any] = {}
    for turn in range(turns):
        stream = stream_of()
        try:
            for index, chunk in enumerate(
                prepare._chunked(stream, spec, Values("sqlite"), turn, turns)
            ):
                chunks[index * turns + turn] = chunk
        finally:
            stream.close()
    return [chunks[i] for i in sorted(chunks)]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(JSONL_LINES, max_size=40), chunk_rows=st.integers(1, 7), turns=st.integers(2, 3)
)
def test_skipped_jsonl_chunks_count_as_one_reader_would(
    lines: list[str], chunk_rows: int, turns: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prepare, "CHUNK_ROWS", chunk_rows)
    monkeypatch.setattr(prepare, "PG_CHUNK_ROWS", chunk_rows)
    spec = load_spec(SPECS / "stops.yaml").model_copy(update={"format": "jsonl"})
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        one = _prepared_in_turns(lambda: open_rows(path, spec), spec, 1)
    except FileRefused:
        with pytest.raises(FileRefused):
            _prepared_in_turns(lambda: open_rows(path, spec), spec, turns)
        return
    assert _prepared_in_turns(lambda: open_rows(path, spec), spec, turns) == one


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kinds=st.lists(st.sampled_from(["row", "blank", "ragged", "quoted newline"]), max_size=30),
    chunk_rows=st.integers(1, 7),
    turns=st.integers(2, 3),
)
def test_skipped_csv_chunks_count_as_one_reader_would(
    kinds: list[str], chunk_rows: int, turns: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prepare, "CHUNK_ROWS", chunk_rows)
    monkeypatch.setattr(prepare, "PG_CHUNK_ROWS", chunk_rows)
    spec = load_spec(SPECS / "stops.yaml")
    path = write_csv(tmp_path / "rows.csv", [])
    with path.open("a", encoding="utf-8", newline="") as handle:
        for i, kind in enumerate(kinds):
            row = stop_row(f"S{i}", Notes="line one\nline two" if kind == "quoted newline" else "x")
            values = [row[h] for h in STOP_HEADER]
            if kind == "blank":
                handle.write("\r\n")
            elif kind == "ragged":
                handle.write(",".join(values[:3]) + "\r\n")
            else:
                csv.writer(handle).writerow(values)
    one = _prepared_in_turns(lambda: open_rows(path, spec), spec, 1)
    assert _prepared_in_turns(lambda: open_rows(path, spec), spec, turns) == one


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_chunks_planned_ahead_see_the_chunks_not_yet_written(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With two workers the batch plans each chunk before the one before it is written:
    duplicates, corrections and repeated bad rows across that boundary must be decided as
    one process decides them."""
    rows = []
    for i in range(120):
        rows.append(stop_row(f"S{i}", Occ1Name=f"Tariq Hollins {i}"))
        if i % 5 == 1:  # the same row again, in this chunk or the next (7 rows a chunk)
            rows.append(stop_row(f"S{i}", Occ1Name=f"Tariq Hollins {i}"))
        if i % 7 == 3:  # a correction of an earlier record, often one chunk back
            rows.append(stop_row(f"S{i - 2}", Occ1Name=f"Tariq Hollings {i}"))
        if i % 11 == 4:  # a bad row, and the same bad row again a little later
            bad = stop_row(f"B{i}", StopTime="31/02/2024 22:10")
            rows.append(bad)
            rows.append(bad)
    path = write_csv(tmp_path / "stops.csv", rows)
    monkeypatch.setattr(prepare, "CHUNK_ROWS", 7)
    monkeypatch.setattr(prepare, "PG_CHUNK_ROWS", 7)
    # Chunks whose rows were read before the batch took them (on the way to the worker's
    # next head): planning W chunks ahead must really take that path.
    read_early = []
    rows_of = prepare._WorkerChunk.rows

    def spied_rows(chunk: prepare._WorkerChunk) -> Any:
        read_early.append(bool(chunk.owner.early_rows[chunk.turn]))
        return rows_of(chunk)

    monkeypatch.setattr(prepare._WorkerChunk, "rows", spied_rows)

    def ingest(url: str) -> tuple[Any, dict[str, list[tuple[object, ...]]]]:
        engine = make_engine(url)
        try:
            migrate(engine)
            result = ingest_file(engine, path, str(SPECS / "stops.yaml"), actor="t")
            return result, contents(engine)
        finally:
            engine.dispose()

    (one, one_rows), (pooled, pooled_rows) = one_then_pooled(backend, tmp_path, monkeypatch, ingest)
    assert one.duplicates > 10 and one.superseding > 10 and one.quarantined > 10
    assert (pooled.read, pooled.stored, pooled.duplicates, pooled.quarantined) == (
        one.read, one.stored, one.duplicates, one.quarantined,
    )  # fmt: skip
    assert pooled.superseding == one.superseding
    for table in TABLES:
        assert pooled_rows[table.name] == one_rows[table.name], table.name
    assert prepare.WORKERS < 2 or sum(read_early) > len(read_early) // 2, read_early
