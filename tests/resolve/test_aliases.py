"""Alias tables: transliterations group transitively, nicknames point at full names."""

from __future__ import annotations

from pathlib import Path

import pytest

from joinedup.resolve.aliases import AliasError, load_aliases


@pytest.mark.parametrize(
    ("a", "b"),
    [("mohammed", "muhammad"), ("mohd", "mohamed"), ("md", "muhammed"), ("hussain", "hussein")],
)
def test_forename_transliterations_share_a_key(a: str, b: str) -> None:
    names = load_aliases().forenames
    assert names.key(a) == names.key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("siddique", "saddique"),
        ("siddiqui", "sadiq"),
        ("chaudhry", "choudhury"),
        ("rehman", "rahman"),
    ],
)
def test_surname_transliterations_share_a_key(a: str, b: str) -> None:
    names = load_aliases().surnames
    assert names.key(a) == names.key(b)


def test_nicknames_point_at_full_names_without_joining_them() -> None:
    names = load_aliases().forenames
    assert names.key("robert") in names.keys("bob")
    assert {names.key("samuel"), names.key("samantha")} <= set(names.keys("sam"))
    assert names.key("samuel") != names.key("samantha")


def test_users_extend_the_tables_from_a_folder(tmp_path: Path) -> None:
    (tmp_path / "forenames_local.csv").write_text("name,variant,kind\nzebedee,zeb,nickname\n")
    (tmp_path / "surnames_local.csv").write_text("name,variant,kind\nsmyth,smith,spelling\n")
    aliases = load_aliases(tmp_path)
    assert "zebedee" in aliases.forenames.keys("zeb")
    assert aliases.surnames.key("smyth") == aliases.surnames.key("smith")


def test_a_broken_alias_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "forenames_x.csv").write_text("name,variant,kind\nbob,robert,cousin\n")
    with pytest.raises(AliasError, match="forenames_x.csv"):
        load_aliases(tmp_path)
