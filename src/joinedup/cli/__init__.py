"""The `joinedup` command line: each command is a thin call into a domain module."""

from joinedup.cli import (  # noqa: F401  (importing registers the commands)
    access,
    feeds,
    ingest,
    store,
    synth,
)
from joinedup.cli.app import app


def main() -> None:
    app()
