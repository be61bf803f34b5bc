"""The audit log's hash chain: canonical serialisation, row hashes, and verification.

Each row's hash covers its own content, its seq and the previous row's hash, so editing,
deleting or reordering rows breaks the chain. Dropping the newest rows does not: compare
the head with a copy kept elsewhere (`expect_head`) to catch that.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, NamedTuple

from sqlalchemy import Connection, select

from joinedup.store.tables import audit_event as t

GENESIS_HASH = "0" * 64
PROGRESS_ROWS = 5000  # verify reports its progress this often
REORDER_WINDOW = 1000  # how far from its seq a misplaced row is looked for


def _jsonable(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"audit detail cannot hold a {type(value).__name__}: {value!r}")


def canonical_json(value: Any) -> str:
    """One byte-stable text per value: sorted keys, no spaces, UTF-8, no NaN."""
    return json.dumps(
        value,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
        default=_jsonable,
    )


def at_text(at: datetime) -> str:
    return at.isoformat(timespec="microseconds")


def row_hash(prev_hash: str, row: Any, *, seq: int | None = None) -> str:
    """sha256(prev_hash + canonical [seq, at, actor, category, action, object_type,
    object_id, purpose, recipient, detail]); `detail` is hashed as its stored JSON text."""
    body = canonical_json(
        [
            row.seq if seq is None else seq,
            at_text(row.at),
            row.actor,
            row.category,
            row.action,
            row.object_type,
            row.object_id,
            row.purpose,
            row.recipient,
            row.detail,
        ]
    )
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """What `verify` found. `problem` is edited, deleted, reordered or truncated."""

    ok: bool
    rows_checked: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None = None
    problem: str | None = None
    message: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def verify(
    conn: Connection,
    *,
    expect_head: tuple[int, str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> VerifyResult:
    """Walk the chain in seq order and report the first row that breaks it.

    `expect_head` is a (seq, hash) noted earlier (e.g. printed by `audit head` and kept by
    the DPO); it must still be in the log, which is how a truncated tail is caught.
    `progress(rows checked)` is called every PROGRESS_ROWS rows and at the end.
    """
    expected_seq, expected_prev, checked = 1, GENESIS_HASH, 0
    anchor_seen = expect_head == (0, GENESIS_HASH)  # an anchor taken on an empty log
    rows = conn.execute(select(t).order_by(t.c.seq).execution_options(yield_per=2000))
    for row in rows:
        bad = _check_row(conn, row, expected_seq, expected_prev)
        if bad:
            rows.close()
            return VerifyResult(False, checked, *head(conn), *bad)
        if expect_head and row.seq == expect_head[0]:
            anchor_seen = True
            if row.hash != expect_head[1]:
                rows.close()
                message = (
                    f"seq {row.seq} has hash {row.hash}, not the expected {expect_head[1]}: "
                    "the log was rewritten from this row onwards"
                )
                return VerifyResult(False, checked, *head(conn), row.seq, "edited", message)
        checked += 1
        expected_seq, expected_prev = row.seq + 1, row.hash
        if progress is not None and checked % PROGRESS_ROWS == 0:
            progress(checked)
    if progress is not None:
        progress(checked)
    head_seq, head_hash = expected_seq - 1, expected_prev
    if expect_head and not anchor_seen:
        message = (
            f"the log ends at seq {head_seq} but seq {expect_head[0]} was recorded as its head "
            "earlier: the newest rows were removed"
        )
        return VerifyResult(False, checked, head_seq, head_hash, head_seq + 1, "truncated", message)
    return VerifyResult(True, checked, head_seq, head_hash)


class _Break(NamedTuple):
    seq: int
    problem: str
    message: str


def _check_row(conn: Connection, row: Any, expected_seq: int, expected_prev: str) -> _Break | None:
    seq = row.seq
    if seq > expected_seq:
        gap = f"seq {expected_seq}" + (f" to {seq - 1}" if seq - 1 > expected_seq else "")
        return _Break(expected_seq, "deleted", f"{gap} missing: the next row present is {seq}")
    if seq < expected_seq:  # only a seq below 1 gets here, as seq is unique
        return _Break(seq, "edited", f"seq {seq} is below 1: the seq was altered")
    if row_hash(row.prev_hash, row) != row.hash:
        written_as = _seq_that_verifies(row)
        if written_as is None:
            why = "its content no longer matches its hash: it was altered after being written"
            return _Break(seq, "edited", f"seq {seq}: {why}")
        moved = f"the row at seq {seq} was written as seq {written_as}"
        if _hash_exists(conn, row.prev_hash):
            return _Break(seq, "reordered", f"{moved}: rows were moved")
        why = "the row before it is gone: rows were deleted and the rest renumbered"
        return _Break(seq, "deleted", f"{moved} and {why}")
    if row.prev_hash != expected_prev:
        if seq == 1:
            why = "the oldest rows were removed and the rest renumbered and rehashed"
            return _Break(1, "deleted", f"seq 1 does not start from the genesis hash: {why}")
        if _hash_exists(conn, row.prev_hash):
            why = "rows were moved"
            return _Break(seq, "reordered", f"seq {seq} follows a row other than {seq - 1}: {why}")
        why = "it was rewritten with a recomputed hash, or a row between them was removed"
        return _Break(
            seq - 1, "edited", f"seq {seq - 1} is not the row {seq} was chained to: {why}"
        )
    return None


def _seq_that_verifies(row: Any) -> int | None:
    """The seq under which this row's content matches its hash, if it is near its place."""
    for offset in range(1, REORDER_WINDOW + 1):
        for seq in (row.seq + offset, row.seq - offset):
            if seq >= 1 and row_hash(row.prev_hash, row, seq=seq) == row.hash:
                return seq
    return None


def _hash_exists(conn: Connection, value: str) -> bool:
    return conn.execute(select(t.c.seq).where(t.c.hash == value).limit(1)).first() is not None


def head(conn: Connection) -> tuple[int, str]:
    """(seq, hash) of the newest row; (0, genesis) for an empty log. Keep a copy elsewhere."""
    row = conn.execute(select(t.c.seq, t.c.hash).order_by(t.c.seq.desc()).limit(1)).first()
    if row is None:
        return 0, GENESIS_HASH
    return int(row.seq), str(row.hash)
