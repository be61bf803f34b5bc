"""Build a whole synthetic city: world, groups, timeline, then every agency's extract.

    stats = generate_city(seed=1, children=300, months=18, out_dir="demo-city")

Deterministic: the same arguments give byte-identical files.
"""

from __future__ import annotations

import json
import time
from calendar import monthrange
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

from joinedup.synth.agencies import WRITERS
from joinedup.synth.agencies.base import Agency
from joinedup.synth.confounders import Confounders
from joinedup.synth.events import Happening
from joinedup.synth.groups import build_groups
from joinedup.synth.population import World, _add_months
from joinedup.synth.rng import np_stream, stream
from joinedup.synth.routine import Routine
from joinedup.synth.timeline import Timeline
from joinedup.synth.truth import TruthWriter

DEFAULT_START = date(2019, 1, 1)
Progress = Callable[[int, int, str], None]


@dataclass
class CityStats:
    seed: int
    children: int
    months: int
    noise: float
    start_date: str
    end_date: str
    records: int = 0
    records_by_file: dict[str, int] = field(default_factory=dict)
    persons: int = 0
    groups: int = 0
    lone_offenders: int = 0
    offenders: int = 0
    victims: int = 0
    evidence_records: int = 0
    malformed_rows: int = 0
    not_yet_received: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def generate_city(
    seed: int,
    children: int,
    months: int,
    out_dir: str | Path,
    noise: float = 1.0,
    progress: Progress | None = None,
    start: date = DEFAULT_START,
) -> CityStats:
    if children < 20:
        raise ValueError("a city needs at least 20 children")
    if months < 1:
        raise ValueError("a city needs at least one month")
    if noise < 0:
        raise ValueError("noise must be 0 or more")
    t0 = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    steps = months + 3

    def tick(done: int, label: str) -> None:
        if progress:
            progress(done, steps, label)

    tick(0, "building the town and its people")
    world = World(seed, children, start, months)
    groups = build_groups(world, stream(seed, "groups"))
    world.groups = groups
    tick(1, "playing out the groups' timelines")
    timeline = Timeline(world, groups, seed)
    timeline.build()
    by_month: dict[int, list[Happening]] = {}
    for h in timeline.happenings:
        by_month.setdefault(
            (h.when.year - start.year) * 12 + h.when.month - start.month, []
        ).append(h)
    routine = Routine(world, stream(seed, "routine"), np_stream(seed, "routine"))
    confounders = Confounders(world, stream(seed, "confounders"), np_stream(seed, "confounders"))
    truth = TruthWriter(out / "truth")
    writers: dict[type, Agency] = {
        kind: cls(out, world, truth, noise, seed) for kind, cls in WRITERS.items()
    }
    tick(2, "writing agency extracts")
    for m in range(months):
        first = _add_months(start, m)
        days = monthrange(first.year, first.month)[1]
        batch = routine.month(m, first, days)
        batch += confounders.month(first, days)
        batch += by_month.get(m, [])
        batch.sort(key=_when)
        for h in batch:
            writers[type(h)].handle(h)
        month_end = datetime(first.year, first.month, days, 23, 59, 59)
        for w in writers.values():
            w.release(month_end)
        tick(3 + m, f"month {m + 1} of {months}")
    for w in writers.values():
        w.close()
    truth.world(world, groups, timeline)
    truth.close()
    stats = CityStats(
        seed=seed,
        children=children,
        months=months,
        noise=noise,
        start_date=start.isoformat(),
        end_date=world.end.isoformat(),
        records_by_file={w.filename: w.rows for w in writers.values()},
        persons=len(world.persons),
        groups=sum(1 for g in groups if g.kind == "group"),
        lone_offenders=sum(1 for g in groups if g.kind == "lone"),
        offenders=sum(len(g.members) for g in groups),
        victims=len({v.pid for g in groups for v in g.victims}),
        evidence_records=truth.evidence_records,
        malformed_rows=sum(getattr(w, "malformed", 0) for w in writers.values()),
        not_yet_received=sum(w.dropped_late for w in writers.values()),
    )
    stats.records = sum(stats.records_by_file.values())
    manifest = {
        "city": {
            "generator": "joinedup.synth",
            "seed": seed,
            "children": children,
            "months": months,
            "noise": noise,
            "start_date": stats.start_date,
            "end_date": stats.end_date,
            "records": stats.records,
        },
        "files": [{"path": w.filename, "spec": w.spec} for w in writers.values()],
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    stats.seconds = round(time.perf_counter() - t0, 2)
    tick(steps, "done")
    return stats


def _when(h: Happening) -> datetime:
    return h.when
