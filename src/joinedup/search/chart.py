"""Link-chart data: neighbourhoods, groups and paths from joinedup.network, cut down to the
records the reader's unit may see and marked with the flags that touch each entity.

The graph is built once per process and rebuilt when a new resolution or detection run
has finished (both change what the chart should show).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, func, select

from joinedup.network import PoleGraph, build_graph
from joinedup.network.model import Association
from joinedup.search.cache import PerStore
from joinedup.search.profile import flags_available, member_rows
from joinedup.search.visibility import NotFound, hidden_records
from joinedup.store import tables as t

MAX_NODES = 150  # a chart beyond this is unreadable: expand further from a node instead
# Evidence items and record ids kept per link in a chart; the counts say how many there
# are, and the profile or the network CLI lists every one.
MAX_EVIDENCE = 20


def _runs(conn: Connection) -> tuple[Any, ...]:
    r = t.resolution_run
    key: list[Any] = [conn.execute(select(func.max(r.c.id)).where(r.c.status == "done")).scalar()]
    if flags_available(conn):
        d = t.detection_run
        key.append(conn.execute(select(func.max(d.c.id)).where(d.c.status == "done")).scalar())
    return tuple(key)


# One PoleGraph per store per process, keyed by the latest finished runs.
GRAPHS: PerStore[PoleGraph] = PerStore(_runs, build_graph)


def flagged(conn: Connection, entity_ids: set[int]) -> dict[int, list[dict[str, Any]]]:
    """Open flags on these entities (their own and the groups they are in)."""
    if not entity_ids or not flags_available(conn):
        return {}
    f, fm = t.flag, t.flag_member
    ids = sorted(entity_ids)[:900]
    out: dict[int, list[dict[str, Any]]] = {}
    own = select(f.c.entity_id, f.c.id, f.c.kind, f.c.band, f.c.rule_id, f.c.status).where(
        f.c.entity_id.in_(ids), f.c.active.is_(True), f.c.status != "dismissed"
    )
    groups = (
        select(fm.c.entity_id, f.c.id, f.c.kind, f.c.band, f.c.rule_id, f.c.status)
        .join(f, f.c.id == fm.c.flag_id)
        .where(fm.c.entity_id.in_(ids), f.c.active.is_(True), f.c.status != "dismissed")
    )
    for query in (own, groups):
        for row in conn.execute(query):
            out.setdefault(int(row[0]), []).append(
                {"flag_id": row.id, "kind": row.kind, "band": row.band, "rule": row.rule_id,
                 "status": row.status}
            )  # fmt: skip
    return out


def _visible_edges(conn: Connection, edges: list[Association], unit: str | None) -> list[dict]:
    hidden = hidden_records(conn, {r for a in edges for r in a.record_ids}, unit)
    out = []
    for a in edges:  # on dicts: the graph's own objects are shared by every request
        link = a.to_dict()
        evidence = [e for e in link["evidence"] if e["record_id"] not in hidden]
        records = [r for r in link["record_ids"] if r not in hidden]
        if not evidence:
            continue
        link.update(evidence=evidence[:MAX_EVIDENCE], evidence_count=len(evidence),
                    record_ids=records[:MAX_EVIDENCE], record_count=len(records))  # fmt: skip
        out.append(link)
    return out


def _chart(conn: Connection, nodes: list[dict], edges: list[Association], unit: str | None,
           **extra: Any) -> dict[str, Any]:  # fmt: skip
    """Drop what the reader may not see: links whose every record is hidden, then entities
    left with no visible record; mark flags."""
    kept_edges = _visible_edges(conn, edges, unit)
    linked = {e["entity"] for e in kept_edges} | {e["other"] for e in kept_edges}
    centre_ids = set(extra.get("centres", []))
    visible_nodes = [n for n in nodes if n["id"] in linked or n["entity_id"] in centre_ids]
    flags = flagged(conn, {n["entity_id"] for n in visible_nodes})
    for n in visible_nodes:
        n["flags"] = flags.get(n["entity_id"], [])
    ids = {n["id"] for n in visible_nodes}
    kept_edges = [e for e in kept_edges if e["entity"] in ids and e["other"] in ids]
    return {**extra, "nodes": visible_nodes, "edges": kept_edges}


def _check_visible(conn: Connection, g: PoleGraph, entity_id: int, unit: str | None) -> None:
    if not g.has_entity(entity_id):
        raise NotFound(f"there is no entity E{entity_id} in the network")
    kind = g.kind_of(g.vertex(entity_id))
    if not member_rows(conn, entity_id, kind, unit):
        raise NotFound(f"there is no entity E{entity_id} in the network")


def neighbourhood_chart(
    conn: Connection, g: PoleGraph, entity_id: int, *, depth: int = 1,
    date_from: date | None = None, date_to: date | None = None,
    roles: list[str] | None = None, unit: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The entity and its neighbours to `depth`, with every link's evidence."""
    _check_visible(conn, g, entity_id, unit)
    sub = g.neighbourhood(entity_id, depth, date_from=date_from, date_to=date_to,
                          roles=roles or None, max_nodes=MAX_NODES)  # fmt: skip
    as_dict = sub.to_dict()
    return _chart(conn, as_dict["nodes"], sub.edges, unit, centres=[entity_id],
                  centre=as_dict["centre"], depth=depth, truncated=sub.truncated,
                  filters=as_dict["filters"])  # fmt: skip


