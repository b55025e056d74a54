"""Regenerate the district organs' synthetic data for 2024 and 2025 (seeded: reruns are identical).

    python rulesets/province-district/data/generate.py

24 district departments in four classes (招商 6, 民生 6, 窗口 4, 一般 8), quarterly
values, 12345 hotline tickets as records (satisfied or not: the hotline
satisfaction input is computed from them), rectification measures with
owner and deadline, and each department's count of previous consecutive
excellent years.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

HERE = Path(__file__).parent
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


def main() -> None:
    rng = random.Random(2401)
    units = []
    for cls, names in UNITS.items():
        for name in names:
            units.append({"id": f"QZ{len(units) + 1:02d}", "name": name, "class": cls,
                          "ability": rng.uniform(0.72, 0.99), "excellent": rng.choice([0, 0, 0, 1, 1, 2, 3])})
    write("subjects.csv", ["id", "name", "class", "excellent_years"],
          [[u["id"], u["name"], u["class"], u["excellent"]] for u in units])
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


if __name__ == "__main__":
    main()
