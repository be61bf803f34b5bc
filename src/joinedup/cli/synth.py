"""CLI commands: synth."""

from joinedup.cli.app import app  # noqa: F401
