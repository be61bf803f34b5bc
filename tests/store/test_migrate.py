from sqlalchemy import String, inspect

from joinedup.store import current_revision, make_engine, migrate
from joinedup.store.schema import head_revision
from joinedup.store.tables import POSTGRESQL_ONLY, metadata


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


def test_a_new_sqlite_store_takes_larger_pages_and_an_old_one_keeps_its_own(tmp_path) -> None:
    import sqlite3

    from joinedup.store.engine import PAGE_SIZE

    eng = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    migrate(eng)
    with eng.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA page_size").scalar() == PAGE_SIZE == 16384
    eng.dispose()
    # A store made with SQLite's default pages (by an earlier JoinedUp) keeps them, in WAL.
    old = tmp_path / "old.db"
    raw = sqlite3.connect(old)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("CREATE TABLE kept (a)")
    raw.execute("INSERT INTO kept VALUES (1)")
    raw.commit()
    raw.close()
    eng = make_engine(f"sqlite:///{old}")
    migrate(eng)
    with eng.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA page_size").scalar() == 4096
        assert conn.exec_driver_sql("SELECT a FROM kept").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    eng.dispose()


def _to(eng, revision: str, down: bool = False) -> None:
    from alembic import command

    from joinedup.store.schema import alembic_config

    cfg = alembic_config(eng)
    with eng.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)


def _indexes(eng, table: str) -> set[str]:
    return {ix["name"] for ix in inspect(eng).get_indexes(table)}


def test_migration_0007_drops_the_unread_indexes_and_its_downgrade_restores_them(
    store_url: str,
) -> None:
    from alembic import command

    from joinedup.store.schema import alembic_config

    def to(revision: str, down: bool = False) -> None:
        cfg = alembic_config(eng)
        with eng.begin() as conn:
            cfg.attributes["connection"] = conn
            (command.downgrade if down else command.upgrade)(cfg, revision)

    eng = make_engine(store_url)
    try:
        migrate(eng)
        assert "ix_person_mention_surname" not in _indexes(eng, "person_mention")
        assert "ix_event_start" not in _indexes(eng, "event")
        assert "ix_person_mention_record" in _indexes(eng, "person_mention")
        to("0006", down=True)
        assert "ix_person_mention_surname" in _indexes(eng, "person_mention")
        assert "ix_event_start" in _indexes(eng, "event")
        to("head")
        assert current_revision(eng) == head_revision(eng)
        assert "ix_event_start" not in _indexes(eng, "event")
    finally:
        eng.dispose()


def test_migration_0008_keeps_every_content_hash_so_a_re_ingest_changes_nothing(
    store_url: str, tmp_path
) -> None:
    """Hashes written as hex (0007) read as the same row after 0008 (bytea on PostgreSQL),
    and back: the same file ingested again is all duplicates, before and after."""
    from sqlalchemy import select

    from joinedup.ingest.batch import ingest_file
    from joinedup.store import tables as t
    from tests.ingest.conftest import SPECS, stop_row, write_csv

    path = write_csv(tmp_path / "stops.csv", [stop_row(f"S{i}") for i in range(30)])
    spec = str(SPECS / "stops.yaml")
    eng = make_engine(store_url)
    try:
        migrate(eng)
        first = ingest_file(eng, path, spec, actor="t")
        assert first.stored == 30
        with eng.connect() as conn:
            hashes = sorted(conn.execute(select(t.record.c.content_hash)).scalars())
        assert all(len(h) == 64 and int(h, 16) >= 0 for h in hashes)  # hex, on both
        with eng.connect() as conn:  # ... kept as their 32 bytes
            stored = conn.exec_driver_sql("SELECT content_hash FROM record").scalars().all()
        assert all(isinstance(h, bytes) and len(h) == 32 for h in stored)
        _to(eng, "0007", down=True)
        with eng.connect() as conn:
            as_hex = sorted(conn.execute(select(t.record.c.content_hash.cast(String))).scalars())
        assert as_hex == hashes
        _to(eng, "head")
        with eng.connect() as conn:
            assert sorted(conn.execute(select(t.record.c.content_hash)).scalars()) == hashes
        again = ingest_file(eng, path, spec, actor="t")
        assert (again.stored, again.duplicates) == (0, 30)
    finally:
        eng.dispose()


