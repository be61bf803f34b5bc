"""Apply a feed spec to one row: read fields, translate codes, normalise values.

`map_row` returns a `MappedRecord` of POLE mentions and an event, or raises `RowError`
naming the field at fault, which sends the row to quarantine. It decides no identity.
A spec is compiled once into a plan (`_Field` readers per block) so that mapping a row
is plain dict look-ups, not walks over the spec's pydantic models.
"""

from __future__ import annotations

import re
import weakref
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from joinedup.feeds.spec import FeedSpec, FieldRef
from joinedup.ingest.freetext import Extraction, extract_mentions
from joinedup.ingest.normalise import (
    DateError,
    clean_name,
    normalise_address,
    parse_date,
    parse_date_of_birth,
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
# Case folding never shortens a string, so a longer value cannot be a placeholder.
_PLACEHOLDER_MAX = max(map(len, PLACEHOLDERS))
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
LOCATION_FIELDS = ("name", "address", "postcode", "property_ref", "place_type", "lat", "lon")


class RowError(ValueError):
    """This row cannot be stored as it is; it goes to quarantine with this reason."""

    def __init__(self, field: str | None, reason: str):
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}" if field else reason)

    def __reduce__(self) -> tuple[type[RowError], tuple[str | None, str]]:
        return RowError, (self.field, self.reason)  # travels between processes intact


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
    if type(value) is str:
        text = value.strip()
    elif value is None or isinstance(value, (dict, list)):
        return None
    else:
        text = str(value).strip()
    if len(text) <= _PLACEHOLDER_MAX and text.casefold() in PLACEHOLDERS:
        return None
    return text


# -- the compiled spec -------------------------------------------------------------------


class _Field:
    """One FieldRef, compiled: where its value is and how to read it."""

    __slots__ = (
        "column",
        "ref_column",
        "by_n",
        "dotted",
        "literal",
        "is_literal",
        "default",
        "required",
        "codes",
        "codes_name",
        "folded",
        "split",
        "formats",
        "plain",
    )

    def __init__(self, ref: FieldRef, spec: FeedSpec, repeat: int | None = None):
        self.is_literal = ref.value is not None
        self.literal = _as_text(ref.value) if self.is_literal else None
        self.column = "(literal)" if self.is_literal else (ref.column or "")
        self.ref_column = ref.column  # None for a literal: errors then name no column
        self.by_n = {n: self.column.replace("{n}", str(n)) for n in range(1, (repeat or 0) + 1)}
        self.dotted = "." in self.column
        self.default = ref.default
        self.required = ref.required
        self.codes_name = ref.codes
        self.codes = spec.codes[ref.codes] if ref.codes else None
        self.folded = {k.casefold(): v for k, v in self.codes.items()} if self.codes else {}
        self.split = ref.split is not None
        self.formats = tuple(ref.formats or spec.date_formats)
        # Most fields are a bare column: read those without the checks below.
        self.plain = not (self.is_literal or self.dotted or self.codes or self.required) and (
            self.default is None
        )

    def read(self, src: dict[str, Any], n: int | None = None) -> str | None:
        """The cell's text (codes translated), None when empty; RowError when it must not be."""
        if self.plain:
            value = src.get(self.column if n is None else self.by_n.get(n) or self._column(n))
            if type(value) is str:  # _as_text, inlined for the common cases
                text = value.strip()
                if len(text) <= _PLACEHOLDER_MAX and text.casefold() in PLACEHOLDERS:
                    return None
                return text
            return None if value is None else _as_text(value)
        if self.is_literal:
            column = "(literal)"
            text = self.literal
        else:
            column = self.column if n is None else self.by_n.get(n) or self._column(n)
            value = _lookup(src, column) if self.dotted else src.get(column)
            text = _as_text(value)
        if text is None and self.default is not None:
            text = self.default
        if text is None:
            if self.required:
                raise RowError(column, "a value is required here but the cell is empty")
            return None
        if self.codes is not None:
            text = self._decode(text, column)
        return text

    def _column(self, n: int) -> str:
        return self.column.replace("{n}", str(n))

    def get(self, src: dict[str, Any], n: int | None, sv: str | None) -> str | None:
        """Like `read`, but a block split over one cell gives this instance's part."""
        if sv is not None and self.split:
            return sv
        if self.plain:  # read's first branch, repeated here: this is the hottest call
            value = src.get(self.column if n is None else self.by_n.get(n) or self._column(n))
            if type(value) is str:
                text = value.strip()
                if len(text) <= _PLACEHOLDER_MAX and text.casefold() in PLACEHOLDERS:
                    return None
                return text
            return None if value is None else _as_text(value)
        return self.read(src, n)

    def _decode(self, code: str, column: str) -> str | None:
        table = self.codes
        assert table is not None
        if code in table:
            value: str | None = table[code]
        else:
            value = self.folded.get(code.casefold(), table.get("*"))
            if value is None:
                raise RowError(column, f"code {code!r} is not in code list {self.codes_name!r}")
            if value == "=":
                value = code
        return None if value == "ignore" else value

    def date(self, src: dict[str, Any], dayfirst: bool) -> ParsedDate | None:
        raw = self.read(src)
        if raw is None:
            return None
        return parse_date(raw, self.formats, dayfirst=dayfirst)


