"""CLI commands: init and status of a store, and the list of its ingest batches."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from joinedup.cli.app import (
    DbOption,
    Exit,
    JsonOption,
    app,
    db_url,
    fail,
    out,
    print_json,
    store_engine,
)
from joinedup.store import make_engine, migrate
from joinedup.store.summary import missing_sqlite_file, summarise


def _fail(message: str, json: bool, code: Exit = Exit.usage) -> None:
    """`fail`, and with --json an {"error": ...} object on stdout first: the same exit code."""
    if json:
        print_json({"error": message})
    fail(message, code)


@app.command()
def init(db: str | None = DbOption, json: bool = JsonOption) -> None:
    """Create a store, or migrate an existing one to the newest schema."""
    engine = make_engine(db_url(db))
    shown = engine.url.render_as_string(hide_password=True)
    try:
        revision = migrate(engine)
    except Exception as exc:  # noqa: BLE001 - report any connection/migration failure plainly
        _fail(f"cannot create or migrate the store at {shown}: {exc}", json)
    finally:
        engine.dispose()
    info = {"url": shown, "revision": revision}
    if json:
        print_json(info)
    else:
        out.print(f"Store ready at {info['url']} (schema revision {revision}).")


@app.command()
def status(db: str | None = DbOption, json: bool = JsonOption) -> None:
    """Summarise a store: schema revision, records per source, mentions, quarantine."""
    url = db_url(db)
    missing = missing_sqlite_file(url)
    if missing is not None:  # opening it would leave an empty file behind
        _fail(f"no store at {missing}: run `joinedup init --db {missing}` to create one", json)
    engine = make_engine(url)
    try:
        info = summarise(engine)
    except Exception as exc:  # noqa: BLE001
        shown = engine.url.render_as_string(hide_password=True)
        _fail(f"cannot read the store at {shown}: {exc}", json)
    finally:
        engine.dispose()
    if not info["initialised"]:
        _fail(f"{info['url']} is not a JoinedUp store yet: run `joinedup init`", json)
    if json:
        print_json(info)
        return
    out.print(f"[bold]{info['url']}[/] ({info['backend']}, schema {info['revision']})")
    if info["revision"] != info["head"]:
        out.print(f"[yellow]schema {info['head']} is available: run `joinedup init` to migrate[/]")
    counts = Table("what", "count", title="Contents")
    for name, n in info["counts"].items():
        counts.add_row(name, f"{n:,}")
    out.print(counts)
    if info["sources"]:
        sources = Table("source", "agency", "records", "first received", "last received")
        for s in info["sources"]:
            sources.add_row(
                s["code"],
                s["agency"],
                f"{s['records']:,}",
                str(s["first_received"] or ""),
                str(s["last_received"] or ""),
            )
        out.print(sources)
    out.print(f"Rows waiting in quarantine: {info['open_quarantine']:,}")


@app.command()
def batches(
    source: str | None = typer.Option(None, "--source", help="only this source's batches"),
    limit: int = typer.Option(50, "--limit", help="the newest N (0: all)"),
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """List ingest batches, newest first: file, source, counts, who ingested it and when,
    and whether it was erased (metadata only: no record is shown)."""
    from sqlalchemy import select

    from joinedup.store import tables as t

    engine = store_engine(db)
    b = t.ingest_batch
    query = (
        select(
            b.c.id, t.source.c.code.label("source"), b.c.file_name, b.c.started_at,
            b.c.finished_at, b.c.rows_read, b.c.rows_stored, b.c.rows_duplicate,
            b.c.rows_quarantined, b.c.ingested_by, b.c.erased_at, b.c.erased_by,
            b.c.erasure_reason,
        )
        .join(t.source, t.source.c.id == b.c.source_id)
        .order_by(b.c.id.desc())
    )  # fmt: skip
    if source:
        query = query.where(t.source.c.code == source)
    if limit:
        query = query.limit(limit)
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    engine.dispose()
    if json:
        print_json({"batches": rows})
        return
    table = Table("batch", "source", "file", "ingested", "read = stored + dup. + quar.",
                  "erased", title="Ingest batches (newest first)")  # fmt: skip
    for r in rows:
        counts = " + ".join(f"{r[k]:,}" for k in ("rows_stored", "rows_duplicate",
                                                   "rows_quarantined"))  # fmt: skip
        table.add_row(
            str(r["id"]), r["source"], Path(r["file_name"]).name,
            f"{r['started_at']:%Y-%m-%d}", f"{r['rows_read']:,} = {counts}",
            f"{r['erased_at']:%Y-%m-%d}" if r["erased_at"] else "",
        )  # fmt: skip
    out.print(table)
