"""Regenerate Loudi's synthetic data (seeded, so reruns are identical).

    python rulesets/loudi/data/generate.py

25 市直单位 in two classes, two assessment years (2024, 2025) with monthly
rows for the monthly 汇总-调度-督办 follow-up, yearly rows for the annual
assessment, and 营商环境 history back to 2021 for the challenge targets
(2025 uses 2022–2024, 2024 uses 2021–2023), and the history table of earlier
years' results (history.csv: subject, year, grade, total) read by the
framework's 三挂钩 flags through years_run:

- 2021–2023: each unit's run of 优秀 years up to 2023 is its fixed count of
  previous consecutive 优秀 years (0–2; formerly the subjects column
  excellent_years); the year before the run is not 优秀; the remaining
  earlier years are drawn from a separate seeded generator, at most
  floor(12 × 0.2) = 2 优秀 per class and year (the 优秀 quota) counting the
  run years, so every other table stays as it was. The runs themselves are
  kept even where they exceed that quota (2022: 4 and 5, 2023: 7 of 12
  per class; see README). The new unit LD13 (2025-03) has no rows;
- 2024: the unit's 2024 result, computed by ../2024.yaml on this data
  (docs: 本年度的结果要在下一年使用，把它追加到往年结果表中), read by the
  2025 assessment; units without a 2024 grade (LD13) get no row.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

HERE = Path(__file__).parent
ECON = ["市发展和改革委员会", "市工业和信息化局", "市商务局", "市科学技术局", "市财政局",
        "市自然资源和规划局", "市住房和城乡建设局", "市交通运输局", "市农业农村局",
        "市文化旅游广电体育局", "市市场监督管理局", "娄底经济技术开发区管委会", "市数据局"]
SOCIAL = ["市教育局", "市卫生健康委员会", "市民政局", "市人力资源和社会保障局", "市生态环境局",
          "市应急管理局", "市公安局", "市司法局", "市信访局", "市城市管理和综合执法局",
          "市医疗保障局", "市退役军人事务局"]
NEW_UNIT = "LD13"              # 市数据局：2025 年 3 月新组建，没有往年数据
NEW_UNIT_JOINED = "2025-03-10"
YEARS = [2024, 2025]
HISTORY = [2021, 2022, 2023]
ASSESSED = 2024                # 本数据的第一个考核年度：其结果追加到往年结果表，供 2025 年读取
BANDS = {"优秀": (90.0, 98.0), "良好": (80.0, 89.5), "合格": (70.0, 79.5)}   # 往年总分按等次分数线抽取
QUOTA = 2                      # 往年各类 12 个单位：优秀名额 floor(12 × 0.2) = 2（只约束抽取的年份）
LIVELIHOOD = ["老旧小区改造", "城区学位扩容", "农村供水保障", "社区养老服务站", "背街小巷提质",
              "公共充电桩建设", "农贸市场改造", "口袋公园建设", "基层医疗机构提质", "就业驿站"]
SUPERVISE_TOPICS = ["包联项目投资滞后", "12345 工单超期", "重大项目开工滞后", "民生实事序时偏慢",
                    "营商环境投诉未办结"]
CLUES = ["窗口办事推诿", "项目现场停工未报告", "台账数据不实", "整改不到位", "惠企政策未落实",
         "群众诉求久拖未决"]
OWNERS = ["张", "李", "王", "刘", "陈", "杨", "赵", "黄", "周", "吴"]
VOTES = ["好", "较好", "一般", "较差"]


def write(name: str, header: list[str], rows: list[list[object]]) -> None:
    with open(HERE / name, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def earlier_results(units: list[tuple[str, str, str]], excellent: dict[str, int]) -> list[list[object]]:
    """2021–2023 年的年度等次与总分：截至 2023 年连续优秀 excellent[uid] 年，再往前一年不是优秀。"""
    rng = random.Random(2403)  # 独立的随机序列：其余各表的随机数不变
    cls_of = {uid: cls for uid, _, cls in units}
    grades: dict[tuple[str, int], str] = {}
    for uid, _, _ in units:    # 先定连续优秀及其前一年（固定）
        if uid == NEW_UNIT:
            continue
        run = excellent[uid]
        for year in HISTORY:
            if year >= ASSESSED - run:
                grades[uid, year] = "优秀"
            elif year == ASSESSED - 1 - run:
                grades[uid, year] = rng.choices(["良好", "合格"], weights=[3, 1])[0]
    rows: list[list[object]] = []
    for uid, _, cls in units:  # 其余年份抽取，同类同年的优秀不超过名额
        if uid == NEW_UNIT:
            continue
        for year in HISTORY:
            if (uid, year) not in grades:
                taken = sum(1 for (u, y), g in grades.items() if y == year and g == "优秀" and cls_of[u] == cls)
                grade = rng.choices(["优秀", "良好", "合格"], weights=[1, 3, 1])[0]
                if grade == "优秀" and taken >= QUOTA:
                    grade = rng.choices(["良好", "合格"], weights=[3, 1])[0]
                grades[uid, year] = grade
            low, high = BANDS[grades[uid, year]]
            rows.append([uid, year, grades[uid, year], f"{rng.uniform(low, high):.2f}"])
    return rows


def assessed_results() -> list[list[object]]:
    """2024 年度的结果（../2024.yaml 在本数据上的计算结果）；没有参加等次评定的单位（LD13）不写行。"""
    from kaohe.engine.evaluation.runner import run
    from kaohe.engine.report.results import build_document

    document = build_document(run(HERE.parent / f"{ASSESSED}.yaml", period=str(ASSESSED)))
    (year,) = [p for p in document["periods"] if p["period"] == str(ASSESSED)]
    return [[s["id"], ASSESSED, s["grade"], f"{s['total']:.2f}"] for s in year["subjects"] if s["grade"]]


def active(uid: str, year: int, month: int) -> bool:
    """The new unit exists from March 2025."""
    return uid != NEW_UNIT or (year, month) >= (2025, 3)


def main() -> None:
    rng = random.Random(20250701)
    units = [(f"LD{i + 1:02d}", name, "econ") for i, name in enumerate(ECON)]
    units += [(f"LD{i + 14:02d}", name, "social") for i, name in enumerate(SOCIAL)]
    # previous consecutive excellent years up to 2023 (only used to generate history.csv); fixed, not drawn,
    # so the random stream of every other table stays as it was. The new unit (2025-03) has no earlier years.
    excellent = {uid: 0 if uid == NEW_UNIT else (1, 0, 2, 0, 2)[i % 5] for i, (uid, _, _) in enumerate(units)}
    write("subjects.csv", ["id", "name", "class", "joined", "left"],
          [[uid, name, cls, NEW_UNIT_JOINED if uid == NEW_UNIT else "", ""] for uid, name, cls in units])
    strength = {uid: rng.uniform(0.82, 1.08) for uid, _, _ in units}

    values: list[list[object]] = []
    # 营商环境评价：往年值（挑战目标用）和当年值，只有年度值
    for uid, _, _ in units:
        base = 70 + 22 * (strength[uid] - 0.82) / 0.26
        for year in HISTORY + YEARS:
            if uid == NEW_UNIT and year < 2025:
                continue
            drift = (year - 2023) * rng.uniform(-1.0, 1.5)
            values.append([uid, str(year), "biz_score", round(min(99.0, base + drift + rng.uniform(-3, 3)), 1)])

    events: list[list[object]] = []
    ratings: list[list[object]] = []
    for year in YEARS:
        for uid, _, cls in units:
            s = strength[uid] + rng.uniform(-0.05, 0.05)
            months = [m for m in range(1, 13) if active(uid, year, m)]
            if not months:
                continue
            rates, mfg_a, mfg_t, proj, eco, inc, epi = [], 0, 0, [], 0, 0, []
            for m in months:
                period = f"{year}-{m:02d}"
                rate = round(min(1.0, max(0.75, rng.gauss(0.91 + 0.09 * (s - 0.82) / 0.26, 0.03))), 3)
                target = rng.choice([800, 1000, 1200]) if cls == "econ" else rng.choice([200, 300, 400])
                actual = round(target * max(0.3, rng.gauss(s, 0.2)))
                prate = round(min(1.0, max(0.5, rng.gauss(0.8 + 0.18 * (s - 0.82) / 0.26, 0.07))), 2)
                issues = rng.choices([0, 1, 2, 3], weights=[6, 3, 1, 0.3 if s > 0.9 else 1])[0]
                incs = rng.choices([0, 1, 2], weights=[8, 2, 0.5])[0]
                values += [[uid, period, "grassroots_rate", rate],
                           [uid, period, "mfg_actual", actual], [uid, period, "mfg_target", target],
                           [uid, period, "project_rate", prate],
                           [uid, period, "eco_issues", issues], [uid, period, "eco_limit", 1],
                           [uid, period, "incidents", incs], [uid, period, "incident_limit", 1]]
                if year == 2025 and m >= 7:
                    score = round(min(100.0, max(55.0, rng.gauss(88 * s, 6))), 1)
                    values.append([uid, period, "epi_score", score])
                    epi.append(score)
                rates.append(rate)
                mfg_a += actual
                mfg_t += target
                proj.append(prate)
                eco += issues
                inc += incs
                # 月度调度：滞后事项列为督办事项（下月 5 日前交办，月底前完成）
                lagging = rate < 0.9 or actual < 0.8 * target or prate < 0.75
                if lagging:
                    level = "市委督办" if actual < 0.6 * target or rate < 0.8 else "部门督办"
                    closed = "是" if rng.random() < 0.55 + 0.4 * (s - 0.82) / 0.26 else "否"
                    day = rng.randint(3, 9)
                    topic = rng.choice(SUPERVISE_TOPICS)
                    events.append([uid, f"{year}-{m:02d}-{day:02d}", "督办事项", "", "",
                                   f"{topic}（{m}月调度）", "", "", "", rng.choice(OWNERS) + "某",
                                   f"{year}-{m:02d}-28", closed, level, ""])
            annual = str(year)
            values += [[uid, annual, "grassroots_rate", round(sum(rates) / len(rates), 3)],
                       [uid, annual, "mfg_actual", mfg_a], [uid, annual, "mfg_target", mfg_t],
                       [uid, annual, "project_rate", round(sum(proj) / len(proj), 2)],
                       [uid, annual, "eco_issues", eco], [uid, annual, "eco_limit", max(1, len(months) // 2)],
                       [uid, annual, "incidents", inc], [uid, annual, "incident_limit", max(1, len(months) // 4)],
                       [uid, annual, "political_review", round(min(99.0, rng.gauss(86 * s, 3)), 1)]]
            if epi:
                values.append([uid, annual, "epi_score", round(sum(epi) / len(epi), 1)])

            # 民生实事项目清单：每项一行，日期为计划完成日
            count = rng.randint(1, 3) if cls == "social" else rng.randint(0, 2)
            for _ in range(count):
                m = rng.choice(months)
                target = rng.choice([10, 20, 50, 100])
                done = round(target * min(1.15, max(0.4, rng.gauss(s, 0.15))))
                events.append([uid, f"{year}-{m:02d}-{rng.randint(10, 28):02d}", "民生实事", "", "",
                               rng.choice(LIVELIHOOD), rng.choice([1, 2, 3]), target, done,
                               rng.choice(OWNERS) + "某", f"{year}-{m:02d}-28", "", "", ""])

            # 督导组“四不两直”发现的问题线索
            while rng.random() < 0.55 - 0.3 * (s - 0.82) / 0.26:
                m = rng.choice(months)
                severity = rng.choices(["一般", "较重", "严重"], weights=[6, 3, 1])[0]
                confirmed = "是" if rng.random() < 0.85 else "否"
                events.append([uid, f"{year}-{m:02d}-{rng.randint(1, 28):02d}", "督导发现问题", "", confirmed,
                               rng.choice(CLUES), "", "", "", "", "", "", "", severity])

            # 团结协作 360 度评估（年度）
            for group, count in (("leader", 3), ("peer", 8), ("staff", 6), ("service", 5)):
                for k in range(count):
                    good = max(0.05, s - 0.75)
                    vote = rng.choices(VOTES, weights=[good * 3, 1.0, 0.5, 0.1])[0]
                    ratings.append([uid, annual, group, f"{group}-{k + 1}", "", vote])

    write("values.csv", ["subject", "period", "input", "value"], values)
    events.sort(key=lambda e: (e[1], e[0], e[2]))
    write("events.csv", ["subject", "date", "type", "points", "confirmed", "item", "weight", "target", "done",
                         "owner", "deadline", "closed", "level", "severity"], events)
    write("ratings.csv", ["subject", "period", "group", "rater", "score", "vote"], ratings)

    history = earlier_results(units, excellent)
    write("history.csv", ["subject", "year", "grade", "total"], history)   # 先写往年部分，2024 年方案读它
    history += assessed_results()
    history.sort(key=lambda row: (row[0], row[1]))
    write("history.csv", ["subject", "year", "grade", "total"], history)


if __name__ == "__main__":
    main()
