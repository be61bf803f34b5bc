"""A feed spec compiled to straight-line Python: one function from a row's cells to its rows.

`compiled_rows(spec, values)` gives `rows(fields, row_number)`, the same RecordRows (or
the same RowError) as `layout.record_rows(mapper.map_row(...))`, compiled once per spec
and dialect from the source `compiler.source` writes; here is what that code calls, its
memo among them. `python -m joinedup.ingest.compiled SPEC` prints a spec's source.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from joinedup.feeds.loader import get_spec, load_spec
from joinedup.feeds.spec import FeedSpec
from joinedup.ingest import compiler, layout, mapper
from joinedup.ingest.mapper import PLACEHOLDERS, RowError
from joinedup.ingest.normalise import (
    DateError,
    clean_name,
    normalise_address,
    parse_date,
    parse_date_of_birth,
    parse_moment,
    parse_phone,
    parse_plate,
    parse_postcode,
    split_full_name,
)
from joinedup.ingest.normalise.dates import NO_MOMENT
from joinedup.pole import DatePrecision, EventFacts, MappedRecord, ParsedDate

Rows = Callable[[dict[str, Any], int], layout.RecordRows]

BLOCK_CACHE_ROWS = 2048  # per generation and block instance: a few MB at most
MEMO_TRIAL = 500  # instances looked up before a block may give up memoising...
MEMO_MIN_HITS = 0.3  # ...because fewer than this share were repeats (misses cost GC)
NO_ROWS: tuple[()] = ()  # what a block instance that names nothing lays out to
_TEXT_TYPES = frozenset({str, type(None)})
_KEY_TYPES = _TEXT_TYPES | {int, float, bool}


# -- what the generated code calls ---------------------------------------------------------


class _Memo:
    """One block instance's laid-out rows, keyed by the cells it reads (see `_Block.key`).

    Two generations: when the newer is full it becomes the older and the oldest go. A
    block whose cells rarely repeat stops memoising: its keys cost more than they save.
    """

    __slots__ = ("cache", "older", "on", "lookups", "misses", "limit", "trial", "min_hits")

    def __init__(self) -> None:
        self.cache: dict[tuple[Any, ...], Any] = {}
        self.older: dict[tuple[Any, ...], Any] = {}
        self.on = True
        self.lookups = 0
        self.misses = 0
        self.limit, self.trial, self.min_hits = BLOCK_CACHE_ROWS, MEMO_TRIAL, MEMO_MIN_HITS

    def miss(self, key: tuple[Any, ...], lay_out: Callable[..., Any], cells: tuple) -> Any:
        """Rows for `key`, not in the newer generation: from the older, else laid out."""
        parts = self.older.get(key)
        if parts is None:
            parts = lay_out(*cells)
            self.misses += 1
            hits = self.lookups - self.misses
            if self.lookups >= self.trial and hits < self.lookups * self.min_hits:
                self.on = False
                self.cache, self.older = {}, {}
                return parts
        if len(self.cache) >= self.limit:
            self.older = self.cache
            self.cache = {}
        self.cache[key] = parts
        return parts

    def look(self, cells: tuple[Any, ...], lay_out: Callable[..., Any]) -> Any:
        """The slow path: the memo given up, or cells other than text (JSON values).

        1, 1.0 and True are one dict key, as are 0.0 and -0.0, but their text differs:
        such cells are keyed by type and repr. A list or dict cell is never a key.
        """
        if not self.on or not _KEY_TYPES.issuperset(map(type, cells)):
            return lay_out(*cells)
        key = tuple(c if type(c) in _TEXT_TYPES else (type(c), repr(c)) for c in cells)
        self.lookups += 1
        parts = self.cache.get(key)
        return self.miss(key, lay_out, cells) if parts is None else parts


def _unlisted(code: str, folded: dict[str, str], star: str | None, column: str, name: str) -> Any:
    """A code not in its list as written: `_Field._decode`'s case-folded and "*" rules."""
    value = folded.get(code.casefold(), star)
    if value is None:
        raise RowError(column, f"code {code!r} is not in code list {name!r}")
    if value == "=":
        value = code
    return None if value == "ignore" else value


def _owner(person: str, slot: str, persons: list[layout.Row]) -> int | None:
    """The index of the person a vehicle or phone belongs to (`mapper._person_slot`)."""
    at = {row[0]: i for i, row in enumerate(persons)}
    index = slot[slot.index("[") :] if "[" in slot else ""
    found = at.get(person + index)
    return at.get(person) if found is None else found