def test_migration_0009_indexes_only_postcodes_and_search_still_uses_the_index(
    store_url: str,
) -> None:
    """The postcode index holds only rows with a postcode; a look-up by value or by range
    (search's two) is still answered from it, on each backend; the downgrade restores
    the full index."""
    from sqlalchemy import select

    from joinedup.store import tables as t

    eng = make_engine(store_url)
    lm = t.location_mention
    by_value = select(lm.c.id).where(lm.c.postcode == "NV1 4AB")
    by_range = select(lm.c.id).where(lm.c.postcode >= "NV1 ", lm.c.postcode < "NV1!")
    try:
        migrate(eng)
        (index,) = [
            ix for ix in inspect(eng).get_indexes("location_mention") if "postcode" in ix["name"]
        ]
        with eng.connect() as conn:
            if eng.dialect.name == "sqlite":
                where = conn.exec_driver_sql(
                    "SELECT sql FROM sqlite_master WHERE name = 'ix_location_mention_postcode'"
                ).scalar_one()
                assert "WHERE postcode IS NOT NULL" in where
                for query in (by_value, by_range):
                    sql = str(query.compile(eng, compile_kwargs={"literal_binds": True}))
                    plan = " ".join(
                        str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)
                    )
                    assert "ix_location_mention_postcode" in plan, plan
            else:
                where = conn.exec_driver_sql(
                    "SELECT pg_get_expr(indpred, indrelid) FROM pg_index"
                    " WHERE indexrelid = 'ix_location_mention_postcode'::regclass"
                ).scalar_one()
                assert where == "(postcode IS NOT NULL)"
                conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
                for query in (by_value, by_range):
                    sql = str(query.compile(eng, compile_kwargs={"literal_binds": True}))
                    plan = " ".join(str(r[0]) for r in conn.exec_driver_sql("EXPLAIN " + sql))
                    assert "ix_location_mention_postcode" in plan, plan
        assert index["column_names"] == ["postcode"]
        _to(eng, "0008", down=True)
        with eng.connect() as conn:
            if eng.dialect.name == "sqlite":
                sql = conn.exec_driver_sql(
                    "SELECT sql FROM sqlite_master WHERE name = 'ix_location_mention_postcode'"
                ).scalar_one()
                assert "WHERE" not in sql
        _to(eng, "head")
        assert current_revision(eng) == head_revision(eng)
    finally:
        eng.dispose()


def test_the_migrated_store_has_every_column_and_index_the_tables_declare(store_url: str) -> None:
    eng = make_engine(store_url)
    migrate(eng)
    inspector = inspect(eng)
    for name, table in metadata.tables.items():
        stored = {c["name"] for c in inspector.get_columns(name)}
        assert stored == {c.name for c in table.columns}, name
        indexes = {i["name"] for i in inspector.get_indexes(name)}
        only = {i.name: i.info.get(POSTGRESQL_ONLY) for i in table.indexes}
        assert {i for i, d in only.items() if d in (None, eng.dialect.name)} <= indexes, name
        if eng.dialect.name == "sqlite":  # those made on PostgreSQL alone are not here
            assert not {i for i, d in only.items() if d} & indexes, name
    eng.dispose()


def test_the_package_migrate_is_the_function_whatever_was_imported_first(tmp_path) -> None:
    """A fresh interpreter, as the console script starts: importing the store's modules
    in any order leaves `joinedup.store.migrate` the function, and `joinedup init` works."""
    import subprocess
    import sys

    code = (
        "import joinedup.store.summary, joinedup.store.schema, joinedup.cli\n"
        "from joinedup.store import migrate, current_revision\n"
        "assert callable(migrate) and callable(current_revision), migrate\n"
        "from joinedup.cli import app\n"
        "app(['init', '--db', sys.argv[1]])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", "import sys\n" + code, str(tmp_path / "j.db")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Store ready" in done.stdout
