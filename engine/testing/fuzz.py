"""Seeded fuzzing of the command line with broken rulesets.

Each trial takes a shipped ruleset, changes one node into something a user
might write by mistake or an attacker on purpose (a wrong type, a huge
number, a broken or hostile expression, a deleted key, a duplicated id) or,
in a quarter of the trials, breaks its text (a tab, a lost colon, an open
quote, a stray space, a repeated line, an alias or tag, a byte-order mark),
runs ``validate`` and ``evaluate`` in-process and classifies what came out:

- ``internal``: E-INTERNAL, i.e. a Python error reached the user;
- ``unlocated``: a diagnostic about a ruleset with no line, or no file;
- ``slow``: over the time limit (the trial is stopped with SIGALRM);
- ``mismatch``: a message mixing languages (engine/testing/languages.py);
- ``nojson``: ``validate --format json`` printed something that is not JSON;
- ``escaped``: an expression attack left its trace (engine/testing/attacks.py);
- ``ok``: a clean success or located, coded diagnostics.

The same seed gives the same trials, so a finding can be replayed.
With ``data=True`` every other trial breaks one data file instead (a bad
cell, a dropped column, extra cells, GBK, a truncated or garbage file, a
renamed header) and runs ``evaluate``. ``attack`` runs every known
expression attack in every kind of expression slot. ``tests/test_fuzz.py``
runs a few dozen trials of each in CI; ``benchmarks/fuzz.py`` runs
thousands on demand.
"""

from __future__ import annotations

import copy
import json
import os
import random
import re
import shutil
import signal
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from kaohe.engine import SCHEMA_DIR
from kaohe.engine.data.columns import standard
from kaohe.engine.registry import default_registry
from kaohe.engine.testing.attacks import ATTACKS, CANARY, Slot, set_at, slots
from kaohe.engine.testing.languages import format_words, mismatch, recorded_diagnostics

BAD_VALUES: list[Any] = [
    None, "", "x", -1, 0, 10**30, 1e308, float("nan"), True, [], {}, [1, 2], {"a": 1}, "四十",
    "'*' * 10**9", "'%999999999s' % 'x'", "__import__('os').system('true')", "score.nope > 1", "x.__class__",
    "(1, 2)", "10 ** 400", "1/0", "[[[[[[[[[[1]]]]]]]]]]", "=cmd|' /C calc'!A0", "a\tb", "‘x’ ＝ 1",
    "2025-13-45", "../../../../etc/passwd", "/etc/passwd",
]
BAD_CELLS = ["", "abc", "1,200万", "97%", "nan", "inf", "-inf", "1e400", "2025-02-30", "2025Q5", "９９",
             "١٢", "1_0", "是否", "x" * 100_000, "=cmd|' /C calc'!A0", '"', "\x00", "\ufeff"]
LOCATION = re.compile(r"^(?P<file>[^:<]+):(?P<line>\d+)")
CODE = re.compile(r"\((?P<code>[EW]-[A-Z0-9-]+)\)$")


OUTCOMES = ("ok", "internal", "unlocated", "slow", "mismatch", "nojson", "escaped")


@dataclass
class Trial:
    seed: int
    path: str  # the mutated node, as a JSON path
    change: str
    outcome: str
    detail: str = ""


@dataclass
class Report:
    trials: list[Trial] = field(default_factory=list)

    def counts(self) -> Counter[str]:
        return Counter(t.outcome for t in self.trials)

    def findings(self) -> list[Trial]:
        return [t for t in self.trials if t.outcome != "ok"]


def nodes(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    yield path, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from nodes(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from nodes(value, (*path, i))


def mutate(data: dict[str, Any], rng: random.Random) -> tuple[dict[str, Any], str, str]:
    """One changed copy of ``data``, the JSON path changed and how."""
    changed = copy.deepcopy(data)
    candidates = [p for p, _ in nodes(changed) if p]
    path = rng.choice(candidates)
    parent: Any = changed
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    how = rng.random()
    if how < 0.15 and isinstance(parent, dict):
        del parent[last]
        change = "deleted"
    elif how < 0.25 and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[last]))  # a duplicate (same id) at the end
        change = "duplicated"
    else:
        value = rng.choice(BAD_VALUES)
        parent[last] = copy.deepcopy(value)
        change = f"= {value!r}"[:60]
    return changed, "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path), change


