"""Helpers for ingest tests: the test spec and small files written on the fly."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from joinedup.feeds import FeedSpec, load_spec

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
