"""CLI commands: run detection (optionally as of a date), triage flags, and read the leads."""

from __future__ import annotations

from datetime import date
from pathlib import Path

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
from joinedup.pole import AuditCategory
from joinedup.store import write_transaction

flags_app = typer.Typer(help="List, show and triage flags.", no_args_is_help=True)
app.add_typer(flags_app, name="flags")


def _as_of(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"--as-of {value!r} is not a date such as 2019-06-30")
    return None


@app.command("detect")
def detect_command(
    as_of: str | None = typer.Option(
        None, "--as-of", help="use only records received on or before this date (YYYY-MM-DD)"
    ),
    as_user: str | None = AsOption,
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Run the detection rules and write flags (audited as a combination)."""
    from joinedup.detect.lifecycle import FlagError, run_detection
    from joinedup.detect.rulebook import RuleError

    engine = store_engine(db)
    actor = authorised(engine, "run_detection", as_user)
    with console.status("detecting", spinner="dots") if not json else _null():
        try:
            summary = run_detection(engine, actor.actor, _as_of(as_of), actor.purpose)
        except (RuleError, FlagError) as exc:
            fail(str(exc), Exit.usage)
    result = {
        "run": summary.run_id,
        "as_of": summary.as_of.isoformat() if summary.as_of else None,
        "counts": summary.counts,
    }
    if json:
        print_json(result)
        return
    table = Table("what", "count", title=f"Detection run {summary.run_id}")
    for k, v in sorted(summary.counts.items()):
        table.add_row(k, str(v))
    out.print(table)


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


@flags_app.command("list")
def flags_list(
    status: str | None = typer.Option(None, "--status", help="new, under_review, actioned..."),
    kind: str | None = typer.Option(None, "--kind", help="child, adult, vehicle, location, group"),
    all_flags: bool = typer.Option(
        False, "--all", help="include flags the latest run did not raise"
    ),
    limit: int = typer.Option(100, "--limit"),
    as_user: str | None = AsOption,
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """List flags, most serious first (audited as a consultation)."""
    from joinedup.detect.reading import list_flags

    engine = store_engine(db)
    actor = authorised(engine, "read_personal", as_user)
    with write_transaction(engine, lock="audit") as conn:
        rows = list_flags(conn, status, kind, not all_flags, limit)
        actor.log(conn, AuditCategory.consultation, "flags_list", "flag", None,
                  {"status": status, "kind": kind, "shown": len(rows)})  # fmt: skip
    if json:
        print_json(rows)
        return
    table = Table("flag", "kind", "subject", "band", "score", "status", "reason")
    for r in rows:
        table.add_row(r["flag"], r["kind"], f"{r['subject']} {r['label'] or ''}",
                      r["band"] or "", str(r["score"]), r["status"], r["reason"][:80])  # fmt: skip
    out.print(table)


@flags_app.command("show")
def flags_show(
    flag: str = typer.Argument(..., help="a flag id such as F12"),
    as_user: str | None = AsOption,
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """One flag with its evidence chain and history (audited as a consultation)."""
    from joinedup.detect.reading import parse_flag_ref, show_flag

    engine = store_engine(db)
    actor = authorised(engine, "read_personal", as_user)
    try:
        fid = parse_flag_ref(flag)
        with write_transaction(engine, lock="audit") as conn:
            shown = show_flag(conn, fid)
            actor.log(conn, AuditCategory.consultation, "flag_show", "flag", f"F{fid}", None)
    except ValueError as exc:
        fail(str(exc))
    except LookupError as exc:
        fail(str(exc), Exit.not_found)
    if json:
        print_json(shown)
        return
    out.print(f"[bold]{shown['flag']}[/] {shown['kind']} {shown['subject']} "
              f"{shown['label'] or ''} {shown['band'] or ''} ({shown['status']})")  # fmt: skip
    out.print(shown["reason"], markup=False)
    table = Table("when", "record", "event", "why")
    for e in shown["evidence"]:
        table.add_row(e.get("when") or "", e.get("record") or e.get("entity") or "",
                      e.get("type") or "", e["why"])  # fmt: skip
    out.print(table)
    for h in shown["history"]:
        out.print(f"{h['at']} {h['by']}: {h['from'] or '-'} -> {h['to']} ({h['reason']})",
                  markup=False)  # fmt: skip


@flags_app.command("set")
def flags_set(
    flag: str = typer.Argument(..., help="a flag id such as F12"),
    status: str = typer.Argument(..., help="new, under_review, actioned or dismissed"),
    reason: str = typer.Option(..., "--reason", help="why (kept in the flag's history)"),
    as_user: str | None = AsOption,
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Change a flag's status: analysts triage, supervisors action or dismiss (audited)."""
    from joinedup.access.actor import record_refusal
    from joinedup.access.roles import NotAuthorised
    from joinedup.detect.lifecycle import FlagError, set_status
    from joinedup.detect.reading import parse_flag_ref

    engine = store_engine(db)
    actor = authorised(engine, "triage_flags", as_user)
    try:
        fid = parse_flag_ref(flag)
        with write_transaction(engine) as conn:
            change = set_status(conn, actor.actor, fid, status, reason)
            actor.log(conn, AuditCategory.alteration, "flag_status", "flag", f"F{fid}", change)
    except NotAuthorised as refusal:
        with write_transaction(engine, lock="audit") as conn:
            record_refusal(conn, actor.name, refusal, object_type="flag", object_id=flag)
        fail(str(refusal), Exit.refused)
    except (ValueError, FlagError) as exc:
        fail(str(exc))
    except LookupError as exc:
        fail(str(exc), Exit.not_found)
    if json:
        print_json(change)
    else:
        out.print(f"{change['flag']}: {change['from']} -> {change['to']}")


@app.command()
def leads(
    out_file: Path | None = typer.Option(None, "--out", help="write a self-contained HTML report"),
    recipient: str | None = typer.Option(
        None, "--recipient", help="who receives the report (required with --out; audited)"
    ),
    limit: int = typer.Option(50, "--limit"),
    as_user: str | None = AsOption,
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """The ranked open leads with their evidence chains (consultation; --out is a disclosure)."""
    from joinedup.detect.reading import ranked_leads
    from joinedup.detect.report import render_report

    engine = store_engine(db)
    actor = authorised(engine, "read_personal", as_user)
    if out_file is not None:
        actor = authorised(engine, "export", as_user)
        if not recipient:
            fail("--out is a disclosure: say who receives it with --recipient")
    with write_transaction(engine, lock="audit") as conn:
        shown = ranked_leads(conn, limit)
        actor.log(conn, AuditCategory.consultation, "leads", "flag", None, {"leads": len(shown)})
        if out_file is not None:
            html = render_report(conn, shown, actor.name, str(recipient))
            out_file.write_text(html, encoding="utf-8")
            actor.log(conn, AuditCategory.disclosure, "leads_report", "flag", None,
                      {"file": str(out_file), "leads": len(shown)},
                      recipient=recipient)  # fmt: skip
    if json:
        print_json(shown)
        return
    if out_file is not None:
        out.print(f"Wrote {len(shown)} leads to {out_file} for {recipient}.")
        return
    for lead in shown:
        out.print(f"[bold]{lead['flag']}[/] {lead['kind']} {lead['subject']} "
                  f"{lead['label'] or ''} {lead['band'] or ''}: ", end="")  # fmt: skip
        out.print(lead["reason"], markup=False)
