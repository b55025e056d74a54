"""``kaohe report``: the HTML file itself (no browser here; tests/test_report_browser.py runs one).

Expected numbers come from the results JSON that ``kaohe evaluate --format json`` writes
and from hand calculation (quota places, histogram bins), never from the report's own code.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kaohe.cli import main
from kaohe.engine.report.html import charts

ROOT = Path(__file__).resolve().parent.parent
CHENGDU = ROOT / "rulesets" / "chengdu"
YANGQUAN = ROOT / "rulesets" / "yangquan-hitech"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--lang", "zh", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, dict]]:
    """For each ruleset: the report's text and the results document of the same run's data."""
    out = tmp_path_factory.mktemp("report")
    made = {}
    for name, ruleset in (("chengdu", CHENGDU), ("yangquan", YANGQUAN)):
        code, _, err = invoke("report", str(ruleset), "--out", str(out / f"{name}.html"))
        assert code == 0, err
        code, _, err = invoke("evaluate", str(ruleset), "--format", "json", "--out", str(out / f"{name}.json"))
        assert code == 0, err
        made[name] = ((out / f"{name}.html").read_text(encoding="utf-8"),
                      json.loads((out / f"{name}.json").read_text(encoding="utf-8")))
    return made


def section_of(html: str, subject_id: str) -> str:
    start = html.index(f'<section class="subject" id="s-{subject_id}"')
    return html[start:html.index("</section>", start)]


EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|@import|url\(\s*["']?(?:https?:)?//""", re.I)


@pytest.mark.parametrize("name", ["chengdu", "yangquan"])
def test_the_file_references_nothing_outside_itself(built: dict, name: str) -> None:
    html, _ = built[name]
    assert not EXTERNAL.search(html), EXTERNAL.search(html)
    assert "<link" not in html and "<script src" not in html
    assert "<style>" in html and "<script>" in html  # styles and script inline


@pytest.mark.parametrize("name", ["chengdu", "yangquan"])
def test_each_subject_section_shows_its_total_as_the_results_json_gives_it(built: dict, name: str) -> None:
    html, document = built[name]
    year = document["periods"][-1]  # the report shows the last period, the year
    for subject in year["subjects"]:
        section = section_of(html, subject["id"])
        total = json.dumps(subject["total"])
        assert f'<dd class="total">{total}</dd>' in section, subject["id"]
        assert f"= <b>{total}</b>" in section  # the formula line ends in the same total


def test_grade_counts_against_the_quota_chengdu(built: dict) -> None:
    """66 persons, 优秀 at most 20 % rounded down: floor(66 × 0.2) = 13 places."""
    html, document = built["chengdu"]
    counts = {g: sum(1 for s in document["periods"][-1]["subjects"] if s["grade"] == g)
              for g in ("优秀", "称职", "基本称职", "不称职")}
    for grade, count in counts.items():
        row = re.search(rf'<tr data-grade="{grade}"><td>{grade}</td><td class="n count">(\d+)</td>'
                        r'<td class="n allowed">([^<]+)</td>', html)
        assert row is not None, grade
        assert int(row[1]) == count
        assert row[2] == ("13" if grade == "优秀" else "—")


def test_grade_counts_against_the_quota_per_group_yangquan(built: dict) -> None:
    """Two ranking groups: frontline 8 units → floor(8 × 0.2) = 1 place of 优秀; support 17 → floor(3.4) = 3."""
    html, document = built["yangquan"]
    subjects = document["periods"][-1]["subjects"]
    for group, places in (("frontline", "1"), ("support", "3")):
        block = html[html.index(f'<div class="group" data-group="{group}">'):]
        block = block[:block.index("</table>")]
        count = sum(1 for s in subjects if s["group"] == group and s["grade"] == "优秀")
        assert f'<tr data-grade="优秀"><td>优秀</td><td class="n count">{count}</td><td class="n allowed">{places}</td>' in block


