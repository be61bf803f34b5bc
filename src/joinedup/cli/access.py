"""CLI commands: access."""

from joinedup.cli.app import app  # noqa: F401
