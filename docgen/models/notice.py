"""The notice (公文) as data: every element of GB/T 9704's 版头, 主体 and 版记.

A notice YAML is recognised by a top-level ``body`` or ``issuer`` key (docgen.registry.input_kind).
Optional 版头 elements (份号, 密级和保密期限, 紧急程度, 签发人) and a seal image fit without code
changes. Texts are stored as printed, without the decorations the layout adds: the writer adds
"附件：", "（…）" around the 附注, "公开方式：", "抄送：" and "印发".

Body items:
  - a string: a paragraph (indented 2 字);
  - ``{heading: "一、项目设置总体思路"}``: a heading on a line of its own;
  - ``{lead: "（一）坚持质量优先。", text: "要准确把握…"}``: a run-in heading followed by its text.
The heading level (1 一、 黑体, 2 （一） 楷体, 3 1. 仿宋, 4 （1） 仿宋) follows from the number
unless ``level`` gives it.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, PrivateAttr, Tag, field_validator, model_validator

from docgen.models.year import FormRef
from docgen.standard import gbt9704 as L
from docgen.standard.metrics import text_width_zi
from docgen.standard.text import format_date

LOGO_MAX_SIZE_PT = L.SIZE_PT["初号"]
"""Largest 标志 size docgen picks by itself (a YAML ``logo_size_pt`` may ask for another)."""
LOGO_MIN_SIZE_PT = L.SIZE_PT["小二"]
"""Smallest 标志 a notice may ask for: below it the 标志 no longer reads as a letterhead."""
LOGO_FILL = 0.96
"""The 标志 fills at most this share of the 版心's width (never wider than the 版心)."""


def logo_fit_pt(logo: str) -> float:
    """The largest 标志 size that keeps it within LOGO_FILL of the 版心's width."""
    return L.TEXT_WIDTH_PT * LOGO_FILL / max(text_width_zi(logo), 1)


@dataclass(frozen=True)
class SealImage:
    """A checked seal image (docgen.check.seal): its name as written, its bytes, its MIME type."""

    name: str
    data: bytes
    mime: str

    @property
    def data_url(self) -> str:
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_LEVELS = (
    (1, re.compile(r"^[一二三四五六七八九十]+、")),
    (2, re.compile(r"^（[一二三四五六七八九十]+）")),
    (3, re.compile(r"^\d+[.．]")),
    (4, re.compile(r"^（\d+）")),
)
LEVEL_ROLE = {1: "heiti", 2: "kaiti", 3: "fangsong", 4: "fangsong"}
"""层次序数 fonts (spec: 主体): 一、 黑体, （一） 楷体, 1. and （1） 仿宋."""


def heading_level(text: str) -> int | None:
    """1 for 一、, 2 for （一）, 3 for 1., 4 for （1）; None when the text starts with no number."""
    for level, pattern in _LEVELS:
        if pattern.match(text):
            return level
    return None


class Heading(_Strict):
    """A heading on a line of its own (it keeps with the next paragraph)."""

    heading: str
    level: Literal[1, 2, 3, 4] | None = None

    @model_validator(mode="after")
    def _level(self) -> Heading:
        if self.level is None:
            level = heading_level(self.heading)
            if level is None:
                raise ValueError(f"标题「{self.heading}」没有层次序数（一、（一）1.（1）），请写 level")
            object.__setattr__(self, "level", level)
        return self

    @property
    def role(self) -> str:
        return LEVEL_ROLE[self.level or 1]


class Paragraph(_Strict):
    """A paragraph; with ``lead`` a run-in heading (only the lead takes the heading's font)."""

    text: str = ""
    lead: str = ""
    level: Literal[1, 2, 3, 4] | None = None
    strong: bool = False
    """The lead printed bold (填写说明's item leads, as in the seed: "**1. 类型。**")."""

    @model_validator(mode="after")
    def _level(self) -> Paragraph:
        if not self.text and not self.lead:
            raise ValueError("段落不能为空（empty paragraph）")
        if self.lead and self.level is None:
            object.__setattr__(self, "level", heading_level(self.lead) or 3)
        return self

    @property
    def lead_role(self) -> str:
        return LEVEL_ROLE[self.level or 3]


