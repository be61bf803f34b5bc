"""XLSX rows read by python-calamine are exactly the rows openpyxl gives.

openpyxl's read-only parse defines an XLSX row (a formula as its text, row numbers as a
person counts them, blank rows skipped, values beyond the header quarantined); the
calamine path must give the same rows, field for field, or leave the sheet to openpyxl.
Each test builds workbooks (with openpyxl, with the synthetic city's writer, or as raw
SpreadsheetML) and reads them both ways.
"""

from __future__ import annotations

import itertools
import warnings
import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from joinedup.feeds import FeedSpec, get_spec
from joinedup.feeds.spec import FileOptions
from joinedup.ingest import readers
from joinedup.ingest.readers import SKIPPED, FileRefused, _open_xlsx, open_rows
from joinedup.synth.xlsx import _STYLES as CITY_STYLES
from joinedup.synth.xlsx import XlsxWriter

Row = tuple[int, dict[str, Any] | None, str | None, str | None]
HEADER = ["Ref", "Name", "When", "Amount", "Note"]
# Every number format a cell may carry in these tests: plain ones calamine reads as
# openpyxl does, and others (a duration, a currency, a long date) that send the sheet back.
FORMATS = [
    "General", "0", "0.00", "#,##0.00", "0%", "0.00E+00", "@", "dd/mm/yyyy",
    "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss", "dd/mm/yyyy hh:mm", "h:mm", "h:mm:ss", "mm:ss",
    "d-mmm-yy", "m/d/yy h:mm", "h:mm AM/PM", "dd/mm/yyyy;@", "[h]:mm:ss", '"£"#,##0.00',
    "[$-F800]dddd\\,\\ mmmm\\ dd\\,\\ yyyy", "0.00;[Red]-0.00", 'dd" days"',
]  # fmt: skip


def xlsx_spec(sheet: str | None = None, header_row: int = 1) -> FeedSpec:
    base = get_spec("social_care")
    options = FileOptions(sheet=sheet, header_row=header_row)
    return base.model_copy(update={"required": (), "options": options})


def read(path: Path, spec: FeedSpec, reader: str) -> tuple[list[Row], str]:
    stream = _open_xlsx(path, spec, reader=reader)
    rows = [(r.row_number, r.fields, r.error, r.raw_text) for r in stream.rows]
    stream.close()
    return rows, stream.reader


def assert_same(path: Path, spec: FeedSpec, expect: str | None = "calamine") -> list[Row]:
    slow, slow_reader = read(path, spec, "openpyxl")
    fast, fast_reader = read(path, spec, "auto")
    assert fast == slow
    if slow:
        assert slow_reader == "openpyxl"
        if expect is not None:
            assert fast_reader == expect
    return slow


def book_with(rows: list[list[Any]], formats: dict[int, str] | None = None) -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = "Extract"
    for values in rows:
        sheet.append(values)
        for column, fmt in (formats or {}).items():
            cell = sheet.cell(row=sheet.max_row, column=column)
            if cell.value is not None and not isinstance(cell.value, str):
                cell.number_format = fmt
    return book


# -- table-driven: one kind of cell at a time ---------------------------------------------

CASES: list[tuple[str, Any, str, str]] = [
    # (what, value, the text stored, which reader reads the sheet)
    ("text", "Amber Pell", "Amber Pell", "calamine"),
    ("unicode", "Zoë Ó'Brien 中文 😀", "Zoë Ó'Brien 中文 😀", "calamine"),
    ("spaces", "  padded  ", "  padded  ", "calamine"),
    ("newline", "line one\nline two", "line one\nline two", "calamine"),
    ("long text", "x" * 32_000, "x" * 32_000, "calamine"),
    ("int", 42, "42", "calamine"),
    ("negative int", -7, "-7", "calamine"),
    ("zero", 0, "0", "calamine"),
    ("float", 2.5, "2.5", "calamine"),
    ("integer float", 3.0, "3", "calamine"),
    ("small float", 1e-300, "1e-300", "calamine"),
    ("big int", 12_345_678_901_234_567, "12345678901234570", "calamine"),  # openpyxl writes 17 digits
    ("huge float", 1e300, str(int(1e300)), "calamine"),
    ("true", True, "True", "calamine"),
    ("false", False, "False", "calamine"),
    ("date", date(2024, 3, 14), "2024-03-14", "calamine"),
    ("old date", date(1900, 2, 28), "1900-02-28", "calamine"),
    ("datetime", datetime(2024, 3, 14, 22, 10), "2024-03-14 22:10:00", "calamine"),
    ("midnight", datetime(2024, 3, 14), "2024-03-14", "calamine"),
    ("milliseconds", datetime(2024, 3, 14, 22, 10, 5, 123456), "2024-03-14 22:10:05.123000", "calamine"),
    ("time", time(9, 30), "09:30:00", "calamine"),
    ("midnight time", time(0, 0), "00:00:00", "calamine"),
    ("duration", timedelta(hours=30), "1 day, 6:00:00", "openpyxl"),
    ("empty", None, "", "calamine"),
    ("formula", "=SUM(D2:D3)", "=SUM(D2:D3)", "openpyxl"),
    ("error", "#N/A", "#N/A", "openpyxl"),
    ("escaped", "a_x000D_b", "a_x000D_b", "openpyxl"),
]  # fmt: skip


