"""Validate a submission against the contract and its published form; gather every problem."""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from docgen.check.aliases import ALIASES, canonical, key_candidates
from docgen.check.translate import TYPE_HINTS as _TYPE_HINTS
from docgen.check.translate import Collector, Schema, report, title
from docgen.check.translate import short_title as _short_title
from docgen.check.units import closest_unit, unit_named
from docgen.form.builder import looks_like_form
from docgen.form.legacy import FormInvalid, available_years, form_path, latest_year, load_form
from docgen.io.source import Path_, Source, SourceError, load, parse
from docgen.models.diagnostics import Diagnostic, InvalidInput, format_path
from docgen.models.form import Form, TableSpec, year_named
from docgen.models.submission import (
    PRESET_OWNED,
    UNIT_KIND_TITLES,
    Contact,
    OwnDelegated,
    OwnProject,
    PresetRef,
    Project,
    Submission,
    Subsidy,
    WorkItem,
    field_title,
)
from docgen.models.values import _date, _text, format_plain, is_blank

_DIGIT = re.compile(r"[0-9０-９]")
_CITED = re.compile(r"《[^》]+》")
_TABLE_TITLES = {
    "retained": "表（一）",
    "post_subsidy": "表（二）",
    "support": "表（三）",
    "delegated": "表（四）",
}


@dataclass
class Result:
    """The outcome of validating one file."""

    file: str
    submission: Submission | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    form: Form | None = None

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

    def __init__(self, source: Source):
        super().__init__(source, place=readable_place)


# --- structure (pydantic) -------------------------------------------------------------------


def readable_place(path: Path_, data: Any) -> str:
    """('retained', 1, 'projects', 0, 'count') → 表（一）第2项 第1个项目 项目数 (counting from 1, as people do)."""
    parts: list[str] = []
    for n, part in enumerate(path):
        head = path[:n]
        if isinstance(part, int):
            if head and head[-1] in _TABLE_TITLES and len(head) == 1:
                parts[-1:] = [f"{_TABLE_TITLES[head[-1]]}第{part + 1}{'行' if head[-1] == 'post_subsidy' else '项'}"]
            elif head and head[-1] == "projects":
                parts[-1:] = [f"第{part + 1}个项目"]
            else:
                parts.append(f"第{part + 1}项")
        elif n == 0 and part in _TABLE_TITLES:
            parts.append(_TABLE_TITLES[part])
        elif n == 0 and part == "contact" and len(path) > 1:
            continue  # 联系人 / 联系电话 say it alone
        else:
            parts.append(_short_title(_model_for(head, data), str(part)))
    return " ".join(parts)


def _model_for(path: tuple, data: Any) -> type[BaseModel] | None:
    """Which model describes the mapping at `path` (for key lists and titles in messages)."""
    if not path:
        return Submission
    head = path[0]
    if path == ("contact",):
        return Contact
    if len(path) == 2 and head in ("retained", "support"):
        return WorkItem
    if len(path) == 4 and head in ("retained", "support") and path[2] == "projects":
        return Project
    if len(path) == 2 and head == "post_subsidy":
        return Subsidy
    if len(path) == 2 and head == "delegated":
        item = _get(data, path)
        return PresetRef if isinstance(item, dict) and "preset" in item else OwnDelegated
    if len(path) == 4 and head == "delegated" and path[2] == "projects":
        return OwnProject
    return None


def _get(data: Any, path: Iterable) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _clean_loc(loc: tuple) -> tuple:
    # Drop the union tag pydantic inserts after delegated[i] ("preset"/"own").
    out: list = []
    for i, part in enumerate(loc):
        if i == 2 and loc[0] == "delegated" and part in ("preset", "own"):
            continue
        out.append(part)
    return tuple(out)


def _title(path: tuple, data: Any) -> str:
    return title(path, data, _SCHEMA)


def _report_pydantic(err: dict, data: Any, col: _Collector) -> None:
    # _structure has already cleaned the loc: cleaning twice would drop a real key named preset
    report(err, data, col, _SCHEMA_CLEANED)


