"""``kaohe init``: a new jurisdiction folder that validates, tests and evaluates as written.

``Answers`` are what the interview (or the flags) gave; ``check_answers`` refuses what cannot
become a ruleset, with bilingual messages; ``scaffold_files`` writes the folder's files as text:
a commented ruleset skeleton ``<year>.yaml``, ``data/`` with a sample row or two per table, a test
case file whose expected values are worked out by hand in its comments, and a README mapping each
mechanism. ``create`` puts them in place whole: built in a hidden folder beside the target, then
moved there in one step, and never over a folder that holds anything.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from kaohe.engine import SCHEMA_DIR
from kaohe.engine.errors import Bilingual, Diagnostic, KaoheError

ID_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
DEFAULT_INDICATORS = {"unit": ("重点工作任务", "日常运行管理", "服务对象满意度"),
                      "person": ("工作实绩", "工作作风", "廉洁自律")}
MAX_INDICATORS = 10
GRADES = ((90, "优秀"), (80, "良好"), (60, "合格"), (None, "不合格"))
RED_CARD, PRAISE = 2, 1  # points of the sample deduction and bonus
Kind = Literal["unit", "person"]
Cycle = Literal["quarter", "year"]


@dataclass(frozen=True)
class Answers:
    ruleset_id: str
    title: str
    year: int
    kind: Kind = "unit"
    cycle: Cycle = "quarter"
    indicators: tuple[str, ...] = field(default_factory=tuple)

    @property
    def names(self) -> tuple[str, ...]:
        return self.indicators or DEFAULT_INDICATORS[self.kind]


def default_answers(folder: Path, today: dt.date | None = None) -> Answers:
    """What ``--yes`` assumes for anything not given: the folder's name as id when it can be one."""
    name = Path(os.path.abspath(folder)).name
    ruleset_id = name if ID_PATTERN.match(name) else "new-jurisdiction"
    year = (today or dt.date.today()).year
    return Answers(ruleset_id, f"{ruleset_id} 绩效考核办法", year)


# ---------------------------------------------------------------------------
# Checks


def check_folder(folder: Path) -> None:
    """The target must be new or empty: kaohe init never overwrites anything."""
    if folder.exists() and not folder.is_dir():
        raise KaoheError(Diagnostic("E-INIT-NOT-FOLDER", {"folder": str(folder)}, file=str(folder)))
    if folder.is_dir():
        entries = sorted(p.name for p in folder.iterdir())
        if entries:
            raise KaoheError(Diagnostic("E-INIT-NOT-EMPTY", {
                "folder": str(folder), "first": entries[0], "count": len(entries)}, file=str(folder)))


def check_answers(answers: Answers) -> None:
    problems = []
    if not ID_PATTERN.match(answers.ruleset_id):
        problems.append(Diagnostic("E-INIT-ID", {"id": answers.ruleset_id, "example": "xinqu"}))
    if not 2000 <= answers.year <= 2100:
        problems.append(Diagnostic("E-INIT-YEAR", {"year": answers.year}))
    if not answers.title.strip():
        problems.append(Diagnostic("E-INIT-TITLE", {}))
    problems += _indicator_problems(answers.names)
    if problems:
        raise KaoheError(problems)


def _indicator_problems(names: Sequence[str]) -> list[Diagnostic]:
    problems = []
    if len(names) > MAX_INDICATORS:
        problems.append(Diagnostic("E-INIT-INDICATORS", {"name": names[MAX_INDICATORS], "problem": Bilingual(
            f"骨架最多 {MAX_INDICATORS} 个指标，其余的生成后在方案中添加",
            f"the skeleton takes at most {MAX_INDICATORS} indicators; add the others in the ruleset afterwards")}))
    seen: set[str] = set()
    for name in names:
        if not name.strip() or any(c in name for c in "\n\r\"'#:{}[],"):
            problems.append(Diagnostic("E-INIT-INDICATORS", {"name": name, "problem": Bilingual(
                "名称不能为空，也不能含引号、冒号、井号、英文逗号、括号 {} [] 或换行",
                "a name must not be empty nor hold quotes, colons, hashes, commas, braces, brackets or line breaks")}))
        elif name in seen:
            problems.append(Diagnostic("E-INIT-INDICATORS", {"name": name, "problem": Bilingual(
                "与前面的指标同名", "it repeats an earlier indicator")}))
        seen.add(name)
    return problems


