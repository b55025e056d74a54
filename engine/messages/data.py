"""Codes for data tables (subjects, values, events, ratings) and data sources.

Cell-level codes are located by file, row, column position and column name,
so the messages name the column and the bad value but not the position.
``table_zh`` / ``table`` are the table's Chinese and English names.
"""

MESSAGES = {
    "E-DATA-SOURCE": (
        "无法读取数据 {table}：{problem}",
        "cannot read data table {table}: {problem}",
    ),
    # --- reading files -------------------------------------------------------
    "E-DATA-FILE": (
        "找不到数据文件 {file}（查找位置：{looked}）：请检查 data 中的 path 是否写对，或把文件放到该位置",
        "data file {file} not found (looked for {looked}): check the path under data, or put the file there",
    ),
    "E-DATA-FILE-TOO-LARGE": (
        "数据文件 {file} 有 {size}，超过上限 {limit}（{constant}），未读取：请按季度、单位等拆分成几个文件，"
        "或删去不需要的列；确实需要时，设置环境变量 {env}（单位 MiB，如 {env}=2048）后再运行",
        "data file {file} is {size}, over the limit of {limit} ({constant}), and was not read: split it (by "
        "quarter, unit …) or drop columns not needed; if it really must be read, set the environment variable "
        "{env} (in MiB, e.g. {env}=2048) and run again",
    ),
    "E-DATA-TOO-LARGE": (
        "读取数据文件 {file}（{size}）时内存不足：请把它拆分成几个较小的文件（如按季度），或在内存更大的电脑上运行；"
        "用环境变量 {env}（单位 MiB）可以把文件大小上限调低，让过大的文件在读取前就被拒绝",
        "memory ran out reading data file {file} ({size}): split it into smaller files (by quarter, say) or run "
        "on a machine with more memory; the environment variable {env} (in MiB) lowers the file size limit so "
        "that such a file is refused before it is read",
    ),
    "E-DATA-NO-SUBJECTS": (
        "缺少考核对象表 subjects（现有：{tables}）：请提供 subjects 表，至少包含 id、name 两列",
        "the subjects table is missing (given: {tables}): provide a subjects table with at least id and name",
    ),
    "E-DATA-UNKNOWN-SOURCE": (
        "{table_zh}的数据源 “{name}” 不存在：请改为 {available} 之一，或安装提供它的插件",
        "the {table} table's data source '{name}' does not exist: use one of {available}, "
        "or install the plugin that provides it",
    ),
    "E-DATA-UNKNOWN-TABLE": (
        "未知的数据表 “{table}”：只能是 {allowed} 之一",
        "unknown data table '{table}': use one of {allowed}",
    ),
    "E-DATA-ENCODING": (
        "文件 {file} 不是 {encoding} 编码：请在 Excel 中另存为 “CSV UTF-8”，或在 data 中写明 encoding（如 gbk）",
        "file {file} is not {encoding} encoded: save it as 'CSV UTF-8' in Excel, "
        "or give its encoding under data (e.g. encoding: gbk)",
    ),
    "E-DATA-FORMULA-UNCACHED": (
        "这个单元格是公式 {formula}，但文件中没有它的计算结果（由程序生成、没有在 Excel 或 WPS 中打开保存过），"
        "读入时会当作空白：请在 Excel 或 WPS 中打开并保存后再读入，或直接填写数值",
        "this cell holds the formula {formula} but the file holds no result for it (written by a program, never "
        "opened and saved in Excel or WPS), so it would read as blank: open and save it in Excel or WPS, or "
        "write the value",
    ),
    "E-DATA-NOT-XLSX": (
        "文件 {file} 不是有效的 xlsx 工作簿：请用 Excel 另存为 .xlsx（旧版 .xls 文件请保留 .xls 后缀）",
        "file {file} is not a valid xlsx workbook: save it as .xlsx in Excel (keep the .xls suffix on old .xls files)",
    ),
    "E-DATA-SHEET": (
        "工作簿 {file} 中没有名为 “{sheet}” 的工作表：请改为 {available} 之一",
        "workbook {file} has no sheet named '{sheet}': use one of {available}",
    ),
    "E-DATA-JSON-SYNTAX": (
        "JSON 语法错误：{problem}。请检查逗号、引号和括号",
        "JSON syntax error: {problem}. Check commas, quotes and brackets",
    ),
    "E-DATA-JSON-SHAPE": (
        "JSON 文件 {file} 的格式不对：应为对象数组 [{{…}}, …]，或 {{\"rows\": [{{…}}, …]}}",
        "JSON file {file} has the wrong shape: write a list of objects [{{…}}, …] or {{\"rows\": [{{…}}, …]}}",
    ),
    "E-DATA-ROW-NOT-MAPPING": (
        "这一行不是 “列名: 值” 形式的对象：请把每行写成 {{列名: 值, …}}",
        "this row is not an object of 'column: value' pairs: write each row as {{column: value, …}}",
    ),
    "E-DATA-CELL-NOT-SCALAR": (
        "“{column}” 的值是列表或对象：单元格只能是文字、数字、日期或布尔值",
        "the value of '{column}' is a list or object: a cell holds text, a number, a date or a boolean",
    ),
    # --- columns -------------------------------------------------------------
    "E-DATA-NO-HEADER": (
        "{table_zh}没有表头：第一行应写列名（如 {expected}）",
        "the {table} table has no header: its first row names the columns (e.g. {expected})",
    ),
    "E-DATA-MISSING-COLUMN": (
        "{table_zh}缺少必填列 “{column}”：请在表头加上这一列",
        "the {table} table lacks the required column '{column}': add it to the header",
    ),
    "E-DATA-DUPLICATE-COLUMN": (
        "列名 “{column}” 重复（第一次在第 {first} 列）：请删除或改名其中一列",
        "column '{column}' appears twice (first as column {first}): remove or rename one of them",
    ),
    "E-DATA-UNNAMED-COLUMN": (
        "第 {position} 列有数据但没有列名：请在表头补上列名，或删除这一列",
        "column {position} holds data but has no name: name it in the header or delete it",
    ),
    "E-DATA-EXTRA-CELLS": (
        "这一行的单元格比表头多：请删除多余的单元格，或在表头补上列名",
        "this row has more cells than the header: delete the extra cells or name their columns",
    ),
    "E-DATA-UNKNOWN-COLUMN": (
        "{table_zh}中的列 “{column}” 未定义：请删除这一列，或改为 {allowed} 之一",
        "the {table} table's column '{column}' is not defined: delete it or use one of {allowed}",
    ),
    "E-DATA-NO-INPUTS": (
        "数据项表既没有 input 和 value 列（长表），也没有数据项列（宽表）：请按其中一种格式填写",
        "the values table has neither input and value columns (long layout) nor one column per input "
        "(wide layout): use one of the two layouts",
    ),
    # --- cells ---------------------------------------------------------------
    "E-DATA-CELL-TOO-LARGE": (
        "“{column}” 的单元格有 {length} 个字符，超过上限 {limit} 个字符（{constant}）：“{value}”。"
        "一个单元格只写一个值；多半是引号未配对或粘贴错了，长文字（说明、附件）请放在数据表之外",
        "a cell of '{column}' holds {length} characters, over the limit of {limit} characters ({constant}): "
        "'{value}'. A cell holds one value; this is most likely an unpaired quote or a paste gone wrong, and long "
        "text (notes, attachments) belongs outside the data tables",
    ),
    "E-DATA-EMPTY-CELL": (
        "“{column}” 不能为空：请填写",
        "'{column}' must not be blank: fill it in",
    ),
    "E-DATA-UNKNOWN-SUBJECT": (
        "考核对象 “{subject}” 不在考核对象表中：请改为正确的编号，或先在考核对象表中添加",
        "subject '{subject}' is not in the subjects table: correct the id, or add it to the subjects table first",
    ),
    "E-DATA-DUPLICATE-ID": (
        "考核对象编号 “{id}” 重复（第一次在第 {first} 行）：每个对象的编号必须唯一",
        "subject id '{id}' appears twice (first in row {first}): each subject needs a unique id",
    ),
    "E-DATA-NOT-NUMBER": (
        "“{column}” 的值 “{value}” 不是数字：应为数字，如 {forms}，没有数据请留空",
        "'{column}' value '{value}' is not a number: write a number such as {forms}, "
        "or leave it blank when there is no data",
    ),
    "E-DATA-BAD-DATE": (
        "“{column}” 的值 “{value}” 不是有效日期：{why}",
        "'{column}' value '{value}' is not a valid date: {why}",
    ),
    "E-DATA-DATE-ORDER": (
        "离岗日期 {left} 早于到岗日期 {joined}：请更正其中一个日期",
        "left on {left}, before joining on {joined}: correct one of the dates",
    ),
    "E-DATA-BAD-PERIOD": (
        "“{column}” 的值 “{value}” 不是考核周期：请写成 2025（年）、2025Q1（季度）或 2025-03（月）",
        "'{column}' value '{value}' is not a period: write 2025 (year), 2025Q1 (quarter) or 2025-03 (month)",
    ),
    "E-DATA-CSV-QUOTE": (
        "{file} 这一行有一个双引号 \" 开始的单元格没有结束，其后的内容都被读进了这个单元格："
        "请删除多余的引号，或把整个单元格用一对引号括起来",
        "{file}: a cell on this line opens a double quote \" that never closes, so everything after it was read "
        "into that cell: delete the stray quote, or wrap the whole cell in a pair of quotes",
    ),
    "E-DATA-SKIPPED": (
        "考核对象表读不出来，{tables} 表暂不检查（其中每一行都要对照对象表）：请先改正对象表的问题，再运行一次",
        "the subjects table could not be read, so the {tables} tables are not checked yet (every row names a "
        "subject): fix the subjects table first, then run again",
    ),
    "E-DATA-HISTORY-YEAR": (
        "往年结果表的 year 写的是 “{value}”：往年结果按年度记录，请写年份，如 2024",
        "the history table's year is '{value}': previous results are kept per year, write a year such as 2024",
    ),
    "E-DATA-BAD-BOOL": (
        "“{column}” 的值 “{value}” 无法识别：请填写 是/否（或 true/false、1/0），留空表示 是",
        "'{column}' value '{value}' is not understood: write yes/no (or true/false, 1/0); blank means yes",
    ),
    "E-DATA-DUPLICATE-ROW": (
        "{table_zh}中 {key} 重复（第一次在第 {first} 行）：请删除或合并重复的行",
        "the {table} table repeats {key} (first in row {first}): delete or merge the duplicate rows",
    ),
    "E-DATA-UNKNOWN-INPUT": (
        "数据项 “{input}” 未在方案的 inputs 中声明：请改为已声明的数据项，或在 inputs 中补充声明",
        "input '{input}' is not declared under the ruleset's inputs: use a declared input or declare it",
    ),
    "E-DATA-RATING-EMPTY": (
        "这条评价既没有分数（score）也没有票（vote）：请填写其中一项，或删除这一行",
        "this rating has neither a score nor a vote: fill in one of them or delete the row",
    ),
    "E-DATA-MORE": (
        "另有 {count} 处同类问题（{code}）未逐一列出：请按上面的提示一并更正",
        "{count} more problems of the same kind ({code}) are not listed: fix them as shown above",
    ),
}
