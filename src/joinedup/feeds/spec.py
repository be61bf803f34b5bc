"""The feed spec: how one agency's extract maps onto POLE, described as data.

A spec is a YAML file validated by these pydantic models. Field references are either
a column name (a dotted path in JSONL) or a mapping with `column`, `codes`, `formats`,
`split`, `value`, `default` and `required`. See docs/feeds.md.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from joinedup.pole import EventType, Role

ROLES = frozenset(r.value for r in Role)
_ROLE_NAMES = [r.value for r in Role]
EVENT_TYPES = frozenset(e.value for e in EventType)

SLOT_RE = re.compile(r"^[a-z][a-z0-9_]*$")
AGENCIES = (
    "police",
    "missing_persons",
    "social_care",
    "health",
    "education",
    "anpr",
    "hotel",
    "licensing",
    "other",
)


Loc = tuple[str | int, ...]


def dotted_key(loc: Loc) -> str:
    """A key path as specs are read: `persons[1].role`, `codes.occ_role.D`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and not part.startswith("function-"):
            out += f".{part}" if out else part
    return out


class SpecProblems(ValueError):
    """Problems a validator found, each at its key path below the model that raised it.

    Raised from validators instead of a bare ValueError so the loader can name the key at
    fault: pydantic locates a model validator's error at the model itself, and the loader
    appends each problem's own path (`persons[1]` + `role`).
    """

    def __init__(self, problems: list[tuple[Loc, str]]):
        self.problems = problems
        super().__init__(
            "; ".join(f"{dotted_key(loc)}: {msg}" if loc else msg for loc, msg in problems)
        )


def _known(label: str, names: Any) -> str:
    return f"{label}: {', '.join(names) or 'none'}"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldRef(_Strict):
    """Where a value comes from in a row, and how to read it."""

    column: str | None = None
    value: str | None = None  # a literal instead of a column
    codes: str | None = None  # name of a code list in the spec
    formats: tuple[str, ...] = ()  # strptime formats for date fields
    split: str | None = None  # several values in one cell (only for repeated blocks)
    default: str | None = None
    required: bool = False

    @model_validator(mode="after")
    def _one_source(self) -> FieldRef:
        if (self.column is None) == (self.value is None):
            raise ValueError("give exactly one of 'column' or 'value'")
        try:
            check_format_order(self.formats)
        except ValueError as exc:
            raise SpecProblems([(("formats",), str(exc))]) from None
        return self


# Moments whose every field has two digits where it can, to catch a format that reads a
# later format's dates otherwise ("%Y%m%d%H%M" reads "20191207" as 2019-01-02 00:07).
_PROBES = (datetime(2019, 12, 7, 15, 30, 45), datetime(2008, 11, 23, 12, 10, 59))


def check_format_order(formats: tuple[str, ...]) -> tuple[str, ...]:
    """Formats are tried in order: refuse an order in which an earlier one misreads a later
    one's dates (the first that parses wins, so the later one would never be used)."""
    from joinedup.ingest.normalise.dates import strptime  # the parser the mapper uses

    for later_at, later in enumerate(formats):
        for moment in _PROBES:
            text = moment.strftime(later)
            for earlier in formats[:later_at]:
                try:
                    read = strptime(text, earlier)
                except ValueError:
                    continue
                if read != strptime(text, later):
                    raise ValueError(
                        f"date format {earlier!r} comes before {later!r} and misreads its"
                        f" dates ({text!r} would be read as {read:%Y-%m-%d %H:%M}): list"
                        f" {later!r} first"
                    )
    return formats


def _as_field_ref(value: Any) -> Any:
    if isinstance(value, str):
        return {"column": value}
    return value


