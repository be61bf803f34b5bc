"""Ingestion loses nothing: stored, duplicate or quarantined, on SQLite and PostgreSQL."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from joinedup.feeds import FeedSpec
from joinedup.ingest.batch import ingest_file
from joinedup.ingest.readers import FileRefused
from joinedup.store import participations
from joinedup.store import tables as t

from .conftest import STOP_HEADER, stop_row, write_csv


def count(engine: Engine, table) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def run(engine: Engine, path: Path, spec: FeedSpec):  # type: ignore[no-untyped-def]
    result = ingest_file(engine, path, spec, actor="tester")
    c = result.counts()
    assert c["read"] == c["stored"] + c["duplicates"] + c["quarantined"]
    return result


def test_rows_become_records_mentions_and_events(engine: Engine, stops_spec, tmp_path) -> None:
    path = write_csv(tmp_path / "stops.csv", [stop_row("S1"), stop_row("S2", Occ2Name="")])
    result = run(engine, path, stops_spec)
    assert result.counts() == {"read": 2, "stored": 2, "duplicates": 0, "quarantined": 0}
    with engine.connect() as conn:
        people = conn.execute(
            select(t.person_mention.c.slot, t.person_mention.c.role, t.person_mention.c.forename,
                   t.person_mention.c.surname, t.person_mention.c.nickname, t.person_mention.c.extracted)
            .join(t.record).where(t.record.c.source_ref == "S1").order_by(t.person_mention.c.id)
        ).all()  # fmt: skip
        assert ("occupant[0]", "driver", "tariq", "hollins", "Taz", False) in people
        assert ("occupant[1]", "passenger", "amber", "pell", None, False) in people
        assert any(p.extracted and p.nickname == "Boss" for p in people)
        vrms = set(conn.execute(select(t.vehicle_mention.c.vrm)).scalars())
        assert "FD51KXT" in vrms
        phones = set(conn.execute(select(t.phone_mention.c.e164)).scalars())
        assert "+447700900123" in phones and "+447700900456" in phones
        ev = conn.execute(select(t.event)).first()
        assert ev.event_type == "stop_check" and ev.start_at.hour == 22
        assert ev.location_mention_id is not None
        rec = conn.execute(select(t.record).where(t.record.c.source_ref == "S1")).first()
        assert (rec.grading_source, rec.grading_intelligence, rec.grading_handling) == (
            "B",
            "2",
            "P",
        )
        assert json.loads(rec.raw)["Occ1Name"] == "Tariq 'Taz' Hollins"
        # Protected characteristics are kept apart from the mention tables.
        assert "ethnicity_officer" not in t.person_mention.c
    with engine.connect() as conn:  # derived from mentions and events, not stored
        assert participations.count(conn) > 0


def test_reingest_changes_nothing(engine: Engine, stops_spec, tmp_path) -> None:
    path = write_csv(
        tmp_path / "stops.csv", [stop_row("S1"), stop_row("S2", StopTime="31/02/2024")]
    )
    first = run(engine, path, stops_spec)
    assert first.counts() == {"read": 2, "stored": 1, "duplicates": 0, "quarantined": 1}
    before = {
        tb.name: count(engine, tb) for tb in (t.record, t.person_mention, t.quarantine, t.event)
    }
    again = run(engine, path, stops_spec)
    assert again.counts() == {"read": 2, "stored": 0, "duplicates": 1, "quarantined": 1}
    after = {
        tb.name: count(engine, tb) for tb in (t.record, t.person_mention, t.quarantine, t.event)
    }
    assert before == after


def test_duplicate_rows_in_one_file(engine: Engine, stops_spec, tmp_path) -> None:
    path = write_csv(tmp_path / "stops.csv", [stop_row("S1"), stop_row("S1"), stop_row("S2")])
    assert run(engine, path, stops_spec).counts() == {
        "read": 3, "stored": 2, "duplicates": 1, "quarantined": 0,
    }  # fmt: skip


def test_correction_supersedes_earlier_record(engine: Engine, stops_spec, tmp_path) -> None:
    run(engine, write_csv(tmp_path / "a.csv", [stop_row("S1")]), stops_spec)
    res = run(engine, write_csv(tmp_path / "b.csv", [stop_row("S1", Colour="Blue")]), stops_spec)
    assert res.stored == 1 and res.superseding == 1
    with engine.connect() as conn:
        recs = conn.execute(
            select(t.record.c.id, t.record.c.supersedes_id).order_by(t.record.c.id)
        ).all()
    assert recs[1].supersedes_id == recs[0].id
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                t.audit_event.c.category, t.audit_event.c.action, t.audit_event.c.detail
            ).order_by(t.audit_event.c.seq)
        ).all()
    # Each batch is a collection; the correction is also an alteration of what was stored.
    assert [(r.category, r.action) for r in rows] == [
        ("collection", "ingest"), ("collection", "ingest"), ("alteration", "records_superseded"),
    ]  # fmt: skip
    assert json.loads(rows[-1].detail)["superseding"] == 1


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"StopTime": "31/02/2009"}, "StopTime", "not a real date"),
        ({"StopTime": "2009-13-01"}, "StopTime", "date"),
        ({"StopTime": ""}, "StopTime", "required"),
        ({"StopRef": ""}, "StopRef", "no reference"),
        ({"Occ1Role": "Z"}, "Occ1Role", "not in code list"),
    ],
)
def test_bad_rows_are_quarantined_with_field_and_reason(
    engine: Engine, stops_spec, tmp_path, overrides, field, words
) -> None:
    path = write_csv(tmp_path / "stops.csv", [stop_row("S1"), stop_row("S2", **overrides)])
    res = run(engine, path, stops_spec)
    assert (res.stored, res.quarantined) == (1, 1)
    with engine.connect() as conn:
        q = conn.execute(select(t.quarantine)).one()
    assert q.row_number == 3 and q.field == field and words in q.reason
    assert Path(q.file_name).name == "stops.csv"
    assert json.loads(q.raw)["StopRef"] == overrides.get("StopRef", "S2")


def test_nonsense_plates_phones_and_dobs_are_kept_not_lost(
    engine: Engine, stops_spec, tmp_path
) -> None:
    row = stop_row("S1", VRM="!!!!", Occ1Phone="call me", Occ1DOB="31/02/2009")
    res = run(engine, write_csv(tmp_path / "s.csv", [row]), stops_spec)
    assert res.stored == 1
    with engine.connect() as conn:
        v = conn.execute(
            select(t.vehicle_mention).where(t.vehicle_mention.c.slot == "vehicle")
        ).one()
        p = conn.execute(
            select(t.phone_mention).where(t.phone_mention.c.slot == "occupant[0].phone")
        ).one()
        person = conn.execute(
            select(t.person_mention).where(t.person_mention.c.slot == "occupant[0]")
        ).one()
    assert (v.raw, v.vrm, v.plate_format) == ("!!!!", None, "invalid")
    assert (p.raw, p.e164, p.valid) == ("call me", None, False)
    assert (person.dob, person.dob_raw) == (None, "31/02/2009")


def test_hostile_content_is_stored_as_inert_text(engine: Engine, stops_spec, tmp_path) -> None:
    hostile = "<script>alert(1)</script>'); DROP TABLE record; --"
    long_text = "x" * 10_000
    row = stop_row(
        "S1",
        Occ1Name='=HYPERLINK("http://example.invalid","click")',
        Notes=hostile,
        Location=long_text,
    )
    res = run(engine, write_csv(tmp_path / "s.csv", [row]), stops_spec)
    assert res.stored == 1
    with engine.connect() as conn:
        rec = conn.execute(select(t.record)).one()
        raw = json.loads(rec.raw)
        assert raw["Notes"] == hostile and raw["Location"] == long_text
        assert raw["Occ1Name"].startswith("=HYPERLINK(")
    assert count(engine, t.record) == 1


def test_empty_file_and_header_only(engine: Engine, stops_spec, tmp_path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert run(engine, empty, stops_spec).counts() == {
        "read": 0,
        "stored": 0,
        "duplicates": 0,
        "quarantined": 0,
    }
    header_only = write_csv(tmp_path / "h.csv", [])
    assert run(engine, header_only, stops_spec).read == 0


def test_row_numbers_are_the_rows_a_spreadsheet_shows(engine: Engine, stops_spec, tmp_path) -> None:
    """Blank lines keep their numbers; a quoted field over two lines is one row."""
    path = write_csv(tmp_path / "s.csv", [stop_row("S1"), stop_row("S2", Notes="two\nlines")])
    text = path.read_text(encoding="utf-8").splitlines(keepends=True)
    bad = ",".join(f'"{v}"' for v in stop_row("S3", StopTime="31/02/2024").values()) + "\r\n"
    path.write_text("".join([text[0], "\r\n", *text[1:], "\r\n", "\r\n", bad]), "utf-8")
    # line 1 header, 2 blank, 3 S1, 4 S2 (over two lines), 5 and 6 blank, 7 S3
    assert run(engine, path, stops_spec).counts()["quarantined"] == 1
    with engine.connect() as conn:
        numbers = conn.execute(select(t.record.c.row_number).order_by(t.record.c.id)).scalars()
        assert list(numbers) == [3, 4]
        assert conn.execute(select(t.quarantine.c.row_number)).scalar_one() == 7


def test_wrong_delimiter_or_missing_column_refused_and_nothing_written(
    engine: Engine, stops_spec, tmp_path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("StopRef;StopTime\nS1;14/03/2024\n".replace(";", "#"), encoding="utf-8")
    with pytest.raises(FileRefused) as err:
        ingest_file(engine, bad, stops_spec, actor="tester")
    assert err.value.column == "StopRef" and "bad.csv" in str(err.value)
    missing = tmp_path / "missing.csv"
    missing.write_text("StopRef,VRM\nS1,AB12CDE\n", encoding="utf-8")
    with pytest.raises(FileRefused) as err:
        ingest_file(engine, missing, stops_spec, actor="tester")
    assert err.value.column == "StopTime"
    assert count(engine, t.ingest_batch) == 0 and count(engine, t.audit_event) == 0


def test_binary_junk_refused(engine: Engine, stops_spec, tmp_path) -> None:
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"\x00\x01\x02garbage\xff\xfe" * 100)
    with pytest.raises(FileRefused, match="binary"):
        ingest_file(engine, junk, stops_spec, actor="tester")
    assert count(engine, t.record) == 0


def test_semicolon_bom_cp1252_and_mixed_encodings(engine: Engine, stops_spec, tmp_path) -> None:
    path = write_csv(
        tmp_path / "s.csv",
        [stop_row("S1", Occ2Name="Zoë Brontë")],
        delimiter=";",
        encoding="cp1252",
    )
    res = run(engine, path, stops_spec)
    assert res.stored == 1
    # A UTF-8 file with a BOM and one row pasted from a Windows-1252 system.
    mixed = tmp_path / "mixed.csv"
    good = write_csv(tmp_path / "tmp.csv", [stop_row("M1", Occ2Name="Zoë Añez")]).read_bytes()
    pasted = write_csv(
        tmp_path / "tmp2.csv", [stop_row("M2", Occ2Name="Renée Dupré")], encoding="cp1252"
    )
    bad_line = pasted.read_bytes().split(b"\r\n", 1)[1]
    mixed.write_bytes(b"\xef\xbb\xbf" + good + bad_line)
    res = run(engine, mixed, stops_spec)
    assert res.counts()["stored"] == 2
    with engine.connect() as conn:
        names = set(conn.execute(select(t.person_mention.c.raw_name)).scalars())
    assert {"Zoë Brontë", "Zoë Añez", "Renée Dupré"} <= names


def test_ragged_row_quarantined(engine: Engine, stops_spec, tmp_path) -> None:
    path = write_csv(tmp_path / "s.csv", [stop_row("S1")])
    with path.open("a", encoding="utf-8") as handle:
        handle.write("S9,only,three\n")
    res = run(engine, path, stops_spec)
    assert (res.stored, res.quarantined) == (1, 1)
    with engine.connect() as conn:
        reason = conn.execute(select(t.quarantine.c.reason)).scalar_one()
    assert f"header has {len(STOP_HEADER)}" in reason


def test_ingest_is_audited_as_collection(engine: Engine, stops_spec, tmp_path) -> None:
    run(engine, write_csv(tmp_path / "s.csv", [stop_row("S1")]), stops_spec)
    with engine.connect() as conn:
        ev = conn.execute(select(t.audit_event)).one()
    assert (ev.category, ev.action, ev.actor) == ("collection", "ingest", "tester")
    assert json.loads(ev.detail)["stored"] == 1


def test_a_batch_collects_less_often_and_restores_the_collector(
    engine: Engine, stops_spec, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a batch writes, the collector runs at prepare.FEWER_COLLECTIONS; after it, at
    whatever it was before, whether the batch committed or failed."""
    from joinedup.ingest import batch, prepare

    seen = []
    insert = batch.insert_rows

    def spied(conn, laid_out):  # type: ignore[no-untyped-def]
        seen.append(gc.get_threshold())
        insert(conn, laid_out)

    monkeypatch.setattr(batch, "insert_rows", spied)
    before = gc.get_threshold()
    assert before != prepare.FEWER_COLLECTIONS
    run(engine, write_csv(tmp_path / "a.csv", [stop_row("S1"), stop_row("S2")]), stops_spec)
    assert seen == [prepare.FEWER_COLLECTIONS]
    assert gc.get_threshold() == before

    def failing(conn, laid_out):  # type: ignore[no-untyped-def]
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(batch, "insert_rows", failing)
    with pytest.raises(RuntimeError, match="disk is full"):
        run(engine, write_csv(tmp_path / "b.csv", [stop_row("S3")]), stops_spec)
    assert gc.get_threshold() == before
