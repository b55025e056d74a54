"""Messages of `kaohe diff --impact`."""

MESSAGES: dict[str, tuple[str, str]] = {
    "E-IMPACT-DATA": (
        "找不到数据文件夹 {path}：--impact 后面写两种方案共用的数据文件夹（含 subjects.csv 等）",
        "data folder {path} not found: after --impact give the data folder both rulesets read (with subjects.csv …)",
    ),
    "E-IMPACT-PERIOD": (
        "没有可比较的周期 {period}：可用的周期为 {available}；请用 --period 选择其中之一",
        "no period {period} to compare: the periods are {available}; choose one with --period",
    ),
    "E-IMPACT-OLD-INVALID": (
        "旧方案移到新方案的年度后无法使用：请先分别运行 kaohe validate 检查两个方案",
        "the old ruleset cannot be used in the new ruleset's year: run kaohe validate on both first",
    ),
}
