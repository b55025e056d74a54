"""Codes raised while evaluating, grading, allocating and writing results."""

MESSAGES = {
    "E-EVAL-MISSING": (
        "对象 “{subject}” 在 {period} 缺少指标 “{indicator}” 所需的数据（{inputs}）；该指标的缺失处理为 error：请补齐数据，或把 missing 改为 zero 或 exclude",
        "subject '{subject}' has no data for indicator '{indicator}' ({inputs}) in {period}; its missing policy is error: supply the data or set missing to zero or exclude",
    ),
    "E-PERIOD-UNKNOWN": (
        "周期 “{period}” 无效：可用的周期有 {available}",
        "period '{period}' is not valid: available periods are {available}",
    ),
    "E-SUBJECT-UNKNOWN": (
        "找不到考核对象 “{subject}”",
        "subject '{subject}' not found",
    ),
    "E-OUTPUT-WRITE": (
        "无法写入 {file}：{problem}",
        "cannot write {file}: {problem}",
    ),
}
