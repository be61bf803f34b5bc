"""An XLSX workbook is shared by every worker only while all of them may hold its sheet in
memory at once (each loads the whole sheet to prepare its share); else one worker reads it."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from joinedup.feeds.loader import get_spec
from joinedup.ingest import prepare
from joinedup.ingest.readers import xlsx_sheets_bytes


def _workbook(path: Path, rows: int) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(["person_id", "forename", "surname"])
    for i in range(rows):
        sheet.append([f"P{i}", "Ada", "Hollis"])
    book.save(path)
    return path


def test_a_small_workbook_goes_to_every_worker_a_large_one_to_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = get_spec("social_care")
    path = _workbook(tmp_path / "care.xlsx", 200)
    size = xlsx_sheets_bytes(path)
    assert size is not None and size > 200 * 20  # the sheet's XML, uncompressed
    monkeypatch.setattr(prepare, "WORKERS", 2)
    monkeypatch.setattr(prepare, "XLSX_CALAMINE_MAX_BYTES", 2 * size)
    assert prepare._xlsx_workers(path, spec) is None  # both may hold it: shared
    monkeypatch.setattr(prepare, "XLSX_CALAMINE_MAX_BYTES", 2 * size - 1)
    assert prepare._xlsx_workers(path, spec) == 1


def test_a_file_that_is_not_a_workbook_goes_to_one_worker(tmp_path: Path) -> None:
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a zip")
    assert xlsx_sheets_bytes(junk) is None
    assert prepare._xlsx_workers(junk, get_spec("social_care")) == 1
    assert prepare._xlsx_workers(junk, get_spec("anpr_reads")) is None  # CSV: every worker
