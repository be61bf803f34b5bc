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
    # Never wrapped: a path or a command in the message must stay whole to be copied.
    console.print(f"[bold red]error:[/] {message}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(int(code))


AsOption = typer.Option(
    None, "--as", help="Act as this user (default: $JOINEDUP_USER, else the OS account)."
)


def existing_store_url(db: str | None) -> str:
    """`db_url(db)`, refusing (exit 2) a SQLite file that does not exist: opening it would
    leave an empty file behind, for a command that only meant to use a store."""
    from joinedup.store.summary import missing_sqlite_file

    url = db_url(db)
    missing = missing_sqlite_file(url)
    if missing is not None:
        fail(f"no store at {missing}: run `joinedup init --db {missing}` first")
    return url


def cli_purpose() -> str | None:
    """Why the CLI user acts: $JOINEDUP_PURPOSE, the reason or case reference every CLI
    consultation and disclosure writes to the audit log (README, Settings)."""
    return os.environ.get("JOINEDUP_PURPOSE") or None


def store_engine(db: str | None):  # type: ignore[no-untyped-def]
    """The engine of an initialised store, or a clear message to run `joinedup init`."""
    from sqlalchemy import inspect

    from joinedup.store import make_engine

    engine = make_engine(existing_store_url(db))
    shown = engine.url.render_as_string(hide_password=True)
    try:
        names = set(inspect(engine).get_table_names())
    except Exception as exc:  # noqa: BLE001 - connection failures are reported plainly
        fail(f"cannot open the store at {shown}: {exc}")
    if not {"record", "app_user", "audit_event"} <= names:
        fail(f"{shown} is not a JoinedUp store yet: run `joinedup init --db {shown}` first")
    return engine


class CliActor:
    """The authorised person running this command, and their audit trail."""

    def __init__(self, actor: Any, purpose: str | None = None):
        self.actor = actor  # joinedup.access.actor.Actor
        self.name: str = actor.name
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
            actor=self.actor,
            category=category,
            action=action,
            object_type=object_type,
            object_id=object_id,
            purpose=self.purpose,
            recipient=recipient,
            detail=detail,
        )


def authorised(engine: Any, permission: str, as_user: str | None = None) -> CliActor:
    """Check the CLI user holds `permission`; a refusal is audited and exits with code 3."""
    from joinedup.access.actor import actor_name, authorise, record_refusal
    from joinedup.access.model import AccessError
    from joinedup.access.roles import NotAuthorised, Permission
    from joinedup.store import write_transaction

    name = actor_name(as_user)
    try:
        with engine.connect() as conn:
            actor = authorise(conn, name, Permission(permission))
    except NotAuthorised as refusal:
        with write_transaction(engine, lock="audit") as conn:
            record_refusal(conn, name, refusal)
        fail(str(refusal), Exit.refused)
    except AccessError as exc:
        fail(str(exc), Exit.usage)
    return CliActor(actor, cli_purpose())
