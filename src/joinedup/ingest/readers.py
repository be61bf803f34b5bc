"""Streaming readers for CSV (any delimiter, BOM, UTF-8 or Windows-1252), JSONL and XLSX.

Each reader yields one `SourceRow` per input row, in file order, holding either the
row's fields or the reason it could not be read; nothing is skipped silently. A file
that cannot be read at all raises `FileRefused` before any row is yielded.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any

from joinedup.feeds.spec import FeedSpec

SNIFF_BYTES = 64 * 1024
DELIMITERS = ",;|\t"
csv.field_size_limit(64 * 1024 * 1024)


class FileRefused(ValueError):
    """The whole file cannot be read with its spec; nothing was written."""

    def __init__(self, path: str | Path, reason: str, column: str | None = None):
        self.path = str(path)
        self.reason = reason
        self.column = column
        where = f" (column {column!r})" if column else ""
        super().__init__(f"{self.path}{where}: {reason}")

    def __reduce__(self) -> tuple[type[FileRefused], tuple[str, str, str | None]]:
        return FileRefused, (self.path, self.reason, self.column)  # crosses processes whole


@dataclass(slots=True)
class SourceRow:
    row_number: int  # as a person would count it: the header is row 1
    fields: dict[str, Any] | None
    error: str | None = None  # why the row could not be read
    raw_text: str | None = None  # the row as text, kept when it could not be parsed


# What a reader yields for a row while its stream is skipping: counted, not built.
SKIPPED = SourceRow(0, None, "skipped")


class Skipping:
    """Whether the rows being read now are wanted; a worker skips other workers' chunks."""

    __slots__ = ("on",)

    def __init__(self) -> None:
        self.on = False


class RowStream:
    """An open file's rows plus how far through the file we are (for progress bars).

    While `skipping.on`, a CSV or JSONL reader yields SKIPPED for each row instead of
    building it (rows still count exactly as they would); XLSX rows are built anyway.
    """

    def __init__(
        self,
        path: Path,
        rows: Iterator[SourceRow],
        handle: IO[bytes] | None,
        skipping: Skipping | None = None,
        *,
        kind: str = "csv",
    ):
        self.path = path
        self.rows = rows
        self._handle = handle
        self.size = path.stat().st_size
        self.skipping = skipping or Skipping()
        self.kind = kind

    def position(self) -> int:
        if self._handle is None or self._handle.closed:
            return self.size
        try:
            return self._handle.tell()
        except (OSError, ValueError):
            return self.size

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()


def open_rows(path: str | Path, spec: FeedSpec) -> RowStream:
    """Open `path` with `spec`'s format and check its header; raises FileRefused."""
    p = Path(path)
    if not p.is_file():
        raise FileRefused(p, "no such file")
    if spec.format == "csv":
        return _open_csv(p, spec)
    if spec.format == "jsonl":
        return _open_jsonl(p, spec)
    return _open_xlsx(p, spec)


# -- CSV -------------------------------------------------------------------------------


def _decode(line: bytes, encoding: str) -> str:
    """Decode one line; UTF-8 first, Windows-1252 for lines that are not UTF-8.

    Extracts often mix encodings (a UTF-8 file with rows pasted from an old system),
    so the fallback is per line, never for the whole file.
    """
    if encoding not in ("auto", "utf-8", "utf8"):
        return line.decode(encoding, errors="replace")
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("cp1252", errors="replace")


def _text_lines(handle: IO[bytes], encoding: str) -> Iterator[str]:
    first = True
    for line in handle:
        if first:
            first = False
            if line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
        yield _decode(line, encoding)


def _check_not_binary(path: Path, sample: bytes) -> None:
    if b"\x00" in sample:
        raise FileRefused(path, "this looks like a binary file (it has NUL bytes), not text")
    if sample.startswith(b"PK\x03\x04"):
        raise FileRefused(path, "this is a ZIP/XLSX file; use a spec with format: xlsx")


def _sniff_delimiter(path: Path, sample_text: str, spec: FeedSpec) -> str:
    if spec.options.delimiter != "auto":
        return spec.options.delimiter
    header = sample_text.splitlines()[0] if sample_text else ""
    wanted = set(spec.required) | spec.columns()
    # Prefer the delimiter that splits the header into the columns the spec reads.
    best, best_hits = ",", -1
    for delim in DELIMITERS:
        cols = {c.strip() for c in next(csv.reader([header], delimiter=delim), [])}
        hits = len(cols & wanted)
        if hits > best_hits:
            best, best_hits = delim, hits
    if best_hits <= 0:
        try:
            best = csv.Sniffer().sniff(sample_text, delimiters=DELIMITERS).delimiter
        except csv.Error:
            best = ","
    return best


