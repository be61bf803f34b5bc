"""`joinedup quarantine list|show|export` on SQLite and PostgreSQL: what each shows, what
each audits, and exports that go back through `joinedup ingest` with the rows' own spec
(CSV with its delimiter and encoding, JSONL, XLSX), fixed rows marked resolved."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from joinedup.access import audit
from joinedup.cli import app
from joinedup.ingest import quarantine as q
from joinedup.store import tables as t

from .conftest import SPECS, stop_row, write_csv

runner = CliRunner()
ANALYST = "ana.test"
HEALTH_HEADER = [
    "AttendanceNo", "ArrivalDateTime", "PatientName", "DateOfBirth", "ContactNumber",
    "Site", "ClinicalNotes",
]  # fmt: skip
FORMULA = '=HYPERLINK("http://example.invalid/x","open me")'


pytestmark = pytest.mark.usefixtures("cheap_hashing")


@pytest.fixture
def store(store_with_users: str) -> str:
    return store_with_users


def run(store_url: str, *args: str, user: str = ANALYST) -> Any:
    env = {
        "JOINEDUP_USER": user,
        "JOINEDUP_PURPOSE": "quarantine review (test)",
        "JOINEDUP_DB": None,
        "COLUMNS": "250",  # rich tables and messages on one line each
    }
    return runner.invoke(app, [*args, "--db", store_url], env=env)


def run_json(store_url: str, *args: str) -> Any:
    result = run(store_url, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def ingest(store_url: str, path: Path, spec: str) -> dict[str, Any]:
    data = run_json(store_url, "ingest", str(path), "--spec", spec)
    (one,) = data["files"]
    assert one["read"] == one["stored"] + one["duplicates"] + one["quarantined"]
    return one


def audit_rows(engine: Engine) -> list[audit.AuditEvent]:
    with engine.connect() as conn:
        return audit.list_events(conn, limit=None)


def quarantine_state(engine: Engine) -> dict[str | None, bool]:
    """Each quarantined row's reference -> whether it is marked fixed."""
    with engine.connect() as conn:
        rows = conn.execute(select(t.quarantine.c.source_ref, t.quarantine.c.resolved_at))
        return {ref: resolved is not None for ref, resolved in rows}


