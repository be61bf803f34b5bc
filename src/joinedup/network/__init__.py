"""The POLE graph of resolved entities and events, with associations, measures, paths and
communities: what link charts, detection and the workbench read (docs/network.md).

    from joinedup.network import build_graph, PoleGraph
    g = build_graph(conn, as_of=None)     # records received by as_of (inclusive); current
                                          # entities; NetworkError if resolution never ran
    g.graph                               # igraph.Graph: entity vertices (type "entity",
        # entity_id, kind person|vehicle|phone|location, label) then event vertices (type
        # "event", event_id, event_type, start_at, record_id); edges: participations (type
        # "participation", role, mention_kind, mention_id, record_id) and person-object ties
        # (type vehicle_of|phone_of|home_address, role, object_role, mention_id,
        # object_mention_id, record_id)
    g.events_of(e, date_from=, date_to=, roles=)          -> list[EventLink]
    g.associations(e, date_from=, date_to=, roles=, kinds=, firm_only=False)
                                                          -> list[Association]
    g.neighbourhood(e, depth=2, date_from=, date_to=, roles=, kinds=, max_nodes=,
                    with_events=False)                    -> Subgraph (.to_dict())
    g.shortest_path(a, b, time_respecting=False, kinds=, date_from=, date_to=)
                                                          -> Path | None
    g.measures(kinds=None, links=None, within=None, cutoff=None, sample=None, seed=0)
                                                          -> list[Measure]
    g.communities(seed=0, resolution=1.0, kinds=None, links=None, min_size=2, iterations=5)
                                                          -> list[Community]
    g.components(kinds=None, links=None)                  -> list[list[entity id]]
    g.projection(kinds=None, links=None)                  -> Projection (igraph, weights)
    g.associations_many(entities, ...same filters)        -> {entity id: [Association]}
    g.summary(), g.entities(kind=None), g.has_entity(e), g.vertex(e), g.kind_of(v),
    g.label_of(v), len(g)

Entities are given as ints (34) or as users see them ("E34"). Association kinds: co_event,
vehicle_of, phone_of, home_address, shared_vehicle, shared_phone, shared_address,
phone_contact (firm), and candidate_vehicle (firm=False, with `candidates`: a partial plate
that could be that many vehicles; never traversed). Roles are kept on every piece of
evidence; a `roles` filter keeps evidence where both sides play one of the roles. The
network knows no rule thresholds.
"""

from joinedup.network.graph import PoleGraph, build_graph
from joinedup.network.links import CANDIDATE, LINK_KINDS
from joinedup.network.model import (
    Association,
    Community,
    EventLink,
    Evidence,
    Hop,
    Measure,
    NetworkError,
    Node,
    Path,
    Subgraph,
    UnknownEntity,
    entity_ref,
    parse_entity,
)

__all__ = [
    "CANDIDATE",
    "LINK_KINDS",
    "Association",
    "Community",
    "EventLink",
    "Evidence",
    "Hop",
    "Measure",
    "NetworkError",
    "Node",
    "Path",
    "PoleGraph",
    "Subgraph",
    "UnknownEntity",
    "build_graph",
    "entity_ref",
    "parse_entity",
]
