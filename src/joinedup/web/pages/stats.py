"""Statistics for researchers and analysts: the problem profile from joinedup.stats, with
completeness, intervals and bounds; researchers only ever receive controlled output."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from joinedup.access.roles import Permission
from joinedup.pole import AuditCategory
from joinedup.stats import analyse_profile, profile_for, profile_json, profile_summary
from joinedup.web.auth import Viewer, engine_of, log, need
from joinedup.web.render import render

router = APIRouter()
statistician = need(Permission.read_statistics)


def profile_data(
    request: Request, viewer: Viewer, area: str | None, date_from: date | None,
    date_to: date | None,
) -> dict[str, Any]:  # fmt: skip
    with engine_of(request).connect() as conn:
        profile = profile_for(conn, viewer.actor, area=area or None, date_from=date_from,
                              date_to=date_to)  # fmt: skip
    analyses = analyse_profile(profile)
    data = profile_json(profile, analyses, [], profile_summary(profile, analyses, []))
    log(request, viewer, AuditCategory.consultation, "statistics", "profile", None,
        {"controlled": data["controlled"], "area": area, "date_from": str(date_from or ""),
         "date_to": str(date_to or "")})  # fmt: skip
    return data


@router.get("/stats", include_in_schema=False)
def stats_page(
    request: Request,
    area: str | None = Query(None, max_length=20),
    date_from: date | None = None,
    date_to: date | None = None,
    viewer: Viewer = Depends(statistician),
) -> Response:
    data = profile_data(request, viewer, area, date_from, date_to)
    return render(request, "stats.html", viewer, s=data, area=area or "",
                  date_from=date_from or "", date_to=date_to or "")  # fmt: skip


@router.get("/api/stats/profile", tags=["statistics"])
def api_stats(
    request: Request,
    area: str | None = Query(None, max_length=20, description="a postcode district"),
    date_from: date | None = None,
    date_to: date | None = None,
    viewer: Viewer = Depends(statistician),
) -> dict[str, Any]:
    """The problem profile: populations, tables with completeness, Wilson intervals and
    bounds; small counts suppressed ("c") for every role that may not read personal data."""
    return profile_data(request, viewer, area, date_from, date_to)
