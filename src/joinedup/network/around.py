"""The neighbourhood of an entity to depth k, as a link chart shows it: entities ring by
ring, the links found from each expanded entity, filtered by dates, roles and kinds.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from joinedup.network.links import associations_of
from joinedup.network.model import Association, EventLink, Node, Subgraph
from joinedup.network.paths import mirror

if TYPE_CHECKING:
    from joinedup.network.graph import PoleGraph


def neighbourhood(
    g: PoleGraph,
    entity: int | str,
    depth: int = 2,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    roles: Iterable[str] | None = None,
    kinds: Iterable[str] | None = None,
    max_nodes: int | None = None,
    with_events: bool = False,
) -> Subgraph:
    """Entities within `depth` firm links of `entity` and the links among them.

    Each ring is expanded in turn, so every link of an entity nearer than `depth` is shown
    (links between two entities on the outermost ring are not looked up: expand one of them
    to see them). Candidate links (partial plates) are shown but never expanded. `kinds`
    keeps entities of those kinds; `max_nodes` stops adding entities (truncated=True).
    """
    if depth < 0:
        raise ValueError("depth must be 0 or more")
    centre = g.vertex(entity)
    flt = g.filter(date_from, date_to, roles)
    wanted = None if kinds is None else set(kinds)
    depth_of = {centre: 0}
    edges: dict[tuple[int, int, str], Association] = {}
    truncated = False
    frontier = [centre]
    for d in range(depth):
        following: list[int] = []
        for x in frontier:
            for a in associations_of(g, x, flt):
                if wanted is not None and a.other_kind not in wanted:
                    continue
                y = g.vertex(a.other_id)
                if y not in depth_of:
                    if max_nodes is not None and len(depth_of) >= max_nodes:
                        truncated = True
                        continue
                    depth_of[y] = d + 1
                    if a.firm:
                        following.append(y)
                key = (min(a.entity_id, a.other_id), max(a.entity_id, a.other_id), a.kind)
                if key not in edges:
                    edges[key] = a if a.entity_id < a.other_id else mirror(a, g)
        frontier = following
    nodes = [
        Node(int(g.entity_ids[v]), g.kind_of(v), g.label_of(v), d)
        for v, d in sorted(depth_of.items(), key=lambda kv: (kv[1], int(g.entity_ids[kv[0]])))
    ]
    out = Subgraph(
        centre=int(g.entity_ids[centre]),
        depth=depth,
        nodes=nodes,
        edges=sorted(edges.values(), key=lambda a: (a.entity_id, a.other_id, a.kind)),
        truncated=truncated,
        filters={
            "from": date_from.isoformat() if date_from else None,
            "to": date_to.isoformat() if date_to else None,
            "roles": sorted(roles) if roles is not None else None,
            "kinds": sorted(wanted) if wanted is not None else None,
            "max_nodes": max_nodes,
        },
    )
    if with_events:
        out.events = _events(g, out, depth_of)
    return out


def _events(g: PoleGraph, sub: Subgraph, depth_of: dict[int, int]) -> list[EventLink]:
    """The participations of the chart's entities in the events its links rest on."""
    wanted = {e.event_id for a in sub.edges for e in a.evidence if e.event_id is not None}
    found = []
    for v in depth_of:
        for r in g.p_by_entity.rows(v):
            if int(g.event_ids[g.p_event[r]]) in wanted:
                found.append(g.event_link(int(r)))
    return sorted(found, key=lambda e: (e.day, e.event_id, e.entity_id, e.role))
