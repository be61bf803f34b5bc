"""Erasing a batch (ingest/erasure.py) deletes its records and all derived from them, in
one transaction, audited as erasure with metadata only, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import Engine, func, insert, select

from joinedup.access import chain
from joinedup.ingest.batch import ingest_file
from joinedup.ingest.erasure import ErasureError, erase_batch
from joinedup.resolve import resolve_all
from joinedup.store import tables as t
from joinedup.store import write_transaction

from .conftest import stop_row, write_csv


def _count(conn, table, *where) -> int:  # type: ignore[no-untyped-def]
    return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def _two_batches(engine: Engine, stops_spec, tmp_path):  # type: ignore[no-untyped-def]
    """Batch A: two stops of a car with Tariq Hollins, one bad row; batch B: the same car
    with another driver, so the vehicle's entity spans both batches."""
    a = write_csv(
        tmp_path / "a.csv",
        [
            stop_row("A1", Occ1IC="W1"),
            stop_row("A2", Occ1IC="A2"),
            stop_row("A3", StopTime="31/02/2024"),  # quarantined
        ],
    )
    b = write_csv(
        tmp_path / "b.csv",
        [
            stop_row("B1", Occ1Name="Kofi Brennan", Occ1DOB="03/07/1988", Occ1Phone="",
                     Occ2Name="", Notes="", Location="4 Quay Road, Northvale",
                     Postcode="NV1 2AB"),
        ],
    )  # fmt: skip
    first = ingest_file(engine, a, stops_spec, actor="tester")
    second = ingest_file(engine, b, stops_spec, actor="tester")
    assert (first.stored, first.quarantined, second.stored) == (2, 1, 1)
    return a, first, second


