"""CLI commands: init and status of a store."""

from __future__ import annotations

from rich.table import Table

from joinedup.cli.app import DbOption, Exit, JsonOption, app, db_url, fail, out, print_json
from joinedup.store import make_engine, migrate
from joinedup.store.summary import summarise


@app.command()
def init(db: str | None = DbOption, json: bool = JsonOption) -> None:
    """Create a store, or migrate an existing one to the newest schema."""
    engine = make_engine(db_url(db))
    try:
        revision = migrate(engine)
    except Exception as exc:  # noqa: BLE001 - report any connection/migration failure plainly
        fail(f"cannot create or migrate the store at {db_url(db)}: {exc}")
    info = {"url": engine.url.render_as_string(hide_password=True), "revision": revision}
    if json:
        print_json(info)
    else:
        out.print(f"Store ready at {info['url']} (schema revision {revision}).")


@app.command()
def status(db: str | None = DbOption, json: bool = JsonOption) -> None:
    """Summarise a store: schema revision, records per source, mentions, quarantine."""
    engine = make_engine(db_url(db))
    try:
        info = summarise(engine)
    except Exception as exc:  # noqa: BLE001
        fail(f"cannot read the store at {db_url(db)}: {exc}")
    if json:
        print_json(info)
        return
    if not info["initialised"]:
        fail(f"{info['url']} is not a JoinedUp store yet: run `joinedup init`", Exit.usage)
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
