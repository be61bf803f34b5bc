"""Depth, shortest paths (plain and in date order), measures against igraph, Leiden."""

from __future__ import annotations

import json
from datetime import date

import igraph as ig
import pytest
from sqlalchemy.engine import Engine

from joinedup.network import PoleGraph, build_graph
from joinedup.store import write_transaction
from tests.network.builder import StoreBuilder
from tests.network.conftest import World

D = date


def graph(engine: Engine) -> PoleGraph:
    with engine.connect() as conn:
        return build_graph(conn)


def chain(engine: Engine, detour: bool) -> dict[str, int]:
    """X1-X2 (1 Jan), X2-X3 (5 Jan), X3-X4 (3 Jan): X1 to X4 only out of date order.
    With the detour, X2-X5 (6 Jan) and X5-X4 (7 Jan) give an in-order route."""
    with write_transaction(engine) as conn:
        b = StoreBuilder(conn)
        x = {f"X{n}": b.entity("person", f"Person {n}") for n in range(1, 6)}
        hops = [("X1", "X2", 1), ("X2", "X3", 5), ("X3", "X4", 3)]
        if detour:
            hops += [("X2", "X5", 6), ("X5", "X4", 7)]
        for a, c, day in hops:
            e, _, _ = b.event(
                "police_incident", D(2024, 1, day), [(x[a], "suspect"), (x[c], "associate")]
            )
            x[f"{a}-{c}"] = e
    return x


def test_neighbourhood_depth(engine: Engine) -> None:
    x = chain(engine, detour=False)
    g = graph(engine)
    ring = {n.entity_id: n.depth for n in g.neighbourhood(x["X1"], 1).nodes}
    assert ring == {x["X1"]: 0, x["X2"]: 1}
    two = g.neighbourhood(x["X1"], depth=2)
    assert {n.entity_id: n.depth for n in two.nodes} == {x["X1"]: 0, x["X2"]: 1, x["X3"]: 2}
    assert [(e.entity_id, e.other_id) for e in two.edges] == [
        (x["X1"], x["X2"]), (x["X2"], x["X3"])
    ]  # fmt: skip
    assert len(g.neighbourhood(x["X1"], 3).nodes) == 4
    assert g.neighbourhood(x["X1"], 3, max_nodes=2).truncated
    json.dumps(two.to_dict())


def test_neighbourhood_filters_by_date_and_role(engine: Engine, world: World) -> None:
    g = graph(engine)
    found = g.neighbourhood(world.C, 1, roles=["missing_person", "found_with"])
    assert {n.entity_id for n in found.nodes} == {world.C, world.A}
    dated = g.neighbourhood(world.C, 1, date_from=D(2024, 4, 1))
    assert {n.entity_id for n in dated.nodes} == {world.C, world.B}
    with_events = g.neighbourhood(world.C, 1, date_from=D(2024, 4, 1), with_events=True)
    assert {(e.entity_id, e.role) for e in with_events.events} == {
        (world.C, "subject"), (world.B, "associate")
    }  # fmt: skip
    # candidate vehicles are shown but not expanded
    around = g.neighbourhood(world.C, 2)
    depth = {n.entity_id: n.depth for n in around.nodes}
    assert depth[world.V2] == 1
    assert any(not e.firm and world.V2 in (e.entity_id, e.other_id) for e in around.edges)


def test_shortest_path_with_evidence_on_each_hop(engine: Engine) -> None:
    x = chain(engine, detour=False)
    g = graph(engine)
    path = g.shortest_path(x["X1"], x["X4"])
    assert path is not None and path.entity_ids == [x["X1"], x["X2"], x["X3"], x["X4"]]
    assert [h.links[0].event_ids for h in path.hops] == [[x["X1-X2"]], [x["X2-X3"]], [x["X3-X4"]]]
    assert path.to_dict()["entities"][0] == f"E{x['X1']}"


def test_time_respecting_path_refuses_a_route_out_of_date_order(engine: Engine) -> None:
    x = chain(engine, detour=False)
    g = graph(engine)
    assert g.shortest_path(x["X1"], x["X4"]) is not None
    assert g.shortest_path(x["X1"], x["X4"], time_respecting=True) is None
    assert g.shortest_path(x["X1"], x["X3"], time_respecting=True) is not None
    # the reverse direction is in date order only if the days rise along it: X4-X3 (3 Jan)
    # then X3-X2 (5 Jan) is; X2-X1 (1 Jan) is not
    assert g.shortest_path(x["X4"], x["X2"], time_respecting=True) is not None
    assert g.shortest_path(x["X4"], x["X1"], time_respecting=True) is None


