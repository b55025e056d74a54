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

#: An appeal (复核) against a signed-off run (migration 0003): who lodged it and why, the
#: corrected data it was evaluated on, the new results document. Only ever inserted; ``digest``
#: is sha256 over the appeal, its files and its changes (``appeal_record.py``), and ``run_digest``
#: the signed-off run's digest at the time, so the appeal names the very result it contests.
appeals = Table(
    "appeals", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
    Column("appealed_at", String(32), nullable=False),
    Column("appealed_by", String(200), nullable=False),
    Column("reason", Text, nullable=True),
    Column("run_digest", DIGEST, nullable=False),
    Column("data_path", Text, nullable=False),  # the corrected folder, relative to the project root
    Column("data_digest", DIGEST, nullable=False),  # as runs.data_digest: "path sha256" lines
    Column("engine_version", String(40), nullable=False),
    Column("results_digest", DIGEST, nullable=False),
    Column("document", Text, nullable=False),  # the new results document, as --format json writes it
    Column("changes_count", Integer, nullable=False),
    Column("digest", DIGEST, nullable=False),
    Index("ix_appeals_run", "run_id"),
)

#: The corrected data files an appeal read, each with its sha256.
appeal_files = Table(
    "appeal_files", metadata,
    Column("appeal_id", Integer, ForeignKey("appeals.id"), primary_key=True),
    Column("path", Text, primary_key=True),
    Column("sha256", String(64), nullable=False),
)

#: One row per subject and period whose total, rank, grade or money changed, old and new;
#: ``money`` is JSON {outcome id: {"old": "…", "new": "…"}} of the changed amounts, ``inputs``
#: the JSON list of input values that differ between the recorded and the corrected data (the why).
appeal_changes = Table(
    "appeal_changes", metadata,
    Column("appeal_id", Integer, ForeignKey("appeals.id"), primary_key=True),
    Column("period", String(40), primary_key=True),
    Column("subject_id", String(200), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("subject_name", Text, nullable=True),
    Column("old_total", String(60), nullable=True),
    Column("new_total", String(60), nullable=True),
    Column("old_rank", Integer, nullable=True),
    Column("new_rank", Integer, nullable=True),
    Column("old_grade", Text, nullable=True),
    Column("new_grade", Text, nullable=True),
    Column("money", Text, nullable=False),
    Column("inputs", Text, nullable=False),
)
