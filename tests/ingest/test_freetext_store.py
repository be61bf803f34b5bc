"""What free text yields is stored as mentions marked extracted, each pointing at its
column and at the characters it came from, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from sqlalchemy import Engine, select

from joinedup.ingest.batch import ingest_file
from joinedup.store import tables as t

from .conftest import stop_row, write_csv

NOTES = (
    'Girl says the man she calls "Boss" drives FD51 KXT; call 07700 900456. '
    "Dropped at NV3 4QT on 12/03/2024 around 23:00."
)


def test_extracted_mentions_point_at_their_text(engine: Engine, stops_spec, tmp_path) -> None:
    path = write_csv(tmp_path / "stops.csv", [stop_row("S1", Notes=NOTES)])
    result = ingest_file(engine, path, stops_spec, actor="tester")
    assert result.counts()["stored"] == 1
    with engine.connect() as conn:
        raw = json.loads(conn.execute(select(t.record.c.raw)).scalar_one())
        notes = raw["Notes"]
        found = {}
        for kind, table in t.MENTION_TABLES.items():
            columns = [table.c.text_field, table.c.span_start, table.c.span_end, table.c.slot]
            rows = conn.execute(select(*columns).where(table.c.extracted.is_(True))).all()
            for text_field, start, end, slot in rows:
                assert text_field == "Notes", (kind, slot)
                assert 0 <= start < end <= len(notes), (kind, start, end)
                found.setdefault(kind, []).append(notes[start:end])
        # Mentions from the row's own columns are not marked extracted.
        own = conn.execute(
            select(t.vehicle_mention.c.vrm, t.vehicle_mention.c.span_start).where(
                t.vehicle_mention.c.extracted.is_(False)
            )
        ).all()
        assert own == [("FD51KXT", None)]
        nickname = conn.execute(
            select(t.person_mention.c.nickname).where(t.person_mention.c.extracted.is_(True))
        ).scalar_one()
        dates = conn.execute(select(t.event.c.attributes)).scalar_one()
    assert found["vehicle"] == ["FD51 KXT"]
    assert found["phone"] == ["07700 900456"]
    assert found["location"] == ["NV3 4QT"]
    assert nickname == "Boss" and found["person"] == ["Boss"]
    # Dates in the text belong to the record's event (the data model has no date mention).
    (when,) = dates["dates_in_text"]
    assert when["field"] == "Notes" and when["value"] == "2024-03-12"
    assert notes[when["start"] : when["end"]] == "12/03/2024"
