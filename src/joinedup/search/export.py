"""A profile as a CSV file for disclosure outside JoinedUp: one row per source record,
every cell escaped against spreadsheet formula injection."""

from __future__ import annotations

import csv
import io
from typing import Any

# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = ("entity", "label", "record_id", "source", "agency", "source_ref", "date",
           "event_type", "grading", "role", "as_written")  # fmt: skip


def safe_cell(value: Any) -> str:
    """The value as text, with a leading apostrophe where a spreadsheet would see a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def profile_csv(profile: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for r in profile["records"]:
        written = "; ".join(f"{k}: {v}" for k, v in r["as_written"].items())
        row = (profile["entity"], profile["label"], r["record_id"], r["source"], r["agency"],
               r["source_ref"], r["date"], r["event_type"], r["grading"], r["role"],
               written)  # fmt: skip
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()
