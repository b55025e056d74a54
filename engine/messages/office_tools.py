"""Codes for the office's tools: data-entry templates (kaohe template) and new jurisdiction folders (kaohe init)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "E-TEMPLATE-PERIOD": (
        "周期 “{period}” 不是本方案的考核周期：请写其中之一：{available}",
        "'{period}' is not a period of this ruleset: write one of {available}",
    ),
    "E-TEMPLATE-DATA": (
        "找不到 --data 的 “{folder}”：请写存放数据表（subjects.csv 等）的文件夹，或填好的工作簿",
        "--data '{folder}' does not exist: name the folder holding the data tables (subjects.csv …) or a filled workbook",
    ),
    "E-TEMPLATE-OUT": (
        "填报模板 “{file}” 的扩展名是 {suffix}：模板是 Excel 工作簿，请写以 .xlsx 结尾的文件名",
        "template '{file}' ends in {suffix}: the template is an Excel workbook, name a file ending in .xlsx",
    ),
    "E-INIT-NOT-EMPTY": (
        "文件夹 “{folder}” 不是空的（有 {first} 等 {count} 项）：kaohe init 不覆盖已有文件，请换一个新的或空的文件夹",
        "folder '{folder}' is not empty (it holds {first} and {count} entries in all): kaohe init overwrites nothing, "
        "name a new or empty folder",
    ),
    "E-INIT-NOT-FOLDER": (
        "“{folder}” 是一个文件，不是文件夹：请写新辖区文件夹的路径",
        "'{folder}' is a file, not a folder: name the new jurisdiction's folder",
    ),
    "E-INIT-ID": (
        "方案编号 “{id}” 不能用：只能用英文字母、数字、下划线和连字符，并以字母或下划线开头，如 {example}",
        "ruleset id '{id}' cannot be used: letters, digits, underscores and hyphens only, starting with a letter "
        "or an underscore, e.g. {example}",
    ),
    "E-INIT-YEAR": (
        "考核年度 {year} 不在 2000–2100 之间：请写四位数的年份，如 2026",
        "year {year} is not between 2000 and 2100: write a four-digit year such as 2026",
    ),
    "E-INIT-TITLE": (
        "辖区名称（考核办法名称）是空的：请写名称，如 “某区部门绩效考核办法”",
        "the jurisdiction's name (title of the method) is empty: write one, e.g. 'X district assessment method'",
    ),
    "E-INIT-WRITE": (
        "无法写入新辖区文件夹 “{folder}”：{problem}；没有留下写了一半的文件",
        "cannot write the new jurisdiction folder '{folder}': {problem}; no half-written files were left",
    ),
    "E-INIT-INDICATORS": (
        "指标名称 “{name}” 不能用：{problem}",
        "indicator name '{name}' cannot be used: {problem}",
    ),
}