def split_names(text: str) -> tuple[str, ...]:
    """Indicator names typed on one line, separated by 、，, ; or ；."""
    return tuple(part.strip() for part in re.split(r"[、，,;；]", text) if part.strip())


# ---------------------------------------------------------------------------
# The skeleton's numbers


@dataclass(frozen=True)
class Plan:
    """The skeleton's indicators (id, title, points) and what its sample subjects are called."""

    answers: Answers
    indicators: tuple[tuple[str, str, int], ...]
    subjects: tuple[tuple[str, str, str], ...]  # id, name, unit

    @property
    def periods(self) -> list[str]:
        year = self.answers.year
        return [f"{year}Q{q}" for q in range(1, 5)] if self.answers.cycle == "quarter" else [str(year)]

    @property
    def first_period(self) -> str:
        return self.periods[0]


def make_plan(answers: Answers) -> Plan:
    names = answers.names
    base, extra = divmod(100, len(names))
    indicators = tuple((f"i{k + 1}", name, base + (1 if k < extra else 0)) for k, name in enumerate(names))
    if answers.kind == "person":
        subjects = (("P01", "张三", "办公室"), ("P02", "李四", "办公室"))
    else:
        subjects = (("U01", "示例单位甲", ""), ("U02", "示例单位乙", ""))
    return Plan(answers, indicators, subjects)


def grade_of(total: float) -> str:
    return next(name for line, name in GRADES if line is None or total >= line)


# ---------------------------------------------------------------------------
# Files


def schema_reference(folder: Path, schema: str, depth: int = 0) -> str:
    """The schema's path relative to where the file will be (``depth`` folders below ``folder``):
    the project's own ``schemas/`` when an enclosing folder has one, else kaohe's."""
    start = Path(os.path.abspath(folder))
    found = next((p / "schemas" for p in (start, *start.parents) if (p / "schemas" / schema).is_file()), SCHEMA_DIR)
    editor = schema.replace(".schema.json", ".editor.schema.json")  # with the installed components, as shipped
    chosen = editor if (found / editor).is_file() else schema
    where = start.joinpath(*["tests"] * depth)
    return Path(os.path.relpath(found / chosen, where)).as_posix()


