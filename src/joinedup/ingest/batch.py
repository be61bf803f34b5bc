"""One file in, one batch out: every row stored, recognised as a duplicate, or quarantined.

The batch is one transaction under the writers' lock, so a crash leaves nothing half
written and re-running the same command ends as one uninterrupted run would.
Counts always reconcile: read = stored + duplicates + quarantined.

Rows arrive prepared (hashed, mapped, laid out: see prepare.py), for a large file from
worker processes; the database transaction lives only in this process, so killing any
of them leaves no half batch.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    bindparam,
    func,
    insert,
    literal_column,
    select,
    update,
)

from joinedup.access.audit import AuditActor
from joinedup.feeds.loader import SpecError, get_spec, spec_hash, spec_json
from joinedup.feeds.spec import FeedSpec
from joinedup.ingest.prepare import (
    DUPLICATE,
    QUARANTINE,
    ROW_COUNTS,
    STILL_QUARANTINED,
    STORE,
    Chunks,
    Digest,
    HeadRow,
    Plan,
    PreparedChunk,
    chunks,
    fewer_collections,
    start_early,
)
from joinedup.ingest.readers import FileRefused, open_rows
from joinedup.ingest.writer import ID_TABLES, IdAllocator, LaidOut, insert_rows
from joinedup.store import tables as t
from joinedup.store import write_transaction
from joinedup.store.references import (
    Written,
    add_written,
    check_references,
    relax_row_checks,
    restore_row_checks,
)

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


# -- the batch ---------------------------------------------------------------------------


def _one_of(column: Any, values: list[str], dialect: str) -> ColumnElement[bool]:
    """`column IN values` as one bound parameter on SQLite, so a chunk's query is compiled
    once (PostgreSQL's batches send `_pg_text_array` and `_pg_bytea_array` instead)."""
    if dialect == "sqlite":
        listed = select(literal_column("value")).select_from(
            func.json_each(bindparam("values", json.dumps(values)))
        )
        return column.in_(listed.scalar_subquery())
    return column.in_(values)


# PostgreSQL: a chunk's values as ONE array literal, a single text parameter the server
# parses (`= ANY(%s::text[])`). psycopg adapts a list element by element, about 1.5 µs
# each: 3-4 ms of the ingest process's time for each chunk's 2,000 hashes, and as much for
# its references. The literal is still a parameter, so the planner sees its values (an
# index condition on both columns), as it did the list's.
_CONTROL = re.compile("[\x00-\x1f]")


def _pg_text_array(values: list[str]) -> str | list[str]:
    """Text values as an array literal, in JSON's quoting: its escapes of `"` and `\\` are
    the literal's too. A control character, which JSON escapes otherwise, makes the list
    go as it is."""
    if _CONTROL.search("".join(values)):
        return values
    return "{" + json.dumps(values, ensure_ascii=False, separators=(",", ":"))[1:-1] + "}"


def _pg_bytea_array(values: list[bytes]) -> str:
    """Content hashes as a bytea[] literal: each `\\x` and its hex, the backslash escaped."""
    return "{" + ",".join(["\\\\x" + v.hex() for v in values]) + "}"


_PG_KNOWN = {
    name: f"SELECT content_hash FROM {name}"  # noqa: S608 - two fixed table names
    " WHERE source_id = %s AND content_hash = ANY(%s::bytea[])"
    for name in ("record", "quarantine")
}


# SQLite: a chunk's hashes as bound blobs, `IN (?, ?, ...)` (one statement text per group
# size, which the driver's statement cache keeps: nearly every chunk is CHUNK_ROWS long).
_SQLITE_GROUP = 10_000  # well under SQLite's 32,766 bound parameters
_SQLITE_KNOWN = {
    name: f"SELECT content_hash FROM {name}"  # noqa: S608 - two fixed table names
    " WHERE source_id = ? AND content_hash IN ({})"
    for name in ("record", "quarantine")
}


OWN_QUARANTINE_MAX = 100_000  # hashes a batch remembers of the rows it put in quarantine
# Rows a batch remembers of those it stored, for a source that held no records when it
# began (a source's first extract, the bulk of what is ever loaded): about 60 bytes each.
OWN_RECORDS_MAX = 1_000_000


class _OwnRecords:
    """What a batch has stored for a source that had no records when the batch began.

    Under the writers' lock the batch's own rows are then the source's only ones: a row
    whose hash (or reference) it has not stored cannot be a duplicate (or correct an
    earlier record), so the database is asked only about the few it may have stored:
    those whose Python hash it has seen (a hash shared by chance only costs a question).
    """

    __slots__ = ("hashes", "refs")

    def __init__(self) -> None:
        self.hashes: set[int] = set()  # hash() of each content hash stored
        self.refs: set[int] = set()  # hash() of each source reference stored

    @staticmethod
    def maybe(values: list[Any], seen: set[int]) -> list[Any]:
        """The values of `values` this batch may have stored (`seen`: their hashes)."""
        return [v for v in values if hash(v) in seen]

    def remember(self, hashes: Iterable[Digest], refs: Iterable[str]) -> bool:
        """Note a chunk's stored rows; False once past OWN_RECORDS_MAX (then forget)."""
        self.hashes.update(map(hash, hashes))
        self.refs.update(map(hash, refs))
        return len(self.hashes) <= OWN_RECORDS_MAX and len(self.refs) <= OWN_RECORDS_MAX


@dataclass(frozen=True, slots=True)
class _Pending:
    """A chunk planned and not yet written: what the next plan must know of it."""

    stored: set[Digest]  # content hashes of the rows it stores
    quarantined: set[Digest]  # ... and of those it puts in quarantine
    refs: dict[str, int]  # source reference -> the latest of its records' ids
    after: dict[str, int]  # the next free id of each table once it is written


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
        self.batch_id = 0
        self.rows_checked_at_close = False  # see open_batch
        self.first_ids: dict[Any, int] = {}  # table -> its first id in this batch
        self.written: dict[str, Written] = {}  # what its chunks wrote, by table: `write`
        # Chunks planned but not yet written, oldest first (ingest_file plans ahead):
        # what the database cannot tell the next plan yet.
        self.pending: deque[_Pending] = deque()
        self.planned_ids: dict[str, int] = dict(self.ids.next)  # next free ids after them
        # A source with nothing in quarantine when the batch began (the usual case) has in
        # quarantine only what this batch put there, under the writers' lock: the batch
        # remembers those hashes instead of asking the database for every chunk's
        # (OWN_QUARANTINE_MAX of them at most; past that it asks again, so memory stays
        # flat on a file of bad rows).
        held = select(t.quarantine.c.id).where(t.quarantine.c.source_id == self.source_id)
        self.own_quarantine: set[Digest] | None = (
            None if conn.execute(held.limit(1)).first() is not None else set()
        )
        # The same for records (_OwnRecords): at most OWN_RECORDS_MAX, then it asks again.
        stored = select(t.record.c.id).where(t.record.c.source_id == self.source_id)
        self.own_records: _OwnRecords | None = (
            None if conn.execute(stored.limit(1)).first() is not None else _OwnRecords()
        )

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
        # The rows' foreign keys are checked once per key at close (store/references.py):
        # on SQLite always (the batch's transaction began with them off), on PostgreSQL
        # where the role may turn its per-row triggers off.
        self.first_ids = {table: self.ids.next[table.name] for table in ID_TABLES}
        self.rows_checked_at_close = relax_row_checks(self.conn)

    def _known(self, table: Any, hashes: list[Digest]) -> set[Digest]:
        """The hashes of `hashes` that `table` holds for this source, as the chunk's heads
        hold them (bytes on PostgreSQL and SQLite: store/tables.py, ContentHash)."""
        if self.dialect == "postgresql":
            found = self.conn.exec_driver_sql(
                _PG_KNOWN[table.name],
                (self.source_id, _pg_bytea_array(hashes)),  # type: ignore[arg-type]
            )
            return {bytes(h) for (h,) in found}
        if self.dialect == "sqlite":
            known: set[Digest] = set()
            for start in range(0, len(hashes), _SQLITE_GROUP):
                group = hashes[start : start + _SQLITE_GROUP]
                marks = ",".join("?" * len(group))
                known.update(
                    h
                    for (h,) in self.conn.exec_driver_sql(
                        _SQLITE_KNOWN[table.name].format(marks), (self.source_id, *group)
                    )
                )
            return known
        return set(
            self.conn.execute(
                select(table.c.content_hash).where(
                    table.c.source_id == self.source_id,
                    _one_of(table.c.content_hash, hashes, self.dialect),  # type: ignore[arg-type]
                )
            ).scalars()
        )

    def _latest_by_ref(self, refs: list[str]) -> dict[str, int]:
        """For each reference of `refs` stored for this source, its latest record's id."""
        if self.dialect == "postgresql":
            found = self.conn.exec_driver_sql(
                "SELECT source_ref, max(id) FROM record"
                " WHERE source_id = %s AND source_ref = ANY(%s::text[]) GROUP BY source_ref",
                (self.source_id, _pg_text_array(refs)),
            )
        else:
            found = self.conn.execute(
                select(t.record.c.source_ref, func.max(t.record.c.id))
                .where(
                    t.record.c.source_id == self.source_id,
                    _one_of(t.record.c.source_ref, refs, self.dialect),
                )
                .group_by(t.record.c.source_ref)
            )
        return {ref: int(last_id) for ref, last_id in found}

    def plan(self, head: list[HeadRow]) -> Plan:
        """Decide each row of a chunk from its head: store, duplicate or quarantine.

        The chunks planned before it need not be written yet: their rows are taken from
        `pending`, as the database would give them once written.
        """
        result = self.result
        wanted = {h[0] for h in head}
        hashes = list(wanted)
        mine = self.own_records  # if set, only what this batch stored can be known
        asked = hashes if mine is None else mine.maybe(hashes, mine.hashes)
        known = self._known(t.record, asked) if asked else set()
        own = self.own_quarantine
        known_bad = self._known(t.quarantine, hashes) if own is None else own & wanted
        for earlier in self.pending:
            known |= earlier.stored & wanted
            known_bad |= earlier.quarantined & wanted
        codes = bytearray(len(head))
        stored: list[tuple[int, str | None]] = []  # (row index, source_ref) in file order
        stored_counts: list[tuple[int, ...]] = []
        new_bad: set[Digest] = set()
        reasons = result.quarantine_reasons
        for index, (digest, source_ref, reason, counts) in enumerate(head):
            if digest in known:
                codes[index] = DUPLICATE
                result.duplicates += 1
            elif digest in known_bad:
                codes[index] = STILL_QUARANTINED  # unfixed, and in quarantine once already
                result.quarantined += 1
            elif reason is not None:
                codes[index] = QUARANTINE
                known_bad.add(digest)
                new_bad.add(digest)
                result.quarantined += 1
                key = reason.split(":")[0][:80]
                reasons[key] = reasons.get(key, 0) + 1
            else:
                codes[index] = STORE
                known.add(digest)
                stored.append((index, source_ref))
                stored_counts.append(counts)  # type: ignore[arg-type]
        result.read += len(head)
        result.stored += len(stored)
        # A row whose reference is already stored corrects that record (the latest one, which
        # may be earlier in this very file: the batch's own rows are visible to its queries,
        # and those of chunks not yet written are in `pending`). Records take ids in file
        # order from next_ids. Per chunk, so memory stays flat.
        supersedes: dict[int, int] = {}
        refs = list({ref for _, ref in stored if ref})
        latest_by_ref: dict[str, int] = {}
        if refs:
            asked_refs = refs if mine is None else mine.maybe(refs, mine.refs)
            latest_by_ref = self._latest_by_ref(asked_refs) if asked_refs else {}
            for earlier in self.pending:  # later than anything written: their ids are higher
                latest_by_ref.update(
                    (ref, earlier.refs[ref]) for ref in refs if ref in earlier.refs
                )
        start = dict(self.planned_ids)
        record_id = start["record"]
        chunk_refs: dict[str, int] = {}
        for index, ref in stored:
            if ref:
                earlier_id = latest_by_ref.get(ref)
                if earlier_id is not None:
                    supersedes[index] = earlier_id
                latest_by_ref[ref] = record_id
                chunk_refs[ref] = record_id
            record_id += 1
        result.superseding += len(supersedes)
        # The ids the chunk's rows will take, known now from the counts in its head.
        after = dict(start)
        for counts, times in Counter(stored_counts).items():
            for name, n in zip(ROW_COUNTS, counts, strict=True):
                after[name] += n * times
        after["quarantine"] += codes.count(QUARANTINE)
        self.planned_ids = after
        if own is not None:
            own |= new_bad
            if len(own) > OWN_QUARANTINE_MAX:
                self.own_quarantine = None
        stored_hashes = {head[index][0] for index, _ in stored}
        if mine is not None and not mine.remember(stored_hashes, chunk_refs):
            self.own_records = None  # past its cap: the store is asked again
        self.pending.append(_Pending(stored_hashes, new_bad, chunk_refs, after))
        return Plan(
            codes=bytes(codes),
            next_ids=start,
            supersedes=supersedes,
            source_id=self.source_id,
            batch_id=self.batch_id,
            file_name=str(self.path),
            started=self.started,
        )

    def write(
        self,
        plan: Plan,
        laid_out: LaidOut,
        next_ids: dict[str, int],
        written: dict[str, Written],
    ) -> None:
        """Write the oldest planned chunk's rows (chunks are written in the order planned)."""
        pending = self.pending.popleft()
        if next_ids != pending.after:  # pragma: no cover - a guard
            raise RuntimeError("the chunk's rows do not match the batch's plan")
        insert_rows(self.conn, laid_out)
        self.ids.next = dict(next_ids)
        for name, rows in written.items():
            held = self.written.get(name)
            self.written[name] = rows if held is None else add_written(held, rows)

    def resolve_fixed_quarantine(self) -> int:
        """Rows quarantined earlier whose reference has now been stored are marked fixed."""
        open_rows = select(t.quarantine.c.id).where(
            t.quarantine.c.source_id == self.source_id, t.quarantine.c.resolved_at.is_(None)
        )
        if self.conn.execute(open_rows.limit(1)).first() is None:
            return 0  # the usual case: nothing of this source waits to be fixed
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
        if self.rows_checked_at_close:
            restore_row_checks(self.conn)
            since = dict(self.first_ids)
            until = {table: self.ids.next[table.name] for table in self.first_ids}
            if self.dialect == "sqlite":  # its whole transaction ran unchecked: these too
                for table, own_id in ((t.feed_spec, self.spec_id), (t.ingest_batch, self.batch_id)):
                    since[table], until[table] = own_id, own_id + 1
            # The chunks' tables are counted from what went in, not read back (`write`).
            written = {
                table: self.written[table.name] for table in since if table.name in self.written
            }
            check_references(self.conn, since, until, written)
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
    actor: str | AuditActor,
    purpose: str | None = None,
    progress: Progress | None = None,
    defer_checkpoint: bool = False,
    then: tuple[str | Path, FeedSpec | str] | None = None,
) -> BatchResult:
    """Ingest one file as one batch. Raises FileRefused (nothing written) if unreadable.

    `defer_checkpoint`: on SQLite, leave copying the batch's log into the database file to
    a thread after the commit (store.engine.checkpoint_soon), so that the next file starts
    at once; the caller then calls `store.wait_for_checkpoints()` when it has done.
    `then`: the (file, spec) the caller ingests next. It goes to the workers as this batch
    begins; each starts on it once done with its share of this file, while this batch
    writes its last chunks, closes and commits (prepare.start_early).
    """
    from joinedup.access import audit  # the audit writer lives with access control
    from joinedup.pole import AuditCategory

    spec = get_spec(spec) if isinstance(spec, str) else spec
    p = Path(path)
    stream = open_rows(p, spec)  # header problems surface here, before any write
    result = BatchResult(file=str(p), spec=spec.name)
    prepared_chunks: Chunks | None = None
    try:
        prepared_chunks = chunks(stream, spec, engine.dialect.name)  # before the lock: see chunks
        if then is not None:  # each worker takes it up once done with its share of this one
            _start_next(then, engine.dialect.name)
        file_hash = file_sha256(p)
        with (
            fewer_collections(),
            write_transaction(
                engine, lock="ingest", defer_checkpoint=defer_checkpoint, row_checks=False
            ) as conn,
        ):  # references checked once per key at close (store/references.py)
            run = _BatchRun(conn, spec, p, result)
            run.open_batch(file_hash, actor if isinstance(actor, str) else actor.name)
            # With W workers each chunk is planned before the W chunks before it are written:
            # a worker lays its chunk out while the others' rows go in (Chunks.ahead).
            started: deque[tuple[PreparedChunk, Plan]] = deque()
            for chunk in prepared_chunks:
                plan = run.plan(chunk.head)
                chunk.start(plan)
                started.append((chunk, plan))
                while len(started) > prepared_chunks.ahead:
                    _write_chunk(run, *started.popleft(), stream.size, progress)
            while started:
                _write_chunk(run, *started.popleft(), stream.size, progress)
            prepared_chunks.finish()
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
            if result.superseding:  # corrections: earlier records now read as superseded
                audit.record(
                    conn,
                    actor=actor,
                    category=AuditCategory.alteration,
                    action="records_superseded",
                    object_type="ingest_batch",
                    object_id=str(run.batch_id),
                    purpose=purpose,
                    detail={"file": p.name, "spec": spec.name, "superseding": result.superseding},
                )
            if progress:
                progress(stream.size, stream.size, result.read)
    finally:
        if prepared_chunks is not None:
            prepared_chunks.close()  # a worker still running is stopped
        stream.close()
    return result


