"""Opening a store: connect, check its revision, migrate; every failure a located message.

``Store`` holds an SQLAlchemy engine; callers run their reads and writes in
``store.engine.begin()`` transactions. A store that cannot be reached is
``E-STORE-OPEN`` naming the URL with its password masked. Commands that only
read refuse a SQLite file that does not exist (``E-STORE-MISSING``), rather than create an empty
store under a mistyped name.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError

from kaohe.engine.errors import KaoheError
from kaohe.engine.store.migrate import upgrade
from kaohe.engine.store.url import StoreTarget, first_line, parse


@dataclass(frozen=True)
class Store:
    engine: Engine
    target: StoreTarget

    def close(self) -> None:
        self.engine.dispose()


def connectable(target: StoreTarget) -> Engine:
    """An engine for ``target`` without connecting: a malformed URL or a missing
    driver is found here, before a long evaluation runs."""
    url = parse(target)
    try:
        engine = create_engine(url)
    except ImportError as exc:  # the dialect's driver (psycopg for postgresql://) is not installed
        module = (exc.name or "").split(".")[0] or first_line(exc)
        raise KaoheError(target.diagnostic("E-STORE-DRIVER", module=module)) from None
    except SQLAlchemyError as exc:  # unknown dialect, bad query parameters
        raise KaoheError(target.diagnostic("E-STORE-OPEN", problem=first_line(exc))) from None
    if url.get_backend_name() == "sqlite":
        sqlite_transactions(engine)
    return engine


def sqlite_transactions(engine: Engine) -> None:
    """Make SQLite transactions whole, as PostgreSQL's are. Python's sqlite3 driver
    opens a transaction only before INSERT/UPDATE/DELETE, so a migration's CREATE
    TABLEs would commit one by one and a process killed halfway would leave a
    half-made store; here every transaction starts with BEGIN (the recipe of
    SQLAlchemy's SQLite documentation, "Serializable isolation / Savepoints /
    Transactional DDL"), and foreign keys are enforced as on a server."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the driver emits no BEGIN of its own
        dbapi_connection.execute("PRAGMA foreign_keys = ON")

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")


def open_store(target: StoreTarget, create: bool = True) -> Store:
    """The store at ``target``, migrated to the newest revision; ``create=False``
    for commands that only read (a missing SQLite file is then an error)."""
    engine = connectable(target)
    database = target.sqlite_file()
    if not create and database is not None and not database.is_file():
        raise KaoheError(target.diagnostic("E-STORE-MISSING", file=str(database)))
    try:
        with engine.begin() as connection:
            upgrade(connection, target)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise KaoheError(target.diagnostic("E-STORE-OPEN", problem=first_line(exc))) from None
    except KaoheError:
        engine.dispose()
        raise
    return Store(engine, target)


@contextmanager
def opened(target: StoreTarget, create: bool = True) -> Iterator[Store]:
    store = open_store(target, create)
    try:
        yield store
    finally:
        store.close()
