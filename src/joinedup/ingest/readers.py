"""Streaming readers for CSV (any delimiter, BOM, UTF-8 or Windows-1252), JSONL and XLSX.

Each reader yields one `SourceRow` per input row, in file order, holding either the
row's fields or the reason it could not be read; nothing is skipped silently. A file
that cannot be read at all raises `FileRefused` before any row is yielded.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any

import orjson

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
    # A JSONL row orjson parsed, holding only floats it writes as the stdlib does (see
    # _jsonl_loads): its canonical JSON may be written by orjson (prepare.canonical_text_json).
    plain: bool = False


# What a reader yields for a row while its stream is skipping: counted, not built.
SKIPPED = SourceRow(0, None, "skipped")


class Skipping:
    """Whether the rows being read now are wanted; a worker skips other workers' chunks."""

    __slots__ = ("on",)

    def __init__(self) -> None:
        self.on = False


class RowStream:
    """An open file's rows plus how far through the file we are (for progress bars).

    While `skipping.on`, a reader yields SKIPPED for each row instead of building it (rows
    still count exactly as they would). An XLSX stream's `reader` says which library read
    its rows ("calamine" or "openpyxl"), once the first row has been read.
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
        self.reader = ""

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
            # A blank line holds no row, but it keeps its number: the rows after it are
            # numbered as a spreadsheet shows the file (and as JSONL lines are).
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
            obj, plain = _jsonl_loads(line)
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
        yield SourceRow(line_number, obj, plain=plain)


# json.loads defines what a JSONL row is. orjson.loads is faster (~6 µs a row, ~9 for
# json.loads), and what it reads, orjson.dumps writes as canonical JSON ~4x faster than the
# stdlib encoder (prepare.canonical_text_json). Where orjson parses a line it gives
# json.loads's values and types (duplicate keys, -0.0, float rounding, escapes: checked
# by tests/ingest/test_jsonl_canonical.py), and orjson.dumps with sorted keys writes them
# as prepare.canonical_json does, except where a parsed value holds:
#  - a float whose repr has an exponent (0 < |x| < 1e-4 or |x| >= 1e16), which orjson
#    writes otherwise (1e16, not 1e+16; 0.00001, not 1e-05);
#  - an integer beyond 64 bits, which orjson reads as a float (so, one of those above);
#  - nesting deeper than json.loads can go (it raises RecursionError; orjson reads on);
# and orjson reads a number of more than 768 significant digits as if more digits followed
# (1.00000000000000011102230246251565404236316680908203125 followed by 715 zeros, exactly
# halfway between two floats, comes out 1.0000000000000002, not 1.0).
# So orjson reads only a line with at most _MAX_DIGITS digits in all, and its value is kept
# (its row marked plain) only for an object in which _plain finds none of the above;
# otherwise, and wherever orjson refuses the line (NaN, Infinity, 1e400, a lone surrogate
# "\ud800", invalid JSON), json.loads parses it: it accepts what it always accepted and
# raises its own errors. These checks cost ~3 µs a row (~2 the floats, ~1 the digits);
# a regex over the line's text for odd numbers cost ~16.
_MAX_DEPTH = 100  # well inside json.loads's depth (the recursion limit, 1000)
_MAX_DIGITS = 600  # well below orjson's 768 (a city row has at most ~160)
_DIGITS = b"0123456789"


def _jsonl_loads(line: str) -> tuple[Any, bool]:
    """The line parsed as json.loads parses it, and whether orjson did it (`plain`)."""
    data = line.encode("utf-8", "surrogatepass")  # what orjson reads a str as (or refuses)
    if len(data) <= _MAX_DIGITS or len(data) - len(data.translate(None, _DIGITS)) <= _MAX_DIGITS:
        try:
            obj = orjson.loads(data)
        except orjson.JSONDecodeError:
            pass  # json.loads decides: NaN, lone surrogates, or invalid (with its message)
        else:
            if obj.__class__ is dict and _plain(obj, 0):  # else: as json.loads has it
                return obj, True
    return json.loads(line), False


def _plain(value: dict[str, Any] | list[Any], depth: int) -> bool:
    """Whether every float in `value` is 0 or 1e-4 <= |x| < 1e16, nested at most _MAX_DEPTH."""
    if depth > _MAX_DEPTH:
        return False
    for v in value.values() if value.__class__ is dict else value:  # type: ignore[union-attr]
        kind = v.__class__
        if kind is float:
            if not (1e-4 <= abs(v) < 1e16 or v == 0.0):
                return False
        elif (kind is dict or kind is list) and not _plain(v, depth + 1):
            return False
    return True


# -- XLSX ------------------------------------------------------------------------------
# openpyxl defines what an XLSX row is: its read-only parse (data_only=False) yields every
# cell as the file holds it, a formula as its text, never evaluated. It costs ~160 µs a
# row, so a sheet is read with python-calamine (Rust, ~40x faster) wherever calamine gives
# exactly openpyxl's rows, and with openpyxl everywhere else:
#  - the whole sheet goes to openpyxl when its XML holds what calamine reads otherwise:
#    formulas (calamine gives the cached value), error cells (calamine gives ""), ISO date
#    cells, formula strings, escaped characters (_x000D_: calamine decodes them), carriage
#    returns, single-quoted attributes, shared strings with phonetic runs, or a number
#    format the two may class differently (only plain date and number formats qualify);
#  - one row is taken from openpyxl (read on from where it last was) when calamine's
#    values for it may differ: a number of 2,900,000 or more (a date out of range, or an
#    integer too long for a float), a duration, a time with milliseconds (the two round
#    half a millisecond apart), a time of day in a sheet holding negative, almost-1 or
#    exponent numbers (calamine turns those dates into times), and a row with values
#    beyond the header (its raw text keeps openpyxl's width); if calamine panics on a
#    cell (a date serial of 1e300), openpyxl reads the rest of the sheet;
#  - calamine holds the whole sheet in memory (about 1-2.5x its XML), so a sheet whose XML
#    is over XLSX_CALAMINE_MAX_BYTES is streamed by openpyxl, and memory stays flat.
# The header is always read by openpyxl (its width is openpyxl's), and the rows read
# either way are the same: tests/ingest/test_xlsx_reader.py holds the two paths to it.
# Opening a workbook no longer parses a sheet without a <dimension> whole (_quick_size).

XLSX_CALAMINE_MAX_BYTES = 64 << 20  # the sheet's uncompressed XML, from the ZIP directory
_BIG = 2_900_000.0  # below every date limit (9999-12-31 is 2,958,465; 2,957,003 in 1904)
_XLSX_UNSAFE = (b"<f>", b"<f ", b't="e"', b't="d"', b't="str"', b"='", b"\r")
# Text that starts or ends with XML white space: calamine trims it unless the <t> says
# xml:space="preserve"; openpyxl never does.
_LOOSE_START = (b"<t> ", b"<t>\t", b"<t>\n")
_LOOSE_END = (b" </t>", b"\t</t>", b"\n</t>", b'"> ', b'">\t', b'">\n')
_XLSX_ODD_NUMBERS = (b"v>-", b"v>0.99999999")
_XLSX_ESCAPE = re.compile(rb"_x[0-9A-Fa-f]{4}_")
_XLSX_STYLE = re.compile(rb' s="(\d+)"')
_SCAN_BYTES = 1 << 20
# Number formats both libraries class alike: openpyxl by its own rules, calamine by its own.
_SAFE_BUILTIN = frozenset([*range(0, 23), *range(37, 46), 47, 48, 49])
_SAFE_DATE_FORMAT = re.compile(r"(?:[dmyhs]+|[-/.:, ]|\\[-/.:, ])+(?:;.*)?", re.I | re.S)
_SAFE_NUMBER_FORMAT = re.compile(r"(?:General|@|[0#?.,%E+\- ]+)(?:;.*)?", re.S)


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


def _quick_size(sheet: Any) -> None:
    """openpyxl's ReadOnlyWorksheet._get_size, with the same answer, sooner.

    openpyxl looks for the sheet's <dimension> on each element's end, so a sheet without
    one (the city's writer, many exporters) is parsed whole when the workbook is opened:
    about 40 µs a row, for each sheet, in each process that opens it. The dimension comes
    before <sheetData> when there is one, so this stops at the start of <sheetData>.
    """
    from xml.etree.ElementTree import XMLPullParser

    from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
    from openpyxl.worksheet.dimensions import SheetDimension

    parser = XMLPullParser(events=("start",))
    with sheet._get_source() as source:
        while piece := source.read(64 << 10):
            parser.feed(piece)
            for _event, element in parser.read_events():
                if element.tag == DIMENSION_TAG:
                    dims = SheetDimension.from_tree(element).boundaries
                    sheet._min_column, sheet._min_row, sheet._max_column, sheet._max_row = dims
                    return
                if element.tag == DATA_TAG:
                    return


_OPENPYXL_GET_SIZE: Any = None  # openpyxl's own, kept for tests/ingest/test_xlsx_reader.py


def _size_sheets_quickly() -> None:
    global _OPENPYXL_GET_SIZE
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    if _OPENPYXL_GET_SIZE is None and hasattr(ReadOnlyWorksheet, "_get_size"):
        _OPENPYXL_GET_SIZE = ReadOnlyWorksheet._get_size
        ReadOnlyWorksheet._get_size = _quick_size


def xlsx_sheets_bytes(path: str | Path) -> int | None:
    """The uncompressed size of a workbook's sheets' XML, from its ZIP directory (what a
    calamine load holds about 1 to 2.5 times over); None if it is not a readable ZIP."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            return sum(
                info.file_size
                for info in archive.infolist()
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
            )
    except (OSError, zipfile.BadZipFile):
        return None


