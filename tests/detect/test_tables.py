"""The detection tables exist after migration 0003 and match tables.py on both backends."""

from __future__ import annotations

from datetime import date, datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, insert, inspect, select

from joinedup.store import tables as t

DETECTION = {"detection_run", "flag", "flag_evidence", "flag_history", "flag_member"}


def test_migration_creates_the_detection_tables(engine: Engine) -> None:
    assert DETECTION <= set(inspect(engine).get_table_names())


def test_the_migrations_match_tables_py(engine: Engine) -> None:
    dialect = engine.dialect.name

    def here(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
        """An index made on one backend alone (tables.POSTGRESQL_ONLY) counts only there."""
        only = obj.info.get(t.POSTGRESQL_ONLY) if type_ == "index" and not reflected else None
        return only in (None, dialect)

    with engine.connect() as conn:
        opts = {"compare_type": True, "include_object": here}
        ctx = MigrationContext.configure(conn, opts=opts)
        diffs = compare_metadata(ctx, t.metadata)
    assert diffs == []


def test_a_flag_with_evidence_and_history_round_trips(engine: Engine) -> None:
    now = datetime(2026, 1, 1)
    with engine.begin() as conn:
        run = conn.execute(
            insert(t.detection_run).values(
                as_of=date(2025, 6, 1),
                rule_set_version="2026.12",
                rules_hash="0" * 64,
                status="done",
                actor="a",
                started_at=now,
                counts={"child": 1},
            )
        ).inserted_primary_key[0]
        fid = conn.execute(
            insert(t.flag).values(
                kind="group",
                subject_key="group:G1",
                group_key="G1",
                rule_id="group_lead",
                rule_version=1,
                score=3.5,
                reason="two adults and two children tied by four events",
                status="new",
                active=True,
                first_raised_run_id=run,
                last_seen_run_id=run,
                evidence_fingerprint="f" * 64,
                created_at=now,
                updated_at=now,
            )
        ).inserted_primary_key[0]
        conn.execute(
            insert(t.flag_evidence).values(
                flag_id=fid,
                rule_id="group_lead",
                item_kind="event",
                item_id=9,
                why="found together",
                first_seen_run_id=run,
                last_seen_run_id=run,
            )
        )
        conn.execute(
            insert(t.flag_history).values(
                flag_id=fid, at=now, actor="a", run_id=run, to_status="new", reason="raised"
            )
        )
    with engine.connect() as conn:
        row = conn.execute(select(t.flag.c.kind, t.flag.c.status)).one()
        assert tuple(row) == ("group", "new")
        why = conn.execute(select(t.flag_evidence.c.why)).scalar_one()
        assert why == "found together"
