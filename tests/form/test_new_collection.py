"""A wholly new collection from data alone: two tables, its own choice list and units, sub-rows and a sum check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from docgen.cli import app
from docgen.form.catalog import FORMS_ENV

runner = CliRunner()

COLLECTION = """\
year: 2027
title: 2027年度知识产权服务机构能力提升项目征集表
notice_number: 粤市监知促〔2026〕8号
deadline: 2026-06-30
choices:
  kinds: [{id: train, name: 培训}, {id: consult, name: 咨询, variants: [咨询服务]}]
  cities: [广州市, 深圳市]
units:
  - {id: gz, name: 广州市市场监督管理局（知识产权局）, kind: city, city: 广州市}
tables:
  - key: services
    number: 一
    title: 服务项目
    columns:
      - {key: seq, title: 序号, type: seq}
      - {key: kind, title: 类别, type: choice, choices: kinds, required: true, merge: equal}
      - key: total
        title: 合计金额（万元）
        type: amount
        required: true
        total: true
        check: total == sum(items.cost)
        code: total-mismatch
        message: 合计金额 {total} 万元与明细之和 {sum(items.cost)|working} = {sum(items.cost)} 不符。
        hint: 应为 {sum(items.cost)}。
    rows:
      key: items
      title: 明细
      word: 条明细
      columns:
        - {key: name, title: 名称, type: text, required: true, unique: true}
        - {key: hours, title: 工时, type: count, required: true}
        - {key: rate, title: 单价, type: amount, required: true}
        - {key: cost, title: 费用, type: computed, formula: hours * rate, total: true}
  - key: people
    number: 二
    title: 人员
    row_word: 行
    columns:
      - {key: name, title: 姓名, type: text, required: true}
      - {key: since, title: 入职日期, type: date}
"""

FILING = """\
form: 2027
unit: 广州市市场监督管理局（知识产权局）
unit_kind: city
city: 广州市
contact: {name: 陈华, phone: 020-83380000}
date: 2026-06-01
services:
  - 类别: 培训
    合计金额: 30
    明细:
      - {名称: 专利代理实务, 工时: 2, 单价: 10}
      - {name: 商标实务, hours: 1, rate: 10}
people:
  - {姓名: 李明, 入职日期: 2020-01-01}
"""


@pytest.fixture
def forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "2027.yaml").write_text(COLLECTION, "utf-8")
    monkeypatch.setenv(FORMS_ENV, str(folder))
    return tmp_path


def validate(path: Path) -> list[dict]:
    result = runner.invoke(app, ["validate", "--json", str(path)])
    return [d for f in json.loads(result.output) for d in f["diagnostics"]]


def test_a_good_filing_passes_the_collections_own_rules(forms: Path) -> None:
    path = forms / "gz.yaml"
    path.write_text(FILING, "utf-8")
    found = validate(path)
    assert found == [], found  # the collection's own rules all hold


def test_a_bad_filing_in_the_collections_own_words(forms: Path) -> None:
    path = forms / "gz.yaml"
    bad = (
        FILING.replace("合计金额: 30", "合计金额: 40")
        .replace("类别: 培训", "类别: 咨询服务")
        .replace("{name: 商标实务, hours: 1, rate: 10}", "{name: 专利代理实务, hours: 0, rate: 10}")
        .replace("入职日期: 2020-01-01", "入职日期: 2020-02-30")
    )
    path.write_text(bad, "utf-8")
    by_code = {d["code"]: d for d in validate(path)}
    assert (
        by_code["category-variant"]["place"] == "表（一）第1项 类别"
        and "咨询" in by_code["category-variant"]["message"]
    )
    assert by_code["count"]["place"] == "表（一）第1项 第2条明细 工时"
    assert by_code["date"]["place"] == "表（二）第1行 入职日期"
    # the sum check is decided only once the rows hold; fix the count and it speaks with the working
    path.write_text(bad.replace("hours: 0", "hours: 1"), "utf-8")
    by_code = {d["code"]: d for d in validate(path)}
    mismatch = by_code["total-mismatch"]
    assert mismatch["place"] == "表（一）第1项 合计金额" and mismatch["path"] == "services[0].total"
    assert (
        mismatch["message"] == "合计金额 40 万元与明细之和 2×10 + 1×10 = 30 不符。" and mismatch["hint"] == "应为 30。"
    )
    assert by_code["duplicate-project"]["place"] == "表（一）第1项 第2条明细 名称"
