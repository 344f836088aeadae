"""Definition → tree: one recursive pass that builds the nodes and finds every problem at once, with YAML lines.

``build(source, form_id)`` reads a parsed form file (docgen.io.source.Source, lines of every key) and
returns a ``Built``: the ``Form`` tree when the definition holds, and every ``FormProblem`` (a broken
table does not hide the problems of the others). ``submission_model(form)`` generates the pydantic
model of a submission to that form (see docgen.form.model).
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from docgen.form import errors
from docgen.form.definition import ChoiceDef, ColumnDef, FormDef, TableDef
from docgen.form.errors import FormProblem
from docgen.form.expression import ExpressionError, Node, Ref, Sum, is_condition, parse, walk
from docgen.form.tree import Column, Form, Level, Table, column_type, new_level
from docgen.io.source import Source
from docgen.models.diagnostics import format_path

_FIELD = re.compile(r"\{([^{}]*)\}")
_PYDANTIC_ZH = {
    "missing": "缺少这一项",
    "extra_forbidden": "未知的键",
    "literal_error": "不是可用的值",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "date_parsing": "应为日期 YYYY-MM-DD",
    "date_from_datetime_parsing": "应为日期 YYYY-MM-DD",
    "dict_type": "应为键值对",
    "model_type": "应为键值对",
    "tuple_type": "应为列表",
    "list_type": "应为列表",
    "greater_than_equal": "数值太小",
}


@dataclass
class Built:
    """The outcome of building one form file: the tree when it holds, and every problem."""

    id: str
    file: str
    form: Form | None
    problems: list[FormProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.form is not None and not self.problems


class _Problems:
    def __init__(self, source: Source):
        self.source = source
        self.items: list[FormProblem] = []
        self.where: dict[int, tuple[Any, ...]] = {}  # id of a column's definition → its path in the file
        self.dropped: set[str] = set()  # keys of columns already reported broken: no knock-on problems

    def add(self, code: str, path: tuple[Any, ...], **context: Any) -> None:
        self.items.append(
            FormProblem(
                code,
                self.source.file,
                self.source.line_of(path),
                format_path(path),
                errors.message(code, **context),
                errors.hint(code),
            )
        )


def _shape(data: Any, model: type[BaseModel], at: tuple[Any, ...], out: _Problems) -> Any:
    """The definition's shape by pydantic, each of its errors a Chinese problem on its own line."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            loc = (*at, *err["loc"])
            reason = _PYDANTIC_ZH.get(err["type"], str(err.get("msg", "")))
            if err["type"] == "literal_error":
                reason += f"（可用：{(err.get('ctx') or {}).get('expected', '')}）"
            out.add("form-shape", loc, what=format_path(loc), reason=reason)
        return None


def _columns_shape(raw: Any, at: tuple[Any, ...], out: _Problems) -> Any:
    """Each column checked on its own, so that one broken column hides nothing of the others."""
    if not isinstance(raw, list):
        return raw
    kept = []
    for i, col in enumerate(raw):
        column = _shape(col, ColumnDef, (*at, i), out)
        if column is None and isinstance(col, dict) and isinstance(col.get("key"), str):
            out.dropped.add(col["key"])
        if column is not None:
            out.where[id(column)] = (*at, i)
            kept.append(column)
    return kept


def _table_shape(raw: Any, at: tuple[Any, ...], out: _Problems) -> TableDef | None:
    """A table's shape: its columns and its sub-rows' columns one by one, then the rest of it."""
    if not isinstance(raw, dict):
        return _shape(raw, TableDef, at, out)
    data = dict(raw)
    if "columns" in data:
        data["columns"] = _columns_shape(data["columns"], (*at, "columns"), out)
    rows = data.get("rows")
    if isinstance(rows, dict) and "columns" in rows:
        data["rows"] = {**rows, "columns": _columns_shape(rows["columns"], (*at, "rows", "columns"), out)}
    return _shape(data, TableDef, at, out)


