"""Reading a synthetic city's files back, and the mention-slot contract, for the tests."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from joinedup.feeds import FeedSpec, FieldRef, get_spec

EMPTY = frozenset({"", "null", "none", "n/a", "na", "n/k", "nk", "not known", "unknown"})


def manifest(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def truth_rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / "truth" / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def header(path: Path, spec: FeedSpec) -> list[str]:
    if spec.format == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        sheet = book[spec.options.sheet] if spec.options.sheet else book.worksheets[0]
        first = next(sheet.iter_rows(values_only=True))
        book.close()
        return [str(v) for v in first if v is not None]
    if spec.format == "jsonl":
        keys: set[str] = set()
        with path.open(encoding="utf-8") as f:
            for line in f:
                keys |= set(json.loads(line))
        return sorted(keys)
    with path.open(encoding=spec.options.encoding, newline="") as f:
        return next(csv.reader(f, delimiter=spec.options.delimiter))


def rows(path: Path, spec: FeedSpec) -> Iterator[dict[str, Any]]:
    """Every record of a file as a dict (cells as text, JSON objects as parsed)."""
    if spec.format == "jsonl":
        with path.open(encoding="utf-8") as f:
            for line in f:
                yield json.loads(line)
    elif spec.format == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        sheet = book[spec.options.sheet] if spec.options.sheet else book.worksheets[0]
        it = sheet.iter_rows(values_only=True)
        names = [str(v) for v in next(it)]
        for values in it:
            yield {n: ("" if v is None else v) for n, v in zip(names, values, strict=False)}
        book.close()
    else:
        with path.open(encoding=spec.options.encoding, newline="") as f:
            yield from csv.DictReader(f, delimiter=spec.options.delimiter)


def _get(obj: Any, column: str) -> Any:
    if isinstance(obj, dict) and column in obj:
        return obj[column]
    for part in column.split("."):
        if not isinstance(obj, dict):
            return None
        obj = obj.get(part)
    return obj


def _text(value: Any) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    text = str(value).strip()
    return "" if text.casefold() in EMPTY else text


def produced_slots(spec: FeedSpec, row: dict[str, Any]) -> dict[str, str]:
    """The mention slots a row yields under the slot contract (docs/feeds.md), by kind."""
    out: dict[str, str] = {}
    kinds = (
        ("person", spec.persons, ("name", "forename", "surname", "nickname")),
        ("vehicle", spec.vehicles, ("registration", "make", "model", "colour")),
        ("phone", spec.phones, ("number",)),
        (
            "location",
            spec.locations,
            ("name", "address", "postcode", "property_ref", "place_type", "lat", "lon"),
        ),
    )
    for kind, blocks, fields in kinds:
        for block in blocks:
            for slot, values in _instances(block, row):
                if any(values(f) for f in fields):
                    out[slot] = kind
                    if kind == "person":
                        if values("phone"):
                            out[f"{slot}.phone"] = "phone"
                        if values("address") or values("postcode"):
                            out[f"{slot}.address"] = "location"
    return out


def _instances(block: Any, row: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    def reader(source: Any, n: int | None = None, part: str | None = None):
        def value(field: str) -> str:
            ref = getattr(block, field, None)
            if ref is None:
                return ""
            if ref.value is not None:
                return ref.value
            if part is not None and ref.split is not None:
                return part
            column = ref.column.replace("{n}", str(n)) if n is not None else ref.column
            return _text(_get(source, column))

        return value

    if block.each:
        for i, item in enumerate(_get(row, block.each) or []):
            yield f"{block.slot}[{i}]", reader(item)
        return
    if block.repeat:
        for n in range(1, block.repeat + 1):
            yield f"{block.slot}[{n - 1}]", reader(row, n)
        return
    refs = [getattr(block, f) for f in type(block).model_fields]
    split = next((r for r in refs if isinstance(r, FieldRef) and r.split is not None), None)
    if split is not None:
        parts = [p.strip() for p in _text(_get(row, split.column)).split(split.split)]
        for i, part in enumerate(p for p in parts if p and p.casefold() not in EMPTY):
            yield f"{block.slot}[{i}]", reader(row, part=part)
        return
    yield block.slot, reader(row)


def spec_of(folder: Path, path: str) -> FeedSpec:
    entry = next(f for f in manifest(folder)["files"] if f["path"] == path)
    return get_spec(entry["spec"])