def _open_xlsx(path: Path, spec: FeedSpec, *, reader: str = "auto") -> RowStream:
    """`reader`: "auto" (calamine where it gives openpyxl's rows) or "openpyxl" (always)."""
    from openpyxl import load_workbook  # imported lazily: only XLSX feeds need it

    _size_sheets_quickly()
    try:
        # data_only=False keeps a formula as its text: it is never evaluated.
        book = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for junk
        raise FileRefused(path, f"cannot be opened as XLSX: {exc}") from exc
    try:
        sheet = book[spec.options.sheet] if spec.options.sheet else book.worksheets[0]
    except (KeyError, IndexError):
        book.close()
        raise FileRefused(path, f"the workbook has no sheet {spec.options.sheet!r}") from None
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
    skipping = Skipping()
    stream = RowStream(path, iter(()), None, skipping, kind="xlsx")
    stream.rows = _xlsx_rows_auto(stream, book, sheet, rows, header, header_row, reader)
    return stream


def _xlsx_rows_auto(
    stream: RowStream,
    book: Any,
    sheet: Any,
    rows: Iterator[Any],
    header: list[str],
    first: int,
    reader: str,
) -> Iterator[SourceRow]:
    """The rows after the header; which library reads them is decided on the first `next`
    (so a stream opened only to check its header costs no calamine load)."""
    try:
        odd = _calamine_can_read(book, sheet) if reader == "auto" else None
        data = _calamine_sheet(stream.path, sheet.title) if odd is not None else None
        if data is None:
            stream.reader = "openpyxl"
            yield from _xlsx_rows(rows, header, first, stream.skipping)
        else:
            stream.reader = "calamine"
            try:
                yield from _calamine_rows(stream, data[1], sheet, rows, header, first, odd)
            finally:
                data[0].close()
    finally:
        book.close()