def ruleset_text(plan: Plan, schema: str) -> str:
    a = plan.answers
    who = "人员" if a.kind == "person" else "单位（部门）"
    lines = [
        f"# yaml-language-server: $schema={schema}",
        "#",
        f"# {a.title}（{a.year} 年度）—— kaohe init 生成的方案骨架。",
        "# 每一节前的注释说明它的作用；每个键的完整说明和例子见 docs/ruleset-format.md。",
        "# 改完后运行：kaohe validate 本文件夹；kaohe test 本文件夹；kaohe evaluate 本文件夹",
        "",
        "# 基本信息：格式版本（只能是 1）、方案编号（英文字母、数字、连字符）、名称、考核年度",
        "kaohe: 1",
        f"id: {a.ruleset_id}",
        f"title: {yaml_text(a.title)}",
        f"year: {a.year}",
        f"effective: {{from: {a.year}-01-01, to: {a.year}-12-31}}   # 生效期间，两端都包含",
        "source:",
        "  document: 考核办法文件名称或文号（请填写）",
        "",
        "# 精度与满分：总分保留两位小数、四舍五入；指标体系满分 100 分",
        "precision: {score: 2, rounding: half_up}",
        "total_points: 100",
        "",
        f"# 考核对象：{'person 个人' if a.kind == 'person' else 'unit 单位'}；对象名单在 data/subjects.csv（每个{who}一行）。",
        "# 分类考核时加 classes（类别名 → 名称、考核系数），对象表的 class 列写类别名。",
        "subjects:",
        f"  kind: {a.kind}",
        "  # classes:",
        "  #   frontline: {title: 一线部门, coefficient: 1.0}",
        "  exclude: \"months_on_post < 1\"   # 本周期在岗不足一个月的不参加排名和等次（照常计分）",
        "",
        "# 数据项：数据项表 data/values.csv 中的列（每个数据项一列）；每项写名称 title 和单位 unit",
        "inputs:",
    ]
    for ident, title, points in plan.indicators:
        lines.append(f"  {ident}_score: {{title: {title}得分, unit: 分, note: 满分 {points} 分}}")
    lines += [
        "",
        "# 事件字段：事件表 data/events.csv 固定有 subject、date、type、points、confirmed 列；",
        "# 要在规则里读其他列（event.task），先在这里声明",
        "# event_fields:",
        "#   task: {title: 督办事项编号}",
        "",
    ]
    lines += _periods_lines(a)
    lines += [
        "",
        "# 数据：每张表从哪里读（相对本文件）；也可以用 --data 指定别的文件夹或填好的工作簿",
        "data:",
        "  subjects: {source: csv, path: data/subjects.csv}",
        "  values: {source: csv, path: data/values.csv}",
        "  events: {source: csv, path: data/events.csv}",
        "",
        "# 指标体系：顶层指标分值合计等于 total_points；每个叶子指标写评分方法 rater",
        "# direct 直接计分：读数据项中的分数（0 至满分）；其他评分方法（达成率、分档、测评……）见文档“评分方法”",
        "indicators:",
    ]
    for ident, title, points in plan.indicators:
        lines += [
            f"  - id: {ident}",
            f"    title: {title}",
            f"    points: {points}",
            f"    rater: {{use: direct, input: {ident}_score}}",
            "    missing: zero          # 没有数据按 0 分（exclude：不计入、按其余指标折算；error：报错）",
            "    clause: 第 条（请填写依据条款）",
        ]
    lines += [
        "",
        "# 扣分：按事件计（事件表中每件事一行）；cap 是每个周期最多扣的分",
        "deductions:",
        "  - id: red_card",
        "    title: 督办红牌",
        "    when: \"event.type == '红牌'\"",
        f"    points: {RED_CARD}",
        "    cap: 6",
        "    clause: 第 条（请填写）",
        "",
        "# 加分：写法同扣分；event.confirmed 为“是”（或留空）的事件才计入",
        "bonuses:",
        "  - id: praise",
        "    title: 上级表扬",
        "    when: \"event.type == '表扬' and event.confirmed\"",
        f"    points: {PRAISE}",
        "    cap: 3",
        "    clause: 第 条（请填写）",
        "",
        "# 一票否决：发生即定为某等次（grade）或最高某等次（max_grade）",
        "# vetoes:",
        "#   - {id: safety, title: 重大安全事故, when: \"event.type == '重大安全事故'\", grade: 不合格}",
        "",
        "# 排名与等次：按总分排名，同分按编号；等次从高到低，min 是分数线；",
        "# 限制比例写 quota，如 优秀 加 quota: {max_share: 0.2, rounding: floor}（不超过 20%，向下取整）",
        "grading:",
        "  tie_break: [total, id]",
        "  grades:",
    ]
    for line, name in GRADES:
        lines.append(f"    - {{grade: {name}, min: {line}}}" if line is not None else f"    - {{grade: {name}}}")
    lines += [
        "",
        "# 结果运用：按顺序执行；flag 标记、warning 预警、bottom_zero 末位、proportional_pool 奖金池……",
        "outcomes:",
        "  - id: commendation",
        "    title: 评优推荐",
        "    use: flag",
        "    when: \"grade == '优秀'\"",
        "    label: 推荐评优",
        "",
    ]
    return "\n".join(lines)


