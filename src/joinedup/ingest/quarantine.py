"""Rows that could not be stored: list them, show one, export them to be fixed and re-sent."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from joinedup.store import tables as t


@dataclass
class QuarantinedRow:
    id: int
    source: str
    file_name: str
    row_number: int
    source_ref: str | None
    field: str | None
    reason: str
    raw: str
    created_at: Any
    resolved_at: Any
    resolution: str | None

    def fields(self) -> dict[str, Any] | None:
        try:
            value = json.loads(self.raw)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None


def _query(source: str | None, include_resolved: bool):  # type: ignore[no-untyped-def]
    q = select(
        t.quarantine.c.id,
        t.source.c.code,
        t.quarantine.c.file_name,
        t.quarantine.c.row_number,
        t.quarantine.c.source_ref,
        t.quarantine.c.field,
        t.quarantine.c.reason,
        t.quarantine.c.raw,
        t.quarantine.c.created_at,
        t.quarantine.c.resolved_at,
        t.quarantine.c.resolution,
    ).select_from(t.quarantine.join(t.source, t.source.c.id == t.quarantine.c.source_id))
    if source:
        q = q.where(t.source.c.code == source)
    if not include_resolved:
        q = q.where(t.quarantine.c.resolved_at.is_(None))
    return q.order_by(t.quarantine.c.id)


def list_rows(
    conn: Connection,
    *,
    source: str | None = None,
    include_resolved: bool = False,
    limit: int | None = None,
) -> list[QuarantinedRow]:
    q = _query(source, include_resolved)
    if limit:
        q = q.limit(limit)
    return [QuarantinedRow(*row) for row in conn.execute(q)]


def get_row(conn: Connection, row_id: int) -> QuarantinedRow | None:
    q = _query(None, True).where(t.quarantine.c.id == row_id)
    row = conn.execute(q).first()
    return QuarantinedRow(*row) if row else None


def export_rows(rows: list[QuarantinedRow], path: Path) -> int:
    """Write rows to CSV (.csv) or JSONL (anything else) with their original fields,
    so they can be corrected and ingested again with the same spec. Rows that could not
    even be split into fields are written to JSONL as their raw text."""
    if path.suffix.lower() == ".csv":
        header: list[str] = []
        parsed = [r.fields() for r in rows]
        for fields in parsed:
            for key in fields or {}:
                if key not in header:
                    header.append(key)
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            for fields in parsed:
                if fields is not None:
                    writer.writerow([_cell(fields.get(k)) for k in header])
        return sum(1 for f in parsed if f is not None)
    with path.open("w", encoding="utf-8") as handle:
        for r in rows:
            fields = r.fields()
            handle.write(
                json.dumps(fields if fields is not None else {"_raw": r.raw}, ensure_ascii=False)
                + "\n"
            )
    return len(rows)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
