"""A form's expressions in the clerk's words (项目数*单项金额), and the sum a check makes a column equal to."""

from __future__ import annotations

from docgen.form.expression import Binary, Neg, Node, Num, Ref, Round, Sum
from docgen.form.tree import Column, Level
from docgen.models.values import format_plain

_POWER = {"or": 1, "and": 2, "==": 3, "!=": 3, "<": 3, "<=": 3, ">": 3, ">=": 3, "+": 4, "-": 4, "*": 5, "/": 5}


def titled(node: Node, level: Level) -> str:
    """An expression with the columns' short titles for keys, computed columns worked into their formulas and
    a sub-row sum said by what it adds: ``sum(projects.subtotal)`` → 项目数*单项金额."""
    if isinstance(node, Num):
        return format_plain(node.value)
    if isinstance(node, Ref):
        column = level.column(node.key)
        if column is None:
            return node.key
        return titled(column.formula, level) if column.formula is not None else column.short_title
    if isinstance(node, Sum):
        child = level.child
        return titled(Ref(node.key, node.pos), child) if child is not None and child.key == node.rows else node.key
    if isinstance(node, Round):
        return f"round({titled(node.arg, level)}, {node.places})"
    if isinstance(node, Neg):
        return f"-{_wrapped(node.arg, level, 6)}"
    power = _POWER[node.op]
    return f"{_wrapped(node.left, level, power)}{node.op}{_wrapped(node.right, level, power + 1)}"


def _wrapped(node: Node, level: Level, power: int) -> str:
    text = titled(node, level)
    if isinstance(node, Ref) and (column := level.column(node.key)) is not None and column.formula is not None:
        node = column.formula
    return f"({text})" if isinstance(node, Binary) and _POWER[node.op] < power else text


def equals(column: Column) -> Node | None:
    """What a column's check makes it equal to (``budget == sum(projects.subtotal)`` → the sum), else None."""
    check = column.check
    if not isinstance(check, Binary) or check.op != "==":
        return None
    if isinstance(check.left, Ref) and check.left.key == column.key:
        return check.right
    if isinstance(check.right, Ref) and check.right.key == column.key:
        return check.left
    return None


__all__ = ["equals", "titled"]
