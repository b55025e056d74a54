"""Codes for the rectification lifecycle: the items table (整改 / 督办 items with
an opening day, a deadline and a closing day) and its checks.

Located like every data problem: file, row, column position and column name.
"""

MESSAGES = {
    "E-DATA-ITEM-DEADLINE": (
        "整改事项 “{id}” 的完成时限 {deadline} 早于交办日期 {opened}：请更正其中一个日期",
        "item '{id}' is due on {deadline}, before it was opened on {opened}: correct one of the dates",
    ),
    "E-DATA-ITEM-CLOSED": (
        "整改事项 “{id}” 的销号日期 {closed} 早于交办日期 {opened}：请更正其中一个日期；尚未销号的请留空",
        "item '{id}' was closed on {closed}, before it was opened on {opened}: correct one of the dates; "
        "leave it blank while the item is open",
    ),
    "E-DATA-ITEM-DUPLICATE": (
        "整改事项编号 “{id}” 重复（第一次在第 {first} 行）：每个事项只写一行，跨周期结转的事项不要重复登记，"
        "销号时在原行填写销号日期",
        "item id '{id}' appears twice (first in row {first}): write each item once; an item carried into later "
        "periods is the same row, closed by filling in its closing day",
    ),
}
