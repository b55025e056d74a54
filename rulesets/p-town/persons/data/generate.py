"""Regenerate P town's person-track data for 2024 and 2025 (seeded: reruns are identical).

    python rulesets/p-town/persons/data/generate.py

66 people: 8 sections with a chief and five staff each, plus 18 village cadres.
360° ratings per competency (leaders, peers, subordinates, villagers for village
cadres, a third party), quarterly KPI scores, the supervision group's key events,
and from 2025 each person's quarterly key results (OKR) with weights — in Q3 a
flood-prevention key result is added with a large weight (sudden task).
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

HERE = Path(__file__).parent
SECTIONS = ["党政办公室", "经济发展办公室", "社会事务办公室", "流动人口管理办公室", "城市管理办公室",
            "安全生产办公室", "财政所", "社保所"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍红娟建国志文斌浩宇轩然博"


def write(name: str, header: list[str], rows: list[list[object]]) -> None:
    with open(HERE / name, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def people(rng: random.Random) -> list[dict]:
    out, used = [], set()
    for s, section in enumerate(SECTIONS):
        for k in range(6):
            out.append({"id": f"P{s + 1}{k + 1}", "unit": section, "class": "chief" if k == 0 else "staff"})
    for k in range(18):
        out.append({"id": f"V{k + 1:02d}", "unit": "包村工作组", "class": "village"})
    for p in out:
        while (name := rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))) in used:
            pass
        used.add(name)
        p["name"], p["ability"] = name, rng.uniform(0.6, 0.98)
    return out


def ratings_for(rng: random.Random, p: dict, period: str) -> list[list[object]]:
    if p["class"] == "chief":
        plan = {"analysis": {"leader": 2, "peer": 3, "third_party": 1}, "talent": {"leader": 2, "subordinate": 3, "third_party": 1}}
    else:
        execution = {"leader": 2, "peer": 3, "third_party": 1, **({"villager": 4} if p["class"] == "village" else {})}
        plan = {"execution": execution, "proficiency": {"leader": 2, "peer": 3, "third_party": 1}}
    rows = []
    for indicator, groups in plan.items():
        for group, count in groups.items():
            for k in range(count):
                score = round(min(100, max(40, 100 * p["ability"] + rng.gauss(0, 7))))
                rows.append([p["id"], period, indicator, group, f"{group}-{k + 1}", score])
    return rows


def main() -> None:
    rng = random.Random(3003)
    staff = people(rng)
    write("subjects.csv", ["id", "name", "unit", "class"], [[p["id"], p["name"], p["unit"], p["class"]] for p in staff])
    values, events, ratings = [], [], []
    for year in (2024, 2025):
        for q in (1, 2, 3, 4):
            period = f"{year}Q{q}"
            for p in staff:
                a = p["ability"]
                values.append([p["id"], period, "kpi", round(min(100, 100 * a + rng.uniform(-8, 6)), 1)])
                ratings += ratings_for(rng, p, period)
                month = 3 * (q - 1) + rng.randint(1, 3)
                if rng.random() < 0.12 + (0.1 if p["class"] == "village" else 0):
                    kind = "正面" if rng.random() < a else "负面"
                    events.append([p["id"], f"{year}-{month:02d}-{rng.randint(1, 28):02d}", "关键事件", kind,
                                   "群众反馈" if p["class"] == "village" else "督查记录", "", "", ""])
                if year == 2025:
                    krs = [(3, "常规关键结果")] * rng.randint(2, 3) + ([(5, "防汛应急（突发任务）")] if q == 3 else [])
                    for weight, note in krs:
                        target = rng.choice([10, 20, 50])
                        events.append([p["id"], f"{year}-{3 * q:02d}-25", "关键结果", "", note, weight, target,
                                       round(target * min(1.2, a + rng.uniform(-0.2, 0.15)))])
    write("values.csv", ["subject", "period", "input", "value"], values)
    events.sort(key=lambda e: (e[1], e[0]))
    write("events.csv", ["subject", "date", "type", "kind", "note", "weight", "target", "actual"], events)
    write("ratings.csv", ["subject", "period", "indicator", "group", "rater", "score"], ratings)


if __name__ == "__main__":
    main()
