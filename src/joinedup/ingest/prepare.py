"""Everything done to a row before the database sees it: hash, map, and lay out as rows.

This is pure work (it reads only the file and the spec), so for a large file it runs in
worker processes while the batch decides duplicates and writes; see `chunks`. Rows
travel as plain tuples, which cross processes cheaply where dataclasses do not.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import multiprocessing
import os
import pickle
import signal
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from joinedup.feeds.spec import FeedSpec
from joinedup.ingest.layout import RecordRows, Values, mapped_rows
from joinedup.ingest.mapper import RowError
from joinedup.ingest.readers import RowStream, SourceRow, open_rows

CHUNK_ROWS = 2000
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


# -- preparing a file's rows, in chunks -------------------------------------------------

# (row_number, raw_json, content_hash, rows to store or None, error field, error reason,
#  the row's own reference as written): plain tuples, cheap to send between processes.
Prepared = tuple[int, str, str, RecordRows | None, str | None, str, str | None]


def prepare_rows(spec: FeedSpec, values: Values, rows: list[SourceRow]) -> list[Prepared]:
    """Hash and map each row; a row that cannot be stored carries its reason instead."""
    prepared: list[Prepared] = []
    ref = spec.record.source_ref
    ref_column = ref.column if ref is not None else None
    for row in rows:
        fields = row.fields
        raw_json = canonical_json(fields) if fields is not None else (row.raw_text or "")
        digest = hashlib.sha256(raw_json.encode("utf-8", "surrogatepass")).hexdigest()
        planned: RecordRows | None = None
        error_field, reason = None, row.error
        if fields is not None:
            try:
                planned = mapped_rows(spec, fields, row.row_number, values)
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


# A chunk of prepared rows, whether the chunk was a full one (progress is reported after
# each full chunk) and how far through the file reading has got, in bytes.
Chunk = tuple[list[Prepared], bool, int]


class Chunks:
    """The prepared chunks of one file, in file order; `close` when done with them."""

    def __iter__(self) -> Iterator[Chunk]:
        raise NotImplementedError

    def close(self) -> None:
        """Stop any work still going on; safe to call more than once."""


def chunks(stream: RowStream, spec: FeedSpec, dialect: str) -> Chunks:
    """Prepare `stream`'s rows in chunks of CHUNK_ROWS: in worker processes for a large file.

    Workers start at once, so they read while the caller waits for the writers' lock.
    """
    pool = _POOL
    alive = pool is not None and pool.alive()
    if stream.size < (WORKER_MIN_BYTES_WARM if alive else WORKER_MIN_BYTES):
        return _LocalChunks(stream, spec, dialect)
    return _WorkerChunks(stream.path, spec, dialect)


def _chunked(
    stream: RowStream, spec: FeedSpec, values: Values, turn: int = 0, turns: int = 1
) -> Iterator[Chunk]:
    """Every `turns`-th chunk from the `turn`-th on; the others are read but not prepared."""
    rows: list[SourceRow] = []
    index = 0
    for row in stream.rows:
        rows.append(row)
        if len(rows) >= CHUNK_ROWS:
            if index % turns == turn:
                yield prepare_rows(spec, values, rows), True, stream.position()
            rows = []
            index += 1
    if rows and index % turns == turn:
        yield prepare_rows(spec, values, rows), False, stream.position()


class _LocalChunks(Chunks):
    def __init__(self, stream: RowStream, spec: FeedSpec, dialect: str):
        self.stream = stream
        self.spec = spec
        self.values = Values(dialect)

    def __iter__(self) -> Iterator[Chunk]:
        return _chunked(self.stream, self.spec, self.values)


# Worker processes for a large file: one per core (up to 4), beside the ingest process,
# which spends its time in the database driver. Each worker reads the whole file, which is
# cheap next to mapping it, and prepares every WORKERS-th chunk; taking the chunks from the
# workers in turn keeps file order, so ids and results are those of a one-process run.
WORKERS = max(1, min(4, os.cpu_count() or 2))
# Once the pool is running (an ingest of several files), a file of a chunk's size or more
# goes to it too: starting is what costs, not a job.
WORKER_MIN_BYTES_WARM = 64 << 10


class _Pool:
    """Worker processes that stay up between files, each waiting for its next job.

    A worker takes one job at a time from its own pipe and sends that job's chunks back on
    another, each at most one chunk ahead of the ingest process, so memory stays flat.
    Workers die with the ingest process, even by SIGKILL (see `_die_with`); a job given up
    half-way (an error in the batch) stops the whole pool, and the next file starts anew.
    """

    def __init__(self, workers: int):
        context = multiprocessing.get_context("spawn")
        self.jobs: list[Any] = []
        self.results: list[Any] = []
        self.workers: list[Any] = []
        try:
            for turn in range(workers):
                job_receiver, job_sender = context.Pipe(duplex=False)
                result_receiver, result_sender = context.Pipe(duplex=False)
                worker = context.Process(
                    target=_worker_loop,
                    args=(job_receiver, result_sender, os.getpid()),
                    name=f"joinedup-ingest-{turn}",
                    daemon=True,
                )
                worker.start()
                job_receiver.close()
                result_sender.close()  # the worker holds the only writing end: EOF if it dies
                self.jobs.append(job_sender)
                self.results.append(result_receiver)
                self.workers.append(worker)
        except BaseException:
            self.stop()
            raise

    def alive(self) -> bool:
        return all(w.is_alive() for w in self.workers)

    def stop(self) -> None:
        for pipe in self.jobs + self.results:
            pipe.close()
        for worker in self.workers:
            if worker.is_alive():
                worker.terminate()
            worker.join()


_POOL: _Pool | None = None


def _pool() -> _Pool:
    global _POOL
    if _POOL is None or not _POOL.alive():
        if _POOL is not None:
            _POOL.stop()
        _POOL = _Pool(WORKERS)
    return _POOL


def stop_workers() -> None:
    """Stop the worker pool, if one is running (it also stops when the process ends)."""
    global _POOL
    if _POOL is not None:
        _POOL.stop()
        _POOL = None


class _WorkerChunks(Chunks):
    """One file's chunks, prepared by the pool's workers in turn."""

    def __init__(self, path: Path, spec: FeedSpec, dialect: str):
        self.path = path
        self.pool = _pool()
        self.finished = False
        turns = len(self.pool.workers)
        for turn, jobs in enumerate(self.pool.jobs):
            jobs.send((str(path), spec, dialect, turn, turns))

    def __iter__(self) -> Iterator[Chunk]:
        pool = self.pool
        done = 0
        for index in itertools.count():
            turn = index % len(pool.workers)
            try:
                kind, payload = pool.results[turn].recv()
            except (EOFError, OSError):
                raise RuntimeError(
                    f"{self.path}: a worker process reading this file stopped unexpectedly"
                    f" (exit code {pool.workers[turn].exitcode}); nothing was written"
                ) from None
            if kind == "chunk":
                yield payload
            elif kind == "done":
                # The other workers have sent everything too (their turns came first or they
                # had no chunk left): collect their "done" so the pipes are clear.
                done += 1
                for other in range(len(pool.workers)):
                    if other != turn:
                        kind, payload = pool.results[other].recv()
                        if kind == "error":
                            raise _worker_error(*payload)
                        if kind != "done":
                            raise RuntimeError(f"{self.path}: a worker sent {kind} after the end")
                self.finished = True
                return
            else:
                raise _worker_error(*payload)

    def close(self) -> None:
        if not self.finished:  # given up half-way: workers may be mid-file
            self.finished = True
            stop_workers()


def _worker_loop(jobs: Any, results: Any, parent: int) -> None:
    """Worker process: take jobs until the pipe closes; send each job's chunks, then done."""
    _die_with(parent)
    try:
        while True:
            try:
                path, spec, dialect, turn, turns = jobs.recv()
            except EOFError:
                return  # the ingest process has finished with us
            try:
                stream = open_rows(path, spec)
                try:
                    for chunk in _chunked(stream, spec, Values(dialect), turn, turns):
                        results.send(("chunk", chunk))
                finally:
                    stream.close()
                results.send(("done", None))
            except (BrokenPipeError, KeyboardInterrupt):
                raise
            except BaseException as exc:  # noqa: BLE001 - every failure goes back to the ingest
                try:
                    blob: bytes | None = pickle.dumps(exc)
                except Exception:  # noqa: BLE001 - an exception that cannot travel goes as text
                    blob = None
                results.send(("error", (blob, traceback.format_exc())))
    except (BrokenPipeError, KeyboardInterrupt, OSError):
        pass  # the ingest process is gone or stopping: nobody to report to


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
