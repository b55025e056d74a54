"""What went wrong in an expression, worded in both languages.

Python's parser and numpy explain problems in English; a Chinese message
must not quote them. The common cases have a translation here; anything
else gets a general Chinese wording (the English message keeps Python's
own words, which name the detail).
"""

from __future__ import annotations

import ast
import re
from typing import NamedTuple

from kaohe.engine.errors import Bilingual

CONSTRUCTS = {
    "subscript": Bilingual("下标 [ ]", "[ ] subscript"),
    "lambda": Bilingual("lambda 函数", "lambda"),
    "comprehension": Bilingual("推导式", "comprehension"),
    "dict": Bilingual("字典 { }", "dict"),
    "set": Bilingual("集合 { }", "set"),
    "f-string": Bilingual("f 字符串", "f-string"),
    ":=": Bilingual("赋值 :=", ":="),
    "*": Bilingual("展开 *", "*"),
    "method call": Bilingual("方法调用（如 x.f()）", "method call"),
    "keyword argument": Bilingual("关键字参数（除 years=、how= 等内置函数声明的以外）", "keyword argument"),
    "list outside in": Bilingual("列表（只能写在 in (…) 中）", "list outside `in (…)`"),
    "list": Bilingual("列表（in 后面请用圆括号）", "list"),
    "non-constant list item": Bilingual("in (…) 中的非常量项", "non-constant list item"),
    "is": Bilingual("is（请用 ==）", "is"),
    "statement": Bilingual("语句", "statement"),
}

_KEYWORDS = {"await", "yield", "lambda", "import", "global", "del", "assert", "pass", "return"}
_SYNTAX = [
    (r"^invalid syntax", "写法有误"),
    (r"^unterminated string literal|^EOL while scanning|^unterminated triple-quoted", "引号没有闭合"),
    (r"^invalid character '(.)'", "含有不能使用的字符 “{0}”（请改用半角符号）"),
    (r"^invalid non-printable character", "含有不可见字符"),
    (r"was never closed$|^unexpected EOF", "括号没有闭合"),
    (r"^unmatched '(.)'", "多了一个 “{0}”"),
    (r"^closing parenthesis '(.)' does not match opening parenthesis '(.)'", "括号 “{1}” 与 “{0}” 不配对"),
    (r"^invalid decimal literal|^invalid digit|^leading zeros", "数字写法有误"),
    (r"^unexpected indent|^unindent|^expected an indented block", "开头多了空格或缩进"),
    (r"^cannot assign|^invalid syntax. Maybe you meant '==' ", "不能赋值（比较请用 ==）"),
    (r"^expected ':'", "缺少 “:”"),
    (r"^unexpected character after line continuation", "反斜杠 \\ 后面不能再写字符"),
    (r"^f-string", "f 字符串写法有误"),
    (r"Perhaps you forgot a comma", "可能缺少逗号"),
    (r"^too many nested parentheses", "括号嵌套过深"),
    (r"null bytes", "含有不可见的空字符"),
]


def construct(name: str) -> Bilingual:
    """The name of a construct the whitelist refuses, in both languages."""
    return CONSTRUCTS.get(name, Bilingual(f"这种写法（{name}）" if name.lower() in _KEYWORDS else "这种写法", name))


def syntax_problem(message: str) -> Bilingual:
    """A Python ``SyntaxError`` message, in both languages."""
    for pattern, zh in _SYNTAX:
        found = re.search(pattern, message)
        if found:
            return Bilingual(zh.format(*found.groups()), message)
    return Bilingual("写法有误", message)


def runtime_problem(exc: BaseException) -> Bilingual:
    """Why evaluating a checked expression failed on the data, in both languages."""
    text = str(exc)
    if isinstance(exc, ZeroDivisionError):
        return Bilingual("除数为 0", text)
    if isinstance(exc, OverflowError) or "out of range" in text or "too large" in text:
        return Bilingual("数值超出可以计算的范围", text)
    if "could not convert string to float" in text or isinstance(exc, TypeError) and "str" in text:
        return Bilingual("文字不能当作数字计算（请检查数据项或引号）", text)
    if "broadcast" in text or "shape" in text:
        return Bilingual("参与计算的几列长度不一致", text)
    if "at least one argument" in text or "argument" in text:
        return Bilingual("函数的参数个数或类型不对（见函数表）", text)
    return Bilingual(f"无法计算（{type(exc).__name__}）", text)


# ---------------------------------------------------------------------------
# slips a Chinese keyboard makes in an expression

HALF_WIDTH = {
    "（": "(", "）": ")", "＞": ">", "＜": "<", "＝": "=", "，": ",", "＋": "+", "－": "-", "＊": "*",
    "／": "/", "！": "!", "％": "%", "．": ".", "：": ":", "　": " ", "｜": "|", "＆": "&",
    "×": "*", "÷": "/", "≥": ">=", "≤": "<=", "≠": "!=", "。": ".", "、": ",",
    **{chr(0xFF10 + d): str(d) for d in range(10)},  # full-width digits ０–９
}
"""Characters a Chinese input method types where an expression needs an ASCII symbol, with that symbol."""

CURLY_QUOTES = {"‘": "'", "’": "'", "“": '"', "”": '"'}
"""Chinese quotation marks: Python (and YAML) take only ' and " as quotes."""


