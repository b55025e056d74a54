"""Codes for the data an office hands in: headers by title, title rows above the header, numbers as offices write them, .xls and GBK files."""

MESSAGES: dict[str, tuple[str, str]] = {
    "E-DATA-HEADER-AMBIGUOUS": (
        "{table_zh}的表头 “{header}” 既可指 “{first}”，也可指 “{second}”：请改用其中一列的编号或完整名称",
        "the {table} table's header '{header}' could mean '{first}' or '{second}': write the id or the full "
        "title of the one meant",
    ),
    "W-DATA-OTHER-PERIOD": (
        "数据项表 {table} 有 {count} 个数值填在本方案不考核的周期：{periods}，而这些对象在本年同一周期在岗却没有数据。"
        "这些数值不参加计算；若是年份写错了，请改正（本方案的周期：{available}）",
        "the values table {table} has {count} value(s) for periods this ruleset does not assess: {periods_en}, "
        "for subjects on post in the same period of this year with no data there. They are not used; if the "
        "year is mistyped, correct it (this ruleset's periods: {available})",
    ),
    "W-DATA-UNKNOWN-CLASS": (
        "对象表 {table} 中 {subjects} 的类别 “{label}” 不是本方案声明的类别（{declared}）：这些对象按系数 1、"
        "只按不限类别的指标和规则计算。类别列请写类别编号",
        "the subjects table {table} gives {subjects} the class '{label}', which this ruleset does not declare "
        "({declared}): they get coefficient 1 and only the indicators and rules for every class. Write the class id",
    ),
    "W-DATA-EVENT-TYPE": (
        "事件表 {table} 中有 {count} 个事件的类型写作 “{label}”，与规则中的 “{meant}” 只差空格、全角或大小写："
        "规则不会计入这些事件。若指的是 “{meant}”，请改为 “{meant}”",
        "the events table {table} has {count} event(s) of type '{label}', which differs from the rules' '{meant}' "
        "only by spaces, full-width characters or case: no rule counts them. If '{meant}' is meant, write it so",
    ),
    "W-DATA-TITLE-ROWS": (
        "{table_zh}第 {rows} 行在表头之上（标题或合并的表头），已跳过；表头在第 {header} 行",
        "rows {rows} of the {table} table stand above its header (a title or merged header rows) and were "
        "skipped; the header is row {header}",
    ),
    "W-DATA-GBK": (
        "文件 {file} 不是 UTF-8 编码，已按 GBK（GB18030）读取：请核对中文是否正确；"
        "在 data 中写明 encoding: gbk，或把文件另存为 “CSV UTF-8”，即不再提醒",
        "file {file} is not UTF-8; it was read as GBK (GB18030): check that its Chinese text reads right. "
        "Write encoding: gbk for the table under data, or save the file as 'CSV UTF-8', and this warning goes away",
    ),
    "E-DATA-NOT-XLS": (
        "文件 {file} 不是有效的 Excel 工作簿（.xls）：请用 Excel 打开后另存为 .xlsx",
        "file {file} is not a valid Excel workbook (.xls): open it in Excel and save it as .xlsx",
    ),
    "E-DATA-BOOK-SHEET": (
        "工作簿 {file} 中没有{table_zh}：方案要读这张表，请添加名为 {looked} 的工作表（现有 {available}）",
        "workbook {file} has no sheet for the {table} table, which the ruleset reads: add a sheet named "
        "{looked} (it has {available})",
    ),
    "E-DATA-WHICH-TABLE": (
        "看不出文件 {file} 是哪张数据表：请按表命名文件或工作表，如 {names}",
        "cannot tell which data table file {file} holds: name the file or its sheets after a table, e.g. {names}",
    ),
    "E-DATA-NAME-MISMATCH": (
        "编号 {subject} 是“{expected}”，这一行的名称却写着“{written}”：请核对这一行填的是哪个对象，改正编号或名称",
        "id {subject} is '{expected}', but this row's name says '{written}': check which subject the row is for "
        "and correct the id or the name",
    ),
    "W-DATA-PERCENT-MIXED": (
        "{table_zh}的“{column}”列中，“{percent}”读作 {read}（方案没有为它声明 unit: %），而第 {plain_row} 行写的是 {plain}："
        "同一列的数相差 100 倍。若这一项以百分数计，请在方案的 inputs 中写 unit: %；否则请把 {percent} 改写成 {read}",
        "in column '{column}' of the {table} table, '{percent}' reads as {read} (the ruleset declares no unit: % "
        "for it), while row {plain_row} holds {plain}: the column mixes two scales a hundred times apart. If the "
        "input is measured in percent, write unit: % in its inputs entry; otherwise write {percent} as {read}",
    ),
}
