"""Validate a submission against the contract and its published form; gather every problem."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from docgen.check.aliases import canonical, tree_for
from docgen.check.rows import RowChecks, resolve_choice
from docgen.check.translate import TYPE_HINTS as _TYPE_HINTS
from docgen.check.translate import Collector, Schema, report
from docgen.check.units import closest_unit, unit_named
from docgen.form import aliases as words
from docgen.form.builder import looks_like_form
from docgen.form.catalog import catalog
from docgen.form.loading import FormInvalid, available, latest
from docgen.form.loading import load as load_form
from docgen.form.model import model_at, models
from docgen.form.tree import Column, Level, Table, short
from docgen.form.tree import Form as Tree
from docgen.io.source import Path_, Source, SourceError, load, parse
from docgen.models.diagnostics import Diagnostic, InvalidInput, format_path
from docgen.models.envelope import UNIT_KIND_TITLES
from docgen.models.values import _date
from docgen.models.year import form_named, form_words


@dataclass
class Result:
    """The outcome of validating one file."""

    file: str
    submission: BaseModel | None  # the form's generated model, validated and normalised
    diagnostics: list[Diagnostic] = field(default_factory=list)
    form: Tree | None = None

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    def ok(self, strict: bool = False) -> bool:
        return not self.errors and not (strict and self.warnings)


class _Collector(Collector):
    """The submission's collector: every diagnostic also says where, as people count (表（一）第2项 …)."""

    def __init__(self, source: Source, tree: Tree | None):
        super().__init__(source, place=lambda path, data: readable_place(path, data, tree))


# --- structure (the model generated from the form) ------------------------------------------


def readable_place(path: Path_, data: Any, tree: Tree | None = None) -> str:
    """(table key, 1, 'projects', 0, 'count') → 表（一）第2项 第1个项目 项目数 (counting from 1, as people do)."""
    if tree is None:
        tree = tree_for(data)
    if path and tree is not None and isinstance(path[0], str) and tree.table(path[0]) is not None:
        return tree.place(path, data)
    parts: list[str] = []
    for n, part in enumerate(path):
        if isinstance(part, int):
            parts.append(f"第{part + 1}项")
        elif n == 0 and part == "contact" and len(path) > 1:
            continue  # 联系人 / 联系电话 say it alone
        elif n == 0:
            parts.append(short(words.ENVELOPE_TITLES.get(str(part), str(part))))
        elif n == 1 and path[0] == "contact":
            parts.append(words.CONTACT_TITLES.get(str(part), str(part)))
        else:
            parts.append(str(part))
    return " ".join(parts)


def _schema(tree: Tree) -> Schema:
    """The generated models of a form for the shared translator (docgen.check.translate)."""
    found = models(tree)

    def clean_loc(loc: tuple) -> tuple:
        # Drop the union tag pydantic inserts after a preset table's row ("preset"/"own").
        table = tree.table(loc[0]) if loc and isinstance(loc[0], str) else None
        if table is None or not table.presets or len(loc) < 3 or loc[2] not in ("preset", "own"):
            return loc
        return (*loc[:2], *loc[3:])

    def guess_key(model: type[BaseModel] | None, key: str) -> tuple[str, str] | None:
        """The closest accepted key (English or Chinese) to a misspelt one: (as the clerk would write it, the key)."""
        candidates = found.candidates(model)
        if not candidates:
            return None
        english = key.isascii()
        pool = [k for k in candidates if k.isascii() == english] or list(candidates)
        guess = difflib.get_close_matches(key, pool, n=1, cutoff=0.5 if not english else 0.6)
        return (guess[0], candidates[guess[0]]) if guess else None

    def unit_kinds(loc: tuple) -> str:
        return "、".join(f"{k}（{v}）" for k, v in UNIT_KIND_TITLES.items()) if loc == ("unit_kind",) else ""

    def value_type(loc: tuple) -> str | None:
        table = tree.table(loc[0]) if isinstance(loc[0], str) else None
        level = tree.level_at(loc[:-1]) if table is not None else None
        if table is None or level is None or not isinstance(loc[-1], str):
            return None
        column = level.column(loc[-1]) or table.column(loc[-1])
        return column.type.name if column is not None else None

    return Schema(
        lambda path, data: model_at(tree, path, data),
        clean_loc,
        found.allowed,
        unit_kinds,
        guess_key=guess_key,
        value_type=value_type,
    )