def _allowed_keys(model: type[BaseModel]) -> list[str]:
    keys = list(model.model_fields)
    if model is Project:
        keys.append("quantity")
    return keys


def _guess_key(model: type[BaseModel] | None, key: str) -> tuple[str, str] | None:
    """The closest accepted key (English or Chinese) to a misspelt one: (as the clerk would write it, contract key)."""
    if model is None:
        return None
    candidates = key_candidates(model)
    english = key.isascii()
    pool = [k for k in candidates if k.isascii() == english] or list(candidates)
    guess = difflib.get_close_matches(key, pool, n=1, cutoff=0.5 if not english else 0.6)
    return (guess[0], candidates[guess[0]]) if guess else None


def _unit_kind_choices(loc: tuple) -> str:
    return "、".join(f"{k}（{v}）" for k, v in UNIT_KIND_TITLES.items()) if loc == ("unit_kind",) else ""


_SCHEMA = Schema(_model_for, _clean_loc, _allowed_keys, _unit_kind_choices, guess_key=_guess_key)
"""The submission's models for the shared translator (docgen.check.translate)."""
_SCHEMA_CLEANED = replace(_SCHEMA, clean_loc=tuple)


def _structure(source: Source, col: _Collector) -> Submission | None:
    data = source.data
    if not isinstance(data, dict):
        col.error(
            "not-a-mapping",
            (),
            "文件内容应为键值对（form、unit、contact 等），而不是空文件或列表",
            english="the file must be a mapping of keys",
        )
        return None
    try:
        return Submission.model_validate(data)
    except ValidationError as exc:
        errors: list[dict[str, Any]] = [
            dict(err, loc=_clean_loc(tuple(err["loc"]))) for err in exc.errors(include_url=False)
        ]
    # One slip, one message: a misspelt key stands for the missing one it resembles, and a value the reader
    # already reported (a duplicate key, a bad tag, a number too long) is not reported again.
    guessed = set()
    for err in errors:
        if err["type"] == "extra_forbidden":
            guess = _guess_key(_model_for(err["loc"][:-1], data), str(err["loc"][-1]))
            if guess:
                guessed.add((*err["loc"][:-1], guess[1]))
    read = {p.path for p in source.problems}
    for err in errors:
        loc = err["loc"]
        if err["type"] == "missing" and loc in guessed:
            continue
        if any(loc[: len(r)] == r for r in read):
            continue
        _report_pydantic(err, data, col)
    return None


# --- meaning (against the form) ------------------------------------------------------------


def _items(data: Any, key: str) -> list[tuple[int, Any]]:
    seq = data.get(key) if isinstance(data, dict) else None
    return list(enumerate(seq)) if isinstance(seq, list) else []


def _try(model: type[BaseModel], value: Any) -> Any:
    try:
        return model.model_validate(value)
    except ValidationError:
        return None


def _check_category(form: Form, table: TableSpec, text: str, path: Path_, col: _Collector) -> None:
    cat, variant = form.resolve_category(text, table)
    allowed = "、".join(form.category_names(table))
    if cat is None:
        other, _ = form.resolve_category(text)
        reason = f"不能用于{_TABLE_TITLES[table.key]}" if other else "不是征集表规定的类型"
        guess = difflib.get_close_matches(text, form.category_names(table), n=1, cutoff=0.5)
        hint = (f"是否应为“{guess[0]}”？" if guess else "") + f"{_TABLE_TITLES[table.key]}可用的类型：{allowed}。"
        col.error("category", path, f"类型“{text}”{reason}。", hint, "category not allowed in this table")
    elif variant and text != cat.name:
        col.warn(
            "category-variant",
            path,
            f"类型“{text}”是通知中出现过的写法，已按规范名称“{cat.name}”处理。",
            f"建议改为“{cat.name}”。",
            "known category variant, normalised",
        )