def yaml_text(text: str) -> str:
    """``text`` as a YAML scalar: as written when YAML reads it back the same, else double-quoted."""
    plain = text.strip() == text and not re.search(r"[:#{}\[\],&*!|>'\"%@`]|^[-?]", text)
    return text if plain and text else json.dumps(text, ensure_ascii=False)


def _periods_lines(a: Answers) -> list[str]:
    if a.cycle == "year":
        return ["# 考核周期：年度考核（只算 年度 一个周期）", "periods:", "  cycle: year"]
    return [
        "# 考核周期：季度考核（Q1–Q4），年度 = 四个季度得分的平均（from_periods: mean，权重 1）",
        "periods:",
        "  cycle: quarter",
        "  year: {from_periods: mean, weight: 1.0}",
    ]


def _sample_scores(plan: Plan, subject: int) -> list[int]:
    """Sample data: the first subject loses 1 point per indicator, the second 5 (never below 0)."""
    lost = 1 if subject == 0 else 5
    return [max(points - lost, 0) for _, _, points in plan.indicators]


def data_files(plan: Plan) -> dict[str, str]:
    person = plan.answers.kind == "person"
    header = "id,name,unit,class,joined,left" if person else "id,name,class,joined,left"
    subjects = [header] + [f"{i},{n},{u},,," if person else f"{i},{n},,," for i, n, u in plan.subjects]
    inputs = ",".join(f"{ident}_score" for ident, _, _ in plan.indicators)
    values = [f"subject,period,{inputs}"]
    for k, (ident, _, _) in enumerate(plan.subjects):
        scores = ",".join(str(s) for s in _sample_scores(plan, k))
        values += [f"{ident},{period},{scores}" for period in plan.periods]
    year = plan.answers.year
    second = plan.subjects[1][0]
    events = ["subject,date,type,points,confirmed", f"{second},{year}-02-10,红牌,,"]
    return {"data/subjects.csv": "\n".join(subjects) + "\n", "data/values.csv": "\n".join(values) + "\n",
            "data/events.csv": "\n".join(events) + "\n"}