class TrialTimeout(BaseException):
    """The time limit of a trial: a BaseException, so the command line's own handler of unexpected
    errors (which turns them into E-INTERNAL) lets it through and the trial counts as slow."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def stop(signum: int, frame: Any) -> None:
        raise TrialTimeout

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def classify(output: str) -> tuple[str, str]:
    lines = [line for line in output.splitlines() if CODE.search(line)]
    for line in lines:
        if "(E-INTERNAL)" in line:
            return "internal", line[:300]
    for line in lines:
        located = LOCATION.match(line)
        if located is None and "(E-DATA-MORE)" not in line:  # a count of listed problems has no one place
            return "unlocated", line[:300]
    return "ok", ""


def classify_json(stdout: str) -> tuple[str, str]:
    """``validate --format json`` output: one JSON document whose problems are all located."""
    try:
        problems = json.loads(stdout)["problems"]
    except (ValueError, KeyError, TypeError):
        return "nojson", stdout[:300]
    for problem in problems:
        if problem["code"] == "E-INTERNAL":
            return "internal", problem["message"][:300]
    for problem in problems:
        if (problem["file"] is None or problem["line"] is None) and problem["code"] != "E-DATA-MORE":
            return "unlocated", f"{problem['code']}: {problem['message'][:300]}"
    return "ok", ""


def read_sources(folder: Path) -> str:
    """Everything a run in ``folder`` may quote (rulesets, bases, data), lower-cased."""
    files = [*folder.glob("*.yaml"), *folder.parent.glob("*.yaml"), *(folder / "data").glob("*.csv")]
    return "\n".join(f.read_bytes().decode("utf-8", errors="replace") for f in sorted(files)).lower()


def run_commands(cli: Any, ruleset: Path, seconds: float, validate: bool = True) -> tuple[str, str]:
    """``validate --format json`` (when ``validate``) then ``evaluate``, in-process, each classified."""
    runner = CliRunner()
    commands = [["validate", str(ruleset), "--format", "json"]] if validate else []
    commands.append(["evaluate", str(ruleset), "--format", "csv"])
    started = time.perf_counter()
    try:
        with time_limit(seconds), recorded_diagnostics() as shown:
            for command in commands:
                result = runner.invoke(cli, ["--lang", "en", *command])
                if "--format" in command and command[-1] == "json":
                    outcome, detail = classify_json(result.stdout)
                else:
                    outcome, detail = classify(result.stderr + result.stdout[-2000:])
                if outcome != "ok":
                    return outcome, f"{command[0]}: {detail}"
    except TrialTimeout:
        return "slow", f"over {seconds} s"
    took = time.perf_counter() - started
    if took > seconds:
        return "slow", f"{took:.2f} s"
    sources = read_sources(ruleset.parent)
    for diagnostic in shown:
        found = mismatch(diagnostic, sources, keywords())
        if found:
            return "mismatch", found
    return "ok", f"{took:.2f} s"


def mutate_text(text: str, rng: random.Random) -> tuple[str, str, str]:
    """The YAML text broken the way hand editing breaks it; the line changed and how."""
    lines = text.split("\n")
    row = rng.randrange(len(lines))
    line = lines[row]
    how = rng.randrange(13)
    if how == 0:
        lines[row], change = "\t" + line.lstrip(" "), "indented with a tab"
    elif how in (10, 11, 12):  # what a Chinese keyboard types instead: ： ， “ ”
        slip = {10: (": ", "： "), 11: (", ", "， "), 12: ("'", "‘")}[how]
        lines[row], change = line.replace(*slip, 1), f"{slip[0].strip()} typed as {slip[1].strip()}"
    elif how == 1:
        lines[row], change = line.replace(": ", " ", 1), "colon removed"
    elif how == 2:
        cut = rng.randrange(len(line) + 1)
        lines[row], change = line[:cut] + rng.choice("\"'[{") + line[cut:], "quote or bracket opened"
    elif how == 3:
        lines[row], change = " " + line, "indented one more space"
    elif how == 4:
        lines.insert(row, line)
        change = "line repeated (a duplicate key)"
    elif how == 5:
        lines[row], change = line + " *nowhere", "alias to no anchor"
    elif how == 6:
        lines[row], change = line + " !!python/object:os.system", "a Python tag"
    elif how == 7:
        lines[row], change = "\ufeff" + line, "a byte-order mark inside"
    elif how == 8:
        lines[row], change = line + " # " + "注释" * rng.randrange(1, 4), "a trailing comment"
    else:
        lines[row:], change = [line[: rng.randrange(len(line) + 1)]], "cut off"
    return "\n".join(lines), f"line {row + 1}", change


@cache
def keywords() -> frozenset[str]:
    schema = json.loads((SCHEMA_DIR / "ruleset.schema.json").read_text(encoding="utf-8"))
    return frozenset(format_words(default_registry(), schema))


def run_trial(cli: Any, source: Path, seed: int, seconds: float) -> Trial:
    rng = random.Random(seed)
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    target = source.parent / f"fuzz-{seed}.yaml"
    if rng.random() < 0.25:  # a quarter of the trials break the text, not the data it holds
        text, path, change = mutate_text(dump(data), rng)
    else:
        changed, path, change = mutate(data, rng)
        text = dump(changed)
    outcome, detail = run_written(cli, text, target, seconds)
    return Trial(seed, path, change, outcome, detail)


def dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def run_written(cli: Any, text: str, target: Path, seconds: float) -> tuple[str, str]:
    """``text`` written as the ruleset ``target`` (removed afterwards), validated and evaluated."""
    target.write_text(text, encoding="utf-8")
    try:
        return run_commands(cli, target, seconds)
    finally:
        target.unlink(missing_ok=True)


def mutate_data(folder: Path, rng: random.Random) -> tuple[Path, str]:
    """Break one CSV of a jurisdiction's data in place; return the file and how."""
    files = sorted((folder / "data").glob("*.csv"))
    file = rng.choice(files)
    raw = file.read_bytes()
    lines = raw.decode("utf-8-sig").splitlines()
    how = rng.randrange(11)
    if how >= 7:  # as an office hands it in: Chinese headers, a title row, numbers written by hand
        return _office_shaped(file, lines, how, rng)
    if how == 0:  # a bad cell
        row = rng.randrange(1, max(len(lines), 2)) if len(lines) > 1 else 0
        cells = lines[row].split(",")
        column = rng.randrange(len(cells))
        cells[column] = rng.choice(BAD_CELLS)
        lines[row] = ",".join(cells)
        change = f"cell {row + 1}:{column + 1} = {cells[column][:20]!r}"
    elif how == 1:  # a column dropped
        column = rng.randrange(len(lines[0].split(",")))
        lines = [",".join(c for i, c in enumerate(line.split(",")) if i != column) for line in lines]
        change = f"column {column + 1} dropped"
    elif how == 2:  # extra cells
        row = rng.randrange(len(lines))
        lines[row] += ",x,y"
        change = f"extra cells on line {row + 1}"
    elif how == 3:  # GBK, as old Excel saves
        file.write_bytes("\n".join(lines).encode("gbk", errors="replace"))
        return file, "re-encoded as GBK"
    elif how == 4:  # cut off midway
        file.write_bytes(raw[: rng.randrange(max(len(raw), 1))])
        return file, "truncated"
    elif how == 5:  # garbage bytes
        file.write_bytes(bytes(rng.randrange(256) for _ in range(200)))
        return file, "garbage bytes"
    else:  # a header renamed
        header = lines[0].split(",")
        header[rng.randrange(len(header))] = rng.choice(["编号", "ID", "subjet", "", "名称"])
        lines[0] = ",".join(header)
        change = "header renamed"
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return file, change


