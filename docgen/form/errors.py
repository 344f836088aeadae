"""Every message of the form engine: a stable code and a Chinese template filled from a context."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

MESSAGES: Mapping[str, str] = MappingProxyType(
    {
        # a form definition's own problems (docgen form check)
        "form-syntax": "征集表定义无法读取：{reason}",
        "form-shape": "{reason}",
        "duplicate-table": "表的键“{key}”重复（第一次在第 {first} 行）",
        "duplicate-number": "表号“{number}”重复（第一次在第 {first} 行）",
        "duplicate-column": "{table}中列的键“{key}”重复（第一次在第 {first} 行）",
        "duplicate-alias": "{table}中“{alias}”同时指{first}和{second}",
        "type-missing": "{column}没有 type：只有带 show 的列可以不写类型",
        "choices-missing": "{column}的类型是 choice，须用 choices 指明选项列表",
        "choices-unknown": "{column}的选项列表“{name}”不存在；可用：{known}",
        "only-unknown": "{column}的 only 中“{id}”不在选项列表“{name}”里",
        "choices-not-choice": "{column}不是 choice 类型，不能有 {key}",
        "formula-missing": "{column}的类型是 computed，须写 formula",
        "formula-not-computed": "{column}不是 computed 类型，不能有 formula（可改用 check）",
        "expression-syntax": "{column}的 {key} 有误：{reason}",
        "expression-key": "{column}的 {key} 中“{name}”不是本行的列；可用：{known}",
        "expression-rows": "{column}的 {key} 中“{name}”不是{table}的子行（rows）",
        "expression-text": "{column}的 {key} 用到了“{name}”，它不是数字列（amount、count、computed）",
        "expression-kind": "{column}的 {key} 应为{want}",
        "formula-cycle": "{column}的 formula 循环引用了自己：{chain}",
        "message-missing": "{column}有 check，须写 message（不符合时的中文说明）",
        "message-placeholder": "{column}的 {key} 中“{{{name}}}”有误：{reason}",
        "show-key": "{column}的 show 中“{{{name}}}”不是本行的列",
        "total-type": "{column}的类型是 {type}，不能计入合计（total 只用于金额、数量和计算列）",
        "preset-key": "{table}的预设行“{id}”中“{key}”不是该表的列",
        "preset-choice": "{table}的预设行“{id}”的 {key}“{value}”不在选项列表中",
        "preset-duplicate": "{table}的预设行 id“{id}”重复",
        "unit-kind-city": "单位“{unit}”的类型是 city，须写 city",
        "unit-city": "单位“{unit}”的所在地市“{city}”不在地市列表中",
        "unit-duplicate": "单位 id“{id}”重复",
        # a submission's problems that come from the form's expressions
        "division-by-zero": "{place}：{column}的算式除以零，无法计算，已留空",
        "missing-operand": "{place}：{column}的算式缺少{operand}，无法计算，已留空",
        "check-failed": "{place}：{column}不符合要求",
    }
)
"""Message code → Chinese template (str.format fields)."""

HINTS: Mapping[str, str] = MappingProxyType(
    {
        "form-syntax": "请检查缩进和冒号（YAML）。",
        "type-missing": "type 可为 text、amount、count、date、choice、computed、seq。",
        "expression-syntax": "表达式只能用数字、本行的列、sum(子行.列)、+ - * / ( )、round(x, n)、比较和 and/or。",
        "division-by-zero": "请检查作除数的那一项是否为 0。",
        "missing-operand": "请填写该项。",
    }
)


@dataclass(frozen=True)
class FormProblem:
    """One problem of a form definition: where (file, line, path) and what, in Chinese."""

    code: str
    file: str
    line: int
    path: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: 错误 [{self.code}] {self.path}: {self.message}" + (
            f" {self.hint}" if self.hint else ""
        )


def message(code: str, **context: Any) -> str:
    """The Chinese message of a code, filled from its context."""
    return MESSAGES[code].format(**context)


def hint(code: str) -> str:
    return HINTS.get(code, "")
