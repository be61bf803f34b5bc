"""CLI commands: `joinedup user ...` (accounts) and `joinedup audit ...` (the s.62 log).

Every command names its actor (--as, $JOINEDUP_USER, the OS account), is authorised
against the actor's role, and is audited; a refusal is audited too and exits 3. A
consultation (user list, audit list, audit verify) records why with $JOINEDUP_PURPOSE,
as every other CLI consultation does (cli.app.authorised).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Column, Table
from sqlalchemy import Connection, Engine, func, inspect, select

from joinedup.access import audit, chain
from joinedup.access.actor import Actor, actor_name, authorise, load_actor, record_refusal
from joinedup.access.clock import utcnow
from joinedup.access.model import AccessError, UnknownUser
from joinedup.access.roles import NotAuthorised, Permission, require
from joinedup.access.users import (
    add_user,
    disable_user,
    enable_user,
    list_users,
    normalise_username,
    set_password,
    set_role,
)
from joinedup.cli.app import (
    AsOption,
    DbOption,
    Exit,
    JsonOption,
    app,
    cli_purpose,
    console,
    existing_store_url,
    fail,
    out,
    print_json,
)
from joinedup.pole import AuditCategory, UserRole
from joinedup.store import make_engine, tables, write_transaction

user_app = typer.Typer(help="Manage user accounts (needs manage_users).", no_args_is_help=True)
audit_app = typer.Typer(help="Read and verify the s.62 audit log.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")

PasswordStdinOption = typer.Option(
    False, "--password-stdin", help="Read the password from one line of standard input."
)
ACCESS_TABLES = ("app_user", "user_session", "audit_event")
AUDIT_LOCK = "audit"  # write_transaction's lock name; record() takes the same key


@contextmanager
def open_store(db: str | None) -> Iterator[Engine]:
    """An engine on an initialised store; fails with a hint to run `joinedup init` otherwise.

    A SQLite file that does not exist is refused before it is opened, so no empty file
    is left behind.
    """
    engine = make_engine(existing_store_url(db))
    shown = engine.url.render_as_string(hide_password=True)
    try:
        try:
            names = set(inspect(engine).get_table_names())
        except Exception as exc:  # noqa: BLE001 - any connection failure, said plainly
            fail(f"cannot open the store at {shown}: {exc}")
        missing = [name for name in ACCESS_TABLES if name not in names]
        if missing:
            fail(
                f"{shown} is not an initialised JoinedUp store (no {', '.join(missing)} table): "
                f"run `joinedup init --db {shown}` first",
                Exit.usage,
            )
        yield engine
    finally:
        engine.dispose()


@contextmanager
def acting(
    engine: Engine, as_user: str | None, permission: Permission | None, *, write: bool = True
) -> Iterator[tuple[Connection, Actor]]:
    """A transaction whose actor holds `permission` (None: any active user).

    A refusal rolls the transaction back, is audited on its own and exits 3; other access
    errors exit 4 (unknown user) or 2. `write=False` opens a plain read transaction.
    """
    name = actor_name(as_user)
    try:
        transaction = write_transaction(engine, lock=AUDIT_LOCK) if write else _reading(engine)
        with transaction as conn:
            if permission is None:
                actor = load_actor(conn, name)
            else:
                actor = authorise(conn, name, permission)
            yield conn, actor
    except NotAuthorised as refusal:
        with write_transaction(engine, lock=AUDIT_LOCK) as conn:
            record_refusal(conn, name, refusal)
        fail(str(refusal), Exit.refused)
    except UnknownUser as exc:
        fail(str(exc), Exit.not_found)
    except AccessError as exc:
        fail(str(exc), Exit.usage)


@contextmanager
def _reading(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn, conn.begin():
        yield conn


def log_consultation(
    engine: Engine,
    actor: Actor,
    action: str,
    object_type: str,
    *,
    purpose: str | None,
    **detail: Any,
) -> None:
    """Audit a read, with its purpose (s.62: the justification), in its own short write
    transaction, before anything is shown. `purpose` has no default: every caller says it."""
    with write_transaction(engine, lock=AUDIT_LOCK) as conn:
        audit.record(
            conn,
            actor=actor,
            category=AuditCategory.consultation,
            action=action,
            object_type=object_type,
            purpose=purpose,
            detail=detail,
        )


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            fail("--password-stdin: no password on standard input")
        return line.rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@user_app.command("add")
def user_add(
    username: str = typer.Argument(..., help="Login name (case-insensitive)."),
    role: UserRole = typer.Option(..., "--role", help="What the user may do: see docs/access.md."),
    display_name: str | None = typer.Option(None, "--display-name", help="Full name."),
    unit: str | None = typer.Option(None, "--unit", help="Team or unit, e.g. 'CSE hub'."),
    password_stdin: bool = PasswordStdinOption,
    as_user: str | None = AsOption,
    db: str | None = DbOption,
) -> None:
    """Add a user. The first user of a store must be an admin; it ends setup mode."""
    password = read_password(password_stdin)
    with (
        open_store(db) as engine,
        acting(engine, as_user, Permission.manage_users) as (conn, actor),
    ):
        user = add_user(conn, username, role, password, display_name, unit, actor=actor)
    out.print(f"Added {user.username} ({user.role}).")
    if actor.setup_mode:
        out.print(
            "Setup mode is over: from now on act as a user, e.g. "
            f"`--as {user.username}` or JOINEDUP_USER={user.username}."
        )


@user_app.command("list")
def user_list(
    as_user: str | None = AsOption, db: str | None = DbOption, json: bool = JsonOption
) -> None:
    """List every account with its role and state."""
    with open_store(db) as engine:
        with acting(engine, as_user, Permission.manage_users, write=False) as (conn, actor):
            users = list_users(conn)
        log_consultation(
            engine,
            actor,
            "users_listed",
            "app_user",
            purpose=cli_purpose(),
            rows=len(users),
        )
    if json:
        print_json([u.as_dict() for u in users])
        return
    table = Table("username", "role", "display name", "unit", "state", "created")
    for u in users:
        state = "active" if u.active else "disabled"
        if u.locked_until and u.locked_until > utcnow():
            state += f", locked until {u.locked_until:%Y-%m-%d %H:%M} UTC"
        table.add_row(
            u.username,
            str(u.role),
            u.display_name or "",
            u.unit or "",
            state,
            f"{u.created_at:%Y-%m-%d}",
        )
    out.print(table)


@user_app.command("disable")
def user_disable(
    username: str,
    reason: str | None = typer.Option(None, "--reason", help="Why (kept in the audit)."),
    as_user: str | None = AsOption,
    db: str | None = DbOption,
) -> None:
    """Disable an account and end its sessions (the account stays, for the audit)."""
    with (
        open_store(db) as engine,
        acting(engine, as_user, Permission.manage_users) as (conn, actor),
    ):
        user = disable_user(conn, username, actor=actor, reason=reason)
    out.print(f"Disabled {user.username}.")


@user_app.command("enable")
def user_enable(username: str, as_user: str | None = AsOption, db: str | None = DbOption) -> None:
    """Re-enable an account and lift any lockout."""
    with (
        open_store(db) as engine,
        acting(engine, as_user, Permission.manage_users) as (conn, actor),
    ):
        user = enable_user(conn, username, actor=actor)
    out.print(f"Enabled {user.username}.")


@user_app.command("passwd")
def user_passwd(
    username: str,
    password_stdin: bool = PasswordStdinOption,
    as_user: str | None = AsOption,
    db: str | None = DbOption,
) -> None:
    """Set a password: your own, or anyone's with manage_users. Ends the user's sessions."""
    password = read_password(password_stdin)
    with open_store(db) as engine, acting(engine, as_user, None) as (conn, actor):
        if actor.name != normalise_username(username):
            require(Permission.manage_users, actor)
        user = set_password(conn, username, password, actor=actor)
    out.print(f"Password set for {user.username}.")


@user_app.command("role")
def user_role(
    username: str,
    role: UserRole = typer.Argument(..., help="The new role."),
    as_user: str | None = AsOption,
    db: str | None = DbOption,
) -> None:
    """Give a user another role."""
    with (
        open_store(db) as engine,
        acting(engine, as_user, Permission.manage_users) as (conn, actor),
    ):
        user = set_role(conn, username, role, actor=actor)
    out.print(f"{user.username} is now {user.role}.")


def _when(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        fail(f"{option} {value!r} is not a date or time; use e.g. 2025-03-01 or 2025-03-01T09:30")
    return None


@audit_app.command("list")
def audit_list(
    since: str | None = typer.Option(None, "--since", help="From this UTC date/time (inclusive)."),
    until: str | None = typer.Option(None, "--until", help="Before this UTC date/time."),
    actor_filter: str | None = typer.Option(None, "--actor", help="Only this actor."),
    category: AuditCategory | None = typer.Option(
        None, "--category", help="Only this s.62 category."
    ),
    limit: int = typer.Option(50, "--limit", min=0, help="The newest N rows (0: all)."),
    as_user: str | None = AsOption,
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Show the newest audit rows, oldest first. Listing is itself audited (consultation)."""
    filters = {"since": _when(since, "--since"), "until": _when(until, "--until")}
    filters |= {"actor": actor_filter.lower() if actor_filter else None, "category": category}
    with open_store(db) as engine:
        with acting(engine, as_user, Permission.read_audit, write=False) as (conn, actor):
            events = audit.list_events(conn, **filters, limit=limit or None)
        shown = {k: v for k, v in filters.items() if v is not None}
        seqs = {"first_seq": events[0].seq, "last_seq": events[-1].seq} if events else {}
        log_consultation(
            engine,
            actor,
            "audit_listed",
            "audit_event",
            purpose=cli_purpose(),
            filters=shown,
            rows=len(events),
            **seqs,
        )
    if json:
        print_json([e.as_dict() for e in events])
        return
    headers = ["seq", "at (UTC)", "actor", "category", "action", "object", "purpose / to", "detail"]
    table = Table(*(Column(h, overflow="fold") for h in headers))
    for e in events:
        obj = f"{e.object_type or ''}:{e.object_id or ''}".strip(":")
        why = " / ".join(filter(None, [e.purpose, e.recipient and f"to {e.recipient}"]))
        detail = chain.canonical_json(e.detail) if e.detail else ""
        row = [str(e.seq), f"{e.at:%Y-%m-%d %H:%M:%S}", e.actor, str(e.category), e.action]
        table.add_row(*row, obj, why, detail)
    out.print(table)