def test_time_respecting_path_takes_the_in_order_detour(engine: Engine) -> None:
    x = chain(engine, detour=True)
    g = graph(engine)
    path = g.shortest_path(x["X1"], x["X4"], time_respecting=True)
    assert path is not None and path.entity_ids == [x["X1"], x["X2"], x["X5"], x["X4"]]
    assert [h.day for h in path.hops] == [D(2024, 1, 1), D(2024, 1, 6), D(2024, 1, 7)]
    assert [h.links[0].event_ids for h in path.hops] == [
        [x["X1-X2"]], [x["X2-X5"]], [x["X5-X4"]]
    ]  # fmt: skip
    later = g.shortest_path(x["X1"], x["X4"], time_respecting=True, date_from=D(2024, 1, 2))
    assert later is None


def known_graph(engine: Engine) -> tuple[dict[str, int], list[tuple[str, str, int]]]:
    """Two triangles joined by a bridge, one pair linked twice (weight 2)."""
    edges = [("a", "b", 2), ("b", "c", 1), ("a", "c", 1), ("c", "d", 1),
             ("d", "e", 1), ("e", "f", 1), ("d", "f", 1), ("f", "g", 1)]  # fmt: skip
    with write_transaction(engine) as conn:
        b = StoreBuilder(conn)
        x = {n: b.entity("person", n.upper()) for n in "abcdefg"}
        day = 1
        for s, t, w in edges:
            for _ in range(w):
                b.event("police_incident", D(2024, 2, day), [(x[s], "suspect"), (x[t], "suspect")])
                day += 1
    return x, edges


def test_measures_match_igraph_on_a_known_graph(engine: Engine) -> None:
    x, edges = known_graph(engine)
    g = graph(engine)
    got = {m.entity_id: m for m in g.measures()}
    names = "abcdefg"
    ref = ig.Graph(n=7, edges=[(names.index(s), names.index(t)) for s, t, _ in edges])
    ref.es["weight"] = [float(w) for _, _, w in edges]
    between, close = ref.betweenness(), ref.closeness()
    eigen, core = ref.eigenvector_centrality(weights="weight"), ref.coreness()
    for i, n in enumerate(names):
        m = got[x[n]]
        assert m.degree == ref.degree(i)
        assert m.weighted_degree == ref.strength(i, weights="weight")
        assert m.betweenness == pytest.approx(between[i])
        assert m.closeness == pytest.approx(close[i])
        assert m.eigenvector == pytest.approx(eigen[i])
        assert m.coreness == core[i]
    assert max(got.values(), key=lambda m: m.betweenness).entity_id in (x["c"], x["d"])
    inner = {m.entity_id: m for m in g.measures(within=[x["a"], x["b"], x["c"]])}
    assert set(inner) == {x["a"], x["b"], x["c"]} and inner[x["c"]].betweenness == 0


def test_leiden_is_deterministic_and_finds_the_two_triangles(engine: Engine) -> None:
    x, _ = known_graph(engine)
    g = graph(engine)
    first = [c.members for c in g.communities(seed=3)]
    assert first == [c.members for c in g.communities(seed=3)]
    assert first == [c.members for c in graph(engine).communities(seed=3)]
    groups = {frozenset(m) for m in first}
    assert frozenset({x["a"], x["b"], x["c"]}) in groups
    assert any({x["d"], x["e"], x["f"]} <= m for m in groups)
    assert g.components() == [sorted(x.values())]


def test_sampled_measures_are_seeded_estimates(engine: Engine) -> None:
    x, _ = known_graph(engine)
    g = graph(engine)
    exact = {m.entity_id: m for m in g.measures()}
    first = g.measures(sample=4, seed=2)
    assert first == g.measures(sample=4, seed=2)
    assert all(m.estimated for m in first) and not any(m.estimated for m in exact.values())
    est = {m.entity_id: m for m in first}
    # the bridge ends carry every path between the triangles: still the top two estimated
    top_two = {m.entity_id for m in first[:2]}
    assert top_two <= {x["c"], x["d"], x["f"]}
    assert est[x["a"]].betweenness == exact[x["a"]].betweenness == 0
    assert all(est[e].degree == exact[e].degree for e in exact)
    # a sample as large as the graph is the exact computation
    assert {m.entity_id: m.betweenness for m in g.measures(sample=7)} == {
        e: m.betweenness for e, m in exact.items()
    }
