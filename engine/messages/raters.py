"""Codes raised by the built-in raters (E-RATER-* for parameters, E-RATING-* for survey data).

The band codes (E-BANDS-GAP, E-BANDS-OVERLAP, E-BANDS-EMPTY) live in ``core``.
"""

MESSAGES: dict[str, tuple[str, str]] = {
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
