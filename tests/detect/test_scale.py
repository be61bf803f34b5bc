"""Detection's structures that keep 1M records in memory: a child's family by surname is
looked up in one shared index (never copied per child), persons built from rows share
their empty sets until they gain a value, and group leads do not depend on the hash seed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

from joinedup.detect.facts import NO_SET, Person
from joinedup.detect.rulebook import builtin_rulebook
from joinedup.detect.ties import AnyOf, Kin, analyse
from tests.detect.test_groups import GIRL, KEVIN, MO, MOTHER, event, facts


def test_surname_family_is_shared_not_copied() -> None:
    school = event(1, "education_concern", date(2019, 5, 1), [(GIRL, "pupil"), (MO, "mentioned")])
    an = analyse(facts([school]), builtin_rulebook().adults.params)
    kin = an.family[GIRL]
    assert isinstance(kin, Kin)
    assert MOTHER in kin and MO not in kin and KEVIN not in kin  # Stone, Dar, no surname
    assert kin.members() == {MOTHER} and set(kin) == {MOTHER} and kin == {MOTHER}
    assert kin.by_surname is an.family.by_surname  # one index for every child
    assert kin.direct == set()  # the mother is family by surname alone: nothing copied
    assert an.family.get(MO) is None  # adults have no family entry


def test_kin_direct_and_surname_members_together() -> None:
    by_surname = {"STONE": {2, 3}, "DAR": {4}}
    kin = Kin(by_surname)
    kin.add(9)
    kin.surnames = ("DAR", "STONE")
    assert [a in kin for a in (2, 3, 4, 9, 5)] == [True, True, True, True, False]
    assert kin.members() == {2, 3, 4, 9} and len(kin) == 4
    union = AnyOf([{1}, {2, 3}])
    assert 3 in union and 4 not in union and set(union) == {1, 2, 3}


def test_person_built_directly_has_its_own_sets_and_rows_share_empty_ones() -> None:
    a, b = Person(1, None), Person(2, None)
    a.homes.add(5)
    assert b.homes == set()
    shared = Person(3, None, surnames=NO_SET, homes=NO_SET)
    shared.add_to("homes", 7)
    assert shared.homes == {7} and NO_SET == frozenset() and shared.surnames is NO_SET


TIE_GRAPH = """
import json
from datetime import date
from joinedup.detect.facts import Part
from joinedup.detect.groups import tie_graph
from joinedup.detect.rulebook import builtin_rulebook
from joinedup.detect.ties import analyse
from tests.detect.test_groups import GIRL, event, facts, person
e = event(1, "missing_episode", date(2019, 5, 1), [(GIRL, "missing_person")])
f = facts([e])
e.parts += [Part("vehicle", 100 + i, "vehicle", 900 + i, {}) for i in range(12)]
for i in range(12):  # twelve cars, each kept by its own man
    f.persons[10 + i] = man = person(10 + i, date(1980, 1, 1), f"Man{i}", f"Owner{i}")
    man.vehicles.add(100 + i)
an = analyse(f, builtin_rulebook().adults.params)
g, nodes, evidence = tie_graph(an, 0.0)
print(json.dumps([nodes, g.get_edgelist(), g.es["weight"]]))
"""


def test_tie_graph_does_not_depend_on_the_hash_seed() -> None:
    """Owners' links are added in a fixed order: the node and edge order Leiden sees (and so
    the group leads of a component too big to keep whole) is the same on every run."""
    out = set()
    for seed in ("1", "2", "3", "4"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", TIE_GRAPH], env=env, capture_output=True, text=True, check=True
        )
        out.add(run.stdout.strip())
    assert len(out) == 1
    nodes = json.loads(out.pop())[0]
    assert len([n for n in nodes if n[0] == "adult"]) == 12
