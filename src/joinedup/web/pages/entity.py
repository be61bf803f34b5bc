"""Entity profiles and timelines (of an entity or a group), as pages and API endpoints."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from joinedup.pole import AuditCategory
from joinedup.search import entity_profile, entity_timeline, group_timeline
from joinedup.web.auth import Viewer, engine_of, log, personal
from joinedup.web.render import render

router = APIRouter()
EntityId = Path(..., ge=1, description="the entity's number (E34 is 34)")


def profile_of(request: Request, viewer: Viewer, entity_id: int) -> dict[str, Any]:
    with engine_of(request).connect() as conn:
        profile = entity_profile(conn, entity_id, unit=viewer.unit)
    log(request, viewer, AuditCategory.consultation, "profile", "entity", entity_id,
        {"records": len(profile["records"])})  # fmt: skip
    return profile


def timeline_of(request: Request, viewer: Viewer, entity_id: int) -> dict[str, Any]:
    with engine_of(request).connect() as conn:
        timeline = entity_timeline(conn, entity_id, unit=viewer.unit)
    log(request, viewer, AuditCategory.consultation, "timeline", "entity", entity_id,
        {"events": len(timeline["events"])})  # fmt: skip
    return timeline


def group_timeline_of(request: Request, viewer: Viewer, group_id: int) -> dict[str, Any]:
    with engine_of(request).connect() as conn:
        timeline = group_timeline(conn, group_id, unit=viewer.unit)
    log(request, viewer, AuditCategory.consultation, "timeline", "group", group_id,
        {"events": len(timeline["events"])})  # fmt: skip
    return timeline


@router.get("/entity/{entity_id}", include_in_schema=False)
def profile_page(
    request: Request, entity_id: int = EntityId, viewer: Viewer = Depends(personal)
) -> Response:
    return render(request, "profile.html", viewer, p=profile_of(request, viewer, entity_id))


@router.get("/entity/{entity_id}/timeline", include_in_schema=False)
def timeline_page(
    request: Request, entity_id: int = EntityId, viewer: Viewer = Depends(personal)
) -> Response:
    return render(request, "timeline.html", viewer, tl=timeline_of(request, viewer, entity_id))


@router.get("/group/{group_id}/timeline", include_in_schema=False)
def group_timeline_page(
    request: Request, group_id: int = Path(..., ge=1), viewer: Viewer = Depends(personal)
) -> Response:
    tl = group_timeline_of(request, viewer, group_id)
    return render(request, "timeline.html", viewer, tl=tl)


@router.get("/api/entities/{entity_id}", tags=["entities"])
def api_profile(
    request: Request, entity_id: int = EntityId, viewer: Viewer = Depends(personal)
) -> dict[str, Any]:
    """Every visible source record of an entity (agency, date, grading, role), its names
    and aliases, its flags with evidence and how its members were joined."""
    return profile_of(request, viewer, entity_id)


@router.get("/api/entities/{entity_id}/timeline", tags=["entities"])
def api_timeline(
    request: Request, entity_id: int = EntityId, viewer: Viewer = Depends(personal)
) -> dict[str, Any]:
    """The entity's dated events, oldest first, each traced to its record."""
    return timeline_of(request, viewer, entity_id)


@router.get("/api/groups/{group_id}/timeline", tags=["entities"])
def api_group_timeline(
    request: Request, group_id: int = Path(..., ge=1), viewer: Viewer = Depends(personal)
) -> dict[str, Any]:
    """The events of every member of a group flag, oldest first."""
    return group_timeline_of(request, viewer, group_id)