def _structure(source: Source, col: _Collector, tree: Tree) -> BaseModel | None:
    data = source.data
    if not isinstance(data, dict):
        col.error(
            "not-a-mapping",
            (),
            "文件内容应为键值对（form、unit、contact 等），而不是空文件或列表",
            english="the file must be a mapping of keys",
        )
        return None
    schema = _schema(tree)
    try:
        return models(tree).submission.model_validate(data)
    except ValidationError as exc:
        errors: list[dict[str, Any]] = [
            dict(err, loc=schema.clean_loc(tuple(err["loc"]))) for err in exc.errors(include_url=False)
        ]
    # One slip, one message: a misspelt key stands for the missing one it resembles, and a value the reader
    # already reported (a duplicate key, a bad tag, a number too long) is not reported again.
    guessed = set()
    for err in errors:
        if err["type"] == "extra_forbidden" and schema.guess_key is not None:
            guess = schema.guess_key(schema.model_for(err["loc"][:-1], data), str(err["loc"][-1]))
            if guess:
                guessed.add((*err["loc"][:-1], guess[1]))
    read = {p.path for p in source.problems}
    cleaned = replace(schema, clean_loc=tuple)  # cleaned once above: twice would drop a real key named preset
    for err in errors:
        loc = err["loc"]
        if err["type"] == "missing" and loc in guessed:
            continue
        if any(loc[: len(r)] == r for r in read):
            continue
        report(err, data, col, cleaned)
    return None


# --- meaning (against the form) ------------------------------------------------------------


def _check_meaning(tree: Tree, data: dict, col: _Collector, valid: BaseModel | None) -> None:
    _check_unit(tree, data, col)
    cities = [c.name for c in tree.choices.get(tree.definition.cities, ())]
    kind, city = data.get("unit_kind"), data.get("city")
    if kind == "city" and not city:
        col.error(
            "missing",
            ("city",),
            "填报单位类型为 city（地市）时必须填写所在地市 city。",
            f"例如 city: {cities[0]}" if cities else "",
            "city is required for unit_kind city",
        )
    if isinstance(city, str) and city and city not in cities:
        guess = [c for c in cities if c.rstrip("市") == city.rstrip("市")]
        col.error(
            "unknown-city",
            ("city",),
            f"“{city}”不是广东省的地级以上市。",
            (f"应为“{guess[0]}”。" if guess else "") + f"可用：{'、'.join(cities)}。",
            "unknown city",
        )
    date = _parsed_date(data.get("date"))
    deadline = tree.definition.deadline
    if date is not None and date > deadline:
        col.warn(
            "late",
            ("date",),
            f"填报日期 {date} 晚于通知规定的截止日期 {deadline}。",
            "请确认日期，或在报送时说明原因。",
            "date after the deadline",
        )
    RowChecks(tree, data, col, lambda path: readable_place(path, data, tree), valid).run()


def _check_unit(form: Tree, data: dict, col: _Collector) -> None:
    """The unit must be one of the form's, as the batch and the service identify it (check.units)."""
    name = data.get("unit")
    if not isinstance(name, str) or not name.strip():
        return  # a missing, blank or non-text unit is the model's error
    unit = unit_named(form, name)
    if unit is None:
        col.error(
            "unknown-unit",
            ("unit",),
            f"填报单位“{name.strip()[:60]}”不在 {form.year} 年度征集表的单位名单中。",
            f"最接近的是“{closest_unit(form, name)}”；请按名单写全称。",
            "unit not in the form's list",
        )
    elif name.strip() != unit.name:
        col.warn(
            "unit-variant",
            ("unit",),
            f"填报单位“{name.strip()[:60]}”按名单中的“{unit.name}”处理，文件中将写作后者。",
            "请按名单写全称（全角括号，无空格或不可见字符）。",
            "unit written as a variant of a listed name",
        )


def _parsed_date(value: Any) -> Any:
    try:
        return _date(value)
    except (ValueError, TypeError):
        return None


def _normalise(form: Tree, sub: BaseModel) -> BaseModel:
    """Canonical choice names everywhere (variants were accepted with a warning) and the unit's listed name.
    Only what changes is copied: a submission written as listed is returned as it is."""
    unit = unit_named(form, str(getattr(sub, "unit", "")))
    update: dict[str, Any] = {}
    for table in form.tables:
        rows = getattr(sub, table.key)
        fixed = [_fix_row(table, row) for row in rows]
        if any(new is not old for new, old in zip(fixed, rows, strict=True)):
            update[table.key] = fixed
    if unit is not None and unit.name != getattr(sub, "unit", None):
        update["unit"] = unit.name
    return sub.model_copy(update=update) if update else sub


