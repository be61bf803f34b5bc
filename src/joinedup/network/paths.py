"""Shortest paths between two entities: fewest firm links, or time-respecting (each hop a
shared event no earlier than the one before, so the chain could really have happened).
"""

from __future__ import annotations

import heapq
import warnings
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from joinedup.network.links import associations_from, co_participants, evidence_items
from joinedup.network.load import day_of
from joinedup.network.model import Association, Evidence, Hop, Path

if TYPE_CHECKING:
    from joinedup.network.graph import Filter, PoleGraph


def mirror(a: Association, g: PoleGraph) -> Association:
    """The same link seen from its other end."""
    v = g.vertex(a.entity_id)
    flipped = [Evidence(e.record_id, e.event_id, e.day, e.other_role, e.role, e.via)
               for e in a.evidence]  # fmt: skip
    return Association(a.other_id, a.entity_id, g.kind_of(v), g.label_of(v), a.kind, a.firm,
                       flipped, a.candidates, a.reason)  # fmt: skip


def links_between(g: PoleGraph, x: int, y: int, flt: Filter) -> list[Association]:
    """Firm links from vertex x to vertex y, with their evidence."""
    items = evidence_items(g, [x], flt)
    found = associations_from(g, items.take(items.cols["other"] == y))
    return [a for a in found if a.firm]


def shortest_path(
    g: PoleGraph,
    a: int | str,
    b: int | str,
    *,
    time_respecting: bool = False,
    kinds: Iterable[str] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Path | None:
    """A shortest path from a to b, or None when there is none. `kinds` limits the entity
    kinds a path may pass through; the dates bound the events a time-respecting path uses."""
    va, vb = g.vertex(a), g.vertex(b)
    kinds = None if kinds is None else set(kinds) | {g.kind_of(va), g.kind_of(vb)}
    if time_respecting:
        return _time_respecting(g, va, vb, kinds, g.filter(date_from, date_to))
    proj = g.projection(kinds)
    pa, pb = int(proj.from_pole[va]), int(proj.from_pole[vb])
    with warnings.catch_warnings():  # igraph warns when b cannot be reached: None says so
        warnings.simplefilter("ignore", RuntimeWarning)
        route = proj.graph.get_shortest_path(pa, pb) if pa != pb else [pa]
    if not route:
        return None
    vs = [int(proj.to_pole[pv]) for pv in route]
    flt = g.filter()
    hops = [
        Hop(int(g.entity_ids[x]), int(g.entity_ids[y]), g.kind_of(y), g.label_of(y),
            links_between(g, x, y, flt))
        for x, y in zip(vs, vs[1:], strict=False)
    ]  # fmt: skip
    return Path(int(g.entity_ids[va]), int(g.entity_ids[vb]), False, hops)


def _time_respecting(
    g: PoleGraph, va: int, vb: int, kinds: set[str] | None, flt: Filter
) -> Path | None:
    """Earliest arrival (then fewest hops) over shared events taken in date order; events on
    the same day may follow each other. Only shared events count: ties and shared objects
    have no single date at which the link was made."""
    allowed = None
    if kinds is not None:
        allowed = np.isin(g.entity_kind, [g.kinds.index[k] for k in kinds if k in g.kinds.index])
    start = flt.day_from if flt.day_from is not None else -(2**31)
    best: dict[int, tuple[int, int]] = {va: (start, 0)}
    came: dict[int, tuple[int, int, int]] = {}  # vertex -> (previous, own row, other row)
    heap = [(start, 0, va)]
    done: set[int] = set()
    while heap:
        day, hops, x = heapq.heappop(heap)
        if x in done:
            continue
        done.add(x)
        if x == vb:
            break
        if x != va and allowed is not None and not allowed[x]:
            continue  # may end here, not pass through
        rows = g.p_by_entity.rows(x)
        rows = rows[(g.p_day[rows] >= day) & flt.days_ok(g.p_day[rows])]
        mine, theirs = co_participants(g, rows, flt)
        order = np.lexsort((g.p_event[theirs], g.p_day[theirs]))
        for m, o in zip(mine[order], theirs[order], strict=True):
            y = int(g.p_entity[o])
            arrive = (int(g.p_day[o]), hops + 1)
            if y not in done and arrive < best.get(y, (2**31, 0)):
                best[y] = arrive
                came[y] = (x, int(m), int(o))
                heapq.heappush(heap, (*arrive, y))
    if vb not in done:
        return None
    steps = []
    y = vb
    while y != va:
        x, m, o = came[y]
        steps.append((x, y, m, o))
        y = x
    roles = g.roles.names
    hops_out = []
    for x, y, m, o in reversed(steps):
        ev = int(g.p_event[m])
        evidence = Evidence(int(g.event_record[ev]), int(g.event_ids[ev]), day_of(g.event_day[ev]),
                            roles[g.p_role[m]], roles[g.p_role[o]])  # fmt: skip
        link = Association(int(g.entity_ids[x]), int(g.entity_ids[y]), g.kind_of(y),
                           g.label_of(y), "co_event", True, [evidence])  # fmt: skip
        hops_out.append(Hop(int(g.entity_ids[x]), int(g.entity_ids[y]), g.kind_of(y),
                            g.label_of(y), [link], evidence.day))  # fmt: skip
    return Path(int(g.entity_ids[va]), int(g.entity_ids[vb]), True, hops_out)