def looks_like_form(data: object) -> bool:
    """A form definition rather than a submission or a notice, by its top-level keys."""
    return isinstance(data, dict) and "tables" in data and any(k in data for k in ("presets", "choices", "year"))


def build(source: Source, form_id: str) -> Built:
    """Build a form from its parsed file; every problem of the definition at once."""
    out = _Problems(source)
    data = source.data
    if not isinstance(data, dict):
        out.add("form-shape", (), what="文件", reason="应为键值对（year、title、tables …）")
        return Built(form_id, source.file, None, out.items)
    tables_raw = data.get("tables")
    # The form's own keys and each table are checked apart, so that one broken table hides nothing.
    head = _shape({**data, "tables": ()}, FormDef, (), out)
    tables: list[TableDef] = []
    if isinstance(tables_raw, list):
        for i, raw in enumerate(tables_raw):
            table = _table_shape(raw, ("tables", i), out)
            if table is not None:
                tables.append(table)
    elif "tables" in data:
        out.add("form-shape", ("tables",), what="tables", reason="应为列表")
    if head is None:
        for p in source.problems:
            out.add("form-shape", p.path, what=format_path(p.path), reason=p.message)
        return Built(form_id, source.file, None, sorted(out.items, key=lambda p: p.line))
    definition = head.model_copy(update={"tables": tuple(tables)})
    form = _tree(definition, form_id, out, tables_raw if isinstance(tables_raw, list) else [])
    for p in source.problems:  # duplicate keys and the like, found by the reader
        out.add("form-shape", p.path, what=format_path(p.path), reason=p.message)
    problems = sorted(out.items, key=lambda p: p.line)
    return Built(form_id, source.file, form if not problems else None, problems)


def _fields(template: str) -> set[str] | None:
    """The {fields} a message template uses; None when it is no plain template (attributes, indexes, bad braces)."""
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError:
        return None
    return names if all(n.isidentifier() for n in names) else None


def _choices(definition: FormDef) -> dict[str, tuple[ChoiceDef, ...]]:
    return {
        name: tuple(ChoiceDef(id=c, name=c, variants=()) if isinstance(c, str) else c for c in entries)
        for name, entries in definition.choices.items()
    }


def _tree(definition: FormDef, form_id: str, out: _Problems, raw_tables: list[Any]) -> Form:
    form = Form(form_id, definition, choices=_choices(definition))
    seen_keys: dict[str, int] = {}
    seen_numbers: dict[str, int] = {}
    index = [i for i, raw in enumerate(raw_tables) if isinstance(raw, dict)]
    for n, tdef in enumerate(definition.tables):
        at = ("tables", index[n] if n < len(index) else n)
        line = out.source.line_of(at)
        if tdef.key in seen_keys:
            out.add("duplicate-table", (*at, "key"), key=tdef.key, first=seen_keys[tdef.key])
        if tdef.number in seen_numbers:
            out.add("duplicate-number", (*at, "number"), number=tdef.number, first=seen_numbers[tdef.number])
        seen_keys.setdefault(tdef.key, line)
        seen_numbers.setdefault(tdef.number, line)
        form.tables.append(_table(form, tdef, at, out))
    _units(form, out)
    for key, text in definition.messages.items():
        if key not in errors.ROW_MESSAGES:
            out.add("messages-unknown", ("messages", key), key=key, known="、".join(errors.ROW_MESSAGES))
            continue
        allowed = _fields(errors.ROW_MESSAGES[key]) or set()
        used = _fields(text)
        if used is None or not used <= allowed:
            out.add("messages-field", ("messages", key), key=key, known="、".join(f"{{{f}}}" for f in sorted(allowed)))
    return form


def _table(form: Form, tdef: TableDef, at: tuple[Any, ...], out: _Problems) -> Table:
    table = Table(tdef, form, presets=tdef.presets)
    table.level = new_level(tdef, table, None, tdef.row_word)
    _columns(table.level, tdef.columns, (*at, "columns"), out)
    if tdef.rows is not None:
        table.level.child = new_level(tdef.rows, table, tdef.rows.key, tdef.rows.word)
        _columns(table.level.child, tdef.rows.columns, (*at, "rows", "columns"), out)
    for level, lat in ((table.level, at), (table.level.child, (*at, "rows"))):
        if level is not None:
            _expressions(level, (*lat, "columns"), out)
    _presets(table, at, out)
    return table


