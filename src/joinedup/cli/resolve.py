"""CLI commands: resolve mentions into entities, review uncertain pairs, decide, explain."""

from __future__ import annotations

from typing import Any

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
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


@app.command()
def resolve(
    engine_name: str = typer.Option("duckdb", "--engine", help="Splink engine: duckdb or spark"),
    full: bool = typer.Option(False, "--full", help="re-resolve everything and retrain the model"),
    aliases: str | None = typer.Option(
        None, "--aliases", help="folder of extra name alias CSVs (default: $JOINEDUP_ALIASES)"
    ),
    as_user: str | None = AsOption,
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Resolve mentions into persons, vehicles, phones and places (audited as a combination)."""
    from joinedup.resolve import resolve_all
    from joinedup.resolve.aliases import AliasError
    from joinedup.resolve.backends import EngineUnavailable

    engine = store_engine(db)
    actor = authorised(engine, "resolve", as_user)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        disable=json or not console.is_terminal,
    ) as bar:
        task = bar.add_task("resolving", total=None)
        try:
            result = resolve_all(
                engine,
                actor.actor,
                full=full,
                splink_engine=engine_name,
                aliases_dir=aliases,
                purpose=actor.purpose,
                progress=lambda step: bar.update(task, description=step),
            )
        except (EngineUnavailable, AliasError) as exc:
            fail(str(exc), Exit.usage)
    summary = {
        "run": result.run_id,
        "mode": result.mode,
        "engine": result.engine,
        "seconds": round(result.seconds, 2),
        "kinds": {k: v for k, v in result.counts.items() if k != "max_mention_id"},
    }
    if json:
        print_json(summary)
        return
    table = Table(
        "kind",
        "mentions",
        "entities",
        "kept",
        "changed",
        "new",
        "retired",
        title=f"Resolution run {result.run_id} ({result.mode}, {result.engine})",
    )
    for kind, c in summary["kinds"].items():
        table.add_row(
            kind,
            *(
                f"{c.get(k, 0):,}"
                for k in ("mentions", "entities", "kept", "changed", "created", "retired")
            ),
        )
    out.print(table)


@app.command()
def review(
    limit: int = typer.Option(20, "--limit", help="how many pairs"),
    as_user: str | None = AsOption,
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Show the most uncertain undecided person pairs with the evidence for and against."""
    from joinedup.resolve.review import uncertain_pairs

    engine = store_engine(db)
    actor = authorised(engine, "read_personal", as_user)
    with write_transaction(engine, lock="audit") as conn:
        pairs = uncertain_pairs(conn, limit)
        actor.log(
            conn, AuditCategory.consultation, "review", "match_pair", None, {"pairs": len(pairs)}
        )
    if json:
        print_json(pairs)
        return
    table = Table("a", "b", "p", "for (weights)", "against (weights)", title="Pairs to review")
    for p in pairs:
        table.add_row(
            f"{p['a']} {p['a_name'] or ''} {p['a_dob'] or ''}",
            f"{p['b']} {p['b_name'] or ''} {p['b_dob'] or ''}",
            f"{p['match_probability']:.2f}",
            ", ".join(f"{k} {v:+.1f}" for k, v in p["for"].items()),
            ", ".join(f"{k} {v:+.1f}" for k, v in p["against"].items()),
        )
    out.print(table)
    out.print("Decide with `joinedup decide A B same|different --reason ...`.")


@app.command()
def decide(
    a: str = typer.Argument(..., help="a mention (person:12) or an entity (E34)"),
    b: str = typer.Argument(..., help="another mention or entity of the same kind"),
    decision: str = typer.Argument(..., help="same or different"),
    reason: str = typer.Option(..., "--reason", help="why (kept with the decision and audited)"),
    as_user: str | None = AsOption,
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Record an analyst's decision that two mentions/entities are the same or different."""
    from joinedup.resolve.decisions import DecisionError, parse_ref
    from joinedup.resolve.decisions import decide as take

    engine = store_engine(db)
    actor = authorised(engine, "decide_match", as_user)
    try:
        with write_transaction(engine) as conn:
            stored = take(
                conn, parse_ref(conn, a), parse_ref(conn, b), decision, reason, actor.name
            )
            actor.log(
                conn,
                AuditCategory.alteration,
                "match_decision",
                "match_decision",
                str(stored["id"]),
                {**stored, "reason": reason},
            )
    except DecisionError as exc:
        fail(str(exc), Exit.usage)
    if json:
        print_json(stored)
    else:
        out.print(f"Recorded: {a} and {b} are {decision}. Every later `joinedup resolve` obeys it.")


@app.command()
def explain(
    refs: list[str] = typer.Argument(..., help="ENTITY (E34), or MENTION_A MENTION_B"),
    as_user: str | None = AsOption,
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Explain an entity (its members and how each joined) or why two mentions are (not) one."""
    from joinedup.resolve.decisions import DecisionError, parse_ref
    from joinedup.resolve.explain import NotFound, explain_entity, explain_pair

    engine = store_engine(db)
    actor = authorised(engine, "read_personal", as_user)
    if len(refs) not in (1, 2):
        fail("give one entity (E34) or two mentions (person:1 person:2)")
    try:
        with write_transaction(engine, lock="audit") as conn:
            if len(refs) == 1:
                eid = refs[0].strip().upper().removeprefix("E")
                if not eid.isdigit():
                    fail(f"{refs[0]!r} is not an entity id such as E34")
                report: dict[str, Any] = explain_entity(conn, int(eid))
            else:
                report = explain_pair(conn, parse_ref(conn, refs[0]), parse_ref(conn, refs[1]))
            actor.log(conn, AuditCategory.consultation, "explain", "entity", " ".join(refs), None)
    except NotFound as exc:
        fail(str(exc), Exit.not_found)
    except DecisionError as exc:
        fail(str(exc), Exit.not_found)
    if json:
        print_json(report)
        return
    _show(report)


def _show(report: dict[str, Any]) -> None:
    if "members" in report:
        out.print(
            f"[bold]{report['entity']}[/] {report['kind']} {report['label'] or ''} "
            f"({report['size']} mentions)"
        )
        table = Table("mention", "how", "match probability", "run")
        for m in report["members"]:
            p = m["match_probability"]
            table.add_row(m["mention"], m["how"], "" if p is None else f"{p:.3f}", str(m["run"]))
        out.print(table)
    else:
        out.print(
            f"{report['a']} (E{report['entity_a']}) vs {report['b']} (E{report['entity_b']}): "
            f"{'one entity' if report['same_entity'] else 'not joined'}"
        )
        if report.get("match_probability") is not None:
            out.print(
                f"match probability {report['match_probability']:.3f}, "
                f"weight {report['match_weight']:+.2f}"
            )
        table = Table("comparison", "level", "weight", "tf", "left", "right")
        for c in report.get("comparisons") or []:
            table.add_row(
                c["comparison"],
                str(c["level"]),
                str(c["match_weight"]),
                str(c["tf_adjustment"] or ""),
                str(c["left"]),
                str(c["right"]),
            )
        out.print(table)
    for d in report.get("decisions") or []:
        out.print(f"decision: {d['a']} {d['decision']} {d['b']} ({d['reason']}, {d['by']})")
    if report.get("decision"):
        out.print(f"decisions imply: {report['decision']}")
