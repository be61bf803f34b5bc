"""Generate docs/cli.md from the commands' own --help, so the docs cannot drift.

Run `python -m joinedup.cli.reference > docs/cli.md` after changing a command.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import typer.main
from typer.testing import CliRunner

from joinedup.cli import app


def command_paths() -> list[list[str]]:
    """Every leaf command as its words, e.g. ['quarantine', 'list']."""

    def walk(cmd: Any, prefix: list[str]) -> Iterator[list[str]]:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name in sorted(subs):
                yield from walk(subs[name], [*prefix, name])
        else:
            yield prefix

    return list(walk(typer.main.get_command(app), []))


def help_text(words: list[str]) -> str:
    env = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb", "_TYPER_FORCE_DISABLE_TERMINAL": "1"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        result = CliRunner().invoke(app, [*words, "--help"], prog_name="joinedup")
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return "\n".join(line.rstrip() for line in result.stdout.strip().splitlines())


def render() -> str:
    parts = [
        "# Command reference",
        "",
        "Generated from each command's `--help` by `python -m joinedup.cli.reference`;",
        "a test fails when this page and the commands disagree.",
        "",
    ]
    for words in command_paths():
        parts += [f"## joinedup {' '.join(words)}", "", "```", help_text(words), "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":
    print(render(), end="")
