"""The hash chain over signed-off runs: what a run's digest covers, and how it is computed.

A signed-off run's digest is sha256 over one canonical serialisation of what
the store holds about it (``CHAIN_FORMAT``, a JSON object with sorted keys,
no spaces, UTF-8):

- ``run``: its runs row, every column but ``digest`` itself: ids, who and
  when it was recorded and signed off, the ruleset, data, engine and results
  document digests, its place in the chain and the previous digest;
- ``files``: every file it read, with its sha256, by role then path;
- ``results``: every run_results row, all columns, in document order (seq);
- ``warnings``: every run_warnings row, all columns, in order (seq);
- ``document``: the stored results document text.

``previous_digest`` is the digest of the run signed off just before (NULL for
the first), so changing any signed-off run changes every digest after it.
The serialisation reads values the way SQLAlchemy types return them (str,
int, bool, None) on every dialect, so the same store moved from SQLite to
PostgreSQL keeps its digests.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, or_, select

from kaohe.engine.store.record import sha256_hex
from kaohe.engine.store.schema import run_documents, run_files, run_results, run_warnings, runs

CHAIN_FORMAT = "kaohe-signoff/1"  # changes if what a digest covers ever changes
SIGNED_OFF = "signed-off"


@dataclass(frozen=True)
class RunContent:
    """Everything a signed-off run's digest covers, as read from the store."""

    run: dict[str, Any]
    files: list[dict[str, Any]]
    results: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    document: str | None  # None: the document row was deleted


def read_content(connection: Connection, run_id: int) -> RunContent | None:
    """What the store holds about ``run_id`` (None when there is no such run)."""
    row = connection.execute(select(runs).where(runs.c.id == run_id)).first()
    if row is None:
        return None
    files = select(run_files).where(run_files.c.run_id == run_id).order_by(run_files.c.role, run_files.c.path)
    results = select(run_results).where(run_results.c.run_id == run_id).order_by(run_results.c.seq)
    warnings = select(run_warnings).where(run_warnings.c.run_id == run_id).order_by(run_warnings.c.seq)
    document = select(run_documents.c.document).where(run_documents.c.run_id == run_id)
    return RunContent(
        run=dict(row._mapping),
        files=[dict(r._mapping) for r in connection.execute(files)],
        results=[dict(r._mapping) for r in connection.execute(results)],
        warnings=[dict(r._mapping) for r in connection.execute(warnings)],
        document=connection.execute(document).scalar_one_or_none(),
    )


def canonical(content: RunContent) -> bytes:
    """The bytes a digest is taken over (see the module docstring)."""
    covered = {
        "format": CHAIN_FORMAT,
        "run": {name: value for name, value in content.run.items() if name != "digest"},
        "files": content.files, "results": content.results, "warnings": content.warnings,
        "document": content.document,
    }
    return json.dumps(covered, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def run_digest(content: RunContent) -> str:
    return "sha256:" + sha256_hex(canonical(content))


def chain_rows(connection: Connection) -> list[dict[str, Any]]:
    """The signed-off runs in chain order. A run counts as signed off when any of
    its sign-off columns says so, so a hand edit of one of them cannot hide it."""
    query = (select(runs.c.id, runs.c.status, runs.c.signoff_seq, runs.c.previous_digest, runs.c.digest,
                    runs.c.signed_by, runs.c.signed_at)
             .where(or_(runs.c.status == SIGNED_OFF, runs.c.signoff_seq.is_not(None), runs.c.digest.is_not(None)))
             .order_by(runs.c.signoff_seq.is_(None), runs.c.signoff_seq, runs.c.id))
    return [dict(row._mapping) for row in connection.execute(query)]


def latest_link(connection: Connection) -> tuple[int, str | None]:
    """The newest place in the chain and its digest: ``(0, None)`` in a store with no sign-off."""
    query = (select(runs.c.signoff_seq, runs.c.digest).where(runs.c.signoff_seq.is_not(None))
             .order_by(runs.c.signoff_seq.desc()).limit(1))
    row = connection.execute(query).first()
    return (0, None) if row is None else (int(row.signoff_seq), row.digest)
