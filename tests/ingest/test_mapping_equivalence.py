"""`layout.mapped_rows` gives exactly `record_rows(map_row(...))`, row by row.

mapped_rows lays each block instance out once per distinct cells and reuses the rows;
these tests hold the two paths to the same rows (compared by repr: type-exact, dict
order kept, and NaN equal to itself) and the same RowError field and reason.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from joinedup.feeds import FeedSpec, get_spec, load_spec
from joinedup.ingest import layout, readers
from joinedup.ingest.layout import Values, mapped_rows, record_rows
from joinedup.ingest.mapper import RowError, map_row
from joinedup.synth import generate_city

from .conftest import SPECS, stop_row

DIALECTS = ("sqlite", "postgresql", "other")


def reference(spec: FeedSpec, fields: dict[str, Any], row_number: int, values: Values) -> str:
    try:
        return repr(record_rows(map_row(spec, fields, row_number), values))
    except RowError as exc:
        return repr(("RowError", exc.field, exc.reason))


def fast(spec: FeedSpec, fields: dict[str, Any], row_number: int, values: Values) -> str:
    try:
        return repr(mapped_rows(spec, fields, row_number, values))
    except RowError as exc:
        return repr(("RowError", exc.field, exc.reason))


@pytest.fixture(scope="module")
def city_rows(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[int, dict]]]:
    folder = tmp_path_factory.mktemp("equivalence_city")
    generate_city(seed=5, children=40, months=6, out_dir=folder)
    rows: dict[str, list[tuple[int, dict]]] = {}
    for entry in json.loads((folder / "manifest.json").read_text())["files"]:
        stream = readers.open_rows(folder / entry["path"], get_spec(entry["spec"]))
        try:
            rows[entry["spec"]] = [(r.row_number, r.fields) for r in stream.rows if r.fields]
        finally:
            stream.close()
    return rows


def assert_same(spec: FeedSpec, rows: list[tuple[int, dict]], passes: int = 2) -> int:
    """Every row through both paths on every dialect; later passes hit the memo."""
    compared = 0
    for dialect in DIALECTS:
        values = Values(dialect)
        for _ in range(passes):
            for row_number, fields in rows:
                want = reference(spec, fields, row_number, values)
                assert fast(spec, fields, row_number, values) == want, (spec.name, row_number)
                compared += 1
    return compared


def test_every_row_of_a_city_maps_to_the_same_rows(city_rows) -> None:
    assert set(city_rows) >= {"anpr_reads", "police_incidents", "missing_episodes"}
    for name, rows in city_rows.items():
        assert rows, name
        assert_same(get_spec(name), rows)


def test_the_same_rows_when_the_memo_is_tiny_or_given_up(city_rows, monkeypatch) -> None:
    """Evictions (2 entries a generation) and blocks that stop memoising change nothing."""
    monkeypatch.setattr(layout, "BLOCK_CACHE_ROWS", 2)
    monkeypatch.setattr(layout, "MEMO_TRIAL", 5)
    monkeypatch.setattr(layout, "MEMO_MIN_HITS", 0.9)
    for name in ("police_stops", "missing_episodes", "police_incidents", "hotel_register"):
        spec = get_spec(name).model_copy()  # a new spec object: a fresh plan and memo
        assert_same(spec, city_rows[name])


def test_the_stops_fixture_rows_map_the_same(stops_spec) -> None:
    rows = [
        stop_row("S1"),
        stop_row("S2", Occ2Name=""),
        stop_row("S3", StopTime="31/02/2024"),
        stop_row("S4", StopRef=" "),
        stop_row("S5", Occ1Role="Q"),
        stop_row("S6", VRM="N/K", Make="", Colour=" "),
        stop_row("S7", Occ3Name="Zed", Occ3Role="D", Occ3IC="W1", Notes=""),
        stop_row("S8", Notes="Seen with 'Boss' near NV3 4QT, plate FD5? and 07700 900456."),
    ]
    rows += [dict(r) for r in rows]  # repeats: the memo's rows must equal fresh ones
    assert assert_same(stops_spec, list(enumerate(rows, start=2))) == 2 * 3 * len(rows)


# -- random cells --------------------------------------------------------------------------

ODD = [
    "", " ", "\t", "  N/K ", "n/a", "NULL", "unknown", "Not Known", "nk", "none", "na", "-",
    "'; DROP TABLE record;--", "<script>alert(1)</script>", "Ω≈ç√", "\u200b", "0", "-0.0",
    "1e309", "nan", "inf", "99/99/9999", "31/02/2020", "2020-02-30T00:00:00Z", "x" * 300,
    "M", "f", "U", "D", "P", "*", "=", "AB12 CDE", "FD5?", "07700 900123", "+44 7700 900123",
    "NV3 4QT", "Flat 2, 3 Mill Lane", "Tariq 'Taz' Hollins", "O'Neil-Smith", "a;b;;c", "1990",
    "approx 1990", "12", "123", "1234", "B2P", "3/A/C", "{n}",
]  # fmt: skip
cell = st.one_of(st.sampled_from(ODD), st.text(max_size=25), st.none())
json_cell = st.one_of(cell, st.integers(-3, 3), st.floats(allow_nan=True), st.booleans())


def _overrides(keys: list[str], values: st.SearchStrategy) -> st.SearchStrategy:
    return st.lists(st.tuples(st.sampled_from(keys), values), max_size=6)


SPEC_NAMES = ("anpr_reads", "missing_episodes", "hotel_register", "police_stops")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_cells_map_the_same(city_rows_for_hypothesis, data) -> None:
    name = data.draw(st.sampled_from(SPEC_NAMES))
    spec = get_spec(name)
    row_number, base = data.draw(st.sampled_from(city_rows_for_hypothesis[name]))
    fields = dict(base)
    for key, value in data.draw(_overrides(sorted(fields), cell)):
        fields[key] = value
    assert_same(spec, [(row_number, fields)])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_nested_cells_map_the_same(city_rows_for_hypothesis, data) -> None:
    spec = get_spec("police_incidents")
    row_number, base = data.draw(st.sampled_from(city_rows_for_hypothesis["police_incidents"]))
    fields = json.loads(json.dumps(base))
    for key, value in data.draw(_overrides(sorted(fields), json_cell)):
        fields[key] = value
    persons = fields.get("persons")
    items = [*(persons if isinstance(persons, list) else []), fields.get("location")]
    for item in items:
        if isinstance(item, dict) and item:
            for key, value in data.draw(_overrides(sorted(item), json_cell)):
                item[key] = value
    assert_same(spec, [(row_number, fields)])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(overrides=_overrides(["StopRef", "StopTime", "VRM", "Make", "Colour", "Location",
                             "Postcode", "Grading", "Occ1Name", "Occ1DOB", "Occ1Sex",
                             "Occ1Role", "Occ1Phone", "Occ1IC", "Occ2Name", "Occ2Role",
                             "Occ3Name", "Notes"], cell))  # fmt: skip
def test_random_stop_rows_map_the_same(overrides) -> None:
    spec = _STOPS
    fields = stop_row("R1")
    for key, value in overrides:
        fields[key] = value
    assert_same(spec, [(2, fields)])


_STOPS = load_spec(SPECS / "stops.yaml")


@pytest.fixture(scope="module")
def city_rows_for_hypothesis(city_rows):
    # hypothesis wants no function-scoped fixture; a module one, sampled from, is fine
    return {name: rows[:200] for name, rows in city_rows.items()}


def test_mapped_rows_shares_no_mutable_value(city_rows) -> None:
    """Memoised rows are tuples of text, numbers and None only: nothing a caller can change."""
    spec = get_spec("missing_episodes")
    values = Values("sqlite")
    for row_number, fields in city_rows["missing_episodes"] * 2:
        try:
            rows = mapped_rows(spec, fields, row_number, values)
        except RowError:
            continue
        stack: list[Any] = [rows]
        while stack:
            value = stack.pop()
            assert not isinstance(value, (dict, list, set)), value
            if isinstance(value, tuple):
                stack.extend(value)


def test_cells_equal_in_python_but_written_differently_are_kept_apart(city_rows) -> None:
    """1, 1.0 and True are one dict key, as are 0.0 and -0.0; their text differs."""
    spec = get_spec("police_incidents").model_copy()
    row_number, base = city_rows["police_incidents"][0]
    rows = []
    for value in (1, True, 1.0, "1", 0, False, 0.0, -0.0, "0", None):
        fields = json.loads(json.dumps(base))
        fields["location"]["lat"] = value
        fields["location"]["name"] = value
        if fields["persons"]:
            fields["persons"][0]["surname"] = value
        rows.append((row_number, fields))
    assert_same(spec, rows * 2, passes=1)
