"""Fixtures for the results-store tests: a fresh store on SQLite and, when a server is
given, on PostgreSQL.

``KAOHE_TEST_POSTGRES_URL`` names a PostgreSQL server the tests may create and drop
databases on (``.ci/run`` starts a throwaway one and sets it). Each test gets its own
new database, dropped afterwards, so tests never see each other's runs. Without the
variable, or when the server can't be reached, the PostgreSQL variants are skipped
with the reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

POSTGRES_ENV = "KAOHE_TEST_POSTGRES_URL"


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The admin URL of the test server (``postgresql+psycopg://user@host:port/postgres``)."""
    url = os.environ.get(POSTGRES_ENV, "").strip()
    if not url:
        pytest.skip(f"PostgreSQL store tests need {POSTGRES_ENV} (.ci/run starts a throwaway server)")
    try:
        from sqlalchemy import create_engine, text

        engine = create_engine(url)
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
    except ImportError as exc:
        pytest.skip(f"PostgreSQL store tests need the psycopg driver: {exc}")
    except Exception as exc:  # any failure to reach the server: skip, saying why
        pytest.skip(f"PostgreSQL server at {POSTGRES_ENV} cannot be reached: {str(exc).splitlines()[0]}")
    return url


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """The URL of a new, empty database on the test server, dropped after the test."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"kaohe_test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT")  # CREATE DATABASE refuses a transaction
    with admin.connect() as connection:
        connection.execute(text(f'create database "{name}"'))
    try:
        yield make_url(postgres_server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'drop database if exists "{name}" with (force)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh store's URL (or SQLite path), once per dialect."""
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    return str(tmp_path / "results.db")
