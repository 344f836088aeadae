"""2024's form rewritten in the contract states the very facts of the file it replaced."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from docgen.form.catalog import built
from tests.legacy_oracle.adapter import legacy, load_form
from tests.legacy_oracle.form import Form

ROOT = Path(__file__).resolve().parents[2]
BEFORE = ROOT / "tests" / "data" / "forms-before-contract"


@pytest.mark.parametrize(
    ("new", "old"),
    [
        (ROOT / "data" / "forms" / "2024.yaml", BEFORE / "2024.yaml"),
        (ROOT / "tests" / "data" / "forms" / "2025.yaml", BEFORE / "2025.yaml"),
    ],
    ids=["2024", "2025-fixture"],
)
def test_the_contract_form_states_the_old_forms_facts(new: Path, old: Path) -> None:
    before = Form.model_validate(yaml.safe_load(old.read_text("utf-8")))
    result = built(new)
    assert result.ok, result.problems
    assert result.form is not None
    after = legacy(result.form)
    # field by field, so that a failure names what differs
    for name in Form.model_fields:
        assert getattr(after, name) == getattr(before, name), name
    assert after == before


def test_the_2024_tree_in_the_contracts_words() -> None:
    form = built(ROOT / "data" / "forms" / "2024.yaml").form
    assert form is not None
    assert [t.key for t in form.tables] == ["retained", "post_subsidy", "support", "delegated"]
    retained = form.table("retained")
    assert retained is not None and retained.level.child is not None
    assert retained.level.child.key == "projects" and retained.level.child.min == 1
    budget = retained.column("budget")
    assert budget is not None and budget.type.name == "amount" and budget.definition.total and budget.check
    subtotal = retained.column("subtotal")
    assert subtotal is not None and subtotal.type.name == "computed" and subtotal.formula is not None
    category = retained.column("category")
    assert category is not None and category.definition.merge == "equal"
    assert category.choices[0].name == "知识产权高质量创造" and len(category.choices) == 7
    delegated = form.table("delegated")
    assert delegated is not None and len(delegated.presets) == 23
    assert delegated.preset_fixes() == ("category", "work", "name", "necessity", "policy_basis")
    # places in the form's own words
    assert form.place(("retained", 1, "projects", 0, "count")) == "表（一）第2项 第1个项目 项目数"
    assert form.place(("post_subsidy", 0, "amount")) == "表（二）第1行 后补助经费"
    assert form.place(("support", 0, "budget")) == "表（三）第1项 经费安排"
    rows = {"delegated": [{"preset": "x"}]}
    assert form.place(("delegated", 0, "preset"), rows) == "表（四）第1项 预设项目"
    assert form.place(("delegated", 0, "projects", 1, "amount")) == "表（四）第1项 第2个项目 金额"


def test_load_form_by_year_and_path_is_the_same_form() -> None:
    assert load_form(2024) is load_form(ROOT / "data" / "forms" / "2024.yaml")