def test_erasing_a_batch_deletes_it_and_what_was_derived(
    engine: Engine, stops_spec, tmp_path
) -> None:
    path, first, second = _two_batches(engine, stops_spec, tmp_path)
    resolve_all(engine, "tester")
    with engine.connect() as conn:
        pm, vm, em = t.person_mention, t.vehicle_mention, t.entity_member
        a_records = select(t.record.c.id).where(t.record.c.batch_id == first.batch_id)
        a_people = select(pm.c.id).where(pm.c.record_id.in_(a_records))
        a_person, other_a_person = conn.execute(a_people.order_by(pm.c.id).limit(2)).scalars()
        b_person = conn.execute(
            select(pm.c.id).join(t.record).where(t.record.c.batch_id == second.batch_id)
        ).scalar()
        tariq_entity = conn.execute(
            select(em.c.entity_id).where(em.c.mention_kind == "person", em.c.mention_id == a_person)
        ).scalar_one()
        car = conn.execute(select(em.c.entity_id).join(vm, vm.c.id == em.c.mention_id).where(
            em.c.mention_kind == "vehicle", vm.c.vrm == "FD51KXT")).scalars().all()  # fmt: skip
        assert len(set(car)) == 1  # one car, mentioned in both batches
        b_event = conn.execute(
            select(t.event.c.id).join(t.record).where(t.record.c.batch_id == second.batch_id)
        ).scalar_one()
        a_record = conn.execute(a_records.limit(1)).scalar_one()
        before_b = {
            name: _count(conn, table, table.c.record_id.in_(
                select(t.record.c.id).where(t.record.c.batch_id == second.batch_id)))
            for name, table in t.MENTION_TABLES.items()
        }  # fmt: skip
    with write_transaction(engine) as conn:
        now = datetime(2024, 5, 1)
        conn.execute(
            insert(t.match_decision).values(
                kind="person",
                a_ref=f"person:{a_person}",
                b_ref=f"person:{b_person}",
                a_mention_id=a_person,
                b_mention_id=b_person,
                decision="different",
                reason="different dates of birth",
                decided_by="tester",
                decided_at=now,
            )
        )
        run_id = conn.execute(
            insert(t.detection_run).values(
                rule_set_version="1", rules_hash="h", status="done", actor="tester", started_at=now
            )
        ).inserted_primary_key[0]
        flag_id = conn.execute(
            insert(t.flag).values(
                kind="adult",
                subject_key=f"entity:{tariq_entity}",
                entity_id=tariq_entity,
                anchor_mention_kind="person",
                anchor_mention_id=a_person,
                rule_id="r",
                rule_version=1,
                score=1.0,
                reason="seen with children",
                status="new",
                first_raised_run_id=run_id,
                last_seen_run_id=run_id,
                evidence_fingerprint="f",
                created_at=now,
                updated_at=now,
            )
        ).inserted_primary_key[0]
        for kind, item in (("record", a_record), ("event", b_event)):
            conn.execute(
                insert(t.flag_evidence).values(
                    flag_id=flag_id,
                    rule_id="r",
                    item_kind=kind,
                    item_id=item,
                    why="seen",
                    first_seen_run_id=run_id,
                    last_seen_run_id=run_id,
                )
            )
        # fmt: skip
        result = erase_batch(
            conn, first.batch_id, actor="dpo", reason="retention review RR-12", purpose="MoPI"
        )
    assert result.erased["record"] == 2 and result.erased["quarantine"] == 1
    assert result.erased["protected_characteristic"] == 2
    assert result.derived["decisions_withdrawn"] == 1
    assert result.derived["flag_evidence"] == 1 and result.derived["flag_anchors_cleared"] == 1
    with engine.connect() as conn:
        assert _count(conn, t.record, t.record.c.batch_id == first.batch_id) == 0
        assert _count(conn, t.quarantine, t.quarantine.c.batch_id == first.batch_id) == 0
        assert _count(conn, t.protected_characteristic) == 0
        assert _count(conn, t.record) == 1 and _count(conn, t.event) == 1
        for name, table in t.MENTION_TABLES.items():  # batch B's mentions are all still there
            assert _count(conn, table) == before_b[name], name
        for kind, table in t.MENTION_TABLES.items():  # no membership of a mention that is gone
            gone = select(em.c.id).where(
                em.c.mention_kind == kind, em.c.mention_id.not_in(select(table.c.id))
            )
            assert conn.execute(gone).first() is None, kind
        tariq = conn.execute(select(t.entity).where(t.entity.c.id == tariq_entity)).one()
        assert tariq.size == 0 and tariq.label is None and tariq.retired_run_id is not None
        erasure_run = conn.execute(
            select(t.resolution_run).where(t.resolution_run.c.id == tariq.retired_run_id)
        ).one()
        assert (erasure_run.mode, erasure_run.status) == ("erasure", "done")
        assert (
            erasure_run.model
            == conn.execute(
                select(t.resolution_run.c.model).where(t.resolution_run.c.mode != "erasure")
            ).scalar_one()
        )  # an incremental run goes on from the last model
        car_now = conn.execute(select(t.entity).where(t.entity.c.id == car[0])).one()
        assert car_now.size == 1 and car_now.retired_run_id is None
        assert car_now.label == "FD51KXT"
        labels = set(
            conn.execute(
                select(t.entity.c.label).where(t.entity.c.retired_run_id.is_(None))
            ).scalars()
        )
        assert not any("Tariq" in (label or "") or "Amber" in (label or "") for label in labels)
        decision = conn.execute(select(t.match_decision)).one()
        assert decision.withdrawn_at is not None
        flag = conn.execute(select(t.flag)).one()
        assert flag.anchor_mention_id is None
        evidence = conn.execute(select(t.flag_evidence.c.item_kind)).scalars().all()
        assert evidence == ["event"]
        batch = conn.execute(
            select(t.ingest_batch).where(t.ingest_batch.c.id == first.batch_id)
        ).one()
        assert (batch.erased_by, batch.erasure_reason) == ("dpo", "retention review RR-12")
        assert batch.erased_at is not None and batch.rows_stored == 2  # metadata kept
        row = conn.execute(select(t.audit_event).where(t.audit_event.c.category == "erasure")).one()
        assert (row.actor, row.action, row.object_id, row.purpose) == (
            "dpo",
            "batch_erased",
            str(first.batch_id),
            "MoPI",
        )
        detail = json.loads(row.detail)
        assert detail["erased_record"] == 2 and detail["reason"] == "retention review RR-12"
        text = row.detail.lower()
        assert "tariq" not in text and "hollins" not in text and "fd51" not in text
        assert chain.verify(conn).ok
    with write_transaction(engine) as conn, pytest.raises(ErasureError, match="erased on"):
        erase_batch(conn, first.batch_id, actor="dpo", reason="again")
    again = ingest_file(engine, path, stops_spec, actor="tester")  # collected anew
    assert (again.stored, again.duplicates, again.quarantined) == (2, 0, 1)


def test_an_erasure_that_fails_leaves_everything(engine: Engine, stops_spec, tmp_path) -> None:
    _, first, _ = _two_batches(engine, stops_spec, tmp_path)
    with engine.connect() as conn:
        before = {table.name: _count(conn, table) for table in (t.record, t.person_mention)}

    class Boom(Exception):
        pass

    with pytest.raises(Boom), write_transaction(engine) as conn:
        erase_batch(conn, first.batch_id, actor="dpo", reason="retention review")
        raise Boom  # e.g. the process dies before the commit
    with engine.connect() as conn:
        assert {table.name: _count(conn, table) for table in (t.record, t.person_mention)} == before
        assert _count(conn, t.audit_event, t.audit_event.c.category == "erasure") == 0


