"""Participations are derived from mentions and events (store/participations.py); migration
0006 drops the table that stored them, after checking it held exactly the derived rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, select, text

from joinedup.ingest.batch import ingest_file
from joinedup.store import current_revision, make_engine, migrate, participations
from joinedup.store import tables as t
from joinedup.store.schema import alembic_config
from tests.ingest.conftest import SPECS, stop_row, write_csv

SPEC = str(SPECS / "stops.yaml")
COLUMNS = "event_id, mention_kind, mention_id, role"


def _to(engine: Engine, revision: str, *, down: bool = False) -> None:
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)


def _ingest(engine: Engine, tmp_path: Path) -> None:
    rows = [stop_row(f"S{i}") for i in range(1, 6)]
    rows.append(stop_row("S9", VRM="", Occ2Name="", Occ1Phone="", Notes="no objects"))
    ingest_file(engine, write_csv(tmp_path / "stops.csv", rows), SPEC, actor="test")


def _derived(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(participations.every_kind()))


def _stored(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(text(f"SELECT {COLUMNS} FROM participation")))


@pytest.fixture
def old_store(store_url: str, tmp_path: Path) -> Engine:
    """A store at revision 0005 holding participation rows, as ingest wrote them then.

    Today's ingest writes the head revision's columns (content hashes as bytea on
    PostgreSQL since 0008), so the rows go in at head and the store goes down to 0005,
    whose participation rows are then written as that revision's ingest wrote them."""
    engine = make_engine(store_url)
    migrate(engine)
    _ingest(engine, tmp_path)
    _to(engine, "0005", down=True)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM participation"))  # those 0006's downgrade derived
        for kind, m in participations.MENTION_TABLES.items():
            conn.execute(
                text(
                    f"INSERT INTO participation ({COLUMNS})"
                    f" SELECT e.id, '{kind}', m.id, m.role FROM {m.name} m"
                    " JOIN event e ON e.record_id = m.record_id ORDER BY m.id"
                )
            )
    return engine


def test_every_mention_takes_part_in_its_records_event(engine: Engine, tmp_path: Path) -> None:
    _ingest(engine, tmp_path)
    rows = _derived(engine)
    with engine.connect() as conn:
        mentions = sum(
            len(conn.execute(select(m.c.id)).all()) for m in participations.MENTION_TABLES.values()
        )
        events = dict(conn.execute(select(t.event.c.record_id, t.event.c.id)).all())
        assert participations.count(conn) == len(rows) == mentions > 6
        for kind, m in participations.MENTION_TABLES.items():
            for mid, rid, role in conn.execute(select(m.c.id, m.c.record_id, m.c.role)):
                assert (events[rid], kind, mid, role) in rows
    kinds = {r[1] for r in rows}
    assert kinds == {"person", "location", "vehicle", "phone"}
    roles = {r[3] for r in rows if r[1] == "person"}
    assert {"driver", "passenger"} <= roles


def test_upgrade_drops_the_table_and_loses_nothing(old_store: Engine) -> None:
    stored = _stored(old_store)
    assert stored and stored == _derived(old_store)
    _to(old_store, "0006")
    assert current_revision(old_store) == "0006"
    assert "participation" not in inspect(old_store).get_table_names()
    assert _derived(old_store) == stored
    _to(old_store, "0005", down=True)  # and back: the rows come again
    assert _stored(old_store) == stored
    old_store.dispose()


@pytest.mark.parametrize(
    "change",
    [
        "DELETE FROM participation WHERE mention_kind = 'vehicle'",  # rows lost
        "UPDATE participation SET role = 'victim' WHERE mention_kind = 'person'",  # roles
        "INSERT INTO participation (event_id, mention_kind, mention_id, role)"
        " SELECT event_id, mention_kind, mention_id + 1000, role FROM participation",  # extra
    ],
)
def test_upgrade_refuses_a_store_changed_outside_joinedup(old_store: Engine, change: str) -> None:
    with old_store.begin() as conn:
        conn.execute(text(change))
    with pytest.raises(RuntimeError, match="participation rows differ"):
        migrate(old_store)
    assert current_revision(old_store) == "0005"
    assert "participation" in inspect(old_store).get_table_names()
    old_store.dispose()
