"""Apply a feed spec to one row: read fields, translate codes, normalise values.

`map_row` returns a `MappedRecord` of POLE mentions and an event, or raises `RowError`
naming the field at fault, which sends the row to quarantine. It decides no identity.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from joinedup.feeds.spec import (
    EventBlock,
    FeedSpec,
    FieldRef,
    LocationBlock,
    PersonBlock,
    PhoneBlock,
    VehicleBlock,
)
from joinedup.ingest.freetext import extract_mentions
from joinedup.ingest.normalise import (
    DateError,
    clean_name,
    normalise_address,
    parse_date,
    parse_phone,
    parse_plate,
    parse_postcode,
    split_full_name,
)
from joinedup.pole import (
    EventFacts,
    Grading,
    LocationMention,
    MappedRecord,
    ParsedDate,
    PersonMention,
    PhoneMention,
    VehicleMention,
)

PLACEHOLDERS = frozenset({"", "null", "none", "n/a", "na", "n/k", "nk", "not known", "unknown"})
SEX = {
    "m": "M",
    "male": "M",
    "f": "F",
    "female": "F",
    "u": "U",
    "x": "U",
    "unknown": "U",
    "not known": "U",
}
GRADING_RE = re.compile(r"^\s*([1-3A-E])\s*[-/ ]?\s*([A-E1-5])\s*[-/ ]?\s*([PC1-5])?\s*$", re.I)


class RowError(ValueError):
    """This row cannot be stored as it is; it goes to quarantine with this reason."""

    def __init__(self, field: str | None, reason: str):
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}" if field else reason)


class _Row:
    """Field access for one row (or one list item of it), with codes and templates."""

    def __init__(self, spec: FeedSpec, fields: dict[str, Any], item: dict[str, Any] | None = None):
        self.spec = spec
        self.fields = fields
        self.item = item

    def text(self, ref: FieldRef | None, n: int | None = None) -> str | None:
        if ref is None:
            return None
        if ref.value is not None:
            value: Any = ref.value
            column = "(literal)"
        else:
            column = ref.column or ""
            if n is not None:
                column = column.replace("{n}", str(n))
            value = _lookup(self.item if self.item is not None else self.fields, column)
        text = _as_text(value)
        if text is None and ref.default is not None:
            text = ref.default
        if text is None:
            if ref.required:
                raise RowError(column, "a value is required here but the cell is empty")
            return None
        if ref.codes:
            text = self._decode(ref.codes, text, column)
        return text

    def _decode(self, code_list: str, code: str, column: str) -> str | None:
        table = self.spec.codes[code_list]
        if code in table:
            value = table[code]
        else:
            folded = {k.casefold(): v for k, v in table.items()}
            value = folded.get(code.casefold(), table.get("*"))
            if value is None:
                raise RowError(column, f"code {code!r} is not in code list {code_list!r}")
            if value == "=":
                value = code
        return None if value == "ignore" else value

    def date(self, ref: FieldRef | None, n: int | None = None) -> ParsedDate | None:
        raw = self.text(ref, n)
        if raw is None or ref is None:
            return None
        formats = ref.formats or self.spec.date_formats
        return parse_date(raw, formats, dayfirst=self.spec.dayfirst)


def _lookup(obj: Any, path: str) -> Any:
    if not isinstance(obj, dict):
        return None
    if path in obj:
        return obj[path]
    value: Any = obj
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _as_text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    if text.casefold() in PLACEHOLDERS:
        return None
    return text


def _block_instances(block: Any, row: _Row) -> Iterator[tuple[str, _Row, int | None, str | None]]:
    """(slot, row view, {n} value, split value) for each occurrence of a block."""
    if block.each:
        items = _lookup(row.fields, block.each)
        if isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, dict):
                    yield f"{block.slot}[{i}]", _Row(row.spec, row.fields, item), None, None
        return
    if block.repeat:
        for n in range(1, block.repeat + 1):
            yield f"{block.slot}[{n - 1}]", row, n, None
        return
    split_ref = next(
        (r for r in _refs(block) if r.split is not None and r.column is not None), None
    )
    if split_ref is not None:
        cell = row.text(FieldRef(column=split_ref.column)) or ""
        parts = [p.strip() for p in cell.split(split_ref.split or ";")]
        for i, part in enumerate(p for p in parts if p and p.casefold() not in PLACEHOLDERS):
            yield f"{block.slot}[{i}]", row, None, part
        return
    yield block.slot, row, None, None


def _refs(block: Any) -> list[FieldRef]:
    return [
        getattr(block, f)
        for f in type(block).model_fields
        if isinstance(getattr(block, f), FieldRef)
    ]


def _get(row: _Row, block: Any, name: str, n: int | None, split_value: str | None) -> str | None:
    ref: FieldRef | None = getattr(block, name)
    if ref is None:
        return None
    if split_value is not None and ref.split is not None:
        return split_value
    return row.text(ref, n)


def _map_person(
    block: PersonBlock, slot: str, row: _Row, n: int | None, sv: str | None, out: MappedRecord
) -> None:
    raw_name = _get(row, block, "name", n, sv)
    forename_raw = _get(row, block, "forename", n, sv)
    surname_raw = _get(row, block, "surname", n, sv)
    nickname_raw = _get(row, block, "nickname", n, sv)
    if not any((raw_name, forename_raw, surname_raw, nickname_raw)):
        return
    role = row.text(block.role, n) or "subject"
    parts = split_full_name(raw_name) if raw_name else None
    forename = clean_name(forename_raw) if forename_raw else (parts.forename if parts else None)
    surname = clean_name(surname_raw) if surname_raw else (parts.surname if parts else None)
    middle = clean_name(_get(row, block, "middle_names", n, sv)) or (
        parts.middle_names if parts else None
    )
    nickname = nickname_raw or (parts.quoted_nickname if parts else None)
    dob_raw = _get(row, block, "dob", n, sv)
    dob: ParsedDate | None = ParsedDate(None, None, dob_raw) if dob_raw else None
    if dob_raw:
        try:
            dob = parse_date(
                dob_raw, block.dob.formats or row.spec.date_formats, dayfirst=row.spec.dayfirst
            )  # type: ignore[union-attr]
        except DateError:
            dob = ParsedDate(None, None, dob_raw)  # kept as written; resolution sees no DOB
    sex_raw = _get(row, block, "sex", n, sv)
    address_raw = _get(row, block, "address", n, sv)
    postcode_raw = _get(row, block, "postcode", n, sv)
    address = normalise_address(address_raw) if address_raw else None
    postcode = parse_postcode(postcode_raw) if postcode_raw else None
    if postcode is None and address is not None:
        postcode = address.postcode
    person = PersonMention(
        slot=slot,
        role=role,
        raw_name=raw_name or " ".join(x for x in (forename_raw, surname_raw) if x) or None,
        forename=forename,
        middle_names=middle,
        surname=surname,
        full_name=raw_name,
        nickname=nickname,
        dob=dob,
        sex=SEX.get(sex_raw.casefold(), sex_raw) if sex_raw else None,
        address=address.address if address else None,
        postcode=postcode,
        identifiers=_dict(row, block.identifiers, n, sv),
        protected=_dict(row, block.protected, n, sv),
        attributes=_dict(row, block.attributes, n, sv),
        raw={
            k: v
            for k, v in {
                "name": raw_name,
                "forename": forename_raw,
                "surname": surname_raw,
                "nickname": nickname_raw,
                "sex": sex_raw,
                "address": address_raw,
                "postcode": postcode_raw,
                "age": _get(row, block, "age", n, sv),
            }.items()
            if v
        },
    )
    out.persons.append(person)
    phone_raw = _get(row, block, "phone", n, sv)
    if phone_raw:
        out.phones.append(_phone(f"{slot}.phone", "phone", phone_raw, slot))
    if address_raw or postcode_raw:
        out.locations.append(
            LocationMention(
                slot=f"{slot}.address",
                role="home_address",
                raw=", ".join(x for x in (address_raw, postcode_raw) if x),
                address=address.address if address else None,
                postcode=postcode,
            )
        )


def _dict(row: _Row, refs: dict[str, FieldRef], n: int | None, sv: str | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, ref in refs.items():
        value = sv if (sv is not None and ref.split is not None) else row.text(ref, n)
        if value is not None:
            out[key] = value
    return out


def _phone(slot: str, role: str, raw: str, person_slot: str | None) -> PhoneMention:
    parsed = parse_phone(raw)
    return PhoneMention(
        slot=slot,
        role=role,
        raw=raw,
        e164=parsed.e164 if parsed else None,
        valid=bool(parsed and parsed.valid),
        person_slot=person_slot,
    )


def _map_vehicle(
    block: VehicleBlock, slot: str, row: _Row, n: int | None, sv: str | None, out: MappedRecord
) -> None:
    reg = _get(row, block, "registration", n, sv)
    make = _get(row, block, "make", n, sv)
    model = _get(row, block, "model", n, sv)
    colour = _get(row, block, "colour", n, sv)
    if not any((reg, make, model, colour)):
        return
    plate = parse_plate(reg) if reg else None
    out.vehicles.append(
        VehicleMention(
            slot=slot,
            role=row.text(block.role, n) or "vehicle",
            raw=reg,
            vrm=plate.vrm if plate else None,
            pattern=plate.pattern if plate else None,
            plate_format=plate.format if plate else None,
            make=make.upper() if make else None,
            model=model.upper() if model else None,
            colour=colour.lower() if colour else None,
            person_slot=_person_slot(block.person, slot, out),
        )
    )


def _person_slot(person: str | None, slot: str, out: MappedRecord) -> str | None:
    """The person slot a vehicle or phone belongs to; an indexed slot pairs with its index."""
    if person is None:
        return None
    index = slot[slot.index("[") :] if "[" in slot else ""
    wanted = f"{person}{index}"
    slots = {p.slot for p in out.persons}
    if wanted in slots:
        return wanted
    return person if person in slots else None


def _map_phone(
    block: PhoneBlock, slot: str, row: _Row, n: int | None, sv: str | None, out: MappedRecord
) -> None:
    raw = _get(row, block, "number", n, sv)
    if raw:
        person = _person_slot(block.person, slot, out)
        out.phones.append(_phone(slot, row.text(block.role, n) or "phone", raw, person))


def _map_location(
    block: LocationBlock, slot: str, row: _Row, n: int | None, sv: str | None, out: MappedRecord
) -> None:
    values = {
        f: _get(row, block, f, n, sv)
        for f in ("name", "address", "postcode", "property_ref", "place_type", "lat", "lon")
    }
    if not any(values.values()):
        return
    address = normalise_address(values["address"]) if values["address"] else None
    postcode = parse_postcode(values["postcode"]) if values["postcode"] else None
    if postcode is None and address is not None:
        postcode = address.postcode
    out.locations.append(
        LocationMention(
            slot=slot,
            role=row.text(block.role, n) or "location",
            raw=", ".join(
                v for k, v in values.items() if v and k in ("name", "address", "postcode")
            ),
            name=values["name"].upper() if values["name"] else None,
            address=address.address if address else None,
            postcode=postcode,
            property_ref=values["property_ref"],
            place_type=values["place_type"],
            lat=_float(values["lat"], "lat"),
            lon=_float(values["lon"], "lon"),
        )
    )


def _float(text: str | None, name: str) -> float | None:
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        raise RowError(name, f"{text!r} is not a number") from None


def _map_event(block: EventBlock, row: _Row, out: MappedRecord) -> None:
    try:
        start = row.date(block.start)
        end = row.date(block.end)
    except DateError as exc:
        column = (block.start.column if block.start else None) or "event date"
        raise RowError(column, str(exc)) from None
    event_type = row.text(block.type)
    if event_type is None:
        raise RowError(block.type.column, "the event type is empty")
    location_slot = None
    if block.location:
        location_slot = next(
            (loc.slot for loc in out.locations if loc.slot.split("[")[0] == block.location), None
        )
    out.event = EventFacts(
        event_type=event_type,
        start=start,
        end=end,
        location_slot=location_slot,
        description=row.text(block.description),
        attributes=_dict(row, block.attributes, None, None),
    )


def _grading(text: str | None) -> Grading | None:
    if not text:
        return None
    m = GRADING_RE.match(text)
    if not m:
        return None  # kept verbatim in the record's raw fields
    return Grading(m.group(1).upper(), m.group(2).upper(), (m.group(3) or "").upper() or None)


def _received_at(row: _Row, spec: FeedSpec) -> ParsedDate | None:
    try:
        return row.date(spec.record.received_at)
    except DateError as exc:
        raise RowError(
            spec.record.received_at.column if spec.record.received_at else None, str(exc)
        ) from None


def _free_text(spec: FeedSpec, fields: dict[str, Any], out: MappedRecord) -> None:
    for column in spec.free_text:
        text = _as_text(_lookup(fields, column))
        if not text:
            continue
        out.free_text[column] = text
        for ex in extract_mentions(column, text):
            slot = f"text:{column}:{ex.span.start}"
            if ex.kind == "vehicle":
                is_pattern = "?" in ex.value or "*" in ex.value
                out.vehicles.append(
                    VehicleMention(
                        slot=slot,
                        role="mentioned",
                        raw=ex.raw,
                        vrm=None if is_pattern else ex.value,
                        pattern=ex.value if is_pattern else None,
                        plate_format="partial" if is_pattern else None,
                        span=ex.span,
                    )
                )
            elif ex.kind == "phone":
                phone = _phone(slot, "mentioned", ex.raw, None)
                phone.span = ex.span
                out.phones.append(phone)
            elif ex.kind == "postcode":
                out.locations.append(
                    LocationMention(
                        slot=slot, role="mentioned", raw=ex.raw, postcode=ex.value, span=ex.span
                    )
                )
            elif ex.kind == "nickname":
                out.persons.append(
                    PersonMention(
                        slot=slot,
                        role="mentioned",
                        raw_name=ex.raw,
                        nickname=ex.value,
                        span=ex.span,
                    )
                )
            elif ex.kind == "date" and out.event is not None:
                dates = out.event.attributes.setdefault("dates_in_text", [])  # type: ignore[arg-type]
                dates.append(
                    {"field": column, "start": ex.span.start, "end": ex.span.end, "value": ex.value}
                )  # type: ignore[attr-defined]


def map_row(spec: FeedSpec, fields: dict[str, Any], row_number: int) -> MappedRecord:
    """Map one row's fields onto POLE with `spec`; raises RowError for quarantine."""
    row = _Row(spec, fields)
    out = MappedRecord(row_number=row_number, raw=fields)
    out.source_ref = row.text(spec.record.source_ref)
    if spec.record.source_ref is not None and out.source_ref is None:
        raise RowError(spec.record.source_ref.column, "the record has no reference (ID) of its own")
    out.received_at = _received_at(row, spec)
    out.grading = _grading(row.text(spec.record.grading))
    for pblock in spec.persons:
        for slot, view, n, sv in _block_instances(pblock, row):
            _map_person(pblock, slot, view, n, sv, out)
    for vblock in spec.vehicles:
        for slot, view, n, sv in _block_instances(vblock, row):
            _map_vehicle(vblock, slot, view, n, sv, out)
    for phblock in spec.phones:
        for slot, view, n, sv in _block_instances(phblock, row):
            _map_phone(phblock, slot, view, n, sv, out)
    for lblock in spec.locations:
        for slot, view, n, sv in _block_instances(lblock, row):
            _map_location(lblock, slot, view, n, sv, out)
    if spec.event is not None:
        _map_event(spec.event, row, out)
    _free_text(spec, fields, out)
    return out


def as_datetime(value: date | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime(value.year, value.month, value.day)
