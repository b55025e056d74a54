"""Regenerate the district organs' synthetic data for 2024 and 2025 (seeded: reruns are identical).

    python rulesets/province-district/data/generate.py

24 district departments in four classes (招商 6, 民生 6, 窗口 4, 一般 8), quarterly
values, 12345 hotline tickets as records (satisfied or not: the hotline
satisfaction input is computed from them), rectification measures with
owner and deadline, and the history table of earlier years' results
(history.csv: subject, year, grade, total) read by the framework's 三挂钩
flags through years_run:

- 2020–2023: each department's run of 优秀 years up to 2023 is the count
  drawn per department (0–3, as the old subjects column excellent_years
  had it); the year before the run is not 优秀, earlier years are drawn
  from a separate seeded generator, so every other table stays as it was;
- 2024: the department's 2024 result, computed by ../2024.yaml on this
  data (docs: 本年度的结果要在下一年使用，把它追加到往年结果表中), read by
  the 2025 assessment.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

HERE = Path(__file__).parent
EARLIER = [2020, 2021, 2022, 2023]   # 往年结果表中 2024 年以前的年份
ASSESSED = 2024                      # 本数据的第一个考核年度：其结果追加到往年结果表，供 2025 年读取
BANDS = {"优秀": (90.0, 98.0), "良好": (80.0, 89.5), "合格": (70.0, 79.5)}   # 往年总分按等次分数线抽取
UNITS = {
    "investment": ["投资促进局", "商务局", "工业和信息化局", "科技局", "发展和改革局", "园区管委会"],
    "livelihood": ["民政局", "人力资源和社会保障局", "住房和城乡建设局", "卫生健康局", "教育局", "城市管理局"],
    "window": ["政务服务中心", "不动产登记中心", "社保经办中心", "市场监管局"],
    "general": ["区委办公室", "区政府办公室", "财政局", "审计局", "统计局", "司法局", "档案馆", "机关事务局"],
}


def write(name: str, header: list[str], rows: list[list[object]]) -> None:
    with open(HERE / name, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def earlier_results(units: list[dict]) -> list[list[object]]:
    """2020–2023 年的年度等次与总分：截至 2023 年连续优秀 u["excellent"] 年，再往前一年不是优秀。"""
    rng = random.Random(2402)  # 独立的随机序列：其余各表的随机数不变
    rows: list[list[object]] = []
    for u in units:
        run = u["excellent"]
        for year in EARLIER:
            if year >= ASSESSED - run:          # 连续优秀的年份：2023、2022 ……
                grade = "优秀"
            elif year == ASSESSED - 1 - run:    # 连续之前的一年不是优秀（连续从这里断开）
                grade = rng.choices(["良好", "合格"], weights=[3, 1])[0]
            else:                               # 更早的年份
                grade = rng.choices(["优秀", "良好", "合格"], weights=[1, 3, 1])[0]
            low, high = BANDS[grade]
            rows.append([u["id"], year, grade, f"{rng.uniform(low, high):.2f}"])
    return rows


def assessed_results() -> list[list[object]]:
    """2024 年度的结果（../2024.yaml 在本数据上的计算结果）；没有参加等次评定的部门不写行。"""
    from kaohe.engine.evaluation.runner import run
    from kaohe.engine.report.results import build_document

    document = build_document(run(HERE.parent / f"{ASSESSED}.yaml", period=str(ASSESSED)))
    (year,) = [p for p in document["periods"] if p["period"] == str(ASSESSED)]
    return [[s["id"], ASSESSED, s["grade"], f"{s['total']:.2f}"] for s in year["subjects"] if s["grade"]]


def main() -> None:
    rng = random.Random(2401)
    units = []
    for cls, names in UNITS.items():
        for name in names:
            units.append({"id": f"QZ{len(units) + 1:02d}", "name": name, "class": cls,
                          "ability": rng.uniform(0.72, 0.99), "excellent": rng.choice([0, 0, 0, 1, 1, 2, 3])})
    # u["excellent"]: 截至 2023 年连续优秀的年数，只用于生成往年结果表（照旧抽取，其余随机数不变）
    write("subjects.csv", ["id", "name", "class"], [[u["id"], u["name"], u["class"]] for u in units])
    values, events = [], []
    for year in (2024, 2025):
        for q in (1, 2, 3, 4):
            period = f"{year}Q{q}"
            for u in units:
                a, uid = u["ability"], u["id"]
                values += [[uid, period, "political", round(min(100, 100 * a + rng.uniform(-5, 8)), 1)],
                           [uid, period, "ethics", round(min(100, 100 * a + rng.uniform(-6, 8)), 1)],
                           [uid, period, "function_rate", round(min(1.0, a + rng.uniform(-0.1, 0.1)), 3)],
                           [uid, period, "third_party", round(min(100, 100 * a + rng.uniform(-8, 6)), 1)]]
                if u["class"] == "investment":
                    values.append([uid, period, "landing_rate", round(min(1.0, 0.8 * a + rng.uniform(-0.1, 0.15)), 3)])
                if u["class"] == "livelihood":
                    values.append([uid, period, "solve_hours", round(48 / max(0.4, a + rng.uniform(-0.15, 0.1)), 1)])
                tickets = rng.randint(8, 20) if u["class"] in ("window", "livelihood") else rng.randint(0, 6)
                for _ in range(tickets):
                    month = 3 * (q - 1) + rng.randint(1, 3)
                    events.append([uid, f"{year}-{month:02d}-{rng.randint(1, 28):02d}", "12345工单",
                                   "是" if rng.random() < a + 0.02 else "否", "", "", ""])
                if rng.random() < (1 - a) * 0.8:
                    month = 3 * q
                    events.append([uid, f"{year}-{month:02d}-{rng.randint(1, 28):02d}", "整改措施", "",
                                   f"{u['name']}负责人", rng.choice(["补齐短板专项整改", "优化办事流程", "限时办结积案"]),
                                   f"{year + (1 if q == 4 else 0)}-{(3 * q) % 12 + 3:02d}-30"])
            for u in units:
                u["ability"] = min(0.99, max(0.5, u["ability"] + rng.uniform(-0.02, 0.02)))
    write("values.csv", ["subject", "period", "input", "value"], values)
    events.sort(key=lambda e: (e[1], e[0]))
    write("events.csv", ["subject", "date", "type", "satisfied", "owner", "measure", "deadline"], events)

    history = earlier_results(units)
    write("history.csv", ["subject", "year", "grade", "total"], history)   # 先写往年部分，2024 年方案读它
    history += assessed_results()
    history.sort(key=lambda row: (row[0], row[1]))
    write("history.csv", ["subject", "year", "grade", "total"], history)


if __name__ == "__main__":
    main()
