"""A small hand-built world with known answers, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest
from sqlalchemy.engine import Engine

from joinedup.store import write_transaction
from tests.network.builder import StoreBuilder
from tests.resolve.conftest import city_store, tiny_city  # noqa: F401  (fixtures)

D = date


@dataclass
class World:
    ids: dict[str, int] = field(default_factory=dict)
    events: dict[str, int] = field(default_factory=dict)
    records: dict[str, int] = field(default_factory=dict)

    def __getattr__(self, name: str) -> int:
        try:
            return self.ids[name]
        except KeyError as exc:
            raise AttributeError(name) from exc


def build_world(engine: Engine) -> World:
    """A missing child C, her carer K, adults A and B, an officer O; a flat L; A and B's
    home H; a car V both drive; A's phone P; a partial plate PV that could be V or V2."""
    w = World()
    with write_transaction(engine) as conn:
        b = StoreBuilder(conn)
        for name, kind, label in [
            ("C", "person", "Ava Testchild"), ("K", "person", "Kim Carer"),
            ("A", "person", "Adam Testadult"), ("B", "person", "Ben Testadult"),
            ("O", "person", "Olly Officer"), ("L", "location", "Flat 1 Test Road"),
            ("H", "location", "12 Test Street"), ("V", "vehicle", "AB12CDE"),
            ("V2", "vehicle", "AB13CDE"), ("P", "phone", "+447700900001"),
            ("PV", "vehicle", "AB1*"),
        ]:  # fmt: skip
            w.ids[name] = b.entity(kind, label)
        i = w.ids

        def ev(key: str, *args, **kwargs) -> dict[int, int]:  # type: ignore[no-untyped-def]
            e, r, mentions = b.event(*args, **kwargs)
            w.events[key], w.records[key] = e, r
            return mentions

        ev("e1", "missing_episode", D(2024, 1, 10),
           [(i["C"], "missing_person"), (i["K"], "reporting_person"), (i["A"], "found_with"),
            (i["O"], "officer"), (i["L"], "found_at")])  # fmt: skip
        ev("e2", "stop_check", D(2024, 2, 1),
           [(i["A"], "driver"), (i["C"], "passenger"), (i["V"], "vehicle")],
           ties=[(i["A"], i["V"])])  # fmt: skip
        ev("e3", "licence", D(2024, 2, 15),
           [(i["B"], "licence_holder"), (i["V"], "vehicle"), (i["H"], "home_address")],
           ties=[(i["B"], i["V"]), (i["B"], i["H"])])  # fmt: skip
        ev("e4", "police_incident", D(2024, 3, 1),
           [(i["A"], "subject"), (i["H"], "home_address"), (i["P"], "phone")],
           ties=[(i["A"], i["H"]), (i["A"], i["P"])])  # fmt: skip
        m5 = ev("e5", "missing_episode", D(2024, 3, 20),
                [(i["C"], "missing_person"), (i["P"], "mentioned"), (i["PV"], "mentioned")])  # fmt: skip
        b.candidate(m5[i["PV"]], [i["V"], i["V2"]], "partial plate AB1*")
        ev("e6", "referral", D(2024, 5, 1), [(i["C"], "subject"), (i["B"], "associate")],
           received=D(2024, 5, 2))  # fmt: skip
    return w


@pytest.fixture
def world(engine: Engine) -> World:
    return build_world(engine)
