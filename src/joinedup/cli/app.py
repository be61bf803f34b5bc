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


def store_engine(db: str | None):  # type: ignore[no-untyped-def]
    """The engine of an initialised store, or a clear message to run `joinedup init`."""
    from joinedup.store import make_engine
    from joinedup.store.summary import is_initialised

    url = db_url(db)
    engine = make_engine(url)
    try:
        ready = is_initialised(engine)
    except Exception as exc:  # noqa: BLE001 - connection failures are reported plainly
        fail(f"cannot open the store at {url}: {exc}")
    if not ready:
        fail(f"{url} is not a JoinedUp store yet: run `joinedup init` first")
    return engine


class CliActor:
    """The authorised person running this command, and their audit trail."""

    def __init__(self, name: str, purpose: str | None = None):
        self.name = name
        self.purpose = purpose

    def log(
        self,
        conn: Any,
        category: Any,
        action: str,
        object_type: str | None,
        object_id: str | None,
        detail: dict[str, Any] | None,
        *,
        recipient: str | None = None,
    ) -> None:
        from joinedup.access import audit

        audit.record(
            conn,
            actor=self.name,
            category=category,
            action=action,
            object_type=object_type,
            object_id=object_id,
            purpose=self.purpose,
            recipient=recipient,
            detail=detail,
        )


def authorised(engine: Any, permission: str) -> CliActor:
    """Check the CLI user holds `permission`; exit with code 3 and a reason if not."""
    from joinedup.access.actor import authorise
    from joinedup.access.roles import NotAuthorised, Permission

    name = current_user()
    try:
        with engine.connect() as conn:
            authorise(conn, name, Permission(permission))
    except NotAuthorised as exc:
        fail(str(exc), Exit.refused)
    return CliActor(name, os.environ.get("JOINEDUP_PURPOSE"))
