"""The rule book: built-in YAML loads, every rule has a heading in docs/rules.md, and a
broken rule file is refused with its file and key named."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from joinedup.detect.rulebook import RuleError, load_rulebook, rules_dir

DOCS = Path(__file__).parents[2] / "docs" / "rules.md"


def test_the_builtin_rules_load_with_versions() -> None:
    book = load_rulebook()
    assert book.version.count(".") == 3
    assert len(book.rule_ids()) >= 25
    assert all(book.version_of(r) >= 1 for r in book.rule_ids())


def test_every_rule_has_a_heading_in_docs() -> None:
    headings = set(re.findall(r"^#{2,4} `?([a-z0-9_]+)`?\s*$", DOCS.read_text(), re.M))
    missing = [r for r in load_rulebook().rule_ids() if r not in headings]
    assert not missing, f"docs/rules.md needs a heading for: {', '.join(missing)}"


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(rules_dir(), folder)
    return folder


@pytest.mark.parametrize(
    ("file", "old", "new", "expect"),
    [
        ("children.yaml", "tier: significant", "tier: huge", "children.yaml: key indicators."),
        ("children.yaml", "derived: found_at_hotel", "derived: at_a_disco", "at_a_disco"),
        ("adults.yaml", "threshold: 2", "threshold: two", "adults.yaml: key threshold"),
        ("groups.yaml", "version: 2\n", "version: 0\n", "groups.yaml: key version"),
        ("children.yaml", '["(?i)older boyfriend"', '["(?i)older (boyfriend"', "regular expr"),
        ("objects.yaml", "summary: A vehicle that two", "sumary: A vehicle that two", "sumary"),
    ],
)
def test_a_broken_rule_file_names_file_and_key(
    rules_copy: Path, file: str, old: str, new: str, expect: str
) -> None:
    path = rules_copy / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(RuleError, match=re.escape(expect)):
        load_rulebook(rules_copy)


def test_a_rule_id_used_twice_is_refused(rules_copy: Path) -> None:
    path = rules_copy / "objects.yaml"
    path.write_text(
        path.read_text().replace("id: place_hotspot", "id: vehicle_at_missing_episodes")
    )
    with pytest.raises(RuleError, match="used twice: vehicle_at_missing_episodes"):
        load_rulebook(rules_copy)


def test_a_missing_file_is_named(rules_copy: Path) -> None:
    (rules_copy / "adults.yaml").unlink()
    with pytest.raises(RuleError, match="adults.yaml: missing"):
        load_rulebook(rules_copy)
