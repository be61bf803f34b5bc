"""The match review queue: the model's most uncertain person pairs with the evidence for
and against; an analyst decides same / different with a reason, and every later
resolution run obeys the decision (joinedup.resolve.decisions)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from joinedup.access.roles import Permission
from joinedup.pole import AuditCategory
from joinedup.resolve.decisions import DecisionError, decide, parse_ref
from joinedup.resolve.review import uncertain_pairs
from joinedup.search.visibility import visible_mentions
from joinedup.store import write_transaction
from joinedup.web.auth import Viewer, engine_of, log, need
from joinedup.web.render import render

router = APIRouter()
reviewer = need(Permission.decide_match, purpose=True)


def pairs_for(request: Request, viewer: Viewer, limit: int) -> list[dict[str, Any]]:
    """Pairs to review, without any whose record the viewer's unit may not see."""
    with engine_of(request).connect() as conn:
        pairs = uncertain_pairs(conn, limit * 2)
        ids = {int(p[s].split(":")[1]) for p in pairs for s in ("a", "b")}
        seen = visible_mentions(conn, "person", ids, viewer.unit)
    pairs = [p for p in pairs if all(int(p[s].split(":")[1]) in seen for s in ("a", "b"))]
    pairs = pairs[:limit]
    log(request, viewer, AuditCategory.consultation, "review", "match_pair", None,
        {"pairs": len(pairs)})  # fmt: skip
    return pairs


def take_decision(
    request: Request, viewer: Viewer, a: str, b: str, decision: str, reason: str
) -> dict[str, Any]:
    with write_transaction(engine_of(request)) as conn:
        ref_a, ref_b = parse_ref(conn, a), parse_ref(conn, b)
        seen = visible_mentions(conn, ref_a.kind, [ref_a.mention_id, ref_b.mention_id],
                                viewer.unit)  # fmt: skip
        if len(seen) < 2:
            raise DecisionError(f"there is no {ref_a.kind} mention {a} or {b}")
        stored = decide(conn, ref_a, ref_b, decision, reason, viewer.name)
        log(request, viewer, AuditCategory.alteration, "match_decision", "match_decision",
            stored["id"], {**stored, "reason": reason}, conn=conn)  # fmt: skip
    return stored


@router.get("/review", include_in_schema=False)
def review_page(
    request: Request, limit: int = Query(20, ge=1, le=100), viewer: Viewer = Depends(reviewer)
) -> Response:
    done = request.query_params.get("done")
    return render(request, "review.html", viewer, pairs=pairs_for(request, viewer, limit),
                  done=done, message=None)  # fmt: skip


@router.post("/review/decide", include_in_schema=False)
def review_decide(
    request: Request,
    a: str = Form(..., max_length=60),
    b: str = Form(..., max_length=60),
    decision: str = Form(...),
    reason: str = Form("", max_length=1000),
    viewer: Viewer = Depends(reviewer),
) -> Response:
    try:
        take_decision(request, viewer, a, b, decision, reason)
    except DecisionError as exc:
        pairs = pairs_for(request, viewer, 20)
        return render(request, "review.html", viewer, http_status=400, pairs=pairs, done=None,
                      message=str(exc))  # fmt: skip
    return RedirectResponse(f"/review?done={a}+{decision}+{b}", status_code=303)


@router.get("/api/review/pairs", tags=["review"])
def api_pairs(
    request: Request, limit: int = Query(20, ge=1, le=200), viewer: Viewer = Depends(reviewer)
) -> list[dict[str, Any]]:
    """The most uncertain undecided person pairs, with the match weights for and against."""
    return pairs_for(request, viewer, limit)


class DecisionIn(BaseModel):
    a: str = Field(..., max_length=60, description="a mention (person:12) or entity (E34)")
    b: str = Field(..., max_length=60)
    decision: Literal["same", "different"]
    reason: str = Field(..., min_length=1, max_length=1000)


@router.post("/api/review/decisions", tags=["review"])
def api_decide(
    body: DecisionIn, request: Request, viewer: Viewer = Depends(reviewer)
) -> dict[str, Any]:
    """Record that two mentions are the same or different (audited; binds later runs)."""
    try:
        return take_decision(request, viewer, body.a, body.b, body.decision, body.reason)
    except DecisionError as exc:
        from fastapi import HTTPException

        raise HTTPException(400, str(exc)) from None