def _body_kind(value: Any) -> str:
    """Which model a body item is (a mapping with ``heading`` is a Heading): pydantic then reports
    errors under body[i] with the model's tag, never under every union member."""
    if isinstance(value, (Heading, Paragraph)):
        return type(value).__name__
    return "Heading" if isinstance(value, dict) and "heading" in value else "Paragraph"


BodyItem = Annotated[
    Annotated[Heading, Tag("Heading")] | Annotated[Paragraph, Tag("Paragraph")], Discriminator(_body_kind)
]


def _items(value: object) -> object:
    if isinstance(value, list):
        return [{"text": v} if isinstance(v, str) else v for v in value]
    return value


class Attachment(_Strict):
    """One attachment: listed in 附件说明, printed after the signature from a new page.

    Its content is its own ``body`` (paragraphs, headings), or taken from a published form:
    ``form_tables: 2024`` prints the blank tables (附件1, landscape), ``form_instructions: 2024``
    the 填写说明 — never retyped.
    """

    name: str
    """As listed in 附件说明 (no punctuation after it)."""
    title: str | list[str] | None = None
    """Title printed on the attachment's first page (default: the name; a form's own titles); a
    list gives the lines (a long title breaks where the data says, words kept whole)."""
    body: list[BodyItem] = Field(default_factory=list)
    form_tables: FormRef | None = None  # a form's id: 2024, or 2025-fuwu-jigou
    form_instructions: FormRef | None = None
    landscape: bool | None = None
    """Print sideways (default: yes for form tables)."""

    @field_validator("body", mode="before")
    @classmethod
    def _norm(cls, v: object) -> object:
        return _items(v)

    @field_validator("name")
    @classmethod
    def _no_trailing_punct(cls, v: str) -> str:
        if v and v[-1] in "。；，、：.;,:":
            raise ValueError(f"附件名称后不加标点（no punctuation after an attachment's name）：{v}")
        return v

    @model_validator(mode="after")
    def _one_content(self) -> Attachment:
        given = [bool(self.body), self.form_tables is not None, self.form_instructions is not None]
        if sum(given) != 1:
            raise ValueError("附件须且只能有 body、form_tables、form_instructions 之一")
        return self

    @property
    def is_landscape(self) -> bool:
        return self.landscape if self.landscape is not None else self.form_tables is not None


_NUMBER = re.compile(r"^\S+〔(\d{4})〕([1-9]\d*)号$")
_COPY = re.compile(r"^\d{6}$")


