"""Regenerate Loudi's synthetic data (seeded, so reruns are identical).

    python rulesets/loudi/data/generate.py

25 市直单位 in two classes, two assessment years (2024, 2025) with monthly
rows for the monthly 汇总-调度-督办 follow-up, yearly rows for the annual
assessment, and 营商环境 history back to 2021 for the challenge targets
(2025 uses 2022–2024, 2024 uses 2021–2023).
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


def active(uid: str, year: int, month: int) -> bool:
    """The new unit exists from March 2025."""
    return uid != NEW_UNIT or (year, month) >= (2025, 3)


def main() -> None:
    rng = random.Random(20250701)
    units = [(f"LD{i + 1:02d}", name, "econ") for i, name in enumerate(ECON)]
    units += [(f"LD{i + 14:02d}", name, "social") for i, name in enumerate(SOCIAL)]
    # previous consecutive excellent years (read by the 三挂钩 flags); fixed, not drawn, so the random
    # stream of every other table stays as it was. The new unit (2025-03) had no earlier years: 0.
    excellent = {uid: 0 if uid == NEW_UNIT else (1, 0, 2, 0, 2)[i % 5] for i, (uid, _, _) in enumerate(units)}
    write("subjects.csv", ["id", "name", "class", "joined", "left", "excellent_years"],
          [[uid, name, cls, NEW_UNIT_JOINED if uid == NEW_UNIT else "", "", excellent[uid]]
           for uid, name, cls in units])
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


if __name__ == "__main__":
    main()