TEXT_MEMO_ROWS = 4096  # texts remembered, then it starts again (notes up to a few KB each)
_TEXT_MEMO: dict[tuple[Any, ...], tuple[Any, ...]] = {}


def _text_mentions(
    columns: tuple[str, ...],
    fields: dict[str, Any],
    attributes: dict[str, Any] | None,
    values: layout.Values,
) -> tuple[tuple[layout.Row, ...], ...] | None:
    """Rows of the mentions found in free text, by the mapper's own rules; None for none.

    Dates found go into the event's `attributes`, as `mapper._free_text` puts them. What
    a text gives depends on the text alone (extraction is pure), and notes repeat ("No
    further action"), so the rows of each text are remembered (up to TEXT_MEMO_ROWS
    texts), except for the portable path, whose rows hold dicts.
    """
    texts = tuple(mapper._as_text(mapper._lookup(fields, c)) for c in columns)
    if not any(texts):
        return None
    key = (columns, texts, values.key)
    # Rows holding dicts (the portable path's) are never shared between records.
    found = _TEXT_MEMO.get(key) if values.shareable else None
    if found is None:
        out = MappedRecord(row_number=0, raw=dict(zip(columns, texts, strict=True)))
        out.event = EventFacts(event_type="", attributes={})
        mapper._free_text(columns, out.raw, out)
        found = (
            tuple(layout.person_row(p, values) for p in out.persons),
            tuple(layout.location_row(loc)[0] for loc in out.locations),
            tuple(layout.vehicle_row(v)[0] for v in out.vehicles),
            tuple(layout.phone_row(ph)[0] for ph in out.phones),
            tuple(out.event.attributes.get("dates_in_text", ())),
        )
        if values.shareable:
            if len(_TEXT_MEMO) >= TEXT_MEMO_ROWS:
                _TEXT_MEMO.clear()
            _TEXT_MEMO[key] = found
    if found[4] and attributes is not None:
        dates = attributes.setdefault("dates_in_text", [])
        dates.extend(dict(d) for d in found[4])
    return found[:4]


def _environment(values: layout.Values) -> dict[str, Any]:
    """The names generated code may use, besides its own constants."""
    return {
        "RowError": RowError,
        "DateError": DateError,
        "ParsedDate": ParsedDate,
        "PLACEHOLDERS": PLACEHOLDERS,
        "SEX": mapper.SEX,
        "PRECISION": {p: p.value for p in DatePrecision},  # .get(None) is None
        "NO_ROWS": NO_ROWS,
        "TEXT_TYPES": _TEXT_TYPES,
        "Memo": _Memo,
        "VALUES": values,
        "J": values.json,
        "quoted": layout._quoted,
        "DT": values.datetime,
        "D": values.date,
        "as_text": mapper._as_text,
        "lookup": mapper._lookup,
        "as_datetime": mapper.as_datetime,
        "grading": mapper._grading,
        "to_float": mapper._float,
        "unlisted": _unlisted,
        "owner": _owner,
        "text_mentions": _text_mentions,
        "parse_date": parse_date,
        "parse_date_of_birth": parse_date_of_birth,
        "parse_moment": parse_moment,
        "NO_MOMENT": NO_MOMENT,
        "clean_name": clean_name,
        "split_full_name": split_full_name,
        "normalise_address": normalise_address,
        "parse_postcode": parse_postcode,
        "parse_phone": parse_phone,
        "parse_plate": parse_plate,
    }


# -- compiling and caching ---------------------------------------------------------------------


def compiled_rows(spec: FeedSpec, values: layout.Values) -> Rows:
    """`spec`'s rows function for `values`, compiled once per spec object and dialect."""
    plan = mapper._plan(spec)
    found = plan.layouts.get(values.key)
    if found is None:
        text = compiler.source(spec, values)
        namespace = _environment(values)
        exec(compile(text, f"<feed spec {spec.name}>", "exec"), namespace)
        found = plan.layouts[values.key] = namespace["rows"]
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Print a feed spec's compiled mapping.")
    parser.add_argument("spec", help="a built-in spec's name, or a spec YAML file")
    parser.add_argument("--dialect", default="sqlite", choices=("sqlite", "postgresql", "other"))
    args = parser.parse_args(argv)
    path = Path(args.spec)
    spec = load_spec(path) if path.suffix in (".yaml", ".yml") else get_spec(args.spec)
    print(compiler.source(spec, layout.Values(args.dialect)), end="")


if __name__ == "__main__":
    main()
