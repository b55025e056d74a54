"""The report in a real headless Chromium: scripts run without errors, charts draw, the table
sorts and filters, the language switch works. Skipped, saying why, without /usr/bin/chromium
(or KAOHE_CHROMIUM) or the playwright package; .ci/run installs both, so CI runs it.

A screenshot is saved under tests/artifacts/ (git-ignored) and its path printed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kaohe.cli import main
from kaohe.engine.report.html.browser import LAUNCH_ARGS, driver_installed, find_chromium

ROOT = Path(__file__).resolve().parent.parent
CHENGDU = ROOT / "rulesets" / "chengdu"
ARTIFACTS = ROOT / "tests" / "artifacts"

BROWSER = find_chromium()
pytestmark = [
    pytest.mark.skipif(BROWSER is None, reason="no Chromium (apt-get install chromium, or set KAOHE_CHROMIUM)"),
    pytest.mark.skipif(not driver_installed(), reason="the playwright package is not installed (pip install -e '.[test]')"),
]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("browser")
    for args in (["report", str(CHENGDU), "--out", str(out / "r.html")],
                 ["evaluate", str(CHENGDU), "--format", "json", "--out", str(out / "r.json")]):
        result = CliRunner().invoke(main, ["--lang", "zh", *args])
        assert result.exit_code == 0, result.stderr
    return out / "r.html", json.loads((out / "r.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def page(files: tuple[Path, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("profile")
    with sync_playwright() as driver:
        context = driver.chromium.launch_persistent_context(
            str(profile), executable_path=str(BROWSER), args=list(LAUNCH_ARGS), viewport={"width": 1000, "height": 1300})
        try:
            tab = context.new_page()
            problems: list[str] = []
            tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            tab.on("pageerror", lambda e: problems.append(str(e)))
            tab.on("request", lambda r: problems.append(f"request {r.url}") if not r.url.startswith(("file:", "data:", "blob:")) else None)
            tab.goto(files[0].as_uri())
            tab.problems = problems
            yield tab
        finally:
            context.close()


def year_subjects(files: tuple[Path, dict[str, Any]]) -> list[dict[str, Any]]:
    return list(files[1]["periods"][-1]["subjects"])


def test_no_console_errors_and_no_requests(page: Any) -> None:
    page.wait_for_load_state("load")
    assert page.problems == []


def test_the_charts_drew(page: Any) -> None:
    histogram = page.locator("svg.histogram").first
    box = histogram.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 50
    heights = page.eval_on_selector_all("svg.histogram rect.bar", "rs => rs.map(r => r.getBBox().height)")
    assert len(heights) > 0 and sum(heights) > 0
    bars = page.eval_on_selector_all("#s-C101 svg.bars rect.bar", "rs => rs.map(r => r.getBBox().width)")
    assert len(bars) > 0 and max(bars) > 0


def test_a_subject_section_shows_the_results_total(page: Any, files: tuple[Path, dict[str, Any]]) -> None:
    c101 = next(s for s in year_subjects(files) if s["id"] == "C101")
    page.goto(files[0].as_uri() + "#s-C101")
    assert page.locator("#s-C101 dd.total").inner_text() == json.dumps(c101["total"])
    assert page.locator("#s-C101").is_visible()


def first_ids(page: Any, count: int = 5) -> list[str]:
    return page.eval_on_selector_all("#ranking tbody tr:not(.hidden)", f"rs => rs.slice(0, {count}).map(r => r.dataset.id)")


def test_clicking_the_total_header_sorts_the_table(page: Any, files: tuple[Path, dict[str, Any]]) -> None:
    by_total = sorted(year_subjects(files), key=lambda s: (-s["total"], s["rank"]))
    lowest = sorted(year_subjects(files), key=lambda s: (s["total"], s["rank"]))
    header = page.locator("#ranking thead th", has_text="总分")
    header.click()
    assert header.get_attribute("aria-sort") == "descending"
    shown = first_ids(page)
    assert [next(s["total"] for s in by_total if s["id"] == i) for i in shown] == [s["total"] for s in by_total[:5]]
    header.click()
    assert header.get_attribute("aria-sort") == "ascending"
    assert first_ids(page, 1) == [lowest[0]["id"]]


def test_the_filter_hides_rows(page: Any, files: tuple[Path, dict[str, Any]]) -> None:
    unit = year_subjects(files)[0]["unit"]
    expected = sum(1 for s in year_subjects(files) if unit in s["unit"] or unit in s["name"])
    page.fill("#filter", unit)
    assert page.locator("#ranking tbody tr:not(.hidden)").count() == expected < len(year_subjects(files))
    page.fill("#filter", "")
    assert page.locator("#ranking tbody tr:not(.hidden)").count() == len(year_subjects(files))


def test_the_language_switch_changes_a_heading(page: Any) -> None:
    heading = page.locator("#overview h2")
    assert heading.inner_text() == "概览"
    page.click("#lang")
    assert heading.inner_text() == "Overview"
    assert page.locator("#ranking thead th", has_text="Total").count() == 1
    assert page.evaluate("document.documentElement.lang") == "en"
    page.click("#lang")
    assert heading.inner_text() == "概览"


def test_screenshot_is_saved(page: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / "report-chengdu.png"
    page.goto(page.url.split("#")[0])
    page.screenshot(path=str(target), full_page=False)
    assert target.stat().st_size > 10_000
    print(f"screenshot: {target}")


def test_a_phone_sized_window_has_no_sideways_scrolling(page: Any) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    try:
        page.goto(page.url.split("#")[0])
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        page.set_viewport_size({"width": 1000, "height": 1300})


def test_a_packed_report_unpacks_the_subject_asked_for(page: Any, files: tuple[Path, dict[str, Any]],
                                                       tmp_path: Path) -> None:
    """A report beyond INLINE_LIMIT subjects (forced here on Chengdu's 66) shows a section from the ranking."""
    from kaohe.engine.evaluation.runner import run
    from kaohe.engine.report.html.build import from_evaluation, html_bytes

    report = from_evaluation(run(CHENGDU))
    report.inline_limit = 10
    target = tmp_path / "packed.html"
    target.write_bytes(html_bytes(report))
    c104 = next(s for s in year_subjects(files) if s["id"] == "C104")
    tab = page.context.new_page()  # the same browser (one playwright per thread)
    try:
        problems: list[str] = []
        tab.on("pageerror", lambda e: problems.append(str(e)))
        tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        tab.goto(target.as_uri())
        assert tab.locator("section.subject").count() == 0
        tab.click('#ranking a[href="#s-C104"]')
        tab.wait_for_selector("#s-C104 dd.total")
        assert tab.inner_text("#s-C104 dd.total") == json.dumps(c104["total"])
        tab.click("#show-all")
        tab.wait_for_function("document.querySelectorAll('section.subject').length === 66")
        assert problems == []
    finally:
        tab.close()