def _calamine_sheet(path: Path, title: str) -> tuple[Any, Any] | None:
    """The workbook and the sheet loaded by calamine; None if calamine cannot load it."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except BaseException as exc:  # calamine refuses what openpyxl may still read
        if _is_failure(exc):
            return None
        raise
    try:
        return book, book.get_sheet_by_name(title)
    except BaseException as exc:
        book.close()
        if _is_failure(exc):
            return None
        raise


def _is_failure(exc: BaseException) -> bool:
    """An error, or a panic in calamine's Rust (pyo3 raises that as a BaseException)."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def _xlsx_row(row_number: int, texts: list[str], header: list[str]) -> SourceRow | None:
    """One row's texts as a SourceRow; None for a blank row (not a row)."""
    if not "".join(texts).strip():  # the same as no cell having more than whitespace
        return None
    width = len(header)
    if len(texts) > width and "".join(texts[width:]).strip():
        return SourceRow(
            row_number,
            None,
            f"row has values beyond the {width} header columns",
            raw_text=json.dumps(texts, ensure_ascii=False),
        )
    if len(texts) < width:
        texts += [""] * (width - len(texts))
    return SourceRow(row_number, dict(zip(header, texts)))  # noqa: B905 - texts may be wider


def _xlsx_rows(
    rows: Iterator[Any], header: list[str], first: int, skipping: Skipping
) -> Iterator[SourceRow]:
    """The openpyxl path: every row parsed by openpyxl."""
    for row_number, values in enumerate(rows, start=first + 1):
        texts = [_cell_text(v) for v in values]
        row = _xlsx_row(row_number, texts, header)
        if row is not None:
            yield SKIPPED if skipping.on else row


