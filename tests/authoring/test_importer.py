"""The XLSX importer: exact round trips, a clerk's filled blank form, problems named by cell."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import yaml

from docgen.authoring.importer import ImportError_, import_workbook
from docgen.check.submission import check_file, check_text
from docgen.form.loading import load as load_form
from docgen.views.form import blank_view, build_view
from docgen.writers.xlsx.form import FIRST_BODY_ROW, INFO_ROW, write_xlsx

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "data" / "submissions" / "2024").glob("*.yaml"))
GUANGZHOU = ROOT / "data" / "submissions" / "2024" / "guangzhou.yaml"


# --- helpers -----------------------------------------------------------------------------------


def validated(text: str, name: str = "x.yaml"):
    result = check_text(text, name)
    assert result.submission is not None, [str(d) for d in result.errors]
    return result


def xlsx_of(path_or_text: Path | str, out: Path) -> tuple[Path, object]:
    if isinstance(path_or_text, Path):
        text = path_or_text.read_text(encoding="utf-8")
    else:
        text = path_or_text
    result = validated(text)
    view = build_view(result.form, result.submission, "x.yaml", text.encode())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(write_xlsx(view))
    return out, result.submission


def reimport(path: Path):
    text, warnings = import_workbook(path)
    result = check_text(text, "imported.yaml")
    assert result.submission is not None, (text, [str(d) for d in result.errors])
    return result.submission, text, warnings


def libreoffice_resave(files: list[Path], outdir: Path) -> list[Path]:
    """Open and save as .xlsx in LibreOffice (as a clerk would), all in one start."""
    from testkit import libreoffice

    libreoffice(files, "xlsx:Calc MS Excel 2007 XML", outdir)
    out = [outdir / f.name for f in files]
    assert all(p.exists() for p in out), out
    return out


def find_row(ws, col: int, text: str) -> int:
    for r in range(FIRST_BODY_ROW, ws.max_row + 1):
        if ws.cell(r, col).value == text:
            return r
    raise AssertionError(f"{text} not in column {col}")


def columns(view, key: str) -> dict[str, int]:
    """Sheet columns by key: the form's, with the workbook's own 测算依据 column right of 经费安排."""
    keys = [c.key for c in view.table(key).columns]
    if "budget" in keys:
        keys.insert(keys.index("budget") + 1, "estimate")
    return {k: i + 1 for i, k in enumerate(keys)}


def fill_info(ws, unit="佛山市市场监督管理局（知识产权局）", name="陈华", phone="0757-83380000", date="2023年5月25日"):
    values = {"填报单位": unit, "联系人": name, "联系电话": phone, "填报日期": date}
    for cell in ws[INFO_ROW]:
        if isinstance(cell.value, str):
            label = cell.value.rstrip("：")
            if label in values and values[label] is not None:
                cell.value = f"{label}：{values[label]}"


# --- round trips ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_round_trip_is_exact(path: Path, tmp_path: Path) -> None:
    xlsx, original = xlsx_of(path, tmp_path / f"{path.stem}.xlsx")
    imported, text, warnings = reimport(xlsx)
    assert imported == original
    assert warnings == []
    data = yaml.safe_load(text)
    assert list(data)[:3] == ["form", "unit", "unit_kind"] and data["form"] == 2024


def hostile_text() -> str:
    """Guangzhou with text that markup, XML and spreadsheets must keep literal."""
    data = yaml.safe_load(GUANGZHOU.read_text(encoding="utf-8"))
    p = data["retained"][0]["projects"][0]
    p["necessity"] = "& < > \" ' 𠀀 需要"
    p["remarks"] = "长" * 2000
    p["name"] = "=SUM(A1:A9) 𠀀项目"
    p["performance"] = "+10项成果"
    data["retained"][1]["projects"][0]["remarks"] = "-负号开头"
    data["post_subsidy"][0]["recipient"] = "@提及的单位"
    data["contact"]["name"] = "=李明"
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def formula_cell(view) -> str:
    """The 表二 amount cell the formula test writes =30*2 into."""
    return f"表二!{openpyxl.utils.get_column_letter(columns(view, 'post_subsidy')['amount'])}{FIRST_BODY_ROW}"


@pytest.fixture(scope="module")
def resaved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path, object]]:
    """stem → (workbook docgen wrote, the same opened and saved by LibreOffice, the submission it holds)
    for every example, a hostile workbook and one with a formula: one LibreOffice start for all."""
    folder = tmp_path_factory.mktemp("lo-resave")
    books: dict[str, tuple[Path, object]] = {}
    for path in EXAMPLES:
        books[path.stem] = xlsx_of(path, folder / "in" / f"{path.stem}.xlsx")
    books["hostile"] = xlsx_of(hostile_text(), folder / "in" / "hostile.xlsx")
    xlsx, original = xlsx_of(GUANGZHOU, folder / "in" / "formula.xlsx")
    wb = openpyxl.load_workbook(xlsx)
    sheet, cell = formula_cell(build_view(load_form(2024), original)).split("!")
    wb[sheet][cell] = "=30*2"
    wb.save(xlsx)
    books["formula"] = (xlsx, original)
    saved = libreoffice_resave([xlsx for xlsx, _ in books.values()], folder / "lo")
    return {stem: (xlsx, after, sub) for (stem, (xlsx, sub)), after in zip(books.items(), saved)}


@pytest.mark.libreoffice
def test_round_trip_through_libreoffice(resaved) -> None:
    """Every example, opened and saved by LibreOffice, imports to the same submission."""
    for path in EXAMPLES:
        _, saved, original = resaved[path.stem]
        imported, _, _ = reimport(saved)
        assert imported == original, path.stem


def test_submission_order_is_restored(tmp_path: Path) -> None:
    """The view groups rows by category; the import gives back the submission's own order."""
    data = yaml.safe_load(GUANGZHOU.read_text(encoding="utf-8"))
    first = dict(data["retained"][0], work="另一项高质量创造工作。")
    first["projects"] = [dict(first["projects"][0], name="另一个培育项目")]
    data["retained"].append(first)  # 创造, 保护, 创造: printed 创造, 创造, 保护
    data["delegated"].insert(0, data["delegated"].pop())  # own 保护 row before the presets
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    xlsx, original = xlsx_of(text, tmp_path / "order.xlsx")
    view = build_view(load_form(2024), original)
    assert [r.item for r in view.table("retained").body] == [0, 2, 1]
    imported, _, _ = reimport(xlsx)
    assert imported == original
    # A row the clerk adds in the sheet (no order number) stays next to the row above it.
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["表二"]
    cols = columns(view, "post_subsidy")
    r = ws.max_row + 1  # (openpyxl's insert_rows does not move merged ranges; a row below 合计 will do)
    for key, value in (("work", "新增后补助工作"), ("name", "新增后补助"), ("amount", 10), ("performance", "支持5家")):
        ws.cell(r, cols[key], value)
    wb.save(xlsx)
    imported, _, _ = reimport(xlsx)
    assert [s.name for s in imported.post_subsidy] == [original.post_subsidy[0].name, "新增后补助"]


