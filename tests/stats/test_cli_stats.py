"""`joinedup stats profile` and `joinedup stats table`: access, audit, forced publication
mode for researchers, the report's files, and store and exported table agreeing."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from joinedup.access import audit
from joinedup.cli import app
from tests.stats.conftest import add_users

runner = CliRunner()


def run(store_url: str | None, *args: str, **env: str | None):  # type: ignore[no-untyped-def]
    environment = {"JOINEDUP_USER": None, "JOINEDUP_DB": None, "JOINEDUP_PURPOSE": None} | env
    extra = ["--db", store_url] if store_url else []
    return runner.invoke(app, [*args, *extra], env=environment)


def words(text: str) -> str:
    return " ".join(text.split())  # Rich wraps long messages


def last_audit(engine: Engine) -> audit.AuditEvent:
    with engine.connect() as conn:
        return audit.list_events(conn, limit=None)[-1]


def small_counts(data: dict[str, Any]) -> list[tuple[str, str, int]]:
    """Every count of 1-4 anywhere in a profile's JSON tables."""
    found = []
    for key, table in data["tables"].items():
        for name, cat in table["categories"].items():
            if isinstance(cat["count"], int) and 0 < cat["count"] < 5:
                found.append((key, name, cat["count"]))
    for key, tw in data["two_way"].items():
        values = [v for row in tw["cells"] for v in row] + tw["row_totals"] + tw["col_totals"]
        found += [(key, "cell", v) for v in values if isinstance(v, int) and 0 < v < 5]
    return found


@pytest.mark.slow
def test_researchers_only_ever_get_controlled_output(
    store_url: str, city_store: Engine, cheap_hashing: None
) -> None:
    add_users(city_store)
    exact = run(store_url, "stats", "profile", "--json", "--as", "alice")
    assert exact.exit_code == 0, exact.output
    exact_data = json.loads(exact.stdout)
    assert not exact_data["controlled"] and small_counts(exact_data)  # the test can fail
    for flags in ([], ["--threshold", "1"], ["--threshold", "2", "--sensitivity"]):
        result = run(store_url, "stats", "profile", "--json", "--as", "rita", *flags)
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data["controlled"] and data["threshold"] == 5
        assert not small_counts(data)
        row = last_audit(city_store)
        assert row.actor == "rita" and row.detail["forced_by_role"] is True
    # A researcher's report is controlled too, and its CSVs hold no small count.
    out = Path(store_url.split("///")[-1]).parent / "rita_report" if "sqlite" in store_url else None
    if out is not None:
        result = run(
            store_url,
            "stats",
            "profile",
            "--as",
            "rita",
            "--out",
            str(out),
            "--recipient",
            "University of Northvale",
        )
        assert result.exit_code == 0, result.output
        for path in (out / "tables").glob("*.csv"):
            for row in csv.reader(path.open()):
                assert not any(re.fullmatch(r"[1-4]", c) for c in row[1:2]), (path, row)


def test_other_roles_are_refused(store_url: str, hand_store: Engine, cheap_hashing: None) -> None:
    add_users(hand_store)
    result = run(store_url, "stats", "profile", "--as", "ada.admin")
    assert result.exit_code == 3
    assert "read_statistics" in words(result.output)
    assert last_audit(hand_store).action == audit.REFUSED_ACTION


def test_viewing_is_a_consultation(store_url: str, hand_store: Engine, cheap_hashing: None) -> None:
    add_users(hand_store)
    result = run(
        store_url,
        "stats",
        "profile",
        "--as",
        "sam",
        "--area",
        "NV3",
        "--claim",
        "victims.sex: female > 0.5",
        JOINEDUP_PURPOSE="op. test",
    )
    assert result.exit_code == 0, result.output
    assert "exact counts: do not publish" in result.stdout
    row = last_audit(hand_store)
    assert (row.category, row.action, row.purpose) == ("consultation", "stats_profile", "op. test")
    assert row.detail["scope"]["area"] == "NV3"


def test_a_report_is_a_disclosure_with_its_recipient(
    store_url: str, hand_store: Engine, tmp_path: Path, cheap_hashing: None
) -> None:
    add_users(hand_store)
    refused = run(store_url, "stats", "profile", "--as", "alice", "--out", str(tmp_path / "r"))
    assert refused.exit_code == 2 and "--recipient" in words(refused.output)
    out = tmp_path / "report"
    result = run(
        store_url,
        "stats",
        "profile",
        "--as",
        "alice",
        "--out",
        str(out),
        "--recipient",
        "Northvale CSP",
        "--purpose",
        "annual problem profile",
        "--publication",
        "--threshold",
        "2",
    )
    assert result.exit_code == 0, result.output
    row = last_audit(hand_store)
    assert (row.category, row.recipient, row.purpose) == (
        "disclosure",
        "Northvale CSP",
        "annual problem profile",
    )
    assert row.detail["controlled"] is True
    html = (out / "report.html").read_text()
    assert "<script" not in html.lower() and "http" not in html and "<link" not in html
    assert "<svg" in html and "Publication mode" in html
    data = json.loads((out / "profile.json").read_text())
    assert data["controlled"] and (out / "summary.txt").read_text().strip()
    assert {p.name for p in (out / "tables").glob("*.csv")} >= {
        "victims.sex.csv",
        "offenders.ethnicity_self_group.csv",
        "events.type_by_month.csv",
    }