def bars_of(svg: str) -> list[tuple[int, float]]:
    return [(int(c), float(h)) for h, c in re.findall(r'<rect class="bar"[^>]*? height="([\d.]+)" data-count="(\d+)"', svg)]


def test_histogram_bins_by_hand() -> None:
    """Totals 55, 62, 64, 71, 88, 100: width 1 or 2 would need more than 20 bins, 5 needs 9:
    [55,60) 1, [60,65) 2, [65,70) 0, [70,75) 1, [75,80) 0, [80,85) 0, [85,90) 1, [90,95) 0, [95,100] 1."""
    svg = charts.histogram([55, 62, 64, 71, 88, 100], "t")
    bars = bars_of(svg)
    assert [c for c, _ in bars] == [1, 2, 0, 1, 0, 0, 1, 0, 1]
    unit = 170 / 2  # plot height / largest count
    assert [h for _, h in bars] == [c * unit for c, _ in bars]
    assert sum(h for _, h in bars) / unit == 6
    assert re.findall(r'data-low="([\d.]+)"', svg)[:3] == ["55", "60", "65"]


def test_the_histogram_of_a_group_counts_every_subject_once(built: dict) -> None:
    html, document = built["yangquan"]
    subjects = document["periods"][-1]["subjects"]
    for group in ("frontline", "support"):
        block = html[html.index(f'<div class="group" data-group="{group}">'):]
        svg = block[block.index('<svg class="chart histogram"'):block.index("</svg>") + 6]
        bars = bars_of(svg)
        unit = float(re.search(r'data-unit="([\d.]+)"', svg)[1])
        assert sum(c for c, _ in bars) == sum(1 for s in subjects if s["group"] == group)
        assert round(sum(h for _, h in bars) / unit, 6) == sum(c for c, _ in bars)


def test_the_histogram_data_downloads_as_csv(built: dict) -> None:
    html, _ = built["chengdu"]
    link = re.search(r'download="histogram-all.csv" href="data:text/csv;charset=utf-8,([^"]+)"', html)
    assert link is not None
    from urllib.parse import unquote

    rows = unquote(link[1]).lstrip("\ufeff").split("\r\n")
    assert rows[0] == "from,to,count"
    assert sum(int(r.split(",")[2]) for r in rows[1:] if r) == 66


def test_english_texts_are_in_the_file(built: dict) -> None:
    html, _ = built["chengdu"]
    assert 'id="lang"' in html
    for zh, en in (("排名", "Ranking"), ("概览", "Overview"), ("总分", "Total"), ("逐个对象", "Subjects")):
        assert f'data-en="{en}">{zh}<' in html


def test_grade_reasons_show_in_the_ranking(built: dict) -> None:
    html, document = built["yangquan"]
    demoted = next(s for s in document["periods"][-1]["subjects"] if s["grade_reason"]["code"] == "quota")
    row = html[html.index(f'<tr data-id="{demoted["id"]}">'):]
    row = row[:row.index("</tr>")]
    assert demoted["grade_reason"]["text"] in row and "note" in row


def test_the_same_input_gives_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    for name in ("a.html", "b.html"):
        assert invoke("report", str(YANGQUAN), "--out", str(tmp_path / name))[0] == 0
    first = (tmp_path / "a.html").read_bytes()
    assert first == (tmp_path / "b.html").read_bytes()
    assert "生成于".encode() not in first
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01 UTC
    assert invoke("report", str(YANGQUAN), "--out", str(tmp_path / "c.html"))[0] == 0
    assert "生成于</span> 2026-01-01" in (tmp_path / "c.html").read_text(encoding="utf-8")


