"""`docgen init`: a starter submission for one unit, with the presets it may reference as comments."""

from __future__ import annotations

import datetime as dt

from docgen.models.form import Form, Unit


class UnknownUnit(ValueError):
    pass


def find_unit(form: Form, wanted: str) -> Unit:
    """A unit by id (guangzhou), full name, or city (广州市 / 广州)."""
    for u in form.units:
        if wanted in (u.id, u.name) or (u.city and wanted.rstrip("市") == u.city.rstrip("市")):
            return u
    listing = "、".join(f"{u.id}（{u.name}）" for u in form.units)
    raise UnknownUnit(f"找不到填报单位“{wanted}”。可用的单位：{listing}")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def starter_yaml(form: Form, unit: Unit, today: dt.date | None = None) -> str:
    """The text of a starter submission: valid as it stands (empty, so one warning)."""
    day = today or min(dt.date.today(), form.deadline)
    schema = "# yaml-language-server: $schema=../../../build/schema/submission.schema.json"
    lines = [
        f"# {form.title} — {unit.name} 填报文件",
        f"# 按{form.notice_number}附件2《{form.instructions_title}》填写；金额单位：{form.amount_unit}。",
        "# 检查：docgen validate 本文件；生成表格和PDF：docgen render 本文件",
        schema,
        f"form: {form.year}",
        f"unit: {_quote(unit.name)}",
        f"unit_kind: {unit.kind}",
    ]
    if unit.city:
        lines.append(f"city: {unit.city}")
    lines += [
        "contact:",
        '  name: ""      # 联系人',
        '  phone: ""     # 联系电话',
        f"date: {day.isoformat()}   # 填报日期，截止 {form.deadline.isoformat()}",
        "",
        "# 每张表下面是一行注释掉的示例：删去各行开头的“# ”即可填写（保持缩进不变），可复制多份。",
        "# 不要写成“retained: []”：[] 表示空列表，写在它下面的行会变成语法错误。",
        "",
        "# 表（一）保留省局部分",
        "retained:",
        *_work_item_example(form, "retained"),
        "",
        "# 表（二）后补助资金",
        "post_subsidy:",
        "  # - work: 主要工作内容",
        "  #   name: 后补助名称",
        "  #   amount: 60               # 后补助经费（万元）",
        "  #   basis: 《后补助依据文件名》",
        "  #   recipient: 后补助承接单位",
        "  #   performance: 可量化的绩效指标，如“支持企业不少于10家”",
        "  #   remarks: 备注",
        "",
        "# 表（三）支持专利代办处和省知识产权保护中心开展工作",
        "support:",
        *_work_item_example(form, "support"),
        "",
        "# 表（四）下放地市审批权限部分。引用省局预设项目（名称须与下列原文一致）或自行填写：",
        "delegated:",
        "  # - preset: 高价值专利培育布局中心建设",
        "  #   amount: 150              # 金额（万元）",
        "  #   performance: 新培育省级高价值专利培育布局中心2家",
        "  #   remarks: 备注",
        "  # - category: 知识产权高质量创造    # 八个类型之一：" + "、".join(c.name for c in form.categories),
        "  #   work: 本单位拟在省局拨付资金中自行开展的具体工作",
        "  #   projects:",
        "  #     - name: 拟设置项目",
        "  #       amount: 10             # 金额（万元）",
        "  #       necessity: 项目设置必要性",
        "  #       policy_basis: 《政策文件名》",
        "  #       performance: 可量化的绩效指标，如“不少于10家”",
        "  #       remarks: 备注",
        "# 可引用的预设项目：",
    ]
    for p in form.presets:
        shown = p.name.replace("\n", " ")
        lines.append(f"#   [{form.category(p.category).name}] {shown}    （也可写 preset: {p.id}）")
    lines.append("")
    return "\n".join(lines)


def _work_item_example(form: Form, table: str) -> list[str]:
    """A commented example row of table （一） or （三）, indented as it must be once uncommented."""
    return [
        "  # - category: 知识产权高质量创造    # 类型：" + "、".join(form.category_names(form.table(table))),
        "  #   work: 主要工作内容",
        "  #   budget: 120                  # 经费安排（万元）= 各项目 count × unit_amount 之和",
        "  #   estimate: 测算依据（可选）",
        "  #   projects:",
        "  #     - name: 拟设置项目",
        "  #       count: 4                 # 项目数",
        "  #       unit_amount: 30          # 单项金额（万元）",
        "  #       necessity: 项目设置必要性",
        "  #       policy_basis: 《政策文件名》",
        "  #       performance: 可量化的绩效指标，如“不少于10家”",
        "  #       remarks: 备注",
    ]
