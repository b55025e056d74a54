"""Codes for rule expressions (when:, expr:, weight expressions …)."""

MESSAGES = {
    "E-EXPR-SYNTAX": (
        "表达式 “{expr}” 无法解析：{problem}。表达式只能是一行算式或条件，例如 event.type == '红牌'",
        "expression '{expr}' cannot be parsed: {problem}. Write one formula or condition, e.g. event.type == '红牌'",
    ),
    "E-EXPR-FORBIDDEN": (
        "表达式 “{expr}” 使用了不允许的写法 {construct}：只能使用算术、比较、and/or/not、if…else 和内置函数",
        "expression '{expr}' uses {construct}, which is not allowed: use arithmetic, comparisons, and/or/not, if…else and the built-in functions",
    ),
    "E-EXPR-UNKNOWN-NAME": (
        "表达式 “{expr}” 中的名称 “{name}” 未定义：可用的名称有 {available}",
        "expression '{expr}' uses unknown name '{name}': available names are {available}",
    ),
    "E-EXPR-UNKNOWN-FIELD": (
        "表达式 “{expr}” 中的 “{record}.{field}” 不存在：{record} 的字段有 {available}",
        "expression '{expr}': '{record}.{field}' does not exist; fields of {record} are {available}",
    ),
    "E-EXPR-UNKNOWN-FUNCTION": (
        "表达式 “{expr}” 调用了未知函数 “{name}”：可用函数有 {available}",
        "expression '{expr}' calls unknown function '{name}': available functions are {available}",
    ),
    "E-EXPR-ARGS": (
        "表达式 “{expr}” 调用 {name} 时给了 {count} 个参数，不符合其用法 {signature}",
        "expression '{expr}' calls {name} with {count} argument(s), which does not fit {signature}",
    ),
    "E-EXPR-TOO-LARGE": (
        "表达式 “{expr}” 过长或过于复杂（{detail}）：请拆分成几个指标或规则",
        "expression '{expr}' is too long or complex ({detail}): split it into several indicators or rules",
    ),
    "E-EXPR-POWER": (
        "表达式 “{expr}” 的乘方指数必须是绝对值不超过 {limit} 的常数",
        "expression '{expr}': the exponent of ** must be a constant of at most {limit} in absolute value",
    ),
    "E-EXPR-COHORT-SCOPE": (
        "表达式 “{expr}” 中的范围 “{scope}” 不存在：可用的范围有 {available}",
        "expression '{expr}': there is no scope '{scope}'; scopes are {available}",
    ),
    "E-EXPR-COHORT-CONTEXT": (
        "表达式 “{expr}” 在这里不能使用同组统计函数 {name}()：这里的表达式逐个事件计算，没有“同组对象”；请在指标评分、按对象计的加减分（per: subject）、等次条件或结果运用中使用",
        "expression '{expr}' cannot use the cohort function {name}() here: this expression is evaluated per event, where there is no cohort; use it in raters, per-subject rules (per: subject), eligibility or outcomes",
    ),
    "E-EXPR-COHORT-ARG": (
        "表达式 “{expr}” 中 {function}() 的参数不对（{q} {method}）：分位须在 0 到 1 之间，方法须是 {methods} 之一",
        "expression '{expr}': wrong argument to {function}() ({q} {method}); the quantile must be 0–1 and the method one of {methods}",
    ),
    "E-EXPR-NUMBER": (
        "表达式 “{expr}” 中写的数字太大：表达式中的数字不能超过 {limit}（绝对值）。请检查是否多写了位数；金额请写在奖金池等参数中",
        "expression '{expr}' writes a number that is too large: numbers in expressions are limited to {limit} in "
        "absolute value. Check for extra digits; write amounts in parameters such as pool",
    ),
    "E-EXPR-OVERFLOW": (
        "表达式 “{expr}” 算出的数超出范围：{count} 个对象的结果绝对值超过 {limit}（最大 {largest}），"
        "不可能是分数、人数或金额。请检查乘方、连乘和数据的位数",
        "expression '{expr}' computes numbers out of range: for {count} subject(s) the result exceeds {limit} in "
        "absolute value (largest {largest}), which no score, count or amount can be. Check powers, chained "
        "products and the digits of the data",
    ),
    "E-EXPR-PERIODS-CONTEXT": (
        "表达式 “{expr}” 在这里不能使用 {name}()：此前各周期的结果只在等次条件（eligible、分数线、名额）和结果运用中可读；"
        "请把这个条件写到等次条件或结果运用中",
        "expression '{expr}' cannot use {name}() here: earlier periods' results can be read only in grading "
        "(eligible, computed lines, quotas) and outcomes; move the condition there",
    ),
    "E-EXPR-HISTORY-UNDECLARED": (
        "表达式 “{expr}” 使用了 {name}()，它读取往年结果表：请在方案中声明 history_fields（如 grade: {{title: 年度等次}}）"
        "并提供 history 数据表；逐个事件计算的表达式中不能使用",
        "expression '{expr}' uses {name}(), which reads the history table: declare history_fields in the ruleset "
        "(e.g. grade: {{title: annual grade}}) and supply a history table; expressions over single events cannot use it",
    ),
    "E-EXPR-YEARS-ARG": (
        "表达式 “{expr}” 中 {name}() 的 years 写成了 “{value}”：请写正整数，如 years=3 表示最近 3 年",
        "expression '{expr}': years= of {name}() is '{value}'; write a whole number of at least 1, e.g. years=3 for "
        "the last three years",
    ),
    "E-EXPR-PERIODS-ARG": (
        "表达式 “{expr}” 中 {name}() 的 missing 写成了 “{value}”：可选 {allowed}",
        "expression '{expr}': missing= of {name}() is '{value}'; choose one of {allowed}",
    ),
    "E-EXPR-RUNTIME": (
        "计算表达式 “{expr}” 时出错：{problem}",
        "evaluating expression '{expr}' failed: {problem}",
    ),
    "E-EXPR-TEXT-ARITHMETIC": (
        "表达式 “{expr}” 对文字做了算术运算：文字只能比较（==、!=、in）",
        "expression '{expr}' does arithmetic on text: text can only be compared (==, !=, in)",
    ),
}