def test_a_subject_section_states_the_explain_facts(built: dict) -> None:
    """C101 (hand-read from the results JSON): quarters behind the year, and the distance line."""
    html, document = built["chengdu"]
    record = next(s for s in document["periods"][-1]["subjects"] if s["id"] == "C101")
    section = section_of(html, "C101")
    for period, score in record["rollup"]["periods"].items():
        assert f"<td>{period}</td><td class=n>{json.dumps(score)}</td>" in section
    assert "与上一等次" in section  # explain's lacking_for_next


def test_distance_to_the_next_grade_is_the_line_minus_the_total(built: dict) -> None:
    html, document = built["chengdu"]
    below = next(s for s in document["periods"][-1]["subjects"]
                 if s["grade"] == "称职" and s["grade_reason"]["code"] == "band" and s["total"] < 88)
    gap = round(88 - below["total"], 6)
    assert f"距优秀分数线 88 还差 {gap:g} 分" in section_of(html, below["id"])


def previous_document(document: dict) -> dict:
    """The same year with C104 ranked 30 places lower and one grade changed: a rise of 30 for C104."""
    before = json.loads(json.dumps(document))
    year = before["periods"][-1]
    c104 = next(s for s in year["subjects"] if s["id"] == "C104")
    c104["rank"] += 30
    c104["grade"] = "称职"
    return before


def test_previous_year_shows_movers_and_grade_changes(built: dict, tmp_path: Path) -> None:
    _, document = built["chengdu"]
    rank_now = next(s for s in document["periods"][-1]["subjects"] if s["id"] == "C104")["rank"]
    old = tmp_path / "2024.json"
    old.write_text(json.dumps(previous_document(document), ensure_ascii=False), encoding="utf-8")
    code, _, err = invoke("report", str(CHENGDU), "--previous", str(old), "--out", str(tmp_path / "r.html"))
    assert code == 0, err
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    part = html[html.index('<section id="previous">'):]
    part = part[:part.index("</section>")]
    assert f"<td class=n>{rank_now + 30}</td><td class=n>{rank_now}</td><td class=n>+30</td>" in part
    assert part.count('href="#s-C104"') == 2  # a riser and a grade change (称职 → 优秀)
    assert "两年都有的对象</span> 66" in part


def test_a_previous_file_that_is_not_results_is_a_located_error(tmp_path: Path) -> None:
    bad = tmp_path / "old.json"
    bad.write_text('{"kaohe": "ruleset"}', encoding="utf-8")
    code, _, err = invoke("report", str(YANGQUAN), "--previous", str(bad), "--out", str(tmp_path / "r.html"))
    assert code == 1
    assert f"{bad}: " in err and "E-REPORT-PREVIOUS" in err and "不是 kaohe 的结果文档" in err
    assert not (tmp_path / "r.html").exists()


def test_an_unknown_period_names_the_known_ones(tmp_path: Path) -> None:
    code, _, err = invoke("report", str(YANGQUAN), "--period", "2022Q5", "--out", str(tmp_path / "r.html"))
    # as evaluate --period: the run stops at the period, so an unknown one is told before evaluating
    assert code == 1 and "E-PERIOD-UNKNOWN" in err and "2022Q4" in err and err.startswith("--period: ")


def test_a_quarter_report_has_the_publicity_list(tmp_path: Path) -> None:
    """Chengdu's 2025Q2 publicity list (rank_list of 好): one row per subject graded 好 in the results."""
    assert invoke("report", str(CHENGDU), "--period", "2025Q2", "--out", str(tmp_path / "q2.html"))[0] == 0
    assert invoke("evaluate", str(CHENGDU), "--format", "json", "--out", str(tmp_path / "q2.json"))[0] == 0
    html = (tmp_path / "q2.html").read_text(encoding="utf-8")
    q2 = next(p for p in json.loads((tmp_path / "q2.json").read_text(encoding="utf-8"))["periods"]
              if p["period"] == "2025Q2")
    good = [s["id"] for s in q2["subjects"] if s["grade"] == "好"]
    table = html[html.index('<table class="publicity">'):]
    table = table[:table.index("</table>")]
    assert table.count("<tr><td class=n>") == len(good) > 0
    assert all(f"<td>{ident}</td>" in table for ident in good)
    assert html.count('<div class="sheet"') == sum(1 for s in q2["subjects"]
                                                   if (s["outcomes"].get("feedback_talk") or {}).get("value"))


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert invoke("report", str(YANGQUAN), "--split", "--out", str(tmp_path))[0] == 2
    assert invoke("report", str(YANGQUAN), "--format", "pdf")[0] == 2


