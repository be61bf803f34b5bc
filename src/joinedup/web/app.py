"""The app factory: one FastAPI app per store, its middleware, error pages and routers."""

from __future__ import annotations

import os
from importlib import resources
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from joinedup.access.roles import NotAuthorised
from joinedup.network.model import NetworkError
from joinedup.store import make_engine
from joinedup.web.auth import NotSignedIn, PurposeNeeded, log_refusal
from joinedup.web.csrf import CsrfRefused, check_csrf
from joinedup.web.render import render
from joinedup.web.security import SecurityHeaders
from joinedup.web.settings import WebSettings

API_DESCRIPTION = """The JoinedUp workbench API. Every endpoint is authorised by role and
every consultation of personal data is audited with the session's purpose.

Scripts: `POST /api/token` with `username`, `password` and `purpose` returns a bearer token
(an API session); send it as `Authorization: Bearer TOKEN`."""


def create_app(settings: WebSettings, engine: Engine | None = None) -> FastAPI:
    """The workbench over one store. Pass `engine` to share one (tests, the demo)."""
    from joinedup.web.pages import ROUTERS

    app = FastAPI(
        title="JoinedUp workbench",
        description=API_DESCRIPTION,
        version="1",
        docs_url=None,  # Swagger UI loads from a CDN: the schema is served at /api/openapi.json
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(check_csrf)],
    )
    app.state.settings = settings
    app.state.engine = engine or make_engine(settings.db_url)
    app.state.caches = {}
    static = resources.files("joinedup.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    for router in ROUTERS:
        app.include_router(router)
    _errors(app)
    app.add_middleware(SecurityHeaders, hsts=settings.secure_cookies)
    return app


def app_from_environment() -> FastAPI:
    """The app of one worker process of `joinedup serve --workers N` (uvicorn imports it in
    each worker): the store from $JOINEDUP_DB, cookie security from
    $JOINEDUP_SECURE_COOKIES. Each worker builds its own search index and graph."""
    return create_app(
        WebSettings(
            os.environ["JOINEDUP_DB"],
            secure_cookies=os.environ.get("JOINEDUP_SECURE_COOKIES") == "1",
        )
    )


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _problem(request: Request, status: int, message: str, **extra: Any) -> Response:
    if wants_json(request):
        return JSONResponse({"detail": message, **extra}, status_code=status)
    viewer = getattr(request.state, "viewer", None)
    return render(
        request, "error.html", viewer, http_status=status, status_code=status, message=message
    )


def _redirect(request: Request, to: str) -> Response:
    if request.headers.get("hx-request"):  # htmx follows this header, not a 303
        return Response(status_code=204, headers={"HX-Redirect": to})
    return RedirectResponse(to, status_code=303)


def _errors(app: FastAPI) -> None:
    from urllib.parse import quote

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if wants_json(request):
            return JSONResponse(
                {"detail": str(exc)}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return _redirect(request, f"/signin?next={quote(target, safe='')}")

    @app.exception_handler(PurposeNeeded)
    async def purpose_needed(request: Request, exc: PurposeNeeded) -> Response:
        if wants_json(request):
            return JSONResponse(
                {"detail": f"{exc}: POST /api/purpose with a purpose"}, status_code=428
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return _redirect(request, f"/purpose?next={quote(target, safe='')}")

    @app.exception_handler(NotAuthorised)
    async def not_authorised(request: Request, exc: NotAuthorised) -> Response:
        log_refusal(request, exc)
        return _problem(request, 403, str(exc))

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, exc: CsrfRefused) -> Response:
        return _problem(request, 403, str(exc))

    @app.exception_handler(LookupError)
    async def not_found(request: Request, exc: LookupError) -> Response:
        if isinstance(exc, KeyError):  # a bug, not a missing entity
            raise exc
        return _problem(request, 404, str(exc).strip("'\""))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _problem(request, exc.status_code, str(exc.detail))

    @app.exception_handler(NetworkError)
    async def no_network(request: Request, exc: NetworkError) -> Response:
        return _problem(request, 409, str(exc))
