"""Erasing a batch (every record a file brought in) or chosen records, and everything the
store derived from them, deleted in one transaction; the audit log keeps what was erased
and why, never what the erased data said (DPA 2018 s.62, erasure).

What goes: the batch's records with their mentions, protected characteristics, events,
restrictions and quarantined rows. What the store derived from them is corrected in the
same transaction, so nothing erased can still be read through it:

- entity memberships of the erased mentions; an entity left with members gets its size
  and label again from them (a label may have been an erased name), one left with none
  is retired. The change is recorded as a resolution run of mode "erasure" (with the last
  run's model and mention high-water mark, so an incremental run goes on from it), which
  also tells every cache keyed by the latest run (search, chart) to read the store again;
- review pairs and candidate links naming an erased mention are deleted, and analysts'
  match decisions binding one are withdrawn (kept, so the decision's history stays);
- flag evidence pointing at an erased record or event is deleted and a flag anchored on
  an erased mention loses its anchor; the next detection run re-derives the leads;
- a record elsewhere that superseded an erased one keeps its data, not the link.

The batch row stays with its counts (metadata: file name, hash, who and when) and says
when, by whom and why it was erased. Re-ingesting the same file afterwards collects it
again, as a new batch: the erased rows' hashes are not kept either.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Select, delete, func, insert, select, update

from joinedup.access import audit
from joinedup.access.audit import AuditActor
from joinedup.ingest.quarantine import id_ranges
from joinedup.pole import AuditCategory
from joinedup.resolve.labels import LABEL_COLUMNS, label
from joinedup.store import tables as t

CHUNK = 5000
LABEL_CHARS = 200  # entity.label


class ErasureError(ValueError):
    """Nothing can be erased: an unknown batch or record, a batch erased already, no
    reason given, or a reference the erasure would leave behind."""


@dataclass
class ErasureCounts:
    batch_id: int | None  # None: records named one by one (erase_records)
    file_name: str | None
    source: str  # the source's code (or codes, comma-separated)
    erased: dict[str, int] = field(default_factory=dict)  # table -> rows deleted
    derived: dict[str, int] = field(default_factory=dict)  # what was corrected elsewhere
    resolution_run_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "batch": self.batch_id,
            "file": self.file_name,
            "source": self.source,
            "erased": self.erased,
            "derived": self.derived,
            "resolution_run": self.resolution_run_id,
        }


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def find_batch(conn: Connection, batch_id: int) -> Any:
    """The batch's file name, source code, rows stored and erasure date, or None."""
    b = t.ingest_batch
    return conn.execute(
        select(b.c.id, b.c.file_name, b.c.rows_stored, b.c.erased_at, t.source.c.code)
        .join(t.source, t.source.c.id == b.c.source_id)
        .where(b.c.id == batch_id)
    ).first()


def erase_batch(
    conn: Connection,
    batch_id: int,
    *,
    actor: str | AuditActor,
    reason: str,
    purpose: str | None = None,
) -> ErasureCounts:
    """Erase one ingest batch inside the caller's write transaction; audited as erasure."""
    reason = _reason(reason)
    b = t.ingest_batch
    batch = find_batch(conn, batch_id)
    if batch is None:
        raise ErasureError(f"no ingest batch {batch_id}")
    if batch.erased_at is not None:
        raise ErasureError(f"batch {batch_id} was erased on {batch.erased_at:%Y-%m-%d %H:%M}")
    counts = ErasureCounts(batch_id, batch.file_name, batch.code)
    records = select(t.record.c.id).where(t.record.c.batch_id == batch_id)
    _erase(conn, counts, records, actor)
    q = t.quarantine
    counts.erased["quarantine"] = _delete(conn, delete(q).where(q.c.batch_id == batch_id))
    _check_references(conn)
    actor_name = actor if isinstance(actor, str) else actor.name
    conn.execute(
        update(b)
        .where(b.c.id == batch_id)
        .values(erased_at=_now(), erased_by=actor_name, erasure_reason=reason)
    )
    _audit(conn, counts, actor, reason, purpose, "batch_erased", "ingest_batch", batch_id)
    return counts