def _columns(level: Level, defs: tuple[ColumnDef, ...], at: tuple[Any, ...], out: _Problems) -> None:
    form = level.parent.parent
    first: dict[str, int] = {}
    for i, cdef in enumerate(defs):
        cat = out.where.get(id(cdef), (*at, i))
        name = f"{level.parent.label}的“{cdef.title}”列"
        if cdef.key in first:
            out.add("duplicate-column", (*cat, "key"), table=level.parent.label, key=cdef.key, first=first[cdef.key])
        first.setdefault(cdef.key, out.source.line_of(cat))
        if cdef.type is None and cdef.show is None:
            out.add("type-missing", cat, column=name)
        column = Column(cdef, level, column_type(cdef))
        if cdef.type == "choice":
            column.choices = _allowed(form, cdef, cat, name, out)
        elif cdef.choices is not None or cdef.only is not None:
            out.add("choices-not-choice", (*cat, "choices"), column=name, key="choices/only")
        if cdef.total and not column.type.totals:
            out.add("total-type", (*cat, "total"), column=name, type=cdef.type)
        level.columns.append(column)


def _allowed(form: Form, cdef: ColumnDef, at: tuple[Any, ...], name: str, out: _Problems) -> tuple[ChoiceDef, ...]:
    if cdef.choices is None:
        out.add("choices-missing", at, column=name)
        return ()
    entries = form.choices.get(cdef.choices)
    if entries is None:
        out.add("choices-unknown", (*at, "choices"), column=name, name=cdef.choices, known="、".join(form.choices))
        return ()
    if cdef.only is None:
        return entries
    by_id = {c.id: c for c in entries}
    for cid in cdef.only:
        if cid not in by_id:
            out.add("only-unknown", (*at, "only"), column=name, id=cid, name=cdef.choices)
    return tuple(by_id[c] for c in cdef.only if c in by_id)


def _expressions(level: Level, at: tuple[Any, ...], out: _Problems) -> None:
    """Parse every formula, check and message; each name must be a key of the row, each sum a sub-row column."""
    for i, column in enumerate(level.columns):
        cdef = column.definition
        cat = out.where.get(id(cdef), (*at, i))
        name = f"{level.parent.label}的“{cdef.title}”列"
        if cdef.type == "computed" and not cdef.formula:
            out.add("formula-missing", cat, column=name)
        if cdef.formula and cdef.type != "computed":
            out.add("formula-not-computed", (*cat, "formula"), column=name)
        if cdef.formula:
            column.formula = _expression(level, cdef.formula, "formula", cat, name, out, condition=False)
        if cdef.check:
            column.check = _expression(level, cdef.check, "check", cat, name, out, condition=True)
            if not cdef.message:
                out.add("message-missing", cat, column=name)
        for key in ("message", "hint"):
            text = getattr(cdef, key)
            if text:
                _template(level, text, key, cat, name, out)
        if cdef.show:
            for ref in _FIELD.findall(cdef.show):
                if level.column(ref) is None and ref not in out.dropped:
                    out.add("show-key", (*cat, "show"), column=name, name=ref)
        if cdef.note:
            noted = level.column(cdef.note)
            if noted is None and cdef.note not in out.dropped:
                out.add("note-key", (*cat, "note"), column=name, name=cdef.note)
            elif noted is not None and noted.type.name != "text":
                out.add("note-type", (*cat, "note"), column=name, name=cdef.note)
    _cycles(level, at, out)


