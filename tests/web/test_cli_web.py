"""The CLI over the same functions as the workbench: search, profile, restrict."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from joinedup.cli import app


def run(seeded, *args: str, user: str = "ann.analyst"):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(
        app, [*args, "--db", seeded.url, "--as", user], env={"JOINEDUP_PURPOSE": "Op CLI-1"}
    )


def test_search_and_profile_on_the_command_line(seeded) -> None:
    found = run(seeded, "search", seeded.known_name, "--json")
    assert found.exit_code == 0, found.output
    hits = json.loads(found.output)["hits"]
    assert hits[0]["label"] == seeded.known_name and hits[0]["reasons"]
    shown = run(seeded, "profile", f"E{seeded.known_entity}", "--json")
    assert shown.exit_code == 0 and json.loads(shown.output)["records"]
    assert run(seeded, "profile", "E999999").exit_code == 4
    assert run(seeded, "search", "x", user="rex.researcher").exit_code == 3


def test_restricted_records_are_left_out_on_the_command_line_too(seeded) -> None:
    hidden = run(seeded, "profile", f"E{seeded.restricted_entity}", "--json")
    assert hidden.exit_code == 4  # ann.analyst is in cse-north; the record is cse-south's
    seen = run(seeded, "profile", f"E{seeded.restricted_entity}", "--json", user="oscar.other")
    assert seen.exit_code == 0
    refused = run(seeded, "restrict", "1", "--unit", "cse-north", "--reason", "x")
    assert refused.exit_code == 3  # analysts may not restrict records; supervisors may


def test_worker_processes_build_their_app_from_the_environment(seeded, monkeypatch) -> None:
    from fastapi.testclient import TestClient

    from joinedup.web.app import app_from_environment

    monkeypatch.setenv("JOINEDUP_DB", seeded.url)
    monkeypatch.setenv("JOINEDUP_SECURE_COOKIES", "1")
    app = app_from_environment()
    assert app.state.settings.secure_cookies is True
    response = TestClient(app).get("/signin")
    assert response.status_code == 200 and "strict-transport-security" in response.headers
