"""Headless Chromium, found on this machine and driven by the ``playwright`` package.

Playwright drives the system's Chromium through ``executable_path`` (it downloads
no browser), keeps one browser for many pages (one PDF per subject costs a page,
not a browser start) and gives each launch a fresh temporary profile. Both are
imported and started only when a PDF is asked for.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from kaohe.engine.errors import Diagnostic, KaoheError

if TYPE_CHECKING:
    from playwright.sync_api import Browser

SYSTEM_CHROMIUM = Path("/usr/bin/chromium")
NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Flags that work as root and in a closed network: nothing phones home, nothing updates itself.
LAUNCH_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync")


def find_chromium() -> Path | None:
    """``KAOHE_CHROMIUM`` when set, else /usr/bin/chromium (Debian's package), else the first on PATH."""
    chosen = os.environ.get("KAOHE_CHROMIUM", "").strip()
    if chosen:
        return Path(chosen) if Path(chosen).is_file() else None
    if SYSTEM_CHROMIUM.is_file():
        return SYSTEM_CHROMIUM
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def require_chromium() -> Path:
    found = find_chromium()
    if found is not None:
        return found
    chosen = os.environ.get("KAOHE_CHROMIUM", "").strip()
    looked = chosen or "、".join([str(SYSTEM_CHROMIUM), *NAMES])
    raise KaoheError(Diagnostic("E-REPORT-CHROMIUM", {"looked": looked}, file=chosen or str(SYSTEM_CHROMIUM)))


def driver_installed() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    """A started headless Chromium; any failure to start it is E-REPORT-PDF naming the browser."""
    executable = require_chromium()
    if not driver_installed():
        raise KaoheError(Diagnostic("E-REPORT-DRIVER", {}))
    from playwright.sync_api import Error, sync_playwright

    try:
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=str(executable), args=list(LAUNCH_ARGS))
            try:
                yield browser
            finally:
                browser.close()
    except Error as exc:
        raise KaoheError(Diagnostic("E-REPORT-PDF", {"browser": str(executable), "problem": _first_line(exc)},
                                    file=str(executable))) from None


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__
