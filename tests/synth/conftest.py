"""One small synthetic city per session, shared by the synth tests (as the demo uses it)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from joinedup.synth import CityStats, generate_city


@dataclass(frozen=True)
class City:
    folder: Path
    stats: CityStats
    seconds: float


@pytest.fixture(scope="session")
def city(tmp_path_factory: pytest.TempPathFactory) -> City:
    """The standard small city: 300 children over 18 months, realistic noise."""
    folder = tmp_path_factory.mktemp("city")
    t0 = time.perf_counter()
    stats = generate_city(seed=7, children=300, months=18, out_dir=folder, noise=1.0)
    return City(folder, stats, time.perf_counter() - t0)
