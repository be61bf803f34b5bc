"""The igraph view of a PoleGraph (`g.graph`): entity and event vertices with their
attributes, participation and tie edges with roles, mentions and records."""

from __future__ import annotations

from typing import TYPE_CHECKING

import igraph as ig
import numpy as np

from joinedup.network.load import moment_of

if TYPE_CHECKING:
    from joinedup.network.graph import PoleGraph


def to_igraph(pg: PoleGraph) -> ig.Graph:
    """Entities (0..n-1) then events; edges: participations, then person-object ties."""
    n, names = pg.n_entities, pg.roles.names
    g = ig.Graph(n=n + pg.n_events, directed=False)
    g.vs["type"] = ["entity"] * n + ["event"] * pg.n_events
    g.vs["entity_id"] = [int(e) for e in pg.entity_ids] + [None] * pg.n_events
    g.vs["kind"] = [pg.kinds.names[k] for k in pg.entity_kind] + [None] * pg.n_events
    g.vs["label"] = list(pg.entity_label) + [None] * pg.n_events
    g.vs["event_id"] = [None] * n + [int(e) for e in pg.event_ids]
    g.vs["event_type"] = [None] * n + [pg.types.names[c] for c in pg.event_type]
    g.vs["start_at"] = [None] * n + [moment_of(s) for s in pg.event_start.tolist()]
    g.vs["record_id"] = [None] * n + [int(r) for r in pg.event_record]
    edges = np.concatenate(
        [np.column_stack((pg.p_entity, pg.p_event + n)),
         np.column_stack((pg.t_person, pg.t_object))]
    )  # fmt: skip
    g.add_edges(edges.tolist())
    links = pg.links.names
    g.es["type"] = ["participation"] * len(pg.p_entity) + [links[k] for k in pg.t_kind]
    g.es["role"] = [names[r] for r in pg.p_role] + [names[r] for r in pg.t_person_role]
    g.es["object_role"] = [None] * len(pg.p_entity) + [names[r] for r in pg.t_object_role]
    g.es["mention_kind"] = [pg.kinds.names[k] for k in pg.p_mention_kind] + ["person"] * len(
        pg.t_person
    )
    g.es["mention_id"] = [int(m) for m in pg.p_mention] + [int(m) for m in pg.t_person_mention]
    g.es["object_mention_id"] = [None] * len(pg.p_entity) + [int(m) for m in pg.t_object_mention]
    g.es["record_id"] = [int(r) for r in pg.event_record[pg.p_event]] + [
        int(r) for r in pg.t_record_id
    ]
    return g
