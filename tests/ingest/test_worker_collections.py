"""A worker's collector (prepare.WORKER_COLLECTIONS) and the assumption it rests on: that
preparing and laying out rows makes no reference cycles, so rows go by reference counting
and the collector has nothing to find in them."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest

from joinedup.feeds.loader import get_spec
from joinedup.feeds.spec import FeedSpec
from joinedup.ingest import prepare
from joinedup.ingest.layout import Values
from joinedup.ingest.readers import SourceRow, open_rows
from joinedup.ingest.writer import ID_TABLES
from joinedup.synth import generate_city


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("city")
    generate_city(seed=5, children=60, months=6, out_dir=folder)
    return folder


class _Closed:
    """A jobs pipe the ingest process has closed: the worker's loop ends at once."""

    def recv(self) -> None:
        raise EOFError


class _Results:
    def send_bytes(self, data: bytes) -> None:  # pragma: no cover - nothing is sent
        raise AssertionError("a worker with no job sent something")


def test_a_worker_collects_at_its_own_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker's loop sets WORKER_COLLECTIONS (far fewer young collections than the
    ingest process's FEWER_COLLECTIONS) and freezes what was there at start."""
    monkeypatch.setattr(prepare, "_die_with", lambda parent: None)  # not in the test's process
    frozen = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    before = gc.get_threshold()
    try:
        prepare._worker_loop(_Closed(), _Results(), 0)
        assert gc.get_threshold() == prepare.WORKER_COLLECTIONS
    finally:
        gc.set_threshold(*before)
    assert frozen == [True]
    young, *_ = prepare.WORKER_COLLECTIONS
    assert young >= 10 * prepare.FEWER_COLLECTIONS[0]


def _files(
    city: Path, formats: tuple[str, ...] = ("csv", "jsonl", "xlsx")
) -> list[tuple[str, FeedSpec, list[SourceRow]]]:
    """Every file of the city (of those formats) with its spec and all its rows, read."""
    manifest = json.loads((city / "manifest.json").read_text())
    files = []
    for entry in manifest["files"]:
        spec = get_spec(entry["spec"])
        if spec.format not in formats:
            continue
        stream = open_rows(city / entry["path"], spec)
        try:
            files.append((entry["path"], spec, list(stream.rows)))
        finally:
            stream.close()
    return files


def _prepare_and_lay_out(files: list[tuple[str, FeedSpec, list[SourceRow]]], dialect: str) -> int:
    """Prepare and lay out every file's rows in chunks, as a worker does; the chunks' count."""
    chunks = 0
    for name, spec, rows in files:
        values = Values(dialect)
        next_ids = {str(table.name): 1 for table in ID_TABLES}
        for start in range(0, len(rows), 500):
            prepared = prepare.prepare_rows(spec, values, rows[start : start + 500])
            head = prepare.head_of(prepared)
            codes = bytes(prepare.STORE if h[2] is None else prepare.QUARANTINE for h in head)
            plan = prepare.Plan(codes, next_ids, {}, 1, 1, name, datetime(2026, 1, 1))
            _, next_ids, _ = prepare.lay_out(prepared, plan, dialect)
            chunks += 1
    return chunks


@contextmanager
def _collector_off() -> Iterator[None]:
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_preparing_and_laying_out_rows_makes_no_cycles(city: Path, dialect: str) -> None:
    """With the collector off, preparing and laying out a whole city's rows (every
    built-in spec, its quarantined rows too) leaves nothing for it to collect: each row's
    objects are freed by reference counting once its chunk is laid out. (A first pass warms
    the caches, compiles the specs and imports what it needs, which may make cycles once.)"""
    files = _files(city)
    assert {spec.format for _, spec, _ in files} == {"csv", "jsonl", "xlsx"}
    _prepare_and_lay_out(files, dialect)
    with _collector_off():
        assert _prepare_and_lay_out(files, dialect) > len(files)  # some in several chunks
        assert gc.collect() == 0


def test_reading_text_files_makes_no_cycles(city: Path) -> None:
    """Reading CSV and JSONL files row by row leaves no cycles either (a workbook's reader
    makes a few once per file, none per row)."""
    text = ("csv", "jsonl")
    _files(city, text)
    with _collector_off():
        assert sum(len(rows) for _, _, rows in _files(city, text)) > 1000
        assert gc.collect() == 0
