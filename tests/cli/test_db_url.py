"""Which store a command opens: --db, then $JOINEDUP_DB, then ./joinedup.db; a bare path is
a SQLite file. And a command that only reads a store never creates one."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from joinedup.cli import app
from joinedup.cli.app import db_url
from joinedup.store import current_revision, make_engine
from joinedup.store.schema import head_revision

runner = CliRunner()
ENV_URL = "postgresql://nobody@127.0.0.1:5432/env_store"


def test_db_option_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOINEDUP_DB", ENV_URL)
    assert db_url("sqlite:///option.db") == "sqlite:///option.db"
    assert db_url("option.db") == "sqlite:///option.db"


def test_the_environment_wins_over_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOINEDUP_DB", ENV_URL)
    assert db_url(None) == ENV_URL
    monkeypatch.setenv("JOINEDUP_DB", "stores/northvale.db")
    assert db_url(None) == "sqlite:///stores/northvale.db"


def test_the_default_is_joinedup_db_in_the_current_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("JOINEDUP_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    url = db_url(None)
    assert url == "sqlite:///joinedup.db"
    assert (Path.cwd() / str(make_url(url).database)).resolve() == tmp_path / "joinedup.db"
    monkeypatch.setenv("JOINEDUP_DB", "")  # set but empty: as if unset
    assert db_url(None) == "sqlite:///joinedup.db"
    assert db_url("") == "sqlite:///joinedup.db"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("city.db", "sqlite:///city.db"),
        ("stores/city.db", "sqlite:///stores/city.db"),
        ("/srv/joinedup/city.db", "sqlite:////srv/joinedup/city.db"),
        ("sqlite:////srv/joinedup/city.db", "sqlite:////srv/joinedup/city.db"),
        ("postgresql://app@db.example/joinedup", "postgresql://app@db.example/joinedup"),
    ],
)
def test_a_bare_path_means_a_sqlite_file_and_a_url_is_kept(given: str, expected: str) -> None:
    assert db_url(given) == expected
    if "://" not in given:
        parsed = make_url(db_url(given))
        assert parsed.get_backend_name() == "sqlite" and parsed.database == given


def test_init_with_neither_creates_joinedup_db_in_the_cwd(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("JOINEDUP_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    store = tmp_path / "joinedup.db"
    assert store.is_file()
    engine = make_engine(f"sqlite:///{store}")
    try:
        assert current_revision(engine) == head_revision(engine)
    finally:
        engine.dispose()
    shown = runner.invoke(app, ["status", "--json"])
    assert shown.exit_code == 0, shown.output


@pytest.mark.parametrize(
    "args",
    [
        ["status"], ["status", "--json"], ["user", "list"], ["audit", "list"], ["audit", "verify"],
        ["quarantine", "list"], ["leads"], ["search", "Hollins"], ["ingest", "x.csv"],
        ["erase", "batch", "1", "--reason", "r", "--yes"],
    ],
)  # fmt: skip
def test_reading_a_store_that_is_not_there_creates_no_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, args: list[str]
) -> None:
    monkeypatch.delenv("JOINEDUP_DB", raising=False)
    monkeypatch.delenv("JOINEDUP_USER", raising=False)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "no store at joinedup.db" in " ".join(result.output.split())
    assert "joinedup init" in result.output
    assert list(tmp_path.iterdir()) == []  # no joinedup.db, no -wal or -shm either
    (tmp_path / "other").mkdir()
    elsewhere = tmp_path / "other" / "city.db"
    result = runner.invoke(app, [*args, "--db", str(elsewhere)])
    assert result.exit_code == 2, result.output
    assert "no store at" in result.output and not elsewhere.exists()
