"""Codes raised while evaluating, grading, allocating and writing results."""

MESSAGES = {
    "E-EVAL-MISSING": (
        "对象 “{subject}” 在 {period} 缺少指标 “{indicator}” 所需的数据（{inputs}）；该指标的缺失处理为 error：请补齐数据，或把 missing 改为 zero 或 exclude",
        "subject '{subject}' has no data for indicator '{indicator}' ({inputs}) in {period}; its missing policy is error: supply the data or set missing to zero or exclude",
    ),
    "E-DATA-INPUT-ABSENT": (
        "指标 “{indicator}” 读取的数据项 {input} 在数据（{table}）中一条也没有，所有对象都会按 0 分计算："
        "请补上 {input} 这一列（或这些行）；若没有数据就该计 0 分，在该指标写 missing: zero（不计入写 exclude）",
        "indicator '{indicator}' reads input {input}, which the data ({table}) never supplies, so every subject "
        "would score 0: add the {input} column (or rows); if no data should score 0, write missing: zero on the "
        "indicator (exclude to leave it out)",
    ),
    "E-COEFFICIENT-VALUE": (
        "类别系数的表达式对对象 {subject} 算出 {value}：系数须大于 0（缺数据时算不出）。请补齐该对象的数据，或修改表达式",
        "the class coefficient expression gives {value} for subject {subject}: a coefficient must be above 0 (it "
        "cannot be computed without the data). Supply the subject's data or change the expression",
    ),
    "E-QUOTA-VARIES": (
        "名额 {key} 的表达式在组 “{group}” 中算出不同的值（{a} 为 {a_value}，{b} 为 {b_value}）：名额按组计算，"
        "同一组的对象必须得到同一个值。请改用在组内相同的数据（如单位等次），或按该数据分组（grading.group_by）",
        "the quota's {key} expression gives different values within group '{group}' ({a}: {a_value}, {b}: "
        "{b_value}): places are counted per group, so every member must get the same value. Use data that is the "
        "same within a group (e.g. the unit's grade), or group by it (grading.group_by)",
    ),
    "E-QUOTA-MISSING": (
        "名额 {key} 在组 “{group}” 中算不出来：对象 {subject} 缺少表达式所需的数据。请补齐数据",
        "the quota's {key} cannot be computed in group '{group}': subject {subject} lacks the data the expression "
        "reads. Supply the data",
    ),
    "E-QUOTA-VALUE": (
        "名额 {key} 在组 “{group}” 中算出 {value}：比例须大于 0 且不超过 1，名额数须是不小于 0 的整数",
        "the quota's {key} in group '{group}' comes to {value}: a share must be above 0 and at most 1, a count a "
        "whole number of at least 0",
    ),
    "W-SCORE-ABOVE-FULL": (
        "{period} 指标 “{indicator}” 有 {count} 个对象得分高于满分 {full}（最高 {highest}；{subjects}）："
        "请检查评分方法的 cap、分档或公式，或该指标的 points",
        "in {period}, {count} subject(s) score indicator '{indicator}' above its full marks {full} (highest "
        "{highest}; {subjects}): check the rater's cap, bands or formula, or the indicator's points",
    ),
    "W-SUBTOTAL-ABOVE-SCALE": (
        "{period} 有 {count} 个对象的指标合计高于总分 {scale}（最高 {highest}；{subjects}）："
        "请检查各指标分值之和、年度汇总权重，或写 rescale_to_total: true 按 {scale} 分制折算",
        "in {period}, {count} subject(s) have an indicator total above the scale {scale} (highest {highest}; "
        "{subjects}): check the indicators' points, the year roll-up weights, or write rescale_to_total: true",
    ),
    "W-QUOTA-NO-PLACE": (
        "{period} “{grade}” 的名额在 {count} 个对象所在的分组算出 0 名（组内人数 × 比例取整后不足 1 名），"
        "他们达到了{grade}却因此评不上（{subjects}）：若本意是每组至少一名，在 quota 中写 min_count: 1，"
        "或改用 rounding: half_up、ceil",
        "in {period}, the quota of '{grade}' gives the group(s) of {count} subject(s) 0 places (the group size "
        "× the share rounds below 1), so they reached '{grade}' but cannot have it ({subjects}): if each group "
        "is meant to have at least one, write min_count: 1 in the quota, or rounding: half_up or ceil",
    ),
    "W-MISSING-DEFAULT-ZERO": (
        "{period} 指标 “{indicator}” 有 {count} 个对象缺少数据，按默认规则计 0 分（{subjects}）："
        "若 0 分正是本意，在该指标写 missing: zero；不计入写 exclude；必须有数据写 error",
        "in {period}, {count} subject(s) have no data for indicator '{indicator}' and score 0 by default "
        "({subjects}): if 0 is meant, write missing: zero on the indicator; exclude to leave it out; error to "
        "require the data",
    ),
    "E-PERIOD-UNKNOWN": (
        "周期 “{period}” 无效：可用的周期有 {available}",
        "period '{period}' is not valid: available periods are {available}",
    ),
    "E-SUBJECT-UNKNOWN": (
        "找不到考核对象 “{subject}”",
        "subject '{subject}' not found",
    ),
    "E-OUTPUT-IS-INPUT": (
        "--out {file} 是本次读取的方案或数据文件，写入会覆盖它：请换一个输出文件名",
        "--out {file} is a ruleset or data file this run read; writing would overwrite it: choose another output file",
    ),
    "E-OUTPUT-WRITE": (
        "无法写入 {file}：{problem}",
        "cannot write {file}: {problem}",
    ),
}
