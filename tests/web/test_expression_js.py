"""The page's expressions and amounts in Chromium agree with validate's: static/expression.js against
docgen.form.expression and docgen.models.values over the same trees, rows and texts (one rule, exact decimals)."""

from __future__ import annotations

import json
import random
from decimal import Decimal
from typing import Any

import pytest

from docgen.form.expression import Node, Problem, Scope, evaluate, parse, shown, to_json, working
from docgen.models.values import ValueProblem, parse_amount, parse_count
from docgen.standard.text import format_amount
from docgen.web import STATIC

pytestmark = pytest.mark.slow  # Chromium

RUN = """([cases]) => cases.map(([expr, row]) => {
  const { evaluate, working, shown, parse } = window.docgen.expr;
  const scope = (r) => ({
    value: (k) => (r.values[k] === null || r.values[k] === undefined ? null : parse(r.values[k])),
    formula: (k) => r.formulas[k] || null,
    children: (rows) => (r.children[rows] || []).map(scope),
  });
  const problems = [];
  const value = evaluate(expr, scope(row), problems);
  return [shown(value), working(expr, scope(row)), problems.map((p) => p.code)];
})"""


@pytest.fixture(scope="module")
def page(browser):
    p = browser.new_page()
    p.set_content("<!doctype html><title>expr</title>")
    p.add_script_tag(path=str(STATIC / "expression.js"))
    errors: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    yield p
    p.close()
    assert not errors, errors


def _row(values: dict[str, Any], formulas: dict[str, str], children: list[dict[str, Any]]) -> tuple[Scope, dict]:
    trees: dict[str, Node] = {k: parse(v) for k, v in formulas.items()}
    kids = [_row(c, {"sub": "a * b"}, []) for c in children]
    scope = Scope(values, trees, {"rows": [k[0] for k in kids]})
    js = {
        "values": {k: (None if v is None else str(v)) for k, v in values.items()},
        "formulas": {k: to_json(t) for k, t in trees.items()},
        "children": {"rows": [k[1] for k in kids]},
    }
    return scope, js


EXPRESSIONS = [
    "a * b",
    "a + b * c",
    "(a + b) * c",
    "a - (b - c)",
    "a - b - c",
    "a / b",
    "a / 3",
    "round(a / 3, 2)",
    "round(a, 0)",
    "-(a - 10) * 2",
    "-a * -b",
    "sum(rows.sub)",
    "sum(rows.a) + sum(rows.b) * 2",
    "a == sum(rows.sub)",
    "a != b",
    "a < b and b <= c",
    "a > 1 and (b < 2 or b >= 5)",
    "a / (b - b)",
    "tot",
    "tot * 2 - c",
    "c * tot",
    "1 / 7 * 7",
    "a / b / c",
    "0.1 + 0.2 == 0.3",
]
VALUES = ["0", "0.1", "0.2", "0.3", "1", "2.5", "3", "7", "10", "12.5", "40", "99.99", "1000000000", "0.01", None]


def test_the_page_works_out_every_expression_as_validate_does(page) -> None:
    rnd = random.Random(19)
    cases, expected = [], []
    for text in EXPRESSIONS:
        for _ in range(12):
            values = {k: rnd.choice(VALUES) for k in "abc"}
            children = [{"a": rnd.choice(VALUES), "b": rnd.choice(VALUES)} for _ in range(rnd.randint(0, 3))]
            scope, js = _row(
                {k: (None if v is None else Decimal(v)) for k, v in values.items()}, {"tot": "a + b"}, children
            )
            for child in scope.children["rows"]:
                child.values = {k: (None if v is None else Decimal(v)) for k, v in child.values.items()}
            node = parse(text)
            problems: list[Problem] = []
            value = evaluate(node, scope, problems)
            cases.append([to_json(node), js])
            said = shown(value)
            # Python's decimals keep a sign on zero (-(0) * 7 is -0); the page's zero has none
            expected.append(["0" if said == "-0" else said, working(node, scope), [p.code for p in problems]])
    got = page.evaluate(RUN, [cases])
    for (want, have), case in zip(zip(expected, got, strict=True), cases, strict=True):
        assert have == want, json.dumps(case, ensure_ascii=False)[:400]


def test_exact_decimals_not_binary_floats(page) -> None:
    got = page.evaluate(
        """() => { const x = window.docgen.expr; const d = x.parse;
           return [x.fixed2(x.evaluate({op: '*', args: [{num: '3'}, {num: '0.1'}]}, null)),
                   x.plain(x.add(d('0.1'), d('0.2'))), x.fixed2(d('2.675')), x.fixed2(d('0.005'))]; }"""
    )
    assert got == ["0.30", "0.3", format_amount(Decimal("2.675")), format_amount(Decimal("0.005"))]


AMOUNT_TEXTS = [
    "30",
    "30.5",
    "30.50",
    "30.000",
    "30.001",
    "１２．５",
    "60,5",
    "60，5",
    "-1",
    "-0",
    "+4",
    "04",
    ".5",
    "5.",
    "1e2",
    "1E400",
    "1e-2",
    "1e-3",
    "0e-400",
    "1_000",
    "1__000",
    "_1",
    "1_",
    "_",
    "1_000.5_5",
    "1e_2",
    "4.00",
    "abc",
    "",
    "  12  ",
    "1000000000",
    "1000000000.01",
    "999999999.99",
    "NaN",
    "Infinity",
    "4.0",
    "1" * 101,
    "0x10",
    "1 000",
    "１２３",
    "－5",
    "3.14e1",
]


def _python(parse_one: Any, text: str) -> str | None:
    try:
        value = parse_one(text)
    except ValueProblem:
        return None
    return format_amount(Decimal(value)) if parse_one is parse_amount else str(value)


def test_amounts_and_counts_by_the_checkers_one_rule(page) -> None:
    got = page.evaluate(
        """(texts) => texts.map((t) => { const x = window.docgen.expr;
             const a = x.amount(t), c = x.count(t);
             return [a === null ? null : x.fixed2(a), c === null ? null : x.plain(c)]; })""",
        AMOUNT_TEXTS,
    )
    for text, (amount, count) in zip(AMOUNT_TEXTS, got, strict=True):
        assert amount == _python(parse_amount, text), text
        assert count == _python(parse_count, text), text
