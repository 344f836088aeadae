"""Authoring for a form docgen has never seen (tests/form/test_new_collection.py's COLLECTION): the starter of
`docgen init`, the JSON Schema of `docgen schema`, and a workbook laid out as docgen lays its sheets out,
filled as a clerk would and read back by the importer from the form's definition alone."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import jsonschema
import openpyxl
import pytest
import yaml
from typer.testing import CliRunner

from docgen.authoring.importer import ImportError_, read_workbook
from docgen.authoring.schema import submission_schema
from docgen.cli import app
from docgen.form.catalog import FORMS_ENV
from docgen.form.loading import load
from docgen.io.source import load as load_source
from docgen.io.source import to_jsonable
from docgen.writers.xlsx.form import FIRST_BODY_ROW, HEADER_ROW, INFO_ROW, ORDER_HEADER, SUBTITLE_ROW, TITLE_ROW
from tests.form.test_new_collection import COLLECTION

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
UNIT = "广州市市场监督管理局（知识产权局）"


@pytest.fixture
def forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "2027.yaml").write_text(COLLECTION, "utf-8")
    monkeypatch.setenv(FORMS_ENV, str(folder))
    return tmp_path


def codes(path: Path) -> list[tuple[str, str, str]]:
    result = runner.invoke(app, ["validate", "--json", str(path)])
    return [(d["severity"], d["code"], d["path"]) for f in json.loads(result.output) for d in f["diagnostics"]]


# 打印尚未支持新征集表时（form-not-printable）validate 另报这一条；其余诊断都来自这份定义的规则。
NOT_YET = {("error", "form-not-printable", "form")}


# --- docgen init -----------------------------------------------------------------------------------


def test_init_writes_a_starter_for_the_new_collection_that_validates_once_filled(forms: Path) -> None:
    out = forms / "gz.yaml"
    done = runner.invoke(app, ["init", "gz", "--form", "2027", "-o", str(out)])
    assert done.exit_code == 0, done.output
    text = out.read_text("utf-8")
    assert "2027年度知识产权服务机构能力提升项目征集表" in text and "form: 2027" in text
    assert "# 表（一）服务项目" in text and "\nservices:\n" in text and "\npeople:\n" in text
    assert "类别：培训、咨询" in text and "合计金额（万元）= 各明细“工时*单价”之和" in text
    for name in ("retained", "post_subsidy", "support", "delegated"):
        assert name not in text
    # as written: only the contact is missing, and the tables are empty
    assert set(codes(out)) - NOT_YET == {
        ("error", "missing", "contact.name"),
        ("error", "missing", "contact.phone"),
        ("warning", "empty", "（文件顶层）"),
    }
    # the clerk fills the contact and takes the example rows (the "# " removed, indentation kept)
    filled = re.sub(r"(?m)^  # ", "  ", text).replace('name: ""', "name: 陈华").replace('phone: ""', "phone: 020-1")
    out.write_text(filled, "utf-8")
    assert set(codes(out)) <= NOT_YET, codes(out)
    data = yaml.safe_load(filled)
    assert data["services"] == [
        {"kind": "培训", "total": 120, "items": [{"name": "名称", "hours": 4, "rate": 30}]},
    ]
    assert data["people"] == [{"name": "姓名", "since": data["date"]}]


def test_init_names_the_form_by_id_and_refuses_an_unknown_one(forms: Path) -> None:
    (forms / "forms" / "2027-fuwu.yaml").write_text(COLLECTION.replace("服务项目", "机构服务项目"), "utf-8")
    out = forms / "x.yaml"
    assert runner.invoke(app, ["init", "gz", "--form", "2027-fuwu", "-o", str(out)]).exit_code == 0
    assert "# 表（一）机构服务项目" in out.read_text("utf-8")
    unknown = runner.invoke(app, ["init", "gz", "--form", "2027-nope", "-o", str(forms / "y.yaml")])
    assert unknown.exit_code == 2 and "没有编号为“2027-nope”的征集表" in unknown.output
    assert "2027-fuwu" in unknown.output and not (forms / "y.yaml").exists()


def test_the_2024_starter_validates_once_filled(tmp_path: Path) -> None:
    out = tmp_path / "sz.yaml"
    assert runner.invoke(app, ["init", "深圳市", "--form", "2024", "-o", str(out)]).exit_code == 0
    text = out.read_text("utf-8")
    filled = re.sub(r"(?m)^  # ", "  ", text).replace('name: ""', "name: 王芳").replace('phone: ""', "phone: 0755-1")
    out.write_text(filled, "utf-8")
    found = codes(out)
    assert {c for s, c, _ in found} == {"duplicate-project"} and all(s == "warning" for s, _, _ in found), found
    data = yaml.safe_load(filled)
    assert data["retained"][0]["budget"] == 120 and data["retained"][0]["projects"][0]["count"] == 4
    assert data["delegated"][0]["preset"] == "知识产权强市强县建设项目"


# --- docgen schema ---------------------------------------------------------------------------------


def test_the_schema_lists_the_new_collections_tables_and_columns(forms: Path) -> None:
    done = runner.invoke(app, ["schema", "--form", "2027"])
    assert done.exit_code == 0, done.output
    schema = json.loads(done.output)
    jsonschema.Draft202012Validator.check_schema(schema)
    props, defs = schema["properties"], schema["$defs"]
    assert {"services", "people"} <= set(props) and props["services"]["title"] == "表（一）服务项目"
    assert props["form"]["enum"] == [2027] and props["city"]["enum"] == ["广州市", "深圳市"]
    row = defs["services_row"]
    assert set(row["properties"]) == {"kind", "total", "items"}
    assert row["properties"]["kind"]["enum"] == ["培训", "咨询", "咨询服务"]
    assert set(row["required"]) == {"kind", "total", "items"}
    assert set(defs["services_row_items"]["properties"]) == {"name", "hours", "rate"}  # cost is computed
    assert set(defs["people_row"]["properties"]) == {"name", "since"}
    # a filing as the starter's example rows make it passes; a kind of the wrong list does not
    validator = jsonschema.Draft202012Validator(schema)
    good = {
        "form": 2027,
        "unit": UNIT,
        "unit_kind": "city",
        "city": "广州市",
        "contact": {"name": "陈华", "phone": "020-1"},
        "date": "2026-06-01",
        "services": [{"kind": "培训", "total": 30, "items": [{"name": "a", "hours": 3, "rate": 10}]}],
        "people": [{"name": "李明", "since": "2020-01-01"}],
    }
    assert not list(validator.iter_errors(good))
    good["services"][0]["kind"] = "知识产权高质量创造"  # type: ignore[index]
    assert list(validator.iter_errors(good))


def test_each_table_has_its_own_choices_in_the_schema(tmp_path: Path) -> None:
    """The design notes' 'schema.py gives 表（三） the list of 表（一）': a form where they differ."""
    text = (ROOT / "data" / "forms" / "2024.yaml").read_text("utf-8")
    only = "only: [creation, protection, transfer, service, talent, culture, management]"
    assert text.count(only) == 2
    first, rest = text.split(only, 1)
    path = tmp_path / "2024.yaml"
    path.write_text(first + only + rest.replace(only, "only: [creation, protection]", 1), "utf-8")
    schema = submission_schema(load(path))
    retained = schema["$defs"]["retained_row"]["properties"]["category"]["enum"]
    support = schema["$defs"]["support_row"]["properties"]["category"]["enum"]
    assert support == ["知识产权高质量创造", "强化知识产权保护"] and len(retained) > len(support)


