"""JSONL rows read by orjson: the same values, types and canonical JSON as json.loads gives.

A row's content hash is taken of its canonical JSON, so a re-ingested file's rows are only
known as duplicates if that text never changes. readers._jsonl_loads keeps orjson's value
only where it provably equals json.loads's and orjson writes it as the stdlib encoder does
(see the notes above it); these tests hold it to that, value by value and file by file.
"""

from __future__ import annotations

import hashlib
import json
import math
import tempfile
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from joinedup.feeds import load_spec
from joinedup.ingest import readers
from joinedup.ingest.layout import Values
from joinedup.ingest.prepare import canonical_json, canonical_text_json, prepare_rows
from joinedup.ingest.readers import _jsonl_loads, open_rows

from .conftest import SPECS

SPEC = load_spec(SPECS / "stops.yaml").model_copy(update={"format": "jsonl"})
FIRST = '{"StopRef": "S0", "StopTime": "14/03/2024 22:10"}'  # the spec's required fields


def _typed(value: Any) -> Any:
    """`value` with the type of everything in it (1, 1.0 and True differ; so do 0.0 and
    -0.0), and dicts as their items in order."""
    if isinstance(value, list):
        return list, [_typed(v) for v in value]
    if isinstance(value, dict):
        return dict, [(_typed(k), _typed(v)) for k, v in value.items()]
    return type(value), repr(value)


def _outcome(parse: Any, line: str) -> Any:
    try:
        return "ok", _typed(parse(line))
    except (ValueError, RecursionError) as exc:
        return "error", type(exc), str(exc)


def _loads_new(line: str) -> Any:
    return _jsonl_loads(line)[0]


# -- JSON text with every kind of value and number spelling --------------------------------

ANY_TEXT = st.text(alphabet=st.characters(), max_size=12)  # lone surrogates included
INT_PART = st.sampled_from(["0", "1", "9", "12", "999999999999999", "1000000000000000"]) | (
    st.from_regex(r"[1-9][0-9]{0,24}", fullmatch=True)
)
FRACTION = st.sampled_from(["", ".0", ".5", ".0001", ".00001", ".00009999999999999999", ".9"]) | (
    st.from_regex(r"\.[0-9]{1,30}", fullmatch=True)
)
EXPONENT = st.sampled_from(
    ["", "", "e5", "E5", "e-5", "E+16", "e-7", "e0", "e400", "e-400", "e0000000000000000000005"]
) | st.from_regex(r"[eE][-+]?[0-9]{1,3}|e-?[0-9]{20,22}", fullmatch=True)
# A number as an agency's exporter might spell it: 1E5, 0.00001, 1.0e-7, -0, 9999999999999999.9
SPELLED = st.builds(
    lambda sign, i, f, e: sign + i + f + e, st.sampled_from(["", "-"]), INT_PART, FRACTION, EXPONENT
)
NUMBER_TEXT = (
    SPELLED
    | st.floats().map(json.dumps)  # as the stdlib writes them, NaN and Infinity included
    | st.integers().map(str)
    | st.integers(-(2**70), 2**70).map(str)  # around the 64-bit limits
    | st.sampled_from(["1e16", "9999999999999999.9", "1e-4", "0.0001", "0.000099999", "-0.0"])
)


def _string(text: str, ascii_only: bool) -> str:
    return json.dumps(text, ensure_ascii=ascii_only)  # ascii: lone surrogates as \ud800


