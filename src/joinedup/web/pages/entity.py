"""Entity profiles and timelines (of an entity or a group), as pages and API endpoints."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from joinedup.access.roles import Permission
from joinedup.pole import AuditCategory
from joinedup.search import entity_profile, entity_timeline, group_timeline
from joinedup.search.export import profile_csv
from joinedup.web.auth import Viewer, engine_of, log, need, personal
from joinedup.web.render import as_json, render

router = APIRouter()
EntityId = Path(..., ge=1, description="the entity's number (E34 is 34)")
exporter = need(Permission.export, purpose=True)


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


@router.get("/api/entities/{entity_id}", tags=["entities"], response_model=dict[str, Any])
def api_profile(
    request: Request, entity_id: int = EntityId, viewer: Viewer = Depends(personal)
) -> Response:
    """Every visible source record of an entity (agency, date, grading, role), its names
    and aliases, its flags with evidence and how its members were joined."""
    return as_json(profile_of(request, viewer, entity_id))


@router.get("/api/entities/{entity_id}/timeline", tags=["entities"], response_model=dict[str, Any])
def api_timeline(
    request: Request, entity_id: int = EntityId, viewer: Viewer = Depends(personal)
) -> Response:
    """The entity's dated events, oldest first, each traced to its record."""
    return as_json(timeline_of(request, viewer, entity_id))


@router.get("/api/groups/{group_id}/timeline", tags=["entities"], response_model=dict[str, Any])
def api_group_timeline(
    request: Request, group_id: int = Path(..., ge=1), viewer: Viewer = Depends(personal)
) -> Response:
    """The events of every member of a group flag, oldest first."""
    return as_json(group_timeline_of(request, viewer, group_id))


def export_of(request: Request, viewer: Viewer, entity_id: int, recipient: str) -> Response:
    """A disclosure: the profile's records as CSV, audited with its recipient."""
    recipient = " ".join(recipient.split())
    if len(recipient) < 3:
        from fastapi import HTTPException

        raise HTTPException(422, "name the recipient (who receives the file), 3+ characters")
    with engine_of(request).connect() as conn:
        profile = entity_profile(conn, entity_id, unit=viewer.unit)
    body = profile_csv(profile)
    log(request, viewer, AuditCategory.disclosure, "export", "entity", entity_id,
        {"format": "csv", "records": len(profile["records"])}, recipient=recipient)  # fmt: skip
    return Response(
        body, media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="joinedup-E{entity_id}.csv"'},
    )  # fmt: skip


@router.post("/entity/{entity_id}/export", include_in_schema=False)
def export_form(
    request: Request,
    entity_id: int = EntityId,
    recipient: str = Form(..., max_length=200),
    viewer: Viewer = Depends(exporter),
) -> Response:
    return export_of(request, viewer, entity_id, recipient)


class ExportIn(BaseModel):
    recipient: str = Field(..., min_length=3, max_length=200, description="who receives it")


@router.post("/api/entities/{entity_id}/export", tags=["entities"])
def api_export(
    body: ExportIn, request: Request, entity_id: int = EntityId,
    viewer: Viewer = Depends(exporter),
) -> Response:  # fmt: skip
    """The entity's visible records as CSV (formula-safe): a disclosure, audited with its
    recipient and the session's purpose. Needs the export permission."""
    return export_of(request, viewer, entity_id, body.recipient)