OFFICE_NUMBERS = ("97%", '"5,200"', "１２", "９７．５", " 88 ", "5.2万元", "12分", "-")


def _office_shaped(file: Path, lines: list[str], how: int, rng: random.Random) -> tuple[Path, str]:
    """A CSV changed the way an office's spreadsheet differs from the format: the data must still
    load, or fail with a located error (never an internal one)."""
    table = file.stem
    titles = {c.id: c.title for c in standard(table)}
    if how == 7:  # the standard headers written in Chinese
        lines[0] = ",".join(titles.get(h, h) for h in lines[0].split(","))
        change = "headers by their Chinese titles"
    elif how == 8:  # a title row above the header
        lines.insert(0, "2025年度考核数据（" + table + "）" + "," * (lines[0].count(",")))
        change = "a title row above the header"
    elif how == 9:  # a number cell as people type it
        row = rng.randrange(1, max(len(lines), 2)) if len(lines) > 1 else 0
        cells = lines[row].split(",")
        column = rng.randrange(len(cells))
        cells[column] = rng.choice(OFFICE_NUMBERS)
        lines[row] = ",".join(cells)
        change = f"cell {row + 1}:{column + 1} = {cells[column]!r}"
    else:  # the header repeated, as a two-row header
        lines.insert(1, lines[0])
        change = "header row repeated"
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return file, change


