"""CLI commands on the POLE graph: paths, neighbourhoods, measures and communities, each
authorised (read_personal) and audited as a consultation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

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

network_app = typer.Typer(
    help="The POLE graph: paths, neighbourhoods, measures, communities (needs read_personal).",
    no_args_is_help=True,
)
app.add_typer(network_app, name="network")

DATE = ["%Y-%m-%d"]
AsOfOption = typer.Option(
    None, "--as-of", formats=DATE, help="only records received by this day (YYYY-MM-DD)"
)
KindOption = typer.Option(
    None, "--kind", help="entity kinds to keep: person, vehicle, phone, location (repeatable)"
)


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


def _consult(
    db: str | None,
    as_user: str | None,
    as_of: datetime | None,
    action: str,
    object_id: str | None,
    ask: Callable[[Any], Any],
    detail: Callable[[Any], dict[str, Any]],
) -> Any:
    """Authorise, build the graph, answer, and log the consultation with what was shown."""
    from joinedup.network import NetworkError, UnknownEntity, build_graph

    engine = store_engine(db)
    actor = authorised(engine, "read_personal", as_user)
    try:
        with console.status("building the graph", spinner="dots"):
            with engine.connect() as conn:
                graph = build_graph(conn, _day(as_of))
        answer = ask(graph)
    except NetworkError as exc:
        fail(str(exc), Exit.usage)
    except UnknownEntity as exc:
        fail(str(exc), Exit.not_found)
    except ValueError as exc:
        fail(str(exc), Exit.usage)
    with write_transaction(engine, lock="audit") as conn:
        actor.log(
            conn,
            AuditCategory.consultation,
            action,
            "entity" if object_id else "network",
            object_id,
            {"as_of": _day(as_of).isoformat() if as_of else None, **detail(answer)},
        )
    return answer


def _evidence(a: Any, limit: int = 3) -> str:
    shown = [
        f"{e.day} record {e.record_id}" + (f" event {e.event_id}" if e.event_id else "")
        for e in a.evidence[:limit]
    ]
    more = len(a.evidence) - limit
    return "; ".join(shown) + (f" (+{more} more)" if more > 0 else "")


def _roles(a: Any) -> str:
    return f"{'/'.join(sorted(a.roles)) or '-'} ~ {'/'.join(sorted(a.other_roles)) or '-'}"


@network_app.command("path")
def path(
    a: str = typer.Argument(..., help="an entity, e.g. E34"),
    b: str = typer.Argument(..., help="another entity"),
    in_date_order: bool = typer.Option(
        False, "--in-date-order", help="only through shared events taken in date order"
    ),
    kinds: list[str] | None = KindOption,
    as_of: datetime | None = AsOfOption,
    as_user: str | None = AsOption,
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """The shortest chain of firm links between two entities, with the evidence of each hop."""
    found = _consult(
        db, as_user, as_of, "network_path", f"{a} {b}",
        lambda g: g.shortest_path(a, b, time_respecting=in_date_order, kinds=kinds),
        lambda p: {"in_date_order": in_date_order, "hops": None if p is None else len(p.hops)},
    )  # fmt: skip
    if json:
        print_json(None if found is None else found.to_dict())
    if found is None:
        if not json:
            order = " in date order" if in_date_order else ""
            out.print(f"No path{order} between {a} and {b}.")
        raise typer.Exit(int(Exit.problems))
    if json:
        return
    title = f"{len(found.hops)} links from E{found.source} to E{found.target}"
    table = Table("hop", "to", "kind", "label", "date", "links", "roles", "evidence", title=title)
    for n, h in enumerate(found.hops, 1):
        table.add_row(
            str(n), f"E{h.target}", h.target_kind, h.target_label or "",
            str(h.day or ""), ", ".join(x.kind for x in h.links),
            "; ".join(_roles(x) for x in h.links), _evidence(h.links[0]) if h.links else "",
        )  # fmt: skip
    out.print(table)


@network_app.command("around")
def around(
    entity: str = typer.Argument(..., help="the entity at the centre, e.g. E34"),
    depth: int = typer.Option(2, "--depth", min=0, help="how many links out"),
    date_from: datetime | None = typer.Option(None, "--from", formats=DATE, help="evidence from"),
    date_to: datetime | None = typer.Option(None, "--to", formats=DATE, help="evidence up to"),
    roles: list[str] | None = typer.Option(
        None, "--role", help="keep evidence where both sides play one of these roles (repeatable)"
    ),
    kinds: list[str] | None = KindOption,
    limit: int = typer.Option(200, "--limit", min=1, help="stop after this many entities"),
    as_of: datetime | None = AsOfOption,
    as_user: str | None = AsOption,
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """The entities within --depth links of ENTITY and the links among them, with evidence."""
    sub = _consult(
        db, as_user, as_of, "network_around", entity,
        lambda g: g.neighbourhood(entity, depth, date_from=_day(date_from),
                                  date_to=_day(date_to), roles=roles, kinds=kinds,
                                  max_nodes=limit),
        lambda s: {"depth": depth, "filters": s.filters, "entities": len(s.nodes),
                   "links": len(s.edges)},
    )  # fmt: skip
    if json:
        print_json(sub.to_dict())
        return
    nodes = Table("entity", "kind", "label", "depth", title=f"Around E{sub.centre}")
    for n in sub.nodes:
        nodes.add_row(f"E{n.entity_id}", n.kind, n.label or "", str(n.depth))
    out.print(nodes)
    links = Table("a", "b", "link", "roles", "count", "first", "last", "evidence")
    for e in sub.edges:
        kind = e.kind if e.firm else f"{e.kind} (1 of {e.candidates})"
        links.add_row(
            f"E{e.entity_id}", f"E{e.other_id}", kind, _roles(e), str(e.count),
            str(e.first or ""), str(e.last or ""), _evidence(e),
        )  # fmt: skip
    out.print(links)
    if sub.truncated:
        out.print(f"[yellow]Stopped at {limit} entities: narrow with --from/--to/--role/--kind.[/]")


EXACT_UP_TO = 20_000  # entities: beyond this the CLI estimates paths unless told otherwise
AUTO_SAMPLE = 1_000


@network_app.command("measures")
def measures(
    top: int = typer.Option(20, "--top", min=1, help="how many entities to show"),
    kinds: list[str] | None = KindOption,
    cutoff: int | None = typer.Option(
        None, "--cutoff", min=1, help="longest path counted by betweenness/closeness (faster)"
    ),
    sample: int | None = typer.Option(
        None,
        "--sample",
        min=1,
        help=f"estimate betweenness/closeness from this many random sources (default: exact "
        f"up to {EXACT_UP_TO:,} entities, else {AUTO_SAMPLE:,})",
    ),  # fmt: skip
    seed: int = typer.Option(0, "--seed", help="seed of the sampled sources"),
    as_of: datetime | None = AsOfOption,
    as_user: str | None = AsOption,
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Degree, betweenness, closeness, eigenvector and k-core of each entity; top by betweenness."""

    def ask(g: Any) -> tuple[list[Any], int | None]:
        n = g.projection(kinds).graph.vcount()
        chosen = sample
        if chosen is None and cutoff is None and n > EXACT_UP_TO:
            chosen = AUTO_SAMPLE
        return g.measures(kinds, cutoff=cutoff, sample=chosen, seed=seed)[:top], chosen

    found, used = _consult(
        db, as_user, as_of, "network_measures", None, ask,
        lambda r: {"top": top, "kinds": kinds, "cutoff": cutoff, "sample": r[1],
                   "shown": len(r[0])},
    )  # fmt: skip
    if json:
        print_json([m.to_dict() for m in found])
        return
    how = "exact"
    if used:
        how = f"betweenness and closeness estimated from {used:,} sampled sources (--sample)"
    elif cutoff:
        how = f"paths of at most {cutoff} links"
    table = Table("entity", "kind", "label", "degree", "weighted", "betweenness", "closeness",
                  "eigenvector", "k-core", title=f"Analyst measures ({how})")  # fmt: skip
    for m in found:
        table.add_row(
            f"E{m.entity_id}", m.kind, m.label or "", str(m.degree), f"{m.weighted_degree:g}",
            f"{m.betweenness:.1f}", f"{m.closeness:.3f}", f"{m.eigenvector:.3f}", str(m.coreness),
        )  # fmt: skip
    out.print(table)


