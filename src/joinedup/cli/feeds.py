"""CLI commands: list, show and check feed specs."""

from __future__ import annotations

import typer
import yaml
from rich.markup import escape
from rich.table import Table

from joinedup.cli.app import Exit, JsonOption, app, fail, out, print_json
from joinedup.feeds import SpecError, builtin_specs, get_spec, load_spec
from joinedup.feeds.loader import spec_hash

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
def show(
    name: str = typer.Argument(..., help="a built-in spec name or a YAML file"),
    json: bool = JsonOption,
) -> None:
    """Show a spec as validated: name, version, hash (as batches store it) and its keys."""
    try:
        spec = get_spec(name)
    except SpecError as exc:
        fail(str(exc), Exit.not_found)
    body = spec.model_dump(mode="json", exclude_defaults=True)
    info = {
        "name": spec.name,
        "version": spec.version,
        "title": spec.title,
        "hash": spec_hash(spec),
        "spec": body,
    }
    if json:
        print_json(info)
        return
    out.print(
        f"[bold]{spec.name}[/] v{spec.version}: {escape(spec.title)}\nhash {info['hash']}\n",
        highlight=False,
        soft_wrap=True,
    )
    out.print(  # soft_wrap: a long line wrapped by rich would no longer be the same YAML
        yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=88).rstrip(),
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


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
