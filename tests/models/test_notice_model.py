"""The notice model (docgen.models.notice), its loader and the two notice YAML files."""

from __future__ import annotations

import re

import pytest
import yaml
from notice_helpers import SEED_NOTICE, SIGNED_NOTICE, seed_parts, sentences
from pydantic import ValidationError

from docgen.check.notice import load_notice
from docgen.form.loading import load as load_form
from docgen.io.source import parse
from docgen.models.diagnostics import InvalidInput
from docgen.models.notice import Heading, Notice, Paragraph, heading_level
from docgen.registry import input_kind


@pytest.fixture(scope="module")
def seed():
    return load_notice(SEED_NOTICE)


@pytest.fixture(scope="module")
def signed():
    return load_notice(SIGNED_NOTICE)


def _data(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_both_files_are_notices():
    for path in (SEED_NOTICE, SIGNED_NOTICE):
        assert input_kind(_data(path)) == "notice"


def test_seed_head(seed: Notice):
    assert seed.logo == "广东省市场监督管理局文件"
    assert seed.number == "粤市监知促〔2023〕233号"
    assert seed.year == 2023
    assert seed.copy_number is None and seed.secret is None and seed.urgency is None and not seed.signers
    # the title's break keeps words whole: no line ends inside 知识产权 / 市场监督管理局
    assert seed.title == ["广东省市场监督管理局关于征集", "2024年度知识产权工作项目需求的通知"]
    assert seed.addressee.endswith("：")


def test_seed_levels_and_run_in_leads(seed: Notice):
    headings = [b for b in seed.body if isinstance(b, Heading)]
    assert [h.heading for h in headings] == [
        "一、项目设置总体思路",
        "二、项目设置原则",
        "三、项目征集要求",
        "四、填报要求",
    ]
    assert {h.level for h in headings} == {1} and {h.role for h in headings} == {"heiti"}
    leads = [b for b in seed.body if isinstance(b, Paragraph) and b.lead]
    assert len(leads) == 8
    assert all(p.level == 2 and p.lead_role == "kaiti" for p in leads)
    assert leads[0].lead == "（一）坚持质量优先。" and leads[0].text.startswith("要准确把握")


def test_heading_levels():
    assert [heading_level(t) for t in ("一、总体", "（二）原则", "3.要求", "（4）细则", "正文")] == [1, 2, 3, 4, None]


def test_seed_closing(seed: Notice):
    assert seed.date_text == "2023年5月24日"
    assert seed.print_date_text == "2023年5月25日印发"
    assert seed.note_text.startswith("（联系人：") and seed.note_text.endswith("85587013）")
    assert seed.publicity_text == "公开方式：主动公开"
    assert seed.cc_text == "抄送：省档案馆。"
    assert seed.printer == "广东省市场监督管理局办公室"
    assert seed.proofreader_text == "校对：牛晨蕾"
    assert not seed.is_sealed


def test_seed_attachments_come_from_the_published_form(seed: Notice):
    form = load_form(2024)
    a1, a2 = seed.attachments
    assert a1.form_tables == 2024 and a1.is_landscape and a1.name == form.attachment_title
    assert a2.form_instructions == 2024 and not a2.is_landscape and a2.name == form.instructions_title
    assert seed.attachment_note() == [f"1.{a1.name}", f"2.{a2.name}"]
    assert [seed.attachment_label(i) for i in range(2)] == ["附件1", "附件2"]
    assert len(form.instructions) == 9


def test_every_seed_sentence_is_in_the_data(seed: Notice):
    """Every sentence of the seed's notice text (up to 附件1) is in the notice's data, in order."""
    head, _ = seed_parts()
    printed = "".join(
        [seed.logo, seed.number, *seed.title, seed.addressee]
        + [b.heading if isinstance(b, Heading) else b.lead + b.text for b in seed.body]
        + ["附件：", *seed.attachment_note(), seed.signature, seed.date_text, seed.note_text]
    )
    printed = re.sub(r"\s+", "", printed)
    pos = 0
    for s in sentences(head):
        found = printed.find(s, pos)
        assert found >= 0, f"seed sentence missing or out of order: {s}"
        pos = found + len(s)


def test_signed_example(signed: Notice):
    assert signed.copy_number == "000016"
    assert signed.secret == "秘密★1年" and signed.urgency == "特急"
    assert signed.signers == ["李明远"]
    assert signed.is_sealed and (SIGNED_NOTICE.parent / signed.seal).is_file()
    assert signed.year == 2024 and signed.date.year == 2024
    assert {b.level for b in signed.body if isinstance(b, (Heading, Paragraph)) and b.level} == {1, 2, 3, 4}
    assert signed.attachment_note() == [signed.attachments[0].name]  # one attachment: no number
    assert signed.attachment_label(0) == "附件"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"number": "粤市监知促〔2023〕第233号"}, "发文字号"),
        ({"number": "粤市监知促〔2023〕0233号"}, "发文字号"),
        ({"number": "粤市监知促[2023]233号"}, "发文字号"),
        ({"copy_number": "16"}, "份号"),
        ({"addressee": "各单位"}, "冒号"),
        ({"print_date": "2023-05-01"}, "印发日期"),
        ({"colour": "red"}, "未知的键"),  # the submission's wording: one translator
    ],
)
def test_invalid_notices_are_refused_with_a_line(change, message):
    data = _data(SEED_NOTICE)
    data.update(change)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    source = parse(text, "bad.yaml")
    from docgen.check.notice import parse_notice

    with pytest.raises(InvalidInput) as err:
        parse_notice(source)
    assert any(message in d.message for d in err.value.diagnostics), err.value
    assert all(d.line >= 1 and d.file == "bad.yaml" for d in err.value.diagnostics)


def test_attachment_needs_exactly_one_content():
    data = _data(SEED_NOTICE)
    data["attachments"][0]["form_instructions"] = 2024
    with pytest.raises(ValidationError):
        Notice.model_validate(data)


def test_attachment_name_takes_no_punctuation():
    data = _data(SEED_NOTICE)
    data["attachments"][1]["name"] += "。"
    with pytest.raises(ValidationError):
        Notice.model_validate(data)
