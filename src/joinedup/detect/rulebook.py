"""The rule book: versioned YAML rule files (detect/rules/*.yaml) loaded and validated with
pydantic, with errors that name the file and the key; and its fingerprint for each run.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

Tier = Literal["vulnerability", "moderate", "significant"]
Band = Literal["not_at_risk", "mild", "moderate", "significant"]
BANDS: tuple[str, ...] = ("not_at_risk", "mild", "moderate", "significant")

# Indicators computed from the tie analysis in code (ties.py); YAML switches and scores them.
DERIVED = frozenset(
    {
        "found_with_unrelated_adult",
        "found_at_unknown_address",
        "found_at_hotel",
        "in_car_with_adults",
        "named_unrelated_adult",
        "repeat_missing",
        "warning_notice",
    }
)


class RuleError(ValueError):
    """A rule file that cannot be used: the message names the file and the key."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Match(Strict):
    """Which records evidence an indicator: all given conditions must hold."""

    event_types: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()  # the child's role in the event
    event_attrs: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    person_attrs: dict[str, tuple[str, ...]] = Field(default_factory=dict)  # the child's mention
    text: tuple[str, ...] = ()  # regular expressions over the record's free text (any)

    @field_validator("text")
    @classmethod
    def _compiles(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"bad regular expression {pattern!r}: {exc}") from exc
        return value


class Indicator(Strict):
    id: str
    version: int = Field(ge=1)
    tier: Tier
    title: str
    why: str  # the research it rests on, in a sentence
    match: Match | None = None
    derived: str | None = None
    min_count: int = Field(default=1, ge=1)
    window_days: int | None = Field(default=None, ge=1)  # default: by tier (see ChildRules)
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("derived")
    @classmethod
    def _known(cls, value: str | None) -> str | None:
        if value is not None and value not in DERIVED:
            raise ValueError(f"unknown derived indicator {value!r}; known: {sorted(DERIVED)}")
        return value

    def model_post_init(self, _context: Any) -> None:
        if (self.match is None) == (self.derived is None):
            raise ValueError(f"indicator {self.id!r} needs exactly one of 'match' or 'derived'")


class Floors(Strict):
    under_age: int = 13
    learning_disability: bool = True
    band: Band = "moderate"
    applies_from: Band = "mild"  # the floor lifts a child already at this band or above
    needs_indicator: bool = True  # ...and with a moderate or significant indicator, not
    # vulnerabilities alone (else every child with a learning disability would be flagged)


class ChildRules(Strict):
    rule_set: Literal["children"]
    version: int = Field(ge=1)
    points: dict[Tier, float]
    windows: dict[Tier, int | None]  # days back from the as-of date; null: any time
    bands: dict[Band, float]  # the lowest score of each band above not_at_risk
    floors: Floors
    indicators: tuple[Indicator, ...]


class Rule(Strict):
    id: str
    version: int = Field(ge=1)
    title: str
    summary: str
    points: float = 0.0
    params: dict[str, Any] = Field(default_factory=dict)


class EntityRules(Strict):
    rule_set: Literal["adults", "objects", "groups"]
    version: int = Field(ge=1)
    threshold: float = 0.0  # the score at which a flag is raised
    params: dict[str, Any] = Field(default_factory=dict)
    rules: tuple[Rule, ...]


class RuleBook(Strict):
    children: ChildRules
    adults: EntityRules
    objects: EntityRules
    groups: EntityRules
    files_hash: str

    @property
    def version(self) -> str:
        parts = (self.children, self.adults, self.objects, self.groups)
        return ".".join(str(p.version) for p in parts)

    def rule_ids(self) -> list[str]:
        ids = [i.id for i in self.children.indicators]
        for part in (self.adults, self.objects, self.groups):
            ids += [r.id for r in part.rules]
        return ids

    def version_of(self, rule_id: str) -> int:
        for i in self.children.indicators:
            if i.id == rule_id:
                return i.version
        for part in (self.adults, self.objects, self.groups):
            for r in part.rules:
                if r.id == rule_id:
                    return r.version
        return self.children.version if rule_id == "child_indicators" else 1

    def rule(self, rule_set: str, rule_id: str) -> Rule:
        part: EntityRules = getattr(self, rule_set)
        for r in part.rules:
            if r.id == rule_id:
                return r
        raise KeyError(f"{rule_set}: no rule {rule_id!r}")


FILES = {"children": ChildRules, "adults": EntityRules, "objects": EntityRules,
         "groups": EntityRules}  # fmt: skip


def _where(error: dict[str, Any]) -> str:
    return ".".join(str(x) for x in error["loc"]) or "(top level)"


def load_file(path: Path, model: type[BaseModel]) -> BaseModel:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RuleError(f"{path.name}: not valid YAML: {exc}") from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"key {_where(e)}: {e['msg']}" for e in exc.errors())
        raise RuleError(f"{path.name}: {problems}") from exc


def rules_dir() -> Path:
    return Path(str(resources.files("joinedup.detect") / "rules"))


def load_rulebook(folder: Path | None = None) -> RuleBook:
    """The rule files in `folder` (default: the built-in ones), validated."""
    folder = folder or rules_dir()
    parts: dict[str, Any] = {}
    digest = hashlib.sha256()
    for name, model in FILES.items():
        path = folder / f"{name}.yaml"
        if not path.exists():
            raise RuleError(f"{path}: missing; a rule book needs {', '.join(FILES)}.yaml")
        digest.update(path.read_bytes())
        parts[name] = load_file(path, model)
        if parts[name].rule_set != name:
            raise RuleError(f"{path.name}: key rule_set: must be {name!r}")
    ids = [i.id for i in parts["children"].indicators]
    for name in ("adults", "objects", "groups"):
        ids += [r.id for r in parts[name].rules]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise RuleError(f"rule ids used twice: {', '.join(dupes)}")
    return RuleBook(**parts, files_hash=digest.hexdigest())


@lru_cache(maxsize=1)
def builtin_rulebook() -> RuleBook:
    return load_rulebook()