class Notice(_Strict):
    """A 红头 notice per GB/T 9704-2012."""

    # 版头
    copy_number: str | None = None
    """份号: 6 digits, e.g. "000123"."""
    secret: str | None = None
    """密级和保密期限, e.g. "秘密★1年"."""
    urgency: str | None = None
    """紧急程度: 特急 or 加急."""
    issuer: str
    """The issuing agency's full name (metadata, author)."""
    logo: str
    """发文机关标志, e.g. 广东省市场监督管理局文件."""
    logo_size_pt: float | None = Field(default=None, title="标志字号")
    """The 标志's size; default: as large as fits the 版心, at most 初号 (42 pt)."""
    number: str
    """发文字号: code + 〔year〕 + serial + 号 (no 第, no leading zeros)."""
    signers: list[str] = Field(default_factory=list)
    """签发人 (upward documents): names, printed 3号楷体 after "签发人：" on the 字号's line."""

    # 主体
    title: list[str]
    """标题 lines: the break is the data's (keep words whole, trapezoid or diamond)."""
    addressee: str
    """主送机关, ending with "："."""
    body: list[BodyItem]
    attachments: list[Attachment] = Field(default_factory=list)
    signature: str
    """发文机关署名."""
    date: dt.date
    """成文日期 (printed 2023年5月24日)."""
    seal: str | None = None
    """A seal image (PNG with transparency), relative to the YAML file."""
    sealed: bool | None = None
    """Layout for a sealed notice (date 右空四字, signature centred over it). Default: when a
    seal image is given. True without an image leaves room for a seal stamped by hand."""
    note: str | None = None
    """附注 without its brackets, e.g. 联系人：…，联系电话：…"""

    # 版记
    publicity: str | None = None
    """公开方式, e.g. 主动公开 (printed "公开方式：主动公开" above the 版记)."""
    cc: str | None = None
    """抄送机关, e.g. 省档案馆 (printed "抄送：省档案馆。")."""
    printer: str
    """印发机关."""
    print_date: dt.date
    """印发日期 (printed 2023年5月25日印发)."""
    proofreader: str | None = None
    """校对 (Guangdong practice): printed inside the 版记 as "校对：…", above the 印发 line and
    separated from it by a thin rule (7.4)."""

    _seal_image: SealImage | None = PrivateAttr(default=None)

    @field_validator("body", mode="before")
    @classmethod
    def _norm(cls, v: object) -> object:
        return _items(v)

    @field_validator("title", "signers", mode="before")
    @classmethod
    def _as_list(cls, v: object) -> object:
        return [v] if isinstance(v, str) else v

    @field_validator("copy_number")
    @classmethod
    def _copy(cls, v: str | None) -> str | None:
        if v is not None and not _COPY.match(v):
            raise ValueError(f"份号须为6位阿拉伯数字（copy number: 6 digits）：{v}")
        return v

    @field_validator("number")
    @classmethod
    def _number(cls, v: str) -> str:
        if "第" in v or not _NUMBER.match(v):
            raise ValueError(f"发文字号格式应为 机关代字〔年份〕序号号，不加“第”、序号不编虚位：{v}")
        return v

    @field_validator("addressee")
    @classmethod
    def _colon(cls, v: str) -> str:
        if not v.endswith("："):
            raise ValueError("主送机关以全角冒号“：”结尾")
        return v

    @field_validator("title")
    @classmethod
    def _title(cls, v: list[str]) -> list[str]:
        if not v or not all(line.strip() for line in v):
            raise ValueError("标题不能为空")
        return v

    @model_validator(mode="after")
    def _dates(self) -> Notice:
        if self.print_date < self.date:
            raise ValueError("印发日期不能早于成文日期")
        if not self.body:
            raise ValueError("正文不能为空（the first page must show body text）")
        return self

    def with_seal(self, seal: SealImage | None) -> Notice:
        """This notice with the seal image validation read (docgen.check.seal)."""
        out = self.model_copy()
        out.keep_seal_image(seal)
        return out

    def keep_seal_image(self, seal: SealImage | None) -> None:
        """Hold the checked seal bytes (called by with_seal on its copy; the notice's fields stay as read)."""
        self._seal_image = seal

    @property
    def seal_image(self) -> SealImage | None:
        """The checked seal bytes (None without a seal, or before docgen.check.notice ran)."""
        return self._seal_image

    # ------------------------------------------------------------------ printed texts
    @property
    def is_sealed(self) -> bool:
        return self.sealed if self.sealed is not None else self.seal is not None

    @property
    def title_text(self) -> str:
        return "".join(self.title)

    @property
    def date_text(self) -> str:
        return format_date(self.date)

    @property
    def note_text(self) -> str:
        return f"（{self.note}）" if self.note else ""

    @property
    def publicity_text(self) -> str:
        return f"公开方式：{self.publicity}" if self.publicity else ""

    @property
    def cc_text(self) -> str:
        if not self.cc:
            return ""
        return "抄送：" + self.cc + ("" if self.cc.endswith("。") else "。")

    @property
    def print_date_text(self) -> str:
        return format_date(self.print_date) + "印发"

    @property
    def proofreader_text(self) -> str:
        return f"校对：{self.proofreader}" if self.proofreader else ""

    @property
    def year(self) -> int:
        m = _NUMBER.match(self.number)
        return int(m.group(1)) if m else self.date.year

    def attachment_label(self, index: int) -> str:
        """ "附件1" … (no number when there is only one attachment)."""
        return "附件" if len(self.attachments) == 1 else f"附件{index + 1}"

    def attachment_note(self) -> list[str]:
        """The 附件说明 items: "1. name" (numbered when there are several)."""
        if len(self.attachments) == 1:
            return [self.attachments[0].name]
        return [f"{i + 1}.{a.name}" for i, a in enumerate(self.attachments)]
