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
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from joinedup.feeds.spec import FeedSpec
from joinedup.ingest.mapper import RowError, as_datetime, map_row
from joinedup.ingest.readers import RowStream, SourceRow, open_rows
from joinedup.pole import MappedRecord, ParsedDate

CHUNK_ROWS = 2000
# Smaller files are prepared in the ingest process: a worker takes about half a second
# to start (importing the mapper), about what preparing a 1 MB file takes.
WORKER_MIN_BYTES = 1 << 20

Row = tuple[Any, ...]
# (source_ref, row_number, received_at, event_type, grading x3, persons, protected,
#  locations, vehicles, phones, event): see record_rows.
RecordRows = tuple[Any, ...]
NO_SPAN: Row = (False, None, None, None)  # extracted, text_field, span_start, span_end


# One encoder for every row: json.dumps with these options builds a new one per call.
_CANONICAL = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
)


def canonical_json(fields: dict[str, Any]) -> str:
    """The row's fields as JSON with sorted keys: what its content hash is taken of."""
    return _CANONICAL.encode(fields)


# -- values as each driver wants them ----------------------------------------------------
# The same text SQLAlchemy's own bind processors produce, without a call through them
# per value: SQLite keeps dates as ISO text and JSON as json.dumps text; psycopg takes
# dates as they are. JSON None is the JSON value null (SQLAlchemy's none_as_null=False).