def _check_text_warnings(
    performance: str, basis: str | None, path: Path_, col: _Collector, basis_key: str = "policy_basis"
) -> None:
    # An empty 绩效 is already an error (it is required): no second message about its missing number.
    if not is_blank(performance) and not _DIGIT.search(performance):
        col.warn(
            "performance-no-number",
            (*path, "performance"),
            "项目绩效中没有数字：通知要求明确可量化的考核绩效指标。",
            "请写明数量指标，例如“培育示范企业不少于10家”。",
            "performance states no number",
        )
    if basis is None:
        return
    title = "后补助依据" if basis_key == "basis" else "项目设置政策依据"
    if is_blank(basis):
        col.warn(
            "basis-missing",
            (*path, basis_key),
            f"{title}未填写。",
            "请写明所依据的文件，例如《广东省知识产权保护和运用“十四五”规划》。",
            "policy basis is empty",
        )
    elif not _CITED.search(basis):
        col.warn(
            "basis-no-document",
            (*path, basis_key),
            "政策依据没有引用《》中的文件名。",
            "请写明所依据的文件，例如《广东省知识产权保护和运用“十四五”规划》。",
            "policy basis cites no document",
        )


def _raw_text_warnings(raw: Any, basis_key: str | None, path: Path_, col: _Collector) -> None:
    """绩效/政策依据 warnings from the text as written, even when another field of the row has an error."""
    if not isinstance(raw, dict):
        return
    performance = _text(raw.get("performance"))
    basis = _text(raw.get(basis_key)) if basis_key else None
    _check_text_warnings(
        performance if isinstance(performance, str) else "",
        basis if isinstance(basis, str) or basis is None else "",
        path,
        col,
        basis_key or "policy_basis",
    )


def _placeholders(form: Form) -> tuple[set[str], set[str]]:
    """The example texts the published form prints in its blank rows: (work, project names), spaces removed."""
    works: set[str] = set()
    names: set[str] = set()
    for table in form.tables:
        if table.placeholder is not None:
            works.add(_squash(table.placeholder.work))
            names.update(_squash(n) for n in table.placeholder.names)
    return works, names


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _check_placeholders(form: Form, data: Any, col: _Collector) -> None:
    works, names = _placeholders(form)
    for key in ("retained", "post_subsidy", "support", "delegated"):
        for i, raw in _items(data, key):
            if not isinstance(raw, dict):
                continue
            work = raw.get("work")
            # In table （四） the form's own row label is a legitimate work text (the contract's example keeps it).
            if key != "delegated" and isinstance(work, str) and _squash(work) in works:
                _placeholder(col, (key, i, "work"), work)
            spots: list[tuple[Path_, Any]] = [((key, i, "name"), raw.get("name"))]
            spots += [
                ((key, i, "projects", j, "name"), p.get("name"))
                for j, p in _items(raw, "projects")
                if isinstance(p, dict)
            ]
            for path, name in spots:
                if isinstance(name, str) and _squash(name) in names:
                    _placeholder(col, path, name)


def _placeholder(col: _Collector, path: Path_, text: str) -> None:
    col.warn(
        "placeholder",
        path,
        f"仍是征集表中的示例文字“{text}”。",
        "请改为本单位的实际内容（填写说明第2、3项）。",
        "the form's placeholder text left unchanged",
    )


def _check_work_items(form: Form, data: Any, key: str, col: _Collector, names: list) -> None:
    table = form.table(key)
    for i, raw in _items(data, key):
        base = (key, i)
        if isinstance(raw, dict) and isinstance(raw.get("category"), str) and not is_blank(raw["category"]):
            _check_category(form, table, raw["category"], (*base, "category"), col)
        item = _try(WorkItem, raw)
        for j, praw in _items(raw, "projects"):
            _raw_text_warnings(praw, "policy_basis", (*base, "projects", j), col)
            proj = _try(Project, praw)
            if proj is not None:
                names.append((proj.name, (*base, "projects", j, "name")))
        if item is not None:
            total = sum((p.count * p.unit_amount for p in item.projects), Decimal(0))
            if total != item.budget:
                parts = " + ".join(f"{p.count}×{format_plain(p.unit_amount)}" for p in item.projects)
                col.error(
                    "budget-mismatch",
                    (*base, "budget"),
                    f"经费安排 {format_plain(item.budget)} 万元与各项目“项目数×单项金额”之和不符："
                    f"{parts} = {format_plain(total)}。",
                    f"应为 {format_plain(total)}，或修改项目数/单项金额。",
                    "budget != sum(count * unit_amount)",
                )