def _fix_row(table: Table, row: BaseModel) -> BaseModel:
    if table.presets and getattr(row, "preset", None) is not None:
        return row
    return _fix_level(table.level, row)


@lru_cache(maxsize=256)
def _choice_columns(level: Level) -> tuple[tuple[Column, ...], Level | None]:
    """A level's choice columns, and its sub-rows' level when that has any (what normalising looks at)."""
    child = level.child
    below = child if child is not None and child.key and any(c.choices for c in child.columns) else None
    return tuple(c for c in level.columns if c.choices), below


def _fix_level(level: Level, row: BaseModel) -> BaseModel:
    update: dict[str, Any] = {}
    columns, below = _choice_columns(level)
    for column in columns:
        value = getattr(row, column.key, None)
        if isinstance(value, str):
            found = resolve_choice(column, value)
            if found is not None and found.name != value:
                update[column.key] = found.name
    if below is not None and below.key:
        subs = getattr(row, below.key)
        fixed = [_fix_level(below, sub) for sub in subs]
        if any(new is not old for new, old in zip(fixed, subs, strict=True)):
            update[below.key] = fixed
    return row.model_copy(update=update) if update else row


def _named_form(form_id: str, col: _Collector) -> Tree | None:
    """The form a submission names (its tree), with an error when none by that id builds."""
    found = catalog().get(form_id)
    if found is None:
        ids = available()
        year = form_id.isdigit()
        col.error(
            "unknown-form",
            ("form",),
            f"没有 {form_id} 年度的征集表。" if year else f"没有编号为“{form_id}”的征集表。",
            f"可用的{'年度' if all(i.isdigit() for i in ids) else '征集表'}：{'、'.join(ids)}。",
            "no published form for that year" if year else "no published form with that id",
        )
        return None
    if found.form is None or not found.ok:
        first = found.problems[0] if found.problems else None
        col.error(
            "form-broken",
            ("form",),
            f"{form_words(form_id)}定义有误（{len(found.problems)} 处），暂不能填报。",
            f"请省局用 docgen form check 检查：{first}" if first else "",
            "the form's definition has problems",
        )
        return None
    return found.form


def check_source(source: Source, form: Tree | None = None) -> Result:
    """Validate a parsed source; every error and warning of the file in one result."""
    tree = form or tree_for(source.data)  # one look-up in the catalog (each stats the forms' files)
    kind = input_kind(source.data, None if form is not None else tree)
    if kind != "submission":
        return Result(source.file, None, [_wrong_kind(source, kind)])
    if tree is None:
        raise FileNotFoundError("no form in data/forms/ builds without problems (docgen form check)")
    source = canonical(source, tree)
    col = _Collector(source, tree)
    col.items.extend(reader_problems(source, tree))
    sub = _structure(source, col, tree)
    data = source.data if isinstance(source.data, dict) else {}
    named: Tree | None = form
    if form is None:
        # The model's value when it validated ("2024" is coerced), else the raw one.
        form_id = str(sub.form) if sub is not None else form_named(data)  # type: ignore[attr-defined]
        if form_id is not None:
            # tree_for already found the form this id names when it builds; else say why it cannot be used
            named = tree if tree.id == form_id else _named_form(form_id, col)
    if named is not None:
        _check_meaning(named, data, col, sub)
    result = Result(source.file, None, sorted(col.items, key=lambda d: (d.line, d.severity != "error")), named)
    if sub is not None and named is not None and not result.errors and not source.problems:
        if named is not tree:  # validated against another form's model: read it with the named form's
            sub = models(named).submission.model_validate(data)
        result.submission = _normalise(named, sub)
    elif not result.errors:  # never "valid" without a submission to render
        result.diagnostics.insert(
            0,
            Diagnostic(
                "error",
                "unknown-form",
                source.file,
                source.line_of(("form",)),
                "form",
                "无法确定所填报的征集表年度。",
                f"请写成 form: {latest()}。",
            ),
        )
    return result


def input_kind(data: object, tree: Tree | None = None) -> str:
    """Tell a published form, a notice and a submission apart by their top-level keys (``tree``: the form
    ``tree_for(data)`` names, when the caller has it already)."""
    if isinstance(data, dict):
        if looks_like_form(data):
            return "form"
        if "form" in data or "unit" in data:
            return "submission"
        tree = tree if tree is not None else tree_for(data)
        if tree is not None and any(k in words.envelope(tree) for k in data):
            return "submission"
        if "body" in data or "issuer" in data:
            return "notice"
    return "submission"


