"""CLI commands: ingest agency files, and work through the quarantine."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from joinedup.cli.app import (
    AsOption,
    DbOption,
    Exit,
    JsonOption,
    app,
    authorised,
    console,
    fail,
    out,
    print_json,
    store_engine,
)
from joinedup.feeds import SpecError, get_spec
from joinedup.ingest import quarantine as q
from joinedup.ingest.batch import BatchResult, ingest_file, plan_paths
from joinedup.ingest.prepare import stop_workers
from joinedup.ingest.readers import FileRefused, open_rows
from joinedup.pole import AuditCategory
from joinedup.store import wait_for_checkpoints, write_transaction


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="files, or folders holding a manifest.json"),
    spec: str | None = typer.Option(None, "--spec", help="built-in spec name or spec YAML file"),
    purpose: str | None = typer.Option(None, "--purpose", help="why this data is collected"),
    as_user: str | None = AsOption,
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Ingest agency extracts. Every row is stored, a duplicate, or quarantined with a reason."""
    engine = store_engine(db)
    actor = authorised(engine, "ingest", as_user)
    try:
        planned = plan_paths(paths, spec)
        for pf in planned:  # refuse unreadable files before writing anything
            open_rows(pf.path, get_spec(pf.spec)).close()
    except (FileRefused, SpecError) as exc:
        fail(str(exc), Exit.usage)
    results: list[BatchResult] = []
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[rows]:,} rows"),
        TimeRemainingColumn(),
        console=console,
        disable=json or not console.is_terminal,
    ) as bar:
        for index, pf in enumerate(planned):
            task = bar.add_task(pf.path.name, total=pf.path.stat().st_size, rows=0)
            after = planned[index + 1] if index + 1 < len(planned) else None

            def tick(done: int, total: int, rows: int, task: int = task) -> None:
                bar.update(task, completed=done, total=total, rows=rows)

            try:
                results.append(
                    ingest_file(
                        engine,
                        pf.path,
                        pf.spec,
                        actor=actor.actor,
                        purpose=purpose or actor.purpose,
                        progress=tick,
                        defer_checkpoint=True,  # waited for below
                        then=(after.path, after.spec) if after else None,
                    )
                )
            except FileRefused as exc:
                fail(str(exc), Exit.usage)
    stop_workers()  # the pool served every file; nothing is left for it
    wait_for_checkpoints()  # the last batch's pages reach the database file (SQLite)
    total = {
        k: sum(r.counts()[k] for r in results)
        for k in ("read", "stored", "duplicates", "quarantined")
    }
    if json:
        print_json(
            {
                "files": [
                    {
                        "file": r.file,
                        "spec": r.spec,
                        "batch": r.batch_id,
                        **r.counts(),
                        "superseding": r.superseding,
                        "quarantine_fixed": r.quarantine_fixed,
                    }
                    for r in results
                ],
                "total": total,
            }
        )
    else:
        table = Table(
            "file", "spec", "read", "stored", "duplicates", "quarantined", title="Ingested"
        )
        for r in results:
            table.add_row(Path(r.file).name, r.spec, *(f"{v:,}" for v in r.counts().values()))
        table.add_row("[bold]total", "", *(f"{v:,}" for v in total.values()))
        out.print(table)
        if total["quarantined"]:
            out.print(
                "Quarantined rows: `joinedup quarantine list` shows them with file, row and reason."
            )


quarantine_app = typer.Typer(
    help="Rows that could not be stored, with file, row and reason.", no_args_is_help=True
)
app.add_typer(quarantine_app, name="quarantine")


@quarantine_app.command("list")
def quarantine_list(
    source: str | None = typer.Option(None, "--source", help="only this source code"),
    all_rows: bool = typer.Option(False, "--all", help="include rows already fixed"),
    limit: int = typer.Option(200, "--limit"),
    as_user: str | None = AsOption,
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """List quarantined rows: file, row number, field and reason (no personal data shown)."""
    engine = store_engine(db)
    actor = authorised(engine, "ingest", as_user)
    with write_transaction(engine, lock="audit") as conn:
        rows = q.list_rows(conn, source=source, include_resolved=all_rows, limit=limit)
        actor.log(
            conn,
            AuditCategory.consultation,
            "quarantine_list",
            "quarantine",
            None,
            {"rows": len(rows)},
        )
    if json:
        print_json([{k: v for k, v in vars(r).items() if k != "raw"} for r in rows])
        return
    table = Table("id", "source", "file", "row", "field", "reason", "fixed")
    for r in rows:
        table.add_row(
            str(r.id),
            r.source,
            Path(r.file_name).name,
            str(r.row_number),
            r.field or "",
            r.reason,
            "yes" if r.resolved_at else "",
        )
    out.print(table)


@quarantine_app.command("show")
def quarantine_show(
    row_id: int, as_user: str | None = AsOption, db: str | None = DbOption, json: bool = JsonOption
) -> None:
    """Show one quarantined row with its raw fields (personal data: audited)."""
    engine = store_engine(db)
    actor = authorised(engine, "read_personal", as_user)
    with write_transaction(engine, lock="audit") as conn:
        row = q.get_row(conn, row_id)
        if row is None:
            fail(f"no quarantined row {row_id}", Exit.not_found)
        actor.log(
            conn, AuditCategory.consultation, "quarantine_show", "quarantine", str(row_id), None
        )
    data = {**vars(row), "fields": row.fields()}
    if json:
        print_json(data)
        return
    out.print(f"[bold]Quarantined row {row.id}[/] from {row.file_name}, row {row.row_number}")
    out.print(
        f"Reason: {row.reason}" + (f" (field {row.field})" if row.field else ""),
        highlight=False,
        markup=False,
    )
    for key, value in (row.fields() or {"raw": row.raw}).items():
        out.print(f"  {key}: {value}", highlight=False, markup=False)


@quarantine_app.command("export")
def quarantine_export(
    path: Path = typer.Argument(..., help="output .csv or .jsonl"),
    source: str = typer.Option(..., "--source", help="source code whose rows to export"),
    recipient: str = typer.Option(..., "--recipient", help="who receives the file (audited)"),
    as_user: str | None = AsOption,
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Export a source's open quarantined rows to fix and ingest again with the same spec."""
    engine = store_engine(db)
    actor = authorised(engine, "export", as_user)
    with write_transaction(engine, lock="audit") as conn:
        rows = q.list_rows(conn, source=source)
        written = q.export_rows(rows, path)
        actor.log(
            conn,
            AuditCategory.disclosure,
            "quarantine_export",
            "quarantine",
            source,
            {"rows": written, "file": path.name},
            recipient=recipient,
        )
    if json:
        print_json({"file": str(path), "rows": written})
    else:
        out.print(
            f"Wrote {written} rows to {path}. Fix them, then `joinedup ingest {path} --spec ...`."
        )
