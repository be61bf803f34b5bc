"""Analyst measures on the entity-entity projection (degree, betweenness, closeness,
eigenvector, k-core) and Leiden communities, deterministic for a given seed.
"""

from __future__ import annotations

import random
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import igraph as ig
import numpy as np

from joinedup.network.model import Community, Measure
from joinedup.network.projection import vertices_of

if TYPE_CHECKING:
    from joinedup.network.graph import PoleGraph


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """igraph draws from a generator we seed, then gets Python's back: the same seed on the
    same graph gives the same answer (Leiden; ARPACK's start vector for eigenvectors) and
    other code's randomness is untouched."""
    ig.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        ig.set_random_number_generator(random)


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
        with warnings.catch_warnings():  # igraph's "nearly zero" warning: one component here
            warnings.simplefilter("ignore", RuntimeWarning)
            values = sub.eigenvector_centrality(scale=True, weights=weights)
        for v, x in zip(comp, values, strict=True):
            out[v] = float(x)
    return out


def sampled_paths(graph: ig.Graph, sample: int, seed: int) -> tuple[list[float], list[float]]:
    """Betweenness and closeness estimated from `sample` random source entities: shortest
    paths from the sources only, betweenness scaled by n / sample (Brandes and Pich 2007),
    closeness as the inverse mean distance to the sources each entity can reach."""
    n = graph.vcount()
    sources = sorted(random.Random(seed).sample(range(n), sample))
    scale = n / sample
    between = [b * scale for b in graph.betweenness(directed=False, sources=sources)]
    total = np.zeros(n)
    reached = np.zeros(n)
    for i in range(0, sample, 64):  # 64 rows of distances at a time keeps memory small
        d = np.array(graph.distances(source=sources[i : i + 64]), dtype=float)
        ok = np.isfinite(d) & (d > 0)
        total += np.where(ok, d, 0).sum(axis=0)
        reached += ok.sum(axis=0)
    close = np.divide(reached, total, out=np.zeros(n), where=total > 0)
    return between, close.tolist()


def measures(
    g: PoleGraph,
    *,
    kinds: Iterable[str] | None = None,
    links: Iterable[str] | None = None,
    within: Iterable[int | str] | None = None,
    cutoff: int | None = None,
    sample: int | None = None,
    seed: int = 0,
) -> list[Measure]:
    """Each entity's measures, highest betweenness first. `within` restricts the graph to
    those entities (a community, a component). Betweenness and closeness are exact unless
    `cutoff` bounds the path lengths they count or `sample` estimates them from that many
    random source entities (seeded): both are for graphs of hundreds of thousands."""
    proj = g.projection(kinds, links)
    graph, pvs = proj.graph, list(range(proj.graph.vcount()))
    if within is not None:
        pvs = sorted(set(vertices_of(g, proj, within)))
        graph = graph.induced_subgraph(pvs)
    component = graph.connected_components().membership
    degree = graph.degree()
    strength = graph.strength(weights="weight") if graph.ecount() else [0.0] * len(pvs)
    estimated = sample is not None and sample < len(pvs)
    if estimated:
        between, close = sampled_paths(graph, int(sample), seed)  # type: ignore[arg-type]
    else:
        between = graph.betweenness(directed=False, cutoff=cutoff)
        close = graph.closeness(cutoff=cutoff)
    with seeded(seed):
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
                estimated=estimated or cutoff is not None,
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
    iterations: int = 5,
) -> list[Community]:
    """Leiden (modularity, weighted by evidence count) on the projection; largest first;
    the same seed on the same graph gives the same communities. `iterations` passes of
    Leiden (-1: until stable, about ten times slower for a modularity gain under 0.001 on
    the synthetic city)."""
    proj = g.projection(kinds, links)
    graph = proj.graph
    with seeded(seed):
        found = graph.community_leiden(
            objective_function="modularity",
            weights="weight" if graph.ecount() else None,
            resolution=resolution,
            n_iterations=iterations,
        )
    groups: dict[int, list[int]] = {}
    for pv, c in enumerate(found.membership):
        groups.setdefault(c, []).append(pv)
    membership = np.asarray(found.membership, dtype=np.int64)
    internal = np.zeros(int(membership.max()) + 1 if len(membership) else 0)
    if len(proj.ends):
        a, b = membership[proj.ends[:, 0]], membership[proj.ends[:, 1]]
        same = a == b
        internal = np.bincount(a[same], weights=proj.weights[same], minlength=len(internal))
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
