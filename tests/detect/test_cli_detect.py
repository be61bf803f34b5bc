"""The CLI: detect, flags list/show/set and leads, each authorised and audited; the HTML
report is self-contained and escaped."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine, select
from typer.testing import CliRunner

from joinedup.cli.app import app
from joinedup.detect.report import link_chart, timeline
from joinedup.store import tables as t


def test_detect_flags_and_leads(resolved: Engine, tmp_path: Path) -> None:
    if resolved.dialect.name != "sqlite":
        return  # the CLI is the same on both; the store code is tested on both elsewhere
    db = resolved.url.render_as_string(hide_password=False)
    runner = CliRunner()

    def run(*args: str, user: str = "ana", code: int = 0) -> dict | list | None:  # type: ignore[type-arg]
        result = runner.invoke(app, [*args, "--db", db, "--as", user, "--json"])
        assert result.exit_code == code, result.output
        return json.loads(result.stdout) if code == 0 else None

    summary = run("detect", "--as-of", "2019-01-25")
    assert summary["as_of"] == "2019-01-25" and summary["counts"]["raised"] > 0
    summary = run("detect")
    assert summary["as_of"] is None
    run("detect", "--as-of", "25/01/2019", code=2)
    run("detect", user="rex", code=3)
    groups = run("flags", "list", "--kind", "group")
    assert groups and groups[0]["kind"] == "group"
    shown = run("flags", "show", groups[0]["flag"])
    assert shown["members"] and shown["evidence"] and shown["history"]
    assert any(e.get("record") for e in shown["evidence"])
    run("flags", "show", "F999999", code=4)
    run("flags", "set", groups[0]["flag"], "dismissed", "--reason", "x", code=3)
    run("flags", "set", groups[0]["flag"], "under_review", "--reason", "checking")
    done = run("flags", "set", groups[0]["flag"], "dismissed", "--reason", "known", user="sue")
    assert done == {"flag": groups[0]["flag"], "from": "under_review", "to": "dismissed",
                    "reason": "known"}  # fmt: skip
    leads = run("leads")
    assert leads and all(lead["status"] != "dismissed" for lead in leads)
    run("leads", user="rex", code=3)
    report = tmp_path / "leads.html"
    result = runner.invoke(app, ["leads", "--out", str(report), "--db", db, "--as", "ana"])
    assert result.exit_code == 2  # a disclosure needs its recipient
    result = runner.invoke(app, ["leads", "--out", str(report), "--recipient", "DS Green",
                                 "--db", db, "--as", "ana"])  # fmt: skip
    assert result.exit_code == 0, result.output
    html = report.read_text()
    assert "<svg" in html and "<script" not in html
    assert "http://" not in html and "https://" not in html and "src=" not in html
    with resolved.connect() as conn:
        audit = conn.execute(
            select(t.audit_event.c.category, t.audit_event.c.action, t.audit_event.c.recipient)
        ).all()
    actions = {(c, a) for c, a, _ in audit}
    assert {("combination", "detect"), ("consultation", "flags_list"),
            ("consultation", "flag_show"), ("alteration", "flag_status"),
            ("consultation", "leads"), ("disclosure", "leads_report")} <= actions  # fmt: skip
    assert ("disclosure", "leads_report", "DS Green") in [tuple(a) for a in audit]
    assert any(a == "refused" for _, a, _ in audit)


def test_the_chart_and_timeline_escape_what_they_show() -> None:
    lead = {
        "members": [
            {
                "entity": "E1",
                "label": "<script>alert(1)</script>",
                "kind": "adult",
                "role": "core",
                "centrality": 2.0,
            },
            {
                "entity": "E2",
                "label": "Ann & Bo",
                "kind": "child",
                "role": "wider",
                "centrality": 0.0,
            },
        ],  # fmt: skip
        "evidence": [{"event": 1, "when": "2019-01-02T10:00"}, {"event": 2, "when": "2019-02-01"}],
    }
    svg = link_chart(lead, [("E1", "E2")])
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "Ann &amp; Bo" in svg
    assert svg.count("<line") == 1
    line = timeline(lead)
    assert line.count("<circle") == 2 and "2019-01-02" in line
