"""User administration for admins: add, disable, enable, set role or password, end
sessions. Admins manage accounts; they read no personal data here."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from joinedup.access.model import AccessError
from joinedup.access.roles import Permission
from joinedup.access.sessions import revoke_all_for_user
from joinedup.access.users import (
    add_user,
    disable_user,
    enable_user,
    get_user,
    list_users,
    set_password,
    set_role,
)
from joinedup.pole import AuditCategory, UserRole
from joinedup.web.auth import Viewer, engine_of, log, need, short_write
from joinedup.web.render import render

router = APIRouter()
admin = need(Permission.manage_users)
ROLES = [r.value for r in UserRole]
ACTIONS = ("disable", "enable", "role", "password", "end_sessions")


def users_for(request: Request, viewer: Viewer) -> list[dict[str, Any]]:
    with engine_of(request).connect() as conn:
        users = [u.as_dict() for u in list_users(conn)]
    log(request, viewer, AuditCategory.consultation, "users_listed", "app_user", None,
        {"rows": len(users)})  # fmt: skip
    return users


def change_user(request: Request, viewer: Viewer, username: str, action: str,
                value: str = "", reason: str = "") -> None:  # fmt: skip
    """One account change, audited by the access layer itself."""
    if action not in ACTIONS:
        raise AccessError(f"unknown action {action!r}; one of {', '.join(ACTIONS)}")
    with short_write(engine_of(request)) as conn:
        if action == "disable":
            disable_user(conn, username, actor=viewer.actor, reason=reason or None)
        elif action == "enable":
            enable_user(conn, username, actor=viewer.actor)
        elif action == "role":
            set_role(conn, username, value, actor=viewer.actor)
        elif action == "password":
            set_password(conn, username, value, actor=viewer.actor)
        else:
            user = get_user(conn, username)
            if user is None:
                raise AccessError(f"no user called {username!r}")
            revoke_all_for_user(conn, user, actor=viewer.actor, reason=reason or "admin")


def _page(request: Request, viewer: Viewer, status: int = 200, message: str | None = None,
          notice: str | None = None) -> Response:  # fmt: skip
    users = users_for(request, viewer)
    return render(request, "users.html", viewer, http_status=status, users=users, roles=ROLES,
                  message=message, notice=notice)  # fmt: skip


@router.get("/admin/users", include_in_schema=False)
def users_page(request: Request, viewer: Viewer = Depends(admin)) -> Response:
    return _page(request, viewer, notice=request.query_params.get("done"))


@router.post("/admin/users", include_in_schema=False)
def users_add(
    request: Request,
    username: str = Form(..., max_length=100),
    role: str = Form(...),
    password: str = Form(..., max_length=1024),
    display_name: str = Form("", max_length=200),
    unit: str = Form("", max_length=100),
    viewer: Viewer = Depends(admin),
) -> Response:
    try:
        with short_write(engine_of(request)) as conn:
            add_user(conn, username, role, password, display_name or None, unit or None,
                     actor=viewer.actor)  # fmt: skip
    except AccessError as exc:
        return _page(request, viewer, 400, message=str(exc))
    return RedirectResponse(f"/admin/users?done=added+{username.strip().lower()}", 303)


@router.post("/admin/users/{username}", include_in_schema=False)
def users_change(
    request: Request,
    username: str,
    action: str = Form(...),
    value: str = Form("", max_length=1024),
    reason: str = Form("", max_length=500),
    viewer: Viewer = Depends(admin),
) -> Response:
    try:
        change_user(request, viewer, username, action, value, reason)
    except AccessError as exc:
        return _page(request, viewer, 400, message=str(exc))
    return RedirectResponse(f"/admin/users?done={action}+{username}", 303)


@router.get("/api/users", tags=["users"])
def api_users(request: Request, viewer: Viewer = Depends(admin)) -> list[dict[str, Any]]:
    """Every account (never a password hash)."""
    return users_for(request, viewer)


class UserIn(BaseModel):
    username: str = Field(..., max_length=100)
    role: str
    password: str = Field(..., max_length=1024)
    display_name: str | None = Field(None, max_length=200)
    unit: str | None = Field(None, max_length=100)


@router.post("/api/users", tags=["users"])
def api_add_user(body: UserIn, request: Request, viewer: Viewer = Depends(admin)) -> dict:
    """Add an account (audited; the password is never logged)."""
    try:
        with short_write(engine_of(request)) as conn:
            user = add_user(conn, body.username, body.role, body.password, body.display_name,
                            body.unit, actor=viewer.actor)  # fmt: skip
    except AccessError as exc:
        raise HTTPException(400, str(exc)) from None
    return user.as_dict()


class UserChange(BaseModel):
    action: str = Field(..., description=f"one of {', '.join(ACTIONS)}")
    value: str = Field("", max_length=1024, description="the new role or password")
    reason: str = Field("", max_length=500)


@router.post("/api/users/{username}", tags=["users"])
def api_change_user(
    username: str, body: UserChange, request: Request, viewer: Viewer = Depends(admin)
) -> dict[str, Any]:
    """Disable, enable, set role or password, or end the sessions of an account."""
    try:
        change_user(request, viewer, username, body.action, body.value, body.reason)
        with engine_of(request).connect() as conn:
            user = get_user(conn, username)
    except AccessError as exc:
        raise HTTPException(400, str(exc)) from None
    return user.as_dict() if user else {}
