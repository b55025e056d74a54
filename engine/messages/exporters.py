"""Codes raised by the built-in exporters and by writing output files.

``WRITE_PROBLEMS`` fills the ``problem`` of ``E-OUTPUT-WRITE`` (catalogued in
``evaluation``) per language, keyed by errno name, so a failed write says
what went wrong and what to do in the reader's language.
"""

MESSAGES: dict[str, tuple[str, str]] = {
    "E-EXPORT-DOCUMENT": (
        "结果文档不完整，无法导出为 {format}：缺少 {missing}。请用 kaohe evaluate 重新生成结果，或检查生成结果的插件",
        "the results document is incomplete and cannot be exported as {format}: {missing} is missing. "
        "Regenerate it with kaohe evaluate, or check the plugin that produced it",
    ),
    "E-EXPORT-VALUE": (
        "结果文档中有无法写成 {format} 的值（{problem}）。请用 kaohe evaluate 重新生成结果，或检查生成结果的插件",
        "the results document holds a value that cannot be written as {format} ({problem}). "
        "Regenerate it with kaohe evaluate, or check the plugin that produced it",
    ),
}

WRITE_PROBLEMS: dict[str, tuple[str, str]] = {
    "EACCES": (
        "没有写入权限。请换一个有写入权限的文件夹，或请管理员开放权限",
        "permission denied. Choose a folder you may write to, or ask for write access",
    ),
    "EPERM": (
        "操作不被允许。请换一个有写入权限的文件夹，或请管理员开放权限",
        "operation not permitted. Choose a folder you may write to, or ask for write access",
    ),
    "EISDIR": (
        "这是一个文件夹，不是文件。请在 --out 后写文件名，如 结果.xlsx",
        "it is a folder, not a file. Give a file name after --out, e.g. results.xlsx",
    ),
    "ENOENT": (
        "所在文件夹不存在。请先创建该文件夹，或换一个已有的文件夹",
        "its folder does not exist. Create the folder first or choose an existing one",
    ),
    "ENOTDIR": (
        "路径中的某一级不是文件夹。请检查 --out 的路径",
        "a part of the path is not a folder. Check the path given to --out",
    ),
    "ENOSPC": (
        "磁盘空间不足。请清理磁盘空间或换一个磁盘",
        "no space left on the device. Free some space or choose another disk",
    ),
    "EROFS": (
        "该位置是只读的。请换一个可写的位置",
        "the location is read-only. Choose a writable location",
    ),
}

UNKNOWN_WRITE_PROBLEM = (
    "系统错误：{detail}。请检查路径和权限后重试",
    "system error: {detail}. Check the path and permissions, then try again",
)