def _expression(
    level: Level, text: str, key: str, at: tuple[Any, ...], name: str, out: _Problems, condition: bool
) -> Node | None:
    try:
        node = parse(text)
    except ExpressionError as exc:
        out.add("expression-syntax", (*at, key), column=name, key=key, reason=str(exc))
        return None
    ok = _names(level, node, key, at, name, out)
    if condition != is_condition(node):
        want = "条件（比较或 and/or），例如 budget == sum(projects.subtotal)" if condition else "算式（不含比较）"
        out.add("expression-kind", (*at, key), column=name, key=key, want=want)
        ok = False
    return node if ok else None


def _names(level: Level, node: Node, key: str, at: tuple[Any, ...], name: str, out: _Problems) -> bool:
    ok = True
    for n in walk(node):
        if isinstance(n, Ref):
            col = level.column(n.key)
            if col is None and n.key in out.dropped:
                ok = False
            elif col is None:
                known = "、".join(c.key for c in level.columns if c.type.numeric)
                out.add("expression-key", (*at, key), column=name, key=key, name=n.key, known=known)
                ok = False
            elif not col.type.numeric:
                out.add("expression-text", (*at, key), column=name, key=key, name=n.key)
                ok = False
        elif isinstance(n, Sum):
            child = level.child
            if child is None or child.key != n.rows:
                out.add("expression-rows", (*at, key), column=name, key=key, name=n.rows, table=level.parent.label)
                ok = False
            elif (col := child.column(n.key)) is None and n.key in out.dropped:
                ok = False
            elif col is None or not col.type.numeric:
                known = "、".join(c.key for c in child.columns if c.type.numeric)
                out.add("expression-key", (*at, key), column=name, key=key, name=f"{n.rows}.{n.key}", known=known)
                ok = False
    return ok


def _template(level: Level, text: str, key: str, at: tuple[Any, ...], name: str, out: _Problems) -> None:
    """A message's {expression} and {expression|working} fields must parse and name keys of the row."""
    for inner in _FIELD.findall(text):
        expr = inner.removesuffix("|working").strip()
        try:
            node = parse(expr)
        except ExpressionError as exc:
            out.add("message-placeholder", (*at, key), column=name, key=key, name=inner, reason=str(exc))
            continue
        _names(level, node, key, at, name, out)


def _cycles(level: Level, at: tuple[Any, ...], out: _Problems) -> None:
    formulas = level.formulas()

    def visit(key: str, chain: list[str]) -> list[str] | None:
        if key in chain:
            return [*chain, key]
        for n in walk(formulas[key]):
            if isinstance(n, Ref) and n.key in formulas:
                found = visit(n.key, [*chain, key])
                if found:
                    return found
        return None

    for i, column in enumerate(level.columns):
        if column.key in formulas and (chain := visit(column.key, [])):
            where = out.where.get(id(column.definition), (*at, i))
            out.add("formula-cycle", (*where, "formula"), column=column.title, chain=" → ".join(chain))
            column.formula = None
            formulas.pop(column.key, None)


def _presets(table: Table, at: tuple[Any, ...], out: _Problems) -> None:
    seen: set[str] = set()
    for i, preset in enumerate(table.presets):
        pat = (*at, "presets", i)
        if preset.id in seen:
            out.add("preset-duplicate", (*pat, "id"), table=table.label, id=preset.id)
        seen.add(preset.id)
        for key, value in preset.values().items():
            column = table.column(key)
            if column is None:
                out.add("preset-key", (*pat, key), table=table.label, id=preset.id, key=key)
            elif column.choices and value not in {c.id for c in column.choices}:
                out.add("preset-choice", (*pat, key), table=table.label, id=preset.id, key=key, value=value)


def _units(form: Form, out: _Problems) -> None:
    cities = {c.name for c in form.choices.get(form.definition.cities, ())}
    seen: set[str] = set()
    for i, unit in enumerate(form.definition.units):
        if unit.id in seen:
            out.add("unit-duplicate", ("units", i, "id"), id=unit.id)
        seen.add(unit.id)
        if unit.kind == "city" and not unit.city:
            out.add("unit-kind-city", ("units", i), unit=unit.name)
        if unit.city and unit.city not in cities:
            out.add("unit-city", ("units", i, "city"), unit=unit.name, city=unit.city)
