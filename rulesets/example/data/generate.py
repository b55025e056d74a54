"""Regenerate the example's synthetic data (seeded, so reruns are identical).

    python rulesets/example/data/generate.py
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

HERE = Path(__file__).parent
FRONTLINE = ["招商局", "发改局", "工信局", "商务局", "科技局", "住建局", "交通局", "农业农村局",
             "文旅局", "自然资源局", "生态环境局", "市场监管局"]
SUPPORT = ["办公室", "组织部", "宣传部", "财政局", "人社局", "司法局", "审计局", "统计局",
           "信访局", "机关事务局", "档案馆", "政务服务中心"]
QUARTERS = ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
QUARTER_MONTH = {"2025Q1": 2, "2025Q2": 5, "2025Q3": 8, "2025Q4": 11}


def write(name: str, header: list[str], rows: list[list[object]]) -> None:
    with open(HERE / name, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main() -> None:
    rng = random.Random(2025)
    units = [(f"D{i + 1:02d}", name, "frontline") for i, name in enumerate(FRONTLINE)]
    units += [(f"D{i + 13:02d}", name, "support") for i, name in enumerate(SUPPORT)]
    write("subjects.csv", ["id", "name", "class", "joined", "left"],
          [[uid, name, cls, "2025-05-20" if uid == "D24" else "", ""] for uid, name, cls in units])
    values: list[list[object]] = []
    for quarter in QUARTERS:
        for uid, _, cls in units:
            if uid == "D24" and quarter == "2025Q1":
                continue
            if cls == "frontline":
                target = rng.choice([4000, 5000, 6000])
                values += [[uid, quarter, "investment_target", target],
                           [uid, quarter, "investment", round(target * rng.uniform(0.6, 1.3))],
                           [uid, quarter, "project_rate", round(rng.uniform(0.5, 1.0), 2)],
                           [uid, quarter, "tax_growth", rng.randrange(100, 900, 10)]]
            else:
                values += [[uid, quarter, "ontime_rate", round(rng.uniform(0.8, 1.0), 2)],
                           [uid, quarter, "complaints", rng.randint(0, 8)],
                           [uid, quarter, "complaint_limit", 4]]
            values.append([uid, quarter, "key_task_points", round(rng.uniform(14, 20), 1)])
            if rng.random() > 0.1:  # a few units had no satisfaction survey this quarter
                values.append([uid, quarter, "satisfaction", round(rng.uniform(70, 98), 1)])
            if rng.random() < 0.25:
                values.append([uid, quarter, "late_reports", rng.randint(1, 4)])
    for uid, _, _ in units:
        values.append([uid, "2025", "review_score", round(rng.uniform(70, 98), 1)])
    write("values.csv", ["subject", "period", "input", "value"], values)

    events: list[list[object]] = []
    for quarter in QUARTERS:
        month = QUARTER_MONTH[quarter]
        for uid, _, cls in units:
            if uid == "D24" and quarter == "2025Q1":
                continue
            for kind, chance in (("红牌", 0.08), ("黄牌", 0.2), ("点赞", 0.3)):
                while rng.random() < chance:
                    day = rng.randint(1, 28)
                    points = rng.choice([0.5, 1]) if kind == "点赞" else ""
                    events.append([uid, f"2025-{month:02d}-{day:02d}", kind, points, "", f"DB-{rng.randint(1, 40):03d}"])
            if cls == "frontline":
                for _ in range(rng.randint(0, 3)):
                    day = rng.randint(1, 28)
                    confirmed = "true" if rng.random() < 0.7 else "false"
                    events.append([uid, f"2025-{month:02d}-{day:02d}", "招商签约", "", confirmed, ""])
    events.append(["D07", "2025-08-14", "重大安全事故", "", "", ""])
    events.append(["D15", "2025-05-09", "违纪通报", "", "", ""])
    events.sort(key=lambda e: (e[1], e[0]))
    write("events.csv", ["subject", "date", "type", "points", "confirmed", "task"], events)

    ratings: list[list[object]] = []
    votes = ["好", "较好", "一般", "较差"]
    for quarter in QUARTERS:
        for uid, _, _ in units:
            if uid == "D24" and quarter == "2025Q1":
                continue
            bias = rng.uniform(0, 1)
            for group, count in (("leader", 2), ("peer", 6), ("public", 4)):
                for k in range(count):
                    weights = [bias + 0.5, 1.0, 0.6 - bias * 0.4, 0.2]
                    vote = rng.choices(votes, weights=weights)[0]
                    ratings.append([uid, quarter, group, f"{group}-{k + 1}", "", vote])
    write("ratings.csv", ["subject", "period", "group", "rater", "score", "vote"], ratings)


if __name__ == "__main__":
    main()
