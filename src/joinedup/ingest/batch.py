"""One file in, one batch out: every row stored, recognised as a duplicate, or quarantined.

The batch is one transaction under the writers' lock, so a crash leaves nothing half
written and re-running the same command ends as one uninterrupted run would.
Counts always reconcile: read = stored + duplicates + quarantined.

Reading, hashing and mapping rows is pure work; for a large file it runs in a worker
process, a chunk ahead, while this process decides duplicates and writes. The database
transaction lives only here, so killing either process leaves no half batch.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import pickle
import signal
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    Engine,
    String,
    any_,
    bindparam,
    func,
    insert,
    literal_column,
    select,
    update,
)

from joinedup.feeds.loader import get_spec, spec_hash, spec_json
from joinedup.feeds.spec import FeedSpec
from joinedup.ingest.mapper import RowError, map_row
from joinedup.ingest.readers import FileRefused, RowStream, SourceRow, open_rows
from joinedup.ingest.writer import (
    ChunkRows,
    IdAllocator,
    RecordRows,
    Values,
    add_record,
    canonical_json,
    record_rows,
)
from joinedup.store import tables as t
from joinedup.store import write_transaction

CHUNK_ROWS = 2000
# Smaller files are mapped in this process: starting a worker costs about half a second.
WORKER_MIN_BYTES = 4 << 20
log = logging.getLogger("joinedup.ingest")
Progress = Callable[[int, int, int], None]  # bytes done, bytes total, rows read


@dataclass
class BatchResult:
    file: str
    spec: str
    batch_id: int | None = None
    read: int = 0
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    superseding: int = 0  # stored rows that correct an earlier record with the same ref
    quarantine_fixed: int = 0  # earlier quarantined rows now stored, fixed
    quarantine_reasons: dict[str, int] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {
            "read": self.read,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "quarantined": self.quarantined,
        }

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _ensure_source(conn: Connection, spec: FeedSpec) -> int:
    found = conn.execute(select(t.source.c.id).where(t.source.c.code == spec.source.code)).scalar()
    if found is not None:
        return int(found)
    return int(
        conn.execute(
            insert(t.source)
            .values(code=spec.source.code, name=spec.source.name, agency=spec.source.agency)
            .returning(t.source.c.id)
        ).scalar_one()
    )


def _ensure_spec(conn: Connection, spec: FeedSpec, source_id: int) -> int:
    digest = spec_hash(spec)
    found = conn.execute(
        select(t.feed_spec.c.id).where(
            t.feed_spec.c.name == spec.name, t.feed_spec.c.spec_hash == digest
        )
    ).scalar()
    if found is not None:
        return int(found)
    return int(
        conn.execute(
            insert(t.feed_spec)
            .values(
                name=spec.name,
                version=spec.version,
                spec_hash=digest,
                spec_json=spec_json(spec),
                source_id=source_id,
            )
            .returning(t.feed_spec.c.id)
        ).scalar_one()
    )


# -- preparing rows: pure work, done here or in a worker process -------------------------

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


def _chunks(stream: RowStream, spec: FeedSpec, values: Values) -> Iterator[Chunk]:
    chunk: list[SourceRow] = []
    for row in stream.rows:
        chunk.append(row)
        if len(chunk) >= CHUNK_ROWS:
            yield prepare_rows(spec, values, chunk), True, stream.position()
            chunk = []
    if chunk:
        yield prepare_rows(spec, values, chunk), False, stream.position()


class _WorkerChunks:
    """`_chunks` of a file, computed in a worker process one chunk ahead of the reader.

    The pipe holds at most the chunk in transit, so memory stays flat: the worker waits
    until this process takes each chunk. The worker dies with this process (see
    `_prepare_in_worker`) and `close` stops it if the batch ends early.
    """

    def __init__(self, path: Path, spec: FeedSpec, values_for: str):
        self.path = path
        context = multiprocessing.get_context("spawn")
        self.receiver, sender = context.Pipe(duplex=False)
        self.worker = context.Process(
            target=_prepare_in_worker,
            args=(sender, os.getpid(), str(path), spec, values_for),
            name=f"joinedup-ingest {path.name}",
            daemon=True,
        )
        self.worker.start()
        sender.close()  # the worker holds the only writing end: EOF here means it is gone

    def __iter__(self) -> Iterator[Chunk]:
        while True:
            try:
                kind, payload = self.receiver.recv()
            except EOFError:
                raise RuntimeError(
                    f"{self.path}: the worker process reading this file stopped unexpectedly"
                    f" (exit code {self.worker.exitcode}); nothing was written"
                ) from None
            if kind == "chunk":
                yield payload
            elif kind == "done":
                return
            else:
                raise _worker_error(*payload)

    def close(self) -> None:
        self.receiver.close()
        if self.worker.is_alive():
            self.worker.terminate()
        self.worker.join()


class _LocalChunks:
    """`_chunks` of an open file, computed in this process."""

    def __init__(self, stream: RowStream, spec: FeedSpec, values_for: str):
        self.stream = stream
        self.spec = spec
        self.values = Values(values_for)

    def __iter__(self) -> Iterator[Chunk]:
        return _chunks(self.stream, self.spec, self.values)

    def close(self) -> None:
        pass  # the caller closes the stream


def _prepare_in_worker(
    sender: Any, parent: int, path: str, spec: FeedSpec, values_for: str
) -> None:
    """Worker process: read, hash and map the file's rows, sending each chunk as it is done."""
    _die_with(parent)
    try:
        stream = open_rows(path, spec)
        try:
            for chunk in _chunks(stream, spec, Values(values_for)):
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
    except (OSError, AttributeError):
        pass  # elsewhere the worker stops at its next send, on the closed pipe
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


