"""Alembic's environment for the store, run in code only (no alembic.ini).

``engine/store/migrate.py`` builds the Config and hands over an open
connection in ``config.attributes["connection"]``; migrations run on it, so
they share the caller's transaction and never open a second connection.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
