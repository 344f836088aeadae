"""Chinese keys: the form's titles (类型, 主要工作内容, 单项金额 …) as aliases of a submission's keys, from the form's tree."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from docgen.form import aliases as words
from docgen.form.catalog import catalog
from docgen.form.loading import latest
from docgen.form.tree import Form, Level, Table
from docgen.io.source import Path_, Source
from docgen.io.yaml_reader import Problem
from docgen.models.year import form_named


def form_id_named(data: Any) -> str | None:
    """The id of the form a submission names under ``form`` or its Chinese title (征集表年度, 年度), else None."""
    form_id = form_named(data)
    if form_id is None and isinstance(data, dict):
        titled = [k for k, v in {**words.ENVELOPE_WORDS, words.ENVELOPE_TITLES["form"]: "form"}.items() if v == "form"]
        form_id = next((form_named({"form": data[k]}) for k in titled if k in data), None)
    return form_id


def tree_for(data: Any) -> Form | None:
    """The built form a submission names (``form:`` or its Chinese title), else the newest good one."""
    forms = catalog()
    form_id = form_id_named(data)
    named = forms.get(form_id) if form_id is not None else None
    if named is not None and named.ok:
        return named.form
    newest = latest()
    found = forms.get(newest) if newest is not None else None
    return found.form if found is not None else None


# A context of the walk: the envelope, the contact, a table's rows, or a level's rows.
_Ctx = tuple[str, Any]


def _mapping_words(ctx: _Ctx, form: Form) -> dict[str, str]:
    kind, node = ctx
    if kind == "envelope":
        return words.envelope(form)
    if kind == "contact":
        return words.contact()
    if kind == "preset":
        return words.preset_row(node)
    if kind == "row":
        return words.level(node.level)
    if kind == "subrow":
        return words.level(node)
    return {}


def _names_preset(table: Table, value: Any) -> bool:
    table_words = words.preset_row(table)
    return isinstance(value, dict) and any(
        isinstance(k, str) and table_words.get(k, k) == words.PRESET_KEY for k in value
    )


def _row_ctx(table: Table, value: Any) -> _Ctx:
    """A table's row: one naming a preset, or one of the unit's own."""
    return ("preset", table) if table.presets and _names_preset(table, value) else ("row", table)


def _child(ctx: _Ctx, form: Form, key: Any) -> _Ctx | None:
    kind, node = ctx
    if kind == "envelope":
        if key == "contact":
            return ("contact", None)
        table = form.table(key) if isinstance(key, str) else None
        return ("rows", table) if table is not None else None
    if kind == "row":
        level: Level = node.level
    elif kind == "subrow":
        level = node
    else:
        return None
    if level.child is not None and key == level.child.key:
        return ("subrows", level.child)
    return None


def canonical(source: Source, form: Form | None = None) -> Source:
    """The source with every Chinese key replaced by the form's key, lines and problems moved along."""
    tree = form if form is not None else tree_for(source.data)
    if tree is None:
        return source
    lines: dict[Path_, int] = {}
    moved: dict[Path_, Path_] = {}
    problems: list[Problem] = []

    def walk(value: Any, old: Path_, new: Path_, ctx: _Ctx | None) -> Any:
        if old in source.lines:
            lines[new] = source.lines[old]
        moved[old] = new
        if ctx is not None and ctx[0] in ("rows", "subrows") and isinstance(value, list):
            return [
                walk(v, (*old, i), (*new, i), _row_ctx(ctx[1], v) if ctx[0] == "rows" else ("subrow", ctx[1]))
                for i, v in enumerate(value)
            ]
        if ctx is not None and ctx[0] in ("envelope", "contact", "row", "preset", "subrow") and isinstance(value, dict):
            table = _mapping_words(ctx, tree)
            out: dict[Any, Any] = {}
            written: dict[Any, Any] = {}
            for key, item in value.items():
                canon = table.get(key, key) if isinstance(key, str) else key
                if canon in out:
                    line = source.lines.get((*old, key), 1)
                    problems.append(
                        Problem(
                            "duplicate-key",
                            (*new, canon),
                            line,
                            f"“{key}”与“{written[canon]}”是同一项（{canon}），写了两次。",
                            "请删除其中一个。",
                        )
                    )
                    continue
                written[canon] = key
                out[canon] = walk(item, (*old, key), (*new, canon), _child(ctx, tree, canon))
            return out
        if isinstance(value, (dict, list)) and old != new:  # below a value no level describes: lines as they are
            for path, line in source.lines.items():
                if path[: len(old)] == old and path != old:
                    lines[(*new, *path[len(old) :])] = line
        elif isinstance(value, (dict, list)):
            for path, line in source.lines.items():
                if path[: len(old)] == old:
                    lines.setdefault(path, line)
        return value

    if source.lines.get(()) is not None:
        lines[()] = source.lines[()]
    data = walk(source.data, (), (), ("envelope", None))
    kept = [replace(p, path=_move(p.path, moved)) for p in source.problems]
    return replace(source, data=data, lines=lines, problems=kept + problems)


def _move(path: Path_, moved: dict[Path_, Path_]) -> Path_:
    for n in range(len(path), -1, -1):
        if path[:n] in moved:
            return (*moved[path[:n]], *path[n:])
    return path