class _Absent:
    """A FieldRef the spec does not give: always empty."""

    __slots__ = ()
    formats: tuple[str, ...] = ()
    ref_column = None

    def read(self, src: dict[str, Any], n: int | None = None) -> None:
        return None

    def get(self, src: dict[str, Any], n: int | None, sv: str | None) -> None:
        return None

    def date(self, src: dict[str, Any], dayfirst: bool) -> None:
        return None


ABSENT = _Absent()
Reader = _Field | _Absent


# (slot, the dict its columns are read from, {n} value, split value)
Instance = tuple[str, dict[str, Any], int | None, str | None]


class _Block:
    """One person/vehicle/phone/location block, compiled."""

    def __init__(self, block: Any, spec: FeedSpec):
        self.slot: str = block.slot
        self.each: str | None = block.each
        self.repeat: int | None = block.repeat
        self.person: str | None = getattr(block, "person", None)
        self.fields: dict[str, Reader] = {}
        for name in type(block).model_fields:
            ref = getattr(block, name)
            if isinstance(ref, FieldRef):
                self.fields[name] = _Field(ref, spec, block.repeat)
            elif ref is None and name not in ("repeat", "each", "person"):
                self.fields[name] = ABSENT
        self.role = self.fields["role"]
        self.dicts = {
            name: [
                (key, _Field(ref, spec, block.repeat)) for key, ref in getattr(block, name).items()
            ]
            for name in ("identifiers", "protected", "attributes")
            if name in type(block).model_fields
        }
        split_ref = next(
            (r for r in _refs(block) if r.split is not None and r.column is not None), None
        )
        self.split_column = _Field(FieldRef(column=split_ref.column), spec) if split_ref else None
        self.split_on = (split_ref.split or ";") if split_ref else ";"
        self.repeat_slots = [f"{self.slot}[{i}]" for i in range(block.repeat or 0)]
        # The cells an instance reads, by {n}: what its mentions depend on (see `key`).
        readers = [r for r in self.fields.values() if isinstance(r, _Field) and not r.is_literal]
        readers += [r for pairs in self.dicts.values() for _, r in pairs if not r.is_literal]
        self.key_columns: dict[int | None, tuple[tuple[str, bool], ...]] = {
            n: tuple((r.column if n is None else r.by_n[n], r.dotted) for r in readers)
            for n in (None, *range(1, (block.repeat or 0) + 1))
        }
        self.key_dotted = any(r.dotted for r in readers)

    def instances(self, fields: dict[str, Any]) -> list[Instance]:
        """(slot, where its columns are read, {n} value, split value) for each occurrence."""
        if self.each:
            items = _lookup(fields, self.each)
            if not isinstance(items, list):
                return []
            return [
                (f"{self.slot}[{i}]", item, None, None)
                for i, item in enumerate(items)
                if isinstance(item, dict)
            ]
        if self.repeat:
            return [(slot, fields, n, None) for n, slot in enumerate(self.repeat_slots, start=1)]
        if self.split_column is not None:
            cell = self.split_column.read(fields) or ""
            parts = [p.strip() for p in cell.split(self.split_on)]
            kept = [p for p in parts if p and p.casefold() not in PLACEHOLDERS]
            return [(f"{self.slot}[{i}]", fields, None, part) for i, part in enumerate(kept)]
        return [(self.slot, fields, None, None)]

    def key(self, slot: str, src: dict[str, Any], n: int | None, sv: str | None) -> tuple | None:
        """Everything this instance's mentions depend on, or None when it cannot be a key.

        The cells the block reads, as they are, plus slot and split value: mapping is a
        pure function of these (the spec fixed). Cells other than text are keyed by type
        and repr (1, 1.0 and True are equal keys but different text; so are 0.0 and -0.0);
        a list or dict cell makes the instance uncacheable.
        """
        columns = self.key_columns[n]
        if self.key_dotted:
            cells = tuple(_lookup(src, c) if dotted else src.get(c) for c, dotted in columns)
        else:
            get = src.get
            cells = tuple([get(c) for c, _ in columns])
        if not _TEXT_TYPES.issuperset(map(type, cells)):
            if not _KEY_TYPES.issuperset(map(type, cells)):
                return None
            cells = tuple(c if type(c) in _TEXT_TYPES else (type(c), repr(c)) for c in cells)
        return (slot, sv, cells)


