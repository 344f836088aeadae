"""Forms by id: built-in and the province's folder, an override by id, cached by hash, a broken form kept apart."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from docgen.form.catalog import FORMS_ENV, built, catalog

ROOT = Path(__file__).resolve().parents[2]
FORM_2024 = (ROOT / "data" / "forms" / "2024.yaml").read_text("utf-8")


@pytest.fixture
def province(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(FORMS_ENV, str(tmp_path))
    return tmp_path


def test_a_province_form_overrides_a_builtin_and_a_broken_one_stays_apart(province: Path) -> None:
    (province / "2024.yaml").write_text(
        FORM_2024.replace("title: 2024年度知识产权项目需求征集表\n", "title: 省局改过的标题\n")
    )
    (province / "2025-fuwu-jigou.yaml").write_text("year: 2025\ntables: [{key: x}]\nchoices: {}\n")
    (province / "notes.txt").write_text("not a form")
    forms = catalog()
    assert forms.ids() == ["2024", "2025-fuwu-jigou"]
    good = forms.get("2024")
    assert good is not None and good.ok and good.form is not None
    assert good.form.definition.title == "省局改过的标题"
    assert list(forms.good()) == ["2024"]
    broken = forms.broken()["2025-fuwu-jigou"]
    assert broken.form is None and broken.id == "2025-fuwu-jigou"
    problems = {(p.line, p.path) for p in broken.problems}
    assert (1, "title") in problems and (2, "tables[0].number") in problems


def test_builtin_only_without_the_province_folder() -> None:
    assert os.environ.get(FORMS_ENV) is None
    assert "2024" in catalog().ids()


def test_cached_by_hash_and_reread_when_the_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "2030.yaml"
    path.write_text(FORM_2024)
    first = built(path)
    assert built(path) is first  # unchanged: not built again
    path.write_text(FORM_2024.replace("year: 2024", "year: 2030"))
    os.utime(path, ns=(1, 1))  # whatever the clock's resolution, the file's time moved
    again = built(path)
    assert again is not first and again.form is not None and again.form.definition.year == 2030
    copy = tmp_path / "other" / "2030.yaml"
    copy.parent.mkdir()
    copy.write_bytes(path.read_bytes())
    assert built(copy) is again  # same bytes, same id: the same build


def test_an_unreadable_form_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("year: 2024\ntables: [\n")
    result = built(path)
    assert result.form is None and result.problems[0].code == "form-syntax"


def test_a_broken_form_never_takes_the_others_down(province: Path) -> None:
    from docgen.form.loading import available, form_for
    from docgen.service.accounts import known_units

    (province / "2031.yaml").write_text(
        FORM_2024.replace("year: 2024", "year: 2031").replace("tables:", "tables: 3\nx:")
    )
    (province / "2030.yaml").write_text(FORM_2024.replace("year: 2024", "year: 2030"))
    assert "2031" in catalog().broken() and available()[-1] == "2030"
    assert form_for().year == 2030  # the newest good form
    assert "guangzhou" in known_units()  # the service's units: every good form, no traceback
