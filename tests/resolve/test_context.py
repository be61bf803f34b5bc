"""The passes after the model: each links only when exactly one cluster fits."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from joinedup.resolve.aliases import load_aliases
from joinedup.resolve.cluster import ConstrainedClusters
from joinedup.resolve.persons.context import PASSES, complete_clusters
from joinedup.resolve.persons.features import (
    _name_only,
    _officer_fix,
    _postal_code,
    person_features,
)
from joinedup.resolve.persons.pipeline import one_name_links


def mention(uid: int, forename: str | None, surname: str | None, **extra: Any) -> dict[str, Any]:
    row = {"unique_id": uid, "forename": forename, "surname": surname,
           "forename_key": forename, "forename_keys": [forename] if forename else None,
           "surname_key": surname, "dob_y": None, "dob": None, "phones": None, "ids": {},
           "name_only": forename is None or surname is None, "record_id": uid,
           "extracted": False}  # fmt: skip
    row.update(extra)
    return row


def clusters(rows: list[dict[str, Any]]) -> ConstrainedClusters:
    """Every mention on its own, with its identifiers and dates, as the pipeline adds them."""
    cc = ConstrainedClusters()
    for row in rows:
        year = int(row["dob_y"]) if row["dob_y"] else None
        cc.add(row["unique_id"], row["ids"], year, row.get("dob"))
    return cc


def run(rows: list[dict[str, Any]], passes: tuple[str, ...]) -> ConstrainedClusters:
    cc = clusters(rows)
    complete_clusters(cc, pd.DataFrame(rows), passes)
    return cc


def test_a_phone_joins_initials_to_the_one_known_holder() -> None:
    rows = [
        mention(1, "mohammed", "anwar", dob_y="1969", phones=["+447700900065"]),
        mention(2, "a", "mohammed", phones=["+447700900065"]),
        mention(3, "m", "anwar", phones=["+447700900065"]),
    ]
    cc = run(rows, ("same_phone",))
    assert cc.find(1) == cc.find(2) == cc.find(3)


def test_a_phone_two_known_people_share_joins_nobody() -> None:
    rows = [
        mention(1, "mohammed", "anwar", dob_y="1969", phones=["+447700900065"]),
        mention(2, "mohammed", "anwar", dob_y="1990", phones=["+447700900065"]),
        mention(3, "m", "anwar", phones=["+447700900065"]),
    ]
    cc = run(rows, ("same_phone",))
    assert len({cc.find(i) for i in (1, 2, 3)}) == 3


def test_a_phone_does_not_join_unrelated_names() -> None:
    rows = [
        mention(1, "mohammed", "anwar", dob_y="1969", phones=["+447700900065"]),
        mention(2, "sarah", "jones", phones=["+447700900065"]),
    ]
    cc = run(rows, ("same_phone",))
    assert cc.find(1) != cc.find(2)


def test_one_typing_slip_joins_only_when_one_cluster_fits() -> None:
    rows = [mention(1, "zainab", "ikbal", dob_y="2006"), mention(2, "zainab", "ikbl")]
    cc = run(rows, ("similar_name",))
    assert cc.find(1) == cc.find(2)
    rows.append(mention(3, "zainab", "ikbla", dob_y="1980"))
    cc = run(rows, ("similar_name",))
    assert cc.find(2) not in (cc.find(1), cc.find(3))


def test_a_forename_alone_needs_the_same_companions() -> None:
    rows = [
        mention(1, "peter", "shaw", record_id=10),
        mention(2, "kamil", "kowalski", dob_y="2004", record_id=10),
        mention(3, "peter", None, record_id=11),
        mention(4, "kamil", "kowalski", dob_y="2004", record_id=11),
        mention(5, "peter", None, record_id=12),  # beside nobody known: stays alone
    ]
    cc = run(rows, ())
    cc.union(2, 4, 1.0, "model")
    complete_clusters(cc, pd.DataFrame(rows), ("companions",))
    assert cc.find(3) == cc.find(1)
    assert cc.find(5) not in (cc.find(1), cc.find(3))


def _with_companions(rows: list[dict[str, Any]], *groups: list[int]) -> ConstrainedClusters:
    cc = run(rows, ())
    for group in groups:  # what the model joined
        for other in group[1:]:
            cc.union(group[0], other, 1.0, "model")
    complete_clusters(cc, pd.DataFrame(rows), ("companions",))
    return cc


def test_of_two_bearers_the_one_far_more_often_beside_the_companions_wins() -> None:
    def beside_ayesha(uid: int, forename: str, surname: str, record: int) -> list[Any]:
        return [mention(uid, forename, surname, record_id=record),
                mention(uid + 100, "ayesha", "bibi", dob_y="2009", record_id=record)]  # fmt: skip

    rows = [*beside_ayesha(1, "mohammed", "khan", 10), *beside_ayesha(2, "mohammed", "iqbal", 20)]
    for n in range(3):  # Mohammed Khan is found with her three more times
        rows += beside_ayesha(10 + n, "mohammed", "khan", 30 + n)
    rows += beside_ayesha(40, "mohammed", None, 50)  # "Mohammed", found with her again
    khan, iqbal = [1, 10, 11, 12], [2]
    ayesha = [m["unique_id"] for m in rows if m["forename"] == "ayesha"]
    cc = _with_companions(rows, khan, iqbal, ayesha)
    assert cc.find(40) == cc.find(1)  # four records against one

    for n in range(2):  # Mohammed Iqbal is found with her twice more: four against three
        rows += beside_ayesha(60 + n, "mohammed", "iqbal", 70 + n)
    ayesha = [m["unique_id"] for m in rows if m["forename"] == "ayesha"]
    cc = _with_companions(rows, khan, [2, 60, 61], ayesha)
    assert cc.find(40) not in (cc.find(1), cc.find(2))  # too close to call: an analyst's


def test_rank_and_surname_is_a_surname() -> None:
    base = {"forename": "x", "middle_names": None, "surname": "y"}
    assert _officer_fix({**base, "raw_name": "PC 1000 Shah"}) == (None, None, "shah")
    assert _officer_fix({**base, "raw_name": "PC Shah"}) == (None, None, "shah")
    assert _officer_fix({**base, "raw_name": "Peter Shaw"}) == ("x", None, "y")


def test_one_name_with_a_full_date_of_birth_goes_to_the_model() -> None:
    assert _name_only(None, "grierson", True) is False
    assert _name_only("peter", None, False) is True
    assert _name_only("peter", "shaw", False) is False


def test_one_name_with_a_house_and_street_goes_to_the_model() -> None:
    assert _name_only(None, "ranson", False, "34 EDGE PLACE") is False
    assert _name_only(None, "ranson", False, None) is True


def test_a_single_name_links_only_when_its_model_links_reach_one_entity() -> None:
    cc = ConstrainedClusters()
    for uid in (1, 2, 3, 4, 5):
        cc.add(uid)
    cc.union(1, 2, 0.99, "model")  # Hannah Ranson, twice
    # "Ranson, 34 Edge Place" (3) reaches only Hannah's entity: it joins
    assert one_name_links(cc, [(1, 3, 0.95), (2, 3, 0.9)], {3}) == 1
    assert cc.find(3) == cc.find(1)
    # "Khan, 12 Green Road" (5) reaches the father (4) and the son (1): a household, no link
    assert one_name_links(cc, [(4, 5, 0.9), (1, 5, 0.9)], {5}) == 0
    assert cc.find(5) not in (cc.find(1), cc.find(4))


def test_a_similar_name_in_another_postcode_sector_is_another_person() -> None:
    rows = [
        mention(1, "jade", "white", dob_y="1952", postcode="2800"),
        mention(2, "kade", "white", postcode="3356"),
        mention(3, "adil", "shah", dob_y="1990", postcode="LS6 1AB"),
        mention(4, "afil", "shah", postcode="LS6 1AD"),
    ]
    cc = run(rows, ("similar_name",))
    assert cc.find(1) != cc.find(2)
    assert cc.find(3) == cc.find(4)


def test_a_postcode_written_in_an_overseas_address_line_is_the_postcode() -> None:
    assert _postal_code(["4223", "HILLS", "NSW", "WINSTON"]) == "4223"
    assert _postal_code(["NORTHVALE"]) is None
    assert _postal_code(["1234", "5678"]) is None  # two: no telling which


def test_an_undated_mention_reaching_two_namesakes_joins_neither() -> None:
    cc = ConstrainedClusters()
    cc.add(1, birth_year=1964)  # Julia Nowak, the mother
    cc.add(2, birth_year=2002)  # Julia Nowak, the daughter
    cc.add(3)  # "Julia Nowak", undated, at their address
    cc.add(4)  # "Julia Nowak", undated, written with her school
    assert one_name_links(cc, [(1, 3, 0.99), (2, 3, 0.99), (2, 4, 0.95)], {3, 4}) == 1
    assert cc.find(3) not in (cc.find(1), cc.find(2))
    assert cc.find(4) == cc.find(2)


def test_a_family_phone_does_not_join_two_forenames_of_one_surname() -> None:
    rows = [
        mention(1, "lauren", "williams", dob_y="2002", phones=["+447700900359"]),
        mention(2, "leanne", "williams", phones=["+447700900359"]),
        mention(3, "l", "williams", phones=["+447700900359"]),
    ]
    cc = run(rows, ("same_phone",))
    assert cc.find(2) != cc.find(1)
    assert cc.find(3) == cc.find(1)  # an initial does not tell them apart


def test_a_similar_name_is_refused_when_any_member_tells_them_apart() -> None:
    rows = [
        mention(1, "adil", "shah", dob_y="1990"),
        mention(5, "adil", "shah", dob_y="1990", phones=["+447700900001"]),
        mention(4, "afil", "shah", phones=["+447700900002"]),
    ]
    cc = ConstrainedClusters()
    for row in rows:
        cc.add(row["unique_id"], row["ids"], int(row["dob_y"]) if row["dob_y"] else None)
    cc.union(1, 5, 0.99, "model")
    complete_clusters(cc, pd.DataFrame(rows), ("similar_name",))
    assert cc.find(4) != cc.find(1)  # Afil's phone is not the phone Adil was written with


SCHOOL = "3|staff|castle hill high school"


def staff(uid: int, forename: str, surname: str, **extra: Any) -> dict[str, Any]:
    """A mention as person_features gives it: every column present, None where empty."""
    return mention(uid, forename, surname, **{"post": None, "sex": None, **extra})


def test_the_same_name_in_the_same_post_is_one_person() -> None:
    rows = [
        staff(1, "helen", "smith", post=SCHOOL),
        staff(2, "helen", "smith", post=SCHOOL),
        staff(3, "h", "smith", post=SCHOOL),
        staff(4, "helen", "smith", post="3|staff|millbrook community college"),
        staff(5, "helen", "smith"),  # a Helen Smith seen elsewhere, in no post
    ]
    cc = run(rows, ("same_post",))
    assert cc.find(1) == cc.find(2) == cc.find(3)
    assert len({cc.find(1), cc.find(4), cc.find(5)}) == 3


def test_a_post_joins_an_initial_only_to_the_one_forename_it_fits() -> None:
    rows = [
        staff(1, "helen", "smith", post=SCHOOL),
        staff(2, "harry", "smith", post=SCHOOL),
        staff(3, "h", "smith", post=SCHOOL),  # Helen or Harry: left alone
        staff(4, "d", "white", post=SCHOOL),
        staff(5, "d", "white", post=SCHOOL),  # no full forename there: the initial joins
    ]
    cc = run(rows, ("same_post",))
    assert len({cc.find(1), cc.find(2), cc.find(3)}) == 3
    assert cc.find(4) == cc.find(5)


def test_a_post_takes_a_surname_slip_but_never_two_known_people() -> None:
    rows = [
        staff(1, "adil", "hussain", post=SCHOOL),
        staff(2, "adil", "husain", post=SCHOOL),  # one letter dropped
        staff(3, "sarah", "jones", post=SCHOOL, dob_y="1970"),
        staff(4, "sarah", "jones", post=SCHOOL, dob_y="1990"),  # two known people
        staff(5, "kim", "lee", post=SCHOOL, sex="F"),
        staff(6, "kim", "lee", post=SCHOOL, sex="M"),  # written apart
    ]
    cc = run(rows, ("same_post",))
    assert cc.find(1) == cc.find(2)
    assert cc.find(3) != cc.find(4)
    assert cc.find(5) != cc.find(6)


def born(uid: int, forename: str | None, surname: str | None, dob: str, **extra: Any) -> Any:
    """A mention with a full date of birth (ISO), as person_features gives it."""
    return mention(uid, forename, surname, dob=dob, dob_y=dob[:4], name_only=False, **extra)


def test_a_full_date_of_birth_joins_a_near_name_to_the_one_cluster_that_fits() -> None:
    rows = [
        born(1, "sarah", "jones", "1990-03-14"),
        born(2, "sarah", "jones", "1990-03-14"),
        born(3, "srah", "jones", "1990-03-14"),  # a slip in the forename
        born(4, "peter", "shaw", "1990-03-14"),  # born the same day: another person
        born(5, "robert", "wilson", "1975-06-02", forename_keys=["robert"]),
        born(6, "bob", None, "1975-06-02", forename_keys=["bob", "robert"]),  # a nickname alone
        born(7, "imran", "khan", "1988-11-30"),
        born(8, "khan", "imran", "1988-11-30"),  # forename and surname swapped
        born(9, "j", "okafor", "2006-07-21"),
        born(10, "joseph", "okafor", "2006-07-21"),  # an initial
    ]
    cc = clusters(rows)
    cc.union(1, 2, 1.0, "model")
    counts = complete_clusters(cc, pd.DataFrame(rows), ("same_birth_date",))
    assert counts["same_birth_date_merges"] == 4
    assert cc.find(3) == cc.find(1)
    assert cc.find(4) != cc.find(1)
    assert cc.find(6) == cc.find(5)
    assert cc.find(8) == cc.find(7)
    assert cc.find(9) == cc.find(10)
    assert cc.how[3] == "context"


def test_a_date_of_birth_two_clusters_fit_joins_neither() -> None:
    rows = [
        born(1, "jack", "smith", "2005-01-09"),  # twins
        born(2, "jane", "smith", "2005-01-09"),
        born(3, "j", "smith", "2005-01-09"),  # Jack or Jane: an analyst's
        born(4, None, "smith", "2005-01-09"),  # a surname alone fits both too
    ]
    cc = run(rows, ("same_birth_date",))
    assert len({cc.find(i) for i in (1, 2, 3, 4)}) == 4


def test_a_date_of_birth_never_joins_across_an_identifier_or_a_decision() -> None:
    rows = [
        born(1, "sarah", "jones", "1990-03-14", ids={"nhs": "9434765919"}),
        born(2, "srah", "jones", "1990-03-14", ids={"nhs": "9434765870"}),
        born(3, "amir", "hussain", "1979-02-01"),
        born(4, "amir", "husain", "1979-02-01"),
    ]
    cc = clusters(rows)
    cc.cannot_link(3, 4)  # an analyst decided these differ
    complete_clusters(cc, pd.DataFrame(rows), ("same_birth_date",))
    assert cc.find(1) != cc.find(2)
    assert cc.find(3) != cc.find(4)
    # without the identifiers and the decision, both pairs join
    for row in rows:
        row["ids"] = {}
    cc = run(rows, ("same_birth_date",))
    assert cc.find(1) == cc.find(2)
    assert cc.find(3) == cc.find(4)


def stored(uid: int, raw_name: str, dob: dt.date, precision: str) -> dict[str, Any]:
    """A person_mention row as read_person_rows gives it."""
    forename, surname = raw_name.split()
    return {"id": uid, "record_id": uid, "role": "subject", "raw_name": raw_name,
            "forename": forename, "middle_names": None, "surname": surname, "nickname": None,
            "dob": dob, "dob_precision": precision, "sex": None, "address": None,
            "postcode": None, "nhs_number": None, "pnc_id": None, "child_ref": None,
            "upn": None, "local_id": None, "licence_no": None, "attributes": None,
            "extracted": False, "source_id": 1, "phones": []}  # fmt: skip


@pytest.mark.parametrize(("precision", "joined"), [("day", True), ("month", False)])
def test_only_a_date_known_to_the_day_joins(precision: str, joined: bool) -> None:
    rows = [
        stored(1, "Sarah Jones", dt.date(1990, 3, 1), precision),
        stored(2, "Srah Jones", dt.date(1990, 3, 1), precision),
    ]
    features = person_features(rows, load_aliases(None))
    cc = ConstrainedClusters()
    for uid, ids, year, dob in zip(
        features.unique_id, features.ids, features.dob_y, features.dob, strict=True
    ):
        cc.add(int(uid), ids, int(year) if year else None, dob or None)
    complete_clusters(cc, features, ("same_birth_date",))
    assert (cc.find(1) == cc.find(2)) is joined


def test_the_date_of_birth_pass_runs_last_by_default() -> None:
    assert PASSES[-1] == "same_birth_date"