def _start_next(then: tuple[str | Path, FeedSpec | str], dialect: str) -> None:
    """The next file to the workers early; a file that cannot be started now is left to
    its own batch (which reports what is wrong with it)."""
    path, spec = then
    try:
        start_early(Path(path), get_spec(spec) if isinstance(spec, str) else spec, dialect)
    except (OSError, FileRefused, SpecError) as exc:
        log.info("%s: not started early: %s", path, exc)


def _write_chunk(
    run: _BatchRun, chunk: PreparedChunk, plan: Plan, size: int, progress: Progress | None
) -> None:
    run.write(plan, *chunk.rows())
    if chunk.full:
        log.info("%s: %d rows read", run.path.name, run.result.read)
        if progress:
            progress(chunk.position, size, run.result.read)


@dataclass(frozen=True)
class PlannedFile:
    path: Path
    spec: str


def plan_paths(paths: Iterable[str | Path], spec: str | None) -> list[PlannedFile]:
    """Expand the paths given on the command line into (file, spec) pairs.

    A folder must hold a manifest.json: {"files": [{"path": ..., "spec": ...}]}, each
    path relative to the folder ("spec" may be left out when --spec is given). A file
    needs --spec. Raises FileRefused with what is wrong (for a manifest: the manifest file
    and the entry at fault), or SpecError for an unknown spec, before anything is read.
    """
    planned: list[PlannedFile] = []
    for item in paths:
        p = Path(item)
        if p.is_dir():
            planned += _manifest_files(p, spec)
        elif p.is_file():
            if spec is None:
                raise FileRefused(p, "which feed spec reads this file? give --spec NAME or FILE")
            planned.append(PlannedFile(p, spec))
        else:
            raise FileRefused(p, "no such file or folder")
    for pf in planned:
        get_spec(pf.spec)  # fail early on an unknown spec
    return planned


