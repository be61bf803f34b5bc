"""CLI command: `joinedup demo`, a ready synthetic city in a fresh store, served in the
workbench with one demo account per role."""

from __future__ import annotations

import importlib.util
import secrets
import shutil
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from joinedup.cli.app import app, console, out
from joinedup.ingest.batch import ingest_file, plan_paths
from joinedup.ingest.prepare import stop_workers
from joinedup.store import make_engine, migrate, write_transaction
from joinedup.store.summary import summarise

# Invented people, one per role; the admin comes first (the first account must be one).
DEMO_ACCOUNTS = (
    ("demo.admin", "admin", "Ada Lovelock (demo admin)", None),
    ("demo.analyst", "analyst", "Nia Okafor (demo analyst)", "cse-north"),
    ("demo.supervisor", "supervisor", "Tom Brannigan (demo supervisor)", "cse-north"),
    ("demo.researcher", "researcher", "Ravi Castell (demo researcher)", None),
    ("demo.auditor", "auditor", "Orla Finch (demo auditor)", None),
)


@app.command()
def demo(
    directory: Path = typer.Option(
        Path("demo-city"), "--dir", help="where the city and its store go"
    ),
    seed: int = typer.Option(7, "--seed"),
    children: int = typer.Option(300, "--children"),
    months: int = typer.Option(18, "--months"),
    host: str = typer.Option("127.0.0.1", "--host", help="address the workbench listens on"),
    port: int = typer.Option(8000, "--port", help="port the workbench listens on"),
    no_serve: bool = typer.Option(
        False, "--no-serve", help="build the store and accounts, then stop (tests, CI)"
    ),
) -> None:
    """Generate a synthetic city, ingest, resolve and detect, create one demo account per
    role, then serve the workbench on it (printing the address and the accounts)."""
    from joinedup.synth.city import generate_city  # the pipeline itself never imports synth

    if directory.exists():
        shutil.rmtree(directory)
    city_dir = directory / "city"
    console.print(
        f"Generating a synthetic city (seed {seed}, {children} children, {months} months)..."
    )
    stats = generate_city(seed=seed, children=children, months=months, out_dir=city_dir)
    db_path = directory / "joinedup.db"
    url = f"sqlite:///{db_path}"
    engine = make_engine(url)
    migrate(engine)
    table = Table("file", "spec", "read", "stored", "duplicates", "quarantined", title="Ingested")
    for pf in plan_paths([city_dir], None):
        r = ingest_file(engine, pf.path, pf.spec, actor="demo", purpose="demo: synthetic city")
        table.add_row(pf.path.name, pf.spec, *(f"{v:,}" for v in r.counts().values()))
    stop_workers()  # before the workbench starts: it has no use for them
    out.print(table)
    info = summarise(engine)
    counts = info["counts"]
    out.print(
        f"Store {db_path}: {counts['record']:,} records, {counts['person_mention']:,} person, "
        f"{counts['vehicle_mention']:,} vehicle, {counts['phone_mention']:,} phone and "
        f"{counts['location_mention']:,} location mentions, {counts['event']:,} events; "
        f"{info['open_quarantine']:,} rows in quarantine."
    )
    out.print(
        f"City: {stats.records:,} records about {stats.persons:,} people; {stats.groups} groups "
        f"and {stats.lone_offenders} lone offenders ({stats.offenders} offenders), "
        f"{stats.victims} victims. Files in {city_dir}; ground truth in {city_dir / 'truth'}."
    )
    _resolve_and_detect(engine)
    accounts = _accounts(engine)
    _print_accounts(accounts)
    if no_serve:
        out.print(f"Next: joinedup serve --db {db_path}", soft_wrap=True)
        return
    from joinedup.cli.web import serve_app
    from joinedup.web import WebSettings, create_app

    out.print(f"[bold]Workbench: http://{host}:{port}/[/]  (sign in with an account above; "
              "Ctrl+C stops it)")  # fmt: skip
    serve_app(create_app(WebSettings(url), engine), host, port)


def _resolve_and_detect(engine: Any) -> None:
    """Resolution, then detection when joinedup.detect is installed with this build."""
    from joinedup.resolve import resolve_all

    console.print("Resolving people, vehicles, phones and places...")
    run = resolve_all(engine, "demo", purpose="demo: synthetic city")
    entities = {k: run.counts[k]["entities"] for k in ("person", "vehicle", "phone", "location")}
    out.print("Resolved: " + ", ".join(f"{n:,} {k} entities" for k, n in entities.items()))
    if importlib.util.find_spec("joinedup.detect.lifecycle") is None:
        return
    from joinedup.access.actor import Actor
    from joinedup.access.roles import SETUP_PERMISSIONS, Permission
    from joinedup.detect.lifecycle import run_detection
    from joinedup.pole import UserRole

    # Before any account exists the local account sets the store up (setup mode, audited
    # as such); the demo also lets it run the rules once so the workbench has leads.
    actor = Actor("demo", UserRole.admin, SETUP_PERMISSIONS | {Permission.run_detection},
                  setup_mode=True)  # fmt: skip
    console.print("Running the detection rules...")
    summary = run_detection(engine, actor, purpose="demo: synthetic city")
    raised = {k: v for k, v in summary.counts.items() if k.endswith("_flags")}
    out.print("Leads: " + (", ".join(f"{n} {k[:-6]}" for k, n in raised.items()) or "none"))


def _accounts(engine: Any) -> list[tuple[str, str, str, str | None, str]]:
    from joinedup.access.users import add_user

    made = []
    with write_transaction(engine, lock="audit") as conn:
        for username, role, name, unit in DEMO_ACCOUNTS:
            password = "demo-" + secrets.token_urlsafe(12)
            add_user(conn, username, role, password, name, unit, actor="demo")
            made.append((username, role, name, unit, password))
    return made


def _print_accounts(accounts: list[tuple[str, str, str, str | None, str]]) -> None:
    """Plain lines, never a table: a narrow terminal must not cut a password short."""
    out.print("Demo accounts (invented people; passwords are new each run):", highlight=False)
    for username, role, name, unit, password in accounts:
        where = f", unit {unit}" if unit else ""
        out.print(f"  {role:<10} {username:<16} password {password}   ({name}{where})",
                  highlight=False, soft_wrap=True)  # fmt: skip