@audit_app.command("verify")
def audit_verify(
    expect_head: str | None = typer.Option(
        None, "--expect-head", help="SEQ:HASH noted earlier; fails if the log no longer holds it."
    ),
    as_user: str | None = AsOption,
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Check the hash chain. Exit 0 when intact, 1 when broken (with the first bad seq)."""
    anchor = _anchor(expect_head) if expect_head else None
    with open_store(db) as engine:
        with (
            acting(engine, as_user, Permission.verify_audit, write=False) as (conn, actor),
            Progress(
                TextColumn("[bold]Verifying the audit log"), BarColumn(), MofNCompleteColumn(),
                TimeRemainingColumn(), console=console, disable=json or not console.is_terminal,
            ) as bar,
        ):  # fmt: skip
            rows = conn.execute(select(func.count()).select_from(tables.audit_event)).scalar_one()
            task = bar.add_task("verify", total=rows)
            result = chain.verify(
                conn, expect_head=anchor, progress=lambda n: bar.update(task, completed=n)
            )
        summary = {
            "ok": result.ok,
            "rows": result.rows_checked,
            "first_bad_seq": result.first_bad_seq,
            "problem": result.problem,
        }
        log_consultation(
            engine,
            actor,
            "audit_verified",
            "audit_event",
            purpose=cli_purpose(),
            **summary,
        )
    if json:
        print_json(result.as_dict())
    elif result.ok:
        out.print(f"Audit log intact: {result.rows_checked:,} rows.")
        anchor = f"{result.head_seq}:{result.head_hash}"
        out.print(f"Head: {anchor}  (keep it; check later with --expect-head {anchor})",
                  highlight=False, soft_wrap=True)  # fmt: skip
    else:
        where = f"at seq {result.first_bad_seq} ({result.problem})"
        out.print(f"[bold red]Audit log broken[/] {where}: {result.message}", highlight=False)
        out.print(f"{result.rows_checked:,} rows verified before it.")
    if not result.ok:
        raise typer.Exit(int(Exit.problems))


def _anchor(value: str) -> tuple[int, str]:
    seq, _, digest = value.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        fail(f"--expect-head {value!r}: give SEQ:HASH as printed by `joinedup audit verify`")
    return int(seq), digest.lower()
