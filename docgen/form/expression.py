"""The form's small expression language (spec form.md, Expressions): parsed with positions, worked on exact decimals.

Grammar (lowest binding first)::

    expr    := or
    or      := and ("or" and)*
    and     := compare ("and" compare)*
    compare := sum ((== | != | < | <= | > | >=) sum)?
    sum     := product ((+ | -) product)*
    product := unary ((* | /) unary)*
    unary   := - unary | atom
    atom    := NUMBER | KEY | sum(ROWS.KEY) | round(expr, DIGITS) | ( expr )

A tiny hand-written Pratt parser: the libraries that exist evaluate Python's own grammar (simpleeval,
asteval: binary floats, attribute access to forbid) or need a grammar engine (lark) for twelve
operators, and none emits a spreadsheet formula or a tree the browser can evaluate. Never Python ``eval``.
One tree serves everywhere: ``evaluate`` (validate and every output), ``to_excel`` (the XLSX cell's
formula, its cached value computed here), ``to_json`` (the web form evaluates the same tree).
A division by zero or a missing operand gives ``None`` (an empty cell) and a ``Problem`` to report.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from docgen.models.values import format_plain

Value = Decimal | bool | None

_TOKEN = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>==|!=|<=|>=|[-+*/()<>,.]))")
_BINDING = {"or": 1, "and": 2, "==": 3, "!=": 3, "<": 3, "<=": 3, ">": 3, ">=": 3, "+": 4, "-": 4, "*": 5, "/": 5}
_COMPARE = {"==", "!=", "<", "<=", ">", ">="}
_KEYWORDS = {"and", "or", "sum", "round"}
_MAX_LENGTH = 2000  # a form's expression, never a program
_MAX_TOKENS = 200  # bounds the tree's depth, so working it out never runs out of stack
_CONTEXT = decimal.Context(prec=60, rounding=decimal.ROUND_HALF_UP, traps=[decimal.InvalidOperation])


class ExpressionError(ValueError):
    """A syntax error, with its position (0-based character offset) in the expression."""

    def __init__(self, message: str, pos: int):
        self.message = message
        self.pos = pos
        super().__init__(f"{message}（第 {pos + 1} 个字符）")


@dataclass(frozen=True)
class Num:
    value: Decimal
    pos: int


@dataclass(frozen=True)
class Ref:
    key: str
    pos: int


@dataclass(frozen=True)
class Sum:
    rows: str
    key: str
    pos: int


@dataclass(frozen=True)
class Round:
    arg: Node
    places: int
    pos: int


@dataclass(frozen=True)
class Neg:
    arg: Node
    pos: int


@dataclass(frozen=True)
class Binary:
    op: str
    left: Node
    right: Node
    pos: int


Node = Num | Ref | Sum | Round | Neg | Binary


@dataclass(frozen=True)
class Token:
    kind: str  # num, name, op, end
    text: str
    pos: int


def tokens(text: str) -> list[Token]:
    """The expression's tokens with their positions; anything else is an ExpressionError."""
    out: list[Token] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            start = len(text) - len(text[pos:].lstrip())
            raise ExpressionError(f"不认识的符号“{text[start]}”", start)
        kind = m.lastgroup or "op"
        value = m.group(kind)
        out.append(Token(kind, value, m.start(kind)))
        pos = m.end()
    out.append(Token("end", "", len(text)))
    return out


