"""Opening a store: connect, check its revision, migrate; every failure a located message.

``Store`` holds an SQLAlchemy engine; callers run their reads and writes in
``store.engine.begin()`` transactions. A store that cannot be reached is
``E-STORE-OPEN`` naming the URL with its password masked. Commands that only
read refuse a SQLite file that does not exist (``E-STORE-MISSING``), rather than create an empty
store under a mistyped name.

Several processes may write one SQLite file at once (two evaluations, a
sign-off): writers wait for each other (``busy_timeout``) and a transaction
that writes takes the write lock when it begins (``writing``), so two of them
never both hold a read lock and then deadlock asking for the write lock, the
case in which SQLite answers "database is locked" at once instead of waiting.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError

from kaohe.engine.errors import KaoheError
from kaohe.engine.store.migrate import check_revision, is_current, upgrade
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


BUSY_TIMEOUT_MS = 60_000  # how long a SQLite writer waits for another one (a city run takes seconds)
IMMEDIATE = "kaohe_immediate"  # execution option: this SQLite transaction will write


def sqlite_transactions(engine: Engine) -> None:
    """Make SQLite transactions whole, as PostgreSQL's are. Python's sqlite3 driver
    opens a transaction only before INSERT/UPDATE/DELETE, so a migration's CREATE
    TABLEs would commit one by one and a process killed halfway would leave a
    half-made store; here every transaction starts with BEGIN (the recipe of
    SQLAlchemy's SQLite documentation, "Serializable isolation / Savepoints /
    Transactional DDL"), and foreign keys are enforced as on a server. A
    transaction opened by ``writing`` begins IMMEDIATE (see the module docstring)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the driver emits no BEGIN of its own
        dbapi_connection.execute("PRAGMA foreign_keys = ON")
        dbapi_connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(IMMEDIATE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def writing(store: Store, retried: tuple[type[SQLAlchemyError], ...] = ()) -> Iterator[Connection]:
    """A transaction that will write: committed when the block ends, rolled back
    if it raises. On SQLite it takes the write lock at once (waiting its turn);
    on a server the option means nothing and the transaction is an ordinary one.
    A database error is E-STORE-WRITE, except the kinds in ``retried``, which the
    caller retries (a lost race) and so receives as they are."""
    try:
        with store.engine.connect() as connection:
            connection.execution_options(**{IMMEDIATE: True})
            with connection.begin():
                yield connection
    except retried:
        raise
    except SQLAlchemyError as exc:
        raise KaoheError(store.target.diagnostic("E-STORE-WRITE", problem=first_line(exc))) from None


def open_store(target: StoreTarget, create: bool = True) -> Store:
    """The store at ``target``, migrated to the newest revision; ``create=False``
    for commands that only read (a missing SQLite file is then an error)."""
    engine = connectable(target)
    database = target.sqlite_file()
    if not create and database is not None and not database.is_file():
        raise KaoheError(target.diagnostic("E-STORE-MISSING", file=str(database)))
    try:
        migrate(engine, target)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise KaoheError(target.diagnostic("E-STORE-OPEN", problem=first_line(exc))) from None
    except KaoheError:
        engine.dispose()
        raise
    return Store(engine, target)


def migrate(engine: Engine, target: StoreTarget) -> None:
    """Check the store's revision reading only (a store already up to date, even a
    read-only file, is never locked for writing), then upgrade it if it must be,
    in a transaction that writes: two processes creating one fresh store at once
    take turns, and the second finds the first one's tables and does nothing."""
    with engine.begin() as connection:
        check_revision(connection, target)
        if is_current(connection):
            return
    with engine.connect() as connection:
        connection.execution_options(**{IMMEDIATE: True})
        with connection.begin():
            upgrade(connection, target)


@contextmanager
def opened(target: StoreTarget, create: bool = True) -> Iterator[Store]:
    store = open_store(target, create)
    try:
        yield store
    finally:
        store.close()
