"""Inputs a leaf indicator reads that the data never supplies.

A column left out of a department's sheet, or a values file for the wrong
year, would otherwise score every subject 0 on the indicators reading it.
When the indicator has not declared what missing data means, that is an
error before anything is scored; with ``missing:`` written, the office has
decided and each subject's missing value follows it. A test case's inline
rows are a fixture holding only the inputs the case is about, so there an
absent input follows the missing policy (and warns, W-MISSING-DEFAULT-ZERO).
"""

from __future__ import annotations

from kaohe.engine.data.tables import Dataset
from kaohe.engine.errors import Diagnostic, KaoheError
from kaohe.engine.registry import Registry
from kaohe.engine.ruleset.model import Indicator, Ruleset


def check_inputs_present(ruleset: Ruleset, dataset: Dataset, registry: Registry) -> None:
    if dataset.fixture:
        return
    supplied = set(dataset.values.inputs())  # from the (period, input) index the reader built: no sort of names
    supplied |= {spec.name for spec in ruleset.derived}
    problems = [
        _absent(ruleset, dataset, indicator, name)
        for indicator in ruleset.walk() if indicator.rater is not None and not indicator.missing_declared
        for name in leaf_inputs(ruleset, registry, indicator) if name not in supplied
    ]
    if problems:
        raise KaoheError(problems)


def leaf_inputs(ruleset: Ruleset, registry: Registry, indicator: Indicator) -> list[str]:
    """Declared value inputs a leaf's rater reads, by name or in its expressions, in order."""
    assert indicator.rater is not None
    rater = registry.rater(indicator.rater.use)
    params = indicator.rater.params
    names = list(rater.inputs(params))
    for text in rater.expressions(params).values():
        names += ruleset.expressions.compile(text, ruleset.scopes.indicator).names
    return [n for n in dict.fromkeys(names) if n in ruleset.inputs]


def _absent(ruleset: Ruleset, dataset: Dataset, indicator: Indicator, name: str) -> Diagnostic:
    assert indicator.rater is not None
    return ruleset.locations.diagnostic(
        "E-DATA-INPUT-ABSENT", indicator.rater.path, input=name, indicator=indicator.id,
        table=dataset.origins.get("values", "values"),
    )
