"""The problem profile from a real store (SQLite and PostgreSQL), every count known by hand."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.engine import Engine

from joinedup.stats import analyse_profile, build_profile, controlled
from tests.stats.conftest import flag_by_hand, resolve_by_hand


def profile(engine: Engine, **kw: object):  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return build_profile(conn, **kw)  # type: ignore[arg-type]


def cells(p, key: str) -> dict[str, int | None]:  # type: ignore[no-untyped-def]
    t = p.table(key)
    return {k: v for k, v in {**t.counts, **t.unknown}.items() if v}


def test_mentions_are_counted_when_resolution_has_not_run(hand_store: Engine) -> None:
    p = profile(hand_store)
    assert p.unit == "mentions"
    assert any("Resolution has not run" in n for n in p.notes)
    assert any("detection has not run" in n for n in p.notes)
    pops = {x.key: x.count for x in p.populations}
    assert pops["victims"] == 4 and pops["offenders"] == 4
    assert cells(p, "victims.sex") == {"female": 3, "unrecorded": 1}
    assert cells(p, "victims.ethnicity_self_group") == {"White": 1, "Black": 1, "unrecorded": 2}
    assert cells(p, "victims.ethnicity_self") == {
        "white_british": 1,
        "black_african": 1,
        "unrecorded": 2,
    }
    # Dan's "NS" (not stated) counts with the unrecorded.
    assert cells(p, "offenders.ethnicity_self_group") == {"Asian": 1, "White": 1, "unrecorded": 2}
    assert cells(p, "offenders.ethnicity_officer_group") == {
        "Asian": 1,
        "White": 1,
        "unrecorded": 2,
    }
    assert cells(p, "offenders.nationality") == {"British": 1, "unrecorded": 3}
    assert cells(p, "offenders.disability") == {"unrecorded": 4}
    assert cells(p, "offenders.role") == {"suspect": 4}
    # Amy 14 on 2024-01-10, Cara 13 on 2024-02-15, Hana 15 on 2023-12-01, Eve no DOB.
    assert cells(p, "victims.age_first_concern") == {"13": 1, "14": 1, "15": 1, "unrecorded": 1}
    assert cells(p, "victims.in_care") == {"unrecorded": 4}
    assert cells(p, "events.type") == {"police_incident": 4}
    assert cells(p, "offences.class") == {"assault": 2, "theft": 1, "intelligence_report": 1}
    assert cells(p, "events.month") == {"2023-12": 1, "2024-01": 1, "2024-02": 1, "2024-03": 1}
    assert p.table("events.month").counts == {
        "2023-12": 1,
        "2024-01": 1,
        "2024-02": 1,
        "2024-03": 1,
    }
    assert cells(p, "events.place_type") == {"unrecorded": 4}


def test_area_and_period(hand_store: Engine) -> None:
    p = profile(hand_store, area="NV3")
    assert {x.key: x.count for x in p.populations}["victims"] == 3  # Amy, Cara, Hana
    assert cells(p, "offenders.sex") == {"male": 2}  # Bob, Dan
    assert {x.key: x.count for x in profile(hand_store, area="NV").populations}["victims"] == 4
    q = profile(hand_store, date_from=date(2024, 1, 1), date_to=date(2024, 2, 15))
    assert {x.key: x.count for x in q.populations}["victims"] == 2  # Amy, Cara (inclusive end)
    assert cells(q, "events.month") == {"2024-01": 1, "2024-02": 1}


def test_people_count_once_and_conflicts_are_explicit(hand_store: Engine) -> None:
    # Bob (A2, IC4) and Finn (W1) resolved as one man: self-defined values tie.
    resolve_by_hand(hand_store, [["Bob", "Finn"]])
    p = profile(hand_store)
    assert p.unit == "people" and not any("Resolution" in n for n in p.notes)
    assert {x.key: x.count for x in p.populations}["offenders"] == 3
    assert cells(p, "offenders.ethnicity_self_group") == {"conflicting": 1, "unrecorded": 2}
    assert cells(p, "offenders.ethnicity_officer_group") == {
        "Asian": 1,
        "White": 1,
        "unrecorded": 1,
    }
    assert cells(p, "offenders.sex") == {"male": 2, "unrecorded": 1}
    a = analyse_profile(p)["offenders.ethnicity_self_group"]
    assert a.recorded == (0, 0) and a.row("White").bounds == (0.0, 1.0)


def test_controlled_profile_hides_small_populations(hand_store: Engine) -> None:
    c = controlled(profile(hand_store))
    assert c.controlled and c.threshold == 5
    pops = {x.key: x.count for x in c.populations}
    assert pops["victims"] is None and pops["offenders"] is None  # 4 people each: too few
    assert all(t.total is None for t in c.tables if t.population in ("victims", "offenders"))
    analyses = analyse_profile(c)
    assert analyses["victims.sex"].withheld
    # Every table and chart of the profile is controlled.
    assert all(t.controlled for t in c.tables) and all(t.controlled for t in c.two_way)


def test_flagged_people_and_groups_once_detection_has_run(hand_store: Engine) -> None:
    before = profile(hand_store)
    assert not before.groups_available
    assert "groups" not in {x.key for x in before.populations}
    resolve_by_hand(hand_store, [["Bob", "Finn"]])
    flag_by_hand(
        hand_store,
        children={"Amy": "new", "Cara": "under_review", "Hana": "dismissed"},
        adults={"Bob": "new"},
        groups=[["Bob", "Dan", "Amy"]],
    )
    p = profile(hand_store)
    pops = {x.key: x for x in p.populations}
    assert p.groups_available and not any("detection has not run" in n for n in p.notes)
    assert pops["flagged_child"].count == 2  # Hana's lead was dismissed
    assert pops["flagged_adult"].count == 1
    assert "not verdicts" in pops["flagged_child"].definition
    assert cells(p, "flagged_child.sex") == {"female": 2}
    assert cells(p, "flagged_adult.ethnicity_officer_group") == {"Asian": 1}
    assert pops["groups"].count == 1
    assert cells(p, "groups.size") == {"3-4": 1}
    # In an area, a lead counts when its person (or a group member) appears in scope.
    nv5 = {x.key: x.count for x in profile(hand_store, area="NV5").populations}
    assert nv5["groups"] == 1  # Bob's entity includes Finn, named at an NV5 incident
    assert nv5["flagged_child"] == 0 and nv5["flagged_adult"] == 1
    assert {x.key: x.count for x in profile(hand_store, area="NV9").populations}["groups"] == 0


def test_mentions_ingested_after_resolution_count_alone(hand_store: Engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from joinedup.ingest.batch import ingest_file

    resolve_by_hand(hand_store, [["Bob", "Finn"]])
    late = tmp_path / "late.jsonl"
    row = {
        "incident_no": "NV/24/000009",
        "opened": "2024-04-01T10:00:00",
        "received": "2024-04-01T10:00:00",
        "class": "THEFT",
        "location": {"name": "Test Road", "postcode": "NV3 9ZZ"},
        "persons": [
            {"role": "V", "forenames": "Ivy", "surname": "Testlate", "sex": "F"},
            {"role": "S", "forenames": "Jon", "surname": "Testlate", "sex": "M"},
        ],
    }
    late.write_text(json.dumps(row) + "\n")
    ingest_file(hand_store, late, "police_incidents", actor="stats.test")
    p = profile(hand_store)
    assert p.unit == "people"
    assert any(n.startswith("2 in-scope mentions joined no entity") for n in p.notes)
    assert {x.key: x.count for x in p.populations}["victims"] == 5
    # Published, that small count is a "c" like any other.
    assert any(n.startswith("c in-scope mentions") for n in controlled(p).notes)


@pytest.mark.slow
def test_no_published_cell_of_a_controlled_profile_can_be_recovered(city_store: Engine) -> None:
    from tests.stats.test_disclosure import (
        assert_safe,
        attack,
        one_way_equations,
        two_way_equations,
    )

    exact = profile(city_store)
    shown = controlled(exact)
    assert any(v is None for t in shown.tables for v in t.counts.values())  # it did something
    for before, after in zip(exact.tables, shown.tables, strict=True):
        eqs, published = one_way_equations(after)
        _, original = one_way_equations(before)
        assert_safe(eqs, published, original)
    for before, after in zip(exact.two_way, shown.two_way, strict=True):
        eqs, published = two_way_equations(after)
        _, original = two_way_equations(before)
        assert_safe(eqs, published, original)
    # Linked tables agree on every shared cell, and together still hide every "c".
    grid = shown.two_way[0]
    assert shown.table("events.type").counts == {r: grid.row_totals[r] for r in grid.rows}
    for pop in ("victims", "offenders"):
        d, g = shown.table(f"{pop}.ethnicity_self"), shown.table(f"{pop}.ethnicity_self_group")
        assert d.unknown == g.unknown and d.total == g.total
        published = {("d", k): v for k, v in d.counts.items()} | {
            ("g", k): v for k, v in g.counts.items()
        }
        published |= {("u", k): v for k, v in g.unknown.items()} | {"T": g.total}
        eqs = [([("g", k) for k in g.counts] + [("u", k) for k in g.unknown], "T")]
        eqs += [
            ([("d", k) for k in d.counts if d.roll_up[k] == grp], ("g", grp))
            for grp in g.counts
            if any(d.roll_up[k] == grp for k in d.counts)
        ]
        for k, (lo, hi) in attack(eqs, published).items():
            assert hi - lo >= 1, (pop, k)
