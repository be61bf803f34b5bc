"""CLI command: erase what a batch brought in (a retention review, a file loaded in error)."""

from __future__ import annotations

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
    fail,
    out,
    print_json,
    store_engine,
)

erase_app = typer.Typer(
    help="Erase stored data: its records and all derived from them; the audit keeps metadata."
)
app.add_typer(erase_app, name="erase")


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


@erase_app.command("batch")
def erase_batch_command(
    batch_id: int = typer.Argument(..., help="the ingest batch (`joinedup batches` lists them)"),
    reason: str = typer.Option(
        ..., "--reason", help="why: the retention review's decision, the error corrected"
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="count what would be erased, then roll back"
    ),
    yes: bool = typer.Option(False, "--yes", help="do not ask for confirmation"),
    purpose: str | None = typer.Option(None, "--purpose", help="the case or review reference"),
    as_user: str | None = AsOption,
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Erase one ingest batch: its records, mentions, events and quarantined rows, and
    what resolution and detection derived from them, in one transaction. The batch row
    stays (file, hash, counts) and says who erased it, when and why; the audit row holds
    counts and the reason, never the erased data."""
    from joinedup.ingest.erasure import ErasureError, erase_batch, find_batch
    from joinedup.store import write_transaction

    engine = store_engine(db)
    actor = authorised(engine, "erase_records", as_user)
    with engine.connect() as conn:
        batch = find_batch(conn, batch_id)
    if batch is None:
        fail(f"no ingest batch {batch_id}", Exit.not_found)
    if not dry_run and not yes:
        if json or not console.is_terminal:
            fail("erasing cannot be undone: give --yes (or try --dry-run first)", Exit.usage)
        typer.confirm(
            f"Erase batch {batch_id} ({batch.file_name}, {batch.code}, "
            f"{batch.rows_stored:,} records) and all derived from it?",
            abort=True,
        )
    try:
        # SQLite: reference checks once per table at the end, not for every row deleted.
        with write_transaction(engine, row_checks=False) as conn:
            counts = erase_batch(
                conn, batch_id, actor=actor.actor, reason=reason,
                purpose=purpose or actor.purpose,
            )  # fmt: skip
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    except ErasureError as exc:
        fail(str(exc), Exit.usage)
    report = {**counts.as_dict(), "dry_run": dry_run}
    if dry_run:
        report["resolution_run"] = None  # rolled back with the rest
    if json:
        print_json(report)
        return
    table = Table("table", "rows", title=f"{'Would erase' if dry_run else 'Erased'} batch "
                  f"{batch_id} ({counts.file_name})")  # fmt: skip
    for name, n in counts.erased.items():
        table.add_row(name, f"{n:,}")
    out.print(table)
    mended = ", ".join(f"{k.replace('_', ' ')} {n:,}" for k, n in counts.derived.items() if n)
    out.print(f"Derived data mended: {mended or 'none'}.")
    if dry_run:
        out.print("Dry run: nothing was changed.")
    else:
        out.print("Leads are derived again by the next `joinedup detect`.")
