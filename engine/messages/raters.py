"""Codes raised by the built-in raters (E-RATER-* for parameters, E-RATING-* for survey data).

The band codes (E-BANDS-GAP, E-BANDS-OVERLAP, E-BANDS-EMPTY) live in ``core``.
"""

MESSAGES: dict[str, tuple[str, str]] = {
    "W-RATE-CAP-POINTS": (
        "cap 是得分率上限（1 = 满分，1.2 = 满分的 120%），{cap} 表示最多得满分的 {percent}%，像是把分值写在了这里："
        "只封顶到满分就删去 cap 或写 1；允许超额得分写 1.2 这样的比率",
        "cap is a rate cap (1 = full marks, 1.2 = 120 % of full marks); {cap} allows {percent} % of full marks and "
        "looks like points written where a rate is meant: delete cap (or write 1) to stop at full marks, or write "
        "a rate such as 1.2 to reward over-fulfilment",
    ),
    "E-RATER-ITEM-WEIGHT": (
        "指标 {indicator} 在 {period} 的清单项权重为 {value}（事件表第 {row} 行，共 {count} 项有此问题）：权重必须是"
        "不小于 0 的数；请在事件表中补全或更正权重",
        "indicator {indicator}, {period}: a list item's weight is {value} (events row {row}; {count} item(s) "
        "affected): weights must be numbers of at least 0; fill in or correct the weight in the events table",
    ),
    "E-RATER-FLOOR-ABOVE-CAP": (
        "下限 floor（{floor}）大于上限 cap（{cap}）：请把 floor 改为不超过 cap 的值",
        "floor ({floor}) is above cap ({cap}): make floor at most cap",
    ),
    "E-RATER-SURVEY-WEIGHTS": (
        "各评价人组的权重合计为 {total}，应为 1（{groups}）：请调整 weight 使合计等于 1",
        "the rater groups' weights sum to {total}, not 1 ({groups}): adjust the weights so they sum to 1",
    ),
    "E-RATER-SURVEY-TRIM": (
        "去高去低设置会去掉全部评价：人数多于 {above} 人时各去掉 {drop} 个最高分和最低分；"
        "请让 above 至少为 drop 的 2 倍",
        "trim would drop every rating: above {above} raters it drops {drop} highest and {drop} lowest; "
        "make above at least twice drop",
    ),
    "E-RATER-SURVEY-ABSTAIN-VOTE": (
        "“{label}” 既写在 abstain（弃权，不计人数）中，又在 votes 中规定了分数 {score}：一种票只能是其中之一；"
        "请从 abstain 或 votes 中删去它",
        "'{label}' is listed under abstain (not counted) and also has the score {score} under votes: "
        "a vote is one or the other; remove it from abstain or from votes",
    ),
    "E-RATER-PIECEWISE-ORDER": (
        "第 {index} 个分段点的 at（{at}）小于前面第 {previous_index} 个点的 at（{previous}）："
        "分段点要按 at 从小到大排列；请调整顺序或更正数值",
        "breakpoint {index} has at {at}, below at {previous} of breakpoint {previous_index}: "
        "list the breakpoints in increasing order of at",
    ),
    "E-RATER-PIECEWISE-JUMP": (
        "第 {index} 个分段点是 at = {at} 的第 3 个点：同一个 at 最多写两个点（表示在该处跳变）；"
        "请删去多余的点或更正 at",
        "breakpoint {index} is the third point at {at}: one value holds at most two points (a jump there); "
        "remove the extra point or correct at",
    ),
    "E-RATER-PIECEWISE-SUBJECT-ORDER": (
        "指标 {indicator} 在 {period}：对象 {subject} 的分段点没有从小到大排列——第 {index} 个点 at = {at} 算得 {value}，"
        "小于第 {previous_index} 个点 at = {previous} 算得的 {previous_value}（共 {count} 个对象有此问题）；"
        "请检查分段点的表达式或该对象的数据，使每个对象的 at 都不减小",
        "indicator {indicator}, {period}: the breakpoints of subject {subject} are out of order: breakpoint {index} "
        "(at = {at}) is {value}, below {previous_value} of breakpoint {previous_index} (at = {previous}); "
        "{count} subject(s) affected; check the breakpoints' expressions or the subject's data so that at never "
        "decreases",
    ),
    "E-RATING-VOTE": (
        "指标 {indicator} 的评价数据中有未定义的票 “{label}”：只能是 {allowed} 之一；"
        "请更正评价数据，或在 votes 中为它规定分数",
        "the ratings for indicator {indicator} contain the vote '{label}', which is not defined: "
        "use one of {allowed}, or give it a score under votes",
    ),
    "E-RATING-NO-VOTES": (
        "指标 {indicator} 的评价数据中有投票 “{label}”，但评分方法没有规定票值：请在 votes 中写明各档票的分数，"
        "如 {{好: 100, 较好: 80, 一般: 60, 较差: 40}}，或在评价数据中填写分数",
        "the ratings for indicator {indicator} contain the vote '{label}' but the rater defines no votes: "
        "give each vote a score under votes, e.g. {{好: 100, 较好: 80, 一般: 60, 较差: 40}}, or record scores instead",
    ),
}
