"""A form definition's problems: every one at once, by line, in Chinese; a broken table hides nothing."""

from __future__ import annotations

import textwrap

from docgen.form.builder import build
from docgen.io.source import parse

GOOD = """\
year: 2025
title: 2025年度服务机构征集表
notice_number: 粤市监知促〔2024〕1号
deadline: 2024-06-30
choices:
  kinds: [{id: a, name: 甲类}, {id: b, name: 乙类}]
  cities: [广州市]
units:
  - {id: gz, name: 广州市局, kind: city, city: 广州市}
tables:
  - key: services
    number: 一
    title: 服务项目表
    columns:
      - {key: seq, title: 序号, type: seq}
      - {key: kind, title: 类别, type: choice, choices: kinds, required: true, merge: equal}
      - key: total
        title: 合计金额
        type: amount
        total: true
        check: total == sum(items.cost)
        message: 合计 {total} 与明细之和 {sum(items.cost)} 不符
    rows:
      key: items
      title: 明细
      columns:
        - {key: name, title: 名称, type: text, required: true}
        - {key: hours, title: 工时, type: count}
        - {key: rate, title: 单价, type: amount}
        - {key: cost, title: 费用, type: computed, formula: hours * rate, total: true}
  - key: people
    number: 二
    title: 人员表
    columns:
      - {key: name, title: 姓名, type: text, required: true}
      - {key: since, title: 入职日期, type: date}
"""


def problems(text: str) -> list[tuple[int, str, str]]:
    built = build(parse(textwrap.dedent(text), "f.yaml"), "f")
    return [(p.line, p.code, p.message) for p in built.problems]


def test_a_whole_new_collection_builds() -> None:
    built = build(parse(GOOD, "fuwu.yaml"), "2025-fuwu")
    assert built.ok and built.form is not None, built.problems
    services = built.form.table("services")
    assert services is not None and [c.key for c in services.printed()][:3] == ["seq", "kind", "total"]
    assert built.form.place(("services", 0, "items", 2, "cost")) == "表（一）第1项 第3个项目 费用"


def test_every_problem_at_once_each_on_its_line() -> None:
    broken = (
        GOOD.replace("choices: kinds, required", "choices: kind, required")  # line 16: no such list
        .replace("formula: hours * rate", "formula: hours * name")  # line 30: a text in a formula
        .replace("check: total == sum(items.cost)", "check: total == sum(item.cost)")  # line 21: no such rows
        .replace("type: date}", "type: datum}")  # line 36: no such type
        .replace("city: 广州市}", "city: 深圳市}")  # line 9: not in the list of cities
    )
    found = problems(broken)
    codes = {code: line for line, code, _ in found}
    assert codes == {
        "choices-unknown": 16,
        "expression-text": 30,
        "expression-rows": 21,
        "form-shape": 36,
        "unit-city": 9,
    }, found
    messages = " ".join(m for _, _, m in found)
    assert "选项列表“kind”不存在" in messages and "“name”，它不是数字列" in messages and "深圳市" in messages


def test_syntax_of_an_expression_names_its_column_and_position() -> None:
    (problem,) = problems(GOOD.replace("formula: hours * rate", "formula: hours * (rate"))
    assert problem[:2] == (30, "expression-syntax") and "费用" in problem[2] and "第 14 个字符" in problem[2]


def test_duplicates_cycles_and_missing_messages() -> None:
    text = (
        GOOD.replace("key: people", "key: services")
        .replace("{key: hours, title: 工时, type: count}", "{key: hours, title: 工时, type: computed, formula: cost}")
        .replace("        message: 合计 {total} 与明细之和 {sum(items.cost)} 不符\n", "")
    )
    codes = [code for _, code, _ in problems(text)]
    assert sorted(codes) == ["duplicate-table", "formula-cycle", "message-missing"], codes


def test_not_a_form_at_all() -> None:
    assert problems("- a\n- b\n")[0][1] == "form-shape"


def test_a_forms_own_wording_of_messages_is_a_plain_template() -> None:
    base = GOOD + "messages:\n"
    assert problems(base + "  placeholder-hint: 请改为实际内容（见填写说明）。\n") == []
    found = problems(
        base
        + "  placeholder: 示例文字{text.__class__}\n"  # no attribute access into docgen's objects
        + "  empty: 共{count}张表，{nothing}\n"  # only the fields docgen fills
        + "  no-such-code: x\n"
    )
    assert [code for _, code, _ in found] == ["messages-field", "messages-field", "messages-unknown"], found