def _calamine_can_read(book: Any, sheet: Any) -> bool | None:
    """None if calamine may not give openpyxl's rows for this sheet (or it is too large to
    hold); else whether the sheet has numbers that make calamine's times doubtful."""
    try:
        import python_calamine  # noqa: F401 - the fast path needs it; without it, openpyxl
    except ImportError:
        return None
    try:  # openpyxl's own view of the file: its ZIP, the sheet's part, its styles
        archive = book._archive
        part = sheet._worksheet_path
        if archive.getinfo(part).file_size > XLSX_CALAMINE_MAX_BYTES:
            return None
        scan = _scan_sheet(archive, part)
        if scan is None:
            return None
        odd, styles = scan
        for name in archive.namelist():
            if name.lower().endswith("sharedstrings.xml") and not _strings_agree(archive, name):
                return None
        if not _styles_agree(book, styles):
            return None
    except Exception:  # noqa: BLE001 - anything unexpected: openpyxl reads it, as before
        return None
    return odd


def _chunks_of(archive: Any, part: str) -> Iterator[bytes]:
    """The part's bytes in pieces that overlap by 16 bytes, so no mark is cut in two."""
    tail = b""
    with archive.open(part) as handle:
        while piece := handle.read(_SCAN_BYTES):
            chunk = tail + piece
            yield chunk
            tail = chunk[-16:]


def _has_escape(chunk: bytes) -> bool:
    return b"_x" in chunk and _XLSX_ESCAPE.search(chunk) is not None


def _has_loose_space(chunk: bytes) -> bool:
    """Whether a text in `chunk` has white space at an end that calamine would trim."""
    if any(mark in chunk for mark in _LOOSE_START):
        return True
    for mark in _LOOSE_END:
        at = chunk.find(mark)
        while at >= 0:
            opened = chunk.rfind(b"<", 0, at + 1)  # the tag the white space follows
            if opened < 0:
                return True  # the text began in an earlier chunk: assume the worst
            tag = chunk[opened : chunk.find(b">", opened) + 1]
            if tag.startswith((b"<t>", b"<t ")) and b'xml:space="preserve"' not in tag:
                return True
            at = chunk.find(mark, at + 1)
    return False


def _scan_sheet(archive: Any, part: str) -> tuple[bool, set[int]] | None:
    odd = False
    styles: set[bytes] = set()
    for number, chunk in enumerate(_chunks_of(archive, part)):
        if number == 0 and b"<worksheet" not in chunk:
            return None  # prefixed element names (<x:c>): not checked here, so openpyxl
        if any(mark in chunk for mark in _XLSX_UNSAFE) or _has_escape(chunk):
            return None
        if _has_loose_space(chunk):
            return None
        if not odd:
            odd = any(mark in chunk for mark in _XLSX_ODD_NUMBERS) or _has_exponent(chunk)
        styles.update(_XLSX_STYLE.findall(chunk))
    return odd, {int(s) for s in styles}


def _has_exponent(chunk: bytes) -> bool:
    """A number written with a negative exponent (text like "e-mail" does not count)."""
    for mark in (b"e-", b"E-"):
        at = chunk.find(mark, 1)
        while at > 0:
            if chunk[at - 1 : at].isdigit():
                return True
            at = chunk.find(mark, at + 2)
    return False


def _strings_agree(archive: Any, part: str) -> bool:
    for number, chunk in enumerate(_chunks_of(archive, part)):
        if number == 0 and b"<sst" not in chunk:
            return False
        if b"\r" in chunk or b"<rPh" in chunk or _has_escape(chunk) or _has_loose_space(chunk):
            return False
    return True


