"""The standard columns of each data table and the Chinese headers an office writes for them.

One table for the reader (a header may be the column's id, its Chinese title or one of
its aliases) and for the writer of data-entry templates (which heads each column with
the title). Inputs, event fields, history fields and item fields take their titles
from the ruleset (``inputs.<id>.title`` …), not from here.
"""

from __future__ import annotations

from typing import NamedTuple


class Column(NamedTuple):
    id: str
    title: str  # the header a template writes
    aliases: tuple[str, ...] = ()  # other headers offices use for the same column


STANDARD: dict[str, tuple[Column, ...]] = {
    "subjects": (
        Column("id", "编号", ("对象编号", "代码", "单位编号", "人员编号", "工号")),
        Column("name", "名称", ("对象名称", "姓名", "单位名称", "部门名称")),
        Column("unit", "所属单位", ("单位", "部门", "所在单位")),
        Column("class", "类别", ("分类", "对象类别", "类型")),
        Column("joined", "到岗日期", ("入职日期", "任职日期")),
        Column("left", "离岗日期", ("离职日期", "调出日期")),
    ),
    "values": (
        Column("subject", "对象编号", ("编号", "对象")),
        Column("name", "名称", ("对象名称", "姓名", "单位名称", "部门名称")),  # for checking only
        Column("period", "周期", ("考核周期", "期间")),
        Column("input", "数据项", ("指标数据项",)),
        Column("value", "数值", ("值", "数据")),
    ),
    "events": (
        Column("subject", "对象编号", ("编号", "对象")),
        Column("date", "日期", ("发生日期", "时间")),
        Column("period", "周期", ("考核周期",)),
        Column("type", "事件类型", ("类型", "事项类型")),
        Column("points", "分值", ("分数",)),
        Column("confirmed", "已核实", ("是否核实", "核实")),
    ),
    "ratings": (
        Column("subject", "被评对象编号", ("对象编号", "编号", "对象")),
        Column("period", "周期", ("考核周期",)),
        Column("indicator", "指标", ("指标编号",)),
        Column("group", "评价组", ("评价群体", "评议组")),
        Column("rater", "评价人", ("评议人",)),
        Column("score", "评分", ("分数", "得分")),
        Column("vote", "评价等次", ("投票", "评议等次")),
    ),
    "history": (
        Column("subject", "对象编号", ("编号", "对象")),
        Column("year", "年度", ("年份",)),
    ),
    "items": (
        Column("id", "事项编号", ("编号",)),
        Column("subject", "对象编号", ("责任对象", "对象")),
        Column("opened", "交办日期", ("交办时间",)),
        Column("deadline", "完成时限", ("时限",)),
        Column("closed", "销号日期", ("销号时间",)),
        Column("owner", "责任人", ()),
    ),
}


def standard(table: str) -> tuple[Column, ...]:
    """The standard columns of ``table`` (empty for a table with none, e.g. ``results``)."""
    return STANDARD.get(table, ())
