"""Signing in and out, the session's purpose, API tokens for scripts, and the home page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from joinedup.access.sessions import create_session, revoke, set_purpose
from joinedup.access.users import authenticate
from joinedup.pole import UserRole
from joinedup.web.auth import Viewer, engine_of, short_write, signed_in
from joinedup.web.csrf import PRESESSION_COOKIE, SESSION_COOKIE, new_presession
from joinedup.web.render import render, safe_next

router = APIRouter()
PURPOSE_MAX = 500
# Where each role starts: the first page it may open.
HOME = {
    UserRole.analyst: "/dashboard",
    UserRole.supervisor: "/dashboard",
    UserRole.researcher: "/stats",
    UserRole.auditor: "/audit",
    UserRole.admin: "/admin/users",
}


@router.get("/healthz", include_in_schema=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/signin", include_in_schema=False)
def signin_page(request: Request, next: str | None = None) -> Response:
    if request.cookies.get(PRESESSION_COOKIE):
        return render(request, "signin.html", next=safe_next(next, ""), message=None)
    # The first visit: set the double-submit cookie and show a form carrying the same value.
    value = new_presession()
    response = render(request, "signin.html", csrf=value, next=safe_next(next, ""), message=None)
    response.set_cookie(
        PRESESSION_COOKIE, value, httponly=True, samesite="strict",
        secure=request.app.state.settings.secure_cookies,
    )  # fmt: skip
    return response


@router.post("/signin", include_in_schema=False)
def signin(
    request: Request,
    username: str = Form(..., max_length=200),
    password: str = Form(..., max_length=1024),
    next: str = Form(""),
) -> Response:
    engine, settings = engine_of(request), request.app.state.settings
    with short_write(engine) as conn:
        result = authenticate(conn, username, password)
        token = None
        if result.ok and result.user is not None:
            token = create_session(conn, result.user, kind="web", ttl=settings.session_ttl)
    if token is None:
        return render(request, "signin.html", http_status=401, next=next, message=result.message)
    assert result.user is not None
    to = safe_next(next, HOME[result.user.role])
    response = RedirectResponse(to, status_code=303)
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="strict",
        secure=settings.secure_cookies, max_age=int(settings.session_ttl.total_seconds()),
    )  # fmt: skip
    response.delete_cookie(PRESESSION_COOKIE)
    return response


@router.post("/signout", include_in_schema=False)
def signout(request: Request, viewer: Viewer = Depends(signed_in)) -> Response:
    with short_write(engine_of(request)) as conn:
        revoke(conn, viewer.token, actor=viewer.actor, reason="signed out")
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/", include_in_schema=False)
def home(viewer: Viewer = Depends(signed_in)) -> Response:
    return RedirectResponse(HOME[viewer.session.user.role], status_code=303)


@router.get("/purpose", include_in_schema=False)
def purpose_page(
    request: Request, next: str | None = None, viewer: Viewer = Depends(signed_in)
) -> Response:
    return render(request, "purpose.html", viewer, next=safe_next(next, "/"), message=None)


@router.post("/purpose", include_in_schema=False)
def purpose_form(
    request: Request,
    purpose: str = Form(..., max_length=PURPOSE_MAX),
    next: str = Form("/"),
    viewer: Viewer = Depends(signed_in),
) -> Response:
    reason = " ".join(purpose.split())
    if len(reason) < 3:
        return render(
            request, "purpose.html", viewer, http_status=400, next=safe_next(next, "/"),
            message="give a reason or case reference of at least 3 characters",
        )  # fmt: skip
    with short_write(engine_of(request)) as conn:
        set_purpose(conn, viewer.token, reason)
    return RedirectResponse(safe_next(next, "/"), status_code=303)


class PurposeIn(BaseModel):
    purpose: str = Field(..., min_length=3, max_length=PURPOSE_MAX)


@router.post("/api/purpose", tags=["session"])
def api_purpose(
    body: PurposeIn, request: Request, viewer: Viewer = Depends(signed_in)
) -> dict[str, Any]:
    """Set the reason or case reference written with every later audit row of this session."""
    with short_write(engine_of(request)) as conn:
        set_purpose(conn, viewer.token, " ".join(body.purpose.split()))
    return {"purpose": " ".join(body.purpose.split())}


class TokenIn(BaseModel):
    username: str = Field(..., max_length=200)
    password: str = Field(..., max_length=1024)
    purpose: str | None = Field(None, min_length=3, max_length=PURPOSE_MAX)


@router.post("/api/token", tags=["session"])
def api_token(body: TokenIn, request: Request) -> Response:
    """Exchange a username and password for a bearer token (an API session). The same
    lockout applies as on the sign-in page."""
    engine, settings = engine_of(request), request.app.state.settings
    with short_write(engine) as conn:
        result = authenticate(conn, body.username, body.password)
        if not result.ok or result.user is None:
            return JSONResponse({"detail": result.message}, status_code=401)
        token = create_session(
            conn, result.user, kind="api", ttl=settings.api_token_ttl, purpose=body.purpose
        )
    return JSONResponse(
        {"token": token, "token_type": "bearer", "role": str(result.user.role),
         "expires_in": int(settings.api_token_ttl.total_seconds())}
    )  # fmt: skip


@router.delete("/api/token", tags=["session"])
def api_token_revoke(request: Request, viewer: Viewer = Depends(signed_in)) -> dict[str, bool]:
    """End this API session."""
    with short_write(engine_of(request)) as conn:
        return {"revoked": revoke(conn, viewer.token, actor=viewer.actor, reason="api logout")}


@router.get("/api/me", tags=["session"])
def api_me(viewer: Viewer = Depends(signed_in)) -> dict[str, Any]:
    """Who this session belongs to, its role, permissions and purpose."""
    return {
        "username": viewer.name,
        "role": viewer.role,
        "unit": viewer.unit,
        "permissions": sorted(str(p) for p in viewer.actor.permissions),
        "purpose": viewer.purpose,
        "expires_at": viewer.session.expires_at.isoformat(),
    }


@router.get("/api/openapi.json", include_in_schema=False)
def openapi(request: Request, viewer: Viewer = Depends(signed_in)) -> dict[str, Any]:
    return request.app.openapi()
