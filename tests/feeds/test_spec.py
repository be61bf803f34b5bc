"""Feed specs load, validate, and fail with the file and key at fault."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from joinedup.cli import app
from joinedup.feeds import SpecError, builtin_specs, load_spec
from joinedup.feeds.loader import parse_spec

SPEC = Path(__file__).parents[1] / "ingest" / "specs" / "stops.yaml"
BASE = """
name: t
version: 1
title: t
source: {code: t, name: T, agency: police}
format: csv
"""


def test_builtin_specs_all_load() -> None:
    specs = builtin_specs()
    for name in ("police_incidents", "police_stops", "missing_episodes", "social_care",
                 "health_attendances", "education_concerns", "anpr_reads", "hotel_register",
                 "taxi_licences", "person_list"):  # fmt: skip
        assert name in specs, name


def test_yaml_codes_stay_text() -> None:
    spec = parse_spec(BASE + "codes:\n  yn: {Y: 'yes', N: no, 01: x}\n")
    assert spec.codes["yn"] == {"Y": "yes", "N": "no", "01": "x"}


@pytest.mark.parametrize(
    ("extra", "key", "words"),
    [
        ("format: parquet\n", "format", "csv"),
        ("persons:\n  - {slot: p, role: boss, name: N}\n", "", "not a known role"),
        (
            "persons:\n  - {slot: P1, role: subject, name: N}\n",
            "persons[0].slot",
            "lower_snake_case",
        ),
        ("persons:\n  - {slot: p, role: subject}\n", "persons[0]", "at least one of name"),
        (
            "persons:\n  - {slot: p, role: {column: R, codes: nope}, name: N}\n",
            "",
            "code list 'nope'",
        ),
        ("event: {type: party}\n", "", "event.type 'party'"),
        ("event: {type: stop_check, location: scene}\n", "", "not a location slot"),
        (
            "vehicles:\n  - {slot: v, role: vehicle, registration: R, person: ghost}\n",
            "",
            "not a person slot",
        ),
        (
            "persons:\n  - {slot: p, role: subject, name: N, protected: {race: E}}\n",
            "persons[0].protected",
            "unknown protected",
        ),
        ("colour: blue\n", "colour", "Extra inputs"),
        (
            "date_formats: ['%Y%m%d%H%M', '%Y%m%d']\n",
            "date_formats",
            "'20191207' would be read as 2019-01-02 00:07",
        ),
        (
            "persons:\n  - {slot: p, role: subject, name: N,"
            " dob: {column: D, formats: ['%d%m%y%H%M', '%d%m%y']}}\n",
            "persons[0].dob",
            "list '%d%m%y' first",
        ),
    ],
)
def test_invalid_specs_name_the_key(extra: str, key: str, words: str) -> None:
    text = (
        BASE.replace("format: csv\n", "")
        + ("" if extra.startswith("format") else "format: csv\n")
        + extra
    )
    with pytest.raises(SpecError) as err:
        parse_spec(text, "my.yaml")
    message = str(err.value)
    assert message.startswith("my.yaml: ")
    assert words in message
    if key:
        assert any(k == key for k, _ in err.value.problems), err.value.problems


def test_not_yaml_names_the_line() -> None:
    with pytest.raises(SpecError, match="line 2"):
        parse_spec("name: t\n  bad: [\n", "x.yaml")


def test_columns_of_the_worked_example() -> None:
    spec = load_spec(SPEC)
    assert {"StopRef", "StopTime", "VRM", "Notes"} <= spec.columns()
    assert not any("{n}" in c for c in spec.columns())


def test_feeds_cli(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["feeds", "list", "--json"])
    assert res.exit_code == 0 and "police_stops" in res.stdout
    res = runner.invoke(app, ["feeds", "check", str(SPEC)])
    assert res.exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(BASE + "persons:\n  - {slot: p, role: boss, name: N}\n")
    res = runner.invoke(app, ["feeds", "check", str(bad), "--json"])
    assert res.exit_code == 1 and "not a known role" in res.stdout
    res = runner.invoke(app, ["feeds", "show", "nope"])
    assert res.exit_code == 4


@pytest.mark.parametrize(
    "formats",
    [
        ("%Y%m%d", "%Y%m%d%H%M"),
        ("%d/%m/%Y %H:%M", "%d/%m/%Y"),
        ("%d/%m/%y", "%d/%m/%Y"),
        ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y"),
    ],
)
def test_formats_in_a_safe_order_load(formats: tuple[str, ...]) -> None:
    listed = ", ".join(repr(f) for f in formats)
    assert parse_spec(BASE + f"date_formats: [{listed}]\n").date_formats == formats
