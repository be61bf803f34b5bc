"""A blocked fuzzy index: `process.extract(..., scorer=fuzz.ratio)` without the linear scan.

`fuzz.ratio` is the normalised Indel similarity, `100 * (1 - d / (n + m))`, where `d` is
the number of single-character insertions and deletions turning one string (length `n`)
into the other (length `m`). A score of at least `cutoff` therefore allows at most
`d_max = (1 - cutoff / 100) * (n + m)` edits, and such a pair must pass two filters that
can be checked for every string at once:

- length: `|n - m| <= d_max` (each edit changes the length by one);
- shared bigrams (Ukkonen's q-gram lemma, q = 2): with the string padded by a start and
  an end mark, `n` characters make `n + 1` bigrams, each of them inside at most two of
  them, so one insertion or deletion destroys at most two of the original bigrams and
  the two strings share at least `max(n, m) + 1 - 2 * d_max` bigrams (counted as a
  multiset: the k-th "AN" of one string matches the k-th "AN" of the other).

Every string that could reach the cutoff passes both (the filters are necessary
conditions, not a guess), so scoring only the survivors with the same scorer returns
exactly what the full scan returns, ties included (candidates are scored in their
original order, and rapidfuzz breaks ties by position). The bigram counts come from an
inverted index (each (bigram, occurrence) key -> the positions of the strings holding
it), summed with numpy; the query's common bigrams cost a few million integer additions
at most, a constant factor below scoring every string, and rare ones much less.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from math import floor

import numpy as np
from rapidfuzz import fuzz, process

START, END = "\x02", "\x03"  # padding marks: never in a cleaned name


def gram_keys(text: str) -> list[str]:
    """The padded bigrams of `text`, each numbered by its occurrence ("AN1", "AN2")."""
    padded = f"{START}{text}{END}"
    seen: dict[str, int] = {}
    keys = []
    for i in range(len(padded) - 1):
        gram = padded[i : i + 2]
        seen[gram] = seen.get(gram, 0) + 1
        keys.append(f"{gram}{seen[gram]}")
    return keys


def max_edits(cutoff: float, total_length: np.ndarray | int) -> np.ndarray:
    """The most insertions and deletions a pair of this total length may need and still
    score `cutoff` (rounded up by a hair: a wider filter only costs time)."""
    return np.floor((1 - cutoff / 100) * np.asarray(total_length) + 1e-6).astype(np.int32)


class GramIndex:
    """Strings indexed by padded bigram, answering `extract` exactly as rapidfuzz would."""

    def __init__(self, strings: Sequence[str]) -> None:
        self.strings = list(strings)
        self.lengths = np.fromiter((len(s) for s in self.strings), np.int32, len(self.strings))
        vocabulary: dict[str, int] = {}
        key_ids, positions = array("i"), array("i")
        for position, text in enumerate(self.strings):
            for key in gram_keys(text):
                key_ids.append(vocabulary.setdefault(key, len(vocabulary)))
                positions.append(position)
        ids = np.frombuffer(key_ids, np.int32) if key_ids else np.zeros(0, np.int32)
        where = np.frombuffer(positions, np.int32) if positions else np.zeros(0, np.int32)
        order = np.argsort(ids, kind="stable")  # positions stay ascending within a key
        self.postings = where[order].copy()
        self.offsets = np.zeros(len(vocabulary) + 1, np.int64)
        np.cumsum(np.bincount(ids, minlength=len(vocabulary)), out=self.offsets[1:])
        self.vocabulary = vocabulary

    def __len__(self) -> int:
        return len(self.strings)

    def candidates(self, query: str, cutoff: float) -> np.ndarray:
        """Positions (ascending) of every string that may score `cutoff` against `query`."""
        if not self.strings:
            return np.zeros(0, np.int64)
        n = len(query)
        lists = [
            self.postings[self.offsets[k] : self.offsets[k + 1]]
            for k in (self.vocabulary.get(key) for key in gram_keys(query))
            if k is not None
        ]
        shared = (
            np.bincount(np.concatenate(lists), minlength=len(self.strings))
            if lists
            else np.zeros(len(self.strings), np.int64)
        )
        d_max = max_edits(cutoff, n + self.lengths)
        need = np.maximum(self.lengths, n) + 1 - 2 * d_max
        keep = (np.abs(self.lengths - n) <= d_max) & (shared >= need)
        return np.flatnonzero(keep)

    def extract(self, query: str, cutoff: float, limit: int) -> list[tuple[str, float, int]]:
        """`process.extract(query, strings, scorer=fuzz.ratio, processor=None,
        score_cutoff=cutoff, limit=limit)`, the same answer, from the candidates only."""
        positions = self.candidates(query, cutoff)
        if not len(positions):
            return []
        choices = [self.strings[p] for p in positions]
        found = process.extract(
            query, choices, scorer=fuzz.ratio, processor=None, score_cutoff=cutoff, limit=limit
        )
        return [(text, score, int(positions[i])) for text, score, i in found]


def _check_bound(a: str, b: str, cutoff: float) -> bool:
    """For tests: whether the filters let (a, b) through (they must whenever ratio >= cutoff)."""
    n, m = len(a), len(b)
    d_max = floor((1 - cutoff / 100) * (n + m) + 1e-6)
    ka, kb = set(gram_keys(a)), set(gram_keys(b))
    return abs(n - m) <= d_max and len(ka & kb) >= max(n, m) + 1 - 2 * d_max
