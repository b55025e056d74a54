"""The command line's help in Chinese, and an example for every command.

English help stays where click expects it (docstrings and ``help=``); this
table holds the Chinese of each command and option and the examples both
languages show. Commands are keyed by their callback's name (the short
commands ``kaohe runs`` … are the same callbacks as ``kaohe store runs`` …);
options by (command, option), with ``*`` for an option many commands share.
A test checks every command and option has its Chinese here.
"""

from __future__ import annotations

from typing import NamedTuple


class Example(NamedTuple):
    line: str  # the command as typed, after ``kaohe``
    zh: str
    en: str


class CommandHelp(NamedTuple):
    zh: str  # first line: the one-line summary of the command list
    examples: tuple[Example, ...]


HEADINGS = {  # click's headings -> (zh, en)
    "usage": ("用法：", "Usage: "),
    "options": ("选项", "Options"),
    "commands": ("命令", "Commands"),
    "arguments": ("参数", "Arguments"),
    "examples": ("示例", "Examples"),
}

COMMANDS: dict[str, CommandHelp] = {
    "main": CommandHelp(
        "kaohe 考核 — 用 YAML 方案描述绩效考核办法：校验、计算、说明每一分。\n\n"
        "提示和帮助的语言：--lang，否则 KAOHE_LANG，否则系统语言（未设置或为 C 时用中文）。",
        (Example("validate rulesets/chengdu", "校验成都方案（文件或文件夹）", "check the Chengdu ruleset"),
         Example("evaluate rulesets/chengdu", "计算并显示排名表", "evaluate and show the ranking"),
         Example("explain rulesets/chengdu C104", "逐项说明一个对象的得分", "explain one subject's score"))),
    "validate": CommandHelp(
        "校验方案（文件或文件夹）：一次列出全部问题，每个问题带文件、行列号和修改办法。",
        (Example("validate rulesets/", "校验所有辖区的方案", "check every jurisdiction"),
         Example("validate rulesets/loudi --format json", "机器可读的结果（JSON）", "machine-readable (JSON)"))),
    "evaluate": CommandHelp(
        "用方案计算数据，显示或写出结果（排名表、JSON、CSV、Excel 或已安装的导出格式）。",
        (Example("evaluate rulesets/chengdu", "显示最后一个周期的排名表", "the ranking of the last period"),
         Example("evaluate rulesets/chengdu --period 2025Q2 --format xlsx --out 二季度.xlsx",
                 "二季度结果写入 Excel", "the second quarter into a workbook"),
         Example("evaluate rulesets/loudi --data 报送数据/ --store results.db",
                 "用另一份数据计算并记入结果库", "evaluate other data and record the run"))),
    "explain": CommandHelp(
        "逐项说明一个对象的得分：指标、加减分、系数、排名、等次及理由、结果运用；--all 说明每个对象。",
        (Example("explain rulesets/chengdu C104", "说明年度结果", "explain the year"),
         Example("explain rulesets/chengdu C104 --period 2025Q2", "说明二季度", "explain the second quarter"),
         Example("explain rulesets/chengdu --all --out 说明/", "每个对象一份说明（一次计算）",
                 "one explanation per subject, from one evaluation"))),
    "report_command": CommandHelp(
        "把结果写成一个自带样式和脚本的 HTML 报告（概览、排名、逐个对象、公示名单、反馈谈话记录表），或打印成 PDF。",
        (Example("report rulesets/chengdu --out 报告.html", "年度报告（离线可看，手机可读）", "the year's report (offline, phone-friendly)"),
         Example("report rulesets/yangquan-hitech --format pdf --split --out 分发/", "每个对象一个 PDF，便于分发",
                 "one PDF per subject, for handing out"),
         Example("report rulesets/chengdu --previous 2024.json --out 报告.html", "加上与往年的比较",
                 "with the comparison to an earlier year"))),
    "test": CommandHelp(
        "运行方案的测试用例（YAML）：每个用例的预期值应来自手算。",
        (Example("test rulesets/", "运行所有辖区的用例", "run every jurisdiction's cases"),
         Example("test rulesets/shaoyang --mutate --min-score 0.8",
                 "变异测试：逐个改动政策值，看用例能否发现", "mutation testing of the policy values"))),
    "plugins": CommandHelp(
        "列出已安装的组件（评分方法、数据源、分配方法、导出格式 …）及其所属插件。",
        (Example("plugins", "列表", "the list"), Example("plugins --format json", "JSON 格式", "as JSON"))),
    "show": CommandHelp(
        "显示合并 extends 之后实际生效的方案，可以标注每个值的出处。",
        (Example("show rulesets/p-town/2025.yaml --provenance", "每个值标注来自哪个文件哪一行",
                 "tag every value with its file and line"),)),
    "fmt_command": CommandHelp(
        "按规范的键顺序和格式重写方案文件，保留注释。",
        (Example("fmt rulesets/", "整理所有方案", "format every ruleset"),
         Example("fmt rulesets/ --check --diff", "只检查并显示差异（CI 用）", "check only and show the diff (CI)"))),
    "diff": CommandHelp(
        "按编号比较两份方案（文件、文件夹或 路径@git版本），可以用同一份数据看变化的影响。",
        (Example("diff rulesets/shaoyang/2024.yaml rulesets/shaoyang/2025.yaml", "两年方案的变化",
                 "what changed between two years"),
         Example("diff --rev v2024 rulesets/shaoyang/2025.yaml --format md", "与 git 版本 v2024 比较（Markdown）",
                 "against git revision v2024 (Markdown)"),
         Example("diff rulesets/shaoyang/2024.yaml rulesets/shaoyang/2025.yaml --impact rulesets/shaoyang/data",
                 "同一份数据下等次、名次、奖金的变化及其原因", "grade, rank and bonus changes on the same data"))),
    "schema": CommandHelp(
        "输出 JSON Schema（方案、结果、测试文件或对比结果），供编辑器和其他系统使用。",
        (Example("schema ruleset --out ruleset.editor.schema.json", "导出编辑器用的方案 schema（含已安装插件的组件）",
                 "export the editor's ruleset schema (with installed plugins' components)"),
         Example("schema ruleset --builtin --out schemas/ruleset.editor.schema.json",
                 "重新生成仓库中的编辑器 schema（只含内置组件）", "regenerate the repository's editor schema (built-ins only)"))),
    "partition": CommandHelp(
        "把方案的数据按对象表的一列拆成 Parquet 分区（每个值一个文件夹），供 evaluate --engine dask 分区计算。",
        (Example("partition rulesets/province/2025.yaml --by city --out 分区/", "按地市分区",
                 "partition by city"),
         Example("evaluate rulesets/province/2025.yaml --engine dask --data 分区/ --partition-by city "
                 "--format parquet --out 结果.parquet", "在本机两个进程上分区计算", "evaluate the partitions on two local processes"))),
    "template": CommandHelp(
        "生成方案的数据填报工作簿：每张数据表一张工作表（中文表头、批注、下拉列表和数值范围），对象已列好，另有填报说明。",
        (Example("template rulesets/example --out 填报模板.xlsx", "示例方案的填报模板（全部周期）",
                 "the example's data-entry workbook"),
         Example("template rulesets/example --period 2025Q2", "只列二季度", "the second quarter only"))),
    "init_command": CommandHelp(
        "新建辖区文件夹：带中文注释的方案骨架、示例数据、手算的测试用例和 README；不覆盖非空文件夹。",
        (Example("init offices/xinqu", "问答后生成", "answer a few questions"),
         Example("init offices/xinqu --id xinqu --title 新区部门绩效考核办法 --year 2026 --indicator 重点工作 --yes",
                 "脚本用：不提问", "for scripts: no questions"))),
    "store_group": CommandHelp(
        "结果库：kaohe evaluate --store 记录的各次运行、确认、核对和复核。",
        (Example("store runs --store results.db", "列出记录", "list the runs"),)),
    "store_runs": CommandHelp(
        "列出结果库中记录的运行，新的在前。",
        (Example("runs --store results.db", "列出记录", "list the runs"),)),
    "store_show": CommandHelp(
        "显示一次记录的摘要：方案和数据摘要、文件、周期、等次人数。",
        (Example("store show 3 --store results.db", "第 3 次运行", "run 3"),
         Example("store show 3 --document > run3.json", "原样取回该次的结果文档", "the run's results document"))),
    "store_signoff": CommandHelp(
        "确认一次运行：冻结并链入结果库的哈希链，输出其摘要。",
        (Example("signoff 3 --by 考核办", "确认第 3 次运行", "sign off run 3"),)),
    "store_verify": CommandHelp(
        "核对已确认运行的哈希链，指出此后被改动的每一条记录（有则退出码 1）。",
        (Example("verify --store results.db", "核对整条链", "verify the whole chain"),
         Example("verify 3 --recompute", "并用记录的方案和数据重新计算比对", "and recompute run 3"))),
    "store_history": CommandHelp(
        "一个对象历年、历次运行的结果。",
        (Example("history C104 --store results.db", "C104 的历年结果", "C104 across years"),)),
    "store_appeal": CommandHelp(
        "复核一次已确认的运行：用更正后的数据重新计算，记录复核人、理由和变化。",
        (Example("appeal 3 --data 更正数据/ --reason 漏报加分 --by 张三", "复核第 3 次运行",
                 "appeal run 3 on corrected data"),)),
    "store_appeals": CommandHelp(
        "列出复核记录（给出 RUN 时只列该次运行的），旧的在前，每条附报告。",
        (Example("appeals 3", "第 3 次运行的复核", "the appeals of run 3"),)),
}

