"""CLI commands: ingest agency files, and work through the quarantine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from joinedup.cli.app import (
    AsOption,
    CliActor,
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
from joinedup.feeds import SpecError, builtin_specs, get_spec
from joinedup.ingest import quarantine as q
from joinedup.ingest.batch import BatchResult, PlannedFile, ingest_file, plan_paths
from joinedup.ingest.prepare import stop_workers
from joinedup.ingest.readers import FileRefused, open_rows
from joinedup.pole import AuditCategory
from joinedup.store import wait_for_checkpoints, write_transaction


def _check_readable(path: Path, spec_name: str) -> None:
    """Open the file (a CSV or XLSX header is checked as it opens) and, for JSONL, read up
    to its first object, which the reader checks for the required fields: so whatever
    refuses a whole file refuses it before any file is written. Raises FileRefused."""
    spec = get_spec(spec_name)
    stream = open_rows(path, spec)
    try:
        if spec.format == "jsonl":
            for row in stream.rows:
                if row.fields is not None:
                    break
    finally:
        close = getattr(stream.rows, "close", None)
        if close is not None:
            close()
        stream.close()


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
            _check_readable(pf.path, pf.spec)
    except (FileRefused, SpecError) as exc:
        fail(str(exc), Exit.usage)
    results: list[BatchResult] = []
    try:
        _ingest_planned(engine, planned, actor, purpose, json, results)
    finally:
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


def _ingest_planned(
    engine: Any,
    planned: list[PlannedFile],
    actor: CliActor,
    purpose: str | None,
    json: bool,
    results: list[BatchResult],
) -> None:
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
                done = ", ".join(Path(r.file).name for r in results)
                fail(str(exc) + (f" (ingested before it: {done})" if done else ""), Exit.usage)


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
    path: Path = typer.Argument(
        ..., help="output file; its suffix follows the rows' spec (.csv, .jsonl or .xlsx)"
    ),
    source: str = typer.Option(..., "--source", help="source code whose rows to export"),
    recipient: str = typer.Option(..., "--recipient", help="who receives the file (audited)"),
    spec: str | None = typer.Option(
        None, "--spec", help="only rows read by this spec (name), when a source has several"
    ),
    escape_formulas: bool = typer.Option(
        False,
        "--escape-formulas",
        help="prefix formula-looking CSV cells (= + - @) with ' so a spreadsheet shows them "
        "as text; this changes those values",
    ),
    as_user: str | None = AsOption,
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Export a source's open quarantined rows as their spec reads files, to fix and ingest
    again with the same spec. Rows never split into fields go to NAME.unparsed.jsonl."""
    if path.is_dir():
        fail(f"{path} is a folder: give the name of the file to write", Exit.usage)
    engine = store_engine(db)
    actor = authorised(engine, "export", as_user)
    export: q.Export | None = None
    try:
        with write_transaction(engine, lock="audit") as conn:
            if not q.source_exists(conn, source):
                fail(f"no source {source!r} in this store", Exit.not_found)
            rows = q.list_rows(conn, source=source, spec=spec)
            if not rows:
                if json:
                    print_json({"file": None, "rows": 0, "unparsed": 0, "unparsed_file": None})
                else:
                    out.print(f"No open quarantined rows for {source}: nothing written.")
                return
            target = q.export_target(conn, rows)
            export = q.write_export(rows, target, path, escape_formulas=escape_formulas)
            actor.log(
                conn,
                AuditCategory.disclosure,
                "quarantine_export",
                "quarantine",
                source,
                {
                    "rows": export.rows,
                    "file": export.path.name,
                    "format": target.format,
                    "unparsed": export.unparsed,
                    "unparsed_file": export.unparsed_file.name if export.unparsed_file else None,
                    "quarantine_ids": q.id_ranges([r.id for r in rows]),  # [first, last]
                    "formulas_escaped": escape_formulas,
                },
                recipient=recipient,
            )
        export.keep()  # the files appear once their disclosure is in the audit log
    except q.ExportError as exc:
        fail(str(exc), Exit.usage)
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}", Exit.usage)
    finally:
        if export is not None:
            export.discard()  # nothing, once kept
    summary = export.summary()
    if json:
        print_json(summary)
        return
    target = export.target
    renamed = export.path != path
    out.print(
        f"Wrote {export.rows} rows to {export.path} ({target.describe()}), as "
        f"{', '.join(target.specs)} reads it"
        + (f" (not {path.name}: the suffix follows the spec's format)" if renamed else "")
        + ".",
        highlight=False,
        markup=False,
    )
    if export.unparsed:
        why = "; ".join(f"{n} {reason}" for reason, n in export.unparsed_reasons.items())
        out.print(
            f"{export.unparsed} rows could not be written as the spec reads files ({why}): "
            f"they are in {export.unparsed_file} with file, row number, reason and raw text. "
            "Fix them by hand into a file the spec reads.",
            highlight=False,
            markup=False,
        )
    if export.formula_cells and target.format == "csv":
        if escape_formulas:
            console.print(
                f"[yellow]note:[/] {export.formula_cells} formula-looking cells were prefixed "
                "with ' (--escape-formulas): those values are no longer the rows' own text.",
                highlight=False,
            )
        else:
            console.print(
                f"[yellow]warning:[/] {export.formula_cells} cells look like spreadsheet "
                "formulas (= + - @). They are kept verbatim so a fixed row is re-sent as the "
                "same text; a spreadsheet may run them when the file is opened. Edit the "
                "file as text, or export again with --escape-formulas (which changes them).",
                highlight=False,
            )
    elif export.formula_cells and target.format == "xlsx":
        out.print(
            f"{export.formula_cells} formula-looking cells are written as text, not formulas.",
            highlight=False,
        )
    names = target.specs
    builtin = [n for n in names if n in builtin_specs()]
    spec_arg = names[0] if len(names) == 1 and builtin else "<the spec file of " + names[0] + ">"
    out.print(
        f"Fix them, then `joinedup ingest {export.path} --spec {spec_arg}`.",
        highlight=False,
        markup=False,
    )
