"""CLI commands: `joinedup stats profile` (from the store) and `joinedup stats table` (a CSV)."""

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
    fail,
    out,
    print_json,
    store_engine,
)
from joinedup.pole import AuditCategory
from joinedup.store import write_transaction

stats_app = typer.Typer(
    help="Honest statistics: completeness, intervals, bounds, claims, disclosure control.",
    no_args_is_help=True,
)
app.add_typer(stats_app, name="stats")

ClaimOption = typer.Option(
    [], "--claim", help='a claim to check, e.g. "White > 0.5" or "Asian / population > 1"'
)
BaselineOption = typer.Option(
    None, "--baseline", help="CSV of population shares (category,share) for ratios"
)
ThresholdOption = typer.Option(5, "--threshold", help="smallest count shown; below it is 'c'")
RoundOption = typer.Option(None, "--round", help="publication mode: round counts to this base")


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{option} {text!r} is not a date: write YYYY-MM-DD, e.g. 2025-04-01")
    return None


@stats_app.command("profile")
def profile(
    area: str | None = typer.Option(None, "--area", help="postcode district (NV3) or area (NV)"),
    date_from: str | None = typer.Option(None, "--from", help="first day, YYYY-MM-DD"),
    date_to: str | None = typer.Option(None, "--to", help="last day, YYYY-MM-DD (inclusive)"),
    out_dir: Path | None = typer.Option(None, "--out", help="write the report to this folder"),
    recipient: str | None = typer.Option(
        None, "--recipient", help="who receives the report (required with --out; audited)"
    ),
    purpose: str | None = typer.Option(
        None, "--purpose", help="why (audited; default $JOINEDUP_PURPOSE)"
    ),
    baseline: Path | None = BaselineOption,
    claims: list[str] = ClaimOption,
    claim_table: str = typer.Option(
        "offenders.ethnicity_self_group",
        "--claim-table",
        help="table a claim without 'TABLE:' checks",
    ),
    sensitivity: bool = typer.Option(False, "--sensitivity", help="ratios under other assumptions"),
    publication: bool = typer.Option(False, "--publication", help="apply disclosure control"),
    threshold: int = ThresholdOption,
    round_to: int | None = RoundOption,
    as_user: str | None = AsOption,
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """A problem profile from the store, with completeness next to every figure.

    Researchers always receive disclosure-controlled output, whatever they ask for.
    """
    from joinedup import stats
    from joinedup.stats.report import profile_json

    start, end = _day(date_from, "--from"), _day(date_to, "--to")
    if start and end and start > end:
        fail(f"--from {start} is after --to {end}")
    if out_dir is not None and not recipient:
        fail("--out writes a report that leaves the system: say who receives it with --recipient")
    if threshold < 1 or (round_to is not None and round_to < 1):
        fail("--threshold and --round must be at least 1")
    engine = store_engine(db)
    actor = authorised(engine, "read_statistics", as_user)
    if purpose:
        actor.purpose = purpose
    forced = stats.controlled_only(actor.actor)
    try:
        base = stats.read_baseline(baseline) if baseline else None
        with engine.connect() as conn:  # a long read: no write lock held while it runs
            result = stats.profile_for(
                conn,
                actor.actor,
                area=area,
                date_from=start,
                date_to=end,
                publication=publication or round_to is not None,
                threshold=threshold,
                round_to=round_to,
            )
        analyses = stats.analyse_profile(result, base, sensitivity=sensitivity)
        checked = stats.profile_claims(analyses, claims, claim_table)
    except (stats.TableError, stats.ClaimError) as exc:
        fail(str(exc), Exit.usage)
    summary = stats.profile_summary(result, analyses, checked)
    detail = {
        "scope": result.scope.as_json(),
        "controlled": result.controlled,
        "forced_by_role": forced,
        "threshold": result.threshold,
        "rounded_to": result.rounded_to,
        "tables": len(analyses),
        "claims": list(claims),
    }
    # Nothing is shown or written until its audit row has committed.
    with write_transaction(engine, lock="audit") as conn:
        if out_dir is None:
            actor.log(conn, AuditCategory.consultation, "stats_profile", "statistics", None, detail)
        else:
            actor.log(
                conn,
                AuditCategory.disclosure,
                "stats_report",
                "statistics",
                str(out_dir),
                detail,
                recipient=recipient,
            )
    if out_dir is not None:
        files = stats.write_report(
            result,
            out_dir,
            analyses,
            checked,
            summary,
            actor=actor.name,
            recipient=recipient,
            purpose=actor.purpose,
            sensitivity=sensitivity,
        )
        if not json:
            out.print(
                f"Wrote {len(files)} files to {out_dir} (report.html, profile.json, "
                "summary.txt, tables/*.csv)."
            )
    if json:
        print_json(profile_json(result, analyses, checked, summary))
        return
    _show_profile(result, analyses, summary)


def _show_profile(result, analyses, summary) -> None:  # type: ignore[no-untyped-def]
    from joinedup.stats.report import completeness_text

    mode = "controlled (publication mode)" if result.controlled else "exact counts: do not publish"
    out.print(f"[bold]Problem profile[/] ({mode}; counting {result.unit})")
    pops = Table("population", "count", "definition")
    for p in result.populations:
        pops.add_row(p.title, "c" if p.count is None else f"{p.count:,}", p.definition)
    out.print(pops)
    tables = Table("table", "recorded / total", title="Completeness of every characteristic")
    for key, a in analyses.items():
        tables.add_row(key, completeness_text(a))
    out.print(tables)
    for sentence in summary:
        out.print(f"- {sentence}", highlight=False, markup=False)


@stats_app.command("table")
def table(
    path: Path = typer.Argument(
        ..., help="CSV of category counts, header row, with an unknown row"
    ),
    unknown: list[str] = typer.Option(
        ["unknown"], "--unknown", help="name of the row meaning 'not recorded' (repeatable)"
    ),
    baseline: Path | None = BaselineOption,
    claims: list[str] = ClaimOption,
    sensitivity: bool = typer.Option(False, "--sensitivity", help="ratios under other assumptions"),
    publication: bool = typer.Option(False, "--publication", help="apply disclosure control"),
    threshold: int = ThresholdOption,
    round_to: int | None = RoundOption,
    json: bool = JsonOption,
) -> None:
    """Check a published table of counts: shares, intervals, bounds, ratios and claims.

    Reads only the file given (no store, so no account is needed).
    """
    from joinedup import stats
    from joinedup.stats.summary import completeness_sentence, most_common_sentence

    try:
        counts = stats.read_count_table(path, unknown=tuple(unknown))
        base = stats.read_baseline(baseline) if baseline else None
        if publication or round_to is not None:
            counts = stats.control_one_way(counts, threshold, round_to)
        analysis = stats.analyse_table(counts, base, sensitivity=sensitivity)
        checked = [stats.check_claim(analysis, c) for c in claims]
    except (stats.TableError, stats.ClaimError) as exc:
        fail(str(exc), Exit.usage)
    summary = [completeness_sentence(analysis, "records")]
    sentence = most_common_sentence(analysis, "records")
    if sentence:
        summary.append(sentence)
    if json:
        data = analysis.as_json()
        print_json(
            {
                "table": str(path),
                "completeness": data["completeness"],
                "categories": data["categories"],
                "notes": data["notes"],
                "claims": [c.as_json() for c in checked],
                "summary": summary,
            }
        )
        return
    from joinedup.stats.report import completeness_text, fmt_range, fmt_ratio

    ratios = base is not None
    heads = ["category", "count", "share of recorded", "95% interval", "bounds over everyone"]
    if ratios:
        heads += ["ratio", "ratio 95% interval", "ratio bounds"]
        if sensitivity:
            heads.append("ratio if unrecorded like population")
    grid = Table(*heads, title=f"{path.name}: recorded {completeness_text(analysis)}")
    for r in analysis.rows:
        cells = [
            r.category,
            "c" if r.count is None else f"{r.count:,}",
            fmt_range(r.share_of_known),
            fmt_range(r.ci95),
            fmt_range(r.bounds),
        ]
        if ratios:
            cells += [fmt_ratio(r.ratio), fmt_ratio(r.ratio_ci95), fmt_ratio(r.ratio_bounds)]
            if sensitivity:
                cells.append(fmt_ratio(r.sensitivity.get("like_population")))
        grid.add_row(*cells)
    out.print(grid)
    for line in [*summary, *analysis.notes]:
        out.print(f"- {line}", highlight=False, markup=False)
    for c in checked:
        out.print(f"\n[bold]{c.claim.text}[/]: {c.verdict}", highlight=False)
        out.print(c.explanation, highlight=False, markup=False)
        for line in c.arithmetic:
            out.print(f"  {line}", highlight=False, markup=False)