_TEXT_TYPES = frozenset({str, type(None)})
_KEY_TYPES = _TEXT_TYPES | {int, float, bool}


def _refs(block: BaseModel) -> list[FieldRef]:
    return [
        getattr(block, f)
        for f in type(block).model_fields
        if isinstance(getattr(block, f), FieldRef)
    ]


class _Plan:
    """A whole spec, compiled."""

    def __init__(self, spec: FeedSpec):
        record = spec.record
        self.dayfirst = spec.dayfirst
        self.source_ref = _field(record.source_ref, spec)
        self.source_ref_given = record.source_ref is not None
        self.received_at = _field(record.received_at, spec)
        self.grading = _field(record.grading, spec)
        self.persons = [_Block(b, spec) for b in spec.persons]
        self.vehicles = [_Block(b, spec) for b in spec.vehicles]
        self.phones = [_Block(b, spec) for b in spec.phones]
        self.locations = [_Block(b, spec) for b in spec.locations]
        self.event = _EventPlan(spec) if spec.event is not None else None
        self.free_text = spec.free_text
        self.layouts: dict[Any, Any] = {}  # compiled rows functions, by dialect's values


class _EventPlan:
    def __init__(self, spec: FeedSpec):
        block = spec.event
        assert block is not None
        self.type = _Field(block.type, spec)
        self.start = _field(block.start, spec)
        self.end = _field(block.end, spec)
        self.location = block.location
        self.description = _field(block.description, spec)
        self.attributes = [(key, _Field(ref, spec)) for key, ref in block.attributes.items()]
        self.error_column = (block.start.column if block.start else None) or "event date"


def _field(ref: FieldRef | None, spec: FeedSpec) -> Reader:
    return ABSENT if ref is None else _Field(ref, spec)


_PLANS: dict[int, tuple[weakref.ref[FeedSpec], _Plan]] = {}


def _plan(spec: FeedSpec) -> _Plan:
    """The compiled plan of `spec`, made once per spec object."""
    key = id(spec)
    found = _PLANS.get(key)
    if found is not None and found[0]() is spec:
        return found[1]
    plan = _Plan(spec)
    _PLANS[key] = (weakref.ref(spec, lambda _ref, key=key: _PLANS.pop(key, None)), plan)
    return plan


# -- mapping one row ---------------------------------------------------------------------


