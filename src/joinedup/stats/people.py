"""One person's characteristics from all their mentions, with an explicit rule for conflicts.

Rule: a characteristic takes the value recorded most often across the person's mentions;
when two or more values tie for most often it is "conflicting" (shown as its own row and
counted as unknown). A flag (in care, a vulnerability) is "yes" when any record says yes,
"no" when records say no and none says yes, and unrecorded otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

CONFLICTING = "conflicting"
UNRECORDED = "unrecorded"
# Values that say "not known" in so many words: counted with the unrecorded.
NOT_KNOWN = frozenset({"not_stated", "unknown", "not_known", "u", "", "none_given"})
CONCERN_ROLES = frozenset({"victim", "missing_person", "subject", "pupil"})
VULNERABILITIES = (
    "missing",
    "learning_disability",
    "substance_use",
    "mental_health",
    "previous_abuse",
)

ETHNIC_GROUP = {
    "white": "White",
    "mixed": "Mixed",
    "asian": "Asian",
    "black": "Black",
    "chinese": "Asian",
    "arab": "Other",
    "other": "Other",
}
OFFICER_GROUP = {
    "white_north_european": "White",
    "white_south_european": "White",
    "black": "Black",
    "asian": "Asian",
    "chinese_japanese_se_asian": "Asian",
    "arab_north_african": "Other",
}
GROUPS = ("White", "Mixed", "Asian", "Black", "Other")


@dataclass(slots=True)
class Mention:
    """A person mention with what the statistics need from its record and event."""

    id: int
    role: str
    dob: date | None = None
    age: int | None = None
    sex: str | None = None
    attributes: dict[str, Any] | None = None
    received_at: datetime | None = None
    event_id: int | None = None
    event_type: str | None = None
    start_at: datetime | None = None
    event_attributes: dict[str, Any] | None = None
    place_type: str | None = None
    postcode: str | None = None
    record_id: int | None = None
    protected: list[tuple[str, str]] = field(default_factory=list)  # (kind, value)


def ethnic_group(value: str) -> str | None:
    return ETHNIC_GROUP.get(value.split("_", 1)[0]) if value not in NOT_KNOWN else None


def officer_group(value: str) -> str | None:
    return OFFICER_GROUP.get(value)


def most_recorded(values: list[str | None]) -> str:
    """The value recorded most often; CONFLICTING on a tie; UNRECORDED with none."""
    counts: dict[str, int] = {}
    for v in values:  # a plain loop: most people have one value, often none
        if v is not None and v not in NOT_KNOWN and v.strip().lower() not in NOT_KNOWN:
            counts[v] = counts.get(v, 0) + 1
    if not counts:
        return UNRECORDED
    if len(counts) == 1:
        return next(iter(counts))
    top = sorted(counts.items(), key=lambda kv: -kv[1])
    return CONFLICTING if top[0][1] == top[1][1] else top[0][0]


def any_yes(values: list[bool | None]) -> str:
    seen_no = False
    for v in values:
        if v is True:
            return "yes"
        seen_no = seen_no or v is False
    return "no" if seen_no else UNRECORDED


def _truth(value: Any) -> bool | None:
    if value is None:
        return None
    text = str(value).strip().lower()
    return {"true": True, "y": True, "yes": True, "false": False, "n": False, "no": False}.get(text)


FLAG_KEYS = (*VULNERABILITIES, "disability")


class Person:
    """A resolved person (or, without resolution, one mention) and their characteristics.

    Everything is worked out in one pass over the mentions when the person is made: a
    profile asks every person for every characteristic, some more than once.
    """

    def __init__(
        self, key: str, mentions: list[Mention], protected: list[tuple[str, str]] | None = None
    ):
        self.key = key
        self.mentions = mentions
        sexes: list[str | None] = []
        dobs: list[str | None] = []
        flags: dict[str, list[bool | None]] = {k: [] for k in FLAG_KEYS}
        care: list[bool | None] = []
        sen: list[bool | None] = []
        concerns: list[datetime] = []
        for m in mentions:
            if m.sex in ("M", "F"):
                sexes.append(m.sex)
            if m.dob:
                dobs.append(m.dob.isoformat())
            if m.role in CONCERN_ROLES and m.start_at:
                concerns.append(m.start_at)
            if m.role == "missing_person":
                flags["missing"].append(True)  # a missing episode is itself the record
                category = (m.event_attributes or {}).get("category")
                if category:
                    care.append(category == "missing_from_care")
            if m.attributes:
                for name in FLAG_KEYS:
                    flags[name].append(_truth(m.attributes.get(name)))
                status = m.attributes.get("legal_status")
                if status:
                    care.append(status == "looked_after")
                level = m.attributes.get("sen_status")
                if level:
                    sen.append(level != "none")
        self._sex = most_recorded(sexes)
        self._dob = most_recorded(dobs)
        self._flags = {name: any_yes(v) for name, v in flags.items()}
        self._in_care = any_yes(care)
        self._sen = any_yes(sen)
        self._first_concern = min(concerns) if concerns else None
        # Protected characteristics of all the person's mentions (kind, value); read from
        # the mentions themselves unless the store gave them per person.
        if protected is None:
            protected = [kv for m in mentions for kv in m.protected]
        self._protected: dict[str, list[str]] = {}
        for kind, value in protected:
            self._protected.setdefault(kind, []).append(value)
        self._memo: dict[tuple[str, Any], str] = {}

    def value(self, getter: Any) -> str:
        return most_recorded([getter(m) for m in self.mentions])

    def sex(self) -> str:
        return self._sex

    def protected(self, kind: str, mapper: Any = None) -> str:
        key = (kind, mapper)
        if key not in self._memo:
            values = self._protected.get(kind, [])
            self._memo[key] = most_recorded([mapper(v) for v in values] if mapper else values)  # type: ignore[arg-type]
        return self._memo[key]

    def dob_value(self) -> str:
        """The date of birth recorded most often (ISO), CONFLICTING or UNRECORDED."""
        return self._dob

    def dob(self) -> date | None:
        text = self._dob
        return None if text in (UNRECORDED, CONFLICTING) else date.fromisoformat(text)

    def age_at(self, when: datetime | None) -> int | None:
        if when is None:
            return None
        born = self.dob()
        if born is None:  # some feeds give an age instead of a date of birth
            ages = [m for m in self.mentions if m.age is not None and m.start_at]
            if not ages:
                return None
            m = min(ages, key=lambda m: abs((m.start_at - when).days))  # type: ignore[operator]
            return m.age + round((when - m.start_at).days / 365.25)  # type: ignore[operator]
        d = when.date()
        return d.year - born.year - ((d.month, d.day) < (born.month, born.day))

    def first_concern(self) -> datetime | None:
        return self._first_concern

    def in_care(self) -> str:
        return self._in_care

    def flag(self, name: str) -> str:
        return self._flags[name]

    def sen(self) -> str:
        return self._sen

    def disability(self) -> str:
        return self._flags["disability"]
