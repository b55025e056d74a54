"""Messages of `kaohe fmt`."""

MESSAGES: dict[str, tuple[str, str]] = {
    "E-FMT-YAML": (
        "无法按原样读入此 YAML 文件，未作改动：{problem}。请先修正这里的 YAML 写法（缩进、冒号、引号、锚点），"
        "再运行 kaohe fmt",
        "cannot read this YAML file for round-trip formatting, left it unchanged: {problem}. "
        "Fix the YAML here (indentation, colons, quotes, anchors), then run kaohe fmt again",
    ),
    "E-FMT-UNSAFE": (
        "格式化会改变 {file} 的内容（常见原因：别名 *x 写在锚点 &x 之前、合并键 <<、八进制数字或特殊标签），"
        "文件未改动。请把锚点移到使用它的别名之前，或改用普通写法后再运行 kaohe fmt",
        "formatting would change the data of {file} (usually an alias *x that would come before its "
        "anchor &x, a merge key <<, an octal number or a special tag), so it was left unchanged. Move the "
        "anchor above every alias that uses it, or write the value plainly, then run kaohe fmt again",
    ),
}
