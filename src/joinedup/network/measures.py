"""Analyst measures on the entity-entity projection (degree, betweenness, closeness,
eigenvector, k-core) and Leiden communities, deterministic for a given seed.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

import igraph as ig

from joinedup.network.model import Community, Measure
from joinedup.network.projection import vertices_of

if TYPE_CHECKING:
    from joinedup.network.graph import PoleGraph


def eigenvector_by_component(graph: ig.Graph, weights: str | None = "weight") -> list[float]:
    """Eigenvector centrality scaled to 1 at the top of each connected component (a single
    disconnected computation would give zeros outside the component with the largest
    eigenvalue)."""
    out = [0.0] * graph.vcount()
    for comp in graph.connected_components():
        if len(comp) == 1:
            continue
        if len(comp) == 2:
            out[comp[0]] = out[comp[1]] = 1.0
            continue
        sub = graph.induced_subgraph(comp)
        values = sub.eigenvector_centrality(scale=True, weights=weights if sub.ecount() else None)
        for v, x in zip(comp, values, strict=True):
            out[v] = float(x)
    return out


def measures(
    g: PoleGraph,
    *,
    kinds: Iterable[str] | None = None,
    links: Iterable[str] | None = None,
    within: Iterable[int | str] | None = None,
    cutoff: int | None = None,
) -> list[Measure]:
    """Each entity's measures, highest betweenness first. `within` restricts the graph to
    those entities (a community, a component); `cutoff` bounds path lengths considered by
    betweenness and closeness (exact when None; use it on very large graphs)."""
    proj = g.projection(kinds, links)
    graph, pvs = proj.graph, list(range(proj.graph.vcount()))
    if within is not None:
        pvs = sorted(set(vertices_of(g, proj, within)))
        graph = graph.induced_subgraph(pvs)
    component = graph.connected_components().membership
    degree = graph.degree()
    strength = graph.strength(weights="weight") if graph.ecount() else [0.0] * len(pvs)
    between = graph.betweenness(directed=False, cutoff=cutoff)
    close = graph.closeness(cutoff=cutoff)
    eigen = eigenvector_by_component(graph)
    core = graph.coreness()
    out = []
    for i, pv in enumerate(pvs):
        v = int(proj.to_pole[pv])
        c = close[i]
        out.append(
            Measure(
                entity_id=int(g.entity_ids[v]),
                kind=g.kind_of(v),
                label=g.label_of(v),
                degree=int(degree[i]),
                weighted_degree=float(strength[i]),
                betweenness=float(between[i]),
                closeness=0.0 if c != c else float(c),  # NaN for an isolated entity
                eigenvector=eigen[i],
                coreness=int(core[i]),
                component=int(component[i]),
            )
        )
    out.sort(key=lambda m: (-m.betweenness, -m.degree, m.entity_id))
    return out


def communities(
    g: PoleGraph,
    *,
    seed: int = 0,
    resolution: float = 1.0,
    kinds: Iterable[str] | None = None,
    links: Iterable[str] | None = None,
    min_size: int = 2,
) -> list[Community]:
    """Leiden (modularity, weighted by evidence count) on the projection; largest first.

    igraph draws its random numbers from a generator we seed and then restore, so the same
    seed on the same graph gives the same communities and other code's randomness is untouched.
    """
    proj = g.projection(kinds, links)
    graph = proj.graph
    ig.set_random_number_generator(random.Random(seed))
    try:
        found = graph.community_leiden(
            objective_function="modularity",
            weights="weight" if graph.ecount() else None,
            resolution=resolution,
            n_iterations=-1,
        )
    finally:
        ig.set_random_number_generator(random)
    groups: dict[int, list[int]] = {}
    for pv, c in enumerate(found.membership):
        groups.setdefault(c, []).append(pv)
    weights = graph.es["weight"] if graph.ecount() else []
    internal: Counter[int] = Counter()
    membership = found.membership
    for e, (s, t) in enumerate(graph.get_edgelist()):
        if membership[s] == membership[t]:
            internal[membership[s]] += weights[e]
    rows = []
    for c, pvs in groups.items():
        if len(pvs) < min_size:
            continue
        vs = [int(proj.to_pole[pv]) for pv in pvs]
        members = sorted(int(g.entity_ids[v]) for v in vs)
        kinds_count = Counter(g.kind_of(v) for v in vs)
        rows.append((members, dict(sorted(kinds_count.items())), float(internal[c])))
    rows.sort(key=lambda r: (-len(r[0]), r[0][0]))
    return [Community(i, m, k, w) for i, (m, k, w) in enumerate(rows)]