def test_the_unrecorded_bar_is_always_drawn(
    store_url: str, hand_store: Engine, tmp_path: Path, cheap_hashing: None
) -> None:
    add_users(hand_store)
    out = tmp_path / "exact"
    result = run(
        store_url, "stats", "profile", "--as", "alice", "--out", str(out), "--recipient", "CSE team"
    )
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text()
    charts = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    assert len(charts) == len(json.loads((out / "profile.json").read_text())["tables"])
    for svg in charts:
        assert ">unrecorded</text>" in svg
        # Every row has a bar (or a "c"), the unrecorded drawn hatched even at 0.
        assert "url(#h" in svg


def test_names_in_the_report_are_escaped(tmp_path: Path) -> None:
    from joinedup.stats.charts import bar_chart
    from joinedup.stats.shares import analyse
    from joinedup.stats.tables import one_way

    svg = bar_chart(analyse(one_way("t", "<b>t</b>", {"<script>x</script>": 5}, {"unknown": 1})))
    assert "<script>" not in svg and "&lt;script&gt;" in svg


TABLE = "category,count\nWhite,120\nAsian,45\nBlack,10\nMixed,6\nOther,3\nnot recorded,316\n"


def test_table_json(tmp_path: Path) -> None:
    path = tmp_path / "invented.csv"
    path.write_text(TABLE)
    base = tmp_path / "baseline.csv"
    base.write_text("category,share\nWhite,0.80\nAsian,0.10\nBlack,0.05\nMixed,0.03\nOther,0.02\n")
    result = run(
        None,
        "stats",
        "table",
        str(path),
        "--unknown",
        "not recorded",
        "--json",
        "--baseline",
        str(base),
        "--claim",
        "White > 0.5",
        "--claim",
        "Asian / population > 1",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["completeness"] == {"recorded": 184, "total": 500, "share": 0.368}
    white = data["categories"]["White"]
    assert white["count"] == 120 and white["share_of_known"] == pytest.approx(120 / 184, abs=1e-6)
    assert white["bounds"] == [0.24, pytest.approx(0.872)]
    assert len(white["ci95"]) == 2 and white["ci95"][0] < 120 / 184 < white["ci95"][1]
    assert data["categories"]["not recorded"]["unknown"] is True
    verdicts = [c["verdict"] for c in data["claims"]]
    assert verdicts == ["cannot be determined from this data"] * 2
    assert (
        "True among the recorded but undetermined over everyone" in data["claims"][1]["explanation"]
    )


def test_table_errors_are_usage_errors(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("category,count\nWhite,120\nAsian,45\n")
    result = run(None, "stats", "table", str(path))
    assert result.exit_code == 2 and "no unknown row" in words(result.output)
    path.write_text("category,count\nWhite,lots\nunknown,4\n")
    result = run(None, "stats", "table", str(path))
    assert result.exit_code == 2 and "line 2" in words(result.output)
    path.write_text(TABLE)
    result = run(None, "stats", "table", str(path), "--unknown", "not recorded", "--claim", "Wh")
    assert result.exit_code == 2 and "cannot read the claim" in words(result.output)


def test_table_in_publication_mode(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(TABLE)
    result = run(
        None, "stats", "table", str(path), "--unknown", "not recorded", "--json", "--publication"
    )
    data = json.loads(result.stdout)
    assert data["categories"]["Other"]["count"] == "c"
    assert sum(c["count"] == "c" for c in data["categories"].values()) >= 2


@pytest.mark.slow
def test_store_and_exported_table_agree(
    store_url: str, city_store: Engine, tmp_path: Path, cheap_hashing: None
) -> None:
    add_users(city_store)
    out = tmp_path / "report"
    result = run(
        store_url,
        "stats",
        "profile",
        "--as",
        "alice",
        "--out",
        str(out),
        "--recipient",
        "analysis team",
        "--json",
    )
    assert result.exit_code == 0, result.output
    profile = json.loads(result.stdout)
    for key in ("offenders.ethnicity_self_group", "victims.sex", "victims.age_first_concern"):
        rows = list(csv.DictReader((out / "tables" / f"{key}.csv").open()))
        counts = tmp_path / f"{key}.csv"
        unknown = [r["category"] for r in rows if r.get("unknown") == "True"]
        with counts.open("w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["category", "count"])
            w.writerows(
                [r["category"], r["count"]]
                for r in rows
                if r["category"] not in ("recorded", "total")
            )
        args = ["stats", "table", str(counts), "--json"]
        for u in unknown:
            args += ["--unknown", u]
        table = json.loads(run(None, *args).stdout)
        assert table["categories"] == profile["tables"][key]["categories"], key
        assert table["completeness"] == profile["tables"][key]["completeness"], key
