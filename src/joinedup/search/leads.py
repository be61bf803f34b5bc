"""What the workbench reads of detection and the store for the dashboard and the flag
queue, cut down to what the reader's unit may see (flags come from joinedup.detect)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from joinedup.search.profile import flags_available
from joinedup.search.visibility import NotFound, entity_visible, hidden_events
from joinedup.store import tables as t

BANDS = ("significant", "moderate", "mild", "not_at_risk")


def dashboard(conn: Connection) -> dict[str, Any]:
    """Counts only (no names): new leads by kind, children by band, groups, recent ingests,
    the open quarantine."""
    out: dict[str, Any] = {"detection": flags_available(conn)}
    b, s, q = t.ingest_batch, t.source, t.quarantine
    out["recent_ingests"] = [
        {"batch": r.id, "source": r.code, "agency": r.agency, "file": r.file_name.rsplit("/")[-1],
         "finished": r.finished_at.isoformat(timespec="minutes") if r.finished_at else None,
         "read": r.rows_read, "stored": r.rows_stored, "quarantined": r.rows_quarantined}
        for r in conn.execute(
            select(b.c.id, s.c.code, s.c.agency, b.c.file_name, b.c.finished_at, b.c.rows_read,
                   b.c.rows_stored, b.c.rows_quarantined)
            .join(s, s.c.id == b.c.source_id).order_by(b.c.id.desc()).limit(8)
        )
    ]  # fmt: skip
    out["quarantine_open"] = conn.execute(
        select(func.count()).select_from(q).where(q.c.resolved_at.is_(None))
    ).scalar_one()
    if not out["detection"]:
        return out
    f, d = t.flag, t.detection_run
    active = f.c.active.is_(True)
    out["new_leads"] = dict(
        conn.execute(
            select(f.c.kind, func.count()).where(active, f.c.status == "new").group_by(f.c.kind)
        ).all()
    )
    bands = dict(
        conn.execute(
            select(f.c.band, func.count())
            .where(active, f.c.kind == "child", f.c.status != "dismissed")
            .group_by(f.c.band)
        ).all()
    )
    out["children_by_band"] = {band: int(bands.get(band, 0)) for band in BANDS}
    out["groups"] = [
        {"flag_id": r.id, "score": round(float(r.score), 2), "status": r.status,
         "members": r.members}
        for r in conn.execute(
            select(f.c.id, f.c.score, f.c.status,
                   select(func.count()).where(t.flag_member.c.flag_id == f.c.id)
                   .scalar_subquery().label("members"))
            .where(active, f.c.kind == "group", f.c.status != "dismissed")
            .order_by(f.c.score.desc()).limit(10)
        )
    ]  # fmt: skip
    last = conn.execute(select(d).where(d.c.status == "done").order_by(d.c.id.desc())).first()
    out["last_detection"] = (
        {"run": last.id, "finished": last.finished_at.isoformat(timespec="minutes"),
         "rules": last.rule_set_version} if last else None
    )  # fmt: skip
    return out


def flag_queue(
    conn: Connection, *, status: str | None, kind: str | None, unit: str | None, limit: int = 100
) -> list[dict[str, Any]]:
    """The flag list of joinedup.detect, without flags on entities the reader may not see."""
    if not flags_available(conn):
        return []
    from joinedup.detect.reading import list_flags

    rows = list_flags(conn, status or None, kind or None, True, limit)
    return [
        r for r in rows
        if not r["subject"].startswith("E") or entity_visible(conn, int(r["subject"][1:]), unit)
    ]  # fmt: skip


def flag_detail(conn: Connection, flag_id: int, *, unit: str | None) -> dict[str, Any]:
    """One flag with its evidence and history, without evidence from hidden records."""
    if not flags_available(conn):
        raise NotFound("there are no flags yet: run `joinedup detect`")
    from joinedup.detect.reading import show_flag

    flag = show_flag(conn, flag_id)
    if flag["subject"].startswith("E") and not entity_visible(conn, int(flag["subject"][1:]), unit):
        raise NotFound(f"no flag F{flag_id}")
    hidden = hidden_events(conn, [e["event"] for e in flag["evidence"] if "event" in e], unit)
    flag["evidence"] = [e for e in flag["evidence"] if e.get("event") not in hidden]
    return flag
