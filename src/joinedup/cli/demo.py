"""CLI command: `joinedup demo`, a ready synthetic city in a fresh store, served in the
workbench with one demo account per role."""

from __future__ import annotations

import importlib.util
import secrets
import shutil
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from joinedup.cli.app import JsonOption, app, console, out, print_json
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
    json: bool = JsonOption,
) -> None:
    """Generate a synthetic city, ingest, resolve and detect, create one demo account per
    role, then serve the workbench on it (printing the address and the accounts)."""
    from joinedup.synth.city import generate_city  # the pipeline itself never imports synth

    if directory.exists():
        shutil.rmtree(directory)
    city_dir = directory / "city"
    db_path = directory / "joinedup.db"
    url = f"sqlite:///{db_path}"
    report: dict[str, Any] = {"store": str(db_path), "city": str(city_dir)}
    with _stages(json) as bar:
        step = bar.add_task(f"Generating a city (seed {seed}, {children} children)", total=None)
        stats = generate_city(seed=seed, children=children, months=months, out_dir=city_dir)
        bar.update(step, total=1, completed=1)
        engine = make_engine(url)
        migrate(engine)
        files = []
        for pf in plan_paths([city_dir], None):
            task = bar.add_task(f"Ingesting {pf.path.name}", total=pf.path.stat().st_size)

            def tick(done: int, total: int, rows: int, task: TaskID = task) -> None:
                bar.update(task, completed=done, total=total)

            r = ingest_file(engine, pf.path, pf.spec, actor="demo",
                            purpose="demo: synthetic city", progress=tick)  # fmt: skip
            bar.update(task, completed=bar.tasks[task].total or 0)
            files.append({"file": pf.path.name, "spec": pf.spec, **r.counts()})
        stop_workers()  # before the workbench starts: it has no use for them
        report.update(files=files, summary=summarise(engine), city_stats=stats.as_dict())
        report.update(_resolve_and_detect(engine, bar))
    accounts = _accounts(engine)
    if json:
        report["accounts"] = [
            {"username": u, "role": role, "name": name, "unit": unit, "password": password}
            for u, role, name, unit, password in accounts
        ]
        print_json(report)
    else:
        _print_report(report, stats)
        _print_accounts(accounts)
    if no_serve:
        if not json:
            out.print(f"Next: joinedup serve --db {db_path}", soft_wrap=True)
        return
    from joinedup.cli.web import serve_app
    from joinedup.web import WebSettings, create_app

    console.print(f"[bold]Workbench: http://{host}:{port}/[/]  (sign in with an account above; "
                  "Ctrl+C stops it)")  # fmt: skip
    serve_app(create_app(WebSettings(url), engine), host, port)


def _stages(json: bool) -> Progress:
    """One bar a stage on the terminal (standard error); none under --json or a pipe."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=json or not console.is_terminal,
    )


def _print_report(report: dict[str, Any], stats: Any) -> None:
    table = Table("file", "spec", "read", "stored", "duplicates", "quarantined", title="Ingested")
    for f in report["files"]:
        table.add_row(f["file"], f["spec"], *(f"{f[k]:,}" for k in _COUNTS))
    out.print(table)
    info = report["summary"]
    counts = info["counts"]
    out.print(
        f"Store {report['store']}: {counts['record']:,} records, "
        f"{counts['person_mention']:,} person, {counts['vehicle_mention']:,} vehicle, "
        f"{counts['phone_mention']:,} phone and {counts['location_mention']:,} location "
        f"mentions, {counts['event']:,} events; {info['open_quarantine']:,} rows in quarantine."
    )
    out.print(
        f"City: {stats.records:,} records about {stats.persons:,} people; {stats.groups} groups "
        f"and {stats.lone_offenders} lone offenders ({stats.offenders} offenders), "
        f"{stats.victims} victims. Files in {report['city']}; ground truth in "
        f"{Path(report['city']) / 'truth'}."
    )
    out.print(
        "Resolved: " + ", ".join(f"{n:,} {k} entities" for k, n in report["entities"].items())
    )
    if "leads" in report:
        leads = report["leads"]
        out.print("Leads: " + (", ".join(f"{n} {k}" for k, n in leads.items()) or "none"))


_COUNTS = ("read", "stored", "duplicates", "quarantined")


def _resolve_and_detect(engine: Any, bar: Progress) -> dict[str, Any]:
    """Resolution, then detection when joinedup.detect is installed with this build."""
    from joinedup.resolve import resolve_all

    step = bar.add_task("Resolving people, vehicles, phones and places", total=None)
    run = resolve_all(engine, "demo", purpose="demo: synthetic city")
    bar.update(step, total=1, completed=1)
    kinds = ("person", "vehicle", "phone", "location")
    done: dict[str, Any] = {"entities": {k: run.counts[k]["entities"] for k in kinds}}
    if importlib.util.find_spec("joinedup.detect.lifecycle") is None:
        return done
    from joinedup.access.actor import Actor
    from joinedup.access.roles import SETUP_PERMISSIONS, Permission
    from joinedup.detect.lifecycle import run_detection
    from joinedup.pole import UserRole

    # Before any account exists the local account sets the store up (setup mode, audited
    # as such); the demo also lets it run the rules once so the workbench has leads.
    actor = Actor("demo", UserRole.admin, SETUP_PERMISSIONS | {Permission.run_detection},
                  setup_mode=True)  # fmt: skip
    step = bar.add_task("Running the detection rules", total=None)
    summary = run_detection(engine, actor, purpose="demo: synthetic city")
    bar.update(step, total=1, completed=1)
    done["leads"] = {k[:-6]: n for k, n in summary.counts.items() if k.endswith("_flags")}
    return done


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
