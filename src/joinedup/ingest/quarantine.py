"""Rows that could not be stored: list them, show one, export them to be fixed and re-sent.

An export is written the way the rows' own feed spec reads files (the spec stored with
the batch that quarantined them): a CSV spec's delimiter and encoding, JSONL for a JSONL
spec, an .xlsx workbook (every cell a string, never a live formula) for an XLSX spec. So
the fixed file goes back through `joinedup ingest` with the same spec unchanged.

Nothing is left out silently. A row that was never split into fields (a CSV row with the
wrong number of cells, a JSON line that does not parse), or one holding a value the
spec's format cannot carry (a character the CSV encoding lacks, a control character or an
over-long cell in XLSX), goes to a side file, `<name>.unparsed.jsonl`, with its file, row
number, reason and raw text, to be fixed by hand.

Formula-looking cells (`=HYPERLINK(...)`, a leading `=`, `@`, `+` or `-` that is not a
plain number) are written verbatim to CSV, so a re-submitted row is the same text; they
are counted so the CLI can warn, and `escape_formulas` prefixes them with `'` (changing
those values). XLSX cells are written as strings, which a spreadsheet never evaluates.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from joinedup.feeds.spec import FeedSpec, _refs_of
from joinedup.store import tables as t

# What a spreadsheet may take for a formula: OWASP's list of leading characters. A value
# starting with + or - that is only a number or a phone number ("-12.5", "+44 7700 900123")
# is not counted: it cannot call a function.
_FORMULA_START = ("=", "@", "+", "-", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-][0-9\s().,/+-]*")
XLSX_CELL_MAX = 32_767  # the most characters an XLSX cell holds
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # openpyxl refuses these
SUFFIXES = {"csv": (".csv", ".txt", ".tsv"), "jsonl": (".jsonl", ".ndjson", ".json")}
SUFFIXES["xlsx"] = (".xlsx",)


class ExportError(ValueError):
    """The rows cannot be exported as one file their spec reads (nothing was written)."""


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
    batch_id: int
    spec: str  # the name of the feed spec that read the row
    feed_spec_id: int

    def fields(self) -> dict[str, Any] | None:
        try:
            value = json.loads(self.raw)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None


def _query(source: str | None, include_resolved: bool, spec: str | None = None):  # type: ignore[no-untyped-def]
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
        t.quarantine.c.batch_id,
        t.feed_spec.c.name,
        t.feed_spec.c.id,
    ).select_from(
        t.quarantine.join(t.source, t.source.c.id == t.quarantine.c.source_id)
        .join(t.ingest_batch, t.ingest_batch.c.id == t.quarantine.c.batch_id)
        .join(t.feed_spec, t.feed_spec.c.id == t.ingest_batch.c.feed_spec_id)
    )
    if source:
        q = q.where(t.source.c.code == source)
    if spec:
        q = q.where(t.feed_spec.c.name == spec)
    if not include_resolved:
        q = q.where(t.quarantine.c.resolved_at.is_(None))
    return q.order_by(t.quarantine.c.id)


def list_rows(
    conn: Connection,
    *,
    source: str | None = None,
    include_resolved: bool = False,
    limit: int | None = None,
    spec: str | None = None,
) -> list[QuarantinedRow]:
    q = _query(source, include_resolved, spec)
    if limit:
        q = q.limit(limit)
    return [QuarantinedRow(*row) for row in conn.execute(q)]


def get_row(conn: Connection, row_id: int) -> QuarantinedRow | None:
    q = _query(None, True).where(t.quarantine.c.id == row_id)
    row = conn.execute(q).first()
    return QuarantinedRow(*row) if row else None


def source_exists(conn: Connection, code: str) -> bool:
    return conn.execute(select(t.source.c.id).where(t.source.c.code == code)).first() is not None


# -- how the rows' spec reads a file -------------------------------------------------------


def spec_columns(spec: FeedSpec) -> list[str]:
    """The top-level columns the spec reads, in the spec's order: the record, the event,
    each block (a repeated block's columns for n = 1, then n = 2, ...), free text, then any
    required column not named before."""
    order: dict[str, None] = {}

    def add(column: str | None) -> None:
        if column:
            order.setdefault(column.split(".")[0], None)

    for ref in _refs_of(spec.record) + (_refs_of(spec.event) if spec.event else []):
        add(ref.column)
    for block in spec.blocks():
        if block.each:
            add(block.each)
            continue
        refs = [r.column for r in _refs_of(block) if r.column]
        if block.repeat:
            for n in range(1, block.repeat + 1):
                for column in refs:
                    add(column.replace("{n}", str(n)))
        else:
            for column in refs:
                add(column)
    for column in [*spec.free_text, *spec.required]:
        add(column)
    return list(order)


@dataclass
class ExportTarget:
    """How the rows' spec reads a file, so the export is written that way."""

    format: str  # csv, jsonl or xlsx
    specs: list[str]  # the names of the specs the rows were read with
    columns: list[str]  # the spec's columns in its order
    delimiter: str = ","
    encoding: str = "utf-8"
    sheet: str | None = None
    header_row: int = 1

    def describe(self) -> str:
        if self.format == "csv":
            delim = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(
                self.delimiter, repr(self.delimiter)
            )
            return f"CSV, {delim}-delimited, {self.encoding}"
        if self.format == "xlsx":
            return f"XLSX, sheet {self.sheet or 'Sheet1'!r}, every cell as text"
        return f"JSONL, {self.encoding}"


def _write_encoding(spec: FeedSpec) -> str:
    encoding = spec.options.encoding
    if encoding.lower() in ("auto", "utf-8", "utf8"):
        return "utf-8"
    return codecs.lookup(encoding).name


def export_target(conn: Connection, rows: list[QuarantinedRow]) -> ExportTarget:
    """How the rows' feed specs (as stored with their batches) read a file; raises
    ExportError when the rows come from specs that read files differently."""
    ids = sorted({r.feed_spec_id for r in rows})
    stored = conn.execute(
        select(t.feed_spec.c.id, t.feed_spec.c.name, t.feed_spec.c.version, t.feed_spec.c.spec_json)
        .where(t.feed_spec.c.id.in_(ids))
        .order_by(t.feed_spec.c.id.desc())  # the newest version's columns first
    ).all()
    targets: dict[tuple[Any, ...], list[str]] = {}
    columns: dict[str, None] = {}
    for _, name, version, text in stored:
        spec = _stored_spec(name, version, text)
        if spec.format == "csv":
            delimiter = "," if spec.options.delimiter == "auto" else spec.options.delimiter
            how: tuple[Any, ...] = ("csv", delimiter, _write_encoding(spec), None, 1)
        elif spec.format == "jsonl":
            how = ("jsonl", ",", _write_encoding(spec), None, 1)
        else:
            how = ("xlsx", ",", "utf-8", spec.options.sheet, spec.options.header_row)
        targets.setdefault(how, []).append(f"{name} v{version}")
        columns.update(dict.fromkeys(spec_columns(spec)))
    if len(targets) > 1:
        described = "; ".join(
            f"{', '.join(names)}: {ExportTarget(how[0], [], [], *how[1:]).describe()}"
            for how, names in targets.items()
        )
        raise ExportError(
            f"these rows were read by specs that read files differently ({described}); "
            "export them one spec at a time with --spec NAME"
        )
    ((fmt, delimiter, encoding, sheet, header_row),) = targets
    names = sorted({r.spec for r in rows})
    return ExportTarget(fmt, names, list(columns), delimiter, encoding, sheet, header_row)


def _stored_spec(name: str, version: int, text: str) -> FeedSpec:
    """The spec as its batch stored it; a stored spec that no longer validates (written by
    an older JoinedUp) gives way to the built-in spec of that name and version."""
    try:
        return FeedSpec.model_validate(json.loads(text))
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        from joinedup.feeds.loader import builtin_specs

        builtin = builtin_specs().get(name)
        if builtin is not None and builtin.version == version:
            return builtin
        raise ExportError(
            f"the spec {name} v{version} stored with these rows' batch cannot be read "
            f"any more ({exc}); export them with --spec naming another of the source's specs"
        ) from exc


def export_path(path: Path, target: ExportTarget) -> Path:
    """`path`, with the suffix of the spec's format when it has another one."""
    if path.suffix.lower() in SUFFIXES[target.format]:
        return path
    return path.with_suffix(SUFFIXES[target.format][0])


def unparsed_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.unparsed.jsonl")


# -- writing --------------------------------------------------------------------------------


def id_ranges(ids: list[int]) -> list[list[int]]:
    """Ids as [first, last] runs: an export's audit row names every row it disclosed
    without growing by one number a row."""
    runs: list[list[int]] = []
    for i in sorted(set(ids)):
        if runs and i == runs[-1][1] + 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return runs


def looks_like_formula(value: str) -> bool:
    """Whether a spreadsheet opening this cell of a CSV file may take it for a formula."""
    if not value or not value.startswith(_FORMULA_START):
        return False
    if value[0] in "+-":
        return _PLAIN_NUMBER.fullmatch(value) is None
    return True


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class Export:
    """An export written to temporary files beside its targets: `keep()` moves them into
    place (once the disclosure is audited), `discard()` removes them."""

    target: ExportTarget
    path: Path
    rows: int = 0  # rows written to `path`
    unparsed: int = 0  # rows written to `unparsed_file` instead
    unparsed_file: Path | None = None
    formula_cells: int = 0  # formula-looking cells among those written
    formulas_escaped: bool = False
    unparsed_reasons: dict[str, int] = field(default_factory=dict)
    _pending: list[tuple[Path, Path]] = field(default_factory=list)

    def keep(self) -> None:
        for temp, final in self._pending:
            os.replace(temp, final)
        self._pending.clear()

    def discard(self) -> None:
        for temp, _ in self._pending:
            temp.unlink(missing_ok=True)
        self._pending.clear()

    def summary(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "format": self.target.format,
            "specs": self.target.specs,
            "delimiter": self.target.delimiter if self.target.format == "csv" else None,
            "encoding": self.target.encoding if self.target.format != "xlsx" else None,
            "sheet": (self.target.sheet or "Sheet1") if self.target.format == "xlsx" else None,
            "rows": self.rows,
            "unparsed": self.unparsed,
            "unparsed_file": str(self.unparsed_file) if self.unparsed_file else None,
            "unparsed_reasons": self.unparsed_reasons,
            "formula_cells": self.formula_cells,
            "formulas_escaped": self.formulas_escaped,
        }


def _temp_beside(final: Path) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".part", dir=final.parent)
    os.close(fd)
    return Path(name)