@pytest.mark.libreoffice
def test_hostile_text_survives_libreoffice(resaved) -> None:
    xlsx, saved, original = resaved["hostile"]
    assert reimport(xlsx)[0] == original
    imported, _out_text, _ = reimport(saved)
    assert imported == original
    assert imported.retained[0].projects[0].remarks == "长" * 2000
    assert imported.contact.name == "=李明"


# --- a clerk fills the blank form ---------------------------------------------------------------------


def blank_workbook(tmp_path: Path):
    form = load_form(2024)
    view = blank_view(form)
    path = tmp_path / "blank.xlsx"
    path.write_bytes(write_xlsx(view))
    return view, path, openpyxl.load_workbook(path)


def test_blank_form_filled_in_excel(tmp_path: Path) -> None:
    view, path, wb = blank_workbook(tmp_path)
    form = view.form
    for ws in wb.worksheets[:1]:
        fill_info(ws)
    # 表一: a work item with two projects in the 知识产权高质量创造 rows (merged 类型 cell).
    ws, c = wb["表一"], columns(view, "retained")
    r = find_row(ws, c["name"], "可加行")
    for key, value in (
        ("work", "培育高价值专利组合。"),
        ("budget", 150.0),
        ("name", "高价值专利培育项目"),
        ("quantity", "4×30"),
        ("necessity", "需要培育。"),
        ("policy_basis", "《广东省知识产权保护和运用“十四五”规划》"),
        ("performance", "形成组合4个"),
    ):
        ws.cell(r, c[key], value)
    ws.cell(r + 1, c["name"], "专利导航项目")
    ws.cell(r + 1, c["quantity"], "2＊15")
    ws.cell(r + 1, c["performance"], "完成导航报告2份")
    # A row added below the table, its 类型 picked from the drop-down; an empty row before it.
    extra = ws.max_row + 2
    for key, value in (
        ("category", "知识产权管理"),
        ("work", "管理工作"),
        ("budget", "50"),
        ("name", "管理项目"),
        ("quantity", "1*50"),
        ("performance", "1项制度"),
    ):
        ws.cell(extra, c[key], value)
    # 表二: the first row.
    ws, c = wb["表二"], columns(view, "post_subsidy")
    r = find_row(ws, c["name"], "可加行")
    for key, value in (
        ("work", "示范企业后补助"),
        ("name", "示范企业后补助项目"),
        ("amount", 60.5),
        ("basis", "《通知》"),
        ("recipient", "示范企业"),
        ("performance", "支持11家"),
    ):
        ws.cell(r, c[key], value)
    # 表四: two presets taken up, one placeholder row filled, the other left as printed.
    ws, c = wb["表四"], columns(view, "delegated")
    r = find_row(ws, c["name"], "高价值专利培育布局中心建设")
    ws.cell(r, c["amount"], 150)
    ws.cell(r, c["performance"], "新培育中心2家")
    strong = next(p for p in form.table("delegated").presets if p.id == "strong-city-county")
    r = find_row(ws, c["name"], strong.values()["name"])
    ws.cell(r, c["amount"], "100.5")
    ws.cell(r, c["remarks"], ws.cell(r, c["remarks"]).value + "；本市重点")
    ws.cell(r, c["performance"], "建设强县2个")
    # The first placeholder row under 强化知识产权保护 becomes a project of the city's own.
    placeholder = form.table("delegated").definition.example_rows.names[0]
    protection_rows = [
        i
        for i, row in enumerate(view.table("delegated").body)
        if row.kind == "placeholder" and row.category == "强化知识产权保护"
    ]
    r = FIRST_BODY_ROW + protection_rows[0]
    assert ws.cell(r, c["name"]).value == placeholder
    for key, value in (
        ("name", "正品正货保护项目"),
        ("amount", 50),
        ("necessity", "侵权多发。"),
        ("performance", "培育商户100家"),
    ):
        ws.cell(r, c[key], value)
    wb.save(path)

    sub, text, _warnings = reimport(path)
    assert (sub.unit, sub.unit_kind, sub.city) == ("佛山市市场监督管理局（知识产权局）", "city", "佛山市")
    assert (sub.contact.name, sub.contact.phone, str(sub.date)) == ("陈华", "0757-83380000", "2023-05-25")
    assert len(sub.retained) == 2
    first, second = sub.retained
    assert (first.category, first.work, first.budget) == ("知识产权高质量创造", "培育高价值专利组合。", Decimal(150))
    assert [(p.name, p.count, p.unit_amount) for p in first.projects] == [
        ("高价值专利培育项目", 4, Decimal(30)),
        ("专利导航项目", 2, Decimal(15)),
    ]
    assert (second.category, second.budget, second.projects[0].name) == ("知识产权管理", Decimal(50), "管理项目")
    assert [(s.name, s.amount) for s in sub.post_subsidy] == [("示范企业后补助项目", Decimal("60.5"))]
    assert sub.support == []
    presets = [d for d in sub.delegated if getattr(d, "preset", None)]
    assert [(p.preset, p.amount, p.remarks) for p in presets] == [
        (strong.values()["name"], Decimal("100.5"), "本市重点"),
        ("高价值专利培育布局中心建设", Decimal(150), ""),
    ]
    own = [d for d in sub.delegated if not getattr(d, "preset", None)]
    assert len(own) == 1 and own[0].category == "强化知识产权保护"
    assert own[0].work == form.table("delegated").definition.example_rows.work
    assert [p.name for p in own[0].projects] == ["正品正货保护项目"]
    assert "preset: 知识产权强市强县建设项目" in text
    # The YAML renders again and round-trips.
    again = tmp_path / "again.xlsx"
    result = check_text(text)
    again.write_bytes(write_xlsx(build_view(result.form, result.submission)))
    assert reimport(again)[0] == result.submission


