"""Loading feed specs from YAML, built-in or the user's own, with errors naming file and key."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from joinedup.feeds.spec import FeedSpec, SpecProblems, dotted_key


class SpecError(ValueError):
    """A feed spec that cannot be used, with the file and key at fault."""

    def __init__(self, path: str, problems: list[tuple[str, str]]):
        self.path = path
        self.problems = problems
        lines = [f"{path}: {key}: {msg}" if key else f"{path}: {msg}" for key, msg in problems]
        super().__init__("\n".join(lines))


def validation_problems(exc: ValidationError) -> list[tuple[str, str]]:
    """(key, message) for each error: the key path to the value at fault (`persons[1].role`)
    and the validator's own words, without pydantic's "Value error, " prefix."""
    problems: list[tuple[str, str]] = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, SpecProblems):
            problems += [(dotted_key((*loc, *sub)), msg) for sub, msg in cause.problems]
        elif err["type"] in {"value_error", "assertion_error"} and isinstance(cause, Exception):
            problems.append((dotted_key(loc), str(cause)))
        else:
            problems.append((dotted_key(loc), err["msg"]))
    return problems


def parse_spec(text: str, path: str = "<spec>") -> FeedSpec:
    try:
        # BaseLoader keeps every scalar as text ("Y", "no", "01" stay codes, not
        # booleans or numbers); pydantic converts where a number is meant.
        data = yaml.load(text, Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader is safe
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        raise SpecError(path, [(where, f"not valid YAML: {exc}")]) from exc
    if not isinstance(data, dict):
        raise SpecError(path, [("", "a feed spec must be a YAML mapping of keys to values")])
    try:
        return FeedSpec.model_validate(data)
    except ValidationError as exc:
        raise SpecError(path, validation_problems(exc)) from exc


def load_spec(path: str | Path) -> FeedSpec:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(str(p), [("", f"cannot read: {exc.strerror}")]) from exc
    return parse_spec(text, str(p))


@cache
def builtin_specs() -> dict[str, FeedSpec]:
    """The specs that ship with JoinedUp, by name."""
    specs: dict[str, FeedSpec] = {}
    folder = resources.files("joinedup.feeds") / "specs"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            spec = parse_spec(entry.read_text(encoding="utf-8"), f"builtin:{entry.name}")
            specs[spec.name] = spec
    return specs


def get_spec(name_or_path: str | Path) -> FeedSpec:
    """A built-in spec by name, or a spec file by path."""
    key = str(name_or_path)
    if key.endswith((".yaml", ".yml")) or Path(key).is_file():
        return load_spec(key)
    specs = builtin_specs()
    if key not in specs:
        known = ", ".join(sorted(specs)) or "none"
        raise SpecError(key, [("", f"no built-in spec of that name (built-in: {known})")])
    return specs[key]


def spec_json(spec: FeedSpec) -> str:
    """Canonical JSON of a spec, stored with each batch so a batch says how it was read."""
    return json.dumps(spec.model_dump(mode="json", exclude_defaults=True), sort_keys=True)


def spec_hash(spec: FeedSpec) -> str:
    return hashlib.sha256(spec_json(spec).encode()).hexdigest()
