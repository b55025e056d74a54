"""Codes raised by the built-in outcomes and allocators and by ``kaohe.engine.evaluation.money``."""

MESSAGES: dict[str, tuple[str, str]] = {
    # -- money (engine/money.py) --------------------------------------------
    "E-MONEY-NOT-NUMBER": (
        "“{value}” 不是有效的金额或数字：请写数字，如 600000 或 \"600000.00\"",
        "'{value}' is not a valid amount or number: write a number such as 600000 or \"600000.00\"",
    ),
    "E-MONEY-UNIT": (
        "金额单位 {unit} 无效：单位必须大于 0、不超过 10¹²，如 \"1\"（元）或 \"0.01\"（分）",
        "money unit {unit} is invalid: it must be above 0 and at most 10^12, e.g. \"1\" (yuan) or \"0.01\" (fen)",
    ),
    "E-MONEY-POOL-NEGATIVE": (
        "奖金池 {pool} 为负数：请填写不小于 0 的金额",
        "pool {pool} is negative: give an amount of 0 or more",
    ),
    "E-MONEY-POOL-UNIT": (
        "奖金池 {pool} 不是金额单位 {unit} 的整数倍，无法精确分完：请调整奖金池，或把 unit 改为能整除它的单位"
        "（如 unit: \"{fitting}\"）",
        "pool {pool} is not a whole number of money units {unit}, so it cannot be paid out exactly: "
        "adjust the pool or use a unit it is a whole number of (e.g. unit: \"{fitting}\")",
    ),
    "E-MONEY-WEIGHT": (
        "第 {index} 个分配权重 {weight} 不是有限数字：请检查权重的来源数据",
        "allocation weight #{index} ({weight}) is not a finite number: check the data behind the weight",
    ),
    "E-MONEY-WEIGHT-NEGATIVE": (
        "第 {index} 个分配权重 {weight} 为负数：权重必须 ≥ 0",
        "allocation weight #{index} ({weight}) is negative: weights must be 0 or more",
    ),
    "E-MONEY-ORDER": (
        "并列顺序必须是全部 {n} 个下标的一个排列（程序内部错误，请报告）",
        "the tie order must be a permutation of the {n} indices (internal error, please report it)",
    ),
    # -- outcomes and allocators (plugins/outcomes.py, plugins/allocators.py) --
    "E-OUTCOME-NEGATIVE-WEIGHT": (
        "结果运用 {outcome}（{period}）：对象 {ids} 的分配权重为负数（{weights}）：请修改权重表达式 “{expr}”，"
        "使权重 ≥ 0（例如用 max(…, 0)），或用 when 把这些对象排除在分配之外",
        "outcome {outcome} ({period}): subjects {ids} have negative allocation weights ({weights}): change the "
        "weight expression '{expr}' so weights are 0 or more (e.g. max(…, 0)), or leave them out with when",
    ),
    "E-OUTCOME-INFINITE-WEIGHT": (
        "结果运用 {outcome}（{period}）：对象 {ids} 的分配权重为无穷大：请检查权重表达式 “{expr}” 及其数据",
        "outcome {outcome} ({period}): subjects {ids} have an infinite allocation weight: check the weight "
        "expression '{expr}' and its data",
    ),
    "E-OUTCOME-NOT-NUMBER": (
        "结果运用 {outcome}（{period}）：{key} 的表达式 “{expr}” 算出的不是数字：请写算术表达式，如 "
        "coefficient * grade_factor",
        "outcome {outcome} ({period}): the {key} expression '{expr}' does not give numbers: write an "
        "arithmetic expression such as coefficient * grade_factor",
    ),
    "E-OUTCOME-GROUP-BY": (
        "结果运用 {outcome}：没有名为 “{column}” 的列可用来区分单位：请把 group_by 改为现有的列（{available}）",
        "outcome {outcome}: there is no column '{column}' to tell units apart: set group_by to an existing "
        "column ({available})",
    ),
    "E-OUTCOME-UNIT-WEIGHT": (
        "结果运用 {outcome}（{period}）：单位 {units} 的单位权重为负数或无穷大（{weights}）：请修改单位权重表达式 "
        "“{expr}”，使其 ≥ 0",
        "outcome {outcome} ({period}): units {units} have a negative or infinite unit weight ({weights}): "
        "change the unit weight expression '{expr}' so it is 0 or more",
    ),
    "E-OUTCOME-COUNT-AND-SHARE": (
        "count（人数）与 share（比例）只能写一个：请删除其中一个",
        "give either count or share, not both: remove one of them",
    ),
    "E-OUTCOME-SHARE-ONLY": (
        "{key} 只在按比例（share）取末位时有效：请同时写 share，或删除 {key}",
        "{key} only applies when share is given: add share or remove {key}",
    ),
    "E-OUTCOME-DIMENSION": (
        "“{name}” 不是指标编号：请改为方案中的指标编号",
        "'{name}' is not an indicator id: use an indicator id of the ruleset",
    ),
    "E-OUTCOME-REFERENCE": (
        "结果运用 {outcome} 的 {key} 写的是 “{name}”，方案中没有这个编号的结果运用。"
        "请写方案中另一项结果运用的编号",
        "outcome {outcome} names '{name}' under {key}, but the ruleset has no outcome with that id. "
        "Give the id of another outcome of the ruleset",
    ),
    "E-OUTCOME-FIELD": (
        "“{name}” 不是事件字段：请在 event_fields 中声明，或改用 type、date、points、confirmed",
        "'{name}' is not an event field: declare it under event_fields or use type, date, points, confirmed",
    ),
}
