"""`layout.mapped_rows` gives exactly `record_rows(map_row(...))`, row by row.

mapped_rows runs the spec compiled to straight-line Python (joinedup.ingest.compiled),
which lays each block instance out once per distinct cells and reuses the rows; these
tests hold it to the interpreted reference (compared by repr: type-exact, dict order
kept, and NaN equal to itself), with the same RowError field and reason.
"""

from __future__ import annotations

import ast
import json
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from joinedup.feeds import FeedSpec, builtin_specs, get_spec, load_spec
from joinedup.ingest import compiled, compiler, mapper, readers
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
    generate_city(seed=5, children=300, months=12, out_dir=folder)
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


def test_mapped_rows_runs_the_compiled_function(city_rows) -> None:
    spec = get_spec("anpr_reads").model_copy()
    values = Values("sqlite")
    row_number, fields = city_rows["anpr_reads"][0]
    mapped_rows(spec, fields, row_number, values)
    rows = mapper._plan(spec).layouts[values.key]
    assert rows is compiled.compiled_rows(spec, values)  # compiled once, then kept
    assert rows.__code__.co_filename == "<feed spec anpr_reads>"
    assert compiled.compiled_rows(spec, Values("postgresql")) is not rows


def test_every_built_in_spec_compiles_to_source_that_prints(capsys) -> None:
    for name in builtin_specs():
        for dialect in DIALECTS:
            text = compiler.source(get_spec(name), Values(dialect))
            compile(text, name, "exec")
            assert f"feed spec {name!r}" in text
    compiled.main(["police_stops"])
    printed = capsys.readouterr().out
    assert printed == compiler.source(get_spec("police_stops"), Values("sqlite"))
    loops = [line for line in printed.splitlines() if line.lstrip().startswith("for ")]
    assert "'Occ5Name'" in printed and not loops  # repeat: unrolled
    compiled.main([str(SPECS / "everything.yaml"), "--dialect", "postgresql"])
    printed = capsys.readouterr().out
    assert printed == compiler.source(_EVERYTHING, Values("postgresql"))


def test_the_same_rows_when_the_memo_is_tiny_or_given_up(city_rows, monkeypatch) -> None:
    """Evictions (2 entries a generation) and blocks that stop memoising change nothing."""
    monkeypatch.setattr(compiled, "BLOCK_CACHE_ROWS", 2)
    monkeypatch.setattr(compiled, "MEMO_TRIAL", 5)
    monkeypatch.setattr(compiled, "MEMO_MIN_HITS", 0.9)
    for name in ("police_stops", "missing_episodes", "police_incidents", "hotel_register"):
        spec = get_spec(name).model_copy()  # a new spec object: a fresh plan and memo
        assert_same(spec, city_rows[name][:600])


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
    "approx 1990", "12", "123", "1234", "B2P", "3/A/C", "{n}", "y" * 20_000,
    " n/k \n", "\\", "\"); import os; (\"", "²", "1_000", "0x10",
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


def test_the_portable_path_gets_dicts_of_its_own_each_time(city_rows) -> None:
    """Rows for the portable writer hold dicts, so they are never memoised or shared."""
    spec = get_spec("missing_episodes")
    values = Values("other")
    row_number, fields = city_rows["missing_episodes"][0]
    first, again = (mapped_rows(spec, fields, row_number, values) for _ in range(2))
    assert first == again
    child, child_again = first[7][0], again[7][0]
    assert isinstance(child[-5], dict) and child[-5] is not child_again[-5]  # raw


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


# -- every mapping feature, and specs whose strings are hostile ------------------------------

_EVERYTHING = load_spec(SPECS / "everything.yaml")
# Any JSON cell, as one branch: one_of flattens its branches, and json_cell has six.
odd = json_cell.map(lambda value: value)
date_cell = st.one_of(
    st.sampled_from(["01/02/2020 10:00", "1/2/2020", "2020-02-01", "31/02/2020", "n/k", ""]),
    odd,
)
name_cell = st.one_of(
    st.sampled_from(["Tariq 'Taz' Hollins", "HOLLINS, Tariq", "Amber Pell", "O'Neil-Smith"]),
    odd,
)
phone_cell = st.one_of(st.sampled_from(["07700 900123", "+44 7700 900456", "12"]), odd)


def _codes(*codes: str) -> st.SearchStrategy:
    return st.one_of(st.sampled_from(codes), odd)


