"""A batch's foreign keys checked once per key (store/references.py), on both backends."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, Table, create_engine, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from joinedup.ingest.batch import ingest_file
from joinedup.store import make_engine, migrate, write_transaction
from joinedup.store import tables as t
from joinedup.store.references import (
    BrokenReference,
    Written,
    _pass,
    add_written,
    check_references,
    relax_row_checks,
    restore_row_checks,
    written_rows,
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


@pytest.fixture(params=["read back", "as written"])
def counted(request: pytest.FixtureRequest) -> str:
    """How the check counts the batch's rows: reading them back from the store, or from
    what the batch wrote (an ingest's way: `written_rows` of each chunk's rows)."""
    return str(request.param)


def _check(
    conn: Connection, since: dict[Table, int], until: dict[Table, int], counted: str
) -> None:
    if counted == "read back":
        check_references(conn, since, until)
        return
    written: dict[Table, Written] = {}
    for table in since:
        query = select(table).where(table.c.id >= since[table], table.c.id < until[table])
        rows = [tuple(row) for row in conn.execute(query)]
        if rows:
            written[table] = written_rows(table, rows)
    check_references(conn, since, until, written)


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
    engine: Engine, records: list[int], mentions: dict[int, int], counted: str
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
            _check(conn, since, until, counted)
        conn.rollback()
        _checked(conn)


def test_records_naming_one_missing_source_or_correcting_a_missing_record_fail(
    engine: Engine, counted: str
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
                _check(conn, {t.record: 1}, {t.record: 4}, counted)
            conn.rollback()
            _checked(conn)


def test_sound_rows_pass_and_a_correction_may_point_at_an_older_record(
    engine: Engine, counted: str
) -> None:
    with engine.begin() as conn:
        source, batch = _batch(conn)
        _record(conn, 1, source, batch)
        _record(conn, 2, source, batch, supersedes=1)
        _person(conn, 1, 2)
        _check(
            conn, {t.record: 2, t.person_mention: 1}, {t.record: 3, t.person_mention: 2}, counted
        )


def test_rows_counted_outside_the_range_do_not_vouch_for_it(engine: Engine) -> None:
    # Records 1 and 3 are there, 2 is not. Counted as written, three record rows with ids
    # 1 to 5: not all in [1, 4), so the range is not taken as whole and the mention of
    # record 2 is looked up (and found missing), as reading back would find.
    with engine.connect() as conn:
        source, batch = _batch(conn)
        for rid in (1, 3):
            _record(conn, rid, source, batch)
        _unchecked(conn)
        _person(conn, 1, 2)
        names = {"source_id": (source, source), "batch_id": (batch, batch)}
        written = {
            t.record: (3, 1, 5, {**names, "supersedes_id": (None, None)}),
            t.person_mention: (1, 1, 1, {"record_id": (2, 2)}),
        }
        with pytest.raises(BrokenReference, match="person_mention .* record_id"):
            check_references(
                conn, {t.record: 1, t.person_mention: 1}, {t.record: 4, t.person_mention: 2},
                written,
            )  # fmt: skip
        conn.rollback()
        _checked(conn)


_EVENT_WIDTH = len(t.event.c)
_ids = st.integers(min_value=1, max_value=10**12)


@given(
    st.lists(st.tuples(_ids, _ids, st.none() | _ids), max_size=30),
    st.integers(min_value=0, max_value=30),
)
def test_what_was_written_adds_up_as_the_rows_do(
    rows: list[tuple[int, int, int | None]], cut: int
) -> None:
    names = [c.name for c in t.event.c]
    at = {name: names.index(name) for name in ("id", "record_id", "location_mention_id")}

    def event(row: tuple[int, int, int | None]) -> tuple[Any, ...]:
        full: list[Any] = [None] * _EVENT_WIDTH
        full[at["id"]], full[at["record_id"]], full[at["location_mention_id"]] = row
        return tuple(full)

    events = [event(row) for row in rows]
    n, low, high, bounds = written_rows(t.event, events)
    assert n == len(rows)
    assert (low, high) == (
        (min(r[0] for r in rows), max(r[0] for r in rows)) if rows else (None, None)
    )
    for i, name in ((1, "record_id"), (2, "location_mention_id")):
        held = [r[i] for r in rows if r[i] is not None]
        assert bounds[name] == ((min(held), max(held)) if held else (None, None))
    assert add_written(
        written_rows(t.event, events[:cut]), written_rows(t.event, events[cut:])
    ) == (n, low, high, bounds)


def test_an_ingest_counts_what_it_wrote_as_the_store_holds_it(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each batch's count of its chunks' rows (workers' and its own, 7-row chunks, with
    duplicates, corrections and quarantined rows) is what reading them back counts."""
    from joinedup.ingest import batch as batch_module
    from joinedup.ingest import prepare
    from joinedup.ingest.batch import plan_paths
    from joinedup.synth import generate_city

    city = tmp_path / "city"
    generate_city(seed=3, children=30, months=3, out_dir=city)
    monkeypatch.setattr(prepare, "CHUNK_ROWS", 7)
    monkeypatch.setattr(prepare, "PG_CHUNK_ROWS", 7)
    monkeypatch.setattr(prepare, "WORKER_MIN_BYTES", 20_000)  # the larger files to workers
    real = batch_module.check_references
    compared: list[str] = []

    def compare(conn: Connection, since: Any, until: Any, written: Any = None) -> None:
        for table, counts in (written or {}).items():
            n, low, high, bounds = counts
            assert since[table] <= low <= high < until[table]
            assert (n, bounds) == _pass(conn, table, since[table], until[table])
            compared.append(table.name)
        real(conn, since, until, written)

    monkeypatch.setattr(batch_module, "check_references", compare)
    for planned in plan_paths([city], None):
        ingest_file(engine, planned.path, planned.spec, actor="test")
    prepare.stop_workers()
    assert {"record", "person_mention", "vehicle_mention", "event", "quarantine"} <= set(compared)


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
