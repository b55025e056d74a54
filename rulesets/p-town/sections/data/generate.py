"""Regenerate P town's section-track data for 2024 and 2025 (seeded: reruns are identical).

    python rulesets/p-town/sections/data/generate.py

22 sections and units in three workload classes (the migrant-population office
receiving 100+ people a day is heavy; the elderly association meeting monthly
is light); quarterly 五好 ratings; from 2025 the 12345 tickets (response hours)
and grid events (handled on time or not) captured automatically.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

HERE = Path(__file__).parent
SECTIONS = {
    "heavy": ["流动人口管理办公室", "社保所", "城市管理办公室", "综合执法队", "便民服务中心", "信访办公室"],
    "normal": ["党政办公室", "经济发展办公室", "社会事务办公室", "安全生产办公室", "财政所", "规划建设办公室",
               "农业服务中心", "宣传统战办公室", "纪检监察办公室", "退役军人服务站"],
    "light": ["老年协会", "妇联", "团委", "文化站", "科协", "档案室"],
}
INPUTS = ["unity", "style", "effect", "discipline", "performance"]


def write(name: str, header: list[str], rows: list[list[object]]) -> None:
    with open(HERE / name, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main() -> None:
    rng = random.Random(3004)
    named = [(cls, name) for cls, names in SECTIONS.items() for name in names]
    units = [{"id": f"K{k + 1:02d}", "name": name, "class": cls} for k, (cls, name) in enumerate(named)]
    for u in units:
        u["ability"] = rng.uniform(0.78, 0.99)
    write("subjects.csv", ["id", "name", "class"], [[u["id"], u["name"], u["class"]] for u in units])
    values, events = [], []
    for year in (2024, 2025):
        for q in (1, 2, 3, 4):
            for u in units:
                for name in INPUTS:
                    values.append([u["id"], f"{year}Q{q}", name, round(min(100, 100 * u["ability"] + rng.uniform(-6, 5)), 1)])
                if year == 2025 and u["class"] != "light":
                    for _ in range(rng.randint(4, 12) if u["class"] == "heavy" else rng.randint(0, 4)):
                        month = 3 * (q - 1) + rng.randint(1, 3)
                        hours = round(max(1.0, rng.gauss(30 * (1.2 - u["ability"]), 4)), 1)
                        events.append([u["id"], f"{year}-{month:02d}-{rng.randint(1, 28):02d}", "12345工单", hours, ""])
                    for _ in range(rng.randint(2, 8)):
                        month = 3 * (q - 1) + rng.randint(1, 3)
                        handled = "是" if rng.random() < u["ability"] else "否"
                        events.append([u["id"], f"{year}-{month:02d}-{rng.randint(1, 28):02d}", "网格事件", "", handled])
    write("values.csv", ["subject", "period", "input", "value"], values)
    events.sort(key=lambda e: (e[1], e[0]))
    write("events.csv", ["subject", "date", "type", "response_hours", "handled"], events)


if __name__ == "__main__":
    main()