def write_export(
    rows: list[QuarantinedRow],
    target: ExportTarget,
    path: Path,
    *,
    escape_formulas: bool = False,
) -> Export:
    """Write `rows` as `target` reads them, to temporary files; `keep()` the result."""
    export = Export(target, export_path(path, target), formulas_escaped=escape_formulas)
    parsed = [(r, r.fields()) for r in rows]
    header = list(target.columns)
    present = {key for _, fields in parsed for key in fields or {}}
    if present:
        header = [c for c in header if c in present]
    # else no row has fields: the spec's columns make the file a template to fill in
    for _, fields in parsed:  # then keys the spec does not name, in order of appearance
        for key in fields or {}:
            if key not in header:
                header.append(key)
    side: list[dict[str, Any]] = []

    def aside(row: QuarantinedRow, fields: dict[str, Any] | None, why: str | None) -> None:
        entry: dict[str, Any] = {
            "quarantine_id": row.id,
            "file": row.file_name,
            "row_number": row.row_number,
            "source_ref": row.source_ref,
            "field": row.field,
            "reason": row.reason,
        }
        if why:
            entry["not_exported_because"] = why
        entry["raw"] = row.raw
        side.append(entry)
        key = why or "never split into fields"
        export.unparsed_reasons[key] = export.unparsed_reasons.get(key, 0) + 1

    final = export.path
    temp = _temp_beside(final)
    export._pending.append((temp, final))
    try:
        if target.format == "csv":
            _write_csv(export, parsed, header, temp, aside, escape_formulas)
        elif target.format == "jsonl":
            _write_jsonl(export, parsed, header, temp, aside)
        else:
            _write_xlsx(export, parsed, header, temp, aside)
        export.unparsed = len(side)
        if side:
            export.unparsed_file = unparsed_path(final)
            side_temp = _temp_beside(export.unparsed_file)
            export._pending.append((side_temp, export.unparsed_file))
            with side_temp.open("w", encoding="utf-8", newline="\n") as handle:
                for entry in side:
                    handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
    except BaseException:
        export.discard()
        raise
    return export


