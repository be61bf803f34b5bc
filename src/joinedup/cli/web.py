"""CLI commands: `serve` (the web workbench), and `search` / `profile` over the same
functions the workbench uses."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from joinedup.cli.app import (
    AsOption,
    DbOption,
    Exit,
    JsonOption,
    app,
    authorised,
    console,
    db_url,
    fail,
    out,
    print_json,
    store_engine,
)
from joinedup.pole import AuditCategory
from joinedup.store import write_transaction


def serve_app(app_: Any, host: str, port: int, workers: int = 1) -> None:
    import uvicorn

    if workers > 1:  # uvicorn starts each worker from an import string, not an object
        # Building the search index or the graph holds a worker for seconds; the default
        # 5 s health check would kill it mid-build and drop its connections.
        uvicorn.run("joinedup.web.app:app_from_environment", factory=True, workers=workers,
                    host=host, port=port, log_level="warning", server_header=False,
                    timeout_worker_healthcheck=300)  # fmt: skip
        return
    uvicorn.run(app_, host=host, port=port, log_level="warning", server_header=False)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="address to listen on"),
    port: int = typer.Option(8000, "--port", help="port to listen on"),
    secure_cookies: bool = typer.Option(
        False, "--secure-cookies", help="mark cookies Secure (behind a TLS proxy)"
    ),
    workers: int = typer.Option(
        1, "--workers", min=1, help="worker processes (each holds its own index and graph)"
    ),
    db: str | None = DbOption,
) -> None:
    """Serve the analyst workbench (web pages and REST API) on the store."""
    import os

    from joinedup.web import WebSettings, create_app

    engine = store_engine(db)
    app_ = create_app(WebSettings(db_url(db), secure_cookies=secure_cookies), engine)
    os.environ["JOINEDUP_DB"] = db_url(db)  # what each worker process reads
    os.environ["JOINEDUP_SECURE_COOKIES"] = "1" if secure_cookies else "0"
    console.print(f"JoinedUp workbench on http://{host}:{port}/ (Ctrl+C stops it)")
    serve_app(app_, host, port, workers)


def _unit(engine: Any, name: str) -> str | None:
    from joinedup.access.users import get_user

    with engine.connect() as conn:
        user = get_user(conn, name)
    return user.unit if user else None


@app.command()
def search(
    text: str = typer.Argument(..., help="a name, nickname, plate (AB12*), phone or postcode"),
    limit: int = typer.Option(50, "--limit", help="how many hits at most"),
    as_user: str | None = AsOption,
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Find entities by name, alias, nickname, plate, phone or postcode, with why each hit
    matched (audited as a consultation with $JOINEDUP_PURPOSE)."""
    from joinedup.search import search as find
    from joinedup.search.index import CACHE

    engine = store_engine(db)
    actor = authorised(engine, "read_personal", as_user)
    index = CACHE.get(engine)
    with write_transaction(engine, lock="audit") as conn:
        result = find(conn, index, text, unit=_unit(engine, actor.name), limit=limit)
        detail = {"query": result["query"], "hits": len(result["hits"]), "via": "cli"}
        actor.log(conn, AuditCategory.consultation, "search", "search", None, detail)
    if json:
        print_json(result)
        return
    table = Table("entity", "kind", "shown as", "score", "why", title=f"Hits for {text!r}")
    for h in result["hits"]:
        table.add_row(h["entity"], h["kind"], h["label"] or "", f"{h['score']:.0f}",
                      "; ".join(h["reasons"]))  # fmt: skip
    out.print(table)


@app.command()
def profile(
    entity: str = typer.Argument(..., help="an entity id such as E34"),
    as_user: str | None = AsOption,
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Show an entity: its source records, names and aliases, flags and how it was joined
    (audited as a consultation with $JOINEDUP_PURPOSE)."""
    from joinedup.search import NotFound, entity_profile

    eid = entity.strip().upper().removeprefix("E")
    if not eid.isdigit():
        fail(f"{entity!r} is not an entity id such as E34")
    engine = store_engine(db)
    actor = authorised(engine, "read_personal", as_user)
    try:
        with write_transaction(engine, lock="audit") as conn:
            report = entity_profile(conn, int(eid), unit=_unit(engine, actor.name))
            actor.log(conn, AuditCategory.consultation, "profile", "entity", eid,
                      {"records": len(report["records"]), "via": "cli"})  # fmt: skip
    except NotFound as exc:
        fail(str(exc), Exit.not_found)
    if json:
        print_json(report)
        return
    out.print(f"[bold]{report['entity']}[/] {report['kind']} {report['label'] or ''}")
    for key, values in report["names"].items():
        out.print(f"{key.replace('_', ' ')}: {', '.join(values) or '-'}")
    table = Table("date", "agency", "reference", "event", "grading", "role", title="Records")
    for r in report["records"]:
        table.add_row((r["date"] or "")[:16], r["agency"], r["source_ref"] or "",
                      r["event_type"] or "", r["grading"] or "", r["role"])  # fmt: skip
    out.print(table)
    for f in report["flags"]:
        out.print(f"flag {f['kind']} {f['rule']} ({f['status']}): {f['reason']}")


@app.command()
def restrict(
    record: int = typer.Argument(..., help="the record's id (as a profile shows it, #123)"),
    unit: str = typer.Option(..., "--unit", help="the only unit whose users may see it"),
    reason: str = typer.Option(..., "--reason", help="why (kept and audited)"),
    as_user: str | None = AsOption,
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Restrict a record to one unit: every other user's search, profile, timeline, chart
    and flag view leaves it out (audited as an alteration; needs restrict_records: supervisors
    and admins)."""
    from joinedup.search import NotFound, restrict_record

    engine = store_engine(db)
    actor = authorised(engine, "restrict_records", as_user)
    try:
        with write_transaction(engine, lock="audit") as conn:
            row = restrict_record(conn, record, unit, reason, actor=actor.actor)
    except NotFound as exc:
        fail(str(exc), Exit.not_found)
    except ValueError as exc:
        fail(str(exc))
    if json:
        print_json(row)
    else:
        out.print(f"Record {record} is now visible only to unit {row['unit']}.")