@pytest.mark.parametrize(("what", "value", "text", "reader"), CASES, ids=[c[0] for c in CASES])
def test_each_kind_of_cell_reads_as_openpyxl_reads_it(
    what: str, value: Any, text: str, reader: str, tmp_path: Path
) -> None:
    book = book_with([HEADER, ["R1", "Amber", value, 10, "ok"], ["R2", "Tariq", "x", 11, ""]])
    if what == "error":
        book.active["C2"].data_type = "e"
    path = tmp_path / "one.xlsx"
    book.save(path)
    rows = assert_same(path, xlsx_spec(), reader)
    assert rows[0][1] is not None and rows[0][1]["When"] == text


@pytest.mark.parametrize("value", [-1.0, -0.25, 0.9999999999, 1e7, 2958466.0, -1e6])
@pytest.mark.parametrize("epoch", ["1900", "1904"])
def test_dates_calamine_would_read_otherwise_are_openpyxl_s(
    value: float, epoch: str, tmp_path: Path
) -> None:
    """Negative, almost-1 and out-of-range date serials: calamine gives a time or a number
    where openpyxl gives a date or #VALUE!; those rows are openpyxl's."""
    book = book_with(
        [HEADER, ["R1", "a", value, 1.5, "x"], ["R2", "b", 45000.25, 0.5, "y"]],
        formats={3: "yyyy-mm-dd hh:mm:ss"},
    )
    if epoch == "1904":
        book.epoch = CALENDAR_MAC_1904
    path = tmp_path / "dates.xlsx"
    book.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns of dates out of range
        assert_same(path, xlsx_spec())


def test_sheet_header_row_blank_rows_and_values_beyond_the_header(tmp_path: Path) -> None:
    book = Workbook()
    book.active.title = "Cover"
    book.active.append(["not this sheet"])
    sheet = book.create_sheet("Extract")
    sheet.append(["Exported 2024-03-14"])
    sheet.append(HEADER)
    sheet.append(["R1", "Amber", date(2024, 1, 2), 3, "a"])
    sheet.append([None, "\u00a0", None, None, None])  # blank: not a row
    sheet.append([])
    sheet.append(["R2", "Tariq", None, None, None, None, "beyond"])  # quarantined
    sheet.append(["R3", "Zoe", None, None, None, "\u00a0"])  # white space beyond: fine
    sheet.cell(row=12, column=1, value="R4")  # after missing rows
    path = tmp_path / "layout.xlsx"
    book.save(path)
    rows = assert_same(path, xlsx_spec(sheet="Extract", header_row=2))
    assert [r[0] for r in rows] == [3, 6, 7, 12]
    # openpyxl writes the sheet's dimension (A1:G12), so its header row is 7 cells wide:
    # the two unnamed columns are "" and "__2", and "beyond" is within them.
    assert rows[1][1] is not None and rows[1][1]["__2"] == "beyond"
    assert rows[2][1] is not None and rows[2][1][""] == "\u00a0"


def test_untrimmed_text_openpyxl_writes_without_preserve_is_openpyxl_s(tmp_path: Path) -> None:
    """openpyxl writes "  " and "\\n" without xml:space="preserve": calamine would trim them."""
    path = tmp_path / "spaces.xlsx"
    book_with([HEADER, ["R1", "  ", "\n", 1, "x"]]).save(path)
    rows = assert_same(path, xlsx_spec(), "openpyxl")
    assert rows[0][1] == {"Ref": "R1", "Name": "  ", "When": "\n", "Amount": "1", "Note": "x"}


# -- hypothesis: random workbooks, both writers ---------------------------------------------

