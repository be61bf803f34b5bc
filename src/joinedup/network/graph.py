"""The POLE graph: one vertex per current entity and per event, participation edges with
their role, mention and record, and person-object ties; indexes for fast local questions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import igraph as ig
import numpy as np
from sqlalchemy import Connection

from joinedup.network.load import Tables, day_number, day_of, load_tables, moment_of
from joinedup.network.model import EventLink, UnknownEntity, parse_entity

if TYPE_CHECKING:
    from joinedup.network.model import Association, Community, Measure, Path, Subgraph


def _index(ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Positions of `wanted` in the sorted `ids`, -1 where absent."""
    if len(ids) == 0:
        return np.full(len(wanted), -1, dtype=np.int64)
    pos = np.searchsorted(ids, wanted)
    pos = np.clip(pos, 0, len(ids) - 1)
    return np.where(ids[pos] == wanted, pos, -1)


@dataclass(frozen=True, slots=True)
class Csr:
    """Rows grouped by a key: rows of key k are order[ptr[k]:ptr[k+1]]."""

    order: np.ndarray
    ptr: np.ndarray

    @classmethod
    def of(cls, keys: np.ndarray, size: int) -> Csr:
        order = np.argsort(keys, kind="stable")
        counts = np.bincount(keys, minlength=size) if len(keys) else np.zeros(size, np.int64)
        return cls(order, np.concatenate(([0], np.cumsum(counts))))

    def rows(self, key: int) -> np.ndarray:
        return self.order[self.ptr[key] : self.ptr[key + 1]]

    def rows_many(self, keys: np.ndarray) -> np.ndarray:
        starts, ends = self.ptr[keys], self.ptr[keys + 1]
        lengths = ends - starts
        if lengths.sum() == 0:
            return np.zeros(0, dtype=np.int64)
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        return self.order[offsets + np.arange(lengths.sum())]


@dataclass(frozen=True, slots=True)
class Filter:
    """Evidence kept by a question: days (inclusive) and roles (None keeps every role)."""

    day_from: int | None = None
    day_to: int | None = None
    roles: np.ndarray | None = None  # role codes

    def days_ok(self, days: np.ndarray) -> np.ndarray:
        ok = np.ones(len(days), dtype=bool)
        if self.day_from is not None:
            ok &= days >= self.day_from
        if self.day_to is not None:
            ok &= days <= self.day_to
        return ok

    def roles_ok(self, roles: np.ndarray) -> np.ndarray:
        if self.roles is None:
            return np.ones(len(roles), dtype=bool)
        return np.isin(roles, self.roles)

    @property
    def empty(self) -> bool:
        return self.day_from is None and self.day_to is None and self.roles is None


