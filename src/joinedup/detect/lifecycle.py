"""Flags in the store across runs: raised once, updated in place, never duplicated; a dismissed
flag returns only with new evidence (saying what is new); every status change is history.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update

from joinedup.access.roles import HasPermissions, Permission, require
from joinedup.detect.candidates import Candidate, candidates
from joinedup.detect.engine import detect
from joinedup.store import tables as t
from joinedup.store import write_transaction

STATUSES = ("new", "under_review", "actioned", "dismissed")
# Analysts triage (new <-> under review); closing or reopening a decision needs a supervisor.
TRIAGE = {("new", "under_review"), ("under_review", "new")}


class FlagError(ValueError):
    """A flag that does not exist, or a status change that is not allowed."""


@dataclass
class RunSummary:
    run_id: int
    as_of: date | None
    counts: dict[str, Any]


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _match_groups(conn: Connection, cands: list[Candidate]) -> dict[int, str]:
    """Each new group candidate's group key: the existing group sharing most of its members
    (at least half of the smaller), else a new key."""
    f, m = t.flag, t.flag_member
    rows = conn.execute(
        select(f.c.group_key, m.c.entity_id)
        .join(m, m.c.flag_id == f.c.id)
        .where(f.c.kind == "group", m.c.member_kind.in_(("adult", "child")))
    )
    old: dict[str, set[int]] = defaultdict(set)
    for key, entity in rows:
        old[key].add(entity)
    taken: set[str] = set()
    out: dict[int, str] = {}
    next_no = 1 + max((int(k[1:]) for k in old if k[1:].isdigit()), default=0)
    for i, c in enumerate(cands):
        if c.kind != "group":
            continue
        people = {e for e, k, _, _ in c.members if k in ("adult", "child")}
        best, overlap = None, 0.0
        for key, members in old.items():
            if key in taken or not members:
                continue
            share = len(people & members) / min(len(people), len(members))
            if share >= 0.5 and share > overlap:
                best, overlap = key, share
        if best is None:
            best = f"G{next_no}"
            next_no += 1
        taken.add(best)
        out[i] = best
    return out


def _follow_anchors(conn: Connection) -> None:
    """A flag whose entity was retired by a later resolution follows its anchor mention."""
    f, e, em = t.flag, t.entity, t.entity_member
    stale = conn.execute(
        select(f.c.id, f.c.kind, f.c.anchor_mention_kind, f.c.anchor_mention_id)
        .join(e, e.c.id == f.c.entity_id)
        .where(e.c.retired_run_id.isnot(None))
    ).all()
    for fid, kind, mkind, mid in stale:
        now = conn.execute(
            select(em.c.entity_id).where(em.c.mention_kind == mkind, em.c.mention_id == mid)
        ).scalar()
        if now is None:
            continue
        key = f"entity:{now}"
        clash = conn.execute(select(f.c.id).where(f.c.kind == kind, f.c.subject_key == key))
        if clash.first() is None:
            conn.execute(update(f).where(f.c.id == fid).values(entity_id=now, subject_key=key))


def run_detection(
    engine: Engine, actor: Any, as_of: date | None = None, purpose: str | None = None
) -> RunSummary:
    """Detect and write flags (audited as a combination). Re-running never duplicates a flag."""
    from joinedup.access import audit

    require(Permission.run_detection, actor)
    with engine.connect() as conn:
        d = detect(conn, as_of)
        if d.facts.resolution_run is None:
            raise FlagError(
                "the store has no resolution run, so there are no entities to flag: "
                "run `joinedup resolve` first"
            )
        cands = candidates(d)
    counts: dict[str, Any] = defaultdict(int)
    with write_transaction(engine) as conn:
        now = _now()
        run_id = conn.execute(
            insert(t.detection_run).values(
                as_of=as_of,
                rule_set_version=d.rulebook.version,
                rules_hash=d.rulebook.files_hash,
                resolution_run_id=d.facts.resolution_run,
                status="running",
                actor=actor.name,
                started_at=now,
            )  # fmt: skip
        ).inserted_primary_key[0]
        _follow_anchors(conn)
        keys = _match_groups(conn, cands)
        seen: set[int] = set()
        for i, c in enumerate(cands):
            fid, what = _write(conn, c, keys.get(i), run_id, actor.name, now)
            seen.add(fid)
            counts[what] += 1
            counts[f"{c.kind}_flags"] += 1
        f = t.flag
        gone = conn.execute(select(f.c.id).where(f.c.active.is_(True))).scalars().all()
        gone = [x for x in gone if x not in seen]
        if gone:
            conn.execute(update(f).where(f.c.id.in_(gone)).values(active=False))
        counts["no_longer_raised"] = len(gone)
        counts = dict(counts)
        conn.execute(
            update(t.detection_run)
            .where(t.detection_run.c.id == run_id)
            .values(status="done", finished_at=_now(), counts=counts)  # fmt: skip
        )
        audit.record(
            conn, actor=actor, category="combination", action="detect",
            object_type="detection_run", object_id=str(run_id), purpose=purpose,
            detail={"as_of": as_of.isoformat() if as_of else None, "counts": counts,
                    "rule_set_version": d.rulebook.version},
        )  # fmt: skip
    return RunSummary(int(run_id), as_of, counts)


def _write(
    conn: Connection, c: Candidate, group_key: str | None, run_id: int, actor: str, now: datetime
) -> tuple[int, str]:
    f, fe = t.flag, t.flag_evidence
    subject = f"group:{group_key}" if c.kind == "group" else c.subject_key
    values = dict(
        rule_id=c.rule_id, rule_version=c.rule_version, rules=c.rules, band=c.band,
        score=c.score, reason=c.reason, active=True, last_seen_run_id=run_id,
        evidence_fingerprint=c.fingerprint(), updated_at=now,
    )  # fmt: skip
    row = conn.execute(
        select(f.c.id, f.c.status, f.c.band).where(f.c.kind == c.kind, f.c.subject_key == subject)
    ).first()
    items = {(r, k, i): why for r, k, i, why in c.evidence}
    if row is None:
        fid = conn.execute(
            insert(f).values(
                kind=c.kind,
                subject_key=subject,
                entity_id=c.entity_id,
                group_key=group_key,
                anchor_mention_kind=c.anchor[0] if c.anchor else None,
                anchor_mention_id=c.anchor[1] if c.anchor else None,
                status="new",
                first_raised_run_id=run_id,
                created_at=now,
                **values,
            )  # fmt: skip
        ).inserted_primary_key[0]
        _history(conn, fid, actor, run_id, None, "new", f"raised: {c.reason}")
        what = "raised"
        new_items: list[tuple[str, str, int]] = list(items)
    else:
        fid, status, band = row
        old = {
            (r.rule_id, r.item_kind, r.item_id)
            for r in conn.execute(
                select(fe.c.rule_id, fe.c.item_kind, fe.c.item_id).where(fe.c.flag_id == fid)
            )
        }
        new_items = [k for k in items if k not in old]
        conn.execute(update(f).where(f.c.id == fid).values(**values))
        what = "unchanged"
        if status == "dismissed" and any(k[1] == "event" for k in new_items):
            fresh = sorted({i for _, k, i in new_items if k == "event"})
            conn.execute(update(f).where(f.c.id == fid).values(status="new"))
            _history(conn, fid, actor, run_id, "dismissed", "new",
                     f"reopened with new evidence: events {', '.join(map(str, fresh))}",
                     {"new_events": fresh})  # fmt: skip
            what = "reopened"
        elif band != c.band and c.band is not None:
            _history(conn, fid, actor, run_id, status, status,
                     f"band {band} -> {c.band}: {c.reason}")  # fmt: skip
            what = "changed"
        elif new_items:
            what = "new_evidence"
        conn.execute(
            update(fe)
            .where(fe.c.flag_id == fid, fe.c.last_seen_run_id != run_id)
            .values(last_seen_run_id=run_id)  # fmt: skip
        )
    if new_items:
        conn.execute(
            insert(fe),
            [
                dict(
                    flag_id=fid,
                    rule_id=r,
                    item_kind=k,
                    item_id=i,
                    why=items[(r, k, i)][:2000],
                    first_seen_run_id=run_id,
                    last_seen_run_id=run_id,
                )
                for r, k, i in new_items
            ],  # fmt: skip
        )
    if c.kind == "group":
        conn.execute(delete(t.flag_member).where(t.flag_member.c.flag_id == fid))
        conn.execute(
            insert(t.flag_member),
            [
                dict(
                    flag_id=fid,
                    entity_id=e,
                    member_kind=k,
                    role=role,
                    centrality=cent,
                    last_seen_run_id=run_id,
                )
                for e, k, role, cent in c.members
            ],  # fmt: skip
        )
    return int(fid), what


def _history(conn, fid, actor, run_id, from_status, to_status, reason, detail=None) -> None:  # type: ignore[no-untyped-def]
    conn.execute(
        insert(t.flag_history).values(
            flag_id=fid,
            at=_now(),
            actor=actor,
            run_id=run_id,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            detail=detail,
        )  # fmt: skip
    )


def set_status(
    conn: Connection, actor: HasPermissions, flag_id: int, status: str, reason: str
) -> dict[str, Any]:
    """Change a flag's status, inside the caller's transaction; the caller audits it.

    Analysts (triage_flags) move flags between new and under review; actioning, dismissing
    or reopening a closed flag needs a supervisor (approve_flags). A reason is required.
    """
    if status not in STATUSES:
        raise FlagError(f"unknown status {status!r}; one of: {', '.join(STATUSES)}")
    if not reason.strip():
        raise FlagError("give a --reason: it is kept with the flag's history and audited")
    f = t.flag
    row = conn.execute(select(f.c.status).where(f.c.id == flag_id)).first()
    if row is None:
        raise LookupError(f"no flag F{flag_id}; `joinedup flags list` shows them")
    old = row[0]
    if old == status:
        raise FlagError(f"flag F{flag_id} is already {status}")
    need = Permission.triage_flags if (old, status) in TRIAGE else Permission.approve_flags
    require(need, actor)
    conn.execute(update(f).where(f.c.id == flag_id).values(status=status, updated_at=_now()))
    _history(conn, flag_id, actor.name, None, old, status, reason)
    return {"flag": f"F{flag_id}", "from": old, "to": status, "reason": reason}
