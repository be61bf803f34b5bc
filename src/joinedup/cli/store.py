"""CLI commands: store."""

from joinedup.cli.app import app  # noqa: F401
