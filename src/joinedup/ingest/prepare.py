"""Everything done to a row before the database sees it: hash, map, and lay out as rows.

This is pure work (it reads only the file and the spec), so for a large file it runs in
worker processes while the batch decides duplicates and writes; see `chunks`. Rows
travel as plain tuples, which cross processes cheaply where dataclasses do not.
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import json
import marshal
import multiprocessing
import os
import pickle
import queue
import signal
import struct
import sys
import threading
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from joinedup.feeds.spec import FeedSpec
from joinedup.ingest.layout import RecordRows, Values, row_mapper
from joinedup.ingest.mapper import RowError
from joinedup.ingest.readers import (
    XLSX_CALAMINE_MAX_BYTES,
    RowStream,
    SourceRow,
    open_rows,
    xlsx_sheets_bytes,
)
from joinedup.ingest.writer import ChunkRows, IdAllocator, LaidOut, add_quarantine, add_record
from joinedup.store.references import Written

CHUNK_ROWS = 2000
# PostgreSQL: twice as many. The server keeps a slot (a row's in-memory form) for each of
# the first 1,000 rows of a COPY and registers each with its resource owner, at a cost
# that grows with their number: about 5,700 instructions a slot at 1,000. The server's
# work on 140,000 of the 1M city's records: 29.35 G instructions in chunks of 2,000 rows,
# 27.72 G in 4,000, 26.99 G in 8,000 (docs/benchmarks.md, Ingest); but each worker holds
# two chunks, and at 8,000 the 1M city's peak memory was 962 MB against 753, too near the
# 1 GiB the ingest must stay under. SQLite has no such cost.
PG_CHUNK_ROWS = 4000
PART_ROWS = 100  # a worker looks for the batch's plan this often while it prepares


def rows_per_chunk(dialect: str) -> int:
    """How many rows a chunk holds: one transaction's worth of inserts per table."""
    return PG_CHUNK_ROWS if dialect == "postgresql" else CHUNK_ROWS


# Smaller files are prepared in the ingest process: a worker takes about half a second
# to start (importing the mapper), about what preparing a 1 MB file takes.
WORKER_MIN_BYTES = 1 << 20


# One encoder for every row: json.dumps with these options builds a new one per call.
_CANONICAL = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
)


def canonical_json(fields: dict[str, Any]) -> str:
    """The row's fields as JSON with sorted keys: what its content hash is taken of."""
    return _CANONICAL.encode(fields)


def canonical_text_json(fields: dict[str, Any]) -> str:
    """`canonical_json` for a row whose values are all text (CSV, XLSX), or a JSONL row the
    reader marked `plain`: ~6x faster for text, ~4x for a city JSONL row (12 -> 2.8 µs).

    orjson writes text exactly as the encoder above does (tests/ingest/test_prepare.py
    checks it with hypothesis); it refuses lone surrogates, which the encoder takes, and
    nesting over 254 deep. Numbers are safe only in a plain row (readers._jsonl_loads):
    orjson writes a float whose repr has an exponent otherwise, and refuses huge integers
    (tests/ingest/test_jsonl_canonical.py).
    """
    try:
        return orjson.dumps(fields, option=orjson.OPT_SORT_KEYS).decode("utf-8")
    except TypeError:
        return _CANONICAL.encode(fields)