def health_file(path: Path, rows: list[list[str]]) -> Path:
    """A hospital extract as health_attendances reads it: ';'-delimited Windows-1252."""
    lines = [";".join(HEALTH_HEADER)] + [";".join(r) for r in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


HEALTH_ROWS = [
    ["H1", "201902031015", "NÉMETH, Zoë", "20050304", "07700 900111", "ED", "fell on ice"],
    ["H2", "200902311015", "ÅSTRÖM, Björn", "20060708", "+44 7700 900222", "WIC", FORMULA],
    ["H3", "201902041100"],  # ragged: two cells where the header has seven
    ["H4", "200902301200", "QUILLON, Maëlle", "20070102", "-", "SHC", "@SUM(1,2)"],
]


# -- list, show, export: what they show and what they audit ----------------------------------


def test_list_show_export_show_what_they_should_and_audit_it(
    store: str, engine: Engine, tmp_path: Path
) -> None:
    source = health_file(tmp_path / "attendances.csv", HEALTH_ROWS)
    first = ingest(store, source, "health_attendances")
    assert (first["stored"], first["quarantined"]) == (1, 3)

    listed = run(store, "quarantine", "list")
    assert listed.exit_code == 0, listed.output
    text = " ".join(listed.stdout.split())
    assert "attendances.csv" in text and "ArrivalDateTime" in text
    for row_number in ("3", "4", "5"):  # the header is row 1
        assert f" {row_number} " in text
    assert "row has 2 fields but the header has 7" in text
    for personal in ("ÅSTRÖM", "Björn", "QUILLON", "20060708", "900222", "HYPERLINK"):
        assert personal not in listed.stdout  # file, row, field and reason only

    rows = run_json(store, "quarantine", "list")
    assert [(r["row_number"], r["field"], r["source_ref"]) for r in rows] == [
        (3, "ArrivalDateTime", "H2"),
        (4, None, None),
        (5, "ArrivalDateTime", "H4"),
    ]
    assert all(r["file_name"].endswith("attendances.csv") and r["reason"] for r in rows)
    assert all("raw" not in r and "fields" not in r for r in rows)
    assert "Björn" not in json.dumps(rows, ensure_ascii=False)
    assert audit_rows(engine)[-1].action == "quarantine_list"

    row_id = rows[0]["id"]
    shown = run(store, "quarantine", "show", str(row_id))
    assert shown.exit_code == 0, shown.output
    assert "ÅSTRÖM, Björn" in shown.stdout and "ClinicalNotes: " + FORMULA in shown.stdout
    assert "row 3" in shown.stdout
    event = audit_rows(engine)[-1]
    assert (event.category, event.action, event.object_id) == (
        "consultation",
        "quarantine_show",
        str(row_id),
    )
    assert event.actor == ANALYST and event.purpose == "quarantine review (test)"
    one = run_json(store, "quarantine", "show", str(row_id))
    assert one["fields"]["PatientName"] == "ÅSTRÖM, Björn" and one["row_number"] == 3

    out = tmp_path / "fix.csv"
    exported = run(store, "quarantine", "export", str(out), "--source", "nv_health",
                   "--recipient", "Northvale data team")  # fmt: skip
    assert exported.exit_code == 0, exported.output
    said = " ".join(exported.output.split())
    assert "Wrote 2 rows" in said and "semicolon-delimited, cp1252" in said
    assert "1 rows could not be written" in said and "fix.unparsed.jsonl" in said
    assert "2 cells look like spreadsheet formulas" in said  # =HYPERLINK, @SUM; not the phone
    assert "--spec health_attendances" in said
    event = audit_rows(engine)[-1]
    assert (event.category, event.action, event.recipient) == (
        "disclosure",
        "quarantine_export",
        "Northvale data team",
    )
    assert event.detail["rows"] == 2 and event.detail["unparsed"] == 1
    assert event.detail["file"] == "fix.csv"
    ids = [r["id"] for r in rows]
    assert event.detail["quarantine_ids"] == q.id_ranges(ids) and ids == list(
        range(ids[0], ids[-1] + 1)
    )
    assert event.detail["quarantine_ids"] == [[ids[0], ids[-1]]]

    again = run_json(store, "quarantine", "export", str(out), "--source", "nv_health",
                     "--recipient", "Northvale data team")  # fmt: skip
    assert again["rows"] == 2 and again["unparsed"] == 1 and again["formula_cells"] == 2
    assert again["format"] == "csv" and again["delimiter"] == ";"
    assert again["encoding"] == "cp1252" and again["specs"] == ["health_attendances"]
    assert again["unparsed_file"] == str(tmp_path / "fix.unparsed.jsonl")
    assert audit_rows(engine)[-1].recipient == "Northvale data team"
    assert not list(tmp_path.glob(".*.part"))  # no temporary file left behind


def test_unknown_ids_and_sources_are_not_found_and_a_refusal_is_audited(
    store: str, engine: Engine, tmp_path: Path
) -> None:
    missing = run(store, "quarantine", "show", "999999")
    assert missing.exit_code == 4, missing.output
    assert "no quarantined row 999999" in missing.output
    assert run(store, "quarantine", "show", "999999", "--json").exit_code == 4
    nowhere = run(store, "quarantine", "export", str(tmp_path / "x.csv"), "--source", "nope",
                  "--recipient", "someone")  # fmt: skip
    assert nowhere.exit_code == 4 and "no source 'nope'" in nowhere.output
    assert not (tmp_path / "x.csv").exists()
    refused = run(store, "quarantine", "show", "1", user="ada.admin")  # admins read no rows
    assert refused.exit_code == 3, refused.output
    event = audit_rows(engine)[-1]
    assert (event.action, event.actor) == (audit.REFUSED_ACTION, "ada.admin")


def test_a_source_with_nothing_open_exports_nothing(store: str, tmp_path: Path) -> None:
    clean = write_csv(tmp_path / "stops.csv", [stop_row("S1")])
    assert ingest(store, clean, str(SPECS / "stops.yaml"))["quarantined"] == 0
    out = tmp_path / "fix.csv"
    data = run_json(store, "quarantine", "export", str(out), "--source", "test_force",
                    "--recipient", "data team")  # fmt: skip
    assert data["rows"] == 0 and data["file"] is None
    assert not out.exists()


# -- round trips: export, fix, ingest again with the same spec ----------------------------------


def test_csv_round_trip_semicolon_cp1252(store: str, engine: Engine, tmp_path: Path) -> None:
    source = health_file(tmp_path / "attendances.csv", HEALTH_ROWS)
    ingest(store, source, "health_attendances")
    out = tmp_path / "fix.csv"
    data = run_json(store, "quarantine", "export", str(out), "--source", "nv_health",
                    "--recipient", "data team")  # fmt: skip
    assert data["file"] == str(out) and data["rows"] == 2

    raw = out.read_bytes()
    assert "ÅSTRÖM, Björn".encode("cp1252") in raw  # Windows-1252, not UTF-8
    text = raw.decode("cp1252")
    lines = text.splitlines()
    header = lines[0].split(";")
    assert header[:3] == ["AttendanceNo", "ArrivalDateTime", "PatientName"]  # spec order
    assert sorted(header) == sorted(HEALTH_HEADER)
    assert '"=HYPERLINK(""http://example.invalid/x"",""open me"")"' in text  # verbatim
    side = [json.loads(line) for line in (tmp_path / "fix.unparsed.jsonl").read_text("utf-8").splitlines()]  # fmt: skip
    assert len(side) == 1
    assert side[0]["row_number"] == 4 and side[0]["file"].endswith("attendances.csv")
    assert json.loads(side[0]["raw"]) == ["H3", "201902041100"]
    assert "2 fields" in side[0]["reason"]

    fixed = text.replace("200902311015", "200902281015").replace("200902301200", "200902271200")
    out.write_bytes(fixed.encode("cp1252"))
    again = ingest(store, out, "health_attendances")
    assert again == again | {"read": 2, "stored": 2, "duplicates": 0, "quarantined": 0}
    assert again["quarantine_fixed"] == 2
    assert quarantine_state(engine) == {"H2": True, "H4": True, None: False}
    with engine.connect() as conn:
        stored = {
            json.loads(r)["AttendanceNo"]: json.loads(r)
            for r in conn.execute(select(t.record.c.raw)).scalars()
        }
    assert stored["H2"]["PatientName"] == "ÅSTRÖM, Björn"
    assert stored["H2"]["ClinicalNotes"] == FORMULA  # the same text as first sent
    assert stored["H4"]["ClinicalNotes"] == "@SUM(1,2)"
    listed = run_json(store, "quarantine", "list")
    assert [r["row_number"] for r in listed] == [4]  # only the ragged row is still open


def test_escape_formulas_prefixes_a_quote_and_says_so(
    store: str, engine: Engine, tmp_path: Path
) -> None:
    ingest(store, health_file(tmp_path / "attendances.csv", HEALTH_ROWS), "health_attendances")
    out = tmp_path / "fix.csv"
    result = run(store, "quarantine", "export", str(out), "--source", "nv_health",
                 "--recipient", "data team", "--escape-formulas")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "2 formula-looking cells were prefixed with '" in " ".join(result.output.split())
    text = out.read_bytes().decode("cp1252")
    assert "'=HYPERLINK(" in text and ";'@SUM(1,2)" in text
    assert ";+44 7700 900222;" in text and ";-;" in text  # numbers and a dash are not formulas
    assert audit_rows(engine)[-1].detail["formulas_escaped"] is True


def test_jsonl_round_trip(store: str, engine: Engine, tmp_path: Path) -> None:
    person = {"role": "S", "surname": "Quillfeather", "forenames": "Odile", "dob": "02/03/2004"}
    lines = [
        {"incident_no": "I1", "opened": "2019-02-03T10:00:00", "persons": [person]},
        {"incident_no": "I2", "opened": "2009-02-31T10:00:00", "persons": [person],
         "narrative": "seen with Œdipe Varnell", "class": "INTEL"},
    ]  # fmt: skip
    source = tmp_path / "incidents.jsonl"
    source.write_text(
        "\n".join(json.dumps(o, ensure_ascii=False) for o in lines) + '\n{"incident_no": "I3",\n',
        encoding="utf-8",
    )
    first = ingest(store, source, "police_incidents")
    assert (first["stored"], first["quarantined"]) == (1, 2)

    asked = tmp_path / "fix.csv"  # the suffix follows the spec's format
    data = run_json(store, "quarantine", "export", str(asked), "--source", "nv_police_incidents",
                    "--recipient", "data team")  # fmt: skip
    out = tmp_path / "fix.jsonl"
    assert data["file"] == str(out) and data["format"] == "jsonl" and not asked.exists()
    assert (data["rows"], data["unparsed"]) == (1, 1)
    (row,) = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert list(row)[:2] == ["incident_no", "opened"]  # the spec's order
    assert row["narrative"] == "seen with Œdipe Varnell"
    (side,) = (tmp_path / "fix.unparsed.jsonl").read_text("utf-8").splitlines()
    assert json.loads(side)["raw"].startswith('{"incident_no": "I3"')

    out.write_text(out.read_text("utf-8").replace("2009-02-31", "2009-02-28"), "utf-8")
    again = ingest(store, out, "police_incidents")
    assert (again["read"], again["stored"], again["quarantine_fixed"]) == (1, 1, 1)
    assert quarantine_state(engine) == {"I2": True, None: False}


def test_xlsx_round_trip_keeps_every_cell_text(store: str, engine: Engine, tmp_path: Path) -> None:
    header = ["Work Item ID", "Child Ref", "Work Type", "Start Date", "Forename", "Surname"]
    book = Workbook()
    sheet = book.active
    sheet.title = "Extract"
    sheet.append(header)
    sheet.append(["W1", "C1", "REF", "2019-03-04", "Zéphyrine", "Okonkwo-Bray"])
    sheet.append(["W2", "C2", "REF", "31/02/2009", "=1+2", "Delacour"])
    sheet.append(["W3", "C3", "ZZZ", "2019-03-05", "Ifeoma", "Stanhope"])
    source = tmp_path / "care.xlsx"
    book.save(source)
    first = ingest(store, source, "social_care")
    assert (first["stored"], first["quarantined"]) == (1, 2)

    data = run_json(store, "quarantine", "export", str(tmp_path / "fix.csv"),
                    "--source", "nv_social_care", "--recipient", "data team")  # fmt: skip
    out = tmp_path / "fix.xlsx"
    assert data["file"] == str(out) and data["format"] == "xlsx" and data["sheet"] == "Extract"
    assert (data["rows"], data["unparsed"], data["formula_cells"]) == (2, 0, 1)
    exported = load_workbook(out)["Extract"]
    cells = list(exported.iter_rows())
    assert [c.value for c in cells[0]][:4] == ["Work Item ID", "Work Type", "Start Date", "Forename"]  # fmt: skip
    assert all(c.data_type == "s" for row in cells for c in row if c.value is not None)
    formula = next(c for row in cells for c in row if c.value == "=1+2")
    assert formula.data_type == "s"  # text, never a live formula

    book = load_workbook(out)
    sheet = book["Extract"]
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.value == "31/02/2009":
                cell.value = "28/02/2009"
            elif cell.value == "ZZZ":
                cell.value = "ASMT"
            elif cell.value == "=1+2":
                cell.data_type = "s"  # keep it text when saving again
    book.save(out)
    again = ingest(store, out, "social_care")
    assert (again["read"], again["stored"], again["quarantine_fixed"]) == (2, 2, 2)
    assert quarantine_state(engine) == {"W2": True, "W3": True}
    with engine.connect() as conn:
        names = {
            json.loads(r)["Work Item ID"]: json.loads(r)["Forename"]
            for r in conn.execute(select(t.record.c.raw)).scalars()
        }
    assert names == {"W1": "Zéphyrine", "W2": "=1+2", "W3": "Ifeoma"}


def test_rows_of_specs_that_read_files_differently_need_spec(
    store: str, engine: Engine, tmp_path: Path
) -> None:
    bad = stop_row("S2", StopTime="31/02/2024")
    ingest(store, write_csv(tmp_path / "a.csv", [bad]), str(SPECS / "stops.yaml"))
    other = tmp_path / "stops_semicolon.yaml"
    other.write_text(
        (SPECS / "stops.yaml")
        .read_text("utf-8")
        .replace("name: test_stops", "name: test_stops_semicolon")
        .replace("format: csv", 'format: csv\noptions: {delimiter: ";"}'),
        "utf-8",
    )
    ingest(
        store,
        write_csv(tmp_path / "b.csv", [stop_row("S3", StopTime="30/02/2024")], delimiter=";"),
        str(other),
    )
    out = tmp_path / "fix.csv"
    mixed = run(store, "quarantine", "export", str(out), "--source", "test_force",
                "--recipient", "data team")  # fmt: skip
    assert mixed.exit_code == 2, mixed.output
    assert "--spec NAME" in mixed.output and not out.exists()
    one = run_json(store, "quarantine", "export", str(out), "--source", "test_force",
                   "--spec", "test_stops_semicolon", "--recipient", "data team")  # fmt: skip
    assert one["rows"] == 1 and one["delimiter"] == ";"
    assert (
        out.read_text("utf-8")
        .splitlines()[0]
        .startswith("StopRef;Grading;StopTime;Occ1Role;Occ1Name;")
    )


# -- the export module on its own ----------------------------------------------------------------


def test_id_ranges() -> None:
    assert q.id_ranges([7, 3, 4, 5, 9, 10, 4]) == [[3, 5], [7, 7], [9, 10]]
    assert q.id_ranges([]) == []


@pytest.mark.parametrize(
    ("value", "formula"),
    [
        ('=HYPERLINK("http://x")', True),
        ("@SUM(A1)", True),
        ("+cmd|' /C calc'!A0", True),
        ("-2+3+cmd|' /C calc'!A0", True),
        ("\t=1", True),
        ("+44 7700 900123", False),
        ("-12.5", False),
        ("-", False),
        ("Ann = Bea", False),
        ("", False),
    ],
)
def test_formula_looking_cells(value: str, formula: bool) -> None:
    assert q.looks_like_formula(value) is formula


def test_a_value_the_encoding_lacks_goes_to_the_side_file(tmp_path: Path) -> None:
    target = q.ExportTarget("csv", ["x"], ["Ref", "Name"], ";", "cp1252")

    def row(i: int, name: str) -> q.QuarantinedRow:
        raw = json.dumps({"Name": name, "Ref": f"R{i}"})
        return q.QuarantinedRow(i, "s", "f.csv", i + 1, f"R{i}", "Ref", "bad", raw,
                                None, None, None, 1, "x", 1)  # fmt: skip

    export = q.write_export([row(1, "Zoë"), row(2, "Ōtsuka \u4e00")], target, tmp_path / "o.csv")
    export.keep()
    assert (export.rows, export.unparsed) == (1, 1)
    assert (tmp_path / "o.csv").read_bytes() == "Ref;Name\r\nR1;Zoë\r\n".encode("cp1252")
    (side,) = (tmp_path / "o.unparsed.jsonl").read_text("utf-8").splitlines()
    assert "cannot be written in cp1252" in json.loads(side)["not_exported_because"]


def test_rows_with_no_fields_at_all_still_give_a_template(tmp_path: Path) -> None:
    target = q.ExportTarget("csv", ["x"], ["Ref", "When"], ",", "utf-8")
    ragged = q.QuarantinedRow(1, "s", "f.csv", 2, None, None, "row has 3 fields but the header has 2",
                              '["R1", "x", "y"]', None, None, None, 1, "x", 1)  # fmt: skip
    export = q.write_export([ragged], target, tmp_path / "o.csv")
    export.keep()
    assert (export.rows, export.unparsed) == (0, 1)
    assert (tmp_path / "o.csv").read_bytes() == b"Ref,When\r\n"
    assert export.unparsed_reasons == {"never split into fields": 1}
