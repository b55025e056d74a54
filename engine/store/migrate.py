"""The store's schema version: Alembic migrations run in code when a store opens.

A store is at one revision of ``migrations/versions/``. Opening one:
- at an older revision (or empty): upgraded in place, in one transaction;
- at a revision this kaohe does not know: refused (``E-STORE-NEWER``), since a
  newer kaohe may have changed what the columns mean and reading on would
  misread them;
- with tables but no Alembic revision: refused (``E-STORE-UNKNOWN``), since it
  is some other program's database.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect

from kaohe.engine.errors import KaoheError
from kaohe.engine.store.url import StoreTarget

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    # ConfigParser reads "%" as interpolation: a folder name holding one must be doubled
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def known_revisions() -> list[str]:
    """Every revision this kaohe knows, newest first."""
    return [script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()]


def head_revision() -> str:
    return known_revisions()[0]


def check_revision(connection: Connection, target: StoreTarget) -> None:
    """Refuse a store from a newer kaohe or from another program (see the module docstring)."""
    current = MigrationContext.configure(connection).get_current_heads()
    known = known_revisions()
    unknown = [revision for revision in current if revision not in known]
    if unknown:
        raise KaoheError(target.diagnostic("E-STORE-NEWER", revision=", ".join(unknown), known=known[0]))
    others = sorted(set(inspect(connection).get_table_names()) - {VERSION_TABLE})
    if not current and others:
        raise KaoheError(target.diagnostic("E-STORE-UNKNOWN", tables=", ".join(others[:10])))


def is_current(connection: Connection) -> bool:
    """Whether the store is at the newest revision this kaohe knows."""
    return MigrationContext.configure(connection).get_current_heads() == (head_revision(),)


def upgrade(connection: Connection, target: StoreTarget) -> None:
    """Check the store's revision, then bring it to the newest one this kaohe knows."""
    check_revision(connection, target)
    command.upgrade(alembic_config(connection), "head")