def _write_csv(export, parsed, header, temp, aside, escape) -> None:  # type: ignore[no-untyped-def]
    target = export.target
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=target.delimiter, lineterminator="\r\n")

    def line(values: list[str]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    with temp.open("wb") as handle:
        try:
            handle.write(line(header).encode(target.encoding))
        except UnicodeEncodeError as exc:
            raise ExportError(f"a column name cannot be written in {target.encoding}") from exc
        for row, fields in parsed:
            if fields is None:
                aside(row, None, None)
                continue
            cells = [_cell(fields.get(k)) for k in header]
            formulas = [i for i, c in enumerate(cells) if looks_like_formula(c)]
            if escape:
                for i in formulas:
                    cells[i] = "'" + cells[i]
            try:
                data = line(cells).encode(target.encoding)
            except UnicodeEncodeError:
                bad = next(k for k, c in zip(header, cells, strict=True) if not _encodes(c, target))
                aside(row, fields, f"a value in {bad!r} cannot be written in {target.encoding}")
                continue
            handle.write(data)
            export.rows += 1
            export.formula_cells += len(formulas)


def _encodes(text: str, target: ExportTarget) -> bool:
    try:
        text.encode(target.encoding)
    except UnicodeEncodeError:
        return False
    return True


def _write_jsonl(export, parsed, header, temp, aside) -> None:  # type: ignore[no-untyped-def]
    encoding = export.target.encoding
    ascii_only = encoding != "utf-8"  # JSON escapes carry any character in any encoding
    with temp.open("w", encoding=encoding, newline="\n") as handle:
        for row, fields in parsed:
            if fields is None:
                aside(row, None, None)
                continue
            ordered = {k: fields[k] for k in header if k in fields}
            handle.write(json.dumps(ordered, ensure_ascii=ascii_only) + "\n")
            export.rows += 1


def _write_xlsx(export, parsed, header, temp, aside) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    target = export.target
    book = Workbook(write_only=True)
    sheet = book.create_sheet(target.sheet or "Sheet1")

    def text_cell(value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # a string, even when it starts with "=": never a live formula
        return cell

    for _ in range(target.header_row - 1):
        sheet.append([])
    sheet.append([text_cell(h) for h in header])
    for row, fields in parsed:
        if fields is None:
            aside(row, None, None)
            continue
        cells = [_cell(fields.get(k)) for k in header]
        bad = next((k for k, c in zip(header, cells, strict=True) if _XLSX_ILLEGAL.search(c)), None)
        if bad is not None:
            aside(row, fields, f"a value in {bad!r} holds a control character XLSX cannot hold")
            continue
        long = next((k for k, c in zip(header, cells, strict=True) if len(c) > XLSX_CELL_MAX), None)
        if long is not None:
            aside(row, fields, f"a value in {long!r} is longer than an XLSX cell holds")
            continue
        sheet.append([text_cell(c) for c in cells])
        export.rows += 1
        export.formula_cells += sum(1 for c in cells if looks_like_formula(c))
    book.save(temp)