def tests_text(plan: Plan, schema: str) -> str:
    a = plan.answers
    period = plan.first_period
    quoted = f'"{period}"' if a.cycle == "year" else period
    full = [points for _, _, points in plan.indicators]
    n = len(full)
    first = [max(p - 1, 0) for p in full]
    second = [max(p - 5, 0) for p in full]
    first_total, second_sub = sum(first), sum(second)
    second_total = second_sub - RED_CARD + PRAISE
    ids = [ident for ident, _, _ in plan.indicators]
    subject_a, subject_b = plan.subjects[0][0], plan.subjects[1][0]

    def row(subject: str, scores: list[int], when: str) -> str:
        cells = ", ".join(f"{i}_score: {s}" for i, s in zip(ids, scores, strict=True))
        return f"        - {{subject: {subject}, period: {when}, {cells}}}"

    def plus(values: list[int]) -> str:
        return " + ".join(str(v) for v in values)

    lines = [
        f"# yaml-language-server: $schema={schema}",
        "#",
        f"# {a.title}（{a.year}）的测试用例：每个用例写明手工核算过程，预期值由手算得出。",
        "# 改了方案以后运行 kaohe test 本文件夹；改了分值或规则，请同时改这里的核算和预期。",
        f"ruleset: ../{a.year}.yaml",
        "tolerance: 0.005",
        "",
        "cases:",
        "  - name: 直接计分、扣分与加分、等次 direct scores, a deduction and a bonus, grades",
        "    description: |",
        f"      {subject_a}：各指标得分 {plus(first)} = {first_total}；无加减分 → 总分 {first_total} → {grade_of(first_total)}",
        f"      {subject_b}：各指标得分 {plus(second)} = {second_sub}；红牌扣 {RED_CARD}、表扬加 {PRAISE}"
        f" → {second_sub} − {RED_CARD} + {PRAISE} = {second_total} → {grade_of(second_total)}",
        f"    period: {quoted}",
        "    data:",
        "      subjects:",
        f"        - {{id: {subject_a}, name: {plan.subjects[0][1]}}}",
        f"        - {{id: {subject_b}, name: {plan.subjects[1][1]}}}",
        "      values:",
        row(subject_a, first, quoted),
        row(subject_b, second, quoted),
        "      events:",
        f"        - {{subject: {subject_b}, date: {a.year}-02-10, type: 红牌}}",
        f"        - {{subject: {subject_b}, date: {a.year}-02-20, type: 表扬}}",
        "    expect:",
        f"      {subject_a}: {{subtotal: {first_total}, total: {first_total}, rank: 1, grade: {grade_of(first_total)}}}",
        f"      {subject_b}: {{subtotal: {second_sub}, deduction: {RED_CARD}, bonus: {PRAISE}, total: {second_total},"
        f" rank: 2, grade: {grade_of(second_total)}}}",
        "",
        "  - name: 缺数据按 0 分 missing data scores zero",
        "    description: |",
        f"      {subject_a} 只有第一个指标的数据 {full[0]}（满分 {full[0]}），其余 {n - 1} 个指标 missing: zero → 0；"
        f"总分 {full[0]} → {grade_of(full[0])}",
        f"    period: {quoted}",
        "    data:",
        "      subjects:",
        f"        - {{id: {subject_a}, name: {plan.subjects[0][1]}}}",
        "      values:",
        f"        - {{subject: {subject_a}, period: {quoted}, {ids[0]}_score: {full[0]}}}",
        "    expect:",
        f"      {subject_a}: {{indicators: {{{ids[0]}: {full[0]}}}, total: {full[0]}, grade: {grade_of(full[0])}}}",
    ]
    if a.cycle == "quarter":
        lines += _year_case(plan, subject_a, ids, full)
    return "\n".join(lines) + "\n"


def _year_case(plan: Plan, subject: str, ids: list[str], full: list[int]) -> list[str]:
    """Quarter k loses k points on every indicator: quarterly totals 100 − k·n, the year their mean."""
    year = plan.answers.year
    totals = [sum(max(p - k, 0) for p in full) for k in (1, 2, 3, 4)]
    mean = sum(totals) / 4
    lines = [
        "",
        "  - name: 年度 = 四个季度平均 year is the mean of the quarters",
        "    description: |",
        f"      {subject}：第 k 季度每个指标比满分少 k 分 → 各季度总分 {'、'.join(map(str, totals))}；",
        f"      年度 = ({' + '.join(map(str, totals))}) ÷ 4 = {mean:g} → {grade_of(mean)}",
        f'    period: "{year}"',
        "    data:",
        "      subjects:",
        f"        - {{id: {subject}, name: {plan.subjects[0][1]}}}",
        "      values:",
    ]
    for k in (1, 2, 3, 4):
        cells = ", ".join(f"{i}_score: {max(p - k, 0)}" for i, p in zip(ids, full, strict=True))
        lines.append(f"        - {{subject: {subject}, period: {year}Q{k}, {cells}}}")
    lines += ["    expect:", f"      {subject}: {{total: {mean:g}, grade: {grade_of(mean)}}}"]
    return lines


