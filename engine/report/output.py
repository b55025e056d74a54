"""One evaluation as exporters read it: flat columns period by period, the document streamed, or whole.

An exporter asks for what it needs: CSV the columns (``kaohe.engine.report.table``),
JSON the document as a stream (``kaohe.engine.report.stream_json``), a plugin
written against the document the document itself — built once, on first use.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kaohe.engine.data.tables import paused_gc
from kaohe.engine.evaluation.pipeline import Evaluation
from kaohe.engine.report import table
from kaohe.engine.report.results import build_document, document_stream, with_record_lines


class Results:
    def __init__(self, evaluation: Evaluation, document: dict[str, Any] | None = None):
        self.evaluation = evaluation
        self._document = document

    def document(self) -> dict[str, Any]:
        """The whole results document (schemas/results.schema.json), built once."""
        if self._document is None:
            self._document = build_document(self.evaluation)
        return self._document

    @property
    def has_document(self) -> bool:
        """Whether the whole document is built already (an exporter may then read it rather than
        the columns)."""
        return self._document is not None

    def document_stream(self) -> dict[str, Any]:
        """The document with each period's subjects as ``stream_json.Records`` (encoded as a template
        and columns when written, never held as records); the whole
        document when it was built already."""
        if self._document is not None:
            return with_record_lines(self._document)
        return document_stream(self.evaluation)

    def header(self) -> list[str]:
        """Titles of the flat table's columns (one row per subject per period)."""
        return table.header(self.evaluation)

    def column_ids(self) -> list[str]:
        """Machine names of the same columns (``score.<id>``, ``outcome.<id>`` …)."""
        return table.header_ids(self.evaluation)

    def outcome_columns(self) -> list[list[list[Any]]]:
        """Each period's outcome columns alone, plain values (``table.outcome_columns``)."""
        return table.outcome_columns(self.evaluation)

    def period_columns(self) -> Iterator[table.Columns]:
        with paused_gc():  # many small lists: the cyclic collector would rescan them
            yield from table.period_columns(self.evaluation)
