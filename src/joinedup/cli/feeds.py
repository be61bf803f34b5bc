"""CLI commands: list, show and check feed specs."""

from __future__ import annotations

import json as jsonlib

import typer
from rich.table import Table

from joinedup.cli.app import Exit, JsonOption, app, fail, out, print_json
from joinedup.feeds import SpecError, builtin_specs, get_spec, load_spec

feeds_app = typer.Typer(
    help="Feed specs: how each agency's extract maps onto POLE.", no_args_is_help=True
)
app.add_typer(feeds_app, name="feeds")


@feeds_app.command("list")
def list_specs(json: bool = JsonOption) -> None:
    """List the built-in feed specs."""
    specs = builtin_specs()
    rows = [
        {
            "name": s.name,
            "version": s.version,
            "format": s.format,
            "agency": s.source.agency,
            "title": s.title,
        }
        for s in specs.values()
    ]
    if json:
        print_json(rows)
        return
    table = Table("name", "version", "format", "agency", "title")
    for r in rows:
        table.add_row(r["name"], str(r["version"]), r["format"], r["agency"], r["title"])
    out.print(table)


@feeds_app.command("show")
def show(name: str = typer.Argument(..., help="a built-in spec name or a YAML file")) -> None:
    """Show a spec as JSON (the form the web UI and batches store)."""
    try:
        spec = get_spec(name)
    except SpecError as exc:
        fail(str(exc), Exit.not_found)
    print_json(jsonlib.loads(spec.model_dump_json(exclude_defaults=True)))


@feeds_app.command("check")
def check(
    path: str = typer.Argument(..., help="a feed spec YAML file"), json: bool = JsonOption
) -> None:
    """Validate a feed spec file; errors name the file and the key at fault."""
    try:
        spec = load_spec(path)
    except SpecError as exc:
        if json:
            print_json(
                {
                    "ok": False,
                    "file": exc.path,
                    "problems": [{"key": k, "message": m} for k, m in exc.problems],
                }
            )
            raise typer.Exit(int(Exit.problems)) from None
        fail(str(exc), Exit.problems)
    info = {"ok": True, "file": path, "name": spec.name, "columns": sorted(spec.columns())}
    if json:
        print_json(info)
    else:
        out.print(
            f"[green]ok[/] {path}: spec {spec.name!r} v{spec.version} "
            f"reads {len(info['columns'])} columns"
        )