class _Parser:
    def __init__(self, text: str):
        if len(text) > _MAX_LENGTH:
            raise ExpressionError(f"表达式过长（超过 {_MAX_LENGTH} 个字符）", _MAX_LENGTH)
        self.toks = tokens(text)
        if len(self.toks) > _MAX_TOKENS:
            raise ExpressionError(f"表达式过长（超过 {_MAX_TOKENS} 个符号）", self.toks[_MAX_TOKENS].pos)
        self.i = 0

    def peek(self) -> Token:
        return self.toks[self.i]

    def take(self, text: str | None = None) -> Token:
        tok = self.toks[self.i]
        if text is not None and tok.text != text:
            raise ExpressionError(
                f"此处应为“{text}”" + (f"，而不是“{tok.text}”" if tok.text else "，表达式却结束了"), tok.pos
            )
        self.i += 1
        return tok

    def parse(self) -> Node:
        node = self.expr(0)
        tok = self.peek()
        if tok.kind != "end":
            raise ExpressionError(f"多余的“{tok.text}”", tok.pos)
        return node

    def expr(self, floor: int, depth: int = 0) -> Node:
        if depth > 50:
            raise ExpressionError("括号或负号嵌套过深", self.peek().pos)
        left = self.atom(depth)
        while True:
            tok = self.peek()
            power = _BINDING.get(tok.text) if tok.kind in ("op", "name") else None
            if power is None or power <= floor:
                return left
            self.take()
            right = self.expr(power, depth + 1)
            if tok.text in _COMPARE and self.peek().text in _COMPARE:
                raise ExpressionError("比较不能连写（a < b < c），请用 and 连接", self.peek().pos)
            left = Binary(tok.text, left, right, tok.pos)

    def atom(self, depth: int) -> Node:
        if depth > 50:
            raise ExpressionError("括号或负号嵌套过深", self.peek().pos)
        tok = self.take()
        if tok.kind == "num":
            return Num(Decimal(tok.text), tok.pos)
        if tok.text == "-":
            return Neg(self.atom(depth + 1), tok.pos)
        if tok.text == "(":
            node = self.expr(0, depth + 1)
            self.take(")")
            return node
        if tok.text == "sum" and self.peek().text == "(":
            self.take("(")
            rows = self.name()
            self.take(".")
            key = self.name()
            self.take(")")
            return Sum(rows.text, key.text, tok.pos)
        if tok.text == "round" and self.peek().text == "(":
            self.take("(")
            arg = self.expr(0, depth + 1)
            self.take(",")
            places = self.take()
            if places.kind != "num" or not places.text.isdigit() or int(places.text) > 10:
                raise ExpressionError("round 的位数应为 0 至 10 的整数", places.pos)
            self.take(")")
            return Round(arg, int(places.text), tok.pos)
        if tok.kind == "name" and tok.text not in _KEYWORDS:
            if self.peek().text == ".":
                raise ExpressionError(f"“{tok.text}.…”只能写在 sum( ) 里", self.peek().pos)
            if self.peek().text == "(":
                raise ExpressionError(f"没有函数“{tok.text}”：可用 sum 和 round", tok.pos)
            return Ref(tok.text, tok.pos)
        if tok.kind == "end":
            raise ExpressionError("表达式不完整", tok.pos)
        raise ExpressionError(f"此处不能是“{tok.text}”", tok.pos)

    def name(self) -> Token:
        tok = self.take()
        if tok.kind != "name" or tok.text in _KEYWORDS:
            raise ExpressionError("此处应为列的键", tok.pos)
        return tok


@lru_cache(maxsize=512)
def parse(text: str) -> Node:
    """The tree of an expression (cached by its text); ExpressionError with the position when it is not one."""
    return _Parser(text).parse()


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, the node itself first."""
    yield node
    if isinstance(node, (Round, Neg)):
        yield from walk(node.arg)
    elif isinstance(node, Binary):
        yield from walk(node.left)
        yield from walk(node.right)


def is_condition(node: Node) -> bool:
    """True when the expression says yes or no (a check), not a number (a formula)."""
    return isinstance(node, Binary) and (node.op in _COMPARE or node.op in ("and", "or"))


# --- evaluation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Why an expression gave no value: a division by zero or a missing operand (the key)."""

    code: str  # division-by-zero | missing-operand
    pos: int
    key: str = ""


@dataclass
class Scope:
    """A row's values by key, the formulas of its computed keys, and its sub-rows by the `rows` key."""

    values: Mapping[str, Any]
    formulas: Mapping[str, Node] = field(default_factory=dict)
    children: Mapping[str, Sequence[Scope]] = field(default_factory=dict)


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (Decimal, int)):
        return Decimal(value)
    try:
        return Decimal(str(value).strip())
    except decimal.InvalidOperation:
        return None


