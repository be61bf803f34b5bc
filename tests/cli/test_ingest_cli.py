"""`joinedup ingest --json` on SQLite and PostgreSQL: counts per file and in total that
reconcile, files refused whole (nothing written), manifests that say what is wrong."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from joinedup.cli import app
from joinedup.store import tables as t
from tests.ingest.conftest import SPECS, stop_row, write_csv

runner = CliRunner()
STOPS = str(SPECS / "stops.yaml")
COUNTS = ("read", "stored", "duplicates", "quarantined")


pytestmark = pytest.mark.usefixtures("cheap_hashing")


@pytest.fixture
def store(store_with_users: str) -> str:
    return store_with_users


def run(store_url: str, *args: str) -> Any:
    env = {"JOINEDUP_USER": "ana.test", "JOINEDUP_DB": None, "COLUMNS": "250"}
    return runner.invoke(app, [*args, "--db", store_url], env=env)


def ingest_json(store_url: str, *args: str) -> dict[str, Any]:
    result = run(store_url, "ingest", *args, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for one in [*data["files"], data["total"]]:
        assert one["read"] == one["stored"] + one["duplicates"] + one["quarantined"], one
    for key in COUNTS:
        assert data["total"][key] == sum(f[key] for f in data["files"])
    return data


def written(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (t.ingest_batch, t.record, t.quarantine, t.source, t.feed_spec)
        }


def counts(one: dict[str, Any]) -> tuple[int, ...]:
    return tuple(one[k] for k in COUNTS)


def incidents(path: Path, *objects: dict[str, Any]) -> Path:
    path.write_text("".join(json.dumps(o) + "\n" for o in objects), encoding="utf-8")
    return path


PERSON = {"role": "S", "surname": "Marchetti-Vale", "forenames": "Oriel"}


def test_several_paths_and_a_manifest_folder(store: str, engine: Engine, tmp_path: Path) -> None:
    first = write_csv(
        tmp_path / "stops1.csv",
        [stop_row("S1"), stop_row("S2", StopTime="31/02/2009"), stop_row("S1")],
    )
    second = write_csv(tmp_path / "stops2.csv", [stop_row("S3"), stop_row("S4")])
    data = ingest_json(store, str(first), str(second), "--spec", STOPS)
    assert [Path(f["file"]).name for f in data["files"]] == ["stops1.csv", "stops2.csv"]
    assert [counts(f) for f in data["files"]] == [(3, 1, 1, 1), (2, 2, 0, 0)]
    assert counts(data["total"]) == (5, 3, 1, 1)
    assert all(f["spec"] == "test_stops" and f["batch"] for f in data["files"])

    folder = tmp_path / "delivery"
    folder.mkdir()
    write_csv(folder / "stops.csv", [stop_row("S5"), stop_row("S6", StopTime="")])
    incidents(
        folder / "incidents.jsonl",
        {"incident_no": "I1", "opened": "2019-02-03T10:00:00", "persons": [PERSON]},
        {"incident_no": "I2", "opened": "2019-02-31T10:00:00", "persons": [PERSON]},
    )
    (folder / "manifest.json").write_text(
        json.dumps(
            {
                "files": [
                    {"path": "stops.csv", "spec": STOPS},
                    {"path": "incidents.jsonl", "spec": "police_incidents"},
                ]
            }
        ),
        encoding="utf-8",
    )
    data = ingest_json(store, str(folder))
    assert [(f["spec"], counts(f)) for f in data["files"]] == [
        ("test_stops", (2, 1, 0, 1)),
        ("police_incidents", (2, 1, 0, 1)),
    ]
    assert counts(data["total"]) == (4, 2, 0, 2)
    assert written(engine)["ingest_batch"] == 4 and written(engine)["record"] == 5

    text = run(store, "ingest", str(second), "--spec", STOPS)  # the table, for people
    assert text.exit_code == 0, text.output
    assert "stops2.csv" in text.stdout and "total" in text.stdout


def test_ingesting_the_same_file_again_gives_all_duplicates(
    store: str, engine: Engine, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "stops.csv", [stop_row(f"S{i}") for i in range(1, 6)])
    assert counts(ingest_json(store, str(path), "--spec", STOPS)["total"]) == (5, 5, 0, 0)
    before = written(engine)
    again = ingest_json(store, str(path), "--spec", STOPS)
    assert counts(again["files"][0]) == (5, 0, 5, 0)
    after = written(engine)
    assert after["record"] == before["record"] and after["quarantine"] == before["quarantine"]
    assert after["ingest_batch"] == before["ingest_batch"] + 1  # the batch says what happened


def test_a_wrong_delimiter_is_refused_naming_file_and_column(
    store: str, engine: Engine, tmp_path: Path
) -> None:
    header = 'AttendanceNo,ArrivalDateTime,PatientName\r\nH1,201902031015,"ROUX, Ines"\r\n'
    comma = tmp_path / "attendances.csv"
    comma.write_bytes(header.encode("cp1252"))  # health_attendances reads ';'
    before = written(engine)
    result = run(store, "ingest", str(comma), "--spec", "health_attendances", "--json")
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert "attendances.csv" in said and "'AttendanceNo'" in said and "delimiter" in said
    assert result.stdout == ""  # no JSON: nothing was ingested
    assert written(engine) == before

    semicolon = tmp_path / "fine.csv"
    semicolon.write_bytes(
        "AttendanceNo;ArrivalDateTime;PatientName\r\nH1;201902031015;ROUX, Inès\r\n".encode(
            "cp1252"
        )
    )
    result = run(store, "ingest", str(semicolon), str(comma), "--spec", "health_attendances")
    assert result.exit_code == 2, result.output  # fine.csv reads, but is not ingested alone
    assert "attendances.csv" in result.output
    assert written(engine) == before
    assert counts(ingest_json(store, str(semicolon), "--spec", "health_attendances")["total"]) == (
        1,
        1,
        0,
        0,
    )


def test_a_missing_required_column_in_a_later_file_writes_nothing(
    store: str, engine: Engine, tmp_path: Path
) -> None:
    good = write_csv(tmp_path / "good.csv", [stop_row("S1")])
    no_time = tmp_path / "no_time.csv"
    no_time.write_text("StopRef,VRM\nS9,FD51 KXT\n", encoding="utf-8")
    before = written(engine)
    result = run(store, "ingest", str(good), str(no_time), "--spec", STOPS)
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert "no_time.csv" in said and "'StopTime'" in said
    assert written(engine) == before  # good.csv, checked and fine, was not ingested either


def test_a_jsonl_file_whose_first_object_lacks_a_required_field_writes_nothing(
    store: str, engine: Engine, tmp_path: Path
) -> None:
    good = incidents(
        tmp_path / "good.jsonl",
        {"incident_no": "I1", "opened": "2019-02-03T10:00:00", "persons": [PERSON]},
    )
    bad = incidents(
        tmp_path / "bad.jsonl", {"incident_no": "I2", "persons": [PERSON]}
    )  # no "opened"
    bad.write_text("\n{not json\n" + bad.read_text("utf-8"), encoding="utf-8")
    before = written(engine)
    result = run(store, "ingest", str(good), str(bad), "--spec", "police_incidents")
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert "bad.jsonl" in said and "'opened'" in said
    assert written(engine) == before


def manifest(folder: Path, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    write_csv(folder / "stops.csv", [stop_row("S1")])
    (folder / "manifest.json").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('{"files": [{"path": "stops.csv"}]}', 'files[0] (stops.csv) has no "spec"'),
        ('{"files": [{"spec": "police_stops"}]}', 'files[0] has no "path"'),
        (
            '{"files": [{"path": "stops.csv", "spec": "SPEC"}, {"path": "gone.csv", "spec": "SPEC"}]}',
            "files[1] (gone.csv): no such file",
        ),
        ('{"files": [{"path": "stops.csv", "spec": "no_such_spec"}]}', "no built-in spec"),
        ('{"files": ["stops.csv"]}', "files[0] is not an object"),
        ('{"files": {"path": "stops.csv"}}', 'no list of "files"'),
        ("[]", 'no list of "files"'),
        ('{"files": []}', "names no files"),
        ('{"files": [{"path": "stops.csv", "spec": "SPEC"}', "not JSON"),
    ],
)
def test_a_bad_manifest_is_refused_naming_it_and_the_entry(
    store: str, engine: Engine, tmp_path: Path, text: str, said: str
) -> None:
    folder = manifest(tmp_path / "delivery", text.replace("SPEC", STOPS))
    before = written(engine)
    result = run(store, "ingest", str(folder), "--json")
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert isinstance(result.exception, SystemExit)  # a message, not a traceback
    assert str(folder / "manifest.json") in message and said in message
    assert written(engine) == before


def test_spec_given_on_the_command_line_serves_a_manifest_without_specs(
    store: str, tmp_path: Path
) -> None:
    folder = manifest(tmp_path / "delivery", '{"files": [{"path": "stops.csv"}]}')
    data = ingest_json(store, str(folder), "--spec", STOPS)
    assert counts(data["total"]) == (1, 1, 0, 0)
