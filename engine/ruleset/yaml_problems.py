"""PyYAML's syntax problems, worded in both languages.

PyYAML explains a broken file in English ("mapping values are not allowed
here"); an officer editing a ruleset in Chinese needs to know what to change.
Each known problem gets a Chinese wording that says what is usually wrong;
the English message keeps PyYAML's own words. A Chinese keyboard's slip behind
the problem (``：`` for ``:``, a tab, ``‘’“”``, ``，``) is reported instead, at
the character, by ``kaohe.engine.ruleset.slips``.
"""

from __future__ import annotations

import re

from kaohe.engine.errors import Bilingual

_KNOWN = [
    (r"^mapping values are not allowed here", "这里不能出现冒号 “:”：值中含冒号时请给整个值加引号，或检查上一行的缩进"),
    (r"^could not find expected ':'", "缺少冒号 “:”：键和值之间要写英文冒号加空格“: ”（中文冒号“：”不算），也可能是引号没有闭合"),
    (r"^found character '\\t' that cannot start any token", "出现了制表符：YAML 只能用空格缩进，请把制表符换成空格"),
    (r"^found character (.*) that cannot start any token", "字符 {0} 不能放在值的开头：请给这个值加引号"),
    (r"^expected <block end>", "缩进不一致：这一行与同一层的其他行缩进不同"),
    (r"^expected the node content", "这里缺少一个值"),
    (r"^found unexpected end of stream", "文件在引号或括号闭合之前就结束了"),
    (r"^found undefined alias (.*)", "引用了没有定义的锚点 {0}：*名称 之前须先有 &名称"),
    (r"^found duplicate anchor", "同一个锚点 & 定义了两次"),
    (r"^expected ',' or '\]'", "方括号 [ ] 中缺少逗号或 “]”"),
    (r"^expected ',' or '\}'", "花括号 {{ }} 中缺少逗号或 “}}”"),
    (r"^found unknown escape character", "双引号中的反斜杠 \\ 写法无效：路径请用单引号或 /"),
    (r"expected a single document|^but found another document|unexpected document separator",
     "一个文件只能有一个方案：请删去多余的 ---"),
    (r"^mapping keys are not allowed here", "这里不能出现键：请检查缩进"),
    (r"^sequence entries are not allowed here", "这里不能出现列表项 “- ”：请检查缩进"),
    (r"^invalid indentation or unclosed", "缩进有误，或 [ {{ 没有闭合"),
    (r"^expected a comment or a line break", "值的后面还有多余的内容：注释 # 前面要有空格"),
    (r"^found (undefined|non-specific) tag|^expected '!'|^expected URI|^found undefined tag handle",
     "标签（!）写法有误：考核方案不使用标签，请删去 ! 开头的部分"),
    (r"^expected (alphabetic|a digit|chomping|indentation indicator|escape sequence|' ')",
     "这里的写法有误：请检查引号、| 或 > 之后的内容"),
]


def yaml_problem(context: object, problem_text: object) -> Bilingual:
    """What is wrong at the problem mark, in both languages, from a PyYAML (or ruamel) error's
    ``context`` and ``problem``."""
    english = " ".join(str(p) for p in (context, problem_text) if p)
    problem = str(problem_text or context or "")
    for pattern, zh in _KNOWN:
        found = re.search(pattern, problem)
        if found:
            return Bilingual(zh.format(*found.groups()), english)
    return Bilingual("写法有误", english)


def read_problem(exc: OSError) -> Bilingual:
    """A file that exists but could not be read (permissions, a folder, a device)."""
    return Bilingual(f"无法读取这个文件（{type(exc).__name__}）", str(exc))
