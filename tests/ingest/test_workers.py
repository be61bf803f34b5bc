"""Worker processes change nothing but speed: a city ingested through the worker pool is
row for row what one process stores, on each backend, and a worker's failure fails the
batch with nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from joinedup.ingest import prepare
from joinedup.ingest.batch import ingest_file, plan_paths
from joinedup.store import make_engine, migrate
from joinedup.store import tables as t
from joinedup.synth import generate_city
from tests.conftest import drop_pg_database, new_pg_database

TABLES = (t.record, t.person_mention, t.protected_characteristic, t.location_mention,
          t.vehicle_mention, t.phone_mention, t.event, t.participation, t.quarantine)  # fmt: skip
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


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_workers_store_what_one_process_stores(
    backend: str, city: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    urls = (
        [f"sqlite:///{tmp_path / 'one.db'}", f"sqlite:///{tmp_path / 'pool.db'}"]
        if backend == "sqlite"
        else [new_pg_database(), new_pg_database()]
    )
    try:
        monkeypatch.setattr(prepare, "WORKER_MIN_BYTES", 1 << 40)
        monkeypatch.setattr(prepare, "WORKER_MIN_BYTES_WARM", 1 << 40)
        prepare.stop_workers()
        one = ingest_city(urls[0], city)
        monkeypatch.setattr(prepare, "WORKER_MIN_BYTES", 0)
        monkeypatch.setattr(prepare, "WORKER_MIN_BYTES_WARM", 0)
        pooled = ingest_city(urls[1], city)
        assert prepare._POOL is not None and prepare._POOL.alive()  # the pool did the work
    finally:
        prepare.stop_workers()
        if backend == "postgresql":
            for url in urls:
                drop_pg_database(url)
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