class _Block(_Strict):
    slot: str
    role: FieldRef
    repeat: int | None = Field(
        default=None,
        ge=1,
        le=50,
        description="wide files: the block repeats with {n} in column names, n = 1..repeat",
    )
    each: str | None = Field(
        default=None, description="JSONL: a list field; the block's columns are item keys"
    )

    @field_validator("slot")
    @classmethod
    def _slot_name(cls, v: str) -> str:
        if not SLOT_RE.match(v):
            raise ValueError(f"slot {v!r} must be lower_snake_case (letters, digits, _)")
        return v

    @model_validator(mode="before")
    @classmethod
    def _coerce_refs(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = {k: _coerce(k, v) for k, v in data.items()}
        return data


_NOT_REFS = {"slot", "repeat", "each", "identifiers", "protected", "attributes", "person"}


def _coerce(key: str, value: Any) -> Any:
    if key in _NOT_REFS:
        if key in {"identifiers", "protected", "attributes"} and isinstance(value, dict):
            return {k: _as_field_ref(v) for k, v in value.items()}
        return value
    if key == "role" and isinstance(value, str):
        return {"value": value}
    return _as_field_ref(value)


PROTECTED_KEYS = (
    "ethnicity_self",
    "ethnicity_officer",
    "religion",
    "nationality",
)
IDENTIFIER_KEYS = ("nhs_number", "pnc_id", "child_ref", "upn", "local_id", "licence_no")


class PersonBlock(_Block):
    name: FieldRef | None = None
    forename: FieldRef | None = None
    middle_names: FieldRef | None = None
    surname: FieldRef | None = None
    nickname: FieldRef | None = None
    dob: FieldRef | None = None
    age: FieldRef | None = None
    sex: FieldRef | None = None
    address: FieldRef | None = None
    postcode: FieldRef | None = None
    phone: FieldRef | None = None
    identifiers: dict[str, FieldRef] = {}
    protected: dict[str, FieldRef] = {}
    attributes: dict[str, FieldRef] = {}

    @field_validator("identifiers")
    @classmethod
    def _known_identifiers(cls, v: dict[str, FieldRef]) -> dict[str, FieldRef]:
        unknown = [k for k in v if k not in IDENTIFIER_KEYS]
        if unknown:
            raise SpecProblems(
                [((k,), f"unknown identifier {k!r}; use one of {IDENTIFIER_KEYS}") for k in unknown]
            )
        return v

    @field_validator("protected")
    @classmethod
    def _known_protected(cls, v: dict[str, FieldRef]) -> dict[str, FieldRef]:
        unknown = [k for k in v if k not in PROTECTED_KEYS]
        if unknown:
            raise SpecProblems(
                [
                    ((k,), f"unknown protected characteristic {k!r}; use {PROTECTED_KEYS}")
                    for k in unknown
                ]
            )
        return v

    @model_validator(mode="after")
    def _has_a_name(self) -> PersonBlock:
        if not any((self.name, self.forename, self.surname, self.nickname)):
            raise ValueError(
                "a person block needs at least one of name, forename, surname, nickname"
            )
        return self


class VehicleBlock(_Block):
    registration: FieldRef | None = None
    make: FieldRef | None = None
    model: FieldRef | None = None
    colour: FieldRef | None = None
    person: str | None = Field(default=None, description="slot of the person block it belongs to")


class PhoneBlock(_Block):
    number: FieldRef
    person: str | None = None


class LocationBlock(_Block):
    name: FieldRef | None = None
    address: FieldRef | None = None
    postcode: FieldRef | None = None
    property_ref: FieldRef | None = None
    place_type: FieldRef | None = None
    lat: FieldRef | None = None
    lon: FieldRef | None = None


class RecordBlock(_Strict):
    source_ref: FieldRef | None = None
    received_at: FieldRef | None = None
    grading: FieldRef | None = None

    @model_validator(mode="before")
    @classmethod
    def _coerce_refs(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = {k: _as_field_ref(v) for k, v in data.items()}
        return data


class EventBlock(_Strict):
    type: FieldRef
    start: FieldRef | None = None
    end: FieldRef | None = None
    location: str | None = Field(default=None, description="slot of a location block")
    description: FieldRef | None = None
    attributes: dict[str, FieldRef] = {}

    @model_validator(mode="before")
    @classmethod
    def _coerce_refs(cls, data: Any) -> Any:
        if isinstance(data, dict):
            if isinstance(data.get("location"), dict):
                raise SpecProblems(
                    [(("location",), "names the slot of a location block, e.g. 'location: scene'")]
                )
            if isinstance(data.get("type"), str):
                data = {**data, "type": {"value": data["type"]}}
            data = {k: v if k == "location" else _coerce(k, v) for k, v in data.items()}
        return data


class SourceInfo(_Strict):
    code: str
    name: str
    agency: Literal[AGENCIES]  # type: ignore[valid-type]

    @field_validator("code")
    @classmethod
    def _code(cls, v: str) -> str:
        if not SLOT_RE.match(v):
            raise ValueError(f"source code {v!r} must be lower_snake_case")
        return v


class FileOptions(_Strict):
    delimiter: str = "auto"
    encoding: str = "auto"
    sheet: str | None = None
    header_row: int = Field(default=1, ge=1)

    @field_validator("delimiter")
    @classmethod
    def _delimiter(cls, v: str) -> str:
        if v == "\\t":
            return "\t"
        if v != "auto" and len(v) != 1:
            raise ValueError("delimiter must be one character or 'auto'")
        return v


class FeedSpec(_Strict):
    """One agency extract's mapping onto POLE."""

    name: str
    version: int = Field(ge=1)
    title: str
    source: SourceInfo
    format: Literal["csv", "jsonl", "xlsx"]
    options: FileOptions = FileOptions()
    date_formats: tuple[str, ...] = ()
    dayfirst: bool = True
    required: tuple[str, ...] = ()
    codes: dict[str, dict[str, str]] = {}
    record: RecordBlock = RecordBlock()
    event: EventBlock | None = None
    persons: tuple[PersonBlock, ...] = ()
    vehicles: tuple[VehicleBlock, ...] = ()
    phones: tuple[PhoneBlock, ...] = ()
    locations: tuple[LocationBlock, ...] = ()
    free_text: tuple[str, ...] = ()

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not SLOT_RE.match(v):
            raise ValueError(f"spec name {v!r} must be lower_snake_case")
        return v

    @field_validator("date_formats")
    @classmethod
    def _date_formats_in_order(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return check_format_order(v)

    @field_validator("codes")
    @classmethod
    def _codes_are_strings(cls, v: dict[str, dict[Any, Any]]) -> dict[str, dict[str, str]]:
        return {name: {str(k): str(val) for k, val in table.items()} for name, table in v.items()}

    @model_validator(mode="after")
    def _cross_references(self) -> FeedSpec:
        problems = self._cross_reference_problems()
        if problems:
            raise SpecProblems(problems)
        return self

    def _cross_reference_problems(self) -> list[tuple[Loc, str]]:
        """Every value that names something the spec does not hold, at its key path."""
        problems: list[tuple[Loc, str]] = []
        located = self._located_blocks()
        first_at: dict[str, Loc] = {}
        for loc, block in located:
            if block.slot in first_at:
                problems.append(
                    (
                        (*loc, "slot"),
                        f"slot {block.slot!r} is already used by {dotted_key(first_at[block.slot])}"
                        " (slot names must be unique across blocks)",
                    )
                )
            first_at.setdefault(block.slot, loc)
        person_slots = [p.slot for p in self.persons]
        location_slots = [loc.slot for loc in self.locations]
        for loc, block in located:
            person = getattr(block, "person", None)
            if person and person not in person_slots:
                problems.append(
                    (
                        (*loc, "person"),
                        f"no person block has slot {person!r}"
                        f" ({_known('person slots', person_slots)})",
                    )
                )
        if self.event and self.event.location and self.event.location not in location_slots:
            problems.append(
                (
                    ("event", "location"),
                    f"no location block has slot {self.event.location!r}"
                    f" ({_known('location slots', location_slots)})",
                )
            )
        for loc, ref in self._located_field_refs():
            if ref.codes and ref.codes not in self.codes:
                problems.append(
                    (
                        (*loc, "codes"),
                        f"code list {ref.codes!r} is not defined under 'codes'"
                        f" ({_known('defined', self.codes)})",
                    )
                )
        if self.free_text and self.event is None:
            problems.append(
                (
                    ("free_text",),
                    "free text needs an 'event' block: the dates found in it are kept on the "
                    "record's event (plates, phones, postcodes and nicknames as mentions)",
                )
            )
        if self.event and self.event.type.value and self.event.type.value not in EVENT_TYPES:
            problems.append(
                (
                    ("event", "type"),
                    f"unknown event type {self.event.type.value!r}"
                    f" ({_known('known', [e.value for e in EventType])})",
                )
            )
        for loc, block in located:
            if block.role.value and block.role.value not in ROLES:
                problems.append(
                    (
                        (*loc, "role"),
                        f"unknown role {block.role.value!r} ({_known('known', _ROLE_NAMES)})",
                    )
                )
            if block.repeat and block.each:
                problems.append((loc, "use 'repeat' or 'each', not both"))
        for name, table in self.codes.items():
            for code, value in table.items():
                if self._code_target_invalid(name, value):
                    problems.append(
                        (
                            ("codes", name, code),
                            f"unknown role {value!r}: code list {name!r} is read as a role"
                            f" ({_known('known', [*_ROLE_NAMES, 'ignore'])})",
                        )
                    )
        return problems

    def _code_target_invalid(self, code_list: str, value: str) -> bool:
        """Code lists used for roles must map onto known roles."""
        role_lists = {b.role.codes for b in self.blocks() if b.role.codes}
        return code_list in role_lists and value not in ROLES and value != "ignore"

    def blocks(self) -> list[_Block]:
        return [*self.persons, *self.vehicles, *self.phones, *self.locations]

    def _located_blocks(self) -> list[tuple[Loc, _Block]]:
        """The blocks in the order of blocks(), each with its key path (`persons`, 1)."""
        return [
            ((group, at), block)
            for group in ("persons", "vehicles", "phones", "locations")
            for at, block in enumerate(getattr(self, group))
        ]

    def _located_field_refs(self) -> list[tuple[Loc, FieldRef]]:
        refs = _located_refs_of(self.record, ("record",))
        if self.event:
            refs += _located_refs_of(self.event, ("event",))
        for loc, block in self._located_blocks():
            refs += _located_refs_of(block, loc)
        return refs

    def field_refs(self) -> list[FieldRef]:
        return [ref for _, ref in self._located_field_refs()]

    def columns(self) -> set[str]:
        """Top-level columns the spec reads (templated and list columns excluded)."""
        item_refs = {id(r) for b in self.blocks() if b.each for r in _refs_of(b)}
        cols = {
            r.column
            for r in self.field_refs()
            if r.column and "{n}" not in r.column and id(r) not in item_refs
        }
        cols |= {b.each for b in self.blocks() if b.each}
        return {c.split(".")[0] for c in cols} | set(self.free_text)


def _located_refs_of(obj: BaseModel, loc: Loc) -> list[tuple[Loc, FieldRef]]:
    refs: list[tuple[Loc, FieldRef]] = []
    for name in type(obj).model_fields:
        val = getattr(obj, name)
        if isinstance(val, FieldRef):
            refs.append(((*loc, name), val))
        elif isinstance(val, dict):
            refs.extend(((*loc, name, k), v) for k, v in val.items() if isinstance(v, FieldRef))
    return refs


def _refs_of(obj: BaseModel) -> list[FieldRef]:
    return [ref for _, ref in _located_refs_of(obj, ())]
