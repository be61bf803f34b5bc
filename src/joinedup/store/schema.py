"""Create or upgrade a store to the newest schema with Alembic; report its revision.

(Not `store/migrate.py`: a submodule named like the package's `migrate` function would
replace it on the package once imported, and `from joinedup.store import migrate` would
then give the module.)
"""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("joinedup.store") / "migrations"))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> str:
    """Bring the store to the newest revision; returns that revision."""
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return head_revision(engine)


def head_revision(engine: Engine) -> str:
    script = ScriptDirectory.from_config(alembic_config(engine))
    return str(script.get_current_head())


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
