"""Codes of the handouts read from a results document (engine/report/handouts.py): the
publicity list and the feedback-talk sheets."""

MESSAGES: dict[str, tuple[str, str]] = {
    "E-HANDOUT-PERIOD": (
        "结果中没有周期 {period}（有：{known}）",
        "the results hold no period {period} (they hold: {known})",
    ),
    "E-HANDOUT-ACHIEVEMENTS": (
        "公示名单 {outcome} 的 achievements 写的是 “{name}”，方案中没有这个编号的结果运用。"
        "请写列出实绩的那项结果运用（通常是 event_list）的编号",
        "the publicity list {outcome} names achievements '{name}', but the ruleset has no outcome "
        "with that id. Give the id of the outcome that lists the achievements (usually an event_list)",
    ),
}
