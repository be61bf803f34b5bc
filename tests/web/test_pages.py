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


def test_flag_triage_by_an_analyst_and_closing_only_by_a_supervisor(app, seeded) -> None:
    from fastapi.testclient import TestClient

    analyst, supervisor = TestClient(app), TestClient(app)
    sign_in(analyst, "ann.analyst", purpose="Op TEST-14 triage")
    sign_in(supervisor, "sue.supervisor", purpose="Op TEST-14 triage")
    flags = analyst.get("/api/flags", params={"status": "new"}).json()
    assert flags, "detection raises flags on the tiny city"
    fid = flags[0]["flag"][1:]
    assert analyst.get("/flags", params={"status": "new"}).status_code == 200
    assert analyst.get(f"/flags/{fid}").status_code == 200
    moved = analyst.post(f"/flags/{fid}/status", data={"status": "under_review",
                         "reason": "checking the evidence", "csrf": csrf(analyst)},
                         follow_redirects=False)  # fmt: skip
    assert moved.status_code == 303 and "done=" in moved.headers["location"]
    shown = analyst.get(f"/api/flags/{fid}").json()
    assert shown["status"] == "under_review" and shown["history"][-1]["by"] == "ann.analyst"
    refused = analyst.post(f"/api/flags/{fid}/status", json={"status": "actioned",
                           "reason": "strategy meeting"}, headers={"x-csrf-token": csrf(analyst)})  # fmt: skip
    assert refused.status_code == 403
    done = supervisor.post(f"/api/flags/{fid}/status", json={"status": "actioned",
                           "reason": "strategy meeting"}, headers={"x-csrf-token": csrf(supervisor)})  # fmt: skip
    assert done.status_code == 200 and done.json()["to"] == "actioned"


def test_dashboard_counts(client) -> None:
    sign_in(client, "ann.analyst")
    data = client.get("/api/dashboard").json()
    assert (
        data["detection"] and data["recent_ingests"] and "significant" in data["children_by_band"]
    )
    assert client.get("/dashboard").status_code == 200


def test_statistics_are_controlled_for_researchers(client) -> None:
    sign_in(client, "rex.researcher")
    data = client.get("/api/stats/profile").json()
    assert data["controlled"] is True and data["threshold"] >= 5
    assert client.get("/stats").status_code == 200


def test_audit_viewer_and_verify_for_auditors(app, client, seeded) -> None:
    from fastapi.testclient import TestClient

    from tests.web.seed import HOSTILE

    analyst = TestClient(app)
    sign_in(analyst, "ann.analyst", purpose="Op TEST-16 <b>bold</b>")
    analyst.get("/api/search", params={"q": HOSTILE["script"]})
    sign_in(client, "aud.auditor")
    page = client.get("/audit", params={"actor": "ann.analyst"}).text
    assert "<script>alert" not in page and "<b>bold" not in page  # shown as text
    assert "&lt;script&gt;" in page
    rows = client.get("/api/audit", params={"limit": 50}).json()
    assert rows and rows[0]["seq"] > rows[-1]["seq"]
    assert client.get("/api/audit/verify").json()["ok"] is True
    page = client.get("/audit/verify")
    assert "The chain is intact" in page.text


def test_user_admin_adds_and_disables_without_personal_data(client, seeded) -> None:
    sign_in(client, "ada.admin")
    token = csrf(client)
    added = client.post("/admin/users", data={"username": "newt.analyst", "role": "analyst",
                        "password": "a long enough passphrase", "unit": "cse-north",
                        "csrf": token}, follow_redirects=False)  # fmt: skip
    assert added.status_code == 303
    disabled = client.post("/admin/users/newt.analyst", data={"action": "disable",
                           "reason": "left the unit", "csrf": token}, follow_redirects=False)  # fmt: skip
    assert disabled.status_code == 303
    users = {u["username"]: u for u in client.get("/api/users").json()}
    assert users["newt.analyst"]["active"] is False and "password_hash" not in users["newt.analyst"]
    assert client.get(f"/api/entities/{seeded.known_entity}").status_code == 403


def test_export_is_a_disclosure_with_recipient_and_formula_safe_cells(client, seeded) -> None:
    import csv
    import io

    from joinedup.search.export import safe_cell

    sign_in(client, "ann.analyst", purpose="Op TEST-15 strategy meeting")
    token = csrf(client)
    missing = client.post(f"/entity/{seeded.known_entity}/export",
                          data={"recipient": "", "csrf": token})  # fmt: skip
    assert missing.status_code == 422
    response = client.post(f"/entity/{seeded.known_entity}/export",
                           data={"recipient": "DS Example, CSE team", "csrf": token})  # fmt: skip
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][0] == "entity" and len(rows) > 1
    assert safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and safe_cell("Ann") == "Ann"
    with seeded.engine.connect() as conn:
        events = list_events(conn, actor="ann.analyst", category="disclosure")
    assert events[-1].recipient == "DS Example, CSE team"
    assert events[-1].purpose == "Op TEST-15 strategy meeting"