_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\r")
    | st.sampled_from("\n\t "),
    max_size=40,
).filter(lambda s: not s.startswith("=") and s not in ("#N/A", "#REF!", "#NULL!", "#DIV/0!"))
_CELL = st.one_of(
    st.none(),
    _TEXT,
    st.integers(-(2**62), 2**62),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.floats(min_value=-3, max_value=3e6),
    st.booleans(),
    st.dates(min_value=date(1900, 1, 1)),
    st.datetimes(min_value=datetime(1900, 1, 1)),
    st.times(),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(st.lists(_CELL, min_size=0, max_size=7), min_size=1, max_size=12),
    formats=st.dictionaries(st.integers(1, 7), st.sampled_from(FORMATS), max_size=4),
    mac=st.booleans(),
)
def test_openpyxl_workbooks_read_the_same(
    rows: list[list[Any]], formats: dict[int, str], mac: bool, tmp_path: Path
) -> None:
    book = book_with([HEADER, *rows], formats)
    if mac:
        book.epoch = CALENDAR_MAC_1904
    path = tmp_path / "random.xlsx"
    book.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns of dates out of range
        assert_same(path, xlsx_spec(), expect=None)


_SYNTH_CELL = st.one_of(
    st.none(),
    _TEXT,
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9),
    st.dates(min_value=date(1900, 3, 1)),
    st.datetimes(min_value=datetime(1900, 3, 1)).map(lambda d: d.replace(microsecond=0)),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(_SYNTH_CELL, max_size=8), min_size=1, max_size=15))
def test_synthetic_city_workbooks_read_the_same(rows: list[list[Any]], tmp_path: Path) -> None:
    """The city's writer: inline strings, no dimension, rows of any width."""
    path = tmp_path / "synth.xlsx"
    writer = XlsxWriter(path, sheet="Extract")
    writer.append(list(HEADER))
    for values in rows:
        writer.append(values)
    writer.close()
    assert_same(path, xlsx_spec(), expect="calamine")


# -- raw SpreadsheetML: what writers other than openpyxl produce ----------------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"