def _mostly(*good: str) -> st.SearchStrategy:
    """One of `good` most of the time: cells that could fail the row mostly do not."""
    return st.sampled_from([*good * (36 // len(good) + 1), "", None, 3, ["x"]])


def _nested(keys: dict[str, st.SearchStrategy]) -> st.SearchStrategy:
    """A dict with some of `keys`, or a value of another type."""
    return st.one_of(st.fixed_dictionaries({}, optional=keys), odd)


_PERSON_ITEM = st.fixed_dictionaries(
    {"full": name_cell},
    optional={
        "role": _codes("D", "P", "S", "X", "Q", "d", ""),
        "first": name_cell,
        "last": name_cell,
        "middle": name_cell,
        "aka": name_cell,
        "born": st.one_of(st.sampled_from(["2001-04-05", "2001-02-30"]), date_cell),
        "age": _codes("12", "123", "1234", "x", "²", "١٢"),
        "sex": _codes("M", "f", "Z"),
        "home": _nested({"address": name_cell, "postcode": _codes("NV3 4QT", "nv34qt")}),
        "phone": phone_cell,
        "pnc": odd,
        "local": odd,
        "religion": odd,
        "note": odd,
        "strict": _mostly("ONE", "one", "Two", "two", "three"),
    },
)
_CAR = st.fixed_dictionaries(
    {"vrm": _codes("FD51 KXT", "FD5?")}, optional={"make": cell, "colour": cell}
)
_PLACE = st.fixed_dictionaries(
    {"name": name_cell},
    optional={
        "address": name_cell,
        "postcode": _codes("NV3 4QT"),
        "lat": _mostly("53.1", "x"),
        "lon": _mostly("-1.5", "nan"),
    },
)
_EVERYTHING_ROW = st.fixed_dictionaries(
    {
        "ref": st.fixed_dictionaries({"id": _mostly("E1", "E2")}),
        "desk": _mostly("07700 900123", "+44 7700 900456", "12"),
        "when": st.fixed_dictionaries(
            {"start": _mostly("1/2/2020", "01/02/2020 10:00")},
            optional={"end": _mostly(*["2/2/2020 11:00"] * 8, "31/02/2020")},
        ),
        "data": st.one_of(
            st.fixed_dictionaries(
                {"people": st.lists(st.one_of(_PERSON_ITEM, odd), min_size=1, max_size=3)}
            ),
            _nested({"people": odd}),
        ),
        "cars": st.one_of(st.lists(st.one_of(_CAR, odd), min_size=1, max_size=3), odd),
        "places": st.one_of(st.lists(st.one_of(_PLACE, odd), min_size=1, max_size=3), odd),
    },
    optional={
        "meta": _nested({"received": _mostly("2020-02-01", "")}),
        "grade": _codes("B2P", "3/A/C", "Z9"),
        "kind": _codes("A", "t", "Z", ""),
        "summary": st.one_of(st.just("Seen with 'Boss' in FD5? on 12/03/2021, NV3 4QT"), cell),
        "notes": _nested({"text": st.one_of(st.just("Call 07700 900456"), cell)}),
        "flag": _mostly("Y", "n", "?", "!", "q"),
        **{f"occ{n}": _nested({"name": name_cell, "dob": date_cell}) for n in (1, 2, 3)},
        **{f"occ{n}_phone": phone_cell for n in (1, 2, 3)},
        "with_list": st.one_of(st.sampled_from(["Ann Bee|Cy Dee", "n/k| |Ed Fox|"]), cell),
        "with_source": json_cell,
        "owner_first": name_cell,
        "owner_last": name_cell,
        "licence": _mostly("ONE", "Two", ""),
        "van": _nested({"vrm": _codes("AB12 CDE"), "model": cell}),
        "van_role": _codes("P", "X", "zz"),
        "line1": phone_cell,
        "line2": phone_cell,
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fields=_EVERYTHING_ROW)
def test_every_mapping_feature_maps_the_same(fields) -> None:
    assert_same(_EVERYTHING, [(2, fields)])


_PERSON_LIST = get_spec("person_list")
_PERSON_LIST_COLUMNS = sorted(
    {c for b in mapper._plan(_PERSON_LIST).persons for c, _ in b.key_columns[None]}
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fields=st.fixed_dictionaries(
        {"record_id": st.sampled_from(["P1", "P2"])},
        optional={c: json_cell for c in _PERSON_LIST_COLUMNS},
    )
)
def test_random_person_list_rows_map_the_same(fields) -> None:
    """A spec no synthetic agency writes; cells of any type (a caller may pass them)."""
    assert_same(_PERSON_LIST, [(2, fields)])


HOSTILE = [
    '"); import os; ("',
    "'); __import__('os').environ.setdefault('JOINEDUP_INJECTED', '1'); ('",
    "quote \" and ' both",
    "back\\slash\\",
    "new\nline\r\n",
    "#comment",
    "{n}} {{x}",
]


def _hostile_spec() -> FeedSpec:
    h = HOSTILE
    return FeedSpec.model_validate(
        {
            "name": "hostile",
            "version": 1,
            "title": h[0],
            "source": {"code": "hostile", "name": h[1], "agency": "other"},
            "format": "csv",
            "date_formats": ["%d/%m/%Y"],
            "codes": {
                h[0]: {h[1]: h[2], h[3]: h[4], "*": "="},
                "role": {h[4]: "suspect", h[0]: "ignore"},
            },
            "record": {"source_ref": h[0], "grading": h[6]},
            "event": {
                "type": {"column": h[1], "codes": h[0], "default": h[0]},
                "start": {"column": h[2], "required": True},
                "attributes": {"a": {"column": h[3], "codes": h[0]}, "b": {"value": h[1]}},
                "description": {"column": h[5], "default": h[4]},
            },
            "persons": [
                {
                    "slot": "person",
                    "role": {"column": h[4], "codes": "role", "default": h[4]},
                    "name": {"column": h[5], "split": h[4][:3]},
                    "sex": {"column": h[6], "codes": h[0]},
                    "attributes": {"x": h[1], "y": {"value": h[0]}},
                },
                {"slot": "other", "role": "witness", "forename": f"{h[0]}{{n}}", "repeat": 2},
            ],
            "free_text": [h[3]],
        }
    )


def test_a_spec_whose_strings_are_code_stays_data() -> None:
    """Column names, code lists, defaults and literals with quotes, backslashes, newlines
    and statements reach the generated source only as string literals."""
    spec = _hostile_spec()
    for dialect in DIALECTS:
        text = compiler.source(spec, Values(dialect))
        tree = ast.parse(text)
        assert not [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
        called = {
            n.func.id
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
        }
        assert "__import__" not in called and "exec" not in called and "eval" not in called
        strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}
        assert set(HOSTILE[:5]) <= strings  # each one whole, as a constant
    base = {h: "" for h in HOSTILE}
    rows = [
        {**base, HOSTILE[0]: "R1", HOSTILE[2]: "01/02/2020", HOSTILE[5]: "Ann Bee"},
        {**base, HOSTILE[0]: "R2", HOSTILE[2]: "01/02/2020", HOSTILE[1]: HOSTILE[1]},
        {**base, HOSTILE[0]: "R3", HOSTILE[2]: "01/02/2020", HOSTILE[3]: HOSTILE[3]},
        {**base, HOSTILE[0]: "R4", HOSTILE[2]: "01/02/2020", HOSTILE[4]: HOSTILE[4]},
        {**base, HOSTILE[0]: "R5", HOSTILE[2]: "01/02/2020", HOSTILE[4]: HOSTILE[0]},
        {**base, HOSTILE[0]: "R6", HOSTILE[2]: "x", HOSTILE[6]: HOSTILE[2]},
        {**base, HOSTILE[0]: "R7", HOSTILE[2]: "01/02/2020", f"{HOSTILE[0]}1": HOSTILE[0]},
        {**base, HOSTILE[0]: "R8", HOSTILE[2]: "01/02/2020", HOSTILE[5]: "a\nb\r\nc"},
        {**base, HOSTILE[0]: "R9"},
    ]
    assert_same(spec, list(enumerate(rows, start=2)))
    assert "JOINEDUP_INJECTED" not in os.environ


def test_a_repeated_note_gives_each_record_the_same_mentions_and_dates_of_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Free text's rows are remembered per text: a note seen again gives the same mentions
    and dates, into each record's own attributes, on every dialect."""
    monkeypatch.setattr(compiled, "_TEXT_MEMO", {})
    spec = get_spec("police_incidents")
    note = (
        "Seen with 'Shadow' on 12/03/2019 in a black BMW FD51 XKR; "
        "calls 07700 900123; dropped at NV1 8BN."
    )
    fields = {"incident_no": "NV/19/1", "opened": "2019-03-12T10:00:00", "narrative": note}
    for dialect in DIALECTS:
        values = Values(dialect)
        first = fast(spec, dict(fields), 2, values)
        again = fast(spec, dict(fields, incident_no="NV/19/2"), 3, values)
        assert first == reference(spec, dict(fields), 2, values)
        assert again == reference(spec, dict(fields, incident_no="NV/19/2"), 3, values)
        assert "dates_in_text" in first and "Shadow" in first and "FD51" in first
    # One remembered text per dialect whose rows may be shared; none for the portable path.
    assert len(compiled._TEXT_MEMO) == 2
