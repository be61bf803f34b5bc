"""CLI command: `joinedup demo`, a ready synthetic city in a fresh store."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import typer
from rich.table import Table

from joinedup.cli.app import app, console, out
from joinedup.ingest.batch import ingest_file, plan_paths
from joinedup.store import make_engine, migrate
from joinedup.store.summary import summarise


@app.command()
def demo(
    directory: Path = typer.Option(
        Path("demo-city"), "--dir", help="where the city and its store go"
    ),
    seed: int = typer.Option(7, "--seed"),
    children: int = typer.Option(300, "--children"),
    months: int = typer.Option(18, "--months"),
) -> None:
    """Generate a small synthetic city, ingest it into a new store and show what it holds."""
    from joinedup.synth.city import generate_city  # the pipeline itself never imports synth

    if directory.exists():
        shutil.rmtree(directory)
    city_dir = directory / "city"
    console.print(
        f"Generating a synthetic city (seed {seed}, {children} children, {months} months)..."
    )
    stats = generate_city(seed=seed, children=children, months=months, out_dir=city_dir)
    db_path = directory / "joinedup.db"
    engine = make_engine(f"sqlite:///{db_path}")
    migrate(engine)
    actor = os.environ.get("JOINEDUP_USER") or "demo"
    table = Table("file", "spec", "read", "stored", "duplicates", "quarantined", title="Ingested")
    for pf in plan_paths([city_dir], None):
        r = ingest_file(engine, pf.path, pf.spec, actor=actor, purpose="demo: synthetic city")
        table.add_row(pf.path.name, pf.spec, *(f"{v:,}" for v in r.counts().values()))
    out.print(table)
    info = summarise(engine)
    counts = info["counts"]
    out.print(
        f"Store {db_path}: {counts['record']:,} records, {counts['person_mention']:,} person, "
        f"{counts['vehicle_mention']:,} vehicle, {counts['phone_mention']:,} phone and "
        f"{counts['location_mention']:,} location mentions, {counts['event']:,} events; "
        f"{info['open_quarantine']:,} rows in quarantine."
    )
    out.print(
        f"City: {stats.records:,} records about {stats.persons:,} people; {stats.groups} groups "
        f"and {stats.lone_offenders} lone offenders ({stats.offenders} offenders), "
        f"{stats.victims} victims. Files in {city_dir}; ground truth in {city_dir / 'truth'}."
    )
    out.print(f"Next: JOINEDUP_DB={db_path} joinedup status")
