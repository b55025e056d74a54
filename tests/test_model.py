"""The compiled model: every expression compiled once, closed word sets typed
as Literals that match the schema, the tree walked once."""

from __future__ import annotations

import json
import typing
from pathlib import Path

import pytest

from kaohe.engine.evaluation.pipeline import evaluate
from kaohe.engine.evaluation.runner import load_data
from kaohe.engine.registry import default_registry
from kaohe.engine.report.results import build_document
from kaohe.engine.ruleset import model
from kaohe.engine.ruleset.load import load_ruleset

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "schemas" / "ruleset.schema.json").read_text("utf-8"))

# Literal alias -> where its words are the schema's enum
LITERALS = {
    "Rounding": "properties/precision/properties/rounding",
    "SubjectKind": "properties/subjects/properties/kind",
    "PeriodKind": "properties/periods/properties/cycle",
    "Combine": "properties/periods/properties/year/properties/from_periods",
    "Per": "$defs/adjustment/properties/per",
    "QuotaRounding": "properties/grading/properties/grades/items/properties/quota/properties/rounding",
    "IndicatorCycle": "$defs/indicator/properties/cycle",
    "OutsideEffective": "$defs/indicator/properties/outside_effective",
    "Missing": "$defs/indicator/properties/missing",
    "How": "properties/inputs/additionalProperties/properties/from_events/properties/how",
}


def at(pointer: str) -> dict:
    node = SCHEMA
    for part in pointer.split("/"):
        node = node[part]
    return node


@pytest.mark.parametrize("alias", sorted(LITERALS))
def test_literal_words_are_the_schema_enum(alias: str) -> None:
    words = set(typing.get_args(getattr(model, alias)))
    assert words == set(at(LITERALS[alias])["enum"])


def test_vetoes_share_the_per_words() -> None:
    assert set(typing.get_args(model.Per)) == set(at("properties/vetoes/items/properties/per")["enum"])


JURISDICTIONS = ["chengdu/2025.yaml", "loudi/2025.yaml", "yangquan-hitech/2022.yaml", "p-town/persons/2025.yaml",
                 "shaoyang/2025.yaml", "example/2025.yaml"]


@pytest.mark.parametrize("name", JURISDICTIONS)
def test_each_expression_is_compiled_once_at_load_and_never_while_evaluating(name: str) -> None:
    ruleset = load_ruleset(ROOT / "rulesets" / name)
    table = ruleset.expressions
    assert table.compilations == len(table) > 0  # the builder reused what the checker compiled
    at_load = table.compilations
    evaluation = evaluate(ruleset, load_data(ruleset), default_registry())
    build_document(evaluation)
    assert table.compilations == at_load, "a stage compiled an expression at run time"


def test_the_tree_is_walked_once_into_the_model() -> None:
    ruleset = load_ruleset(ROOT / "rulesets" / "chengdu" / "2025.yaml")
    assert ruleset.walk() is ruleset.all_indicators
    assert [i.id for i in ruleset.all_indicators[:2]] == [ruleset.indicators[0].id, ruleset.indicators[0].children[0].id
                                                          if ruleset.indicators[0].children else ruleset.indicators[1].id]
    assert set(ruleset.by_id) == {i.id for i in ruleset.all_indicators}
