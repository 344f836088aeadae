"""The form's rules over a submission's rows: choices, presets, text rules, unique names, placeholders, checks.

Every rule is read from the form's tree (docgen.form): a column's `choices`, `warn`, `unique`,
`placeholder` and `check`, a table's presets. Run on the canonical data (Chinese keys already
replaced); a row is checked for its meaning once its shape holds (its generated model validates).
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ValidationError

from docgen.check.translate import Collector
from docgen.form.aliases import PRESET_KEY
from docgen.form.definition import ChoiceDef, PresetDef
from docgen.form.errors import row_message
from docgen.form.expression import Binary, Node, Problem, Scope, evaluate, parse, shown, walk, working
from docgen.form.model import Models, models
from docgen.form.tree import Column, Form, Level, Table
from docgen.io.source import Path_
from docgen.models.diagnostics import format_path
from docgen.models.values import _text, is_blank

_DIGIT = re.compile(r"[0-9０-９]")
_CITED = re.compile(r"《[^》]+》")
_FIELD = re.compile(r"\{([^{}]*)\}")
_NUMERALS = "零一二三四五六七八九十"
_SPACE = re.compile(r"\s+")
Place = Callable[[Path_], str]


def squash(text: str) -> str:
    return _SPACE.sub("", text)


class RowChecks:
    """The form's rules run over one submission, reporting on a collector."""

    def __init__(self, form: Form, data: dict[str, Any], col: Collector, place: Place, valid: BaseModel | None = None):
        self.form, self.data, self.col, self.place = form, data, col, place
        self.valid = valid  # the whole submission, when its shape held: its rows need no second validation
        self.models: Models = models(form)
        self.words = form.definition.messages
        self.names: list[tuple[str, Path_]] = []

    def say(self, severity: str, code: str, path: Path_, **context: Any) -> None:
        message, hint, english = row_message(self.words, code, **context)
        self.col.add(severity, code, path, message, hint, english)

    def run(self) -> None:
        self.placeholders()
        for table in self.form.tables:
            checked = getattr(self.valid, table.key, None) if self.valid is not None else None
            for i, raw in _rows(self.data, table.key):
                valid = checked[i] if checked is not None else None
                if table.presets and isinstance(raw, dict) and PRESET_KEY in raw:
                    self.preset_row(table, i, raw, valid)
                else:
                    self.row(table.level, (table.key, i), raw, valid)
        self.duplicates()
        if not any(_rows(self.data, t.key) for t in self.form.tables):
            count = len(self.form.tables)
            self.say("warning", "empty", (), count=_NUMERALS[count] if count <= 10 else str(count))

    # --- one row -------------------------------------------------------------------------------

    def row(self, level: Level, base: Path_, raw: Any, checked: BaseModel | None = None) -> None:
        rules = _level_rules(level)
        if isinstance(raw, dict):
            for column in rules.choices:
                value = raw.get(column.key)
                if isinstance(value, str) and not is_blank(value):
                    self.choice(column, value, (*base, column.key))
            self.text_rules(rules.text, raw, base)
        if checked is not None:
            valid: BaseModel | None = checked
        else:
            valid = _valid(self.models.rows.get((level.parent.key, level.key, "own")), raw)
        if valid is not None:
            for column in rules.unique:
                self.names.append((str(getattr(valid, column.key)), (*base, column.key)))
        child = level.child
        if child is not None and child.key:
            subs = getattr(valid, child.key) if valid is not None else None
            for j, sub in _rows(raw, child.key):
                self.row(child, (*base, child.key, j), sub, subs[j] if subs is not None else None)
        if valid is not None and rules.checked:
            self.checks(level, base, valid)

    def choice(self, column: Column, text: str, path: Path_) -> None:
        found, variant = _resolve(column.choices, text)
        title, table = column.short_title, column.parent.parent.label
        if found is None:
            every = self.form.choices.get(column.definition.choices or "", ())
            other, _ = _resolve(every, text)
            reason = f"不能用于{table}" if other else f"不是征集表规定的{title}"
            names = [c.name for c in column.choices]
            guess = difflib.get_close_matches(text, names, n=1, cutoff=0.5)
            self.say(
                "error",
                "category",
                path,
                title=title,
                text=text,
                reason=reason,
                guess=f"是否应为“{guess[0]}”？" if guess else "",
                table=table,
                allowed="、".join(names),
            )
        elif variant and text != found.name:
            self.say("warning", "category-variant", path, title=title, text=text, name=found.name)

    def text_rules(self, rules: _TextRules, raw: dict[str, Any], base: Path_) -> None:
        # 绩效 first, then 依据: the order docgen has always reported them in
        numbered, cited = rules
        for column in numbered:
            text = _text(raw.get(column.key))
            text = text if isinstance(text, str) else ""
            # an empty one is already an error (it is required): no second message about its number
            if not is_blank(text) and not _DIGIT.search(text):
                self.say("warning", "performance-no-number", (*base, column.key), title=column.title)
        for column in cited:
            text = _text(raw.get(column.key))
            text = text if isinstance(text, str) else ""
            if is_blank(text):
                self.say("warning", "basis-missing", (*base, column.key), title=column.title)
            elif not _CITED.search(text):
                self.say("warning", "basis-no-document", (*base, column.key))

    def checks(self, level: Level, base: Path_, row: BaseModel) -> None:
        """Each computed column worked out (÷ 0 reported), then each check that must hold."""
        scope = _scope(level, row)
        rules = _level_rules(level)
        for column, formula in rules.dividing:  # only a division can fail on a row whose shape holds
            problems: list[Problem] = []
            evaluate(formula, scope, problems)
            if any(p.code == "division-by-zero" for p in problems):
                self.say("error", "division-by-zero", (*base, column.key), title=column.title)
        for column, check in rules.checks:
            if evaluate(check, scope) is False:
                d = column.definition
                message = _fill(d.message or "", scope)
                hint = _fill(d.hint or "", scope)
                self.col.add("error", d.code or "check-failed", (*base, column.key), message, hint, d.english)

    # --- a row naming a preset -----------------------------------------------------------------

    def preset_row(self, table: Table, i: int, raw: dict[str, Any], checked: BaseModel | None = None) -> None:
        base: Path_ = (table.key, i)
        valid = checked if checked is not None else _valid(self.models.rows.get((table.key, None, "preset")), raw)
        if valid is None:
            return
        wanted = str(getattr(valid, PRESET_KEY))
        preset = _preset(table, wanted)
        named = table.column("name")
        if preset is None:
            labels = [str(p.values().get("name", p.id)) for p in table.presets]
            guess = difflib.get_close_matches(wanted, labels, n=1, cutoff=0.4)
            keys = [c.key for c in table.level.columns if c.definition.required]
            keys += [table.level.child.key] if table.level.child and table.level.child.key else []
            self.say(
                "error",
                "unknown-preset",
                (*base, PRESET_KEY),
                table=table.label,
                text=wanted,
                guess=f"是否应为“{guess[0]}”？" if guess else "",
                title=named.title if named else "",
                keys="、".join(keys),
            )
            return
        values = preset.values()
        label = str(values.get("name", preset.id))
        fixed, open_rules = _preset_rules(table)
        for key in fixed:
            given = getattr(valid, key, None)
            if given is None:
                continue  # left to the preset, as it should be
            column = table.column(key)
            published = values.get(key, "")
            if column is not None and column.choices:
                choice = next((c for c in column.choices if c.id == published), None)
                published = choice.name if choice else published
            if given != published:
                titles = "、".join(c.title for k in fixed if (c := table.column(k)) is not None)
                self.say(
                    "error",
                    "preset-rewritten",
                    (*base, key),
                    name=label,
                    title=column.title if column else key,
                    fixed=titles,
                )
        self.names.append((label, (*base, PRESET_KEY)))
        self.text_rules(open_rules, raw, base)

    # --- the whole submission ------------------------------------------------------------------

    def placeholders(self) -> None:
        for table in self.form.tables:
            top, below, flat = _placeholder_columns(table)
            if not (top or below or flat):
                continue
            child = table.level.child
            for i, raw in _rows(self.data, table.key):
                if not isinstance(raw, dict):
                    continue
                spots: list[tuple[Column, Path_, Any]] = []
                preset = table.presets and PRESET_KEY in raw
                for column in flat if preset else top:
                    spots.append((column, (table.key, i, column.key), raw.get(column.key)))
                if child is not None and child.key and not preset:
                    for j, sub in _rows(raw, child.key):
                        if isinstance(sub, dict):
                            spots += [(c, (table.key, i, child.key, j, c.key), sub.get(c.key)) for c in below]
                for column, path, value in spots:
                    if isinstance(value, str) and squash(value) in _placeholders(column):
                        self.say("warning", "placeholder", path, text=value)

    def duplicates(self) -> None:
        seen: dict[str, list[Path_]] = defaultdict(list)
        for name, path in self.names:
            seen[squash(name)].append(path)
        for name, paths in seen.items():
            for path in paths[1:]:
                first = paths[0]
                self.say(
                    "warning",
                    "duplicate-project",
                    path,
                    name=name,
                    first=self.place(first),
                    first_path=format_path(first),
                )


