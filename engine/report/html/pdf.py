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
from kaohe.engine.report.atomic import file_names, write_atomic
from kaohe.engine.report.html.browser import chromium

if TYPE_CHECKING:
    from playwright.sync_api import Browser

# page numbers in the bottom margin (Chromium fills the two spans); no words, so no font question
FOOTER = ('<div style="width:100%;text-align:center;font-size:8px;color:#5b6673">'
          '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')


def _print(browser: Browser, html: str) -> bytes:
    page = browser.new_page()
    try:
        page.route("**/*", lambda route: route.abort())
        page.set_content(html, wait_until="load")
        return fixed_dates(page.pdf(format="A4", print_background=True, prefer_css_page_size=True,
                                    display_header_footer=True, header_template="<span></span>",
                                    footer_template=FOOTER))
    finally:
        page.close()


_DATE = re.compile(rb"/(CreationDate|ModDate) ?\(D:\d{14}[^)]*\)")


def fixed_dates(pdf: bytes) -> bytes:
    """Chromium stamps the time it printed into the PDF's information dictionary: the same report
    printed twice would differ. The stamps become ``SOURCE_DATE_EPOCH`` (else 2000-01-01), written
    with exactly as many bytes, so the cross-reference offsets stay right."""
    stamp = _stamp()

    def replace(match: re.Match[bytes]) -> bytes:
        old = match.group(0)
        new = old[: old.index(b"(D:") + 3] + stamp
        return new + b" " * (len(old) - len(new) - 1) + b")" if len(new) < len(old) else old

    return _DATE.sub(replace, pdf)


def _stamp() -> bytes:
    import datetime as dt
    import os

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    moment = (dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch.isdigit()
              else dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    return moment.strftime("%Y%m%d%H%M%S+00'00'").encode("ascii")


def pdf_of(html: str) -> bytes:
    """The whole report as one PDF."""
    with chromium() as browser:
        return _print(browser, html)


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
    names = file_names([subject_id for subject_id, _ in pages], ".pdf")
    with chromium() as browser:
        for name, (_, html) in zip(names, pages, strict=True):
            data = _print(browser, html)
            target = folder / name
            write_atomic(target, data)
            written.append((target, len(data)))
    return written
