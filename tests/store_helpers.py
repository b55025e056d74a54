"""What the results-store tests share: fixed time and user (so runs are reproducible), the command
line without tracebacks, and a tiny ruleset whose evaluation warns (one subject's data is missing)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kaohe.cli import main

EPOCH = "1735689600"  # 2025-01-01T00:00:00Z


@pytest.fixture
def reproducible(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every run recorded at EPOCH by the same user; a module uses it with
    ``pytestmark = pytest.mark.usefixtures("reproducible")``."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setenv("KAOHE_USER", "考核办 tester")


def invoke(*args: str, lang: str = "en") -> Result:
    result = CliRunner().invoke(main, ["--lang", lang, *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    return result


def warning_ruleset(folder: Path) -> Path:
    """U2 has no actual value: W-MISSING-DEFAULT-ZERO, so the run records a warning."""
    folder.mkdir()
    (folder / "subjects.csv").write_text("id,name\nU1,一\nU2,二\n", encoding="utf-8")
    (folder / "values.csv").write_text("subject,period,a,t\nU1,2025,30,10\nU2,2025,,10\n", encoding="utf-8")
    ruleset = folder / "ruleset.yaml"
    ruleset.write_text(
        "kaohe: 1\nid: warn\ntitle: 提醒\nyear: 2025\nsubjects: {kind: unit}\n"
        "inputs: {a: {title: 实际}, t: {title: 目标}}\nperiods: {cycle: year}\n"
        "indicators:\n  - {id: x, title: 完成率, points: 100, rater: {use: attainment, actual: a, target: t, cap: 1.2}}\n"
        "data:\n  subjects: {source: csv, path: subjects.csv}\n  values: {source: csv, path: values.csv}\n",
        encoding="utf-8")
    return ruleset