_TextRules = tuple[tuple[Column, ...], tuple[Column, ...]]  # the columns that warn: has-number, cites-document


def _text_rules(columns: Iterable[Column]) -> _TextRules:
    listed = list(columns)
    return (
        tuple(c for c in listed if "has-number" in c.definition.warn),
        tuple(c for c in listed if "cites-document" in c.definition.warn),
    )


@dataclass(frozen=True)
class _LevelRules:
    """What the checks look at in a level's rows, read from its columns once per built form."""

    choices: tuple[Column, ...]  # choice columns
    text: _TextRules
    unique: tuple[Column, ...]  # names that must not repeat
    dividing: tuple[tuple[Column, Node], ...]  # computed columns whose formula divides (÷ 0 is reported)
    checks: tuple[tuple[Column, Node], ...]  # columns with a check, and the check
    checked: bool  # any of the last two: the row's scope is built


@lru_cache(maxsize=256)
def _level_rules(level: Level) -> _LevelRules:
    dividing = tuple((c, c.formula) for c in level.columns if c.formula is not None and _divides(c.formula))
    checks = tuple((c, c.check) for c in level.columns if c.check is not None)
    return _LevelRules(
        tuple(c for c in level.columns if c.choices),
        _text_rules(level.columns),
        tuple(c for c in level.columns if c.definition.unique),
        dividing,
        checks,
        bool(dividing or checks),
    )


