"""Problems the engine words itself are in the message's language (engine/language/wording.py,
engine/messages/bilingual.py): Python's and jsonschema's English never reaches a Chinese message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kaohe.engine.errors import Bilingual, Diagnostic
from kaohe.engine.language.expressions import ExpressionError, compile_expression
from kaohe.engine.language.wording import runtime_problem, syntax_problem
from kaohe.engine.ruleset.load import validate_paths

ROOT = Path(__file__).resolve().parent.parent

ENGLISH = re.compile(r"[A-Za-z]{3,}")


def refused(text: str) -> Diagnostic:
    with pytest.raises(ExpressionError) as caught:
        compile_expression(text, {"total": None})
    return Diagnostic(caught.value.code, caught.value.params)


@pytest.mark.parametrize(
    ("text", "zh"),
    [
        ("total +", "写法有误"),
        ("'open", "引号没有闭合"),
        ("total ￥ 1", "含有不能使用的字符 “￥”"),  # ＞ and other slips with a fix: tests/test_slips.py
        ("(total", "括号没有闭合"),
        ("total)", "多了一个 “)”"),
        ("", "是空的"),
        ("[x for x in total]", "推导式"),
        ("total.real()", "方法调用"),
        ("total[0]", "下标"),
        ("f'{total}'", "f 字符串"),
    ],
)
def test_refusals_read_in_chinese_without_english_words(text: str, zh: str) -> None:
    diagnostic = refused(text)
    assert zh in diagnostic.message("zh")
    worded = [v for v in diagnostic.params.values() if isinstance(v, Bilingual)]
    assert worded, "the engine's own wording is a Bilingual parameter"
    for value in worded:
        assert not ENGLISH.findall(value.zh), value
        assert not re.search(r"[\u4e00-\u9fff]", value.en), value
        assert value.en in diagnostic.message("en")


def test_python_wording_is_kept_in_english_and_translated_in_chinese() -> None:
    assert syntax_problem("invalid syntax") == ("写法有误", "invalid syntax")
    assert syntax_problem("something new in Python 3.14").zh == "写法有误"  # never the English text
    assert runtime_problem(ZeroDivisionError("division by zero")).zh == "除数为 0"
    assert runtime_problem(ValueError("operands could not be broadcast together")).zh == "参与计算的几列长度不一致"
    assert "ValueError" in runtime_problem(ValueError("odd")).zh  # unknown: the kind, not the English text


def test_a_size_rule_is_worded_in_both_languages(tmp_path: Path) -> None:
    text = (ROOT / "tests" / "rulesets" / "valid" / "minimal.yaml").read_text(encoding="utf-8")
    ruleset = tmp_path / "r.yaml"
    ruleset.write_text(text.replace("title: 工作实绩", 'title: ""'), encoding="utf-8")
    (tmp_path / "kaohe.toml").write_text("", encoding="utf-8")
    _, problems = validate_paths((ruleset,))
    size = next(p for p in problems if p.code == "E-SCHEMA-SIZE")
    assert (size.line, size.path) == (11, "$.indicators[0].title")
    assert "不能少于 1 个字符" in size.message("zh") and "should be" not in size.message("zh")
    assert "at least 1 character" in size.message("en")