def erase_records(
    conn: Connection,
    record_ids: list[int],
    *,
    actor: str | AuditActor,
    reason: str,
    purpose: str | None = None,
) -> ErasureCounts:
    """Erase the given records (e.g. one child's referral, on a court order or a review)
    and all derived from them, as `erase_batch` does for a whole batch; their batches keep
    their rows and counts, and the audit row names the records by id."""
    reason = _reason(reason)
    wanted = sorted(set(record_ids))
    if not wanted:
        raise ErasureError("name at least one record to erase")
    if len(wanted) > CHUNK:
        raise ErasureError(f"at most {CHUNK:,} records at a time (a whole file: erase its batch)")
    rec = t.record
    found = {int(i) for i in conn.execute(select(rec.c.id).where(rec.c.id.in_(wanted))).scalars()}
    missing = [i for i in wanted if i not in found]
    if missing:
        shown = ", ".join(map(str, missing[:10])) + (" ..." if len(missing) > 10 else "")
        raise ErasureError(f"no record {shown}: nothing was erased")
    sources = conn.execute(
        select(t.source.c.code)
        .join(rec, rec.c.source_id == t.source.c.id)
        .where(rec.c.id.in_(wanted))
        .distinct()
    ).scalars()
    counts = ErasureCounts(None, None, ", ".join(sorted(sources)))
    _erase(conn, counts, select(rec.c.id).where(rec.c.id.in_(wanted)), actor)
    _check_references(conn)
    object_id = _id_ranges(wanted)
    _audit(conn, counts, actor, reason, purpose, "records_erased", "record", object_id)
    return counts


def _reason(reason: str) -> str:
    if not reason or not reason.strip():
        raise ErasureError("an erasure needs a reason (e.g. the retention review's decision)")
    return reason.strip()


def _erase(
    conn: Connection, counts: ErasureCounts, records: Select[Any], actor: str | AuditActor
) -> None:
    """Delete the records `records` selects and all that hangs on them; mend the rest."""
    mentions = {
        kind: select(table.c.id).where(table.c.record_id.in_(records))
        for kind, table in t.MENTION_TABLES.items()
    }
    events = select(t.event.c.id).where(t.event.c.record_id.in_(records))
    _correct_derived(conn, counts, records, mentions, events, actor)
    erased = counts.erased
    pc = t.protected_characteristic
    erased["protected_characteristic"] = _delete(
        conn, delete(pc).where(pc.c.person_mention_id.in_(mentions["person"]))
    )
    rr = t.record_restriction
    erased["record_restriction"] = _delete(conn, delete(rr).where(rr.c.record_id.in_(records)))
    erased["event"] = _delete(conn, delete(t.event).where(t.event.c.record_id.in_(records)))
    for kind in ("vehicle", "phone", "location", "person"):  # person last: the others refer to it
        table = t.MENTION_TABLES[kind]
        erased[table.name] = _delete(conn, delete(table).where(table.c.record_id.in_(records)))
    rec = t.record
    # A record kept that superseded an erased one keeps its data, not the link; links
    # among the erased go with them. (`records` selects by batch or by id, never by the
    # link, so what it selects does not change as the links are cleared.)
    counts.derived["supersedes_cleared"] = _delete(
        conn,
        update(rec)
        .where(rec.c.supersedes_id.in_(records), rec.c.id.not_in(records))
        .values(supersedes_id=None),
    )
    conn.execute(update(rec).where(rec.c.id.in_(records)).values(supersedes_id=None))
    erased["record"] = _delete(conn, delete(rec).where(rec.c.id.in_(records)))