def test_the_2024_schema_takes_every_example_and_a_preset_by_id() -> None:
    schema = submission_schema(load("2024"))
    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted((ROOT / "data" / "submissions" / "2024").glob("*.yaml")):
        data = to_jsonable(load_source(path).data)
        assert not list(validator.iter_errors(data)), path.name
        for row in data.get("delegated", []):
            if "preset" in row:
                row["preset"] = "strong-city-county"
        assert not list(validator.iter_errors(data)), path.name


# --- a workbook of the new collection ------------------------------------------------------------------


def collection_workbook(path: Path, services: list[list], people: list[list], merges: list[str] = ()) -> Path:
    """The collection's two sheets as docgen lays a sheet out (title, subtitle, the unit's line, the header,
    the body, 合计; the hidden order column), filled by hand with openpyxl as a clerk would fill them."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    info = [f"填报单位：{UNIT}", "联系人：陈华", "联系电话：020-83380000", "填报日期：2026年6月1日"]
    for name, title, header, rows in (
        ("表一", "服务项目", ["序号", "类别", "合计金额（万元）", "名称", "工时", "单价", "费用"], services),
        ("表二", "人员", ["姓名", "入职日期"], people),
    ):
        ws = wb.create_sheet(name)
        ws.cell(TITLE_ROW, 1, f"2027年度知识产权服务机构能力提升项目征集表（{name[1]}）")
        ws.cell(SUBTITLE_ROW, 1, title)
        for i, text in enumerate(info[: len(header)] if len(header) > 2 else [" ".join(info)]):
            ws.cell(INFO_ROW, 1 + i, text)
        for i, text in enumerate([*header, ORDER_HEADER], start=1):
            ws.cell(HEADER_ROW, i, text)
        for r, values in enumerate(rows, start=FIRST_BODY_ROW):
            for c, value in enumerate(values, start=1):
                if value is not None:
                    ws.cell(r, c, value)
        if name == "表一":
            for merge in merges:
                ws.merge_cells(merge)
            total_row = FIRST_BODY_ROW + len(rows)
            ws.cell(total_row, 1, "合计")
            ws.cell(total_row, 3, f"=SUM(C{FIRST_BODY_ROW}:C{total_row - 1})")
    wb.save(path)
    return path


SERVICES = [
    # 序号, 类别, 合计金额, 名称, 工时, 单价, 费用 (a formula the clerk never types)
    [1, "培训", 30, "专利代理实务", 2, 10, "=E5*F5"],
    [2, None, None, "商标实务", 1, "１０", "=E6*F6"],  # a sub-row: 类别 and 合计金额 merged over it
    [3, "咨询服务", None, "咨询项目", 3, 5, "=E7*F7"],  # a variant; 合计金额 left for docgen to work out
]
PEOPLE = [["李明", dt.datetime(2020, 1, 1)], ["王芳", "2021年3月1日"], ["赵强", None]]


def test_a_filled_workbook_of_the_new_collection_imports_as_typed(forms: Path) -> None:
    book = collection_workbook(forms / "gz.xlsx", SERVICES, PEOPLE, merges=["B5:B6", "C5:C6"])
    imported = read_workbook(book)
    data = yaml.safe_load(imported.text)
    assert data["form"] == 2027 and data["unit"] == UNIT and data["unit_kind"] == "city" and data["city"] == "广州市"
    assert data["contact"] == {"name": "陈华", "phone": "020-83380000"} and data["date"] == dt.date(2026, 6, 1)
    assert data["services"] == [
        {
            "kind": "培训",
            "total": 30,
            "items": [{"name": "专利代理实务", "hours": 2, "rate": 10}, {"name": "商标实务", "hours": 1, "rate": 10}],
        },
        {"kind": "咨询", "total": 15, "items": [{"name": "咨询项目", "hours": 3, "rate": 5}]},
    ]
    assert data["people"] == [
        {"name": "李明", "since": dt.date(2020, 1, 1)},
        {"name": "王芳", "since": dt.date(2021, 3, 1)},
        {"name": "赵强"},
    ]
    notes = {(w.cell, w.message) for w in imported.warnings}
    assert notes == {
        ("表一!B7", "类别“咨询服务”已按填写说明写作“咨询”"),
        ("表一!C7", "合计金额未填写，已按“工时*单价”合计为 15"),
    }
    # every value knows its cell
    assert imported.cells["services[0].items[1].rate"] == "表一!F6"
    assert imported.cells["services[1].total"] == "表一!C7" and imported.cells["people[1].since"] == "表二!B6"
    # and the file validates by the collection's own rules
    yaml_path = forms / "gz.yaml"
    yaml_path.write_text(imported.text, "utf-8")
    assert set(codes(yaml_path)) <= NOT_YET, codes(yaml_path)


def test_the_new_collections_workbook_problems_name_sheet_and_cell(forms: Path) -> None:
    services = [
        [1, "培训", "三十", "专利代理实务", "两", 10, None],
        [2, None, None, "商标实务", 1, 10.123, None],
        [3, "讲座", 10, "", 1, 10, None],
    ]
    book = collection_workbook(forms / "bad.xlsx", services, [["李明", "去年"]])
    with pytest.raises(ImportError_) as err:
        read_workbook(book)
    found = {(p.cell, p.message) for p in err.value.problems}
    assert found == {
        ("表一!C5", "合计金额“三十”不是数字，应填写金额（万元），例如 120 或 60.5"),
        ("表一!E5", "工时“两”应为正整数，例如 4"),
        ("表一!F6", "单价“10.123”最多保留两位小数（单位：万元）"),
        ("表一!B7", "类别“讲座”不是本表可选的类别；请从下拉列表选择（可选：培训、咨询）"),
        ("表一!D7", "没有填写名称"),
        ("表二!B5", "入职日期“去年”无法识别；应写成 2023年5月26日 或 2023-05-26"),
    }
    assert all(str(p) == f"{p.cell}: {p.message}" for p in err.value.problems)


def test_a_column_or_a_sheet_the_collection_does_not_have_is_never_dropped(forms: Path) -> None:
    book = collection_workbook(forms / "extra.xlsx", SERVICES[:1], PEOPLE[:1])
    wb = openpyxl.load_workbook(book)
    wb["表二"].cell(HEADER_ROW, 4, "学历")
    wb["表二"].cell(FIRST_BODY_ROW, 4, "硕士")
    wb.create_sheet("表三").cell(1, 1, "设备")
    wb.save(book)
    with pytest.raises(ImportError_) as err:
        read_workbook(book)
    by_place = {p.cell or p.sheet: p.message for p in err.value.problems}
    assert "表头“学历”不是征集表（二）的列" in by_place["表二!D4"] and "姓名、入职日期" in by_place["表二!D4"]
    assert "工作表“表三”不是征集表中的表（本征集表有：表一、表二）" in by_place["表三"]


def test_a_total_typed_over_the_formula_must_agree(forms: Path) -> None:
    book = collection_workbook(forms / "total.xlsx", SERVICES[:2], PEOPLE[:1], merges=["B5:B6", "C5:C6"])
    wb = openpyxl.load_workbook(book)
    wb["表一"].cell(FIRST_BODY_ROW + 2, 3, 99)
    wb.save(book)
    with pytest.raises(ImportError_) as err:
        read_workbook(book)
    (problem,) = err.value.problems
    assert problem.cell == "表一!C7" and problem.message.startswith("合计“99”与各行金额之和 30 不符")


# --- the blank workbook docgen writes for the new collection, filled and read back -------------------

PEOPLE_COLUMNS = (
    "      - {key: name, title: 姓名, type: text, required: true}\n      - {key: since, title: 入职日期, type: date}\n"
)
# 人员 with a 序号 and a count beside 姓名 and 入职日期: four columns, one of them a number
WIDER = COLLECTION.replace(
    PEOPLE_COLUMNS,
    "      - {key: seq, title: 序号, type: seq}\n"
    + PEOPLE_COLUMNS
    + "      - {key: days, title: 培训天数, type: count}\n",
)


def header_columns(ws) -> dict[str, int]:
    return {str(c.value): c.column for c in ws[HEADER_ROW] if c.value}


def body_row(ws, col: int, text: str) -> int:
    return next(r for r in range(FIRST_BODY_ROW, ws.max_row + 1) if ws.cell(r, col).value == text)


@pytest.mark.parametrize(
    "definition",
    [
        pytest.param(COLLECTION, id="as-published"),
        pytest.param(WIDER, id="people-with-four-columns"),
    ],
)
def test_the_blank_workbook_of_the_new_collection_filled_by_a_clerk_imports_as_typed(
    definition: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from docgen.check.submission import check_text
    from docgen.views.form import blank_view
    from docgen.writers.xlsx.form import write_xlsx

    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "2027.yaml").write_text(definition, "utf-8")
    monkeypatch.setenv(FORMS_ENV, str(folder))
    blank = tmp_path / "空白表.xlsx"
    blank.write_bytes(write_xlsx(blank_view(load("2027"))))

    wb = openpyxl.load_workbook(blank)
    for ws in wb.worksheets[:2]:
        for cell in ws[INFO_ROW]:  # the unit's line, on every sheet as a clerk may
            label = str(cell.value or "").rstrip("：")
            info = {"填报单位": UNIT, "联系人": "陈华", "联系电话": "020-83380000", "填报日期": "2026年6月1日"}
            if label in info:
                cell.value = f"{label}：{info[label]}"
    ws = wb["表一"]
    c = header_columns(ws)
    # under 培训 (the 类别 docgen printed, merged over two rows): one row and a sub-row under it
    r = body_row(ws, c["名称"], "可加行")
    assert ws.cell(r, c["类别"]).value == "培训"
    for title, value in (("合计金额（万元）", 30), ("名称", "专利代理实务"), ("工时", 2), ("单价", 10)):
        ws.cell(r, c[title], value)
    for title, value in (("名称", "商标实务"), ("工时", 1), ("单价", "１０")):
        ws.cell(r + 1, c[title], value)
    # under 咨询: a row of its own
    r = next(row for row in range(FIRST_BODY_ROW, ws.max_row + 1) if ws.cell(row, c["类别"]).value == "咨询")
    for title, value in (("合计金额（万元）", 15.0), ("名称", "咨询项目"), ("工时", 3), ("单价", 5)):
        ws.cell(r, c[title], value)
    ws = wb["表二"]
    c = header_columns(ws)
    r = body_row(ws, c["姓名"], "可加行")
    ws.cell(r, c["姓名"], "李明")
    ws.cell(r, c["入职日期"], dt.datetime(2020, 1, 1))  # a date cell, as Excel keeps a typed date
    ws.cell(r + 1, c["姓名"], "王芳")
    ws.cell(r + 1, c["入职日期"], "2021-03-01")
    if "培训天数" in c:
        ws.cell(r, c["培训天数"], 3)
        ws.cell(r + 1, c["培训天数"], "２")
    filled = tmp_path / "广州.xlsx"
    wb.save(filled)

    imported = read_workbook(filled)
    assert imported.warnings == []
    data = yaml.safe_load(imported.text)
    assert (data["form"], data["unit"], data["unit_kind"], data["city"]) == (2027, UNIT, "city", "广州市")
    assert data["contact"] == {"name": "陈华", "phone": "020-83380000"} and data["date"] == dt.date(2026, 6, 1)
    assert data["services"] == [
        {
            "kind": "培训",
            "total": 30,
            "items": [{"name": "专利代理实务", "hours": 2, "rate": 10}, {"name": "商标实务", "hours": 1, "rate": 10}],
        },
        {"kind": "咨询", "total": 15, "items": [{"name": "咨询项目", "hours": 3, "rate": 5}]},
    ]
    days = [{"days": 3}, {"days": 2}] if "days" in data["people"][0] else [{}, {}]
    assert data["people"] == [
        {"name": "李明", "since": dt.date(2020, 1, 1), **days[0]},
        {"name": "王芳", "since": dt.date(2021, 3, 1), **days[1]},
    ]
    result = check_text(imported.text, "广州.yaml")
    assert not result.diagnostics, [str(d) for d in result.diagnostics]
    # rendered again by docgen, the filled workbook reads back to the same submission
    from docgen.views.form import build_view

    again = tmp_path / "again.xlsx"
    again.write_bytes(write_xlsx(build_view(result.form, result.submission)))
    assert yaml.safe_load(read_workbook(again).text) == data