# -- the batch ---------------------------------------------------------------------------


def _one_of(column: Any, values: list[str], dialect: str) -> ColumnElement[bool]:
    """`column IN values` as one bound parameter, so a chunk's query is compiled once."""
    if dialect == "sqlite":
        listed = select(literal_column("value")).select_from(
            func.json_each(bindparam("values", json.dumps(values)))
        )
        return column.in_(listed.scalar_subquery())
    if dialect == "postgresql":
        return column == any_(bindparam("values", values, type_=ARRAY(String)))
    return column.in_(values)


class _BatchRun:
    """The state of one batch while its rows stream through."""

    def __init__(self, conn: Connection, spec: FeedSpec, path: Path, result: BatchResult):
        self.conn = conn
        self.dialect = conn.dialect.name
        self.spec = spec
        self.path = path
        self.result = result
        self.started = utcnow()
        self.source_id = _ensure_source(conn, spec)
        self.spec_id = _ensure_spec(conn, spec, self.source_id)
        self.ids = IdAllocator(conn)
        self.rows = ChunkRows(self.dialect)
        self.received_default = self.rows.values.datetime(self.started)
        self.batch_id = 0

    def open_batch(self, file_hash: str, actor: str) -> None:
        self.batch_id = int(
            self.conn.execute(
                insert(t.ingest_batch)
                .values(
                    source_id=self.source_id,
                    feed_spec_id=self.spec_id,
                    file_name=str(self.path),
                    file_hash=file_hash,
                    file_size=self.path.stat().st_size,
                    started_at=self.started,
                    ingested_by=actor,
                    rows_read=0,
                    rows_stored=0,
                    rows_duplicate=0,
                    rows_quarantined=0,
                )
                .returning(t.ingest_batch.c.id)
            ).scalar_one()
        )
        self.result.batch_id = self.batch_id

    def _known(self, table: Any, hashes: list[str]) -> set[str]:
        return set(
            self.conn.execute(
                select(table.c.content_hash).where(
                    table.c.source_id == self.source_id,
                    _one_of(table.c.content_hash, hashes, self.dialect),
                )
            ).scalars()
        )

    def process(self, prepared: list[Prepared]) -> None:
        result = self.result
        hashes = list({p[2] for p in prepared})
        known = self._known(t.record, hashes)
        known_bad = self._known(t.quarantine, hashes)
        rows = self.rows
        to_store: list[Prepared] = []
        for item in prepared:
            result.read += 1
            digest = item[2]
            if digest in known:
                result.duplicates += 1
                continue
            if digest in known_bad:
                result.quarantined += 1  # still unfixed; already in quarantine once
                continue
            if item[3] is None:
                self._quarantine(rows, item)
                known_bad.add(digest)
                continue
            known.add(digest)
            to_store.append(item)
        latest_by_ref: dict[str, int] = {}
        refs = list({p[3][0] for p in to_store if p[3] is not None and p[3][0]})
        if refs:
            for ref, last_id in self.conn.execute(
                select(t.record.c.source_ref, func.max(t.record.c.id))
                .where(
                    t.record.c.source_id == self.source_id,
                    _one_of(t.record.c.source_ref, refs, self.dialect),
                )
                .group_by(t.record.c.source_ref)
            ):
                latest_by_ref[ref] = int(last_id)
        for _, raw_json, digest, planned, _, _, _ in to_store:
            assert planned is not None
            source_ref = planned[0]
            supersedes = latest_by_ref.get(source_ref) if source_ref else None
            record_id = add_record(
                rows,
                self.ids,
                planned,
                source_id=self.source_id,
                batch_id=self.batch_id,
                content_hash=digest,
                raw_json=raw_json,
                received_default=self.received_default,
                supersedes_id=supersedes,
            )
            if source_ref:
                latest_by_ref[source_ref] = record_id
            result.stored += 1
            result.superseding += supersedes is not None
        rows.insert(self.conn)

    def _quarantine(self, rows: ChunkRows, item: Prepared) -> None:
        row_number, raw_json, digest, _, field_name, reason, raw_ref = item
        self.result.quarantined += 1
        key = reason.split(":")[0][:80]
        self.result.quarantine_reasons[key] = self.result.quarantine_reasons.get(key, 0) + 1
        rows.add(
            t.quarantine,
            {
                "id": self.ids.take(t.quarantine),
                "source_id": self.source_id,
                "batch_id": self.batch_id,
                "file_name": str(self.path),
                "row_number": row_number,
                "source_ref": raw_ref,
                "field": field_name,
                "reason": reason,
                "content_hash": digest,
                "raw": raw_json,
                "created_at": self.started,
            },
        )

    def resolve_fixed_quarantine(self) -> int:
        """Rows quarantined earlier whose reference has now been stored are marked fixed."""
        stored_refs = (
            select(t.record.c.source_ref)
            .where(t.record.c.batch_id == self.batch_id, t.record.c.source_ref.is_not(None))
            .scalar_subquery()
        )
        res = self.conn.execute(
            update(t.quarantine)
            .where(
                t.quarantine.c.source_id == self.source_id,
                t.quarantine.c.resolved_at.is_(None),
                t.quarantine.c.source_ref.in_(stored_refs),
            )
            .values(
                resolved_at=utcnow(), resolution=f"re-submitted and stored in batch {self.batch_id}"
            )
        )
        return int(res.rowcount or 0)

    def close_batch(self) -> None:
        r = self.result
        assert r.read == r.stored + r.duplicates + r.quarantined, "counts must reconcile"
        self.conn.execute(
            update(t.ingest_batch)
            .where(t.ingest_batch.c.id == self.batch_id)
            .values(
                finished_at=utcnow(),
                rows_read=r.read,
                rows_stored=r.stored,
                rows_duplicate=r.duplicates,
                rows_quarantined=r.quarantined,
            )
        )
        self.ids.sync_sequences()


