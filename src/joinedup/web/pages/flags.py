"""The flag queue: leads from joinedup.detect to triage (analysts: new <-> under review)
and to action or dismiss (supervisors), each change with a reason, history and audit."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from joinedup.access.roles import Permission
from joinedup.pole import AuditCategory
from joinedup.search.leads import flag_detail, flag_queue
from joinedup.store import write_transaction
from joinedup.web.auth import Viewer, engine_of, log, need
from joinedup.web.render import render

router = APIRouter()
triager = need(Permission.triage_flags, purpose=True)
STATUSES = ("new", "under_review", "actioned", "dismissed")
KINDS = ("group", "child", "adult", "vehicle", "location")


def queue_for(request: Request, viewer: Viewer, status: str | None, kind: str | None,
              limit: int) -> list[dict[str, Any]]:  # fmt: skip
    if (status and status not in STATUSES) or (kind and kind not in KINDS):
        raise HTTPException(422, f"status one of {STATUSES}; kind one of {KINDS}")
    with engine_of(request).connect() as conn:
        rows = flag_queue(conn, status=status, kind=kind, unit=viewer.unit, limit=limit)
    log(request, viewer, AuditCategory.consultation, "flags_list", "flag", None,
        {"status": status, "kind": kind, "shown": len(rows)})  # fmt: skip
    return rows


def flag_for(request: Request, viewer: Viewer, flag_id: int) -> dict[str, Any]:
    with engine_of(request).connect() as conn:
        flag = flag_detail(conn, flag_id, unit=viewer.unit)
    log(request, viewer, AuditCategory.consultation, "flag_show", "flag", f"F{flag_id}", None)
    return flag


def change_status(request: Request, viewer: Viewer, flag_id: int, status: str,
                  reason: str) -> dict[str, Any]:  # fmt: skip
    from joinedup.detect.lifecycle import FlagError, set_status

    with engine_of(request).connect() as conn:
        flag_detail(conn, flag_id, unit=viewer.unit)  # NotFound when hidden from this unit
    try:
        with write_transaction(engine_of(request)) as conn:
            change = set_status(conn, viewer.actor, flag_id, status, reason)
            log(request, viewer, AuditCategory.alteration, "flag_status", "flag",
                f"F{flag_id}", change, conn=conn)  # fmt: skip
    except FlagError as exc:
        raise HTTPException(400, str(exc)) from None
    return change


@router.get("/flags", include_in_schema=False)
def flags_page(
    request: Request,
    status: str | None = Query(None),
    kind: str | None = Query(None),
    viewer: Viewer = Depends(triager),
) -> Response:
    rows = queue_for(request, viewer, status or None, kind or None, 200)
    return render(request, "flags.html", viewer, flags=rows, status=status or "",
                  kind=kind or "", statuses=STATUSES, kinds=KINDS)  # fmt: skip


@router.get("/flags/{flag_id}", include_in_schema=False)
def flag_page(
    request: Request, flag_id: int = Path(..., ge=1), viewer: Viewer = Depends(triager)
) -> Response:
    return render(request, "flag.html", viewer, f=flag_for(request, viewer, flag_id),
                  statuses=STATUSES, message=request.query_params.get("error"),
                  done=request.query_params.get("done"))  # fmt: skip


@router.post("/flags/{flag_id}/status", include_in_schema=False)
def flag_status_form(
    request: Request,
    flag_id: int = Path(..., ge=1),
    status: str = Form(...),
    reason: str = Form("", max_length=1000),
    viewer: Viewer = Depends(triager),
) -> Response:
    try:
        change = change_status(request, viewer, flag_id, status, reason)
    except HTTPException as exc:
        from urllib.parse import quote

        return RedirectResponse(f"/flags/{flag_id}?error={quote(str(exc.detail))}", 303)
    return RedirectResponse(f"/flags/{flag_id}?done={change['from']}+to+{change['to']}", 303)


@router.get("/api/flags", tags=["flags"])
def api_flags(
    request: Request,
    status: str | None = None,
    kind: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
    viewer: Viewer = Depends(triager),
) -> list[dict[str, Any]]:
    """Open flags, most serious first (groups, then children by band, adults, ...)."""
    return queue_for(request, viewer, status, kind, limit)


@router.get("/api/flags/{flag_id}", tags=["flags"])
def api_flag(
    request: Request, flag_id: int = Path(..., ge=1), viewer: Viewer = Depends(triager)
) -> dict[str, Any]:
    """One flag: rule and version, reason, evidence chain, members, history."""
    return flag_for(request, viewer, flag_id)


class StatusIn(BaseModel):
    status: str = Field(..., description="new, under_review, actioned or dismissed")
    reason: str = Field(..., min_length=1, max_length=1000)


@router.post("/api/flags/{flag_id}/status", tags=["flags"])
def api_flag_status(
    body: StatusIn, request: Request, flag_id: int = Path(..., ge=1),
    viewer: Viewer = Depends(triager),
) -> dict[str, Any]:  # fmt: skip
    """Triage (analysts: new <-> under_review) or action / dismiss (supervisors)."""
    return change_status(request, viewer, flag_id, body.status, body.reason)
