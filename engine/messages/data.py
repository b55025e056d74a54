"""Codes for data tables (subjects, values, events, ratings) and data sources."""

MESSAGES = {
    "E-DATA-SOURCE": (
        "无法读取数据 {table}：{problem}",
        "cannot read data table {table}: {problem}",
    ),
}