@lru_cache(maxsize=64)
def _preset_rules(table: Table) -> tuple[tuple[str, ...], _TextRules]:
    """A table's keys a preset fixes, and the text rules of the columns a preset row fills."""
    fixed = table.preset_fixes()
    return fixed, _text_rules(c for c in table.columns() if c.type.entered and c.key not in fixed)


@lru_cache(maxsize=64)
def _placeholder_columns(table: Table) -> tuple[list[Column], list[Column], list[Column]]:
    """The columns with example texts: of the row, of its sub-rows, and of a preset row (all levels)."""
    top = [c for c in table.level.columns if c.definition.placeholder]
    child = table.level.child
    below = [c for c in child.columns if c.definition.placeholder] if child is not None else []
    return top, below, [c for c in table.columns() if c.definition.placeholder]


@lru_cache(maxsize=1024)
def _placeholders(column: Column) -> frozenset[str]:
    return frozenset(squash(t) for t in column.definition.placeholder)


def _rows(data: Any, key: str) -> list[tuple[int, Any]]:
    seq = data.get(key) if isinstance(data, dict) else None
    return list(enumerate(seq)) if isinstance(seq, list) else []


def _valid(model: type[BaseModel] | None, raw: Any) -> BaseModel | None:
    if model is None:
        return None
    try:
        return model.model_validate(raw)
    except ValidationError:
        return None


def _resolve(choices: tuple[ChoiceDef, ...], text: str) -> tuple[ChoiceDef | None, bool]:
    """A choice as written → (the choice, written as a variant); white space ignored, as printed cells break lines."""
    wanted = squash(text)
    for choice in choices:
        if wanted == choice.name:
            return choice, text != choice.name
        if wanted in (squash(v) for v in choice.variants):
            return choice, True
    return None, False


def _preset(table: Table, text: str) -> PresetDef | None:
    by_id, by_name = _preset_index(table)
    return by_id.get(text) or by_name.get(squash(text))


@lru_cache(maxsize=64)
def _preset_index(table: Table) -> tuple[dict[str, PresetDef], dict[str, PresetDef]]:
    """A table's presets by id and by their name with spaces removed (the first of each)."""
    by_id: dict[str, PresetDef] = {}
    by_name: dict[str, PresetDef] = {}
    for preset in table.presets:
        by_id.setdefault(preset.id, preset)
        by_name.setdefault(squash(str(preset.values().get("name", ""))), preset)
    return by_id, by_name


@lru_cache(maxsize=256)
def _divides(node: Node) -> bool:
    return any(isinstance(n, Binary) and n.op == "/" for n in walk(node))


def _scope(level: Level, row: BaseModel) -> Scope:
    keys, formulas = _scope_shape(level)
    values = {key: getattr(row, key, None) for key in keys}
    children: dict[str, list[Scope]] = {}
    if level.child is not None and level.child.key:
        children[level.child.key] = [_scope(level.child, sub) for sub in getattr(row, level.child.key, [])]
    return Scope(values, formulas, children)


@lru_cache(maxsize=256)
def _scope_shape(level: Level) -> tuple[tuple[str, ...], dict[str, Node]]:
    """A level's keys and its computed columns' formulas (shared by every row's scope: only read)."""
    return tuple(c.key for c in level.columns), level.formulas()


def _fill(template: str, scope: Scope) -> str:
    """A message's {expression} fields worked out in the row ({expression|working} shows the sum's terms)."""

    def one(m: re.Match[str]) -> str:
        inner = m.group(1)
        if inner.endswith("|working"):
            return working(parse(inner.removesuffix("|working").strip()), scope)
        value = evaluate(parse(inner.strip()), scope)
        return shown(value)

    return _FIELD.sub(one, template)


def resolve_choice(column: Column, text: str) -> ChoiceDef | None:
    """The canonical choice a text names in a column (variants and spacing forgiven), else None."""
    return _resolve(column.choices, text)[0]