def _sqlite_datetime(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(" ", "microseconds")


def _sqlite_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _same(value: Any) -> Any:
    return value


def _json(value: Any) -> str:
    return "null" if value is None else json.dumps(value)


class Values:
    """Converters for date, date-time and JSON columns on one dialect.

    Any other dialect keeps Python values, for the writer's portable SQLAlchemy path.
    """

    def __init__(self, dialect_name: str):
        self.json: Callable[[Any], Any] = _same
        self.datetime: Callable[[datetime | None], Any] = _same
        self.date: Callable[[date | None], Any] = _same
        if dialect_name in ("sqlite", "postgresql"):
            self.json = _json
        if dialect_name == "sqlite":
            self.datetime = _sqlite_datetime
            self.date = _sqlite_date


def _date_parts(value: ParsedDate | None) -> tuple[datetime | None, str | None]:
    if value is None or value.value is None:
        return None, None
    return as_datetime(value.value), value.precision.value if value.precision else None


def _span(span: Any) -> Row:
    if span is None:
        return NO_SPAN
    return (True, span.field, span.start, span.end)


def record_rows(mapped: MappedRecord, values: Values) -> RecordRows:
    """Everything a mapped record will store, as plain tuples with no ids yet.

    Made wherever the row was mapped (possibly another process: tuples travel cheaply
    where dataclasses do not); `add_record` then gives the ids. Each mention tuple is
    its table row after (id, record_id); where a row names its person mention (or the
    event its location) it holds that mention's index in the record for now.
    """
    as_json = values.json
    as_date = values.date
    as_datetime_value = values.datetime
    person_index: dict[str, int] = {}
    persons: list[Row] = []
    protected: list[Row] = []
    for i, p in enumerate(mapped.persons):
        person_index[p.slot] = i
        dob, dob_precision = _date_parts(p.dob)
        ident = p.identifiers
        age = p.raw.get("age")
        persons.append(
            (
                p.slot,
                p.role,
                p.raw_name,
                p.forename,
                p.middle_names,
                p.surname,
                p.nickname,
                as_date(dob.date() if dob else None),
                dob_precision,
                p.dob.raw if p.dob else None,
                int(age) if age and age.isdigit() and len(age) < 4 else None,
                p.sex,
                p.address,
                p.postcode,
                ident.get("nhs_number"),
                ident.get("pnc_id"),
                ident.get("child_ref"),
                ident.get("upn"),
                ident.get("local_id"),
                ident.get("licence_no"),
                as_json(p.attributes or None),
                as_json(p.raw or None),
            )
            + _span(p.span)
        )
        for kind, value in p.protected.items():
            protected.append((i, kind, value))
    location_index: dict[str, int] = {}
    locations: list[Row] = []
    for i, loc in enumerate(mapped.locations):
        location_index[loc.slot] = i
        owner = loc.slot.rsplit(".", 1)[0] if loc.slot.endswith(".address") else None
        locations.append(
            (
                loc.slot,
                loc.role,
                loc.raw,
                loc.name,
                loc.address,
                loc.postcode,
                loc.property_ref,
                loc.place_type,
                loc.lat,
                loc.lon,
                person_index.get(owner) if owner else None,
            )
            + _span(loc.span)
        )
    vehicles = [
        (
            v.slot,
            v.role,
            v.raw,
            v.vrm,
            v.pattern,
            v.plate_format,
            v.make,
            v.model,
            v.colour,
            person_index.get(v.person_slot) if v.person_slot else None,
        )
        + _span(v.span)
        for v in mapped.vehicles
    ]
    phones = [
        (
            ph.slot,
            ph.role,
            ph.raw,
            ph.e164,
            ph.valid,
            person_index.get(ph.person_slot) if ph.person_slot else None,
        )
        + _span(ph.span)
        for ph in mapped.phones
    ]
    received, _ = _date_parts(mapped.received_at)
    grading = mapped.grading
    ev = mapped.event
    event: Row | None = None
    if ev is not None:
        start, start_precision = _date_parts(ev.start)
        end, end_precision = _date_parts(ev.end)
        event = (
            ev.event_type,
            as_datetime_value(start),
            start_precision,
            as_datetime_value(end),
            end_precision,
            location_index.get(ev.location_slot) if ev.location_slot else None,
            ev.description,
            as_json(ev.attributes or None),
        )
    return (
        mapped.source_ref,
        mapped.row_number,
        as_datetime_value(received),
        ev.event_type if ev else None,
        grading.source if grading else None,
        grading.intelligence if grading else None,
        grading.handling if grading else None,
        tuple(persons),
        tuple(protected),
        tuple(locations),
        tuple(vehicles),
        tuple(phones),
        event,
    )


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
                planned = record_rows(map_row(spec, fields, row.row_number), values)
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
    if stream.size < WORKER_MIN_BYTES:
        return _LocalChunks(stream, spec, dialect)
    return _WorkerChunks(stream.path, spec, dialect, WORKERS)


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


# Worker processes for a large file: with the ingest process itself, one per core (up to
# 4). Each reads the whole file, which is cheap next to mapping it, and prepares every
# WORKERS-th chunk; taking the chunks from the workers in turn keeps file order.
WORKERS = max(1, min(4, (os.cpu_count() or 2) - 1))


class _WorkerChunks(Chunks):
    """Chunks prepared by worker processes, each one chunk ahead of the caller.

    A pipe holds at most the chunk in transit, so memory stays flat: a worker waits
    until the caller takes its chunk. Workers die with the caller's process, even by
    SIGKILL (see `_die_with`), and `close` stops them if the batch ends early.
    """

    def __init__(self, path: Path, spec: FeedSpec, dialect: str, workers: int):
        self.path = path
        context = multiprocessing.get_context("spawn")
        self.receivers: list[Any] = []
        self.workers: list[Any] = []
        try:
            for turn in range(workers):
                receiver, sender = context.Pipe(duplex=False)
                self.receivers.append(receiver)
                worker = context.Process(
                    target=_prepare_in_worker,
                    args=(sender, os.getpid(), str(path), spec, dialect, turn, workers),
                    name=f"joinedup-ingest-{turn} {path.name}",
                    daemon=True,
                )
                worker.start()
                self.workers.append(worker)
                sender.close()  # the worker holds the only writing end: EOF means it is gone
        except BaseException:
            self.close()
            raise

    def __iter__(self) -> Iterator[Chunk]:
        for index in itertools.count():
            turn = index % len(self.workers)
            try:
                kind, payload = self.receivers[turn].recv()
            except EOFError:
                raise RuntimeError(
                    f"{self.path}: a worker process reading this file stopped unexpectedly"
                    f" (exit code {self.workers[turn].exitcode}); nothing was written"
                ) from None
            if kind == "chunk":
                yield payload
            elif kind == "done":
                return
            else:
                raise _worker_error(*payload)

    def close(self) -> None:
        for receiver in self.receivers:
            receiver.close()
        for worker in self.workers:
            if worker.is_alive():
                worker.terminate()
            worker.join()


def _prepare_in_worker(
    sender: Any, parent: int, path: str, spec: FeedSpec, dialect: str, turn: int, turns: int
) -> None:
    """Worker process: prepare this worker's chunks of the file and send each when done."""
    _die_with(parent)
    try:
        stream = open_rows(path, spec)
        try:
            for chunk in _chunked(stream, spec, Values(dialect), turn, turns):
                sender.send(("chunk", chunk))
        finally:
            stream.close()
        sender.send(("done", None))
    except (BrokenPipeError, KeyboardInterrupt):
        pass  # the ingest process is gone or stopping: nobody to report to
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the ingest
        try:
            blob: bytes | None = pickle.dumps(exc)
        except Exception:  # noqa: BLE001 - an exception that cannot travel goes as text
            blob = None
        sender.send(("error", (blob, traceback.format_exc())))


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
