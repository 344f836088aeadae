"""A submission names its form by id: `form: 2024` (a year, as before) or `form: 2025-fuwu-jigou` (a province's form)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from docgen.check.submission import check_text
from docgen.form.catalog import FORMS_ENV

ROOT = Path(__file__).resolve().parents[2]
FORM_2024 = (ROOT / "data" / "forms" / "2024.yaml").read_text("utf-8")
EXAMPLE = (ROOT / "data" / "submissions" / "2024" / "guangzhou.yaml").read_text("utf-8")


@pytest.fixture
def province(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The province's folder holding 2025-fuwu-jigou (2024's form for another collection) and a broken form."""
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "2025-fuwu-jigou.yaml").write_text(FORM_2024.replace("year: 2024", "year: 2025"), "utf-8")
    (folder / "2026-broken.yaml").write_text("year: 2026\ntables: [\n", "utf-8")
    monkeypatch.setenv(FORMS_ENV, str(folder))
    return folder


def named(form: str) -> str:
    return re.sub(r"^form: 2024$", f"form: {form}", EXAMPLE, flags=re.M)


def test_a_form_id_names_the_provinces_form(province: Path) -> None:
    for written in ("2025-fuwu-jigou", '"2025-fuwu-jigou"', "' 2025-fuwu-jigou '"):
        result = check_text(named(written), "gz.yaml")
        assert result.ok(), [str(d) for d in result.errors]
        assert result.form is not None and result.form.year == 2025
    # the year keeps working, as a number or as text
    for written in ("2024", '"2024"', "２０２４"):
        result = check_text(named(written), "gz.yaml")
        assert result.ok() and result.form is not None and result.form.year == 2024, written


def test_an_unknown_id_lists_the_forms_there_are(province: Path) -> None:
    (err,) = check_text(named("2025-fuwu"), "gz.yaml").errors
    assert err.code == "unknown-form" and err.line == 2
    assert err.message == "没有编号为“2025-fuwu”的征集表。"
    assert err.hint == "可用的征集表：2024、2025-fuwu-jigou。"  # the broken one is not offered
    (err,) = check_text(named("2031"), "gz.yaml").errors
    assert err.message == "没有 2031 年度的征集表。" and "2025-fuwu-jigou" in err.hint


def test_a_broken_form_is_named_with_its_problem(province: Path) -> None:
    (err,) = check_text(named("2026-broken"), "gz.yaml").errors
    assert err.code == "form-broken" and err.message.startswith("征集表“2026-broken”定义有误（1 处）")
    assert "2026-broken.yaml:3" in err.hint  # the line the YAML ends unclosed


@pytest.mark.parametrize(
    ("written", "phrase"),
    [
        ('"a b"', "应为征集表编号"),
        ('""', "应为征集表编号"),
        ("[2024]", "应为征集表编号"),
        ("~", "应为征集表编号"),
        ('"' + "x" * 101 + '"', "应为征集表编号"),
        ("1e5000", "应为四位数的年份"),
        ("9" * 4301, "数字过长"),
        ('"' + "9" * 4301 + '"', "数字过长"),
    ],
)
def test_what_no_form_can_be_is_one_chinese_error(province: Path, written: str, phrase: str) -> None:
    result = check_text(named(written), "gz.yaml")
    assert len(result.errors) == 1, [str(d) for d in result.errors]
    (err,) = result.errors
    assert err.path == "form" and phrase in err.message and err.line == 2, str(err)
