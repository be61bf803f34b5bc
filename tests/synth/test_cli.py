"""`joinedup synth` writes a city and reports it."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from joinedup.cli import app


def test_synth_command_json(tmp_path: Path) -> None:
    out = tmp_path / "city"
    result = CliRunner().invoke(
        app,
        ["synth", "--out", str(out), "--seed", "5", "--children", "60", "--months", "3", "--json"],
    )
    assert result.exit_code == 0, result.output
    stats = json.loads(result.stdout)
    assert stats["seed"] == 5 and stats["records"] == sum(stats["records_by_file"].values())
    assert (out / "manifest.json").is_file() and (out / "truth" / "persons.csv").is_file()


def test_synth_command_table_and_bad_input(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(
        app,
        [
            "synth",
            "--out",
            str(tmp_path / "c"),
            "--children",
            "40",
            "--months",
            "2",
            "--noise",
            "0",
        ],
    )
    assert ok.exit_code == 0, ok.output
    assert "police_incidents.jsonl" in ok.output
    bad = runner.invoke(app, ["synth", "--out", str(tmp_path / "d"), "--children", "5"])
    assert bad.exit_code == 2