JSON_TEXT = st.deferred(
    lambda: st.one_of(
        NUMBER_TEXT,
        st.sampled_from(["true", "false", "null"]),
        st.builds(_string, ANY_TEXT, st.booleans()),
        st.lists(JSON_TEXT, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
        OBJECT_TEXT,
    )
)
OBJECT_TEXT = st.lists(
    st.tuples(st.builds(_string, ANY_TEXT | st.sampled_from(["a", "b"]), st.booleans()), JSON_TEXT),
    max_size=5,  # short keys repeat: duplicate keys
).map(lambda pairs: "{" + ",".join(f"{k}:{v}" for k, v in pairs) + "}")


@settings(max_examples=2000)
@given(OBJECT_TEXT | JSON_TEXT)
def test_a_line_parses_as_json_loads_parses_it(line: str) -> None:
    assert _outcome(_loads_new, line) == _outcome(json.loads, line)


@settings(max_examples=1000)
@given(OBJECT_TEXT, st.integers(0, 200), st.text(max_size=3))
def test_a_broken_line_fails_as_json_loads_fails(line: str, at: int, junk: str) -> None:
    """orjson accepts nothing json.loads refuses: what fails, fails with the stdlib's error."""
    at = min(at, len(line))
    for broken in (line[:at] + junk + line[at:], line[:at] + line[at + 1 :]):
        assert _outcome(_loads_new, broken) == _outcome(json.loads, broken)


@settings(max_examples=2000)
@given(OBJECT_TEXT)
def test_an_objects_canonical_json_is_the_stdlibs(line: str) -> None:
    try:
        expected = canonical_json(json.loads(line))
    except (ValueError, RecursionError):
        return
    obj, plain = _jsonl_loads(line)
    if plain:
        assert canonical_text_json(obj) == expected


@settings(max_examples=500)
@given(SPELLED | st.floats(allow_nan=False, allow_infinity=False).map(json.dumps))
def test_a_number_reads_as_float_reads_it(number: str) -> None:
    line = '{"n":' + number + "}"
    assert _outcome(_loads_new, line) == _outcome(json.loads, line)


def _halfway(x: float, nudge: int = 0, places: int = 0) -> str:
    """The exact midpoint of x and the next float up, moved by `nudge` in the `places`th
    decimal place (0: not moved, written with no more digits than it needs)."""
    with localcontext() as exact:
        exact.prec = 2000  # enough for every float's decimal expansion
        midpoint = (Decimal(x) + Decimal(math.nextafter(x, math.inf))) / 2
        if places:
            midpoint += nudge * Decimal(10) ** -places
        return format(midpoint, "f")


@settings(max_examples=1000)
@given(
    st.floats(min_value=1e-4, max_value=1e16, exclude_max=True),
    st.sampled_from([-1, 0, 1]),
    st.sampled_from([0, 60, 100, 300, 590, 1100]),
)
def test_a_decimal_halfway_between_floats_rounds_as_float_rounds_it(
    x: float, nudge: int, places: int
) -> None:
    """The hardest numbers to read: the exact midpoint of two floats, or just either side,
    in up to 1100 digits (orjson reads those of up to _MAX_DIGITS)."""
    line = '{"n":' + _halfway(x, nudge, places) + "}"
    assert _outcome(_loads_new, line) == _outcome(json.loads, line)
    if len(line) <= readers._MAX_DIGITS and json.loads(line)["n"] < 1e16:
        assert _jsonl_loads(line)[1], "read by orjson"


@pytest.mark.parametrize("zeros", [0, 500, 714, 715, 800])
def test_a_number_orjson_would_misround_is_read_by_json_loads(zeros: int) -> None:
    """orjson reads 769 digits or more as if a non-zero digit followed."""
    line = '{"n":' + _halfway(1.0) + "0" * zeros + "}"  # 54 digits, then the zeros
    assert _outcome(_loads_new, line) == _outcome(json.loads, line)
    assert json.loads(line)["n"] == 1.0


@pytest.mark.parametrize(
    "number, plain",
    [
        ("1", True),
        ("-0", True),
        ("-0.0", True),
        ("0.0000", True),  # 0.0: plain, however written
        ("0.0001", True),
        ("0.00009999999999999999999", True),  # rounds to 0.0001
        ("0.000099999", False),  # 9.9999e-05
        ("1e-5", False),
        ("9999999999999998", True),  # an integer: written as it is
        ("9999999999999998.0", True),
        ("9999999999999999.9", False),  # 1e16
        ("1E15", True),  # 1000000000000000.0
        ("18446744073709551615", True),  # the largest integer orjson reads as one
        ("18446744073709551616", False),  # orjson reads a float: json.loads has the int
        ("-9223372036854775809", False),
        ("1e400", False),  # orjson refuses: json.loads gives inf
        ("NaN", False),
        ("-Infinity", False),
    ],
)
def test_which_numbers_orjson_may_read_and_write(number: str, plain: bool) -> None:
    line = '{"n":' + number + "}"
    obj, got = _jsonl_loads(line)
    assert got is plain
    assert _typed(obj) == _typed(json.loads(line))
    written = canonical_text_json(obj) if got else canonical_json(obj)
    assert written == canonical_json(json.loads(line))


def test_floats_at_the_edges_of_plain_are_written_as_the_stdlib_writes_them() -> None:
    edges = [0.0, -0.0, 1e-4, 1e15, 1e16, 5e-324, 1.7976931348623157e308, 0.1 + 0.2]
    for power in range(-6, 18):
        edges.append(10.0**power)
    for x in list(edges):
        edges += [math.nextafter(x, 0.0), math.nextafter(x, math.inf)]
    for x in edges + [-x for x in edges]:
        obj, plain = _jsonl_loads('{"x":' + json.dumps(x) + "}")
        assert plain is (x == 0.0 or 1e-4 <= abs(x) < 1e16), x
        if plain:
            assert canonical_text_json(obj) == canonical_json(obj), x


@settings(max_examples=2000)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_plain_float_is_written_as_the_stdlib_writes_it(x: float) -> None:
    if x == 0.0 or 1e-4 <= abs(x) < 1e16:
        assert canonical_text_json({"x": x}) == canonical_json({"x": x})


@pytest.mark.parametrize("depth", [99, 101, 254, 300, 1100])
def test_deep_nesting_is_read_as_json_loads_reads_it(depth: int) -> None:
    """json.loads raises RecursionError past ~1000 levels, where orjson reads on."""
    line = '{"a":' + "[" * depth + "]" * depth + "}"
    assert _outcome(_loads_new, line) == _outcome(json.loads, line)
    if depth < 900:
        assert canonical_text_json(json.loads(line)) == canonical_json(json.loads(line))


# -- whole files, read and prepared: the same as the stdlib reader gave ---------------------


def _stdlib_loads(line: str) -> tuple[Any, bool]:
    return json.loads(line), False  # the reader as it was: json.loads, never plain


def _read_and_prepare(path: Path) -> list[Any]:
    stream = open_rows(path, SPEC)
    try:
        rows = list(stream.rows)
    finally:
        stream.close()
    out = []
    for row, p in zip(rows, prepare_rows(SPEC, Values("sqlite"), rows), strict=True):
        fields = None if row.fields is None else _typed(row.fields)
        out.append((row.row_number, fields, row.error, row.raw_text, p[:3], repr(p[3]), p[4:]))
    return out


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(OBJECT_TEXT, st.sampled_from(["", " ", "\r"])), max_size=12),
    st.sampled_from(["utf-8", "surrogatepass"]),  # a bad line as a broken exporter writes it
)
def test_a_files_rows_and_hashes_are_those_json_loads_gave(
    lines: list[tuple[str, str]], errors: str
) -> None:
    text = "\n".join([FIRST] + [line + end for line, end in lines]) + "\n"
    data = text.encode("utf-8", "surrogatepass" if errors == "surrogatepass" else "replace")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rows.jsonl"
        path.write_bytes(data)
        try:
            new = _read_and_prepare(path)
        except (ValueError, RecursionError) as exc:
            new = ("raised", type(exc), str(exc))
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(readers, "_jsonl_loads", _stdlib_loads)
            try:
                old = _read_and_prepare(path)
            except (ValueError, RecursionError) as exc:
                old = ("raised", type(exc), str(exc))
    assert new == old
    if isinstance(new, list):  # and each row's canonical JSON is json.loads's, hashed
        raw_lines = data.split(b"\n")
        for row_number, fields, _, _, (_, raw_json, digest), _, _ in new:
            if fields is not None:
                line = readers._decode(raw_lines[row_number - 1], "auto")
                assert raw_json == canonical_json(json.loads(line))
                assert digest == hashlib.sha256(raw_json.encode("utf-8", "surrogatepass")).digest()
