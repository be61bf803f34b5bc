"""Reading flags back: lists, one flag with its evidence chain and history, and the ranked
leads (group leads first, then children, adults, vehicles and places) for a report.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from joinedup.store import tables as t

KIND_ORDER = {"group": 0, "child": 1, "adult": 2, "vehicle": 3, "location": 4}
BAND_ORDER = {"significant": 0, "moderate": 1, "mild": 2, "not_at_risk": 3, None: 4}


def parse_flag_ref(ref: str) -> int:
    text = ref.strip().upper().removeprefix("F")
    if not text.isdigit():
        raise ValueError(f"{ref!r} is not a flag id such as F12")
    return int(text)


def _labels(conn: Connection, ids: set[int]) -> dict[int, str | None]:
    if not ids:
        return {}
    e = t.entity
    return dict(conn.execute(select(e.c.id, e.c.label).where(e.c.id.in_(sorted(ids)))).all())


def list_flags(
    conn: Connection,
    status: str | None = None,
    kind: str | None = None,
    active_only: bool = True,
    limit: int = 100,
) -> list[dict[str, Any]]:
    f = t.flag
    query = select(
        f.c.id, f.c.kind, f.c.entity_id, f.c.group_key, f.c.rule_id, f.c.band, f.c.score,
        f.c.status, f.c.reason, f.c.active, f.c.updated_at,
    )  # fmt: skip
    if status:
        query = query.where(f.c.status == status)
    if kind:
        query = query.where(f.c.kind == kind)
    if active_only:
        query = query.where(f.c.active.is_(True))
    rows = conn.execute(query).all()
    rows.sort(key=lambda r: (KIND_ORDER.get(r.kind, 9), BAND_ORDER.get(r.band, 4), -r.score, r.id))
    rows = rows[:limit]
    labels = _labels(conn, {r.entity_id for r in rows if r.entity_id})
    return [
        {
            "flag": f"F{r.id}",
            "kind": r.kind,
            "subject": f"group {r.group_key}" if r.kind == "group" else f"E{r.entity_id}",
            "label": labels.get(r.entity_id) if r.entity_id else None,
            "rule": r.rule_id,
            "band": r.band,
            "score": round(float(r.score), 2),
            "status": r.status,
            "active": bool(r.active),
            "reason": r.reason,
        }
        for r in rows
    ]


def _event_rows(conn: Connection, ids: list[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    ev, rec, b, spec = t.event, t.record, t.ingest_batch, t.feed_spec
    out = {}
    for chunk in range(0, len(ids), 500):
        part = ids[chunk : chunk + 500]
        query = (
            select(
                ev.c.id,
                ev.c.event_type,
                ev.c.start_at,
                rec.c.source_ref,
                rec.c.received_at,
                spec.c.name,
            )  # fmt: skip
            .join(rec, rec.c.id == ev.c.record_id)
            .join(b, b.c.id == rec.c.batch_id)
            .join(spec, spec.c.id == b.c.feed_spec_id)
            .where(ev.c.id.in_(part))
        )
        for eid, etype, start, ref, received, name in conn.execute(query):
            out[eid] = {
                "event": eid,
                "type": etype,
                "when": start.isoformat(timespec="minutes") if start else None,
                "record": f"{name}:{ref}",
                "received": received.date().isoformat(),
            }
    return out


def show_flag(conn: Connection, flag_id: int) -> dict[str, Any]:
    f, fe, fh, fm = t.flag, t.flag_evidence, t.flag_history, t.flag_member
    row = conn.execute(select(f).where(f.c.id == flag_id)).mappings().first()
    if row is None:
        raise LookupError(f"no flag F{flag_id}; `joinedup flags list` shows them")
    evidence = conn.execute(
        select(fe.c.rule_id, fe.c.item_kind, fe.c.item_id, fe.c.why, fe.c.first_seen_run_id)
        .where(fe.c.flag_id == flag_id)
        .order_by(fe.c.rule_id, fe.c.item_kind, fe.c.item_id)
    ).all()
    events = _event_rows(conn, sorted({x.item_id for x in evidence if x.item_kind == "event"}))
    members = conn.execute(
        select(fm.c.entity_id, fm.c.member_kind, fm.c.role, fm.c.centrality)
        .where(fm.c.flag_id == flag_id)
        .order_by(fm.c.role, fm.c.centrality.desc())
    ).all()
    ids = {x.item_id for x in evidence if x.item_kind == "entity"} | {m[0] for m in members}
    labels = _labels(conn, ids | ({row["entity_id"]} if row["entity_id"] else set()))
    chain = []
    for x in evidence:
        if x.item_kind == "record":
            continue
        item: dict[str, Any] = {
            "rule": x.rule_id,
            "why": x.why,
            "first_seen_run": x.first_seen_run_id,
        }
        if x.item_kind == "event":
            item |= events.get(x.item_id, {"event": x.item_id})
        else:
            item |= {"entity": f"E{x.item_id}", "label": labels.get(x.item_id)}
        chain.append(item)
    history = conn.execute(
        select(fh.c.at, fh.c.actor, fh.c.from_status, fh.c.to_status, fh.c.reason, fh.c.detail)
        .where(fh.c.flag_id == flag_id)
        .order_by(fh.c.id)
    ).all()
    return {
        "flag": f"F{flag_id}",
        "kind": row["kind"],
        "subject": f"group {row['group_key']}"
        if row["kind"] == "group"
        else f"E{row['entity_id']}",
        "label": labels.get(row["entity_id"]) if row["entity_id"] else None,
        "rule": row["rule_id"],
        "rule_version": row["rule_version"],
        "rules": row["rules"],
        "band": row["band"],
        "score": round(float(row["score"]), 2),
        "status": row["status"],
        "active": bool(row["active"]),
        "reason": row["reason"],
        "evidence": chain,
        "members": [
            {
                "entity": f"E{e}",
                "label": labels.get(e),
                "kind": k,
                "role": r,
                "centrality": None if c is None else round(float(c), 2),
            }
            for e, k, r, c in members
        ],  # fmt: skip
        "history": [
            {
                "at": h.at.isoformat(timespec="seconds"),
                "by": h.actor,
                "from": h.from_status,
                "to": h.to_status,
                "reason": h.reason,
                "detail": h.detail,
            }
            for h in history
        ],  # fmt: skip
    }


def ranked_leads(conn: Connection, limit: int = 50) -> list[dict[str, Any]]:
    """Open leads (not dismissed) raised by the latest run, each with its evidence chain."""
    rows = [
        r for r in list_flags(conn, active_only=True, limit=100_000) if r["status"] != "dismissed"
    ]
    groups = [r for r in rows if r["kind"] == "group"]
    others = [r for r in rows if r["kind"] != "group"]
    chosen = (groups + others)[:limit]
    return [show_flag(conn, parse_flag_ref(r["flag"])) for r in chosen]
