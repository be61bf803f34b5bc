"""CLI command: `joinedup evaluate`, the store scored against a synthetic city's truth."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from joinedup.cli.app import (
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


def _pct(x: Any) -> str:
    return "null" if x is None else f"{x:.1%}" if isinstance(x, float) else str(x)


@app.command()
def evaluate(
    truth: Path = typer.Option(..., "--truth", help="a synthetic city's truth folder (DIR/truth)"),
    step_days: int = typer.Option(
        7, "--step-days", min=1, help="days between the as-of detection runs used for timing"
    ),
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Score the store against a synthetic city's ground truth (exit 1 if a quality bar fails)."""
    from joinedup.evaluate import TruthError, check, evaluate_store, load_truth

    engine = store_engine(db)
    actor = authorised(engine, "read_personal")
    try:
        city = load_truth(truth)
    except TruthError as exc:
        fail(str(exc), Exit.usage)
    scoring = console.status("scoring the store against the truth (as-of detection runs)",
                             spinner="dots")  # fmt: skip
    with engine.begin() as conn, scoring if not json and console.is_terminal else nullcontext():
        report = evaluate_store(conn, city, step_days=step_days)
        actor.log(
            conn,
            AuditCategory.consultation,
            "evaluate",
            "store",
            None,
            {"truth": str(truth), "mentions_scored": _mentions(report)},
        )
    report["thresholds"] = check(report)
    failed = [r for r in report["thresholds"] if r["status"] == "fail"]
    if json:
        print_json(report)
    else:
        _summary(report)
    if failed:
        raise typer.Exit(int(Exit.problems))


def _mentions(report: dict[str, Any]) -> int:
    return sum(int(v["found"]) for v in report["ingest"]["mentions"].values())


def _summary(report: dict[str, Any]) -> None:
    ing = report["ingest"]
    table = Table(
        "kind", "true mentions", "stored", "coverage", "in text", "text found", "text right",
        title="Ingest: true mentions found in the store",
    )  # fmt: skip
    for kind, m in ing["mentions"].items():
        t = m["text"]
        table.add_row(
            kind, f"{m['truth']:,}", f"{m['found']:,}", _pct(m["coverage"]),
            f"{t['truth']:,}", _pct(t["coverage"]), _pct(t["precision"]),
        )  # fmt: skip
    out.print(table)
    tot, q = ing["records"]["total"], ing["quarantine"]
    out.print(
        f"Records stored {tot['stored']:,} of {tot['expected_stored']:,} expected "
        f"(missing {tot['missing']}, unexpected {tot['unexpected']}); duplicates "
        f"{tot['duplicates']} of {tot['expected_duplicates']}; quarantine: {q['found']} of "
        f"{q['expected']} expected rows, {q['unexpected']} unexpected."
    )
    _clusterings("Resolution", report["er"])
    for section in ("groups", "flags", "timeliness"):
        s = report[section]
        if s["status"] == "not_run":
            out.print(f"[bold]{section}[/]: null ({s['reason']})")
    _clusterings("Baselines (naive exact match, NOT the pipeline)", report["baselines"]["er"])
    checks = Table("threshold", "value", "target", "status", title="Quality bars")
    for r in report["thresholds"]:
        style = {"pass": "green", "fail": "bold red"}.get(r["status"], "dim")
        checks.add_row(
            r["name"], _pct(r["value"]), f"{r['op']} {r['target']}", f"[{style}]{r['status']}"
        )
    out.print(checks)


def _clusterings(title: str, er: dict[str, Any]) -> None:
    if er.get("status") == "not_run":
        out.print(f"[bold]{title}[/]: null ({er['reason']})")
        return
    table = Table(
        "kind", "mentions", "pairwise P", "pairwise R", "pairwise F1", "B3 F1", title=title
    )
    for kind in ("person", "vehicle", "phone", "location"):
        s = er[kind]
        pw = s["pairwise"]
        table.add_row(
            kind, f"{s['mentions']:,}", _pct(pw["precision"]), _pct(pw["recall"]),
            _pct(pw["f1"]), _pct(s["bcubed"]["f1"]),
        )  # fmt: skip
    for origin, g in er["person"].get("by_name_origin", {}).items():
        table.add_row(f"  {origin}", f"{g['items']:,}", "", _pct(g["pairwise_recall"]), "", "")
    out.print(table)