_MANIFEST_SHAPE = 'it must be {"files": [{"path": "FILE", "spec": "SPEC"}, ...]}'


def _manifest_files(folder: Path, spec: str | None) -> list[PlannedFile]:
    """The files a folder's manifest.json names, each checked; raises FileRefused naming
    the manifest and the entry at fault."""
    manifest = folder / "manifest.json"
    if not manifest.is_file():
        raise FileRefused(folder, "a folder needs a manifest.json naming each file's spec")
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FileRefused(manifest, f"cannot read the manifest: {exc.strerror or exc}") from exc
    except ValueError as exc:  # invalid JSON, or not UTF-8
        raise FileRefused(manifest, f"not a valid manifest: not JSON ({exc})") from exc
    entries = data.get("files") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise FileRefused(manifest, f'not a valid manifest: no list of "files"; {_MANIFEST_SHAPE}')
    if not entries:
        raise FileRefused(manifest, f"the manifest names no files; {_MANIFEST_SHAPE}")
    planned: list[PlannedFile] = []
    for index, entry in enumerate(entries):
        where = f"files[{index}]"
        if not isinstance(entry, dict):
            raise FileRefused(manifest, f"{where} is not an object; {_MANIFEST_SHAPE}")
        name = entry.get("path")
        if not isinstance(name, str) or not name.strip():
            raise FileRefused(manifest, f'{where} has no "path" naming its file')
        where = f"{where} ({name})"
        entry_spec = entry.get("spec")
        if entry_spec is not None and (not isinstance(entry_spec, str) or not entry_spec.strip()):
            raise FileRefused(manifest, f'{where}: "spec" must be a spec name or file')
        if spec is None and entry_spec is None:
            raise FileRefused(manifest, f'{where} has no "spec" (or give --spec NAME for all)')
        path = folder / name
        if not path.is_file():
            raise FileRefused(manifest, f"{where}: no such file in {folder}")
        chosen = spec or entry_spec
        assert chosen is not None
        try:
            get_spec(chosen)
        except SpecError as exc:
            raise FileRefused(manifest, f"{where}: {exc}") from exc
        planned.append(PlannedFile(path, chosen))
    return planned
