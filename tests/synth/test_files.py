"""Every file is in its spec's format, with the spec's columns, codes and date formats."""

from __future__ import annotations

from datetime import datetime

import pytest

from joinedup.feeds import builtin_specs, get_spec

from .helpers import header, manifest, rows

SPEC_FORMATS = {
    "police_incidents": "jsonl",
    "police_stops": "csv",
    "missing_episodes": "csv",
    "social_care": "xlsx",
    "health_attendances": "csv",
    "education_concerns": "csv",
    "anpr_reads": "csv",
    "hotel_register": "csv",
    "taxi_licences": "csv",
}


def test_builtin_specs_load() -> None:
    specs = builtin_specs()
    assert set(SPEC_FORMATS) | {"person_list"} <= set(specs)
    for name, fmt in SPEC_FORMATS.items():
        assert specs[name].format == fmt
    assert specs["person_list"].event is None


def test_manifest_names_every_file(city) -> None:
    m = manifest(city.folder)
    assert {f["spec"] for f in m["files"]} == set(SPEC_FORMATS)
    for entry in m["files"]:
        assert (city.folder / entry["path"]).is_file()
        assert get_spec(entry["spec"]).format == SPEC_FORMATS[entry["spec"]]
    assert m["city"]["seed"] == 7 and m["city"]["children"] == 300


@pytest.mark.parametrize("spec_name", sorted(SPEC_FORMATS))
def test_header_has_every_column_the_spec_reads(city, spec_name: str) -> None:
    spec = get_spec(spec_name)
    entry = next(f for f in manifest(city.folder)["files"] if f["spec"] == spec_name)
    cols = set(header(city.folder / entry["path"], spec))
    assert set(spec.required) <= cols
    if spec.format != "jsonl":  # JSONL leaves out keys with no value
        assert spec.columns() <= cols, spec.columns() - cols
    else:
        assert set(spec.required) | {"narrative", "location"} <= cols


def _coded_columns(spec):
    """(column, code list) for every flat column read through a code list."""
    out = []
    for ref in spec.field_refs():
        if ref.codes and ref.column and "{n}" not in ref.column:
            out.append((ref.column, ref.codes))
    return out


@pytest.mark.parametrize("spec_name", sorted(SPEC_FORMATS))
def test_codes_and_dates_read_with_the_spec(city, spec_name: str) -> None:
    """No code outside the spec's lists (it would quarantine), dates in the declared formats."""
    spec = get_spec(spec_name)
    entry = next(f for f in manifest(city.folder)["files"] if f["spec"] == spec_name)
    coded = _coded_columns(spec)
    date_refs = [r for r in (spec.event.start, spec.record.received_at) if r is not None]
    bad_dates = 0
    n = 0
    for row in rows(city.folder / entry["path"], spec):
        n += 1
        items = row.get("persons", [row]) if spec.format == "jsonl" else [row]
        for item in [row, *items]:
            for column, codes in coded:
                value = item.get(column) if isinstance(item, dict) else None
                if value not in (None, ""):
                    assert str(value) in spec.codes[codes] or "*" in spec.codes[codes], (
                        column,
                        value,
                    )
        for ref in date_refs:
            value = row.get(ref.column)
            if isinstance(value, datetime) or hasattr(value, "year"):
                continue  # a real XLSX date cell
            formats = ref.formats or spec.date_formats
            for fmt in formats:
                try:
                    datetime.strptime(str(value), fmt)
                    break
                except ValueError:
                    continue
            else:
                bad_dates += 1
    assert n > 0
    expected_bad = 1 if spec_name == "missing_episodes" else 0  # the planted 30/31 February
    assert bad_dates == expected_bad


def test_health_file_is_windows_1252_with_semicolons(city) -> None:
    raw = (city.folder / "health_attendances.csv").read_bytes()
    raw.decode("cp1252")
    first = raw.split(b"\r\n", 1)[0].decode("cp1252")
    assert first.startswith("AttendanceNo;") and "," not in first
    names = [
        r["PatientName"]
        for r in rows(city.folder / "health_attendances.csv", get_spec("health_attendances"))
    ]
    assert sum(", " in n and n.split(",")[0].isupper() for n in names) > 0.6 * len(names)