def _audit(
    conn: Connection,
    counts: ErasureCounts,
    actor: str | AuditActor,
    reason: str,
    purpose: str | None,
    action: str,
    object_type: str,
    object_id: int | str,
) -> None:
    audit.record(
        conn,
        actor=actor,
        category=AuditCategory.erasure,
        action=action,
        object_type=object_type,
        object_id=object_id,
        purpose=purpose,
        detail={
            "reason": reason,
            "source": counts.source,
            "resolution_run": counts.resolution_run_id,
            **{f"erased_{k}": v for k, v in counts.erased.items()},
            **{f"derived_{k}": v for k, v in counts.derived.items()},
        },
    )


def _id_ranges(ids: list[int]) -> str:
    """Sorted ids as ranges ("3-5,9"): an audit row names many records in little space."""
    runs = id_ranges(ids)  # the quarantine export's [first, last] runs
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


# The tables whose rows refer to the rows an erasure deletes.
_REFERRING = (
    "record", "event", "person_mention", "vehicle_mention", "phone_mention",
    "location_mention", "protected_characteristic", "record_restriction",
)  # fmt: skip


def _check_references(conn: Connection) -> None:
    """SQLite with row-by-row reference checks off (`write_transaction(row_checks=False)`,
    as `joinedup erase` runs it): check every reference of the referring tables once, so
    that a row deleted while another still pointed at it fails the erasure, which then
    rolls back. With the checks on (and on PostgreSQL) each deletion was checked already.
    """
    if conn.dialect.name != "sqlite" or conn.exec_driver_sql("PRAGMA foreign_keys").scalar():
        return
    for table in _REFERRING:
        broken = conn.exec_driver_sql(f"PRAGMA foreign_key_check({table})").first()
        if broken is not None:
            raise ErasureError(
                f"erasing would leave {table} row {broken[1]} pointing at a deleted "
                f"{broken[2]} row: nothing was erased"
            )


def _delete(conn: Connection, statement: Any) -> int:
    return int(conn.execute(statement).rowcount or 0)


def _correct_derived(
    conn: Connection,
    counts: ErasureCounts,
    records: Select[Any],
    mentions: dict[str, Select[Any]],
    events: Select[Any],
    actor: str | AuditActor,
) -> None:
    """Everything resolution and detection wrote about the batch's mentions and events."""
    derived = counts.derived
    em = t.entity_member
    touched: dict[str, set[int]] = {}
    for kind, ids in mentions.items():
        where = (em.c.mention_kind == kind, em.c.mention_id.in_(ids))
        touched[kind] = set(conn.execute(select(em.c.entity_id).where(*where).distinct()).scalars())
        derived[f"{kind}_memberships"] = _delete(conn, delete(em).where(*where))
    mp, cl, md = t.match_pair, t.candidate_link, t.match_decision
    pairs = candidates = withdrawn = 0
    for kind, ids in mentions.items():
        pairs += _delete(
            conn,
            delete(mp).where(
                mp.c.kind == kind, mp.c.a_mention_id.in_(ids) | mp.c.b_mention_id.in_(ids)
            ),
        )
        candidates += _delete(
            conn, delete(cl).where(cl.c.mention_kind == kind, cl.c.mention_id.in_(ids))
        )
        withdrawn += _delete(
            conn,
            update(md)
            .where(
                md.c.kind == kind,
                md.c.withdrawn_at.is_(None),
                md.c.a_mention_id.in_(ids) | md.c.b_mention_id.in_(ids),
            )
            .values(withdrawn_at=_now()),
        )
    derived.update(review_pairs=pairs, candidate_links=candidates, decisions_withdrawn=withdrawn)
    fe = t.flag_evidence
    derived["flag_evidence"] = _delete(
        conn,
        delete(fe).where(
            ((fe.c.item_kind == "record") & fe.c.item_id.in_(records))
            | ((fe.c.item_kind == "event") & fe.c.item_id.in_(events))
        ),
    )
    anchors = 0
    for kind, ids in mentions.items():
        anchors += _delete(
            conn,
            update(t.flag)
            .where(t.flag.c.anchor_mention_kind == kind, t.flag.c.anchor_mention_id.in_(ids))
            .values(anchor_mention_kind=None, anchor_mention_id=None),
        )
    derived["flag_anchors_cleared"] = anchors
    if any(touched.values()):
        _rewrite_entities(conn, counts, touched, mentions, actor)


