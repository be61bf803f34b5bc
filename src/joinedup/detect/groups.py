"""Group leads: communities (Leiden, igraph) of the conduct-tie graph with at least two
adults and two children, ranked by children, severity and recency; core by centrality.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import igraph as ig

from joinedup.detect.facts import Person
from joinedup.detect.rulebook import BANDS, EntityRules
from joinedup.detect.ties import WEAK_LINKS, Analysis, Tie

Node = tuple[str, int]  # (child | adult | vehicle | location | phone, entity id)


@dataclass
class GroupResult:
    adults: dict[int, float]  # adult -> centrality in the group
    children: set[int]
    objects: set[tuple[str, int]]
    events: list[int]
    last_day: date | None
    severity: float = 0.0
    core: set[int] = field(default_factory=set)

    @property
    def members(self) -> set[int]:
        return set(self.adults) | self.children

    def key_members(self) -> frozenset[int]:
        return frozenset(self.members)

    def reason(self) -> str:
        kids = "1 child" if len(self.children) == 1 else f"{len(self.children)} children"
        return (
            f"{len(self.adults)} adults and {kids} tied by "
            f"{len(self.events)} events; core: {len(self.core)} adult(s)"
        )


def tie_graph(
    an: Analysis,
    min_tie: float,
    min_pair: float | None = None,
    at_risk: Iterable[int] = (),
) -> tuple[ig.Graph, list[Node], list[list[int]]]:
    """Children, adults and the private places, vehicles and phones that tie them.

    A child and one adult or object are an edge when one of her ties to it reaches
    `min_tie`, or (adults only) when her ties to him add up to `min_pair` and she is at risk
    (moderate or significant): ordinary contact (a stop in his car, found with him in
    public) counts only around a child whose own records already put her at risk. The edge
    weighs the sum of its ties. Weak adult links (in a car together with a child,
    found together in public) likewise count only when a child at risk was there."""
    at_risk = set(at_risk)
    index: dict[Node, int] = {}
    edges: dict[tuple[int, int], float] = defaultdict(float)
    evidence: dict[tuple[int, int], set[int]] = defaultdict(set)

    def node(n: Node) -> int:
        if n not in index:
            index[n] = len(index)
        return index[n]

    def link(a: Node, b: Node, w: float, ev: int | None) -> None:
        i, j = node(a), node(b)
        if i == j:
            return
        key = (min(i, j), max(i, j))
        edges[key] += w
        if ev is not None:
            evidence[key].add(ev)

    # Every tie between a child and one adult or object, together (public places never).
    pairs: dict[tuple[int, str, int], list[Tie]] = defaultdict(list)
    for t in an.ties:
        if t.kind == "person" and t.other not in an.adults:
            continue
        if t.kind == "location" and an.place_class.get(t.other) == "public":
            continue
        pairs[(t.child, t.kind, t.other)].append(t)
    objects: set[tuple[str, int]] = set()
    for (child, kind, other), ties in pairs.items():
        total = sum(t.weight for t in ties)
        strong = any(t.weight >= min_tie for t in ties)
        weak_ok = (
            kind == "person" and min_pair is not None and child in at_risk and total >= min_pair
        )
        if not strong and not weak_ok:
            continue
        far: Node = ("adult", other) if kind == "person" else (kind, other)
        if kind != "person":
            objects.add((kind, other))
        for t in ties:
            link(("child", child), far, t.weight, t.event)
    for kind, entity in sorted(objects):  # in a fixed order: edge order moves Leiden
        for a in an.owners(kind, entity):
            if a not in an.professionals:
                link(("adult", a), (kind, entity), an.weights["owner"], None)
    for a, b, how, ev in an.adult_links:
        if a not in an.adults or b not in an.adults:
            continue
        if how in WEAK_LINKS:
            kids = {x.entity for x in an.facts.events[ev].parts if x.kind == "person"}
            if not kids & at_risk:
                continue
        link(("adult", a), ("adult", b), an.weights["adults_together"], ev)
    nodes = list(index)
    g = ig.Graph(n=len(nodes), edges=list(edges))
    g.es["weight"] = list(edges.values())
    return g, nodes, [sorted(evidence[k]) for k in edges]


def communities(g: ig.Graph, rules: EntityRules) -> list[list[int]]:
    """Connected components; one larger than `split_above` vertices is split by Leiden
    (modularity, seeded), since a small component is one group however loosely tied."""
    split_above = int(rules.params.get("split_above", 60))
    out: list[list[int]] = []
    rng = random.Random(int(rules.params.get("seed", 7)))
    for comp in g.connected_components():
        if len(comp) <= split_above:
            out.append(list(comp))
            continue
        sub = g.subgraph(comp)
        ig.set_random_number_generator(rng)
        try:
            parts = sub.community_leiden(
                objective_function="modularity", weights="weight",
                resolution=float(rules.params.get("leiden_resolution", 1.0)), n_iterations=-1,
            )  # fmt: skip
        finally:
            ig.set_random_number_generator(random)
        out += [[comp[v] for v in part] for part in parts]
    return out


def may_be_one(a: Person, b: Person) -> bool:
    """Two adult entities the records cannot tell apart as two people: a single name
    ("Kevin", from a narrative) that is the other's forename, surname or single name, or two
    full names with the same forename and surname (resolution kept them apart)."""
    if not a.has_name or not b.has_name:
        single, other = (a, b) if not a.has_name else (b, a)
        return bool(single.names & (other.names | other.forenames | other.surnames))
    return bool(a.forenames & b.forenames) and bool(a.surnames & b.surnames)


def distinct_people(an: Analysis, adults: Iterable[int], enough: int | None = None) -> int:
    """How many of these adult entities are certainly different people: the size of a set
    (chosen in id order) in which no two may be one (may_be_one), stopping at `enough`."""
    people: list[Person] = []
    for a in sorted(adults):
        p = an.facts.persons[a]
        if all(not may_be_one(p, q) for q in people):
            people.append(p)
            if enough is not None and len(people) >= enough:
                break
    return len(people)


def find_groups(an: Analysis, rules: EntityRules, child_bands: dict[int, str]) -> list[GroupResult]:
    rule = rules.rules[0]
    need_adults = int(rule.params.get("adults", 2))
    need_children = int(rule.params.get("children", 2))
    min_tie = float(rule.params.get("min_tie", 2))
    at_risk = {c for c, b in child_bands.items() if b in ("moderate", "significant")}
    g, nodes, edge_events = tie_graph(an, min_tie, rule.params.get("min_pair"), at_risk)
    if g.vcount() == 0:
        return []
    parts = communities(g, rules)
    out: list[GroupResult] = []
    core_share = float(rules.params.get("core_share", 0.34))
    for members in parts:
        sub = g.subgraph(members)
        kinds = [nodes[v] for v in members]
        children = {e for k, e in kinds if k == "child"}
        adult_idx = [i for i, (k, _) in enumerate(kinds) if k == "adult"]
        if len(children) < need_children:
            continue
        # An adult belongs when his ties into the group reach min_tie.
        strength = sub.strength(weights="weight")
        adults = {kinds[i][1]: float(strength[i]) for i in adult_idx if strength[i] >= min_tie}
        if len(adults) < need_adults or distinct_people(an, adults, need_adults) < need_adults:
            continue
        between = sub.betweenness(weights=None)
        centrality = {kinds[i][1]: float(between[i]) + float(strength[i]) for i in adult_idx}
        adults = {a: centrality[a] for a in adults}
        events: set[int] = set()
        for e in sub.es:
            i, j = members[e.source], members[e.target]
            eid = g.get_eid(i, j)
            events.update(edge_events[eid])
        days = [an.facts.events[x].day for x in events]
        ranked = sorted(adults, key=lambda a: -adults[a])
        n_core = max(1, round(len(ranked) * core_share))
        severity = sum(BANDS.index(child_bands.get(c, "not_at_risk")) for c in children)
        out.append(
            GroupResult(
                adults=adults,
                children=children,
                objects={(k, e) for k, e in kinds if k not in ("adult", "child", "name")},
                events=sorted(events),
                last_day=max(days) if days else None,
                severity=float(severity),
                core=set(ranked[:n_core]),
            )
        )
    out.sort(key=lambda r: (-len(r.children), -r.severity, -(r.last_day or date.min).toordinal()))
    return out
