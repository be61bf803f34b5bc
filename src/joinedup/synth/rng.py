"""Seeded randomness for the synthetic city: one independent stream per concern.

Every stream is a `random.Random` seeded from the city seed and a fixed label, so a
change in one concern (say, more hotel guests) does not reshuffle another.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate
from typing import Generic, TypeVar

import numpy as np

T = TypeVar("T")


class Stream(random.Random):
    """random.Random with faster `randrange` and `choice` for the hot paths.

    The library versions draw bits until a value falls in range (exact, but ~1.5 us a
    call); scaling one `random()` is ~5x faster and its bias (< 2**-40 for the ranges
    used here) is far below anything the city could show.
    """

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:  # type: ignore[override]
        if stop is None:
            if start <= 0:
                raise ValueError("empty range for randrange()")
            return int(self.random() * start)
        if stop <= start:
            raise ValueError("empty range for randrange()")
        return start + int(self.random() * (stop - start))

    def choice(self, seq):  # type: ignore[no-untyped-def, override]
        if not seq:
            raise IndexError("cannot choose from an empty sequence")
        return seq[int(self.random() * len(seq))]


def stream(seed: int, label: str) -> Stream:
    """An independent, reproducible stream (str seeds are hashed with SHA-512, not hash())."""
    return Stream(f"joinedup-synth/{seed}/{label}")


def np_stream(seed: int, label: str) -> np.random.Generator:
    digest = stream(seed, label).getrandbits(128)
    return np.random.default_rng(digest)


class Picker(Generic[T]):
    """Weighted choice by bisection over cumulative weights: O(log n) per draw."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, items: Sequence[T], weights: Sequence[float]):
        if not items:
            raise ValueError("Picker needs at least one item")
        self.items = list(items)
        self.cum = list(accumulate(float(w) for w in weights))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random) -> T:
        return self.items[bisect_right(self.cum, rng.random() * self.total)]

    def __len__(self) -> int:
        return len(self.items)


def zipf_weights(n: int, s: float = 1.0, offset: float = 1.0) -> list[float]:
    """Rank-frequency weights: common names really common, long tail rare."""
    return [1.0 / (rank + offset) ** s for rank in range(n)]


def poisson(rng: random.Random, lam: float) -> int:
    """Poisson draw without numpy (small lambdas: inversion; large: normal approximation)."""
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, lam**0.5)))
    limit = math.exp(-lam)
    k, prod = 0, rng.random()
    while prod > limit:
        k += 1
        prod *= rng.random()
    return k