OPTIONS: dict[tuple[str, str], str] = {
    ("main", "lang"): "提示语言 zh 或 en（默认：KAOHE_LANG，否则系统语言；未设置时为中文）",
    ("main", "allow_outside"): "允许方案读取项目之外的这个文件夹",
    ("main", "version"): "显示版本并退出",
    ("*", "quiet"): "不显示确认和进度；错误和计算提醒照常显示",
    ("*", "help"): "显示本帮助并退出",
    ("*", "fmt"): "输出格式",
    ("*", "store_url"): "结果库：SQLAlchemy URL 或 SQLite 文件路径（默认：kaohe.toml 中的 store）",
    ("*", "root"): "记录中的相对路径所相对的项目根目录（默认：当前目录所在的项目）",
    ("*", "by"): "操作人（默认：KAOHE_USER，否则登录名）",
    ("evaluate", "data_dir"): "数据表所在的文件夹或工作簿（默认：方案自己的数据）",
    ("evaluate", "period"): "只算这个周期，如 2025Q1 或 2025",
    ("evaluate", "fmt"): "table（排名表，默认）、json、csv、xlsx、parquet、html 或已安装的导出格式",
    ("evaluate", "out"): "写入这个文件（整体写入，失败时原文件不变），而不是输出到屏幕",
    ("evaluate", "show_all"): "排名表列出每个对象（对象很多时默认只列前后各 30 名）",
    ("evaluate", "engine"): "local：一个进程（默认）；dask：在 Dask 集群上分区计算 --data 中的分区数据（见 docs/distributed.md）",
    ("evaluate", "partition_by"): "与 --engine dask 一起用：数据按哪一列分区（默认：grading.group_by）",
    ("evaluate", "workers"): "与 --engine dask 一起用：为本次计算启动的本机集群的进程数（默认 2）",
    ("evaluate", "scheduler"): "与 --engine dask 一起用：已在运行的集群的调度器地址，如 tcp://host:8786",
    ("partition", "key"): "按对象表的哪一列分区，如 unit 或 subjects.fields 中声明的列",
    ("partition", "out"): "写入这个文件夹（整体替换，失败时原样保留）",
    ("partition", "data_dir"): "数据表所在的文件夹（默认：方案自己的数据）",
    ("explain", "data_dir"): "数据表所在的文件夹或工作簿（默认：方案自己的数据）",
    ("explain", "every"): "说明本周期的每个对象（只计算一次）",
    ("explain", "out"): "与 --all 一起用：每个对象一个文件（以编号命名），写入这个文件夹",
    ("explain", "period"): "说明哪个周期（默认：年度，没有年度时为最后一个周期）",
    ("report_command", "data_dir"): "数据表所在的文件夹或工作簿（默认：方案自己的数据）",
    ("report_command", "period"): "报告哪个周期（默认：年度，没有年度时为最后一个周期）",
    ("report_command", "fmt"): "html（一个自带样式和脚本的文件，默认）或 pdf（由无界面 Chromium 打印）",
    ("report_command", "out"): "写入这个文件（--split 时为文件夹），而不是输出到屏幕",
    ("report_command", "split"): "与 --format pdf 一起用：每个对象一个 PDF，按编号命名，写入 --out 文件夹",
    ("report_command", "previous"): "往年的结果 JSON（kaohe evaluate --format json）：名次升降最多的对象和等次变化",
    ("report_command", "store_url"): "结果库：方案从中读取往年结果；没有 --previous 时与其中已确认的上一年比较"
                                     "（SQLAlchemy URL 或 SQLite 文件路径，默认：kaohe.toml 中的 store）",
    ("test", "verbose"): "列出每个用例，而不只是失败的",
    ("test", "mutate"): "变异测试：每次改动一个政策值，报告没有用例能发现的改动（docs/mutation.md）",
    ("test", "fmt"): "与 --mutate 一起用：输出格式",
    ("test", "min_score"): "与 --mutate 一起用：某辖区的得分（发现数 /（发现数 + 未发现数））低于此值时退出码 1",
    ("schema", "builtin"): "ruleset：只含内置组件，即 schemas/ruleset.editor.schema.json 的内容",
    ("schema", "out"): "写入这个文件（整体写入，失败时原文件不变），而不是输出到屏幕",
    ("show", "resolved"): "合并 extends 之后（默认如此，写出来更清楚）",
    ("show", "provenance"): "每个值标注设定它的文件和行",
    ("show", "canonical"): "按 kaohe fmt 的格式输出文件本身（不合并、不检查），供 git textconv 使用",
    ("fmt_command", "check"): "不修改文件；列出会被修改的文件，有则退出码 1",
    ("fmt_command", "with_diff"): "同时显示每个文件的差异",
    ("diff", "rev"): "与 NEW 自己在这个 git 版本时比较：kaohe diff --rev 版本 NEW",
    ("diff", "impact_data"): "用这份数据分别计算两份方案：等次、名次、奖金的变化，并归因到各项改动",
    ("diff", "period"): "与 --impact 一起用：只看这个周期（默认：每个周期）",
    ("diff", "threshold"): "与 --impact 一起用：报告的最小名次变化",
    ("validate", "data"): "同时核对这个数据文件夹、工作簿或单个数据文件（不计算），一次列出全部问题",
    ("template", "out"): "写入这个 .xlsx 文件（默认：当前目录下以方案编号和周期命名的文件）",
    ("template", "period"): "只列这个周期，如 2025Q1（默认：全部周期）",
    ("template", "data_dir"): "对象名单取自这个文件夹或填好的工作簿（默认：方案自己的数据）",
    ("init_command", "ruleset_id"): "方案编号（英文字母、数字、- 和 _）",
    ("init_command", "title"): "考核办法名称",
    ("init_command", "year"): "考核年度",
    ("init_command", "kind"): "考核对象：unit 单位，person 个人",
    ("init_command", "cycle"): "考核周期：quarter 季度（汇总为年度），year 年度",
    ("init_command", "indicators"): "指标名称（可写多次）",
    ("init_command", "assume"): "不提问：没有给出的都用默认值",
    ("store_show", "whole"): "改为原样输出该次运行的结果文档（与 --format json 写出的逐字节相同）",
    ("store_verify", "recompute"): "同时用记录的方案和数据文件重新计算每次运行并比对",
    ("store_appeal", "corrected"): "更正后的数据表所在的文件夹（与该次运行读取的表相同）",
    ("store_appeal", "reason"): "复核理由",
}


def command_help(name: str) -> CommandHelp | None:
    return COMMANDS.get(name)


def option_help(command: str, option: str) -> str | None:
    return OPTIONS.get((command, option)) or OPTIONS.get(("*", option))