def test_the_html_exporter_writes_the_report(tmp_path: Path) -> None:
    out = tmp_path / "e.html"
    assert invoke("evaluate", str(YANGQUAN), "--format", "html", "--out", str(out))[0] == 0
    html = out.read_text(encoding="utf-8")
    assert not EXTERNAL.search(html) and html.count('<section class="subject"') == 25


def test_the_html_exporter_writes_the_bytes_kaohe_report_writes(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Both read the evaluation's columns (no results document is built): the same report."""
    def no_document(*_: object) -> None:
        raise AssertionError("the report built a results document")

    monkeypatch.setattr("kaohe.engine.report.output.build_document", no_document)
    monkeypatch.setattr("kaohe.engine.report.results.build_document", no_document)
    code, _, said = invoke("evaluate", str(CHENGDU), "--format", "html", "--out", str(tmp_path / "e.html"))
    assert code == 0 and "周期 2025\n" in said  # the period it shows, not every period evaluated
    assert invoke("report", str(CHENGDU), "--out", str(tmp_path / "r.html"))[0] == 0
    assert (tmp_path / "e.html").read_bytes() == (tmp_path / "r.html").read_bytes()


def _part(html: str, start: str, end: str) -> str:
    begin = html.index(start)
    return html[begin:html.index(end, begin)]


@pytest.mark.parametrize("ruleset", [CHENGDU, YANGQUAN], ids=["chengdu", "yangquan"])
def test_the_columns_and_the_results_document_give_the_same_report(ruleset: Path, tmp_path: Path) -> None:
    """The report of the evaluation's columns against the report of its results document: the
    ranking, the publicity lists, the comparison and each subject's section say the same (the
    sections up to the facts only the evaluation knows: the distance to the next grade, clauses)."""
    from kaohe.engine.evaluation.runner import run
    from kaohe.engine.report.html.build import from_document, from_evaluation, html_bytes
    from kaohe.engine.report.results import build_document

    evaluation = run(ruleset)
    document = build_document(evaluation)
    previous = ("earlier.json", document)  # compared with itself: every subject matched
    for period in (evaluation.periods[1].period.id, None):
        columns = html_bytes(from_evaluation(evaluation, period, previous)).decode("utf-8")
        alone = html_bytes(from_document(document, period, previous)).decode("utf-8")
        assert _part(columns, '<section id="ranking-section">', "</section>") == \
            _part(alone, '<section id="ranking-section">', "</section>")
        assert _part(columns, '<section id="previous">', "</section>") == \
            _part(alone, '<section id="previous">', "</section>")
        assert columns.count('<section id="publicity') == alone.count('<section id="publicity')
        for found in re.finditer(r'<section id="(publicity[^"]*)"', alone):
            assert _part(columns, found[0], "</section>") == _part(alone, found[0], "</section>")
        chosen = next(p for p in document["periods"] if p["period"] == (period or document["periods"][-1]["period"]))
        for subject in chosen["subjects"]:
            bare = re.compile(r'<p class="gap">.*?</p>|<br><span class="clause">.*?</span>')
            assert bare.sub("", section_of(columns, subject["id"])) == bare.sub("", section_of(alone, subject["id"]))


def test_a_pool_from_a_document_counts_only_the_subjects_it_concerns() -> None:
    """Chengdu's year: the bonus pool taken out of three subjects' records (a document a plugin
    gave): the pools table counts the other 63, and what they were paid, by hand from the document."""
    from decimal import Decimal

    from kaohe.engine.evaluation.runner import run
    from kaohe.engine.report.html.build import from_document, html_bytes
    from kaohe.engine.report.results import build_document

    document = build_document(run(CHENGDU))
    year = document["periods"][-1]["subjects"]
    for subject in year[:3]:
        del subject["outcomes"]["bonus"]
    holding = [s["outcomes"]["bonus"]["value"] for s in year[3:]]
    paid = sum((Decimal(str(v)) for v in holding if v is not None), Decimal(0))
    paid_to = sum(1 for v in holding if v is not None and Decimal(str(v)) > 0)
    html = html_bytes(from_document(document)).decode("utf-8")
    row = re.search(r'<table class="pools">.*?<td class=n>([^<]+)</td><td class=n>([^<]+)</td>'
                    r'<td class=n>(\d+) / (\d+)</td>', html)
    assert row is not None
    assert (Decimal(row[2]), int(row[3]), int(row[4])) == (paid, paid_to, len(year) - 3)


@pytest.mark.parametrize("ruleset", [CHENGDU, YANGQUAN], ids=["chengdu", "yangquan"])
def test_the_distances_are_explains_for_every_subject(ruleset: Path) -> None:
    """The report computes the distances in one pass; each must be what kaohe explain says alone."""
    from kaohe.engine.evaluation.runner import run
    from kaohe.engine.report.explain import lacking_for_next
    from kaohe.engine.report.html.facts import extras_of

    evaluation = run(ruleset)
    for period in (evaluation.periods[-1], evaluation.periods[-2]):
        gaps = extras_of(evaluation, period.period.id).gaps
        alone = {str(period.cohort.ids[i]): lacking_for_next(evaluation.ruleset, period, i)
                 for i in range(period.cohort.n)}
        assert gaps == alone


def test_a_large_report_packs_the_same_sections(tmp_path: Path) -> None:
    """Beyond INLINE_LIMIT subjects the sections travel deflated; unpacked they are the inline ones."""
    import base64
    import zlib

    from kaohe.engine.evaluation.runner import run
    from kaohe.engine.report.html.build import from_evaluation, html_bytes

    report = from_evaluation(run(YANGQUAN))
    inline = html_bytes(report).decode("utf-8")
    report.inline_limit = 10  # 25 subjects: more than the limit
    packed = html_bytes(report).decode("utf-8")
    assert '<section class="subject"' not in packed and len(packed) < len(inline) / 2
    blob = re.search(r'<script type="application/octet-stream" id="packed-sections">([^<]+)</script>', packed)
    pairs = json.loads(zlib.decompress(base64.b64decode(blob[1])).decode("utf-8"))
    assert [ident for ident, _ in pairs] == list(report.subjects["id"])
    for ident, html in pairs:
        assert html == section_of(inline, ident) + "</section>"
    assert not EXTERNAL.search(packed)


def test_the_report_opens_in_english_with_lang_en_and_goes_to_standard_output() -> None:
    result = CliRunner().invoke(main, ["--lang", "en", "report", str(YANGQUAN)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("<!DOCTYPE html>") and 'data-lang="en"' in result.stdout
    chinese = CliRunner().invoke(main, ["--lang", "zh", "report", str(YANGQUAN)]).stdout
    assert 'data-lang="zh"' in chinese and chinese.replace('data-lang="zh"', "").replace('lang="zh-CN"', "") == \
        result.stdout.replace('data-lang="en"', "").replace('lang="en"', "")


def test_many_ranking_groups_share_one_table(tmp_path: Path) -> None:
    """Thirteen units of 50 (bench_evaluate's generator): one row per group, counts from the document."""
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_evaluate import generate, ruleset_text

    from kaohe.engine.evaluation.runner import run
    from kaohe.engine.report.html.build import from_evaluation, html_bytes

    (tmp_path / "kaohe.toml").write_text("", encoding="utf-8")
    generate(tmp_path, 650)
    (tmp_path / "bench.yaml").write_text(ruleset_text(), encoding="utf-8")
    report = from_evaluation(run(tmp_path / "bench.yaml"))
    html = html_bytes(report).decode("utf-8")
    subjects = report.subjects.records()
    rows = re.findall(r'<tr data-group="([^"]+)"><td>[^<]+</td><td class=n>(\d+)</td>(.*?)</tr>', html)
    assert len(rows) == 13 and all(int(size) == 50 for _, size, _ in rows)
    for group, _, cells in rows:
        for grade, count in re.findall(r'data-grade="([^"]+)">(\d+)', cells):
            assert int(count) == sum(1 for s in subjects if s["group"] == group and s["grade"] == grade)
    assert html.count('<svg class="chart histogram"') == 1


def test_a_subject_kept_out_by_a_condition_is_not_said_to_tie(built: dict) -> None:
    """C608 (chengdu 2025): 称职 for eligibility with a total above the lowest 优秀; explain once said
    “与组内最后一名优秀同分”, which the numbers contradict."""
    html, document = built["chengdu"]
    year = document["periods"][-1]["subjects"]
    c608 = next(s for s in year if s["id"] == "C608")
    lowest = min(s["total"] for s in year if s["grade"] == "优秀")
    assert c608["grade_reason"]["code"] == "eligibility" and c608["total"] > lowest
    section = section_of(html, "C608")
    assert f"总分高于组内最后一名优秀（{lowest:g} 分），但未满足其条件" in section and "同分" not in section


def test_the_year_before_comes_from_the_store_when_signed_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Chengdu 2024 recorded and signed off; the 2025 report then compares with that run (no --previous)."""
    monkeypatch.chdir(tmp_path)
    store = str(tmp_path / "s.db")
    assert invoke("evaluate", str(CHENGDU / "2024.yaml"), "--store", store, "--format", "json",
                  "--out", str(tmp_path / "2024.json"))[0] == 0
    code, _, err = invoke("report", str(CHENGDU), "--store", store, "--out", str(tmp_path / "before.html"))
    assert code == 0, err
    assert 'id="previous"' not in (tmp_path / "before.html").read_text(encoding="utf-8")  # recorded, not signed off
    assert invoke("store", "signoff", "1", "--store", store, "--by", "考核办")[0] == 0
    assert invoke("report", str(CHENGDU), "--store", store, "--out", str(tmp_path / "r.html"))[0] == 0
    assert invoke("report", str(CHENGDU), "--previous", str(tmp_path / "2024.json"),
                  "--out", str(tmp_path / "file.html"))[0] == 0
    from_store = (tmp_path / "r.html").read_text(encoding="utf-8")
    from_file = (tmp_path / "file.html").read_text(encoding="utf-8")
    assert "运行 1）" in from_store

    def tables(html: str) -> str:
        part = html[html.index('<section id="previous">'):]
        return part[part.index("<h3"):part.index("</section>")]

    assert tables(from_store) == tables(from_file)  # the store's document is the file kaohe evaluate wrote


def test_printed_pdfs_carry_a_fixed_date_of_the_same_length(monkeypatch: pytest.MonkeyPatch) -> None:
    from kaohe.engine.report.html.pdf import fixed_dates

    printed = b"%PDF-1.4\n<< /CreationDate (D:20261201193111+00'00') /ModDate (D:20261201193112+00'00') >>\n"
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    fixed = fixed_dates(printed)
    assert fixed == printed.replace(b"20261201193111", b"20000101000000").replace(b"20261201193112", b"20000101000000")
    assert len(fixed) == len(printed)  # the cross-reference offsets stay right
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01 00:00:00 UTC
    assert b"(D:20260101000000+00'00')" in fixed_dates(printed)
