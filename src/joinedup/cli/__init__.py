"""The `joinedup` command line: each command is a thin call into a domain module."""

import logging
import os

from joinedup.cli import (  # noqa: F401  (importing registers the commands)
    access,
    demo,
    detect,
    erase,
    evaluate,
    feeds,
    ingest,
    network,
    resolve,
    stats,
    store,
    synth,
    web,
)
from joinedup.cli.app import app


def main() -> None:
    level = os.environ.get("JOINEDUP_LOG")
    if level:  # e.g. JOINEDUP_LOG=INFO: progress lines on stderr for unattended runs
        logging.basicConfig(level=level.upper(), format="%(asctime)s %(name)s %(message)s")
    app()