class ExpressionSlip(NamedTuple):
    """A keyboard slip in an expression: ``code`` E-EXPR-FULLWIDTH or E-EXPR-ASSIGN, the character and
    its 0-based ``offset`` in the text, and the whole text with every slip of that kind put right."""

    code: str
    character: str
    offset: int
    replacement: str
    fixed: str

    def params(self) -> dict[str, object]:
        return {"char": self.character, "position": self.offset + 1, "ascii": self.replacement,
                "fixed": self.fixed, "where": ""}


def expression_slip(text: str) -> ExpressionSlip | None:
    """The first full-width character outside quoted text, else the first ``=`` meant as ``==``, in an
    expression Python could not read as one. Text inside quotes ('重大（一级）') is data and never a slip;
    a Chinese quotation mark is taken as the quote it was meant to be, so its contents are data too."""
    return _fullwidth_slip(text) or _assign_slip(text)


_FAMILY = {"‘": "‘’", "’": "‘’", "“": "“”", "”": "“”"}


def _outside_quotes(text: str) -> list[tuple[int, str, str | None]]:
    """Each character of ``text`` with its offset and, outside quoted text, the half-width character it
    should be ("" for one that is fine); inside quoted text ``None``. A Chinese quotation mark opens and
    closes a quote like ' and " do (closed only by a mark of its own pair); it becomes ' or ", whichever
    its contents do not use."""
    marks: list[tuple[int, str, str | None]] = []
    closing = ""  # the characters that close the quote we are in
    quote_as = ""  # what the Chinese marks of that quote become
    for i, ch in enumerate(text):
        if closing and ch in closing and not (ch in "'\"" and text[i - 1:i] == "\\"):
            marks.append((i, ch, quote_as if ch in _FAMILY else ""))
            closing = ""
        elif closing:
            marks.append((i, ch, None))
        elif ch in _FAMILY:
            closing = _FAMILY[ch]
            rest = text[i + 1:]
            end = min((rest.find(c) for c in closing if c in rest), default=len(rest))
            quote_as = "\"" if "'" in rest[:end] else CURLY_QUOTES[ch]
            quote_as = "'" if quote_as == '"' and '"' in rest[:end] else quote_as
            marks.append((i, ch, quote_as))
        else:
            closing = ch if ch in "'\"" else ""
            marks.append((i, ch, HALF_WIDTH.get(ch, "")))
    return marks


def _fullwidth_slip(text: str) -> ExpressionSlip | None:
    slips = [(i, ch, fix) for i, ch, fix in _outside_quotes(text) if fix]
    if not slips:
        return None
    fixes = {i: fix for i, _, fix in slips}
    offset, character, replacement = slips[0]
    fixed = "".join(fixes.get(i, ch) for i, ch in enumerate(text))
    return ExpressionSlip("E-EXPR-FULLWIDTH", character, offset, replacement, fixed)


def _assign_slip(text: str) -> ExpressionSlip | None:
    """A lone ``=`` outside quotes that is not a function's keyword argument (``years=3``)."""
    depth = 0
    for i, ch, fix in _outside_quotes(text):
        if fix is None:
            continue
        depth += (ch == "(") - (ch == ")")
        # ==, !=, <=, >=, := and x += 1 are not the slip; nor =< and => (a misspelt <= or >=)
        if ch != "=" or (i and text[i - 1] in "=!<>:+-*/%&|^@") or text[i + 1:i + 2] in ("=", "<", ">"):
            continue
        if depth > 0 and _keyword_argument(text[:i]):
            continue
        fixed = text[:i] + "==" + text[i + 1:]
        return ExpressionSlip("E-EXPR-ASSIGN", "=", i, "==", fixed) if _reads(fixed) else None
    return None


def class_word(text: str) -> int | None:
    """The offset of the word ``class`` written outside quotes where the subject's class is meant
    (``class == 'frontline'``): Python reserves the word, so the text cannot be read; ``cls`` can."""
    outside = "".join(ch if fix is not None else " " for _, ch, fix in _outside_quotes(text))
    for found in re.finditer(r"(?<![\w.])class(?!\w)", outside):
        if _reads(text[:found.start()] + "cls" + text[found.end():].replace("class", "cls")):
            return found.start()
    return None


CLASS_WORD = Bilingual("class 是保留字，不能当名称用：类别编号请写 cls，如 cls == 'frontline'",
                       "class is a reserved word, no name: write cls for the class, e.g. cls == 'frontline'")


def _reads(text: str) -> bool:
    """Python reads ``text`` as one expression (so ``==`` for the ``=`` is the whole fix)."""
    try:
        ast.parse(text, mode="eval")
    except SyntaxError:
        return False
    return True


def _keyword_argument(before: str) -> bool:
    """``before`` ends with ``(name`` or ``, name``: the ``=`` that follows names an argument."""
    return re.search(r"[(,]\s*[^\W\d]\w*\s*$", before) is not None


def half_width_quotes(text: str) -> str:
    """``text`` with each pair of Chinese quotation marks made ' or " (whichever its contents do not use)."""
    fixes = {i: fix for i, ch, fix in _outside_quotes(text) if fix and ch in _FAMILY}
    return "".join(fixes.get(i, ch) for i, ch in enumerate(text))