def test_problems_name_sheet_and_cell_and_are_all_reported(tmp_path: Path) -> None:
    view, path, wb = blank_workbook(tmp_path)
    fill_info(wb["表一"], unit=None, date="五月底")
    ws, c = wb["表一"], columns(view, "retained")
    r = find_row(ws, c["name"], "可加行")
    for key, value in (("work", "工作"), ("budget", 12.345), ("name", "项目"), ("quantity", "4x")):
        ws.cell(r, c[key], value)
    extra = ws.max_row + 1
    for key, value in (
        ("category", "不存在的类型"),
        ("work", "工作2"),
        ("budget", "abc"),
        ("name", "项目2"),
        ("quantity", "1*5"),
    ):
        ws.cell(extra, c[key], value)
    ws4, c4 = wb["表四"], columns(view, "delegated")
    placeholder = view.form.table("delegated").definition.example_rows.names[0]
    r4 = find_row(ws4, c4["name"], placeholder)
    ws4.cell(r4, c4["amount"], 20)
    wb.save(path)
    with pytest.raises(ImportError_) as err:
        import_workbook(path)
    problems = err.value.problems
    col = openpyxl.utils.get_column_letter
    expected = [
        f"表一!{col(c['quantity'])}{r}: 项目数及单项金额“4x”应写成“项目数*单项金额”，例如 4*30",
        f"表一!{col(c['budget'])}{r}: 经费安排“12.345”最多保留两位小数（单位：万元）",
        f"表一!{col(c['category'])}{extra}: 类型“不存在的类型”不是本表可选的类型",
        f"表一!{col(c['budget'])}{extra}: 经费安排“abc”不是数字",
        f"表四!{col(c4['name'])}{r4}: “{placeholder}”是表格的示例行名称",
        "没有填写填报单位",
        "表一!",  # the date
    ]
    for want in expected:
        assert any(want in p for p in problems), (want, problems)
    assert any("填报日期“五月底”无法识别" in p for p in problems)
    assert all(p.startswith(("表一!", "表二!", "表三!", "表四!")) for p in problems), problems


