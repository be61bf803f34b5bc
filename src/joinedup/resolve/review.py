"""The pairs analysts should look at first: the model's most uncertain, never one already
settled (directly or by implication) by a decision.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from joinedup.resolve.decisions import DecisionGraph, active_decisions
from joinedup.store import tables as t


def uncertain_pairs(
    conn: Connection, limit: int = 20, kind: str = "person"
) -> list[dict[str, Any]]:
    """Undecided pairs of the latest run, closest to a coin toss first, with their evidence."""
    mp, m = t.match_pair, t.person_mention
    graph = DecisionGraph(*active_decisions(conn, kind))
    query = (
        select(mp)
        .where(mp.c.kind == kind)
        .order_by(func.abs(mp.c.match_probability - 0.5), mp.c.id)
    )
    out: list[dict[str, Any]] = []
    for row in conn.execute(query):
        if graph.implied(row.a_mention_id, row.b_mention_id):
            continue
        out.append(
            {"a": f"{kind}:{row.a_mention_id}", "b": f"{kind}:{row.b_mention_id}",
             "match_probability": row.match_probability, "match_weight": row.match_weight,
             "for": {k: w for k, w in (row.evidence or {}).items() if w > 0},
             "against": {k: w for k, w in (row.evidence or {}).items() if w < 0}}
        )  # fmt: skip
        if len(out) >= limit:
            break
    names = {}
    ids = {int(p[s].split(":")[1]) for p in out for s in ("a", "b")}
    if ids:
        rows = conn.execute(select(m.c.id, m.c.raw_name, m.c.dob).where(m.c.id.in_(ids)))
        names = {r.id: (r.raw_name, r.dob) for r in rows}
    for p in out:
        for side in ("a", "b"):
            name, dob = names.get(int(p[side].split(":")[1]), (None, None))
            p[f"{side}_name"], p[f"{side}_dob"] = name, dob.isoformat() if dob else None
    return out