def _rewrite_entities(
    conn: Connection,
    counts: ErasureCounts,
    touched: dict[str, set[int]],
    mentions: dict[str, Select[Any]],
    actor: str | AuditActor,
) -> None:
    """Sizes and labels again from the members left; an entity with none is retired."""
    r = t.resolution_run
    last = conn.execute(
        select(r.c.engine, r.c.model, r.c.counts)
        .where(r.c.status == "done")
        .order_by(r.c.id.desc())
        .limit(1)
    ).first()
    previous = dict(last.counts or {}) if last is not None else {}
    if isinstance(previous, str):  # JSON read back as text by some drivers
        previous = json.loads(previous)
    now = _now()
    run_id = conn.execute(
        insert(r).values(
            mode="erasure",
            engine=last.engine if last is not None else "none",
            status="running",
            actor=actor if isinstance(actor, str) else actor.name,
            started_at=now,
            model=last.model if last is not None else None,
        )
    ).inserted_primary_key[0]
    counts.resolution_run_id = int(run_id)
    em, e = t.entity_member, t.entity
    run_counts: dict[str, Any] = {"max_mention_id": previous.get("max_mention_id", {})}
    for kind, entity_ids in touched.items():
        changed = retired = 0
        for chunk in _chunks(sorted(entity_ids)):
            members: dict[int, list[int]] = {eid: [] for eid in chunk}
            for eid, mid in conn.execute(
                select(em.c.entity_id, em.c.mention_id).where(em.c.entity_id.in_(chunk))
            ):
                members[eid].append(mid)
            labels = _labels(conn, kind, [m for ms in members.values() for m in ms])
            for eid, mids in members.items():
                if not mids:
                    retired += 1
                    values: dict[str, Any] = {"size": 0, "label": None, "retired_run_id": run_id}
                else:
                    changed += 1
                    names = Counter(labels[m] for m in mids if labels.get(m))
                    label = names.most_common(1)[0][0][:LABEL_CHARS] if names else None
                    values = {"size": len(mids), "label": label}
                conn.execute(update(e).where(e.c.id == eid).values(updated_run_id=run_id, **values))
        current = conn.execute(
            select(func.count())
            .select_from(e)
            .where(e.c.kind == kind, e.c.retired_run_id.is_(None))
        ).scalar_one()
        run_counts[kind] = {"entities": int(current), "changed": changed, "retired": retired}
        counts.derived[f"{kind}_entities_changed"] = changed
        counts.derived[f"{kind}_entities_retired"] = retired
    run_counts["erasure"] = {"batch": counts.batch_id}
    conn.execute(
        update(r)
        .where(r.c.id == run_id)
        .values(status="done", finished_at=_now(), counts=run_counts)
    )


def _labels(conn: Connection, kind: str, mention_ids: list[int]) -> dict[int, str]:
    """Each mention's label, as resolution makes it (resolve/labels.py)."""
    table = t.MENTION_TABLES[kind]
    columns = [table.c[name] for name in LABEL_COLUMNS[kind]]
    out: dict[int, str] = {}
    for chunk in _chunks(mention_ids):
        for mid, *values in conn.execute(select(table.c.id, *columns).where(table.c.id.in_(chunk))):
            text = label(kind, values)
            if text:
                out[int(mid)] = text
    return out


def _chunks(values: list[int]) -> list[list[int]]:
    return [values[i : i + CHUNK] for i in range(0, len(values), CHUNK)]
