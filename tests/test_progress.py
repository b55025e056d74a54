"""Progress of a run: the engine names its steps; the terminal bar shows them after a delay, never
when standard error is not a terminal or with --quiet."""

from __future__ import annotations

import io
import time
from pathlib import Path

from click.testing import CliRunner
from rich.console import Console

from kaohe.cli import TerminalProgress, main
from kaohe.engine.evaluation.runner import run
from kaohe.engine.progress import listening, step

ROOT = Path(__file__).resolve().parent.parent
CHENGDU = ROOT / "rulesets" / "chengdu"
EXAMPLE = ROOT / "rulesets" / "example"


class Recorder:
    def __init__(self) -> None:
        self.steps: list[tuple[str, int | None, int | None]] = []

    def step(self, zh: str, en: str, done: int | None = None, total: int | None = None) -> None:
        self.steps.append((zh, done, total))


def test_a_run_names_its_steps_in_order() -> None:
    with listening(Recorder()) as recorder:
        evaluation = run(EXAMPLE)  # (chengdu also evaluates its sections: their steps come first)
    periods = [p.period.id for p in evaluation.periods]
    words = [s[0] for s in recorder.steps]  # type: ignore[attr-defined]
    assert words[:2] == ["读取方案", "读取数据"]
    assert words[2:] == [f"计算 {p}" for p in periods]
    assert [s[1:] for s in recorder.steps[2:]] == [(k, len(periods)) for k in range(len(periods))]  # type: ignore[attr-defined]


def test_nobody_listens_by_default() -> None:
    step("无人接收", "nobody")  # no listener: nothing happens, nothing fails


def test_the_bar_appears_after_its_delay_with_the_steps_words() -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=80)
    with TerminalProgress("zh", console, delay=0.05) as bar:
        bar.step("计算 2025Q1", "evaluating 2025Q1", 0, 5)
        time.sleep(0.5)
    assert "计算 2025Q1" in screen.getvalue()


def test_a_short_run_shows_no_bar() -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=80)
    with TerminalProgress("zh", console, delay=5) as bar:
        bar.step("计算 2025Q1", "evaluating 2025Q1", 0, 5)
    assert "计算" not in screen.getvalue()


def test_no_bar_when_standard_error_is_not_a_terminal(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--lang", "zh", "evaluate", str(CHENGDU), "--format", "csv",
                                       "--out", str(tmp_path / "r.csv")])
    assert result.exit_code == 0
    assert "计算" not in result.stderr and "\x1b[" not in result.stderr
