"""The next file goes to the workers as the batch before it begins (prepare.start_early):
a store built that way is row for row the one built file by file, and chunks started for
a file that is then not the one ingested are given up, not written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from joinedup.ingest import batch, prepare
from joinedup.ingest.batch import ingest_file, plan_paths
from joinedup.ingest.readers import FileRefused
from joinedup.store import make_engine, migrate
from joinedup.synth import generate_city

from .test_workers import contents, one_then_pooled


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("city")
    generate_city(seed=6, children=40, months=3, out_dir=out)
    return out


def _ingest(url: str, folder: Path, early: bool, started: list[int]) -> dict[str, Any]:
    engine = make_engine(url)
    try:
        migrate(engine)
        files = plan_paths([folder], None)
        for index, pf in enumerate(files):
            after = files[index + 1] if early and index + 1 < len(files) else None
            ingest_file(
                engine,
                pf.path,
                pf.spec,
                actor="t",
                then=(after.path, after.spec) if after else None,
            )
            started.append(1 if prepare._EARLY is not None else 0)
        return contents(engine)
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_a_store_built_with_files_started_early_is_the_same(
    backend: str, city: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[list[int]] = []
    calls: list[str] = []
    spied = ((batch, "_write_chunk"), (batch, "_start_next"), (batch._BatchRun, "close_batch"))
    for owner, name in spied:
        real = getattr(owner, name)
        monkeypatch.setattr(
            owner,
            name,
            lambda *a, _real=real, _name=name, **k: (calls.append(_name), _real(*a, **k))[1],
        )

    def ingest(url: str) -> dict[str, Any]:
        runs.append([])  # the first run is in one process, the second through the pool
        calls.clear()
        return _ingest(url, city, early=len(runs) == 2, started=runs[-1])

    one, early = one_then_pooled(backend, tmp_path, monkeypatch, ingest)
    assert sum(runs[1]) >= 2  # files were started early
    # ... as the batch before began: before it wrote any chunk, so that a worker done with
    # its share of that file goes straight on to the next
    batches = "/".join(calls).split("/close_batch")[:-1]
    assert len(batches) >= 3, calls
    for before_last in batches[:-1]:
        assert before_last.strip("/").split("/")[0] == "_start_next", calls
    assert calls.count("_write_chunk") >= 2, calls  # (an empty file has no chunk)
    assert early == one


def _stores(tmp_path: Path, fill: Callable[[Engine, bool], None]) -> list[dict[str, Any]]:
    """Two new SQLite stores, filled by `fill(engine, early)` without then with the next
    file started early: their contents."""
    stores = []
    try:
        for early in (False, True):
            engine = make_engine(f"sqlite:///{tmp_path / ('early' if early else 'plain')}.db")
            try:
                migrate(engine)
                prepare.stop_workers()
                fill(engine, early)
                stores.append(contents(engine))
            finally:
                engine.dispose()
    finally:
        prepare.stop_workers()
    return stores


def test_chunks_started_for_another_file_are_given_up(
    city: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prepare, "WORKER_MIN_BYTES", 0)
    monkeypatch.setattr(prepare, "WORKER_MIN_BYTES_WARM", 0)
    first, second, third = plan_paths([city], None)[:3]

    def fill(engine: Engine, wrong: bool) -> None:
        then = (third.path, third.spec) if wrong else None  # not what comes next
        ingest_file(engine, first.path, first.spec, actor="t", then=then)
        if wrong:
            assert prepare._EARLY is not None  # the workers began the third file
        ingest_file(engine, second.path, second.spec, actor="t")
        assert prepare._EARLY is None
        ingest_file(engine, third.path, third.spec, actor="t")

    plain, wrong = _stores(tmp_path, fill)
    assert wrong == plain


def test_a_next_file_the_workers_cannot_read_leaves_the_file_before_whole(
    city: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers get the next file as the batch before begins, and may fail on it while
    that batch still needs their rows: the failure waits until the file before is done, and
    is the next file's alone."""
    monkeypatch.setattr(prepare, "WORKER_MIN_BYTES", 0)
    monkeypatch.setattr(prepare, "WORKER_MIN_BYTES_WARM", 0)
    monkeypatch.setattr(prepare, "CHUNK_ROWS", 50)  # several chunks a file, each worker's turn
    monkeypatch.setattr(prepare, "PG_CHUNK_ROWS", 50)
    first, second = plan_paths([city], None)[:2]
    broken = tmp_path / second.path.name
    broken.write_bytes(b"not,the,header\n1,2,3\n")  # the workers refuse it: no such columns

    def fill(engine: Engine, early: bool) -> None:
        then = (broken, second.spec) if early else None
        ingest_file(engine, first.path, first.spec, actor="t", then=then)
        if early:
            assert prepare._EARLY is not None  # the workers took the broken file up
            with pytest.raises(FileRefused):
                ingest_file(engine, broken, second.spec, actor="t")
        ingest_file(engine, second.path, second.spec, actor="t")

    plain, early = _stores(tmp_path, fill)
    assert early == plain
