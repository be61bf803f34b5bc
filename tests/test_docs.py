"""The docs are tested: commands, settings and feed specs each have their entry."""

from __future__ import annotations

import re
from pathlib import Path

from joinedup.cli.reference import command_paths, render
from joinedup.feeds import builtin_specs

ROOT = Path(__file__).parents[1]
DOCS = ROOT / "docs"


def all_docs() -> str:
    texts = [(ROOT / "README.md").read_text(encoding="utf-8")]
    texts += [
        p.read_text(encoding="utf-8") for p in sorted(DOCS.glob("*.md")) if p.name != "cli.md"
    ]
    return "\n".join(texts)


def test_cli_reference_is_current() -> None:
    expected = render()
    actual = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert actual == expected, (
        "docs/cli.md is stale: run `python -m joinedup.cli.reference > docs/cli.md`"
    )


def test_every_command_is_explained_outside_the_reference() -> None:
    text = all_docs()
    missing = [" ".join(w) for w in command_paths() if f"joinedup {' '.join(w)}" not in text]
    assert not missing, f"commands with no entry in README.md or docs/*.md: {missing}"


def test_every_setting_is_documented() -> None:
    used = set()
    for path in (ROOT / "src").rglob("*.py"):
        used |= set(re.findall(r"JOINEDUP_[A-Z_]+", path.read_text(encoding="utf-8")))
    text = all_docs()
    missing = sorted(s for s in used if s not in text)
    assert not missing, f"settings with no entry in the docs: {missing}"


def test_every_builtin_feed_spec_is_documented() -> None:
    text = all_docs()
    missing = sorted(name for name in builtin_specs() if f"`{name}`" not in text)
    assert not missing, f"built-in feed specs with no entry in the docs: {missing}"
