"""``kaohe report``: one self-contained HTML report (and PDFs printed from it).

``facts`` gathers what the report states (from the results document, and
from the evaluation when there is one), ``charts`` draws SVG, ``page``
writes the HTML, ``compare`` sets a period beside an earlier year's,
``browser`` finds and starts headless Chromium, ``pdf`` prints through it.
"""