def group_chart(conn: Connection, g: PoleGraph, flag_id: int, *, unit: str | None = None,
                date_from: date | None = None, date_to: date | None = None,
                roles: list[str] | None = None) -> dict[str, Any]:  # fmt: skip
    """A group flag's members and the links among them and to their direct neighbours."""
    if not flags_available(conn):
        raise NotFound("there are no groups yet: run detection first")
    f, fm = t.flag, t.flag_member
    group = conn.execute(select(f).where(f.c.id == flag_id, f.c.kind == "group")).first()
    if group is None:
        raise NotFound(f"there is no group G{flag_id}")
    members = [int(m) for m in conn.execute(
        select(fm.c.entity_id).where(fm.c.flag_id == flag_id)).scalars()]  # fmt: skip
    nodes: dict[str, dict] = {}
    edges: dict[tuple[str, str, str], Association] = {}
    for m in members:
        if not g.has_entity(m):
            continue
        sub = g.neighbourhood(m, 1, date_from=date_from, date_to=date_to, roles=roles or None,
                              max_nodes=MAX_NODES)  # fmt: skip
        for n in sub.to_dict()["nodes"]:
            nodes.setdefault(n["id"], n)
        for a in sub.edges:
            edges.setdefault((f"E{min(a.entity_id, a.other_id)}",
                              f"E{max(a.entity_id, a.other_id)}", a.kind), a)  # fmt: skip
        if len(nodes) >= MAX_NODES:
            break
    for n in nodes.values():
        n["member"] = n["entity_id"] in members
    visible_members = [m for m in members if g.has_entity(m)
                       and member_rows(conn, m, g.kind_of(g.vertex(m)), unit)]  # fmt: skip
    return _chart(conn, list(nodes.values()), list(edges.values()), unit,
                  centres=visible_members, group=f"G{flag_id}", reason=group.reason)  # fmt: skip


def path_chart(conn: Connection, g: PoleGraph, a: int, b: int, *,
               unit: str | None = None) -> dict[str, Any]:  # fmt: skip
    """The shortest chain of firm links between two entities, if the reader may see it all."""
    _check_visible(conn, g, a, unit)
    _check_visible(conn, g, b, unit)
    path = g.shortest_path(a, b)
    if path is None:
        return {"from": f"E{a}", "to": f"E{b}", "found": False, "entities": [], "hops": []}
    found = path.to_dict()
    hidden = hidden_records(
        conn, {r for h in found["hops"] for x in h["links"] for r in x["record_ids"]}, unit
    )
    for hop in found["hops"]:
        for link in hop["links"]:
            link["evidence"] = [e for e in link["evidence"] if e["record_id"] not in hidden]
        hop["links"] = [x for x in hop["links"] if x["evidence"]]
    if any(not hop["links"] for hop in found["hops"]):
        return {"from": f"E{a}", "to": f"E{b}", "found": False, "entities": [], "hops": []}
    return {**found, "found": True}
