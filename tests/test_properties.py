"""Property-based: whatever shape a submission takes, validate and render never raise (bounded examples)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from docgen.check.submission import check_text
from docgen.io.source import parse
from docgen.models.values import is_blank
from docgen.registry import Options, render_source
from tests.legacy_oracle.adapter import load_form  # the flat facts, as docgen read them before the form engine

FORM = load_form(2024)
CATEGORIES = [c.name for c in FORM.categories]
PRESETS = [p.name for p in FORM.presets]
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

nasty_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "　",
            "\u200b",
            "\x01",
            "=SUM(A1)",
            "<b>x</b>",
            "075526543210",
            "10:30",
            "on",
            "null",
            "2023-02-30",
            "60,5",
            "１２",
            "−0",
            "《规划》10家",
            "{{ 7*7 }}",
            "\ud800",
            "&amp;",
            "]]>",
        ]
    ),
)
amount = st.one_of(
    st.integers(min_value=-10, max_value=10**6),
    st.decimals(allow_nan=True, allow_infinity=True, places=3),
    st.sampled_from(["60,5", "１２.５", "1e3", "-0", "0.1", "1" * 200, "abc", True, None]),
)
count = st.one_of(st.integers(min_value=-3, max_value=10**5), st.sampled_from([0, "4", "４", 1.5, "1" * 5000, None]))
scalar = st.one_of(nasty_text, amount, st.booleans(), st.none(), st.dates(min_value=dt.date(2000, 1, 1)))


def maybe(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(strategy, scalar)


project = st.fixed_dictionaries(
    {"name": maybe(nasty_text), "count": count, "unit_amount": amount},
    optional={
        "necessity": nasty_text,
        "policy_basis": nasty_text,
        "performance": nasty_text,
        "remarks": nasty_text,
        "quantity": st.sampled_from(["4*30", "4×30", "x"]),
        "nmae": nasty_text,
    },
)
work_item = st.fixed_dictionaries(
    {
        "category": st.one_of(st.sampled_from(CATEGORIES), nasty_text),
        "work": maybe(nasty_text),
        "budget": amount,
        "projects": st.one_of(st.lists(project, max_size=3), scalar),
    },
    optional={"estimate": nasty_text},
)
subsidy = st.fixed_dictionaries(
    {"work": maybe(nasty_text), "name": maybe(nasty_text), "amount": amount},
    optional={"basis": nasty_text, "recipient": nasty_text, "performance": nasty_text, "remarks": nasty_text},
)
preset = st.fixed_dictionaries(
    {"preset": st.one_of(st.sampled_from(PRESETS), nasty_text), "amount": amount},
    optional={"performance": nasty_text, "remarks": nasty_text, "work": nasty_text},
)
own = st.fixed_dictionaries(
    {
        "category": st.one_of(st.sampled_from(CATEGORIES), nasty_text),
        "work": maybe(nasty_text),
        "projects": st.lists(
            st.fixed_dictionaries(
                {"name": nasty_text, "amount": amount}, optional={"performance": nasty_text, "policy_basis": nasty_text}
            ),
            max_size=3,
        ),
    },
)
submission = st.fixed_dictionaries(
    {
        "form": st.one_of(st.just(2024), st.sampled_from(["2024", 2025, None, "x"])),
        "unit": maybe(nasty_text),
        "unit_kind": st.sampled_from(["city", "other", "x", 1]),
        "contact": st.one_of(st.fixed_dictionaries({"name": nasty_text, "phone": maybe(nasty_text)}), scalar),
        "date": st.one_of(st.dates(min_value=dt.date(2000, 1, 1)).map(str), scalar),
    },
    optional={
        "city": st.one_of(st.sampled_from(FORM.cities), scalar),
        "retained": st.lists(work_item, max_size=2),
        "post_subsidy": st.lists(subsidy, max_size=2),
        "support": st.lists(work_item, max_size=2),
        "delegated": st.lists(st.one_of(preset, own), max_size=2),
        "类型": nasty_text,
    },
)


def to_json(data: Any) -> str:
    def default(value: Any) -> Any:
        return str(value) if isinstance(value, (Decimal, dt.date)) else repr(value)

    return json.dumps(data, default=default, ensure_ascii=True, indent=1)


def to_yaml(data: Any) -> str:
    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, str):
            return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")  # YAML text cannot hold them
        return value

    return yaml.safe_dump(plain(data), allow_unicode=True, sort_keys=False)


@SETTINGS
@given(submission, st.booleans())
# found by this test: a lone surrogate in a date crashed pydantic while it rendered its own error message
@example({"form": 2024, "unit": "", "unit_kind": "city", "contact": None, "date": "\ud800"}, True)
def test_validate_and_render_never_raise(data: dict, as_json: bool) -> None:
    text = to_json(data) if as_json else to_yaml(data)
    name = "x.json" if as_json else "x.yaml"
    result = check_text(text, name)
    for d in result.diagnostics:
        str(d).encode("utf-8")  # printable, whatever the input held
        json.dumps(d.as_dict(), ensure_ascii=False).encode("utf-8")
    event("valid" if result.ok() else "invalid")
    if result.submission is not None and result.ok():
        rendered = render_source(parse(text, name), Options(formats=("docx", "xlsx")))
        assert rendered.outputs["docx"][:2] == b"PK" and rendered.outputs["xlsx"][:2] == b"PK"


@st.composite
def valid_item(draw: st.DrawFn) -> dict:
    """A work item of table （一） that passes validation, with hostile text in every text field."""
    # any text but lone surrogates (an error by design, tested above) and blanks (未填写, also an error)
    chars = st.characters(blacklist_categories=("Cs",))
    text = (st.text(chars, min_size=1, max_size=200) | nasty_text).filter(
        lambda s: not is_blank(s) and "\ud800" not in s
    )
    projects = []
    for _ in range(draw(st.integers(1, 3))):
        projects.append(
            {
                "name": draw(text),
                "count": draw(st.integers(1, 20)),
                "unit_amount": str(draw(st.decimals(min_value=0, max_value=1000, places=2))),
                "necessity": draw(text),
                "policy_basis": draw(text),
                "performance": draw(text) + "10家",
                "remarks": draw(text),
            }
        )
    budget = sum(p["count"] * Decimal(p["unit_amount"]) for p in projects)
    return {
        "category": draw(st.sampled_from(FORM.category_names(FORM.table("retained")))),
        "work": draw(text),
        "budget": str(budget),
        "estimate": draw(text),
        "projects": projects,
    }


def guangzhou_with(items: list) -> dict:
    """Guangzhou's filing with these work items in table （一） and nothing else."""
    return {
        "form": 2024,
        "unit": "广州市市场监督管理局（知识产权局）",
        "unit_kind": "city",
        "city": "广州市",
        "contact": {"name": "张三", "phone": "020-1"},
        "date": "2023-05-26",
        "retained": items,
    }


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(valid_item(), min_size=1, max_size=2))
def test_pdf_of_whatever_passes_validation(items: list) -> None:
    text = to_json(guangzhou_with(items))
    result = check_text(text, "x.json")
    event("valid" if result.ok() else "invalid")
    if result.ok():
        pdf = render_source(parse(text, "x.json"), Options(formats=("pdf",))).outputs["pdf"]
        assert pdf.startswith(b"%PDF")


# 30 examples: each renders a DOCX and an XLSX (≈0.7 s); the cheap checks above run 200
@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(valid_item(), min_size=1, max_size=3))
def test_valid_hostile_text_renders_docx_and_xlsx(items: list) -> None:
    text = to_json(guangzhou_with(items))
    result = check_text(text, "x.json")
    for d in result.diagnostics:
        str(d).encode("utf-8")
    event("valid" if result.ok() else "invalid: " + ",".join(sorted({d.code for d in result.errors})))
    if result.ok():
        rendered = render_source(parse(text, "x.json"), Options(formats=("docx", "xlsx")))
        assert rendered.outputs["docx"][:2] == b"PK"


@SETTINGS
@given(st.text(max_size=300))
def test_any_text_is_read_without_a_traceback(text: str) -> None:
    for name in ("x.yaml", "x.json"):
        result = check_text(text, name)
        for d in result.diagnostics:
            str(d).encode("utf-8")
