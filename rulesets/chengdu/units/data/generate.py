"""科室组织绩效（考事）的任务清单：由个人任务清单按“科室 × 任务来源”汇总（目标任务源头管理）。

读 ../../data/subjects.csv（个人所在科室，unit 列）和 ../../data/events.csv（个人的“任务”清单项，task 列为任务来源），
写 subjects.csv（6 个科室，编号 = 科室名称，与个人对象表的 unit 列相同）和 events.csv：
同一年、同一科室、同一任务来源的个人清单项合为科室的一项组织绩效任务，
目标值 = Σ 个人目标值，完成值 = Σ 个人完成值，权重 = Σ 个人权重；日期取该年最早的一项。
（办公室“定期汇总党委政府部署任务的完成情况”——本方案假设汇总口径就是个人清单之和，见 README。）
确定性：不用随机数，重新运行得到同样的文件。
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
PERSONS = HERE.parent.parent / "data"


def main() -> None:
    with open(PERSONS / "subjects.csv", encoding="utf-8-sig", newline="") as f:
        unit_of = {r["id"]: r["unit"] for r in csv.DictReader(f)}
    items: dict[tuple[str, str, str], list] = defaultdict(lambda: [None, 0.0, 0.0, 0.0])
    with open(PERSONS / "events.csv", encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            if r["type"] != "任务":
                continue
            item = items[(r["date"][:4], unit_of[r["subject"]], r["task"])]
            item[0] = min(item[0] or r["date"], r["date"])
            item[1] += float(r["target"])
            item[2] += float(r["done"])
            item[3] += float(r["weight"])
    units = sorted(set(unit_of.values()))
    with open(HERE / "subjects.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "name"])
        w.writerows([u, u] for u in units)
    with open(HERE / "events.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["subject", "date", "type", "task", "target", "done", "weight"])
        for (_year, unit, task), (day, target, done, weight) in sorted(items.items()):
            w.writerow([unit, day, "任务", task, f"{target:g}", f"{done:g}", f"{weight:g}"])


if __name__ == "__main__":
    main()
