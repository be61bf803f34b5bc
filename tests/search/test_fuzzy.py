"""The blocked fuzzy index answers exactly as rapidfuzz's scan of every string does."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from joinedup.search.fuzzy import GramIndex, _check_bound, gram_keys

# A small alphabet makes near-misses (and repeated bigrams) common.
NAME = st.text(alphabet="ABEHMNORS -'", min_size=0, max_size=24)


def scan(query: str, strings: list[str], cutoff: float, limit: int) -> list:
    return process.extract(
        query, strings, scorer=fuzz.ratio, processor=None, score_cutoff=cutoff, limit=limit
    )


def test_gram_keys_number_repeated_bigrams() -> None:
    assert gram_keys("ANAN") == ["\x02A1", "AN1", "NA1", "AN2", "N\x031"]
    assert gram_keys("") == ["\x02\x031"]


@settings(max_examples=400, deadline=None)
@given(a=NAME, b=NAME, cutoff=st.sampled_from([50, 70, 80, 85, 90, 95, 100]))
def test_every_pair_at_the_cutoff_passes_the_filters(a: str, b: str, cutoff: int) -> None:
    if fuzz.ratio(a, b, processor=None) >= cutoff:
        assert _check_bound(a, b, cutoff)


@settings(max_examples=150, deadline=None)
@given(
    strings=st.lists(NAME, min_size=0, max_size=60),
    query=NAME,
    cutoff=st.sampled_from([60, 80, 85, 92]),
    limit=st.integers(1, 8),
)
def test_extract_is_the_scan(strings: list[str], query: str, cutoff: int, limit: int) -> None:
    """Same strings, scores and positions in the same order, ties included."""
    assert GramIndex(strings).extract(query, cutoff, limit) == scan(query, strings, cutoff, limit)


@settings(max_examples=60, deadline=None)
@given(
    strings=st.lists(NAME, min_size=1, max_size=60),
    pick=st.integers(0, 10_000),
    edits=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 30), st.sampled_from("AEX ")),
                   max_size=4),
)  # fmt: skip
def test_extract_finds_misspellings_of_indexed_names(
    strings: list[str], pick: int, edits: list[tuple[int, int, str]]
) -> None:
    """A query made from an indexed string by a few edits: the near neighbours are found."""
    query = list(strings[pick % len(strings)])
    for op, at, ch in edits:
        at = min(at, len(query))
        if op == 0:
            query.insert(at, ch)
        elif query:
            at = min(at, len(query) - 1)
            if op == 1:
                del query[at]
            else:
                query[at] = ch
    text = "".join(query)
    index = GramIndex(strings)
    for cutoff in (80, 85):
        assert index.extract(text, cutoff, 60) == scan(text, strings, cutoff, 60)


def test_many_names_match_the_scan() -> None:
    """A larger, name-like list (20,000 strings), 300 misspelt queries."""
    rng = random.Random(7)
    parts = ["MOHAMMED", "MOHAMED", "SMITH", "SMYTH", "KHAN", "KAHN", "JONES", "AISHA", "AYESHA",
             "SIDDIQUE", "SADDIQUE", "O'NEILL", "ONEIL", "LEE", "LI", "ANNE-MARIE", "JO"]  # fmt: skip
    letters = "ABCDEFGHIJKLMNOPRSTUWY"
    strings = sorted(
        {
            " ".join(
                rng.choice(parts) if rng.random() < 0.5
                else "".join(rng.choice(letters) for _ in range(rng.randint(2, 9)))
                for _ in range(rng.randint(1, 3))
            )
            for _ in range(20_000)
        }
    )  # fmt: skip
    index = GramIndex(strings)
    for _ in range(300):
        text = list(rng.choice(strings))
        for _ in range(rng.randint(0, 3)):
            text.insert(rng.randrange(len(text) + 1), rng.choice(letters))
            if rng.random() < 0.5 and len(text) > 1:
                del text[rng.randrange(len(text))]
        query = "".join(text)
        for cutoff, limit in ((85, 60), (80, 20)):
            assert index.extract(query, cutoff, limit) == scan(query, strings, cutoff, limit)


def test_empty_index() -> None:
    assert GramIndex([]).extract("ANY", 85, 10) == []
    assert GramIndex([""]).extract("", 85, 10) == scan("", [""], 85, 10)
