"""The leads report as one self-contained HTML page: no external assets, no script; an
inline SVG link chart per group (ties from shared evidence events) and a timeline.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from importlib import resources
from itertools import combinations
from typing import Any

from jinja2 import Environment, select_autoescape
from sqlalchemy import Connection, and_

from joinedup.store import participations
from joinedup.store import tables as t

COLOURS = {"adult": "#c33", "child": "#36c", "vehicle": "#777", "location": "#393", "phone": "#a6c"}


def _esc(text: Any) -> str:
    from markupsafe import escape

    return str(escape(str(text)))


def member_ties(conn: Connection, lead: dict[str, Any]) -> list[tuple[str, str]]:
    """Pairs of members who appear in the same evidence event."""
    members = {m["entity"] for m in lead["members"]}
    events = sorted({e["event"] for e in lead["evidence"] if "event" in e})
    if not events:
        return []
    em = t.entity_member
    by_event: dict[int, set[str]] = {}
    for i in range(0, len(events), 500):
        chunk = events[i : i + 500]
        for kind, m in participations.MENTION_TABLES.items():
            query = (
                participations.of_kind(kind, em.c.entity_id)
                .join(em, and_(em.c.mention_kind == kind, em.c.mention_id == m.c.id))
                .where(t.event.c.id.in_(chunk))
            )
            for ev, _kind, _mention, _role, entity in conn.execute(query):
                if f"E{entity}" in members:
                    by_event.setdefault(ev, set()).add(f"E{entity}")
    pairs = set()
    for ents in by_event.values():
        pairs |= {tuple(sorted(x)) for x in combinations(ents, 2)}
    return sorted(pairs)  # type: ignore[arg-type]


def link_chart(lead: dict[str, Any], ties: list[tuple[str, str]], size: int = 320) -> str:
    members = lead["members"][:40]
    n = max(1, len(members))
    pos = {}
    for i, m in enumerate(members):
        angle = 2 * math.pi * i / n
        r = size * (0.28 if m["kind"] == "child" else 0.42)
        pos[m["entity"]] = (size / 2 + r * math.cos(angle), size / 2 + r * math.sin(angle))
    parts = [f'<svg width="{size}" height="{size}" role="img" aria-label="link chart">']
    for a, b in ties:
        if a in pos and b in pos:
            (x1, y1), (x2, y2) = pos[a], pos[b]
            parts.append(f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" '
                         'stroke="#999"/>')  # fmt: skip
    for m in members:
        x, y = pos[m["entity"]]
        radius = 7 if m["role"] == "core" else 5
        colour = COLOURS.get(m["kind"], "#000")
        name = f"{m['entity']} {m['label'] or ''} ({m['kind']})"
        parts.append(
            f'<circle cx="{x:.0f}" cy="{y:.0f}" r="{radius}" fill="{colour}">'
            f"<title>{_esc(name)}</title></circle>"
            f'<text x="{x + 8:.0f}" y="{y + 4:.0f}" font-size="9">{_esc(m["entity"])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def timeline(lead: dict[str, Any], width: int = 640) -> str:
    days = sorted(date.fromisoformat(e["when"][:10]) for e in lead["evidence"] if e.get("when"))
    if not days:
        return ""
    first, last = days[0], days[-1]
    span = max(1, (last - first).days)
    parts = [f'<svg width="{width}" height="40" role="img" aria-label="timeline">',
             f'<line x1="10" y1="20" x2="{width - 10}" y2="20" stroke="#666"/>']  # fmt: skip
    for d in days:
        x = 10 + (width - 20) * (d - first).days / span
        parts.append(f'<circle cx="{x:.0f}" cy="20" r="3" fill="#c33"><title>{d}</title></circle>')
    parts.append(f'<text x="10" y="38" font-size="9">{first}</text>')
    parts.append(f'<text x="{width - 70}" y="38" font-size="9">{last}</text></svg>')
    return "".join(parts)


def render_report(conn: Connection, leads: list[dict[str, Any]], actor: str, recipient: str) -> str:
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    shown = []
    for lead in leads:
        item = dict(lead)
        item["chart"] = link_chart(lead, member_ties(conn, lead)) if lead["members"] else ""
        item["timeline"] = timeline(lead)
        shown.append(item)
    generated = datetime.now().isoformat(timespec="minutes")
    page = (resources.files("joinedup.detect") / "templates" / "leads.html").read_text("utf-8")
    return env.from_string(page).render(
        leads=shown, actor=actor, recipient=recipient, generated=generated
    )
