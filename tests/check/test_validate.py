"""Validation: one broken file per rule of the contract, each with the exact message place."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from docgen.check.submission import check_file, check_text

HERE = Path(__file__).resolve().parents[1]  # tests/
INVALID = sorted((HERE / "fixtures" / "invalid").glob("*.yaml"))
ROOT = HERE.parent
EXAMPLES = sorted((ROOT / "data" / "submissions" / "2024").glob("*.yaml"))
SHARED_EXAMPLE = HERE / "data" / "examples" / "guangzhou-2024.yaml"  # the spec's example, copied


def expectations(path: Path) -> list[tuple[str, str, int, str]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"# expect: (\w+) (\S+) (\d+) (\S+)", line)
        if m:
            out.append((m.group(1), m.group(2), int(m.group(3)), m.group(4)))
    return out


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_each_rule_reports_the_right_place(path: Path) -> None:
    result = check_file(path)
    got = {(d.severity, d.code, d.line, d.path) for d in result.diagnostics}
    expected = expectations(path)
    assert expected, "fixture declares what it expects"
    for exp in expected:
        assert exp in got, f"{path.name}: expected {exp}, got {sorted(got)}"
    # Nothing is rendered from a file with errors; a file with only warnings still validates.
    has_error = any(e[0] == "error" for e in expected)
    assert (result.submission is None) == has_error
    assert result.ok() != has_error
    for d in result.diagnostics:
        assert d.file == str(path)
        assert re.search(r"[\u4e00-\u9fff]", d.message), "messages are in Chinese"
        assert str(d).startswith(f"{path}:{d.line}: ")


def test_several_problems_are_all_reported() -> None:
    path = HERE / "fixtures" / "invalid" / "several.yaml"
    result = check_file(path)
    assert len(result.errors) == len(expectations(path)) == 6


def test_strict_turns_warnings_into_failure() -> None:
    result = check_file(HERE / "fixtures" / "invalid" / "warn-late.yaml")
    assert result.ok() and not result.ok(strict=True)


def test_messages_say_what_would_be_right() -> None:
    result = check_file(HERE / "fixtures" / "invalid" / "budget.yaml")
    (err,) = result.errors
    assert "应为 90" in err.hint and "3×30" in err.message
    result = check_file(HERE / "fixtures" / "invalid" / "unknown-key.yaml")
    unknown = next(d for d in result.errors if d.code == "unknown-key")
    assert "是否应为“name”" in unknown.hint


def test_a_duplicate_names_its_first_use_as_a_clerk_counts() -> None:
    """The web page shows the message alone: where the name came first is told in words, then as a path."""
    result = check_file(HERE / "fixtures" / "invalid" / "warn-duplicate.yaml")
    (warning,) = result.warnings
    assert "（首次在 表（二）第1行 后补助名称，post_subsidy[0].name）" in warning.message


def test_shared_example_validates_unchanged() -> None:
    result = check_file(SHARED_EXAMPLE)
    assert result.ok(), [str(d) for d in result.errors]
    sub = result.submission
    assert sub.post_subsidy[0].amount == Decimal("60.5")
    assert sub.retained[0].budget == Decimal("120")


def test_examples_exist_for_all_units_and_validate() -> None:
    from docgen.form.loading import load as load_form

    form = load_form(2024)
    assert {p.stem for p in EXAMPLES} == {u.id for u in form.units}
    tables_used = set()
    for path in EXAMPLES:
        result = check_file(path)
        assert result.ok(), [str(d) for d in result.errors]
        sub = result.submission
        rows = (
            sum(len(i.projects) for i in sub.retained)
            + len(sub.post_subsidy)
            + sum(len(i.projects) for i in sub.support)
            + sum(len(getattr(i, "projects", [None])) for i in sub.delegated)
        )
        assert 3 <= rows <= 30, (path.name, rows)
        unit = next(u for u in form.units if u.id == path.stem)
        assert sub.unit == unit.name and sub.unit_kind == unit.kind
        tables_used |= {k for k in ("retained", "post_subsidy", "support", "delegated") if getattr(sub, k)}
    assert tables_used == {"retained", "post_subsidy", "support", "delegated"}
    assert (ROOT / "data" / "submissions" / "2024" / "guangzhou.yaml").read_bytes() == SHARED_EXAMPLE.read_bytes()


def test_json_and_yaml_are_the_same_submission() -> None:
    from docgen.io.source import load, to_jsonable

    yaml_result = check_file(SHARED_EXAMPLE)
    text = json.dumps(to_jsonable(load(SHARED_EXAMPLE).data), ensure_ascii=False, indent=2)
    json_result = check_text(text, "guangzhou.json")
    assert json_result.ok()
    assert json_result.submission == yaml_result.submission


def test_json_errors_have_lines() -> None:
    text = '{\n  "form": 2024,\n  "unit": "x",\n  "unit_kind": "city",\n  "city": "广州市",\n  "contact": {"name": "a", "phone": "1"},\n  "date": "2023-05-26",\n  "post_subsidy": [{"work": "w", "name": "n", "amount": 1.005}]\n}\n'
    result = check_text(text, "x.json")
    err = next(d for d in result.errors if d.code == "decimal-places")
    assert err.line == 8 and err.path == "post_subsidy[0].amount"


def test_amounts_are_exact_decimals() -> None:
    text = SHARED_EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("amount: 60.5", "amount: 0.1").replace(
        "  - preset: 知识产权纠纷多元化化解\n    amount: 80", "  - preset: 知识产权纠纷多元化化解\n    amount: 0.2"
    )
    sub = check_text(text, "g.yaml").submission
    assert sub.post_subsidy[0].amount + sub.delegated[1].amount == Decimal("0.3")


def test_quantity_shorthand_and_boolean_amounts() -> None:
    base = SHARED_EXAMPLE.read_text(encoding="utf-8")
    text = base.replace("        count: 1\n        unit_amount: 50", '        quantity: "1×50"')
    assert check_text(text, "g.yaml").ok()
    bad = base.replace("amount: 60.5", "amount: yes")
    assert any(d.path == "post_subsidy[0].amount" for d in check_text(bad, "g.yaml").errors)


def test_form_year_as_text_is_understood() -> None:
    text = (ROOT / "data" / "submissions" / "2024" / "yunfu.yaml").read_text(encoding="utf-8")
    result = check_text(text.replace("form: 2024", 'form: "2024"'), "y.yaml")
    assert result.ok() and result.submission is not None and result.submission.form == 2024
    result = check_text(text.replace("form: 2024", "form: 二〇二四"), "y.yaml")
    assert not result.ok() and result.submission is None and result.errors[0].path == "form"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("form: 2024\nx: &a [*a]\n", id="recursive-alias"),  # an alias that contains itself
        pytest.param(  # 9^6 nodes: read up to limits.MAX_NODES (about 3 s of CPU) before it is refused
            "a: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
            "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n",
            id="alias-bomb",
            marks=pytest.mark.slow,
        ),
    ],
)
def test_alias_tricks_are_a_clear_error(text: str) -> None:
    result = check_text(text, "bomb.yaml")
    (err,) = result.errors
    assert err.code == "syntax" and "别名" in err.message