def _styles_agree(book: Any, styles: set[int]) -> bool:
    """Whether openpyxl and calamine class the number format of every style used alike."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS_MAX_SIZE

    cell_styles = book._cell_styles
    for index in styles:
        if index >= len(cell_styles) or index in book._timedelta_formats:
            return False
        fmt_id = cell_styles[index].numFmtId
        if fmt_id < BUILTIN_FORMATS_MAX_SIZE:
            if fmt_id not in _SAFE_BUILTIN:
                return False
            continue
        code = book._number_formats[fmt_id - BUILTIN_FORMATS_MAX_SIZE]
        safe = _SAFE_DATE_FORMAT if index in book._date_formats else _SAFE_NUMBER_FORMAT
        if not safe.fullmatch(code):
            return False
    return True


class _OpenpyxlRows:
    """openpyxl's rows after the header, read on only as far as a row asked for."""

    def __init__(self, rows: Iterator[Any], first: int):
        self.rows = rows
        self.next = first + 1

    def texts(self, row_number: int) -> list[str]:
        for values in self.rows:
            index = self.next
            self.next += 1
            if index == row_number:
                return [_cell_text(v) for v in values]
            if index > row_number:
                break
        raise RuntimeError(f"openpyxl has no row {row_number} where calamine has one")

    def rest(self, after: int, header: list[str], skipping: Skipping) -> Iterator[SourceRow]:
        """The openpyxl path for the rows after row `after`."""
        for values in self.rows:
            index = self.next
            self.next += 1
            if index > after:
                row = _xlsx_row(index, [_cell_text(v) for v in values], header)
                if row is not None:
                    yield SKIPPED if skipping.on else row


def _calamine_rows(
    stream: RowStream,
    data: Any,
    sheet: Any,
    rows: Iterator[Any],
    header: list[str],
    first: int,
    odd: bool,
) -> Iterator[SourceRow]:
    """The calamine path: rows as openpyxl would give them (see the notes above)."""
    skipping = stream.skipping
    max_col, max_row = sheet.max_column, sheet.max_row  # openpyxl stops there (dimension)
    slow = _OpenpyxlRows(rows, first)
    start = data.start
    if start is None:
        return
    # calamine's iter_rows gives every row from the first (blank ones before its data
    # included) but only the columns from the first used one on.
    pad = [""] * start[1]
    cells = data.iter_rows()
    row_number = 0
    while True:
        try:
            values = next(cells)
        except StopIteration:
            return
        except BaseException as exc:  # calamine panics on some dates (a serial of 1e300)
            if not _is_failure(exc):
                raise
            yield from slow.rest(row_number, header, skipping)  # openpyxl from here on
            return
        row_number += 1
        if row_number <= first:
            continue
        if max_row is not None and row_number > max_row:
            break
        if pad:
            values[:0] = pad
        if max_col is not None and len(values) > max_col:
            del values[max_col:]
        if skipping.on:
            for v in values:
                if v.__class__ is not str or v.strip():
                    yield SKIPPED  # not blank: a row, counted
                    break
            continue
        doubtful = False
        for i, v in enumerate(values):
            kind = v.__class__
            if kind is str:
                continue
            if kind is float:
                if -_BIG < v < _BIG:
                    values[i] = str(int(v)) if v.is_integer() else str(v)
                else:
                    doubtful = True
            elif kind is date:
                values[i] = v.isoformat()
            elif kind is bool or kind is int:
                values[i] = str(v)
            elif (kind is datetime or kind is time) and not v.microsecond:
                if kind is datetime:
                    values[i] = _cell_text(v)
                elif odd:  # may be a negative or almost-1 date serial, not a time
                    doubtful = True
                else:
                    values[i] = str(v)
            else:  # a duration, or milliseconds (calamine rounds half a ms otherwise)
                doubtful = True
        if doubtful:
            values = slow.texts(row_number)
        row = _xlsx_row(row_number, values, header)
        if row is not None and row.fields is None and not doubtful:
            row = _xlsx_row(row_number, slow.texts(row_number), header)  # openpyxl's width
        if row is not None:
            yield row
