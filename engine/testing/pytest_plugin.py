"""pytest collects ruleset test cases (``rulesets/*/tests/*.yaml``) as tests.

Enabled by the root ``conftest.py``; each YAML case becomes one test item
named after the case, so ``pytest -k 封顶`` picks cases by mechanism.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from kaohe.engine.errors import KaoheError
from kaohe.engine.testing.cases import is_test_file, load_cases, run_case

if TYPE_CHECKING:  # pytest does not export these names
    from _pytest._code.code import TerminalRepr, TracebackStyle


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if "rulesets" in file_path.parts and is_test_file(file_path):
        return RulesetTestFile.from_parent(parent, path=file_path)
    return None


class RulesetTestFile(pytest.File):
    def collect(self) -> Iterator[RulesetCase]:
        try:
            header, cases = load_cases(self.path)
        except KaoheError as exc:
            raise self.CollectError(exc.format("zh")) from None
        for case in cases:
            yield RulesetCase.from_parent(self, name=case["name"], header=header, case=case)


class RulesetCase(pytest.Item):
    def __init__(self, *, header: dict[str, Any], case: dict[str, Any], **kwargs: Any):
        super().__init__(**kwargs)
        self.header = header
        self.case = case

    def runtest(self) -> None:
        outcome = run_case(self.path, self.header, self.case)
        if not outcome.ok:
            raise RulesetCaseFailed(outcome.failures)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: TracebackStyle | None = None) -> str | TerminalRepr:
        if isinstance(excinfo.value, RulesetCaseFailed):
            return "\n".join(excinfo.value.failures)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"ruleset case: {self.name}"


class RulesetCaseFailed(Exception):
    def __init__(self, failures: Sequence[str]):
        super().__init__("\n".join(failures))
        self.failures = failures
