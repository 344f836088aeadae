"""The old hand-written submission model for 2024's four tables (a test oracle: the generated model must agree)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)

from docgen.io import limits
from docgen.models.envelope import UNIT_KIND_TITLES, Contact, UnitKind  # noqa: F401
from docgen.models.values import (
    Amount,
    Count,
    Day,
    Name,
    Required,
    Text,
    _list,
    _name,
    _number,
    parse_quantity,
)
from docgen.models.year import FormYear


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True, str_strip_whitespace=False)


class Project(_Model):
    """A project of tables （一） and （三）."""

    name: Required = Field(title="拟设置项目")
    count: Count = Field(title="项目数")
    unit_amount: Amount = Field(title="单项金额（万元）")
    necessity: Text = Field("", title="项目设置必要性")
    policy_basis: Text = Field("", title="项目设置政策依据")
    performance: Required = Field(title="项目绩效")
    remarks: Text = Field("", title="备注")

    @model_validator(mode="before")
    @classmethod
    def _quantity_shorthand(cls, data: Any) -> Any:
        # `quantity: "4*30"` is accepted as shorthand for count and unit_amount.
        if isinstance(data, dict) and "quantity" in data:
            data = dict(data)
            parsed = parse_quantity(data.pop("quantity"))
            if parsed is None:
                raise ValueError("项目数及单项金额应写成“项目数*单项金额”，例如 4*30")
            data.setdefault("count", parsed[0])
            data.setdefault("unit_amount", parsed[1])
        return data


class WorkItem(_Model):
    """A work item (主要工作内容) of tables （一） and （三） with its projects."""

    category: Name = Field(title="类型")
    work: Required = Field(title="主要工作内容")
    budget: Amount = Field(title="经费安排（万元）")
    estimate: Text = Field("", title="测算依据")
    projects: Annotated[list[Project], Field(min_length=1, max_length=limits.MAX_ROWS, title="拟设置项目")]


class Subsidy(_Model):
    """A row of table （二） 后补助资金."""

    work: Required = Field(title="主要工作内容")
    name: Required = Field(title="后补助名称")
    amount: Amount = Field(title="后补助经费（万元）")
    basis: Text = Field("", title="后补助依据")
    recipient: Text = Field("", title="后补助承接单位")
    performance: Required = Field(title="项目绩效")
    remarks: Text = Field("", title="备注")


class OwnProject(_Model):
    """A project of a unit's own row in table （四）."""

    name: Required = Field(title="拟设置项目")
    amount: Amount = Field(title="金额（万元）")
    necessity: Text = Field("", title="项目设置必要性")
    policy_basis: Text = Field("", title="项目设置政策依据")
    performance: Required = Field(title="项目绩效")
    remarks: Text = Field("", title="备注")


class OwnDelegated(_Model):
    """A unit's own work item in table （四）."""

    category: Name = Field(title="类型")
    work: Required = Field(title="主要工作内容")
    projects: Annotated[list[OwnProject], Field(min_length=1, max_length=limits.MAX_ROWS, title="拟设置项目")]


class PresetRef(_Model):
    """A reference to a row the province preset in table （四）."""

    preset: Name = Field(title="预设项目（拟设置项目名称）")
    amount: Amount = Field(title="金额（万元）")
    performance: Required = Field(title="项目绩效")
    remarks: Text = Field("", title="备注")
    # The preset supplies these; a unit may repeat them only unchanged.
    category: str | None = Field(None, title="类型（由预设项目给出）")
    work: str | None = Field(None, title="主要工作内容（由预设项目给出）")
    name: str | None = Field(None, title="拟设置项目（由预设项目给出）")
    necessity: str | None = Field(None, title="项目设置必要性（由预设项目给出）")
    policy_basis: str | None = Field(None, title="项目设置政策依据（由预设项目给出）")


PRESET_OWNED = ("category", "work", "name", "necessity", "policy_basis")


def _delegated_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "preset" if "preset" in value else "own"
    return "preset" if isinstance(value, PresetRef) else "own"


Delegated = Annotated[
    Annotated[PresetRef, Tag("preset")] | Annotated[OwnDelegated, Tag("own")],
    Discriminator(_delegated_kind),
]


class Submission(_Model):
    """One unit's filing for one published form."""

    form: Annotated[FormYear, BeforeValidator(_number)] = Field(title="征集表年度")
    unit: Name = Field(title="填报单位")
    unit_kind: UnitKind = Field(title="填报单位类型")
    city: Annotated[str | None, BeforeValidator(_name)] = Field(None, title="所在地市")
    contact: Contact = Field(title="联系人及联系电话")
    date: Day = Field(title="填报日期")
    retained: Annotated[list[WorkItem], BeforeValidator(_list), Field(max_length=limits.MAX_ROWS)] = Field(
        default_factory=list, title="表（一）保留省局部分"
    )
    post_subsidy: Annotated[list[Subsidy], BeforeValidator(_list), Field(max_length=limits.MAX_ROWS)] = Field(
        default_factory=list, title="表（二）后补助资金"
    )
    support: Annotated[list[WorkItem], BeforeValidator(_list), Field(max_length=limits.MAX_ROWS)] = Field(
        default_factory=list, title="表（三）支持专利代办处和省知识产权保护中心开展工作"
    )
    delegated: Annotated[list[Delegated], BeforeValidator(_list), Field(max_length=limits.MAX_ROWS)] = Field(
        default_factory=list, title="表（四）下放地市审批权限部分"
    )


def field_title(model: type[BaseModel], key: str) -> str:
    info = model.model_fields.get(key)
    return (info.title if info and info.title else key) if info else key
