"""Numbers and periods as offices write them.

A number cell may carry what a spreadsheet or a Chinese input method adds:
surrounding spaces, full-width digits and signs (``９７．５``), thousands
separators (``5,200``, ``5，200``), a percent sign and a unit suffix equal to
the input's declared unit (``5.2万元`` where ``unit: 万元``). ``97%`` reads as
97 when the input's unit is ``%`` and as 0.97 otherwise; an Excel cell
formatted as a percentage holds 0.97 and the workbook source hands it on as a
``Percent``, which reads as 97 under ``unit: %``.

Periods may be written ``2025年``, ``2025年第二季度`` / ``2025年二季度`` /
``2025年第2季度`` (``2025Q2``) and ``2025年3月`` (``2025-03``).

The plain forms are read by the fast converters in ``kaohe.engine.data.tables``;
these run only for the cells those refuse.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

PERCENT_UNIT = "%"
PERCENT_UNITS = ("%", "百分比")  # units that mean "a number of percent" (after NFKC, so ％ too)
# re.ASCII: \d is 0-9 alone; NFKC has made full-width digits ASCII, and other scripts' digits (١٢, १२) are no number
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$", re.ASCII)
_PLAIN = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$", re.ASCII)
_CHINESE_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_YEAR_ZH = re.compile(r"^(\d{4})年(?:度)?$")
_QUARTER_ZH = re.compile(r"^(\d{4})年(?:度)?第?([一二三四1-4])季度?$")
_MONTH_ZH = re.compile(r"^(\d{4})年(\d{1,2})月(?:份)?$")


def is_percent_unit(unit: str) -> bool:
    """Whether an input measured in ``unit`` is written in percent (97 for 97%)."""
    return bool(unit) and normal_text(unit) in PERCENT_UNITS


class Percent(float):
    """A workbook cell formatted as a percentage (0.97 shown as 97%): a float like any other,
    read as 97 by an input whose unit is ``%``."""

    __slots__ = ()


def normal_text(text: str) -> str:
    """NFKC (full-width digits, signs, comma and percent to ASCII), no spaces inside or around."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def office_number(cell: Any, unit: str = "") -> float | None:
    """A text cell in one of the office forms as a number, or None when it is not one."""
    if not isinstance(cell, str):
        return None
    text = normal_text(cell)
    in_percent = is_percent_unit(unit)
    unit_key = normal_text(unit) if unit and not in_percent else ""
    if unit_key and text.endswith(unit_key) and len(text) > len(unit_key):
        text = text[: -len(unit_key)]
    percent = text.endswith(PERCENT_UNIT)
    if percent:
        text = text[:-1]
    if _GROUPED.match(text):
        text = text.replace(",", "")
    if not _PLAIN.match(text):
        return None
    value = float(text)
    if not math.isfinite(value):
        return None
    return value if not percent or in_percent else value / 100


def example_forms(unit: str = "") -> str:
    """The forms a number cell may take, for the message that refuses one."""
    if is_percent_unit(unit):
        return "97、97%、97.5"
    if unit:
        return f"97、5,200、5.2{unit}"
    return "97、97%、5,200"


def office_period(text: str) -> str | None:
    """A period written the Chinese way as its id, or None."""
    value = normal_text(text)
    if match := _YEAR_ZH.match(value):
        return match[1]
    if match := _QUARTER_ZH.match(value):
        return f"{match[1]}Q{_CHINESE_QUARTERS[match[2]]}"
    if (match := _MONTH_ZH.match(value)) and 1 <= int(match[2]) <= 12:
        return f"{match[1]}-{int(match[2]):02d}"
    return None


def period_id(text: str) -> str:
    """A period as it is written anywhere a person names one (2025Q1, 2025q1, 2025-Q1, 2025年第一季度,
    2025-3) as its id (2025Q1, 2025-03); text that is no period unchanged, for the message refusing it."""
    from kaohe.engine.data.periods import parse_period

    chinese = office_period(text)
    if chinese is not None:
        return chinese
    parsed = parse_period(text)
    return parsed.id if parsed is not None else str(text).strip()
