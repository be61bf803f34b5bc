"""Pages and endpoints behind them: search with reasons, profile, timeline, review
decisions, link chart (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import select

from joinedup.access.audit import list_events
from joinedup.store import tables as t
from tests.web.helpers import csrf, sign_in


def test_search_finds_by_name_nickname_and_partial_plate_with_reasons(client, seeded) -> None:
    sign_in(client, "ann.analyst", purpose="Op TEST-10")
    body = client.get("/api/search", params={"q": seeded.known_name}).json()
    assert body["hits"][0]["label"] == seeded.known_name and body["hits"][0]["reasons"]
    typo = seeded.known_name[:-1] + ("x" if seeded.known_name[-1] != "x" else "y")
    fuzzy = client.get("/api/search", params={"q": typo}).json()["hits"]
    assert any(h["entity_id"] == seeded.known_entity for h in fuzzy)
    with seeded.engine.connect() as conn:
        vrm = conn.execute(
            select(t.vehicle_mention.c.vrm).where(t.vehicle_mention.c.vrm.is_not(None)).limit(1)
        ).scalar_one()
    partial = client.get("/api/search", params={"q": vrm[:4] + "*"}).json()["hits"]
    assert any(h["kind"] == "vehicle" and h["label"] == vrm for h in partial)
    page = client.get("/search", params={"q": seeded.known_name})
    assert page.status_code == 200 and "why it matched" in page.text


def test_profile_and_timeline_show_records_with_agency_date_and_role(client, seeded) -> None:
    sign_in(client, "ann.analyst", purpose="Op TEST-11")
    profile = client.get(f"/api/entities/{seeded.known_entity}").json()
    assert profile["records"] and all(r["agency"] and r["role"] for r in profile["records"])
    assert profile["explanation"]["members"]
    timeline = client.get(f"/api/entities/{seeded.known_entity}/timeline").json()
    dates = [e["date"] for e in timeline["events"] if e["date"]]
    assert dates == sorted(dates)
    assert client.get(f"/entity/{seeded.known_entity}/timeline").status_code == 200


def test_a_match_decision_is_recorded_and_audited(app, seeded) -> None:
    from fastapi.testclient import TestClient

    client = TestClient(app)
    sign_in(client, "sue.supervisor", purpose="Op TEST-12 review")
    pairs = client.get("/api/review/pairs", params={"limit": 3}).json()
    assert pairs, "the tiny city leaves uncertain pairs"
    pair = pairs[0]
    page = client.get("/review")
    assert pair["a"] in page.text
    response = client.post(
        "/review/decide",
        data={"a": pair["a"], "b": pair["b"], "decision": "different",
              "reason": "different dates of birth", "csrf": csrf(client)},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    left = client.get("/api/review/pairs", params={"limit": 50}).json()
    assert (pair["a"], pair["b"]) not in {(p["a"], p["b"]) for p in left}
    with seeded.engine.connect() as conn:
        decided = conn.execute(
            select(t.match_decision).where(t.match_decision.c.a_ref == pair["a"])
        ).first()
        events = list_events(conn, actor="sue.supervisor")
    assert decided.decision == "different" and decided.decided_by == "sue.supervisor"
    assert any(e.action == "match_decision" and e.purpose == "Op TEST-12 review" for e in events)
    refused = client.post(
        "/api/review/decisions",
        json={"a": pair["a"], "b": pair["b"], "decision": "same", "reason": "contradiction"},
        headers={"x-csrf-token": csrf(client)},
    )
    assert refused.status_code == 400  # contradicts the decision just taken


def test_link_chart_neighbourhood_and_path(client, seeded) -> None:
    sign_in(client, "ann.analyst", purpose="Op TEST-13")
    chart = client.get(f"/api/chart/entity/{seeded.known_entity}", params={"depth": 1}).json()
    ids = {n["id"] for n in chart["nodes"]}
    assert f"E{seeded.known_entity}" in ids and chart["edges"]
    assert all(e["entity"] in ids and e["other"] in ids for e in chart["edges"])
    other = next(n for n in chart["nodes"] if n["entity_id"] != seeded.known_entity)
    path = client.get("/api/chart/path", params={"a": seeded.known_entity,
                                                 "b": other["entity_id"]}).json()  # fmt: skip
    assert path["found"] and path["entities"][0] == f"E{seeded.known_entity}"
    assert client.get("/api/chart/entity/1", params={"roles": "nonsense"}).status_code == 422
    assert client.get(f"/api/chart/entity/{seeded.restricted_entity}").status_code == 404
    assert client.get(f"/chart?start={seeded.known_entity}").status_code == 200
