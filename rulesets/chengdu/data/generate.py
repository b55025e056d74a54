"""Regenerate Chengdu's synthetic data for 2024 and 2025 (seeded: reruns are identical).

    python rulesets/chengdu/data/generate.py

66 civil servants in the six sections of a district justice bureau; each has a
latent ability that drives task completion, post duties and ratings, so the
ranking is plausible. Events: plan tasks decomposed at the start of the year,
temporary and sudden tasks, political-quality lapses, 工作拖沓-type lapses,
点赞 and 错情, investment leads (confirmed or not), quarterly self-reported
achievements (a few people report six, a few omit the task source).
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

HERE = Path(__file__).parent
SECTIONS = [("法律援助科", "legal_aid"), ("社区矫正科", "correction"), ("人民调解科", "mediation"),
            ("普法宣传科", "publicity"), ("办公室", "general"), ("政策法规科", "general")]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍红娟建国志文斌浩宇轩然博"
DIMENSIONS = ["completion", "difficulty", "innovation", "style"]
QUARTER_MONTHS = {1: (1, 2, 3), 2: (4, 5, 6), 3: (7, 8, 9), 4: (10, 11, 12)}


def write(name: str, header: list[str], rows: list[list[object]]) -> None:
    with open(HERE / name, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def people(rng: random.Random) -> list[dict]:
    out, used = [], set()
    for s, (section, post) in enumerate(SECTIONS):
        for k in range(11):
            while (name := rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))) in used:
                pass
            used.add(name)
            out.append({"id": f"C{s + 1}{k + 1:02d}", "name": name, "unit": section, "class": post,
                        "chief": k == 0, "ability": rng.uniform(0.5, 0.97), "joined": "", "left": ""})
    out[17]["joined"] = "2025-05-12"   # transferred in during 2025 Q2
    out[40]["left"] = "2025-09-30"     # transferred out at the end of Q3 2025
    return out


def in_post(person: dict, year: int, quarter: int) -> bool:
    start = f"{year}-{QUARTER_MONTHS[quarter][0]:02d}-01"
    end = f"{year}-{QUARTER_MONTHS[quarter][2]:02d}-28"
    return not (person["joined"] and person["joined"] > end) and not (person["left"] and person["left"] < start)


def day(rng: random.Random, year: int, quarter: int, last: bool = False) -> str:
    month = QUARTER_MONTHS[quarter][2] if last else rng.choice(QUARTER_MONTHS[quarter])
    return f"{year}-{month:02d}-{rng.randint(20, 28) if last else rng.randint(1, 28):02d}"


def quarter_rows(rng: random.Random, p: dict, year: int, q: int, values: list, events: list, ratings: list) -> None:
    period, a = f"{year}Q{q}", p["ability"]
    post = p["class"]
    if post == "legal_aid":
        target = rng.choice([12, 15, 18])
        values += [[p["id"], period, "legal_aid_target", target],
                   [p["id"], period, "legal_aid_cases", round(target * min(1.2, a + rng.uniform(-0.1, 0.25)))]]
    elif post == "correction":
        values.append([p["id"], period, "correction_rate", min(1.0, round(0.93 + a * 0.07 + rng.uniform(-0.02, 0.02), 3))])
    elif post == "mediation":
        values.append([p["id"], period, "mediation_success", round(min(1.0, 0.7 + a * 0.28 + rng.uniform(-0.05, 0.05)), 3)])
    elif post == "publicity":
        target = rng.choice([6, 8, 10])
        values += [[p["id"], period, "publicity_target", target],
                   [p["id"], period, "publicity_events", round(target * min(1.3, a + rng.uniform(-0.1, 0.3)))]]
    else:
        values.append([p["id"], period, "general_duty", round(min(20, 20 * a + rng.uniform(-1, 2)), 1)])
    for t in range(rng.randint(3, 4)):
        source = "年初计划" if t < 3 else "临时任务"
        events.append([p["id"], day(rng, year, q), "任务", "", "", f"{year}-{source}-{rng.randint(1, 40):02d}",
                       source, rng.choice([1, 2, 3]), 100, round(100 * min(1.1, a + rng.uniform(-0.2, 0.12))), "", ""])
    if year == 2025 and q >= 3 and rng.random() < 0.4:
        events.append([p["id"], day(rng, year, q), "突发任务", "", "", "防汛应急", "突发任务", "", 1,
                       1 if rng.random() < a + 0.1 else 0, "", ""])
    if rng.random() < 0.04:
        events.append([p["id"], day(rng, year, q), "政治素质负面", "", "", "", "", "", "", "", "", ""])
    if rng.random() < 0.25 - a * 0.2:
        behavior = rng.choice(["工作拖沓", "执行不力", "质效不高"])
        events.append([p["id"], day(rng, year, q), "负面行为", "", "", "", "", "", "", "", behavior, ""])
    if rng.random() < a * 0.45:
        events.append([p["id"], day(rng, year, q), "点赞", "", "", "", "", "", "", "", "", "目标绩效落实获通报表扬"])
    if rng.random() < 0.12:
        events.append([p["id"], day(rng, year, q), "错情", "", "", "", "", "", "", "", "", "文书差错"])
    if rng.random() < 0.08:
        events.append([p["id"], day(rng, year, q), "招商线索", "", "true" if rng.random() < 0.5 else "false",
                       "", "", "", "", "", "", "推荐企业落户"])
    reports = rng.choice([2, 3, 4, 5, 5, 6]) if rng.random() < 0.9 else 0
    for r in range(reports):
        task = "" if rng.random() < 0.05 else f"{year}-年初计划-{rng.randint(1, 40):02d}"
        events.append([p["id"], day(rng, year, q, last=True), "实绩申报", "", "true" if rng.random() < 0.9 else "false",
                       task, "", "", "", "", "", f"第{q}季度实绩{r + 1}"])
    for dim in DIMENSIONS:
        groups = {"head": 1, "supervisor": 1, "principal": 1, "peer": 3, **({"subordinate": 3} if p["chief"] else {})}
        for group, count in groups.items():
            for k in range(count):
                score = round(min(100, max(40, 100 * a + rng.gauss(0, 6))))
                ratings.append([p["id"], period, dim, group, f"{group}-{k + 1}", score])


def main() -> None:
    rng = random.Random(20250)
    staff = people(rng)
    write("subjects.csv", ["id", "name", "unit", "class", "joined", "left"],
          [[p["id"], p["name"], p["unit"], p["class"], p["joined"], p["left"]] for p in staff])
    values: list[list[object]] = []
    events: list[list[object]] = []
    ratings: list[list[object]] = []
    for year in (2024, 2025):
        for q in (1, 2, 3, 4):
            for p in staff:
                if in_post(p, year, q):
                    quarter_rows(rng, p, year, q, values, events, ratings)
        for p in staff:
            values.append([p["id"], str(year), "annual_review", round(min(100, 100 * p["ability"] + rng.gauss(2, 5)), 1)])
    write("values.csv", ["subject", "period", "input", "value"], values)
    events.sort(key=lambda e: (e[1], e[0]))
    write("events.csv", ["subject", "date", "type", "points", "confirmed", "task", "source", "weight", "target",
                         "done", "behavior", "content"], events)
    write("ratings.csv", ["subject", "period", "indicator", "group", "rater", "score"], ratings)


if __name__ == "__main__":
    main()
