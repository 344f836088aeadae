"""The submission contract's own header, the same for every form: who files (unit kinds) and the contact."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from docgen.models.values import Required

UnitKind = Literal["city", "protection_center", "patent_office", "province_dept", "other"]

UNIT_KIND_TITLES = {
    "city": "地级以上市市场监管局",
    "protection_center": "省知识产权保护中心",
    "patent_office": "专利局广州代办处",
    "province_dept": "省局处室",
    "other": "其他单位",
}


class Contact(BaseModel):
    """联系人及联系电话."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True, str_strip_whitespace=False)

    name: Required = Field(title="联系人")
    phone: Required = Field(title="联系电话")


def field_title(model: type[BaseModel], key: str) -> str:
    """A model field's Chinese title (its key when it has none)."""
    info = model.model_fields.get(key)
    return (info.title if info and info.title else key) if info else key
