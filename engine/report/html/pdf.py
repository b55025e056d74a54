"""The report printed to PDF (A4, the page's print stylesheet) by headless Chromium.

One browser serves every page: ``--split`` prints each subject's own page
(engine/report/html/page.py ``subject_page``) in the same browser. Pages are
loaded from a string, and every request they would make is refused, so
printing needs no network (the report makes none anyway).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kaohe.engine.errors import Diagnostic, KaoheError
from kaohe.engine.report.atomic import write_atomic
from kaohe.engine.report.html.browser import chromium

if TYPE_CHECKING:
    from playwright.sync_api import Browser

# page numbers in the bottom margin (Chromium fills the two spans); no words, so no font question
FOOTER = ('<div style="width:100%;text-align:center;font-size:8px;color:#5b6673">'
          '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')  # not in a file name on any common system


def _print(browser: Browser, html: str) -> bytes:
    page = browser.new_page()
    try:
        page.route("**/*", lambda route: route.abort())
        page.set_content(html, wait_until="load")
        return page.pdf(format="A4", print_background=True, prefer_css_page_size=True,
                        display_header_footer=True, header_template="<span></span>", footer_template=FOOTER)
    finally:
        page.close()


def pdf_of(html: str) -> bytes:
    """The whole report as one PDF."""
    with chromium() as browser:
        return _print(browser, html)


def file_name(subject_id: str) -> str:
    """``<subject id>.pdf``, with characters no file name may hold replaced by ``_``."""
    name = _UNSAFE.sub("_", subject_id).strip(". ") or "_"
    return f"{name}.pdf"


def write_split(pages: Sequence[tuple[str, str]], folder: Path) -> list[tuple[Path, int]]:
    """One PDF per (subject id, page) into ``folder`` (created when missing); each written whole."""
    if folder.exists() and not folder.is_dir():
        raise KaoheError(Diagnostic("E-REPORT-OUT-DIR", {"file": str(folder)}, file=str(folder)))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from kaohe.engine.report.atomic import write_error

        raise KaoheError(write_error(folder, exc)) from None
    written = []
    with chromium() as browser:
        for subject_id, html in pages:
            data = _print(browser, html)
            target = folder / file_name(subject_id)
            write_atomic(target, data)
            written.append((target, len(data)))
    return written
