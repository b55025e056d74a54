"""Codes for slips a Chinese keyboard makes in a ruleset: full-width colons, commas, quotes and spaces, tabs, = for ==, full-width digits.

Each message names the character, where it is, and what to type instead (``kaohe.engine.ruleset.slips``
finds them in the YAML text, ``kaohe.engine.language.wording`` in expressions)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "E-YAML-FULLWIDTH-COLON": (
        "第 {line} 行第 {column} 列的“：”是中文冒号：请改为英文冒号“:”并在后面加一个空格，写成 {fixed}",
        "line {line} col {column}: '：' is a full-width colon; type ':' followed by a space: {fixed}",
    ),
    "E-YAML-TAB": (
        "第 {line} 行第 {column} 列是制表符（Tab 键）：YAML 只能用空格缩进和分隔，请把它换成空格",
        "line {line} col {column} is a tab: YAML indents and separates with spaces only; replace it with spaces",
    ),
    "E-YAML-FULLWIDTH-QUOTE": (
        "第 {line} 行第 {column} 列的“{char}”是中文引号，YAML 不把它当作引号：请改为英文引号 {ascii}，写成 {fixed}",
        "line {line} col {column}: '{char}' is a full-width (Chinese) quotation mark, which YAML does not read as a "
        "quote; type {ascii} instead: {fixed}",
    ),
    "E-YAML-FULLWIDTH-COMMA": (
        "第 {line} 行第 {column} 列的“，”是中文逗号：方括号 [ ] 或花括号 {{ }} 中的各项要用英文逗号“,”分隔，写成 {fixed}",
        "line {line} col {column}: '，' is a full-width comma; separate the items in [ ] or {{ }} with ',': {fixed}",
    ),
    "E-YAML-FULLWIDTH-DIGITS": (
        "第 {line} 行第 {column} 列的 “{actual}” 是全角数字，不会被当作数：请改为半角数字 {fixed}",
        "line {line} col {column}: '{actual}' is written in full-width digits, which are not read as a number; "
        "type {fixed}",
    ),
    "E-YAML-FULLWIDTH-SPACE": (
        "第 {line} 行第 {column} 列是全角空格“　”，YAML 不把它当作空格：缩进和分隔请用半角空格，名称中的请删去",
        "line {line} col {column} is a full-width space, which YAML does not read as a space: indent and separate "
        "with ordinary spaces, and delete it from names",
    ),
    "E-EXPR-FULLWIDTH": (
        "{where}表达式 “{expr}” 的第 {position} 个字符“{char}”是中文输入法打出的符号：表达式中的括号、运算符、逗号、引号和数字"
        "都要用英文半角，请改为“{ascii}”，写成 {fixed}",
        "{where}character {position} of expression '{expr}' is '{char}', typed with a Chinese input method: brackets, "
        "operators, commas, quotes and digits in expressions are half-width; type '{ascii}' instead: {fixed}",
    ),
    "E-EXPR-ASSIGN": (
        "{where}表达式 “{expr}” 的第 {position} 个字符是一个等号“=”，那是赋值：比较两边是否相等请写两个等号“==”，写成 {fixed}",
        "{where}character {position} of expression '{expr}' is a single '=', which assigns; to compare for equality "
        "write '==': {fixed}",
    ),
}
