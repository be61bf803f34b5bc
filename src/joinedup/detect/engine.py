"""One detection pass over the facts as of a date: children scored, adults, vehicles and
places flagged, group leads found. Pure: reads Facts, writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection

from joinedup.detect.adults import EntityResult, score_adults, score_objects
from joinedup.detect.children import ChildResult, ChildScorer
from joinedup.detect.facts import Facts, load_facts
from joinedup.detect.groups import GroupResult, find_groups
from joinedup.detect.rulebook import RuleBook, builtin_rulebook
from joinedup.detect.ties import Analysis, analyse


@dataclass
class Detection:
    as_of: date | None
    rulebook: RuleBook
    analysis: Analysis
    children: dict[int, ChildResult]
    adults: dict[int, EntityResult]
    objects: dict[tuple[str, int], EntityResult]
    groups: list[GroupResult]

    @property
    def facts(self) -> Facts:
        return self.analysis.facts

    def at_risk(self, band: str = "mild") -> dict[int, ChildResult]:
        from joinedup.detect.rulebook import BANDS

        return {c: r for c, r in self.children.items() if BANDS.index(r.band) >= BANDS.index(band)}


def detect_facts(facts: Facts, book: RuleBook | None = None) -> Detection:
    book = book or builtin_rulebook()
    an = analyse(facts, book.adults.params)
    scorer = ChildScorer(book.children)
    children = {c: scorer.score(an, c) for c in sorted(an.children)}
    children = {c: r for c, r in children.items() if r.hits}
    adults = score_adults(an, book.adults)
    objects = score_objects(an, book.objects)
    bands = {c: r.band for c, r in children.items()}
    groups = find_groups(an, book.groups, bands)
    return Detection(facts.as_of, book, an, children, adults, objects, groups)


def detect(conn: Connection, as_of: date | None = None, book: RuleBook | None = None) -> Detection:
    """Detection on the records received on or before `as_of` (None: all). Writes nothing."""
    return detect_facts(load_facts(conn, as_of), book)