def evaluate(node: Node, scope: Scope, problems: list[Problem] | None = None) -> Value:
    """The expression's value in a row, exactly; None (empty) with a Problem for a missing operand or ÷ 0."""
    found = problems if problems is not None else []
    with decimal.localcontext(_CONTEXT):
        return _eval(node, scope, found)


def _eval(node: Node, scope: Scope, problems: list[Problem]) -> Value:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Ref):
        if node.key in scope.formulas:
            return _eval(scope.formulas[node.key], scope, problems)
        value = _number(scope.values.get(node.key))
        if value is None:
            problems.append(Problem("missing-operand", node.pos, node.key))
        return value
    if isinstance(node, Sum):
        total = Decimal(0)
        for child in scope.children.get(node.rows, ()):
            part = _eval(Ref(node.key, node.pos), child, problems)
            if part is None or isinstance(part, bool):
                return None
            total += part
        return total
    if isinstance(node, Round):
        arg = _eval(node.arg, scope, problems)
        return None if arg is None or isinstance(arg, bool) else arg.quantize(Decimal(1).scaleb(-node.places))
    if isinstance(node, Neg):
        arg = _eval(node.arg, scope, problems)
        return None if arg is None or isinstance(arg, bool) else -arg
    return _binary(node, scope, problems)


def _binary(node: Binary, scope: Scope, problems: list[Problem]) -> Value:
    left = _eval(node.left, scope, problems)
    right = _eval(node.right, scope, problems)
    if node.op in ("and", "or"):
        if left is None or right is None:
            return None
        return bool(left) and bool(right) if node.op == "and" else bool(left) or bool(right)
    if left is None or right is None or isinstance(left, bool) or isinstance(right, bool):
        return None
    if node.op == "/" and right == 0:
        problems.append(Problem("division-by-zero", node.pos))
        return None
    ops: dict[str, Callable[[Decimal, Decimal], Value]] = {
        "+": lambda a, b: a + b,
        "-": lambda a, b: a - b,
        "*": lambda a, b: a * b,
        "/": lambda a, b: a / b,
        "==": lambda a, b: a == b,
        "!=": lambda a, b: a != b,
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
    }
    return ops[node.op](left, right)


def working(node: Node, scope: Scope) -> str:
    """The expression with the row's values put in, as a message shows the sum: 2×40 + 3×10."""
    if isinstance(node, Num):
        return format_plain(node.value)
    if isinstance(node, Ref):
        if node.key in scope.formulas:
            return working(scope.formulas[node.key], scope)
        value = _number(scope.values.get(node.key))
        return format_plain(value) if value is not None else "（空）"
    if isinstance(node, Sum):
        return " + ".join(working(Ref(node.key, node.pos), child) for child in scope.children.get(node.rows, ()))
    if isinstance(node, Round):
        return f"round({working(node.arg, scope)}, {node.places})"
    if isinstance(node, Neg):
        return f"-{_wrapped(node.arg, scope, 6)}"
    symbol = {"*": "×", "/": "÷"}.get(node.op)
    power = _BINDING[node.op]
    if symbol:
        return f"{_wrapped(node.left, scope, power)}{symbol}{_wrapped(node.right, scope, power + 1)}"
    return f"{_wrapped(node.left, scope, power)} {node.op} {_wrapped(node.right, scope, power + 1)}"


def _wrapped(node: Node, scope: Scope, power: int) -> str:
    text = working(node, scope)
    return f"({text})" if isinstance(node, Binary) and _BINDING[node.op] < power else text


def shown(value: Value) -> str:
    """A value as messages print it: 80, 12.5, 是/否, （空）."""
    if value is None:
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    return format_plain(value)


# --- other renderings of the same tree ---------------------------------------------------------

_EXCEL_OPS = {"==": "=", "!=": "<>"}


