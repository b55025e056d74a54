"""The message catalogues: both languages, matching placeholders, documented codes."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from kaohe.engine.messages import MESSAGES, render

DOCS = (Path(__file__).resolve().parent.parent / "docs" / "ruleset-format.md").read_text(encoding="utf-8")


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_code_has_chinese_and_english_text(code: str):
    zh, en = MESSAGES[code]
    assert re.search(r"[\u4e00-\u9fff]", zh), code
    assert en and not re.search(r"[\u4e00-\u9fff]{3}", en.replace("“", "")), code
    assert re.fullmatch(r"[EW]-[A-Z0-9-]+", code)  # E- errors, W- warnings


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_code_is_listed_in_the_ruleset_format_docs(code: str):
    assert code in DOCS, f"{code} missing from docs/ruleset-format.md"


def test_suggest_appends_a_localised_hint():
    params = {"key": "wieght", "allowed": "weight", "suggest": "weight"}
    assert render("E-SCHEMA-UNKNOWN-KEY", "zh", params).endswith("（是否想写 “weight”？）")
    assert render("E-SCHEMA-UNKNOWN-KEY", "en", params).endswith("(did you mean 'weight'?)")


def test_missing_parameters_do_not_crash_rendering():
    assert "{key}" in render("E-SCHEMA-REQUIRED", "en", {})


def test_a_parameter_with_line_breaks_keeps_the_message_on_one_line():
    """A CSV quote left open takes the next lines into one cell; the message naming it stays one line,
    which is how a reader (and check-jsonschema-style tooling) splits messages."""
    from kaohe.engine.errors import Diagnostic

    shown = Diagnostic("E-DATA-UNKNOWN-SUBJECT", {"subject": "A1\nB2,3\r\nC"}, file="v.csv", line=2).format("zh")
    assert "\n" not in shown and "\r" not in shown and "A1↵B2,3↵C" in shown
