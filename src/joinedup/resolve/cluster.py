"""Constrained clustering: union-find over links by descending strength, refusing any merge
that would join two mentions an analyst said differ, two conflicting strong identifiers, or
(through other mentions) birth years more than two years apart.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

import jellyfish

# Links whose dates of birth are not checked: the dates are then the record's error.
TRUSTED = frozenset({"decision", "identifier", "earlier"})


@dataclass
class ConstrainedClusters:
    """Disjoint sets of mentions that each carry {identifier kind: value} and cannot-links."""

    parent: dict[Hashable, Hashable] = field(default_factory=dict)
    ids: dict[Hashable, dict[str, str]] = field(default_factory=dict)  # root -> identifiers
    cannot: dict[Hashable, set[Hashable]] = field(default_factory=dict)  # root -> mentions
    strength: dict[Hashable, float] = field(default_factory=dict)  # mention -> best link
    how: dict[Hashable, str] = field(default_factory=dict)
    years: dict[Hashable, tuple[int, int]] = field(default_factory=dict)  # root -> birth years
    item_years: dict[Hashable, int] = field(default_factory=dict)  # mention -> birth year
    dobs: dict[Hashable, set[str]] = field(default_factory=dict)  # root -> full dates (ISO)
    item_dobs: dict[Hashable, str] = field(default_factory=dict)
    max_year_spread: int = 2
    # A model link this sure whose own two mentions carry the differing years may join
    # clusters that each agree within themselves: the model weighed that very disagreement
    # (a mistyped or misremembered date). It never chains: the merged cluster then spans
    # the years, so no further cross-year merge fits.
    sure_across_years: float = 0.99
    refused: int = 0

    def add(
        self,
        item: Hashable,
        identifiers: Mapping[str, str] | None = None,
        birth_year: int | None = None,
        dob: str | None = None,
    ) -> None:
        if item not in self.parent:
            self.parent[item] = item
            if dob:
                self.dobs[item] = {dob}
                self.item_dobs[item] = dob
            if identifiers:
                self.ids[item] = dict(identifiers)
            if birth_year is not None:
                self.years[item] = (birth_year, birth_year)
                self.item_years[item] = birth_year

    def find(self, item: Hashable) -> Hashable:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def cannot_link(self, a: Hashable, b: Hashable) -> None:
        self.add(a)
        self.add(b)
        self.cannot.setdefault(self.find(a), set()).add(b)
        self.cannot.setdefault(self.find(b), set()).add(a)

    def conflict(
        self, a: Hashable, b: Hashable, strength: float = 0.0, how: str = ""
    ) -> str | None:
        """Why the clusters of a and b may not merge, or None when they may."""
        ra, rb = self.find(a), self.find(b)
        ia, ib = self.ids.get(ra, {}), self.ids.get(rb, {})
        for kind, value in ia.items():
            if kind in ib and ib[kind] != value:
                return f"different {kind}"
        for x in self.cannot.get(ra, ()):
            if self.find(x) == rb:
                return "an analyst decided these differ"
        if how in TRUSTED:  # an analyst's decision, a shared identifier, an earlier run
            return None
        ya, yb = self.years.get(ra), self.years.get(rb)
        spread = self.max_year_spread
        sure = how == "model" and strength >= self.sure_across_years
        if ya and yb and max(ya[1], yb[1]) - min(ya[0], yb[0]) > spread:
            direct = (
                sure
                and a in self.item_years
                and b in self.item_years
                and ya[1] - ya[0] <= spread
                and yb[1] - yb[0] <= spread
            )
            if not direct:
                return "born years apart"
        da, db = self.dobs.get(ra), self.dobs.get(rb)
        if da and db and not any(same_date(x, y) for x in da for y in db):
            # Two known dates no typing slip explains: two people (the "Olivia Smith" born
            # 2007 and the one born 2008), unless the model, seeing both, is still sure.
            direct = sure and self.item_dobs.get(a) in da and self.item_dobs.get(b) in db
            if not (direct and len(da) == 1 and len(db) == 1):
                return "different dates of birth"
        return None

    def union(self, a: Hashable, b: Hashable, strength: float, how: str) -> bool:
        """Merge the clusters of a and b unless a constraint forbids it; True if merged."""
        self.add(a)
        self.add(b)
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if self.conflict(a, b, strength, how):
            self.refused += 1
            return False
        self.parent[rb] = ra
        merged = {**self.ids.pop(rb, {}), **self.ids.get(ra, {})}
        if merged:
            self.ids[ra] = merged
        if rb in self.dobs:
            self.dobs.setdefault(ra, set()).update(self.dobs.pop(rb))
        yb = self.years.pop(rb, None)
        if yb:
            ya = self.years.get(ra, yb)
            self.years[ra] = (min(ya[0], yb[0]), max(ya[1], yb[1]))
        if rb in self.cannot:
            self.cannot.setdefault(ra, set()).update(self.cannot.pop(rb))
        for item in (a, b):
            if strength > self.strength.get(item, -1.0):
                self.strength[item] = strength
                self.how[item] = how
        return True

    def link_all(self, edges: Iterable[tuple[Hashable, Hashable, float]], how: str) -> int:
        """Union each edge, strongest first; returns how many merged two clusters."""
        merged = 0
        parent, strength = self.parent, self.strength
        for a, b, p in sorted(edges, key=lambda e: -e[2]):
            if a not in parent:
                self.add(a)
            if b not in parent:
                self.add(b)
            if self.find(a) != self.find(b):
                merged += self.union(a, b, p, how)
            else:
                for item in (a, b):
                    if p > strength.get(item, -1.0):
                        strength[item], self.how[item] = p, how
        return merged

    def clusters(self) -> dict[Hashable, list[Hashable]]:
        out: dict[Hashable, list[Hashable]] = {}
        for item in self.parent:
            out.setdefault(self.find(item), []).append(item)
        return out


def same_date(x: str, y: str) -> bool:
    """Two ISO dates of birth one person could have been written with: equal, a typing
    slip or two (one or two digits, two adjacent swapped), or day and month swapped."""
    if x == y:
        return True
    swapped = x[:4] == y[:4] and x[5:7] == y[8:10] and x[8:10] == y[5:7]
    return swapped or jellyfish.damerau_levenshtein_distance(x, y) <= 2


def identifier_edges(
    ids_by_item: Mapping[Hashable, Mapping[str, str]],
) -> list[tuple[Hashable, Hashable, float]]:
    """Edges between every pair of items that share a strong identifier (a star per value)."""
    first: dict[tuple[str, str], Hashable] = {}
    edges = []
    for item, ids in ids_by_item.items():
        for kind, value in ids.items():
            head = first.setdefault((kind, value), item)
            if head != item:
                edges.append((head, item, 1.0))
    return edges
