"""The search page and its API: names, aliases, nicknames, plates, phones, postcodes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from joinedup.pole import AuditCategory
from joinedup.search import search
from joinedup.search.index import CACHE
from joinedup.web.auth import Viewer, engine_of, log, personal
from joinedup.web.render import as_json, render

router = APIRouter()


def run_search(request: Request, viewer: Viewer, q: str, limit: int) -> dict[str, Any]:
    """Search as this viewer sees the store, and audit the consultation with its purpose."""
    engine = engine_of(request)
    index = CACHE.get(engine)
    with engine.connect() as conn:
        result = search(conn, index, q, unit=viewer.unit, limit=limit)
    log(request, viewer, AuditCategory.consultation, "search", "search", None,
        {"query": result["query"], "hits": len(result["hits"])})  # fmt: skip
    return result


@router.get("/search", include_in_schema=False)
def search_page(
    request: Request,
    q: str = Query("", max_length=200),
    viewer: Viewer = Depends(personal),
) -> Response:
    result = run_search(request, viewer, q, 50) if q.strip() else None
    return render(request, "search.html", viewer, q=q, result=result)


@router.get("/api/search", tags=["search"], response_model=dict[str, Any])
def api_search(
    request: Request,
    q: str = Query(..., min_length=1, max_length=200, description="name, nickname, plate, ..."),
    limit: int = Query(50, ge=1, le=200),
    viewer: Viewer = Depends(personal),
) -> Response:
    """Entities matching a name, alias, nickname, plate (partial with ? and *), phone or
    postcode, best first, each with the reasons it matched. Audited as a consultation."""
    return as_json(run_search(request, viewer, q, limit))
