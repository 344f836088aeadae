"""data/forms/2024.yaml against the notice it transcribes (the seed, 粤市监知促〔2023〕233号).

Every published text in the form data must be found in the seed once both are normalised
(white space, HTML tags and markdown markup dropped), so a mistyped character fails here.
The seed is looked up in $DOCGEN_SEED_DIR, else in tests/data/seed (a copy kept in the repository).
"""

from __future__ import annotations

import os
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import pytest
from testkit import SEED

from tests.legacy_oracle.adapter import load_form  # the flat facts, as docgen read them before the form engine
from tests.legacy_oracle.form import Form

NOTICE = "粤市监知促〔2023〕233号"
FIELDS = ("work", "name", "necessity", "policy_basis", "remarks")

# Cells the PDF extraction split at a page break into an extra row: (preset id, field) -> the
# number of printed cells the field is joined from.
CONTINUED = {
    ("key-field-protection", "necessity"): 2,  # …若干措 | 施》也提出有关要求…
    ("ip-finance", "work"): 2,  # 1.积极运用… | 2.积极推广知识产权保险…
    ("gi-circulation-promotion", "work"): 2,  # …扩大省内地理标志产 | 品销售半径…
}

_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")  # not <共建…> (a title mark)
_SPACE = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u9fff]")


def norm(text: str) -> str:
    """Drop HTML tags, markdown markup (**bold**, \\* escapes, # headings) and all white space."""
    text = re.sub(r"(?m)^#+\s*", "", text)
    text = _TAG.sub("", text).replace("\\*", "*").replace("**", "")
    return _SPACE.sub("", text)


# --------------------------------------------------------------------------------------------
# the seed


def seed_dir() -> Path:
    env = os.environ.get("DOCGEN_SEED_DIR")
    return Path(env) if env else SEED.parent