def raw_xlsx(
    path: Path,
    sheet_data: str,
    dimension: str | None,
    strings: list[str],
    styles: str = CITY_STYLES,
) -> Path:
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    parts = {
        "[Content_Types].xml": f'<Types xmlns="{_PKG}/content-types"><Default Extension="rels" '
        f'ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default '
        f'Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
        f'ContentType="{ct}.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" '
        f'ContentType="{ct}.worksheet+xml"/><Override PartName="/xl/styles.xml" '
        f'ContentType="{ct}.styles+xml"/><Override PartName="/xl/sharedStrings.xml" '
        f'ContentType="{ct}.sharedStrings+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{_PKG}/relationships"><Relationship Id="rId1" '
        f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets><sheet '
        'name="Extract" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_PKG}/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId3" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>",
        "xl/styles.xml": styles,  # the city's: 1 is dd/mm/yyyy, 2 adds hh:mm
        "xl/sharedStrings.xml": f'<sst xmlns="{_MAIN}" count="{len(strings)}">'
        + "".join(strings)
        + "</sst>",
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{_MAIN}">{dim}<sheetData>'
        f"{sheet_data}</sheetData></worksheet>",
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return path


def _s(ref: str, index: int, style: str = "") -> str:
    return f'<c r="{ref}" t="s"{style}><v>{index}</v></c>'


STRINGS = [
    "<si><t>Ref</t></si>",
    "<si><t>Name</t></si>",
    "<si><t>When</t></si>",
    '<si><r><t>Rich</t></r><r><rPr><b/></rPr><t xml:space="preserve"> text </t></r></si>',
    '<si><t xml:space="preserve">  </t></si>',
    "<si><t>R1</t></si>",
]
# Text with white space at an end and no xml:space="preserve": calamine would trim it.
LOOSE = ["<si><t>  no preserve  </t></si>", "<si><r><t>Rich </t></r><r><t>text</t></r></si>"]
HEAD = f'<row r="1">{_s("A1", 0)}{_s("B1", 1)}{_s("C1", 2)}</row>'
RAW_CASES = {
    "shared and rich strings": (
        HEAD + f'<row r="2">{_s("A2", 5)}{_s("B2", 3)}{_s("C2", 4)}</row>',
        "A1:C2",
        "calamine",
    ),
    "a date style and plain numbers": (
        HEAD + '<row r="2"><c r="A2"><v>7</v></c><c r="B2"><v>0.1</v></c>'
        '<c r="C2" s="1"><v>45365</v></c></row>',
        "A1:C2",
        "calamine",
    ),
    "no dimension, styled empty cells past the data": (
        HEAD + f'<row r="2">{_s("A2", 5)}<c r="C2" s="1"/><c r="F2" s="1"/></row>'
        f'<row r="3">{_s("A3", 5)}<c r="E3"><v>9</v></c><c r="G3" s="1"/></row>',
        None,
        "calamine",
    ),
    "a dimension smaller than the data": (
        HEAD + f'<row r="2">{_s("A2", 5)}<c r="E2"><v>1</v></c></row>'
        f'<row r="3">{_s("A3", 5)}</row><row r="4">{_s("A4", 5)}</row>',
        "A1:C3",
        "calamine",
    ),
    "data starting past A1": (
        f'<row r="3">{_s("B3", 0)}{_s("C3", 1)}{_s("D3", 2)}</row>'
        f'<row r="4">{_s("B4", 5)}<c r="D4"><v>2</v></c></row>'
        f'<row r="6">{_s("C6", 3)}</row>',
        "B3:D6",
        "calamine",
    ),
    "rows and cells without references": (
        "<row>" + "".join(f'<c t="s"><v>{i}</v></c>' for i in range(3)) + "</row>"
        '<row><c t="s"><v>5</v></c><c><v>3</v></c></row><row/><row><c/><c t="s"><v>3</v></c></row>',
        None,
        "calamine",
    ),
    "a cached formula": (
        HEAD + f'<row r="2">{_s("A2", 5)}<c r="B2"><f>1+1</f><v>2</v></c></row>',
        "A1:C2",
        "openpyxl",
    ),
    "a carriage return": (
        HEAD + f'<row r="2">{_s("A2", 5)}<c r="B2" t="inlineStr"><is><t>a\r\nb</t></is></c></row>',
        "A1:C2",
        "openpyxl",
    ),
    "untrimmed text without preserve": (
        HEAD + f'<row r="2">{_s("A2", 5)}{_s("B2", 6)}{_s("C2", 7)}</row>',
        "A1:C2",
        "openpyxl",
    ),
    "untrimmed inline text without preserve": (
        HEAD + f'<row r="2">{_s("A2", 5)}<c r="B2" t="inlineStr"><is><t>x </t></is></c></row>',
        "A1:C2",
        "openpyxl",
    ),
    "a shared integer too long for a float": (
        HEAD + f'<row r="2">{_s("A2", 5)}<c r="B2"><v>123456789012345678901</v></c></row>',
        "A1:C2",
        "calamine",
    ),
}


@pytest.mark.parametrize("case", list(RAW_CASES))
def test_raw_spreadsheetml_reads_the_same(case: str, tmp_path: Path) -> None:
    sheet_data, dimension, reader = RAW_CASES[case]
    strings = STRINGS + LOOSE if case == "untrimmed text without preserve" else STRINGS
    path = raw_xlsx(tmp_path / "raw.xlsx", sheet_data, dimension, strings)
    header_row = 3 if case == "data starting past A1" else 1
    rows = assert_same(path, xlsx_spec(header_row=header_row), reader)
    assert rows


def test_rows_beyond_the_header_keep_openpyxl_s_width(tmp_path: Path) -> None:
    """No dimension: openpyxl's row ends at its last cell, even a styled empty one."""
    sheet_data = HEAD + f'<row r="2">{_s("A2", 5)}<c r="E2"><v>9</v></c><c r="G2" s="1"/></row>'
    path = raw_xlsx(tmp_path / "wide.xlsx", sheet_data, None, STRINGS)
    rows = assert_same(path, xlsx_spec())
    assert rows == [(2, None, "row has values beyond the 3 header columns",
                     '["R1", "", "", "", "9", "", ""]')]  # fmt: skip


# -- skipping, refusing, the memory bound --------------------------------------------------


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kinds=st.lists(st.sampled_from(["row", "blank", "wide", "date"]), min_size=1, max_size=30),
    every=st.integers(1, 4),
    reader=st.sampled_from(["auto", "openpyxl"]),
)
def test_skipped_rows_count_as_read_rows(
    kinds: list[str], every: int, reader: str, tmp_path: Path
) -> None:
    path = tmp_path / "skip.xlsx"
    writer = XlsxWriter(path, sheet="Extract")
    writer.append(list(HEADER))
    for n, kind in enumerate(kinds):
        values: list[Any] = {
            "row": [f"R{n}", "x", None, n, "y"],
            "blank": [None, "  "],
            "wide": [f"R{n}", None, None, None, None, None, "beyond"],
            "date": [f"R{n}", None, date(2024, 1, 1 + n % 28)],
        }[kind]
        writer.append(values)
    writer.close()
    spec = xlsx_spec()
    whole, _ = read(path, spec, reader)
    stream = _open_xlsx(path, spec, reader=reader)
    seen: list[Any] = []
    for index in itertools.count():
        stream.skipping.on = index % every != 0
        row = next(stream.rows, None)
        if row is None:
            break
        seen.append(row)
    stream.skipping.on = False
    assert len(seen) == len(whole)
    for index, (row, expected) in enumerate(zip(seen, whole, strict=True)):
        if index % every != 0:
            assert row is SKIPPED
        else:
            assert (row.row_number, row.fields, row.error, row.raw_text) == expected


