"""A batch's foreign keys checked once per key (store/references.py), on both backends."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, create_engine, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from joinedup.ingest.batch import ingest_file
from joinedup.store import make_engine, migrate, write_transaction
from joinedup.store import tables as t
from joinedup.store.references import (
    BrokenReference,
    check_references,
    relax_row_checks,
    restore_row_checks,
)
from tests.conftest import drop_pg_database, new_pg_database

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _batch(conn: Connection) -> tuple[int, int]:
    source = conn.execute(
        insert(t.source).values(code="T", name="Test", agency="Test").returning(t.source.c.id)
    ).scalar_one()
    spec = conn.execute(
        insert(t.feed_spec)
        .values(name="t", version=1, spec_hash="x", spec_json="{}", source_id=source)
        .returning(t.feed_spec.c.id)
    ).scalar_one()
    batch = conn.execute(
        insert(t.ingest_batch)
        .values(
            source_id=source,
            feed_spec_id=spec,
            file_name="f.csv",
            file_hash="h",
            file_size=1,
            started_at=NOW,
            ingested_by="test",
            rows_read=0,
            rows_stored=0,
            rows_duplicate=0,
            rows_quarantined=0,
        )  # fmt: skip
        .returning(t.ingest_batch.c.id)
    ).scalar_one()
    return int(source), int(batch)


def _record(
    conn: Connection, rid: int, source: int, batch: int, supersedes: int | None = None
) -> None:
    conn.execute(
        insert(t.record).values(
            id=rid,
            source_id=source,
            batch_id=batch,
            source_ref=f"R{rid}",
            row_number=rid,
            content_hash=f"{rid:064x}",
            raw="{}",
            received_at=NOW,
            supersedes_id=supersedes,
        )  # fmt: skip
    )


def _person(conn: Connection, pid: int, record_id: int) -> None:
    conn.execute(
        insert(t.person_mention).values(
            id=pid, record_id=record_id, slot="p", role="subject", extracted=False
        )
    )


def _unchecked(conn: Connection) -> None:
    """Let the connection write rows that point at nothing (as a bug in a batch would)."""
    if conn.dialect.name == "sqlite":
        conn.commit()  # PRAGMA foreign_keys has no effect inside a transaction
        conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
    else:
        conn.execute(text("SET LOCAL session_replication_role = replica"))


def _checked(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("records", "mentions"),
    [
        pytest.param([1], {1: 1, 2: 99}, id="a-record-that-is-not-there"),
        # Records 1 and 3 exist, 2 does not: the range cannot vouch for a mention of 2.
        pytest.param([1, 3], {1: 3, 2: 2}, id="a-gap-in-the-parents-ids"),
        # Every mention names the same record: the one value is looked up on its own.
        pytest.param([1], {1: 99, 2: 99}, id="every-mention-names-one-missing-record"),
        pytest.param([1, 2], {1: 3, 2: 3}, id="one-value-just-past-the-batch"),
    ],
)
def test_a_reference_to_nothing_fails_the_check(
    engine: Engine, records: list[int], mentions: dict[int, int]
) -> None:
    with engine.connect() as conn:
        source, batch = _batch(conn)
        for rid in records:
            _record(conn, rid, source, batch)
        _unchecked(conn)
        for pid, rid in mentions.items():
            _person(conn, pid, rid)
        since = {t.record: 1, t.person_mention: 1}
        until = {t.record: max(records) + 1, t.person_mention: len(mentions) + 1}
        with pytest.raises(BrokenReference, match="person_mention .* record_id .* record"):
            check_references(conn, since, until)
        conn.rollback()
        _checked(conn)


def test_records_naming_one_missing_source_or_correcting_a_missing_record_fail(
    engine: Engine,
) -> None:
    with engine.connect() as conn:
        source, batch = _batch(conn)
        conn.commit()
        for column, value in (("source_id", 999), ("supersedes_id", 77)):
            _unchecked(conn)
            for rid in (1, 2, 3):
                kwargs = {"supersedes": 77} if column == "supersedes_id" else {}
                _record(conn, rid, value if column == "source_id" else source, batch, **kwargs)
            with pytest.raises(BrokenReference, match=f"record .* {column} "):
                check_references(conn, {t.record: 1}, {t.record: 4})
            conn.rollback()
            _checked(conn)


def test_sound_rows_pass_and_a_correction_may_point_at_an_older_record(engine: Engine) -> None:
    with engine.begin() as conn:
        source, batch = _batch(conn)
        _record(conn, 1, source, batch)
        _record(conn, 2, source, batch, supersedes=1)
        _person(conn, 1, 2)
        check_references(
            conn, {t.record: 2, t.person_mention: 1}, {t.record: 3, t.person_mention: 2}
        )


def test_sqlite_keeps_its_per_row_checks_but_in_a_batch(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 's.db'}")
    migrate(engine)
    with engine.begin() as conn:  # any other write: checked row by row
        assert relax_row_checks(conn) is False
        source, batch = _batch(conn)
        with pytest.raises(IntegrityError):
            _person(conn, 1, 42)
    with write_transaction(engine, row_checks=False) as conn:  # an ingest batch's
        assert relax_row_checks(conn) is True
        _person(conn, 1, 42)  # accepted now: the batch checks its rows before it commits
        with pytest.raises(BrokenReference, match="person_mention .* record_id"):
            check_references(conn, {t.person_mention: 1}, {t.person_mention: 2})
        conn.rollback()
    with pytest.raises(IntegrityError), engine.begin() as conn:  # and on again after it
        _person(conn, 2, 43)
    engine.dispose()


def test_an_ingest_on_sqlite_checks_its_references_and_leaves_them_enforced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 's.db'}")
    migrate(engine)
    csv = tmp_path / "people.csv"
    csv.write_text("record_id,forename,surname\nP1,Ada,Quillfeather\nP2,Bram,Oakenshaw\n")
    assert ingest_file(engine, csv, "person_list", actor="test").stored == 2
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
    # A batch whose rows point at nothing (a broken allocator, say) fails whole.
    from joinedup.ingest import writer

    real = writer.add_record

    def orphaned(rows: Any, ids: Any, *args: Any, **kwargs: Any) -> int:
        record_id = real(rows, ids, *args, **kwargs)
        rows.rows["person_mention"][-1] = (
            rows.rows["person_mention"][-1][:1] + (10_000,) + rows.rows["person_mention"][-1][2:]
        )
        return record_id

    monkeypatch.setattr("joinedup.ingest.prepare.add_record", orphaned)
    more = tmp_path / "more.csv"
    more.write_text("record_id,forename,surname\nP3,Cara,Moss\n")
    with pytest.raises(BrokenReference):
        ingest_file(engine, more, "person_list", actor="test")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM record").scalar() == 2
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    url = new_pg_database()
    engine = make_engine(url)
    try:
        migrate(engine)
        yield engine
    finally:
        engine.dispose()
        drop_pg_database(url)


@pytest.mark.postgres
def test_postgres_relaxes_for_the_transaction_only(pg_engine: Engine) -> None:
    with pg_engine.connect() as conn:
        source, batch = _batch(conn)
        assert relax_row_checks(conn) is True
        _person(conn, 1, 42)  # accepted: no trigger ran
        restore_row_checks(conn)
        with pytest.raises(IntegrityError):
            with conn.begin_nested():
                _person(conn, 2, 43)  # the triggers are back for the rest of the batch
        conn.rollback()
    with pg_engine.begin() as conn:  # and never leak into the next transaction
        source, batch = _batch(conn)
    with pytest.raises(IntegrityError), pg_engine.begin() as conn:
        _person(conn, 3, 44)


@pytest.mark.postgres
def test_a_role_that_may_not_relax_keeps_the_triggers(pg_engine: Engine) -> None:
    role = f"ju_plain_{uuid.uuid4().hex[:8]}"
    url = make_url(pg_engine.url.render_as_string(hide_password=False))
    with pg_engine.begin() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        conn.execute(text(f'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{role}"'))
        conn.execute(text(f'GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "{role}"'))
    plain = create_engine(url.set(username=role))
    try:
        with plain.connect() as conn:
            assert relax_row_checks(conn) is False
            source, batch = _batch(conn)  # the transaction is still usable
            with pytest.raises(IntegrityError):
                _person(conn, 1, 42)
            conn.rollback()
    finally:
        plain.dispose()
        with pg_engine.begin() as conn:
            conn.execute(text(f'DROP OWNED BY "{role}"'))
            conn.execute(text(f'DROP ROLE "{role}"'))


@pytest.mark.postgres
def test_a_corrected_record_is_locked_against_deletion_until_commit(pg_engine: Engine) -> None:
    with pg_engine.begin() as conn:
        source, batch = _batch(conn)
        _record(conn, 1, source, batch)
    with pg_engine.connect() as batch_conn, pg_engine.connect() as other:
        relax_row_checks(batch_conn)
        _record(batch_conn, 2, source, batch, supersedes=1)
        restore_row_checks(batch_conn)
        check_references(batch_conn, {t.record: 2}, {t.record: 3})
        other.execute(text("SET lock_timeout = '200ms'"))
        with pytest.raises((OperationalError, DBAPIError), match="lock"):
            other.execute(text("DELETE FROM record WHERE id = 1"))
        other.rollback()
        batch_conn.commit()


@pytest.mark.postgres
def test_an_ingest_on_postgres_leaves_its_foreign_keys_enforced(
    pg_engine: Engine, tmp_path: Path
) -> None:
    csv = tmp_path / "people.csv"
    csv.write_text(
        "record_id,forename,surname,dob\nP1,Ada,Quillfeather,2001-02-03\nP2,Bram,Oakenshaw,1999-12-31\n"
    )
    result = ingest_file(pg_engine, csv, "person_list", actor="test")
    assert result.stored == 2
    with pg_engine.connect() as conn:
        role = conn.execute(text("SHOW session_replication_role")).scalar_one()
        assert role == "origin"
        orphans = conn.execute(
            text(
                "SELECT count(*) FROM person_mention m WHERE NOT EXISTS"
                " (SELECT 1 FROM record r WHERE r.id = m.record_id)"
            )
        ).scalar_one()
        assert orphans == 0
    with pytest.raises(IntegrityError), pg_engine.begin() as conn:
        _person(conn, 10_000, 10_000)
