"""The quality bars the issues set, checked against an evaluation report.

Ingest bars apply today; resolution and detection bars apply once their stage has run
(docs/evaluation.md explains each figure and where it came from).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from joinedup.evaluate.store_view import DETECTION_HOOK, KINDS, RESOLUTION_HOOK, stage_hook

OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "<": operator.lt,
}


@dataclass(frozen=True)
class Threshold:
    """One bar: the metric at `path` in the report must satisfy `op target`."""

    name: str
    path: tuple[str, ...]
    op: str
    target: float
    why: str

    @property
    def section(self) -> str:
        return self.path[0]


def _t(path: str, op: str, target: float, why: str, name: str | None = None) -> Threshold:
    return Threshold(name or path, tuple(path.split(".")), op, target, why)


INGEST = "measured on seeded cities 11-14 (docs/evaluation.md)"
RESOLUTION = "resolution issue"
DETECTION = "detection issue"

THRESHOLDS: tuple[Threshold, ...] = (
    *(_t(f"ingest.mentions.{k}.coverage", ">=", 0.999, INGEST) for k in KINDS),
    _t("ingest.text_mentions.coverage", ">=", 0.97, INGEST),
    _t("ingest.text_mentions.precision", ">=", 0.97, INGEST),
    _t("ingest.records.stored_share", ">=", 1.0, "nothing lost (DESIGN.md)"),
    _t("ingest.records.total.unexpected", "<=", 0, "no record stored twice or from nowhere"),
    _t("ingest.quarantine.expected_not_found", "<=", 0, "every broken row quarantined"),
    _t("ingest.quarantine.unexpected", "<=", 0, "no sound row quarantined"),
    _t("er.person.pairwise.precision", ">=", 0.98, RESOLUTION),
    _t("er.person.pairwise.recall", ">=", 0.95, RESOLUTION),
    _t("er.person.bcubed.f1", ">=", 0.97, RESOLUTION),
    _t(
        "er.person.by_name_origin",
        ">=",
        -0.02,
        RESOLUTION + ": South Asian B-cubed recall minus other origins' (pooled)",
        "er.person.south_asian_recall_gap",
    ),
    _t("er.vehicle.pairwise.precision", ">=", 0.99, RESOLUTION),
    _t("er.phone.pairwise.precision", ">=", 0.99, RESOLUTION),
    _t("groups.groups_found", ">=", 0.90, DETECTION),
    _t("groups.offenders_in_a_lead", ">=", 0.85, DETECTION),
    _t("groups.lead_adults_innocent", "<=", 0.15, DETECTION),
    _t("timeliness.median_days", "<", 60, DETECTION),
    _t("timeliness.victims_at_risk_before_last_abuse", ">=", 0.80, DETECTION),
)


def south_asian_gap(by_origin: dict[str, dict[str, Any]]) -> float | None:
    """South Asian B-cubed recall minus that of the mentions of every other origin pooled.

    B-cubed, not pairwise: pairwise recall weighs each person by their pairs (n^2/2 for n
    mentions), so one much-recorded person swings a whole origin's figure.
    """
    sa = by_origin.get("south_asian")
    others = [v for k, v in by_origin.items() if k != "south_asian"]
    other_items = sum(v["items"] for v in others)
    if not sa or not sa["items"] or not other_items or sa["bcubed_recall"] is None:
        return None
    pooled = sum(v["bcubed_recall"] * v["items"] for v in others) / other_items
    return sa["bcubed_recall"] - pooled


def _value(report: dict[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = report
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    if path[-1] == "by_name_origin" and isinstance(node, dict):
        return south_asian_gap(node)
    return node


def available_stages() -> set[str]:
    """Report sections whose stage exists in this installation (ingest always does)."""
    stages = {"ingest"}
    if stage_hook(RESOLUTION_HOOK) is not None:
        stages.add("er")
    if stage_hook(DETECTION_HOOK) is not None:
        stages |= {"groups", "flags", "timeliness"}
    return stages


def check(report: dict[str, Any], required: Collection[str] = ("ingest",)) -> list[dict[str, Any]]:
    """Every threshold with its value and status: pass, fail, or not_run (stage absent).

    A section that has not run fails when it is `required`, so a stage that exists but
    produced nothing cannot pass by being null.
    """
    rows = []
    for th in THRESHOLDS:
        section = report.get(th.section) or {}
        value = _value(report, th.path)
        if section.get("status") == "not_run":
            status = "fail" if th.section in required else "not_run"
        elif value is None:
            status = "fail"  # measured but undefined (e.g. no pairs): not evidence of quality
        else:
            status = "pass" if OPS[th.op](value, th.target) else "fail"
        rows.append(
            {
                "name": th.name,
                "value": value,
                "op": th.op,
                "target": th.target,
                "status": status,
                "why": th.why,
                "reason": section.get("reason") if status != "pass" else None,
            }
        )
    return rows


def check_thresholds(report: dict[str, Any], required: Collection[str] = ("ingest",)) -> list[str]:
    """The thresholds the report fails, one plain line each; empty when all pass."""
    return [
        f"{r['name']}: {r['value']} is not {r['op']} {r['target']}"
        + (f" ({r['reason']})" if r["reason"] else "")
        for r in check(report, required)
        if r["status"] == "fail"
    ]
