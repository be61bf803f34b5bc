"""Name alias tables (transliterations and familiar forms) kept as CSV data users can extend.

Built-in tables live in resolve/aliases/*.csv; a folder named by $JOINEDUP_ALIASES (or the
`aliases` argument) adds more files of the same shape: `name,variant,kind` where kind is
`spelling` (the same name, transitive) or `nickname` (a familiar form of one name).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from joinedup.ingest.normalise.names import clean_name

KINDS = ("spelling", "nickname")
TABLES = ("forenames", "surnames")


class AliasError(ValueError):
    """An alias file that cannot be read, naming the file, line and what is wrong."""


@dataclass
class AliasTable:
    """Spelling groups (union-find) and nickname -> full-name links for one name part."""

    parent: dict[str, str] = field(default_factory=dict)
    nicknames: dict[str, set[str]] = field(default_factory=dict)

    def _find(self, name: str) -> str:
        root = name
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while self.parent.get(name, name) != root:  # path compression
            self.parent[name], name = root, self.parent[name]
        return root

    def add(self, name: str, variant: str, kind: str) -> None:
        if kind == "spelling":
            a, b = self._find(name), self._find(variant)
            if a != b:  # the alphabetically first spelling names the group
                self.parent[max(a, b)] = min(a, b)
                self.parent.setdefault(min(a, b), min(a, b))
        else:
            self.nicknames.setdefault(variant, set()).add(name)

    def key(self, name: str | None) -> str | None:
        """The spelling group a name belongs to (the name itself when none is known)."""
        return None if name is None else self._find(name)

    def keys(self, name: str | None) -> tuple[str, ...]:
        """The name's spelling group plus the groups of every full name it is a nickname of."""
        if name is None:
            return ()
        found = {self._find(name)}
        found.update(self._find(full) for full in self.nicknames.get(name, ()))
        return tuple(sorted(found))


@dataclass
class Aliases:
    forenames: AliasTable
    surnames: AliasTable
    files: list[str]


def _rows(path: Path, text: str) -> Iterable[tuple[str, str, str]]:
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None or [h.strip().lower() for h in header[:3]] != ["name", "variant", "kind"]:
        raise AliasError(f"{path}: the first line must be the header `name,variant,kind`")
    for number, row in enumerate(reader, start=2):
        if len(row) < 3:
            raise AliasError(f"{path}: data line {number}: expected name,variant,kind: {row}")
        name, variant, kind = (clean_name(row[0]), clean_name(row[1]), row[2].strip().lower())
        if kind not in KINDS:
            raise AliasError(f"{path}: data line {number}: kind {kind!r} is not one of {KINDS}")
        if name and variant:
            yield name, variant, kind


def user_alias_dir(explicit: str | Path | None = None) -> Path | None:
    folder = explicit or os.environ.get("JOINEDUP_ALIASES")
    return Path(folder) if folder else None


def load_aliases(extra_dir: str | Path | None = None) -> Aliases:
    """The built-in tables plus forenames*.csv / surnames*.csv from the user's folder."""
    tables = {name: AliasTable() for name in TABLES}
    files: list[str] = []
    builtin = resources.files("joinedup.resolve") / "aliases"
    sources: list[tuple[str, Path, str]] = [
        (name, Path(str(builtin / f"{name}.csv")), (builtin / f"{name}.csv").read_text("utf-8"))
        for name in TABLES
    ]
    folder = user_alias_dir(extra_dir)
    if folder is not None:
        if not folder.is_dir():
            raise AliasError(f"{folder}: the alias folder does not exist")
        for path in sorted(folder.glob("*.csv")):
            table = next((n for n in TABLES if path.name.startswith(n)), None)
            if table is None:
                raise AliasError(f"{path}: name alias files must start with forenames or surnames")
            sources.append((table, path, path.read_text("utf-8")))
    for table, path, text in sources:
        for name, variant, kind in _rows(path, text):
            tables[table].add(name, variant, kind)
        files.append(str(path))
    return Aliases(tables["forenames"], tables["surnames"], files)
