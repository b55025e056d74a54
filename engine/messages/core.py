"""Codes for reading, schema-checking and semantically checking rulesets."""

MESSAGES = {
    "E-INPUT-FROM-EVENTS-VALUE": (
        "数据项 {name} 按事件汇总（how: {how}）需要 value（每条记录的取值，如 event.response_hours）；"
        "只计件数时写 how: count",
        "input {name} aggregates events with how: {how}, which needs a value (each record's measure, e.g. "
        "event.response_hours); write how: count to count records",
    ),
    "W-TOTAL-POINTS": (
        "顶层指标分值合计 {actual}，而 total_points 是 {expected}：总分可能超过 {expected} 而没有人察觉。"
        "若要按 {expected} 分制折算，写 rescale_to_total: true；若本来就是 {actual} 分制，把 total_points 改为 {actual}",
        "the top-level indicators add up to {actual} points but total_points is {expected}: totals can exceed "
        "{expected} unnoticed. To rescale to {expected}, write rescale_to_total: true; if the scale really is "
        "{actual}, set total_points: {actual}",
    ),
    "W-VERSION-OVERLAP": (
        "{a}（{a_span}）与 {b}（{b_span}）在 {first} 至 {last} 期间都生效，无法确定这段时间适用哪一个方案："
        "请修改其中一个的 effective（如把较早方案的 to 改为新方案 from 的前一天）",
        "{a} ({a_span}) and {b} ({b_span}) are both in force from {first} to {last}, so which method applies "
        "is ambiguous: change the effective dates of one (e.g. end the older one the day before the newer starts)",
    ),
    "E-PATH-OUTSIDE": (
        "{file} 在项目目录 {root} 之外：方案只能读取项目内的文件（防止一个方案读取并公布本机上的其他文件）。"
        "请把文件放进项目目录；确实需要时，在命令行写 kaohe --allow-outside 该文件所在目录",
        "{file} lies outside the project folder {root}: a ruleset may read only files inside its project (so "
        "a ruleset cannot read and publish other files on this machine). Move the file into the project; if it "
        "really must stay, run kaohe --allow-outside FOLDER",
    ),
    "E-GRADES-DUPLICATE": (
        "等次 “{grade}” 在等次表中出现了两次（第 {first} 个等次已是它）：名额、系数和结果运用按名称找等次，请改名或删去一个",
        "grade '{grade}' appears twice in the grade table (grade number {first} already is it): quotas, factors and "
        "outcomes find grades by name; rename or remove one",
    ),
    "E-FILE-NOT-FOUND": (
        "找不到文件 {file}：请检查路径是否正确",
        "file {file} not found: check the path",
    ),
    "E-FILE-ENCODING": (
        "文件 {file} 不是 UTF-8 编码（可能是 GBK）：请用编辑器“另存为 UTF-8”后再试",
        "file {file} is not UTF-8 (perhaps GBK): save it as UTF-8 in your editor and try again",
    ),
    "E-FILE-NO-RULESET": (
        "目录 {file} 中没有考核方案（*.yaml）：请指定方案文件，或在目录中放入方案",
        "folder {file} holds no ruleset (*.yaml): name a ruleset file or put one in the folder",
    ),
    "E-YAML-SYNTAX": (
        "YAML 语法错误：{problem}。请检查缩进、冒号和引号",
        "YAML syntax error: {problem}. Check indentation, colons and quotes",
    ),
    "E-YAML-DUPLICATE-KEY": (
        "键 “{key}” 重复出现（第一次在第 {first_line} 行）：请删除或合并其中一个",
        "key '{key}' appears twice (first at line {first_line}): remove or merge one of them",
    ),
    "E-YAML-NOT-MAPPING": (
        "考核方案的顶层必须是键值映射（kaohe: 1、id: …）",
        "the top level of a ruleset must be a mapping (kaohe: 1, id: …)",
    ),
    "E-YAML-TOO-LARGE": (
        "YAML 节点过多、嵌套过深或别名（&/*）展开过多（上限 {limit}）：请精简方案",
        "too many YAML nodes, nested too deeply or too many alias (&/*) expansions (limit {limit}): "
        "simplify the ruleset",
    ),
    "E-YAML-FILE-TOO-LARGE": (
        "方案文件有 {size}，超过上限 {limit}（{constant}），未读取：考核方案通常只有几十 KB，"
        "请检查是否误把数据或其他内容粘贴进了方案；数据请放在 data 中的表里",
        "the ruleset file is {size}, over the limit of {limit} ({constant}), and was not read: a ruleset is "
        "usually tens of KB; check for data or other text pasted into it, and keep data in the tables under data",
    ),
    "E-YAML-NOT-FINITE": (
        "{value} 不是一个有限的数：考核方案中的分值、比例、金额都必须是普通数字，请写出具体的数",
        "{value} is not a finite number: points, shares and amounts in a ruleset must be ordinary numbers; "
        "write the number itself",
    ),
    "E-YAML-NUMBER": (
        "数字太长（超过 {limit} 位）：考核方案中的分值、比例、金额都用不到这么多位，请检查是否多写或粘贴错了",
        "number too long (more than {limit} digits): no points, share or amount in a ruleset needs that many; "
        "check for extra or pasted digits",
    ),
    "E-YAML-CHARACTER": (
        "文件中有不允许的控制字符 {character}（如从其他程序复制时带入的 NUL）：请删除该字符",
        "the file holds the control character {character}, which YAML does not allow (e.g. a NUL pasted from "
        "another program): delete it",
    ),
    "E-YAML-TAG": (
        "不允许使用 YAML 标签 {tag}：方案只能包含普通数据",
        "YAML tag {tag} is not allowed: a ruleset holds plain data only",
    ),
    "E-GIT-REVISION": (
        "无法从 git 读取 {spec}：{problem}。请检查文件路径和版本号（如 HEAD~1、v2024）",
        "cannot read {spec} from git: {problem}. Check the path and the revision (e.g. HEAD~1, v2024)",
    ),
    "E-EXTENDS-CYCLE": (
        "方案循环继承：{chain}。请去掉其中一个 extends",
        "rulesets extend each other in a cycle: {chain}. Remove one of the extends",
    ),
    "E-EXTENDS-NOT-FOUND": (
        "找不到继承的方案文件 {file}（相对本文件）：请检查 extends 的路径",
        "the base ruleset {file} (relative to this file) does not exist: check the extends path",
    ),
    "E-EXTENDS-UNKNOWN-ID": (
        "编号 “{id}” 在上级方案中不存在，这一项又不完整（没有 title），无法作为新增项：请改正编号",
        "id '{id}' is not in the base ruleset, and the item is incomplete (no title) so it cannot be new: fix the id",
    ),
    "E-EXTENDS-REMOVE-UNKNOWN": (
        "remove 中的编号 “{id}” 在上级方案中不存在：请改正编号或删除这一项",
        "remove lists '{id}', which the base ruleset does not have: fix the id or drop it",
    ),
    "E-SCHEMA-UNKNOWN-KEY": (
        "未知的键 “{key}”：请删除，或改为允许的键之一（{allowed}）",
        "unknown key '{key}': remove it or use one of the allowed keys ({allowed})",
    ),
    "E-SCHEMA-REQUIRED": (
        "缺少必填项 “{key}”：请补上",
        "required key '{key}' is missing: add it",
    ),
    "E-SCHEMA-TYPE": (
        "{what}必须是{expected}，得到 {actual}",
        "{what_en} must be {expected_en}, got {actual}",
    ),
    "E-SCHEMA-ENUM": (
        "取值 {actual} 无效：只能是 {allowed} 之一",
        "value {actual} is not allowed: use one of {allowed}",
    ),
    "E-SCHEMA-RANGE": (
        "取值 {actual} 超出范围：{limit_zh}",
        "value {actual} is out of range: {limit_en}",
    ),
    "E-SCHEMA-PATTERN": (
        "取值 {actual} 格式不对：{hint_zh}",
        "value {actual} has the wrong form: {hint_en}",
    ),
    "E-SCHEMA-CHOICE": (
        "写法不符合任何一种允许的形式：{detail}",
        "matches none of the allowed forms: {detail_en}",
    ),
    "E-SCHEMA-SIZE": (
        "长度不对：{detail}",
        "wrong size: {detail}",
    ),
    "E-SCHEMA-OTHER": (
        "不符合方案格式：{detail}",
        "does not fit the ruleset format: {detail}",
    ),
    "E-VERSION": (
        "不支持的方案格式版本 kaohe: {actual}：本引擎支持 kaohe: 1",
        "unsupported ruleset format kaohe: {actual}: this engine reads kaohe: 1",
    ),
    "E-COMPONENT-UNKNOWN": (
        "未知的{kind_zh} “{name}”：可用的有 {available}；用 kaohe plugins 查看已安装的组件",
        "unknown {kind} '{name}': available are {available}; run 'kaohe plugins' to list installed components",
    ),
    "E-PLUGIN-DUPLICATE": (
        "{kind_zh} “{name}” 被两个插件重复注册：{first} 和 {second}；请卸载其中一个或为组件改名",
        "{kind} '{name}' is registered by two plugins: {first} and {second}; uninstall one or rename the component",
    ),
    "E-PLUGIN-DUPLICATE-FUNCTION": (
        "表达式函数 “{name}” 已由插件 {first} 注册，插件 {second} 又注册了同名函数：函数不会被替换（内置函数也一样），"
        "请为 {second} 中的函数改名",
        "expression function '{name}' is registered by plugin {first}, and plugin {second} registers it again: "
        "functions are never replaced (built-in ones neither); rename the function in {second}",
    ),
    "E-PLUGIN-OUTCOME-NAME": (
        "“{name}” 同时被注册为分配方法（插件 {allocator}）和结果运用（插件 {outcome}）：两者共用 outcomes 中 use: 的名称，"
        "请为其中一个改名",
        "'{name}' is registered both as an allocator (plugin {allocator}) and as an outcome (plugin {outcome}): "
        "the two share the names of use: under outcomes; rename one of them",
    ),
    "E-PLUGIN-HOOK": (
        "插件 {plugin} 无法加载：{problem}。请检查钩子函数名（如 register_raters）是否拼写正确",
        "plugin {plugin} cannot be loaded: {problem}. Check the hook names (e.g. register_raters) for typos",
    ),
    "E-INTERNAL": (
        "内部错误（{kind}：{problem}）。这不是方案或数据的问题，请把命令和文件报告给维护者；设置环境变量 KAOHE_DEBUG=1 可看到详细信息",
        "internal error ({kind}: {problem}). This is not a problem in your ruleset or data; please report the command and files; set KAOHE_DEBUG=1 to see the details",
    ),
    "E-GROUP-BY": (
        "排名分组 “{key}” 不存在：可用 all、class、unit 或 subjects.fields 中声明的列",
        "ranking group '{key}' does not exist: use all, class, unit or a column declared under subjects.fields",
    ),
    "E-RULE-KEY-FIELD": (
        "key 写的 “{name}” 不是事件字段：可用的有 {available}（其他字段请先在 event_fields 中声明）",
        "key '{name}' is not an event field: available are {available} (declare others under event_fields)",
    ),
    "E-RULE-CAP-MONTH-PER": (
        "cap_month 按事件日期所在的月封顶，只用于按事件计的规则（per: event），这条规则是 per: {per}，写了也不起作用："
        "请删去 cap_month，或用 cap（每个周期）、cap_year（全年）",
        "cap_month caps by the month of each event's date, so it applies to rules per event only; this rule is "
        "per: {per}, where it would do nothing: remove cap_month, or use cap (per period) or cap_year (per year)",
    ),
    "E-RULE-KEY-PER": (
        "只有按事件或按整改事项计的规则（per: event、per: item）才能按 key 编号和封顶：请删去 key 或改为 per: event",
        "only rules per event or per item (per: event, per: item) can number and cap rows per key: remove key or "
        "use per: event",
    ),
    "E-RULE-KEY-NEEDED": (
        "cap_key 是“同一事项最多多少分”，需要同时写 key（按哪个事件字段分事项）",
        "cap_key caps points per key: also write key (the event field that tells the keys apart)",
    ),
    "E-TARGET-BONUS": (
        "加分规则不能设置 target（扣完为止只用于扣分）：请删除 target，或把规则移到 deductions",
        "a bonus cannot have a target (floored deduction is for deductions only): remove target or move the rule to deductions",
    ),
    "E-PARAMS": (
        "{kind_zh} “{name}” 的参数有误：{detail}",
        "bad parameters for {kind} '{name}': {detail}",
    ),
    "E-ID-DUPLICATE": (
        "编号 “{id}” 重复（第一次在第 {first_line} 行）：编号在整个方案中必须唯一",
        "id '{id}' is used twice (first at line {first_line}): ids must be unique in a ruleset",
    ),
    "E-REF-UNKNOWN": (
        "引用了不存在的{kind_zh} “{name}”",
        "refers to unknown {kind} '{name}'",
    ),
    "E-WEIGHT-SUM": (
        "“{parent}” 的下级指标{scope_zh}合计 {actual}，应为 {expected}：请调整分值或权重，或设置 children_must_sum: false{hint}",
        "children of '{parent}'{scope_en} add up to {actual}, expected {expected}: fix the points or weights, or set children_must_sum: false{hint}",
    ),
    "E-WEIGHT-MIXED": (
        "“{parent}” 的下级指标同时使用了 points 和 weight：同一层只能用一种",
        "children of '{parent}' mix points and weight: use one kind per level",
    ),
    "E-LEAF-NO-RATER": (
        "指标 “{id}” 既没有下级指标也没有评分方法（rater）：请补上 rater 或 children",
        "indicator '{id}' has neither children nor a rater: add one of them",
    ),
    "E-BRANCH-RATER": (
        "指标 “{id}” 有下级指标，不能再设置评分方法（rater）",
        "indicator '{id}' has children, so it cannot have a rater",
    ),
    "E-BANDS-GAP": (
        "分档不连续：上一档到 {prev_to} 为止，这一档从 {start} 开始",
        "bands are not contiguous: the previous band ends at {prev_to}, this one starts at {start}",
    ),
    "E-BANDS-OVERLAP": (
        "分档重叠或顺序颠倒：上一档到 {prev_to} 为止，这一档从 {start} 开始；请按从低到高排列且首尾相接",
        "bands overlap or are out of order: the previous band ends at {prev_to}, this one starts at {start}; list them low to high, end to end",
    ),
    "E-BANDS-EMPTY": (
        "分档的下限 {start} 不小于上限 {end}",
        "band lower bound {start} is not below its upper bound {end}",
    ),
    "E-GRADES-ORDER": (
        "等次必须按分数线从高到低排列：“{grade}” 的分数线 {min} 不低于上一等次的 {prev_min}",
        "grades must be listed from the highest threshold down: '{grade}' has min {min}, not below the previous {prev_min}",
    ),
    "E-GRADES-LAST": (
        "最后一个等次不应设置分数线（min），它收容其余所有对象",
        "the last grade should have no min: it takes everyone else",
    ),
    "E-GRADE-UNKNOWN": (
        "等次 “{grade}” 不在任何一张等次表中（grading.grades 或 grading.scales）：已有的等次是 {known}",
        "grade '{grade}' is in no grade table (grading.grades or grading.scales): the grades are {known}",
    ),
    "E-ACROSS-WITHIN": (
        "跨组名额的计数范围 “{key}” 不存在：可用 all、class、unit 或 subjects.fields 中声明的列",
        "the scope '{key}' of across_groups does not exist: use all, class, unit or a column declared under subjects.fields",
    ),
    "E-PARTITION-NONE": (
        "{folder} 不是按 {key} 分区的数据文件夹：没有找到 {looked}。请先用 kaohe partition RULESET --by {key} --out {folder} 写出分区",
        "{folder} is not a data folder partitioned by {key}: {looked} was not found. Write the partitions first with kaohe partition RULESET --by {key} --out {folder}",
    ),
    "E-PARTITION-KEY": (
        "不能按 “{key}” 分区：分区依据必须是对象表的列，可用 {allowed}",
        "cannot partition by '{key}': the partition key must be a subjects column, one of {allowed}",
    ),
    "E-PARTITION-SUBJECT": (
        "{table} 第 {row} 行的对象 “{subject}” 不在对象表中，无法确定它属于哪个分区",
        "row {row} of {table} names subject '{subject}', which is not in the subjects table, so it belongs to no partition",
    ),
    "E-PARTITION-COLUMN": (
        "{table} 没有对象编号列，无法分区",
        "{table} has no subject column, so it cannot be partitioned",
    ),
    "E-PARTITION-OUTCOME": (
        "结果运用 “{outcome}”（{use}）要用到其他排名分组的对象（如全体共享的奖金池），不能分区计算：请去掉 --engine dask 在一台机器上计算，或改为在每个分组内计算",
        "outcome '{outcome}' ({use}) reads subjects of other ranking groups (e.g. a pool shared by the whole period), so it cannot be evaluated in partitions: run without --engine dask, or make it work within each group",
    ),
    "E-PARTITION-RATER": (
        "指标 “{indicator}” 的评分方法 {use} 要用到其他排名分组的对象，不能分区计算：请去掉 --engine dask 在一台机器上计算",
        "the rater {use} of indicator '{indicator}' reads subjects of other ranking groups, so it cannot be evaluated in partitions: run without --engine dask",
    ),
    "E-PARTITION-SCOPE": (
        "分区计算时同组统计只能在 {allowed} 范围内比较，这里写的是 “{scope}”（{expr}）：一个分区只有部分对象。请改用 'group'，按该范围分区，或去掉 --engine dask",
        "in a partitioned run cohort functions may compare only within {allowed}; this one compares within '{scope}' ({expr}), and a partition holds only some of those subjects. Use 'group', partition by that scope, or run without --engine dask",
    ),
    "E-PARTITION-GROUP": (
        "排名分组 “{group}” 同时出现在分区 {a} 和 {b} 中：分区必须包含完整的排名分组。请按 grading.group_by（或包含它的列）分区",
        "ranking group '{group}' is in both partitions {a} and {b}: a partition must hold whole ranking groups. Partition by grading.group_by (or a column that contains it)",
    ),
    "E-PARTITION-ROUNDS": (
        "跨组名额经过 {rounds} 轮分区计算仍未确定，这不应发生：请把方案报告给维护者，并先在一台机器上计算",
        "the places across groups did not settle after {rounds} rounds of partitions, which should not happen: please report the ruleset, and run on one machine meanwhile",
    ),
    "E-PARTITION-FORMAT": (
        "分区计算（--engine dask）只写 Parquet：请用 --format parquet --out 文件",
        "a partitioned run (--engine dask) writes Parquet only: use --format parquet --out FILE",
    ),
    "E-QUOTA-SHARE": (
        "比例 {actual} 无效：max_share 必须大于 0 且不超过 1（例如 0.2 表示 20%）",
        "share {actual} is invalid: max_share must be above 0 and at most 1 (0.2 means 20%)",
    ),
    "E-TIEBREAK-KEY": (
        "排名依据 “{key}” 不存在：可用 total、指标编号、id、name 或对象表中的列",
        "tie-break key '{key}' does not exist: use total, an indicator id, id, name or a subject column",
    ),
    "E-CLASS-UNKNOWN": (
        "类别 “{name}” 未在 subjects.classes 中定义",
        "class '{name}' is not defined in subjects.classes",
    ),
    "E-PERIOD-ANNUAL": (
        "年度组成部分 “{name}” 必须是只在年度评价的指标（cycle: year）",
        "annual component '{name}' must be an indicator evaluated yearly (cycle: year)",
    ),
    "E-INPUT-UNKNOWN": (
        "数据项 “{name}” 未在 inputs 中声明：请在 inputs 中加上它，或改正拼写",
        "input '{name}' is not declared under inputs: declare it or fix the spelling",
    ),
    "E-ROLLUP-WEIGHT": (
        "年度汇总的权重合计为 {actual}，应为 1",
        "year roll-up weights add up to {actual}, expected 1",
    ),
}