@network_app.command("communities")
def communities(
    top: int = typer.Option(20, "--top", min=1, help="how many communities to show"),
    seed: int = typer.Option(0, "--seed", help="Leiden's random seed (same seed, same answer)"),
    resolution: float = typer.Option(1.0, "--resolution", help="higher gives smaller groups"),
    kinds: list[str] | None = KindOption,
    as_of: datetime | None = AsOfOption,
    as_user: str | None = AsOption,
    db: str | None = DbOption,
    json: bool = JsonOption,
) -> None:
    """Leiden communities of the entity-entity graph, largest first, with their members."""
    found = _consult(
        db, as_user, as_of, "network_communities", None,
        lambda g: (g, g.communities(seed=seed, resolution=resolution, kinds=kinds)[:top]),
        lambda r: {"seed": seed, "resolution": resolution, "kinds": kinds, "shown": len(r[1])},
    )  # fmt: skip
    graph, groups = found
    if json:
        print_json([c.to_dict() for c in groups])
        return
    table = Table("#", "size", "kinds", "weight", "members", title="Communities (Leiden)")
    for c in groups:
        names = [f"E{m} {graph.label_of(graph.vertex(m)) or ''}".strip() for m in c.members[:8]]
        more = f" (+{c.size - 8} more)" if c.size > 8 else ""
        kinds_text = ", ".join(f"{n} {k}" for k, n in c.kinds.items())
        table.add_row(str(c.index), str(c.size), kinds_text, f"{c.internal_weight:g}",
                      "; ".join(names) + more)  # fmt: skip
    out.print(table)