def readme_text(plan: Plan) -> str:
    a = plan.answers
    cycle = "季度考核（2 个以上周期），年度 = 四个季度平均" if a.cycle == "quarter" else "年度考核"
    rows = [f"| `{ident}` | 指标：{title}（{points} 分，direct 直接计分，数据项 `{ident}_score`） | 第 条（请填写） |"
            f" 直接计分、扣分与加分、等次；缺数据按 0 分 |" for ident, title, points in plan.indicators]
    lines = [
        f"# {a.title}（{a.year}）",
        "",
        "由 `kaohe init` 生成的辖区文件夹。把考核办法的每一条写进方案，把每一条的出处记在下表中。",
        "",
        "| 文件 | 内容 |",
        "|---|---|",
        f"| `{a.year}.yaml` | 考核方案（每一节前有中文注释） |",
        "| `data/` | 数据表：subjects.csv 考核对象、values.csv 数据项（宽表：每个数据项一列）、events.csv 事件；现在是示例行，请换成真实数据 |",
        "| `tests/cases.yaml` | 手工核算过的测试用例 |",
        "",
        "## 规则 → 出处 Rules and their clauses",
        "",
        "| 规则 / 键 | 机制 | 依据条款 | 测试用例 |",
        "|---|---|---|---|",
        f"| `subjects.kind: {a.kind}` | 考核对象：{'个人' if a.kind == 'person' else '单位（部门）'}；在岗不足一个月的不参加排名 | 第 条 | — |",
        f"| `periods` | {cycle} | 第 条 | {'年度 = 四个季度平均' if a.cycle == 'quarter' else '—'} |",
        *rows,
        f"| `red_card` | 扣分：督办红牌每张 {RED_CARD} 分，每周期最多 6 分 | 第 条 | 直接计分、扣分与加分、等次 |",
        f"| `praise` | 加分：上级表扬每次 {PRAISE} 分（已核实的），每周期最多 3 分 | 第 条 | 直接计分、扣分与加分、等次 |",
        "| `grading` | 等次：优秀 ≥ 90、良好 ≥ 80、合格 ≥ 60、其余不合格；同分按编号 | 第 条 | 直接计分、扣分与加分、等次 |",
        "| `commendation` | 结果运用：优秀的推荐评优 | 第 条 | — |",
        "",
        "## 下一步 Next steps",
        "",
        "1. 把 `title`、`source`、各指标的 `clause` 和上表的“依据条款”改成考核办法的原文。",
        "2. 按办法改指标、评分方法和规则（docs/ruleset-format.md 每个键都有例子），每改一处就 `kaohe validate` 一次。",
        "3. 为每个机制写一个手算的测试用例，`kaohe test` 检查。",
        f"4. `kaohe template {a.year}.yaml --out 填报模板.xlsx` 生成各部门填报用的 Excel 工作簿；"
        f"填好后 `kaohe evaluate {a.year}.yaml --data 填报模板.xlsx`。",
        "",
    ]
    return "\n".join(lines)


def scaffold_files(folder: Path, answers: Answers) -> dict[str, str]:
    """Every file of the new folder: relative path → text."""
    plan = make_plan(answers)
    files = {f"{answers.year}.yaml": ruleset_text(plan, schema_reference(folder, "ruleset.schema.json")),
             **data_files(plan),
             "tests/cases.yaml": tests_text(plan, schema_reference(folder, "test.schema.json", depth=1)),
             "README.md": readme_text(plan)}
    return files


def create(folder: Path, answers: Answers) -> list[Path]:
    """Write the new folder whole or not at all; the files written."""
    check_folder(folder)
    check_answers(answers)
    files = scaffold_files(folder, answers)
    target = Path(os.path.abspath(folder))
    staging = target.with_name(f".{target.name}.kaohe-init-{os.getpid()}")
    try:
        for relative, text in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        if target.is_dir():  # empty (checked above), and perhaps the working folder: filled, not replaced
            for entry in sorted(staging.iterdir()):
                os.replace(entry, target / entry.name)
        else:
            os.replace(staging, target)
    except OSError as exc:
        raise KaoheError(Diagnostic("E-INIT-WRITE", {"folder": str(folder), "problem": exc.strerror or str(exc)},
                                    file=str(folder))) from None
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(staging)
    return [folder / relative for relative in files]