def to_excel(
    node: Node,
    cell: Callable[[str], str | None],
    cells: Callable[[str, str], str | None],
    formulas: Mapping[str, Node] | None = None,
    child_formulas: Mapping[str, Mapping[str, Node]] | None = None,
) -> str:
    """A spreadsheet formula (``=IFERROR(…,"")``, empty like ours on ÷ 0) for a cell of the row.

    ``cell(key)`` names the row's cell of a key (``D5``), ``cells(rows, key)`` the range of a sub-row
    column (``E5:E7``); a computed key without a cell of its own is written out from its formula
    (a sum of one becomes ``SUMPRODUCT`` over the ranges of its operands).
    """
    return f'=IFERROR({_excel(node, cell, cells, formulas, child_formulas)},"")'


def _excel(
    node: Node,
    cell: Callable[[str], str | None],
    cells: Callable[[str, str], str | None],
    formulas: Mapping[str, Node] | None = None,
    child_formulas: Mapping[str, Mapping[str, Node]] | None = None,
) -> str:
    """The formula's text without its leading = (see to_excel)."""
    own = formulas or {}
    below = child_formulas or {}

    def go(n: Node, power: int = 0) -> str:
        if isinstance(n, Num):
            return format_plain(n.value)
        if isinstance(n, Ref):
            ref = cell(n.key)
            if ref is None and n.key in own:
                return f"({go(own[n.key])})"
            if ref is None:
                raise ExpressionError(f"“{n.key}”在表格中没有单元格", n.pos)
            return ref
        if isinstance(n, Sum):
            rng = cells(n.rows, n.key)
            if rng is not None:
                return f"SUM({rng})"
            formula = below.get(n.rows, {}).get(n.key)
            if formula is None:
                raise ExpressionError(f"“{n.rows}.{n.key}”在表格中没有单元格", n.pos)
            inner = _excel(formula, lambda k: cells(n.rows, k), cells)
            return f"SUMPRODUCT({inner})"
        if isinstance(n, Round):
            return f"ROUND({go(n.arg)},{n.places})"
        if isinstance(n, Neg):
            return f"-{go(n.arg, 6)}"
        if n.op in ("and", "or"):
            return f"{n.op.upper()}({go(n.left)},{go(n.right)})"
        mine = _BINDING[n.op]
        text = f"{go(n.left, mine)}{_EXCEL_OPS.get(n.op, n.op)}{go(n.right, mine + 1)}"
        return f"({text})" if mine < power else text

    return go(node)


_FIELD = re.compile(r"\{([^{}]*)\}")


def template_parts(template: str) -> list[str | tuple[Node, bool]]:
    """A message template (`message`, `hint`) split into its text and its fields: ``{expression}`` → (tree, False),
    ``{expression|working}`` → (tree, True), the sum's terms; ExpressionError when a field does not parse."""
    parts: list[str | tuple[Node, bool]] = []
    at = 0
    for m in _FIELD.finditer(template):
        if m.start() > at:
            parts.append(template[at : m.start()])
        inner = m.group(1)
        shown_working = inner.endswith("|working")
        parts.append((parse(inner.removesuffix("|working").strip()), shown_working))
        at = m.end()
    if at < len(template):
        parts.append(template[at:])
    return parts


def to_json(node: Node) -> dict[str, Any]:
    """The tree as JSON for the web form: {"op", "args"} | {"num"} | {"ref"} | {"sum": [rows, key]}, with "pos"."""
    if isinstance(node, Num):
        return {"num": str(node.value), "pos": node.pos}
    if isinstance(node, Ref):
        return {"ref": node.key, "pos": node.pos}
    if isinstance(node, Sum):
        return {"sum": [node.rows, node.key], "pos": node.pos}
    if isinstance(node, Round):
        return {"op": "round", "args": [to_json(node.arg)], "places": node.places, "pos": node.pos}
    if isinstance(node, Neg):
        return {"op": "neg", "args": [to_json(node.arg)], "pos": node.pos}
    return {"op": node.op, "args": [to_json(node.left), to_json(node.right)], "pos": node.pos}
