"""Regenerate Yangquan high-tech zone's synthetic data for 2020–2022 (seeded: reruns are identical).

    python rulesets/yangquan-hitech/data/generate.py

24 departments (8 front-line, 16 support), one more taken over in April 2022
(社会职能回归后的新托管部门). Monthly and quarterly values, red/yellow cards,
and from 2022 the 督办事项 (inside clues: province and city tasks, leader
assignments, department feedback, assessment blockages) and the 办不成事
window's complaints (outside clues).
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

HERE = Path(__file__).parent
FRONTLINE = ["招商服务中心", "产业促进局", "发展改革局", "项目推进中心", "科技创新局", "企业服务中心",
             "投资促进局", "经济运行局"]
SUPPORT = ["党政办公室", "组织人事部", "财政金融局", "规划建设局", "自然资源分局", "生态环境分局", "应急管理局",
           "市场监管分局", "行政审批局", "文教卫体管理中心", "纪工委", "宣传统战部", "社区管理中心", "城市管理局",
           "绩效管理中心", "国资运营公司"]
CHANNELS = ["省市下达任务", "领导交办任务", "部门反馈问题", "考核发现堵点"]
OWNERS = "张王李赵刘陈杨黄周吴"


def write(name: str, header: list[str], rows: list[list[object]]) -> None:
    with open(HERE / name, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def unit_values(rng: random.Random, unit: dict, period: str, scale: float) -> list[list[object]]:
    """One period's values; ``scale`` is the period's share of the year for amounts."""
    a, uid = unit["ability"], unit["id"]
    noise = lambda spread: rng.uniform(-spread, spread)  # noqa: E731
    rows = [[uid, period, "project_rate", round(min(1.1, a + noise(0.12)), 3)],
            [uid, period, "environment", round(min(100, 100 * a + noise(6)), 1)],
            [uid, period, "personnel", round(min(100, 100 * a + noise(8)), 1)],
            [uid, period, "ontime_rate", round(min(1.0, 0.82 + 0.18 * a + noise(0.04)), 3)],
            [uid, period, "satisfaction", round(min(100, 100 * a + noise(7)), 1)]]
    if unit["class"] == "frontline":
        target = unit["target"] * scale
        rows += [[uid, period, "investment_target", round(target)],
                 [uid, period, "investment", round(target * (a + noise(0.25)))],
                 [uid, period, "output_growth", round(max(0.5, 12 * a + noise(3)), 1)]]
    else:
        rows.append([uid, period, "assist", round(min(100, 100 * a + noise(6)), 1)])
    return rows


def events_for(rng: random.Random, unit: dict, year: int, month: int) -> list[list[object]]:
    a, uid = unit["ability"], unit["id"]
    day = lambda: f"{year}-{month:02d}-{rng.randint(1, 28):02d}"  # noqa: E731
    out = []
    if rng.random() < (1 - a) * 0.15:
        out.append([uid, day(), "红牌", "", "", "督办事项逾期未办结", "", "", "", "", ""])
    if rng.random() < (1 - a) * 0.4:
        out.append([uid, day(), "黄牌", "", "", "督办事项进度滞后", "", "", "", "", ""])
    if year >= 2022:
        for _ in range(rng.choice([0, 1, 1, 2])):
            closed = "是" if rng.random() < a + 0.05 else "否"
            owner = rng.choice(OWNERS) + rng.choice(["主任", "局长", "科长"])
            deadline = f"{year}-{min(12, month + 1):02d}-28"
            out.append([uid, day(), "督办事项", "内部", rng.choice(CHANNELS), f"{unit['name']}重点事项{month}-{rng.randint(1, 9)}",
                        owner, rng.choice(["专班推进", "限时整改", "协调解决"]), deadline, closed, ""])
        if rng.random() < (1 - a) * 0.5:
            out.append([uid, day(), "督考线索", "外部", "办不成事窗口", "企业反映审批事项办理慢", "", "", "", "", ""])
    return out


def main() -> None:
    rng = random.Random(2022)
    units = [{"id": f"YQ{i + 1:02d}", "name": n, "class": "frontline", "target": rng.choice([40000, 60000, 80000])}
             for i, n in enumerate(FRONTLINE)]
    units += [{"id": f"YQ{i + 9:02d}", "name": n, "class": "support"} for i, n in enumerate(SUPPORT)]
    units.append({"id": "YQ25", "name": "社会事务局", "class": "support", "joined": "2022-04-01"})
    for unit in units:
        unit["ability"] = rng.uniform(0.6, 0.98)
    write("subjects.csv", ["id", "name", "class", "joined", "left"],
          [[u["id"], u["name"], u["class"], u.get("joined", ""), ""] for u in units])
    values: list[list[object]] = []
    events: list[list[object]] = []
    for year in (2020, 2021, 2022):
        for unit in units:
            unit["ability"] = min(0.99, max(0.5, unit["ability"] + rng.uniform(-0.05, 0.05)))
        for month in range(1, 13):
            for unit in units:
                if unit.get("joined", "") > f"{year}-{month:02d}-28":
                    continue
                values += unit_values(rng, unit, f"{year}-{month:02d}", 1 / 12)
                events += events_for(rng, unit, year, month)
            if month % 3 == 0:
                for unit in units:
                    if unit.get("joined", "") > f"{year}-{month:02d}-28":
                        continue
                    values += unit_values(rng, unit, f"{year}Q{month // 3}", 1 / 4)
    write("values.csv", ["subject", "period", "input", "value"], values)
    events.sort(key=lambda e: (e[1], e[0]))
    write("events.csv", ["subject", "date", "type", "source", "channel", "problem", "owner", "measure",
                         "deadline", "closed", "points"], events)


if __name__ == "__main__":
    main()
