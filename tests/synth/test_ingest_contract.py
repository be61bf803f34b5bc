"""The files read through the real ingest mapper give exactly the mentions the truth names.

This is the contract between synth and ingest: slot names, what free text yields, and
which rows are quarantined. It is skipped only if the ingest package is absent.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from joinedup.feeds import get_spec

from .helpers import manifest, truth_rows

mapper = pytest.importorskip("joinedup.ingest.mapper")
readers = pytest.importorskip("joinedup.ingest.readers")

KINDS = {"persons": "person", "vehicles": "vehicle", "phones": "phone", "locations": "location"}


def _text_value(kind: str, m) -> str | None:
    return {
        "person": lambda: m.nickname,
        "vehicle": lambda: m.vrm or m.pattern,
        "phone": lambda: m.e164,
        "location": lambda: m.postcode,
    }[kind]()


def test_mapper_agrees_with_truth(city) -> None:
    slots: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in truth_rows(city.folder, "mentions"):
        slots[(r["spec"], r["source_ref"])].add(r["slot"])
    texts: dict[tuple[str, str], set[tuple]] = defaultdict(set)
    for r in truth_rows(city.folder, "text_mentions"):
        texts[(r["spec"], r["source_ref"])].add((r["column"], r["kind"], r["value"]))
    expected_quarantine = {
        (q["spec"], q["source_ref"]) for q in truth_rows(city.folder, "quarantines")
    }
    wanted = 0
    missed: list[tuple] = []
    for entry in manifest(city.folder)["files"]:
        spec = get_spec(entry["spec"])
        stream = readers.open_rows(city.folder / entry["path"], spec)
        extracted: dict[tuple[str, str], set[tuple]] = defaultdict(set)
        quarantined = set()
        try:
            for source_row in stream.rows:
                assert source_row.fields is not None, source_row.error
                try:
                    mapped = mapper.map_row(spec, source_row.fields, source_row.row_number)
                except mapper.RowError:
                    quarantined.add(
                        (entry["spec"], source_row.fields[spec.record.source_ref.column])
                    )
                    continue
                key = (entry["spec"], mapped.source_ref)
                structural = set()
                for attr, kind in KINDS.items():
                    for m in getattr(mapped, attr):
                        if m.slot.startswith("text:"):
                            column = m.slot.split(":")[1]
                            extracted[key].add((column, kind, _text_value(kind, m)))
                        else:
                            structural.add(m.slot)
                assert structural == slots[key], key
        finally:
            stream.close()
        assert quarantined == {k for k in expected_quarantine if k[0] == entry["spec"]}
        for key, found in extracted.items():
            wanted += len(texts[key])
            missed += [(key, t) for t in texts[key] - found]
    # Free-text extraction is heuristic: a plate like "OF6..." after "part reg" can be
    # read as the filler word "of". Nearly every value must still be found.
    assert wanted > 100
    assert len(missed) <= 0.03 * wanted, missed