def test_numbers_as_excel_gives_them(tmp_path: Path) -> None:
    xlsx, original = xlsx_of(GUANGZHOU, tmp_path / "n.xlsx")
    wb = openpyxl.load_workbook(xlsx)
    view = build_view(load_form(2024), original)
    ws, c = wb["表二"], columns(view, "post_subsidy")
    ws.cell(FIRST_BODY_ROW, c["amount"], 0.1 + 0.2)  # a float with binary noise
    ws4, c4 = wb["表四"], columns(view, "delegated")
    ws4.cell(FIRST_BODY_ROW, c4["amount"], "１５０.００ 万元")  # text, full-width digits
    ws1, c1 = wb["表一"], columns(view, "retained")
    ws1.cell(FIRST_BODY_ROW, c1["budget"], 120.0)
    wb.save(xlsx)
    sub, _, _ = reimport(xlsx)
    assert sub.post_subsidy[0].amount == Decimal("0.3")
    assert sub.delegated[0].amount == Decimal(150)
    assert sub.retained[0].budget == Decimal(120)


@pytest.mark.libreoffice
def test_formula_without_a_computed_value(resaved) -> None:
    xlsx, saved, original = resaved["formula"]
    with pytest.raises(ImportError_) as err:
        import_workbook(xlsx)
    ref = formula_cell(build_view(load_form(2024), original))
    assert any(p.startswith(ref) and "没有计算结果" in p for p in err.value.problems)
    # Saved by a spreadsheet program, the formula has its value and imports.
    sub, _, _ = reimport(saved)
    assert sub.post_subsidy[0].amount == Decimal(60)


