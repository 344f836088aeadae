"""The summary's words come from the form: its title, the tables it sums, the 项目清单's columns."""

from __future__ import annotations

import copy

import pytest

from docgen.form.loading import load
from docgen.views.summary import list_columns, numeral, summary_title, summed


def test_2024_reads_as_it_always_has() -> None:
    form = load("2024")
    assert summary_title(form) == "2024年度知识产权项目需求汇总表"
    assert len(summed(form)) == 4
    # 后补助名称 lists as the project's name (拟设置项目); 后补助依据 and 后补助承接单位 stay out (summary_as: false)
    assert [(c.title, c.width, c.name) for c in list_columns(summed(form))] == [
        ("主要工作内容", 36, False),
        ("拟设置项目", 28, True),
        ("项目设置必要性", 40, False),
        ("项目设置政策依据", 36, False),
        ("项目绩效", 36, False),
        ("备注", 24, False),
    ]


@pytest.mark.parametrize(
    ("title", "own", "expected"),
    [
        ("2027年度知识产权服务机构能力提升项目征集表", "", "2027年度知识产权服务机构能力提升项目汇总表"),
        ("2027年度服务机构申报表", "", "2027年度服务机构申报汇总表"),
        ("2027年度服务机构名录", "", "2027年度服务机构名录汇总表"),
        ("2027年度服务机构申报表", "2027年度服务机构申报情况一览", "2027年度服务机构申报情况一览"),
    ],
)
def test_a_forms_summary_title(title: str, own: str, expected: str) -> None:
    form = copy.copy(load("2024"))  # the loaded form is shared: change a copy
    form.definition = form.definition.model_copy(update={"title": title, "summary_title": own})
    assert summary_title(form) == expected


def test_numerals() -> None:
    assert [numeral(n) for n in (1, 4, 10, 12, 20, 45)] == ["一", "四", "十", "十二", "二十", "四十五"]