def _map_person(
    bp: _Block,
    slot: str,
    src: dict[str, Any],
    n: int | None,
    sv: str | None,
    out: MappedRecord,
    dayfirst: bool,
) -> None:
    f = bp.fields
    raw_name = f["name"].get(src, n, sv)
    forename_raw = f["forename"].get(src, n, sv)
    surname_raw = f["surname"].get(src, n, sv)
    nickname_raw = f["nickname"].get(src, n, sv)
    if not (raw_name or forename_raw or surname_raw or nickname_raw):
        return
    role = bp.role.read(src, n) or "subject"
    parts = split_full_name(raw_name) if raw_name else None
    forename = clean_name(forename_raw) if forename_raw else (parts.forename if parts else None)
    surname = clean_name(surname_raw) if surname_raw else (parts.surname if parts else None)
    middle = clean_name(f["middle_names"].get(src, n, sv)) or (
        parts.middle_names if parts else None
    )
    nickname = nickname_raw or (parts.quoted_nickname if parts else None)
    dob_field = f["dob"]
    dob_raw = dob_field.get(src, n, sv)
    dob: ParsedDate | None = None
    if dob_raw:
        try:
            dob = parse_date_of_birth(dob_raw, dob_field.formats, dayfirst=dayfirst)
        except DateError:
            dob = ParsedDate(None, None, dob_raw)  # kept as written; resolution sees no DOB
    sex_raw = f["sex"].get(src, n, sv)
    address_raw = f["address"].get(src, n, sv)
    postcode_raw = f["postcode"].get(src, n, sv)
    address = normalise_address(address_raw) if address_raw else None
    postcode = parse_postcode(postcode_raw) if postcode_raw else None
    if postcode is None and address is not None:
        postcode = address.postcode
    dicts = bp.dicts
    identifiers = _dict(dicts["identifiers"], src, n, sv)
    protected = _dict(dicts["protected"], src, n, sv)
    attributes = _dict(dicts["attributes"], src, n, sv)
    age = f["age"].get(src, n, sv)
    raw = {}
    for key, value in (
        ("name", raw_name),
        ("forename", forename_raw),
        ("surname", surname_raw),
        ("nickname", nickname_raw),
        ("sex", sex_raw),
        ("address", address_raw),
        ("postcode", postcode_raw),
        ("age", age),
    ):
        if value:
            raw[key] = value
    out.persons.append(
        PersonMention(
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
            identifiers=identifiers,
            protected=protected,
            attributes=attributes,
            raw=raw,
        )
    )
    phone_raw = f["phone"].get(src, n, sv)
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


def _dict(
    fields: list[tuple[str, _Field]], src: dict[str, Any], n: int | None, sv: str | None
) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, field in fields:
        value = field.get(src, n, sv)
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
    bp: _Block, slot: str, src: dict[str, Any], n: int | None, sv: str | None, out: MappedRecord
) -> None:
    f = bp.fields
    reg = f["registration"].get(src, n, sv)
    make = f["make"].get(src, n, sv)
    model = f["model"].get(src, n, sv)
    colour = f["colour"].get(src, n, sv)
    if not (reg or make or model or colour):
        return
    plate = parse_plate(reg) if reg else None
    out.vehicles.append(
        VehicleMention(
            slot=slot,
            role=bp.role.read(src, n) or "vehicle",
            raw=reg,
            vrm=plate.vrm if plate else None,
            pattern=plate.pattern if plate else None,
            plate_format=plate.format if plate else None,
            make=make.upper() if make else None,
            model=model.upper() if model else None,
            colour=colour.lower() if colour else None,
            person_slot=_person_slot(bp.person, slot, {p.slot for p in out.persons}),
        )
    )


def _person_slot(person: str | None, slot: str, slots: set[str]) -> str | None:
    """The person slot a vehicle or phone belongs to; an indexed slot pairs with its index.

    `slots` are the slots of the record's persons so far (its structured ones).
    """
    if person is None:
        return None
    index = slot[slot.index("[") :] if "[" in slot else ""
    wanted = f"{person}{index}"
    if wanted in slots:
        return wanted
    return person if person in slots else None


def _map_phone(
    bp: _Block, slot: str, src: dict[str, Any], n: int | None, sv: str | None, out: MappedRecord
) -> None:
    raw = bp.fields["number"].get(src, n, sv)
    if raw:
        person = _person_slot(bp.person, slot, {p.slot for p in out.persons})
        out.phones.append(_phone(slot, bp.role.read(src, n) or "phone", raw, person))


