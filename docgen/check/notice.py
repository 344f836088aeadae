"""Read and check a notice YAML (data/notices/*.yaml): ``load_notice(path) -> Notice``, ``parse_notice(source)``.

Everything render needs is checked here, so that a notice that passes ``docgen validate`` renders:
the model (docgen.models.notice), a finite 标志 size that fits the 版心, ``form_tables`` and
``form_instructions`` naming a published form, and the seal image (docgen.check.seal: read once,
its bytes kept with the notice; render never opens the file again). Problems are gathered and
reported together, in Chinese, with YAML paths (``body[0].heading``), through the submission's
pydantic translator (docgen.check.translate), as submissions are.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from docgen.check.seal import SealError, read_seal
from docgen.check.translate import Collector, Schema, report
from docgen.form.loading import available, form_path
from docgen.io.source import Source, SourceError, load, value_at
from docgen.models.diagnostics import Diagnostic, InvalidInput, source_error
from docgen.models.notice import LOGO_MAX_SIZE_PT, LOGO_MIN_SIZE_PT, Attachment, Heading, Notice, Paragraph, logo_fit_pt
from docgen.models.year import is_form_id, is_form_year


def _item_model(item: Any) -> type[BaseModel]:
    return Heading if isinstance(item, dict) and "heading" in item else Paragraph


def _model_for(path: tuple, data: Any) -> type[BaseModel] | None:
    """Which model describes the mapping at ``path`` of a notice (for key lists and titles)."""
    if not path:
        return Notice
    if len(path) == 2 and path[0] == "body":
        return _item_model(value_at(data, path))
    if len(path) == 2 and path[0] == "attachments":
        return Attachment
    if len(path) == 4 and path[0] == "attachments" and path[2] == "body":
        return _item_model(value_at(data, path))
    return None


def _clean_loc(loc: tuple) -> tuple:
    """Drop the tags pydantic puts after a body item's index (Heading / Paragraph)."""
    return tuple(p for p in loc if p not in ("Heading", "Paragraph"))


_SCHEMA = Schema(_model_for, _clean_loc)
"""The notice's models for the shared translator."""


def _check_render_needs(source: Source, data: dict, col: Collector, reported: set[tuple]) -> Any:
    """What the model cannot know: logo size against the 版心, published forms, the seal. Returns
    the checked seal image (or None)."""
    size = data.get("logo_size_pt")
    if size is not None and ("logo_size_pt",) not in reported:
        logo = data.get("logo") if isinstance(data.get("logo"), str) else ""
        fit = logo_fit_pt(logo) if logo else LOGO_MAX_SIZE_PT
        value = float(size) if isinstance(size, (int, float)) and not isinstance(size, bool) else None
        if value is None or not math.isfinite(value) or not LOGO_MIN_SIZE_PT <= value <= fit:
            col.error(
                "notice-logo-size",
                ("logo_size_pt",),
                f"标志字号 logo_size_pt 应为 {LOGO_MIN_SIZE_PT:g}–{fit:.1f} 磅之间的数字，现为 {size}。",
                "标志不得宽于版心（156 毫米）；不写则自动取合适的字号。",
                "logo size must fit the text block",
            )
    for i, att in enumerate(data.get("attachments") or []) if isinstance(data.get("attachments"), list) else ():
        if not isinstance(att, dict):
            continue
        for key in ("form_tables", "form_instructions"):
            year = att.get(key)
            path = ("attachments", i, key)
            if year is None or path in reported or not (is_form_year(year) or is_form_id(year)):
                continue  # not a year nor an id (5,000 digits, a list …): the model has said so
            if not form_path(year).exists():
                col.error(
                    "unknown-form",
                    path,
                    f"没有 {year} 年度的征集表。" if isinstance(year, int) else f"没有编号为“{year}”的征集表。",
                    f"可用的{'年度' if isinstance(year, int) else '征集表'}：{'、'.join(available())}。",
                    "no published form for that year",
                )
    seal = data.get("seal")
    if seal is None or ("seal",) in reported:
        return None
    if not isinstance(seal, str):
        col.error(
            "notice-seal", ("seal",), "印章图片（seal）应写成文件名，例如 seal.png。", english="seal must be a path"
        )
        return None
    try:
        return read_seal(Path(source.file).resolve().parent, seal)
    except SealError as exc:
        col.error("notice-seal", ("seal",), str(exc), "印章须是通知所在文件夹内的 PNG 或 JPEG 图片。", "unusable seal")
        return None


def check_notice(source: Source) -> tuple[Notice | None, list[Diagnostic]]:
    """The notice of a parsed source and every problem found (file, line, YAML path, Chinese)."""
    col = Collector(source)
    data = source.data
    if not isinstance(data, dict):
        col.error(
            "not-a-mapping",
            (),
            "通知文件内容应为键值对（issuer、logo、number 等）。",
            english="the file must be a mapping of keys",
        )
        return None, col.items
    notice = None
    try:
        notice = Notice.model_validate(data)
    except ValidationError as exc:
        read = {p.path for p in source.problems}  # a number too long, a bad tag …: said once, by the reader
        for err in exc.errors(include_url=False):
            if not any(tuple(err["loc"])[: len(r)] == r for r in read):
                report(err, data, col, _SCHEMA)
    reported = {_path_key(d.path) for d in col.items}
    seal = _check_render_needs(source, data, col, reported)
    if col.items or notice is None:
        return None, sorted(col.items, key=lambda d: d.line)
    return notice.with_seal(seal), []


def _path_key(path: str) -> tuple:
    """'attachments[0].form_tables' → ('attachments', 0, 'form_tables') (to skip what pydantic reported)."""
    out: list = []
    for part in path.replace("]", "").replace("[", ".").split("."):
        if part:
            out.append(int(part) if part.isdigit() else part)
    return tuple(out)


def parse_notice(source: Source) -> Notice:
    """The Notice of a parsed source; InvalidInput with every problem (file, line, path)."""
    notice, diagnostics = check_notice(source)
    if notice is None:
        raise InvalidInput(diagnostics)
    return notice


def load_notice(path: str | Path) -> Notice:
    """Read and validate a notice YAML file."""
    try:
        source = load(path)
    except SourceError as exc:
        raise InvalidInput([source_error(exc)]) from None
    return parse_notice(source)
