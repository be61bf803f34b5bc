"""CLI commands: ingest."""

from joinedup.cli.app import app  # noqa: F401