def _wrong_kind(source: Source, kind: str) -> Diagnostic:
    what = {
        "form": "征集表（data/forms/*.yaml 那样的空白表格定义）",
        "notice": "通知（data/notices/*.yaml 那样的公文）",
    }[kind]
    first = min((line for path, line in source.lines.items() if len(path) == 1), default=1)
    return Diagnostic(
        "error",
        "wrong-kind",
        source.file,
        first,
        format_path(()),
        f"这是一份{what}，不是填报文件。",
        "填报文件以 form、unit、unit_kind、contact、date 开头；请确认选对了文件（docgen init 可生成填报文件模板）。",
        "not a submission",
    )


def check_text(text: str, file: str = "<text>", form: Tree | None = None) -> Result:
    try:
        source = parse(text, file)
    except SourceError as exc:
        return Result(file, None, [Diagnostic("error", "syntax", exc.file, exc.line, "（文件）", exc.message)])
    return check_source(source, form)


def check_file(path: str | Path, form: Tree | None = None) -> Result:
    """Validate one file (YAML or JSON): a submission, or a notice or published form by its keys."""
    try:
        source = load(path)
    except SourceError as exc:
        return Result(str(path), None, [Diagnostic("error", "syntax", exc.file, exc.line, "（文件）", exc.message)])
    kind = input_kind(source.data)
    read = reader_problems(source)  # duplicate keys, bad tags …: the same for every kind of file
    if kind == "notice":
        from docgen.check.notice import parse_notice

        try:
            parse_notice(source)
        except InvalidInput as exc:
            return Result(source.file, None, read + exc.diagnostics)
        return Result(source.file, None, read)
    if kind == "form":
        try:
            load_form(Path(path))
        except (ValueError, yaml.YAMLError) as exc:  # ValidationError is a ValueError
            return Result(source.file, None, read + form_errors(source, exc))
        return Result(source.file, None, read)
    return check_source(source, form)


def reader_problems(source: Source, tree: Tree | None = None) -> list[Diagnostic]:
    """What the reader found wrong in values (duplicate keys, bad tags, numbers too long, bad characters)."""
    return [
        Diagnostic(
            "error",
            p.code,
            source.file,
            p.line,
            format_path(p.path),
            p.message,
            p.hint,
            place=readable_place(p.path, source.data, tree),
        )
        for p in source.problems
    ]


def form_errors(source: Source, exc: Exception) -> list[Diagnostic]:
    """A published form's own problems, one Chinese line each (a form is the province's data, not a filing)."""
    if isinstance(exc, FormInvalid):
        return [
            Diagnostic(
                "error",
                "form",
                source.file,
                p.line,
                p.path,
                f"征集表定义有误：{p.message}。",
                "" if n else "如果这是一份填报文件，它应以 form、unit、unit_kind、contact、date 开头。",
                p.code,
            )
            for n, p in enumerate(exc.problems)
        ]
    if not isinstance(exc, ValidationError):
        return [Diagnostic("error", "form", source.file, 1, format_path(()), f"征集表定义无法读取：{exc}。")]
    out = []
    for n, err in enumerate(exc.errors(include_url=False)):
        loc = tuple(err["loc"])
        zh = "缺少这一项" if err["type"] == "missing" else _TYPE_HINTS.get(err["type"], (err.get("msg", ""), ""))[0]
        if err["type"] == "extra_forbidden":
            zh = "未知的键"
        out.append(
            Diagnostic(
                "error",
                "form",
                source.file,
                source.line_of(loc),
                format_path(loc),
                f"征集表定义有误：{zh}。",
                "" if n else "如果这是一份填报文件，它应以 form、unit、unit_kind、contact、date 开头。",
                err.get("msg", ""),
            )
        )
    return out


def load_submission(path: str | Path, strict: bool = False) -> tuple[BaseModel, Tree, Source, list[Diagnostic]]:
    """Load and validate a submission for rendering; raise InvalidInput with every problem."""
    try:
        source = load(path)
    except SourceError as exc:
        raise InvalidInput([Diagnostic("error", "syntax", exc.file, exc.line, "（文件）", exc.message)]) from None
    result = check_source(source)
    if not result.ok(strict) or result.submission is None:
        raise InvalidInput(result.diagnostics)
    return result.submission, result.form, canonical(source), result.warnings  # type: ignore[return-value]
