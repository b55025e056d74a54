"""Which ruleset's tables are being read: what a data source may need beyond its own parameters.

``DataSource.read(params, base_dir)`` sees only its table's spec. A source
that reads from the ruleset's own past (``history: {source: store}``) or from
another ruleset's results (``source: results``) also needs the ruleset (its
year, folder, declared fields and where its specs are written), the other
tables' specs as actually used (``--data`` re-points them) and the registry.
``kaohe.engine.evaluation.runner.load_data`` sets them here for the length
of one load; such a source reads ``current()``.

Sources also leave here what is not a table: warnings (a year missing from
the store) that the evaluation reports with its own, and the first year of a
history window (``history_since``), so a missing first year is still a gap.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kaohe.engine.data.headers import names_of
from kaohe.engine.data.load import default_spec, read_table
from kaohe.engine.data.tables import cell_text
from kaohe.engine.errors import Diagnostic
from kaohe.engine.registry import Registry
from kaohe.engine.ruleset.model import Ruleset


@dataclass
class DataContext:
    ruleset: Ruleset
    specs: Mapping[str, Mapping[str, Any]]  # every table's spec as read (after --data)
    base: Path  # the folder the specs' paths are relative to
    registry: Registry
    warnings: list[Diagnostic] = field(default_factory=list)
    history_since: int | None = None  # first year of the history window a source was asked for

    def table_of(self, params: Mapping[str, Any]) -> str | None:
        """The table whose spec carries ``params`` (a source is given its spec without ``source``)."""
        for table, spec in self.specs.items():
            if {k: v for k, v in spec.items() if k != "source"} == dict(params):
                return table
        return None

    def subject_column(self, column: str) -> list[tuple[str, str]] | None:
        """(id, ``column``) of each row of this ruleset's subjects table as written (None when the
        table has no such column), for a source that joins rows to the subjects by a key."""
        spec = self.specs.get("subjects") or default_spec("subjects", self.base)
        if spec is None:
            return []  # the missing subjects table is reported by the load itself
        table = read_table("subjects", spec, self.base, self.registry)
        columns = names_of(self.ruleset).columns("subjects")  # headers by id, title or alias, as the load reads them
        names = [columns.match(cell_text(c)).id for c in table.columns]
        if "id" not in names or column not in names:
            return None
        i, k = names.index("id"), names.index(column)
        return [(cell_text(row[i]).strip(), cell_text(row[k]).strip()) for row in table.rows
                if max(i, k) < len(row)]

    def diagnostic(self, code: str, params: Mapping[str, Any], at: str | None = None,
                   **values: Any) -> Diagnostic:
        """``code`` located at the ruleset line of the table carrying ``params`` (at its key ``at``)."""
        table = self.table_of(params)
        path: tuple[str, ...] = ("data",)
        if table is not None:
            path = ("data", table, at) if at is not None and at in params else ("data", table)
        return self.ruleset.locations.diagnostic(code, path, **values)


_CURRENT: ContextVar[DataContext | None] = ContextVar("kaohe_data_context", default=None)


def current() -> DataContext | None:
    """The ruleset whose tables are being read, or None outside ``load_data`` (a plugin's own tests)."""
    return _CURRENT.get()


@contextmanager
def reading(context: DataContext) -> Iterator[DataContext]:
    token = _CURRENT.set(context)
    try:
        yield context
    finally:
        _CURRENT.reset(token)