def _check_subsidies(data: Any, col: _Collector, names: list) -> None:
    for i, raw in _items(data, "post_subsidy"):
        _raw_text_warnings(raw, "basis", ("post_subsidy", i), col)
        row = _try(Subsidy, raw)
        if row is not None:
            names.append((row.name, ("post_subsidy", i, "name")))


def _check_delegated(form: Form, data: Any, col: _Collector, names: list) -> None:
    table = form.table("delegated")
    for i, raw in _items(data, "delegated"):
        base = ("delegated", i)
        if isinstance(raw, dict) and "preset" in raw:
            ref = _try(PresetRef, raw)
            if ref is None:
                continue
            preset = form.preset(ref.preset)
            if preset is None:
                guess = difflib.get_close_matches(ref.preset, [p.name for p in form.presets], n=1, cutoff=0.4)
                col.error(
                    "unknown-preset",
                    (*base, "preset"),
                    f"征集表（四）中没有预设项目“{ref.preset}”。",
                    (f"是否应为“{guess[0]}”？" if guess else "")
                    + "请按征集表原文填写拟设置项目名称，或改为自行填写的项目（category、work、projects）。",
                    "unknown preset",
                )
                continue
            for key in PRESET_OWNED:
                given = getattr(ref, key)
                published = form.category(preset.category).name if key == "category" else getattr(preset, key)
                if given is not None and given != published:
                    col.error(
                        "preset-rewritten",
                        (*base, key),
                        f"不能改写省局预设项目“{preset.name}”的{field_title(PresetRef, key).split('（')[0]}。",
                        "预设项目的类型、主要工作内容、项目名称、必要性和政策依据以征集表为准；请删除此项，或改为自行填写的项目。",
                        "a preset's published text may not be rewritten",
                    )
            names.append((preset.name, (*base, "preset")))
            _raw_text_warnings(raw, None, base, col)
            continue
        if isinstance(raw, dict) and isinstance(raw.get("category"), str) and not is_blank(raw["category"]):
            _check_category(form, table, raw["category"], (*base, "category"), col)
        for j, praw in _items(raw, "projects"):
            _raw_text_warnings(praw, "policy_basis", (*base, "projects", j), col)
            proj = _try(OwnProject, praw)
            if proj is not None:
                names.append((proj.name, (*base, "projects", j, "name")))


def _check_meaning(form: Form, data: dict, col: _Collector) -> None:
    _check_unit(form, data, col)
    kind, city = data.get("unit_kind"), data.get("city")
    if kind == "city" and not city:
        col.error(
            "missing",
            ("city",),
            "填报单位类型为 city（地市）时必须填写所在地市 city。",
            f"例如 city: {form.cities[0]}",
            "city is required for unit_kind city",
        )
    if isinstance(city, str) and city and city not in form.cities:
        guess = [c for c in form.cities if c.rstrip("市") == city.rstrip("市")]
        col.error(
            "unknown-city",
            ("city",),
            f"“{city}”不是广东省的地级以上市。",
            (f"应为“{guess[0]}”。" if guess else "") + f"可用：{'、'.join(form.cities)}。",
            "unknown city",
        )
    date = _parsed_date(data.get("date"))
    if date is not None and date > form.deadline:
        col.warn(
            "late",
            ("date",),
            f"填报日期 {date} 晚于通知规定的截止日期 {form.deadline}。",
            "请确认日期，或在报送时说明原因。",
            "date after the deadline",
        )
    _check_placeholders(form, data, col)
    names: list[tuple[str, Path_]] = []
    _check_work_items(form, data, "retained", col, names)
    _check_subsidies(data, col, names)
    _check_work_items(form, data, "support", col, names)
    _check_delegated(form, data, col, names)
    seen: dict[str, list[Path_]] = defaultdict(list)
    for name, path in names:
        seen[re.sub(r"\s+", "", name)].append(path)
    for name, paths in seen.items():
        for path in paths[1:]:
            col.warn(
                "duplicate-project",
                path,
                f"项目名称“{name}”在本单位填报中重复出现（首次在 {readable_place(paths[0], data)}，{format_path(paths[0])}）。",
                "通知要求不得重复设立项目，请合并或改名。",
                "duplicate project name",
            )
    if not any(_items(data, key) for key in ("retained", "post_subsidy", "support", "delegated")):
        col.warn(
            "empty", (), "四张表都没有填写任何项目。", "如确无需求可照此报送；否则请补充项目。", "empty submission"
        )