def test_not_a_workbook(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ImportError_) as err:
        import_workbook(bad)
    assert err.value.problems and "bad.xlsx" in err.value.problems[0]


def test_cli_import(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from docgen.cli import app

    xlsx, original = xlsx_of(GUANGZHOU, tmp_path / "g.xlsx")
    out = tmp_path / "g.yaml"
    result = CliRunner().invoke(app, ["import", str(xlsx), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert check_file(out).submission == original


def test_every_imported_value_knows_its_cell(tmp_path: Path) -> None:
    """import_workbook_cells: each path of the submission → the sheet and cell it was read from."""
    from docgen.authoring.importer import import_workbook_cells

    path, sub = xlsx_of(ROOT / "data" / "submissions" / "2024" / "guangzhou.yaml", tmp_path / "g.xlsx")
    text, _, cells = import_workbook_cells(path)
    assert (text, _) == import_workbook(path)  # the plain importer is unchanged
    wb = openpyxl.load_workbook(path)
    for key in ("retained", "post_subsidy", "support", "delegated"):
        for i, item in enumerate(getattr(sub, key)):
            for field in ("budget", "amount"):
                if (key, i, field) in cells:
                    sheet, ref = cells[(key, i, field)].split("!")
                    assert Decimal(str(wb[sheet][ref].value)) == getattr(item, field), (key, i, field)
            for j, proj in enumerate(getattr(item, "projects", None) or []):
                sheet, ref = cells[(key, i, "projects", j, "name")].split("!")
                assert wb[sheet][ref].value == proj.name
    sheet, ref = cells[("contact", "phone")].split("!")
    assert sub.contact.phone in wb[sheet][ref].value


def test_a_column_the_form_does_not_have_is_an_error_never_dropped(tmp_path: Path) -> None:
    # a clerk adds 实施地区 to 表一 (as the province might next year): its cells would be lost in silence
    xlsx, _ = xlsx_of(GUANGZHOU, tmp_path / "region.xlsx")
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["表一"]
    header = next(r for r in range(1, 15) if ws.cell(r, 2).value == "类型")
    extra = ws.max_column + 1
    ws.cell(header, extra, "实施地区")
    ws.cell(header + 1, extra, "全市")
    wb.save(xlsx)
    with pytest.raises(ImportError_) as err:
        import_workbook(xlsx)
    cell = f"表一!{openpyxl.utils.get_column_letter(extra)}{header}"
    (problem,) = [p for p in err.value.problems if p.startswith(cell)]
    assert "表头“实施地区”不是征集表（一）的列" in problem and "无法导入" in problem, err.value.problems
    # validate of the workbook says the same, by sheet and cell, and fails
    from docgen.registry import check_file as check_any

    result = check_any(xlsx)
    assert not result.ok() and any(d.cell == cell for d in result.errors), [str(d) for d in result.diagnostics]


def test_an_amount_above_the_submissions_limit_is_refused_on_import_as_by_validate(tmp_path: Path) -> None:
    # one limit for the importer and the model (was 9,999,999,999.99 here, 1,000,000,000 there)
    from docgen.io import limits

    xlsx, _ = xlsx_of(GUANGZHOU, tmp_path / "big.xlsx")
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["表二"]
    header = next(r for r in range(1, 15) if ws.cell(r, 2).value == "主要工作内容")
    col = next(c for c in range(1, 12) if ws.cell(header, c).value == "后补助经费")
    ws.cell(header + 1, col, 1_500_000_000)
    wb.save(xlsx)
    with pytest.raises(ImportError_) as err:
        import_workbook(xlsx)
    cell = f"表二!{openpyxl.utils.get_column_letter(col)}{header + 1}"
    assert any(p.startswith(cell) and f"不能超过 {limits.MAX_AMOUNT:,} 万元" in p for p in err.value.problems), (
        err.value.problems
    )