def test_an_erasure_needs_a_known_batch_and_a_reason(engine: Engine, stops_spec, tmp_path) -> None:
    _, first, _ = _two_batches(engine, stops_spec, tmp_path)
    with write_transaction(engine) as conn:
        with pytest.raises(ErasureError, match="reason"):
            erase_batch(conn, first.batch_id, actor="dpo", reason="  ")
        with pytest.raises(ErasureError, match="no ingest batch 999"):
            erase_batch(conn, 999, actor="dpo", reason="retention review")
    with engine.connect() as conn:  # never resolved: no run to record, nothing else to mend
        assert _count(conn, t.resolution_run) == 0
    with write_transaction(engine) as conn:
        result = erase_batch(conn, first.batch_id, actor="dpo", reason="retention review")
    assert result.resolution_run_id is None and result.erased["person_mention"] > 0


def test_with_row_checks_off_a_reference_left_behind_fails_the_erasure(
    engine: Engine, stops_spec, tmp_path
) -> None:
    """SQLite erases with reference checks off (as `joinedup erase` runs) and checks them
    itself at the end; PostgreSQL checks each deleted row. Either way a row of another
    batch still pointing at an erased one stops the erasure, and nothing is erased."""
    from sqlalchemy import update
    from sqlalchemy.exc import IntegrityError

    _, first, second = _two_batches(engine, stops_spec, tmp_path)
    pm, vm = t.person_mention, t.vehicle_mention
    with write_transaction(engine) as conn:
        a_person = conn.execute(
            select(pm.c.id).join(t.record).where(t.record.c.batch_id == first.batch_id)
        ).scalar()
        b_vehicle = conn.execute(
            select(vm.c.id).join(t.record).where(t.record.c.batch_id == second.batch_id)
        ).scalar()
        conn.execute(update(vm).where(vm.c.id == b_vehicle).values(person_mention_id=a_person))
    with engine.connect() as conn:
        before = _count(conn, t.record)
    with pytest.raises((ErasureError, IntegrityError)) as err:
        with write_transaction(engine, row_checks=False) as conn:
            erase_batch(conn, first.batch_id, actor="dpo", reason="retention review")
    if engine.dialect.name == "sqlite":
        assert err.type is ErasureError and "vehicle_mention" in str(err.value)
    with engine.connect() as conn:
        assert _count(conn, t.record) == before
        assert _count(conn, t.audit_event, t.audit_event.c.category == "erasure") == 0
    with write_transaction(engine) as conn:  # the reference mended: now it goes
        conn.execute(update(vm).where(vm.c.id == b_vehicle).values(person_mention_id=None))
    with write_transaction(engine, row_checks=False) as conn:
        erase_batch(conn, first.batch_id, actor="dpo", reason="retention review")
    with engine.connect() as conn:
        assert _count(conn, t.record, t.record.c.batch_id == first.batch_id) == 0
        if engine.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # on again


def test_erasing_chosen_records_keeps_the_rest_of_their_batch(
    engine: Engine, stops_spec, tmp_path
) -> None:
    from joinedup.ingest.erasure import erase_records

    _, first, second = _two_batches(engine, stops_spec, tmp_path)
    resolve_all(engine, "tester")
    rec, em = t.record, t.entity_member
    with engine.connect() as conn:
        a1, a2 = conn.execute(
            select(rec.c.id).where(rec.c.batch_id == first.batch_id).order_by(rec.c.id)
        ).scalars()
        tariq = conn.execute(
            select(em.c.entity_id)
            .join(t.person_mention, t.person_mention.c.id == em.c.mention_id)
            .where(em.c.mention_kind == "person", t.person_mention.c.record_id == a1,
                   t.person_mention.c.forename == "tariq")
        ).scalar_one()  # fmt: skip
    with write_transaction(engine) as conn:
        with pytest.raises(ErasureError, match="no record 999"):
            erase_records(conn, [a1, 999], actor="dpo", reason="court order CO-3")
        result = erase_records(conn, [a1], actor="dpo", reason="court order CO-3")
    assert result.erased["record"] == 1 and result.batch_id is None
    with engine.connect() as conn:
        assert set(conn.execute(select(rec.c.id)).scalars()) == {a2, a2 + 1}
        assert _count(conn, t.quarantine) == 1  # the batch's quarantine is not the records'
        entity = conn.execute(select(t.entity).where(t.entity.c.id == tariq)).one()
        assert entity.size == 1 and entity.label == "Tariq Hollins"  # A2 still names him
        batch = conn.execute(
            select(t.ingest_batch).where(t.ingest_batch.c.id == first.batch_id)
        ).one()
        assert batch.erased_at is None and batch.rows_stored == 2
        row = conn.execute(
            select(t.audit_event).where(t.audit_event.c.action == "records_erased")
        ).one()
        assert (row.object_type, row.object_id) == ("record", str(a1))
        assert json.loads(row.detail)["erased_person_mention"] == 3  # two, and "Boss" in the notes
        assert chain.verify(conn).ok


def test_id_ranges() -> None:
    from joinedup.ingest.erasure import _id_ranges

    assert _id_ranges([3]) == "3"
    assert _id_ranges([1, 2, 3, 5, 7, 8]) == "1-3,5,7-8"
