"""Glue used by the CLI and tests: ruleset + data -> evaluation -> document."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kaohe.engine import progress
from kaohe.engine.components import RawTable
from kaohe.engine.data.context import DataContext, reading
from kaohe.engine.data.headers import names_of
from kaohe.engine.data.load import dataset_from_tables, default_spec, load_dataset
from kaohe.engine.data.submission import file_specs
from kaohe.engine.data.tables import Dataset
from kaohe.engine.errors import Diagnostic, KaoheError
from kaohe.engine.evaluation.data_fit import data_warnings
from kaohe.engine.evaluation.pipeline import Evaluation, evaluate, planned_periods
from kaohe.engine.registry import Registry, default_registry
from kaohe.engine.ruleset.load import load_ruleset
from kaohe.engine.ruleset.model import Ruleset
from kaohe.engine.ruleset.project import inside_project, project_root

TABLES = ("subjects", "values", "events", "ratings", "history", "items")  # found by name under --data
FORMATS = ("csv", "xlsx", "xls", "json")


def data_specs(ruleset: Ruleset, data_dir: Path | None) -> tuple[dict[str, Any], Path]:
    """The ruleset's table specs, re-pointed at ``data_dir`` when one is given:
    each declared file is looked up by its name in that folder, and tables
    not declared by their default names (``values.csv`` …)."""
    specs = {table: dict(spec) for table, spec in ruleset.data.items()}
    if data_dir is None:
        return specs, ruleset.base_dir
    if data_dir.is_file():  # a workbook as the data folder, or one department's file (data/submission.py)
        return file_specs(ruleset.data, ruleset.base_dir, data_dir, ruleset.locations)
    for spec in specs.values():
        if "path" in spec:
            spec["path"] = Path(spec["path"]).name
    for table in TABLES:
        if table in specs:
            continue
        for fmt in FORMATS:
            if (data_dir / f"{table}.{fmt}").exists():
                specs[table] = {"source": fmt, "path": f"{table}.{fmt}"}
                break
    if "subjects" not in specs and default_spec("subjects", data_dir) is None:  # said where it was looked for
        looked = f"{data_dir / 'subjects'}.{'|'.join(FORMATS)}"
        raise KaoheError(Diagnostic("E-DATA-FILE", {"file": "subjects.csv", "looked": looked}, file=str(data_dir)))
    return specs, data_dir


def load_data(ruleset: Ruleset, data_dir: Path | None = None, registry: Registry | None = None) -> Dataset:
    registry = registry or default_registry()
    specs, base = data_specs(ruleset, data_dir)
    check_confined(ruleset, specs, base, data_dir)
    with reading(DataContext(ruleset, specs, base, registry)) as context:  # for sources reading the store
        dataset = load_dataset(specs, base, registry, inputs=list(ruleset.inputs),
                               event_fields=list(ruleset.event_fields),
                               history_fields=list(ruleset.declared.history_fields),
                               item_fields=list(ruleset.declared.item_fields), names=names_of(ruleset))
    dataset.warnings.extend(context.warnings)
    dataset.warnings.extend(data_warnings(ruleset, dataset, [p.id for p in planned_periods(ruleset)]))
    dataset.history.since = context.history_since
    return dataset


def check_confined(ruleset: Ruleset, specs: Mapping[str, Mapping[str, Any]], base: Path,
                   data_dir: Path | None) -> None:
    """Data files a ruleset names must exist and lie inside its project (or the ``--data`` folder given)."""
    root = project_root(ruleset.base_dir)
    also = (data_dir,) if data_dir is not None else ()
    problems = []
    for table, spec in specs.items():
        path = spec.get("path")
        if not isinstance(path, str) or table not in ruleset.data:
            continue  # a default table found by its name is inside the folder looked in
        where = ("data", table, "path")
        if not inside_project(base / path, root, also):
            problems.append(ruleset.locations.diagnostic("E-PATH-OUTSIDE", where, file=path, root=str(root)))
        elif not (base / path).exists():  # said here, at the line that names the file
            problems.append(ruleset.locations.diagnostic("E-DATA-FILE", where, file=path,
                                                         looked=str((base / path).absolute())))
    if problems:
        raise KaoheError(problems)


def inline_dataset(ruleset: Ruleset, tables: Mapping[str, list[Mapping[str, Any]]], origin: str) -> Dataset:
    """A dataset from rows written in a test case."""
    raw = {}
    for name, rows in tables.items():
        columns: list[str] = []
        for row in rows:
            columns.extend(k for k in row if k not in columns)
        raw[name] = RawTable(
            columns=columns, rows=[[row.get(c) for c in columns] for row in rows],
            origin=f"{origin}#{name}", row_numbers=list(range(1, len(rows) + 1)),
        )
    dataset = dataset_from_tables(raw, inputs=list(ruleset.inputs), event_fields=list(ruleset.event_fields),
                                  history_fields=list(ruleset.declared.history_fields),
                                  item_fields=list(ruleset.declared.item_fields), names=names_of(ruleset))
    dataset.fixture = True
    return dataset


def run(path: Path | str, data_dir: Path | None = None, period: str | None = None,
        registry: Registry | None = None) -> Evaluation:
    registry = registry or default_registry()
    progress.step("读取方案", "reading the ruleset")
    ruleset = load_ruleset(path, registry)
    progress.step("读取数据", "reading the data")
    dataset = load_data(ruleset, data_dir, registry)
    return evaluate(ruleset, dataset, registry, only=period)


def input_files(evaluation: Evaluation) -> list[Path]:
    """Every file a run read: the ruleset, what it extends, the data tables (``--out`` must not be one)."""
    origins = [origin.partition("#")[0] for origin in evaluation.dataset.origins.values()]
    return [Path(p) for p in (*evaluation.ruleset.source_files, *origins) if p]
