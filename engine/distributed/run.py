"""A partitioned evaluation on a Dask cluster: partitions in parallel, cross-group stages after.

Ranking groups, quotas and group-scoped comparisons lie inside a partition, so
partitions are evaluated independently (``task.evaluate_partition``). The one
declared stage that crosses them, ``across_groups`` places, is decided here from
every partition's holders with the same function a single process uses
(``evaluation.across.decide``). A refusal moves a subject down a grade, which can
change who holds the next grade (or a later period's condition on grades), so the
partitions are evaluated again with the decisions until the decisions they lead
to are the ones they were given: then every partition has been evaluated exactly
as the single process evaluates it. Without ``across_groups`` that is one round;
with it, usually two. The partitions' columns are put in id order and written with
the Parquet exporter's own writer, so the file is the single-process file, byte for byte.

What cannot be split is refused before any work, with where it is written: an
outcome shared across groups (a pool over the whole period), and, while the
partitions run, a cohort function comparing beyond the ranking group or the
partition key, or a ranking group found in two partitions.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from kaohe.engine.distributed.partitions import partition_labels
from kaohe.engine.distributed.task import Decisions, PartitionOutput, Seen, evaluate_partition
from kaohe.engine.errors import Diagnostic, KaoheError
from kaohe.engine.evaluation import across
from kaohe.engine.evaluation.pipeline import planned_periods
from kaohe.engine.registry import Registry
from kaohe.engine.report.arrow import fixed_type, write_columns
from kaohe.engine.report.table import FRONT_IDS
from kaohe.engine.ruleset.model import Ruleset

# runs ``evaluate_partition`` over the partitions (a Dask client's map + gather, or a plain loop)
MapPartitions = Callable[[Callable[..., PartitionOutput], list[tuple[Any, ...]]], list[PartitionOutput]]


@dataclass
class Partitioned:
    column_ids: list[str]
    periods: list[list[Any]]  # each period's columns (Arrow arrays; outcome columns plain), rows in id order
    partitions: int
    rounds: int
    warnings: list[Diagnostic]
    subjects: int


def check_splittable(ruleset: Ruleset, registry: Registry) -> None:
    """Raters and outcomes that read across groups cannot be computed inside one partition."""
    problems = []
    for indicator in ruleset.walk():
        rater = indicator.rater
        component = registry.get("rater", rater.use) if rater is not None else None
        if rater is not None and component is not None and component.reads_across_groups(rater.params):
            problems.append(ruleset.locations.diagnostic("E-PARTITION-RATER", (*rater.path, "use"),
                                                         indicator=indicator.id, use=rater.use))
    for index, spec in enumerate(ruleset.outcomes):
        found = registry.outcome_component(spec.use)
        if found is not None and found[1].reads_across_groups(spec.params):
            problems.append(ruleset.locations.diagnostic("E-PARTITION-OUTCOME", ("outcomes", index, "use"),
                                                         outcome=spec.id, use=spec.use))
    if problems:
        raise KaoheError(problems)


def evaluate_partitioned(ruleset: Ruleset, registry: Registry, data_dir: Path, key: str,
                         map_partitions: MapPartitions) -> Partitioned:
    check_splittable(ruleset, registry)
    labels = partition_labels(data_dir, key)
    decisions: Decisions = {}
    given: dict[str, Decisions] = {}  # what each partition was last evaluated with
    outputs: dict[str, PartitionOutput] = {}
    limit, rounds = _most_rounds(ruleset), 0
    while True:
        rounds += 1
        wanted = {label: _own(decisions, outputs[label].ids) if label in outputs else {} for label in labels}
        # a partition none of whose subjects' decisions changed would give the same columns again
        again = [label for label in labels if label not in outputs or wanted[label] != given[label]]
        tasks = [(ruleset.source_files[0], str(data_dir), key, label, wanted[label]) for label in again]
        for label, output in zip(again, map_partitions(evaluate_partition, tasks), strict=True):
            outputs[label], given[label] = output, wanted[label]
        _check_groups([outputs[label] for label in labels])
        decided = decide_all([seen for label in labels for seen in outputs[label].seen])
        if _refusals(decided) == _refusals(decisions):
            break
        if rounds == limit:
            raise KaoheError(Diagnostic("E-PARTITION-ROUNDS", {"rounds": limit}))
        decisions = decided
    ordered = [outputs[label] for label in labels]
    periods = merge_periods(ordered)
    warnings = [w for output in ordered for w in output.warnings]
    subjects = len(periods[-1][FRONT_IDS.index("id")]) if periods else 0
    return Partitioned(ordered[0].column_ids, periods, len(labels), rounds, warnings, subjects)


def _refusals(decisions: Decisions) -> dict[tuple[str, str], frozenset[str]]:
    """The decisions' refusals alone: places and sizes show only in refused subjects' reasons
    (and are the whole period's from the second round on), so nobody refused means nothing to redo."""
    return {step: refused for step, (refused, _, _) in decisions.items() if refused}


def _own(decisions: Decisions, ids: frozenset[str]) -> Decisions:
    """The decisions as one partition needs them: the steps where one of its own subjects is refused,
    with the places and sizes its reasons show; a step refusing none of them changes nothing in it."""
    own: Decisions = {}
    for step, (refused, places, sizes) in decisions.items():
        if mine := refused & ids:
            own[step] = (mine, places, sizes)
    return own


def _most_rounds(ruleset: Ruleset) -> int:
    """Each round settles at least the next (period, grade) whose places cross groups, plus a round
    that confirms: more would mean the decisions never settle (``E-PARTITION-ROUNDS``)."""
    steps = 0
    for period in planned_periods(ruleset):
        steps += sum(g.across is not None for g in (ruleset.grading.grades_for(period.kind) if ruleset.grading else ()))
    return steps + 2


def _check_groups(outputs: Sequence[PartitionOutput]) -> None:
    where: dict[str, str] = {}
    for output in outputs:
        for group in sorted(output.groups):
            if group in where:
                raise KaoheError(Diagnostic("E-PARTITION-GROUP", {"group": group, "a": where[group],
                                                                  "b": output.label}))
            where[group] = output.label


def decide_all(seen: list[Seen]) -> Decisions:
    """Every (period, grade)'s holders from all partitions, decided at once."""
    by_step: dict[tuple[str, str], list[Seen]] = {}
    for entry in seen:
        by_step.setdefault((entry.holders.period, entry.holders.grade), []).append(entry)
    decisions: Decisions = {}
    for step, entries in sorted(by_step.items()):
        holders = _merged(entries)
        sizes: dict[str, int] = {}
        for entry in entries:
            for label, size in entry.sizes.items():
                sizes[label] = sizes.get(label, 0) + size
        decision = across.decide(entries[0].rule, holders, sizes)
        refused = frozenset(holders.ids[decision.refused].astype(str).tolist())
        decisions[step] = (refused, decision.places, decision.sizes)
    return decisions


def _merged(entries: list[Seen]) -> across.Holders:
    parts = [e.holders for e in entries]
    ids = np.concatenate([p.ids.astype(str) for p in parts])
    order = np.argsort(ids, kind="stable")  # id order, as subjects are kept in one process
    keys = [(np.concatenate([p.keys[k][0] for p in parts])[order], parts[0].keys[k][1])
            for k in range(len(parts[0].keys))]
    scope = np.concatenate([p.scope.astype(str) for p in parts])[order]
    return across.Holders(parts[0].period, parts[0].grade, ids[order], keys, scope)


def merge_periods(outputs: Sequence[PartitionOutput]) -> list[list[Any]]:
    """Each period's columns of all partitions, rows in id order (as one process keeps subjects):
    Arrow arrays concatenated and taken in that order, outcome columns' plain values likewise."""
    import pyarrow as pa

    merged = []
    position = FRONT_IDS.index("id")
    for period in range(len(outputs[0].periods)):
        parts = [output.periods[period] for output in outputs]
        ids = np.array([i for part in parts for i in part[position].to_pylist()], dtype=str)
        order = np.argsort(ids, kind="stable")
        columns: list[Any] = []
        for k, first in enumerate(parts[0]):
            if isinstance(first, list):
                values = [v for part in parts for v in part[k]]
                columns.append([values[i] for i in order.tolist()])
            else:
                columns.append(pa.concat_arrays([part[k] for part in parts]).take(pa.array(order)))
        merged.append(columns)
    return merged


def write_results(partitioned: Partitioned, out: BinaryIO) -> None:
    """The merged columns written by the Parquet exporter's own writer (``report/arrow.py``):
    outcome columns typed by their values over every period, the others by their names."""
    names = partitioned.column_ids
    outcomes = [k for k, name in enumerate(names) if fixed_type(name) is None]
    write_columns(names, partitioned.periods, [[p[k] for k in outcomes] for p in partitioned.periods], out)


def dask_map(scheduler: str | None, workers: int) -> tuple[MapPartitions, Callable[[], None]]:
    """Map over a Dask cluster: the one at ``scheduler`` (``tcp://host:8786``), or a local cluster
    of ``workers`` processes, one thread each (the evaluation is numpy: processes use the cores)."""
    from dask.distributed import Client, LocalCluster

    if scheduler:
        client = Client(scheduler)  # type: ignore[no-untyped-call]
        cluster = None
    else:
        with warnings.catch_warnings():  # the scheduler's own HTTP port taken: it picks another, no news
            warnings.filterwarnings("ignore", message="Port .* is already in use", category=UserWarning)
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None)  # type: ignore[no-untyped-call]
        client = Client(cluster)  # type: ignore[no-untyped-call]

    def run(fn: Callable[..., PartitionOutput], tasks: list[tuple[Any, ...]]) -> list[PartitionOutput]:
        futures = [client.submit(fn, *task, pure=False) for task in tasks]
        results: list[PartitionOutput] = client.gather(futures)  # type: ignore[no-untyped-call]
        return results

    def close() -> None:
        client.close()  # type: ignore[no-untyped-call]
        if cluster is not None:
            cluster.close()

    return run, close


def serial_map(fn: Callable[..., PartitionOutput], tasks: list[tuple[Any, ...]]) -> list[PartitionOutput]:
    """The partitions one after another in this process (tests, and a check without a cluster)."""
    return [fn(*task) for task in tasks]
