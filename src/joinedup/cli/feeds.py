"""CLI commands: feeds."""

from joinedup.cli.app import app  # noqa: F401
