"""Rendering pages: the Jinja2 environment (autoescaped), the navigation a role may use,
and the CSRF token every form and htmx request carries.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic_core import to_json

from joinedup.access.roles import Permission
from joinedup.web.auth import Viewer
from joinedup.web.csrf import expected_token

P = Permission
TEMPLATES = Jinja2Templates(directory=str(resources.files("joinedup.web") / "templates"))
TEMPLATES.env.autoescape = True  # every value is escaped; nothing is ever marked safe
# JSON shown as text (audit detail): a plain string, so autoescaping still applies to it.
TEMPLATES.env.filters["as_json"] = lambda value: json.dumps(
    value, ensure_ascii=False, sort_keys=True, default=str
)


def as_json(data: dict[str, Any]) -> Response:
    """An API answer, encoded by pydantic's serializer in the request's own worker thread:
    the bytes FastAPI would send for a `dict[str, Any]` answer, without its validation
    pass and second trip through the thread pool (routes keep `response_model` for the
    OpenAPI schema)."""
    return Response(to_json(data), media_type="application/json")


# (label, path, permission): a link is shown only to roles that could open it.
NAVIGATION = (
    ("Dashboard", "/dashboard", P.read_personal),
    ("Search", "/search", P.read_personal),
    ("Link chart", "/chart", P.read_personal),
    ("Match review", "/review", P.decide_match),
    ("Flags", "/flags", P.triage_flags),
    ("Statistics", "/stats", P.read_statistics),
    ("Audit", "/audit", P.read_audit),
    ("Users", "/admin/users", P.manage_users),
)


def nav_for(viewer: Viewer | None) -> list[tuple[str, str]]:
    if viewer is None:
        return []
    return [(label, path) for label, path, perm in NAVIGATION if viewer.can(perm)]


def render(
    request: Request,
    template: str,
    viewer: Viewer | None = None,
    *,
    http_status: int = 200,
    **context: Any,
) -> HTMLResponse:
    context.setdefault("csrf", expected_token(request) or "")
    context.update(
        viewer=viewer,
        nav=nav_for(viewer),
        path=request.url.path,
    )
    return TEMPLATES.TemplateResponse(request, template, context, status_code=http_status)


def safe_next(value: str | None, default: str = "/") -> str:
    """Only a path on this site (never //host or a scheme): no open redirect."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    return value