def _check_unit(form: Form, data: dict, col: _Collector) -> None:
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


def _normalise(form: Form, sub: Submission) -> Submission:
    """Canonical category names everywhere (variants were accepted with a warning)."""

    def fix(item: Any, table: TableSpec) -> Any:
        if isinstance(item, (WorkItem, OwnDelegated)):
            cat, _ = form.resolve_category(item.category, table)
            return item.model_copy(update={"category": cat.name}) if cat else item
        return item

    unit = unit_named(form, sub.unit)
    return sub.model_copy(
        update={
            **{
                key: [fix(it, form.table(key)) for it in getattr(sub, key)]
                for key in ("retained", "support", "delegated")
            },
            "unit": unit.name if unit else sub.unit,
        }
    )


def check_source(source: Source, form: Form | None = None) -> Result:
    """Validate a parsed source; every error and warning of the file in one result."""
    kind = input_kind(source.data)
    if kind != "submission":
        return Result(source.file, None, [_wrong_kind(source, kind)])
    source = canonical(source)
    col = _Collector(source)
    col.items.extend(reader_problems(source))
    sub = _structure(source, col)
    data = source.data if isinstance(source.data, dict) else {}
    if form is None:
        # The model's value when it validated ("2024" is coerced), else the raw one.
        year = sub.form if sub is not None else year_named(data)
        if isinstance(year, int) and not isinstance(year, bool):
            if form_path(year).exists():
                form = load_form(year)
            else:
                col.error(
                    "unknown-form",
                    ("form",),
                    f"没有 {year} 年度的征集表。",
                    f"可用的年度：{'、'.join(map(str, available_years()))}。",
                    "no published form for that year",
                )
    if form is not None:
        _check_meaning(form, data, col)
    result = Result(source.file, None, sorted(col.items, key=lambda d: (d.line, d.severity != "error")), form)
    if sub is not None and form is not None and not result.errors and not source.problems:
        result.submission = _normalise(form, sub)
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
                f"请写成 form: {latest_year()}。",
            ),
        )
    return result


def input_kind(data: object) -> str:
    """Tell a published form, a notice and a submission apart by their top-level keys."""
    if isinstance(data, dict):
        if looks_like_form(data):
            return "form"
        if "form" in data or "unit" in data or any(k in data for k in ALIASES[Submission]):
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


def check_text(text: str, file: str = "<text>", form: Form | None = None) -> Result:
    try:
        source = parse(text, file)
    except SourceError as exc:
        return Result(file, None, [Diagnostic("error", "syntax", exc.file, exc.line, "（文件）", exc.message)])
    return check_source(source, form)


def check_file(path: str | Path, form: Form | None = None) -> Result:
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


def reader_problems(source: Source) -> list[Diagnostic]:
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
            place=readable_place(p.path, source.data),
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


def load_submission(path: str | Path, strict: bool = False) -> tuple[Submission, Form, Source, list[Diagnostic]]:
    """Load and validate a submission for rendering; raise InvalidInput with every problem."""
    try:
        source = load(path)
    except SourceError as exc:
        raise InvalidInput([Diagnostic("error", "syntax", exc.file, exc.line, "（文件）", exc.message)]) from None
    result = check_source(source)
    if not result.ok(strict) or result.submission is None:
        raise InvalidInput(result.diagnostics)
    return result.submission, result.form, canonical(source), result.warnings  # type: ignore[return-value]
