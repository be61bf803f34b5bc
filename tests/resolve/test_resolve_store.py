"""A resolution run on a real store (SQLite and PostgreSQL): entities, stable ids, audit."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from joinedup.resolve import mention_entities, resolve_all
from joinedup.store import tables as t


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            kind: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for kind, table in t.MENTION_TABLES.items()
        }


def test_every_mention_gets_an_entity_and_the_run_is_audited(city_store: Engine) -> None:
    result = resolve_all(city_store, "tester")
    with city_store.connect() as conn:
        entities = mention_entities(conn)
        audits = conn.execute(
            select(t.audit_event.c.category).where(t.audit_event.c.action == "resolve")
        ).all()
        run = conn.execute(select(t.resolution_run)).one()
    for kind, n in _counts(city_store).items():
        assert sum(1 for k, _ in entities if k == kind) == n, kind
    assert audits == [("combination",)]
    assert run.status == "done" and run.model and result.mode == "full"
    persons = {e for (k, _), e in entities.items() if k == "person"}
    assert len(persons) < result.counts["person"]["mentions"]  # something was joined


def test_a_rerun_keeps_every_entity_id(city_store: Engine) -> None:
    resolve_all(city_store, "tester")
    with city_store.connect() as conn:
        before = mention_entities(conn)
    again = resolve_all(city_store, "tester")
    with city_store.connect() as conn:
        after = mention_entities(conn)
    assert again.mode == "incremental"
    assert after == before
    full = resolve_all(city_store, "tester", full=True)
    with city_store.connect() as conn:
        assert mention_entities(conn) == before
    assert full.counts["person"]["created"] == 0
