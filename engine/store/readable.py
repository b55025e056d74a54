"""What a ruleset may read from stored results, by name: the vocabulary of the ``store`` and
``results`` data sources' parameters. Kept apart from the readers, which import SQLAlchemy, so that
registering the sources (every run does) costs nothing."""

from __future__ import annotations

STORED = ("grade", "total", "rank")
"""Year results a history field can come from (``history: {source: store, fields: …}``)."""

TAKEN = ("total", "grade", "rank", "name")
"""Another ruleset's result columns a ``results`` table can take."""

MERGE_CHOICES = ("better", "worse")
"""Which result a merged subject keeps when two old subjects have one in the same year."""
