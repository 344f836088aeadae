"""The form's expression language: parsed with positions, worked on exact decimals, never Python eval."""

from __future__ import annotations

from decimal import Decimal

import pytest

from docgen.form.expression import (
    ExpressionError,
    Problem,
    Scope,
    evaluate,
    is_condition,
    parse,
    to_excel,
    to_json,
    working,
)

PROJECT = {"subtotal": parse("count * unit_amount")}


def row(budget: object, *projects: tuple[object, object]) -> Scope:
    children = [Scope({"count": c, "unit_amount": a}, PROJECT) for c, a in projects]
    return Scope({"budget": budget}, children={"projects": children})


def test_exact_decimals_not_binary_floats() -> None:
    assert evaluate(parse("a + b"), Scope({"a": Decimal("0.1"), "b": Decimal("0.2")})) == Decimal("0.3")
    assert evaluate(parse("round(a / 3, 2)"), Scope({"a": 1})) == Decimal("0.33")
    assert evaluate(parse("round(a, 0)"), Scope({"a": Decimal("2.5")})) == 3  # half away from zero, as Excel
    assert evaluate(parse("-(a - 10) * 2"), Scope({"a": 4})) == 12


def test_a_sum_over_sub_rows_and_the_check_of_2024s_budget() -> None:
    check = parse("budget == sum(projects.subtotal)")
    assert is_condition(check) and not is_condition(parse("count * unit_amount"))
    assert evaluate(check, row(Decimal(110), (2, Decimal(40)), (3, Decimal(10)))) is True
    assert evaluate(check, row(Decimal(100), (2, Decimal(40)), (3, Decimal(10)))) is False
    assert working(parse("sum(projects.subtotal)"), row(0, (2, Decimal(40)), (3, Decimal("12.5")))) == "2×40 + 3×12.5"
    assert evaluate(parse("a > 1 and (b < 2 or b >= 5)"), Scope({"a": 2, "b": 7})) is True


def test_division_by_zero_and_a_missing_operand_leave_it_empty_and_say_where() -> None:
    found: list[Problem] = []
    assert evaluate(parse("amount / count"), Scope({"amount": 5, "count": 0}), found) is None
    assert found == [Problem("division-by-zero", 7)]
    found.clear()
    assert evaluate(parse("amount * count"), Scope({"amount": 5}), found) is None
    assert found == [Problem("missing-operand", 9, "count")]
    # a check that cannot be decided is neither true nor false
    assert evaluate(parse("budget == sum(projects.subtotal)"), row(1, (None, Decimal(1)))) is None


@pytest.mark.parametrize(
    ("text", "pos", "words"),
    [
        ("a +", 3, "不完整"),
        ("1 ** 2", 3, "不能是"),
        ("__import__('os')", 11, "不认识的符号"),
        ("open(1)", 0, "没有函数"),
        ("a.b", 1, "只能写在 sum"),
        ("a < b < c", 6, "不能连写"),
        ("(1", 2, "应为“)”"),
        ("round(a, x)", 9, "round 的位数"),
        ("sum(a)", 5, "应为“.”"),
        ("a; b", 1, "不认识的符号"),
    ],
)
def test_anything_else_is_refused_with_its_position(text: str, pos: int, words: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert caught.value.pos == pos and words in caught.value.message


def test_the_same_tree_as_a_spreadsheet_formula_and_as_json() -> None:
    check = parse("budget == sum(projects.subtotal)")
    ranges = {"count": "F5:F7", "unit_amount": "G5:G7"}
    formula = to_excel(
        check, {"budget": "D5"}.get, lambda rows, key: ranges.get(key), child_formulas={"projects": PROJECT}
    )
    assert formula == '=IFERROR(D5=SUMPRODUCT(F5:F7*G5:G7),"")'
    assert to_excel(parse("-(a + b) * 2 / round(c, 1)"), lambda k: k.upper() + "1", lambda r, k: None) == (
        '=IFERROR(-(A1+B1)*2/ROUND(C1,1),"")'
    )
    tree = to_json(parse("a - (b - c) * 2"))
    assert tree["op"] == "-" and tree["args"][1]["op"] == "*" and tree["args"][1]["args"][0]["op"] == "-"
    assert tree["args"][0] == {"ref": "a", "pos": 0}


@pytest.mark.parametrize("text", ["-" * 1500 + "1", "(" * 900 + "1" + ")" * 900, "1" + "+1" * 900])
def test_hostile_expressions_are_refused_or_worked_never_a_traceback(text: str) -> None:
    try:
        node = parse(text)
    except ExpressionError as exc:
        assert "嵌套过深" in exc.message or "过长" in exc.message
    else:
        raise AssertionError(f"accepted: {node!r:.80}")
    deep = "(" * 40 + "1" + "+1" * 50 + ")" * 40  # as deep and long as a form's expression may be
    assert evaluate(parse(deep), Scope({})) == 51
    with pytest.raises(ExpressionError):
        parse("1" * 3000)  # longer than any form's expression


def test_the_column_types_table() -> None:
    from docgen.form.types import TYPES
    from docgen.models.values import ValueProblem

    assert set(TYPES) == {"text", "amount", "count", "date", "choice", "computed", "seq"}
    assert [n for n, t in TYPES.items() if t.entered] == ["text", "amount", "count", "date", "choice"]
    assert TYPES["amount"].parse("１２．５") == Decimal("12.5") and TYPES["amount"].number_format == "0.00"
    with pytest.raises(ValueProblem) as caught:
        TYPES["amount"].parse("60,5")  # the one rule: never 605, never 60.5
    assert caught.value.code == "amount-comma"
    with pytest.raises(ValueProblem):
        TYPES["count"].parse(0)
    assert str(TYPES["date"].parse("2023-05-26")) == "2023-05-26" and TYPES["text"].align == "left"