def _header(path: Path, names: list[str], spec: FeedSpec) -> list[str]:
    cleaned: list[str] = []
    seen: dict[str, int] = {}
    for name in names:
        name = name.strip()
        if name in seen:  # keep both values: nothing lost
            seen[name] += 1
            name = f"{name}__{seen[name]}"
        else:
            seen[name] = 1
        cleaned.append(name)
    present = set(cleaned)
    for col in spec.required:
        if col not in present:
            hint = ""
            if len(cleaned) == 1 and any(d in cleaned[0] for d in DELIMITERS):
                hint = " (the header did not split into columns: is the delimiter right?)"
            raise FileRefused(path, f"required column is missing from the header{hint}", col)
    return cleaned


def _open_csv(path: Path, spec: FeedSpec) -> RowStream:
    handle = path.open("rb")
    try:
        sample = handle.read(SNIFF_BYTES)
        if not sample.strip():
            handle.close()
            return RowStream(path, iter(()), None)
        _check_not_binary(path, sample)
        sample_text = _decode(sample.removeprefix(b"\xef\xbb\xbf"), spec.options.encoding)
        delimiter = _sniff_delimiter(path, sample_text, spec)
        handle.seek(0)
        reader = csv.reader(_text_lines(handle, spec.options.encoding), delimiter=delimiter)
        try:
            header = _header(path, next(reader), spec)
        except StopIteration:
            header = []
    except BaseException:
        handle.close()
        raise
    skipping = Skipping()
    return RowStream(path, _csv_rows(path, reader, header, skipping), handle, skipping)


def _csv_rows(
    path: Path, reader: Any, header: list[str], skipping: Skipping
) -> Iterator[SourceRow]:
    row_number = 1
    width = len(header)
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            row_number += 1
            yield SourceRow(row_number, None, f"CSV cannot be parsed here: {exc}")
            continue
        row_number += 1
        if not values or (len(values) == 1 and not values[0].strip()):
            row_number -= 1  # a blank line is not a row
            continue
        if skipping.on:
            yield SKIPPED
            continue
        if len(values) != width:
            yield SourceRow(
                row_number,
                None,
                f"row has {len(values)} fields but the header has {len(header)}",
                raw_text=json.dumps(values, ensure_ascii=False),
            )
            continue
        yield SourceRow(row_number, dict(zip(header, values, strict=True)))


# -- JSONL -----------------------------------------------------------------------------


def _open_jsonl(path: Path, spec: FeedSpec) -> RowStream:
    handle = path.open("rb")
    sample = handle.read(SNIFF_BYTES)
    try:
        _check_not_binary(path, sample)
    except FileRefused:
        handle.close()
        raise
    handle.seek(0)
    skipping = Skipping()
    rows = _jsonl_rows(path, handle, spec, skipping)
    return RowStream(path, rows, handle, skipping, kind="jsonl")


def _jsonl_rows(
    path: Path, handle: IO[bytes], spec: FeedSpec, skipping: Skipping
) -> Iterator[SourceRow]:
    checked = False
    for line_number, line in enumerate(_text_lines(handle, spec.options.encoding), start=1):
        if not line.strip():
            continue
        if checked and skipping.on:  # the first object is always parsed: it is checked
            yield SKIPPED
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield SourceRow(line_number, None, f"not valid JSON: {exc.msg}", raw_text=line)
            continue
        if not isinstance(obj, dict):
            yield SourceRow(line_number, None, "a JSON line must be an object", raw_text=line)
            continue
        if not checked:
            checked = True
            for col in spec.required:
                if col not in obj:
                    raise FileRefused(path, "required field is missing from the first object", col)
        yield SourceRow(line_number, obj)


# -- XLSX ------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ") if value.time() != time(0) else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _open_xlsx(path: Path, spec: FeedSpec) -> RowStream:
    from openpyxl import load_workbook  # imported lazily: only XLSX feeds need it

    try:
        # data_only=False keeps a formula as its text: it is never evaluated.
        book = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for junk
        raise FileRefused(path, f"cannot be opened as XLSX: {exc}") from exc
    sheet = book[spec.options.sheet] if spec.options.sheet else book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header_row = spec.options.header_row
    header: list[str] = []
    for index, values in enumerate(rows, start=1):
        if index == header_row:
            header = _header(path, [_cell_text(v) for v in values], spec)
            break
    if not header:
        book.close()
        return RowStream(path, iter(()), None)
    return RowStream(path, _xlsx_rows(book, rows, header, header_row), None, kind="xlsx")


def _xlsx_rows(
    book: Any, rows: Iterator[Any], header: list[str], first: int
) -> Iterator[SourceRow]:
    try:
        for row_number, values in enumerate(rows, start=first + 1):
            texts = [_cell_text(v) for v in values]
            if not any(t.strip() for t in texts):
                continue
            if len(texts) > len(header) and any(t.strip() for t in texts[len(header) :]):
                yield SourceRow(
                    row_number,
                    None,
                    f"row has values beyond the {len(header)} header columns",
                    raw_text=json.dumps(texts, ensure_ascii=False),
                )
                continue
            texts += [""] * (len(header) - len(texts))
            yield SourceRow(row_number, dict(zip(header, texts[: len(header)], strict=True)))
    finally:
        book.close()
