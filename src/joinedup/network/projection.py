"""The entity-entity projection: every firm association as one weighted edge, built in bulk
(pandas joins, no per-entity loops) for measures, communities, paths and components.

An edge's weight is its evidence count summed over link kinds: distinct shared events, tie
records, the tie records behind a shared object, and the records behind a phone contact.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import igraph as ig
import numpy as np
import pandas as pd

from joinedup.network.links import LINK_KINDS, SHARED

if TYPE_CHECKING:
    from joinedup.network.graph import PoleGraph


@dataclass
class Projection:
    graph: ig.Graph  # vertex attribute entity_id; edge attribute weight
    to_pole: np.ndarray  # projection vertex -> PoleGraph vertex
    from_pole: np.ndarray  # PoleGraph vertex -> projection vertex, -1 when left out
    ends: np.ndarray  # (edges, 2) projection vertices, in igraph's edge order
    weights: np.ndarray  # evidence count per edge

    def entity_id(self, pv: int, g: PoleGraph) -> int:
        return int(g.entity_ids[self.to_pole[pv]])


def _pairs(a: np.ndarray, b: np.ndarray, w: np.ndarray) -> pd.DataFrame:
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    keep = lo != hi
    return pd.DataFrame({"a": lo[keep], "b": hi[keep], "w": w[keep]})


def _co_event(g: PoleGraph, allowed: np.ndarray) -> pd.DataFrame:
    ok = allowed[g.p_entity]
    part = pd.DataFrame({"e": g.p_event[ok], "v": g.p_entity[ok]}).drop_duplicates()
    pairs = part.merge(part, on="e")
    pairs = pairs[pairs.v_x < pairs.v_y]
    counted = pairs.groupby(["v_x", "v_y"], sort=False).size().reset_index(name="w")
    return pd.DataFrame({"a": counted.v_x, "b": counted.v_y, "w": counted.w})


def _tie_frame(g: PoleGraph) -> pd.DataFrame:
    return pd.DataFrame({"p": g.t_person, "o": g.t_object, "k": g.t_kind, "r": g.t_record_id})


def _ties(g: PoleGraph, allowed: np.ndarray, wanted: set[str]) -> pd.DataFrame:
    ties = _tie_frame(g)
    codes = [g.links.index[k] for k in wanted if k in g.links.index]
    ties = ties[ties.k.isin(codes) & allowed[ties.p] & allowed[ties.o]]
    counted = ties.drop_duplicates(["p", "o", "r"]).groupby(["p", "o"]).size()
    counted = counted.reset_index(name="w")
    return _pairs(counted.p.to_numpy(), counted.o.to_numpy(), counted.w.to_numpy())


def _shared(g: PoleGraph, allowed: np.ndarray, wanted: set[str]) -> pd.DataFrame:
    codes = [g.links.index[k] for k, s in SHARED.items() if s in wanted and k in g.links.index]
    ties = _tie_frame(g)
    ties = ties[ties.k.isin(codes) & allowed[ties.p]]
    per = ties.drop_duplicates(["p", "o", "r"]).groupby(["p", "o", "k"]).size()
    per = per.reset_index(name="n")
    pairs = per.merge(per, on=["o", "k"])
    pairs = pairs[pairs.p_x < pairs.p_y]
    return pd.DataFrame({"a": pairs.p_x, "b": pairs.p_y, "w": pairs.n_x + pairs.n_y})


def _phone_contact(g: PoleGraph, allowed: np.ndarray) -> pd.DataFrame:
    person = g.kinds.index.get("person", -1)
    code = g.links.index.get("phone_of", -1)
    ties = _tie_frame(g)
    owners = ties[ties.k == code].drop_duplicates(["p", "o", "r"]).groupby(["o", "p"]).size()
    owners = owners.reset_index(name="n")
    seen = pd.DataFrame({"o": g.u_phone, "e": g.u_event}).drop_duplicates()
    ok = g.entity_kind[g.p_entity] == person
    people = pd.DataFrame({"e": g.p_event[ok], "w": g.p_entity[ok]}).drop_duplicates()
    contact = seen.merge(people, on="e").merge(owners, on="o")
    contact = contact[contact.w != contact.p]
    own = set(zip(owners.o, owners.p, strict=True))
    if own:  # a person's own phone written without the link is not a contact
        mask = [(o, w) not in own for o, w in zip(contact.o, contact.w, strict=True)]
        contact = contact[np.array(mask, dtype=bool)]
    contact = contact[allowed[contact.w] & allowed[contact.p]]
    events = contact.groupby(["w", "p"]).e.nunique()
    tie_records = contact.drop_duplicates(["w", "p", "o"]).groupby(["w", "p"]).n.sum()
    weight = (events + tie_records).reset_index(name="w_")
    return _pairs(weight.w.to_numpy(), weight.p.to_numpy(), weight.w_.to_numpy())


def project(g: PoleGraph, kinds: frozenset[str] | None, links: frozenset[str] | None) -> Projection:
    """Entities of `kinds` (default all) joined by firm links of `links` (default all)."""
    wanted = set(LINK_KINDS if links is None else links)
    unknown = wanted - set(LINK_KINDS)
    if unknown:
        raise ValueError(f"unknown link kinds {sorted(unknown)}; known: {', '.join(LINK_KINDS)}")
    if kinds is None:
        allowed = np.ones(g.n_entities, dtype=bool)
    else:
        allowed = np.isin(g.entity_kind, [g.kinds.index[k] for k in kinds if k in g.kinds.index])
    frames = []
    if "co_event" in wanted:
        frames.append(_co_event(g, allowed))
    ties = wanted & {"vehicle_of", "phone_of", "home_address"}
    if ties:
        frames.append(_ties(g, allowed, ties))
    if wanted & set(SHARED.values()):
        frames.append(_shared(g, allowed, wanted))
    if "phone_contact" in wanted:
        frames.append(_phone_contact(g, allowed))
    edges = pd.concat(frames) if frames else pd.DataFrame({"a": [], "b": [], "w": []})
    edges = edges.groupby(["a", "b"], sort=True).w.sum().reset_index()
    to_pole = np.flatnonzero(allowed)
    from_pole = np.full(g.n_entities, -1, dtype=np.int64)
    from_pole[to_pole] = np.arange(len(to_pole))
    graph = ig.Graph(n=len(to_pole), directed=False)
    ends = np.column_stack((from_pole[edges.a.to_numpy(int)], from_pole[edges.b.to_numpy(int)]))
    graph.add_edges(ends.tolist())
    weights = edges.w.to_numpy(float)
    graph.es["weight"] = weights.tolist()
    graph.vs["entity_id"] = g.entity_ids[to_pole].tolist()
    return Projection(graph, to_pole, from_pole, ends, weights)


def vertices_of(g: PoleGraph, proj: Projection, entities: Iterable[int | str]) -> list[int]:
    """Projection vertices of the given entities (UnknownEntity when one is not there)."""
    out = []
    for e in entities:
        pv = int(proj.from_pole[g.vertex(e)])
        if pv >= 0:
            out.append(pv)
    return out
