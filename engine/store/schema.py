"""The store's tables, in SQLAlchemy Core: the one description every query uses.

The migrations in ``migrations/versions/`` create these tables; they are
written out there rather than imported from here, so an old migration keeps
meaning what it meant when this module changes (``tests/test_store.py``
checks that upgrading to the newest revision gives exactly these tables).

Types are portable ones only (Integer, String, Text, Boolean), so the same
schema works on SQLite and PostgreSQL. Times are ISO text in UTC
(``2025-01-31T08:00:00Z``) and totals are the results document's own text
(``92.35``), so nothing a dialect does to floats or time zones changes them.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

DIGEST = String(80)  # "sha256:" + 64 hex digits

#: One recorded evaluation. Never updated, except once by its sign-off
#: (``signoff.py``): ``status``, who and when, its place in the hash chain
#: (``signoff_seq``, migration 0002) and the chain digests.
runs = Table(
    "runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("recorded_at", String(32), nullable=False),
    Column("recorded_by", String(200), nullable=False),
    Column("ruleset_id", String(200), nullable=False),
    Column("ruleset_title", Text, nullable=False),
    Column("ruleset_year", Integer, nullable=False),
    Column("jurisdiction", Text, nullable=False),  # the ruleset's folder, relative to the project root
    Column("ruleset_path", Text, nullable=False),
    Column("ruleset_digest", DIGEST, nullable=False),
    Column("data_digest", DIGEST, nullable=False),
    Column("engine_version", String(40), nullable=False),
    Column("results_digest", DIGEST, nullable=False),
    Column("period_filter", String(40), nullable=True),
    Column("subjects_count", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("previous_digest", DIGEST, nullable=True),
    Column("digest", DIGEST, nullable=True),
    Column("signed_by", String(200), nullable=True),
    Column("signed_at", String(32), nullable=True),
    Column("signoff_seq", Integer, nullable=True),  # 1, 2, 3 … over the whole store: the chain's order
    Index("ux_runs_signoff_seq", "signoff_seq", unique=True),
)

#: The full results document, byte for byte what ``--format json`` writes.
run_documents = Table(
    "run_documents", metadata,
    Column("run_id", Integer, ForeignKey("runs.id"), primary_key=True),
    Column("document", Text, nullable=False),
)

#: Every file the run read: the ruleset and what it extends, and the data tables.
run_files = Table(
    "run_files", metadata,
    Column("run_id", Integer, ForeignKey("runs.id"), primary_key=True),
    Column("role", String(20), primary_key=True),  # "ruleset" or "data"
    Column("path", Text, primary_key=True),  # relative to the project root, forward slashes
    Column("sha256", String(64), nullable=False),
)

#: One row per subject and period, in the document's order (``seq``).
run_results = Table(
    "run_results", metadata,
    Column("run_id", Integer, ForeignKey("runs.id"), primary_key=True),
    Column("period", String(40), primary_key=True),
    Column("subject_id", String(200), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("period_kind", String(20), nullable=False),
    Column("subject_name", Text, nullable=True),
    Column("unit", Text, nullable=True),
    Column("subject_class", String(200), nullable=True),
    Column("rank_group", Text, nullable=True),
    Column("total", String(60), nullable=True),  # the document's number as text: exact
    Column("rank", Integer, nullable=True),
    Column("grade", Text, nullable=True),
    Column("vetoed", Boolean, nullable=False),
    Column("excluded", Boolean, nullable=False),
    Index("ix_run_results_subject", "subject_id", "period"),
)

#: The evaluation's warnings (W-…), as the results document lists them.
run_warnings = Table(
    "run_warnings", metadata,
    Column("run_id", Integer, ForeignKey("runs.id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("period", String(40), nullable=False),
    Column("code", String(60), nullable=False),
    Column("file", Text, nullable=True),
    Column("line_no", Integer, nullable=True),
    Column("column_no", Integer, nullable=True),
    Column("json_path", Text, nullable=True),
    Column("message_zh", Text, nullable=False),
    Column("message_en", Text, nullable=False),
    Column("subjects", Text, nullable=False),  # JSON list of subject ids
)