def _map_location(
    bp: _Block, slot: str, src: dict[str, Any], n: int | None, sv: str | None, out: MappedRecord
) -> None:
    f = bp.fields
    values = {name: f[name].get(src, n, sv) for name in LOCATION_FIELDS}
    if not any(values.values()):
        return
    address = normalise_address(values["address"]) if values["address"] else None
    postcode = parse_postcode(values["postcode"]) if values["postcode"] else None
    if postcode is None and address is not None:
        postcode = address.postcode
    out.locations.append(
        LocationMention(
            slot=slot,
            role=bp.role.read(src, n) or "location",
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


def _map_event(ev: _EventPlan, fields: dict[str, Any], out: MappedRecord, dayfirst: bool) -> None:
    out.event = _event_facts(ev, fields, dayfirst, [loc.slot for loc in out.locations])


def _event_location(wanted: str | None, location_slots: list[str]) -> str | None:
    """The first location of the event's location block (an indexed slot matches too)."""
    if not wanted:
        return None
    return next((slot for slot in location_slots if slot.split("[")[0] == wanted), None)


def _event_facts(
    ev: _EventPlan, fields: dict[str, Any], dayfirst: bool, location_slots: list[str]
) -> EventFacts:
    """The row's event; `location_slots` are its structured locations' slots, in order."""
    try:
        start = ev.start.date(fields, dayfirst)
        end = ev.end.date(fields, dayfirst)
    except DateError as exc:
        raise RowError(ev.error_column, str(exc)) from None
    event_type = ev.type.read(fields)
    if event_type is None:
        raise RowError(ev.type.ref_column, "the event type is empty")
    return EventFacts(
        event_type=event_type,
        start=start,
        end=end,
        location_slot=_event_location(ev.location, location_slots),
        description=ev.description.read(fields),
        attributes=_dict(ev.attributes, fields, None, None),
    )


def _grading(text: str | None) -> Grading | None:
    if not text:
        return None
    m = GRADING_RE.match(text)
    if not m:
        return None  # kept verbatim in the record's raw fields
    return Grading(m.group(1).upper(), m.group(2).upper(), (m.group(3) or "").upper() or None)


@lru_cache(maxsize=8192)
def _extractions(column: str, text: str) -> tuple[Extraction, ...]:
    # Officers' notes repeat ("No further action"); extraction is pure, so repeats are free.
    return tuple(extract_mentions(column, text))


def _free_text(columns: tuple[str, ...], fields: dict[str, Any], out: MappedRecord) -> None:
    for column in columns:
        text = _as_text(_lookup(fields, column))
        if not text:
            continue
        out.free_text[column] = text
        for ex in _extractions(column, text):
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


def _record_head(plan: _Plan, fields: dict[str, Any], row_number: int) -> MappedRecord:
    """The record with its reference, received date and grading, and no mentions yet."""
    out = MappedRecord(row_number=row_number, raw=fields)
    out.source_ref = plan.source_ref.read(fields)
    if plan.source_ref_given and out.source_ref is None:
        raise RowError(plan.source_ref.ref_column, "the record has no reference (ID) of its own")
    try:
        out.received_at = plan.received_at.date(fields, plan.dayfirst)
    except DateError as exc:
        raise RowError(plan.received_at.ref_column, str(exc)) from None
    out.grading = _grading(plan.grading.read(fields))
    return out


def map_row(spec: FeedSpec, fields: dict[str, Any], row_number: int) -> MappedRecord:
    """Map one row's fields onto POLE with `spec`; raises RowError for quarantine."""
    plan = _plan(spec)
    dayfirst = plan.dayfirst
    out = _record_head(plan, fields, row_number)
    for bp in plan.persons:
        for slot, src, n, sv in bp.instances(fields):
            _map_person(bp, slot, src, n, sv, out, dayfirst)
    for bp in plan.vehicles:
        for slot, src, n, sv in bp.instances(fields):
            _map_vehicle(bp, slot, src, n, sv, out)
    for bp in plan.phones:
        for slot, src, n, sv in bp.instances(fields):
            _map_phone(bp, slot, src, n, sv, out)
    for bp in plan.locations:
        for slot, src, n, sv in bp.instances(fields):
            _map_location(bp, slot, src, n, sv, out)
    if plan.event is not None:
        _map_event(plan.event, fields, out, dayfirst)
    _free_text(plan.free_text, fields, out)
    return out


def as_datetime(value: date | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime(value.year, value.month, value.day)
