"""Feed specs load, validate, and fail with the file and key at fault."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from joinedup.cli import app
from joinedup.cli.app import Exit
from joinedup.feeds import FeedSpec, SpecError, builtin_specs, load_spec, spec_json
from joinedup.feeds.loader import parse_spec, spec_hash

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
        (
            "persons:\n  - {slot: p, role: subject, name: N}\n  - {slot: q, role: boss, name: N}\n",
            "persons[1].role",
            "unknown role 'boss' (known: subject, missing_person,",
        ),
        (
            "persons:\n  - {slot: P1, role: subject, name: N}\n",
            "persons[0].slot",
            "lower_snake_case",
        ),
        ("persons:\n  - {slot: p, role: subject}\n", "persons[0]", "at least one of name"),
        (
            "persons:\n  - {slot: p, role: {column: R, codes: nope}, name: N}\n",
            "persons[0].role.codes",
            "code list 'nope' is not defined under 'codes' (defined: none)",
        ),
        (
            "codes: {sex: {M: M}}\n"
            "persons:\n  - {slot: p, role: subject, name: N, sex: {column: S, codes: sx}}\n",
            "persons[0].sex.codes",
            "code list 'sx' is not defined under 'codes' (defined: sex)",
        ),
        (
            "event: {type: party}\n",
            "event.type",
            "unknown event type 'party' (known: police_incident, stop_check,",
        ),
        (
            "event: {type: stop_check, location: scene}\n",
            "event.location",
            "no location block has slot 'scene' (location slots: none)",
        ),
        (
            "event: {type: stop_check, location: {address: A}}\n",
            "event.location",
            "names the slot of a location block",
        ),
        (
            "persons:\n  - {slot: p, role: subject, name: N}\n"
            "vehicles:\n  - {slot: v, role: vehicle, registration: R, person: ghost}\n",
            "vehicles[0].person",
            "no person block has slot 'ghost' (person slots: p)",
        ),
        (
            "phones:\n  - {slot: t, role: phone, number: T}\n  - {slot: u, role: phone,"
            " number: U, person: ghost}\n",
            "phones[1].person",
            "no person block has slot 'ghost' (person slots: none)",
        ),
        (
            "persons:\n  - {slot: p, role: subject, name: N}\n"
            "locations:\n  - {slot: p, role: location, address: A}\n",
            "locations[0].slot",
            "slot 'p' is already used by persons[0]",
        ),
        (
            "persons:\n  - {slot: p, role: subject, name: N, repeat: 2, each: people}\n",
            "persons[0]",
            "use 'repeat' or 'each', not both",
        ),
        (
            "codes: {r: {A: subject, B: ignore, C: boss}}\n"
            "persons:\n  - {slot: p, role: {column: R, codes: r}, name: N}\n",
            "codes.r.C",
            "unknown role 'boss': code list 'r' is read as a role",
        ),
        (
            "persons:\n  - {slot: p, role: subject, name: N, protected: {race: E}}\n",
            "persons[0].protected.race",
            "unknown protected characteristic 'race'",
        ),
        (
            "persons:\n  - {slot: p, role: subject, name: N, identifiers: {nino: I}}\n",
            "persons[0].identifiers.nino",
            "unknown identifier 'nino'",
        ),
        (
            "persons:\n  - {slot: p, role: subject, name: N, dob: {default: x}}\n",
            "persons[0].dob",
            "give exactly one of 'column' or 'value'",
        ),
        ("colour: blue\n", "colour", "Extra inputs"),
        ("free_text: [Notes]\n", "free_text", "free text needs an 'event' block"),
        (
            "date_formats: ['%Y%m%d%H%M', '%Y%m%d']\n",
            "date_formats",
            "'20191207' would be read as 2019-01-02 00:07",
        ),
        (
            "persons:\n  - {slot: p, role: subject, name: N,"
            " dob: {column: D, formats: ['%d%m%y%H%M', '%d%m%y']}}\n",
            "persons[0].dob.formats",
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
    assert [k for k, _ in err.value.problems] == [key], err.value.problems
    [(_, message)] = err.value.problems
    assert words in message
    assert not message.startswith(("Value error", "Assertion failed")), message
    assert str(err.value) == f"my.yaml: {key}: {message}"


def test_every_cross_reference_problem_is_reported_at_its_key() -> None:
    text = BASE + (
        "event: {type: party, location: scene}\n"
        "persons:\n  - {slot: p, role: boss, name: N}\n"
        "  - {slot: q, role: {column: R, codes: nope}, name: N}\n"
        "vehicles:\n  - {slot: v, role: vehicle, registration: R, person: ghost}\n"
    )
    with pytest.raises(SpecError) as err:
        parse_spec(text, "my.yaml")
    assert sorted(k for k, _ in err.value.problems) == [
        "event.location",
        "event.type",
        "persons[0].role",
        "persons[1].role.codes",
        "vehicles[0].person",
    ]


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


def test_feeds_check_names_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)  # a short path: the console wraps long lines
    bad = Path("bad.yaml")
    bad.write_text(
        BASE
        + "persons:\n  - {slot: p, role: subject, name: N}\n  - {slot: q, role: boss, name: N}\n"
    )
    res = runner.invoke(app, ["feeds", "check", str(bad), "--json"])
    assert res.exit_code == 1
    report = json.loads(res.stdout)
    assert report["ok"] is False and report["file"] == str(bad)
    [problem] = report["problems"]
    assert problem["key"] == "persons[1].role"
    assert problem["message"].startswith("unknown role 'boss' (known: subject, ")
    res = runner.invoke(app, ["feeds", "check", str(bad)])
    assert res.exit_code == 1
    stderr = " ".join(res.stderr.split())
    assert stderr.startswith(
        f"error: {bad}: persons[1].role: unknown role 'boss' (known: subject, "
    )


@pytest.mark.parametrize("name", sorted(builtin_specs()))
def test_feeds_show_text_and_json(name: str) -> None:
    runner = CliRunner()
    spec = builtin_specs()[name]
    res = runner.invoke(app, ["feeds", "show", name, "--json"])
    assert res.exit_code == 0, res.stderr
    shown = json.loads(res.stdout)
    assert shown["name"] == name and shown["version"] == spec.version
    assert shown["title"] == spec.title
    assert shown["hash"] == spec_hash(spec)
    assert FeedSpec.model_validate(shown["spec"]) == spec
    assert json.dumps(shown["spec"], sort_keys=True) == spec_json(spec)

    res = runner.invoke(app, ["feeds", "show", name])
    assert res.exit_code == 0, res.stderr
    head, _, body = res.stdout.partition("\n\n")
    assert head == f"{name} v{spec.version}: {spec.title}\nhash {spec_hash(spec)}"
    assert parse_spec(body) == spec  # the keys as YAML, read back to the same spec


def test_feeds_show_a_spec_file() -> None:
    res = CliRunner().invoke(app, ["feeds", "show", str(SPEC), "--json"])
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["name"] == "test_stops"


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_feeds_show_unknown_name(json_flag: list[str]) -> None:
    res = CliRunner().invoke(app, ["feeds", "show", "no_such_feed", *json_flag])
    assert res.exit_code == Exit.not_found
    assert res.stdout == ""
    assert "no_such_feed: no built-in spec of that name (built-in: anpr_reads," in " ".join(
        res.stderr.split()
    )


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