class PoleGraph:
    """The graph of resolved entities and events built by `build_graph` (see the package doc)."""

    def __init__(self, tables: Tables, as_of: date | None = None):
        self.as_of = as_of
        self.resolution_run = tables.resolution_run
        self.roles, self.kinds, self.types, self.links = (
            tables.roles, tables.kinds, tables.types, tables.links,
        )  # fmt: skip
        self._reasons = tables.reasons
        self._build(tables)
        self._projections: dict[Any, Any] = {}
        self._graph: ig.Graph | None = None

    # --- construction ---------------------------------------------------------------
    def _build(self, tb: Tables) -> None:
        all_ids = tb["e_id"]
        used = np.unique(
            np.concatenate(
                [
                    tb["p_entity_id"],
                    tb["t_person"],
                    tb["t_object"],
                    tb["u_entity_id"],
                    tb["c_source"],
                    tb["c_target"],
                ]
            )  # fmt: skip
        )
        keep = np.isin(all_ids, used)
        self.entity_ids = all_ids[keep]
        self.entity_kind = tb["e_kind"][keep]
        labels = tb.labels
        self.entity_label = [labels[i] for i in np.flatnonzero(keep)]
        self.n_entities = len(self.entity_ids)
        self.event_ids = tb["ev_id"]
        self.event_type = tb["ev_event_type"]
        self.event_record = tb["ev_record_id"]
        self.event_day = tb["ev_day"]
        self.event_start = tb["ev_start"]  # seconds since 1970, NO_TIME when unknown
        self.n_events = len(self.event_ids)

        p_ent = _index(self.entity_ids, tb["p_entity_id"])
        p_ev = _index(self.event_ids, tb["p_event_id"])
        ok = (p_ent >= 0) & (p_ev >= 0)
        self.p_entity, self.p_event = p_ent[ok], p_ev[ok]
        self.p_role = tb["p_role"][ok]
        self.p_mention_kind = tb["p_mention_kind"][ok]
        self.p_mention = tb["p_mention_id"][ok]
        self.p_day = self.event_day[self.p_event]
        self.p_by_entity = Csr.of(self.p_entity, self.n_entities)
        self.p_by_event = Csr.of(self.p_event, self.n_events)

        t_person = _index(self.entity_ids, tb["t_person"])
        t_object = _index(self.entity_ids, tb["t_object"])
        ok = (t_person >= 0) & (t_object >= 0)
        self.t_person, self.t_object = t_person[ok], t_object[ok]
        for name in ("kind", "person_role", "object_role", "person_mention", "object_mention",
                     "record_id", "day"):  # fmt: skip
            setattr(self, f"t_{name}", tb[f"t_{name}"][ok])
        self.t_event = _index(self.event_ids, tb["t_event_id"][ok])
        self.t_by_person = Csr.of(self.t_person, self.n_entities)
        self.t_by_object = Csr.of(self.t_object, self.n_entities)

        u_phone = _index(self.entity_ids, tb["u_entity_id"])
        u_event = _index(self.event_ids, tb["u_event_id"])
        ok = (u_phone >= 0) & (u_event >= 0)
        self.u_phone, self.u_event, self.u_mention = u_phone[ok], u_event[ok], tb["u_id"][ok]
        self.u_by_phone = Csr.of(self.u_phone, self.n_entities)
        self.u_by_event = Csr.of(self.u_event, self.n_events)

        c_source = _index(self.entity_ids, tb["c_source"])
        c_target = _index(self.entity_ids, tb["c_target"])
        ok = (c_source >= 0) & (c_target >= 0)
        self.c_source, self.c_target = c_source[ok], c_target[ok]
        self.c_event = _index(self.event_ids, tb["c_event_id"][ok])
        self.c_record = tb["c_record_id"][ok]
        self.c_role = tb["c_role"][ok]
        self.c_candidates = tb["c_candidates"][ok]
        self.c_mention = tb["c_mention_id"][ok]
        self.c_reason = np.flatnonzero(ok)
        self.c_day = np.where(
            self.c_event >= 0, self.event_day[np.maximum(self.c_event, 0)], tb["c_received"][ok]
        )
        self.c_by_source = Csr.of(self.c_source, self.n_entities)
        self.c_by_target = Csr.of(self.c_target, self.n_entities)
        self.c_by_event = Csr.of(np.maximum(self.c_event, 0)[self.c_event >= 0], self.n_events)
        self.c_with_event = np.flatnonzero(self.c_event >= 0)
        self._vertex = {int(e): i for i, e in enumerate(self.entity_ids)}

    # --- identities -----------------------------------------------------------------
    def vertex(self, entity: int | str) -> int:
        """The vertex of an entity (34 or "E34"); UnknownEntity when it is not in the graph."""
        eid = parse_entity(entity)
        v = self._vertex.get(eid)
        if v is None:
            when = f" as of {self.as_of}" if self.as_of else ""
            raise UnknownEntity(
                f"E{eid} is not in the graph{when}: it is not a current entity, or no "
                f"event, tie or candidate link names it (see `joinedup explain E{eid}`)"
            )
        return v

    def has_entity(self, entity: int | str) -> bool:
        try:
            return parse_entity(entity) in self._vertex
        except ValueError:
            return False

    def kind_of(self, v: int) -> str:
        return self.kinds.names[self.entity_kind[v]]

    def label_of(self, v: int) -> str | None:
        return self.entity_label[v]

    def filter(
        self,
        date_from: date | None = None,
        date_to: date | None = None,
        roles: Iterable[str] | None = None,
    ) -> Filter:
        return Filter(
            None if date_from is None else day_number(date_from),
            None if date_to is None else day_number(date_to),
            None if roles is None else self.roles.codes_of(set(roles)),
        )

    def __len__(self) -> int:
        return self.n_entities

    def entities(self, kind: str | None = None) -> list[int]:
        """Entity ids in the graph, optionally of one kind."""
        if kind is None:
            return [int(e) for e in self.entity_ids]
        code = self.kinds.index.get(kind, -1)
        return [int(e) for e in self.entity_ids[self.entity_kind == code]]

    def summary(self) -> dict[str, Any]:
        kinds = np.bincount(self.entity_kind, minlength=len(self.kinds.names))
        return {
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "resolution_run": self.resolution_run,
            "entities": {self.kinds.names[k]: int(n) for k, n in enumerate(kinds) if n},
            "events": self.n_events,
            "participations": len(self.p_entity),
            "ties": len(self.t_person),
            "phone_mentions_without_owner": len(self.u_phone),
            "candidate_links": len(self.c_source),
        }

    # --- the igraph view --------------------------------------------------------------
    @property
    def graph(self) -> ig.Graph:
        """Entities (0..n-1) then events; edges: participations, then person-object ties."""
        if self._graph is None:
            from joinedup.network.view import to_igraph

            self._graph = to_igraph(self)
        return self._graph

    # --- local questions ---------------------------------------------------------------
    def events_of(
        self,
        entity: int | str,
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        roles: Iterable[str] | None = None,
    ) -> list[EventLink]:
        """The events an entity took part in, by date, with its role and source record."""
        v = self.vertex(entity)
        flt = self.filter(date_from, date_to, roles)
        rows = self.p_by_entity.rows(v)
        rows = rows[flt.days_ok(self.p_day[rows]) & flt.roles_ok(self.p_role[rows])]
        return sorted((self.event_link(int(r)) for r in rows), key=lambda e: (e.day, e.event_id))

    def event_link(self, row: int) -> EventLink:
        ev = self.p_event[row]
        return EventLink(
            entity_id=int(self.entity_ids[self.p_entity[row]]),
            event_id=int(self.event_ids[ev]),
            event_type=self.types.names[self.event_type[ev]],
            start_at=moment_of(self.event_start[ev]),
            day=day_of(self.event_day[ev]),
            role=self.roles.names[self.p_role[row]],
            mention_kind=self.kinds.names[self.p_mention_kind[row]],
            mention_id=int(self.p_mention[row]),
            record_id=int(self.event_record[ev]),
        )

    def associations(
        self,
        entity: int | str,
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        roles: Iterable[str] | None = None,
        kinds: Iterable[str] | None = None,
        firm_only: bool = False,
    ) -> list[Association]:
        """Every entity-entity link of an entity, strongest first, each with its evidence."""
        found = self.associations_many(
            [entity], date_from=date_from, date_to=date_to, roles=roles, kinds=kinds,
            firm_only=firm_only,
        )  # fmt: skip
        return next(iter(found.values()))

    def associations_many(
        self,
        entities: Iterable[int | str],
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        roles: Iterable[str] | None = None,
        kinds: Iterable[str] | None = None,
        firm_only: bool = False,
    ) -> dict[int, list[Association]]:
        """{entity id: its associations} for many entities in one vectorised pass."""
        from joinedup.network.links import associations_from, evidence_items

        vs = [self.vertex(e) for e in entities]
        items = evidence_items(self, vs, self.filter(date_from, date_to, roles))
        out: dict[int, list[Association]] = {int(self.entity_ids[v]): [] for v in vs}
        wanted = None if kinds is None else set(kinds)
        for a in associations_from(self, items):
            if (wanted is None or a.kind in wanted) and (a.firm or not firm_only):
                out[a.entity_id].append(a)
        return out

    def neighbourhood(
        self,
        entity: int | str,
        depth: int = 2,
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        roles: Iterable[str] | None = None,
        kinds: Iterable[str] | None = None,
        max_nodes: int | None = None,
        with_events: bool = False,
    ) -> Subgraph:
        from joinedup.network.around import neighbourhood

        return neighbourhood(
            self, entity, depth, date_from=date_from, date_to=date_to, roles=roles,
            kinds=kinds, max_nodes=max_nodes, with_events=with_events,
        )  # fmt: skip

    def shortest_path(
        self,
        a: int | str,
        b: int | str,
        *,
        time_respecting: bool = False,
        kinds: Iterable[str] | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
    ) -> Path | None:
        from joinedup.network.paths import shortest_path

        return shortest_path(
            self, a, b, time_respecting=time_respecting, kinds=kinds,
            date_from=date_from, date_to=date_to,
        )  # fmt: skip

    # --- whole-graph questions ----------------------------------------------------------
    def projection(self, kinds: Iterable[str] | None = None, links: Iterable[str] | None = None):
        """The entity-entity graph of firm links (igraph, weighted by evidence count)."""
        from joinedup.network.projection import project

        key = (
            None if kinds is None else frozenset(kinds),
            None if links is None else frozenset(links),
        )
        if key not in self._projections:
            self._projections[key] = project(self, *key)
        return self._projections[key]

    def measures(
        self,
        kinds: Iterable[str] | None = None,
        *,
        links: Iterable[str] | None = None,
        within: Iterable[int | str] | None = None,
        cutoff: int | None = None,
        sample: int | None = None,
        seed: int = 0,
    ) -> list[Measure]:
        from joinedup.network.measures import measures

        return measures(
            self, kinds=kinds, links=links, within=within, cutoff=cutoff, sample=sample, seed=seed
        )

    def communities(
        self,
        seed: int = 0,
        resolution: float = 1.0,
        *,
        kinds: Iterable[str] | None = None,
        links: Iterable[str] | None = None,
        min_size: int = 2,
        iterations: int = 5,
    ) -> list[Community]:
        from joinedup.network.measures import communities

        return communities(
            self, seed=seed, resolution=resolution, kinds=kinds, links=links,
            min_size=min_size, iterations=iterations,
        )  # fmt: skip

    def components(
        self, kinds: Iterable[str] | None = None, links: Iterable[str] | None = None
    ) -> list[list[int]]:
        """Connected components of the firm links (entity ids), largest first: the unit of
        partitioning, since no path, measure or community crosses between two of them."""
        proj = self.projection(kinds, links)
        ids = self.entity_ids[proj.to_pole]
        out = [sorted(ids[comp].tolist()) for comp in proj.graph.connected_components()]
        return sorted(out, key=lambda c: (-len(c), c[0] if c else 0))


def build_graph(conn: Connection, as_of: date | None = None) -> PoleGraph:
    """The graph of current entities and events, from records received by `as_of` (inclusive).

    NetworkError when resolution has not run yet.
    """
    return PoleGraph(load_tables(conn, as_of), as_of)
