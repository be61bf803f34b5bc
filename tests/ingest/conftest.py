"""Helpers for ingest tests: the test spec and small files written on the fly."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from joinedup.feeds import FeedSpec, load_spec
from joinedup.store import make_engine, migrate
from joinedup.store import tables as t
from tests.conftest import drop_pg_database, new_pg_database

SPECS = Path(__file__).parent / "specs"
STOP_HEADER = [
    "StopRef", "StopTime", "VRM", "Make", "Colour", "Location", "Postcode", "Grading",
    "Occ1Name", "Occ1DOB", "Occ1Sex", "Occ1Role", "Occ1Phone", "Occ1IC",
    "Occ2Name", "Occ2DOB", "Occ2Sex", "Occ2Role", "Occ2Phone", "Occ2IC",
    "Occ3Name", "Occ3DOB", "Occ3Sex", "Occ3Role", "Occ3Phone", "Occ3IC",
    "Notes",
]  # fmt: skip


@pytest.fixture
def stops_spec() -> FeedSpec:
    return load_spec(SPECS / "stops.yaml")


def stop_row(ref: str, **overrides: str) -> dict[str, str]:
    row = {h: "" for h in STOP_HEADER}
    row.update(
        StopRef=ref,
        StopTime="14/03/2024 22:10",
        VRM="FD51 KXT",
        Make="BMW",
        Colour="Black",
        Location="12 Mill Lane, Northvale",
        Postcode="NV3 4QT",
        Grading="B2P",
        Occ1Name="Tariq 'Taz' Hollins",
        Occ1DOB="02/05/1990",
        Occ1Sex="M",
        Occ1Role="D",
        Occ1Phone="07700 900123",
        Occ2Name="Amber Pell",
        Occ2DOB="11/01/2010",
        Occ2Sex="F",
        Occ2Role="P",
        Notes='Driver known as "Boss". Second car FD5? seen, call 07700 900456.',
    )
    row.update(overrides)
    return row


def write_csv(
    path: Path, rows: list[dict[str, str]], *, delimiter: str = ",", encoding: str = "utf-8"
) -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.DictWriter(handle, fieldnames=STOP_HEADER, delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def pg_with_records() -> Iterator[Engine]:
    """A migrated PostgreSQL store holding one source, spec and batch, and records 1 to 4
    (an event's record is its own: a unique key), for rows written straight to it."""
    url = new_pg_database()
    engine = make_engine(url)
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(t.source.insert().values(id=1, code="c", name="n", agency="a"))
        conn.execute(
            t.feed_spec.insert().values(
                id=1, name="s", version=1, spec_hash="h", spec_json="{}", source_id=1
            )
        )
        conn.execute(
            t.ingest_batch.insert().values(
                id=1, source_id=1, feed_spec_id=1, file_name="f", file_hash="h", file_size=1,
                started_at=datetime(2024, 1, 1), ingested_by="tester", rows_read=0,
                rows_stored=0, rows_duplicate=0, rows_quarantined=0,
            )
        )  # fmt: skip
        for record_id in range(1, 5):
            conn.execute(
                t.record.insert().values(
                    id=record_id, source_id=1, batch_id=1, row_number=2, raw="{}",
                    received_at=datetime(2024, 1, 1), content_hash=bytes([record_id]) * 32,
                )
            )  # fmt: skip
    yield engine
    engine.dispose()
    drop_pg_database(url)