def run_data_trial(cli: Any, ruleset: Path, seed: int, seconds: float) -> Trial:
    rng = random.Random(seed)
    data = ruleset.parent / "data"
    saved = {f: f.read_bytes() for f in data.glob("*.csv")}
    file, change = mutate_data(ruleset.parent, rng)
    try:
        outcome, detail = run_commands(cli, ruleset, seconds, validate=False)
    finally:
        for path, content in saved.items():
            path.write_bytes(content)
    return Trial(seed, file.name, change, outcome, detail)


def run_attack(cli: Any, slot: Slot, attack: str, copy_of: Path, seed: int, seconds: float) -> Trial:
    """``attack`` written into ``slot`` of (the project copy of) its ruleset."""
    data = yaml.safe_load(copy_of.read_text(encoding="utf-8"))
    set_at(data, slot.path, attack)
    outcome, detail = run_written(cli, dump(data), copy_of.parent / f"attack-{seed}.yaml", seconds)
    if Path(CANARY).exists():
        Path(CANARY).unlink()
        outcome, detail = "escaped", f"{CANARY} was written"
    return Trial(seed, slot.kind, f"= {attack!r}"[:80], outcome, detail)


@contextmanager
def project_copy(rulesets: list[Path]) -> Iterator[dict[Path, Path]]:
    """A copy of the folder holding every jurisdiction of ``rulesets`` (marked as a project), and each
    ruleset's path in it; the trials write there and run with it as the working folder."""
    root = Path(os.path.commonpath([r.resolve().parent.parent for r in rulesets]))
    previous = Path.cwd()
    with tempfile.TemporaryDirectory() as temp:
        project = Path(temp) / "project"
        shutil.copytree(root, project, ignore=shutil.ignore_patterns("tests"))
        (project / "kaohe.toml").write_text("", encoding="utf-8")
        os.chdir(project)
        try:
            yield {r: project / r.resolve().relative_to(root) for r in rulesets}
        finally:
            os.chdir(previous)


def fuzz(cli: Any, rulesets: list[Path], trials: int, seed: int = 0, seconds: float = 5.0,
         data: bool = False) -> Report:
    """``trials`` mutations spread over ``rulesets`` (each run in a copy of its jurisdiction folder)."""
    report = Report()
    with project_copy(rulesets) as copies:
        ordered = [copies[r] for r in rulesets]
        for trial_seed in range(seed, seed + trials):  # everything follows from the trial's seed: replayable
            source = ordered[trial_seed % len(ordered)]
            if data and trial_seed % 2:  # every other trial breaks the data instead of the ruleset
                report.trials.append(run_data_trial(cli, source, trial_seed, seconds))
            else:
                report.trials.append(run_trial(cli, source, trial_seed, seconds))
    return report


def attack_pairs(rulesets: list[Path], schema: dict[str, Any]) -> list[tuple[Slot, str]]:
    """Every (slot, attack) pair, numbered by position: slots in order, the corpus in order within each."""
    return [(slot, text) for slot in slots(rulesets, schema) for text in ATTACKS]


def attack(cli: Any, rulesets: list[Path], schema: dict[str, Any], only: Iterable[int] | None = None,
           seconds: float = 5.0) -> Report:
    """Every attack of the corpus in every slot, or the pairs numbered ``only`` (a trial's seed is its
    number in the full list: slots in order, the corpus in order within each)."""
    pairs = attack_pairs(rulesets, schema)
    report = Report()
    with project_copy(rulesets) as copies:
        for index in range(len(pairs)) if only is None else [i for i in only if 0 <= i < len(pairs)]:
            slot, text = pairs[index]
            report.trials.append(run_attack(cli, slot, text, copies[slot.ruleset], index, seconds))
    return report
