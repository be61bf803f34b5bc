"""A small hand-written truth folder (invented people), shared by the evaluate tests."""

from __future__ import annotations

import csv
from pathlib import Path

FILES: dict[str, list[list[str]]] = {
    "mentions": [
        ["spec", "source_ref", "slot", "kind", "entity_id"],
        ["stops", "S1", "driver", "person", "P1"],
        ["stops", "S1", "vehicle", "vehicle", "V1"],
        ["stops", "S2", "driver", "person", "P1"],
    ],
    "text_mentions": [
        ["spec", "source_ref", "column", "slot", "kind", "value", "raw", "partial", "entity_id"],
        ["stops", "S1", "Notes", "text:Notes:10", "person", "Taz", "'Taz'", "false", "P2"],
        ["stops", "S2", "Notes", "text:Notes:0", "vehicle", "AB12*", "AB12", "true", "V1"],
    ],
    "persons": [
        ["person_id", "kind", "world_role", "name_origin", "group_id"],
        ["P1", "adult", "offender_core", "english", "G1"],
        ["P2", "adult", "offender_wider", "south_asian", "G1"],
        ["P3", "child", "victim", "english", ""],
        ["P4", "adult", "parent", "african", ""],
        ["P5", "child", "child_other", "english", ""],
    ],
    "groups": [
        ["group_id", "kind", "members", "victims", "flats", "hotels", "start_date", "end_date"],
        ["G1", "group", "P1;P2", "P3;P3", "L1", "", "2018-05-01", "2020-12-31"],
    ],
    "records": [
        ["spec", "source_ref", "row", "copy", "evidence_of_exploitation", "group_id",
         "timeline_event", "event_date", "received_date"],
        ["stops", "S1", "1", "original", "true", "G1", "E1", "2019-02-01T22:00",
         "2019-02-02T09:00"],
        ["stops", "S2", "2", "resend", "false", "", "", "2019-02-03T10:00", "2019-04-01T10:00"],
    ],
    "quarantines": [
        ["spec", "source_ref", "row", "column", "value", "reason"],
        ["stops", "S9", "9", "StopTime", "31/02/2019", "impossible date"],
    ],
    "timeline": [
        ["event_id", "when", "kind", "group_id", "victim_id", "offender_ids", "location_id",
         "vehicle_id"],
        ["E1", "2019-02-01T22:00", "abuse", "G1", "P3", "P1", "L2", ""],
        ["E2", "2019-03-01T22:00", "lift", "G1", "P3", "P1", "", "V1"],
        ["E3", "2019-03-05T22:00", "clinic:STI", "G1", "P3", "", "L9", ""],
    ],
}  # fmt: skip


def write_truth(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in FILES.items():
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(rows)
    return folder
