"""The audit viewer and `audit verify` for auditors (and the audit list for admins)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from joinedup.access.audit import list_events
from joinedup.access.chain import verify
from joinedup.access.roles import Permission
from joinedup.pole import AuditCategory
from joinedup.web.auth import Viewer, engine_of, log, need
from joinedup.web.render import render

router = APIRouter()
reader = need(Permission.read_audit)
verifier = need(Permission.verify_audit)
CATEGORIES = [c.value for c in AuditCategory]


def events_for(
    request: Request, viewer: Viewer, actor: str | None, category: str | None,
    since: datetime | None, limit: int,
) -> list[dict[str, Any]]:  # fmt: skip
    if category and category not in CATEGORIES:
        from fastapi import HTTPException

        raise HTTPException(422, f"category must be one of {', '.join(CATEGORIES)}")
    with engine_of(request).connect() as conn:
        events = list_events(conn, actor=actor or None, category=category or None,
                             since=since, limit=limit)  # fmt: skip
    shown = [e.as_dict() for e in reversed(events)]  # newest first on screen
    filters = {"actor": actor, "category": category, "since": since.isoformat() if since else None}
    log(request, viewer, AuditCategory.consultation, "audit_listed", "audit_event", None,
        {"filters": filters, "rows": len(shown)})  # fmt: skip
    return shown


def verification(request: Request, viewer: Viewer) -> dict[str, Any]:
    with engine_of(request).connect() as conn:
        result = verify(conn).as_dict()
    log(request, viewer, AuditCategory.consultation, "audit_verified", "audit_event", None,
        {"ok": result["ok"], "rows_checked": result["rows_checked"]})  # fmt: skip
    return result


@router.get("/audit", include_in_schema=False)
def audit_page(
    request: Request,
    actor: str | None = Query(None, max_length=100),
    category: str | None = Query(None, max_length=16),
    limit: int = Query(200, ge=1, le=2000),
    viewer: Viewer = Depends(reader),
) -> Response:
    events = events_for(request, viewer, actor, category, None, limit)
    return render(request, "audit.html", viewer, events=events, actor=actor or "",
                  category=category or "", categories=CATEGORIES, result=None)  # fmt: skip


@router.get("/audit/verify", include_in_schema=False)
def audit_verify_page(request: Request, viewer: Viewer = Depends(verifier)) -> Response:
    return render(request, "audit.html", viewer, events=[], actor="", category="",
                  categories=CATEGORIES, result=verification(request, viewer))  # fmt: skip


@router.get("/api/audit", tags=["audit"])
def api_audit(
    request: Request,
    actor: str | None = Query(None, max_length=100),
    category: str | None = Query(None, max_length=16),
    since: datetime | None = None,
    limit: int = Query(200, ge=1, le=10000),
    viewer: Viewer = Depends(reader),
) -> list[dict[str, Any]]:
    """Audit rows, newest first (listing the audit is itself audited)."""
    return events_for(request, viewer, actor, category, since, limit)


@router.get("/api/audit/verify", tags=["audit"])
def api_audit_verify(request: Request, viewer: Viewer = Depends(verifier)) -> dict[str, Any]:
    """Walk the hash chain and report the first row that breaks it, if any."""
    return verification(request, viewer)
