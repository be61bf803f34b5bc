"""The evaluate hook: what detection would raise as of a date, without writing to the store."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection

from joinedup.detect.engine import detect
from joinedup.evaluate.store_view import DetectionOut, FlagOut, GroupLeadOut


def leads_as_of(conn: Connection, as_of: date | None) -> DetectionOut:
    """Flags and group leads from records received on or before `as_of` (None: all)."""
    d = detect(conn, as_of)
    flags: list[FlagOut] = [
        {"kind": "child", "entity": c, "band": r.band} for c, r in d.children.items()
    ]
    flags += [{"kind": "adult", "entity": a} for a in d.adults]
    flags += [{"kind": kind, "entity": e} for (kind, e) in d.objects]
    leads: list[GroupLeadOut] = [{"members": sorted(g.members)} for g in d.groups]
    return {"flags": flags, "group_leads": leads}
