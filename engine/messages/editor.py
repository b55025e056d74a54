"""Codes for the editor schema: kaohe schema ruleset with installed components."""

MESSAGES: dict[str, tuple[str, str]] = {
    "E-EDITOR-PARAMS-SCHEMA": (
        "插件 {plugin} 的{kind_zh} “{name}” 的参数说明（params_schema）无法写入编辑器用的 schema：{problem}；"
        "请告诉插件的作者",
        "the params_schema of {kind} '{name}' from plugin {plugin} cannot go into the editor schema: {problem}; "
        "please tell the plugin's author",
    ),
}