def _binary_hash(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _hex_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- preparing a file's rows, in chunks -------------------------------------------------

# A row's content hash: SHA-256 of its canonical JSON, as the store's column holds it (its
# bytes on SQLite and PostgreSQL, hex text elsewhere: store/tables.py, ContentHash).
Digest = str | bytes
# (row_number, raw_json, content_hash, rows to store or None, error field, error reason,
#  the row's own reference as written): plain tuples, cheap to send between processes.
Prepared = tuple[int, str, Digest, RecordRows | None, str | None, str, str | None]


def prepare_rows(spec: FeedSpec, values: Values, rows: list[SourceRow]) -> list[Prepared]:
    """Hash and map each row; a row that cannot be stored carries its reason instead."""
    prepared: list[Prepared] = []
    ref = spec.record.source_ref
    ref_column = ref.column if ref is not None else None
    all_text = spec.format in ("csv", "xlsx")
    map_one = row_mapper(spec, values)  # layout.mapped_rows, looked up once
    hash_of = _binary_hash if values.binary_hash else _hex_hash
    for row in rows:
        fields = row.fields
        if fields is None:
            raw_json = row.raw_text or ""
        elif all_text or row.plain:
            raw_json = canonical_text_json(fields)
        else:
            raw_json = canonical_json(fields)
        digest = hash_of(raw_json.encode("utf-8", "surrogatepass"))
        planned: RecordRows | None = None
        error_field, reason = None, row.error
        if fields is not None:
            try:
                planned = map_one(fields, row.row_number)
            except RowError as exc:
                error_field, reason = exc.field, exc.reason
        raw_ref = None
        if planned is None and fields is not None and ref_column is not None:
            value = fields.get(ref_column)
            raw_ref = str(value).strip()[:200] if value not in (None, "") else None
        prepared.append(
            (
                row.row_number,
                raw_json,
                digest,
                planned,
                error_field,
                reason or "unreadable",
                raw_ref,
            )
        )
    return prepared


# -- a chunk's two halves ----------------------------------------------------------------
# Preparing a chunk happens in two steps, so that the ingest process does as little per
# row as it can. First its rows are prepared and the chunk's head goes to the batch: for
# each row its hash, its reference and, for a row that cannot be stored, its reason. The
# batch decides from the heads alone (duplicate, quarantine, store, supersedes) and gives
# the ids to start from. Then the rows are laid out with those ids, as each driver will
# take them (tuples for SQLite, COPY data for PostgreSQL), and the batch writes them.
# In worker processes both steps run beside the ingest process.

# (content hash, source reference or None, reason it cannot be stored or None, the rows it
# would store in each table of ROW_COUNTS or None) per row. The counts let the batch
# know the ids a chunk will take before it is laid out, so it can plan the next chunk
# while this one is laid out (see `Plan` and ingest_file).
HeadRow = tuple[Digest, str | None, str | None, tuple[int, ...] | None]
STORE, DUPLICATE, QUARANTINE, STILL_QUARANTINED = b"S"[0], b"D"[0], b"Q"[0], b"K"[0]
# The tables whose rows a stored record's RecordRows give, in the order of its counts.
ROW_COUNTS = (
    "record",
    "person_mention",
    "protected_characteristic",
    "location_mention",
    "vehicle_mention",
    "phone_mention",
    "event",
)
_COUNTS: dict[tuple[int, ...], tuple[int, ...]] = {}  # one tuple per shape: sent once per message


def row_counts(planned: RecordRows) -> tuple[int, ...]:
    """How many rows of each table in ROW_COUNTS a stored record writes."""
    counts = (
        1,
        len(planned[7]),
        len(planned[8]),
        len(planned[9]),
        len(planned[10]),
        len(planned[11]),
        0 if planned[12] is None else 1,
    )
    return _COUNTS.setdefault(counts, counts)


class Plan(NamedTuple):
    """What the batch decided for one chunk, and what it needs to lay its rows out."""

    codes: bytes  # one of STORE, DUPLICATE, QUARANTINE, STILL_QUARANTINED per row
    next_ids: dict[str, int]  # the next free id of each table
    supersedes: dict[int, int]  # row index -> the record this row corrects
    source_id: int
    batch_id: int
    file_name: str
    started: datetime


def head_of(prepared: list[Prepared]) -> list[HeadRow]:
    return [
        (p[2], p[3][0], None, row_counts(p[3])) if p[3] is not None else (p[2], None, p[5], None)
        for p in prepared
    ]


# A chunk's rows as the batch writes them: each table's (as its driver takes them), the
# next free id of each table after them, and what they write into each table (its check
# of references counts them: store/references.py).
ChunkOut = tuple[LaidOut, dict[str, int], dict[str, Written]]


def lay_out(prepared: list[Prepared], plan: Plan, dialect: str) -> ChunkOut:
    """The chunk's rows for every table with their ids (as its driver takes them), the
    next free id of each table after them, and what they write into each table."""
    rows = ChunkRows(dialect)
    ids = IdAllocator.starting_at(plan.next_ids)
    received_default = rows.values.datetime(plan.started)
    codes = plan.codes
    supersedes = plan.supersedes
    for index, item in enumerate(prepared):
        code = codes[index]
        if code == STORE:
            row_number, raw_json, digest, planned, _, _, _ = item
            assert planned is not None
            add_record(
                rows,
                ids,
                planned,
                source_id=plan.source_id,
                batch_id=plan.batch_id,
                content_hash=digest,
                raw_json=raw_json,
                received_default=received_default,
                supersedes_id=supersedes.get(index),
            )
        elif code == QUARANTINE:
            row_number, raw_json, digest, _, field_name, reason, raw_ref = item
            add_quarantine(
                rows,
                ids,
                source_id=plan.source_id,
                batch_id=plan.batch_id,
                file_name=plan.file_name,
                row_number=row_number,
                source_ref=raw_ref,
                field=field_name,
                reason=reason,
                content_hash=digest,
                raw=raw_json,
                created_at=plan.started,
            )
    # Plain str names (a Table's name is SQLAlchemy's str subclass): see _dumps.
    return rows.laid_out(), {str(name): n for name, n in ids.next.items()}, rows.written()


class PreparedChunk:
    """One chunk: its head now, its rows once the batch has decided.

    `start(plan)` hands the batch's plan over (a worker then lays the rows out while the
    batch goes on); `rows()` waits for them.
    """

    def __init__(self, head: list[HeadRow], full: bool, position: int):
        self.head = head
        self.full = full  # progress is reported after each full chunk
        self.position = position  # how far reading has got, in bytes

    def start(self, plan: Plan) -> None:
        raise NotImplementedError

    def rows(self) -> ChunkOut:
        raise NotImplementedError


class _LocalChunk(PreparedChunk):
    def __init__(self, prepared: list[Prepared], full: bool, position: int, dialect: str):
        super().__init__(head_of(prepared), full, position)
        self.prepared = prepared
        self.dialect = dialect
        self.plan: Plan | None = None

    def start(self, plan: Plan) -> None:
        self.plan = plan

    def rows(self) -> ChunkOut:
        assert self.plan is not None, "start the chunk with its plan first"
        return lay_out(self.prepared, self.plan, self.dialect)


class Chunks:
    """The prepared chunks of one file, in file order; `close` when done with them.

    `ahead`: how many chunks the batch may plan (`start`) before it takes the rows of the
    first of them. With W workers in turn it is W: a worker then lays out each chunk
    while the batch writes the W - 1 chunks before it and plans the next (W - 1 would
    leave it only the writing of W - 2, and the batch waiting for its rows).
    """

    ahead = 0

    def __iter__(self) -> Iterator[PreparedChunk]:
        raise NotImplementedError

    def finish(self) -> None:
        """After every chunk's rows were taken: check the file ended cleanly."""

    def close(self) -> None:
        """Stop any work still going on; safe to call more than once."""


def chunks(stream: RowStream, spec: FeedSpec, dialect: str) -> Chunks:
    """Prepare `stream`'s rows in chunks (`rows_per_chunk`): in worker processes for a large file.

    Workers start at once, so they read while the caller waits for the writers' lock.
    """
    started = _started_early(stream.path, spec, dialect)
    if started is not None:
        return started
    pool = _POOL
    alive = pool is not None and pool.alive()
    if stream.size < (WORKER_MIN_BYTES_WARM if alive else WORKER_MIN_BYTES):
        return _LocalChunks(stream, spec, dialect)
    return _WorkerChunks(stream.path, spec, dialect, _xlsx_workers(stream.path, spec))


def _xlsx_workers(path: Path, spec: FeedSpec) -> int | None:
    """Workers for a file: every one (None), but an XLSX workbook goes to one unless its
    sheets are small enough for every worker to load them into memory at once (each loads
    the whole sheet to prepare its share: together, no more than one worker may load)."""
    if spec.format != "xlsx":
        return None
    size = xlsx_sheets_bytes(path)
    shared = size is not None and size * WORKERS <= XLSX_CALAMINE_MAX_BYTES
    return None if shared else 1


def _chunked(
    stream: RowStream,
    spec: FeedSpec,
    values: Values,
    turn: int = 0,
    turns: int = 1,
    chunk_rows: int | None = None,
    between: Callable[[], None] | None = None,
) -> Iterator[tuple[list[Prepared], bool, int]]:
    """Every `turns`-th chunk from the `turn`-th on; the others are skipped (counted only).

    `between` is called after every PART_ROWS rows prepared (a worker answers the batch
    there, while it prepares its next chunk).
    """
    rows = stream.rows
    skipping = stream.skipping
    size = chunk_rows or CHUNK_ROWS  # a worker is told the ingest process's chunk size
    for index in itertools.count():
        mine = index % turns == turn
        skipping.on = not mine
        try:
            batch = list(itertools.islice(rows, size))
        finally:
            skipping.on = False
        if not batch:
            return
        full = len(batch) == size
        if mine:
            if between is None:
                prepared = prepare_rows(spec, values, batch)
            else:
                prepared = []
                for start in range(0, len(batch), PART_ROWS):
                    prepared += prepare_rows(spec, values, batch[start : start + PART_ROWS])
                    between()
            yield prepared, full, stream.position()
        if not full:
            return


class _LocalChunks(Chunks):
    def __init__(self, stream: RowStream, spec: FeedSpec, dialect: str):
        self.stream = stream
        self.spec = spec
        self.dialect = dialect

    def __iter__(self) -> Iterator[PreparedChunk]:
        for prepared, full, position in _chunked(
            self.stream, self.spec, Values(self.dialect), chunk_rows=rows_per_chunk(self.dialect)
        ):
            yield _LocalChunk(prepared, full, position, self.dialect)


# Worker processes for a large file: one per core (up to 4), beside the ingest process,
# which spends its time in the database driver. Each worker reads the whole file, skipping
# (counting, not building) the rows of chunks that are not its own, and prepares every
# WORKERS-th chunk (an XLSX file goes to one worker); taking the chunks from the
# workers in turn keeps file order, so ids and results are those of a one-process run.
WORKERS = max(1, min(4, os.cpu_count() or 2))
# Once the pool is running (an ingest of several files), a file of a chunk's size or more
# goes to it too: starting is what costs, not a job.
WORKER_MIN_BYTES_WARM = 64 << 10


class _Pool:
    """Worker processes that stay up between files, each waiting for its next job.

    A worker takes one job at a time from its own pipe and sends that job's chunks back on
    another, at most HELD_CHUNKS chunks ahead of the batch's plans, so memory stays flat.
    Workers die with the ingest process, even by SIGKILL (see `_die_with`); a job given up
    half-way (an error in the batch) stops the whole pool, and the next file starts anew.
    """

    def __init__(self, workers: int):
        context = multiprocessing.get_context("spawn")
        self.jobs: list[Any] = []
        self.results: list[Any] = []
        self.readers: list[_MessageReader] = []
        self.workers: list[Any] = []
        try:
            for turn in range(workers):
                job_receiver, job_sender = context.Pipe(duplex=False)
                result_receiver, result_sender = context.Pipe(duplex=False)
                _widen(result_receiver)
                worker = context.Process(
                    target=_worker_loop,
                    args=(job_receiver, result_sender, os.getpid()),
                    name=f"joinedup-ingest-{turn}",
                    daemon=True,
                )
                with _main_module_hidden():
                    worker.start()
                job_receiver.close()
                result_sender.close()  # the worker holds the only writing end: EOF if it dies
                self.jobs.append(job_sender)
                self.results.append(result_receiver)
                self.readers.append(_MessageReader(result_receiver))
                self.workers.append(worker)
        except BaseException:
            self.stop()
            raise

    def alive(self) -> bool:
        return all(w.is_alive() for w in self.workers)

    def stop(self) -> None:
        for reader in self.readers:
            reader.close()
        for pipe in self.jobs + self.results:
            pipe.close()
        for worker in self.workers:
            if worker.is_alive():
                worker.terminate()
            worker.join()


@contextmanager
def _main_module_hidden() -> Iterator[None]:
    """Start a worker without the ingest process's main module.

    A spawned process first runs the parent's `__main__` again (its file, or the module
    `python -m` ran), in case the target lives there. A worker's does not (it is
    `_worker_loop`, and everything it is sent is JoinedUp's or the standard library's),
    and for `joinedup ingest` that main module is the console script, which imports the
    whole CLI: about a second of CPU in each worker before it reads a row, under pytest
    all of pytest. multiprocessing takes the main module's name and path when the process
    starts (`spawn.get_preparation_data`), so they are hidden for just that moment.
    """
    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    saved = {key: main.__dict__[key] for key in ("__spec__", "__file__") if key in main.__dict__}
    main.__dict__["__spec__"] = None
    main.__dict__.pop("__file__", None)
    try:
        yield
    finally:
        main.__dict__.pop("__spec__", None)
        main.__dict__.update(saved)


_POOL: _Pool | None = None


def _pool() -> _Pool:
    global _POOL
    if _POOL is None or not _POOL.alive():
        if _POOL is not None:
            _POOL.stop()
        _POOL = _Pool(WORKERS)
    return _POOL


# The next file's chunks, given to the workers before its batch begins (`start_early`).
_EARLY: tuple[tuple[str, str, str], _WorkerChunks] | None = None


def start_early(path: Path, spec: FeedSpec, dialect: str) -> None:
    """Give the running workers the next file now, so that each starts on it as soon as it
    has done its share of the file before (while that batch writes its last chunks, closes
    and commits); `chunks` then takes them up. A file `chunks` would prepare in this
    process, or with no pool running, is left alone. A worker reads its plans and its next
    file from one pipe and keeps a job that comes before the last plan for later
    (`_Worker`); its results go back in order, the file before's first."""
    global _EARLY
    _drop_early()
    pool = _POOL
    if pool is None or not pool.alive() or path.stat().st_size < WORKER_MIN_BYTES_WARM:
        return
    started = _WorkerChunks(path, spec, dialect, _xlsx_workers(path, spec))  # as `chunks` does
    _EARLY = (_early_key(path, spec, dialect), started)


def _early_key(path: Path, spec: FeedSpec, dialect: str) -> tuple[str, str, str]:
    return (str(Path(path).resolve()), spec.model_dump_json(), dialect)


def _started_early(path: Path, spec: FeedSpec, dialect: str) -> _WorkerChunks | None:
    """The chunks `start_early` began for this very file, spec and dialect, or None (any
    other file's are given up: its workers are stopped mid-file)."""
    global _EARLY
    if _EARLY is None:
        return None
    key, started = _EARLY
    _EARLY = None
    same_pool = _POOL is not None and started.pool is _POOL and _POOL.alive()
    if key == _early_key(path, spec, dialect) and same_pool:
        return started
    started.close()
    return None


def _drop_early() -> None:
    global _EARLY
    if _EARLY is not None:
        _, started = _EARLY
        _EARLY = None
        started.close()


def stop_workers() -> None:
    """Stop the worker pool, if one is running (it also stops when the process ends)."""
    global _POOL, _EARLY
    _EARLY = None  # its workers go with the pool
    if _POOL is not None:
        _POOL.stop()
        _POOL = None


class _WorkerChunk(PreparedChunk):
    def __init__(self, owner: _WorkerChunks, turn: int, head: list[HeadRow], full: bool, pos: int):
        super().__init__(head, full, pos)
        self.owner = owner
        self.turn = turn

    def start(self, plan: Plan) -> None:
        try:
            self.owner.pool.jobs[self.turn].send(plan)
        except OSError:  # BrokenPipeError: the worker is gone; `rows` says so as receive would
            pass

    def rows(self) -> ChunkOut:
        early = self.owner.early_rows[self.turn]
        if early:  # read on the way to this worker's next head: see _WorkerChunks
            return early.popleft()  # type: ignore[no-any-return]
        kind, payload = self.owner.receive(self.turn)
        if kind != "rows":
            raise RuntimeError(f"{self.owner.path}: a worker sent {kind} instead of rows")
        return payload  # type: ignore[no-any-return]


class _WorkerChunks(Chunks):
    """One file's chunks, prepared by the pool's workers in turn."""

    def __init__(self, path: Path, spec: FeedSpec, dialect: str, workers: int | None = None):
        self.path = path
        self.pool = _pool()
        self.finished = False
        self.done_from: int | None = None  # the worker that said the file has ended
        self.turns = min(workers or len(self.pool.workers), len(self.pool.workers))
        self.ahead = self.turns
        # A worker sends a chunk's rows before the head of its next chunk, and the batch
        # asks for that head first (it plans `ahead` chunks before it writes the oldest):
        # rows read on the way to a head wait here, in order, until the batch takes them.
        self.early_rows: list[deque[Any]] = [deque() for _ in range(self.turns)]
        for turn in range(self.turns):
            self.pool.jobs[turn].send(
                (str(path), spec, dialect, turn, self.turns, rows_per_chunk(dialect), HELD_CHUNKS)
            )

    def receive(self, turn: int) -> tuple[str, Any]:
        try:
            kind, payload = self.pool.readers[turn].message()
        except (EOFError, OSError):
            raise RuntimeError(
                f"{self.path}: a worker process reading this file stopped unexpectedly"
                f" (exit code {self.pool.workers[turn].exitcode}); nothing was written"
            ) from None
        if kind == "error":
            raise _worker_error(*payload)
        return kind, payload

    def __iter__(self) -> Iterator[PreparedChunk]:
        workers = self.turns
        for index in itertools.count():
            turn = index % workers
            kind, payload = self.receive(turn)
            while kind == "rows":
                self.early_rows[turn].append(payload)
                kind, payload = self.receive(turn)
            if kind == "head":
                yield _WorkerChunk(self, turn, *payload)
            elif kind == "done":
                # Chunks go round the workers in turn, so the others are done too; their word
                # comes after the rows of chunks still being laid out: `close` collects it.
                self.done_from = turn
                return
            else:
                raise RuntimeError(f"{self.path}: a worker sent {kind} out of turn")

    def finish(self) -> None:
        if self.done_from is None:
            raise RuntimeError(f"{self.path}: finished before the workers reached the end")
        for other in range(self.turns):  # clear the pipes for the next file
            if other != self.done_from and self.receive(other)[0] != "done":
                raise RuntimeError(f"{self.path}: a worker sent rows after the end")
        self.finished = True

    def close(self) -> None:
        if not self.finished:  # given up half-way: workers may be mid-file
            self.finished = True
            stop_workers()


# The collector's thresholds while rows are prepared or written: the youngest generation
# collected after 50,000 new objects instead of 700, the older ones a fifth as often.
FEWER_COLLECTIONS = (50_000, 50, 100)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """The ingest process's collector at FEWER_COLLECTIONS while a batch runs, then as
    before. Each chunk's rows arrive as tens of thousands of tuples, inserted and freed at
    once, with no cycles among them; at the default thresholds the collector ran dozens
    of times a chunk, walking them (3% of the process's CPU instructions at 1M records:
    docs/benchmarks.md)."""
    before = gc.get_threshold()
    gc.set_threshold(*FEWER_COLLECTIONS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


# A worker's collector: the youngest generation collected after 500,000 new objects. A
# worker's young objects are the rows of the chunks it holds (up to HELD_CHUNKS + 1, each
# tens of thousands of tuples) and its normalisers' new cache entries; rows freed once laid
# out go by reference counting, and mapping makes no cycles. At FEWER_COLLECTIONS each
# collection walked the held chunks again, every value of every row (about 0.1 s each, 25
# a worker over the 1M city: 2.5 s of its 40); at this threshold one ran (0.44 s).
WORKER_COLLECTIONS = (500_000, 10, 100)


def _worker_loop(jobs: Any, results: Any, parent: int) -> None:
    """Worker process: take jobs until the pipe closes (`_Worker`)."""
    _die_with(parent)
    # Mapping makes many short-lived tuples and few cycles, while the normalisers' caches
    # hold many long-lived objects that every full collection would walk again: collect
    # less often, and never walk what was there at start (the imported code).
    gc.freeze()
    gc.set_threshold(*WORKER_COLLECTIONS)
    sender = _Sender(results)
    try:
        _Worker(jobs, sender).run()
    except (BrokenPipeError, EOFError, KeyboardInterrupt, OSError):
        pass  # the ingest process is gone or stopping: nobody to report to


# Chunks a worker may hold prepared beyond the one waiting for its plan, their heads not
# sent yet (a head goes only after the rows of the chunk before). Mid-file the batch keeps
# up and one is enough; at a file's end, while the batch writes its last chunks, checks
# its references and commits, the workers prepare this many of the next file's chunks
# instead of waiting. Each is a few MB to a few tens of MB (a chunk's rows as objects).
HELD_CHUNKS = 3
_DONE = ("done", None)  # held like a chunk: a file's end, told after its last rows


class _Worker:
    """One worker's jobs, a file each: per chunk it sends the head, then the rows once the
    batch's plan for it comes, then "done" at the end of the file.

    While a chunk waits for its plan the worker prepares the next ones (up to HELD_CHUNKS),
    looking for the plan every PART_ROWS rows, so it is neither idle nor late with the
    rows; it sends a chunk's head only after the rows of the chunk before (the order the
    ingest process reads). The next chunks may be the next file's: the batch sends the
    next file's job as it begins (`start_early`), and a job that comes before a file's last
    plan waits in `later`. So a worker done with its share of a file goes straight on to
    the next, and the file's last rows and "done" still go before the next file's first
    head.
    """

    def __init__(self, jobs: Any, results: _Sender):
        self.jobs = jobs
        self.results = results
        self.later: deque[Any] = deque()  # jobs that came before the last plan of a file
        self.waiting: tuple[list[Prepared], str] | None = None  # head sent, no plan yet
        # Prepared chunks (their rows, dialect and head) and files' ends, not told yet.
        self.held: deque[Any] = deque()
        self.broken = False  # laying a chunk out failed: that error is its answer

    def run(self) -> None:
        while True:
            try:
                self.prepare_file(*self.next_job())
            except EOFError:  # the ingest process has closed the pipe: finished with us
                self.results.close()
                return
            except (BrokenPipeError, KeyboardInterrupt):
                raise
            except BaseException as exc:  # noqa: BLE001 - every failure goes back to the ingest
                self.settle()
                try:
                    blob: bytes | None = pickle.dumps(exc)
                except Exception:  # noqa: BLE001 - an exception that cannot travel goes as text
                    blob = None
                self.results.send(("error", (blob, traceback.format_exc())))

    def settle(self) -> None:
        """Before a file's error goes: what the files before it still owe goes first (their
        last rows, "done"); this file's held chunks are dropped (the error stands in for
        them, or for the rows of its chunk waiting for a plan)."""
        if self.broken:  # the error is the answer to a chunk's plan: the batch stops there
            self.broken, self.waiting = False, None
            self.held.clear()
            return
        ends = [i for i, item in enumerate(self.held) if item is _DONE]
        while len(self.held) > (ends[-1] + 1 if ends else 0):
            self.held.pop()  # this file's chunks
        if not ends:  # a chunk waiting for its plan is this file's: given up
            self.waiting = None
        while self.held:  # an earlier file's: its chunk waiting for a plan, then "done"
            self.answer()

    def next_job(self) -> tuple[Any, ...]:
        """The next file's job; a plan that comes first is the waiting chunk's."""
        while not self.later:
            message = self.jobs.recv()
            if not isinstance(message, Plan):
                self.later.append(message)
            elif self.waiting is not None:
                self.answer(message)
            # else: the plan of a chunk given up when its file failed (`settle`)
        return self.later.popleft()  # type: ignore[no-any-return]

    def next_plan(self, wait: bool) -> Plan | None:
        while wait or self.jobs.poll():
            message = self.jobs.recv()
            if isinstance(message, Plan):
                return message
            self.later.append(message)  # a job for the next file
        return None

    def answer(self, plan: Plan | None = None) -> None:
        """Lay the waiting chunk out by its plan and send its rows, then what was held."""
        assert self.waiting is not None
        prepared, dialect = self.waiting
        if plan is None:
            plan = self.next_plan(wait=True)
        self.waiting = None
        try:
            rows = lay_out(prepared, plan, dialect)
        except BaseException:
            self.broken = True
            raise
        # Freed before the rows are serialised: a value only the rows hold then is held once,
        # and marshal writes such a value as it is, without a look-up in (and a place in)
        # its table of values met before (`_dumps`).
        del prepared
        self.results.send(("rows", rows))
        self.tell()

    def tell(self) -> None:
        """Send what was held, in order, up to the next chunk that must wait for its plan."""
        while self.held and self.waiting is None:
            item = self.held.popleft()
            if item is _DONE:
                self.results.send(_DONE)
            else:
                prepared, dialect, head = item
                self.results.send(("head", head))
                self.waiting = (prepared, dialect)

    def between(self) -> None:
        if self.waiting is not None and (plan := self.next_plan(wait=False)) is not None:
            self.answer(plan)

    def prepare_file(
        self,
        path: str,
        spec: FeedSpec,
        dialect: str,
        turn: int,
        turns: int,
        chunk_rows: int,
        most_held: int,
    ) -> None:
        """This worker's chunks of one file, held (up to `most_held`: the ingest process's
        HELD_CHUNKS) until each may be told."""
        stream = open_rows(path, spec)
        try:
            for prepared, full, position in _chunked(
                stream, spec, Values(dialect), turn, turns, chunk_rows, self.between
            ):
                self.held.append((prepared, dialect, (head_of(prepared), full, position)))
                del prepared  # held there only: freed once laid out (`answer`)
                self.tell()
                while sum(item is not _DONE for item in self.held) >= most_held:
                    self.answer()  # as many held as may be: wait for the plan
        finally:
            stream.close()
        self.held.append(_DONE)
        self.tell()


def _dumps(message: Any) -> bytes:
    """A worker's message as bytes. A chunk's rows are tuples of text, numbers and None (or
    COPY bytes), which marshal writes and reads 2-3x faster than pickle, the same values
    and types back; anything else it refuses (the portable path's datetimes) goes by
    pickle."""
    try:
        return marshal.dumps(message)
    except ValueError:
        return pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)


def _loads(data: bytes | memoryview) -> Any:
    # pickle's data starts with its PROTO opcode, 0x80, which no marshal type code is.
    return pickle.loads(data) if data[:1] == b"\x80" else marshal.loads(data)


# A worker's results, read as `Connection.recv_bytes` frames them (a 4-byte length, or -1
# and an 8-byte length) but into one buffer kept for the pipe (as large as the largest
# message yet: a chunk's rows). `recv_bytes` reads a message of several MB in pipe-sized
# pieces, each into a new bytes object the size of what is still to come, then joins
# them: for the 0.9 GB the 1M city's chunks come to, 0.4-2 CPU-s, most of it the
# kernel's (benchmarks/worker_pipe.py). Here each piece goes straight into the buffer,
# and the message is read from it in place.
_LENGTH, _LONG_LENGTH = struct.Struct("!i"), struct.Struct("!Q")
F_SETPIPE_SZ = 1031  # Linux's fcntl: a pipe's capacity
PIPE_BYTES = 1 << 20  # /proc/sys/fs/pipe-max-size's default: the most an unprivileged pipe may hold


def _widen(connection: Any) -> None:
    """Let a result pipe hold PIPE_BYTES instead of Linux's default 64 KB: fewer, larger
    reads and writes for a chunk's rows. Where that is refused (not Linux, a lower
    limit), the pipe stays as it is."""
    try:
        import fcntl

        fcntl.fcntl(connection.fileno(), F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, OSError):
        pass


_BUFFER_BYTES = 1 << 16  # a reader's buffer to begin with
# The most a reader keeps between messages: a chunk of the city's widest rows is a few MB;
# a buffer grown past this for one very large message is given back once it is read.
BUFFER_KEEP_BYTES = 32 << 20


class _MessageReader:
    """The messages a worker sends on one pipe, each read into the same buffer."""

    def __init__(self, connection: Any):
        self.file = open(connection.fileno(), "rb", buffering=0, closefd=False)  # noqa: SIM115
        self.buffer = bytearray(_BUFFER_BYTES)

    def message(self) -> Any:
        """The next message, as `_dumps` made it. EOFError if the pipe is closed before
        one begins, OSError if it ends inside one (as `recv_bytes`)."""
        size = self.receive()
        with memoryview(self.buffer) as view, view[:size] as data:
            message = _loads(data)  # new objects throughout: nothing refers to the buffer
        if len(self.buffer) > BUFFER_KEEP_BYTES:
            self.buffer = bytearray(_BUFFER_BYTES)
        return message

    def receive(self) -> int:
        """Read the next message's bytes into the buffer; how many there are."""
        size: int = _LENGTH.unpack(self._read(_LENGTH.size, first=True))[0]
        if size == -1:
            size = _LONG_LENGTH.unpack(self._read(_LONG_LENGTH.size))[0]
        if size > len(self.buffer):
            self.buffer = bytearray(size + (size >> 3))
        with memoryview(self.buffer) as view, view[:size] as data:
            self._fill(data)
        return size

    def _read(self, size: int, first: bool = False) -> bytearray:
        data = bytearray(size)
        with memoryview(data) as view:
            self._fill(view, first)
        return data

    def _fill(self, view: memoryview, first: bool = False) -> None:
        got, size = 0, len(view)
        while got < size:
            n = self.file.readinto(view[got:])
            if not n:
                if first and got == 0:
                    raise EOFError
                raise OSError("got end of file during message")
            got += n

    def close(self) -> None:
        self.file.close()


class _Sender:
    """A worker's result pipe, written by a thread of its own.

    A chunk's rows are a megabyte or more, far more than a pipe holds, and the ingest
    process reads them only when it comes to that chunk; a worker writing them itself
    would wait that long, idle. Here the worker serialises a message and goes on; the thread
    writes the messages in order (the write waits without the GIL).
    """

    def __init__(self, pipe: Any):
        self.pipe = pipe
        self.queue: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._run, name="joinedup-send", daemon=True)
        self.thread.start()

    def send(self, message: Any) -> None:
        if not self.thread.is_alive():
            raise BrokenPipeError("the ingest process stopped reading")
        self.queue.put(_dumps(message))

    def _run(self) -> None:
        while (data := self.queue.get()) is not None:
            try:
                self.pipe.send_bytes(data)
            except OSError:
                return  # the ingest process is gone: nobody to write to

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()


def _die_with(parent: int) -> None:
    """Ask Linux to kill this worker when the ingest process dies, even by SIGKILL."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - not Linux
        pass  # the worker then stops at its next send, on the closed pipe
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _worker_error(blob: bytes | None, text: str) -> BaseException:
    exc: BaseException | None = None
    if blob is not None:
        try:
            exc = pickle.loads(blob)
        except Exception:  # noqa: BLE001 - fall back to the text below
            exc = None
    if exc is None:
        return RuntimeError(f"reading the file failed in the worker process:\n{text}")
    exc.add_note(f"(raised in the ingest worker process)\n{text}")
    return exc
