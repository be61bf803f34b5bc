"""Issue 2's mapping bar: `mapped_rows` at least twice as fast as `record_rows(map_row())`.

Measured as a ratio of CPU time on the same rows in one process (both after a first pass,
so the value normalisers' caches are warm for both), which a busy machine slows alike.
"""

from __future__ import annotations

import json
import time

import pytest

from joinedup.feeds import get_spec
from joinedup.ingest import readers
from joinedup.ingest.layout import Values, mapped_rows, record_rows
from joinedup.ingest.mapper import RowError, map_row
from joinedup.synth import generate_city


def _cpu(fn, work) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(3):
        t0 = time.process_time()
        for spec, row_number, fields in work:
            try:
                fn(spec, fields, row_number)
            except RowError:
                pass
        best = min(best, time.process_time() - t0)
    return best


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> list[tuple]:
    folder = tmp_path_factory.mktemp("speed_city")
    generate_city(seed=3, children=80, months=6, out_dir=folder)
    rows = []
    for entry in json.loads((folder / "manifest.json").read_text())["files"]:
        spec = get_spec(entry["spec"])
        stream = readers.open_rows(folder / entry["path"], spec)
        try:
            rows += [(spec, r.row_number, r.fields) for r in stream.rows if r.fields]
        finally:
            stream.close()
    return rows


@pytest.mark.xfail(
    reason="issue 2 mapping bar not met: mapped_rows takes 0.62x the CPU of "
    "record_rows(map_row()) here (rows seen before), and about 1.0x on first sight "
    "(42.2 vs 43.2 us/record on the 100k city, benchmarks/mapping.py pass 1), where the "
    "value normalisers' first parse of each phone number and date dominates",
    strict=True,
)
def test_mapped_rows_twice_as_fast_as_the_dataclass_path(work) -> None:
    values = Values("sqlite")

    def reference(spec, fields, row_number):  # type: ignore[no-untyped-def]
        return record_rows(map_row(spec, fields, row_number), values)

    def fast(spec, fields, row_number):  # type: ignore[no-untyped-def]
        return mapped_rows(spec, fields, row_number, values)

    _cpu(reference, work)  # warm the normalisers' caches and mapped_rows' memo
    _cpu(fast, work)
    assert _cpu(fast, work) <= 0.5 * _cpu(reference, work)
