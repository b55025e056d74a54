"""``kaohe store verify`` output: one line per checked run and a verdict, as text or JSON.

The located problems themselves go to standard error as every command's do
(or into the JSON); this is the part an officer reads first: which runs are
intact, the first one changed, and the latest digest to compare with the
signed paper record.
"""

from __future__ import annotations

import json

from kaohe.engine.store.verify import RunCheck, Verification


def check_line(check: RunCheck) -> str:
    if not check.signed:
        state = "未确认 not signed off · " + ("行与文档一致 rows match document" if check.intact
                                              else "已改动 CHANGED")
        return f"运行 run {check.run} · {state}"
    state = "完好 intact" if check.intact else "已改动 CHANGED"
    return (f"运行 run {check.run} · 第 {check.signoff_seq} 次确认 sign-off {check.signoff_seq} · "
            f"{check.signed_by} {check.signed_at} · {state} · {check.digest}")


def verify_text(outcome: Verification, lang: str) -> str:
    lines = [f"核对结果库 verifying {outcome.store}"
             + ("（并按记录的文件重算 recomputed from the recorded files）" if outcome.recomputed else "")]
    lines += [check_line(check) for check in outcome.checks]
    if not outcome.checks:
        lines.append("没有已确认的运行 no signed-off runs")
    if outcome.latest_digest:
        lines.append(f"最新确认摘要 latest sign-off digest: {outcome.latest_digest}"
                     "（应与签字纸质记录上的一致 must match the signed paper record）")
    if outcome.unsigned:
        lines.append(f"未确认的运行 runs not signed off: {outcome.unsigned}（不在链中 not in the chain）")
    if outcome.intact:
        lines.append("结论 verdict: 完好 intact" if lang == "zh" else "verdict: intact / 完好")
    else:
        first = outcome.first_changed
        lines.append(f"结论 verdict: 已改动，第一处在运行 {first}（见下列问题）" if lang == "zh"
                     else f"verdict: CHANGED, first at run {first} (see the problems listed)")
    return "\n".join(lines) + "\n"


def verify_json(outcome: Verification, lang: str) -> str:
    body = {
        "store": outcome.store, "intact": outcome.intact, "first_changed": outcome.first_changed,
        "latest_digest": outcome.latest_digest, "recomputed": outcome.recomputed,
        "unsigned_runs": outcome.unsigned,
        "runs": [{"id": c.run, "signed_off": c.signed, "signoff_seq": c.signoff_seq, "signed_by": c.signed_by,
                  "signed_at": c.signed_at, "digest": c.digest, "intact": c.intact,
                  "problems": [p.to_json(lang) for p in c.problems]} for c in outcome.checks],
    }
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"
