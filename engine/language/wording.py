"""What went wrong in an expression, worded in both languages.

Python's parser and numpy explain problems in English; a Chinese message
must not quote them. The common cases have a translation here; anything
else gets a general Chinese wording (the English message keeps Python's
own words, which name the detail).
"""

from __future__ import annotations

import re

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