def ingest_file(
    engine: Engine,
    path: str | Path,
    spec: FeedSpec | str,
    *,
    actor: str,
    purpose: str | None = None,
    progress: Progress | None = None,
) -> BatchResult:
    """Ingest one file as one batch. Raises FileRefused (nothing written) if unreadable."""
    from joinedup.access import audit  # the audit writer lives with access control
    from joinedup.pole import AuditCategory

    spec = get_spec(spec) if isinstance(spec, str) else spec
    p = Path(path)
    stream = open_rows(p, spec)  # header problems surface here, before any write
    result = BatchResult(file=str(p), spec=spec.name)
    chunks: _WorkerChunks | _LocalChunks | None = None
    try:
        # Started before the lock is taken, so the worker reads while this process waits.
        if stream.size >= WORKER_MIN_BYTES:
            chunks = _WorkerChunks(p, spec, engine.dialect.name)
        else:
            chunks = _LocalChunks(stream, spec, engine.dialect.name)
        file_hash = file_sha256(p)
        with write_transaction(engine, lock="ingest") as conn:
            run = _BatchRun(conn, spec, p, result)
            run.open_batch(file_hash, actor)
            for prepared, full, position in chunks:
                run.process(prepared)
                if full:
                    log.info("%s: %d rows read", p.name, result.read)
                    if progress:
                        progress(position, stream.size, result.read)
            run.close_batch()
            result.quarantine_fixed = run.resolve_fixed_quarantine()
            audit.record(
                conn,
                actor=actor,
                category=AuditCategory.collection,
                action="ingest",
                object_type="ingest_batch",
                object_id=str(run.batch_id),
                purpose=purpose,
                detail={
                    "file": p.name,
                    "spec": spec.name,
                    "file_sha256": file_hash,
                    **result.counts(),
                },
            )
            if progress:
                progress(stream.size, stream.size, result.read)
    finally:
        if chunks is not None:
            chunks.close()  # a worker still running is stopped
        stream.close()
    return result


@dataclass(frozen=True)
class PlannedFile:
    path: Path
    spec: str


def plan_paths(paths: Iterable[str | Path], spec: str | None) -> list[PlannedFile]:
    """Expand the paths given on the command line into (file, spec) pairs.

    A folder must hold a manifest.json: {"files": [{"path": ..., "spec": ...}]}.
    A file needs --spec. Raises FileRefused with what is wrong.
    """
    planned: list[PlannedFile] = []
    for item in paths:
        p = Path(item)
        if p.is_dir():
            manifest = p / "manifest.json"
            if not manifest.is_file():
                raise FileRefused(p, "a folder needs a manifest.json naming each file's spec")
            try:
                entries = json.loads(manifest.read_text(encoding="utf-8"))["files"]
            except (ValueError, KeyError, TypeError) as exc:
                raise FileRefused(manifest, f"not a valid manifest: {exc}") from exc
            for entry in entries:
                planned.append(PlannedFile(p / entry["path"], spec or entry["spec"]))
        elif p.is_file():
            if spec is None:
                raise FileRefused(p, "which feed spec reads this file? give --spec NAME or FILE")
            planned.append(PlannedFile(p, spec))
        else:
            raise FileRefused(p, "no such file or folder")
    for pf in planned:
        get_spec(pf.spec)  # fail early on an unknown spec
    return planned
