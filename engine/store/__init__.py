"""The results store: every evaluation an office records, kept and read back.

``kaohe evaluate RULESET --store URL`` (or ``store = "…"`` in the project's
``kaohe.toml``) records a run: the ruleset, data and engine digests, who ran
it and when, the full results document and one row per subject and period.
The store is any database SQLAlchemy 2 Core reaches (a SQLite file by
default, PostgreSQL for an office with a server); its schema is versioned by
the Alembic migrations in ``migrations/`` and brought up to date on open.
Recorded runs are never updated; a later sign-off only sets their status and
hash-chain digest.

``url``      a store named by a path or an SQLAlchemy URL, password masked
``config``   the ``store`` setting of ``kaohe.toml``
``schema``   the tables (SQLAlchemy Core), the one description queries use
``migrate``  the Alembic environment run on open; newer or foreign stores refused
``database`` opening a store: connect, check, migrate
``record``   what a run is: digests, who and when, rows, warnings (plain data)
``write``    recording a run in one transaction
``read``     listing runs and reading one back
``show``     runs and a run's summary as text or JSON
``appeal*``  appeals (复核) against signed-off runs: lodging, the why, the changes, reading, reports
"""
