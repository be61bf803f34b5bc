"""CLI commands: erase what a batch brought in, or chosen records (a retention review, a
court order, a file loaded in error)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from joinedup.ingest.erasure import ErasureCounts

erase_app = typer.Typer(
    help="Erase stored data: its records and all derived from them; the audit keeps metadata."
)
app.add_typer(erase_app, name="erase")


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back, with what it counted."""

    def __init__(self, counts: ErasureCounts):
        super().__init__("dry run")
        self.counts = counts


ReasonOption = typer.Option(
    ..., "--reason", help="why: the retention review's decision, the error corrected"
)
DryRunOption = typer.Option(False, "--dry-run", help="count what would be erased, then roll back")
YesOption = typer.Option(False, "--yes", help="do not ask for confirmation")
PurposeOption = typer.Option(None, "--purpose", help="the case or review reference")


@erase_app.command("batch")
def erase_batch_command(
    batch_id: int = typer.Argument(..., help="the ingest batch (`joinedup batches` lists them)"),
    reason: str = ReasonOption,
    dry_run: bool = DryRunOption,
    yes: bool = YesOption,
    purpose: str | None = PurposeOption,
    as_user: str | None = AsOption,
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Erase one ingest batch: its records, mentions, events and quarantined rows, and
    what resolution and detection derived from them, in one transaction. The batch row
    stays (file, hash, counts) and says who erased it, when and why; the audit row holds
    counts and the reason, never the erased data."""
    from joinedup.ingest.erasure import erase_batch, find_batch

    engine = store_engine(db)
    actor = authorised(engine, "erase_records", as_user)
    with engine.connect() as conn:
        batch = find_batch(conn, batch_id)
    if batch is None:
        fail(f"no ingest batch {batch_id}", Exit.not_found)
    what = f"batch {batch_id} ({batch.file_name}, {batch.code}, {batch.rows_stored:,} records)"
    _confirm(what, dry_run, yes, json)
    counts = _run(
        engine, dry_run,
        lambda conn: erase_batch(conn, batch_id, actor=actor.actor, reason=reason,
                                 purpose=purpose or actor.purpose),
    )  # fmt: skip
    _report(counts, dry_run, json, f"batch {batch_id} ({counts.file_name})")


@erase_app.command("records")
def erase_records_command(
    record_ids: list[int] = typer.Argument(..., help="the records' ids (up to 5,000)"),
    reason: str = ReasonOption,
    dry_run: bool = DryRunOption,
    yes: bool = YesOption,
    purpose: str | None = PurposeOption,
    as_user: str | None = AsOption,
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Erase chosen records (e.g. one referral, on a court order or a review) and what was
    derived from them, in one transaction; their batches keep their rows and counts, and
    the audit row names the records by id, never what they said."""
    from joinedup.ingest.erasure import erase_records

    engine = store_engine(db)
    actor = authorised(engine, "erase_records", as_user)
    _confirm(f"{len(set(record_ids)):,} record(s)", dry_run, yes, json)
    counts = _run(
        engine, dry_run,
        lambda conn: erase_records(conn, record_ids, actor=actor.actor, reason=reason,
                                   purpose=purpose or actor.purpose),
    )  # fmt: skip
    _report(counts, dry_run, json, f"{len(set(record_ids)):,} record(s)")


def _confirm(what: str, dry_run: bool, yes: bool, json: bool) -> None:
    if dry_run or yes:
        return
    if json or not console.is_terminal:
        fail("erasing cannot be undone: give --yes (or try --dry-run first)", Exit.usage)
    typer.confirm(f"Erase {what} and all derived from it?", abort=True)


def _run(engine: Any, dry_run: bool, erase: Callable[[Any], ErasureCounts]) -> ErasureCounts:
    """The erasure in one transaction (rolled back for a dry run); a refusal exits 2."""
    from joinedup.ingest.erasure import ErasureError
    from joinedup.store import write_transaction

    try:
        # SQLite: reference checks once per table at the end, not for every row deleted.
        with write_transaction(engine, row_checks=False) as conn:
            counts = erase(conn)
            if dry_run:
                raise _DryRun(counts)
    except _DryRun as rolled_back:
        return rolled_back.counts
    except ErasureError as exc:
        fail(str(exc), Exit.usage)
    return counts


def _report(counts: ErasureCounts, dry_run: bool, json: bool, what: str) -> None:
    report = {**counts.as_dict(), "dry_run": dry_run}
    if dry_run:
        report["resolution_run"] = None  # rolled back with the rest
    if json:
        print_json(report)
        return
    table = Table("table", "rows", title=f"{'Would erase' if dry_run else 'Erased'} {what}")
    for name, n in counts.erased.items():
        table.add_row(name, f"{n:,}")
    out.print(table)
    mended = ", ".join(f"{k.replace('_', ' ')} {n:,}" for k, n in counts.derived.items() if n)
    out.print(f"Derived data mended: {mended or 'none'}.")
    if dry_run:
        out.print("Dry run: nothing was changed.")
    else:
        out.print("Leads are derived again by the next `joinedup detect`.")
