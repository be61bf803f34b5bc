"""The link chart (Cytoscape.js) and its API: neighbourhoods, groups and paths."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import Response

from joinedup.pole import AuditCategory, Role
from joinedup.search.chart import GRAPHS, group_chart, neighbourhood_chart, path_chart
from joinedup.web.auth import Viewer, engine_of, log, personal
from joinedup.web.render import as_json, render

router = APIRouter()
ROLES = sorted(r.value for r in Role)


def _roles(roles: str | None) -> list[str] | None:
    wanted = [r.strip() for r in (roles or "").split(",") if r.strip()]
    unknown = [r for r in wanted if r not in ROLES]
    if unknown:
        raise HTTPException(422, f"unknown roles {unknown}; choose from {', '.join(ROLES)}")
    return wanted or None


@router.get("/chart", include_in_schema=False)
def chart_page(
    request: Request,
    start: int | None = Query(None, ge=1),
    group: int | None = Query(None, ge=1),
    viewer: Viewer = Depends(personal),
) -> Response:
    return render(request, "chart.html", viewer, start=start, group=group, roles=ROLES)


@router.get("/api/chart/entity/{entity_id}", tags=["chart"], response_model=dict[str, Any])
def api_neighbourhood(
    request: Request,
    entity_id: int = Path(..., ge=1),
    depth: int = Query(1, ge=0, le=3),
    date_from: date | None = None,
    date_to: date | None = None,
    roles: str | None = Query(None, description="comma-separated roles, e.g. suspect,driver"),
    viewer: Viewer = Depends(personal),
) -> Response:
    """An entity and its neighbours to `depth`, each link with its evidence (records,
    events, roles, dates) and each entity with its open flags."""
    engine = engine_of(request)
    graph = GRAPHS.get(engine)
    with engine.connect() as conn:
        chart = neighbourhood_chart(
            conn, graph, entity_id, depth=depth, date_from=date_from, date_to=date_to,
            roles=_roles(roles), unit=viewer.unit,
        )  # fmt: skip
    log(request, viewer, AuditCategory.consultation, "chart", "entity", entity_id,
        {"depth": depth, "nodes": len(chart["nodes"]), "roles": roles,
         "date_from": str(date_from or ""), "date_to": str(date_to or "")})  # fmt: skip
    return as_json(chart)


@router.get("/api/chart/group/{group_id}", tags=["chart"], response_model=dict[str, Any])
def api_group(
    request: Request,
    group_id: int = Path(..., ge=1),
    date_from: date | None = None,
    date_to: date | None = None,
    roles: str | None = None,
    viewer: Viewer = Depends(personal),
) -> Response:
    """A group lead's members and the links among them and to their direct neighbours."""
    engine = engine_of(request)
    graph = GRAPHS.get(engine)
    with engine.connect() as conn:
        chart = group_chart(conn, graph, group_id, unit=viewer.unit, date_from=date_from,
                            date_to=date_to, roles=_roles(roles))  # fmt: skip
    log(request, viewer, AuditCategory.consultation, "chart", "group", group_id,
        {"nodes": len(chart["nodes"])})  # fmt: skip
    return as_json(chart)


@router.get("/api/chart/path", tags=["chart"], response_model=dict[str, Any])
def api_path(
    request: Request,
    a: int = Query(..., ge=1, description="from entity"),
    b: int = Query(..., ge=1, description="to entity"),
    viewer: Viewer = Depends(personal),
) -> Response:
    """The shortest chain of firm links between two entities, hop by hop with evidence."""
    engine = engine_of(request)
    graph = GRAPHS.get(engine)
    with engine.connect() as conn:
        found = path_chart(conn, graph, a, b, unit=viewer.unit)
    log(request, viewer, AuditCategory.consultation, "chart_path", "entity", f"{a}-{b}",
        {"found": found["found"], "length": len(found["hops"])})  # fmt: skip
    return as_json(found)
