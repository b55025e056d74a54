"""One partition evaluated: the work a Dask task does on a worker.

A task gets only names and plain values (the ruleset's path, the data folder,
the partition, the across-group decisions so far), reads its partition's Parquet
files, runs the ordinary single-process pipeline on them, and returns its results
table as plain columns together with what the driver needs to decide the stages
that cross partitions: the holders of every ``across_groups`` grade and the size
of each scope (``kaohe.engine.evaluation.across``), and its ranking groups.
Cohort functions may compare only within the ranking group or the partition key
(``comparing_within``): a partition does not hold the rest of the period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kaohe.engine.data.context import DataContext, reading
from kaohe.engine.data.headers import names_of
from kaohe.engine.data.load import load_dataset
from kaohe.engine.distributed.partitions import partition_specs
from kaohe.engine.errors import Diagnostic
from kaohe.engine.evaluation import across
from kaohe.engine.evaluation.pipeline import evaluate
from kaohe.engine.language.cohort import comparing_within
from kaohe.engine.registry import default_registry
from kaohe.engine.report.arrow import column_array, fixed_type
from kaohe.engine.report.output import Results
from kaohe.engine.report.table import FRONT_IDS, cells
from kaohe.engine.ruleset.load import load_ruleset
from kaohe.engine.ruleset.model import AcrossQuota

# (period, grade) -> the driver's decision for all partitions: refused ids, places and sizes per scope
Decisions = dict[tuple[str, str], tuple[frozenset[str], dict[str, int], dict[str, int]]]


@dataclass
class Seen:
    """An ``across_groups`` grade's holders and scope sizes in one partition."""

    holders: across.Holders
    sizes: dict[str, int]
    rule: AcrossQuota


@dataclass
class PartitionOutput:
    label: str
    column_ids: list[str]
    periods: list[list[Any]]  # each period's columns: Arrow arrays, outcome columns as plain values
    groups: set[str]
    ids: frozenset[str] = frozenset()  # the partition's subjects
    seen: list[Seen] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)


class Recorder:
    """The decider inside a partition: records what it is asked, answers with the driver's decision
    (nobody refused before there is one, and this partition's own counts)."""

    def __init__(self, decisions: Decisions):
        self.decisions = decisions
        self.seen: list[Seen] = []

    def __call__(self, rule: AcrossQuota, holders: across.Holders, sizes: dict[str, int]) -> across.Decision:
        self.seen.append(Seen(holders, sizes, rule))
        known = self.decisions.get((holders.period, holders.grade))
        if known is None:
            return across.Decision(np.zeros(len(holders.ids), dtype=bool), across.decide(rule, holders, sizes).places,
                                   dict(sizes))
        refused, places, all_sizes = known
        return across.Decision(np.isin(holders.ids.astype(str), sorted(refused)), places, all_sizes)


def evaluate_partition(ruleset_path: str, data_dir: str, key: str, label: str,
                       decisions: Decisions) -> PartitionOutput:
    registry = default_registry()
    ruleset = load_ruleset(ruleset_path, registry)
    folder = Path(data_dir)
    specs = partition_specs(folder, key, label)
    with reading(DataContext(ruleset, specs, folder, registry)):
        dataset = load_dataset(specs, folder, registry, inputs=list(ruleset.inputs),
                               event_fields=list(ruleset.event_fields),
                               history_fields=list(ruleset.declared.history_fields),
                               item_fields=list(ruleset.declared.item_fields), names=names_of(ruleset))
    recorder = Recorder(decisions)
    with across.deciding(recorder), comparing_within(frozenset({"group", key})):
        evaluation = evaluate(ruleset, dataset, registry)
    results = Results(evaluation)
    names, periods, groups = results.column_ids(), [], set[str]()
    kinds = [fixed_type(name) for name in names]
    for columns in results.period_columns():
        groups.update(str(g) for g in columns[FRONT_IDS.index("group")])
        # typed here as the single process types them (engine/report/arrow): compact to send and merge
        periods.append([cells(column) if kind is None else column_array(column, kind)
                        for column, kind in zip(columns, kinds, strict=True)])
    ids = frozenset(str(i) for i in evaluation.dataset.subjects.ids.tolist())
    return PartitionOutput(label, names, periods, groups, ids, recorder.seen, evaluation.warnings)