@lru_cache(maxsize=1)
def seed_text() -> str:
    folder = seed_dir()
    for path in sorted(folder.glob("*.txt")) + sorted(folder.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        if NOTICE in text and "征集表（四）" in norm(text):
            return text
    pytest.fail(f"no seed text of {NOTICE} in {folder} (set DOCGEN_SEED_DIR)")


@lru_cache(maxsize=1)
def seed_norm() -> str:
    return norm(seed_text())


def seed_lines() -> list[str]:
    return seed_text().split("\n")


def line_index(containing: str, start: int = 0) -> int:
    """Index of the first seed line at or after `start` whose normalised text contains `containing`."""
    wanted = norm(containing)
    for i in range(start, len(seed_lines())):
        if wanted in norm(seed_lines()[i]):
            return i
    raise AssertionError(f"{containing!r} not found in the seed")


def header_row(table_title: str) -> list[str]:
    """The column titles printed under a table's title (the first line starting with 序号)."""
    start = line_index(table_title)
    i = next(i for i in range(start, len(seed_lines())) if seed_lines()[i].startswith("序号"))
    return [norm(c) for c in seed_lines()[i].split("\t")]


def table_rows(first_title: str, end_marker: str) -> list[tuple[int, list[str]]]:
    """(line number, normalised cells) of the tab-separated rows between a title and a marker."""
    start = line_index(first_title)
    end = line_index(end_marker, start)
    rows = []
    for i in range(start, end):
        line = seed_lines()[i]
        if "\t" in line and not line.startswith("序号"):
            rows.append((i + 1, [norm(c) for c in line.split("\t")]))
    return rows


@lru_cache(maxsize=1)
def delegated_rows() -> list[tuple[int, list[str]]]:
    return table_rows("2024年度知识产权项目需求征集表（四）", "2024年知识产权专项经费使用计划表填写说明")


# --------------------------------------------------------------------------------------------
# the form


@pytest.fixture(scope="module")
def form() -> Form:
    return load_form(2024)


def _form() -> Form:
    return load_form(2024)


def preset_ids() -> list[str]:
    return [p.id for p in _form().presets]


# --------------------------------------------------------------------------------------------
# presets


def cell_pieces(value: str) -> list[tuple[int, int]] | None:
    """Split a normalised field value into whole printed cells of table （四） of one column, on
    successive lines with no other filled cell of that column between them: [(line, column)]."""
    cells = [(ln, col, text) for ln, row in delegated_rows() for col, text in enumerate(row) if text]
    for ln, col, text in cells:
        if not value.startswith(text):
            continue
        pieces, rest = [(ln, col)], value[len(text) :]
        below = [(ln2, t2) for ln2, col2, t2 in cells if col2 == col and ln2 > ln]
        for ln2, t2 in below:  # continuations: the very next filled cells of the column
            if not rest:
                break
            if not rest.startswith(t2):
                break
            pieces.append((ln2, col))
            rest = rest[len(t2) :]
        if not rest:
            return pieces
    return None


@pytest.mark.parametrize("pid", preset_ids())
def test_preset_texts_are_the_seeds(form: Form, pid: str) -> None:
    preset = next(p for p in form.presets if p.id == pid)
    for field in FIELDS:
        value = getattr(preset, field)
        if field != "remarks" or value:
            assert value.strip(), f"{pid}.{field} is empty"
        if not value:
            continue
        # each line, as the brief asks, is printed text (lines of a mid-word page-break join are
        # checked piecewise below)
        expected_cells = CONTINUED.get((pid, field), 1)
        parts = value.split("\n")
        if expected_cells == 1 or len(parts) > 1:
            for part in parts:
                assert norm(part) in seed_norm(), f"{pid}.{field}: {part!r} is not in the seed"
        # and the whole value is exactly the printed cell(s), nothing dropped or added
        pieces = cell_pieces(norm(value))
        assert pieces is not None, f"{pid}.{field} is not a printed cell of table （四）: {value!r}"
        assert len(pieces) == expected_cells, f"{pid}.{field} joins {len(pieces)} printed cells: {pieces}"


@pytest.mark.parametrize("pid", preset_ids())
def test_preset_texts_are_clean(form: Form, pid: str) -> None:
    preset = next(p for p in form.presets if p.id == pid)
    for field in FIELDS:
        value = getattr(preset, field)
        assert value == value.strip(), f"{pid}.{field} has leading/trailing white space"
        assert not _TAG.search(value), f"{pid}.{field} keeps an HTML tag"
        lines = value.split("\n")
        for n, line in enumerate(lines[1:], start=2):  # a line break only before item 2, 3, …
            assert re.match(rf"{n}[.、]", line), f"{pid}.{field}: line {n} is not numbered item {n}"
        flat = value.replace("\n", "")
        for m in re.finditer(r"\s", flat):
            before, after = flat[m.start() - 1], flat[m.end()]
            opened = flat[: m.start()].count("《") > flat[: m.start()].count("》")
            # the only spaces kept are those the notice prints inside a document title
            assert opened and _CJK.match(before) and _CJK.match(after), (
                f"{pid}.{field}: stray space at {m.start()}: …{flat[max(0, m.start() - 8) : m.end() + 8]}…"
            )


def test_presets_are_every_preset_row_in_order(form: Form) -> None:
    """Each row of table （四） naming a project, placeholders aside, is a preset, in order, under
    the 类型 label in effect (a label applies to the rows below it until the next label)."""
    table = form.table("delegated")
    placeholder_names = {norm(n) for n in table.placeholder.names}
    printed = []
    label = None
    for _ln, row in delegated_rows():
        if len(row) > 1 and row[1]:
            label = row[1]
        # the placeholder's 项目2 is printed with "（可加行，下同）" only the first time
        if len(row) > 3 and row[3] and not any(n.startswith(row[3]) for n in placeholder_names):
            printed.append((row[3], label))
    got = [(norm(p.name), form.category(p.category).name) for p in form.presets]
    expected = []
    for name, label in printed:
        cat, _ = form.resolve_category(label, table)
        assert cat is not None, f"unknown 类型 label {label!r}"
        expected.append((name, cat.name))
    assert got == expected


def test_preset_ids_and_names_unique(form: Form) -> None:
    ids = [p.id for p in form.presets]
    names = [norm(p.name) for p in form.presets]
    assert len(ids) == len(set(ids))
    assert len(names) == len(set(names))
    for pid in ids:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", pid), pid
    for p in form.presets:  # a preset is found by its exact name and by its id
        assert form.preset(p.name) is p and form.preset(p.id) is p


def test_preset_categories(form: Form) -> None:
    allowed = set(form.table("delegated").categories)
    for p in form.presets:
        assert p.category in allowed, (p.id, p.category)
    # the row printed without a label of its own stays under 强化知识产权保护
    assert form.preset("重点园区知识产权综合运营中心建设").category == "protection"


def test_well_known_remarks(form: Form) -> None:
    credit = form.preset("推广开展知识产权领域以信用为基础的分级分类监管工作")
    talent = form.preset("粤港澳在湾区知识产权人才大会和交流活动")
    strong = form.preset("知识产权强市强县建设项目")
    assert credit is not None and credit.remarks == "支持国家局试点的4个城市"
    assert talent is not None and talent.remarks == "在珠三角地市中选择一个地市"
    assert strong is not None and strong.remarks == "各地市完善强市强县建设具体工作"
    with_remarks = {p.id for p in form.presets if p.remarks}
    assert with_remarks == {credit.id, talent.id, strong.id}


def test_numbered_names_are_one_preset_each(form: Form) -> None:
    multi = [p for p in form.presets if "\n" in p.name]
    assert [p.name.split("\n") for p in multi] == [
        ["1.强化展会、电商平台知识产权保护", "2.知识产权保护规范化市场培育和管理"],
        ["1、海外分中心知识产权海外应对能力提升", "2、海外知识产权侵权责任险推广"],
    ]


# --------------------------------------------------------------------------------------------
# 填写说明


def test_instructions(form: Form) -> None:
    assert norm(form.instructions_title) in seed_norm()
    assert [i.number for i in form.instructions] == list(range(1, 10))
    for ins in form.instructions:
        assert ins.title and ins.text
        assert not ins.title.endswith("。") and not re.match(r"\d", ins.title), ins.title
        assert not _TAG.search(ins.text) and "\\*" not in ins.text
        assert norm(f"{ins.number}.{ins.title}。{ins.text}") in seed_norm(), f"instruction {ins.number}"
    assert "项目数*单个项目金额" in form.instructions[4].text


def test_instruction_1_lists_the_categories(form: Form) -> None:
    text = form.instructions[0].text
    names = [c.name for c in form.categories]
    assert "、".join(names) in text


# --------------------------------------------------------------------------------------------
# tables, categories, cities, units


def test_form_titles(form: Form) -> None:
    assert form.notice_number == NOTICE and NOTICE in seed_text()
    for text in (form.title, form.attachment_title):
        assert norm(text) in seed_norm(), text


def test_table_titles_and_columns(form: Form) -> None:
    assert [t.key for t in form.tables] == ["retained", "post_subsidy", "support", "delegated"]
    for table, number in zip(form.tables, "一二三四"):
        assert table.number == number and table.title.endswith(f"（{number}）")
        assert norm(table.title + table.subtitle) in seed_norm(), table.title
        # the notice prints table （三）'s header with half-width parentheses: compare by NFKC
        printed = [unicodedata.normalize("NFKC", c) for c in header_row(table.title)]
        titles = [unicodedata.normalize("NFKC", norm(c.title)) for c in table.columns]
        assert titles == printed, table.key


def test_table_category_labels(form: Form) -> None:
    """The 类型 labels printed in tables （一） and （四） are, in order, the tables' categories."""
    for key, title, end in (
        ("retained", "2024年度知识产权项目需求征集表（一）", "2024年度知识产权项目需求征集表（二）"),
        ("delegated", "2024年度知识产权项目需求征集表（四）", "2024年知识产权专项经费使用计划表填写说明"),
    ):
        table = form.table(key)
        labels = [row[1] for _, row in table_rows(title, end) if len(row) > 1 and row[1]]
        resolved = [form.resolve_category(label, table)[0] for label in labels]
        assert [c.id if c else None for c in resolved] == list(table.categories), key


def test_placeholder_rows_in_seed(form: Form) -> None:
    ph = form.table("delegated").placeholder
    assert ph is not None
    for text in (ph.work, *ph.names):
        assert norm(text) in seed_norm(), text


def test_categories_in_seed(form: Form) -> None:
    assert len(form.categories) == 8
    ids = [c.id for c in form.categories]
    assert len(set(ids)) == len(ids)
    for cat in form.categories:
        assert cat.name in seed_norm(), cat.name
        for variant in cat.variants:
            assert norm(variant) in seed_norm(), variant


def test_cities_and_units(form: Form) -> None:
    assert len(form.cities) == 21 and len(set(form.cities)) == 21
    assert all(c.endswith("市") for c in form.cities)
    assert len(form.units) == 23
    assert len({u.id for u in form.units}) == 23 and len({u.name for u in form.units}) == 23
    city_units = [u for u in form.units if u.kind == "city"]
    assert [u.city for u in city_units] == list(form.cities)
    for u in city_units:
        assert u.name == f"{u.city}市场监督管理局（知识产权局）"
    others = {u.name for u in form.units if u.kind != "city"}
    assert others == {"广东省知识产权保护中心", "国家知识产权局专利局广州代办处"}
