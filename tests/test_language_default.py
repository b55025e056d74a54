"""The message language without --lang: KAOHE_LANG, then the locale (LC_ALL, LC_MESSAGES, LANG), else Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kaohe.cli import default_lang, main

VARIABLES = ("KAOHE_LANG", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No language variable set; each test sets its own."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize(("settings", "expected"), [
    ({}, "zh"),  # nothing set: the people kaohe is written for read Chinese
    ({"LANG": "C.UTF-8"}, "zh"),  # a server's default says no language
    ({"LANG": "C"}, "zh"),
    ({"LC_ALL": "POSIX"}, "zh"),
    ({"LANG": ""}, "zh"),
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LANG": "zh_TW.UTF-8"}, "zh"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "de_DE.UTF-8"}, "en"),  # a language kaohe does not speak: English
    ({"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "en_GB.UTF-8"}, "en"),  # LC_MESSAGES before LANG
    ({"LC_MESSAGES": "zh_CN.UTF-8", "LC_ALL": "en_US.UTF-8"}, "en"),  # LC_ALL before both
    ({"LC_ALL": "C.UTF-8", "LANG": "en_US.UTF-8"}, "en"),  # C is no language: LANG decides
    ({"LC_ALL": "C.UTF-8", "LC_MESSAGES": "zh_CN.GB18030"}, "zh"),
    ({"KAOHE_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en"),  # KAOHE_LANG wins over the locale
    ({"KAOHE_LANG": "zh", "LC_ALL": "en_US.UTF-8"}, "zh"),
    ({"KAOHE_LANG": "EN"}, "en"),
    ({"KAOHE_LANG": "fr", "LANG": "en_US.UTF-8"}, "en"),  # a value that is neither: the locale decides
    ({"KAOHE_LANG": "fr"}, "zh"),
])
def test_default_language(env: pytest.MonkeyPatch, settings: dict[str, str], expected: str) -> None:
    for name, value in settings.items():
        env.setenv(name, value)
    assert default_lang() == expected


def validate_output(tmp_path: Path, args: list[str], environment: dict[str, str | None]) -> str:
    (tmp_path / "kaohe.toml").write_text("", encoding="utf-8")
    bad = tmp_path / "r.yaml"
    bad.write_text("kaohe: 1\nid: x\n", encoding="utf-8")
    result = CliRunner().invoke(main, [*args, "validate", str(bad)], env=environment)
    assert result.exit_code == 1
    return result.stderr


NO_LANGUAGE: dict[str, str | None] = {name: None for name in VARIABLES}


def test_a_server_with_lang_c_utf8_reports_in_chinese(tmp_path: Path) -> None:
    shown = validate_output(tmp_path, [], {**NO_LANGUAGE, "LANG": "C.UTF-8"})
    assert "缺少必填项" in shown and "个问题" in shown and "missing" not in shown


def test_an_english_locale_reports_in_english(tmp_path: Path) -> None:
    shown = validate_output(tmp_path, [], {**NO_LANGUAGE, "LANG": "en_US.UTF-8"})
    assert "problem(s)" in shown and "缺少" not in shown


def test_kaohe_lang_wins_over_the_locale_and_lang_option_wins_over_both(tmp_path: Path) -> None:
    assert "problem(s)" in validate_output(tmp_path, [], {**NO_LANGUAGE, "KAOHE_LANG": "en", "LANG": "zh_CN.UTF-8"})
    shown = validate_output(tmp_path, ["--lang", "zh"], {**NO_LANGUAGE, "KAOHE_LANG": "en", "LC_ALL": "en_US.UTF-8"})
    assert "个问题" in shown
    shown = validate_output(tmp_path, ["--lang", "en"], {**NO_LANGUAGE, "KAOHE_LANG": "zh"})
    assert "problem(s)" in shown
