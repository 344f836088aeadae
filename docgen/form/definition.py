"""The form definition contract (spec form.md) as pydantic shapes: what a `data/forms/*.yaml` may say, no behaviour.

Keys of the contract come first in each class; docgen's own keys (widths, diagnostic codes, the
example rows a blank table prints …) follow and are described in the JSON Schema (`docgen schema --form`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ColumnTypeName = Literal["text", "amount", "count", "date", "choice", "computed", "seq"]
UnitKind = Literal["city", "protection_center", "patent_office", "province_dept", "other"]
TextRule = Literal["has-number", "cites-document"]


class _Def(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChoiceDef(_Def):
    """One entry of a choice list (XLSForm's choices sheet: name and label)."""

    id: str = Field(description="stable id, used by `only` and by presets")
    name: str = Field(description="the text printed and written in submissions")
    variants: tuple[str, ...] = Field((), description="other spellings accepted with a warning, normalised to name")


class UnitDef(_Def):
    """A unit asked to file."""

    id: str
    name: str
    kind: UnitKind
    city: str | None = Field(None, description="for kind city: the city's name, one of the `cities` list")


class ColumnDef(_Def):
    """A column of a table or of its sub-rows (spec form.md, Column)."""

    key: str = Field(description="the submission's key; unique in its level")
    title: str = Field(description="printed title; also accepted as a key")
    type: ColumnTypeName | None = Field(None, description="none only for a printed-only column with `show`")
    required: bool = Field(False, description="must be filled")
    choices: str | None = Field(None, description="for choice: the name of a list in the form's `choices`")
    only: tuple[str, ...] | None = Field(None, description="for choice: the ids of the list this column allows")
    merge: Literal["equal"] | None = Field(None, description="consecutive rows with the same value share a cell")
    aliases: tuple[str, ...] = Field((), description="former titles or keys, still accepted")
    formula: str | None = Field(None, description="for computed: an expression of the row's keys")
    check: str | None = Field(None, description="an expression that must hold for the row")
    message: str | None = Field(None, description="the Chinese message when `check` fails; {expression} is filled")
    total: bool = Field(False, description="counts toward the table's and the unit's 合计")
    show: str | None = Field(None, description="how the cell prints, from keys of its level: {count}*{unit_amount}")
    print: bool = Field(True, description="false: entered but not printed as a column of its own")
    # docgen's own
    width: float | None = Field(None, description="docgen: relative print width of the column")
    note: str | None = Field(
        None,
        description="docgen: the key of a text column of the same level printed inside this cell after its value,"
        " in （…） (2024: 测算依据 inside 经费安排); the workbook gives it a column of its own",
    )
    description: str = Field("", description="docgen: a longer title for forms and messages (e.g. with its unit)")
    hint: str | None = Field(None, description="docgen: what would be right when `check` fails; {expression} filled")
    code: str | None = Field(None, description="docgen: the diagnostic code of a failed `check`")
    english: str = Field("", description="docgen: the English gloss of a failed `check`")
    warn: tuple[TextRule, ...] = Field((), description="docgen: text rules that warn (has-number, cites-document)")
    unique: bool = Field(False, description="docgen: warn when the same text appears twice in one submission")
    placeholder: tuple[str, ...] = Field((), description="docgen: example texts that warn when left unchanged")
    summary_as: Literal[False] | str | None = Field(
        None,
        description="docgen: how the provincial summary's 项目清单 lists this printed column. By default a text, date"
        " or choice column (not the group column, `merge: equal` choice) is listed under its own title, the tables'"
        " columns of one title sharing a list column, in the order first seen; the column naming a table's project"
        " (its first `unique` text column of the lowest level, else its first required text) is listed as the"
        " project's name. `name`: this column names the project instead (every table's name shares one list column,"
        " titled as first seen, followed by the figures; 其他填报同名项目的单位 compares it); a title: listed under"
        " that title (e.g. 后补助依据 under 项目设置政策依据); false: left out",
    )
    summary_width: float | None = Field(
        None,
        description="docgen: the width of this column's list column in the 项目清单 (Excel's character units; the"
        " first column listed under a title that has one sets it; default: fitted to its texts, at most 40)",
    )


class LevelDef(_Def):
    """A level of sub-rows under each row of a table (the 2024 `projects`)."""

    key: str = Field(description="the submission's key of the sub-row list")
    title: str = Field(description="printed and accepted as a key")
    columns: tuple[ColumnDef, ...]
    min: int = Field(1, ge=0, description="the fewest sub-rows a row may have")
    aliases: tuple[str, ...] = ()
    # docgen's own
    word: str = Field("个项目", description="docgen: how messages count a sub-row (第1个项目)")


class ExampleRows(_Def):
    """docgen: the example rows a blank table prints under each choice of its merged choice column."""

    work: str
    names: tuple[str, ...]


class PresetDef(BaseModel):
    """A row the province publishes: `id`, then column keys of the table (a choice by its id)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    id: str

    def values(self) -> dict[str, Any]:
        """The preset's cells by column key."""
        return dict(self.model_extra or {})


class TableDef(_Def):
    """A table of the form (spec form.md, Table)."""

    key: str = Field(description="the submission's key of the table; unique in the form")
    number: str = Field(description="printed as 表（number）")
    title: str
    subtitle: str = ""
    columns: tuple[ColumnDef, ...]
    rows: LevelDef | None = Field(None, description="a level of sub-rows under each row")
    presets: tuple[PresetDef, ...] = Field((), description="rows the province publishes")
    aliases: tuple[str, ...] = Field((), description="other names of the table accepted as its key")
    # docgen's own
    row_word: str = Field("项", description="docgen: how messages count a row (第2项, 第2行)")
    preset_fixes: tuple[str, ...] | None = Field(
        None, description="docgen: the keys a preset fixes (default: every key a preset gives)"
    )
    example_rows: ExampleRows | None = Field(None, description="docgen: example rows printed in the blank table")


class InstructionDef(_Def):
    """One item of 填写说明."""

    number: int
    title: str
    text: str


class FormDef(_Def):
    """A whole form definition (spec form.md, Form)."""

    year: int
    title: str
    notice_number: str
    deadline: dt.date
    amount_unit: str = "万元"
    choices: dict[str, tuple[ChoiceDef | str, ...]] = Field(
        default_factory=dict, description="named lists; an entry written as plain text is its own id and name"
    )
    units: tuple[UnitDef, ...] = ()
    tables: tuple[TableDef, ...]
    # docgen's own
    attachment_title: str = Field("", description="docgen: the attachment's printed title (default: title)")
    summary_title: str = Field(
        "",
        description="docgen: the provincial summary's title (default: title with its last 征集表 read 汇总表, else"
        " its last 表 read 汇总表, else title + 汇总表)",
    )
    cities: str = Field("cities", description="docgen: the choice list of the cities a city unit is in")
    instructions_title: str = Field("", description="docgen: 填写说明's title")
    instructions: tuple[InstructionDef, ...] = ()
    messages: dict[str, str] = Field(
        default_factory=dict,
        description="docgen: the form's own wording of docgen's messages, by code (or code-hint), {fields} kept",
    )
