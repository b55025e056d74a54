"""``kaohe report --format pdf``: printed by headless Chromium; ``--split`` gives one PDF per subject.
The PDF tests skip, saying why, without Chromium or playwright (.ci/run installs both)."""

from __future__ import annotations

import json
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from kaohe.cli import main
from kaohe.engine.report.html.browser import driver_installed, find_chromium

ROOT = Path(__file__).resolve().parent.parent
YANGQUAN = ROOT / "rulesets" / "yangquan-hitech"

WHY_SKIPPED = ("no Chromium (apt-get install chromium, or set KAOHE_CHROMIUM)" if find_chromium() is None
               else "the playwright package is not installed (pip install -e '.[test]')")
browser_only = pytest.mark.skipif(find_chromium() is None or not driver_installed(), reason=WHY_SKIPPED)


def chinese_font() -> bool:
    """A font with Chinese glyphs (fonts-noto-cjk): without one the PDFs hold boxes, not names."""
    found = shutil.which("fc-list")
    if found is None:
        return False
    listed = subprocess.run([found, ":lang=zh"], capture_output=True, text=True, check=False).stdout
    return bool(listed.strip())


needs_chinese_font = pytest.mark.skipif(not chinese_font(), reason="no Chinese font (apt-get install fonts-noto-cjk)")


def invoke(*args: str, lang: str = "zh") -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--lang", lang, *args])
    return result.exit_code, result.stdout, result.stderr


def text_of(pdf: Path) -> str:
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(str(pdf)).pages)
    # CJK fonts map some characters to their compatibility forms (⾼ for 高): NFKC folds them back
    return unicodedata.normalize("NFKC", text)


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    out = tmp_path_factory.mktemp("results") / "r.json"
    assert invoke("evaluate", str(YANGQUAN), "--format", "json", "--out", str(out))[0] == 0
    return list(json.loads(out.read_text(encoding="utf-8"))["periods"][-1]["subjects"])


@browser_only
@needs_chinese_font
def test_split_writes_one_pdf_per_subject_with_its_name_and_total(tmp_path: Path, year: list[dict]) -> None:
    out = tmp_path / "handouts"
    code, _, err = invoke("report", str(YANGQUAN), "--format", "pdf", "--split", "--out", str(out))
    assert code == 0, err
    assert f"已写入 {out}" in err and "25 个 PDF" in err
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{s['id']}.pdf" for s in year)
    for subject in year:
        pdf = out / f"{subject['id']}.pdf"
        assert pdf.read_bytes().startswith(b"%PDF-")
        text = text_of(pdf)
        assert subject["name"] in text, subject["id"]
        total = subject["total"]
        shown = str(int(total)) if float(total).is_integer() else json.dumps(total)
        assert shown in text, (subject["id"], shown)
        others = [s["id"] for s in year if s["id"] != subject["id"]]
        assert not any(f"{other} " in text for other in others)  # one subject per file


@browser_only
@needs_chinese_font
def test_one_pdf_of_the_whole_report(tmp_path: Path, year: list[dict]) -> None:
    from pypdf import PdfReader

    out = tmp_path / "report.pdf"
    code, _, err = invoke("report", str(YANGQUAN), "--format", "pdf", "--out", str(out))
    assert code == 0, err
    pages = len(PdfReader(str(out)).pages)
    assert pages > len(year)  # every subject section starts a page of its own (A4 print stylesheet)
    text = text_of(out)
    assert all(s["name"] in text for s in year)


def test_without_chromium_pdf_is_a_bilingual_error_saying_how_to_install(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "no-chromium"
    monkeypatch.setenv("KAOHE_CHROMIUM", str(missing))
    for lang, words in (("zh", "未找到 Chromium"), ("en", "Chromium was not found")):
        code, _, err = invoke("report", str(YANGQUAN), "--format", "pdf", "--out", str(tmp_path / "r.pdf"), lang=lang)
        assert code == 1
        assert err.startswith(f"{missing}: ") and words in err and "apt-get install chromium" in err
        assert "E-REPORT-CHROMIUM" in err
    assert not (tmp_path / "r.pdf").exists()


@browser_only
def test_split_into_a_file_is_refused(tmp_path: Path) -> None:
    taken = tmp_path / "taken.txt"
    taken.write_text("x", encoding="utf-8")
    code, _, err = invoke("report", str(YANGQUAN), "--format", "pdf", "--split", "--out", str(taken))
    assert code == 1 and "E-REPORT-OUT-DIR" in err and taken.read_text(encoding="utf-8") == "x"


@pytest.mark.skipif(not driver_installed(), reason="the playwright package is not installed (pip install -e '.[test]')")
def test_a_browser_that_does_not_start_is_a_located_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    not_a_browser = shutil.which("true")
    assert not_a_browser is not None
    monkeypatch.setenv("KAOHE_CHROMIUM", not_a_browser)
    out = tmp_path / "r.pdf"
    code, _, err = invoke("report", str(YANGQUAN), "--format", "pdf", "--out", str(out))
    assert code == 1 and err.startswith(f"{not_a_browser}: ") and "E-REPORT-PDF" in err
    assert "Traceback" not in err and not out.exists()
