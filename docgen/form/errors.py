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
        "note-key": "{column}的 note“{name}”不是本行的列",
        "note-type": "{column}的 note“{name}”应为文本列（它印在本格数值之后）",
        "total-type": "{column}的类型是 {type}，不能计入合计（total 只用于金额、数量和计算列）",
        "preset-key": "{table}的预设行“{id}”中“{key}”不是该表的列",
        "preset-choice": "{table}的预设行“{id}”的 {key}“{value}”不在选项列表中",
        "preset-duplicate": "{table}的预设行 id“{id}”重复",
        "unit-kind-city": "单位“{unit}”的类型是 city，须写 city",
        "unit-city": "单位“{unit}”的所在地市“{city}”不在地市列表中",
        "unit-duplicate": "单位 id“{id}”重复",
        "messages-unknown": "messages 中“{key}”不是 docgen 的消息代码；可用：{known}",
        "messages-field": "messages 中“{key}”只能用这些 {{字段}}：{known}（不能取属性或下标）",
    }
)
"""Message code → Chinese template of a form definition's problems (str.format fields)."""

ROW_MESSAGES: Mapping[str, str] = MappingProxyType(
    {
        # what validate says of a submission's rows, from the form's columns (a form may reword any of
        # these, and their -hint, under its `messages:`)
        "category": "{title}“{text}”{reason}。",
        "category-hint": "{guess}{table}可用的{title}：{allowed}。",
        "category-variant": "{title}“{text}”是通知中出现过的写法，已按规范名称“{name}”处理。",
        "category-variant-hint": "建议改为“{name}”。",
        "performance-no-number": "{title}中没有数字：通知要求明确可量化的考核绩效指标。",
        "performance-no-number-hint": "请写明数量指标，例如“培育示范企业不少于10家”。",
        "basis-missing": "{title}未填写。",
        "basis-missing-hint": "请写明所依据的文件，例如《广东省知识产权保护和运用“十四五”规划》。",
        "basis-no-document": "政策依据没有引用《》中的文件名。",
        "basis-no-document-hint": "请写明所依据的文件，例如《广东省知识产权保护和运用“十四五”规划》。",
        "placeholder": "仍是征集表中的示例文字“{text}”。",
        "placeholder-hint": "请改为本单位的实际内容。",
        "unknown-preset": "征集{table}中没有预设项目“{text}”。",
        "unknown-preset-hint": "{guess}请按征集表原文填写{title}名称，或改为自行填写的项目（{keys}）。",
        "preset-rewritten": "不能改写省局预设项目“{name}”的{title}。",
        "preset-rewritten-hint": "预设项目的{fixed}以征集表为准；请删除此项，或改为自行填写的项目。",
        "duplicate-project": "项目名称“{name}”在本单位填报中重复出现（首次在 {first}，{first_path}）。",
        "duplicate-project-hint": "通知要求不得重复设立项目，请合并或改名。",
        "empty": "{count}张表都没有填写任何项目。",
        "empty-hint": "如确无需求可照此报送；否则请补充项目。",
        "check-failed": "{title}不符合要求。",
        "division-by-zero": "{title}的算式除以零，无法计算，已留空。",
        "division-by-zero-hint": "请检查作除数的那一项是否为 0。",
    }
)
"""Message code (and code-hint) → Chinese template of a submission's problems found by the form's rules."""

ROW_ENGLISH: Mapping[str, str] = MappingProxyType(
    {
        "category": "category not allowed in this table",
        "category-variant": "known category variant, normalised",
        "performance-no-number": "performance states no number",
        "basis-missing": "policy basis is empty",
        "basis-no-document": "policy basis cites no document",
        "placeholder": "the form's placeholder text left unchanged",
        "unknown-preset": "unknown preset",
        "preset-rewritten": "a preset's published text may not be rewritten",
        "duplicate-project": "duplicate project name",
        "empty": "empty submission",
        "check-failed": "check failed",
        "division-by-zero": "division by zero",
    }
)

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


def row_message(overrides: Mapping[str, str], code: str, **context: Any) -> tuple[str, str, str]:
    """(message, hint, English) of a submission's problem: the form's own wording first, else docgen's."""
    text = overrides.get(code, ROW_MESSAGES[code]).format(**context)
    hint_key = f"{code}-hint"
    tip = overrides.get(hint_key, ROW_MESSAGES.get(hint_key, "")).format(**context)
    return text, tip, ROW_ENGLISH.get(code, "")
