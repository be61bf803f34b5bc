"""What a store holds: counts per table, per source and per batch, for `joinedup status`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.engine import make_url

from joinedup.store import participations
from joinedup.store import tables as t
from joinedup.store.engine import normalise_url
from joinedup.store.schema import current_revision, head_revision

COUNTED = (
    t.source,
    t.ingest_batch,
    t.record,
    t.person_mention,
    t.vehicle_mention,
    t.phone_mention,
    t.location_mention,
    t.event,
    t.quarantine,
    t.app_user,
    t.audit_event,
)


def missing_sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names, when it does not exist: opening it would create it.

    None for a file that exists, an in-memory or `file:` URI database, or another backend.
    A command that only reads a store checks this first, so a mistyped path or a
    directory without a store is refused instead of leaving an empty file behind.
    """
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = Path(database)
    return None if path.exists() else path


def is_initialised(engine: Engine) -> bool:
    return "record" in inspect(engine).get_table_names()


def summarise(engine: Engine) -> dict[str, Any]:
    revision = current_revision(engine)
    out: dict[str, Any] = {
        "url": engine.url.render_as_string(hide_password=True),
        "backend": engine.dialect.name,
        "revision": revision,
        "head": head_revision(engine),
        "initialised": revision is not None,
    }
    if revision is None:
        return out
    with engine.connect() as conn:
        out["counts"] = {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in COUNTED
        }
        # Not a table: every mention of a record with an event takes part in it.
        out["counts"]["participation"] = participations.count(conn)
        per_source = conn.execute(
            select(
                t.source.c.code,
                t.source.c.agency,
                func.count(t.record.c.id),
                func.min(t.record.c.received_at),
                func.max(t.record.c.received_at),
            )
            .select_from(t.source.outerjoin(t.record, t.record.c.source_id == t.source.c.id))
            .group_by(t.source.c.code, t.source.c.agency)
            .order_by(t.source.c.code)
        ).all()
        out["sources"] = [
            {
                "code": code,
                "agency": agency,
                "records": n,
                "first_received": lo,
                "last_received": hi,
            }
            for code, agency, n, lo, hi in per_source
        ]
        out["open_quarantine"] = conn.execute(
            select(func.count())
            .select_from(t.quarantine)
            .where(t.quarantine.c.resolved_at.is_(None))
        ).scalar_one()
    return out
