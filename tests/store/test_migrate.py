from sqlalchemy import inspect

from joinedup.store import current_revision, make_engine, migrate
from joinedup.store.migrate import head_revision
from joinedup.store.tables import metadata


def test_migrate_creates_every_table_and_is_idempotent(store_url: str) -> None:
    eng = make_engine(store_url)
    assert current_revision(eng) is None
    rev = migrate(eng)
    assert rev == head_revision(eng) == current_revision(eng)
    names = set(inspect(eng).get_table_names())
    assert set(metadata.tables) <= names
    assert migrate(eng) == rev  # running again changes nothing
    eng.dispose()


def test_sqlite_store_uses_wal(tmp_path) -> None:
    eng = make_engine(f"sqlite:///{tmp_path / 'j.db'}")
    migrate(eng)
    with eng.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    eng.dispose()
