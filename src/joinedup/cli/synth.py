"""CLI commands: synth, the synthetic city used for tests, demos and quality measurement."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from joinedup.cli.app import Exit, JsonOption, app, console, fail, print_json


@app.command()
def synth(
    out: Path = typer.Option(..., "--out", help="folder to write the agency files and truth/ into"),
    seed: int = typer.Option(1, "--seed", help="the same seed gives byte-identical files"),
    children: int = typer.Option(300, "--children", help="children aged 10-17 in the town"),
    months: int = typer.Option(18, "--months", help="length of the period the extracts cover"),
    noise: float = typer.Option(
        1.0, "--noise", help="data imperfection: 0 clean, 1 realistic, 2 harsh"
    ),
    json: bool = JsonOption,
) -> None:
    """Generate a synthetic city: agency files, a manifest, and the ground truth in OUT/truth/.

    About 1.5 records per child per month: --children 300 --months 18 gives ~8,000
    records in seconds; --children 3800 ~100,000; --children 38000 ~1,000,000.
    The pipeline never reads OUT/truth/.
    """
    from joinedup.synth import generate_city  # imported here: only this command needs it

    if children < 20:
        fail("--children must be at least 20", Exit.usage)
    if months < 1:
        fail("--months must be at least 1", Exit.usage)
    if noise < 0:
        fail("--noise must be 0 or more", Exit.usage)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        disable=json or not console.is_terminal,
    ) as bar:
        task = bar.add_task("synthetic city", total=months + 3)

        def tick(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, description=label)

        stats = generate_city(seed, children, months, out, noise=noise, progress=tick)
    if json:
        print_json(stats.as_dict())
        return
    table = Table(title=f"Synthetic city in {out} (seed {seed}, noise {noise})")
    table.add_column("file")
    table.add_column("records", justify="right")
    for name, n in stats.records_by_file.items():
        table.add_row(name, f"{n:,}")
    table.add_row("[bold]total", f"[bold]{stats.records:,}")
    console.print(table)
    console.print(
        f"{stats.persons:,} people, {stats.groups} groups and {stats.lone_offenders} lone "
        f"offenders ({stats.offenders} offenders), {stats.victims} victims; "
        f"{stats.evidence_records:,} records are evidence of exploitation. "
        f"Ground truth in {out / 'truth'} ({stats.seconds} s).",
        highlight=False,
    )
