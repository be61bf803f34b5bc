"""The dashboard: new leads by kind, children at risk by band, groups, recent ingests and
the quarantine, as counts (opening any of them is a consultation of its own)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from joinedup.access.roles import Permission
from joinedup.pole import AuditCategory
from joinedup.search.leads import dashboard
from joinedup.web.auth import Viewer, engine_of, log, need
from joinedup.web.render import render

router = APIRouter()
# Counts, not names: no purpose is asked for here (each lead opened asks).
reader = need(Permission.read_personal)


def dashboard_for(request: Request, viewer: Viewer) -> dict[str, Any]:
    with engine_of(request).connect() as conn:
        data = dashboard(conn)
    log(request, viewer, AuditCategory.consultation, "dashboard", "dashboard", None, None)
    return data


@router.get("/dashboard", include_in_schema=False)
def dashboard_page(request: Request, viewer: Viewer = Depends(reader)) -> Response:
    return render(request, "dashboard.html", viewer, d=dashboard_for(request, viewer))


@router.get("/api/dashboard", tags=["dashboard"])
def api_dashboard(request: Request, viewer: Viewer = Depends(reader)) -> dict[str, Any]:
    """New leads by kind, children at risk by band, open groups, recent ingests, quarantine."""
    return dashboard_for(request, viewer)
