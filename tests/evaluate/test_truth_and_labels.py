"""Loading the truth folder, and giving stored mentions their true entity."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from joinedup.evaluate.labels import label_mentions
from joinedup.evaluate.store_view import StoredMention
from joinedup.evaluate.truth import Truth, TruthError, load_truth
from tests.evaluate.helpers import write_truth


def test_the_truth_folder_is_read_into_keyed_tables(hand_truth: Truth) -> None:
    truth = hand_truth
    assert truth.mentions[("stops", "S1", "driver")] == ("person", "P1")
    taz = truth.text_mentions[0]
    assert (taz.start, taz.end, taz.entity_id) == (10, 15, "P2")  # 'Taz' with its quotes
    assert truth.text_mentions[1].partial is True
    assert truth.offenders == {"P1", "P2"}
    assert truth.victims == {"P3"}  # listed twice in the group, counted once
    assert truth.groups["G1"].places == {"L1"}
    assert truth.records[0].received_at == datetime(2019, 2, 2, 9, 0)
    assert truth.vehicles_used == {"V1"}
    assert truth.locations_used == {"L1", "L2"}  # the flat and the abuse; not the clinic
    assert truth.last_abuse == {"P3": datetime(2019, 2, 1, 22, 0)}


def test_a_missing_truth_file_is_named(tmp_path: Path) -> None:
    folder = write_truth(tmp_path / "truth")
    (folder / "groups.csv").unlink()
    with pytest.raises(TruthError, match="groups.csv: missing"):
        load_truth(folder)


def test_the_real_synth_output_loads(tiny_city: Path, tiny_truth: Truth) -> None:
    with (tiny_city / "truth" / "mentions.csv").open(encoding="utf-8") as f:
        assert len(tiny_truth.mentions) == sum(1 for _ in f) - 1
    assert tiny_truth.city["seed"] == 5
    assert tiny_truth.groups and tiny_truth.offenders and tiny_truth.records


def mention(kind: str, id: int, ref: str, slot: str, **text: object) -> StoredMention:
    return StoredMention(
        kind,
        id,
        "stops",
        ref,
        slot,
        bool(text),
        text.get("field"),  # type: ignore[arg-type]
        text.get("start"),  # type: ignore[arg-type]
        text.get("end"),  # type: ignore[arg-type]
        (),
    )


@pytest.mark.parametrize(
    ("m", "expected"),
    [
        (mention("person", 1, "S1", "driver"), "P1"),
        (mention("person", 2, "S2", "driver"), "P1"),
        (mention("person", 3, "S1", "passenger"), None),  # the truth has no such slot
        (mention("vehicle", 4, "S1", "driver"), None),  # right key, wrong kind
        # text: the extractor's span (11-14, inside the quotes) overlaps the truth's (10-15)
        (mention("person", 5, "S1", "text:Notes:11", field="Notes", start=11, end=14), "P2"),
        (mention("person", 6, "S1", "text:Notes:30", field="Notes", start=30, end=33), None),
        (mention("person", 7, "S1", "text:Other:11", field="Other", start=11, end=14), None),
        (mention("vehicle", 8, "S2", "text:Notes:0", field="Notes", start=0, end=4), "V1"),
    ],
)
def test_each_stored_mention_gets_its_true_entity(
    hand_truth: Truth, m: StoredMention, expected: str | None
) -> None:
    assert label_mentions(hand_truth, m.kind, [m]).labels == [expected]


def test_text_mentions_found_are_counted_once(hand_truth: Truth) -> None:
    twice = [
        mention("person", 1, "S1", "text:Notes:11", field="Notes", start=11, end=14),
        mention("person", 2, "S1", "text:Notes:11", field="Notes", start=11, end=14),  # resend
    ]
    labelled = label_mentions(hand_truth, "person", twice)
    assert labelled.labels == ["P2", "P2"]
    assert labelled.text_found == {0}


def test_a_value_written_twice_matches_by_its_normal_form(hand_truth: Truth) -> None:
    # the truth lists a value once per field; the extractor finds each place it is written
    again = StoredMention(
        "person", 9, "stops", "S1", "text:Notes:40", True, "Notes", 40, 43, (), "taz"
    )
    other = StoredMention(
        "person", 10, "stops", "S1", "text:Notes:50", True, "Notes", 50, 53, (), "Kaz"
    )
    assert label_mentions(hand_truth, "person", [again, other]).labels == ["P2", None]
