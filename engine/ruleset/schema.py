"""Validation passes one and two: the core JSON Schema, then each component's
own ``params_schema``. Every jsonschema error becomes a located, bilingual
diagnostic that says how to fix the mistake."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from kaohe.engine import SCHEMA_DIR
from kaohe.engine.errors import Bilingual, Diagnostic, did_you_mean
from kaohe.engine.ruleset.loader import Document, Path_

TYPE_NAMES = {
    "number": ("数字", "a number"), "integer": ("整数", "a whole number"),
    "string": ("文字", "text"), "boolean": ("true 或 false", "true or false"),
    "object": ("键值映射", "a mapping"), "array": ("列表", "a list"), "null": ("空值", "empty"),
}


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    return schema


def check_document(document: Document, schema: Mapping[str, Any]) -> list[Diagnostic]:
    """Pass one: validate the whole ``document`` against ``schema``. A value behind a refused YAML
    tag (E-YAML-TAG, among the document's own problems) was read as nothing: its type is no news."""
    tagged = {p.path for p in document.problems if p.code == "E-YAML-TAG"}
    return [p for p in check_instance(document, document.data, schema, ())
            if not (p.code == "E-SCHEMA-TYPE" and p.path in tagged)]


def check_instance(
    document: Document, instance: Any, schema: Mapping[str, Any], base: Path_
) -> list[Diagnostic]:
    """Validate ``instance`` (found in ``document`` at ``base``) against ``schema``."""
    validator = jsonschema.Draft202012Validator(schema)
    problems: list[Diagnostic] = []
    for error in validator.iter_errors(instance):
        problems.extend(_diagnose(document, error, base))
    return problems


def _diagnose(document: Document, error: ValidationError, base: Path_) -> Iterator[Diagnostic]:
    if error.validator in ("oneOf", "anyOf"):
        choice = _choice(document, error, base)
        if choice is not None:
            yield choice
            return
        if error.context:
            error = best_match(error.context)
    path = (*base, *error.absolute_path)
    handler = _HANDLERS.get(str(error.validator), _other)
    yield from handler(document, error, path)


def _choice(document: Document, error: ValidationError, base: Path_) -> Diagnostic | None:
    """``oneOf: [{required: [a]}, {required: [b]}]``: say "write a or b, not both"."""
    options = _keyword(error)
    if not all(set(option) == {"required"} for option in options):
        return None
    keys = [option["required"][0] for option in options]
    present = [k for k in keys if isinstance(error.instance, dict) and k in error.instance]
    path = (*base, *error.absolute_path)
    detail_zh = f"{' 和 '.join(present)} 只能写一个" if present else f"需要写 {' 或 '.join(keys)} 之一"
    detail_en = f"write only one of {', '.join(present)}" if present else f"write one of {', '.join(keys)}"
    return document.diagnostic("E-SCHEMA-CHOICE", path, detail=detail_zh, detail_en=detail_en)


def _title(error: ValidationError, path: Path_) -> tuple[str, str]:
    title = error.schema.get("title", "") if isinstance(error.schema, dict) else ""
    zh, _, en = title.partition(" / ")
    name = str(path[-1]) if path else "$"
    return (zh or name), (en.lower() or name)


def _required(document: Document, error: ValidationError, path: Path_) -> Iterator[Diagnostic]:
    for key in _keyword(error):
        if isinstance(error.instance, dict) and key not in error.instance:
            yield document.diagnostic("E-SCHEMA-REQUIRED", path, at_key=True, **{"key": key})


def _additional(document: Document, error: ValidationError, path: Path_) -> Iterator[Diagnostic]:
    allowed = sorted(_schema(error).get("properties", {}))
    if not isinstance(error.instance, dict):
        return
    for key in error.instance:
        if key in allowed:
            continue
        yield document.diagnostic(
            "E-SCHEMA-UNKNOWN-KEY", (*path, key), at_key=True, **{"key": key},
            allowed=", ".join(allowed), suggest=did_you_mean(key, allowed),
        )


def _type(document: Document, error: ValidationError, path: Path_) -> Iterator[Diagnostic]:
    value = _keyword(error)
    expected = value if isinstance(value, list) else [value]
    zh = " 或 ".join(TYPE_NAMES.get(t, (t, t))[0] for t in expected)
    en = " or ".join(TYPE_NAMES.get(t, (t, t))[1] for t in expected)
    what_zh, what_en = _title(error, path)
    yield document.diagnostic(
        "E-SCHEMA-TYPE", path, what=what_zh, what_en=what_en, expected=zh, expected_en=en,
        actual=_with_fix(_shown(error.instance), _type_fix(expected, error.instance, path[-1] if path else "")),
    )


def _with_fix(shown: str | Bilingual, fix: Bilingual) -> str | Bilingual:
    """The value as written, followed by how to write it (when there is a fix to offer)."""
    if not fix.en:
        return shown
    zh, en = (shown.zh, shown.en) if isinstance(shown, Bilingual) else (shown, shown)
    return Bilingual(zh + fix.zh, en + fix.en)


PERCENT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[%％]\s*$")


def _type_fix(expected: list[str], value: Any, key: object) -> Bilingual:
    """How to write what was meant, for the slips a policy officer makes: one class where a list
    is wanted (``applies_to: support``), a percentage or a quoted number where a number is (a
    ``weight`` is itself a percentage: 40% is 40; any other share is a decimal: 120% is 1.2)."""
    if "array" in expected and isinstance(value, str | int | float) and not isinstance(value, bool):
        shown = json.dumps([value], ensure_ascii=False).replace('"', "")
        return Bilingual(f"：只有一项也写成列表，如 {shown}", f": write a list even for one item, e.g. {shown}")
    if "number" in expected and isinstance(value, str):
        if (percent := PERCENT.match(value)) and key == "weight":
            return Bilingual(f"：weight 本身就是百分比，{value.strip()} 写 {percent[1]}",
                             f": a weight is a percentage already, {percent[1]} for {value.strip()}")
        if percent:
            number = format(float(percent[1]) / 100, "g")
            return Bilingual(f"：百分数请写成小数，{value.strip()} 写 {number}",
                             f": write a percentage as a decimal, {number} for {value.strip()}")
        try:
            number = format(float(value), "g")
        except ValueError:
            return Bilingual("", "")
        return Bilingual(f"：数字不要加引号，写 {number}", f": write the number without quotes, {number}")
    return Bilingual("", "")


def _shown(value: Any) -> str | Bilingual:
    """A value as the user wrote it; nothing written (YAML null) is worded, not shown as ``null``."""
    if value is None:
        return Bilingual("空值（没有写）", "null (nothing written)")
    return json.dumps(value, ensure_ascii=False, default=str)


def _enum(document: Document, error: ValidationError, path: Path_) -> Iterator[Diagnostic]:
    allowed = _keyword(error) if error.validator == "enum" else [_keyword(error)]
    actual = error.instance
    yield document.diagnostic(
        "E-SCHEMA-ENUM", path, actual=_shown(actual),
        allowed=", ".join(json.dumps(a, ensure_ascii=False) for a in allowed),
        suggest=did_you_mean(str(actual), [str(a) for a in allowed]),
    )


_LIMITS = {
    "minimum": ("不能小于 {0}", "must be at least {0}"),
    "maximum": ("不能大于 {0}", "must be at most {0}"),
    "exclusiveMinimum": ("必须大于 {0}", "must be above {0}"),
    "exclusiveMaximum": ("必须小于 {0}", "must be below {0}"),
}


def _range(document: Document, error: ValidationError, path: Path_) -> Iterator[Diagnostic]:
    zh, en = _LIMITS[str(error.validator)]
    yield document.diagnostic(
        "E-SCHEMA-RANGE", path, actual=error.instance,
        limit_zh=zh.format(error.validator_value), limit_en=en.format(error.validator_value),
    )


def _pattern(document: Document, error: ValidationError, path: Path_) -> Iterator[Diagnostic]:
    parent = _value_at(document.data, path)
    if isinstance(parent, dict) and error.instance in parent:  # a key name (propertyNames)
        yield document.diagnostic(
            "E-SCHEMA-PATTERN", (*path, _instance(error)), at_key=True,
            actual=json.dumps(error.instance, ensure_ascii=False),
            hint_zh="名称只能用英文字母、数字和下划线，且不能以数字开头",
            hint_en="names use letters, digits and _ and do not start with a digit",
        )
        return
    if "\\d{4}-\\d{2}-\\d{2}" in str(error.validator_value):
        hint_zh, hint_en = "日期请写成 2025-01-31 的形式", "write dates as 2025-01-31"
    elif re.fullmatch(str(error.validator_value), "600000.00"):  # an amount of money
        hint_zh = "金额只写数字和小数点，如 600000 或 \"600000.00\"，不带千位逗号、单位、空格或文字"
        hint_en = ("write an amount as digits and a decimal point, e.g. 600000 or \"600000.00\": "
                   "no thousands commas, units, spaces or words")
    elif path and path[-2:-1] in (("classes",), ("inputs",), ("event_fields",)) or error.validator == "propertyNames":
        hint_zh, hint_en = "名称只能用英文字母、数字和下划线，且不能以数字开头", "names use letters, digits and _ and do not start with a digit"
    else:
        hint_zh = "编号只能用英文字母、数字、下划线和连字符，且以字母开头"
        hint_en = "ids use letters, digits, _ and -, starting with a letter"
    yield document.diagnostic(
        "E-SCHEMA-PATTERN", path, actual=json.dumps(error.instance, ensure_ascii=False), hint_zh=hint_zh, hint_en=hint_en,
    )


# jsonschema's stubs allow its ``Unset`` sentinel on every error attribute; an error
# that a validator yields always carries the keyword's value, the instance and the schema.
def _keyword(error: ValidationError) -> Any:
    """The failed keyword's value in the schema (``required: [...]``, ``enum: [...]``)."""
    return error.validator_value


def _instance(error: ValidationError) -> Any:
    return error.instance


def _schema(error: ValidationError) -> Mapping[str, Any]:
    return error.schema if isinstance(error.schema, Mapping) else {}


def _value_at(data: Any, path: Path_) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


_SIZES = {
    "minLength": ("不能少于 {0} 个字符", "must have at least {0} character(s)"),
    "maxLength": ("不能多于 {0} 个字符", "must have at most {0} character(s)"),
    "minItems": ("不能少于 {0} 项", "must have at least {0} item(s)"),
    "maxItems": ("不能多于 {0} 项", "must have at most {0} item(s)"),
    "uniqueItems": ("各项不能重复", "items must not repeat"),
}


def _size(document: Document, error: ValidationError, path: Path_) -> Iterator[Diagnostic]:
    zh, en = _SIZES[str(error.validator)]
    limit = error.validator_value
    detail = Bilingual(zh.format(limit), en.format(limit))
    yield document.diagnostic("E-SCHEMA-SIZE", path, detail=detail)


def _other(document: Document, error: ValidationError, path: Path_) -> Iterator[Diagnostic]:
    # jsonschema words this in English only; the Chinese side says what the rule means in general
    yield document.diagnostic("E-SCHEMA-OTHER", path, detail=Bilingual("与该项的格式说明不符", error.message))


def _property_names(document: Document, error: ValidationError, path: Path_) -> Iterator[Diagnostic]:
    yield from _pattern(document, error, path)


_HANDLERS = {
    "required": _required, "additionalProperties": _additional, "type": _type,
    "enum": _enum, "const": _enum, "minimum": _range, "maximum": _range,
    "exclusiveMinimum": _range, "exclusiveMaximum": _range, "pattern": _pattern,
    "minItems": _size, "maxItems": _size, "uniqueItems": _size, "minLength": _size, "maxLength": _size,
    "propertyNames": _property_names,
}
