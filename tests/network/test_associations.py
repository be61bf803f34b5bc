"""Associations and their evidence, date and role filters, as-of, candidates, errors."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from joinedup.network import NetworkError, PoleGraph, UnknownEntity, build_graph
from joinedup.store import write_transaction
from tests.network.builder import StoreBuilder
from tests.network.conftest import World


def graph(engine: Engine, as_of: date | None = None) -> PoleGraph:
    with engine.connect() as conn:
        return build_graph(conn, as_of)


def links(g: PoleGraph, entity: int, **kw: object) -> dict[tuple[int, str], object]:
    return {(a.other_id, a.kind): a for a in g.associations(entity, **kw)}  # type: ignore[arg-type]


def test_the_igraph_carries_entities_events_and_roles(engine: Engine, world: World) -> None:
    g = graph(engine)
    G = g.graph
    entities = G.vs.select(type="entity")
    assert {v["entity_id"] for v in entities} == set(world.ids.values())
    assert len(G.vs.select(type="event")) == 6
    child = G.vs.find(entity_id=world.C)
    assert child["kind"] == "person" and child["label"] == "Ava Testchild"
    roles = {G.es[e]["role"] for e in G.incident(child.index)}
    assert roles == {"missing_person", "passenger", "subject"}
    e1 = G.vs.find(event_id=world.events["e1"])
    assert e1["event_type"] == "missing_episode" and e1["record_id"] == world.records["e1"]
    ties = G.es.select(type="vehicle_of")
    assert sorted(G.vs[e.source]["entity_id"] for e in ties) == sorted([world.A, world.B])


def test_co_event_association_carries_events_records_roles_and_dates(
    engine: Engine, world: World
) -> None:
    g = graph(engine)
    a = links(g, world.C)[(world.A, "co_event")]
    assert a.event_ids == sorted([world.events["e1"], world.events["e2"]])
    assert a.record_ids == sorted([world.records["e1"], world.records["e2"]])
    assert a.roles == {"missing_person", "passenger"}
    assert a.other_roles == {"found_with", "driver"}
    assert (a.first, a.last, a.count) == (date(2024, 1, 10), date(2024, 2, 1), 2)
    assert a.firm and a.other_kind == "person" and a.other_label == "Adam Testadult"
    # the same link seen from the other side has the roles swapped
    back = links(g, world.A)[(world.C, "co_event")]
    assert back.roles == {"found_with", "driver"} and back.event_ids == a.event_ids


def test_ties_shared_vehicle_shared_address_and_phone_contact(engine: Engine, world: World) -> None:
    g = graph(engine)
    of_a = links(g, world.A)
    assert of_a[(world.V, "vehicle_of")].roles == {"driver"}
    assert of_a[(world.H, "home_address")].record_ids == [world.records["e4"]]
    shared = of_a[(world.B, "shared_vehicle")]
    assert shared.record_ids == sorted([world.records["e2"], world.records["e3"]])
    assert {e.via for e in shared.evidence} == {world.V}
    assert shared.roles == {"driver"} and shared.other_roles == {"licence_holder"}
    home = of_a[(world.B, "shared_address")]
    assert home.record_ids == sorted([world.records["e3"], world.records["e4"]])
    contact = links(g, world.C)[(world.A, "phone_contact")]
    assert contact.record_ids == sorted([world.records["e4"], world.records["e5"]])
    assert contact.roles == {"missing_person"} and contact.other_roles == {"subject"}
    assert (world.C, "phone_contact") in links(g, world.A)
    assert (world.K, "phone_contact") not in links(g, world.A)


def test_date_filter_keeps_only_evidence_in_range(engine: Engine, world: World) -> None:
    g = graph(engine)
    later = links(g, world.C, date_from=date(2024, 1, 15))
    assert later[(world.A, "co_event")].event_ids == [world.events["e2"]]
    assert (world.K, "co_event") not in later
    early = links(g, world.C, date_to=date(2024, 1, 10))
    assert set(early) == {(world.K, "co_event"), (world.A, "co_event"), (world.O, "co_event"),
                          (world.L, "co_event")}  # fmt: skip
    dated = g.events_of(world.C, date_from=date(2024, 2, 1), date_to=date(2024, 3, 20))
    assert [e.event_id for e in dated] == [world.events["e2"], world.events["e5"]]


def test_role_filter_keeps_evidence_where_both_sides_play_those_roles(
    engine: Engine, world: World
) -> None:
    g = graph(engine)
    found = links(g, world.C, roles=["missing_person", "found_with"])
    assert set(found) == {(world.A, "co_event")}
    assert found[(world.A, "co_event")].event_ids == [world.events["e1"]]
    assert [e.role for e in g.events_of(world.C, roles=["subject"])] == ["subject"]
    # behind a shared vehicle the roles are the two people's: the vehicle's does not count
    drivers = links(g, world.A, roles=["driver", "licence_holder"])
    assert drivers[(world.B, "shared_vehicle")].other_roles == {"licence_holder"}
    assert (world.V, "vehicle_of") not in drivers  # the direct tie shows the role "vehicle"
    assert (world.B, "shared_vehicle") not in links(g, world.A, roles=["driver"])


def test_partial_plate_links_are_candidates_never_firm(engine: Engine, world: World) -> None:
    g = graph(engine)
    of_c = links(g, world.C)
    for vehicle in (world.V, world.V2):
        cand = of_c[(vehicle, "candidate_vehicle")]
        assert not cand.firm and cand.candidates == 2 and "AB1*" in cand.reason
        assert cand.event_ids == [world.events["e5"]]
    assert (world.V2, "co_event") not in of_c
    of_v2 = links(g, world.V2)
    assert all(not a.firm for a in of_v2.values())
    assert {k for k, _ in of_v2} == {world.C, world.P, world.PV}
    # not an edge of the projection: V2 is isolated there
    proj = g.projection()
    assert proj.graph.degree(int(proj.from_pole[g.vertex(world.V2)])) == 0
    assert g.shortest_path(world.C, world.V2) is None
    assert not g.associations(world.C, firm_only=True) == g.associations(world.C)


def test_as_of_excludes_later_records(engine: Engine, world: World) -> None:
    before = graph(engine, as_of=date(2024, 5, 1))  # e6 was received on 2 May
    assert (world.B, "co_event") not in links(before, world.C)
    assert before.summary()["events"] == 5
    on_day = graph(engine, as_of=date(2024, 5, 2))
    assert (world.B, "co_event") in links(on_day, world.C)
    early = graph(engine, as_of=date(2024, 1, 31))
    assert not early.has_entity(world.V) and early.has_entity(world.A)
    with pytest.raises(UnknownEntity, match="as of 2024-01-31"):
        early.associations(world.V)


def test_entity_refs_are_accepted_as_users_write_them(engine: Engine, world: World) -> None:
    g = graph(engine)
    assert g.associations(f"E{world.C}") == g.associations(world.C)
    assert g.associations(f"e{world.C}")[0].to_dict()["entity"] == f"E{world.C}"
    with pytest.raises(ValueError, match="not an entity id"):
        g.associations("person:1")


def test_build_refuses_a_store_that_was_never_resolved(engine: Engine) -> None:
    with write_transaction(engine) as conn:
        StoreBuilder(conn, resolved=False)
    with engine.connect() as conn, pytest.raises(NetworkError, match="joinedup resolve"):
        build_graph(conn)


def test_build_never_reads_protected_characteristics(engine: Engine, world: World) -> None:
    seen: list[str] = []

    def watch(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement.lower())

    event.listen(engine, "before_cursor_execute", watch)
    try:
        g = graph(engine)
        g.associations(world.C)
        g.communities()
    finally:
        event.remove(engine, "before_cursor_execute", watch)
    assert seen and not any("protected_characteristic" in s for s in seen)
