"""The graph of the tiny synthetic city, ingested and resolved, on SQLite and PostgreSQL:
counts reconcile with the store and known facts come back with their evidence."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Engine

from joinedup.network import build_graph
from joinedup.resolve import resolve_all
from joinedup.store import participations
from joinedup.store import tables as t


def test_city_graph_reconciles_and_explains(city_store: Engine) -> None:
    resolve_all(city_store, "network.test")
    # participations are derived (store/participations.py): as subqueries here
    p = participations.every_kind().subquery("p")
    em, ev, rec = t.entity_member, t.event, t.record
    with city_store.connect() as conn:
        g = build_graph(conn)
        resolved = conn.execute(
            select(func.count()).select_from(
                p.join(em, and_(em.c.mention_kind == p.c.mention_kind,
                                em.c.mention_id == p.c.mention_id))
            )
        ).scalar()  # fmt: skip
        events = conn.execute(select(func.count()).select_from(ev)).scalar()
        # a missing episode where the child was found with someone
        child = participations.every_kind().subquery("child")
        adult = participations.every_kind().subquery("adult")
        emc, ema = em.alias("emc"), em.alias("ema")
        found = conn.execute(
            select(child.c.event_id, emc.c.entity_id, ema.c.entity_id)
            .join(adult, and_(adult.c.event_id == child.c.event_id,
                              adult.c.role == "found_with"))
            .join(emc, and_(emc.c.mention_kind == "person", emc.c.mention_id == child.c.mention_id))
            .join(ema, and_(ema.c.mention_kind == "person", ema.c.mention_id == adult.c.mention_id))
            .where(child.c.role == "missing_person", emc.c.entity_id != ema.c.entity_id)
            .order_by(child.c.event_id)
            .limit(1)
        ).first()  # fmt: skip
        middle = conn.execute(select(func.min(rec.c.received_at))).scalar() + timedelta(days=20)
        by_middle = conn.execute(
            select(func.count()).select_from(ev.join(rec, rec.c.id == ev.c.record_id))
            .where(rec.c.received_at < datetime.combine(middle.date() + timedelta(days=1),
                                                        datetime.min.time()))
        ).scalar()  # fmt: skip
        earlier = build_graph(conn, as_of=middle.date())
    summary = g.summary()
    assert summary["participations"] == resolved and summary["events"] == events
    assert earlier.summary()["events"] == by_middle < events
    assert found is not None, "the tiny city has a child found with an adult"
    event_id, child_id, adult_id = found
    links = {(a.other_id, a.kind): a for a in g.associations(child_id)}
    link = links[(adult_id, "co_event")]
    assert event_id in link.event_ids
    assert "missing_person" in link.roles and "found_with" in link.other_roles
    only = g.associations(child_id, roles=["missing_person", "found_with"])
    assert all(a.roles <= {"missing_person", "found_with"} for a in only)
    assert g.shortest_path(child_id, adult_id).hops[0].target == adult_id
    measured = g.measures(kinds=["person"])
    assert len(measured) == len(g.entities("person"))
    first = [c.members for c in g.communities(seed=5)]
    assert first and first == [c.members for c in g.communities(seed=5)]
    chart = g.neighbourhood(child_id, 2, max_nodes=100, with_events=True)
    assert len(chart.nodes) <= 100 and chart.events
    json.dumps(chart.to_dict())
    assert sum(len(c) for c in g.components()) == len(g)
    assert earlier.as_of == middle.date() and isinstance(earlier.as_of, date)
