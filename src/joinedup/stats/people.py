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
    if any(v is True for v in values):
        return "yes"
    if any(v is False for v in values):
        return "no"
    return UNRECORDED


def _truth(value: Any) -> bool | None:
    if value is None:
        return None
    text = str(value).strip().lower()
    return {"true": True, "y": True, "yes": True, "false": False, "n": False, "no": False}.get(text)


class Person:
    """A resolved person (or, without resolution, one mention) and their characteristics.

    Each characteristic is worked out once: a profile asks for the same ones many times.
    """

    def __init__(
        self, key: str, mentions: list[Mention], protected: list[tuple[str, str]] | None = None
    ):
        self.key = key
        self.mentions = mentions
        # Protected characteristics of all the person's mentions (kind, value); read from
        # the mentions themselves unless the store gave them per person.
        self.protected_values = protected
        self._memo: dict[Any, Any] = {}

    def _once(self, key: Any, work: Any) -> Any:
        if key not in self._memo:
            self._memo[key] = work()
        return self._memo[key]

    def value(self, getter: Any) -> str:
        return most_recorded([getter(m) for m in self.mentions])

    def sex(self) -> str:
        return self._once(
            "sex", lambda: self.value(lambda m: m.sex if m.sex in ("M", "F") else None)
        )

    def protected(self, kind: str, mapper: Any = None) -> str:
        def work() -> str:
            pairs = self.protected_values
            if pairs is None:
                pairs = [kv for m in self.mentions for kv in m.protected]
            return most_recorded([(mapper(v) if mapper else v) for k, v in pairs if k == kind])

        return self._once(("protected", kind, mapper), work)

    def dob_value(self) -> str:
        """The date of birth recorded most often (ISO), CONFLICTING or UNRECORDED."""
        return self._once("dob", lambda: self.value(lambda m: m.dob.isoformat() if m.dob else None))

    def dob(self) -> date | None:
        text = self.dob_value()
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
        dates = [m.start_at for m in self.mentions if m.role in CONCERN_ROLES and m.start_at]
        return min(dates) if dates else None

    def _attributed(self) -> list[Mention]:
        return self._once("attributed", lambda: [m for m in self.mentions if m.attributes])

    def in_care(self) -> str:
        said: list[bool | None] = []
        for m in self._attributed():
            status = m.attributes.get("legal_status")  # type: ignore[union-attr]
            if status:
                said.append(status == "looked_after")
        for m in self.mentions:
            if m.role == "missing_person":
                category = (m.event_attributes or {}).get("category")
                if category:
                    said.append(category == "missing_from_care")
        return any_yes(said)

    def flag(self, name: str) -> str:
        said = [_truth(m.attributes.get(name)) for m in self._attributed()]  # type: ignore[union-attr]
        if name == "missing" and any(m.role == "missing_person" for m in self.mentions):
            said.append(True)  # a missing episode is itself a record of going missing
        return any_yes(said)

    def sen(self) -> str:
        said: list[bool | None] = []
        for m in self._attributed():
            status = m.attributes.get("sen_status")  # type: ignore[union-attr]
            if status:
                said.append(status != "none")
        return any_yes(said)

    def disability(self) -> str:
        return any_yes([_truth(m.attributes.get("disability")) for m in self._attributed()])  # type: ignore[union-attr]