def test_a_file_that_is_not_xlsx_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "extract.xlsx"
    path.write_text("Ref,Name\nR1,Amber\n")
    with pytest.raises(FileRefused, match="extract.xlsx") as caught:
        open_rows(path, xlsx_spec())
    assert "cannot be opened as XLSX" in caught.value.reason


def test_a_missing_sheet_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    book_with([HEADER]).save(path)
    with pytest.raises(FileRefused, match="book.xlsx.*no sheet 'Referrals'"):
        open_rows(path, xlsx_spec(sheet="Referrals"))


def test_a_sheet_too_large_to_hold_is_streamed_by_openpyxl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.xlsx"
    book_with([HEADER, ["R1", "a", date(2024, 1, 2), 1, "b"]]).save(path)
    assert read(path, xlsx_spec(), "auto")[1] == "calamine"
    monkeypatch.setattr(readers, "XLSX_CALAMINE_MAX_BYTES", 100)
    assert_same(path, xlsx_spec(), "openpyxl")


def test_opening_a_stream_only_to_check_its_header_loads_nothing(tmp_path: Path) -> None:
    path = tmp_path / "head.xlsx"
    book_with([HEADER, ["R1"]]).save(path)
    stream = open_rows(path, xlsx_spec())
    assert stream.reader == ""  # decided on the first row, not at open
    stream.close()


def _sizes(path: Path) -> list[tuple[Any, ...]]:
    """Each sheet's (min col, min row, max col, max row): quick, then openpyxl's own."""
    from openpyxl import load_workbook

    readers._size_sheets_quickly()
    book = load_workbook(path, read_only=True)
    found = []
    for sheet in book.worksheets:
        quick = (sheet.min_column, sheet.min_row, sheet.max_column, sheet.max_row)
        for name in ("_min_column", "_min_row", "_max_column", "_max_row"):
            sheet.__dict__.pop(name, None)
        readers._OPENPYXL_GET_SIZE(sheet)
        found.append((quick, (sheet.min_column, sheet.min_row, sheet.max_column, sheet.max_row)))
    book.close()
    return found


@pytest.mark.parametrize("dimension", [None, "A1:C4", "B3:D6", "A1"])
def test_quick_sizing_finds_what_openpyxl_finds(dimension: str | None, tmp_path: Path) -> None:
    sheet_data = HEAD + f'<row r="2">{_s("A2", 5)}</row><row r="4">{_s("C4", 5)}</row>'
    path = raw_xlsx(tmp_path / "sized.xlsx", sheet_data, dimension, STRINGS)
    for quick, slow in _sizes(path):
        assert quick == slow
    book = tmp_path / "two.xlsx"
    made = book_with([HEADER, ["R1"]])
    made.create_sheet("Second").append(["x", "y"])
    made.save(book)
    for quick, slow in _sizes(book):
        assert quick == slow


@pytest.mark.parametrize("fmt_id", sorted(readers._SAFE_BUILTIN))
def test_builtin_number_formats_read_the_same(fmt_id: int, tmp_path: Path) -> None:
    """A built-in format is named by its id alone; both libraries know it by the id."""
    styles = CITY_STYLES.replace(
        '<cellXfs count="3">', f'<cellXfs count="3"><xf numFmtId="{fmt_id}" xfId="0"/>'
    ).replace('<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>', "", 1)
    values = ["0.25", "1.5", "45000.75", "45000", "0.5", "3"]
    rows = "".join(
        f'<row r="{n}">{_s(f"A{n}", 5)}<c r="B{n}" s="0"><v>{v}</v></c></row>'
        for n, v in enumerate(values, start=2)
    )
    path = raw_xlsx(tmp_path / "builtin.xlsx", HEAD + rows, None, STRINGS, styles)
    assert_same(path, xlsx_spec(), expect="calamine")
