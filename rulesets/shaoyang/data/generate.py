"""Regenerate Shaoyang's synthetic data for 2024 and 2025 (seeded, so reruns are identical).

    python rulesets/shaoyang/data/generate.py

One set of tables serves both rulesets (2024.yaml reads the 2024 periods, 2025.yaml the
2025 periods; bench_value of earlier years feeds the challenge target). The task list
(“三化”: 任务 → 项目 → 清单 → 责任单位/责任人) is the events table, type 任务, one row per
task item per quarter, dated on the quarterly 调度 day.

The 360 度评估 has four rater groups: 市领导 (leader, above), 部门互评 (peer, same level),
本单位干部职工 (staff, below) and 服务对象 (public, outside). The staff ratings are drawn from a
second seeded generator (staff_rng), so adding them left every other value, event and rating
exactly as it was before the group existed.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

HERE = Path(__file__).parent
YEARS = [2024, 2025]
QUARTERS = ["Q1", "Q2", "Q3", "Q4"]
DISPATCH_MONTH = {"Q1": 3, "Q2": 6, "Q3": 9, "Q4": 12}   # 季度调度在季末月
QUARTER_END = {"Q1": "03-31", "Q2": "06-30", "Q3": "09-30", "Q4": "12-31"}

UNITS = [
    # id, name, class, joined, left
    ("SY01", "市发展和改革委员会", "econ", "", ""),
    ("SY02", "市工业和信息化局", "econ", "", ""),
    ("SY03", "市商务局", "econ", "", ""),
    ("SY04", "市财政局", "econ", "", ""),
    ("SY05", "市自然资源和规划局", "econ", "", ""),
    ("SY06", "市住房和城乡建设局", "econ", "", ""),
    ("SY07", "市交通运输局", "econ", "", ""),
    ("SY08", "市农业农村局", "econ", "", ""),
    ("SY09", "市文化旅游广电体育局", "econ", "", ""),
    ("SY10", "市市场监督管理局", "econ", "", ""),
    ("SY11", "市粮食和物资储备局", "econ", "", "2024-10-15"),   # 2024 年 10 月机构改革并入发改委
    ("SY12", "市教育局", "social", "", ""),
    ("SY13", "市卫生健康委员会", "social", "", ""),
    ("SY14", "市人力资源和社会保障局", "social", "", ""),
    ("SY15", "市民政局", "social", "", ""),
    ("SY16", "市生态环境局", "social", "", ""),
    ("SY17", "市应急管理局", "social", "", ""),
    ("SY18", "市医疗保障局", "social", "", ""),
    ("SY19", "市城市管理和综合执法局", "social", "", ""),
    ("SY20", "市数据局", "social", "2024-06-22", ""),   # 2024 年新组建：二季度在岗半个月，不参加排名
    ("SY21", "市委组织部", "party", "", ""),
    ("SY22", "市委宣传部", "party", "", ""),
    ("SY23", "市委政法委员会", "party", "", ""),
    ("SY24", "市委统战部", "party", "", ""),
    ("SY25", "市机关事务服务中心", "party", "", ""),
    ("SY26", "市档案馆", "party", "", ""),
]

PROJECTS = {   # 任务项目化、项目清单化：类别 → (项目, 清单, 任务)
    "econ": [("先进制造业“双引擎”", "市重点产业项目清单", ["技改投资完成", "规上企业培育", "园区标准厂房建设"]),
             ("招商引资“一号工程”", "市重大招商项目清单", ["签约项目落地", "外贸进出口", "招商项目开工"]),
             ("重点项目建设", "市重点建设项目清单", ["专项债资金支出", "用地报批", "重点工程形象进度"]),
             ("优化营商环境", "营商环境改革任务清单", ["“一件事一次办”事项", "涉企检查减量", "惠企政策兑现"])],
    "social": [("民生实事工程", "市十大民生实事清单", ["民生实事项目完工", "学位建设", "养老服务设施"]),
               ("基层治理", "基层治理任务清单", ["网格化服务", "矛盾纠纷化解", "政务数据归集"]),
               ("生态环境保护", "污染防治攻坚清单", ["空气质量优良天数", "黑臭水体整治", "老旧小区改造"]),
               ("安全生产", "安全生产责任清单", ["隐患排查整治", "医保基金监管检查", "应急演练"])],
    "party": [("党建引领", "党建重点任务清单", ["基层党组织整顿", "党建阵地建设", "干部教育培训"]),
              ("意识形态工作", "宣传思想工作清单", ["重大主题宣传", "网络舆情处置", "统战工作调研"]),
              ("平安邵阳建设", "平安建设任务清单", ["矛盾纠纷化解", "平安创建", "信访积案化解"]),
              ("机关效能", "机关效能提升清单", ["公务用车管理", "档案数字化", "机关节能改造"])],
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗曾谢唐邓彭萧贺蒋袁"
GIVEN = ["建华", "志强", "海燕", "卫东", "丽娟", "国平", "小龙", "红梅", "文斌", "春生",
         "晓辉", "立新", "秀英", "明亮", "湘君", "宏伟", "玉兰", "振宇", "桂芳", "德胜"]


def write(name: str, header: list[str], rows: list[list[object]]) -> None:
    with open(HERE / name, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def on_post(unit: tuple[str, str, str, str, str], year: int, quarter: str) -> bool:
    """Whether the unit is on post on any day of the quarter (the engine decides the months)."""
    _, _, _, joined, left = unit
    start = f"{year}-{DISPATCH_MONTH[quarter] - 2:02d}-01"
    end = f"{year}-{QUARTER_END[quarter]}"
    if joined and joined > end:
        return False
    return not (left and left < start)


def main() -> None:
    rng = random.Random(430500)   # 邵阳市行政区划代码
    staff_rng = random.Random(4305001)   # 本单位干部职工测评（下级方向）单独的随机序列，不改变其余数据
    write("subjects.csv", ["id", "name", "class", "joined", "left"], [list(u) for u in UNITS])
    # 每个单位的“能力”：决定任务完成率、核心指标完成率、测评分
    ability = {u[0]: rng.uniform(0.72, 1.0) for u in UNITS}
    ability["SY19"] = 0.6    # 城管执法局：任务滞后较多，触发风险预警函
    ability["SY26"] = 0.66   # 档案馆
    owners = {u[0]: [rng.choice(SURNAMES) + rng.choice(GIVEN) for _ in range(4)] for u in UNITS}

    values: list[list[object]] = []
    events: list[list[object]] = []
    ratings: list[list[object]] = []
    # 往年横向对标值（挑战目标：本单位近三年平均）
    for uid, *_ in UNITS:
        base = 0.75 + 0.2 * ability[uid]
        for year in (2021, 2022, 2023, 2024):
            if uid == "SY20" and year < 2024:
                continue   # 新组建单位没有往年数据
            values.append([uid, str(year), "bench_value", round(min(base + rng.uniform(-0.04, 0.04), 1.0), 3)])

    for year in YEARS:
        for quarter in QUARTERS:
            period = f"{year}{quarter}"
            month = DISPATCH_MONTH[quarter]
            for unit in UNITS:
                uid, _, cls, _, _ = unit
                if not on_post(unit, year, quarter):
                    continue
                a = ability[uid]
                target = rng.choice([80, 100, 120])
                values += [[uid, period, "core_target", target],
                           [uid, period, "core_actual", round(target * min(a + rng.uniform(-0.1, 0.22), 1.15))],
                           [uid, period, "bench_value", round(min(0.75 + 0.2 * a + rng.uniform(-0.05, 0.05), 1.0), 3)],
                           [uid, period, "ontime_rate", round(min(0.55 + 0.45 * a + rng.uniform(-0.04, 0.06), 1.0), 2)]]
                if cls == "party" and year == 2024:
                    values.append([uid, period, "key_work_points", round(min(40 * (a + rng.uniform(-0.05, 0.1)), 40), 1)])
                # “三化”任务清单：2024 年经济、民生两类，2025 年全部单位
                if cls != "party" or year >= 2025:
                    projects = PROJECTS[cls]
                    for k in range(rng.randint(3, 6)):
                        project, checklist, tasks = projects[k % len(projects)]
                        task = rng.choice(tasks)
                        tgt = rng.choice([4, 5, 6, 8, 10])
                        done = max(0, min(tgt + 2, round(tgt * (a + rng.uniform(-0.25, 0.2)))))
                        rate = done / tgt
                        status = "已完成" if rate >= 1 else ("序时推进" if rate >= 0.8 else "滞后")
                        deadline = f"{year}-{QUARTER_END[quarter]}" if rng.random() < 0.7 else f"{year}-12-31"
                        events.append([uid, f"{year}-{month:02d}-25", "任务", "", "",
                                       f"{uid}-{year}{quarter}-{k + 1:02d} {task}", project, checklist,
                                       rng.choice(owners[uid]), deadline, rng.choice([1, 1, 2, 3]), tgt, done, status])
                # 问责通报（偶发）
                if rng.random() < 0.06 + 0.25 * (1 - a):
                    day = rng.randint(1, 28)
                    events.append([uid, f"{year}-{month - rng.randint(0, 2):02d}-{day:02d}", "问责通报", "", "",
                                   "", "", "", "", "", "", "", "", ""])
                # 360 度评估（分数制，满分 100）
                for group, count in (("leader", 3), ("peer", 6), ("public", 5)):
                    for r in range(count):
                        score = round(min(100, max(50, 60 + 38 * a + rng.gauss(0, 5))), 0)
                        ratings.append([uid, period, group, f"{group}-{r + 1}", int(score), ""])
                # 本单位干部职工（下级）8 人，同一能力模型
                for r in range(8):
                    score = round(min(100, max(50, 60 + 38 * a + staff_rng.gauss(0, 5))), 0)
                    ratings.append([uid, period, "staff", f"staff-{r + 1}", int(score), ""])

    events.sort(key=lambda e: (e[1], e[0], e[5]))
    write("values.csv", ["subject", "period", "input", "value"], values)
    write("events.csv", ["subject", "date", "type", "points", "confirmed", "task", "project", "checklist",
                         "owner", "deadline", "weight", "target", "done", "status"], events)
    write("ratings.csv", ["subject", "period", "group", "rater", "score", "vote"], ratings)


if __name__ == "__main__":
    main()
