"""The resolution tables exist after migration (revision 0002) on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, insert, inspect, select

from joinedup.store import current_revision
from joinedup.store import tables as t

RESOLUTION = {
    "resolution_run",
    "entity",
    "entity_member",
    "match_decision",
    "candidate_link",
    "match_pair",
}


def test_migration_0002_creates_the_resolution_tables(engine: Engine) -> None:
    assert (current_revision(engine) or "") >= "0002"  # later migrations build on it
    assert RESOLUTION <= set(inspect(engine).get_table_names())


def test_an_entity_with_a_member_round_trips(engine: Engine) -> None:
    now = datetime(2026, 1, 1)
    with engine.begin() as conn:
        run = conn.execute(
            insert(t.resolution_run).values(
                mode="full",
                engine="duckdb",
                status="done",
                actor="a",
                started_at=now,
                counts={"person": {"entities": 1}},
            )  # fmt: skip
        ).inserted_primary_key[0]
        ent = conn.execute(
            insert(t.entity).values(
                kind="person", label="x", size=1, created_run_id=run, updated_run_id=run
            )
        ).inserted_primary_key[0]
        conn.execute(
            insert(t.entity_member).values(
                entity_id=ent,
                mention_kind="person",
                mention_id=7,
                match_probability=0.97,
                how="model",
                run_id=run,
            )  # fmt: skip
        )
    with engine.connect() as conn:
        row = conn.execute(select(t.entity_member)).one()
        counts = conn.execute(select(t.resolution_run.c.counts)).scalar_one()
    assert (row.entity_id, row.mention_id, row.match_probability) == (ent, 7, 0.97)
    assert counts == {"person": {"entities": 1}}
