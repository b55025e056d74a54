"""A store named by a path or an SQLAlchemy URL, and how it is shown to people.

A value without ``://`` is a SQLite file (``results.db`` → ``sqlite:///results.db``,
relative to the folder it is read against); anything else is an SQLAlchemy
URL. Messages show the URL with its password masked, so a copied error
message never leaks a credential.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kaohe.engine.errors import Diagnostic, KaoheError

if TYPE_CHECKING:  # SQLAlchemy takes a second to import: only a run that uses a store pays for it
    from sqlalchemy.engine import URL

# user:password@ in a URL SQLAlchemy could not parse
_CREDENTIALS = re.compile(r"(://[^:/@]*):[^@]*@")


@dataclass(frozen=True)
class StoreTarget:
    """A store to open, and where it was named (for located messages)."""

    url: str
    file: str | None = None  # kaohe.toml when the setting came from there
    line: int | None = None

    @property
    def shown(self) -> str:
        return masked(self.url)

    def diagnostic(self, code: str, **params: object) -> Diagnostic:
        params.setdefault("url", self.shown)
        if self.file is not None:
            return Diagnostic(code, params, file=self.file, line=self.line, path="store")
        return Diagnostic(code, params, file=self.shown)

    def sqlite_file(self) -> Path | None:
        """The database file of a SQLite URL (None for other dialects and in-memory databases)."""
        url = parse(self)
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return None
        return Path(url.database)


def store_url(value: str, base: Path | None = None) -> str:
    """``value`` as an SQLAlchemy URL; a bare path is a SQLite file, relative to ``base`` if given."""
    if "://" in value:
        return value
    path = Path(value)
    if base is not None and not path.is_absolute():
        path = base / path
    return f"sqlite:///{path.as_posix()}"


def masked(url: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return _CREDENTIALS.sub(r"\1:***@", url)


def parse(target: StoreTarget) -> URL:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(target.url)
    except ArgumentError as exc:
        raise KaoheError(target.diagnostic("E-STORE-OPEN", problem=first_line(exc))) from None


def first_line(exc: BaseException) -> str:
    """An exception's message for people: its first line, cut at 300 characters
    (SQLAlchemy appends the SQL and a link on further lines)."""
    orig = getattr(exc, "orig", None)  # a DBAPIError wraps the driver's own, clearer, message
    text = str(orig if orig is not None else exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
