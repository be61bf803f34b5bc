"""The root Typer app and the options every command shares."""

from __future__ import annotations

import json
import os
import sys
from enum import IntEnum
from typing import Any

import typer
from rich.console import Console

app = typer.Typer(
    name="joinedup",
    help="Join agency fragments into one POLE graph; surface leads; keep the numbers honest.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)
out = Console()

DEFAULT_DB = "sqlite:///joinedup.db"


class Exit(IntEnum):
    """Exit codes: 0 success, 1 the work ran but found problems, 2 bad usage or input."""

    ok = 0
    problems = 1
    usage = 2
    refused = 3  # not authorised
    not_found = 4


def db_url(db: str | None) -> str:
    """`--db` wins, then JOINEDUP_DB, then ./joinedup.db. A bare path means a SQLite file."""
    url = db or os.environ.get("JOINEDUP_DB") or DEFAULT_DB
    if "://" not in url:
        url = f"sqlite:///{url}"
    return url


DbOption = typer.Option(
    None, "--db", help="SQLAlchemy URL or SQLite path (default: $JOINEDUP_DB or ./joinedup.db)"
)
JsonOption = typer.Option(False, "--json", help="Print machine-readable JSON on stdout.")


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str, sort_keys=False) + "\n")


def fail(message: str, code: Exit = Exit.usage) -> None:
    console.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    raise typer.Exit(int(code))


def current_user() -> str:
    """Who is running the CLI: $JOINEDUP_USER, else the operating-system account."""
    return os.environ.get("JOINEDUP_USER") or os.environ.get("USER") or "system"
