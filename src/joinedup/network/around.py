"""The neighbourhood of an entity to depth k, as a link chart shows it: entities ring by
ring, the links found from each expanded entity, filtered by dates, roles and kinds.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from joinedup.network.links import associations_from, evidence_items, strengths
from joinedup.network.model import Association, EventLink, Node, Subgraph

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

    Each ring is expanded in turn, so every link of an entity nearer than `depth` is shown,
    oriented from the nearer end (links between two entities on the outermost ring are not
    looked up: expand one of them). Candidate links (partial plates) are shown but never
    expanded. `kinds` keeps entities of those kinds. `max_nodes` admits the strongest-linked
    entities first and stops there (truncated=True); the links among those shown are kept.
    """
    if depth < 0:
        raise ValueError("depth must be 0 or more")
    centre = g.vertex(entity)
    flt = g.filter(date_from, date_to, roles)
    allowed = None
    if kinds is not None:
        allowed = np.isin(g.entity_kind, g.kinds.codes_of(set(kinds)))
    inside = np.zeros(g.n_entities, dtype=bool)
    inside[centre] = True
    depth_of = {centre: 0}
    edges: dict[tuple[int, int, str], Association] = {}
    truncated = False
    frontier = [centre]
    for d in range(depth):
        if not frontier:
            break
        items = evidence_items(g, frontier, flt)
        if allowed is not None:
            items = items.take(allowed[items.cols["other"]])
        pairs = strengths(items)
        # Admit new entities ring by ring: each expanded entity's strongest links first, in
        # the order the entities were admitted themselves.
        rank = {v: i for i, v in enumerate(frontier)}
        pairs["rank"] = pairs.source.map(rank)
        pairs = pairs.sort_values(["rank", "firm", "count", "other"],
                                  ascending=[True, False, False, True])  # fmt: skip
        firm_any = pairs.groupby("other").firm.any()
        new = pairs[~inside[pairs.other.to_numpy()]].drop_duplicates("other")
        room = len(new) if max_nodes is None else max(0, max_nodes - len(depth_of))
        truncated |= len(new) > room
        admitted = new.other.to_numpy()[:room]
        inside[admitted] = True
        following = []
        for y in admitted.tolist():
            depth_of[y] = d + 1
            if firm_any[y]:
                following.append(y)
        # Links from the ring to every entity on the chart, each found once.
        kept = items.take(inside[items.cols["other"]])
        for a in sorted(associations_from(g, kept), key=lambda a: rank[g.vertex(a.entity_id)]):
            key = (min(a.entity_id, a.other_id), max(a.entity_id, a.other_id), a.kind)
            edges.setdefault(key, a)
        frontier = following
    ids = g.entity_ids
    nodes = [
        Node(int(ids[v]), g.kind_of(v), g.label_of(v), d)
        for v, d in sorted(depth_of.items(), key=lambda kv: (kv[1], int(ids[kv[0]])))
    ]
    out = Subgraph(
        centre=int(ids[centre]),
        depth=depth,
        nodes=nodes,
        edges=list(edges.values()),
        truncated=truncated,
        filters={
            "from": date_from.isoformat() if date_from else None,
            "to": date_to.isoformat() if date_to else None,
            "roles": sorted(roles) if roles is not None else None,
            "kinds": sorted(kinds) if kinds is not None else None,
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
